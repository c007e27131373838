//! Coupled Learning (docs/theory.md section 4): the update
//! `(alpha / eta) mean_batch [(dV^F)^2 - (dV^C)^2]`, with the clamped state
//! from the free factorisation, `x^C = x^F + G_O (P G_O)^{-1} (y^C - y^F)`.

use super::batch::{accumulate_over_batch, BatchResponse};
use super::step_size::LearningRate;
use super::{LearningError, Rule, TaskCircuit};
use crate::physics::Factorization;

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
    Rule::CoupledLearning {
        learning_rate: LearningRate::Constant(learning_rate),
        nudge,
    }
    .update(problem, factor, batch)
}

/// The Coupled Learning update from a batch response (no solve happens here).
pub fn coupled_learning_from(
    problem: &TaskCircuit,
    batch: &BatchResponse,
    learning_rate: f64,
    nudge: f64,
) -> Vec<f64> {
    let gradients = batch.output_gradients(problem);
    let response = &batch.response;
    // Per sample, the currents the clamp supplies: z = (P G_O)^{-1} (y^C - y^F),
    // so that dV^C - dV^F = (drops of G_O) z.
    let clamp: Vec<Vec<f64>> = gradients
        .iter()
        .map(|g| response.solve(&g.iter().map(|g| -nudge * g).collect::<Vec<_>>()))
        .collect();
    let scale = learning_rate / (nudge * batch.samples.len() as f64);
    // (dV^F)^2 - (dV^C)^2 = -s (2 dV^F + s) with s = dV^C - dV^F.
    accumulate_over_batch(problem, batch, &clamp, |free_drop, shift| {
        -scale * shift * (2.0 * free_drop + shift)
    })
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
    let (free, response) = (&batch.free, &batch.response);
    let gradients = batch.output_gradients(problem);
    let mut states = free.states.clone();
    for (b, g) in gradients.iter().enumerate() {
        let z = response.solve(&g.iter().map(|g| -nudge * g).collect::<Vec<_>>());
        for i in 0..states.nrows() {
            states[(i, b)] += (0..z.len())
                .map(|o| response.response[(i, o)] * z[o])
                .sum::<f64>();
        }
    }
    Ok(states)
}
