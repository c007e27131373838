//! Decision regions of a trained classifier (paper Fig. 5e-h): the class the
//! network predicts at every cell of a grid over its two-feature input plane
//! ([`Task::input_plane`]), with the training and test points.

use crate::learning::{winner, LearningError, Task, TaskCircuit};
use crate::network::Network;

/// Cells per side of the prediction grid.
pub const GRID_CELLS: usize = 120;

/// A classifier's predictions over its input plane.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionRegions {
    /// Axis labels.
    pub labels: [String; 2],
    /// Range of the first input.
    pub x: [f64; 2],
    /// Range of the second input.
    pub y: [f64; 2],
    /// Predicted class per cell, rows bottom to top.
    pub predicted: Vec<Vec<usize>>,
    /// Training points `(x, y, class)`.
    pub train: Vec<(f64, f64, usize)>,
    /// Test points `(x, y, class)`.
    pub test: Vec<(f64, f64, usize)>,
}

/// Decision regions of `network` on `task` over a `cells x cells` grid
/// spanning the samples with 15 % padding; `None` when the task has no
/// two-feature input plane.
pub fn decision_regions(
    network: &Network,
    task: &Task,
    cells: usize,
) -> Result<Option<DecisionRegions>, LearningError> {
    let Some(plane) = task.input_plane() else {
        return Ok(None);
    };
    let problem = TaskCircuit::new(network, task)?;
    let factor = problem.factorize(network.conductance())?;
    let [cu, cv] = plane.columns;
    let coordinates = |rows: &[Vec<f64>], targets: &[Vec<f64>]| -> Vec<(f64, f64, usize)> {
        rows.iter()
            .zip(targets)
            .map(|(r, t)| (r[cu], r[cv], winner(t)))
            .collect()
    };
    let train = coordinates(&task.fixed_voltages, &task.targets);
    let test = coordinates(&task.test_fixed_voltages, &task.test_targets);
    let span = |pick: fn(&(f64, f64, usize)) -> f64| {
        let (lo, hi) = train
            .iter()
            .chain(&test)
            .map(pick)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        let pad = 0.15 * (hi - lo).max(1e-9);
        [lo - pad, hi + pad]
    };
    let (x, y) = (span(|p| p.0), span(|p| p.1));
    let centre = |range: [f64; 2], k: usize| {
        range[0] + (k as f64 + 0.5) / cells as f64 * (range[1] - range[0])
    };
    let drives: Vec<Vec<f64>> = (0..cells)
        .flat_map(|r| (0..cells).map(move |c| (r, c)))
        .map(|(r, c)| plane.drive(centre(x, c), centre(y, r)))
        .collect();
    let outputs = problem.outputs_for(&factor, &drives)?;
    let predicted = outputs
        .chunks(cells)
        .map(|row| row.iter().map(|y| winner(y)).collect())
        .collect();
    let node = |k: usize| task.fixed_nodes[plane.columns[k]];
    Ok(Some(DecisionRegions {
        labels: [
            format!("input 1: voltage at node {} (V)", node(0)),
            format!("input 2: voltage at node {} (V)", node(1)),
        ],
        x,
        y,
        predicted,
        train,
        test,
    }))
}
