//! `imprint train`: Coupled Learning (or gradient descent) runs that record
//! everything: resolved configuration, networks before and after, the task,
//! the cost history, a summary, and checkpoints to resume from.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use imprint::learning::config::RunConfig;
use imprint::learning::{Evaluation, Task, Training};
use imprint::network::Network;
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};

/// Flags of `imprint train`.
#[derive(clap::Args)]
pub struct Args {
    /// Run configuration (TOML); omitted fields take the task's documented defaults.
    config: Option<PathBuf>,
    /// Built-in task (regression-2x2, regression-2x5, classification-3, allostery) when no config names one.
    #[arg(long)]
    task: Option<String>,
    /// Master seed (network, task, batches), overriding the config.
    #[arg(long)]
    seed: Option<u64>,
    /// Iterations, overriding the config.
    #[arg(long)]
    iterations: Option<usize>,
    /// Train this network file instead of generating one.
    #[arg(long, value_name = "FILE")]
    network: Option<PathBuf>,
    /// Run directory to create.
    #[arg(
        short,
        long,
        value_name = "RUN_DIR",
        required_unless_present = "resume"
    )]
    output: Option<PathBuf>,
    /// Continue an interrupted run from its last checkpoint.
    #[arg(long, value_name = "RUN_DIR", conflicts_with_all = ["config", "task", "seed", "network", "output"])]
    resume: Option<PathBuf>,
    /// Stop (as if interrupted) after this many iterations; for testing resumption.
    #[arg(long, hide = true)]
    stop_after: Option<usize>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

/// What a checkpoint holds: enough to continue exactly.
#[derive(Serialize, Deserialize)]
struct Checkpoint {
    format: String,
    version: u32,
    step: usize,
    wall_time_seconds: f64,
    conductance: Vec<f64>,
    history: Vec<Record>,
}

/// One line of history.csv.
#[derive(Serialize, Deserialize, Clone)]
struct Record {
    step: usize,
    cost: f64,
    accuracy: Option<f64>,
    test_cost: Option<f64>,
    test_accuracy: Option<f64>,
}

impl Record {
    fn new(step: usize, e: &Evaluation) -> Self {
        Self {
            step,
            cost: e.cost,
            accuracy: e.accuracy,
            test_cost: e.test_cost,
            test_accuracy: e.test_accuracy,
        }
    }
}

/// Merges `overlay` into `base` (tables recursively, other values replaced).
fn merge(base: &mut toml::Value, overlay: toml::Value) {
    match (base, overlay) {
        (toml::Value::Table(base), toml::Value::Table(overlay)) => {
            for (key, value) in overlay {
                // A table with a `kind` tag is a whole enum variant: it
                // replaces the default rather than merging field by field
                // (a "uniform" conductance has no "value" of a "constant").
                let tagged = value.get("kind").is_some();
                match base.get_mut(&key) {
                    Some(existing) if existing.is_table() && value.is_table() && !tagged => {
                        merge(existing, value)
                    }
                    _ => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, overlay) => *base = overlay,
    }
}

/// The fully resolved configuration: the task's defaults, the file over them, the flags over both.
fn resolve(args: &Args) -> Result<RunConfig> {
    let file: toml::Value = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            toml::from_str(&text).map_err(|e| {
                anyhow::anyhow!(
                    "{}: {}",
                    path.display(),
                    e.to_string().lines().collect::<Vec<_>>().join(" ")
                )
            })?
        }
        None => toml::Value::Table(Default::default()),
    };
    let named = file
        .get("task")
        .and_then(|t| t.get("name"))
        .and_then(|n| n.as_str())
        .map(str::to_string);
    let name = args
        .task
        .clone()
        .or(named)
        .unwrap_or_else(|| "regression-2x2".to_string());
    let seed = args
        .seed
        .or_else(|| {
            file.get("seed")
                .and_then(|s| s.as_integer())
                .map(|s| s as u64)
        })
        .unwrap_or(1);
    let defaults = RunConfig::for_task(&name, seed)?;
    let mut merged = toml::Value::try_from(&defaults)?;
    merge(&mut merged, file);
    let label = args
        .config
        .as_ref()
        .map_or("configuration".to_string(), |p| p.display().to_string());
    let mut config: RunConfig = merged
        .try_into()
        .map_err(|e: toml::de::Error| anyhow::anyhow!("{label}: {}", e.message()))?;
    config.task.name = name;
    if let Some(iterations) = args.iterations {
        config.training.iterations = iterations;
    }
    if let Some(network) = &args.network {
        config.network.file = Some(network.clone());
    }
    config.validate().with_context(|| label.clone())?;
    Ok(config)
}

fn load_network(config: &RunConfig) -> Result<Network> {
    match &config.network.file {
        Some(path) => {
            let mut network = crate::inputs::load_network(path)?;
            config.apply_initial_conductance(&mut network)?;
            Ok(network)
        }
        None => Ok(config.build_network()?),
    }
}

/// Runs `imprint train`.
pub fn run(args: Args) -> Result<()> {
    let (run_dir, config, initial, task, checkpoint) = match &args.resume {
        Some(dir) => {
            let text = std::fs::read_to_string(dir.join("config.toml"))
                .with_context(|| format!("cannot read {}", dir.join("config.toml").display()))?;
            let config: RunConfig = toml::from_str(&text).map_err(|e| {
                anyhow::anyhow!("{}: {}", dir.join("config.toml").display(), e.message())
            })?;
            let initial = imprint::io::read_network(&dir.join("network-initial.json"))?;
            let task = imprint::io::read_task(&dir.join("task.json"))?;
            let path = dir.join("checkpoint.json");
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}: nothing to resume", path.display()))?;
            let checkpoint: Checkpoint =
                serde_json::from_str(&text).with_context(|| path.display().to_string())?;
            (dir.clone(), config, initial, task, Some(checkpoint))
        }
        None => {
            let dir = args
                .output
                .clone()
                .expect("clap requires --output without --resume");
            if dir.join("config.toml").exists() {
                bail!("{} already holds a run: choose another directory, or continue it with --resume {}", dir.display(), dir.display());
            }
            let config = resolve(&args)?;
            let network = load_network(&config)?;
            let table = match &config.task.samples_file {
                Some(path) => Some(imprint::io::read_table(path)?),
                None => None,
            };
            let task = config.build_task(&network, table)?;
            create_run(&dir, &config, &network, &task)?;
            (dir, config, network, task, None)
        }
    };
    let session = Session {
        quiet: args.quiet,
        stop_after: args.stop_after,
        report: true,
    };
    train(&session, &run_dir, &config, &initial, &task, checkpoint)?;
    Ok(())
}

/// How a training session talks to the terminal.
pub struct Session {
    /// No progress bar.
    pub quiet: bool,
    /// Stop as if interrupted after this many iterations.
    pub stop_after: Option<usize>,
    /// Print the summary lines at the end.
    pub report: bool,
}

/// Writes what a run directory starts with: the resolved configuration,
/// the initial network and the task.
pub fn create_run(dir: &Path, config: &RunConfig, network: &Network, task: &Task) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    imprint::io::write_atomic(
        &dir.join("config.toml"),
        toml::to_string(config)?.as_bytes(),
    )?;
    imprint::io::write_network(&dir.join("network-initial.json"), network)?;
    imprint::io::write_task(&dir.join("task.json"), task)?;
    Ok(())
}

/// Creates RUN_DIR for `config` on `network` and `task` and trains it to
/// the end; returns the run summary (also in RUN_DIR/summary.json).
pub fn train_new(
    session: &Session,
    dir: &Path,
    config: &RunConfig,
    network: &Network,
    task: &Task,
) -> Result<serde_json::Value> {
    create_run(dir, config, network, task)?;
    train(session, dir, config, network, task, None)
}

fn train(
    args: &Session,
    dir: &Path,
    config: &RunConfig,
    initial: &Network,
    task: &Task,
    checkpoint: Option<Checkpoint>,
) -> Result<serde_json::Value> {
    let (mut training, mut history, earlier_wall) = match checkpoint {
        Some(c) => (
            Training::resume(
                initial,
                task,
                config.training.clone(),
                c.step,
                c.conductance,
            )?,
            c.history,
            c.wall_time_seconds,
        ),
        None => (
            Training::new(initial, task, config.training.clone())?,
            Vec::new(),
            0.0,
        ),
    };
    let initial_evaluation = training.problem().evaluate(initial.conductance())?;
    if history.is_empty() {
        history.push(Record::new(0, &initial_evaluation));
    }
    let interrupted = Arc::new(AtomicBool::new(false));
    {
        let flag = interrupted.clone();
        // A second handler cannot be installed in the same process; ignore that case.
        let _ = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst));
    }
    let total = config.training.iterations;
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(total as u64)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix} [{bar:30}] {pos}/{len} iterations, {msg} ({elapsed} elapsed, {eta} left)",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_prefix(task.name.clone());
    bar.set_position(training.step_count() as u64);
    bar.set_message(format!(
        "cost {:.3e}",
        history.last().map_or(f64::NAN, |r| r.cost)
    ));
    let start = Instant::now();
    let write_checkpoint = |training: &Training, history: &[Record], wall: f64| -> Result<()> {
        let c = Checkpoint {
            format: "imprint-checkpoint".into(),
            version: 1,
            step: training.step_count(),
            wall_time_seconds: wall,
            conductance: training.conductance().to_vec(),
            history: history.to_vec(),
        };
        imprint::io::write_atomic(
            &dir.join("checkpoint.json"),
            serde_json::to_string(&c)?.as_bytes(),
        )?;
        Ok(())
    };
    while !training.is_done() {
        training.step()?;
        let step = training.step_count();
        if step % config.output.record_every == 0 || training.is_done() {
            let e = training.evaluate()?;
            let message = match e.accuracy {
                Some(a) => format!("cost {:.3e}, accuracy {:.1} %", e.cost, 100.0 * a),
                None => format!("cost {:.3e}", e.cost),
            };
            bar.set_message(message);
            history.push(Record::new(step, &e));
        }
        bar.set_position(step as u64);
        let stop = interrupted.load(Ordering::SeqCst) || args.stop_after == Some(step);
        if step % config.output.checkpoint_every == 0 || stop {
            write_checkpoint(
                &training,
                &history,
                earlier_wall + start.elapsed().as_secs_f64(),
            )?;
        }
        if stop {
            bar.abandon();
            eprintln!("stopped at iteration {step} of {total}; checkpoint written. Continue with: imprint train --resume {}", dir.display());
            std::process::exit(130);
        }
    }
    bar.finish();
    let wall = earlier_wall + start.elapsed().as_secs_f64();
    write_checkpoint(&training, &history, wall)?;
    let final_evaluation = training.evaluate()?;
    let mut trained = initial.clone();
    trained.set_conductance(training.conductance().to_vec())?;
    imprint::io::write_network(&dir.join("network.json"), &trained)?;
    write_history(&dir.join("history.csv"), &history, task.classification)?;

    // How close every output is to its target, for tasks judged output by output.
    let factor = training.problem().factorize(training.conductance())?;
    let all: Vec<usize> = (0..task.sample_count()).collect();
    let outputs = training.problem().free_states(&factor, &all)?.outputs;
    let worst_relative = outputs
        .iter()
        .zip(&task.targets)
        .flat_map(|(y, t)| {
            y.iter()
                .zip(t)
                .map(|(y, t)| (y - t).abs() / t.abs().max(1e-12))
        })
        .fold(0.0, f64::max);
    let summary = serde_json::json!({
        "format": "imprint-summary",
        "version": 1,
        "task": task.name,
        "cost_function": task.cost,
        "initial_cost": initial_evaluation.cost,
        "final_cost": final_evaluation.cost,
        "cost_reduction": initial_evaluation.cost / final_evaluation.cost,
        "initial_accuracy": initial_evaluation.accuracy,
        "accuracy": final_evaluation.accuracy,
        "test_accuracy": final_evaluation.test_accuracy,
        "test_cost": final_evaluation.test_cost,
        "largest_relative_output_error": if task.cost == imprint::learning::Cost::Mse { serde_json::json!(worst_relative) } else { serde_json::Value::Null },
        "final_outputs": if task.sample_count() <= 4 { serde_json::json!(outputs) } else { serde_json::Value::Null },
        "iterations": training.step_count(),
        "wall_time_seconds": wall,
        "seed": config.seed,
        "nodes": initial.node_count(),
        "edges": initial.edge_count(),
    });
    imprint::io::write_atomic(
        &dir.join("summary.json"),
        format!("{}\n", serde_json::to_string_pretty(&summary)?).as_bytes(),
    )?;
    if !args.report {
        return Ok(summary);
    }
    println!(
        "task               {} on {} nodes, {} edges",
        task.name,
        initial.node_count(),
        initial.edge_count()
    );
    println!(
        "cost               {:.4e} -> {:.4e} (reduced {:.2e} times)",
        initial_evaluation.cost,
        final_evaluation.cost,
        initial_evaluation.cost / final_evaluation.cost
    );
    if let (Some(a), Some(t)) = (final_evaluation.accuracy, final_evaluation.test_accuracy) {
        println!(
            "accuracy           train {:.1} %, test {:.1} %",
            100.0 * a,
            100.0 * t
        );
    }
    if task.cost == imprint::learning::Cost::Mse {
        println!("worst output error {:.3e} (relative)", worst_relative);
    }
    println!(
        "iterations         {} in {:.1} s",
        training.step_count(),
        wall
    );
    println!("wrote              {}", dir.display());
    Ok(summary)
}

fn write_history(path: &Path, history: &[Record], classification: bool) -> Result<()> {
    let mut text = String::from(if classification {
        "step,cost,accuracy,test_cost,test_accuracy\n"
    } else {
        "step,cost\n"
    });
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:e}"));
    for r in history {
        if classification {
            text.push_str(&format!(
                "{},{:e},{},{},{}\n",
                r.step,
                r.cost,
                opt(r.accuracy),
                opt(r.test_cost),
                opt(r.test_accuracy)
            ));
        } else {
            text.push_str(&format!("{},{:e}\n", r.step, r.cost));
        }
    }
    imprint::io::write_atomic(path, text.as_bytes())?;
    Ok(())
}
