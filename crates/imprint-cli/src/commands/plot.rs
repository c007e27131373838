//! `imprint plot RUN_DIR`: every figure of a trained run (paper Figs. 1,
//! 4-7, 9, 11 and the training curves), from its files. The analysis of the
//! trained and of the initial network is recomputed in memory with the
//! defaults of `imprint analyze`, so any run directory can be plotted.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use imprint::analysis::structure::top_edges;
use imprint::analysis::{analyze, Analysis, AnalysisOptions};
use imprint::learning::{winner, Task, TrainingProblem};
use imprint::network::Network;
use imprint_plot::paper::{self, DecisionRegions, FieldData, HistoryPoint};
use imprint_plot::{Figure, Format, Panel, Panels};

use super::analyze::{structure_of, Structure, StructureResult};

/// Flags of `imprint plot`.
#[derive(clap::Args)]
pub struct Args {
    /// Run directory written by `imprint train`.
    run: PathBuf,
    /// Figure format.
    #[arg(long, value_enum, default_value_t = FormatArg::Png)]
    format: FormatArg,
    /// Output directory (default RUN_DIR/figures).
    #[arg(short, long, value_name = "DIR")]
    output: Option<PathBuf>,
    /// Which sample's fields and sectors to draw, and how.
    #[command(flatten)]
    structure: Structure,
}

/// Figure formats on the command line.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum FormatArg {
    /// PNG only.
    Png,
    /// SVG only.
    Svg,
    /// Both.
    Both,
}

impl FormatArg {
    /// The formats to write.
    pub fn formats(self) -> Vec<Format> {
        match self {
            FormatArg::Png => vec![Format::Png],
            FormatArg::Svg => vec![Format::Svg],
            FormatArg::Both => vec![Format::Png, Format::Svg],
        }
    }
}

/// What a run directory holds, read back.
pub struct RunFiles {
    /// The network before training.
    pub initial: Network,
    /// The trained network.
    pub trained: Network,
    /// The task.
    pub task: Task,
    /// The recorded training history.
    pub history: Vec<HistoryPoint>,
}

/// Reads a finished run directory.
pub fn load_run(dir: &Path) -> Result<RunFiles> {
    if !dir.join("network.json").exists() {
        bail!(
            "{}: no network.json (not a finished run; train it, or continue it with imprint train --resume {})",
            dir.display(),
            dir.display()
        );
    }
    Ok(RunFiles {
        initial: imprint::io::read_network(&dir.join("network-initial.json"))?,
        trained: imprint::io::read_network(&dir.join("network.json"))?,
        task: imprint::io::read_task(&dir.join("task.json"))?,
        history: read_history(&dir.join("history.csv"))?,
    })
}

/// Reads `history.csv` (step, cost, and for classification accuracy, test cost, test accuracy).
pub fn read_history(path: &Path) -> Result<Vec<HistoryPoint>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut points = Vec::new();
    for (index, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let field = |k: usize| -> Result<Option<f64>> {
            match line.split(',').nth(k).map(str::trim) {
                None | Some("") => Ok(None),
                Some(v) => v.parse::<f64>().map(Some).map_err(|_| {
                    anyhow::anyhow!(
                        "{}, line {}: column {} is not a number: {v:?}",
                        path.display(),
                        index + 1,
                        k + 1
                    )
                }),
            }
        };
        let (Some(step), Some(cost)) = (field(0)?, field(1)?) else {
            bail!(
                "{}, line {}: expected step,cost,...",
                path.display(),
                index + 1
            );
        };
        points.push(HistoryPoint {
            step,
            cost,
            accuracy: field(2)?,
            test_cost: field(3)?,
            test_accuracy: field(4)?,
        });
    }
    Ok(points)
}

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
        imprint_plot::save(figure, &path, size)
            .with_context(|| format!("cannot draw {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// Size of a single network drawing, a chart, and a row of `n` panels.
const NETWORK_SIZE: (u32, u32) = (1100, 1000);
const CHART_SIZE: (u32, u32) = (1100, 800);
fn row_size(panels: u32) -> (u32, u32) {
    match panels {
        2 => (2200, 1000),
        _ => (700 * panels, 750),
    }
}

/// Decision regions of a classification run over its input plane, when it has one.
pub fn decision_regions(network: &Network, task: &Task) -> Result<Option<DecisionRegions>> {
    let Some(plane) = task.input_plane() else {
        return Ok(None);
    };
    let problem = TrainingProblem::new(network, task)?;
    let factor = problem.factorize(network.conductance())?;
    let [cu, cv] = plane.columns;
    let coordinates = |rows: &[Vec<f64>], targets: &[Vec<f64>]| -> Vec<(f64, f64, usize)> {
        rows.iter()
            .zip(targets)
            .map(|(r, t)| (r[cu], r[cv], winner(t)))
            .collect()
    };
    let train = coordinates(&task.fixed_voltages, &task.targets);
    let test = coordinates(&task.test_fixed_voltages, &task.test_targets);
    let span = |pick: fn(&(f64, f64, usize)) -> f64| {
        let (lo, hi) = train
            .iter()
            .chain(&test)
            .map(pick)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        let pad = 0.15 * (hi - lo).max(1e-9);
        [lo - pad, hi + pad]
    };
    let (x, y) = (span(|p| p.0), span(|p| p.1));
    const CELLS: usize = 120;
    let centre = |range: [f64; 2], k: usize| {
        range[0] + (k as f64 + 0.5) / CELLS as f64 * (range[1] - range[0])
    };
    let drives: Vec<Vec<f64>> = (0..CELLS)
        .flat_map(|r| (0..CELLS).map(move |c| (r, c)))
        .map(|(r, c)| plane.drive(centre(x, c), centre(y, r)))
        .collect();
    let outputs = problem.outputs_for(&factor, &drives)?;
    let predicted = outputs
        .chunks(CELLS)
        .map(|row| row.iter().map(|y| winner(y)).collect())
        .collect();
    let node = |k: usize| task.fixed_nodes[plane.columns[k]];
    Ok(Some(DecisionRegions {
        labels: [
            format!("input 1: voltage at node {} (V)", node(0)),
            format!("input 2: voltage at node {} (V)", node(1)),
        ],
        x,
        y,
        predicted,
        train,
        test,
    }))
}

/// Analyses of a run: the trained network, and the initial one (for the
/// spectrum before training).
pub struct RunAnalyses {
    /// Trained network.
    pub after: Analysis,
    /// Initial network.
    pub before: Analysis,
    /// Sectors and walls of the trained response.
    pub structure: StructureResult,
}

/// Analyses `run` with `options`.
pub fn analyse_run(
    run: &RunFiles,
    options: &AnalysisOptions,
    structure: &Structure,
) -> Result<RunAnalyses> {
    let after = analyze(&run.trained, &run.task, options)?;
    let before = analyze(&run.initial, &run.task, options)?;
    let found = structure_of(&run.trained, &run.task, &after, structure)?;
    Ok(RunAnalyses {
        after,
        before,
        structure: found,
    })
}

/// Every figure of one run into `out`; returns the files written.
pub fn run_figures(
    run: &RunFiles,
    analyses: &RunAnalyses,
    structure: &Structure,
    out: &Path,
    formats: &[Format],
) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let (net, task, a) = (&run.trained, &run.task, &analyses.after);
    let name = &task.name;
    let mut written = Vec::new();
    for (file, values, label, what) in [
        (
            "network-susceptibility",
            &a.susceptibility.clone(),
            "susceptibility χ",
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
            "conductance k (S)",
            "trained conductance",
        ),
    ] {
        let figure = paper::network_by(net, task, values, label, &format!("{name}: {what}"));
        written.extend(save_all(&figure, out, file, NETWORK_SIZE, formats)?);
    }

    let before = analyses
        .before
        .cost_hessian_full_eigenvalues
        .as_deref()
        .unwrap_or(&analyses.before.cost_hessian_eigenvalues);
    let spectrum = paper::spectrum(
        &format!("{name}: cost-Hessian spectrum before and after training"),
        Some(before),
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
        &a.conductance,
        &a.relative_conductance,
    );
    written.extend(save_all(&scatter, out, "scatter", row_size(3), formats)?);

    let partial = paper::partial_susceptibility(
        &format!("{name}: partial susceptibility"),
        &[(name.clone(), a.partial_susceptibility.clone())],
    );
    written.extend(save_all(
        &partial,
        out,
        "partial-susceptibility",
        CHART_SIZE,
        formats,
    )?);

    let found = &analyses.structure;
    let fields = paper::fields(
        &format!(
            "{name}: fields of sample {} with walls and corridors",
            structure.sample
        ),
        net,
        task,
        &FieldData {
            voltages: &found.response.voltages,
            currents: &found.response.currents,
            susceptibility: &a.susceptibility,
            walls: &found.walls,
        },
    );
    written.extend(save_all(&fields, out, "fields", row_size(2), formats)?);

    let top = top_edges(&a.susceptibility, structure.top_share);
    let describe = |o: &imprint::analysis::structure::SectorOverlap, what: &str| {
        if o.sectors == 1 {
            format!("{what}: one sector, no boundary")
        } else {
            format!(
                "{what}: {} sectors, {:.0} % of top χ on boundaries ({:.1} x chance)",
                o.sectors,
                100.0 * o.precision,
                o.enrichment
            )
        }
    };
    let sectors = Panels {
        title: format!(
            "{name}: sectors of sample {} (threshold {:.0} % of the voltage range)",
            structure.sample,
            100.0 * structure.sector_threshold
        ),
        columns: 2,
        panels: [
            (&found.morse_smale, "Morse-Smale"),
            (&found.uniform, "uniform voltage"),
        ]
        .into_iter()
        .map(|((sectors, overlap), what)| {
            Panel::Network(paper::sectors_panel(
                &describe(overlap, what),
                net,
                task,
                &sectors.sector,
                &sectors.boundary_edges,
                &top,
            ))
        })
        .collect(),
    };
    written.extend(save_all(&sectors, out, "sectors", row_size(2), formats)?);

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
        if let Some(regions) = decision_regions(net, task)? {
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

/// Runs `imprint plot`.
pub fn run(args: Args) -> Result<()> {
    let run = load_run(&args.run)?;
    let structure = args.structure;
    structure.validate(&run.task)?;
    let out = args.output.unwrap_or_else(|| args.run.join("figures"));
    eprintln!(
        "analysing {} ({} nodes, {} edges) before and after training ...",
        run.task.name,
        run.trained.node_count(),
        run.trained.edge_count()
    );
    let analyses = analyse_run(&run, &AnalysisOptions::default(), &structure)?;
    let written = run_figures(&run, &analyses, &structure, &out, &args.format.formats())?;
    println!("wrote {} figures to {}", written.len(), out.display());
    Ok(())
}
