//! Solving with a kept factor (docs/theory.md section 1; issue 29 item 2):
//! between training iterations every conductance moves a little, and the
//! factor of the previous `L_FF` preconditions conjugate gradients on the
//! new one well enough that a factorisation often does not pay.
//!
//! `L = sum_e k_e q_e q_e^T` and `L_ref = sum_e k_ref,e q_e q_e^T` are sums
//! of the same rank-one edge terms, so the pencil's eigenvalues (those of
//! `L_ref^{-1} L`) are known before any solve, edge by edge:
//! - all lie in `[r_min, r_max]` for the ratios `r_e = k_e / k_ref,e`;
//! - split the edges into inliers, whose ratios lie in `[lo, hi]`, and
//!   `p+` outliers above and `p-` below: replacing the outliers' `k_e` by
//!   `k_ref,e` leaves a pencil inside `[lo, hi]`, and putting them back adds
//!   a positive semidefinite term of rank `p+` and subtracts one of rank
//!   `p-`, so at most `p+` eigenvalues lie above `hi` and `p-` below `lo`
//!   (Weyl's interlacing).
//!
//! Conjugate gradients then reduce the error's energy norm by
//! `2 A q^s` after `p+ + p- + s` steps, with `q = (sqrt(kappa) - 1) /
//! (sqrt(kappa) + 1)`, `kappa = hi / lo`, and `A = (hi / r_min - 1)^{p-}`
//! (the polynomial vanishing at every outlier is at most that large on
//! `[lo, hi]`). [`kept_factor_bound`] takes the best split. A training
//! update moves a few edges a lot and most very little (Coupled Learning on
//! a jammed 512-node network: the largest `|r_e - 1|` of one iteration is
//! often 10^3 times the 99th percentile), so the split matters: the bound
//! with every edge an inlier asks up to ten times more steps.
//!
//! The solves stay certified as every other: the preconditioned solves
//! replace the factor's in iterative refinement ([`super::refine`]), whose
//! residuals are computed with the current conductances in double-double.

use faer::{MatMut, MatRef};

use super::factorization::Factorization;
use super::refine;

/// The largest number of conjugate gradient steps one preconditioned solve
/// takes: beyond it, refinement's next correction continues the work (and
/// [`kept_factor_bound`] has long said to refactorise).
pub const MAX_CONJUGATE_GRADIENT_STEPS: usize = 60;

/// The relative reduction to which the corrections of refinement are solved
/// after the first solve: their size estimates the error of the iterate,
/// which this accuracy keeps within 0.1 % of itself.
const CORRECTION_TOLERANCE: f64 = 1e-3;

/// What the conductance ratios `r_e = k_e / k_ref,e` say of conjugate
/// gradients on `L(k)` preconditioned by the factor of `L(k_ref)` before
/// solving (module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeptFactorBound {
    /// Steps to reduce the error's energy norm by the requested factor, at
    /// most: `p+ + p- + s` for the best split.
    pub steps: f64,
    /// `[r_min, r_max]`: every eigenvalue of the pencil lies inside, so
    /// `r_max / r_min` bounds its condition number.
    pub ratio_range: [f64; 2],
    /// The inliers' ratio range `[lo, hi]` of the best split.
    pub inliers: [f64; 2],
    /// The outliers of the best split: ratios above `hi`, below `lo`.
    pub outliers: [usize; 2],
}

/// Bins of `|r_e - 1|` by binary exponent: `[2^-64, 2^-63)` (and below,
/// zero included) up to `[2^15, 2^16)` (and above).
const LOWEST_EXPONENT: i32 = -64;
const BINS: usize = 80;

/// The bound of conjugate gradients on `L(conductance)` preconditioned by
/// the factor of `L(factored)`, to reduce the error's energy norm by
/// `tolerance` (module docs). A first pass finds `[r_min, r_max]`; when
/// some ratio deviates from 1 by more than [`STATIONARY_DEVIATION`], a
/// second bins the ratios by the binary exponent of `|r_e - 1|` and tries
/// every bin edge `2^b` as the split, the inliers' interval being
/// `[max(r_min, 1 - 2^b), min(r_max, 1 + 2^b)]` (below, where solves
/// refine with the factor alone, the bound is the unsplit one). Both
/// vectors must be positive and of one length.
pub fn kept_factor_bound(conductance: &[f64], factored: &[f64], tolerance: f64) -> KeptFactorBound {
    debug_assert_eq!(conductance.len(), factored.len());
    let (r_min, r_max) =
        conductance
            .iter()
            .zip(factored)
            .fold((f64::INFINITY, 0.0f64), |(lo, hi), (&k, &k_ref)| {
                let r = k / k_ref;
                (lo.min(r), hi.max(r))
            });
    let target = (tolerance / 2.0).ln();
    // Steps for `outliers` (above, below) and inliers in `[lo, hi]`.
    let steps = |outliers: [usize; 2], lo: f64, hi: f64| {
        // Amplification of the polynomial that vanishes at the outliers
        // below `lo`, on `[lo, hi]` (logarithm).
        let amplification = outliers[1] as f64 * (hi / r_min - 1.0).max(1.0).ln();
        let kappa = hi / lo;
        let q = (kappa.sqrt() - 1.0) / (kappa.sqrt() + 1.0);
        // With every inlier ratio equal, one step settles them.
        let chebyshev = if q > 0.0 {
            ((target - amplification) / q.ln()).max(1.0)
        } else {
            1.0
        };
        (outliers[0] + outliers[1]) as f64 + chebyshev
    };
    let mut best = KeptFactorBound {
        steps: if conductance.is_empty() {
            0.0
        } else {
            steps([0, 0], r_min, r_max)
        },
        ratio_range: [r_min, r_max],
        inliers: [r_min, r_max],
        outliers: [0, 0],
    };
    if (1.0 - r_min).max(r_max - 1.0) <= STATIONARY_DEVIATION {
        return best;
    }
    // Ratios above and below 1 per bin of floor(log2 |r_e - 1|), read
    // from the exponent bits (subnormals and zero land in the lowest bin).
    let mut above = [0usize; BINS];
    let mut below = [0usize; BINS];
    for (&k, &k_ref) in conductance.iter().zip(factored) {
        let r = k / k_ref;
        let exponent = (((r - 1.0).abs().to_bits() >> 52) & 0x7ff) as i32 - 1023;
        let bin = (exponent - LOWEST_EXPONENT).clamp(0, BINS as i32 - 1) as usize;
        if r > 1.0 {
            above[bin] += 1;
        } else if r < 1.0 {
            below[bin] += 1;
        }
    }
    // Inliers: the bins up to `top`, whose deviations are below
    // `2^(top + 1 + LOWEST_EXPONENT)`; outliers: those above.
    let mut outliers = [above.iter().sum::<usize>(), below.iter().sum::<usize>()];
    for top in 0..BINS - 1 {
        outliers[0] -= above[top];
        outliers[1] -= below[top];
        let edge = 2f64.powi(top as i32 + 1 + LOWEST_EXPONENT);
        let (lo, hi) = (r_min.max(1.0 - edge), r_max.min(1.0 + edge));
        if lo <= 0.0 {
            break;
        }
        let candidate = steps(outliers, lo, hi);
        if candidate < best.steps {
            best = KeptFactorBound {
                steps: candidate,
                ratio_range: [r_min, r_max],
                inliers: [lo, hi],
                outliers,
            };
        }
    }
    best
}

/// The costs [`Factorization::update`] weighs, in nanoseconds per stored
/// entry of the factor (supernode padding included) as this machine runs
/// them (`cargo run --release --example kept_factor`, Delaunay networks of
/// 500 to 10^6 nodes, docs/benchmarks.md): a numeric factorisation took 10
/// to 25 (12 at 10^6 nodes); a sequential solve pair of `m` drives about
/// `1.5 + 0.5 m` (0.8 + 0.5 m while the factor fits in cache, 2.3 + 0.4 m
/// at 10^6 nodes, where the solves stream it from memory). Per stored
/// entry of `L_FF`'s triangle and drive, a product with it costs about 2.
/// Counted per entry, the choice depends on the conductances and the
/// structure only, never on a clock, so a run repeats it exactly; the
/// solves are counted as if sequential, while the drives' blocks run on
/// every core, which makes keeping the factor cheaper than counted.
pub const FACTORIZATION_NS_PER_ENTRY: f64 = 12.0;
/// See [`FACTORIZATION_NS_PER_ENTRY`]: a solve pair's cost per stored
/// factor entry, whatever the drives.
pub const SOLVE_NS_PER_ENTRY: f64 = 1.5;
/// See [`FACTORIZATION_NS_PER_ENTRY`]: a solve pair's cost per stored
/// factor entry and drive.
pub const SOLVE_NS_PER_ENTRY_AND_DRIVE: f64 = 0.5;
/// See [`FACTORIZATION_NS_PER_ENTRY`]: a product with `L_FF`'s stored
/// triangle, per entry and drive.
pub const PRODUCT_NS_PER_ENTRY_AND_DRIVE: f64 = 2.0;
/// See [`FACTORIZATION_NS_PER_ENTRY`]: a refinement's residual in
/// double-double, per edge and drive.
pub const RESIDUAL_NS_PER_EDGE_AND_DRIVE: f64 = 3.0;

impl Factorization {
    /// Whether conjugate gradients preconditioned by the factor held are
    /// predicted to solve `drives` right-hand sides at `conductance` for
    /// less than a factorisation. Both paths start with one solve and end
    /// with a certifying correction of one solve (the kept factor's when
    /// the bound puts every eigenvalue within [`CORRECTION_TOLERANCE`] of
    /// 1, else one more conjugate gradient step); in between, the kept
    /// factor's path takes [`kept_factor_bound`]`.steps` steps of one
    /// product with `L_FF` and one solve each, the fresh one a
    /// factorisation. Costs from [`FACTORIZATION_NS_PER_ENTRY`] and its
    /// siblings.
    pub(super) fn keeping_pays(&self, bound: &KeptFactorBound, drives: usize) -> bool {
        let s = &*self.solver.structure;
        let Some(symbolic) = &s.symbolic else {
            return false;
        };
        let (stored, lower, edges, m) = (
            symbolic.len_val() as f64,
            s.pattern.compute_nnz() as f64,
            s.edges.len() as f64,
            drives as f64,
        );
        let solve = stored * (SOLVE_NS_PER_ENTRY + SOLVE_NS_PER_ENTRY_AND_DRIVE * m);
        let extra = match refinement_steps(bound) {
            // One more solve and residual per refinement step than the one
            // that certifies a fresh factor's solve.
            Some(steps) => {
                (steps - 1) as f64 * (solve + edges * RESIDUAL_NS_PER_EDGE_AND_DRIVE * m)
            }
            None if bound.steps <= MAX_CONJUGATE_GRADIENT_STEPS as f64 => {
                let step = solve + lower * PRODUCT_NS_PER_ENTRY_AND_DRIVE * m;
                let certifying = if settles_in_one_solve(bound) {
                    0.0
                } else {
                    1.0
                };
                (bound.steps + certifying) * step * CONJUGATE_GRADIENT_MARGIN
            }
            None => return false,
        };
        extra < stored * FACTORIZATION_NS_PER_ENTRY
    }

    /// Solves `L_FF Y = R` in place for the current conductances: with the
    /// factor when it holds them ([`Self::solve_free_in_place`]), otherwise
    /// by conjugate gradients preconditioned by the kept factor, until the
    /// energy norm of every column's error is reduced by `tolerance` (or
    /// [`MAX_CONJUGATE_GRADIENT_STEPS`]). `first` says whether this is the
    /// first solve of a refinement (reduced to `tolerance`) or one of its
    /// corrections (reduced to [`CORRECTION_TOLERANCE`], enough for the
    /// error estimate the correction is).
    pub(super) fn solve_current(&self, mut rhs: MatMut<'_, f64>, first: Option<f64>) {
        if self.current_values.is_empty() {
            self.solve_free_in_place(rhs);
            return;
        }
        let tolerance = first.unwrap_or(CORRECTION_TOLERANCE);
        let stationary = self
            .kept
            .as_ref()
            .is_some_and(|b| refinement_steps(b).is_some());
        if stationary || (first.is_none() && self.kept.as_ref().is_some_and(settles_in_one_solve)) {
            // The factor alone is within the correction's tolerance.
            self.solve_free_in_place(rhs);
            return;
        }
        let (n, m) = (rhs.nrows(), rhs.ncols());
        let mut buffer = self.work.take(5 * n * m, 0.0);
        let (solution, rest) = buffer.split_at_mut(n * m);
        let (residual, rest) = rest.split_at_mut(n * m);
        let (z, rest) = rest.split_at_mut(n * m);
        let (p, lp) = rest.split_at_mut(n * m);
        MatMut::from_column_major_slice_mut(residual, n, m).copy_from(rhs.as_ref());
        z.copy_from_slice(residual);
        self.solve_free_in_place(MatMut::from_column_major_slice_mut(z, n, m));
        p.copy_from_slice(z);
        let column = |c: usize| c * n..(c + 1) * n;
        let mut rz: Vec<f64> = (0..m)
            .map(|c| dot(&residual[column(c)], &z[column(c)]))
            .collect();
        let stop: Vec<f64> = rz.iter().map(|&v| v * tolerance * tolerance).collect();
        let mut active: Vec<bool> = rz.iter().map(|&v| v > 0.0).collect();
        for _ in 0..MAX_CONJUGATE_GRADIENT_STEPS {
            if !active.iter().any(|&a| a) {
                break;
            }
            self.current_product(p, lp);
            for c in 0..m {
                let range = column(c);
                let curvature = dot(&p[range.clone()], &lp[range.clone()]);
                if active[c] && curvature > 0.0 {
                    let alpha = rz[c] / curvature;
                    for i in range {
                        solution[i] += alpha * p[i];
                        residual[i] -= alpha * lp[i];
                    }
                } else {
                    // Done: a zero residual, which the block's solve
                    // leaves zero.
                    active[c] = false;
                    residual[range].fill(0.0);
                }
            }
            z.copy_from_slice(residual);
            self.solve_free_in_place(MatMut::from_column_major_slice_mut(z, n, m));
            for c in 0..m {
                if !active[c] {
                    continue;
                }
                let range = column(c);
                let next = dot(&residual[range.clone()], &z[range.clone()]);
                if next <= stop[c] {
                    active[c] = false;
                    continue;
                }
                let beta = next / rz[c];
                rz[c] = next;
                for i in range {
                    p[i] = z[i] + beta * p[i];
                }
            }
        }
        rhs.copy_from(MatRef::from_column_major_slice(solution, n, m));
        self.work.give(buffer);
    }

    /// `Y = L_FF X` for the current conductances, in `f64`, from the stored
    /// triangle of `L_FF` (either one: the product is symmetric); `x` and
    /// `y` hold their columns one after another.
    fn current_product(&self, x: &[f64], y: &mut [f64]) {
        let s = &*self.solver.structure;
        let pattern = s.pattern.as_ref();
        let (col_ptr, row_idx) = (pattern.col_ptr(), pattern.row_idx());
        let (n, values) = (pattern.ncols(), &self.current_values);
        y.fill(0.0);
        for (x, y) in x.chunks_exact(n).zip(y.chunks_exact_mut(n)) {
            for j in 0..n {
                let xj = x[j];
                let mut yj = 0.0;
                for slot in col_ptr[j]..col_ptr[j + 1] {
                    let (i, v) = (row_idx[slot], values[slot]);
                    y[i] += v * xj;
                    if i != j {
                        yj += v * x[i];
                    }
                }
                y[j] += yj;
            }
        }
    }
}

/// How much more conjugate gradients are counted to cost than the model's
/// solves and products (their vector updates and inner products, and the
/// model's error). Measured with `imprint bench train --network delaunay
/// --batches 1 --iterations 30` against the stationary rule before it
/// (docs/benchmarks.md): at 1.0, 10^5 nodes at rate 0.01 take 44.5 against
/// 62.6 ms per iteration, and 2 x 10^4 nodes at rate 1e-4 8.3 against 5.7
/// (median; 7.8 against 6.6 mean); at 2.0 both are as before (68.9 and
/// 5.6 ms). Kept at 1.0, the model as measured.
const CONJUGATE_GRADIENT_MARGIN: f64 = 1.0;

/// Whether one solve with the kept factor is within
/// [`CORRECTION_TOLERANCE`] of the solution: every eigenvalue of the
/// pencil within it of 1, so that `|I - L_ref^{-1} L|` is too, in the
/// energy norm.
fn settles_in_one_solve(bound: &KeptFactorBound) -> bool {
    let [low, high] = bound.ratio_range;
    1.0 - low <= CORRECTION_TOLERANCE && high - 1.0 <= CORRECTION_TOLERANCE
}

/// The deviation `max_e |r_e - 1|` up to which solves with a kept factor
/// are refined as with a fresh one, each refinement step solving with the
/// factor alone (contracting the error by the deviation): at most two
/// steps to [`refine::CERTIFIED`], against conjugate gradients' one solve
/// and one product with `L_FF` per step and a certifying solve.
const STATIONARY_DEVIATION: f64 = 1e-6;

/// The refinement steps a solve with the kept factor alone takes to the
/// certified tolerance, the certifying one included, when every ratio is
/// within [`STATIONARY_DEVIATION`] of 1 (none otherwise: then conjugate
/// gradients).
fn refinement_steps(bound: &KeptFactorBound) -> Option<usize> {
    let [low, high] = bound.ratio_range;
    let deviation = (1.0 - low).max(high - 1.0);
    if deviation > STATIONARY_DEVIATION {
        return None;
    }
    // Each step multiplies the error by `deviation`, starting from it.
    let mut steps = 1;
    let mut error = deviation;
    while error > refine::CERTIFIED {
        error *= deviation;
        steps += 1;
    }
    Some(steps)
}

/// `a . b`.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
