//! The bound of conjugate gradients preconditioned by a kept factor, from
//! the conductance ratios alone (docs/theory.md section 1; the argument is
//! in [`super`]'s docs).

use super::{deviation, STATIONARY_DEVIATION};

/// What the conductance ratios `r_e = k_e / k_ref,e` say of conjugate
/// gradients on `L(k)` preconditioned by the factor of `L(k_ref)` before
/// solving (the argument: `physics::kept_factor`'s module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeptFactorBound {
    /// Steps to reduce the error's energy norm by the requested factor, at
    /// most: `p+ + p- + s` for the best split.
    pub steps: f64,
    /// `[r_min, r_max]`: every eigenvalue of the pencil lies inside, so
    /// `r_max / r_min` bounds its condition number.
    pub ratio_range: [f64; 2],
    /// The inliers' ratio range `[lo, hi]` of the best split.
    pub inliers: [f64; 2],
    /// The outliers of the best split: ratios above `hi`, below `lo`.
    pub outliers: [usize; 2],
}

/// Bins of `|r_e - 1|` by binary exponent: `[2^-64, 2^-63)` (and below,
/// zero included) up to `[2^15, 2^16)` (and above).
const LOWEST_EXPONENT: i32 = -64;
const BINS: usize = 80;

/// The bound of conjugate gradients on `L(conductance)` preconditioned by
/// the factor of `L(factored)`, to reduce the error's energy norm by
/// `tolerance` (`physics::kept_factor`'s module docs). A first pass finds
/// `[r_min, r_max]`; when some ratio deviates from 1 by more than
/// `1e-6` (`STATIONARY_DEVIATION`), a second bins the ratios by the binary
/// exponent of `|r_e - 1|` and tries every bin edge `2^b` as the split, the
/// inliers' interval being `[max(r_min, 1 - 2^b), min(r_max, 1 + 2^b)]`
/// (below, where solves refine with the factor alone, the bound is the
/// unsplit one). Both vectors must be positive and of one length.
pub fn kept_factor_bound(conductance: &[f64], factored: &[f64], tolerance: f64) -> KeptFactorBound {
    let range = ratio_range(conductance, factored);
    split_bound(conductance, factored, tolerance, range)
}

/// `[r_min, r_max]` of the ratios `r_e = k_e / k_ref,e` (the first pass
/// of [`kept_factor_bound`]).
pub(super) fn ratio_range(conductance: &[f64], factored: &[f64]) -> [f64; 2] {
    debug_assert_eq!(conductance.len(), factored.len());
    let (r_min, r_max) =
        conductance
            .iter()
            .zip(factored)
            .fold((f64::INFINITY, 0.0f64), |(lo, hi), (&k, &k_ref)| {
                let r = k / k_ref;
                (lo.min(r), hi.max(r))
            });
    [r_min, r_max]
}

/// [`kept_factor_bound`] after its first pass gave `[r_min, r_max]`.
pub(super) fn split_bound(
    conductance: &[f64],
    factored: &[f64],
    tolerance: f64,
    [r_min, r_max]: [f64; 2],
) -> KeptFactorBound {
    let target = (tolerance / 2.0).ln();
    // Steps for `outliers` (above, below) and inliers in `[lo, hi]`.
    let steps = |outliers: [usize; 2], lo: f64, hi: f64| {
        // Amplification of the polynomial that vanishes at the outliers
        // below `lo`, on `[lo, hi]` (logarithm).
        let amplification = outliers[1] as f64 * (hi / r_min - 1.0).max(1.0).ln();
        let kappa = hi / lo;
        let q = (kappa.sqrt() - 1.0) / (kappa.sqrt() + 1.0);
        // With every inlier ratio equal, one step settles them.
        let chebyshev = if q > 0.0 {
            ((target - amplification) / q.ln()).max(1.0)
        } else {
            1.0
        };
        (outliers[0] + outliers[1]) as f64 + chebyshev
    };
    let mut best = KeptFactorBound {
        steps: if conductance.is_empty() {
            0.0
        } else {
            steps([0, 0], r_min, r_max)
        },
        ratio_range: [r_min, r_max],
        inliers: [r_min, r_max],
        outliers: [0, 0],
    };
    if deviation([r_min, r_max]) <= STATIONARY_DEVIATION {
        return best;
    }
    // Ratios above and below 1 per bin of floor(log2 |r_e - 1|), read
    // from the exponent bits (subnormals and zero land in the lowest bin).
    // Four interleaved histograms, so that consecutive edges in one bin
    // do not wait on each other's counts (slot `2 bin + 1` above 1, `2 bin`
    // below; a ratio of exactly 1 counts in neither).
    let mut counts = [[0u32; 2 * BINS]; 4];
    for (lane, (&k, &k_ref)) in conductance.iter().zip(factored).enumerate() {
        let r = k / k_ref;
        let exponent = (((r - 1.0).abs().to_bits() >> 52) & 0x7ff) as i32 - 1023;
        let bin = (exponent - LOWEST_EXPONENT).clamp(0, BINS as i32 - 1) as usize;
        counts[lane & 3][2 * bin + usize::from(r > 1.0)] += u32::from(r != 1.0);
    }
    let count = |slot: usize| counts.iter().map(|c| c[slot] as usize).sum::<usize>();
    let above: Vec<usize> = (0..BINS).map(|b| count(2 * b + 1)).collect();
    let below: Vec<usize> = (0..BINS).map(|b| count(2 * b)).collect();
    // Inliers: the bins up to `top`, whose deviations are below
    // `2^(top + 1 + LOWEST_EXPONENT)`; outliers: those above.
    let mut outliers = [above.iter().sum::<usize>(), below.iter().sum::<usize>()];
    for top in 0..BINS - 1 {
        outliers[0] -= above[top];
        outliers[1] -= below[top];
        let edge = 2f64.powi(top as i32 + 1 + LOWEST_EXPONENT);
        let (lo, hi) = (r_min.max(1.0 - edge), r_max.min(1.0 + edge));
        if lo <= 0.0 {
            break;
        }
        let candidate = steps(outliers, lo, hi);
        if candidate < best.steps {
            best = KeptFactorBound {
                steps: candidate,
                ratio_range: [r_min, r_max],
                inliers: [lo, hi],
                outliers,
            };
        }
    }
    best
}
