//! The paper's pictures of what a network learned: the cost Hessian and the
//! susceptibility matrix as images (Fig. 2), one edge's susceptibility
//! vector `s_e` as a field on the nodes (Fig. 3), each stiff mode on the
//! network (Fig. 4b), and the distributions of conductance and
//! susceptibility before and after training (Figs. 8 and 10).

use imprint::learning::Task;
use imprint::network::Network;
use plotters::style::RGBColor;

use crate::chart::{Axis, Chart, LegendPosition, Raster, Series};
use crate::colormap::{category_color, Colormap};
use crate::network::{EdgeSet, NetworkFigure, ValueLayer};
use crate::panels::{Panel, Panels};
use crate::paper::{network_by, roles};

/// `sign(v) log10(1 + |v| / threshold)`: the symmetric log scale of the
/// authors' matrix pictures (matplotlib's SymLogNorm).
fn symlog(v: f64, threshold: f64) -> f64 {
    v.signum() * (1.0 + v.abs() / threshold).log10()
}

/// A matrix as an image on a diverging symmetric-log colour scale (blue
/// negative, red positive, linear below `threshold`), row 0 at the bottom,
/// at most 400 x 400 cells (blocks are averaged).
pub fn matrix_image(
    title: &str,
    rows: usize,
    cols: usize,
    value: impl Fn(usize, usize) -> f64,
    threshold: f64,
) -> Chart {
    let cells = 400usize;
    let (step_r, step_c) = (rows.div_ceil(cells).max(1), cols.div_ceil(cells).max(1));
    let (out_r, out_c) = (rows.div_ceil(step_r), cols.div_ceil(step_c));
    let block = |r: usize, c: usize| {
        let mut sum = 0.0;
        let mut count = 0.0;
        for i in r * step_r..((r + 1) * step_r).min(rows) {
            for j in c * step_c..((c + 1) * step_c).min(cols) {
                sum += value(i, j);
                count += 1.0;
            }
        }
        sum / count
    };
    let image: Vec<Vec<f64>> = (0..out_r)
        .map(|r| (0..out_c).map(|c| symlog(block(r, c), threshold)).collect())
        .collect();
    let largest = image
        .iter()
        .flatten()
        .map(|v| v.abs())
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    let mut chart = Chart::new(
        format!("{title}; symlog, linear below {threshold:.0e}"),
        "column",
        "row",
    );
    chart.x_range = Some([0.0, cols as f64]);
    chart.y_range = Some([0.0, rows as f64]);
    chart.raster = Some(Raster {
        x: [0.0, cols as f64],
        y: [0.0, rows as f64],
        cells: image
            .iter()
            .map(|row| {
                row.iter()
                    .map(|v| Colormap::Diverging.color(0.5 + 0.5 * v / largest))
                    .collect()
            })
            .collect(),
    });
    chart
}

/// One edge's susceptibility vector as a node field: component `a` of `s_e`
/// is the drop across `e` when a unit current enters node `a` (Fig. 3).
pub fn edge_response<'a>(
    title: &str,
    network: &'a Network,
    task: &Task,
    components: Vec<f64>,
    edge: usize,
) -> NetworkFigure<'a> {
    // The response peaks at the edge's ends: clamp the colours at the 95th
    // percentile of |s_e| so that the field elsewhere stays visible.
    let mut magnitudes: Vec<f64> = components.iter().map(|v| v.abs()).collect();
    magnitudes.sort_by(f64::total_cmp);
    let clip = magnitudes
        .get(magnitudes.len() * 95 / 100)
        .copied()
        .unwrap_or(0.0)
        .max(f64::MIN_POSITIVE);
    let clamped: Vec<f64> = components.iter().map(|v| v.clamp(-clip, clip)).collect();
    let mut figure = NetworkFigure::new(network);
    figure.title = title.to_string();
    figure.nodes = Some(
        ValueLayer::new(
            clamped,
            format!("s_e at each node: drop across e per unit current (Ω), clamped at ±{clip:.2}"),
        )
        .with_scale(crate::colormap::Scale::Symmetric)
        .with_colormap(Colormap::Diverging),
    );
    figure.plain_edge_color = RGBColor(200, 200, 200);
    figure.edge_sets = vec![EdgeSet::new("edge e", vec![edge]).styled(RGBColor(0, 0, 0), 3.0)];
    figure.roles = roles(task);
    figure
}

/// Each of the first `count` stiff modes `|psi_rho|` on the network (Fig. 4b).
pub fn stiff_modes<'a>(
    title: &str,
    network: &'a Network,
    task: &Task,
    modes: &[Vec<f64>],
) -> Panels<'a> {
    let panels = modes
        .iter()
        .enumerate()
        .map(|(rho, mode)| {
            let magnitude: Vec<f64> = mode.iter().map(|v| v.abs()).collect();
            let largest = magnitude.iter().copied().fold(0.0, f64::max);
            let floored: Vec<f64> = magnitude.iter().map(|v| v.max(1e-4 * largest)).collect();
            Panel::Network(network_by(
                network,
                task,
                &floored,
                "|ψ| (floor 1e-4 of max)",
                &format!("stiff mode ψ{}", rho + 1),
            ))
        })
        .collect::<Vec<_>>();
    Panels {
        title: title.to_string(),
        columns: panels.len().clamp(1, 4),
        panels,
    }
}

/// Log-spaced range covering the positive finite values.
fn log_range(values: &[&[f64]]) -> [f64; 2] {
    let (lo, hi) = values
        .iter()
        .flat_map(|v| v.iter())
        .filter(|v| v.is_finite() && **v > 0.0)
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if lo.is_finite() && hi > lo {
        [lo, hi]
    } else {
        [1e-3, 1.0]
    }
}

/// Histograms of the conductances before and after training (Fig. 8) and of
/// the susceptibility (Fig. 10), on log axes.
pub fn distributions(
    title: &str,
    initial: &[f64],
    trained: &[f64],
    susceptibility: &[f64],
) -> Panels<'static> {
    let mut k = Chart::new("conductances", "k (S)", "edges").with_axes(Axis::Log, Axis::Linear);
    let range = log_range(&[initial, trained]);
    let uniform = initial.iter().all(|&v| v == initial[0]);
    if uniform {
        // One bar holding every edge would flatten the trained distribution.
        k.notes.push(format!(
            "before training: all {} edges at {} S",
            initial.len(),
            initial.first().copied().unwrap_or(f64::NAN)
        ));
    } else {
        k.series.push(Series::histogram(
            "before training",
            initial,
            range,
            40,
            Axis::Log,
            category_color(7),
        ));
    }
    k.series.push(Series::histogram(
        "after training",
        trained,
        range,
        40,
        Axis::Log,
        category_color(0),
    ));
    k.legend = LegendPosition::UpperLeft;
    let mut chi = Chart::new("susceptibility", "χ", "edges").with_axes(Axis::Log, Axis::Linear);
    chi.series.push(Series::histogram(
        "after training",
        susceptibility,
        log_range(&[susceptibility]),
        40,
        Axis::Log,
        category_color(3),
    ));
    Panels {
        title: title.to_string(),
        columns: 2,
        panels: vec![Panel::Chart(k), Panel::Chart(chi)],
    }
}

/// Fig. 1c: a regression's outputs (markers) as one input sweeps with the
/// other fixed, beside the desired lines.
pub fn output_sweep(title: &str, sweep: &imprint::analysis::decision::OutputSweep) -> Chart {
    let mut chart = Chart::new(
        format!("{title}; {} held at {:.2} V", sweep.fixed.0, sweep.fixed.1),
        sweep.swept.clone(),
        "output (V)",
    );
    let outputs = sweep.outputs.first().map_or(0, Vec::len);
    for o in 0..outputs {
        let color = category_color(o);
        let column = |rows: &[Vec<f64>]| -> Vec<[f64; 2]> {
            sweep.x.iter().zip(rows).map(|(&x, y)| [x, y[o]]).collect()
        };
        chart.series.push(
            Series::line(
                format!("desired output {}", o + 1),
                column(&sweep.desired),
                color,
            )
            .with_style(crate::chart::Style::Dashed),
        );
        chart.series.push(
            Series::markers(
                format!("network output {}", o + 1),
                column(&sweep.outputs),
                color,
            )
            .with_size(6),
        );
    }
    chart.legend = LegendPosition::UpperLeft;
    chart
}
