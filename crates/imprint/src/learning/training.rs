//! Training as a stepper: [`Training::step`] runs one iteration (one
//! factorisation, one batch); the caller owns the loop, progress, records and
//! checkpoints. Batches are drawn from a stream of the seed derived from the
//! step number, so a run resumed from a checkpoint at step `t` continues
//! exactly as the uninterrupted run would.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::levenberg_marquardt::{DampingState, SecondOrder, Stationary};
use super::step_size::{AutoRate, LearningRate, RateEstimate, StepSize};
use super::{Evaluation, LearningError, Rule, Task, TaskCircuit};
use crate::network::Network;
use crate::physics::Factorization;
use crate::random::Rng;

/// Everything that defines a training run besides the network and the task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingParameters {
    /// The learning rule.
    pub rule: Rule,
    /// Samples per iteration (all of them when at least the sample count).
    pub batch_size: usize,
    /// Iterations to run.
    pub iterations: usize,
    /// Lower clip of the conductances.
    pub k_min: f64,
    /// Upper clip of the conductances.
    pub k_max: f64,
    /// Seed of the batch draws.
    pub seed: u64,
    /// How `learning_rate = "auto"` sets the rate.
    #[serde(default)]
    pub auto_rate: AutoRate,
    /// When a run stops before `iterations`.
    #[serde(default)]
    pub stop: StopRule,
    /// Which conductances a run keeps as its trained network.
    #[serde(default)]
    pub keep: Keep,
    /// Per-edge momentum `beta` of the first-order rules (heavy ball, a
    /// local rule: each edge keeps its own last move): `v_e <- beta v_e +
    /// delta_e`, restarted (`v_e <- delta_e`) when the new update opposes
    /// it, and set to the move the clip allowed. `0` (the default) is the
    /// plain rule exactly. The second-order trainer ignores it.
    #[serde(default)]
    pub momentum: f64,
}

/// Stop once the training cost has stayed at or below `relative_cost` times
/// the initial cost for `patience` iterations (judged at the records, where
/// the full cost is evaluated). `relative_cost = 0` stops only at a cost of
/// exactly zero.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StopRule {
    /// Cost relative to the initial cost below which the run counts as converged.
    pub relative_cost: f64,
    /// Iterations the cost must stay there.
    pub patience: usize,
}

impl Default for StopRule {
    fn default() -> Self {
        Self {
            relative_cost: 1e-20,
            patience: 500,
        }
    }
}

/// Which conductances a run keeps as its trained network.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Keep {
    /// Those of the best record: the lowest training cost; for a
    /// classification the highest accuracy, then the lowest cost.
    #[default]
    Best,
    /// Those after the last iteration.
    Last,
}

impl Default for TrainingParameters {
    fn default() -> Self {
        Self {
            rule: Rule::CoupledLearning {
                learning_rate: LearningRate::Auto,
                nudge: Self::default_nudge(),
            },
            batch_size: 30,
            iterations: 10_000,
            k_min: 1e-3,
            k_max: 1e2,
            seed: 1,
            auto_rate: AutoRate::default(),
            stop: StopRule::default(),
            keep: Keep::Best,
            momentum: 0.0,
        }
    }
}

impl TrainingParameters {
    /// Coupled Learning's nudge `eta` when none is given.
    pub fn default_nudge() -> f64 {
        0.1
    }

    /// Checks every field.
    pub fn validate(&self) -> Result<(), LearningError> {
        self.rule.validate()?;
        if !(self.momentum.is_finite() && (0.0..1.0).contains(&self.momentum)) {
            return Err(LearningError::InvalidParameter {
                field: "momentum",
                reason: format!("{} must be in [0, 1)", self.momentum),
            });
        }
        self.auto_rate.validate()?;
        if !(self.stop.relative_cost.is_finite() && self.stop.relative_cost >= 0.0) {
            return Err(LearningError::InvalidParameter {
                field: "stop.relative_cost",
                reason: format!("{} must be finite and at least 0", self.stop.relative_cost),
            });
        }
        if self.batch_size == 0 {
            return Err(LearningError::InvalidParameter {
                field: "batch_size",
                reason: "must be at least 1".into(),
            });
        }
        let valid = crate::network::is_valid_conductance;
        if !(valid(self.k_min) && valid(self.k_max) && self.k_min < self.k_max) {
            return Err(LearningError::InvalidParameter {
                field: "k_min",
                reason: format!(
                    "need k_min < k_max, both in [1e-100, 1e100] S (got k_min = {}, k_max = {})",
                    self.k_min, self.k_max
                ),
            });
        }
        Ok(())
    }
}

impl TrainingParameters {
    /// Refuses conductances outside the clip `[k_min, k_max]`: the first
    /// update would clip them, unasked (issue 30 item 7). Says how many
    /// and how far.
    pub fn check_clip(&self, conductance: &[f64]) -> Result<(), LearningError> {
        let clip = self.k_min..=self.k_max;
        let outside: Vec<f64> = conductance
            .iter()
            .copied()
            .filter(|k| !clip.contains(k))
            .collect();
        if !outside.is_empty() {
            let lo = outside.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = outside.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            return Err(LearningError::InvalidParameter {
                field: "conductance",
                reason: format!(
                    "{} of {} conductances lie outside the clip [{:e}, {:e}] S (from {lo:.3e} to {hi:.3e}): training would clip them at its first step; widen k_min and k_max, or draw initial conductances inside them",
                    outside.len(),
                    conductance.len(),
                    self.k_min,
                    self.k_max
                ),
            });
        }
        Ok(())
    }
}

/// Samples of the batch of iteration `step`: all samples in order when the
/// batch is at least the sample count, else a seeded draw without replacement.
pub fn batch(seed: u64, step: usize, batch_size: usize, sample_count: usize) -> Vec<usize> {
    let mut samples: Vec<usize> = (0..sample_count).collect();
    if batch_size >= sample_count {
        return samples;
    }
    let mut rng = Rng::derive(seed, step as u64);
    for i in 0..batch_size {
        let j = i + rng.below(sample_count - i);
        samples.swap(i, j);
    }
    samples.truncate(batch_size);
    samples
}

/// Where one iteration spent its time.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StepTimings {
    /// Assembly and numeric factorisation of the reduced Laplacian.
    pub factorization: Duration,
    /// Free states of the batch and the output response `G_O`.
    pub solves: Duration,
    /// Clamped drops, the update and the clip (including `step_size`).
    pub update: Duration,
    /// The estimate of an `auto` rate (zero for a constant rate, and at the
    /// iterations between estimates).
    pub step_size: Duration,
}

/// A training run in progress.
#[derive(Debug, Clone)]
pub struct Training {
    problem: TaskCircuit,
    parameters: TrainingParameters,
    conductance: Vec<f64>,
    step: usize,
    /// The first-order rules' rate decision (none for the second-order rule).
    step_size: Option<StepSize>,
    rate: Option<f64>,
    /// The last factorisation, whose storage the next one reuses.
    factor: Option<Factorization>,
    /// The second-order stepper, for [`Rule::LevenbergMarquardt`].
    second_order: Option<SecondOrder>,
    /// Each edge's last move, with `momentum` (none before the first).
    velocity: Option<Vec<f64>>,
    /// The conductances a resumed first-order run's factor held when it
    /// was interrupted: the first factorisation is made there, so that the
    /// run keeps or refreshes it exactly as the uninterrupted one did.
    resume_factored: Option<Vec<f64>>,
    /// The cycle of that factor ([`Factorization::set_factor_cycle`]).
    resume_cycle: Option<crate::physics::FactorCycle>,
    /// First-order iterations that factorised (the others refined with the
    /// factor they kept; [`Factorization::update`]).
    refactorizations: usize,
}

impl Training {
    /// Starts training `task` on `network` from the network's conductances
    /// (clipped into `[k_min, k_max]`).
    pub fn new(
        network: &Network,
        task: &Task,
        parameters: TrainingParameters,
    ) -> Result<Self, LearningError> {
        Self::resume(network, task, parameters, 0, network.conductance().to_vec())
    }

    /// Continues a run at `step` with `conductance`.
    pub fn resume(
        network: &Network,
        task: &Task,
        parameters: TrainingParameters,
        step: usize,
        conductance: Vec<f64>,
    ) -> Result<Self, LearningError> {
        parameters.validate()?;
        let problem = TaskCircuit::new(network, task)?;
        task.check_reachable()?;
        if conductance.len() != network.edge_count() {
            return Err(LearningError::InvalidParameter {
                field: "conductance",
                reason: format!(
                    "{} values for {} edges",
                    conductance.len(),
                    network.edge_count()
                ),
            });
        }
        parameters.check_clip(&conductance)?;
        let second_order = match parameters.rule {
            Rule::LevenbergMarquardt { damping } => {
                let (k_min, k_max) = (parameters.k_min, parameters.k_max);
                let start = network.conductance().iter().map(|k| k.clamp(k_min, k_max));
                Some(SecondOrder::new(
                    &problem,
                    damping,
                    start.collect(),
                    parameters.seed,
                    [k_min, k_max],
                ))
            }
            _ => None,
        };
        let step_size = StepSize::of(&parameters.rule, parameters.auto_rate);
        Ok(Self {
            velocity: None,
            second_order,
            problem,
            parameters,
            conductance,
            step,
            step_size,
            rate: None,
            factor: None,
            resume_factored: None,
            resume_cycle: None,
            refactorizations: 0,
        })
    }

    /// Continues a first-order run whose factor held `factored` when it was
    /// interrupted, after `refactorizations` factorisations (as a
    /// checkpoint holds them); ignored by the second-order rule.
    pub fn with_factored(mut self, factored: Option<Vec<f64>>, refactorizations: usize) -> Self {
        if self.second_order.is_none() {
            self.resume_factored = factored;
            self.refactorizations = refactorizations;
        }
        self
    }

    /// Continues a first-order run whose factor was in `cycle` when it was
    /// interrupted (as a checkpoint holds it; a checkpoint without one
    /// starts a fresh cycle); ignored by the second-order rule.
    pub fn with_factor_cycle(mut self, cycle: Option<crate::physics::FactorCycle>) -> Self {
        if self.second_order.is_none() {
            self.resume_cycle = cycle;
        }
        self
    }

    /// The cycle of the current factor (first-order runs, once
    /// factorised): what a checkpoint keeps to resume exactly.
    pub fn factor_cycle(&self) -> Option<crate::physics::FactorCycle> {
        match (&self.second_order, &self.factor) {
            (None, Some(factor)) => Some(factor.factor_cycle()),
            // Resumed, not yet stepped: the cycle it resumes with.
            (None, None) => self.resume_cycle,
            _ => None,
        }
    }

    /// The conductances the current factor holds (first-order runs, once
    /// factorised): what a checkpoint keeps to resume exactly.
    pub fn factored_conductance(&self) -> Option<&[f64]> {
        match (&self.second_order, &self.factor) {
            (None, Some(factor)) => Some(factor.factored_conductance()),
            // Resumed, not yet stepped: where its factor will be rebuilt.
            (None, None) => self.resume_factored.as_deref(),
            _ => None,
        }
    }

    /// First-order iterations that factorised; the others kept the last
    /// factor and refined with it (none for the second-order rule, which
    /// factorises every iteration).
    pub fn refactorizations(&self) -> Option<usize> {
        self.second_order.is_none().then_some(self.refactorizations)
    }

    /// Continues with the `auto` rate estimated before an interruption (as
    /// a checkpoint holds it), so that the resumed run steps exactly as the
    /// uninterrupted one.
    pub fn with_estimate(mut self, estimate: Option<RateEstimate>) -> Self {
        self.step_size = self.step_size.map(|s| s.with_estimate(estimate));
        self
    }

    /// Continues a second-order run with the damping it had (as a
    /// checkpoint holds it); ignored by the first-order rules.
    pub fn with_damping_state(mut self, state: Option<DampingState>) -> Self {
        if let (Some(second), Some(state)) = (self.second_order.as_mut(), state) {
            second.set_state(state);
        }
        self
    }

    /// Tells a monotone rule ([`Rule::is_monotone`]) the training cost at
    /// which it is done: it then stops there instead of running every
    /// iteration (the first-order rules, whose cost fluctuates, leave that
    /// to the executor's stop rule).
    pub fn stop_below(&mut self, cost: f64) {
        if let Some(second) = self.second_order.as_mut() {
            second.set_target_cost(cost);
        }
    }

    /// Continues a run with momentum from each edge's last move (as a
    /// checkpoint holds it; one value per edge, which the executor checks);
    /// ignored without momentum.
    pub fn with_velocity(mut self, velocity: Option<Vec<f64>>) -> Self {
        if self.parameters.momentum > 0.0 {
            self.velocity = velocity;
        }
        self
    }

    /// Each edge's last move, when the run has momentum.
    pub fn velocity(&self) -> Option<&[f64]> {
        self.velocity.as_deref()
    }

    /// The second-order stepper's damping state (none for the first-order rules).
    pub fn damping_state(&self) -> Option<DampingState> {
        self.second_order.as_ref().map(SecondOrder::state)
    }

    /// The training accuracy of the current conductances when the rule
    /// knows it without a solve: the second-order trainer on a
    /// classification (its outputs are `T h_mu`); none otherwise.
    pub fn current_accuracy(&self) -> Option<f64> {
        self.second_order.as_ref().and_then(SecondOrder::accuracy)
    }

    /// The damping of the last second-order step (none for the first-order rules).
    pub fn last_damping(&self) -> Option<f64> {
        self.second_order
            .as_ref()
            .and_then(SecondOrder::last_damping)
    }

    /// Where a second-order run stopped short of its tolerance, with the
    /// edges the bounds hold there; none while it runs, when it reached its
    /// tolerance, and for the first-order rules.
    pub fn stationary(&self) -> Option<&Stationary> {
        self.second_order.as_ref().and_then(SecondOrder::stationary)
    }

    /// Whether a second-order run stopped at its goal: the stop rule's
    /// tolerance, or for a classification every training sample
    /// classified (false while it runs and for the first-order rules).
    pub fn goal_reached(&self) -> bool {
        self.second_order
            .as_ref()
            .is_some_and(SecondOrder::goal_reached)
    }

    /// Runs one iteration: factorise, solve the batch, update, clip.
    pub fn step(&mut self) -> Result<(), LearningError> {
        self.step_timed().map(|_| ())
    }

    /// [`step`](Self::step), reporting where the time went.
    pub fn step_timed(&mut self) -> Result<StepTimings, LearningError> {
        if let Some(second) = self.second_order.as_mut() {
            let p = &self.parameters;
            let timings = second.step(
                &self.problem,
                &mut self.factor,
                &mut self.conductance,
                [p.k_min, p.k_max],
                self.step,
            )?;
            self.step += 1;
            return Ok(timings);
        }
        self.first_order_step()
    }

    /// One iteration of Coupled Learning or gradient descent: factorise,
    /// solve the batch, take the step its [`StepSize`] decides, move.
    fn first_order_step(&mut self) -> Result<StepTimings, LearningError> {
        let start = Instant::now();
        self.refactorize()?;
        let factor = self.factor.as_ref().expect("factorised above");
        let p = &self.parameters;
        let factorized = Instant::now();
        let batch = batch(
            p.seed,
            self.step,
            p.batch_size,
            self.problem.task().sample_count(),
        );
        let response = self.problem.batch_response(factor, &batch)?;
        let solved = Instant::now();
        let step = self
            .step_size
            .as_mut()
            .expect("a first-order rule has a step size")
            .step(
                &p.rule,
                &self.problem,
                &response,
                &self.conductance,
                [p.k_min, p.k_max],
                self.step,
            )?;
        self.rate = Some(step.rate);
        self.move_by(step.change);
        self.step += 1;
        Ok(StepTimings {
            factorization: factorized - start,
            solves: solved - factorized,
            update: solved.elapsed(),
            step_size: step.estimating,
        })
    }

    /// Moves the factorisation to the current conductances, factorising
    /// into the last iteration's storage only when it pays
    /// ([`Factorization::update`]; taken out while it is refilled, so that
    /// a failure leaves none behind). A resumed run first factorises where
    /// its factor was when it was interrupted.
    fn refactorize(&mut self) -> Result<(), LearningError> {
        let mut factor = match (self.factor.take(), self.resume_factored.take()) {
            (Some(factor), _) => factor,
            (None, Some(factored)) => {
                let mut factor = self.problem.factorize(&factored)?;
                if let Some(cycle) = self.resume_cycle.take() {
                    factor.set_factor_cycle(cycle);
                }
                factor
            }
            (None, None) => {
                self.refactorizations += 1;
                self.factor = Some(self.problem.factorize(&self.conductance)?);
                return Ok(());
            }
        };
        let samples = self.problem.task().sample_count();
        let drives = self
            .problem
            .solves_per_batch(self.parameters.batch_size.min(samples));
        if factor.update(&self.conductance, drives)? {
            self.refactorizations += 1;
        }
        self.factor = Some(factor);
        Ok(())
    }

    /// Moves every edge by `change` (with momentum, when the run has it)
    /// and clips it into `[k_min, k_max]`.
    fn move_by(&mut self, change: Vec<f64>) {
        let p = &self.parameters;
        if p.momentum > 0.0 {
            let velocity = self
                .velocity
                .get_or_insert_with(|| vec![0.0; self.conductance.len()]);
            for ((k, v), d) in self.conductance.iter_mut().zip(velocity).zip(change) {
                // Restart an edge whose update turned against its motion.
                let pushed = if *v * d > 0.0 { p.momentum * *v + d } else { d };
                let moved = (*k + pushed).clamp(p.k_min, p.k_max);
                *v = moved - *k;
                *k = moved;
            }
        } else {
            for (k, d) in self.conductance.iter_mut().zip(change) {
                *k = (*k + d).clamp(p.k_min, p.k_max);
            }
        }
    }

    /// The rate of the last iteration (none before the first of this session).
    pub fn last_rate(&self) -> Option<f64> {
        self.rate
    }

    /// The latest estimate of an `auto` rate.
    pub fn rate_estimate(&self) -> Option<RateEstimate> {
        self.step_size.as_ref().and_then(StepSize::estimate)
    }

    /// Iterations done.
    pub fn step_count(&self) -> usize {
        self.step
    }

    /// Whether the requested iterations are done, or a second-order run
    /// reached its tolerance ([`stop_below`](Self::stop_below)) or is stationary.
    pub fn is_done(&self) -> bool {
        self.step >= self.parameters.iterations
            || self
                .second_order
                .as_ref()
                .is_some_and(SecondOrder::is_finished)
    }

    /// Current conductances.
    pub fn conductance(&self) -> &[f64] {
        &self.conductance
    }

    /// The parameters.
    pub fn parameters(&self) -> &TrainingParameters {
        &self.parameters
    }

    /// The problem being trained.
    pub fn problem(&self) -> &TaskCircuit {
        &self.problem
    }

    /// Cost and accuracy of the current conductances on every sample.
    pub fn evaluate(&self) -> Result<Evaluation, LearningError> {
        self.problem.evaluate(&self.conductance)
    }
}
