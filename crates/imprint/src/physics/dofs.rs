//! The sparse solver's pieces for networks whose edges couple several
//! degrees of freedom per node (docs/theory.md section 9): 2D springs,
//! whose edge `e` adds `k_e q_e q_e^T` (a 4 x 4 block) to `K`. The pattern
//! of `K_FF` and every edge's slots in it, moving held components to the
//! right-hand side, the multipliers (the forces the holds exert) and the
//! refinement's residual in double-double, all read from the edges'
//! stencils ([`crate::network::EdgeStencil`]); the block solve built from
//! them, and the rigidity probe that refuses a stiffness matrix with a
//! zero mode too large to count densely. Resistors keep their own
//! specialised loops in [`super::solver`] and [`super::refine`]: the same
//! formulas with `q_e = (+1, -1)`.

use faer::sparse::SymbolicSparseColMat;
use faer::{Mat, MatMut, MatRef};

use super::refine::{self, two_product, two_sum, DoubleDouble};
use super::solver::{pattern_slot, EdgeSlots, Role};
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

/// `k * x` to double-double accuracy for a double-double `x`.
fn scale(x: DoubleDouble, k: f64) -> DoubleDouble {
    let (p, e) = two_product(x.hi, k);
    let rest = e + x.lo * k;
    let (hi, lo) = two_sum(p, rest);
    DoubleDouble { hi, lo }
}

/// `f_F - (K x)_F` in double-double, rounded into `residual` (rows in the
/// order of the free components): `states` holds every component's value
/// (`dofs` rows: the free ones being refined and the held ones), `forces`
/// the drives' applied forces (`dofs` rows).
pub(super) fn stencil_residual(
    stencils: &[EdgeStencil],
    conductance: &[f64],
    free_dofs: &[usize],
    states: MatRef<'_, f64>,
    forces: MatRef<'_, f64>,
    mut residual: MatMut<'_, f64>,
) {
    let dofs = states.nrows();
    let mut sums = vec![DoubleDouble::default(); dofs];
    for col in 0..states.ncols() {
        for (d, sum) in sums.iter_mut().enumerate() {
            *sum = DoubleDouble {
                hi: forces[(d, col)],
                lo: 0.0,
            };
        }
        for (stencil, &k) in stencils.iter().zip(conductance) {
            let mut extension = DoubleDouble::default();
            for &(dof, q) in stencil.entries() {
                let (p, e) = two_product(q, states[(dof, col)]);
                extension = extension.add(p, e);
            }
            let tension = scale(extension, k);
            for &(dof, q) in stencil.entries() {
                let pull = scale(tension, -q);
                sums[dof] = sums[dof].add(pull.hi, pull.lo);
            }
        }
        for (a, &d) in free_dofs.iter().enumerate() {
            residual[(a, col)] = sums[d].hi + sums[d].lo;
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
        let mut free = Mat::<f64>::zeros(s.free_nodes.len(), m);
        for col in 0..m {
            for (a, &dof) in s.free_nodes.iter().enumerate() {
                free[(a, col)] = drives[(dof, col)];
            }
        }
        let (edges, role) = (&s.constrained_edges, &s.role);
        move_held_to_rhs(stencils, edges, role, k, dofs, drives, free.as_mut());
        self.solve_free_in_place(free.as_mut());
        // Every component's value, the held ones from the drives; the
        // refinement writes the free ones before each residual.
        let mut states = Mat::<f64>::zeros(dofs, m);
        for col in 0..m {
            for (c, &dof) in s.constrained.iter().enumerate() {
                states[(dof, col)] = drives[(dofs + c, col)];
            }
        }
        let forces = drives.subrows(0, dofs);
        let mut correction = Mat::<f64>::zeros(free.nrows(), m);
        let error = refine::refine(
            |r| self.solve_free_in_place(r),
            |v, residual| {
                for col in 0..m {
                    for (a, &dof) in s.free_nodes.iter().enumerate() {
                        states[(dof, col)] = v[(a, col)];
                    }
                }
                stencil_residual(
                    stencils,
                    k,
                    &s.free_nodes,
                    states.as_ref(),
                    forces,
                    residual,
                )
            },
            free.as_mut(),
            correction.as_mut(),
            target,
        );
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
