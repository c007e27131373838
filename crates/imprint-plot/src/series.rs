//! The data series of a chart: lines, dashed reference curves, markers and
//! step histograms (binned on a linear or a logarithmic axis).

use plotters::prelude::*;

use crate::chart::Axis;

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Style {
    /// Straight segments between consecutive points.
    #[default]
    Line,
    /// Dashed segments (reference curves).
    Dashed,
    /// Filled circles.
    Markers,
    /// Open circles (a second marker set, distinguishable in greyscale).
    OpenMarkers,
}

/// One data series.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend text (empty: not in the legend).
    pub label: String,
    /// The points `[x, y]`.
    pub points: Vec<[f64; 2]>,
    /// How to draw them.
    pub style: Style,
    /// Colour.
    pub color: RGBColor,
    /// Line width or marker radius in pixels (0 picks one from the font size).
    pub size: u32,
}

impl Series {
    /// A line of `color`.
    pub fn line(label: impl Into<String>, points: Vec<[f64; 2]>, color: RGBColor) -> Self {
        Self {
            label: label.into(),
            points,
            style: Style::Line,
            color,
            size: 0,
        }
    }

    /// Filled markers of `color`.
    pub fn markers(label: impl Into<String>, points: Vec<[f64; 2]>, color: RGBColor) -> Self {
        Self {
            style: Style::Markers,
            ..Self::line(label, points, color)
        }
    }

    /// The same series drawn with `style`.
    pub fn with_style(mut self, style: Style) -> Self {
        self.style = style;
        self
    }

    /// The same series with line width or marker radius `size` pixels.
    pub fn with_size(mut self, size: u32) -> Self {
        self.size = size;
        self
    }

    /// A step outline of the histogram of `values` in `bins` equal bins
    /// (equal in `log10` on a log axis) between `range`; y is the count.
    pub fn histogram(
        label: impl Into<String>,
        values: &[f64],
        range: [f64; 2],
        bins: usize,
        axis: Axis,
        color: RGBColor,
    ) -> Self {
        let bins = bins.max(1);
        let (lo, hi) = match (axis.forward(range[0]), axis.forward(range[1])) {
            (Some(a), Some(b)) if b > a => (a, b),
            _ => (0.0, 1.0),
        };
        let mut counts = vec![0usize; bins];
        for v in values.iter().filter_map(|&v| axis.forward(v)) {
            let k = (((v - lo) / (hi - lo)) * bins as f64).floor();
            if k >= 0.0 && (k as usize) < bins {
                counts[k as usize] += 1;
            } else if (v - hi).abs() <= 1e-12 * (hi - lo) {
                counts[bins - 1] += 1;
            }
        }
        let back = |t: f64| match axis {
            Axis::Linear => t,
            Axis::Log => 10f64.powf(t),
        };
        let width = (hi - lo) / bins as f64;
        let mut points = vec![[back(lo), 0.0]];
        for (k, &c) in counts.iter().enumerate() {
            let (a, b) = (lo + k as f64 * width, lo + (k + 1) as f64 * width);
            points.push([back(a), c as f64]);
            points.push([back(b), c as f64]);
        }
        points.push([back(hi), 0.0]);
        Self::line(label, points, color)
    }
}
