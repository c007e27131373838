//! Colour maps and value normalisation. Viridis is the default: perceptually
//! uniform, readable in greyscale and by colour-blind readers.

use plotters::style::RGBColor;

/// A continuous colour map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Colormap {
    /// Matplotlib's viridis (dark purple to yellow).
    #[default]
    Viridis,
    /// A diverging blue-white-red map for signed quantities centred on zero.
    Diverging,
    /// Light grey to black (a second quantity over a coloured field).
    Greys,
}

/// Light grey to black.
const GREYS: [(f64, [f64; 3]); 2] = [(0.0, [0.85, 0.85, 0.85]), (1.0, [0.0, 0.0, 0.0])];

/// Viridis sampled at 0, 1/8, ..., 7/8, 15/16, 1 (matplotlib's table).
const VIRIDIS: [(f64, [f64; 3]); 10] = [
    (0.0, [0.267004, 0.004874, 0.329415]),
    (0.125, [0.282623, 0.140926, 0.457517]),
    (0.25, [0.229739, 0.322361, 0.545706]),
    (0.375, [0.172719, 0.448791, 0.557885]),
    (0.5, [0.127568, 0.566949, 0.550556]),
    (0.625, [0.134692, 0.658636, 0.517649]),
    (0.75, [0.266941, 0.748751, 0.440573]),
    (0.875, [0.477504, 0.821444, 0.318195]),
    (0.9375, [0.741388, 0.873449, 0.149561]),
    (1.0, [0.993248, 0.906157, 0.143936]),
];

/// Blue, white, red (ColorBrewer RdBu ends).
const DIVERGING: [(f64, [f64; 3]); 5] = [
    (0.0, [0.019608, 0.188235, 0.380392]),
    (0.25, [0.262745, 0.576471, 0.764706]),
    (0.5, [0.968627, 0.968627, 0.968627]),
    (0.75, [0.839216, 0.376471, 0.301961]),
    (1.0, [0.403922, 0.0, 0.121569]),
];

impl Colormap {
    /// Colour at `t` in `[0, 1]` (clamped).
    pub fn color(self, t: f64) -> RGBColor {
        let table: &[(f64, [f64; 3])] = match self {
            Self::Viridis => &VIRIDIS,
            Self::Diverging => &DIVERGING,
            Self::Greys => &GREYS,
        };
        let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
        let upper = table
            .iter()
            .position(|&(x, _)| x >= t)
            .unwrap_or(table.len() - 1)
            .max(1);
        let (x0, c0) = table[upper - 1];
        let (x1, c1) = table[upper];
        let w = if x1 > x0 { (t - x0) / (x1 - x0) } else { 0.0 };
        let channel = |k: usize| ((c0[k] + w * (c1[k] - c0[k])) * 255.0).round() as u8;
        RGBColor(channel(0), channel(1), channel(2))
    }
}

/// How values map onto `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scale {
    /// Linear between the smallest and largest value.
    #[default]
    Linear,
    /// Logarithmic (values must be positive).
    Log,
    /// Linear and symmetric about zero (for signed values with [`Colormap::Diverging`]).
    Symmetric,
}

/// A fitted map from values to `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Normalization {
    /// Value drawn at 0.
    pub min: f64,
    /// Value drawn at 1.
    pub max: f64,
    /// The scale.
    pub scale: Scale,
}

impl Normalization {
    /// Fits the range of the finite values (positive ones for a log scale).
    /// `None` when there is nothing to fit.
    pub fn fit(values: &[f64], scale: Scale) -> Option<Self> {
        let usable = values
            .iter()
            .copied()
            .filter(|v| v.is_finite() && (scale != Scale::Log || *v > 0.0));
        let (min, max) = usable.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        if !min.is_finite() {
            return None;
        }
        let (min, max) = match scale {
            Scale::Symmetric => {
                let m = min.abs().max(max.abs()).max(f64::MIN_POSITIVE);
                (-m, m)
            }
            _ => (min, max),
        };
        Some(Self { min, max, scale })
    }

    /// Position of `value` in `[0, 1]`.
    pub fn apply(&self, value: f64) -> f64 {
        let t = match self.scale {
            Scale::Log => {
                (value.max(self.min).ln() - self.min.ln()) / (self.max.ln() - self.min.ln())
            }
            _ => (value - self.min) / (self.max - self.min),
        };
        if t.is_finite() {
            t.clamp(0.0, 1.0)
        } else {
            0.5
        }
    }

    /// Value at position `t` in `[0, 1]` (the inverse of [`apply`](Self::apply)).
    pub fn value_at(&self, t: f64) -> f64 {
        match self.scale {
            Scale::Log => (self.min.ln() + t * (self.max.ln() - self.min.ln())).exp(),
            _ => self.min + t * (self.max - self.min),
        }
    }
}

/// Distinct colours for categories (Tableau 10), cycling.
pub fn category_color(index: usize) -> RGBColor {
    const TABLEAU: [RGBColor; 10] = [
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(127, 127, 127),
        RGBColor(188, 189, 34),
        RGBColor(23, 190, 207),
    ];
    TABLEAU[index % TABLEAU.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_ends_and_normalisation() {
        assert_eq!(Colormap::Viridis.color(0.0), RGBColor(68, 1, 84));
        assert_eq!(Colormap::Viridis.color(1.0), RGBColor(253, 231, 37));
        // Lightness rises monotonically along viridis.
        let luma = |c: RGBColor| 0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64;
        let mut previous = -1.0;
        for k in 0..=100 {
            let l = luma(Colormap::Viridis.color(k as f64 / 100.0));
            assert!(l > previous, "step {k}");
            previous = l;
        }
        let n = Normalization::fit(&[1.0, 10.0, 100.0, f64::NAN, -5.0], Scale::Log).unwrap();
        assert_eq!((n.min, n.max), (1.0, 100.0));
        assert!((n.apply(10.0) - 0.5).abs() < 1e-12);
        assert!((n.value_at(0.5) - 10.0).abs() < 1e-9);
        let s = Normalization::fit(&[-1.0, 3.0], Scale::Symmetric).unwrap();
        assert_eq!((s.min, s.max), (-3.0, 3.0));
        assert!(Normalization::fit(&[f64::NAN], Scale::Linear).is_none());
    }
}
