//! Grids of panels: charts and network drawings side by side under one title.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::chart::Chart;
use crate::network::NetworkFigure;
use crate::{drawing, Figure, PlotError, Result, FONT};

/// One cell of a [`Panels`] grid.
#[derive(Debug, Clone)]
pub enum Panel<'a> {
    /// A chart.
    Chart(Chart),
    /// A network drawing.
    Network(NetworkFigure<'a>),
    /// Nothing (keeps the grid shape).
    Empty,
}

/// Charts and network drawings in a grid under one title.
#[derive(Debug, Clone)]
pub struct Panels<'a> {
    /// Title above the grid (empty for none).
    pub title: String,
    /// Panels per row.
    pub columns: usize,
    /// The panels, row by row.
    pub panels: Vec<Panel<'a>>,
}

impl Figure for Panels<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        if self.columns == 0 || self.panels.is_empty() {
            return Err(PlotError::InvalidValues {
                what: "panels".into(),
                reason: "nothing to draw".into(),
            });
        }
        area.fill(&WHITE).map_err(drawing)?;
        let (width, height) = area.dim_in_pixel();
        let rows = self.panels.len().div_ceil(self.columns);
        let cell = (width / self.columns as u32).min(height / rows as u32);
        let font_px = (cell / 28).clamp(12, 24);
        let mut body = area.clone();
        if !self.title.is_empty() {
            let (title, rest) = body.split_vertically(font_px * 5 / 2);
            title
                .draw(&Text::new(
                    self.title.clone(),
                    (width as i32 / 2, (font_px * 5 / 4) as i32),
                    TextStyle::from((FONT, font_px + 6).into_font().style(FontStyle::Bold))
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                ))
                .map_err(drawing)?;
            body = rest;
        }
        let cells = body.split_evenly((rows, self.columns));
        for (panel, cell) in self.panels.iter().zip(&cells) {
            match panel {
                Panel::Chart(chart) => chart.draw_with_font(cell, font_px)?,
                Panel::Network(figure) => figure.draw(cell)?,
                Panel::Empty => {}
            }
        }
        Ok(())
    }
}
