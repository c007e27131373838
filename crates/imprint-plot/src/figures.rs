//! Every figure of one run (paper Figs. 1, 4-7, 9, 11 and the training
//! curves), drawn from the run's files and its stored analysis report: what
//! `imprint plot` and `imprint.plot` write into `RUN_DIR/figures/`.

use std::path::{Path, PathBuf};

use imprint::analysis::decision::{decision_regions, output_sweep, GRID_CELLS};
use imprint::analysis::report::{AnalysisReport, SectorCut};
use imprint::analysis::structure::top_edges;
use imprint::run::FinishedRun;

use crate::paper::{self, FieldData};
use crate::{imprints, Figure, Format, Panel, Panels, PlotError, Result};

/// Writes `figure` as `dir/name.<ext>` in every format; returns the paths.
pub fn save_all(
    figure: &impl Figure,
    dir: &Path,
    name: &str,
    size: (u32, u32),
    formats: &[Format],
) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for &format in formats {
        let path = dir.join(format!(
            "{name}.{}",
            match format {
                Format::Png => "png",
                Format::Svg => "svg",
            }
        ));
        crate::save(figure, &path, size).map_err(|source| PlotError::Save {
            path: path.clone(),
            source: Box::new(source),
        })?;
        written.push(path);
    }
    Ok(written)
}

/// Size of a single network drawing.
pub const NETWORK_SIZE: (u32, u32) = (1100, 1000);
/// Size of a single chart.
pub const CHART_SIZE: (u32, u32) = (1100, 800);

/// Size of a row of `panels` panels.
pub fn row_size(panels: u32) -> (u32, u32) {
    match panels {
        2 => (2200, 1000),
        _ => (700 * panels, 750),
    }
}

fn describe_sectors(cut: &SectorCut) -> String {
    let o = &cut.overlap;
    if o.sectors == 1 {
        "one sector: no pair separates the role nodes".into()
    } else {
        format!(
            "{} sectors; top χ on the cut set {:.0} % (chance {:.0} %), AUC {:.2}",
            o.sectors,
            100.0 * o.cut.overlap,
            100.0 * o.cut.chance,
            o.cut.auc
        )
    }
}

/// Every figure of the finished run in `dir` into `out`, drawn from its
/// stored analysis (made with the default options, and written, when it has
/// none): what `imprint.plot` and sweeps with `figures = true` draw.
pub fn run_dir_figures(dir: &Path, out: &Path, formats: &[Format]) -> Result<Vec<PathBuf>> {
    let run = imprint::run::read_finished_run(dir)?;
    let (report, _) = imprint::run::analysis_for_figures(dir, &run, &Default::default())?;
    run_figures(&run, &report, out, formats)
}

/// Every figure of one run into `out`; returns the files written.
pub fn run_figures(
    run: &FinishedRun,
    report: &AnalysisReport,
    out: &Path,
    formats: &[Format],
) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out).map_err(|source| imprint::io::IoError::Write {
        path: out.to_path_buf(),
        source,
    })?;
    let (net, task, a) = (&run.trained, &run.task, &report.analysis);
    let structure = &report.structure;
    let sectors = &report.summary.sectors;
    let name = &task.name;
    let mut written = Vec::new();
    let chi_label = format!("susceptibility χ (from {})", a.boundary.symbol());
    // What `k` is: a conductance, or a spring network's stiffness.
    let (k_label, k_what) = match net.physics() {
        imprint::network::Physics::Spring2d => ("stiffness k", "trained stiffness"),
        _ => ("conductance k (S)", "trained conductance"),
    };
    for (file, values, label, what) in [
        (
            "network-susceptibility",
            &a.susceptibility.clone(),
            chi_label.as_str(),
            "susceptibility",
        ),
        (
            "network-stiff-weight",
            &paper::floored(&a.stiff_weight, 1e-4),
            "stiff-mode weight (floor 1e-4 of max)",
            "stiff-mode weight",
        ),
        (
            "network-conductance",
            &a.conductance.clone(),
            k_label,
            k_what,
        ),
    ] {
        let figure = paper::network_by(net, task, values, label, &format!("{name}: {what}"));
        written.extend(save_all(&figure, out, file, NETWORK_SIZE, formats)?);
    }

    let spectrum = paper::spectrum(
        &format!("{name}: cost-Hessian spectrum before and after training"),
        report.initial_spectrum.as_deref(),
        &a.cost_hessian_eigenvalues,
        a.stiff_mode_count,
        a.expected_stiff_modes,
    );
    written.extend(save_all(
        &spectrum,
        out,
        "cost-hessian-spectrum",
        row_size(2),
        formats,
    )?);

    let scatter = paper::scatter(
        &format!("{name}: what the susceptibility goes with"),
        &a.susceptibility,
        &a.stiff_weight,
        (&a.conductance, k_label),
        &a.relative_conductance,
    );
    written.extend(save_all(&scatter, out, "scatter", row_size(3), formats)?);

    let squares = paper::partial_susceptibility(
        &format!("{name}: Σχ² by |λ| (extra view)"),
        &[(name.clone(), a.partial_susceptibility.clone())],
    );
    let partial = match &a.partial_susceptibility_norm {
        Some(norm) => Panels {
            title: format!(
                "{name}: partial susceptibility from {}",
                a.boundary.describe()
            ),
            columns: 2,
            panels: vec![
                Panel::Chart(paper::partial_susceptibility_norm(
                    "as the paper (Fig. 7)",
                    &[(name.clone(), norm.clone())],
                )),
                Panel::Chart(squares),
            ],
        },
        None => Panels {
            title: String::new(),
            columns: 1,
            panels: vec![Panel::Chart(squares)],
        },
    };
    let size = if partial.columns == 2 {
        row_size(2)
    } else {
        CHART_SIZE
    };
    written.extend(save_all(
        &partial,
        out,
        "partial-susceptibility",
        size,
        formats,
    )?);

    let fields = paper::fields(
        &format!(
            "{name}: fields of sample {} with walls and corridors",
            sectors.sample
        ),
        net,
        task,
        &FieldData {
            voltages: &structure.voltages,
            currents: &structure.currents,
            susceptibility: &a.susceptibility,
            walls: &structure.walls,
            corridors: &structure.corridors,
        },
    );
    written.extend(save_all(&fields, out, "fields", row_size(2), formats)?);

    let cut = &structure.sectors;
    let top: Vec<usize> = top_edges(&a.susceptibility, 1.0)
        .into_iter()
        .take(cut.cut_edges.len())
        .collect();
    let panels = Panels {
        title: format!(
            "{name}: persistent sectors of sample {} ({} of {} pairs cancelled)",
            sectors.sample, cut.overlap.cancelled, cut.overlap.pairs
        ),
        columns: 2,
        panels: vec![
            Panel::Network(crate::sectors::sectors_panel(
                &describe_sectors(cut),
                net,
                task,
                cut,
                &top,
            )),
            Panel::Chart(crate::sectors::persistence_diagram(
                "persistence diagram",
                cut,
            )),
        ],
    };
    written.extend(save_all(&panels, out, "sectors", row_size(2), formats)?);

    written.extend(imprint_figures(run, report, out, formats)?);

    if !run.history.is_empty() {
        let training = paper::training(&format!("{name}: training"), &run.history);
        let size = if training.columns == 2 {
            (1800, 750)
        } else {
            CHART_SIZE
        };
        written.extend(save_all(&training, out, "training", size, formats)?);
    }
    if task.classification {
        if let Some(regions) = decision_regions(net, task, GRID_CELLS)? {
            let chart = paper::decision_regions(&format!("{name}: decision regions"), &regions);
            written.extend(save_all(
                &chart,
                out,
                "decision-regions",
                (1000, 900),
                formats,
            )?);
        }
    }
    Ok(written)
}

/// Figs. 2, 3, 4b, 8 and 10: matrices as pictures and one edge's response
/// (dense analyses only), the stiff modes on the network, and the
/// distributions of k and chi.
fn imprint_figures(
    run: &FinishedRun,
    report: &AnalysisReport,
    out: &Path,
    formats: &[Format],
) -> Result<Vec<PathBuf>> {
    let (net, task, a) = (&run.trained, &run.task, &report.analysis);
    let name = &task.name;
    let mut written = Vec::new();
    if let (Some(g), Some(s)) = (&a.cost_hessian, &a.susceptibility_vectors) {
        let panels = Panels {
            title: format!("{name}: the cost Hessian and the susceptibility matrix (Fig. 2)"),
            columns: 2,
            panels: vec![
                Panel::Chart(imprints::matrix_image(
                    "cost Hessian G (edge x edge)",
                    g.nrows(),
                    g.ncols(),
                    |r, c| g[(r, c)],
                    1e-6 * g.norm_max().max(f64::MIN_POSITIVE),
                )),
                Panel::Chart(imprints::matrix_image(
                    &format!(
                        "susceptibility S (edge x node), from {}",
                        a.boundary.symbol()
                    ),
                    s.ncols(),
                    s.nrows(),
                    |r, c| s[(c, r)],
                    1e-2 * s.norm_max().max(f64::MIN_POSITIVE),
                )),
            ],
        };
        written.extend(save_all(&panels, out, "matrices", row_size(2), formats)?);
        let edge = top_edges(&a.susceptibility, 0.0)[0];
        let components: Vec<f64> = (0..net.node_count()).map(|v| s[(v, edge)]).collect();
        let figure = imprints::edge_response(
            &format!("{name}: s_e of the most susceptible edge {edge} (Fig. 3)"),
            net,
            task,
            components,
            edge,
        );
        written.extend(save_all(
            &figure,
            out,
            "edge-response",
            NETWORK_SIZE,
            formats,
        )?);
    }
    let count = a.stiff_mode_count.min(4).min(a.stiff_modes.ncols());
    if count > 0 {
        let modes: Vec<Vec<f64>> = (0..count)
            .map(|c| {
                (0..a.stiff_modes.nrows())
                    .map(|e| a.stiff_modes[(e, c)])
                    .collect()
            })
            .collect();
        let panels = imprints::stiff_modes(
            &format!("{name}: the stiffest modes of the cost Hessian on the network (Fig. 4b)"),
            net,
            task,
            &modes,
        );
        let size = (700 * panels.columns as u32, 750);
        written.extend(save_all(&panels, out, "stiff-modes", size, formats)?);
    }
    if let Some(sweep) = output_sweep(net, task, 21)? {
        let chart = imprints::output_sweep(&format!("{name} (Fig. 1c)"), &sweep);
        written.extend(save_all(&chart, out, "outputs", CHART_SIZE, formats)?);
    }
    let panels = imprints::distributions(
        &format!("{name}: conductance and susceptibility (Figs. 8, 10)"),
        run.initial.conductance(),
        &a.conductance,
        &a.susceptibility,
    );
    written.extend(save_all(
        &panels,
        out,
        "distributions",
        row_size(2),
        formats,
    )?);
    Ok(written)
}
