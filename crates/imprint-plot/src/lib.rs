//! # imprint-plot
//!
//! Figures for imprint: networks with per-edge and per-node fields, current
//! arrows, colour bars and node roles; charts (lines, markers, histograms,
//! log axes, decision regions) and grids of panels; written as SVG or PNG. Text is drawn with an embedded
//! DejaVu Sans through ab_glyph, so no system font or graphics library is
//! needed and a figure looks the same on every machine.
//!
//! Every figure implements [`Figure`]; [`save`] renders it to a path whose
//! extension (`.svg` or `.png`) picks the format, atomically.
//!
//! The numerical core (`imprint`) never depends on this crate.

#![warn(missing_docs)]

pub mod chart;
mod colorbar;
pub mod colormap;
pub mod figures;
mod geometry;
pub mod html;
pub mod imprints;
mod learning;
mod legend;
pub mod network;
pub mod panels;
pub mod paper;
pub mod reproduction;
mod reproduction_report;
mod reproduction_stages;
pub mod sectors;
mod series;
pub mod sweep;
mod ticks;

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;

pub use chart::{Axis, Chart, LegendPosition, Raster, Series, Style};
pub use colormap::{category_color, Colormap, Scale};
pub use figures::{run_dir_figures, run_figures, save_all};
pub use network::{EdgeSet, Marker, NetworkFigure, NodeRole, ValueLayer};
pub use panels::{Panel, Panels};
pub use reproduction_report::reproduction_page;
pub use reproduction_stages::Drawing;

/// Why a figure could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlotError {
    /// The output path has no `.svg` or `.png` extension.
    #[error("{}: unknown figure format (use a .svg or .png file name)", path.display())]
    UnknownFormat {
        /// The path given.
        path: std::path::PathBuf,
    },
    /// A value array does not match the network.
    #[error("{what} has {found} values but the network has {expected}")]
    LengthMismatch {
        /// Which values.
        what: String,
        /// How many the network needs.
        expected: usize,
        /// How many were given.
        found: usize,
    },
    /// The values cannot be drawn (all non-finite, or non-positive on a log scale).
    #[error("{what}: {reason}")]
    InvalidValues {
        /// Which values.
        what: String,
        /// What is wrong.
        reason: String,
    },
    /// The drawing backend failed.
    #[error("drawing failed: {0}")]
    Drawing(String),
    /// The file could not be written.
    #[error(transparent)]
    Io(#[from] imprint::io::IoError),
    /// What a figure shows could not be computed.
    #[error(transparent)]
    Learning(#[from] imprint::learning::LearningError),
    /// What a figure shows could not be analysed.
    #[error(transparent)]
    Analysis(#[from] imprint::analysis::AnalysisError),
    /// The run directory could not be read or analysed.
    #[error(transparent)]
    Run(#[from] imprint::run::RunError),
    /// A figure file could not be drawn.
    #[error("cannot draw {}: {source}", path.display())]
    Save {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: Box<PlotError>,
    },
}

/// Shorthand for drawing results.
pub type Result<T> = std::result::Result<T, PlotError>;

/// Maps any plotters error into [`PlotError::Drawing`].
pub(crate) fn drawing<E: std::fmt::Debug>(error: E) -> PlotError {
    PlotError::Drawing(format!("{error:?}"))
}

/// Something that can draw itself on a plotters drawing area.
pub trait Figure {
    /// Draws the whole figure on `area`.
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()>;
}

/// Font family name under which the embedded font is registered.
pub const FONT: &str = "sans-serif";

/// Registers the embedded fonts with plotters (once per process).
pub fn register_fonts() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // The embedded fonts are valid TrueType files; a failure here is a build defect.
        let regular =
            plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let bold = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
        assert!(
            regular.is_ok() && bold.is_ok(),
            "the embedded DejaVu Sans fonts failed to load"
        );
    });
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Scalable vector graphics.
    Svg,
    /// Portable network graphics (RGB).
    Png,
}

impl Format {
    /// The formats a front end names: `png`, `svg` or `both` (PNG and SVG).
    pub fn named(name: &str) -> std::result::Result<Vec<Self>, String> {
        match name {
            "png" => Ok(vec![Self::Png]),
            "svg" => Ok(vec![Self::Svg]),
            "both" => Ok(vec![Self::Png, Self::Svg]),
            other => Err(format!("format `{other}` is not png, svg or both")),
        }
    }

    /// The format a path's extension asks for.
    pub fn of(path: &Path) -> Result<Self> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("svg") => Ok(Self::Svg),
            Some("png") => Ok(Self::Png),
            _ => Err(PlotError::UnknownFormat {
                path: path.to_path_buf(),
            }),
        }
    }
}

/// Renders `figure` at `size` pixels into the bytes of a file of `format`.
pub fn render(figure: &impl Figure, format: Format, size: (u32, u32)) -> Result<Vec<u8>> {
    register_fonts();
    match format {
        Format::Svg => {
            let mut text = String::new();
            {
                let area = SVGBackend::with_string(&mut text, size).into_drawing_area();
                figure.draw(&area)?;
                area.present().map_err(drawing)?;
            }
            Ok(text.into_bytes())
        }
        Format::Png => {
            let mut pixels = vec![255u8; 3 * size.0 as usize * size.1 as usize];
            {
                let area = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
                figure.draw(&area)?;
                area.present().map_err(drawing)?;
            }
            let mut bytes = Vec::new();
            let mut encoder = png::Encoder::new(&mut bytes, size.0, size.1);
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            // Figures are mostly flat colour: choosing each row's filter
            // makes them 3 times smaller (one run's 14 figures: 11 MB to
            // 3.6 MB) for 0.7 s more (0.37 to 1.1 s; docs/benchmarks.md).
            // `Compression::Best` saved nothing more and took longer.
            encoder.set_compression(png::Compression::Default);
            encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
            let mut writer = encoder.write_header().map_err(drawing)?;
            writer.write_image_data(&pixels).map_err(drawing)?;
            writer.finish().map_err(drawing)?;
            Ok(bytes)
        }
    }
}

/// A figure size `WIDTHxHEIGHT` in pixels, each 100 to 10 000.
pub fn parse_size(text: &str) -> std::result::Result<(u32, u32), String> {
    let (w, h) = text
        .split_once('x')
        .ok_or_else(|| format!("`{text}` is not WIDTHxHEIGHT"))?;
    let parse = |v: &str| {
        v.parse::<u32>()
            .ok()
            .filter(|&v| (100..=10_000).contains(&v))
    };
    match (parse(w), parse(h)) {
        (Some(w), Some(h)) => Ok((w, h)),
        _ => Err(format!(
            "`{text}`: width and height must be 100 to 10000 pixels"
        )),
    }
}

/// Renders `figure` to `path` (`.svg` or `.png`), atomically.
pub fn save(figure: &impl Figure, path: &Path, size: (u32, u32)) -> Result<()> {
    let bytes = render(figure, Format::of(path)?, size)?;
    imprint::io::write_atomic(path, &bytes)?;
    Ok(())
}
