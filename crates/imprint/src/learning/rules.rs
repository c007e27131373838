//! Learning rules: Coupled Learning (THEORY.md section 4) and exact gradient
//! descent with the adjoint gradient (THEORY.md section 3). Both are computed
//! from one factorisation per iteration: free states for the batch and the
//! output response `G_O`.

use serde::{Deserialize, Serialize};

use faer::Mat;

use super::{FreeStates, LearningError, OutputResponse, TrainingProblem};
use crate::physics::Factorization;
use rayon::prelude::*;

/// A learning rule and its hyperparameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Rule {
    /// Coupled Learning: `k_e += (alpha / eta) [(dV_e^F)^2 - (dV_e^C)^2]`,
    /// averaged over the batch, with the clamped outputs nudged a fraction
    /// `eta` towards the targets (`y^C = y^F - eta grad_y c`).
    CoupledLearning {
        /// `alpha`.
        learning_rate: f64,
        /// `eta`.
        nudge: f64,
    },
    /// Gradient descent on the batch cost: `k_e -= rate * dC/dk_e`.
    GradientDescent {
        /// Step size.
        learning_rate: f64,
    },
}

impl Rule {
    /// Checks the hyperparameters.
    pub fn validate(&self) -> Result<(), LearningError> {
        let positive = |field: &'static str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(LearningError::InvalidParameter {
                    field,
                    reason: format!("{v} must be finite and positive"),
                })
            }
        };
        match *self {
            Self::CoupledLearning {
                learning_rate,
                nudge,
            } => {
                positive("learning_rate", learning_rate)?;
                positive("nudge", nudge)
            }
            Self::GradientDescent { learning_rate } => positive("learning_rate", learning_rate),
        }
    }

    /// The conductance change for one batch, before clipping.
    pub fn update(
        &self,
        problem: &TrainingProblem,
        factor: &Factorization,
        batch: &[usize],
    ) -> Result<Vec<f64>, LearningError> {
        let free = problem.free_states(factor, batch)?;
        let response = problem.output_response(factor)?;
        Ok(self.update_from(problem, &free, &response, batch))
    }

    /// The conductance change from the batch's free states and the output
    /// response (no solve happens here).
    pub fn update_from(
        &self,
        problem: &TrainingProblem,
        free: &FreeStates,
        response: &OutputResponse,
        batch: &[usize],
    ) -> Vec<f64> {
        match *self {
            Self::CoupledLearning {
                learning_rate,
                nudge,
            } => coupled_learning_from(problem, free, response, batch, learning_rate, nudge),
            Self::GradientDescent { learning_rate } => {
                gradient_from(problem, free, response, batch)
                    .into_iter()
                    .map(|g| -learning_rate * g)
                    .collect()
            }
        }
    }
}

/// The Coupled Learning update `(alpha / eta) mean_batch [(dV^F)^2 - (dV^C)^2]`.
///
/// The clamped state comes from the free factorisation (THEORY.md section
/// 4): `x^C = x^F + G_O (P G_O)^{-1} (y^C - y^F)`.
pub fn coupled_learning_update(
    problem: &TrainingProblem,
    factor: &Factorization,
    batch: &[usize],
    learning_rate: f64,
    nudge: f64,
) -> Result<Vec<f64>, LearningError> {
    Rule::CoupledLearning {
        learning_rate,
        nudge,
    }
    .update(problem, factor, batch)
}

fn coupled_learning_from(
    problem: &TrainingProblem,
    free: &FreeStates,
    response: &OutputResponse,
    batch: &[usize],
    learning_rate: f64,
    nudge: f64,
) -> Vec<f64> {
    let gradients = problem.output_gradients(&free.outputs, batch);
    // Per sample, the currents the clamp supplies: z = (P G_O)^{-1} (y^C - y^F),
    // so that dV^C - dV^F = (drops of G_O) z.
    let clamp: Vec<Vec<f64>> = gradients
        .iter()
        .map(|g| response.solve(&g.iter().map(|g| -nudge * g).collect::<Vec<_>>()))
        .collect();
    let scale = learning_rate / (nudge * batch.len() as f64);
    // (dV^F)^2 - (dV^C)^2 = -s (2 dV^F + s) with s = dV^C - dV^F.
    accumulate_over_batch(problem, free, response, &clamp, |free_drop, shift| {
        -scale * shift * (2.0 * free_drop + shift)
    })
}

/// `sum_b term(dV_e^b, (D w_b)_e)` for every edge, where `D` holds the drops of
/// the output response `G_O` and `w_b` is a weight vector per sample.
///
/// States are first laid out node-major (one contiguous row of samples per
/// node), so each edge reads two short rows instead of `2 B` scattered
/// values; edges are spread over threads, each edge summed in a fixed order.
fn accumulate_over_batch(
    problem: &TrainingProblem,
    free: &FreeStates,
    response: &OutputResponse,
    weights: &[Vec<f64>],
    term: impl Fn(f64, f64) -> f64 + Sync,
) -> Vec<f64> {
    // Transposed in blocks of rows, so that reads and writes both stay in cache.
    let node_major = |m: &Mat<f64>| -> Vec<f64> {
        const ROWS: usize = 256;
        let (rows, cols) = (m.nrows(), m.ncols());
        let mut out = vec![0.0; rows * cols];
        for start in (0..rows).step_by(ROWS) {
            let end = (start + ROWS).min(rows);
            for c in 0..cols {
                let column = m.col(c);
                for r in start..end {
                    out[r * cols + c] = column[r];
                }
            }
        }
        out
    };
    let (batch, n_out) = (free.states.ncols(), response.response.ncols());
    let states = node_major(&free.states);
    let responses = node_major(&response.response);
    let weights: Vec<f64> = weights.iter().flatten().copied().collect();
    problem
        .edges()
        .par_iter()
        .with_min_len(1024)
        .map(|&[i, j]| {
            let (si, sj) = (
                &states[i * batch..(i + 1) * batch],
                &states[j * batch..(j + 1) * batch],
            );
            let (ri, rj) = (
                &responses[i * n_out..(i + 1) * n_out],
                &responses[j * n_out..(j + 1) * n_out],
            );
            (0..batch)
                .map(|b| {
                    let w = &weights[b * n_out..(b + 1) * n_out];
                    let shift: f64 = ri
                        .iter()
                        .zip(rj)
                        .zip(w)
                        .map(|((a, b), w)| (a - b) * w)
                        .sum();
                    term(si[b] - sj[b], shift)
                })
                .sum()
        })
        .collect()
}

/// The clamped states of a batch (`n x B`), from the free factorisation.
/// Exposed for tests and analysis; training uses only the drops.
pub fn clamped_states(
    problem: &TrainingProblem,
    factor: &Factorization,
    batch: &[usize],
    nudge: f64,
) -> Result<faer::Mat<f64>, LearningError> {
    let free = problem.free_states(factor, batch)?;
    let response = problem.output_response(factor)?;
    let gradients = problem.output_gradients(&free.outputs, batch);
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

/// The exact gradient `dC/dk_e = -(1/B) sum_mu dV_e^mu dlambda_e^mu` of the
/// batch cost, with adjoints `lambda_mu = H^{-1} P^T grad_y c(y_mu) = G_O grad_y c`.
pub fn cost_gradient(
    problem: &TrainingProblem,
    factor: &Factorization,
    batch: &[usize],
) -> Result<Vec<f64>, LearningError> {
    let free = problem.free_states(factor, batch)?;
    let response = problem.output_response(factor)?;
    Ok(gradient_from(problem, &free, &response, batch))
}

/// The batch cost gradient from already computed free states and output
/// response (no solve).
pub fn gradient_from(
    problem: &TrainingProblem,
    free: &FreeStates,
    response: &OutputResponse,
    batch: &[usize],
) -> Vec<f64> {
    // Adjoint drops dlambda_e = (drops of G_O) grad_y c per sample.
    let gradients = problem.output_gradients(&free.outputs, batch);
    let count = batch.len() as f64;
    accumulate_over_batch(
        problem,
        free,
        response,
        &gradients,
        |free_drop, adjoint_drop| -free_drop * adjoint_drop / count,
    )
}
