//! `imprint reproduce`: the paper end to end on built-in defaults and fixed
//! seeds (docs/theory.md section 6). The runs, metrics and claims are the
//! library's ([`imprint::paper`]); the figures are `imprint-plot`'s; this
//! file orders the work, shows progress and writes `claims.json` and the
//! HTML report (`report.rs`).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use imprint::analysis::report::StructureOptions;
use imprint::analysis::AnalysisOptions;
use imprint::learning::config::RunConfig;
use imprint::network::Network;
use imprint::paper::{
    claims, independence_claim, Claim, Conditions, PlannedRun, ReproducedRun, RunGroup, RunMetrics,
    Scale, SeedClaims, TrainerComparison, TOP_SHARE,
};
use imprint::run::{analyze_run, analyze_run_unsaved, train_new_observed, Observer, RunStart};
use imprint_plot::{reproduction, run_figures, save_all, Format, NetworkFigure};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::plot::FormatArg;

/// Flags of `imprint reproduce`.
#[derive(clap::Args)]
pub struct Args {
    /// Output directory (runs, figures, index.html).
    #[arg(long, default_value = "imprint-reproduction", value_name = "DIR")]
    pub out: PathBuf,
    /// Small network and few iterations: the whole pipeline in about 15 s a seed (numbers are rough).
    #[arg(long)]
    pub quick: bool,
    /// Master seed of the network, the tasks and the batches.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Judge the claims on this many seeds (SEED, SEED+1, ...): each a new
    /// network, tasks and batches, trained and analysed; the figures show the
    /// first, and the report gives every claim's verdict on each.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=100))]
    pub seeds: u64,
    /// cluster (the paper's conditions, the default: a 300-disk cluster, conductances in [1e-6, 1e6]) or jammed (our periodic packing of 512 disks, [1e-3, 1e2]).
    #[arg(long, default_value = "cluster", value_parser = crate::inputs::named::<Conditions>)]
    pub network: Conditions,
    /// Figure format (the report shows PNG; `both` adds SVG beside it).
    #[arg(long, value_enum, default_value_t = FormatArg::Png)]
    format: FormatArg,
    /// Learning rate of the four Fig. 8 runs: `auto` (follows the conductance
    /// scale, so the scale of a condition does not matter) or one constant
    /// for all four (as a lab would set one, so that it does).
    #[arg(long, default_value = "auto", value_name = "auto|RATE")]
    pub condition_rate: imprint::learning::LearningRate,
    /// Replace the runs of an earlier reproduction in DIR.
    #[arg(long)]
    force: bool,
}

/// Progress on the terminal: one line "[k/n] elapsed (about T left) what" per
/// stage, and within a run a bar (on a terminal only) through training,
/// analysis and figures. The estimate of what is left uses the time per
/// training iteration and the time of the rest of a run measured so far.
struct Progress {
    step: usize,
    total: usize,
    start: Instant,
    /// Iterations of the runs not yet started.
    iterations_left: usize,
    /// Runs not yet started.
    runs_left: usize,
    /// Training seconds and iterations so far.
    training: (f64, usize),
    /// Seconds of everything but training in the runs so far, and their count.
    other: (f64, usize),
}

impl Progress {
    fn new(start: Instant, plans: &[SeedPlan]) -> Self {
        let runs = || plans.iter().flat_map(|p| &p.runs);
        Self {
            step: 0,
            // Each seed's network and runs, then the summary figures with the report.
            total: plans.len() + runs().count() + 1,
            start,
            iterations_left: runs().map(|r| r.config.training.iterations).sum(),
            runs_left: runs().count(),
            training: (0.0, 0),
            other: (0.0, 0),
        }
    }

    /// Seconds the runs not yet started should take, once one run is done.
    fn left(&self) -> Option<f64> {
        let ((train, iterations), (other, runs)) = (self.training, self.other);
        (runs > 0 && iterations > 0).then(|| {
            train / iterations as f64 * self.iterations_left as f64
                + other / runs as f64 * self.runs_left as f64
        })
    }

    fn say(&mut self, what: &str) {
        self.step += 1;
        let left = match self.left() {
            Some(seconds) => format!("  (about {seconds:.0} s left)"),
            None => String::new(),
        };
        eprintln!(
            "[{:>2}/{}] {:>6.1} s{left}  {what}",
            self.step,
            self.total,
            self.start.elapsed().as_secs_f64()
        );
    }

    /// A run of `iterations` starts: its bar.
    fn run_started(&mut self, iterations: usize) -> RunBar {
        self.iterations_left = self.iterations_left.saturating_sub(iterations);
        self.runs_left = self.runs_left.saturating_sub(1);
        RunBar::new(iterations)
    }

    /// A run ended after `iterations` (fewer when it converged) that took
    /// `training` seconds of `total`.
    fn run_done(&mut self, iterations: usize, training: f64, total: f64) {
        self.training.0 += training;
        self.training.1 += iterations;
        self.other.0 += total - training;
        self.other.1 += 1;
    }
}

/// The bar of one run: iterations while it trains, then what it does.
struct RunBar(ProgressBar);

impl RunBar {
    fn new(iterations: usize) -> Self {
        // Hidden until styled (a new bar draws at once), and off a terminal.
        let bar =
            ProgressBar::with_draw_target(Some(iterations as u64), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("        training [{bar:30}] {pos}/{len} ({elapsed})")
                .expect("valid template")
                .progress_chars("=> "),
        );
        bar.set_draw_target(ProgressDrawTarget::stderr());
        Self(bar)
    }

    /// Training is over: a spinner saying what the run does now.
    fn phase(&self, what: &'static str) {
        self.0.set_style(
            ProgressStyle::with_template("        {spinner} {msg} ({elapsed})")
                .expect("valid template"),
        );
        self.0.set_message(what);
        self.0
            .enable_steady_tick(std::time::Duration::from_millis(250));
    }
}

impl Observer for RunBar {
    fn stepped(&mut self, step: usize, _total: usize) {
        self.0.set_position(step as u64);
    }
}

impl Drop for RunBar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// The runs of one seed, before they run.
struct SeedPlan {
    seed: u64,
    /// Where its network file goes.
    network_file: PathBuf,
    runs: Vec<PlannedRun>,
}

/// Trains, analyses and (given formats) draws one run in `dir`, showing how
/// far it is.
fn execute(
    formats: Option<&[Format]>,
    (id, label): (&str, &str),
    config: RunConfig,
    network: &Network,
    dir: &Path,
    progress: &mut Progress,
) -> Result<ReproducedRun> {
    let started = Instant::now();
    let mut bar = progress.run_started(config.training.iterations);
    let mut initial = network.clone();
    config.apply_initial_conductance(&mut initial)?;
    let task = config.build_task(&initial, None)?;
    let start = RunStart {
        config,
        initial,
        task,
    };
    let training = train_new_observed(dir, &start, &mut bar)?;
    let trained = started.elapsed().as_secs_f64();
    bar.phase("analysing: cost Hessian, susceptibility, sectors");
    let structure = StructureOptions {
        top_share: TOP_SHARE,
        ..StructureOptions::default()
    };
    // The figures' runs keep their analysis; the other seeds' would add
    // 180 MB of arrays per seed at the paper's size (`imprint analyze DIR`
    // writes one when wanted).
    let (run, report) = match formats {
        Some(_) => analyze_run(dir, &AnalysisOptions::default(), &structure)?,
        None => analyze_run_unsaved(dir, &AnalysisOptions::default(), &structure)?,
    };
    if let Some(formats) = formats {
        bar.phase("drawing the run's figures");
        run_figures(&run, &report, &dir.join("figures"), formats)?;
    }
    drop(bar);
    progress.run_done(
        training.iterations,
        trained,
        started.elapsed().as_secs_f64(),
    );
    let metrics = RunMetrics::measure(id, label, &training, &report);
    Ok(ReproducedRun {
        dir: dir.to_path_buf(),
        run,
        report,
        metrics,
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
    let scale = Scale {
        condition_rate: args.condition_rate,
        ..Scale::new(args.quick, args.network)
    };
    // The runs' configurations name each network by its full path (the
    // folder exists: the figures' folder is in it). The first seed's runs
    // are `runs/ID`, the others' `runs/seed-S/ID`.
    let root =
        std::fs::canonicalize(out).with_context(|| format!("cannot resolve {}", out.display()))?;
    let mut plans = Vec::new();
    for k in 0..args.seeds {
        let seed = args
            .seed
            .checked_add(k)
            .context("--seed plus --seeds passes the largest seed")?;
        let folder = match k {
            0 => root.clone(),
            _ => root.join("runs").join(format!("seed-{seed}")),
        };
        let network_file = folder.join("network.json");
        let runs = scale.plan(seed, &network_file)?;
        plans.push(SeedPlan {
            seed,
            network_file,
            runs,
        });
    }
    let mut progress = Progress::new(start, &plans);

    let mut by_seed = Vec::new();
    let mut first = None;
    let mut other_seeds = Vec::new();
    for (k, plan) in plans.into_iter().enumerate() {
        progress.say(&format!(
            "{:?} network of {} disks (seed {})",
            args.network, scale.disks, plan.seed
        ));
        let network = scale.network_config(plan.seed)?.build_network()?;
        let folder = plan.network_file.parent().expect("a file in a folder");
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
        imprint::io::write_network(&plan.network_file, &network)?;
        // Figures of the first seed only: the others are judged, not drawn.
        let drawn = (k == 0).then_some(formats.as_slice());
        if drawn.is_some() {
            let mut drawing = NetworkFigure::new(&network);
            drawing.title = format!(
                "contact network: {} nodes, {} edges",
                network.node_count(),
                network.edge_count()
            );
            save_all(&drawing, &figures, "network", (1000, 1000), &formats)?;
        }
        let runs = match k {
            0 => out.join("runs"),
            _ => out.join("runs").join(format!("seed-{}", plan.seed)),
        };
        let mut groups = Groups::default();
        for run in plan.runs {
            progress.say(&run.progress);
            let dir = runs.join(&run.id);
            // The second-order runs are compared, not drawn: their arrays
            // stay in memory (`imprint analyze DIR` writes them when wanted).
            let drawn = match run.group {
                RunGroup::SecondOrder => None,
                _ => drawn,
            };
            let done = execute(
                drawn,
                (&run.id, &run.label),
                run.config,
                &network,
                &dir,
                &mut progress,
            )?;
            groups.push(run.group, done);
        }
        let claims = groups.claims();
        by_seed.push(SeedClaims {
            seed: plan.seed,
            claims: claims.clone(),
        });
        if k == 0 {
            first = Some((network, groups, claims));
        } else {
            other_seeds.push(serde_json::json!({
                "seed": plan.seed,
                "nodes": network.node_count(),
                "edges": network.edge_count(),
                "claims": claims,
                "runs": groups.metrics(),
            }));
        }
    }
    let (network, groups, claims) = first.expect("at least one seed");
    let spread = imprint::paper::spread(&by_seed);

    progress.say("summary figures and report");
    let Groups {
        tasks,
        conditions,
        weak,
        sectors,
        ..
    } = &groups;
    let comparisons = groups.comparisons();
    reproduction::partial_susceptibility_figure(tasks, &figures, &formats)?;
    reproduction::spectra_figure(tasks, &figures, &formats)?;
    reproduction::initial_conditions_figure(conditions, &figures, &formats)?;
    reproduction::weak_training_figures(weak, &figures, &formats)?;
    reproduction::sector_drops_figure(sectors, &figures, &formats)?;
    let elapsed = start.elapsed().as_secs_f64();
    let record = serde_json::json!({
        "format": "imprint-reproduction",
        "version": 2,
        "seed": args.seed,
        "seeds": args.seeds,
        "quick": args.quick,
        "conditions": args.network,
        "condition_rate": args.condition_rate.to_string(),
        "nodes": network.node_count(),
        "edges": network.edge_count(),
        "wall_time_seconds": elapsed,
        "claims": claims,
        "runs": groups.metrics(),
        "second_order": comparisons,
        "spread": spread,
        "other_seeds": other_seeds,
    });
    imprint::io::write_atomic(
        &out.join("claims.json"),
        format!("{}\n", serde_json::to_string_pretty(&record)?).as_bytes(),
    )?;
    let html = super::report::report(
        &super::report::Reproduction {
            args: &args,
            network: &network,
            tasks,
            conditions,
            weak,
            sectors,
            comparisons: &comparisons,
            claims: &claims,
            spread: &spread,
        },
        elapsed,
    )?;
    imprint::io::write_atomic(&out.join("index.html"), html.as_bytes())?;
    let held = claims.iter().filter(|c| c.holds).count();
    let everywhere = spread.iter().filter(|c| c.holds_everywhere()).count();
    let (judged, learned) = imprint::paper::claim_runs(tasks, conditions, weak);
    println!(
        "{learned} of {} runs of seed {} learned their task; claims are judged on those alone",
        judged.len(),
        args.seed
    );
    println!(
        "reproduced in {elapsed:.0} s: {held} of {} claims hold on seed {}, {everywhere} on {}; open {} ({:.0} MB written)",
        claims.len(),
        args.seed,
        match args.seeds {
            1 => "that one seed".to_string(),
            2 => "both seeds".to_string(),
            k => format!("all {k} seeds"),
        },
        out.join("index.html").display(),
        folder_bytes(out) as f64 / 1e6
    );
    for (c, over) in claims.iter().zip(&spread) {
        println!(
            "  {} {:<4} {}\n              criterion: {}\n              over seeds: {}",
            match c.verdict() {
                "holds" => "holds ",
                "not judged" => "NOT JUDGED (no run learned)",
                _ => "FAILS ",
            },
            c.id,
            c.measured,
            c.criterion,
            over.summary()
        );
    }
    Ok(())
}

/// The runs of one seed by what they reproduce.
#[derive(Default)]
struct Groups {
    tasks: Vec<ReproducedRun>,
    conditions: Vec<ReproducedRun>,
    weak: Vec<ReproducedRun>,
    sectors: Vec<ReproducedRun>,
    second_order: Vec<ReproducedRun>,
}

impl Groups {
    fn push(&mut self, group: RunGroup, run: ReproducedRun) {
        match group {
            RunGroup::Tasks => self.tasks.push(run),
            RunGroup::Conditions => self.conditions.push(run),
            RunGroup::Weak => self.weak.push(run),
            RunGroup::Sectors => self.sectors.push(run),
            RunGroup::SecondOrder => self.second_order.push(run),
        }
    }

    /// Each task trained by both rules, compared (by task name).
    fn comparisons(&self) -> Vec<TrainerComparison> {
        self.tasks
            .iter()
            .filter_map(|cl| {
                let so = self
                    .second_order
                    .iter()
                    .find(|so| so.metrics.task == cl.metrics.task)?;
                Some(TrainerComparison::new(
                    (&cl.metrics, &cl.report.analysis.susceptibility),
                    (&so.metrics, &so.report.analysis.susceptibility),
                ))
            })
            .collect()
    }

    /// Every run's measurements, in the order of the plan.
    fn metrics(&self) -> Vec<RunMetrics> {
        self.tasks
            .iter()
            .chain(&self.conditions)
            .chain(&self.weak)
            .chain(&self.sectors)
            .chain(&self.second_order)
            .map(|d| d.metrics.clone())
            .collect()
    }

    /// The claims judged on these runs.
    fn claims(&self) -> Vec<Claim> {
        let metrics = |runs: &[ReproducedRun]| -> Vec<RunMetrics> {
            runs.iter().map(|d| d.metrics.clone()).collect()
        };
        let mut claims = claims(
            &metrics(&self.tasks),
            &metrics(&self.conditions),
            &metrics(&self.weak),
        );
        claims.push(independence_claim(&self.comparisons()));
        claims
    }
}

/// Bytes of every file under `dir` (what a reproduction costs on disk).
fn folder_bytes(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| match entry.file_type() {
                    Ok(t) if t.is_dir() => folder_bytes(&entry.path()),
                    _ => entry.metadata().map_or(0, |m| m.len()),
                })
                .sum()
        })
        .unwrap_or(0)
}
