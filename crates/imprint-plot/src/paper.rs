//! The paper's figures, built from an analysis (docs/theory.md sections 2-6;
//! paper Figs. 1 and 4-12): networks coloured by `chi_e`, stiff weight and
//! `k_e`; cost-Hessian spectra before and after training; the scatter plots
//! of `chi_e` against stiff weight, conductance and relative conductance;
//! partial-susceptibility curves; voltage and current fields with walls and
//! corridors; persistent sectors; training curves and decision regions.
//! Everything here only arranges numbers it is given: the computations live
//! in `imprint`.

pub use imprint::analysis::decision::DecisionRegions;
use imprint::learning::Task;
use imprint::network::Network;
use imprint::statistics::{finite_pairs, spearman};
use plotters::style::RGBColor;

use crate::chart::{Axis, Chart, LegendPosition, Series, Style};
use crate::colormap::{category_color, Colormap, Scale};
pub use crate::learning::{decision_regions, training};
use crate::network::{EdgeSet, NetworkFigure, NodeRole, ValueLayer};
use crate::panels::{Panel, Panels};

/// Colour of "after training" / trained-network series.
pub const AFTER: RGBColor = RGBColor(200, 40, 40);
/// Colour of "before training" series.
pub const BEFORE: RGBColor = RGBColor(40, 90, 180);

/// Ground, input and output markers of a task.
pub fn roles(task: &Task) -> Vec<NodeRole> {
    let mut roles = Vec::new();
    if !task.roles.grounds.is_empty() {
        roles.push(NodeRole::ground(task.roles.grounds.clone()));
    }
    if !task.roles.inputs.is_empty() {
        roles.push(NodeRole::input(task.roles.inputs.clone()));
    }
    if !task.roles.outputs.is_empty() {
        roles.push(NodeRole::output(task.roles.outputs.clone()));
    }
    roles
}

/// A network with roles and edges coloured (log scale, width by value) by `values`.
pub fn network_by<'a>(
    network: &'a Network,
    task: &Task,
    values: &[f64],
    label: &str,
    title: &str,
) -> NetworkFigure<'a> {
    let mut figure = NetworkFigure::new(network);
    figure.title = title.to_string();
    figure.edges = Some(ValueLayer::new(values.to_vec(), label).with_scale(Scale::Log));
    figure.width_by_value = true;
    figure.roles = roles(task);
    figure
}

/// `values` with everything below `ratio` times the largest raised to it,
/// so that a log colour scale spends its range on the values that matter
/// (stiff-mode weights span 20 decades, most of them irrelevant).
pub fn floored(values: &[f64], ratio: f64) -> Vec<f64> {
    let largest = values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    values.iter().map(|&v| v.max(ratio * largest)).collect()
}

/// Smallest value drawn on a log axis of eigenvalues: rounding noise sits
/// below `1e-16` of the largest.
fn eigenvalue_floor(values: &[&[f64]]) -> f64 {
    let largest = values
        .iter()
        .flat_map(|v| v.iter())
        .map(|x| x.abs())
        .filter(|x| x.is_finite())
        .fold(0.0, f64::max);
    (largest * 1e-16).max(f64::MIN_POSITIVE)
}

/// Histogram of cost-Hessian eigenvalue magnitudes before and after
/// training, both axes logarithmic (paper Fig. 4a). Magnitudes below `1e-16` of the
/// largest (rounding) are drawn at that floor; the stiff eigenvalues after
/// training, too few to show as bars, are marked as a rug along the bottom.
pub fn eigenvalue_histogram(
    title: &str,
    before: Option<&[f64]>,
    after: &[f64],
    stiff_modes: usize,
    expected_stiff_modes: usize,
) -> Chart {
    let all: Vec<&[f64]> = before.into_iter().chain(std::iter::once(after)).collect();
    let floor = eigenvalue_floor(&all);
    let largest = all
        .iter()
        .flat_map(|v| v.iter())
        .map(|x| x.abs())
        .fold(floor, f64::max);
    let range = [floor, largest * 1.01];
    let mut chart = Chart::new(
        title,
        "cost-Hessian eigenvalue |λ|",
        "number of eigenvalues (log)",
    )
    // Log counts: after training one bin holds nearly every eigenvalue,
    // and a linear axis would flatten the broad "before" distribution.
    .with_axes(Axis::Log, Axis::Log);
    let clamp = |v: &[f64]| -> Vec<f64> { v.iter().map(|x| x.abs().max(floor)).collect() };
    // Empty bins sit on a baseline below one eigenvalue.
    const BASELINE: f64 = 0.5;
    let mut tallest = 1.0f64;
    for (name, values, color) in [
        ("before training", before, BEFORE),
        ("after training", Some(after), AFTER),
    ] {
        let Some(values) = values else { continue };
        let mut series = Series::histogram(name, &clamp(values), range, 40, Axis::Log, color);
        for point in &mut series.points {
            point[1] = point[1].max(BASELINE);
        }
        tallest = series.points.iter().map(|p| p[1]).fold(tallest, f64::max);
        chart.series.push(series);
    }
    // Headroom above the tallest bar for the notes and the legend.
    chart.y_range = Some([BASELINE, 30.0 * tallest]);
    let mut sorted: Vec<f64> = after.iter().map(|x| x.abs()).collect();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let rug: Vec<[f64; 2]> = sorted.iter().take(stiff_modes).map(|&v| [v, 0.8]).collect();
    chart.series.push(
        Series::markers(format!("stiff modes after ({stiff_modes})"), rug, AFTER).with_size(6),
    );
    if let Some(b) = before {
        let negative = b.iter().filter(|&&x| x < 0.0).count();
        if negative > 0 {
            chart
                .notes
                .push(format!("before: {negative} negative λ, drawn as |λ|"));
        }
    }
    chart.notes.push(format!(
        "stiff modes after training: {stiff_modes} (n_in x n_out = {expected_stiff_modes})"
    ));
    chart.notes.push(format!(
        "|λ| below 1e-16 λmax drawn at {}",
        crate::colorbar::tick_label(floor)
    ));
    chart.legend = LegendPosition::UpperRight;
    // In the headroom above the bars, below the legend.
    chart.notes_position = [0.1, 0.19];
    chart
}

/// Cost-Hessian eigenvalue distributions before and after training on a
/// log axis (paper Fig. 4a), beside the ranked spectra. `before` may hold
/// negative eigenvalues (the full Hessian away from a minimum): their
/// magnitudes are drawn.
pub fn spectrum(
    title: &str,
    before: Option<&[f64]>,
    after: &[f64],
    stiff_modes: usize,
    expected_stiff_modes: usize,
) -> Panels<'static> {
    let all: Vec<&[f64]> = before.into_iter().chain(std::iter::once(after)).collect();
    let floor = eigenvalue_floor(&all);
    let histogram = eigenvalue_histogram(
        "distribution",
        before,
        after,
        stiff_modes,
        expected_stiff_modes,
    );
    let mut ranked = Chart::new("ranked spectrum", "rank (largest first)", "|λ|")
        .with_axes(Axis::Log, Axis::Log);
    for (name, values, color) in [
        ("before training", before, BEFORE),
        ("after training", Some(after), AFTER),
    ] {
        let Some(values) = values else { continue };
        let mut sorted: Vec<f64> = values.iter().map(|x| x.abs().max(floor)).collect();
        sorted.sort_by(|a, b| b.total_cmp(a));
        ranked.series.push(Series::line(
            name,
            sorted
                .iter()
                .enumerate()
                .map(|(k, &v)| [(k + 1) as f64, v])
                .collect(),
            color,
        ));
    }
    ranked.legend = LegendPosition::LowerLeft;
    Panels {
        title: title.to_string(),
        columns: 2,
        panels: vec![Panel::Chart(histogram), Panel::Chart(ranked)],
    }
}

/// `chi_e` against stiff weight, conductance (labelled `k_label`: a spring
/// network's stiffness) and relative conductance (paper Figs. 4d, 8, 10),
/// with Spearman correlations in the notes.
pub fn scatter(
    title: &str,
    susceptibility: &[f64],
    stiff_weight: &[f64],
    (conductance, k_label): (&[f64], &str),
    relative_conductance: &[f64],
) -> Panels<'static> {
    let panel = |x: &[f64], x_label: &str, name: &str, color: RGBColor| {
        let mut chart =
            Chart::new(name, x_label, "susceptibility χ").with_axes(Axis::Log, Axis::Log);
        let points: Vec<[f64; 2]> = x
            .iter()
            .zip(susceptibility)
            .map(|(&a, &b)| [a, b])
            .collect();
        chart
            .series
            .push(Series::markers("", points, color).with_size(3));
        let (a, b) = finite_pairs(x, susceptibility);
        chart
            .notes
            .push(format!("Spearman ρ = {:+.2}", spearman(&a, &b)));
        Panel::Chart(chart)
    };
    Panels {
        title: title.to_string(),
        columns: 3,
        panels: vec![
            panel(
                stiff_weight,
                "stiff-mode weight",
                "χ vs stiff weight",
                category_color(0),
            ),
            panel(conductance, k_label, "χ vs k", category_color(1)),
            panel(
                relative_conductance,
                "relative conductance k / <k of adjacent edges>",
                "χ vs relative conductance",
                category_color(2),
            ),
        ],
    }
}

/// Partial susceptibility against the number of softest physical modes
/// (paper Fig. 7), one curve per named run.
/// Modes shown by [`partial_susceptibility_norm`], as in the paper's Fig. 7.
pub const FIG7_MODES: usize = 10;

/// Fig. 7 as the paper draws it: `||S^(m)||_F / ||S||_F` against the number
/// `m` of modes in ascending algebraic order, `m = 1..10` on linear axes,
/// with the 0.9 of claim 6.3 dashed.
pub fn partial_susceptibility_norm(title: &str, curves: &[(String, Vec<f64>)]) -> Chart {
    let mut chart = Chart::new(
        title,
        "modes m (ascending eigenvalue of H_g, border mode first)",
        "||S^(m)|| / ||S|| (Frobenius)",
    );
    chart.x_range = Some([0.5, FIG7_MODES as f64 + 0.5]);
    chart.y_range = Some([0.0, 1.05]);
    for (k, (name, curve)) in curves.iter().enumerate() {
        let points: Vec<[f64; 2]> = curve
            .iter()
            .take(FIG7_MODES)
            .enumerate()
            .map(|(m, &f)| [(m + 1) as f64, f])
            .collect();
        chart.series.push(Series::line(
            name.clone(),
            points.clone(),
            category_color(k),
        ));
        chart
            .series
            .push(Series::markers("", points, category_color(k)).with_size(5));
    }
    // Claim 6.3's criterion, read at the last mode drawn (10).
    let criterion = imprint::paper::PARTIAL_NORM;
    chart.series.push(
        Series::line(
            format!("claim 6.3: at least {criterion} at 10 modes"),
            vec![[0.5, criterion], [FIG7_MODES as f64 + 0.5, criterion]],
            RGBColor(120, 120, 120),
        )
        .with_style(Style::Dashed),
    );
    chart.legend = LegendPosition::LowerRight;
    chart
}

/// The summed-squares view: `sum_e |s_e^(m)|^2 / sum_e chi_e^2` with modes by
/// `|lambda|` ascending, on a log mode axis.
pub fn partial_susceptibility(title: &str, curves: &[(String, Vec<f64>)]) -> Chart {
    let mut chart = Chart::new(
        title,
        "number of softest modes of H",
        "partial susceptibility (fraction of Σ χ²)",
    )
    .with_axes(Axis::Log, Axis::Linear);
    chart.y_range = Some([0.0, 1.05]);
    for (k, (name, curve)) in curves.iter().enumerate() {
        chart.series.push(Series::line(
            name.clone(),
            curve
                .iter()
                .enumerate()
                .map(|(m, &f)| [(m + 1) as f64, f])
                .collect(),
            category_color(k),
        ));
    }
    chart.series.push(
        Series::line(
            "90 %",
            vec![
                [1.0, 0.9],
                [
                    curves.iter().map(|c| c.1.len()).max().unwrap_or(1).max(2) as f64,
                    0.9,
                ],
            ],
            RGBColor(120, 120, 120),
        )
        .with_style(Style::Dashed),
    );
    chart.legend = LegendPosition::LowerRight;
    chart
}

/// What [`fields`] draws for one sample.
pub struct FieldData<'a> {
    /// Node voltages of the sample's free response (V).
    pub voltages: &'a [f64],
    /// Edge currents `k_e (V_i - V_j)` (A).
    pub currents: &'a [f64],
    /// `chi_e`.
    pub susceptibility: &'a [f64],
    /// Walls and corridors: top-chi edges with relative conductance below 1.
    pub walls: &'a [usize],
    /// Corridors: top-χ edges carrying at least the median current.
    pub corridors: &'a [usize],
}

/// The voltage field with susceptible edges in grey, and the current field
/// with arrows; walls and corridors outlined in both (paper Fig. 9).
pub fn fields<'a>(
    title: &str,
    network: &'a Network,
    task: &Task,
    data: &FieldData<'_>,
) -> Panels<'a> {
    let spring = network.physics() == imprint::network::Physics::Spring2d;
    let (drop, flow) = if spring {
        ("|Δl|", "|t|")
    } else {
        ("|ΔV|", "|I|")
    };
    let walls = EdgeSet::new(
        format!("walls: top χ, k below its neighbours', {drop} ≥ median"),
        data.walls.to_vec(),
    )
    .styled(RGBColor(20, 160, 60), 2.0);
    let corridors = EdgeSet::new(
        format!("corridors: other top χ with {flow} ≥ median"),
        data.corridors.to_vec(),
    )
    .styled(RGBColor(230, 80, 180), 2.0);
    if spring {
        return spring_fields(title, network, task, data, [walls, corridors]);
    }
    let mut voltage = NetworkFigure::new(network);
    voltage.title = "voltage response, susceptible edges dark".into();
    voltage.nodes = Some(ValueLayer::new(data.voltages.to_vec(), "voltage (V)"));
    voltage.edges = Some(
        ValueLayer::new(data.susceptibility.to_vec(), "susceptibility χ")
            .with_scale(Scale::Log)
            .with_colormap(Colormap::Greys),
    );
    voltage.roles = roles(task);
    voltage.edge_sets = vec![walls.clone(), corridors.clone()];
    let magnitude: Vec<f64> = data.currents.iter().map(|c| c.abs()).collect();
    let mut current = NetworkFigure::new(network);
    current.title = "current field".into();
    current.edges = Some(
        // Greys, so that the green walls and pink corridors stand out.
        ValueLayer::new(magnitude, "|current| (A)")
            .with_scale(Scale::Log)
            .with_colormap(Colormap::Greys),
    );
    current.width_by_value = true;
    current.currents = Some(data.currents.to_vec());
    current.arrow_fraction = 0.2;
    current.roles = roles(task);
    current.edge_sets = vec![walls, corridors];
    Panels {
        title: title.to_string(),
        columns: 2,
        panels: vec![Panel::Network(voltage), Panel::Network(current)],
    }
}

/// [`fields`] of a spring network: the displacement response (nodes by
/// `|u|`, arrows along `u`, bonds by `chi` in grey) and the tension field
/// (bonds by `|t|`, wider where larger), walls and corridors outlined.
fn spring_fields<'a>(
    title: &str,
    network: &'a Network,
    task: &Task,
    data: &FieldData<'_>,
    sets: [EdgeSet; 2],
) -> Panels<'a> {
    let u: Vec<[f64; 2]> = data.voltages.chunks(2).map(|u| [u[0], u[1]]).collect();
    let mut displacement = NetworkFigure::new(network);
    displacement.title = "displacement response, susceptible bonds dark".into();
    displacement.nodes = Some(ValueLayer::new(
        u.iter().map(|u| u[0].hypot(u[1])).collect(),
        "|u| (length)",
    ));
    displacement.edges = Some(
        ValueLayer::new(data.susceptibility.to_vec(), "susceptibility χ")
            .with_scale(Scale::Log)
            .with_colormap(Colormap::Greys),
    );
    displacement.displacements = Some(u);
    displacement.arrow_fraction = 0.05;
    displacement.roles = roles(task);
    displacement.edge_sets = sets.to_vec();
    let mut tension = NetworkFigure::new(network);
    tension.title = "tension field".into();
    tension.edges = Some(
        ValueLayer::new(
            data.currents.iter().map(|t| t.abs()).collect(),
            "|tension| (stiffness x length)",
        )
        .with_scale(Scale::Log)
        .with_colormap(Colormap::Greys),
    );
    tension.width_by_value = true;
    tension.roles = roles(task);
    tension.edge_sets = sets.to_vec();
    Panels {
        title: title.to_string(),
        columns: 2,
        panels: vec![Panel::Network(displacement), Panel::Network(tension)],
    }
}
