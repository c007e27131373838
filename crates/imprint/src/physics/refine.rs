//! Iterative refinement of the solves of docs/theory.md section 1 with residuals
//! in double-double arithmetic (about 32 significant digits): with
//! conductances spanning many decades, `L_FF` is ill-conditioned and one
//! Cholesky solve in `f64` loses as many digits as `log10 kappa`. Each
//! refinement step computes `r = I_F - L_FF V_F` (the imposed voltages
//! included) from the edge list in double-double, solves `L_FF d = r` with
//! the same factorisation and adds `d`. The steps converge by a factor of
//! about `kappa * 2^-53` each, to full `f64` accuracy, while `kappa` is
//! below about `10^15`; beyond, the corrections stop shrinking, and the last
//! one is the estimate of the error that remains. Refinement stops once a
//! correction is within [`CERTIFIED`] of the voltages: it measured the error
//! of the iterate before it, so the corrected one is at least as good. A
//! well-conditioned solve costs one extra residual and one extra solve.

use faer::{MatMut, MatRef};

/// `a + b` exactly, as a rounded sum and its error (Knuth's TwoSum).
#[inline(always)]
pub fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// Whether this build targets a fused multiply-add everywhere: then every
/// kernel forms its exact products with it.
const BUILD_FMA: bool = cfg!(target_feature = "fma");

/// `a * b` exactly, as a rounded product and its error: with a fused
/// multiply-add where the build targets one, otherwise by Dekker's
/// splitting (plain operations, so the residual loop stays inlined and
/// vectorised; a portable build would call the C library's `fma` per edge).
/// Exact while `|a|, |b| < 2^995` (conductances are at most 1e100).
#[inline]
pub fn two_product(a: f64, b: f64) -> (f64, f64) {
    exact_product::<BUILD_FMA>(a, b)
}

/// [`two_product`] by a fused multiply-add (`FMA`: only inside code
/// compiled for one, [`with_fused_multiply_add`]) or by Dekker's
/// splitting. Both are exact, so they give the same two numbers bit for bit.
#[inline(always)]
pub(crate) fn exact_product<const FMA: bool>(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    if FMA {
        (p, a.mul_add(b, -p))
    } else {
        let (a_hi, a_lo) = split(a);
        let (b_hi, b_lo) = split(b);
        (
            p,
            ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo,
        )
    }
}

/// Whether this processor has a fused multiply-add (and AVX2, which every
/// x86-64 processor with one has): the double-double kernels then run a
/// copy compiled for them, bit for bit the same results in fewer
/// operations (Dekker's splitting takes 17 per product, the fused
/// multiply-add 2) and wider vectors. Detected once and cached by the
/// standard library.
#[inline]
pub(crate) fn with_fused_multiply_add() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        BUILD_FMA
    }
}

/// A factor of many exact products ([`two_product`]), split once: the
/// splitting of a constant (a bond's direction, a stiffness) is not redone
/// for every drive.
#[derive(Debug, Clone, Copy)]
pub struct Factor {
    value: f64,
    halves: (f64, f64),
}

impl Factor {
    /// `b`, ready for products.
    #[inline(always)]
    pub fn new(b: f64) -> Self {
        Self {
            value: b,
            halves: split(b),
        }
    }

    /// The factor itself.
    #[inline(always)]
    pub fn value(self) -> f64 {
        self.value
    }

    /// `a * b` exactly, as [`two_product`] gives it.
    #[inline]
    pub fn times(self, a: f64) -> (f64, f64) {
        self.times_with::<BUILD_FMA>(a)
    }

    /// [`Self::times`] by a fused multiply-add or by splitting
    /// ([`exact_product`]).
    #[inline(always)]
    pub(crate) fn times_with<const FMA: bool>(self, a: f64) -> (f64, f64) {
        let p = a * self.value;
        if FMA {
            (p, a.mul_add(self.value, -p))
        } else {
            let (a_hi, a_lo) = split(a);
            let (b_hi, b_lo) = self.halves;
            (
                p,
                ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo,
            )
        }
    }
}

/// Veltkamp's split of `a` into two halves of 26 significant bits each.
#[inline(always)]
fn split(a: f64) -> (f64, f64) {
    const FACTOR: f64 = 134_217_729.0; // 2^27 + 1
    let c = FACTOR * a;
    let hi = c - (c - a);
    (hi, a - hi)
}

/// A double-double number `hi + lo` with `|lo| <= ulp(hi) / 2`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DoubleDouble {
    /// Leading part.
    pub hi: f64,
    /// Trailing part.
    pub lo: f64,
}

impl DoubleDouble {
    /// Adds the double-double `hi + lo`.
    #[inline(always)]
    pub fn add(self, hi: f64, lo: f64) -> Self {
        let (s, e) = two_sum(self.hi, hi);
        let e = e + self.lo + lo;
        let hi = s + e;
        Self {
            hi,
            lo: e - (hi - s),
        }
    }

    /// `p + e` as a double-double, by TwoSum.
    #[inline(always)]
    pub fn renormalised(p: f64, e: f64) -> Self {
        let (hi, lo) = two_sum(p, e);
        Self { hi, lo }
    }

    /// `k * (a - b)` to double-double accuracy (the current through an edge
    /// of conductance `k` between voltages `a` and `b`).
    #[inline]
    pub fn current(k: f64, a: f64, b: f64) -> Self {
        Self::current_with::<BUILD_FMA>(k, a, b)
    }

    /// [`Self::current`] with exact products by a fused multiply-add or by
    /// splitting ([`exact_product`]).
    #[inline(always)]
    pub(crate) fn current_with<const FMA: bool>(k: f64, a: f64, b: f64) -> Self {
        let (d, d_error) = two_sum(a, -b);
        let (p, p_error) = exact_product::<FMA>(k, d);
        // Renormalised (Fast2Sum: |p| >= |the rest| up to rounding).
        let rest = p_error + k * d_error;
        let hi = p + rest;
        Self {
            hi,
            lo: rest - (hi - p),
        }
    }
}

/// Refinement steps at most: enough for `kappa` near `10^15`.
pub const MAX_STEPS: usize = 12;

/// The relative error of voltages that the solver certifies: above it, a
/// solve says how far it may be off ([`crate::physics::Solution::voltage_error`]).
pub const CERTIFIED: f64 = 1e-12;

/// The relative error to which solves are refined inside a method whose
/// result carries its own, far larger, error or its own check: the
/// random-projection susceptibility (statistical error `1/sqrt(2k)`, 5 %
/// at 200 projections) and the Lanczos soft modes (each checked by its
/// residual against the Hessian itself, which no solve enters). One
/// refinement step reaches it where [`CERTIFIED`] can take two: a spring
/// network held by one bond has `kappa` near `10^10`, and its first solves
/// are off by `1e-9` (docs/benchmarks.md, "Springs against resistors").
pub const INSIDE_ESTIMATES: f64 = 1e-8;

/// `I_F - L_FF V_F` into `residual`: the net current into every free node
/// of the network (`edges`, `conductance`) with the free voltages `free`
/// (one column per drive, rows in the order of `free_nodes`) and the
/// imposed ones of `drives` (`N + |C|` rows: injected currents, then the
/// voltages of `constrained`), summed in double-double and rounded. `rows`
/// is work space (its capacity is reused).
#[allow(clippy::too_many_arguments)]
pub(crate) fn free_residual(
    edges: &[[usize; 2]],
    conductance: &[f64],
    free_nodes: &[usize],
    constrained: &[usize],
    drives: MatRef<'_, f64>,
    free: MatRef<'_, f64>,
    rows: &mut Vec<f64>,
    residual: MatMut<'_, f64>,
) {
    let args = (
        edges,
        conductance,
        free_nodes,
        constrained,
        drives,
        free,
        rows,
        residual,
    );
    #[cfg(target_arch = "x86_64")]
    if with_fused_multiply_add() {
        /// The kernel compiled for AVX2 and fused multiply-adds.
        #[target_feature(enable = "avx2,fma")]
        #[allow(clippy::too_many_arguments)]
        unsafe fn fused(args: ResidualArgs<'_, '_>) {
            free_residual_with::<true>(args)
        }
        // SAFETY: the processor has both features (checked above).
        return unsafe { fused(args) };
    }
    free_residual_with::<BUILD_FMA>(args)
}

/// [`free_residual`]'s arguments, in its order.
type ResidualArgs<'a, 'r> = (
    &'a [[usize; 2]],
    &'a [f64],
    &'a [usize],
    &'a [usize],
    MatRef<'a, f64>,
    MatRef<'a, f64>,
    &'r mut Vec<f64>,
    MatMut<'r, f64>,
);

/// [`free_residual`] with exact products by a fused multiply-add (`FMA`)
/// or by splitting; inlined into its caller, so that the copy inside the
/// one compiled for AVX2 and FMA uses them.
#[inline(always)]
fn free_residual_with<const FMA: bool>(
    (edges, conductance, free_nodes, constrained, drives, free, rows, mut residual): ResidualArgs<
        '_,
        '_,
    >,
) {
    let nodes = free_nodes.len() + constrained.len();
    let m = free.ncols();
    // Node-major: per node one contiguous row of `3 m` values, the `m`
    // drives' voltages, then the leading and the trailing parts of their net
    // currents in double-double. An edge then touches two short rows (two
    // cache lines on large networks, where the nodes of an edge lie far
    // apart in memory), and each part is contiguous over the drives, so the
    // compiler vectorises the drives' loop. The fixed nodes' sums are
    // computed and not used: no branch per edge.
    let width = 3 * m;
    rows.clear();
    rows.resize(nodes * width, 0.0);
    for col in 0..m {
        for (a, &node) in free_nodes.iter().enumerate() {
            rows[node * width + col] = free[(a, col)];
            rows[node * width + m + col] = drives[(node, col)];
        }
        for (c, &node) in constrained.iter().enumerate() {
            rows[node * width + col] = drives[(nodes + c, col)];
        }
    }
    for (&[i, j], &k) in edges.iter().zip(conductance) {
        let (row_i, row_j) = rows_mut(rows, i, j, width);
        let (v_i, sum_i) = row_i.split_at_mut(m);
        let (hi_i, lo_i) = sum_i.split_at_mut(m);
        let (v_j, sum_j) = row_j.split_at_mut(m);
        let (hi_j, lo_j) = sum_j.split_at_mut(m);
        for c in 0..m {
            let current = DoubleDouble::current_with::<FMA>(k, v_i[c], v_j[c]);
            let at_i = DoubleDouble {
                hi: hi_i[c],
                lo: lo_i[c],
            }
            .add(-current.hi, -current.lo);
            let at_j = DoubleDouble {
                hi: hi_j[c],
                lo: lo_j[c],
            }
            .add(current.hi, current.lo);
            (hi_i[c], lo_i[c], hi_j[c], lo_j[c]) = (at_i.hi, at_i.lo, at_j.hi, at_j.lo);
        }
    }
    for col in 0..m {
        for (a, &node) in free_nodes.iter().enumerate() {
            let row = node * width;
            residual[(a, col)] = rows[row + m + col] + rows[row + 2 * m + col];
        }
    }
}

/// Rows `i` and `j` (distinct) of the node-major `values` with `m` columns,
/// both mutable.
#[inline(always)]
pub(super) fn rows_mut<T>(values: &mut [T], i: usize, j: usize, m: usize) -> (&mut [T], &mut [T]) {
    if i < j {
        let (low, high) = values.split_at_mut(j * m);
        (&mut low[i * m..(i + 1) * m], &mut high[..m])
    } else {
        let (low, high) = values.split_at_mut(i * m);
        let (row_j, row_i) = (&mut low[j * m..(j + 1) * m], &mut high[..m]);
        (row_i, row_j)
    }
}

/// Refines the free voltages `free` (one column per drive) with `solve`
/// (the factorisation, in place) and `residual` ([`free_residual`]) until a
/// correction is within `target` ([`CERTIFIED`] for a state reported as
/// it is) or the corrections stop shrinking;
/// returns the last correction relative to the voltages (the largest over
/// the columns): the estimated error of what is returned.
///
/// `residual` writes the residual of its first argument into its second;
/// `correction` is work space of the shape of `free`.
pub(crate) fn refine(
    solve: impl Fn(MatMut<'_, f64>),
    mut residual: impl FnMut(MatRef<'_, f64>, MatMut<'_, f64>),
    mut free: MatMut<'_, f64>,
    mut correction: MatMut<'_, f64>,
    target: f64,
) -> f64 {
    let relative = |correction: MatRef<'_, f64>, free: MatRef<'_, f64>| {
        (0..free.ncols())
            .map(|c| {
                let d = correction.col(c).iter().fold(0.0f64, |m, v| m.max(v.abs()));
                let v = free.col(c).iter().fold(0.0f64, |m, v| m.max(v.abs()));
                if v > 0.0 {
                    d / v
                } else {
                    d
                }
            })
            .fold(0.0, f64::max)
    };
    let mut previous = f64::INFINITY;
    let mut estimate = 0.0;
    for _ in 0..MAX_STEPS {
        residual(free.as_ref(), correction.as_mut());
        solve(correction.as_mut());
        estimate = relative(correction.as_ref(), free.as_ref());
        if estimate > 0.5 * previous {
            // Not converging (kappa * 2^-53 near or above 1): keep the
            // iterate, with this correction as the estimate of its error.
            break;
        }
        free += correction.as_ref();
        // The correction measured the error before it: once that is
        // within what is certified, the corrected voltages are too.
        if estimate <= target {
            break;
        }
        previous = estimate;
    }
    estimate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_free_transformations_are_exact() {
        // 1 + 2^-60 is not a double; its parts are.
        let (s, e) = two_sum(1.0, 2f64.powi(-60));
        assert_eq!((s, e), (1.0, 2f64.powi(-60)));
        let x = 1.0 + f64::EPSILON;
        let (p, e) = two_product(x, x);
        // (1 + eps)^2 = 1 + 2 eps + eps^2.
        assert_eq!(
            (p, e),
            (1.0 + 2.0 * f64::EPSILON, f64::EPSILON * f64::EPSILON)
        );
        // 1e17 * (1 - (1 - 2^-40)) keeps every digit of the drop.
        let c = DoubleDouble::current(1e17, 1.0, 1.0 - 2f64.powi(-40));
        assert_eq!(c.hi + c.lo, 1e17 * 2f64.powi(-40));
        let sum = DoubleDouble::default()
            .add(1e16, 0.0)
            .add(1.0, 0.0)
            .add(-1e16, 0.0);
        assert_eq!(sum.hi, 1.0);
    }

    #[test]
    fn a_factor_split_once_and_a_fused_multiply_add_give_the_exact_products() {
        // Outside a function compiled for FMA, `mul_add` is the C
        // library's exact fma: the arithmetic the fused kernels use.
        let mut rng = crate::random::Rng::new(5);
        for _ in 0..10_000 {
            let b = rng.normal() * 10f64.powi((rng.uniform() * 60.0) as i32 - 30);
            let a = rng.normal() * 10f64.powi((rng.uniform() * 60.0) as i32 - 30);
            let exact = exact_product::<false>(a, b);
            let factor = Factor::new(b);
            assert_eq!(factor.times(a), two_product(a, b));
            assert_eq!(factor.value(), b);
            assert_eq!(exact_product::<true>(a, b), exact);
            assert_eq!(factor.times_with::<true>(a), exact);
            assert_eq!(factor.times_with::<false>(a), exact);
            let (k, v) = (b.abs(), rng.normal());
            assert_eq!(
                DoubleDouble::current_with::<true>(k, a, v),
                DoubleDouble::current_with::<false>(k, a, v)
            );
        }
        // (1 + eps) (1 - eps) = 1 - eps^2: the error is the whole of it.
        let f = Factor::new(1.0 - f64::EPSILON);
        assert_eq!(
            f.times(1.0 + f64::EPSILON),
            (1.0, -f64::EPSILON * f64::EPSILON)
        );
    }

    #[test]
    fn the_residual_kernel_this_processor_runs_gives_the_split_kernels_bits() {
        // A ring with chords, conductances over twelve decades, two fixed
        // nodes, seven drives.
        let mut rng = crate::random::Rng::new(9);
        let nodes = 40;
        let mut edges: Vec<[usize; 2]> = (0..nodes).map(|i| [i, (i + 1) % nodes]).collect();
        for i in (0..nodes).step_by(3) {
            edges.push([i, (i + 17) % nodes]);
        }
        let k: Vec<f64> = edges
            .iter()
            .map(|_| 10f64.powf(rng.uniform_in(-6.0, 6.0)))
            .collect();
        let constrained = [0, 21];
        let free_nodes: Vec<usize> = (0..nodes).filter(|n| !constrained.contains(n)).collect();
        let m = 7;
        let drives = faer::Mat::from_fn(nodes + 2, m, |_, _| rng.normal());
        let free = faer::Mat::from_fn(free_nodes.len(), m, |_, _| rng.normal());
        let residual = |split: bool| {
            let (mut rows, mut out) = (Vec::new(), faer::Mat::zeros(free_nodes.len(), m));
            let args = (
                &edges[..],
                &k[..],
                &free_nodes[..],
                &constrained[..],
                drives.as_ref(),
                free.as_ref(),
                &mut rows,
                out.as_mut(),
            );
            if split {
                free_residual_with::<false>(args);
            } else {
                let (e, k, f, c, d, v, r, o) = args;
                free_residual(e, k, f, c, d, v, r, o);
            }
            out
        };
        assert_eq!(residual(false), residual(true));
    }
}
