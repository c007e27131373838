//! Gradient descent on the cost (docs/theory.md section 3): the exact gradient
//! from adjoint states, `dC/dk_e = -(1/B) sum_mu dV_e^mu dlambda_e^mu`.

use super::batch::{edge_moments, BatchResponse};
use super::{LearningError, TaskCircuit};
use crate::physics::Factorization;

/// The exact gradient `dC/dk_e = -(1/B) sum_mu dV_e^mu dlambda_e^mu` of the
/// batch cost, with adjoints `lambda_mu = H^{-1} P^T grad_y c(y_mu) = G_O grad_y c`.
pub fn cost_gradient(
    problem: &TaskCircuit,
    factor: &Factorization,
    batch: &[usize],
) -> Result<Vec<f64>, LearningError> {
    Ok(gradient_from(
        problem,
        &problem.batch_response(factor, batch)?,
    ))
}

/// The batch cost gradient from a batch response (no solve).
pub fn gradient_from(problem: &TaskCircuit, batch: &BatchResponse) -> Vec<f64> {
    // Adjoint drops dlambda_e = (drops of G_O) grad_y c per sample.
    let gradients = batch.output_gradients(problem);
    let count = batch.samples.len() as f64;
    let n_out = batch.response.resistance.nrows();
    let w = faer::Mat::from_fn(n_out, gradients.len(), |o, b| gradients[b][o]);
    edge_moments(problem, batch, w.as_ref(), false)
        .cross
        .into_iter()
        .map(|cross| -cross / count)
        .collect()
}
