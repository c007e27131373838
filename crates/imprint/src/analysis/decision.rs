//! What a trained network does to inputs it was not trained on: the
//! decision regions of a classifier (paper Fig. 5e-h), the class predicted at
//! every cell of a grid over its two-feature input plane
//! ([`Task::input_plane`]), and for a regression the outputs as one input
//! sweeps with the other fixed, beside the desired lines (Fig. 1c).

use super::AnalysisError;
use crate::learning::{winner, Task, TaskCircuit};
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
) -> Result<Option<DecisionRegions>, AnalysisError> {
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

/// A regression's outputs as its second input sweeps with the first fixed
/// at its largest training value (the authors' Fig. 1c fixes input 1 at 1 V).
#[derive(Debug, Clone, PartialEq)]
pub struct OutputSweep {
    /// Label of the swept input.
    pub swept: String,
    /// Label and value of the fixed input.
    pub fixed: (String, f64),
    /// Values of the swept input.
    pub x: Vec<f64>,
    /// The network's outputs at each value (one row per value).
    pub outputs: Vec<Vec<f64>>,
    /// The desired outputs there: the affine map `y = c0 + c1 u + c2 v` of
    /// the training targets, fitted by least squares (exact for the linear
    /// tasks).
    pub desired: Vec<Vec<f64>>,
}

/// The output sweep of `network` on a regression `task` with a two-input
/// plane, at `points` values; `None` for classification or other tasks.
pub fn output_sweep(
    network: &Network,
    task: &Task,
    points: usize,
) -> Result<Option<OutputSweep>, AnalysisError> {
    let Some(plane) = task.input_plane().filter(|_| !task.classification) else {
        return Ok(None);
    };
    let [cu, cv] = plane.columns;
    let (u, v): (Vec<f64>, Vec<f64>) = task.fixed_voltages.iter().map(|r| (r[cu], r[cv])).unzip();
    let range = |x: &[f64]| {
        x.iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &t| {
                (a.min(t), b.max(t))
            })
    };
    let (u_fixed, (v_lo, v_hi)) = (range(&u).1, range(&v));
    // The desired outputs as an affine map of the two inputs.
    let coefficients = crate::learning::affine_fit(&u, &v, &task.targets);
    let outputs_count = task.readout.len();
    let points = points.max(2);
    let x: Vec<f64> = (0..points)
        .map(|k| v_lo + (v_hi - v_lo) * k as f64 / (points - 1) as f64)
        .collect();
    let problem = TaskCircuit::new(network, task)?;
    let factor = problem.factorize(network.conductance())?;
    let drives: Vec<Vec<f64>> = x.iter().map(|&v| plane.drive(u_fixed, v)).collect();
    let outputs = problem.outputs_for(&factor, &drives)?;
    let desired = x
        .iter()
        .map(|&v| {
            (0..outputs_count)
                .map(|o| {
                    let [a, b, c] = coefficients[o];
                    a + b * u_fixed + c * v
                })
                .collect()
        })
        .collect();
    let node = |k: usize| task.fixed_nodes[plane.columns[k]];
    Ok(Some(OutputSweep {
        swept: format!("input 2: voltage at node {} (V)", node(1)),
        fixed: (format!("input 1 (node {})", node(0)), u_fixed),
        x,
        outputs,
        desired,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learning::builtin;
    use crate::network::lattice;

    #[test]
    fn the_desired_lines_are_the_task_coefficients_and_outputs_the_solves() {
        let network = lattice::square(8, 8, false).unwrap();
        let task = builtin::build("regression-2x2", &network, &Default::default()).unwrap();
        let sweep = output_sweep(&network, &task, 5).unwrap().unwrap();
        let a = builtin::REGRESSION_2X2;
        for (k, &v) in sweep.x.iter().enumerate() {
            for (o, row) in a.iter().enumerate() {
                let expected = row[0] * sweep.fixed.1 + row[1] * v;
                assert!((sweep.desired[k][o] - expected).abs() < 1e-12, "{k} {o}");
            }
        }
        // The outputs are those of a direct solve at each drive.
        let problem = TaskCircuit::new(&network, &task).unwrap();
        let factor = problem.factorize(network.conductance()).unwrap();
        let plane = task.input_plane().unwrap();
        let direct = problem
            .outputs_for(&factor, &[plane.drive(sweep.fixed.1, sweep.x[3])])
            .unwrap();
        assert_eq!(sweep.outputs[3], direct[0]);
        let classes = builtin::build("classification-3", &network, &Default::default()).unwrap();
        assert!(output_sweep(&network, &classes, 5).unwrap().is_none());
    }
}
