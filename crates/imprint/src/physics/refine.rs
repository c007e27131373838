//! Iterative refinement of the solves of THEORY.md section 1 with residuals
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

/// `a + b` exactly, as a rounded sum and its error (Knuth's TwoSum).
#[inline]
pub fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// `a * b` exactly, as a rounded product and its error (with a fused multiply-add).
#[inline]
pub fn two_product(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    (p, a.mul_add(b, -p))
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
    #[inline]
    pub fn add(self, hi: f64, lo: f64) -> Self {
        let (s, e) = two_sum(self.hi, hi);
        let e = e + self.lo + lo;
        let hi = s + e;
        Self {
            hi,
            lo: e - (hi - s),
        }
    }

    /// `k * (a - b)` to double-double accuracy (the current through an edge
    /// of conductance `k` between voltages `a` and `b`).
    #[inline]
    pub fn current(k: f64, a: f64, b: f64) -> Self {
        let (d, d_error) = two_sum(a, -b);
        let (p, p_error) = two_product(k, d);
        Self::default().add(p, p_error + k * d_error)
    }
}

/// Refinement steps at most: enough for `kappa` near `10^15`.
pub const MAX_STEPS: usize = 12;

/// The relative error of voltages that the solver certifies: above it, a
/// solve says how far it may be off ([`crate::physics::Solution::voltage_error`]).
pub const CERTIFIED: f64 = 1e-12;

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
}
