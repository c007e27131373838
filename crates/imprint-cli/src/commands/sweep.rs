//! `imprint sweep`: ensembles of runs planned from a sweep file, run here
//! by a pool of workers or on a cluster as a Slurm job array, and collected
//! into a table and a report of the claims across the ensemble.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use anyhow::{bail, Result};
use imprint::run::RunControl;
use imprint::sweep::{self, slurm, Plan, RecordStatus, RunEnd, RunState};
use indicatif::{ProgressBar, ProgressStyle};

/// Sweep subcommands.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Expand a sweep file (`[base]` configuration, `[axes]`, `[sweep]`) into a plan of runs; print its size.
    Plan {
        /// The sweep file (TOML).
        file: PathBuf,
        /// Sweep folder to create.
        #[arg(short, long, value_name = "DIR")]
        output: PathBuf,
        /// Refuse plans with more runs than this.
        #[arg(long, default_value_t = sweep::DEFAULT_MAX_RUNS)]
        max_runs: usize,
    },
    /// Run every run not yet done on this machine, several at a time; continues where it stopped.
    Run {
        /// Sweep folder.
        dir: PathBuf,
        /// Runs at a time (default: one per core; more than the cores are capped at the cores, with a note).
        #[arg(long, default_value_t = 0)]
        workers: usize,
        /// Rerun the runs that failed.
        #[arg(long)]
        retry_failed: bool,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
    },
    /// Run one run of the plan (what each Slurm array task calls).
    RunOne {
        /// Sweep folder.
        dir: PathBuf,
        /// Index of the run.
        #[arg(long)]
        index: usize,
    },
    /// Submit the runs as a Slurm job array (sbatch); print the job id.
    Submit {
        /// Sweep folder (on a filesystem the compute nodes share).
        dir: PathBuf,
        /// Submit through Slurm (the only scheduler supported).
        #[arg(long, required = true)]
        slurm: bool,
        #[command(flatten)]
        options: slurm::SlurmOptions,
        /// Write the script and print its path without submitting.
        #[arg(long)]
        dry_run: bool,
    },
    /// Count the runs done, started, pending and failed (and what squeue says of submitted jobs).
    Status {
        /// Sweep folder.
        dir: PathBuf,
    },
    /// Tabulate the runs into DIR/sweep.csv and write DIR/report/index.html: each claim's fraction with a 95 % interval.
    Collect {
        /// Sweep folder.
        dir: PathBuf,
    },
}

/// Draws a run's figures, for sweeps whose `[sweep]` asks for them.
fn figures(dir: &Path) -> std::result::Result<(), String> {
    imprint_plot::run_dir_figures(dir, &dir.join("figures"), &[imprint_plot::Format::Png])
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Runs a sweep subcommand.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Plan {
            file,
            output,
            max_runs,
        } => {
            let new = Plan::from_file(&file, max_runs)?;
            new.write(&output)?;
            println!("{}", new.plan.shape());
            println!(
                "wrote {}; run it with imprint sweep run {0} or imprint sweep submit {0} --slurm",
                output.display()
            );
            Ok(())
        }
        Command::Run {
            dir,
            workers,
            retry_failed,
            quiet,
        } => local(&dir, workers, retry_failed, quiet),
        Command::RunOne { dir, index } => {
            let plan = Plan::read(&dir)?;
            let control = RunControl {
                cancel: Some(super::interrupt_flag()),
                stop_after: None,
            };
            match sweep::run_one(&dir, &plan, index, &control, Some(&figures), true)? {
                RunEnd::Stopped => bail!("run {index} stopped with a checkpoint; submit or run the sweep again to continue it"),
                RunEnd::AlreadyDone(r) | RunEnd::Recorded(r) => match r.error {
                    Some(error) => bail!("run {index} ({}) failed: {error}", plan.describe(index)),
                    None => println!("run {index} done in {:.1} s", r.wall_time_seconds),
                },
            }
            Ok(())
        }
        Command::Submit {
            dir,
            slurm: _,
            options,
            dry_run,
        } => {
            let dir = std::path::absolute(&dir)?;
            let plan = Plan::read(&dir)?;
            let exe = std::env::current_exe()?;
            let script = slurm::write_script(&dir, &slurm::script(&dir, &plan, &exe, &options)?)?;
            if dry_run {
                println!("wrote {} (not submitted)", script.display());
            } else {
                let job = slurm::submit(&dir, &script)?;
                println!("{job}");
                eprintln!(
                    "submitted {} runs as Slurm job {job}; follow with imprint sweep status {}",
                    plan.runs.len(),
                    dir.display()
                );
            }
            Ok(())
        }
        Command::Status { dir } => status(&dir),
        Command::Collect { dir } => collect(&dir),
    }
}

fn local(dir: &Path, workers: usize, retry_failed: bool, quiet: bool) -> Result<()> {
    let plan = Plan::read(dir)?;
    let before = sweep::states(dir, &plan)?;
    let todo = before
        .iter()
        .filter(|s| **s != RunState::Done && (retry_failed || **s != RunState::Failed))
        .count();
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(todo as u64)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "sweep [{bar:30}] {pos}/{len} runs, {msg} ({elapsed} elapsed, {eta} left)",
        )?
        .progress_chars("=> "),
    );
    let failed = std::sync::atomic::AtomicUsize::new(0);
    bar.set_message("0 failed");
    let options = sweep::LocalOptions {
        workers,
        retry_failed,
        cancel: Some(super::interrupt_flag()),
    };
    if options.effective_workers() < workers {
        eprintln!(
            "note: --workers {workers}: this machine has {} cores; running {} runs at a time",
            options.effective_workers(),
            options.effective_workers()
        );
    }
    let progress = |index: usize, end: &RunEnd| {
        if let RunEnd::Recorded(r) = end {
            bar.inc(1);
            if r.status == RecordStatus::Failed {
                failed.fetch_add(1, Ordering::SeqCst);
                bar.println(format!(
                    "run {index} ({}) failed: {}",
                    plan.describe(index),
                    r.error.as_deref().unwrap_or("")
                ));
            }
            bar.set_message(format!("{} failed", failed.load(Ordering::SeqCst)));
        }
    };
    let summary = sweep::run_local(dir, &plan, &options, Some(&figures), &progress)?;
    bar.finish();
    println!(
        "{} runs: {} done before, {} done now, {} failed, {} stopped",
        plan.runs.len(),
        summary.already_done,
        summary.done,
        summary.failed,
        summary.stopped
    );
    if summary.stopped > 0 {
        bail!(
            "interrupted: {} runs left; imprint sweep run {} continues them",
            summary.stopped,
            dir.display()
        );
    }
    if summary.failed > 0 {
        bail!(
            "{} runs failed; imprint sweep status {} lists them (--retry-failed reruns them)",
            summary.failed,
            dir.display()
        );
    }
    Ok(())
}

fn status(dir: &Path) -> Result<()> {
    let plan = Plan::read(dir)?;
    println!("{}", sweep::SweepStatus::of(dir, &plan)?);
    for job in slurm::jobs(dir) {
        match slurm::queued(&job) {
            Ok(tasks) => {
                let running = tasks.iter().filter(|t| t.1 == "RUNNING").count();
                println!(
                    "Slurm job {job}: {} tasks in the queue, {running} running",
                    tasks.len()
                );
            }
            Err(e) => println!("Slurm job {job}: not in the queue ({e})"),
        }
    }
    Ok(())
}

fn collect(dir: &Path) -> Result<()> {
    let plan = Plan::read(dir)?;
    let collected = sweep::collect(dir)?;
    collected.write(dir)?;
    let page = imprint_plot::sweep::report(&plan, &collected, &dir.join("report"))?;
    println!("{collected}");
    println!(
        "wrote {} and {}",
        dir.join(sweep::files::TABLE).display(),
        page.display()
    );
    Ok(())
}
