//! The legend of a network drawing: node roles, sector categories,
//! current arrows and coloured edge sets, wrapped onto lines.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::geometry::draw_arrow;
use crate::network::{Marker, NetworkFigure};
use crate::{drawing, Result, FONT};

impl NetworkFigure<'_> {
    /// Legend entries: the symbol to draw and the text after it.
    pub(crate) fn legend_entries(&self) -> Vec<(LegendSymbol, String)> {
        let mut entries: Vec<(LegendSymbol, String)> = self
            .roles
            .iter()
            .map(|role| {
                (
                    LegendSymbol::Marker(role.color, role.marker),
                    format!("{} ({})", role.label, role.nodes.len()),
                )
            })
            .collect();
        if let Some((_, label)) = &self.node_categories {
            entries.push((LegendSymbol::Categories, label.clone()));
        }
        if self.currents.is_some() {
            entries.push((LegendSymbol::Arrow, "current".into()));
        }
        for set in &self.edge_sets {
            entries.push((
                LegendSymbol::Line(set.color),
                format!("{} ({})", set.label, set.edges.len()),
            ));
        }
        entries
    }

    /// Position of every legend entry, wrapping to new lines within `width`;
    /// returns the positions and the number of lines.
    pub(crate) fn legend_layout(&self, width: u32, font_px: u32) -> (Vec<(i32, i32)>, u32) {
        let size = (font_px / 2) as i32;
        let start = font_px as i32;
        let (mut x, mut line) = (start, 0);
        let mut positions = Vec::new();
        for (_, text) in self.legend_entries() {
            let advance = size + 6 + (text.chars().count() as i32 + 3) * font_px as i32 * 11 / 20;
            if x > start && x + advance > width as i32 {
                x = start;
                line += 1;
            }
            positions.push((x, font_px as i32 + line * (font_px as i32 * 8 / 5)));
            x += advance;
        }
        let lines = if positions.is_empty() {
            0
        } else {
            line as u32 + 1
        };
        (positions, lines)
    }

    pub(crate) fn draw_legend<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        font_px: u32,
    ) -> Result<()> {
        let size = (font_px / 2) as i32;
        let font =
            TextStyle::from((FONT, font_px).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
        let (positions, _) = self.legend_layout(area.dim_in_pixel().0, font_px);
        for ((symbol, text), (x, y)) in self.legend_entries().into_iter().zip(positions) {
            match symbol {
                LegendSymbol::Marker(color, marker) => {
                    draw_marker(area, (x, y), size, color, marker)?
                }
                LegendSymbol::Categories => {
                    for k in 0..3 {
                        area.draw(&Circle::new(
                            (x - size + k * size, y),
                            size / 2 + 1,
                            crate::colormap::category_color(k as usize).filled(),
                        ))
                        .map_err(drawing)?;
                    }
                }
                LegendSymbol::Arrow => draw_arrow(
                    area,
                    (x - 2 * size, y),
                    (x + 2 * size, y),
                    size + 2,
                    RGBColor(30, 30, 30),
                )?,
                LegendSymbol::Line(color) => area
                    .draw(&PathElement::new(
                        vec![(x - size, y), (x + size, y)],
                        color.stroke_width(4),
                    ))
                    .map_err(drawing)?,
            }
            area.draw(&Text::new(text, (x + size + 6, y), font.clone()))
                .map_err(drawing)?;
        }
        Ok(())
    }
}

/// What a legend entry shows before its text.
pub(crate) enum LegendSymbol {
    Marker(RGBColor, Marker),
    Categories,
    Arrow,
    Line(RGBColor),
}

/// A filled marker of half-size `size` with a black outline.
pub(crate) fn draw_marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    size: i32,
    color: RGBColor,
    marker: Marker,
) -> Result<()> {
    let outline = BLACK.stroke_width(2);
    let points: Vec<(i32, i32)> = match marker {
        Marker::Circle => {
            area.draw(&Circle::new((x, y), size, color.filled()))
                .map_err(drawing)?;
            return area
                .draw(&Circle::new((x, y), size, outline))
                .map_err(drawing);
        }
        Marker::Square => vec![
            (x - size, y - size),
            (x + size, y - size),
            (x + size, y + size),
            (x - size, y + size),
        ],
        Marker::Triangle => vec![
            (x, y - size - size / 3),
            (x + size + size / 4, y + size),
            (x - size - size / 4, y + size),
        ],
        Marker::Diamond => vec![
            (x, y - size - size / 3),
            (x + size, y),
            (x, y + size + size / 3),
            (x - size, y),
        ],
    };
    area.draw(&Polygon::new(points.clone(), color.filled()))
        .map_err(drawing)?;
    let mut closed = points;
    closed.push(closed[0]);
    area.draw(&PathElement::new(closed, outline))
        .map_err(drawing)
}
