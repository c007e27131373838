//! Susceptibility vectors `s_e = H^{-1} bb_e` and their norms `chi_e = |s_e|`
//! (docs/theory.md section 2, eq. 14 and 18), three ways:
//!
//! - [`susceptibility_vectors`]: all of them, dense `n x E` (small networks);
//! - [`susceptibility_exact`]: the exact norms by blocked solves, storing
//!   one block at a time (any size, `E` solves);
//! - [`susceptibility_sketch`]: a Johnson-Lindenstrauss estimate from `k`
//!   solves: with `Z` a `k x n` matrix of independent `N(0, 1/k)` entries,
//!   `|Z s_e|^2` estimates `chi_e^2` without bias, with relative spread
//!   `sqrt(2/k)`; since `H` is symmetric, `Z s_e = Y^T bb_e` with
//!   `Y = H^{-1} Z^T`, so each edge costs one difference of two rows of `Y`.

use faer::Mat;
use rayon::prelude::*;

use crate::physics::refine::INSIDE_ESTIMATES;
use crate::physics::{Factorization, Incidence, PhysicsError};
use crate::random::Rng;

/// Right-hand sides per block of solves on small networks.
const BLOCK: usize = 128;

/// Bytes one block of solutions may take: blocks narrow on large networks
/// (at 10^6 nodes 128 columns would take 1 GB, twice over with the drives).
const BLOCK_BYTES: usize = 256 << 20;

/// Right-hand sides per block for `n` unknowns: [`BLOCK`], or fewer (at
/// least 8) where that many would pass [`BLOCK_BYTES`].
fn block_width(n: usize) -> usize {
    (BLOCK_BYTES / (8 * n.max(1))).clamp(8, BLOCK)
}

/// The drive `bb_e` (`q_e` for springs) of the edges `block` of `edges`,
/// as columns.
fn edge_drives(dimension: usize, edges: &Incidence, block: std::ops::Range<usize>) -> Mat<f64> {
    let mut drives = Mat::zeros(dimension, block.len());
    for (column, e) in block.enumerate() {
        for &(dof, q) in edges.stencil(e).entries() {
            drives[(dof, column)] = q;
        }
    }
    drives
}

/// All susceptibility vectors `s_e`, one column per edge (`n x E`, dense).
pub fn susceptibility_vectors(
    factor: &Factorization,
    edges: &Incidence,
) -> Result<Mat<f64>, PhysicsError> {
    let n = factor.solver().dimension();
    factor.solve_states(edge_drives(n, edges, 0..edges.len()).as_ref())
}

/// Exact `chi_e = |s_e|` for every edge, by blocks of solves.
pub fn susceptibility_exact(
    factor: &Factorization,
    edges: &Incidence,
) -> Result<Vec<f64>, PhysicsError> {
    let n = factor.solver().dimension();
    let width = block_width(n);
    let blocks: Result<Vec<Vec<f64>>, PhysicsError> = (0..edges.len().div_ceil(width))
        .into_par_iter()
        .map(|b| {
            let block = b * width..((b + 1) * width).min(edges.len());
            let states = factor.solve_states(edge_drives(n, edges, block.clone()).as_ref())?;
            Ok((0..block.len())
                .map(|c| states.col(c).iter().map(|x| x * x).sum::<f64>().sqrt())
                .collect())
        })
        .collect();
    factor.release_workspace();
    Ok(blocks?.concat())
}

/// A sketched susceptibility with its error bar.
#[derive(Debug, Clone, PartialEq)]
pub struct SketchedSusceptibility {
    /// Estimated `chi_e`.
    pub chi: Vec<f64>,
    /// Relative standard error of each `chi_e` estimate, `1 / sqrt(2k)`
    /// (half the relative spread `sqrt(2/k)` of `chi_e^2`).
    pub relative_error: f64,
    /// Number of random projections `k`.
    pub projections: usize,
}

/// Projections needed for a relative standard error `error` on `chi_e`.
pub fn projections_for(error: f64) -> usize {
    (1.0 / (2.0 * error * error)).ceil() as usize
}

/// Estimates `chi_e` for every edge from `projections` solves (seeded).
pub fn susceptibility_sketch(
    factor: &Factorization,
    edges: &Incidence,
    projections: usize,
    seed: u64,
) -> Result<SketchedSusceptibility, PhysicsError> {
    let n = factor.solver().dimension();
    let k = projections.max(1);
    let scale = 1.0 / (k as f64).sqrt();
    let mut squared = vec![0.0; edges.len()];
    // Blocks of projections keep memory at O(n * block) for any k.
    let block = block_width(n);
    for start in (0..k).step_by(block) {
        let width = block.min(k - start);
        let mut z = Mat::zeros(n, width);
        for c in 0..width {
            // One stream per projection: results do not depend on the blocking.
            let mut rng = Rng::derive(seed, (start + c) as u64);
            for r in 0..n {
                z[(r, c)] = scale * rng.normal();
            }
        }
        // Refined to well within the sketch's own error (it is reported).
        let (y, _) = factor.solve_states_refined_to(z.as_ref(), INSIDE_ESTIMATES)?;
        squared.par_iter_mut().enumerate().for_each(|(e, s)| {
            *s += (0..width)
                .map(|c| edges.drop_in(e, |dof| y[(dof, c)]).powi(2))
                .sum::<f64>();
        });
    }
    // The blocks' work space is not needed by the single solves that follow.
    factor.release_workspace();
    Ok(SketchedSusceptibility {
        chi: squared.into_iter().map(f64::sqrt).collect(),
        relative_error: 1.0 / (2.0 * k as f64).sqrt(),
        projections: k,
    })
}
