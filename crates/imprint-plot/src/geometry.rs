//! Where a network's pieces go on the page: edges clipped to the drawing
//! rectangle, periodic edges wrapped at the box, and current arrows.

use imprint::network::Network;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::{drawing, Result};

/// Clips the segment `a -> b` to the rectangle `[x0, x1] x [y0, y1]`
/// (Liang-Barsky); `None` when it lies outside.
pub(crate) fn clip(a: [f64; 2], b: [f64; 2], bounds: [f64; 4]) -> Option<([f64; 2], [f64; 2])> {
    let [x0, y0, x1, y1] = bounds;
    let d = [b[0] - a[0], b[1] - a[1]];
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-d[0], a[0] - x0),
        (d[0], x1 - a[0]),
        (-d[1], a[1] - y0),
        (d[1], y1 - a[1]),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    (t0 <= t1).then(|| {
        (
            [a[0] + t0 * d[0], a[1] + t0 * d[1]],
            [a[0] + t1 * d[0], a[1] + t1 * d[1]],
        )
    })
}

/// The drawn pieces of every edge: one segment, or two for an edge that
/// crosses the periodic box (each end's piece runs to the box edge).
pub(crate) fn edge_segments(network: &Network, bounds: [f64; 4]) -> Vec<Vec<([f64; 2], [f64; 2])>> {
    (0..network.edge_count())
        .map(|e| {
            let [i, j] = network.edges()[e];
            let (a, b) = (network.positions()[i], network.positions()[j]);
            if !network.crosses_box(e) {
                return vec![(a, b)];
            }
            let d = network.edge_vector(e);
            let towards_b = [a[0] + d[0], a[1] + d[1]];
            let towards_a = [b[0] - d[0], b[1] - d[1]];
            [clip(a, towards_b, bounds), clip(towards_a, b, bounds)]
                .into_iter()
                .flatten()
                .collect()
        })
        .collect()
}

/// A filled arrowhead of length `size` at the middle of `from -> to`, pointing to `to`.
pub(crate) fn draw_arrow<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    from: (i32, i32),
    to: (i32, i32),
    size: i32,
    color: RGBColor,
) -> Result<()> {
    let (dx, dy) = ((to.0 - from.0) as f64, (to.1 - from.1) as f64);
    let length = dx.hypot(dy);
    if length < 1.0 {
        return Ok(());
    }
    let (ux, uy) = (dx / length, dy / length);
    let mid = (
        (from.0 + to.0) as f64 / 2.0 + ux * size as f64 / 2.0,
        (from.1 + to.1) as f64 / 2.0 + uy * size as f64 / 2.0,
    );
    let s = size as f64;
    let tip = (mid.0, mid.1);
    let back = (mid.0 - ux * s, mid.1 - uy * s);
    let left = (back.0 - uy * s * 0.5, back.1 + ux * s * 0.5);
    let right = (back.0 + uy * s * 0.5, back.1 - ux * s * 0.5);
    let points: Vec<(i32, i32)> = [tip, left, right]
        .iter()
        .map(|&(x, y)| (x.round() as i32, y.round() as i32))
        .collect();
    area.draw(&Polygon::new(points, color.filled()))
        .map_err(drawing)
}

/// Displacement arrows: from each node's pixel, along its displacement
/// `u`, the largest drawn `reach` pixels long (the others in proportion);
/// nodes moving less than `fraction` of the largest get none. The tip
/// carries a head of `head` pixels.
pub(crate) fn draw_displacements<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    origins: &[(i32, i32)],
    displacements: &[[f64; 2]],
    [reach, fraction, head]: [f64; 3],
    color: RGBColor,
) -> Result<()> {
    let largest = displacements
        .iter()
        .map(|u| u[0].hypot(u[1]))
        .filter(|m| m.is_finite())
        .fold(0.0, f64::max);
    if largest <= 0.0 {
        return Ok(());
    }
    for (&(x, y), u) in origins.iter().zip(displacements) {
        let m = u[0].hypot(u[1]);
        if !(m.is_finite() && m >= fraction * largest) {
            continue;
        }
        // y grows downwards in pixels.
        let tip = (
            (x as f64 + reach * u[0] / largest).round() as i32,
            (y as f64 - reach * u[1] / largest).round() as i32,
        );
        area.draw(&PathElement::new(vec![(x, y), tip], color.stroke_width(2)))
            .map_err(drawing)?;
        // draw_arrow puts its tip at the midpoint of `from -> to` moved
        // half a head forward: choose `to` so that the tip lands on ours.
        let (dx, dy) = ((tip.0 - x) as f64, (tip.1 - y) as f64);
        let length = dx.hypot(dy);
        if length < 1.0 {
            continue;
        }
        let to = (
            (2.0 * tip.0 as f64 - x as f64 - head * dx / length).round() as i32,
            (2.0 * tip.1 as f64 - y as f64 - head * dy / length).round() as i32,
        );
        draw_arrow(area, (x, y), to, head as i32, color)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_keeps_the_inside_part() {
        let (a, b) = clip([0.5, 0.5], [1.5, 0.5], [0.0, 0.0, 1.0, 1.0]).unwrap();
        assert_eq!((a, b), ([0.5, 0.5], [1.0, 0.5]));
        assert!(clip([2.0, 2.0], [3.0, 3.0], [0.0, 0.0, 1.0, 1.0]).is_none());
    }

    #[test]
    fn wrapped_edges_are_drawn_as_two_pieces_inside_the_box() {
        let net = Network::new(
            vec![[0.1, 0.5], [0.9, 0.5], [0.5, 0.2]],
            vec![[0, 1], [1, 2]],
            vec![1.0; 2],
            Some([1.0, 1.0]),
        )
        .unwrap();
        let pieces = edge_segments(&net, [0.0, 0.0, 1.0, 1.0]);
        assert_eq!(pieces[0].len(), 2);
        assert_eq!(pieces[1].len(), 1);
        for (a, b) in &pieces[0] {
            for p in [a, b] {
                assert!((0.0..=1.0).contains(&p[0]) && (0.0..=1.0).contains(&p[1]));
            }
        }
        // The piece from node 0 runs left to the box edge at x = 0.
        assert!((pieces[0][0].1[0] - 0.0).abs() < 1e-12);
    }
}
