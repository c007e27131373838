//! The bounded damped step of the second-order trainer (docs/theory.md
//! section 8): every edge's row of `J~` once per iteration, the active set
//! at the bounds, and the step solved with the bounds in the model (an edge
//! the step would carry past a bound is set on it and the others solved
//! again). Sizes are `p = n_out n_h`; sums over edges run in fixed blocks.

use faer::linalg::solvers::Solve;
use faer::Mat;
use rayon::prelude::*;

use super::transfer::Transfer;
use super::transfer_cost::TransferCost;
use crate::physics::{sequential_product, Incidence};

/// Edges per block of the sums over edges (fixed, so that the sums are
/// the same on any number of threads).
const EDGE_BLOCK: usize = 2048;

/// Every edge's row `k_e vec(a_e d_e^T)` of `-J~` (row-major, `p` each),
/// laid out contiguously, edge after edge.
pub(super) struct EdgeRows {
    p: usize,
    values: Vec<f64>,
}

impl EdgeRows {
    pub(super) fn new(transfer: &Transfer, edges: &Incidence, conductance: &[f64]) -> Self {
        let (n_out, n_h) = (transfer.output_count(), transfer.held_count());
        let mut values = Vec::with_capacity(edges.len() * n_out * n_h);
        for (e, &k) in conductance.iter().enumerate() {
            let (a, d) = transfer.edge_factors(edges, e);
            for a in a {
                let a = k * a;
                for d in &d {
                    values.push(a * d);
                }
            }
        }
        Self {
            p: n_out * n_h,
            values,
        }
    }

    /// Edge `e`'s row.
    pub(super) fn row(&self, e: usize) -> &[f64] {
        &self.values[e * self.p..(e + 1) * self.p]
    }

    fn len(&self) -> usize {
        self.values.len() / self.p.max(1)
    }
}

/// The edges the bounds let move: all but those at `k_min` (`k_max`) whose
/// gradient `dC/d ln k_e = -(row_e . gamma)` pushes them further down (up).
pub(super) fn active_set(
    rows: &EdgeRows,
    gamma: &[f64],
    conductance: &[f64],
    [k_min, k_max]: [f64; 2],
) -> Vec<bool> {
    conductance
        .iter()
        .enumerate()
        .map(|(e, &k)| {
            let g = -dot(rows.row(e), gamma);
            let held_low = k <= k_min && g > 0.0;
            let held_high = k >= k_max && g < 0.0;
            !(held_low || held_high)
        })
        .collect()
}

/// The largest `|dC/d ln k_e|` over the `active` edges.
pub(super) fn free_gradient(rows: &EdgeRows, gamma: &[f64], active: &[bool]) -> f64 {
    (0..rows.len())
        .filter(|&e| active[e])
        .map(|e| dot(rows.row(e), gamma).abs())
        .fold(0.0, f64::max)
}

/// Passes of [`projected_step`] that may bind further edges to a bound.
const BINDING_PASSES: usize = 8;

/// What a trial does to one edge.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Step {
    /// Held (by a bound, or not free to move).
    Stay,
    /// `ln k` changes by this much.
    Move(f64),
    /// Set to this bound, which the unconstrained step would cross.
    ToBound(f64),
}

/// The damped step on the `active` edges, with the bounds honoured by the
/// model rather than by a clip after it: an edge the step would carry past
/// a bound is set on it, its move enters the model as a fixed change
/// `c_B = J~_B dtheta_B` (the right-hand side becomes `-(gamma + W c_B)`),
/// and the step of the edges still free is solved again, up to
/// [`BINDING_PASSES`] times (what still crosses after that is clipped).
pub(super) fn projected_step(
    objective: &TransferCost,
    rows: &EdgeRows,
    conductance: &[f64],
    active: &[bool],
    [k_min, k_max]: [f64; 2],
    lambda: f64,
) -> Vec<Step> {
    let p = objective.gradient.len();
    let curvature = &objective.curvature;
    let mut free = active.to_vec();
    let mut steps = vec![Step::Stay; conductance.len()];
    let mut bound_change = vec![0.0; p];
    for pass in 0..BINDING_PASSES {
        let gram = edge_gram(rows, &free);
        let mut system = sequential_product(curvature.as_ref(), gram.as_ref());
        for i in 0..p {
            system[(i, i)] += lambda;
        }
        let rhs = Mat::from_fn(p, 1, |i, _| {
            -(objective.gradient[i]
                + (0..p)
                    .map(|j| curvature[(i, j)] * bound_change[j])
                    .sum::<f64>())
        });
        let v = system.full_piv_lu().solve(rhs.as_ref());
        let v: Vec<f64> = (0..p).map(|i| v[(i, 0)]).collect();
        let mut bound_now = false;
        for e in 0..conductance.len() {
            if !free[e] {
                continue;
            }
            let k = conductance[e];
            let row = rows.row(e);
            // dtheta_e = (J~^T v)_e = -(row_e . v).
            let d = -dot(row, &v);
            let bound = if d > 0.0 { k_max } else { k_min };
            let room = (bound / k).ln();
            if d.abs() > room.abs() && pass + 1 < BINDING_PASSES {
                free[e] = false;
                steps[e] = Step::ToBound(bound);
                for (c, r) in bound_change.iter_mut().zip(row) {
                    *c -= r * room;
                }
                bound_now = true;
            } else {
                steps[e] = Step::Move(d);
            }
        }
        if !bound_now {
            break;
        }
    }
    steps
}

pub(super) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

/// `K = J~ J~^T` over the active edges (`p x p`): blocks of edges summed in
/// parallel, the blocks' sums added in order.
pub(super) fn edge_gram(rows: &EdgeRows, active: &[bool]) -> Mat<f64> {
    let (p, edges) = (rows.p, rows.len());
    let block = |b: usize| -> Mat<f64> {
        let range = b * EDGE_BLOCK..((b + 1) * EDGE_BLOCK).min(edges);
        let moving: Vec<usize> = range.filter(|&e| active[e]).collect();
        let w = Mat::from_fn(p, moving.len(), |r, c| rows.row(moving[c])[r]);
        sequential_product(w.as_ref(), w.transpose())
    };
    let blocks = edges.div_ceil(EDGE_BLOCK);
    let partial: Vec<Mat<f64>> = if blocks > 1 {
        (0..blocks).into_par_iter().map(block).collect()
    } else {
        (0..blocks).map(block).collect()
    };
    let mut gram = Mat::zeros(p, p);
    for part in partial {
        gram += part;
    }
    gram
}
