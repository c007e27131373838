//! The response of a batch to one factorisation (docs/theory.md sections 3-4):
//! the free states of the batch's samples and the output response
//! `G_O = H^{-1} P^T`. Coupled Learning, the adjoint gradient and the cost
//! Jacobian all start from it, so each iteration or analysis solves once.

use faer::Mat;
use rayon::prelude::*;

use super::{FreeStates, LearningError, OutputResponse, TaskCircuit};
use crate::physics::{sequential_product, Factorization};

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
        let (free, response) = self.states_and_response(factor, samples)?;
        Ok(BatchResponse {
            samples: samples.to_vec(),
            free,
            response,
        })
    }
}

impl BatchResponse {
    /// `grad_y c(y_mu)` of every sample of the batch.
    pub fn output_gradients(&self, problem: &TaskCircuit) -> Vec<Vec<f64>> {
        problem.output_gradients(&self.free.outputs, &self.samples)
    }
}

/// Per edge, the batch sums `sum_b dV_e^b s_e^b` and (when `squares`)
/// `sum_b (s_e^b)^2`, where `dV_e^b` is sample `b`'s free drop and `s_e^b =
/// (R w_b)_e` the drop of `G_O w_b` for a weight vector `w_b` per sample
/// (column `b` of `w`, `n_out x B`; `R` holds the drops of `G_O`). Both rules' updates are these two sums.
///
/// With the free drops superposed, `dV_e^b = sum_k d_ek c_kb` (`d` the
/// drops of the basis, `c` the coefficients), the sums are the small
/// quadratic forms `d_e^T (c w^T) r_e` and `r_e^T (w w^T) r_e`: after two
/// products of the batch's coefficients (`m x B` and `n_out x B`) each edge
/// costs `m n_out + n_out^2` operations, whatever the batch size
/// (docs/theory.md section 1, "Superposition").
pub(crate) fn edge_moments(
    problem: &TaskCircuit,
    batch: &BatchResponse,
    w: faer::MatRef<'_, f64>,
    squares: bool,
) -> EdgeMoments {
    let (free, response) = (&batch.free, &batch.response.response);
    let (m, n_out) = (free.basis.ncols(), response.ncols());
    // mixed = c w^T (m x n_out): the free-shift moments per basis column.
    let mixed = match &free.coefficients {
        Some(c) => sequential_product(c.as_ref(), w.transpose()),
        None => w.transpose().to_owned(),
    };
    let second = sequential_product(w, w.transpose());
    // Per node, the basis then G_O in one contiguous row: an edge reads two
    // rows (two cache lines on large networks, whose edges join nodes far
    // apart in memory).
    let width = m + n_out;
    let rows = node_major(free.basis.as_ref(), response.as_ref());
    let (mixed, second) = (column_major(&mixed), column_major(&second));
    let edges = match problem.edges() {
        crate::physics::Incidence::Pairs(pairs) => pairs,
        stencils => {
            return stencil_moments(stencils, &rows, [m, n_out], &mixed, &second, squares);
        }
    };
    let moments = |&[i, j]: &[usize; 2]| {
        let (row_i, row_j) = (
            &rows[i * width..(i + 1) * width],
            &rows[j * width..(j + 1) * width],
        );
        let (bi, ri) = row_i.split_at(m);
        let (bj, rj) = row_j.split_at(m);
        let (mut cross, mut square) = (0.0, 0.0);
        for o in 0..n_out {
            let r = ri[o] - rj[o];
            let column = &mixed[o * m..(o + 1) * m];
            cross += drops_dot(bi, bj, column) * r;
            if squares {
                square += drops_dot(ri, rj, &second[o * n_out..(o + 1) * n_out]) * r;
            }
        }
        (cross, square)
    };
    // Threads pay off only on large networks; each edge is summed in a
    // fixed order either way.
    let (cross, square) = if edges.len() >= PARALLEL_EDGES {
        edges
            .par_iter()
            .with_min_len(PARALLEL_EDGES / 2)
            .map(moments)
            .unzip()
    } else {
        edges.iter().map(moments).unzip()
    };
    EdgeMoments { cross, square }
}

/// [`edge_moments`] for edges of any stencil (springs): each edge's drops
/// of the basis and of `G_O` formed from its rows (`rows` holds, per degree
/// of freedom, the `m` basis columns then the `n_out` response columns).
fn stencil_moments(
    edges: &crate::physics::Incidence,
    rows: &[f64],
    [m, n_out]: [usize; 2],
    mixed: &[f64],
    second: &[f64],
    squares: bool,
) -> EdgeMoments {
    let width = m + n_out;
    let moments = |e: usize| {
        let q = edges.stencil(e);
        // On the stack for the usual few columns: no allocation per edge.
        let (mut stack, mut heap) = ([0.0f64; 32], Vec::new());
        let drops: &mut [f64] = if width <= stack.len() {
            &mut stack[..width]
        } else {
            heap.resize(width, 0.0);
            &mut heap
        };
        for &(dof, value) in q.entries() {
            let row = &rows[dof * width..(dof + 1) * width];
            drops.iter_mut().zip(row).for_each(|(d, r)| *d += value * r);
        }
        let (basis, response) = drops.split_at(m);
        let (mut cross, mut square) = (0.0, 0.0);
        for (o, &r) in response.iter().enumerate() {
            let column = &mixed[o * m..(o + 1) * m];
            cross += dot(basis, column) * r;
            if squares {
                square += dot(response, &second[o * n_out..(o + 1) * n_out]) * r;
            }
        }
        (cross, square)
    };
    let (cross, square) = if edges.len() >= PARALLEL_EDGES {
        (0..edges.len())
            .into_par_iter()
            .with_min_len(PARALLEL_EDGES / 2)
            .map(moments)
            .unzip()
    } else {
        (0..edges.len()).map(moments).unzip()
    };
    EdgeMoments { cross, square }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

/// `sum_k (a_k - b_k) w_k`: the drops over an edge of the columns of two
/// node rows `a` and `b`, weighted by `w`.
#[inline]
fn drops_dot(a: &[f64], b: &[f64], w: &[f64]) -> f64 {
    a.iter().zip(b).zip(w).map(|((a, b), w)| (a - b) * w).sum()
}

/// Edges from which [`edge_moments`] spreads over threads.
const PARALLEL_EDGES: usize = 8192;

/// The two batch sums per edge of [`edge_moments`].
pub(crate) struct EdgeMoments {
    /// `sum_b dV_e^b s_e^b`.
    pub cross: Vec<f64>,
    /// `sum_b (s_e^b)^2` (zeros unless asked for).
    pub square: Vec<f64>,
}

/// The columns of `left` then those of `right` (same rows) laid out
/// node-major, one contiguous row per node. Transposed in blocks of rows, so
/// that reads and writes both stay in cache.
fn node_major(left: faer::MatRef<'_, f64>, right: faer::MatRef<'_, f64>) -> Vec<f64> {
    const ROWS: usize = 256;
    let rows = left.nrows();
    let width = left.ncols() + right.ncols();
    let mut out = vec![0.0; rows * width];
    for start in (0..rows).step_by(ROWS) {
        let end = (start + ROWS).min(rows);
        for c in 0..width {
            let column = if c < left.ncols() {
                left.col(c)
            } else {
                right.col(c - left.ncols())
            };
            for r in start..end {
                out[r * width + c] = column[r];
            }
        }
    }
    out
}

fn column_major(m: &Mat<f64>) -> Vec<f64> {
    (0..m.ncols())
        .flat_map(|c| (0..m.nrows()).map(move |r| m[(r, c)]))
        .collect()
}
