//! Training driven to its end (docs/theory.md section 4): the [`Executor`] runs a
//! [`Training`] stepper, records the cost history, writes checkpoints and
//! tells an [`Observer`] what happened. It stops when a flag is raised (what
//! a SIGINT or SIGTERM handler sets) and returns; it never ends the process.

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use super::{BestState, Checkpoint, HistoryRecord, RunError};
use crate::learning::{Evaluation, Keep, LearningError, Task, Training, TrainingParameters};
use crate::network::Network;

/// What the executor tells its caller while it runs. Every method has a
/// default that does nothing.
pub trait Observer {
    /// The run starts (or resumes) after `step` iterations; `last` is the
    /// latest record.
    fn started(&mut self, _step: usize, _last: &HistoryRecord) {}
    /// Iteration `step` of `total` is done.
    fn stepped(&mut self, _step: usize, _total: usize) {}
    /// The full cost was evaluated; `conductance` is the current state.
    /// Returning `Break` stops the run as an interruption would.
    fn recorded(&mut self, _record: &HistoryRecord, _conductance: &[f64]) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

/// An observer that ignores everything.
impl Observer for () {}

/// How [`Executor::run`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every iteration is done.
    Finished,
    /// The stop rule ended the run after `step` iterations (the cost stayed
    /// below its tolerance for its patience).
    Converged {
        /// Iterations done.
        step: usize,
    },
    /// Stopped (flag, observer or `stop_after`) after `step` iterations; a
    /// checkpoint was written when a checkpoint file was given.
    Stopped {
        /// Iterations done.
        step: usize,
    },
}

/// Drives a [`Training`] to its end with records and checkpoints.
pub struct Executor {
    initial: Network,
    training: Training,
    history: Vec<HistoryRecord>,
    initial_evaluation: Evaluation,
    record_every: usize,
    checkpoint: Option<(PathBuf, usize)>,
    cancel: Option<Arc<AtomicBool>>,
    stop_after: Option<usize>,
    earlier_wall: f64,
    wall: f64,
    best: Option<BestState>,
    converged_at: Option<usize>,
}

impl Executor {
    /// A run of `task` on `initial` from its conductances, evaluating the
    /// full cost every `record_every` iterations (and at the last).
    pub fn new(
        initial: &Network,
        task: &Task,
        parameters: TrainingParameters,
        record_every: usize,
    ) -> Result<Self, LearningError> {
        let training = Training::new(initial, task, parameters)?;
        Self::start(initial, training, Vec::new(), 0.0, record_every)
    }

    /// Continues the run of `checkpoint`.
    pub fn resume(
        initial: &Network,
        task: &Task,
        parameters: TrainingParameters,
        record_every: usize,
        checkpoint: Checkpoint,
    ) -> Result<Self, LearningError> {
        if !(1..=Checkpoint::VERSION).contains(&checkpoint.version)
            || checkpoint.format != Checkpoint::FORMAT
        {
            return Err(LearningError::InvalidParameter {
                field: "checkpoint",
                reason: format!(
                    "format {:?} version {} is not an imprint checkpoint this version reads",
                    checkpoint.format, checkpoint.version
                ),
            });
        }
        // What carries a run from one iteration to the next must be what
        // this run could have written, or it is refused (never dropped).
        if let Some(v) = &checkpoint.velocity {
            if v.len() != initial.edge_count() || v.iter().any(|x| !x.is_finite()) {
                return Err(LearningError::InvalidParameter {
                    field: "checkpoint.velocity",
                    reason: format!(
                        "{} values (finite ones needed, one per edge: {})",
                        v.len(),
                        initial.edge_count()
                    ),
                });
            }
        }
        if let Some(cycle) = &checkpoint.factor_cycle {
            let average = cycle.previous_average.unwrap_or(0.0);
            if !(cycle.cost.is_finite()
                && cycle.cost >= 0.0
                && cycle.iterations >= 1
                && average.is_finite()
                && average >= 0.0)
            {
                return Err(LearningError::InvalidParameter {
                    field: "checkpoint.factor_cycle",
                    reason: format!(
                        "cost {} ns over {} iterations, previous average {:?} (finite costs, at least one iteration)",
                        cycle.cost, cycle.iterations, cycle.previous_average
                    ),
                });
            }
        }
        if let Some(k) = &checkpoint.factored {
            if k.len() != initial.edge_count()
                || !k.iter().all(|&x| crate::network::is_valid_conductance(x))
            {
                return Err(LearningError::InvalidParameter {
                    field: "checkpoint.factored",
                    reason: format!(
                        "{} values (conductances needed, one per edge: {})",
                        k.len(),
                        initial.edge_count()
                    ),
                });
            }
        }
        if let Some(d) = &checkpoint.damping {
            let damping_ok = d.damping.is_none_or(|l| l.is_finite() && l > 0.0);
            if !(damping_ok && d.growth.is_finite() && d.growth >= 2.0) {
                return Err(LearningError::InvalidParameter {
                    field: "checkpoint.damping",
                    reason: format!(
                        "damping {:?} must be finite and positive, growth {} finite and at least 2",
                        d.damping, d.growth
                    ),
                });
            }
            // The path a restarted second-order run is on, and the crawl
            // window it opened (at or before the checkpoint's step).
            let window_ok = d
                .window
                .is_none_or(|(at, cost)| at <= checkpoint.step && cost.is_finite() && cost >= 0.0);
            if d.restarts > crate::learning::RESTARTS || !window_ok {
                return Err(LearningError::InvalidParameter {
                    field: "checkpoint.damping",
                    reason: format!(
                        "restarts {} (at most {}) and crawl window {:?} (a step at most {} and a finite cost) are not a path this run could have taken",
                        d.restarts,
                        crate::learning::RESTARTS,
                        d.window,
                        checkpoint.step
                    ),
                });
            }
        }
        let training = Training::resume(
            initial,
            task,
            parameters,
            checkpoint.step,
            checkpoint.conductance,
        )?
        .with_estimate(checkpoint.rate_estimate)
        .with_damping_state(checkpoint.damping)
        .with_velocity(checkpoint.velocity)
        .with_factored(
            checkpoint.factored,
            checkpoint.refactorizations.unwrap_or_default(),
        )
        .with_factor_cycle(checkpoint.factor_cycle);
        let mut executor = Self::start(
            initial,
            training,
            checkpoint.history,
            checkpoint.wall_time_seconds,
            record_every,
        )?;
        executor.best = checkpoint.best.map(|mut best| {
            // An older checkpoint's best state has no accuracy: its record has.
            if best.accuracy.is_none() {
                best.accuracy = executor
                    .history
                    .iter()
                    .find(|r| r.step == best.step)
                    .and_then(|r| r.accuracy);
            }
            best
        });
        executor.converged_at = checkpoint.converged_at;
        Ok(executor)
    }

    fn start(
        initial: &Network,
        training: Training,
        mut history: Vec<HistoryRecord>,
        earlier_wall: f64,
        record_every: usize,
    ) -> Result<Self, LearningError> {
        let mut training = training;
        if record_every == 0 {
            return Err(LearningError::InvalidParameter {
                field: "record_every",
                reason: "must be at least 1".into(),
            });
        }
        // The cost of the network as given (before the clip into [k_min, k_max]).
        let initial_evaluation = training.problem().evaluate(initial.conductance())?;
        if history.is_empty() {
            history.push(HistoryRecord::new(0, &initial_evaluation));
        }
        // A monotone rule stops at the stop rule's tolerance by itself.
        training.stop_below(training.parameters().stop.relative_cost * history[0].cost);
        Ok(Self {
            initial: initial.clone(),
            training,
            history,
            initial_evaluation,
            record_every,
            checkpoint: None,
            cancel: None,
            stop_after: None,
            earlier_wall,
            wall: earlier_wall,
            best: None,
            converged_at: None,
        })
    }

    /// Writes a checkpoint to `path` every `every` iterations, when stopped,
    /// and at the end.
    pub fn checkpoint_to(mut self, path: PathBuf, every: usize) -> Self {
        self.checkpoint = Some((path, every.max(1)));
        self
    }

    /// Stops at the next iteration once `flag` is raised.
    pub fn cancel_on(mut self, flag: Arc<AtomicBool>) -> Self {
        self.cancel = Some(flag);
        self
    }

    /// Stops (as if interrupted) after iteration `step`.
    pub fn stop_after(mut self, step: Option<usize>) -> Self {
        self.stop_after = step;
        self
    }

    /// Runs the remaining iterations, or until the stop rule ends the run.
    pub fn run(&mut self, observer: &mut dyn Observer) -> Result<Outcome, RunError> {
        let start = Instant::now();
        let total = self.training.parameters().iterations;
        if let Some(last) = self.history.last() {
            observer.started(self.training.step_count(), last);
        }
        if let Some(step) = self.converged_at {
            return Ok(Outcome::Converged { step });
        }
        while !self.training.is_done() {
            self.training.step()?;
            let step = self.training.step_count();
            let mut stop = false;
            // A classification the rule scores at every iteration (the
            // second-order trainer) is also recorded wherever its accuracy
            // changes, so that the most accurate state is a recorded one.
            // (Compared with the last record, which a checkpoint holds, so
            // that a resumed run records the same iterations.)
            let accuracy_moved = self.training.current_accuracy().is_some_and(|accuracy| {
                self.history.last().and_then(|r| r.accuracy) != Some(accuracy)
            });
            if step % self.record_every == 0 || self.training.is_done() || accuracy_moved {
                let evaluation = self
                    .training
                    .problem()
                    .evaluate(self.training.conductance())?;
                let mut record = HistoryRecord::new(step, &evaluation);
                record.learning_rate = self.training.last_rate();
                record.stiffness = self.training.rate_estimate().map(|e| e.stiffness);
                record.damping = self.training.last_damping();
                self.history.push(record);
                self.track_best(&record);
                if self.has_converged() {
                    self.converged_at = Some(step);
                }
                stop |= observer
                    .recorded(&record, self.training.conductance())
                    .is_break();
            }
            observer.stepped(step, total);
            stop |= self
                .cancel
                .as_ref()
                .is_some_and(|flag| flag.load(Ordering::SeqCst))
                || self.stop_after == Some(step);
            self.wall = self.earlier_wall + start.elapsed().as_secs_f64();
            let due = self
                .checkpoint
                .as_ref()
                .is_some_and(|(_, every)| step % every == 0);
            if due || stop || self.converged_at.is_some() {
                self.write_checkpoint()?;
            }
            if let Some(step) = self.converged_at {
                return Ok(Outcome::Converged { step });
            }
            if stop {
                return Ok(Outcome::Stopped { step });
            }
        }
        self.wall = self.earlier_wall + start.elapsed().as_secs_f64();
        self.write_checkpoint()?;
        Ok(Outcome::Finished)
    }

    /// Keeps the conductances of `record` when it is the best yet (better
    /// than the initial network too): for a classification the most
    /// accurate, then the cheapest (a cosine cost's minimum may misclassify
    /// a training sample that a costlier state classifies, and a
    /// classification has learned when it classifies them all); for any
    /// other task the cheapest.
    fn track_best(&mut self, record: &HistoryRecord) {
        let (best_cost, best_accuracy) = match &self.best {
            Some(best) => (best.cost, best.accuracy),
            None => (self.history[0].cost, self.history[0].accuracy),
        };
        let better = match (record.accuracy, best_accuracy) {
            (Some(accuracy), Some(best_accuracy)) if accuracy != best_accuracy => {
                accuracy > best_accuracy
            }
            _ => record.cost < best_cost,
        };
        if better {
            self.best = Some(BestState {
                step: record.step,
                cost: record.cost,
                accuracy: record.accuracy,
                conductance: self.training.conductance().to_vec(),
            });
        }
    }

    /// Whether the records of the last `patience` iterations all lie at or
    /// below the stop rule's tolerance (any record there, for a monotone
    /// rule, whose cost cannot rise again).
    fn has_converged(&self) -> bool {
        let rule = self.training.parameters().stop;
        let patience = if self.training.parameters().rule.is_monotone() {
            0
        } else {
            rule.patience
        };
        let threshold = rule.relative_cost * self.history[0].cost;
        let Some(last) = self.history.last() else {
            return false;
        };
        if last.cost > threshold {
            return false;
        }
        // The first record of the current stretch below the threshold.
        let since = self
            .history
            .iter()
            .rev()
            .take_while(|r| r.cost <= threshold)
            .last()
            .map_or(last.step, |r| r.step);
        last.step - since >= patience
    }

    fn write_checkpoint(&self) -> Result<(), RunError> {
        if let Some((path, _)) = &self.checkpoint {
            let text = serde_json::to_string(&self.to_checkpoint())
                .map_err(|e| RunError::Format(e.to_string()))?;
            crate::io::write_atomic(path, text.as_bytes())?;
        }
        Ok(())
    }

    /// The state as a checkpoint.
    pub fn to_checkpoint(&self) -> Checkpoint {
        Checkpoint {
            format: Checkpoint::FORMAT.into(),
            version: Checkpoint::VERSION,
            step: self.training.step_count(),
            wall_time_seconds: self.wall,
            conductance: self.training.conductance().to_vec(),
            history: self.history.clone(),
            rate_estimate: self.training.rate_estimate(),
            best: self.best.clone(),
            converged_at: self.converged_at,
            damping: self.training.damping_state(),
            velocity: self.training.velocity().map(<[f64]>::to_vec),
            factored: self.training.factored_conductance().map(<[f64]>::to_vec),
            refactorizations: self.training.refactorizations(),
            factor_cycle: self.training.factor_cycle(),
        }
    }

    /// The best recorded state, if training improved on the initial network.
    pub fn best(&self) -> Option<&BestState> {
        self.best.as_ref()
    }

    /// The iteration at which the stop rule ended the run, if it did.
    pub fn converged_at(&self) -> Option<usize> {
        self.converged_at
    }

    /// The history so far (step 0 first).
    pub fn history(&self) -> &[HistoryRecord] {
        &self.history
    }

    /// The stepper.
    pub fn training(&self) -> &Training {
        &self.training
    }

    /// Cost and accuracy of the network before training.
    pub fn initial_evaluation(&self) -> &Evaluation {
        &self.initial_evaluation
    }

    /// Training time over every session of the run, in seconds.
    pub fn wall_time_seconds(&self) -> f64 {
        self.wall
    }

    /// The network with the current conductances.
    pub fn network(&self) -> Network {
        self.network_with(self.training.conductance())
    }

    /// The network a run keeps ([`Keep`]): the best recorded state by
    /// default (the initial network when no record improved on it), or the
    /// last one.
    pub fn kept_network(&self) -> Network {
        match self.training.parameters().keep {
            Keep::Last => self.network(),
            Keep::Best => match &self.best {
                Some(best) => self.network_with(&best.conductance),
                None => self.initial.clone(),
            },
        }
    }

    fn network_with(&self, conductance: &[f64]) -> Network {
        let mut trained = self.initial.clone();
        trained
            .set_conductance(conductance.to_vec())
            .expect("conductances stay finite, positive and one per edge");
        trained
    }

    /// The network the run keeps ([`kept_network`](Self::kept_network)).
    pub fn into_network(self) -> Network {
        self.kept_network()
    }
}
