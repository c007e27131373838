//! Vertical colour bars with a label and readable tick values.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::colormap::{Colormap, Normalization, Scale};
use crate::{drawing, Result, FONT};

/// Tick values for a colour bar: multiples of 1, 2 or 5 times a power of ten
/// (linear), or powers of ten (log, when the range spans a decade).
pub(crate) fn ticks(norm: &Normalization) -> Vec<f64> {
    if norm.scale == Scale::Log && norm.max / norm.min >= 10.0 {
        let (lo, hi) = (
            norm.min.log10().ceil() as i32,
            norm.max.log10().floor() as i32,
        );
        let stride = ((hi - lo) / 6 + 1).max(1);
        return (lo..=hi)
            .step_by(stride as usize)
            .map(|p| 10f64.powi(p))
            .collect();
    }
    let span = norm.max - norm.min;
    if span.is_nan() || span <= 0.0 {
        return vec![norm.min];
    }
    let raw = span / 5.0;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|s| span / s <= 6.0)
        .unwrap_or(10.0 * power);
    let first = (norm.min / step).ceil() as i64;
    let last = (norm.max / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// Short text for a tick value.
pub(crate) fn tick_label(value: f64) -> String {
    if value == 0.0 {
        return "0".into();
    }
    let magnitude = value.abs();
    if !(1e-3..1e4).contains(&magnitude) {
        let text = format!("{value:.1e}");
        return text.replace(".0e", "e");
    }
    let text = format!("{value:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Text for a range end: two significant digits.
pub(crate) fn end_label(value: f64) -> String {
    if value == 0.0 {
        return "0".into();
    }
    let digits = (1 - value.abs().log10().floor() as i32).max(0) as usize;
    if (1e-3..1e4).contains(&value.abs()) {
        format!("{value:.digits$}")
    } else {
        format!("{value:.1e}").replace(".0e", "e")
    }
}

/// Draws a vertical colour bar filling `area`, with `label` above it.
pub(crate) fn draw_colorbar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    norm: &Normalization,
    colormap: Colormap,
    label: &str,
    font_px: u32,
) -> Result<()> {
    let (width, height) = area.dim_in_pixel();
    let font = (FONT, font_px).into_font();
    let small = (FONT, (font_px * 4 / 5).max(10)).into_font();
    // The label may be long: break it into lines that fit the strip.
    let mut lines: Vec<String> = Vec::new();
    for word in label.split_whitespace() {
        match lines.last_mut() {
            Some(line) if (line.len() + word.len() + 1) as u32 * font_px * 11 / 20 < width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    let line_height = font_px as i32 * 6 / 5;
    for (k, line) in lines.iter().enumerate() {
        area.draw(&Text::new(
            line.clone(),
            (4, 4 + k as i32 * line_height),
            font.clone(),
        ))
        .map_err(drawing)?;
    }
    let top = 16 + lines.len() as i32 * line_height;
    let bottom = height as i32 - font_px as i32;
    let (left, right) = (6, 6 + (width as i32 / 5).clamp(16, 32));
    if bottom <= top + 10 {
        return Ok(());
    }
    let span = (bottom - top) as f64;
    for y in top..bottom {
        let t = 1.0 - (y - top) as f64 / span;
        area.draw(&Rectangle::new(
            [(left, y), (right, y + 1)],
            colormap.color(t).filled(),
        ))
        .map_err(drawing)?;
    }
    area.draw(&Rectangle::new(
        [(left, top), (right, bottom)],
        BLACK.stroke_width(1),
    ))
    .map_err(drawing)?;
    // Round ticks, plus the two ends of the range when no tick is near them.
    let mut marks: Vec<(f64, String)> = ticks(norm)
        .into_iter()
        .map(|v| (v, tick_label(v)))
        .collect();
    for end in [norm.min, norm.max] {
        let near = marks
            .iter()
            .any(|(v, _)| (norm.apply(*v) - norm.apply(end)).abs() < 0.06);
        if !near {
            marks.push((end, end_label(end)));
        }
    }
    for (value, text) in marks {
        let y = bottom - (norm.apply(value) * span).round() as i32;
        area.draw(&PathElement::new(
            vec![(right, y), (right + 6, y)],
            BLACK.stroke_width(1),
        ))
        .map_err(drawing)?;
        let style = TextStyle::from(small.clone()).pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Left,
            plotters::style::text_anchor::VPos::Center,
        ));
        area.draw(&Text::new(text, (right + 9, y), style))
            .map_err(drawing)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_numbers_inside_the_range() {
        let linear = Normalization {
            min: 0.013,
            max: 0.987,
            scale: Scale::Linear,
        };
        assert_eq!(ticks(&linear), vec![0.2, 0.4, 0.6000000000000001, 0.8]);
        let log = Normalization {
            min: 3e-4,
            max: 20.0,
            scale: Scale::Log,
        };
        assert_eq!(ticks(&log), vec![1e-3, 1e-2, 1e-1, 1.0, 10.0]);
        assert_eq!(tick_label(0.6000000000000001), "0.6");
        assert_eq!(tick_label(1e-5), "1e-5");
        assert_eq!(tick_label(12345.0), "1.2e4");
        assert_eq!(end_label(0.0012345), "0.0012");
        assert_eq!(end_label(0.98765), "0.99");
        assert_eq!(end_label(47.0), "47");
    }
}
