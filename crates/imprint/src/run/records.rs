//! What a run records and resumes from: each [`HistoryRecord`] of the cost
//! history, the [`BestState`] it keeps, and the [`Checkpoint`] that holds
//! both with the training state (docs/formats.md).

use serde::{Deserialize, Serialize};

use crate::learning::{DampingState, Evaluation, RateEstimate, TrainingParameters};

/// One row of the training history (`history.csv`, checkpoints, Python).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryRecord {
    /// Iterations done when the cost was evaluated.
    pub step: usize,
    /// Training cost over every sample.
    pub cost: f64,
    /// Training accuracy (classification).
    pub accuracy: Option<f64>,
    /// Cost on the held-out samples, if any.
    pub test_cost: Option<f64>,
    /// Accuracy on the held-out samples (classification).
    pub test_accuracy: Option<f64>,
    /// Learning rate of the iteration that led here (none at step 0).
    #[serde(default)]
    pub learning_rate: Option<f64>,
    /// `lambda_max` of the linearised update map behind an `auto` rate
    /// (docs/theory.md section 4; `learning_rate * stiffness` is the stability
    /// margin, below 2 for a stable minimum).
    #[serde(default)]
    pub stiffness: Option<f64>,
    /// The damping `lambda` of the second-order step that led here (none
    /// for the first-order rules).
    #[serde(default)]
    pub damping: Option<f64>,
}

impl HistoryRecord {
    /// The record of `evaluation` at `step`, without rate.
    pub fn new(step: usize, evaluation: &Evaluation) -> Self {
        Self {
            step,
            cost: evaluation.cost,
            accuracy: evaluation.accuracy,
            test_cost: evaluation.test_cost,
            test_accuracy: evaluation.test_accuracy,
            learning_rate: None,
            stiffness: None,
            damping: None,
        }
    }
}

/// The conductances of the best record (lowest cost; for a classification
/// highest accuracy, then lowest cost).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BestState {
    /// Iterations done when it was recorded.
    pub step: usize,
    /// Its training cost.
    pub cost: f64,
    /// Its training accuracy (classification; absent from checkpoints
    /// written before issue 26, where the record at `step` gives it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<f64>,
    /// Its conductances.
    pub conductance: Vec<f64>,
}

/// What a checkpoint holds: enough to continue a run exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// Always [`Checkpoint::FORMAT`].
    pub format: String,
    /// Always [`Checkpoint::VERSION`].
    pub version: u32,
    /// Iterations done.
    pub step: usize,
    /// Training time so far, over every session of the run.
    pub wall_time_seconds: f64,
    /// Conductances after `step` iterations.
    pub conductance: Vec<f64>,
    /// History up to `step`.
    pub history: Vec<HistoryRecord>,
    /// The latest estimate of an `auto` learning rate.
    #[serde(default)]
    pub rate_estimate: Option<RateEstimate>,
    /// The best recorded state (none when it is the initial network).
    #[serde(default)]
    pub best: Option<BestState>,
    /// The iteration at which the stop rule ended the run, if it did.
    #[serde(default)]
    pub converged_at: Option<usize>,
    /// The second-order trainer's damping (none for the first-order rules).
    #[serde(default)]
    pub damping: Option<DampingState>,
    /// Each edge's last move, for a first-order run with momentum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub velocity: Option<Vec<f64>>,
    /// The conductances a first-order run's factor held (the factor it
    /// kept may be older than `conductance`), so that a resumed run
    /// refactorises exactly when the uninterrupted one would.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factored: Option<Vec<f64>>,
    /// First-order iterations that factorised so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refactorizations: Option<usize>,
    /// The modelled costs of the factor's cycle
    /// ([`crate::physics::FactorCycle`]): with `factored`, what makes a
    /// resumed run keep or refactorise as the uninterrupted one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor_cycle: Option<crate::physics::FactorCycle>,
}

impl Checkpoint {
    /// The `format` tag of checkpoint files.
    pub const FORMAT: &'static str = "imprint-checkpoint";
    /// The format version written (version 1, without rate estimate, best
    /// state and convergence, and version 2, without damping, are still read).
    pub const VERSION: u32 = 3;

    /// Refuses a checkpoint this run could not have written, like any
    /// input (issue 30 item 10): a step beyond the run's iterations; a
    /// history that is empty, out of order, past the step or with a cost
    /// that is not finite and non-negative; a best state that is not a
    /// recorded state (its step, cost and accuracy are the record's); a
    /// rate estimate that is not a finite positive rate; a convergence
    /// after the step; and for the current and the best state, one
    /// conductance per edge of the network inside `[k_min, k_max]`.
    /// Returns what is wrong, naming the field.
    pub fn check(&self, training: &TrainingParameters, edges: usize) -> Result<(), String> {
        if self.step > training.iterations {
            return Err(format!(
                "step {} is beyond the run's {} iterations",
                self.step, training.iterations
            ));
        }
        if !(self.wall_time_seconds.is_finite() && self.wall_time_seconds >= 0.0) {
            return Err(format!(
                "`wall_time_seconds` {} is not a time",
                self.wall_time_seconds
            ));
        }
        if self.history.first().is_none_or(|r| r.step != 0) {
            return Err("`history` does not begin with the record of step 0".into());
        }
        for pair in self.history.windows(2) {
            if pair[1].step <= pair[0].step {
                return Err(format!(
                    "`history` goes from step {} to step {}",
                    pair[0].step, pair[1].step
                ));
            }
        }
        if let Some(record) = self.history.iter().find(|r| r.step > self.step) {
            return Err(format!(
                "history holds step {} after the checkpoint's step {}",
                record.step, self.step
            ));
        }
        if let Some(r) = self
            .history
            .iter()
            .find(|r| !(r.cost.is_finite() && r.cost >= 0.0))
        {
            return Err(format!(
                "`history` records cost {:e} at step {}",
                r.cost, r.step
            ));
        }
        if let Some(best) = &self.best {
            let Some(record) = self.history.iter().find(|r| r.step == best.step) else {
                return Err(format!("`best.step` {} is not a recorded step", best.step));
            };
            if best.cost != record.cost {
                return Err(format!(
                    "`best.cost` {:e} is not the cost {:e} recorded at step {}",
                    best.cost, record.cost, best.step
                ));
            }
            if best.accuracy.is_some() && best.accuracy != record.accuracy {
                return Err(format!(
                    "`best.accuracy` {:?} is not the accuracy {:?} recorded at step {}",
                    best.accuracy, record.accuracy, best.step
                ));
            }
        }
        if let Some(estimate) = &self.rate_estimate {
            let positive = |x: f64| x.is_finite() && x > 0.0;
            if !(positive(estimate.rate) && positive(estimate.stiffness))
                || estimate.step > self.step
            {
                return Err(format!(
                    "`rate_estimate` (rate {}, stiffness {}, step {}) is not a finite positive estimate made by step {}",
                    estimate.rate, estimate.stiffness, estimate.step, self.step
                ));
            }
        }
        if let Some(at) = self.converged_at.filter(|&at| at > self.step) {
            return Err(format!(
                "`converged_at` {at} is after the step {}",
                self.step
            ));
        }
        let states = std::iter::once(("conductance", &self.conductance)).chain(
            self.best
                .as_ref()
                .map(|best| ("best.conductance", &best.conductance)),
        );
        for (field, conductance) in states {
            if conductance.len() != edges {
                return Err(format!(
                    "`{field}` has {} values but the network has {edges} edges",
                    conductance.len()
                ));
            }
            let clip = training.k_min..=training.k_max;
            if let Some((e, k)) = conductance
                .iter()
                .enumerate()
                .find(|(_, k)| !clip.contains(*k))
            {
                return Err(format!(
                    "`{field}` of edge {e} is {k}, outside the clip range [{}, {}]",
                    training.k_min, training.k_max
                ));
            }
        }
        Ok(())
    }
}
