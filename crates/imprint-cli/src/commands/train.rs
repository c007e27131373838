//! `imprint train`: a run directory trained by the library's executor, with
//! a progress bar; SIGINT and SIGTERM checkpoint and stop (exit code 130).

use std::ops::ControlFlow;
use std::path::PathBuf;

use anyhow::{Context, Result};
use imprint::run::config::Overrides;
use imprint::run::config::RunConfig;
use imprint::run::{
    check_new_run_dir, create_run, resume_point, train_run, HistoryRecord, Observer, RunControl,
    RunOutcome, RunStart,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

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
    /// Learning rule, overriding the config: coupled-learning, gradient-descent, or
    /// levenberg-marquardt (second order over every sample, within [k_min, k_max]).
    #[arg(long, value_name = "RULE")]
    rule: Option<imprint::learning::RuleKind>,
    /// Learning rate: `auto` (kept inside the stability limit of the update map) or a constant.
    #[arg(long, value_name = "auto|RATE")]
    learning_rate: Option<imprint::learning::LearningRate>,
    /// Which conductances network.json holds: the best recorded state or the last one.
    #[arg(long, value_name = "best|last", value_parser = crate::inputs::named::<imprint::learning::Keep>)]
    keep: Option<imprint::learning::Keep>,
    /// Run directory to create.
    #[arg(
        short,
        long,
        value_name = "RUN_DIR",
        required_unless_present = "resume"
    )]
    output: Option<PathBuf>,
    /// Continue an interrupted run from its last checkpoint.
    #[arg(long, value_name = "RUN_DIR", conflicts_with_all = ["config", "task", "seed", "network", "output", "rule", "learning_rate", "keep"])]
    resume: Option<PathBuf>,
    /// Stop (as if interrupted) after this many iterations; for testing resumption.
    #[arg(long, hide = true)]
    stop_after: Option<usize>,
    /// No progress bar, and no notes before training (errors only).
    #[arg(long)]
    quiet: bool,
}

/// A run stopped by a signal (or `--stop-after`) with its checkpoint written.
#[derive(Debug, thiserror::Error)]
#[error("stopped at iteration {step} of {total}; checkpoint written. Continue with: imprint train --resume {}", dir.display())]
pub struct Stopped {
    step: usize,
    total: usize,
    dir: PathBuf,
}

/// The resolved configuration of a new run.
fn resolve(args: &Args) -> Result<RunConfig> {
    let text = match &args.config {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?,
        ),
        None => None,
    };
    let origin = args
        .config
        .as_ref()
        .map_or("configuration".to_string(), |p| p.display().to_string());
    // A --network path is the shell's, relative to the working directory;
    // paths in the file are relative to the file's folder.
    let network_file = match &args.network {
        Some(path) => Some(
            std::path::absolute(path)
                .with_context(|| format!("cannot make {} absolute", path.display()))?,
        ),
        None => None,
    };
    let overrides = Overrides {
        task: args.task.clone(),
        seed: args.seed,
        iterations: args.iterations,
        network_file,
        rule: args.rule,
        learning_rate: args.learning_rate,
        keep: args.keep,
    };
    let mut config = RunConfig::resolve(text.as_deref(), &origin, &overrides)?;
    let folder = args
        .config
        .as_ref()
        .and_then(|p| p.parent())
        .unwrap_or(std::path::Path::new(""));
    config
        .resolve_paths(folder)
        .with_context(|| origin.clone())?;
    Ok(config)
}

/// Runs `imprint train`.
pub fn run(args: Args) -> Result<()> {
    let (dir, start, checkpoint) = match &args.resume {
        Some(dir) => {
            let (start, checkpoint) = resume_point(dir)?;
            if checkpoint.is_none() {
                eprintln!(
                    "{}: no checkpoint yet; training again from network-initial.json",
                    dir.display()
                );
            }
            (dir.clone(), start, checkpoint)
        }
        None => {
            let dir = args
                .output
                .clone()
                .expect("clap requires --output without --resume");
            check_new_run_dir(&dir)?;
            let config = resolve(&args)?;
            // Errors of the network or task the configuration names, named
            // by the configuration file.
            let origin = args.config.as_ref().map(|p| p.display().to_string());
            let start = match &origin {
                Some(file) => RunStart::from_config(config).with_context(|| file.clone())?,
                None => RunStart::from_config(config)?,
            };
            if let (Some(file), false) = (start.config.network.path(), args.quiet) {
                let from = match &start.config.network.conductance {
                    Some(c) => format!("conductances drawn from {c:?}"),
                    None => "trained from its own conductances".into(),
                };
                eprintln!("network {}: {from}", file.display());
            }
            create_run(&dir, &start.config, &start.initial, &start.task)?;
            (dir, start, None)
        }
    };
    let control = RunControl {
        cancel: Some(super::interrupt_flag()),
        stop_after: args.stop_after,
    };
    let total = start.config.training.iterations;
    let mut bar = Bar::new(args.quiet, &start.task.name, total);
    match train_run(&dir, &start, checkpoint, &control, &mut bar)? {
        RunOutcome::Stopped { step } => {
            bar.end(false);
            Err(Stopped { step, total, dir }.into())
        }
        RunOutcome::Finished(summary) => {
            bar.end(true);
            println!("{summary}");
            println!("wrote              {}", dir.display());
            Ok(())
        }
    }
}

/// The training progress bar, fed by the executor.
struct Bar(ProgressBar);

impl Bar {
    fn new(quiet: bool, task: &str, total: usize) -> Self {
        // Hidden until styled: a new bar draws at once in the default style.
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
        bar.set_prefix(task.to_string());
        // Until the first record (or the checkpoint's last one) says more.
        bar.set_message("cost not yet evaluated");
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix} [{bar:30}] {pos}/{len} iterations, {msg} ({elapsed} elapsed, {eta} left)",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        if !quiet {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        Self(bar)
    }

    /// Leaves the bar's last state on screen and ends its line, so that
    /// what follows starts on a line of its own.
    fn end(&self, finished: bool) {
        if finished {
            self.0.finish();
        } else {
            self.0.abandon();
        }
        if !self.0.is_hidden() {
            eprintln!();
        }
    }

    fn show(&self, record: &HistoryRecord) {
        self.0.set_message(match record.accuracy {
            Some(a) => format!("cost {:.3e}, accuracy {:.1} %", record.cost, 100.0 * a),
            None => format!("cost {:.3e}", record.cost),
        });
    }
}

impl Observer for Bar {
    fn started(&mut self, step: usize, last: &HistoryRecord) {
        self.0.set_position(step as u64);
        self.show(last);
    }

    fn stepped(&mut self, step: usize, _total: usize) {
        self.0.set_position(step as u64);
    }

    fn recorded(&mut self, record: &HistoryRecord, _conductance: &[f64]) -> ControlFlow<()> {
        self.show(record);
        ControlFlow::Continue(())
    }
}
