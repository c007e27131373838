//! Drawings of networks: edges as segments (periodic edges wrapped at the
//! box), coloured and optionally widened by a per-edge quantity, nodes
//! coloured by a per-node quantity, marked node roles, colour bars and a
//! legend. The base drawing that the paper's network figures build on.

use imprint::network::Network;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::colorbar::draw_colorbar;
use crate::colormap::{Colormap, Normalization, Scale};
use crate::geometry::{draw_arrow, draw_displacements, edge_segments};
use crate::legend::draw_marker;
use crate::{drawing, Figure, PlotError, Result, FONT};

/// A per-edge or per-node quantity to colour by.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueLayer {
    /// One value per edge (or node).
    pub values: Vec<f64>,
    /// Colour-bar label, with units.
    pub label: String,
    /// Linear, log or symmetric scale.
    pub scale: Scale,
    /// Colour map.
    pub colormap: Colormap,
}

impl ValueLayer {
    /// A linear viridis layer.
    pub fn new(values: Vec<f64>, label: impl Into<String>) -> Self {
        Self {
            values,
            label: label.into(),
            scale: Scale::Linear,
            colormap: Colormap::Viridis,
        }
    }

    /// A layer of values a user gave (`what` names them in errors):
    /// refused, naming the first bad one, when a value is not finite or,
    /// on a log scale, not positive. (The figures of a run draw their own
    /// arrays leniently, leaving such values out; a user's file is not
    /// drawn with a value silently replaced.)
    pub fn checked(
        values: Vec<f64>,
        label: impl Into<String>,
        scale: Scale,
        what: &str,
    ) -> Result<Self> {
        let bad = values
            .iter()
            .position(|v| !v.is_finite() || (scale == Scale::Log && *v <= 0.0));
        if let Some(index) = bad {
            return Err(PlotError::InvalidValues {
                what: what.to_string(),
                reason: format!(
                    "value {index} is {}: {}",
                    values[index],
                    if scale == Scale::Log && values[index].is_finite() {
                        "a log scale draws positive values only"
                    } else {
                        "only finite values can be drawn"
                    }
                ),
            });
        }
        Ok(Self::new(values, label).with_scale(scale))
    }

    /// The same layer on `scale`.
    pub fn with_scale(mut self, scale: Scale) -> Self {
        self.scale = scale;
        self
    }

    /// The same layer with `colormap`.
    pub fn with_colormap(mut self, colormap: Colormap) -> Self {
        self.colormap = colormap;
        self
    }

    fn normalization(&self, what: &str, expected: usize) -> Result<Normalization> {
        if self.values.len() != expected {
            return Err(PlotError::LengthMismatch {
                what: what.to_string(),
                expected,
                found: self.values.len(),
            });
        }
        Normalization::fit(&self.values, self.scale).ok_or_else(|| PlotError::InvalidValues {
            what: what.to_string(),
            reason: if self.scale == Scale::Log {
                "no finite positive value to draw on a log scale".into()
            } else {
                "no finite value to draw".into()
            },
        })
    }
}

/// Marker shapes for node roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// Filled circle.
    Circle,
    /// Filled square.
    Square,
    /// Filled upward triangle.
    Triangle,
    /// Filled diamond.
    Diamond,
}

/// A set of nodes drawn with one marker and named in the legend.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeRole {
    /// Legend text ("ground", "input", ...).
    pub label: String,
    /// The nodes.
    pub nodes: Vec<usize>,
    /// Fill colour.
    pub color: RGBColor,
    /// Marker shape.
    pub marker: Marker,
}

impl NodeRole {
    /// Grounds: black squares.
    pub fn ground(nodes: Vec<usize>) -> Self {
        Self {
            label: "ground".into(),
            nodes,
            color: RGBColor(20, 20, 20),
            marker: Marker::Square,
        }
    }

    /// Inputs (sources): orange triangles.
    pub fn input(nodes: Vec<usize>) -> Self {
        Self {
            label: "input".into(),
            nodes,
            color: RGBColor(230, 120, 20),
            marker: Marker::Triangle,
        }
    }

    /// Outputs (targets): magenta diamonds.
    pub fn output(nodes: Vec<usize>) -> Self {
        Self {
            label: "output".into(),
            nodes,
            color: RGBColor(200, 30, 160),
            marker: Marker::Diamond,
        }
    }
}

/// A network drawing; fill the fields, then [`save`](crate::save) it.
#[derive(Debug, Clone)]
pub struct NetworkFigure<'a> {
    /// The network.
    pub network: &'a Network,
    /// Title above the drawing (empty for none).
    pub title: String,
    /// Colour edges by this quantity (grey when `None`).
    pub edges: Option<ValueLayer>,
    /// Also scale edge widths with the edge quantity.
    pub width_by_value: bool,
    /// Colour nodes by this quantity (small grey dots when `None`).
    pub nodes: Option<ValueLayer>,
    /// Marked node sets, drawn on top and named in the legend.
    pub roles: Vec<NodeRole>,
    /// Per-node colours by category (e.g. sectors), instead of a value
    /// layer; named in the legend with its label.
    pub node_categories: Option<(Vec<RGBColor>, String)>,
    /// Signed edge currents `I_e = k_e (V_i - V_j)` (positive from the
    /// edge's first node to its second): arrows show the flow on the
    /// edges that carry at least [`Self::arrow_fraction`] of the largest.
    pub currents: Option<Vec<f64>>,
    /// Smallest `|I_e| / max |I|` that gets an arrow.
    pub arrow_fraction: f64,
    /// Displacement `u` of every node (a spring network's response):
    /// arrows from the nodes, the largest one typical bond long.
    pub displacements: Option<Vec<[f64; 2]>>,
    /// Edge sets drawn on top of everything, in order, each named in the legend.
    pub edge_sets: Vec<EdgeSet>,
    /// Colour of edges when no edge layer is set.
    pub plain_edge_color: RGBColor,
}

/// A set of edges drawn over the network in one colour (e.g. the most
/// susceptible edges, or sector boundaries).
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeSet {
    /// Legend text.
    pub label: String,
    /// The edges.
    pub edges: Vec<usize>,
    /// Colour.
    pub color: RGBColor,
    /// Width as a multiple of the base edge width.
    pub width: f64,
}

impl EdgeSet {
    /// Red, wide: the default highlight.
    pub fn new(label: impl Into<String>, edges: Vec<usize>) -> Self {
        Self {
            label: label.into(),
            edges,
            color: RGBColor(220, 20, 20),
            width: 2.2,
        }
    }

    /// The same set in `color`, `width` times the base edge width.
    pub fn styled(mut self, color: RGBColor, width: f64) -> Self {
        self.color = color;
        self.width = width;
        self
    }
}

impl<'a> NetworkFigure<'a> {
    /// A plain drawing of `network`.
    pub fn new(network: &'a Network) -> Self {
        Self {
            network,
            title: String::new(),
            edges: None,
            width_by_value: false,
            nodes: None,
            roles: Vec::new(),
            node_categories: None,
            currents: None,
            arrow_fraction: 0.1,
            displacements: None,
            edge_sets: Vec::new(),
            plain_edge_color: RGBColor(90, 90, 90),
        }
    }
}

impl Figure for NetworkFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let net = self.network;
        let edge_norm = self
            .edges
            .as_ref()
            .map(|l| l.normalization("edge values", net.edge_count()))
            .transpose()?;
        let node_norm = self
            .nodes
            .as_ref()
            .map(|l| l.normalization("node values", net.node_count()))
            .transpose()?;
        if let Some(currents) = &self.currents {
            if currents.len() != net.edge_count() {
                return Err(PlotError::LengthMismatch {
                    what: "currents".into(),
                    expected: net.edge_count(),
                    found: currents.len(),
                });
            }
        }
        if let Some(u) = &self.displacements {
            if u.len() != net.node_count() {
                return Err(PlotError::LengthMismatch {
                    what: "displacements".into(),
                    expected: net.node_count(),
                    found: u.len(),
                });
            }
        }
        if let Some((colors, _)) = &self.node_categories {
            if colors.len() != net.node_count() {
                return Err(PlotError::LengthMismatch {
                    what: "node categories".into(),
                    expected: net.node_count(),
                    found: colors.len(),
                });
            }
        }
        for set in &self.edge_sets {
            if let Some(&bad) = set.edges.iter().find(|&&e| e >= net.edge_count()) {
                return Err(PlotError::InvalidValues {
                    what: set.label.clone(),
                    reason: format!(
                        "edge {bad} does not exist (the network has {})",
                        net.edge_count()
                    ),
                });
            }
        }
        for role in &self.roles {
            if let Some(&bad) = role.nodes.iter().find(|&&n| n >= net.node_count()) {
                return Err(PlotError::InvalidValues {
                    what: format!("{} nodes", role.label),
                    reason: format!(
                        "node {bad} does not exist (the network has {})",
                        net.node_count()
                    ),
                });
            }
        }
        area.fill(&WHITE).map_err(drawing)?;
        let (width, height) = area.dim_in_pixel();
        let font_px = (width.min(height) / 40).clamp(12, 28);

        // Title on top, legend under it, colour bars on the right.
        let mut body = area.clone();
        if !self.title.is_empty() {
            let (title, rest) = body.split_vertically(font_px * 2);
            title
                .draw(&Text::new(
                    self.title.clone(),
                    (width as i32 / 2, font_px as i32),
                    TextStyle::from((FONT, font_px + 4).into_font().style(FontStyle::Bold))
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                ))
                .map_err(drawing)?;
            body = rest;
        }
        let (_, legend_lines) = self.legend_layout(width, font_px);
        if legend_lines > 0 {
            let (legend, rest) =
                body.split_vertically(font_px * 2 + (legend_lines - 1) * (font_px * 8 / 5));
            self.draw_legend(&legend, font_px)?;
            body = rest;
        }
        let bars = [
            edge_norm.map(|n| (n, self.edges.as_ref().expect("edge layer"))),
            node_norm.map(|n| (n, self.nodes.as_ref().expect("node layer"))),
        ];
        let bar_count = bars.iter().flatten().count() as u32;
        let bar_width = (font_px * 8).max(110);
        let (mut plot, mut strip) =
            body.split_horizontally(body.dim_in_pixel().0 - bar_count * bar_width);
        for (norm, layer) in bars.iter().flatten() {
            let (bar, rest) = strip.split_horizontally(bar_width);
            let (_, bar) = bar.split_vertically(font_px / 2);
            draw_colorbar(&bar, norm, layer.colormap, &layer.label, font_px)?;
            strip = rest;
        }
        plot = plot.margin(font_px, font_px, font_px, font_px);
        self.draw_network(&plot, edge_norm, node_norm)
    }
}

impl NetworkFigure<'_> {
    fn draw_network<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        edge_norm: Option<Normalization>,
        node_norm: Option<Normalization>,
    ) -> Result<()> {
        let net = self.network;
        let bounds = match net.periodic_box() {
            Some([lx, ly]) => [0.0, 0.0, lx, ly],
            None => {
                let mut b = [
                    f64::INFINITY,
                    f64::INFINITY,
                    f64::NEG_INFINITY,
                    f64::NEG_INFINITY,
                ];
                for &[x, y] in net.positions() {
                    b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
                }
                b
            }
        };
        // Room around the drawing so that markers on the box edge are not cut.
        let pad = 0.03 * (bounds[2] - bounds[0]).max(bounds[3] - bounds[1]);
        let view = [
            bounds[0] - pad,
            bounds[1] - pad,
            bounds[2] + pad,
            bounds[3] + pad,
        ];
        let (w, h) = area.dim_in_pixel();
        let (dx, dy) = (
            (view[2] - view[0]).max(1e-12),
            (view[3] - view[1]).max(1e-12),
        );
        if !(dx.is_finite() && dy.is_finite()) {
            // Positions near +-1e308: their span overflows, and every
            // node would land on one pixel (a blank figure).
            return Err(PlotError::InvalidValues {
                what: "node positions".into(),
                reason: format!(
                    "they span x from {:e} to {:e} and y from {:e} to {:e}, too wide to scale to pixels",
                    bounds[0], bounds[2], bounds[1], bounds[3]
                ),
            });
        }
        let scale = (w as f64 / dx).min(h as f64 / dy);
        let (ox, oy) = ((w as f64 - scale * dx) / 2.0, (h as f64 - scale * dy) / 2.0);
        // y grows upwards in data, downwards in pixels.
        let pixel = |p: [f64; 2]| -> (i32, i32) {
            (
                (ox + scale * (p[0] - view[0])).round() as i32,
                (oy + scale * (view[3] - p[1])).round() as i32,
            )
        };

        if net.periodic_box().is_some() {
            area.draw(&Rectangle::new(
                [pixel([bounds[0], bounds[3]]), pixel([bounds[2], bounds[1]])],
                RGBColor(170, 170, 170).stroke_width(1),
            ))
            .map_err(drawing)?;
        }
        let lengths: Vec<f64> = (0..net.edge_count())
            .map(|e| net.edge_vector(e))
            .map(|[x, y]| x.hypot(y))
            .collect();
        let mut sorted = lengths.clone();
        sorted.sort_by(f64::total_cmp);
        let typical = scale * sorted[sorted.len() / 2];
        let base_width = (typical * 0.08).clamp(1.0, 5.0);
        let segments = edge_segments(net, bounds);

        // Low values first, so that the large ones are drawn on top.
        let mut order: Vec<usize> = (0..net.edge_count()).collect();
        if let (Some(layer), Some(_)) = (&self.edges, edge_norm) {
            order.sort_by(|&a, &b| layer.values[a].total_cmp(&layer.values[b]));
        }
        for &e in &order {
            let (color, width) = match (&self.edges, edge_norm) {
                (Some(layer), Some(norm)) => {
                    let t = norm.apply(layer.values[e]);
                    let width = if self.width_by_value {
                        base_width * (0.4 + 2.6 * t)
                    } else {
                        base_width * 1.3
                    };
                    (
                        if layer.values[e].is_finite() {
                            layer.colormap.color(t)
                        } else {
                            RGBColor(200, 200, 200)
                        },
                        width,
                    )
                }
                _ => (self.plain_edge_color, base_width),
            };
            for &(a, b) in &segments[e] {
                area.draw(&PathElement::new(
                    vec![pixel(a), pixel(b)],
                    color.stroke_width(width.round().max(1.0) as u32),
                ))
                .map_err(drawing)?;
            }
        }
        for set in &self.edge_sets {
            for &e in &set.edges {
                for &(a, b) in &segments[e] {
                    area.draw(&PathElement::new(
                        vec![pixel(a), pixel(b)],
                        set.color
                            .stroke_width((base_width * set.width).round().max(1.0) as u32),
                    ))
                    .map_err(drawing)?;
                }
            }
        }
        if let Some(currents) = &self.currents {
            let largest = currents
                .iter()
                .map(|c| c.abs())
                .filter(|c| c.is_finite())
                .fold(0.0, f64::max);
            let head = (typical * 0.22).clamp(3.0, 12.0) as i32;
            for (e, &current) in currents.iter().enumerate() {
                if !(largest > 0.0 && current.abs() >= self.arrow_fraction * largest) {
                    continue;
                }
                // The longest drawn piece carries the arrow, pointing along the flow.
                let Some(&(a, b)) = segments[e].iter().max_by(|p, q| {
                    let l = |(a, b): &([f64; 2], [f64; 2])| (b[0] - a[0]).hypot(b[1] - a[1]);
                    l(p).total_cmp(&l(q))
                }) else {
                    continue;
                };
                let (from, to) = if current > 0.0 { (a, b) } else { (b, a) };
                let strength = current.abs() / largest;
                let size = ((head as f64) * (0.6 + 0.6 * strength)).round() as i32;
                draw_arrow(area, pixel(from), pixel(to), size, RGBColor(30, 30, 30))?;
            }
        }

        let radius = (typical * 0.12).clamp(1.0, 7.0);
        if let Some((colors, _)) = &self.node_categories {
            let r = (radius * 1.6).round().max(2.0) as i32;
            for (node, &p) in net.positions().iter().enumerate() {
                area.draw(&Circle::new(pixel(p), r, colors[node].filled()))
                    .map_err(drawing)?;
            }
        }
        match (&self.nodes, node_norm) {
            _ if self.node_categories.is_some() => {}
            (Some(layer), Some(norm)) => {
                let r = (radius * 1.6).round().max(2.0) as i32;
                for (node, &p) in net.positions().iter().enumerate() {
                    let color = layer.colormap.color(norm.apply(layer.values[node]));
                    area.draw(&Circle::new(pixel(p), r, color.filled()))
                        .map_err(drawing)?;
                    // An outline on a dot of a few pixels would hide its colour.
                    if r >= 4 {
                        area.draw(&Circle::new(
                            pixel(p),
                            r,
                            RGBColor(40, 40, 40).stroke_width(1),
                        ))
                        .map_err(drawing)?;
                    }
                }
            }
            _ if net.node_count() <= 5_000 => {
                for &p in net.positions() {
                    area.draw(&Circle::new(
                        pixel(p),
                        radius.round() as i32,
                        RGBColor(40, 40, 40).filled(),
                    ))
                    .map_err(drawing)?;
                }
            }
            _ => {}
        }
        if let Some(u) = &self.displacements {
            let origins: Vec<(i32, i32)> = net.positions().iter().map(|&p| pixel(p)).collect();
            let head = (typical * 0.22).clamp(3.0, 12.0);
            let settings = [typical, self.arrow_fraction, head];
            draw_displacements(area, &origins, u, settings, RGBColor(200, 30, 30))?;
        }
        let marker_size = (radius * 3.0).clamp(5.0, 16.0) as i32;
        for role in &self.roles {
            for &node in &role.nodes {
                draw_marker(
                    area,
                    pixel(net.positions()[node]),
                    marker_size,
                    role.color,
                    role.marker,
                )?;
            }
        }
        Ok(())
    }
}
