//! Ticks of chart axes: one rule for every chart, so that panels side by
//! side read alike. Log axes draw `log10` of the data; they are ticked at
//! powers of ten from three decades up and at 1, 2 and 5 times a power of
//! ten below; linear axes at 1, 2 or 5 times a power of ten.

use plotters::prelude::Ranged;

use crate::chart::Axis;

/// Unicode superscript of an integer (DejaVu Sans has every glyph).
pub(crate) fn superscript(n: i32) -> String {
    n.to_string()
        .chars()
        .map(|c| match c {
            '-' => '\u{207B}',
            '0' => '\u{2070}',
            '1' => '\u{00B9}',
            '2' => '\u{00B2}',
            '3' => '\u{00B3}',
            d => char::from_u32(0x2070 + d.to_digit(10).unwrap_or(0)).unwrap_or(d),
        })
        .collect()
}

/// Spans (in decades) from which a log axis is ticked at powers of ten;
/// below it at 1, 2 and 5 times a power of ten. One rule for every chart,
/// so that panels side by side read alike.
const DECADE_TICKS_FROM: f64 = 3.0;

/// Positions of an axis's labelled ticks and of its light grid lines, in
/// drawing coordinates (`log10` of the value on log axes), for the drawn
/// range `[lo, hi]`.
pub(crate) fn axis_ticks(axis: Axis, [lo, hi]: [f64; 2]) -> (Vec<f64>, Vec<f64>) {
    let inside = |t: &f64| *t >= lo - 1e-9 * (hi - lo) && *t <= hi + 1e-9 * (hi - lo);
    match axis {
        Axis::Log if hi - lo >= DECADE_TICKS_FROM => {
            let (first, last) = (lo.ceil() as i32, hi.floor() as i32);
            let stride = ((last - first) / 8 + 1).max(1);
            let bold: Vec<f64> = (first..=last)
                .filter(|p| (p - first) % stride == 0)
                .map(f64::from)
                .collect();
            let light = (lo.floor() as i32..=hi.ceil() as i32)
                .flat_map(|p| (1..10).map(move |m| f64::from(p) + f64::from(m).log10()))
                .filter(inside)
                .collect();
            (bold, if stride == 1 { light } else { Vec::new() })
        }
        Axis::Log => {
            let decades = lo.floor() as i32 - 1..=hi.ceil() as i32;
            let at = |multiples: &[f64]| -> Vec<f64> {
                decades
                    .clone()
                    .flat_map(|p| multiples.iter().map(move |m| f64::from(p) + m.log10()))
                    .filter(inside)
                    .collect()
            };
            let bold = at(&[1.0, 2.0, 5.0]);
            let light = at(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
            if bold.len() >= 3 {
                (bold, light)
            } else {
                // Less than about half a decade: even steps of the value.
                let values = linear_ticks(10f64.powf(lo), 10f64.powf(hi));
                (values.iter().map(|v| v.log10()).collect(), Vec::new())
            }
        }
        Axis::Linear => {
            let bold = linear_ticks(lo, hi);
            let step = match bold.as_slice() {
                [a, b, ..] => (b - a) / 5.0,
                _ => return (bold, Vec::new()),
            };
            let first = (lo / step).ceil() as i64;
            let last = (hi / step).floor() as i64;
            let light = (first..=last).map(|k| k as f64 * step).collect();
            (bold, light)
        }
    }
}

/// A linear coordinate (of `log10` on log axes) with the ticks of
/// [`axis_ticks`]: plotters' own choice depends on the span, so panels side
/// by side were ticked differently.
pub(crate) struct Ticked {
    pub(crate) range: [f64; 2],
    pub(crate) bold: Vec<f64>,
    pub(crate) light: Vec<f64>,
}

impl Ranged for Ticked {
    type ValueType = f64;
    // The labels come from `axis_label` through the mesh's formatters.
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;

    fn range(&self) -> std::ops::Range<f64> {
        self.range[0]..self.range[1]
    }

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let [lo, hi] = self.range;
        let fraction = (value - lo) / (hi - lo);
        let pixels = f64::from(limit.1 - limit.0);
        limit.0 + (pixels * fraction + 1e-3).floor().clamp(-1e6, 1e6) as i32
    }

    fn key_points<H: plotters::coord::ranged1d::KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.light.clone()
        } else {
            self.bold.clone()
        }
    }
}

/// Multiples of 1, 2 or 5 times a power of ten in `[lo, hi]`, at most eight.
fn linear_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let span = hi - lo;
    if !(span > 0.0 && span.is_finite()) {
        return vec![lo];
    }
    let power = 10f64.powf((span / 6.0).log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|s| span / s <= 7.0)
        .unwrap_or(10.0 * power);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last)
        .map(|k| {
            // Exactly zero, not 1e-17, where the axis crosses it.
            let v = k as f64 * step;
            if v.abs() < 1e-9 * step {
                0.0
            } else {
                v
            }
        })
        .collect()
}

/// Tick text of an axis position (a `log10` for log axes) on an axis whose
/// drawn range spans `span`.
pub(crate) fn axis_label(axis: Axis, span: f64, t: f64) -> String {
    match axis {
        Axis::Log if span >= DECADE_TICKS_FROM && (t - t.round()).abs() < 1e-6 => {
            format!("10{}", superscript(t.round() as i32))
        }
        Axis::Log if span >= DECADE_TICKS_FROM => String::new(),
        Axis::Log => {
            // The ticks are 1, 2, 5 times a power of ten (or even steps):
            // rounding to three significant digits gives their exact text.
            let v = 10f64.powf(t);
            let digits = 3 - v.log10().floor() as i32 - 1;
            let rounded = (v * 10f64.powi(digits)).round() / 10f64.powi(digits);
            crate::colorbar::tick_label(rounded)
        }
        Axis::Linear => crate::colorbar::tick_label(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ticks_read_as_powers_of_ten() {
        assert_eq!(axis_label(Axis::Log, 10.0, -3.0), "10\u{207B}\u{00B3}");
        assert_eq!(axis_label(Axis::Log, 10.0, 2.5), "");
        assert_eq!(axis_label(Axis::Linear, 1.0, 0.5), "0.5");
        assert_eq!(axis_label(Axis::Log, 1.0, 2f64.log10()), "2");
        assert_eq!(axis_label(Axis::Log, 1.0, 0.05f64.log10()), "0.05");
        assert_eq!(axis_label(Axis::Log, 1.0, 2e-5f64.log10()), "2e-5");
        assert_eq!(superscript(10), "\u{00B9}\u{2070}");
    }

    #[test]
    fn every_log_axis_is_ticked_by_one_rule() {
        let values = |axis, range| -> Vec<f64> {
            let (bold, _) = axis_ticks(axis, range);
            bold.iter()
                .map(|t| (10f64.powf(*t) * 1e6).round() / 1e6)
                .collect()
        };
        // Over three decades: every power of ten (or every other beyond eight).
        assert_eq!(
            values(Axis::Log, [-6.2, 0.3]),
            [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1.0]
        );
        let wide = axis_ticks(Axis::Log, [-12.0, 6.0]).0;
        assert_eq!(wide.first(), Some(&-12.0));
        assert!(wide.windows(2).all(|w| w[1] - w[0] == 3.0));
        // Shorter spans: 1, 2 and 5 times a power of ten, whatever the span,
        // so that the panels of one figure read alike (plotters' own ticks
        // had put 3.2 / 0.32 beside 25 / 16 / 6.3).
        assert_eq!(values(Axis::Log, [-0.6, 0.45]), [0.5, 1.0, 2.0]);
        assert_eq!(values(Axis::Log, [0.35, 1.45]), [5.0, 10.0, 20.0]);
        assert_eq!(
            values(Axis::Log, [-1.6, 0.8]),
            [0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0]
        );
        // A sliver of a decade: even steps of the value.
        assert_eq!(
            values(Axis::Log, [0.0, 0.1]),
            [1.0, 1.05, 1.1, 1.15, 1.2, 1.25]
        );
        let linear = axis_ticks(Axis::Linear, [-0.05, 1.3]).0;
        let expected = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2];
        assert_eq!(linear.len(), expected.len());
        for (t, e) in linear.iter().zip(expected) {
            assert!((t - e).abs() < 1e-12, "{linear:?}");
        }
    }
}
