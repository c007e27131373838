//! The refinement's residual `f_F - (K x)_F` for edges of several degrees
//! of freedom per node (docs/theory.md sections 1 and 9), in double-double
//! from each edge's stencil `q_e`: a 2D spring by its own kernel (exact
//! differences, the bond's direction split once, drives in groups of four
//! through vector operations, forces summed by Sum2), any other stencil by
//! the generic loop (renormalised double-double sums). Both
//! come compiled twice: for a processor with a fused multiply-add and
//! AVX2, detected at run time, and portably with Dekker's splitting; the
//! exact products are the same two numbers either way, so the residual is
//! the same to the bit ([`super::refine::exact_product`]).

use faer::{MatMut, MatRef};

use super::refine::{self, exact_product, two_sum, DoubleDouble, Factor};
use crate::network::EdgeStencil;

/// `k * x` to double-double accuracy for a double-double `x` (exact
/// products by a fused multiply-add when `FMA`, [`exact_product`]).
#[inline(always)]
fn scale<const FMA: bool>(x: DoubleDouble, k: Factor) -> DoubleDouble {
    let (p, e) = k.times_with::<FMA>(x.hi);
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
    /// held values in place, in the memory of `rows` (a buffer kept
    /// between solves; [`Self::into_buffer`] gives it back).
    pub(super) fn in_buffer(
        mut rows: Vec<f64>,
        dofs: usize,
        constrained: &[usize],
        drives: MatRef<'_, f64>,
    ) -> Self {
        let m = drives.ncols();
        rows.clear();
        rows.resize(dofs * 3 * m, 0.0);
        for col in 0..m {
            for (c, &dof) in constrained.iter().enumerate() {
                rows[dof * 3 * m + col] = drives[(dofs + c, col)];
            }
        }
        Self { rows, m }
    }

    /// The memory of the rows, for the next solve.
    pub(super) fn into_buffer(self) -> Vec<f64> {
        self.rows
    }
}

/// `f_F - (K x)_F` in double-double, rounded into `residual` (rows in the
/// order of the free components) for the free values `free` (same order):
/// `rows` holds the held values ([`StencilRows::in_buffer`]), `forces` the
/// drives' applied forces (`dofs` rows).
pub(super) fn stencil_residual(
    stencils: &[EdgeStencil],
    conductance: &[f64],
    free_dofs: &[usize],
    free: MatRef<'_, f64>,
    forces: MatRef<'_, f64>,
    work: &mut StencilRows,
    residual: MatMut<'_, f64>,
) {
    let args = (
        stencils,
        conductance,
        free_dofs,
        free,
        forces,
        work,
        residual,
    );
    #[cfg(target_arch = "x86_64")]
    if refine::with_fused_multiply_add() {
        /// The kernel compiled for AVX2 and fused multiply-adds.
        #[target_feature(enable = "avx2,fma")]
        unsafe fn fused(args: StencilResidualArgs<'_, '_>) {
            stencil_residual_with::<true>(args)
        }
        // SAFETY: the processor has both features (checked above).
        return unsafe { fused(args) };
    }
    stencil_residual_with::<{ cfg!(target_feature = "fma") }>(args)
}

/// [`stencil_residual`]'s arguments, in its order.
type StencilResidualArgs<'a, 'r> = (
    &'a [EdgeStencil],
    &'a [f64],
    &'a [usize],
    MatRef<'a, f64>,
    MatRef<'a, f64>,
    &'r mut StencilRows,
    MatMut<'r, f64>,
);

/// [`stencil_residual`] with exact products by a fused multiply-add
/// (`FMA`) or by splitting, inlined into the copy compiled for them.
#[inline(always)]
fn stencil_residual_with<const FMA: bool>(
    (stencils, conductance, free_dofs, free, forces, work, mut residual): StencilResidualArgs<
        '_,
        '_,
    >,
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
            spring_2d_forces::<FMA>(rows, ends, b, k, m);
            continue;
        }
        for (col, tension) in tensions.iter_mut().enumerate() {
            let mut extension = DoubleDouble::default();
            for &(dof, q) in entries {
                let (p, e) = exact_product::<FMA>(q, rows[dof * width + col]);
                extension = extension.add(p, e);
            }
            *tension = scale::<FMA>(extension, Factor::new(k));
        }
        for &(dof, q) in entries {
            let (_, sums) = rows[dof * width..(dof + 1) * width].split_at_mut(m);
            let (hi, lo) = sums.split_at_mut(m);
            for (col, tension) in tensions.iter().enumerate() {
                let pull = scale::<FMA>(*tension, Factor::new(-q));
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
#[inline(always)]
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
/// (two-product), then `+t b` at `i` and `-t b` at `j`, each force in
/// double-double and added to the sums by [`accumulate`] (Sum2). Fewer
/// operations than the generic stencil loop (which forms each of the four
/// products `q_a u_a` and four products `q_a t`), to the same accuracy.
/// `[i, j]` are the `x` components' degrees of freedom `2 node`: a node's
/// two rows of `3 m` values are one chunk of `6 m`, split once into its
/// twelve runs of `m` (no bounds check per drive); the drives go through
/// in groups of [`LANES`] held in local arrays, so that each step is one
/// vector operation, and the rest one by one.
#[inline(always)]
fn spring_2d_forces<const FMA: bool>(
    rows: &mut [f64],
    [i, j]: [usize; 2],
    [bx, by]: [f64; 2],
    k: f64,
    m: usize,
) {
    let (node_i, node_j) = super::refine::rows_mut(rows, i / 2, j / 2, 6 * m);
    let [ux_i, hx_i, lx_i, uy_i, hy_i, ly_i] = runs(node_i, m);
    let [ux_j, hx_j, lx_j, uy_j, hy_j, ly_j] = runs(node_j, m);
    // The constants split once for the drives' products.
    let (bx, by, k) = (Factor::new(bx), Factor::new(by), Factor::new(k));
    // Drives in groups of LANES through local arrays (no aliasing for
    // the compiler to rule out, so each step is one vector operation),
    // the rest one by one; every drive's arithmetic is the same either way.
    let whole = m - m % LANES;
    for c in (0..whole).step_by(LANES) {
        let lanes = c..c + LANES;
        let u = [
            lane_values(&ux_i[lanes.clone()]),
            lane_values(&uy_i[lanes.clone()]),
            lane_values(&ux_j[lanes.clone()]),
            lane_values(&uy_j[lanes.clone()]),
        ];
        let mut force = [[DoubleDouble::default(); LANES]; 2];
        for l in 0..LANES {
            let [x, y] = spring_force::<FMA>([u[0][l], u[1][l], u[2][l], u[3][l]], bx, by, k);
            (force[0][l], force[1][l]) = (x, y);
        }
        for (axis, (hi, lo)) in [
            (0, (&mut *hx_i, &mut *lx_i)),
            (0, (&mut *hx_j, &mut *lx_j)),
            (1, (&mut *hy_i, &mut *ly_i)),
            (1, (&mut *hy_j, &mut *ly_j)),
        ]
        .into_iter()
        .enumerate()
        .map(|(n, (axis, sums))| ((axis, n % 2 == 1), sums))
        {
            let (axis, at_j) = axis;
            let (hi, lo) = (&mut hi[lanes.clone()], &mut lo[lanes.clone()]);
            let (mut h, mut o) = (lane_values(hi), lane_values(lo));
            for l in 0..LANES {
                let f = force[axis][l];
                let (fh, fl) = if at_j { (-f.hi, -f.lo) } else { (f.hi, f.lo) };
                (h[l], o[l]) = accumulate(h[l], o[l], fh, fl);
            }
            hi.copy_from_slice(&h);
            lo.copy_from_slice(&o);
        }
    }
    for c in whole..m {
        let [fx, fy] = spring_force::<FMA>([ux_i[c], uy_i[c], ux_j[c], uy_j[c]], bx, by, k);
        for (hi, lo, f) in [
            (&mut hx_i[c], &mut lx_i[c], fx),
            (
                &mut hx_j[c],
                &mut lx_j[c],
                DoubleDouble {
                    hi: -fx.hi,
                    lo: -fx.lo,
                },
            ),
            (&mut hy_i[c], &mut ly_i[c], fy),
            (
                &mut hy_j[c],
                &mut ly_j[c],
                DoubleDouble {
                    hi: -fy.hi,
                    lo: -fy.lo,
                },
            ),
        ] {
            (*hi, *lo) = accumulate(*hi, *lo, f.hi, f.lo);
        }
    }
}

/// Adds the double-double `f_hi + f_lo` to a running sum kept as a
/// leading part `hi` and an uncompensated error sum `lo` (Ogita, Rump and
/// Oishi's Sum2): the leading parts by TwoSum, their errors and `f_lo`
/// plainly into `lo`. As accurate as if summed in twice the working
/// precision (`|error| <= eps |sum| + gamma_n^2 sum |terms|`), which is
/// what the refinement needs, with a loop-carried chain of one addition
/// per part instead of a renormalisation per term.
#[inline(always)]
fn accumulate(hi: f64, lo: f64, f_hi: f64, f_lo: f64) -> (f64, f64) {
    let (sum, error) = two_sum(hi, f_hi);
    (sum, lo + (error + f_lo))
}

/// Drives per vector step of [`spring_2d_forces`].
const LANES: usize = 4;

/// A run of [`LANES`] values as an array.
#[inline(always)]
fn lane_values(run: &[f64]) -> [f64; LANES] {
    run.try_into().expect("a run of LANES values")
}

/// One drive's force of one 2D spring on its end `i` (the opposite on
/// `j`), `[x, y]` in double-double, from `u = [u_ix, u_iy, u_jx, u_jy]`.
#[inline(always)]
fn spring_force<const FMA: bool>(
    [ux_i, uy_i, ux_j, uy_j]: [f64; 4],
    bx: Factor,
    by: Factor,
    k: Factor,
) -> [DoubleDouble; 2] {
    let (dx, ex) = two_sum(ux_j, -ux_i);
    let (dy, ey) = two_sum(uy_j, -uy_i);
    let (px, epx) = bx.times_with::<FMA>(dx);
    let (py, epy) = by.times_with::<FMA>(dy);
    let (sum, es) = two_sum(px, py);
    let rest = es + epx + epy + bx.value() * ex + by.value() * ey;
    let tension = scale::<FMA>(DoubleDouble::renormalised(sum, rest), k);
    [scale::<FMA>(tension, bx), scale::<FMA>(tension, by)]
}

/// A node's chunk of two rows of `3 m` (values, leading sums, trailing
/// sums per component) as its six runs of exactly `m`.
#[inline(always)]
fn runs(chunk: &mut [f64], m: usize) -> [&mut [f64]; 6] {
    let (a, rest) = chunk.split_at_mut(m);
    let (b, rest) = rest.split_at_mut(m);
    let (c, rest) = rest.split_at_mut(m);
    let (d, rest) = rest.split_at_mut(m);
    let (e, rest) = rest.split_at_mut(m);
    [a, b, c, d, e, &mut rest[..m]]
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::Mat;

    #[test]
    fn the_2d_spring_residual_equals_the_generic_stencil_loop() {
        // The same bonds, once in the 2D pattern (fast path) and once with
        // their entries listed in another order (the generic loop).
        for m in [3, 9] {
            for balanced in [false, true] {
                the_2d_spring_residual_equals_the_generic_stencil_loop_for(m, balanced);
            }
        }
    }

    /// [`the_2d_spring_residual_equals_the_generic_stencil_loop`] with `m`
    /// drives (9: two groups of four and one more); when `balanced`, the
    /// forces are `K x` rounded, so the residual is the rounding alone,
    /// sixteen digits below its terms, and both loops must still agree on
    /// it (a residual summed in `f64` would be all error).
    fn the_2d_spring_residual_equals_the_generic_stencil_loop_for(m: usize, balanced: bool) {
        let mut rng = crate::random::Rng::new(3);
        let nodes = 6;
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
        let mut drives = Mat::from_fn(dofs + 2, m, |r, c| {
            if r < dofs {
                rng_value(r, c)
            } else {
                0.1 * (r + c) as f64
            }
        });
        let values = Mat::from_fn(free.len(), m, |a, c| 1.0 + rng_value(a + 7, c));
        // Per component, the sum of the magnitudes of the residual's terms.
        let mut terms = Mat::<f64>::zeros(dofs, m);
        for c in 0..m {
            let u: Vec<f64> = (0..dofs)
                .map(|d| match d {
                    0 | 1 => drives[(dofs + d, c)],
                    _ => values[(d - 2, c)],
                })
                .collect();
            let mut ku = vec![0.0; dofs];
            for (q, &k) in fast.iter().zip(&k) {
                let tension = k * q.drop(&u);
                for &(d, qd) in q.entries() {
                    ku[d] += qd * tension;
                    terms[(d, c)] += (qd * tension).abs();
                }
            }
            for d in 0..dofs {
                terms[(d, c)] += drives[(d, c)].abs();
                if balanced {
                    drives[(d, c)] = ku[d];
                }
            }
        }
        let forces = drives.as_ref().subrows(0, dofs);
        let mut out = [Mat::zeros(free.len(), m), Mat::zeros(free.len(), m)];
        for (stencils, out) in [&fast, &generic].into_iter().zip(&mut out) {
            let mut work = StencilRows::in_buffer(Vec::new(), dofs, &constrained, drives.as_ref());
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
        for (a, &d) in free.iter().enumerate() {
            for c in 0..m {
                let (x, y) = (out[0][(a, c)], out[1][(a, c)]);
                // Double-double sums: within a few units of 2^-104 of the
                // terms, plus the rounding of the result itself.
                let tolerance = 1e-29 * terms[(d, c)] + 1e-15 * y.abs();
                assert!((x - y).abs() <= tolerance, "{a} {c}: {x:e} vs {y:e}");
                if balanced {
                    assert!(y.abs() < 1e-14 * terms[(d, c)], "{a} {c}: not balanced");
                }
            }
        }
    }

    #[test]
    fn many_drives_and_either_kernel_give_each_drive_alone_bit_for_bit() {
        // A chain of triangles (rigid once node 0 and node 1's y are
        // held), stiffnesses over twelve decades, nine drives: two groups
        // of four through the vector path and one alone.
        let mut rng = crate::random::Rng::new(4);
        let nodes = 12;
        let dofs = 2 * nodes;
        let (mut stencils, mut k) = (Vec::new(), Vec::new());
        for i in 0..nodes - 2 {
            for j in [i + 1, i + 2] {
                let angle = rng.uniform() * std::f64::consts::TAU;
                stencils.push(EdgeStencil::spring_2d(i, j, [angle.cos(), angle.sin()]));
                k.push(10f64.powf(rng.uniform_in(-6.0, 6.0)));
            }
        }
        let constrained = [0, 1, 3];
        let free: Vec<usize> = (0..dofs).filter(|d| !constrained.contains(d)).collect();
        let m = 9;
        let drives = Mat::from_fn(dofs + constrained.len(), m, |_, _| rng.normal());
        let values = Mat::from_fn(free.len(), m, |_, _| rng.normal());
        let forces = drives.as_ref().subrows(0, dofs);
        let residual = |split: bool, cols: std::ops::Range<usize>| {
            let width = cols.len();
            let drives = drives.as_ref().subcols(cols.start, width);
            let mut out = Mat::zeros(free.len(), width);
            let mut work = StencilRows::in_buffer(Vec::new(), dofs, &constrained, drives);
            let args = (
                &stencils[..],
                &k[..],
                &free[..],
                values.as_ref().subcols(cols.start, width),
                forces.subcols(cols.start, width),
                &mut work,
                out.as_mut(),
            );
            if split {
                stencil_residual_with::<false>(args);
            } else {
                let (s, k, f, v, fo, w, o) = args;
                stencil_residual(s, k, f, v, fo, w, o);
            }
            out
        };
        let all = residual(false, 0..m);
        assert_eq!(all, residual(true, 0..m));
        for c in 0..m {
            assert_eq!(all.as_ref().subcols(c, 1), residual(false, c..c + 1));
        }
    }

    fn rng_value(r: usize, c: usize) -> f64 {
        ((r * 31 + c * 17) % 23) as f64 / 23.0 - 0.5
    }
}
