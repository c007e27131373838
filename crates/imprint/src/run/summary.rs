//! `summary.json` of a training run.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Executor, RunError};
use crate::learning::{Cost, Task};

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
    /// `initial_cost / final_cost`.
    pub cost_reduction: f64,
    /// Accuracy before training (classification).
    pub initial_accuracy: Option<f64>,
    /// Training accuracy at the end (classification).
    pub accuracy: Option<f64>,
    /// Test accuracy at the end (classification).
    pub test_accuracy: Option<f64>,
    /// Test cost at the end, when the task has test samples.
    pub test_cost: Option<f64>,
    /// Largest `|y - t| / |t|` over samples and outputs (MSE tasks).
    pub largest_relative_output_error: Option<f64>,
    /// Outputs of every sample (tasks with at most four samples).
    pub final_outputs: Option<Vec<Vec<f64>>>,
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
}

impl TrainingSummary {
    /// The summary of a finished executor.
    pub fn of(executor: &Executor, task: &Task, seed: u64) -> Result<Self, RunError> {
        let initial = executor.initial_evaluation();
        let last = executor
            .history()
            .last()
            .copied()
            .expect("the history starts with step 0");
        let outputs = match executor.last_outputs() {
            Some(outputs) => outputs.to_vec(),
            None => {
                // Resumed exactly at the end: no iteration ran in this session.
                executor
                    .training()
                    .problem()
                    .evaluate_with_outputs(executor.training().conductance())?
                    .1
            }
        };
        let worst_relative = outputs
            .iter()
            .zip(&task.targets)
            .flat_map(|(y, t)| {
                y.iter()
                    .zip(t)
                    .map(|(y, t)| (y - t).abs() / t.abs().max(1e-12))
            })
            .fold(0.0, f64::max);
        let network = executor.training().problem();
        Ok(Self {
            format: "imprint-summary".into(),
            version: 1,
            task: task.name.clone(),
            cost_function: task.cost,
            initial_cost: initial.cost,
            final_cost: last.cost,
            cost_reduction: initial.cost / last.cost,
            initial_accuracy: initial.accuracy,
            accuracy: last.accuracy,
            test_accuracy: last.test_accuracy,
            test_cost: last.test_cost,
            largest_relative_output_error: (task.cost == Cost::Mse).then_some(worst_relative),
            final_outputs: (task.sample_count() <= 4).then_some(outputs),
            iterations: executor.training().step_count(),
            wall_time_seconds: executor.wall_time_seconds(),
            seed,
            nodes: network.solver().node_count(),
            edges: network.edges().len(),
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
        writeln!(
            f,
            "cost               {:.4e} -> {:.4e} (reduced {:.2e} times)",
            self.initial_cost, self.final_cost, self.cost_reduction
        )?;
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
        write!(
            f,
            "iterations         {} in {:.1} s",
            self.iterations, self.wall_time_seconds
        )
    }
}
