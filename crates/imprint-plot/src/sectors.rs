//! Persistent sectors on the network (paper Figs. 6, 11; docs/theory.md section
//! 5): sectors in distinct colours (neighbours differ), the cut set, the kept
//! death edges and the most susceptible edges, and the persistence diagram.

use imprint::analysis::report::SectorCut;
use imprint::learning::Task;
use imprint::network::Network;
use plotters::style::RGBColor;

use crate::chart::{Chart, LegendPosition, Series, Style};
use crate::colormap::category_color;
use crate::network::{EdgeSet, NetworkFigure};
use crate::paper::roles;

/// Colours for sectors such that sectors sharing a boundary edge differ
/// (greedy colouring, largest sector first, over the ten category colours).
pub fn sector_colors(network: &Network, sector: &[usize]) -> Vec<RGBColor> {
    let count = sector.iter().copied().max().map_or(0, |m| m + 1);
    let mut size = vec![0usize; count];
    for &s in sector {
        size[s] += 1;
    }
    let mut neighbours = vec![std::collections::BTreeSet::new(); count];
    for &[i, j] in network.edges() {
        if sector[i] != sector[j] {
            neighbours[sector[i]].insert(sector[j]);
            neighbours[sector[j]].insert(sector[i]);
        }
    }
    let mut order: Vec<usize> = (0..count).collect();
    order.sort_by(|&a, &b| size[b].cmp(&size[a]).then(a.cmp(&b)));
    let mut color = vec![usize::MAX; count];
    for s in order {
        let taken: Vec<usize> = neighbours[s].iter().map(|&t| color[t]).collect();
        color[s] = (0..).find(|c| !taken.contains(c)).unwrap_or(0);
    }
    sector.iter().map(|&s| category_color(color[s])).collect()
}

/// One sector drawing: nodes coloured by sector (neighbouring sectors in
/// different colours), boundaries black, the most susceptible edges red.
pub fn sectors_panel<'a>(
    title: &str,
    network: &'a Network,
    task: &Task,
    sectors: &SectorCut,
    top_edges: &[usize],
) -> NetworkFigure<'a> {
    let mut figure = NetworkFigure::new(network);
    figure.title = title.to_string();
    figure.node_categories = Some((sector_colors(network, &sectors.labels), "sector".into()));
    figure.roles = roles(task);
    figure.plain_edge_color = RGBColor(205, 205, 205);
    figure.edge_sets = vec![
        EdgeSet::new("cut set (edges between sectors)", sectors.cut_edges.clone())
            .styled(RGBColor(110, 110, 110), 1.0),
        EdgeSet::new("kept death edges", sectors.boundary_edges.clone())
            .styled(RGBColor(0, 0, 0), 1.8),
        EdgeSet::new("top χ edges (as many as the cut set)", top_edges.to_vec())
            .styled(RGBColor(225, 30, 30), 1.0),
    ];
    figure
}

/// The persistence diagram of the sectors' edge filtration: birth against
/// death drop of every pair, the kept pairs coloured and the cancelled ones
/// grey, the diagonal, and the line of persistence `tau*` where cancelling stopped.
pub fn persistence_diagram(title: &str, sectors: &SectorCut) -> Chart {
    let mut chart = Chart::new(title, "birth: drop |ΔV| (V)", "death: drop |ΔV| (V)");
    let cancelled = sectors.overlap.cancelled.min(sectors.diagram.len());
    let (gone, kept) = sectors.diagram.split_at(cancelled);
    let largest = sectors
        .diagram
        .iter()
        .flatten()
        .chain(&sectors.essential)
        .copied()
        .fold(0.0, f64::max)
        .max(1e-12);
    chart.x_range = Some([0.0, 1.05 * largest]);
    chart.y_range = Some([0.0, 1.05 * largest]);
    chart.series.push(
        Series::line(
            "birth = death",
            vec![[0.0, 0.0], [largest, largest]],
            RGBColor(150, 150, 150),
        )
        .with_style(Style::Dashed),
    );
    if let Some(tau) = sectors.overlap.tau_star {
        chart.series.push(
            Series::line(
                "persistence τ*",
                vec![[0.0, tau], [(largest - tau).max(0.0), largest]],
                RGBColor(225, 30, 30),
            )
            .with_style(Style::Dashed),
        );
    }
    let points = |pairs: &[[f64; 2]]| pairs.iter().map(|&[b, d]| [b, d]).collect();
    chart.series.push(
        Series::markers(
            format!("cancelled ({})", gone.len()),
            points(gone),
            RGBColor(170, 170, 170),
        )
        .with_size(4),
    );
    chart.series.push(
        Series::markers(
            format!("kept ({})", kept.len()),
            points(kept),
            category_color(0),
        )
        .with_size(6),
    );
    chart.legend = LegendPosition::LowerRight;
    chart
}

#[cfg(test)]
mod tests {
    use super::*;
    use imprint::network::lattice;

    #[test]
    fn neighbouring_sectors_never_share_a_colour() {
        // 36 sectors of 2 x 2 nodes on an open 12 x 12 lattice: more sectors
        // than colours, every one touching up to four others.
        let network = lattice::square(12, 12, false).unwrap();
        let sector: Vec<usize> = (0..144).map(|v| (v / 12 / 2) * 6 + (v % 12) / 2).collect();
        let colors = sector_colors(&network, &sector);
        let mut touching = 0;
        for &[i, j] in network.edges() {
            if sector[i] != sector[j] {
                touching += 1;
                assert_ne!(
                    colors[i], colors[j],
                    "sectors {} and {}",
                    sector[i], sector[j]
                );
            } else {
                assert_eq!(colors[i], colors[j]);
            }
        }
        assert!(touching > 100);
        let distinct: std::collections::BTreeSet<(u8, u8, u8)> =
            colors.iter().map(|c| (c.0, c.1, c.2)).collect();
        assert!(
            (2..=4).contains(&distinct.len()),
            "{} colours",
            distinct.len()
        );
    }
}
