//! Warm starts of the solves with a kept factor (issue 29 item 2): late in
//! training the conductances barely move between iterations, and the
//! states of the factored conductances are within the deviation
//! `max_e |r_e - 1|` of the current ones, as close as a first solve with
//! the kept factor would bring them. Those states are linear in the
//! drives, so they are kept per driven row (the response to a unit drive
//! of that row at the factored conductances, refined to the certified
//! tolerance) and combined for any drive; an iteration's first solve is
//! then none.
//!
//! Nor does the first residual need double-double arithmetic. For a state
//! `x` of the factored conductances `k_ref` (its residual there refined
//! away), the residual at `k` is `-(L(k - k_ref) x)_F`: the currents of the
//! conductance changes alone, whose rounding in `f64` is `eps` of the
//! change, not of the currents (resistors; springs take the double-double
//! residual). The first correction is solved from it, and the second
//! residual, in double-double at `k`, measures what is left as after any
//! other solve: the certification is unchanged.
//!
//! A unit state depends only on the factor, its conductances and the row,
//! so a run that recomputes the factor where an interrupted one had it (a
//! resumed run) recomputes the same unit states bit for bit, whether or not
//! the interrupted run had them already.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use faer::{Mat, MatMut, MatRef};

use super::refinement_steps;
use crate::physics::refine;
use crate::physics::Factorization;

/// The most rows one call's drives may drive for a warm start: each
/// needs its unit state (one solve, once per factor) and a pass over the
/// free nodes per column. A training iteration drives its task's fixed
/// nodes and output nodes (a handful); a block of random currents at every
/// node (the susceptibility's sketch) is solved as before.
pub const WARM_START_ROWS: usize = 64;

/// The unit states a factorisation keeps at most, and their values at
/// most (256 MB; 32 states at 10^6 free nodes, where a training iteration
/// asks for a handful): beyond, further ones are computed for the call and
/// dropped (the same numbers, computed again when next asked).
const KEPT_UNIT_STATES: usize = 256;
const KEPT_UNIT_VALUES: usize = 1 << 25;

/// The free voltages (or displacements) of unit drives at the factored
/// conductances, by drive row. A clone starts empty, as after a
/// factorisation.
#[derive(Debug, Default)]
pub(crate) struct UnitStates(Mutex<HashMap<usize, Arc<[f64]>>>);

impl Clone for UnitStates {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl UnitStates {
    /// Forgets every state: the factor they came from is gone.
    pub(crate) fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    fn get(&self, row: usize) -> Option<Arc<[f64]>> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&row)
            .cloned()
    }

    fn keep(&self, row: usize, state: Arc<[f64]>) {
        let mut states = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if states.len() < KEPT_UNIT_STATES && (states.len() + 1) * state.len() <= KEPT_UNIT_VALUES {
            states.insert(row, state);
        }
    }
}

impl Factorization {
    /// Writes into `free` the first iterate of the solve of `drives` with
    /// a kept factor within the stationary deviation (the factor alone
    /// refines): the states of the factored conductances, combined from
    /// the unit states of the driven rows ([`UnitStates`]). `rhs(k, d,
    /// out)` writes the free right-hand side of drives `d` at conductances
    /// `k` (held values moved over), `residual(k, d, v, out)` the
    /// double-double residual of free values `v` for drives `d` at `k`.
    /// Returns `false`, leaving `free` untouched, where the factor holds the
    /// current conductances, conjugate gradients solve, or the drives drive
    /// more than [`WARM_START_ROWS`] rows.
    pub(crate) fn warm_start(
        &self,
        drives: MatRef<'_, f64>,
        mut free: MatMut<'_, f64>,
        rhs: impl Fn(&[f64], MatRef<'_, f64>, MatMut<'_, f64>),
        residual: impl Fn(&[f64], MatRef<'_, f64>, MatRef<'_, f64>, MatMut<'_, f64>),
    ) -> bool {
        if self
            .kept
            .as_ref()
            .is_none_or(|b| refinement_steps(b).is_none())
        {
            return false;
        }
        let (rows, m) = (drives.nrows(), drives.ncols());
        let driven: Vec<usize> = (0..rows)
            .filter(|&r| (0..m).any(|c| drives[(r, c)] != 0.0))
            .collect();
        if driven.len() > WARM_START_ROWS {
            return false;
        }
        let n = free.nrows();
        free.fill(0.0);
        for &row in &driven {
            let unit = self.unit_state(row, rows, n, &rhs, &residual);
            for c in 0..m {
                let value = drives[(row, c)];
                if value != 0.0 {
                    let column = free.as_mut().col_mut(c).try_as_col_major_mut();
                    let column = column.expect("a block's columns are contiguous");
                    for (x, u) in column.as_slice_mut().iter_mut().zip(unit.iter()) {
                        *x += value * u;
                    }
                }
            }
        }
        true
    }

    /// The free state of a unit drive of `row` (of `rows`) at the factored
    /// conductances, refined to the certified tolerance there: solves with
    /// the factor, which holds them.
    fn unit_state(
        &self,
        row: usize,
        rows: usize,
        n: usize,
        rhs: &impl Fn(&[f64], MatRef<'_, f64>, MatMut<'_, f64>),
        residual: &impl Fn(&[f64], MatRef<'_, f64>, MatRef<'_, f64>, MatMut<'_, f64>),
    ) -> Arc<[f64]> {
        if let Some(state) = self.unit_states.get(row) {
            return state;
        }
        let mut drive = Mat::<f64>::zeros(rows, 1);
        drive[(row, 0)] = 1.0;
        let mut state = Mat::<f64>::zeros(n, 1);
        rhs(&self.factored, drive.as_ref(), state.as_mut());
        if state.col(0).iter().any(|&v| v != 0.0) {
            self.solve_free_in_place(state.as_mut());
            let mut correction = Mat::<f64>::zeros(n, 1);
            refine::refine(
                |r| self.solve_free_in_place(r),
                |v, out| residual(&self.factored, drive.as_ref(), v, out),
                state.as_mut(),
                correction.as_mut(),
                refine::CERTIFIED,
            );
        }
        let state: Arc<[f64]> = state.col(0).iter().copied().collect();
        self.unit_states.keep(row, state.clone());
        state
    }

    /// `-(L(k - k_ref) x)_F` into `residual`: the residual at the current
    /// conductances `k` of free voltages `free` (drives `drives`, `N + |C|`
    /// rows, hold the others) that solve the factored ones `k_ref`, from
    /// the currents of the conductance changes, in `f64` (module docs).
    /// Resistors only.
    pub(crate) fn conductance_change_residual(
        &self,
        drives: MatRef<'_, f64>,
        free: MatRef<'_, f64>,
        mut residual: MatMut<'_, f64>,
    ) {
        let s = &*self.solver.structure;
        let (nodes, m) = (s.node_count, free.ncols());
        // Node-major rows of `2 m` values: the drives' voltages, then the
        // net currents (as in `refine::free_residual`).
        let width = 2 * m;
        let mut rows = self.work.take(nodes * width, 0.0);
        for col in 0..m {
            for (a, &node) in s.free_nodes.iter().enumerate() {
                rows[node * width + col] = free[(a, col)];
            }
            for (c, &node) in s.constrained.iter().enumerate() {
                rows[node * width + col] = drives[(nodes + c, col)];
            }
        }
        for ((&[i, j], &k), &k_ref) in s.edges.iter().zip(&self.conductance).zip(&self.factored) {
            let change = k - k_ref;
            let (row_i, row_j) = refine::rows_mut(&mut rows, i, j, width);
            let (v_i, sum_i) = row_i.split_at_mut(m);
            let (v_j, sum_j) = row_j.split_at_mut(m);
            for c in 0..m {
                let current = change * (v_i[c] - v_j[c]);
                sum_i[c] -= current;
                sum_j[c] += current;
            }
        }
        for col in 0..m {
            for (a, &node) in s.free_nodes.iter().enumerate() {
                residual[(a, col)] = rows[node * width + m + col];
            }
        }
        self.work.give(rows);
    }
}
