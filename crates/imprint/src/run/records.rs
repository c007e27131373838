//! What a run records and resumes from: each [`HistoryRecord`] of the cost
//! history, the [`BestState`] it keeps, and the [`Checkpoint`] that holds
//! both with the training state (docs/formats.md).

use serde::{Deserialize, Serialize};

use crate::learning::{DampingState, Evaluation, RateEstimate};

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
}

impl Checkpoint {
    /// The `format` tag of checkpoint files.
    pub const FORMAT: &'static str = "imprint-checkpoint";
    /// The format version written (version 1, without rate estimate, best
    /// state and convergence, and version 2, without damping, are still read).
    pub const VERSION: u32 = 3;
}
