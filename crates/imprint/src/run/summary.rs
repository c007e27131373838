//! `summary.json` of a training run.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Executor, HistoryRecord, RunError};
use crate::learning::{Cost, Keep, Stationary, Task};

/// How a finished run's cost behaved (judged from its records).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrainingStatus {
    /// The best cost reached `stop.relative_cost` times the initial cost;
    /// or the second-order trainer reached its goal on a classification
    /// (every training sample classified: a cosine cost has no zero).
    Converged,
    /// The best cost fell more than 10 times over the second half of the
    /// run: more iterations would likely lower it further.
    Improving,
    /// The best cost fell less than 10 times over the second half of the
    /// run, above the stop rule's tolerance: the training stalled. Whether
    /// the task is realisable from there is the second-order trainer's to
    /// say (`imprint train --rule levenberg-marquardt --network
    /// RUN/network.json`); a classification's cosine cost never reaches
    /// zero, judge it by its accuracy. Read from `"plateau"` too (its name
    /// before issue 26).
    #[serde(alias = "plateau")]
    Stalled,
    /// The second-order trainer stopped above the stop rule's tolerance at a
    /// stationary point of the bounded problem: from the state it started
    /// at, the task is unrealisable within `[k_min, k_max]` by descent
    /// ([`TrainingSummary::stationary`] says which edges the bounds hold
    /// there). Read from `"stationary"` too.
    #[serde(alias = "stationary")]
    Unrealisable,
}

impl TrainingStatus {
    /// Its name in `summary.json`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Converged => "converged",
            Self::Improving => "improving",
            Self::Stalled => "stalled",
            Self::Unrealisable => "unrealisable",
        }
    }

    /// The status of `history` (step 0 first) under a stop tolerance of
    /// `relative_cost` times the initial cost.
    pub fn of(history: &[HistoryRecord], relative_cost: f64) -> Self {
        let initial = history[0].cost;
        let best = history.iter().map(|r| r.cost).fold(f64::INFINITY, f64::min);
        if best <= relative_cost * initial {
            return Self::Converged;
        }
        let last = history.last().map_or(0, |r| r.step);
        let best_by_half = history
            .iter()
            .filter(|r| 2 * r.step <= last)
            .map(|r| r.cost)
            .fold(f64::INFINITY, f64::min);
        if best_by_half > 10.0 * best {
            Self::Improving
        } else {
            Self::Stalled
        }
    }
}

/// What a finished training run reports (`summary.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingSummary {
    /// Always `imprint-summary`.
    pub format: String,
    /// Format version.
    pub version: u32,
    /// Task name.
    pub task: String,
    /// `mse` or `cosine`.
    pub cost_function: Cost,
    /// Cost of the network before training.
    pub initial_cost: f64,
    /// Cost after the last iteration.
    pub final_cost: f64,
    /// Training cost of the best record (the initial cost if none was
    /// better): the lowest cost; for a classification the highest accuracy,
    /// then the lowest cost.
    pub best_cost: f64,
    /// Iterations done at the best record (0: the initial network).
    pub best_step: usize,
    /// Which state `network.json` holds: `best` or `last`.
    pub kept: Keep,
    /// `initial_cost` over the cost of the kept state; `None` (`null` in
    /// JSON) when that is not a finite number: the kept cost is exactly 0
    /// (a task met to the last bit, as allostery can be), or both are.
    pub cost_reduction: Option<f64>,
    /// Converged, still improving, stalled, or unrealisable ([`TrainingStatus`]).
    pub status: TrainingStatus,
    /// The iteration at which the stop rule ended the run (the cost stayed
    /// below `stop.relative_cost` times the initial cost for `stop.patience`
    /// iterations); none when it ran every iteration.
    pub converged_at: Option<usize>,
    /// Learning rate of the last iteration.
    pub final_learning_rate: Option<f64>,
    /// Accuracy before training (classification).
    pub initial_accuracy: Option<f64>,
    /// Training accuracy of the kept state (classification).
    pub accuracy: Option<f64>,
    /// Test accuracy of the kept state (classification).
    pub test_accuracy: Option<f64>,
    /// Test cost of the kept state, when the task has test samples.
    pub test_cost: Option<f64>,
    /// Largest `|y - t| / |t|` over samples and outputs of the kept state (MSE tasks).
    pub largest_relative_output_error: Option<f64>,
    /// Outputs of every sample of the kept state (tasks with at most four samples).
    pub final_outputs: Option<Vec<Vec<f64>>>,
    /// Estimated relative error of the kept state's voltages over every
    /// training sample (iterative refinement; certified at most 1e-12).
    /// Summaries written before it was recorded read as 0.
    #[serde(default)]
    pub voltage_error: f64,
    /// Iterations run.
    pub iterations: usize,
    /// Training time over every session of the run.
    pub wall_time_seconds: f64,
    /// Master seed.
    pub seed: u64,
    /// Nodes of the network.
    pub nodes: usize,
    /// Edges of the network.
    pub edges: usize,
    /// Where the second-order trainer stopped short of its tolerance, and
    /// the edges the bounds held there (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stationary: Option<Stationary>,
    /// First-order runs: iterations that factorised; the others solved
    /// with the factor they kept (conjugate gradients preconditioned by
    /// it, or, within `1e-6` of its conductances, it alone from the
    /// states of its conductances), where the conductance ratios predicted
    /// that to cost less than a factorisation
    /// (`physics::Factorization::update`), refined to the same certified
    /// tolerance
    /// (absent for the second-order rule, which factorises every iteration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refactorizations: Option<usize>,
}

/// The cost, relative to the initial cost, at or below which a regression
/// or allosteric run has learned its task (issue 26; a classification has
/// learned when it classifies every training sample).
pub const LEARNED_RELATIVE_COST: f64 = 1e-8;

/// Whether a run learned its task: a classification (`accuracy` given)
/// classifies every training sample; any other task's `kept_cost` is at most
/// [`LEARNED_RELATIVE_COST`] of its `initial_cost`.
pub fn learned(initial_cost: f64, kept_cost: f64, accuracy: Option<f64>) -> bool {
    match accuracy {
        Some(accuracy) => accuracy >= 1.0,
        None => kept_cost <= LEARNED_RELATIVE_COST * initial_cost,
    }
}

impl TrainingSummary {
    /// The cost of the state `network.json` holds (best or last, as `kept`).
    pub fn kept_cost(&self) -> f64 {
        match self.kept {
            Keep::Best => self.best_cost,
            Keep::Last => self.final_cost,
        }
    }

    /// Whether the run learned its task ([`learned`]) in the state it kept.
    pub fn learned(&self) -> bool {
        learned(self.initial_cost, self.kept_cost(), self.accuracy)
    }

    /// The summary of a finished executor.
    pub fn of(executor: &Executor, task: &Task, seed: u64) -> Result<Self, RunError> {
        let initial = executor.initial_evaluation();
        let history = executor.history();
        let last = *history.last().expect("the history starts with step 0");
        let keep = executor.training().parameters().keep;
        let problem = executor.training().problem();
        // The kept state's record and outputs: the last record's are at hand;
        // a best state earlier than the last record is evaluated again.
        let kept_record = match (keep, executor.best()) {
            (Keep::Best, Some(best)) => *history
                .iter()
                .rev()
                .find(|r| r.step == best.step)
                .expect("the best state is a recorded one"),
            (Keep::Best, None) => history[0],
            (Keep::Last, _) => last,
        };
        // The kept state solved once more, for its outputs and for how far
        // its voltages may be off (refinement's estimate; training solves
        // are refined the same way).
        let kept = executor.kept_network();
        let factor = problem.factorize(kept.conductance())?;
        let all: Vec<usize> = (0..task.sample_count()).collect();
        let kept_states = problem.free_states(&factor, &all)?;
        let voltage_error = kept_states.voltage_error;
        let outputs = kept_states.outputs;
        let worst_relative = outputs
            .iter()
            .zip(&task.targets)
            .flat_map(|(y, t)| {
                y.iter()
                    .zip(t)
                    .map(|(y, t)| (y - t).abs() / t.abs().max(1e-12))
            })
            .fold(0.0, f64::max);
        let (best_cost, best_step) = executor
            .best()
            .map_or((history[0].cost, 0), |b| (b.cost, b.step));
        Ok(Self {
            format: "imprint-summary".into(),
            version: 2,
            task: task.name.clone(),
            cost_function: task.cost,
            initial_cost: initial.cost,
            final_cost: last.cost,
            best_cost,
            best_step,
            kept: keep,
            cost_reduction: Some(initial.cost / kept_record.cost).filter(|r| r.is_finite()),
            converged_at: executor.converged_at(),
            status: match (
                TrainingStatus::of(history, executor.training().parameters().stop.relative_cost),
                executor.training().stationary(),
            ) {
                (TrainingStatus::Converged, _) => TrainingStatus::Converged,
                _ if executor.training().goal_reached() => TrainingStatus::Converged,
                (_, Some(_)) => TrainingStatus::Unrealisable,
                (status, None) => status,
            },
            stationary: executor.training().stationary().cloned(),
            refactorizations: executor.training().refactorizations(),
            final_learning_rate: last.learning_rate,
            initial_accuracy: initial.accuracy,
            accuracy: kept_record.accuracy,
            test_accuracy: kept_record.test_accuracy,
            test_cost: kept_record.test_cost,
            largest_relative_output_error: (task.cost == Cost::Mse).then_some(worst_relative),
            final_outputs: (task.sample_count() <= 4).then_some(outputs),
            voltage_error,
            iterations: executor.training().step_count(),
            wall_time_seconds: executor.wall_time_seconds(),
            seed,
            nodes: problem.solver().node_count(),
            edges: problem.edges().len(),
        })
    }

    /// Writes `summary.json` to `path`.
    pub fn write(&self, path: &Path) -> Result<(), RunError> {
        super::write_json(path, self)
    }

    /// Reads `summary.json`.
    pub fn read(path: &Path) -> Result<Self, RunError> {
        let text = super::read_text(path)?;
        serde_json::from_str(&text).map_err(|e| RunError::invalid(path, e.to_string()))
    }
}

impl std::fmt::Display for TrainingSummary {
    /// The summary as aligned lines, as `imprint train` prints it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "task               {} on {} nodes, {} edges",
            self.task, self.nodes, self.edges
        )?;
        let kept = match self.kept {
            Keep::Best => format!("best, at iteration {}", self.best_step),
            Keep::Last => "last".into(),
        };
        writeln!(
            f,
            "cost               {:.4e} -> {:.4e} (kept {kept}: {})",
            self.initial_cost,
            self.kept_cost(),
            match self.cost_reduction {
                Some(r) => format!("reduced {r:.2e} times"),
                None => "no finite reduction".into(),
            }
        )?;
        if self.voltage_error > crate::physics::refine::CERTIFIED {
            writeln!(
                f,
                "warning            the trained voltages may be off by {:.1e} of the largest: the conductances span too many decades for double precision",
                self.voltage_error
            )?;
        }
        if self.kept == Keep::Best && self.best_step != self.iterations {
            writeln!(f, "last cost          {:.4e}", self.final_cost)?;
        }
        if let (Some(a), Some(t)) = (self.accuracy, self.test_accuracy) {
            writeln!(
                f,
                "accuracy           train {:.1} %, test {:.1} %",
                100.0 * a,
                100.0 * t
            )?;
        }
        if let Some(worst) = self.largest_relative_output_error {
            writeln!(f, "worst output error {worst:.3e} (relative)")?;
        }
        if let Some(rate) = self.final_learning_rate {
            writeln!(f, "learning rate      {rate:.4e} (last iteration)")?;
        }
        let converged = match self.converged_at {
            Some(step) => format!(", stopped at {step}: converged"),
            None => String::new(),
        };
        match self.status {
            TrainingStatus::Converged => {}
            TrainingStatus::Improving => writeln!(
                f,
                "status             still improving at the end: more iterations would lower the cost"
            )?,
            TrainingStatus::Stalled if self.cost_function == Cost::Cosine => writeln!(
                f,
                "status             stalled (a cosine cost does not reach 0: judge by the accuracy)"
            )?,
            TrainingStatus::Stalled => writeln!(
                f,
                "status             stalled: the best cost fell less than 10 times over the second half of the run, above the tolerance; whether the task is realisable from here: imprint train --rule levenberg-marquardt --network RUN/network.json (with the run's task and clip)"
            )?,
            TrainingStatus::Unrealisable => {
                let (low, high, restarts) = self.stationary.as_ref().map_or((0, 0, 0), |s| {
                    (s.at_k_min.len(), s.at_k_max.len(), s.restarts)
                });
                let start = match restarts {
                    0 => "this start".to_string(),
                    n => format!("this start and {n} spread from it"),
                };
                writeln!(
                    f,
                    "status             unrealisable from {start}: the second-order trainer stopped at a stationary point within [k_min, k_max] ({low} edges held at k_min, {high} at k_max; summary.json lists them){}",
                    if self.cost_function == Cost::Cosine {
                        " - a cosine cost does not reach 0: judge by the accuracy"
                    } else {
                        ""
                    }
                )?
            }
        }
        write!(
            f,
            "iterations         {} in {:.1} s{converged}",
            self.iterations, self.wall_time_seconds
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(costs: &[(usize, f64)]) -> Vec<HistoryRecord> {
        costs
            .iter()
            .map(|&(step, cost)| HistoryRecord {
                step,
                cost,
                accuracy: None,
                test_cost: None,
                test_accuracy: None,
                learning_rate: None,
                stiffness: None,
                damping: None,
            })
            .collect()
    }

    #[test]
    fn status_from_the_records() {
        let converged = history(&[(0, 1.0), (50, 1e-3), (100, 1e-21)]);
        assert_eq!(
            TrainingStatus::of(&converged, 1e-20),
            TrainingStatus::Converged
        );
        // 1e-3 by the half, 1e-5 at the end: 100 times in the second half.
        let improving = history(&[(0, 1.0), (50, 1e-3), (100, 1e-5)]);
        assert_eq!(
            TrainingStatus::of(&improving, 1e-20),
            TrainingStatus::Improving
        );
        // 1e-3 by the half, 5e-4 at the end: twice.
        let stalled = history(&[(0, 1.0), (50, 1e-3), (75, 2e-3), (100, 5e-4)]);
        assert_eq!(TrainingStatus::of(&stalled, 1e-20), TrainingStatus::Stalled);
        // The names before issue 26 still read.
        let old: TrainingStatus = serde_json::from_str("\"plateau\"").unwrap();
        assert_eq!(old, TrainingStatus::Stalled);
        let old: TrainingStatus = serde_json::from_str("\"stationary\"").unwrap();
        assert_eq!(old, TrainingStatus::Unrealisable);
    }

    #[test]
    fn a_cost_met_exactly_has_no_finite_reduction_and_reads_back() {
        // An allosteric run (N = 256, seed 13) whose kept cost is exactly 0.
        let text = r#"{"format": "imprint-summary", "version": 2, "task": "allostery", "cost_function": "mse", "initial_cost": 0.05642022539225948, "final_cost": 0.0, "best_cost": 0.0, "best_step": 800, "kept": "best", "cost_reduction": null, "status": "converged", "converged_at": 800, "final_learning_rate": 1.594726546290907, "initial_accuracy": null, "accuracy": null, "test_accuracy": null, "test_cost": null, "largest_relative_output_error": 0.0, "final_outputs": [[0.2, 0.2, 0.2]], "iterations": 800, "wall_time_seconds": 0.07, "seed": 13, "nodes": 250, "edges": 504}"#;
        let summary: TrainingSummary = serde_json::from_str(text).unwrap();
        assert_eq!(summary.cost_reduction, None);
        assert!(summary
            .to_string()
            .contains("(kept best, at iteration 800: no finite reduction)"));
        let back: TrainingSummary =
            serde_json::from_str(&serde_json::to_string(&summary).unwrap()).unwrap();
        assert_eq!(back, summary);
    }
}
