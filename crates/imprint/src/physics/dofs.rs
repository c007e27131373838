//! The sparse solver's pieces for networks whose edges couple several
//! degrees of freedom per node (docs/theory.md section 9): 2D springs,
//! whose edge `e` adds `k_e q_e q_e^T` (a 4 x 4 block) to `K`. The pattern
//! of `K_FF` and every edge's slots in it, moving held components to the
//! right-hand side, the multipliers (the forces the holds exert) and the
//! refinement's residual in double-double, all read from the edges'
//! stencils ([`crate::network::EdgeStencil`]). Resistors keep their own
//! specialised loops in [`super::solver`] and [`super::refine`]: the same
//! formulas with `q_e = (+1, -1)`.

use faer::sparse::SymbolicSparseColMat;
use faer::{MatMut, MatRef};

use super::refine::{two_product, two_sum, DoubleDouble};
use super::solver::{EdgeSlots, Role};
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
    let slot = |row: usize, col: usize| -> usize {
        let column = &row_idx[col_ptr[col]..col_ptr[col + 1]];
        col_ptr[col]
            + column
                .binary_search(&row)
                .expect("entry is in the pattern by construction")
    };
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
