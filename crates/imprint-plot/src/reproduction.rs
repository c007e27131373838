//! The summary figures of a reproduction of the paper (docs/theory.md section 6):
//! Fig. 7 for the four tasks, Fig. 4a side by side, the Fig. 8 grid of
//! initial conditions, and the weak-training grid and measures of
//! Appendix E.

use std::path::{Path, PathBuf};

use imprint::analysis::Analysis;
use imprint::paper::{ReproducedRun, RunMetrics, DROPS};

use crate::paper;
use crate::{
    category_color, save_all, Axis, Chart, Format, LegendPosition, Panel, Panels, Result, Series,
};

/// A per-edge quantity of an analysis.
type PerEdge = fn(&Analysis) -> &[f64];
/// A number a run measured.
type Measure = fn(&RunMetrics) -> f64;

/// A run's network with its edges coloured by chi.
fn chi_panel(d: &ReproducedRun) -> Panel<'_> {
    Panel::Network(paper::network_by(
        &d.run.trained,
        &d.run.task,
        &d.report.analysis.susceptibility,
        "χ",
        &format!("χ, {}", d.metrics.label),
    ))
}

/// Fig. 7: the partial susceptibility of every task on one chart.
pub fn partial_susceptibility_figure(
    tasks: &[ReproducedRun],
    dir: &Path,
    formats: &[Format],
) -> Result<Vec<PathBuf>> {
    let curves: Vec<(String, Vec<f64>)> = tasks
        .iter()
        .filter_map(|d| {
            let norm = d.report.analysis.partial_susceptibility_norm.clone()?;
            Some((d.run.task.name.clone(), norm))
        })
        .collect();
    let chart = paper::partial_susceptibility_norm(
        "partial susceptibility of the four tasks (Fig. 7, as the paper draws it)",
        &curves,
    );
    save_all(&chart, dir, "partial-susceptibility", (1100, 800), formats)
}

/// Fig. 4a for every task side by side: spectra before and after training.
pub fn spectra_figure(
    tasks: &[ReproducedRun],
    dir: &Path,
    formats: &[Format],
) -> Result<Vec<PathBuf>> {
    let spectra = tasks
        .iter()
        .map(|d| {
            Panel::Chart(paper::eigenvalue_histogram(
                &d.run.task.name,
                d.report.initial_spectrum.as_deref(),
                &d.report.analysis.cost_hessian_eigenvalues,
                d.metrics.stiff_modes,
                d.metrics.expected_stiff_modes,
            ))
        })
        .collect();
    let panels = Panels {
        title: "cost-Hessian eigenvalues before and after training (Fig. 4a)".into(),
        columns: 2,
        panels: spectra,
    };
    save_all(&panels, dir, "spectra", (2000, 1500), formats)
}

/// Fig. 8: chi against k (top row) and relative k (bottom row) for the
/// initial conditions.
pub fn initial_conditions_figure(
    conditions: &[ReproducedRun],
    dir: &Path,
    formats: &[Format],
) -> Result<Vec<PathBuf>> {
    let mut cells = Vec::new();
    // What `k` is: a conductance, or a spring network's stiffness.
    let spring = conditions
        .first()
        .is_some_and(|d| d.run.trained.physics() == imprint::network::Physics::Spring2d);
    let (k, relative) = if spring {
        ("stiffness k", "relative stiffness")
    } else {
        ("conductance k (S)", "relative conductance")
    };
    let rows: [(&str, PerEdge); 2] = [
        (k, |a| &a.conductance),
        (relative, |a| &a.relative_conductance),
    ];
    for (row, (x_label, pick)) in rows.into_iter().enumerate() {
        for d in conditions {
            let a = &d.report.analysis;
            let mut chart = Chart::new(d.metrics.label.clone(), x_label, "susceptibility χ")
                .with_axes(Axis::Log, Axis::Log);
            chart.series.push(
                Series::markers(
                    "",
                    pick(a)
                        .iter()
                        .zip(&a.susceptibility)
                        .map(|(&x, &y)| [x, y])
                        .collect(),
                    category_color(row + 1),
                )
                .with_size(3),
            );
            let rho = if row == 0 {
                d.metrics.spearman_conductance
            } else {
                d.metrics.spearman_relative
            };
            chart.notes.push(format!("Spearman ρ = {rho:+.2}"));
            if row == 1 {
                chart.notes.push(format!(
                    "top 5 % χ with k below neighbours: {:.0} %",
                    100.0 * d.metrics.top_low_relative
                ));
            }
            cells.push(Panel::Chart(chart));
        }
    }
    let panels = Panels {
        title: "four initial conditions, one task (Fig. 8): χ against conductance (top) and relative conductance (bottom)".into(),
        columns: conditions.len(),
        panels: cells,
    };
    save_all(&panels, dir, "initial-conditions", (2600, 1300), formats)
}

/// Appendix E: chi (top) and the stiff mode (bottom) on the network for
/// increasing desired drops, and how the measures change with the drop.
pub fn weak_training_figures(
    weak: &[ReproducedRun],
    dir: &Path,
    formats: &[Format],
) -> Result<Vec<PathBuf>> {
    // One row per desired drop, χ beside the stiff mode: two panels to a
    // row keep ticks and legends legible at the report's width (four to a
    // row shrank them to ~6 px).
    let mut cells = Vec::new();
    for d in weak {
        cells.push(chi_panel(d));
        cells.push(Panel::Network(paper::network_by(
            &d.run.trained,
            &d.run.task,
            &paper::floored(&d.report.analysis.stiff_weight, 1e-4),
            "stiff weight (floor 1e-4 of max)",
            &format!(
                "stiff mode, ρ(χ, weight) = {:+.2}",
                d.metrics.spearman_stiff
            ),
        )));
    }
    let panels = Panels {
        title: "weak training (Appendix E): susceptibility (left) and the stiff mode (right), desired drop increasing downwards".into(),
        columns: 2,
        panels: cells,
    };
    let rows = weak.len() as u32;
    let mut written = save_all(
        &panels,
        dir,
        "weak-training",
        (1600, 120 + 700 * rows),
        formats,
    )?;

    let mut chart = Chart::new(
        "how well χ finds the learned edges as the task strengthens",
        "desired drop across the target edge (V)",
        "fraction / correlation",
    )
    .with_axes(Axis::Log, Axis::Linear);
    // Ticks at the drops the runs used.
    chart.x_ticks = Some(DROPS.to_vec());
    let line = |f: &dyn Fn(&RunMetrics) -> f64| -> Vec<[f64; 2]> {
        DROPS
            .iter()
            .zip(weak)
            .map(|(&x, d)| [x, f(&d.metrics)])
            .collect()
    };
    let measures: [(&str, Measure); 3] = [
        ("Spearman ρ(χ, stiff weight)", |m| m.spearman_stiff),
        ("top-5 % χ edges among top-5 % stiff", |m| {
            m.top_chi_in_top_stiff
        }),
        ("top χ edges in the sectors' cut set", |m| {
            m.sectors.cut.overlap
        }),
    ];
    for (k, (name, measure)) in measures.into_iter().enumerate() {
        let color = category_color(k);
        chart.series.push(Series::line(name, line(&measure), color));
        chart
            .series
            .push(Series::markers("", line(&measure), color).with_size(7));
    }
    // The criterion of Appendix E for the top-5 % overlap: twice chance.
    let criterion = 2.0 * 0.05;
    chart.series.push(Series::line(
        "criterion for the top-5 % overlap: twice chance (10 %)",
        DROPS.iter().map(|&x| [x, criterion]).collect(),
        plotters::style::RGBColor(150, 150, 150),
    ));
    // Fractions lie in [0, 1]; a negative correlation extends the axis down.
    let lowest = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p[1]))
        .fold(0.0f64, f64::min);
    chart.y_range = Some([lowest.min(0.0) - 0.02, 1.0]);
    chart.legend = LegendPosition::UpperLeft;
    written.extend(save_all(
        &chart,
        dir,
        "weak-training-measures",
        (1100, 800),
        formats,
    )?);
    Ok(written)
}

/// Appendix B (Fig. 11): for the allosteric task with three target edges
/// trained at increasing drops, the persistent sectors (top) and chi
/// (bottom) side by side, with the overlap of the susceptible edges with the
/// cut set in each title.
pub fn sector_drops_figure(
    runs: &[ReproducedRun],
    dir: &Path,
    formats: &[Format],
) -> Result<Vec<PathBuf>> {
    if runs.is_empty() {
        return Ok(Vec::new());
    }
    let mut cells = Vec::new();
    for d in runs {
        let cut = &d.report.structure.sectors;
        let top: Vec<usize> =
            imprint::analysis::structure::top_edges(&d.report.analysis.susceptibility, 1.0)
                .into_iter()
                .take(cut.cut_edges.len())
                .collect();
        cells.push(Panel::Network(crate::sectors::sectors_panel(
            &format!(
                "{}: {} sectors, overlap {:.0} % ({:.0} %), AUC {:.2}",
                d.metrics.label,
                cut.overlap.sectors,
                100.0 * cut.overlap.cut.overlap,
                100.0 * cut.overlap.cut.chance,
                cut.overlap.cut.auc
            ),
            &d.run.trained,
            &d.run.task,
            cut,
            &top,
        )));
    }
    for d in runs {
        cells.push(chi_panel(d));
    }
    let panels = Panels {
        title: "allostery, three target edges at increasing drops (Appendix B, Fig. 11): sectors (top) and χ (bottom)".into(),
        columns: runs.len(),
        panels: cells,
    };
    save_all(&panels, dir, "sector-drops", (2400, 1600), formats)
}
