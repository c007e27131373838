//! The sparse solver's pieces for networks whose edges couple several
//! degrees of freedom per node (docs/theory.md section 9): 2D springs,
//! whose edge `e` adds `k_e q_e q_e^T` (a 4 x 4 block) to `K`. The pattern
//! of `K_FF` and every edge's slots in it, moving held components to the
//! right-hand side and the multipliers (the forces the holds exert), all
//! read from the edges' stencils ([`crate::network::EdgeStencil`]; the
//! refinement's residual is [`super::stencil_residual`]); the block solve built from
//! them, and the rigidity probe that refuses a stiffness matrix with a
//! zero mode too large to count densely. Resistors keep their own
//! specialised loops in [`super::solver`] and [`super::refine`]: the same
//! formulas with `q_e = (+1, -1)`.

use faer::sparse::SymbolicSparseColMat;
use faer::{Mat, MatMut, MatRef};

use super::refine;
use super::solver::{pattern_slot, EdgeSlots, Role};
use super::stencil_residual::{stencil_residual, StencilRows};
use super::{Factorization, PhysicsError};
use crate::network::EdgeStencil;

/// Sparsity pattern of the lower triangle of `K_FF` (columns sorted, each
/// with its diagonal) and every edge's `(slot, q_a q_b)` products.
pub(super) fn stencil_pattern(
    stencils: &[EdgeStencil],
    role: &[Role],
    free_count: usize,
) -> (SymbolicSparseColMat<usize>, Vec<EdgeSlots>) {
    let free_entries = |s: &EdgeStencil| -> Vec<(usize, f64)> {
        s.entries()
            .iter()
            .filter_map(|&(dof, q)| match role[dof] {
                Role::Free(a) => Some((a, q)),
                Role::Fixed(_) => None,
            })
            .collect()
    };
    let mut rows: Vec<Vec<usize>> = (0..free_count).map(|c| vec![c]).collect();
    for stencil in stencils {
        let entries = free_entries(stencil);
        for &(a, _) in &entries {
            for &(b, _) in &entries {
                if a > b {
                    rows[b].push(a);
                }
            }
        }
    }
    let mut col_ptr = Vec::with_capacity(free_count + 1);
    col_ptr.push(0);
    let mut row_idx = Vec::new();
    for column in &mut rows {
        column.sort_unstable();
        column.dedup();
        row_idx.extend_from_slice(column);
        col_ptr.push(row_idx.len());
    }
    let slot = |row: usize, col: usize| pattern_slot(&col_ptr, &row_idx, row, col);
    let edge_slots = stencils
        .iter()
        .map(|stencil| {
            let entries = free_entries(stencil);
            let mut products = Vec::with_capacity(entries.len() * (entries.len() + 1) / 2);
            for &(a, qa) in &entries {
                for &(b, qb) in &entries {
                    if a >= b {
                        products.push((slot(a, b), qa * qb));
                    }
                }
            }
            EdgeSlots::General(products)
        })
        .collect();
    let pattern = SymbolicSparseColMat::new_checked(free_count, free_count, col_ptr, None, row_idx);
    (pattern, edge_slots)
}

/// The drop `q_e . x` of every stencil's held part: `sum_c q_c v_c` over
/// its held components, `v` from the drive's held values.
fn held_drop(stencil: &EdgeStencil, role: &[Role], held_value: impl Fn(usize) -> f64) -> f64 {
    stencil
        .entries()
        .iter()
        .filter_map(|&(dof, q)| match role[dof] {
            Role::Fixed(c) => Some(q * held_value(c)),
            Role::Free(_) => None,
        })
        .sum()
}

/// Moves the held components of every drive to the right-hand side:
/// `free -= K_FC v_C`, edge by edge (`constrained_edges`, those with a held
/// component). `drives` has `dofs + |C|` rows.
pub(super) fn move_held_to_rhs(
    stencils: &[EdgeStencil],
    constrained_edges: &[usize],
    role: &[Role],
    conductance: &[f64],
    dofs: usize,
    drives: MatRef<'_, f64>,
    mut free: MatMut<'_, f64>,
) {
    for col in 0..drives.ncols() {
        for &e in constrained_edges {
            let stencil = &stencils[e];
            let tension = conductance[e] * held_drop(stencil, role, |c| drives[(dofs + c, col)]);
            for &(dof, q) in stencil.entries() {
                if let Role::Free(a) = role[dof] {
                    free[(a, col)] -= q * tension;
                }
            }
        }
    }
}

/// The multipliers of the held components: `mu_c = f_c - (K x)_c`, the
/// force each hold exerts, from the full states (`dofs + |C|` rows; the
/// multiplier rows already hold `f_c`).
pub(super) fn multipliers(
    stencils: &[EdgeStencil],
    constrained_edges: &[usize],
    role: &[Role],
    conductance: &[f64],
    dofs: usize,
    mut states: MatMut<'_, f64>,
) {
    for col in 0..states.ncols() {
        for &e in constrained_edges {
            let stencil = &stencils[e];
            let tension = conductance[e] * stencil.drop_in(|dof| states[(dof, col)]);
            for &(dof, q) in stencil.entries() {
                if let Role::Fixed(c) = role[dof] {
                    states[(dofs + c, col)] -= q * tension;
                }
            }
        }
    }
}

/// How far (relative to its largest entry) the rigidity probe's solve may
/// miss the displacements it was made from before the stiffness matrix is
/// called singular ([`Factorization::refactorize`], springs above
/// [`super::rigidity::DENSE_RIGIDITY_NODES`] nodes).
const RIGIDITY_PROBE: f64 = 1e-6;

impl Factorization {
    /// Refuses a stiffness matrix with a zero mode left free: forces
    /// `f = K_FF z` for a seeded `z` (entries of magnitude 1 to 2, random
    /// signs) must give back `z`. Along a zero mode the factor's pivot is
    /// roundoff, and the solve adds a motion as large as `z` or larger
    /// (the refinement cannot see it: it stretches no bond); a rigid
    /// network, however ill-conditioned, gives `z` to the refined accuracy.
    pub(super) fn probe_rigidity(&self) -> Result<(), PhysicsError> {
        let s = &*self.solver.structure;
        let stencils = s.stencils.as_deref().expect("springs only");
        let mut rng = crate::random::Rng::new(0x5EED_F10B);
        let mut z = vec![0.0; s.dofs];
        for &dof in &s.free_nodes {
            let size = rng.uniform_in(1.0, 2.0);
            z[dof] = if rng.uniform() < 0.5 { -size } else { size };
        }
        let mut drive = vec![0.0; s.dofs + s.constrained.len()];
        for (stencil, &k) in stencils.iter().zip(&self.conductance) {
            let tension = k * stencil.drop(&z);
            for &(dof, q) in stencil.entries() {
                drive[dof] += q * tension;
            }
        }
        let (x, _) = self.solve_block_stencils(
            stencils,
            MatRef::from_column_major_slice(&drive, drive.len(), 1),
            refine::CERTIFIED,
        );
        let gap = s
            .free_nodes
            .iter()
            .map(|&dof| (x[(dof, 0)] - z[dof]).abs())
            .fold(0.0f64, f64::max);
        if gap.is_nan() || gap > RIGIDITY_PROBE * 2.0 {
            return Err(PhysicsError::SingularStiffness);
        }
        Ok(())
    }

    /// [`Self::solve_block`] for a network of several degrees of freedom
    /// per node (docs/theory.md section 9), from its edges' stencils: the
    /// same steps, with `K_FC v_C`, the residual and the multipliers summed
    /// over each edge's `q_e` ([`super::dofs`]).
    pub(super) fn solve_block_stencils(
        &self,
        stencils: &[crate::network::EdgeStencil],
        drives: MatRef<'_, f64>,
        target: f64,
    ) -> (Mat<f64>, f64) {
        let s = &*self.solver.structure;
        let (dofs, m) = (s.dofs, drives.ncols());
        let k = &self.conductance;
        let (edges, role) = (&s.constrained_edges, &s.role);
        let free_rhs = |k: &[f64], drives: MatRef<'_, f64>, mut free: MatMut<'_, f64>| {
            for col in 0..drives.ncols() {
                for (a, &dof) in s.free_nodes.iter().enumerate() {
                    free[(a, col)] = drives[(dof, col)];
                }
            }
            move_held_to_rhs(stencils, edges, role, k, dofs, drives, free);
        };
        let residual_at =
            |k: &[f64], drives: MatRef<'_, f64>, v: MatRef<'_, f64>, out: MatMut<'_, f64>| {
                let mut work = StencilRows::in_buffer(Vec::new(), dofs, &s.constrained, drives);
                let forces = drives.subrows(0, dofs);
                stencil_residual(stencils, k, &s.free_nodes, v, forces, &mut work, out);
            };
        let mut free = Mat::<f64>::zeros(s.free_nodes.len(), m);
        if !self.warm_start(drives, free.as_mut(), free_rhs, residual_at) {
            free_rhs(k, drives, free.as_mut());
            self.solve_current(free.as_mut(), Some(target));
        }
        // Every component's value, the held ones from the drives; the
        // residual writes the free ones it is given.
        // Work arrays from the pool of the factorisation, as the
        // resistors' (`solve_block`).
        let rows = self.work.take_empty(dofs * 3 * m);
        let mut work = StencilRows::in_buffer(rows, dofs, &s.constrained, drives);
        let forces = drives.subrows(0, dofs);
        let mut correction = self.work.take(free.nrows() * m, 0.0);
        let error = refine::refine(
            |r| self.solve_current(r, None),
            |v, residual| {
                self.refinement_residuals.add();
                stencil_residual(stencils, k, &s.free_nodes, v, forces, &mut work, residual)
            },
            free.as_mut(),
            MatMut::from_column_major_slice_mut(&mut correction, s.free_nodes.len(), m),
            target,
        );
        self.work.give(work.into_buffer());
        self.work.give(correction);
        let mut full = Mat::<f64>::zeros(dofs + s.constrained.len(), m);
        for col in 0..m {
            for (a, &dof) in s.free_nodes.iter().enumerate() {
                full[(dof, col)] = free[(a, col)];
            }
            for (c, &dof) in s.constrained.iter().enumerate() {
                full[(dof, col)] = drives[(dofs + c, col)];
                full[(dofs + c, col)] = drives[(dof, col)];
            }
        }
        multipliers(stencils, edges, role, k, dofs, full.as_mut());
        (full, error)
    }
}
