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
//! 10^2 to 10^5 times the median), so the split matters: where conjugate
//! gradients took 3 to 13 steps, the bound with every edge an inlier asked
//! 7 to 39 where it applied at all, the split one 4 to 25
//! (docs/benchmarks.md).
//!
//! The solves stay certified as every other: the preconditioned solves
//! replace the factor's in iterative refinement ([`super::refine`]), whose
//! residuals are computed with the current conductances in double-double.
//! Where the conductances moved by at most `STATIONARY_DEVIATION`, as late
//! in training, refinement starts from the states of the factored
//! conductances (`warm`: unit states kept per driven row) instead of a
//! first solve, and an iteration costs two block solves (two corrections,
//! each after a double-double residual) where it cost three.

use faer::{MatMut, MatRef};

mod bound;
mod warm;

pub use bound::{kept_factor_bound, KeptFactorBound};
use bound::{ratio_range, split_bound};
pub(crate) use warm::UnitStates;
pub use warm::WARM_START_ROWS;

use super::factorization::{assemble, check_conductance, Factorization};
use super::refine;
use super::{PhysicsError, Solver};

/// The largest number of conjugate gradient steps one preconditioned solve
/// takes: beyond it, refinement's next correction continues the work (and
/// [`kept_factor_bound`] has long said to refactorise).
pub const MAX_CONJUGATE_GRADIENT_STEPS: usize = 60;

/// The relative reduction to which the corrections of refinement are solved
/// after the first solve: their size estimates the error of the iterate,
/// which this accuracy keeps within 0.1 % of itself.
const CORRECTION_TOLERANCE: f64 = 1e-3;

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

/// A factor's cycle: the modelled cost (ns, [`FACTORIZATION_NS_PER_ENTRY`]
/// and its siblings) of its factorisation and of the extra work of every
/// iteration that kept it since, those iterations (the factorising one
/// included), and the average cost per iteration of the cycle before. A
/// checkpoint keeps it, so that a resumed run decides as the uninterrupted
/// one ([`Factorization::update`]).
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct FactorCycle {
    /// Modelled nanoseconds of the factorisation and the kept iterations'
    /// extra work.
    pub cost: f64,
    /// Iterations since the factorisation, itself included.
    pub iterations: usize,
    /// `cost / iterations` of the previous factor's cycle (none before the
    /// second factorisation).
    #[serde(default)]
    pub previous_average: Option<f64>,
}

impl FactorCycle {
    /// The cycle a factorisation starts, at modelled cost `factorization`,
    /// after `self`.
    pub(super) fn next(self, factorization: f64) -> Self {
        Self {
            cost: factorization,
            iterations: 1,
            previous_average: (self.iterations > 0).then(|| self.cost / self.iterations as f64),
        }
    }

    /// The extra cost per iteration below which keeping the factor lowers
    /// the long-run cost per iteration: the average of this cycle so far
    /// (extending it while the extra work is below its average lowers it)
    /// and of the previous one (an estimate of what a new cycle would
    /// average, with its cheap first iterations), whichever is less.
    fn threshold(&self) -> f64 {
        let current = self.cost / self.iterations.max(1) as f64;
        self.previous_average.map_or(current, |p| p.min(current))
    }
}

impl Solver {
    /// The modelled cost of a numeric factorisation (ns,
    /// [`FACTORIZATION_NS_PER_ENTRY`]).
    pub(super) fn factorization_cost(&self) -> f64 {
        let symbolic = self.structure.symbolic.as_ref();
        symbolic.map_or(0.0, |s| s.len_val() as f64 * FACTORIZATION_NS_PER_ENTRY)
    }
}

impl Factorization {
    /// Moves to conductances `k` for solves of `drives` right-hand sides
    /// at a time, factorising only when it pays. From the conductance
    /// ratios, before solving, the bound ([`kept_factor_bound`]) predicts
    /// what solving with the factor held costs beyond a fresh factor's
    /// solves (its modelled cost); the factor is kept while that is
    /// below the average cost per iteration of its cycle so far (its
    /// factorisation and the extra work of the iterations that kept it)
    /// and of the cycle before ([`FactorCycle`]): the extra work grows as
    /// the conductances drift, and a new factor starts a cycle whose first
    /// iterations are cheap. A kept
    /// factor's solves run conjugate gradients preconditioned by it, or it
    /// alone when the conductances barely moved, refined with residuals of
    /// the current `L_FF` in double-double to the same tolerance as after a
    /// factorisation. Returns whether it factorised. The choice depends
    /// only on `k`, the factored `k_ref`, the cycle, `drives` and the
    /// structure, never on a clock, so a run that restores `k_ref` and the
    /// cycle ([`Self::refactorize`] at `k_ref`, [`Self::set_factor_cycle`],
    /// then `update`) repeats it exactly.
    pub fn update(&mut self, conductance: &[f64], drives: usize) -> Result<bool, PhysicsError> {
        if conductance.len() == self.factored.len() && self.factored.len() == self.conductance.len()
        {
            let range = ratio_range(conductance, &self.factored);
            let cycle = self.cycle;
            // The split (a second pass over the edges) only where keeping
            // might pay at all: every split takes at least one step.
            let bound = (self.least_keeping_cost(range, drives) < cycle.threshold())
                .then(|| split_bound(conductance, &self.factored, refine::CERTIFIED, range));
            if let Some((extra, bound)) =
                bound.and_then(|b| Some((self.keeping_cost(&b, drives)?, b)))
            {
                if extra < cycle.threshold() {
                    check_conductance(conductance, self.factored.len())?;
                    self.keep_factor_with(conductance, bound);
                    self.cycle = FactorCycle {
                        cost: cycle.cost + extra,
                        iterations: cycle.iterations + 1,
                        ..cycle
                    };
                    return Ok(false);
                }
            }
        }
        self.refactorize(conductance)?;
        Ok(true)
    }

    /// The cycle of the factor held ([`FactorCycle`]).
    pub fn factor_cycle(&self) -> FactorCycle {
        self.cycle
    }

    /// Restores the cycle of a factor recomputed where an interrupted run
    /// had it ([`Self::update`]).
    pub fn set_factor_cycle(&mut self, cycle: FactorCycle) {
        self.cycle = cycle;
    }

    /// Moves to conductances `k` without factorising: solves then run
    /// conjugate gradients preconditioned by the factor held, refined to
    /// the certified tolerance, however far `k` is from what it was
    /// factored for ([`Self::update`] decides when that pays; this is for
    /// measuring and testing it).
    pub fn keep_factor(&mut self, conductance: &[f64]) -> Result<(), PhysicsError> {
        check_conductance(conductance, self.factored.len())?;
        let bound = kept_factor_bound(conductance, &self.factored, refine::CERTIFIED);
        self.keep_factor_with(conductance, bound);
        Ok(())
    }

    /// [`Self::keep_factor`] with the bound of `conductance` (checked)
    /// against the factored conductances.
    fn keep_factor_with(&mut self, conductance: &[f64], bound: KeptFactorBound) {
        self.conductance.clear();
        self.conductance.extend_from_slice(conductance);
        self.current_values.clear();
        self.kept = None;
        if conductance != self.factored.as_slice() {
            let s = &*self.solver.structure;
            self.current_values.resize(s.pattern.compute_nnz(), 0.0);
            assemble(&s.edge_slots, conductance, &mut self.current_values);
            self.kept = Some(bound);
        }
    }

    /// A lower bound on [`Self::keeping_cost`] from the ratio range alone:
    /// zero where the factor alone may refine, else one conjugate gradient
    /// step, and the certifying one unless a correction is one solve.
    fn least_keeping_cost(&self, range: [f64; 2], drives: usize) -> f64 {
        let deviation = deviation(range);
        if deviation <= STATIONARY_DEVIATION {
            return 0.0;
        }
        let steps = if deviation <= CORRECTION_TOLERANCE {
            1.0
        } else {
            2.0
        };
        steps * self.conjugate_gradient_step_cost(drives)
    }

    /// The modelled cost (ns) of one solve pair with the factor on `drives`
    /// right-hand sides.
    fn solve_pair_cost(&self, drives: usize) -> f64 {
        let s = &*self.solver.structure;
        let stored = s.symbolic.as_ref().map_or(0, |s| s.len_val()) as f64;
        stored * (SOLVE_NS_PER_ENTRY + SOLVE_NS_PER_ENTRY_AND_DRIVE * drives as f64)
    }

    /// The modelled cost (ns) of one conjugate gradient step on `drives`
    /// right-hand sides: a solve pair and a product with `L_FF`.
    fn conjugate_gradient_step_cost(&self, drives: usize) -> f64 {
        let lower = self.solver.structure.pattern.compute_nnz() as f64;
        self.solve_pair_cost(drives) + lower * PRODUCT_NS_PER_ENTRY_AND_DRIVE * drives as f64
    }

    /// The modelled extra cost (ns) of solving `drives` right-hand sides
    /// with the factor held instead of a fresh one, or none when conjugate
    /// gradients would take more than [`MAX_CONJUGATE_GRADIENT_STEPS`].
    /// A fresh factor solves once and certifies with one correction (a
    /// double-double residual and a solve). Conjugate gradients also start
    /// with one solve and end with a certifying correction (the kept
    /// factor's when the bound puts every eigenvalue within
    /// [`CORRECTION_TOLERANCE`] of 1, else one more conjugate gradient
    /// step); in between they take [`kept_factor_bound`]`.steps` steps of
    /// one product with `L_FF` and one solve each. Within
    /// [`STATIONARY_DEVIATION`] the solve starts from the states of the
    /// factored conductances, kept per driven row ([`warm`]; their one
    /// solve per row and factor is not counted), and takes one correction
    /// per refinement step: as many solves as a fresh factor when two
    /// steps certify (as late in training), one fewer when one does. Each
    /// step's residual is counted as a double-double one, as springs
    /// compute it; a resistor's first is an `f64` pass over the edges, so
    /// their count is one residual high. The drives of a training
    /// iteration drive few rows; a call whose drives drive more than
    /// [`WARM_START_ROWS`] solves first, one solve more than counted.
    fn keeping_cost(&self, bound: &KeptFactorBound, drives: usize) -> Option<f64> {
        let s = &*self.solver.structure;
        s.symbolic.as_ref()?;
        match refinement_steps(bound) {
            Some(steps) => {
                // Warm-started ([`warm`]): no first solve, `steps`
                // corrections, against a fresh factor's first solve and
                // one correction.
                let residual =
                    s.edges.len() as f64 * RESIDUAL_NS_PER_EDGE_AND_DRIVE * drives as f64;
                Some(
                    (steps as f64 - 2.0) * self.solve_pair_cost(drives)
                        + (steps - 1) as f64 * residual,
                )
            }
            None if bound.steps <= MAX_CONJUGATE_GRADIENT_STEPS as f64 => {
                let step = self.conjugate_gradient_step_cost(drives);
                let certifying = if settles_in_one_solve(bound) {
                    0.0
                } else {
                    1.0
                };
                Some((bound.steps + certifying) * step)
            }
            None => None,
        }
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
        let Some(bound) = &self.kept else {
            self.solve_free_in_place(rhs);
            return;
        };
        let tolerance = first.unwrap_or(CORRECTION_TOLERANCE);
        let stationary = refinement_steps(bound).is_some();
        if stationary || (first.is_none() && settles_in_one_solve(bound)) {
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
        // A column done keeps a zero residual, which the block's solves
        // leave zero.
        let mut active: Vec<bool> = rz.iter().map(|&v| v > 0.0).collect();
        for c in (0..m).filter(|&c| !active[c]) {
            residual[column(c)].fill(0.0);
        }
        for _ in 0..MAX_CONJUGATE_GRADIENT_STEPS {
            if !active.iter().any(|&a| a) {
                break;
            }
            self.current_product(p, lp);
            for c in 0..m {
                if !active[c] {
                    continue;
                }
                let range = column(c);
                let curvature = dot(&p[range.clone()], &lp[range.clone()]);
                if curvature > 0.0 {
                    let alpha = rz[c] / curvature;
                    for i in range {
                        solution[i] += alpha * p[i];
                        residual[i] -= alpha * lp[i];
                    }
                } else {
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
                    residual[range].fill(0.0);
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

/// `max_e |r_e - 1|` from the ratio range `[r_min, r_max]`.
fn deviation([low, high]: [f64; 2]) -> f64 {
    (1.0 - low).max(high - 1.0)
}

/// Whether one solve with the kept factor is within
/// [`CORRECTION_TOLERANCE`] of the solution: every eigenvalue of the
/// pencil within it of 1, so that `|I - L_ref^{-1} L|` is too, in the
/// energy norm.
fn settles_in_one_solve(bound: &KeptFactorBound) -> bool {
    deviation(bound.ratio_range) <= CORRECTION_TOLERANCE
}

/// The deviation `max_e |r_e - 1|` up to which solves with a kept factor
/// are refined as with a fresh one, from the states of the factored
/// conductances ([`warm`]), each refinement step solving with the factor
/// alone (contracting the error by the deviation): at most two steps to
/// [`refine::CERTIFIED`], against conjugate gradients' one solve and one
/// product with `L_FF` per step and a certifying solve.
const STATIONARY_DEVIATION: f64 = 1e-6;

/// The refinement steps a solve with the kept factor alone takes to the
/// certified tolerance, the certifying one included, when every ratio is
/// within [`STATIONARY_DEVIATION`] of 1 (none otherwise: then conjugate
/// gradients).
fn refinement_steps(bound: &KeptFactorBound) -> Option<usize> {
    let deviation = deviation(bound.ratio_range);
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
