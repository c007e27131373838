//! The response of a batch to one factorisation (docs/theory.md sections 3-4):
//! the free states of the batch's samples and the output response
//! `G_O = H^{-1} P^T`. Coupled Learning, the adjoint gradient and the cost
//! Jacobian all start from it, so each iteration or analysis solves once.

use faer::Mat;
use rayon::prelude::*;

use super::{FreeStates, LearningError, OutputResponse, TaskCircuit};
use crate::physics::Factorization;

/// Free states of a batch and the output response of one factorisation.
#[derive(Debug, Clone)]
pub struct BatchResponse {
    /// The samples, in batch order.
    pub samples: Vec<usize>,
    /// Their free states and outputs.
    pub free: FreeStates,
    /// `G_O` and `P G_O`.
    pub response: OutputResponse,
}

impl TaskCircuit {
    /// Free states of `samples` and the output response, from `factor`.
    pub fn batch_response(
        &self,
        factor: &Factorization,
        samples: &[usize],
    ) -> Result<BatchResponse, LearningError> {
        Ok(BatchResponse {
            samples: samples.to_vec(),
            free: self.free_states(factor, samples)?,
            response: self.output_response(factor)?,
        })
    }
}

impl BatchResponse {
    /// `grad_y c(y_mu)` of every sample of the batch.
    pub fn output_gradients(&self, problem: &TaskCircuit) -> Vec<Vec<f64>> {
        problem.output_gradients(&self.free.outputs, &self.samples)
    }
}

/// `sum_b term(dV_e^b, (D w_b)_e)` for every edge, where `D` holds the drops of
/// the output response `G_O` and `w_b` is a weight vector per sample.
///
/// States are first laid out node-major (one contiguous row of samples per
/// node), so each edge reads two short rows instead of `2 B` scattered
/// values; edges are spread over threads, each edge summed in a fixed order.
pub(crate) fn accumulate_over_batch(
    problem: &TaskCircuit,
    batch: &BatchResponse,
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
    let (free, response) = (&batch.free, &batch.response);
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
