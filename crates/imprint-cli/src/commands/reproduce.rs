//! `imprint reproduce`: the paper end to end on built-in defaults and fixed
//! seeds (THEORY.md section 6). One jammed network; the four tasks; the four
//! initial-conductance conditions of Fig. 8; the weak-training sweep of
//! Appendix E; the analysis and every figure of each run; and
//! `DIR/index.html`, a report that states each claim, the number measured
//! and whether it holds by a criterion written down before the run.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use imprint::analysis::structure::{top_edges, SectorOverlap};
use imprint::analysis::AnalysisOptions;
use imprint::learning::config::RunConfig;
use imprint::learning::Rule;
use imprint::network::conductance::InitialConductance;
use imprint::network::Network;
use imprint_plot::paper;
use imprint_plot::{Axis, Chart, Format, LegendPosition, NetworkFigure, Panel, Panels, Series};

use super::analyze::{write_analysis, Structure};
use super::plot::{analyse_run, load_run, run_figures, save_all, FormatArg, RunAnalyses, RunFiles};
use super::train::{train_new, Session};

/// Flags of `imprint reproduce`.
#[derive(clap::Args)]
pub struct Args {
    /// Output directory (runs, figures, index.html).
    #[arg(long, default_value = "imprint-reproduction", value_name = "DIR")]
    out: PathBuf,
    /// Small network and few iterations: the whole pipeline in well under a minute (numbers are rough).
    #[arg(long)]
    quick: bool,
    /// Master seed of the network, the tasks and the batches.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Figure format (the report shows PNG; `both` adds SVG beside it).
    #[arg(long, value_enum, default_value_t = FormatArg::Png)]
    format: FormatArg,
    /// Replace the runs of an earlier reproduction in DIR.
    #[arg(long)]
    force: bool,
}

/// The four tasks of the paper.
const TASKS: [(&str, &str); 4] = [
    (
        "regression-2x2",
        "Linear regression, 2 inputs to 2 outputs (Fig. 1, 4)",
    ),
    (
        "regression-2x5",
        "Linear regression, 2 inputs to 5 outputs (Fig. 5a-d)",
    ),
    (
        "classification-3",
        "Classification of three clusters (Fig. 5e-h)",
    ),
    (
        "allostery",
        "Allostery: three target edges at 0.2 V (Fig. 6)",
    ),
];

/// Fig. 8: initial conductances (S) and the learning rate that trains each
/// to a relative cost below 1e-15 on the default network (relative steps
/// scale as alpha / k, so the rate grows with the conductance scale; 1000
/// at 10 S oscillates, 300 does not).
const CONDITIONS: [(&str, f64, f64, f64); 4] = [
    ("uniform in [0.1, 2] S", 0.1, 2.0, 100.0),
    ("peaked at 0.1 S", 0.09, 0.11, 10.0),
    ("peaked at 1 S", 0.9, 1.1, 100.0),
    ("peaked at 10 S", 9.0, 11.0, 300.0),
];

/// Appendix E: desired drops (V) across one target edge, weakest first.
const DROPS: [f64; 4] = [0.01, 0.03, 0.1, 0.3];

/// Share of edges counted as "top chi" in every claim.
const TOP_SHARE: f64 = 0.05;

/// What one run measured, for the claims and the tables.
#[derive(Debug, Clone, serde::Serialize)]
struct Metrics {
    id: String,
    label: String,
    task: String,
    initial_cost: f64,
    final_cost: f64,
    accuracy: Option<f64>,
    test_accuracy: Option<f64>,
    stiff_modes: usize,
    expected_stiff_modes: usize,
    /// Fraction of cost-Hessian |eigenvalues| within 1e6 of the largest, before and after.
    large_before: f64,
    large_after: f64,
    /// Number of cost-Hessian eigenvalues (one per edge).
    cost_hessian_size: usize,
    spearman_stiff: f64,
    spearman_conductance: f64,
    spearman_relative: f64,
    modes_for_90_percent: Option<usize>,
    modes: usize,
    /// Fraction of the top chi edges with relative conductance below 1, and of all edges.
    top_low_relative: f64,
    all_low_relative: f64,
    /// Fraction of the top chi edges that are also top stiff-weight edges.
    top_chi_in_top_stiff: f64,
    uniform_sectors: SectorOverlap,
    morse_smale_sectors: SectorOverlap,
    train_seconds: f64,
}

fn fraction_large(values: &[f64]) -> f64 {
    let largest = values.iter().map(|v| v.abs()).fold(0.0, f64::max);
    if values.is_empty() || largest == 0.0 {
        return 0.0;
    }
    values.iter().filter(|v| v.abs() > 1e-6 * largest).count() as f64 / values.len() as f64
}

fn metrics(
    id: &str,
    label: &str,
    run: &RunFiles,
    analyses: &RunAnalyses,
    summary: &serde_json::Value,
) -> Metrics {
    let a = &analyses.after;
    let before = analyses
        .before
        .cost_hessian_full_eigenvalues
        .as_deref()
        .unwrap_or(&analyses.before.cost_hessian_eigenvalues);
    let correlations = a.correlations();
    let top = top_edges(&a.susceptibility, TOP_SHARE);
    let finite_relative: Vec<f64> = a
        .relative_conductance
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let top_stiff = top_edges(&a.stiff_weight, TOP_SHARE);
    Metrics {
        id: id.to_string(),
        label: label.to_string(),
        task: run.task.name.clone(),
        initial_cost: summary["initial_cost"].as_f64().unwrap_or(f64::NAN),
        final_cost: summary["final_cost"].as_f64().unwrap_or(f64::NAN),
        accuracy: summary["accuracy"].as_f64(),
        test_accuracy: summary["test_accuracy"].as_f64(),
        stiff_modes: a.stiff_mode_count,
        expected_stiff_modes: a.expected_stiff_modes,
        large_before: fraction_large(before),
        large_after: fraction_large(&a.cost_hessian_eigenvalues),
        cost_hessian_size: a.cost_hessian_eigenvalues.len(),
        spearman_stiff: correlations["stiff_weight"].spearman,
        spearman_conductance: correlations["conductance"].spearman,
        spearman_relative: correlations["relative_conductance"].spearman,
        modes_for_90_percent: a.modes_to_reach(0.9),
        // All n = N + |C| modes, also when only the softest were computed.
        modes: a.physical_eigenvectors.nrows(),
        top_low_relative: top
            .iter()
            .filter(|&&e| a.relative_conductance[e] < 1.0)
            .count() as f64
            / top.len().max(1) as f64,
        all_low_relative: finite_relative.iter().filter(|&&v| v < 1.0).count() as f64
            / finite_relative.len().max(1) as f64,
        top_chi_in_top_stiff: top.iter().filter(|e| top_stiff.contains(e)).count() as f64
            / top.len().max(1) as f64,
        uniform_sectors: analyses.structure.uniform.1.clone(),
        morse_smale_sectors: analyses.structure.morse_smale.1.clone(),
        train_seconds: summary["wall_time_seconds"].as_f64().unwrap_or(f64::NAN),
    }
}

/// One finished run: its files, analyses and numbers.
struct Done {
    run: RunFiles,
    analyses: RunAnalyses,
    metrics: Metrics,
    dir: PathBuf,
}

/// How big and how long.
struct Plan {
    disks: usize,
    iteration_scale: f64,
    formats: Vec<Format>,
}

impl Plan {
    fn iterations(&self, full: usize) -> usize {
        ((full as f64 * self.iteration_scale).round() as usize).max(50)
    }
}

/// Progress on the terminal: "[k/n] what".
struct Progress {
    step: usize,
    total: usize,
    start: Instant,
}

impl Progress {
    fn say(&mut self, what: &str) {
        self.step += 1;
        eprintln!(
            "[{:>2}/{}] {:>6.1} s  {what}",
            self.step,
            self.total,
            self.start.elapsed().as_secs_f64()
        );
    }
}

/// Trains, analyses and draws one run in `dir`.
fn execute(
    plan: &Plan,
    id: &str,
    label: &str,
    config: &RunConfig,
    network: &Network,
    dir: &Path,
) -> Result<Done> {
    let task = config.build_task(network, None)?;
    let session = Session {
        quiet: true,
        stop_after: None,
        report: false,
    };
    let summary = train_new(&session, dir, config, network, &task)?;
    let run = load_run(dir)?;
    let structure = Structure {
        top_share: TOP_SHARE,
        ..Structure::default()
    };
    let options = AnalysisOptions::default();
    let start = Instant::now();
    let analyses = analyse_run(&run, &options, &structure)?;
    write_analysis(
        &analyses.after,
        &analyses.structure,
        &run.task,
        &options,
        &structure,
        None,
        start.elapsed().as_secs_f64(),
        &dir.join("analysis"),
    )?;
    run_figures(
        &run,
        &analyses,
        &structure,
        &dir.join("figures"),
        &plan.formats,
    )?;
    let metrics = metrics(id, label, &run, &analyses, &summary);
    Ok(Done {
        run,
        analyses,
        metrics,
        dir: dir.to_path_buf(),
    })
}

/// Runs `imprint reproduce`.
pub fn run(args: Args) -> Result<()> {
    let start = Instant::now();
    let out = &args.out;
    if (out.join("runs").exists() || out.join("index.html").exists()) && !args.force {
        bail!(
            "{} already holds a reproduction: choose another --out, or add --force to replace it",
            out.display()
        );
    }
    if args.force && out.join("runs").exists() {
        std::fs::remove_dir_all(out.join("runs"))
            .with_context(|| format!("cannot remove {}", out.join("runs").display()))?;
    }
    let figures = out.join("figures");
    std::fs::create_dir_all(&figures)
        .with_context(|| format!("cannot create {}", figures.display()))?;
    let mut formats = args.format.formats();
    if !formats.contains(&Format::Png) {
        // The report embeds PNG.
        formats.insert(0, Format::Png);
    }
    let plan = Plan {
        disks: if args.quick { 256 } else { 512 },
        iteration_scale: if args.quick { 0.2 } else { 1.0 },
        formats,
    };
    let mut progress = Progress {
        step: 0,
        total: 1 + TASKS.len() + CONDITIONS.len() + DROPS.len() + 1,
        start,
    };

    // The network all runs share.
    progress.say(&format!(
        "jammed packing of {} disks (seed {})",
        plan.disks, args.seed
    ));
    let mut base = RunConfig::for_task("regression-2x2", args.seed)?;
    base.network.nodes = plan.disks;
    let network = base.build_network()?;
    let network_file = out.join("network.json");
    imprint::io::write_network(&network_file, &network)?;
    let mut drawing = NetworkFigure::new(&network);
    drawing.title = format!(
        "jammed contact network: {} nodes, {} edges",
        network.node_count(),
        network.edge_count()
    );
    save_all(&drawing, &figures, "network", (1000, 1000), &plan.formats)?;

    let configure = |name: &str, iterations: Option<usize>| -> Result<RunConfig> {
        let mut config = RunConfig::for_task(name, args.seed)?;
        config.network.file = Some(std::fs::canonicalize(&network_file)?);
        config.network.nodes = plan.disks;
        config.training.iterations =
            plan.iterations(iterations.unwrap_or(config.training.iterations));
        config.output.record_every = (config.training.iterations / 200).max(1);
        Ok(config)
    };
    let with_initial = |config: &RunConfig| -> Result<Network> {
        let mut n = network.clone();
        config.apply_initial_conductance(&mut n)?;
        Ok(n)
    };

    let mut tasks = Vec::new();
    for (name, label) in TASKS {
        progress.say(&format!("{name}: train, analyse, draw"));
        let config = configure(name, None)?;
        let initial = with_initial(&config)?;
        tasks.push(execute(
            &plan,
            name,
            label,
            &config,
            &initial,
            &out.join("runs").join(name),
        )?);
    }

    let mut conditions = Vec::new();
    for (k, &(label, min, max, rate)) in CONDITIONS.iter().enumerate() {
        progress.say(&format!(
            "Fig. 8 condition {}: regression-2x2, k {label}",
            k + 1
        ));
        let mut config = configure("regression-2x2", Some(30_000))?;
        config.network.conductance = InitialConductance::Uniform { min, max };
        config.training.rule = Rule::CoupledLearning {
            learning_rate: rate,
            nudge: 0.1,
        };
        let initial = with_initial(&config)?;
        let id = format!("initial-{}", k + 1);
        conditions.push(execute(
            &plan,
            &id,
            label,
            &config,
            &initial,
            &out.join("runs").join(&id),
        )?);
    }

    let mut weak = Vec::new();
    for &drop in &DROPS {
        progress.say(&format!(
            "Appendix E: allostery, one target edge at {drop} V"
        ));
        let mut config = configure("allostery", None)?;
        config.task.target_edges = 1;
        config.task.desired_drop = drop;
        let initial = with_initial(&config)?;
        let id = format!("weak-{drop}");
        weak.push(execute(
            &plan,
            &id,
            &format!("desired drop {drop} V"),
            &config,
            &initial,
            &out.join("runs").join(&id),
        )?);
    }

    progress.say("summary figures and report");
    summary_figures(&plan, &figures, &tasks, &conditions, &weak)?;
    let claims = claims(&tasks, &conditions, &weak);
    let elapsed = start.elapsed().as_secs_f64();
    let all: Vec<&Metrics> = tasks
        .iter()
        .chain(&conditions)
        .chain(&weak)
        .map(|d| &d.metrics)
        .collect();
    let record = serde_json::json!({
        "format": "imprint-reproduction",
        "version": 1,
        "seed": args.seed,
        "quick": args.quick,
        "nodes": network.node_count(),
        "edges": network.edge_count(),
        "wall_time_seconds": elapsed,
        "claims": claims,
        "runs": all,
    });
    imprint::io::write_atomic(
        &out.join("claims.json"),
        format!("{}\n", serde_json::to_string_pretty(&record)?).as_bytes(),
    )?;
    let html = report(
        &args,
        &network,
        &tasks,
        &conditions,
        &weak,
        &claims,
        elapsed,
    );
    imprint::io::write_atomic(&out.join("index.html"), html.as_bytes())?;
    let held = claims.iter().filter(|c| c.holds).count();
    println!(
        "reproduced in {elapsed:.0} s: {held} of {} claims hold; open {}",
        claims.len(),
        out.join("index.html").display()
    );
    for c in &claims {
        println!(
            "  {} {:<4} {}",
            if c.holds { "holds " } else { "FAILS " },
            c.id,
            c.measured
        );
    }
    Ok(())
}

fn summary_figures(
    plan: &Plan,
    figures: &Path,
    tasks: &[Done],
    conditions: &[Done],
    weak: &[Done],
) -> Result<()> {
    let curves: Vec<(String, Vec<f64>)> = tasks
        .iter()
        .map(|d| {
            (
                d.run.task.name.clone(),
                d.analyses.after.partial_susceptibility.clone(),
            )
        })
        .collect();
    let chart =
        paper::partial_susceptibility("partial susceptibility of the four tasks (Fig. 7)", &curves);
    save_all(
        &chart,
        figures,
        "partial-susceptibility",
        (1100, 800),
        &plan.formats,
    )?;

    // Fig. 4a for the four tasks side by side: ranked spectra before and after.
    let mut spectra = Vec::new();
    for d in tasks {
        let before = d
            .analyses
            .before
            .cost_hessian_full_eigenvalues
            .clone()
            .unwrap_or_else(|| d.analyses.before.cost_hessian_eigenvalues.clone());
        let chart = paper::eigenvalue_histogram(
            &d.run.task.name,
            Some(&before),
            &d.analyses.after.cost_hessian_eigenvalues,
            d.metrics.stiff_modes,
            d.metrics.expected_stiff_modes,
        );
        spectra.push(Panel::Chart(chart));
    }
    let panels = Panels {
        title: "cost-Hessian eigenvalues before and after training (Fig. 4a)".into(),
        columns: 2,
        panels: spectra,
    };
    save_all(&panels, figures, "spectra", (2000, 1500), &plan.formats)?;

    // Fig. 8: the four initial conditions, chi against k and relative k.
    let mut cells = Vec::new();
    for (row, (x_label, pick)) in [
        (
            "conductance k (S)",
            (|m: &imprint::analysis::Analysis| m.conductance.clone()) as fn(&_) -> Vec<f64>,
        ),
        ("relative conductance", |m: &imprint::analysis::Analysis| {
            m.relative_conductance.clone()
        }),
    ]
    .into_iter()
    .enumerate()
    {
        for d in conditions {
            let a = &d.analyses.after;
            let x = pick(a);
            let mut chart = Chart::new(d.metrics.label.clone(), x_label, "susceptibility χ")
                .with_axes(Axis::Log, Axis::Log);
            chart.series.push(
                Series::markers(
                    "",
                    x.iter()
                        .zip(&a.susceptibility)
                        .map(|(&x, &y)| [x, y])
                        .collect(),
                    imprint_plot::category_color(row + 1),
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
    save_all(
        &panels,
        figures,
        "initial-conditions",
        (2600, 1300),
        &plan.formats,
    )?;

    // Appendix E: chi and the stiff mode for increasing desired drops.
    let mut cells = Vec::new();
    for d in weak {
        cells.push(Panel::Network(paper::network_by(
            &d.run.trained,
            &d.run.task,
            &d.analyses.after.susceptibility,
            "χ",
            &format!("χ, {}", d.metrics.label),
        )));
    }
    for d in weak {
        cells.push(Panel::Network(paper::network_by(
            &d.run.trained,
            &d.run.task,
            &paper::floored(&d.analyses.after.stiff_weight, 1e-4),
            "stiff weight (floor 1e-4 of max)",
            &format!(
                "stiff mode, ρ(χ, weight) = {:+.2}",
                d.metrics.spearman_stiff
            ),
        )));
    }
    let panels = Panels {
        title: "weak training (Appendix E): susceptibility (top) and the stiff mode (bottom) for increasing desired drops".into(),
        columns: weak.len(),
        panels: cells,
    };
    save_all(
        &panels,
        figures,
        "weak-training",
        (2800, 1400),
        &plan.formats,
    )?;

    let mut chart = Chart::new(
        "how well χ finds the learned edges as the task strengthens",
        "desired drop across the target edge (V)",
        "fraction / correlation",
    )
    .with_axes(Axis::Log, Axis::Linear);
    chart.y_range = Some([0.0, 1.05]);
    let drops: Vec<f64> = DROPS.to_vec();
    let line = |f: &dyn Fn(&Metrics) -> f64| -> Vec<[f64; 2]> {
        drops
            .iter()
            .zip(weak)
            .map(|(&x, d)| [x, f(&d.metrics)])
            .collect()
    };
    for (k, (name, measure)) in [
        (
            "Spearman ρ(χ, stiff weight)",
            (|m: &Metrics| m.spearman_stiff) as fn(&Metrics) -> f64,
        ),
        ("top-5 % χ edges among top-5 % stiff", |m: &Metrics| {
            m.top_chi_in_top_stiff
        }),
        ("top-5 % χ edges on sector boundaries", |m: &Metrics| {
            m.uniform_sectors.precision
        }),
    ]
    .into_iter()
    .enumerate()
    {
        let color = imprint_plot::category_color(k);
        chart.series.push(Series::line(name, line(&measure), color));
        chart
            .series
            .push(Series::markers("", line(&measure), color).with_size(7));
    }
    chart.y_range = Some([0.0, 1.3]);
    chart.legend = LegendPosition::UpperLeft;
    save_all(
        &chart,
        figures,
        "weak-training-measures",
        (1100, 800),
        &plan.formats,
    )?;
    Ok(())
}

/// One of the paper's claims, measured.
#[derive(Debug, Clone, serde::Serialize)]
struct Claim {
    id: String,
    statement: String,
    criterion: String,
    measured: String,
    holds: bool,
}

fn claims(tasks: &[Done], conditions: &[Done], weak: &[Done]) -> Vec<Claim> {
    let m = |d: &[Done]| -> Vec<Metrics> { d.iter().map(|d| d.metrics.clone()).collect() };
    let (tasks, conditions, weak) = (m(tasks), m(conditions), m(weak));
    let mut claims = Vec::new();

    // 1. Spectrum.
    let spectrum_ok = |t: &Metrics| {
        // Counts, not fractions: at most 2 n_in n_out large eigenvalues after training.
        (t.large_after * t.cost_hessian_size as f64).round() <= 2.0 * t.expected_stiff_modes as f64
            && t.large_before >= 10.0 * t.large_after
    };
    claims.push(Claim {
        id: "6.1".into(),
        statement: "Cost-Hessian spectrum: broad before training; after training most eigenvalues near 0 and a few (= learned coefficients) very large.".into(),
        criterion: "For each task: after training at most 2 n_in n_out eigenvalues lie within 10^6 of the largest, and before training at least 10 times as many do.".into(),
        measured: tasks
            .iter()
            .map(|t| {
                format!(
                    "{}: {:.1} % -> {:.2} % within 10^6 of the largest; {} stiff modes (n_in n_out = {})",
                    t.task,
                    100.0 * t.large_before,
                    100.0 * t.large_after,
                    t.stiff_modes,
                    t.expected_stiff_modes
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        holds: tasks.iter().all(spectrum_ok),
    });

    // 2. chi vs stiff weight.
    let runs: Vec<&Metrics> = tasks.iter().chain(&conditions).collect();
    claims.push(Claim {
        id: "6.2".into(),
        statement: "Edges with large χ_e carry the large entries of the stiff modes: positive rank correlation between χ_e and the stiff-mode weight.".into(),
        criterion: "Spearman ρ(χ, stiff weight) > 0 in every run (four tasks, four initial conditions).".into(),
        measured: runs
            .iter()
            .map(|t| format!("{} {:+.2}", t.id, t.spearman_stiff))
            .collect::<Vec<_>>()
            .join(", "),
        holds: runs.iter().all(|t| t.spearman_stiff > 0.0),
    });

    // 3. Partial susceptibility.
    claims.push(Claim {
        id: "6.3".into(),
        statement: "Partial susceptibility saturates after a few soft modes.".into(),
        criterion: "For each task, the softest 5 % of the physical modes carry 90 % of Σ χ_e² (THEORY.md eq. 24).".into(),
        measured: tasks
            .iter()
            .map(|t| match t.modes_for_90_percent {
                Some(k) => format!("{}: 90 % after {k} of {} modes", t.task, t.modes),
                None => format!("{}: 90 % not reached", t.task),
            })
            .collect::<Vec<_>>()
            .join("; "),
        holds: tasks.iter().all(|t| {
            t.modes_for_90_percent
                .is_some_and(|k| k as f64 <= 0.05 * t.modes as f64)
        }),
    });

    // 4a. Conductance alone does not predict chi.
    let mut magnitudes: Vec<f64> = runs.iter().map(|t| t.spearman_conductance.abs()).collect();
    magnitudes.sort_by(f64::total_cmp);
    let median = magnitudes[magnitudes.len() / 2];
    claims.push(Claim {
        id: "6.4a".into(),
        statement: "Conductance alone does not predict χ_e.".into(),
        criterion: "The median over runs of |Spearman ρ(χ, k)| is below 0.5.".into(),
        measured: format!(
            "median |ρ| = {median:.2}; {}",
            runs.iter()
                .map(|t| format!("{} {:+.2}", t.id, t.spearman_conductance))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        holds: median < 0.5,
    });

    // 4b. High chi edges have low relative conductance.
    claims.push(Claim {
        id: "6.4b".into(),
        statement: "High-χ edges have low relative conductance k_e / <k of adjacent edges>: they act as walls and corridors.".into(),
        criterion: "In every run, more than half of the top 5 % χ edges have relative conductance below 1, and a larger share than among all edges.".into(),
        measured: runs
            .iter()
            .map(|t| {
                format!(
                    "{} {:.0} % (all edges {:.0} %)",
                    t.id,
                    100.0 * t.top_low_relative,
                    100.0 * t.all_low_relative
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
        holds: runs
            .iter()
            .all(|t| t.top_low_relative > 0.5 && t.top_low_relative > t.all_low_relative),
    });

    // 5. Sectors.
    let allostery = tasks.iter().find(|t| t.task == "allostery");
    if let Some(a) = allostery {
        let u = &a.uniform_sectors;
        let ms = &a.morse_smale_sectors;
        claims.push(Claim {
            id: "6.5".into(),
            statement: "For allosteric tasks, high-χ edges trace the boundaries of persistent sectors.".into(),
            criterion: "Top 5 % χ edges lie on the boundaries of the uniform-voltage sectors (threshold 5 % of the voltage range) at least twice as often as edges chosen at random.".into(),
            measured: format!(
                "{} sectors; {} of {} top-χ edges on boundaries ({:.0} %, chance {:.0} %, {:.1} x); Morse-Smale sectors: {} ({} boundary edges)",
                u.sectors,
                u.top_on_boundary,
                u.top_edges,
                100.0 * u.precision,
                100.0 * u.base_rate,
                u.enrichment,
                ms.sectors,
                ms.boundary_edges
            ),
            holds: u.enrichment >= 2.0,
        });
    }

    // Appendix E.
    claims.push(Claim {
        id: "E".into(),
        statement: "Weakly trained networks (Appendix E): the susceptibility still captures the edges singled out by the stiff mode.".into(),
        criterion: "For every desired drop, ρ(χ, stiff weight) > 0 and the top 5 % χ edges fall among the top 5 % stiff-weight edges at least twice as often as chance (10 %).".into(),
        measured: weak
            .iter()
            .map(|t| {
                format!(
                    "{}: ρ {:+.2}, overlap {:.0} %",
                    t.label,
                    t.spearman_stiff,
                    100.0 * t.top_chi_in_top_stiff
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        holds: weak
            .iter()
            .all(|t| t.spearman_stiff > 0.0 && t.top_chi_in_top_stiff >= 2.0 * TOP_SHARE),
    });
    claims
}

/// HTML-escapes text, then sets the notation of the claims as sub- and
/// superscripts (χ_e, k_e, n_in n_out, 10^6).
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace("χ_e", "χ<sub>e</sub>")
        .replace("k_e", "k<sub>e</sub>")
        .replace("n_in", "n<sub>in</sub>")
        .replace("n_out", "n<sub>out</sub>")
        .replace("k_rel", "k<sub>rel</sub>")
        .replace("10^6", "10<sup>6</sup>")
}

fn relative(path: &Path, out: &Path) -> String {
    path.strip_prefix(out)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn figure(html: &mut String, src: &str, caption: &str) {
    // Wide figures (rows of panels) span the page; single drawings and charts stay readable-sized.
    let wide = [
        "spectra",
        "initial-conditions",
        "weak-training.",
        "scatter",
        "fields",
        "sectors",
        "spectrum",
        "training.png",
    ]
    .iter()
    .any(|w| src.contains(w));
    let _ = writeln!(
        html,
        "<figure class=\"{class}\"><a href=\"{src}\"><img src=\"{src}\" alt=\"{alt}\" loading=\"lazy\"></a><figcaption>{caption}</figcaption></figure>",
        class = if wide { "wide" } else { "single" },
        alt = escape(caption),
        caption = escape(caption)
    );
}

fn number(v: f64) -> String {
    if v.is_nan() {
        "–".into()
    } else {
        format!("{v:.3e}")
    }
}

fn report(
    args: &Args,
    network: &Network,
    tasks: &[Done],
    conditions: &[Done],
    weak: &[Done],
    claims: &[Claim],
    elapsed: f64,
) -> String {
    let out = &args.out;
    let mut html = String::new();
    html.push_str(r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>imprint: reproduction of the paper's claims</title>
<style>
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.7em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; padding-bottom: .2em; }
table { border-collapse: collapse; width: 100%; margin: 1em 0; font-size: .92em; }
th, td { border: 1px solid #ccc; padding: .35em .5em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.holds { background: #e3f4e3; font-weight: bold; color: #16621b; }
td.fails { background: #fbe3e3; font-weight: bold; color: #8a1414; }
figure { margin: 1.2em 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
figure.single img { max-width: 640px; width: 100%; }
figcaption { font-size: .9em; color: #555; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
code { background: #f5f5f5; padding: 0 .25em; }
.note { background: #fffbe6; border-left: 4px solid #e0b000; padding: .5em 1em; }
</style></head><body>
"#);
    let held = claims.iter().filter(|c| c.holds).count();
    let _ = write!(
        html,
        "<h1>imprint: the paper's claims, reproduced</h1>\n<p>Made by <code>imprint reproduce{}{}</code> (imprint {}) in {:.0} s: one jammed contact network of {} nodes and {} edges (seed {}), {} training runs, their analyses and figures. <b>{} of {} claims hold.</b>{}</p>\n",
        if args.quick { " --quick" } else { "" },
        if args.seed != 1 { format!(" --seed {}", args.seed) } else { String::new() },
        env!("CARGO_PKG_VERSION"),
        elapsed,
        network.node_count(),
        network.edge_count(),
        args.seed,
        tasks.len() + conditions.len() + weak.len(),
        held,
        claims.len(),
        if args.quick { " <span class=\"note\">Quick mode: a small network and a tenth of the iterations; the numbers are rough.</span>" } else { "" }
    );
    html.push_str("<h2>Claims (THEORY.md section 6)</h2>\n<table><tr><th>#</th><th>claim</th><th>criterion</th><th>measured</th><th>holds?</th></tr>\n");
    for c in claims {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>",
            escape(&c.id),
            escape(&c.statement),
            escape(&c.criterion),
            escape(&c.measured),
            if c.holds { "holds" } else { "fails" },
            if c.holds { "holds" } else { "does not hold" }
        );
    }
    html.push_str("</table>\n<p>Machine-readable: <a href=\"claims.json\">claims.json</a>. Every run directory under <code>runs/</code> holds its configuration, networks, history, analysis (<code>analysis/analysis.npz</code>, <code>summary.json</code>) and figures, and can be re-plotted with <code>imprint plot</code>.</p>\n");

    html.push_str("<h2>The network</h2>\n");
    figure(
        &mut html,
        "figures/network.png",
        "The jammed contact network every run starts from.",
    );

    html.push_str("<h2>All runs</h2>\n<table><tr><th>run</th><th>cost before</th><th>cost after</th><th>accuracy (train / test)</th><th>stiff modes (n<sub>in</sub> n<sub>out</sub>)</th><th>ρ(χ, stiff)</th><th>ρ(χ, k)</th><th>ρ(χ, k<sub>rel</sub>)</th><th>modes for 90 % of Σχ²</th><th>training time</th></tr>\n");
    for d in tasks.iter().chain(conditions).chain(weak) {
        let t = &d.metrics;
        let _ = writeln!(
            html,
            "<tr><td><a href=\"{}/\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{} ({})</td><td>{:+.2}</td><td>{:+.2}</td><td>{:+.2}</td><td>{}</td><td>{:.1} s</td></tr>",
            relative(&d.dir, out),
            escape(&t.id),
            number(t.initial_cost),
            number(t.final_cost),
            match (t.accuracy, t.test_accuracy) {
                (Some(a), Some(b)) => format!("{:.1} % / {:.1} %", 100.0 * a, 100.0 * b),
                _ => "–".into(),
            },
            t.stiff_modes,
            t.expected_stiff_modes,
            t.spearman_stiff,
            t.spearman_conductance,
            t.spearman_relative,
            t.modes_for_90_percent
                .map_or("not reached".into(), |k| format!("{k} of {}", t.modes)),
            t.train_seconds
        );
    }
    html.push_str("</table>\n");
    figure(&mut html, "figures/spectra.png", "Fig. 4a: cost-Hessian eigenvalues before training (full Hessian; magnitudes) and after (Gauss-Newton, exact at the minimum).");
    figure(
        &mut html,
        "figures/partial-susceptibility.png",
        "Fig. 7: partial susceptibility against the number of softest physical modes.",
    );
    for d in tasks {
        let dir = relative(&d.dir, out);
        let _ = writeln!(html, "<h2>{}</h2>", escape(&d.metrics.label));
        figure(
            &mut html,
            &format!("{dir}/figures/training.png"),
            "Training history.",
        );
        figure(
            &mut html,
            &format!("{dir}/figures/cost-hessian-spectrum.png"),
            "Cost-Hessian spectrum before and after training: magnitudes (left; the stiff eigenvalues after training marked along the bottom) and ranked (right).",
        );
        html.push_str("<div class=\"grid\">\n");
        figure(
            &mut html,
            &format!("{dir}/figures/network-susceptibility.png"),
            "Edges coloured and widened by χ_e (log scale).",
        );
        figure(
            &mut html,
            &format!("{dir}/figures/network-stiff-weight.png"),
            "Edges by their weight in the stiff modes.",
        );
        figure(
            &mut html,
            &format!("{dir}/figures/network-conductance.png"),
            "Trained conductances.",
        );
        if d.run.task.classification {
            figure(
                &mut html,
                &format!("{dir}/figures/decision-regions.png"),
                "Decision regions over the input plane.",
            );
        }
        html.push_str("</div>\n");
        figure(
            &mut html,
            &format!("{dir}/figures/scatter.png"),
            "χ_e against stiff weight, conductance and relative conductance (Figs. 4d, 8, 10).",
        );
        figure(&mut html, &format!("{dir}/figures/fields.png"), "Fig. 9: voltage response of sample 0 with the susceptible edges, and the current field; red: walls and corridors (top 5 % χ with conductance below their neighbours').");
        figure(&mut html, &format!("{dir}/figures/sectors.png"), "Figs. 6, 11: sectors of the response of sample 0 with their boundaries (black) and the top 5 % χ edges (red).");
    }
    html.push_str("<h2>Four initial conditions, one task (Fig. 8)</h2>\n<p>regression-2x2 from four initial conductance distributions. The learning rate grows with the conductance scale (relative steps scale as α/k): ");
    let rates: Vec<String> = CONDITIONS
        .iter()
        .map(|(label, _, _, rate)| format!("{label}: α = {rate}"))
        .collect();
    html.push_str(&escape(&rates.join("; ")));
    html.push_str(".</p>\n");
    figure(
        &mut html,
        "figures/initial-conditions.png",
        "χ_e against conductance and relative conductance for the four initial conditions.",
    );
    html.push_str("<h2>Weak training (Appendices B and E)</h2>\n<p>Allostery with one target edge and increasing desired drops.</p>\n<table><tr><th>desired drop</th><th>ρ(χ, stiff)</th><th>top-5 % χ among top-5 % stiff</th><th>uniform-voltage sectors</th><th>top χ on boundaries (chance)</th></tr>\n");
    for d in weak {
        let t = &d.metrics;
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{:+.2}</td><td>{:.0} %</td><td>{}</td><td>{:.0} % ({:.0} %)</td></tr>",
            escape(&t.label),
            t.spearman_stiff,
            100.0 * t.top_chi_in_top_stiff,
            t.uniform_sectors.sectors,
            100.0 * t.uniform_sectors.precision,
            100.0 * t.uniform_sectors.base_rate
        );
    }
    html.push_str("</table>\n");
    figure(
        &mut html,
        "figures/weak-training.png",
        "Susceptibility (top) and stiff-mode weight (bottom) for increasing desired drops.",
    );
    figure(&mut html, "figures/weak-training-measures.png", "How the agreement between χ and the stiff mode, and the sector overlap, change with the desired drop.");
    html.push_str(r#"<h2>Methods and caveats</h2>
<ul>
<li>χ_e, the physical spectrum and both cost Hessians are computed exactly (dense) on this network; the same analysis runs on 10^5-node networks through the scalable path (<code>imprint analyze --method scalable</code>).</li>
<li>Before training the cost Hessian is the full Hessian (THEORY.md section 3), which is indefinite away from a minimum: its eigenvalue magnitudes are shown. After training it is the Gauss-Newton Hessian (exact at a minimum).</li>
<li>Sectors (THEORY.md section 5) are computed two ways. The Morse-Smale construction (sub- and superlevel persistence, steepest-descent basins) is exact but degenerate for a resistor network's response: a harmonic field has no interior extrema (maximum principle), so with one input edge every node shares one minimum and one maximum, and there is one sector. The uniform-voltage sectors (0-dimensional persistence of the edge filtration by voltage drop, cut at 5 % of the voltage range) are the "sectors of nearly uniform voltage" the claim is about; claim 6.5 is judged on them.</li>
<li>"Top χ edges" are the 5 % of edges with the largest χ_e throughout.</li>
</ul>
</body></html>
"#);
    html
}
