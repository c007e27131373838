//! Charts of the analysis: lines, markers and step histograms on linear or
//! logarithmic axes, an optional raster background (classification decision
//! regions), a legend and notes. Log axes draw `log10` of the data on a linear
//! axis labelled with powers of ten, so one coordinate type serves every
//! combination of scales.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub use crate::series::{Series, Style};
use crate::ticks::{axis_label, axis_ticks, Ticked};
use crate::{drawing, Figure, Result, FONT};

/// Scale of a chart axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Axis {
    /// Linear.
    #[default]
    Linear,
    /// Base-10 logarithmic; non-positive values are left out.
    Log,
}

impl Axis {
    pub(crate) fn forward(self, v: f64) -> Option<f64> {
        match self {
            Axis::Linear => v.is_finite().then_some(v),
            Axis::Log => (v.is_finite() && v > 0.0).then(|| v.log10()),
        }
    }
}

/// A grid of coloured cells behind the data (e.g. decision regions).
#[derive(Debug, Clone, PartialEq)]
pub struct Raster {
    /// x range covered.
    pub x: [f64; 2],
    /// y range covered.
    pub y: [f64; 2],
    /// Cell colours, rows from bottom to top, each row from left to right.
    pub cells: Vec<Vec<RGBColor>>,
}

/// A chart with axes, series, legend and notes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Chart {
    /// Title above the chart.
    pub title: String,
    /// x-axis label with units.
    pub x_label: String,
    /// y-axis label with units.
    pub y_label: String,
    /// x scale.
    pub x_axis: Axis,
    /// y scale.
    pub y_axis: Axis,
    /// Fixed x range (data units); fitted to the data when `None`.
    pub x_range: Option<[f64; 2]>,
    /// Fixed y range (data units); fitted to the data when `None`.
    pub y_range: Option<[f64; 2]>,
    /// The data.
    pub series: Vec<Series>,
    /// Background cells.
    pub raster: Option<Raster>,
    /// Lines of text in the upper-left corner of the plot (numbers worth reading).
    pub notes: Vec<String>,
    /// Where the legend goes.
    pub legend: LegendPosition,
    /// Top-left corner of the notes as fractions `[x, y]` of the plot area
    /// from its top-left corner (`[0, 0]`: the corner itself).
    pub notes_position: [f64; 2],
    /// Tick values of the x axis (data units) instead of the automatic ones,
    /// e.g. the values a sweep ran at.
    pub x_ticks: Option<Vec<f64>>,
}

/// Legend placement inside the plot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LegendPosition {
    /// Upper right.
    #[default]
    UpperRight,
    /// Lower right.
    LowerRight,
    /// Upper left.
    UpperLeft,
    /// Lower left.
    LowerLeft,
}

impl Chart {
    /// An empty chart with a title and axis labels.
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
    ) -> Self {
        Self {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            ..Self::default()
        }
    }

    /// The same chart with axis scales.
    pub fn with_axes(mut self, x: Axis, y: Axis) -> Self {
        self.x_axis = x;
        self.y_axis = y;
        self
    }

    fn fitted_range(&self, fixed: Option<[f64; 2]>, axis: Axis, coordinate: usize) -> [f64; 2] {
        if let Some([a, b]) = fixed {
            if let (Some(a), Some(b)) = (axis.forward(a), axis.forward(b)) {
                if b > a {
                    return [a, b];
                }
            }
        }
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for v in self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(move |p| p[coordinate]))
            .filter_map(|v| axis.forward(v))
        {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if let Some(r) = &self.raster {
            let span = if coordinate == 0 { r.x } else { r.y };
            for v in span.iter().filter_map(|&v| axis.forward(v)) {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        if !lo.is_finite() {
            return [0.0, 1.0];
        }
        if hi - lo <= 1e-12 * lo.abs().max(1.0) {
            let half = if axis == Axis::Log {
                0.5
            } else {
                0.5 * lo.abs().max(1.0)
            };
            return [lo - half, hi + half];
        }
        let pad = 0.04 * (hi - lo);
        // Headroom above the data for the notes in the upper corner.
        let top = if coordinate == 1 && self.notes_position == [0.0, 0.0] {
            0.07 * self.notes.len() as f64 * (hi - lo)
        } else {
            0.0
        };
        [lo - pad, hi + pad + top]
    }
}

impl Figure for Chart {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE).map_err(drawing)?;
        let (width, height) = area.dim_in_pixel();
        let font_px = (width.min(height) / 28).clamp(12, 26);
        self.draw_with_font(area, font_px)
    }
}

impl Chart {
    pub(crate) fn draw_with_font<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        font_px: u32,
    ) -> Result<()> {
        let x = self.fitted_range(self.x_range, self.x_axis, 0);
        let y = self.fitted_range(self.y_range, self.y_axis, 1);
        let font = (FONT, font_px).into_font();
        let mut builder = ChartBuilder::on(area);
        builder
            .margin(font_px)
            .margin_right(font_px * 2)
            .x_label_area_size(font_px * 3)
            .y_label_area_size(font_px * 4);
        if !self.title.is_empty() {
            builder.caption(
                self.title.clone(),
                (FONT, font_px + 4).into_font().style(FontStyle::Bold),
            );
        }
        let (x_axis, y_axis) = (self.x_axis, self.y_axis);
        let (mut x_bold, x_light) = axis_ticks(x_axis, x);
        if let Some(values) = &self.x_ticks {
            x_bold = values
                .iter()
                .filter_map(|&v| x_axis.forward(v))
                .filter(|t| (x[0]..=x[1]).contains(t))
                .collect();
        }
        let (y_bold, y_light) = axis_ticks(y_axis, y);
        let (x_count, y_count) = (x_bold.len(), y_bold.len());
        let mut chart = builder
            .build_cartesian_2d(
                Ticked {
                    range: x,
                    bold: x_bold,
                    light: x_light,
                },
                Ticked {
                    range: y,
                    bold: y_bold,
                    light: y_light,
                },
            )
            .map_err(drawing)?;
        let (x_span, y_span) = (x[1] - x[0], y[1] - y[0]);
        let x_format = move |t: &f64| axis_label(x_axis, x_span, *t);
        let y_format = move |t: &f64| axis_label(y_axis, y_span, *t);
        chart
            .configure_mesh()
            .x_desc(self.x_label.clone())
            .y_desc(self.y_label.clone())
            .axis_desc_style(font.clone())
            .label_style((FONT, font_px * 9 / 10).into_font())
            .x_labels(x_count.max(1))
            .y_labels(y_count.max(1))
            .x_label_formatter(&x_format)
            .y_label_formatter(&y_format)
            .light_line_style(RGBColor(240, 240, 240))
            .bold_line_style(RGBColor(215, 215, 215))
            .draw()
            .map_err(drawing)?;

        if let Some(raster) = &self.raster {
            let rows = raster.cells.len().max(1) as f64;
            for (r, row) in raster.cells.iter().enumerate() {
                let cols = row.len().max(1) as f64;
                for (c, color) in row.iter().enumerate() {
                    let x0 = raster.x[0] + (raster.x[1] - raster.x[0]) * c as f64 / cols;
                    let x1 = raster.x[0] + (raster.x[1] - raster.x[0]) * (c + 1) as f64 / cols;
                    let y0 = raster.y[0] + (raster.y[1] - raster.y[0]) * r as f64 / rows;
                    let y1 = raster.y[0] + (raster.y[1] - raster.y[0]) * (r + 1) as f64 / rows;
                    let corners = [(x0, y0), (x1, y1)].map(|(a, b)| {
                        (
                            x_axis.forward(a).unwrap_or(x[0]),
                            y_axis.forward(b).unwrap_or(y[0]),
                        )
                    });
                    chart
                        .draw_series(std::iter::once(Rectangle::new(corners, color.filled())))
                        .map_err(drawing)?;
                }
            }
        }

        let line_width = (font_px / 7).max(2);
        for series in &self.series {
            let points: Vec<(f64, f64)> = series
                .points
                .iter()
                .filter_map(|p| Some((x_axis.forward(p[0])?, y_axis.forward(p[1])?)))
                .collect();
            let color = series.color;
            let size = if series.size > 0 {
                series.size
            } else if matches!(series.style, Style::Markers | Style::OpenMarkers) {
                (font_px / 5).max(2)
            } else {
                line_width
            };
            let drawn = match series.style {
                Style::Line => chart
                    .draw_series(LineSeries::new(points, color.stroke_width(size)))
                    .map_err(drawing)?,
                Style::Dashed => chart
                    .draw_series(DashedLineSeries::new(
                        points,
                        (3 * size) as i32 + 4,
                        (2 * size) as i32 + 2,
                        color.stroke_width(size),
                    ))
                    .map_err(drawing)?,
                Style::Markers => chart
                    .draw_series(
                        points
                            .into_iter()
                            .map(|p| Circle::new(p, size as i32, color.mix(0.75).filled())),
                    )
                    .map_err(drawing)?,
                Style::OpenMarkers => chart
                    .draw_series(
                        points
                            .into_iter()
                            .map(|p| Circle::new(p, size as i32, color.stroke_width(2))),
                    )
                    .map_err(drawing)?,
            };
            if !series.label.is_empty() {
                let style = series.style;
                let r = (font_px / 3) as i32;
                drawn.label(series.label.clone()).legend(move |(px, py)| {
                    let shape: DynElement<'static, DB, (i32, i32)> = match style {
                        Style::Markers => Circle::new((px + r, py), r, color.filled()).into_dyn(),
                        Style::OpenMarkers => {
                            Circle::new((px + r, py), r, color.stroke_width(2)).into_dyn()
                        }
                        _ => PathElement::new(
                            vec![(px, py), (px + 3 * r, py)],
                            color.stroke_width(line_width),
                        )
                        .into_dyn(),
                    };
                    shape
                });
            }
        }
        if self.series.iter().any(|s| !s.label.is_empty()) {
            chart
                .configure_series_labels()
                .position(match self.legend {
                    LegendPosition::UpperRight => SeriesLabelPosition::UpperRight,
                    LegendPosition::LowerRight => SeriesLabelPosition::LowerRight,
                    LegendPosition::UpperLeft => SeriesLabelPosition::UpperLeft,
                    LegendPosition::LowerLeft => SeriesLabelPosition::LowerLeft,
                })
                .label_font((FONT, font_px * 9 / 10).into_font())
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(150, 150, 150))
                .draw()
                .map_err(drawing)?;
        }
        if !self.notes.is_empty() {
            let plot = chart.plotting_area();
            let style = TextStyle::from((FONT, font_px * 9 / 10).into_font())
                .pos(Pos::new(HPos::Left, VPos::Top));
            let (w, h) = plot.dim_in_pixel();
            let corner = match (self.legend, self.notes_position) {
                (LegendPosition::UpperLeft, [x, y]) if x == 0.0 && y == 0.0 => {
                    // Keep clear of the legend: notes go to the lower left.
                    (
                        font_px as i32 / 2,
                        h as i32 - (self.notes.len() as i32 + 1) * font_px as i32,
                    )
                }
                (_, [x, y]) => (
                    font_px as i32 / 2 + (x * w as f64) as i32,
                    font_px as i32 / 2 + (y * h as f64) as i32,
                ),
            };
            let line = font_px as i32 * 6 / 5;
            let longest = self
                .notes
                .iter()
                .map(|n| n.chars().count())
                .max()
                .unwrap_or(0) as i32;
            let plain = plot.strip_coord_spec();
            // A translucent box keeps the notes legible over the data.
            plain
                .draw(&Rectangle::new(
                    [
                        (corner.0 - 4, corner.1 - 3),
                        (
                            corner.0 + longest * font_px as i32 * 11 / 20 + 4,
                            corner.1 + self.notes.len() as i32 * line + 2,
                        ),
                    ],
                    WHITE.mix(0.8).filled(),
                ))
                .map_err(drawing)?;
            for (k, note) in self.notes.iter().enumerate() {
                plain
                    .draw(&Text::new(
                        note.clone(),
                        (corner.0, corner.1 + k as i32 * line),
                        style.clone(),
                    ))
                    .map_err(drawing)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_counts_every_value_once() {
        let values = [1e-3, 2e-3, 1e-1, 1.0, 10.0, -1.0, 0.0];
        let s = Series::histogram("", &values, [1e-3, 10.0], 4, Axis::Log, BLACK);
        // Each bin contributes two points with its count; the total counts the positive values in range.
        let total: f64 = s.points[1..s.points.len() - 1]
            .chunks(2)
            .map(|pair| pair[0][1])
            .sum();
        assert_eq!(total, 5.0);
        assert!((s.points[0][0] - 1e-3).abs() < 1e-15);
    }
}
