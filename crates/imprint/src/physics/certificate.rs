//! A rigorous bound on the error of a solve (docs/theory.md section 1,
//! docs/accuracy.md): what `imprint solve` and Python's `solve` certify.
//!
//! Refinement's last correction estimates the error well while the
//! factorisation is accurate, but when the conductances span so many
//! decades that `f64` drops whole entries of `L_FF` (1e100 + 1e-100 is
//! 1e100), the correction is computed with the same wrong factor and can be
//! tiny while the voltages are wrong by 100 % (issue 30 item 1). The bound
//! here does not trust the factor. With `G = L_FF^{-1}`, entrywise
//! non-negative (`L_FF` is an M-matrix when every part of the network holds a
//! fixed node), the error of the free voltages is `e = G r` for the residual
//! `r = b_F - L_FF V_F`, so `|e| <= G (|r| + tau)` where `tau` bounds the
//! rounding of the double-double residual. Any `w` with `L_FF w >= |r| +
//! tau` (checked in double-double, with its own rounding allowance) has
//! `w >= G (|r| + tau)`, so `max w` bounds `max |e|`: `w` comes from the
//! factor, but is verified against the exact `L_FF`. When no such `w` is
//! found (the factor is too wrong), the bound falls back on resistances:
//! `G_ij <= G_jj = R_eff(j, fixed) <=` the resistance of the cheapest path
//! from `j` to a fixed node (Rayleigh), so `max |e| <= sum_j R_path(j)
//! (|r_j| + tau_j)`. Both are upper bounds in exact arithmetic of the
//! quantities computed; margins cover the rounding of the bounds themselves.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use faer::{MatMut, MatRef};

use super::refine;
use super::solver::Role;
use super::Factorization;

/// The largest certified relative error of the voltages for which a solve
/// is reported as it is; above it `imprint solve` exits with code 3 (and
/// Python's `solve` raises) unless asked to report it anyway.
pub const TRUSTED: f64 = 1e-6;

/// Relative rounding allowance of a double-double sum over a node's edges,
/// per term (about 16 ulps of double-double, for sums of a few terms; the
/// degree multiplies it).
const DOUBLE_DOUBLE: f64 = 1.0 / (1u64 << 50) as f64 / (1u64 << 50) as f64;

/// Relative margin on bounds computed in `f64` (sums of positive terms).
const MARGIN: f64 = 1e-10;

impl Factorization {
    /// A rigorous upper bound (volts) on `max_i |V_i - V*_i|` over the free
    /// nodes for the free voltages `free` of the drive `drive` (`N + |C|`
    /// rows: injected currents, then the fixed voltages), `V*` the exact
    /// response of the network as given (module docs).
    pub(crate) fn error_bound(&self, drive: &[f64], free: &[f64]) -> f64 {
        let s = &*self.solver.structure;
        let n_free = s.free_nodes.len();
        if n_free == 0 {
            return 0.0;
        }
        let drive = MatRef::from_column_major_slice(drive, drive.len(), 1);
        let free = MatRef::from_column_major_slice(free, n_free, 1);
        let residual = self.residual_of(drive, free);
        let (magnitude, degree) = self.magnitudes(drive, free);
        let tau = allowance(&magnitude, &degree, &residual);
        let b: Vec<f64> = residual
            .iter()
            .zip(&tau)
            .map(|(r, t)| (r.abs() + t) * (1.0 + MARGIN))
            .collect();
        let dominated = self
            .dominating_solution(&b)
            .map(|w| w.iter().fold(0.0f64, |m, &x| m.max(x)) * (1.0 + MARGIN));
        match dominated {
            // Small enough to certify (relative to the volts a solve holds:
            // the caller divides by the largest voltage, at least the
            // largest fixed one).
            Some(bound) if bound <= TRUSTED * self.largest_fixed_voltage(drive) => bound,
            // Both are upper bounds: the smaller holds.
            Some(bound) => bound.min(self.path_bound(&b)),
            None => self.path_bound(&b),
        }
    }

    /// [`refine::free_residual`] of this network into `out` (`rows` is
    /// work space).
    fn residual_into(
        &self,
        drive: MatRef<'_, f64>,
        free: MatRef<'_, f64>,
        rows: &mut Vec<f64>,
        out: MatMut<'_, f64>,
    ) {
        let s = &*self.solver.structure;
        refine::free_residual(
            &s.edges,
            &self.conductance,
            &s.free_nodes,
            &s.constrained,
            drive,
            free,
            rows,
            out,
        );
    }

    /// The largest magnitude of a fixed voltage of `drive`.
    fn largest_fixed_voltage(&self, drive: MatRef<'_, f64>) -> f64 {
        let s = &*self.solver.structure;
        (0..s.constrained.len()).fold(0.0f64, |m, c| m.max(drive[(s.node_count + c, 0)].abs()))
    }

    /// `b_F - L_FF V_F` of the free voltages `free` under `drive`, in
    /// double-double, rounded.
    fn residual_of(&self, drive: MatRef<'_, f64>, free: MatRef<'_, f64>) -> Vec<f64> {
        let n_free = self.solver.structure.free_nodes.len();
        let mut residual = vec![0.0; n_free];
        let out = MatMut::from_column_major_slice_mut(&mut residual, n_free, 1);
        self.residual_into(drive, free, &mut Vec::new(), out);
        residual
    }

    /// Per free node, the sum of the magnitudes of the terms of its
    /// residual (injected current and edge currents), and their count.
    fn magnitudes(&self, drive: MatRef<'_, f64>, free: MatRef<'_, f64>) -> (Vec<f64>, Vec<f64>) {
        let s = &*self.solver.structure;
        let voltage = |node: usize| match s.role[node] {
            Role::Free(a) => free[(a, 0)],
            Role::Fixed(c) => drive[(s.node_count + c, 0)],
        };
        let mut magnitude: Vec<f64> = s
            .free_nodes
            .iter()
            .map(|&node| drive[(node, 0)].abs())
            .collect();
        let mut degree = vec![1.0f64; s.free_nodes.len()];
        for (&[i, j], &k) in s.edges.iter().zip(&self.conductance) {
            let current = (k * (voltage(i) - voltage(j))).abs();
            for node in [i, j] {
                if let Role::Free(a) = s.role[node] {
                    magnitude[a] += current;
                    degree[a] += 1.0;
                }
            }
        }
        (magnitude, degree)
    }

    /// A `w` with `L_FF w >= b` verified in double-double (so `w >= G b`),
    /// from the factor and refinement; `None` when the check still fails
    /// after a few raises of the aim at the nodes where it failed.
    fn dominating_solution(&self, b: &[f64]) -> Option<Vec<f64>> {
        let s = &*self.solver.structure;
        let n_free = s.free_nodes.len();
        // 0.1 % above b, with a floor of 1e-6 of the largest, so that the
        // solve's own error (relative to the currents through a node, not to
        // b, and growing with the conditioning) does not leave L w below b;
        // the bound is then at most about 0.1 % above G b.
        let floor = 1e-6 * b.iter().fold(0.0f64, |m, &x| m.max(x));
        let mut aim: Vec<f64> = b.iter().map(|x| x * (1.0 + 1e-3) + floor).collect();
        for attempt in 0..4 {
            // The plain solve first (the check says whether it dominates);
            // refined when it did not.
            let w = self.solve_refined(&aim, attempt > 0);
            if w.iter().any(|x| !x.is_finite()) {
                return None;
            }
            // b - L_FF w (nothing is held at a voltage: the drive is b).
            let check = self.free_drive(b);
            let check = MatRef::from_column_major_slice(&check, check.len(), 1);
            let w_ref = MatRef::from_column_major_slice(&w, n_free, 1);
            let excess = self.residual_of(check, w_ref);
            let (magnitude, degree) = self.magnitudes(check, w_ref);
            let tau = allowance(&magnitude, &degree, &excess);
            // Where it failed, aim higher by twice the shortfall and by more
            // than the solve's own error there (a few ulps of the currents).
            let mut holds = true;
            for (((aim, q), t), m) in aim.iter_mut().zip(&excess).zip(&tau).zip(&magnitude) {
                if q + t > 0.0 {
                    holds = false;
                    *aim += 2.0 * (q + t) + 1e-9 * m;
                }
            }
            if holds {
                return Some(w);
            }
        }
        None
    }

    /// `N + |C|` drive rows with `currents` injected at the free nodes and
    /// every fixed node at 0 V.
    fn free_drive(&self, currents: &[f64]) -> Vec<f64> {
        let s = &*self.solver.structure;
        let mut drive = vec![0.0; s.node_count + s.constrained.len()];
        for (a, &node) in s.free_nodes.iter().enumerate() {
            drive[node] = currents[a];
        }
        drive
    }

    /// `L_FF^{-1} currents` from the factor, refined when `refined`.
    fn solve_refined(&self, currents: &[f64], refined: bool) -> Vec<f64> {
        let s = &*self.solver.structure;
        let n_free = s.free_nodes.len();
        let drive = self.free_drive(currents);
        let drive = MatRef::from_column_major_slice(&drive, drive.len(), 1);
        let mut w = currents.to_vec();
        self.solve_current(
            MatMut::from_column_major_slice_mut(&mut w, n_free, 1),
            Some(if refined {
                refine::CERTIFIED
            } else {
                refine::INSIDE_ESTIMATES
            }),
        );
        if !refined {
            return w;
        }
        let mut correction = vec![0.0; n_free];
        let mut rows = Vec::new();
        refine::refine(
            |r| self.solve_current(r, None),
            |v, residual| self.residual_into(drive, v, &mut rows, residual),
            MatMut::from_column_major_slice_mut(&mut w, n_free, 1),
            MatMut::from_column_major_slice_mut(&mut correction, n_free, 1),
            refine::CERTIFIED,
        );
        w
    }

    /// `sum_j R_path(j) b_j`, `R_path(j)` the least resistance `sum 1/k_e`
    /// of a path from free node `j` to a fixed node (Dijkstra).
    fn path_bound(&self, b: &[f64]) -> f64 {
        let s = &*self.solver.structure;
        let mut neighbours: Vec<Vec<(usize, f64)>> = vec![Vec::new(); s.node_count];
        for (&[i, j], &k) in s.edges.iter().zip(&self.conductance) {
            let resistance = (1.0 / k) * (1.0 + MARGIN);
            neighbours[i].push((j, resistance));
            neighbours[j].push((i, resistance));
        }
        let mut distance = vec![f64::INFINITY; s.node_count];
        let mut heap = BinaryHeap::new();
        for &c in &s.constrained {
            distance[c] = 0.0;
            heap.push(Entry(0.0, c));
        }
        while let Some(Entry(d, node)) = heap.pop() {
            if d > distance[node] {
                continue;
            }
            for &(next, r) in &neighbours[node] {
                let through = (d + r) * (1.0 + MARGIN);
                if through < distance[next] {
                    distance[next] = through;
                    heap.push(Entry(through, next));
                }
            }
        }
        s.free_nodes
            .iter()
            .zip(b)
            .map(|(&node, b)| distance[node] * b)
            .sum::<f64>()
            * (1.0 + MARGIN)
    }
}

/// Per free node, a bound on how far the rounded double-double residual
/// can be from the exact one: the degree times [`DOUBLE_DOUBLE`] of the sum
/// of the magnitudes of its terms ([`Factorization::magnitudes`]), plus the
/// final rounding to `f64`.
fn allowance(magnitude: &[f64], degree: &[f64], residual: &[f64]) -> Vec<f64> {
    magnitude
        .iter()
        .zip(degree)
        .zip(residual)
        .map(|((m, d), r)| 4.0 * d * DOUBLE_DOUBLE * m * (1.0 + MARGIN) + f64::EPSILON * r.abs())
        .collect()
}

/// A heap entry ordered by smallest distance first.
#[derive(PartialEq)]
struct Entry(f64, usize);

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.total_cmp(&self.0)
    }
}
