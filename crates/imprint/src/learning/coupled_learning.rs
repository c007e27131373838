//! Coupled Learning (docs/theory.md section 4): the update
//! `(alpha / eta) mean_batch [(dV^F)^2 - (dV^C)^2]`, with the clamped state
//! from the free factorisation, `x^C = x^F + G_O (P G_O)^{-1} (y^C - y^F)`.

use faer::Mat;

use super::batch::{edge_moments, BatchResponse};
use super::{LearningError, TaskCircuit};
use crate::physics::{sequential_product, Factorization};

/// The Coupled Learning update `(alpha / eta) mean_batch [(dV^F)^2 - (dV^C)^2]`.
///
/// The clamped state comes from the free factorisation (docs/theory.md section
/// 4): `x^C = x^F + G_O (P G_O)^{-1} (y^C - y^F)`.
pub fn coupled_learning_update(
    problem: &TaskCircuit,
    factor: &Factorization,
    batch: &[usize],
    learning_rate: f64,
    nudge: f64,
) -> Result<Vec<f64>, LearningError> {
    let batch = problem.batch_response(factor, batch)?;
    Ok(coupled_learning_from(problem, &batch, learning_rate, nudge))
}

/// The Coupled Learning update from a batch response (no solve happens here).
pub fn coupled_learning_from(
    problem: &TaskCircuit,
    batch: &BatchResponse,
    learning_rate: f64,
    nudge: f64,
) -> Vec<f64> {
    let clamp = clamp_currents(problem, batch, nudge);
    let scale = learning_rate / (nudge * batch.samples.len() as f64);
    // (dV^F)^2 - (dV^C)^2 = -s (2 dV^F + s) with s = dV^C - dV^F.
    let moments = edge_moments(problem, batch, clamp.as_ref(), true);
    moments
        .cross
        .iter()
        .zip(&moments.square)
        .map(|(cross, square)| -scale * (2.0 * cross + square))
        .collect()
}

/// Per sample (one column each, `n_out x B`), the currents the clamp
/// supplies at the outputs, `z = (P G_O)^{-1} (y^C - y^F)`, so that `dV^C -
/// dV^F = (drops of G_O) z`: one factorisation of `P G_O` for the batch.
fn clamp_currents(problem: &TaskCircuit, batch: &BatchResponse, nudge: f64) -> Mat<f64> {
    let gradients = batch.output_gradients(problem);
    let n_out = batch.response.resistance.nrows();
    let shift = Mat::from_fn(n_out, gradients.len(), |o, b| -nudge * gradients[b][o]);
    batch.response.solve_columns(shift)
}

/// The clamped states of a batch (`n x B`), from the free factorisation.
/// Exposed for tests and analysis; training uses only the drops.
pub fn clamped_states(
    problem: &TaskCircuit,
    factor: &Factorization,
    batch: &[usize],
    nudge: f64,
) -> Result<faer::Mat<f64>, LearningError> {
    let batch = problem.batch_response(factor, batch)?;
    let z = clamp_currents(problem, &batch, nudge);
    let shift = sequential_product(batch.response.response.as_ref(), z.as_ref());
    Ok(batch.free.states() + shift)
}
