//! The reproduction as the library runs it (docs/theory.md section 6): the
//! plan of every seed, each run trained through the executor and analysed,
//! the claims judged on each seed and over them, and `claims.json` as a
//! typed record. A front end (the command line, Python) supplies
//! [`Stages`]: progress and the figures; the science happens here.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::{
    claims, independence_claim, spread, Claim, ClaimSpread, Conditions, PlannedRun, ReproducedRun,
    RunGroup, RunMetrics, Scale, SeedClaims, TrainerComparison, TOP_SHARE,
};
use crate::analysis::report::StructureOptions;
use crate::io::IoError;
use crate::learning::{LearningError, LearningRate};
use crate::network::Network;
use crate::run::{
    analyze_run_unsaved, files, train_new_observed, write_analysis, Observer, RunError, RunStart,
};

/// What `imprint reproduce` and `imprint.reproduce` are asked for (the
/// command line's flags derive from these fields, feature `clap`).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct ReproductionOptions {
    /// Output directory (runs, figures, `claims.json`, `index.html`).
    #[cfg_attr(feature = "clap", arg(long, value_name = "DIR", default_value_os_t = ReproductionOptions::default().out))]
    pub out: PathBuf,
    /// Small network and a fifth of the iterations: the whole pipeline in
    /// about 15 s a seed (numbers are rough).
    #[cfg_attr(feature = "clap", arg(long))]
    pub quick: bool,
    /// Master seed of the first network, its tasks and batches.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = ReproductionOptions::default().seed))]
    pub seed: u64,
    /// Judge the claims on this many seeds (`seed`, `seed + 1`, ...): each
    /// a new network, tasks and batches, trained and analysed; the figures
    /// show the first, and the report gives every claim's verdict on each.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = ReproductionOptions::default().seeds, value_parser = clap::value_parser!(u64).range(1..=MAX_SEEDS)))]
    pub seeds: u64,
    /// `cluster` (the paper's conditions, the default: a 300-disk cluster,
    /// conductances in [1e-6, 1e6]) or `jammed` (our periodic packing of 512
    /// disks, [1e-3, 1e2]).
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = ReproductionOptions::default().network))]
    pub network: Conditions,
    /// Learning rate of the four Fig. 8 runs: `auto` (follows the
    /// conductance scale, so the scale of a condition does not matter) or
    /// one constant for all four (as a lab would set one, so that it does).
    #[cfg_attr(
        feature = "clap",
        arg(long, value_name = "auto|RATE", default_value = "auto")
    )]
    pub condition_rate: LearningRate,
    /// Replace the runs of an earlier reproduction in `out`.
    #[cfg_attr(feature = "clap", arg(long))]
    pub force: bool,
    /// `resistive` (the paper's) or `spring`: the same network as a 2D
    /// spring network, and the experiments that have a spring counterpart
    /// (docs/theory.md section 9), judged by the same criteria.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = ReproductionOptions::default().physics))]
    pub physics: crate::network::Physics,
}

impl Default for ReproductionOptions {
    fn default() -> Self {
        Self {
            out: PathBuf::from("imprint-reproduction"),
            quick: false,
            seed: 1,
            seeds: 3,
            network: Conditions::Cluster,
            condition_rate: LearningRate::Auto,
            force: false,
            physics: crate::network::Physics::Resistive,
        }
    }
}

/// The most seeds a reproduction judges the claims on.
pub const MAX_SEEDS: u64 = 100;

/// Why a reproduction stopped.
#[derive(Debug, thiserror::Error)]
pub enum ReproductionError {
    /// A run could not be trained, analysed, read or written.
    #[error(transparent)]
    Run(#[from] RunError),
    /// A configuration or a network could not be made.
    #[error(transparent)]
    Learning(#[from] LearningError),
    /// A file could not be written.
    #[error(transparent)]
    Io(#[from] IoError),
    /// The options or the output folder.
    #[error("{0}")]
    Invalid(String),
    /// A front end's stage (a figure) failed.
    #[error(transparent)]
    Stage(Box<dyn std::error::Error + Send + Sync>),
}

/// What a stage of a front end may fail with.
pub type StageResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// What a front end does while the reproduction runs: say what happens,
/// follow each run's training (the [`Observer`] part) and draw. Every
/// method has a default that does nothing.
pub trait Stages: Observer {
    /// Every run of every seed, before any starts.
    fn planned(&mut self, _plans: &[SeedPlan]) {}
    /// What starts now (a network, a run, the summary).
    fn say(&mut self, _what: &str) {}
    /// A run starts training for `iterations`.
    fn run_started(&mut self, _iterations: usize) {}
    /// The part of the run under way after training.
    fn phase(&mut self, _what: &'static str) {}
    /// The seed's network is made; `drawn` for the seed the figures show.
    fn network(&mut self, _network: &Network, _drawn: bool) -> StageResult {
        Ok(())
    }
    /// A run is trained and analysed; `drawn` when its figures are wanted.
    fn run_done(&mut self, _run: &ReproducedRun, _drawn: bool) -> StageResult {
        Ok(())
    }
    /// A run is done: its iterations, training seconds and total seconds.
    fn timed(&mut self, _iterations: usize, _training: f64, _total: f64) {}
    /// Every run of the first seed is done (the summary figures).
    fn summary(&mut self, _runs: &SeedRuns) -> StageResult {
        Ok(())
    }
}

impl Stages for () {}

/// The runs of one seed, before they run.
#[derive(Debug, Clone)]
pub struct SeedPlan {
    /// Master seed.
    pub seed: u64,
    /// Where its network file goes.
    pub network_file: PathBuf,
    /// Where its runs go.
    pub runs_dir: PathBuf,
    /// The runs.
    pub runs: Vec<PlannedRun>,
}

/// The runs of one seed by what they reproduce.
#[derive(Debug, Clone, Default)]
pub struct SeedRuns {
    /// The four task runs.
    pub tasks: Vec<ReproducedRun>,
    /// The Fig. 8 runs.
    pub conditions: Vec<ReproducedRun>,
    /// The weak-training runs.
    pub weak: Vec<ReproducedRun>,
    /// The Appendix B runs.
    pub sectors: Vec<ReproducedRun>,
    /// Each task trained by the second-order trainer.
    pub second_order: Vec<ReproducedRun>,
}

impl SeedRuns {
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
    pub fn comparisons(&self) -> Vec<TrainerComparison> {
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
    pub fn metrics(&self) -> Vec<RunMetrics> {
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
    pub fn claims(&self) -> Vec<Claim> {
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

/// A seed after the first in `claims.json`: its network's size, its claims
/// and its runs' measurements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OtherSeed {
    /// Master seed.
    pub seed: u64,
    /// Nodes of its network.
    pub nodes: usize,
    /// Edges of its network.
    pub edges: usize,
    /// The claims judged on it.
    pub claims: Vec<Claim>,
    /// Its runs' measurements.
    pub runs: Vec<RunMetrics>,
}

/// `claims.json` of a reproduction (docs/formats.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReproductionRecord {
    /// Always `imprint-reproduction`.
    pub format: String,
    /// Format version.
    pub version: u32,
    /// The first seed.
    pub seed: u64,
    /// How many seeds.
    pub seeds: u64,
    /// Quick mode.
    pub quick: bool,
    /// The conditions (cluster or jammed).
    pub conditions: Conditions,
    /// The Fig. 8 runs' learning rate.
    pub condition_rate: String,
    /// The physics (absent: resistive).
    #[serde(default, skip_serializing_if = "is_resistive")]
    pub physics: crate::network::Physics,
    /// Nodes of the first seed's network.
    pub nodes: usize,
    /// Edges of the first seed's network.
    pub edges: usize,
    /// Wall time of the whole reproduction.
    pub wall_time_seconds: f64,
    /// The claims on the first seed.
    pub claims: Vec<Claim>,
    /// The first seed's runs.
    pub runs: Vec<RunMetrics>,
    /// Each task trained by both rules (claim I).
    pub second_order: Vec<TrainerComparison>,
    /// Every claim over the seeds.
    pub spread: Vec<ClaimSpread>,
    /// The other seeds.
    pub other_seeds: Vec<OtherSeed>,
}

impl ReproductionRecord {
    /// The `format` tag.
    pub const FORMAT: &'static str = "imprint-reproduction";
    /// The version written.
    pub const VERSION: u32 = 2;
}

fn is_resistive(physics: &crate::network::Physics) -> bool {
    *physics == crate::network::Physics::Resistive
}

/// A finished reproduction: the first seed's network and runs (what the
/// figures and the report show) and the record written to `claims.json`.
#[derive(Debug, Clone)]
pub struct Reproduced {
    /// The first seed's network.
    pub network: Network,
    /// The first seed's runs.
    pub runs: SeedRuns,
    /// What `claims.json` holds.
    pub record: ReproductionRecord,
}

impl Reproduced {
    /// The runs the claims rest on and how many learned (first seed).
    pub fn learned(&self) -> (usize, usize) {
        let runs = &self.runs;
        let (judged, learned) = super::claim_runs(&runs.tasks, &runs.conditions, &runs.weak);
        (learned, judged.len())
    }
}

/// Runs the reproduction `options` asks for, telling `stages` what happens;
/// writes every run under `out/runs/` and `out/claims.json`.
pub fn reproduce(
    options: &ReproductionOptions,
    stages: &mut dyn Stages,
) -> Result<Reproduced, ReproductionError> {
    let start = Instant::now();
    if !(1..=MAX_SEEDS).contains(&options.seeds) {
        return Err(ReproductionError::Invalid(format!(
            "seeds: {} is not between 1 and {MAX_SEEDS}",
            options.seeds
        )));
    }
    let out = &options.out;
    if (out.join("runs").exists() || out.join("index.html").exists()) && !options.force {
        return Err(ReproductionError::Invalid(format!(
            "{} already holds a reproduction: choose another output folder, or replace it (`--force` on the command line, `force=True` in Python)",
            out.display()
        )));
    }
    if options.force && out.join("runs").exists() {
        std::fs::remove_dir_all(out.join("runs")).map_err(|e| IoError::Write {
            path: out.join("runs"),
            source: e,
        })?;
    }
    std::fs::create_dir_all(out).map_err(|e| IoError::Write {
        path: out.clone(),
        source: e,
    })?;
    let scale = Scale {
        condition_rate: options.condition_rate,
        physics: options.physics,
        ..Scale::new(options.quick, options.network)
    };
    // The runs' configurations name each network by its full path. The
    // first seed's runs are `runs/ID`, the others' `runs/seed-S/ID`.
    let root = std::fs::canonicalize(out).map_err(|e| IoError::Read {
        path: out.clone(),
        source: e,
    })?;
    let mut plans = Vec::new();
    for k in 0..options.seeds {
        let seed = options.seed.checked_add(k).ok_or_else(|| {
            ReproductionError::Invalid(
                "the first seed plus the number of seeds passes the largest seed".into(),
            )
        })?;
        let (folder, runs_dir) = match k {
            0 => (root.clone(), root.join("runs")),
            _ => {
                let folder = root.join("runs").join(format!("seed-{seed}"));
                (folder.clone(), folder)
            }
        };
        let network_file = folder.join("network.json");
        let runs = scale.plan(seed, &network_file)?;
        plans.push(SeedPlan {
            seed,
            network_file,
            runs_dir,
            runs,
        });
    }
    stages.planned(&plans);
    let mut by_seed = Vec::new();
    let mut first = None;
    let mut other_seeds = Vec::new();
    for (k, plan) in plans.into_iter().enumerate() {
        stages.say(&format!(
            "{:?} network of {} disks (seed {}, {})",
            options.network, scale.disks, plan.seed, options.physics
        ));
        let network = scale.network_config(plan.seed)?.build_network()?;
        let folder = plan.network_file.parent().expect("a file in a folder");
        std::fs::create_dir_all(folder).map_err(|e| IoError::Write {
            path: folder.to_path_buf(),
            source: e,
        })?;
        crate::io::write_network(&plan.network_file, &network)?;
        // Figures of the first seed only: the others are judged, not drawn.
        let drawn = k == 0;
        stages
            .network(&network, drawn)
            .map_err(ReproductionError::Stage)?;
        let mut runs = SeedRuns::default();
        for run in plan.runs {
            stages.say(&run.progress);
            // The first seed's runs keep their arrays (the second-order
            // runs are compared, not kept); the report shows the figures
            // of the four tasks alone, so only those are drawn (the other
            // groups are drawn together in the summary figures).
            let keep = Keep {
                arrays: drawn && run.group != RunGroup::SecondOrder,
                figures: drawn && run.group == RunGroup::Tasks,
            };
            let group = run.group;
            let done = execute(run, &network, &plan.runs_dir, keep, &scale, stages)?;
            runs.push(group, done);
        }
        let claims = runs.claims();
        by_seed.push(SeedClaims {
            seed: plan.seed,
            claims: claims.clone(),
        });
        if k == 0 {
            first = Some((network, runs, claims));
        } else {
            other_seeds.push(OtherSeed {
                seed: plan.seed,
                nodes: network.node_count(),
                edges: network.edge_count(),
                claims,
                runs: runs.metrics(),
            });
        }
    }
    let (network, runs, claims) = first.expect("at least one seed");
    stages.say("summary figures and report");
    stages.summary(&runs).map_err(ReproductionError::Stage)?;
    let record = ReproductionRecord {
        format: ReproductionRecord::FORMAT.into(),
        version: ReproductionRecord::VERSION,
        seed: options.seed,
        seeds: options.seeds,
        quick: options.quick,
        conditions: options.network,
        condition_rate: options.condition_rate.to_string(),
        physics: options.physics,
        nodes: network.node_count(),
        edges: network.edge_count(),
        wall_time_seconds: start.elapsed().as_secs_f64(),
        claims,
        runs: runs.metrics(),
        second_order: runs.comparisons(),
        spread: spread(&by_seed),
        other_seeds,
    };
    let text = serde_json::to_string_pretty(&record)
        .map_err(|e| ReproductionError::Invalid(e.to_string()))?;
    crate::io::write_atomic(&out.join("claims.json"), format!("{text}\n").as_bytes())?;
    Ok(Reproduced {
        network,
        runs,
        record,
    })
}

/// What a reproduction keeps of a run besides its run directory.
#[derive(Debug, Clone, Copy)]
struct Keep {
    /// `analysis/`, without the E x E cost Hessians.
    arrays: bool,
    /// `figures/`.
    figures: bool,
}

/// Trains and analyses one planned run in `runs_dir`.
fn execute(
    run: PlannedRun,
    network: &Network,
    runs_dir: &Path,
    keep: Keep,
    scale: &Scale,
    stages: &mut dyn Stages,
) -> Result<ReproducedRun, ReproductionError> {
    let started = Instant::now();
    let dir = runs_dir.join(&run.id);
    stages.run_started(run.config.training.iterations);
    let mut initial = network.clone();
    run.config.apply_initial_conductance(&mut initial)?;
    let task = run.config.build_task(&initial, None)?;
    let start = RunStart {
        config: run.config,
        initial,
        task,
    };
    let training = train_new_observed(&dir, &start, stages)?;
    let trained = started.elapsed().as_secs_f64();
    stages.phase("analysing: cost Hessian, susceptibility, sectors");
    let structure = StructureOptions {
        top_share: TOP_SHARE,
        ..StructureOptions::default()
    };
    let (finished, report) = analyze_run_unsaved(&dir, &scale.analysis_options(), &structure)?;
    if keep.arrays {
        // Every array but the E x E cost Hessians, two thirds of the bytes
        // (the figures are drawn from memory; `imprint analyze DIR` writes
        // them when wanted). The other seeds keep none: they would add
        // 180 MB of arrays per seed at the paper's size.
        let mut lean = report.clone();
        (lean.analysis.cost_hessian, lean.analysis.cost_hessian_full) = (None, None);
        write_analysis(&dir.join(files::ANALYSIS), &lean)?;
    }
    let metrics = RunMetrics::measure(&run.id, &run.label, &training, &report);
    let done = ReproducedRun {
        dir,
        run: finished,
        report,
        metrics,
    };
    if keep.figures {
        stages.phase("drawing the run's figures");
    }
    stages
        .run_done(&done, keep.figures)
        .map_err(ReproductionError::Stage)?;
    stages.timed(
        training.iterations,
        trained,
        started.elapsed().as_secs_f64(),
    );
    Ok(done)
}
