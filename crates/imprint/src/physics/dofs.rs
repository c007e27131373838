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

use super::refine::{self, two_product, two_sum, DoubleDouble, Factor};
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
fn scale(x: DoubleDouble, k: Factor) -> DoubleDouble {
    let (p, e) = k.times(x.hi);
    DoubleDouble::renormalised(p, e + x.lo * k.value())
}

/// Node-major work space of [`stencil_residual`]: per degree of freedom
/// one contiguous row of `3 m` values, the `m` drives' values then the
/// leading and trailing parts of their net forces in double-double. An edge
/// touches four short rows (two pairs of neighbours), and each part is
/// contiguous over the drives, as in the resistors'
/// [`super::refine::free_residual`].
pub(super) struct StencilRows {
    rows: Vec<f64>,
    m: usize,
}

impl StencilRows {
    /// Rows for `dofs` degrees of freedom and the `m` drives of `drives`
    /// (`dofs + |C|` rows: forces, then the values of `constrained`), the
    /// held values in place.
    pub(super) fn new(dofs: usize, constrained: &[usize], drives: MatRef<'_, f64>) -> Self {
        let m = drives.ncols();
        let mut rows = vec![0.0; dofs * 3 * m];
        for col in 0..m {
            for (c, &dof) in constrained.iter().enumerate() {
                rows[dof * 3 * m + col] = drives[(dofs + c, col)];
            }
        }
        Self { rows, m }
    }
}

/// `f_F - (K x)_F` in double-double, rounded into `residual` (rows in the
/// order of the free components) for the free values `free` (same order):
/// `rows` holds the held values ([`StencilRows::new`]), `forces` the
/// drives' applied forces (`dofs` rows).
pub(super) fn stencil_residual(
    stencils: &[EdgeStencil],
    conductance: &[f64],
    free_dofs: &[usize],
    free: MatRef<'_, f64>,
    forces: MatRef<'_, f64>,
    work: &mut StencilRows,
    mut residual: MatMut<'_, f64>,
) {
    let m = work.m;
    let width = 3 * m;
    let rows = &mut work.rows;
    for (d, row) in rows.chunks_exact_mut(width).enumerate() {
        let (_, sums) = row.split_at_mut(m);
        let (hi, lo) = sums.split_at_mut(m);
        for col in 0..m {
            hi[col] = forces[(d, col)];
            lo[col] = 0.0;
        }
    }
    for col in 0..m {
        for (a, &dof) in free_dofs.iter().enumerate() {
            rows[dof * width + col] = free[(a, col)];
        }
    }
    let mut tensions = vec![DoubleDouble::default(); m];
    for (stencil, &k) in stencils.iter().zip(conductance) {
        let entries = stencil.entries();
        if let Some((ends, b)) = spring_2d(entries) {
            spring_2d_forces(rows, ends, b, k, m);
            continue;
        }
        for (col, tension) in tensions.iter_mut().enumerate() {
            let mut extension = DoubleDouble::default();
            for &(dof, q) in entries {
                let (p, e) = two_product(q, rows[dof * width + col]);
                extension = extension.add(p, e);
            }
            *tension = scale(extension, Factor::new(k));
        }
        for &(dof, q) in entries {
            let (_, sums) = rows[dof * width..(dof + 1) * width].split_at_mut(m);
            let (hi, lo) = sums.split_at_mut(m);
            for (col, tension) in tensions.iter().enumerate() {
                let pull = scale(*tension, Factor::new(-q));
                let sum = DoubleDouble {
                    hi: hi[col],
                    lo: lo[col],
                }
                .add(pull.hi, pull.lo);
                (hi[col], lo[col]) = (sum.hi, sum.lo);
            }
        }
    }
    for (a, &d) in free_dofs.iter().enumerate() {
        let row = d * width;
        for col in 0..m {
            residual[(a, col)] = rows[row + m + col] + rows[row + 2 * m + col];
        }
    }
}

/// A 2D spring's stencil `(-b at node i, +b at node j)` as the degrees of
/// freedom `[2 i, 2 j]` of the `x` components and `b`; `None` for any other
/// stencil.
#[inline]
fn spring_2d(entries: &[(usize, f64)]) -> Option<([usize; 2], [f64; 2])> {
    match *entries {
        [(a, qa), (b, qb), (c, qc), (d, qd)]
            if b == a + 1 && d == c + 1 && qc == -qa && qd == -qb =>
        {
            Some(([a, c], [qc, qd]))
        }
        _ => None,
    }
}

/// The forces one 2D spring exerts, subtracted from the node-major sums of
/// [`stencil_residual`] for every drive: `t = k b . (u_j - u_i)` with the
/// differences taken exactly (two-sum) and the products with their errors
/// (two-product), then `+t b` at `i` and `-t b` at `j`, in double-double.
/// Fewer operations than the generic stencil loop (which forms each of the
/// four products `q_a u_a` and four products `q_a t`), to the same accuracy.
#[inline]
fn spring_2d_forces(rows: &mut [f64], [i, j]: [usize; 2], [bx, by]: [f64; 2], k: f64, m: usize) {
    let width = 3 * m;
    let (ix, jx) = (i * width, j * width);
    // The constants split once for the drives' products.
    let (bx, by, k) = (Factor::new(bx), Factor::new(by), Factor::new(k));
    for col in 0..m {
        let (dx, ex) = two_sum(rows[jx + col], -rows[ix + col]);
        let (dy, ey) = two_sum(rows[jx + width + col], -rows[ix + width + col]);
        let (px, epx) = bx.times(dx);
        let (py, epy) = by.times(dy);
        let (sum, es) = two_sum(px, py);
        let rest = es + epx + epy + bx.value() * ex + by.value() * ey;
        let tension = scale(DoubleDouble::renormalised(sum, rest), k);
        for (axis, b) in [(0, bx), (width, by)] {
            let force = scale(tension, b);
            for (row, sign) in [(ix + axis, 1.0), (jx + axis, -1.0)] {
                let at = DoubleDouble {
                    hi: rows[row + m + col],
                    lo: rows[row + 2 * m + col],
                }
                .add(sign * force.hi, sign * force.lo);
                (rows[row + m + col], rows[row + 2 * m + col]) = (at.hi, at.lo);
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
        // residual writes the free ones it is given.
        let mut work = StencilRows::new(dofs, &s.constrained, drives);
        let forces = drives.subrows(0, dofs);
        let mut correction = Mat::<f64>::zeros(free.nrows(), m);
        let error = refine::refine(
            |r| self.solve_free_in_place(r),
            |v, residual| {
                stencil_residual(stencils, k, &s.free_nodes, v, forces, &mut work, residual)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_2d_spring_residual_equals_the_generic_stencil_loop() {
        // The same bonds, once in the 2D pattern (fast path) and once with
        // their entries listed in another order (the generic loop).
        let mut rng = crate::random::Rng::new(3);
        let (nodes, m) = (6, 3);
        let dofs = 2 * nodes;
        let bonds = [
            [0, 1],
            [1, 2],
            [2, 3],
            [3, 4],
            [4, 5],
            [5, 0],
            [0, 3],
            [1, 4],
        ];
        let (mut fast, mut generic, mut k) = (Vec::new(), Vec::new(), Vec::new());
        for &[i, j] in &bonds {
            let angle = rng.uniform() * std::f64::consts::TAU;
            let b = [angle.cos(), angle.sin()];
            let q = EdgeStencil::spring_2d(i, j, b);
            assert!(spring_2d(q.entries()).is_some());
            fast.push(q);
            // The same entries interleaved: not the pattern, so the generic
            // loop runs.
            let e = q.entries();
            let reordered = EdgeStencil::from_entries(&[e[2], e[0], e[3], e[1]]);
            assert!(spring_2d(reordered.entries()).is_none());
            generic.push(reordered);
            k.push(10f64.powf(rng.uniform() * 12.0 - 6.0));
        }
        let free: Vec<usize> = (2..dofs).collect();
        let constrained = [0, 1];
        let drives = Mat::from_fn(dofs + 2, m, |r, c| {
            if r < dofs {
                rng_value(r, c)
            } else {
                0.1 * (r + c) as f64
            }
        });
        let values = Mat::from_fn(free.len(), m, |a, c| 1.0 + rng_value(a + 7, c));
        let forces = drives.as_ref().subrows(0, dofs);
        let mut out = [Mat::zeros(free.len(), m), Mat::zeros(free.len(), m)];
        for (stencils, out) in [&fast, &generic].into_iter().zip(&mut out) {
            let mut work = StencilRows::new(dofs, &constrained, drives.as_ref());
            stencil_residual(
                stencils,
                &k,
                &free,
                values.as_ref(),
                forces,
                &mut work,
                out.as_mut(),
            );
        }
        let scale = (0..free.len())
            .flat_map(|a| (0..m).map(move |c| (a, c)))
            .map(|(a, c)| out[1][(a, c)].abs())
            .fold(0.0, f64::max);
        for a in 0..free.len() {
            for c in 0..m {
                let (x, y) = (out[0][(a, c)], out[1][(a, c)]);
                assert!((x - y).abs() <= 1e-15 * scale, "{a} {c}: {x:e} vs {y:e}");
            }
        }
    }

    fn rng_value(r: usize, c: usize) -> f64 {
        ((r * 31 + c * 17) % 23) as f64 / 23.0 - 0.5
    }
}
