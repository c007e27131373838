//! Running a sweep's runs: one run (train, analyse, measure the claims,
//! record), and a local pool of workers over the runs not yet done. The
//! same [`run_one`] serves `imprint sweep run` and each Slurm array task.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::{files, Plan, SweepError};
use crate::analysis::report::StructureOptions;
use crate::analysis::AnalysisOptions;
use crate::paper::RunMetrics;
use crate::run::config::RunConfig;
use crate::run::{
    analyze_run, create_run, resume_point, train_run, RunControl, RunOutcome, RunStart,
    TrainingSummary,
};

/// How a run of a sweep ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecordStatus {
    /// Trained (and analysed, when the sweep asks for it).
    Done,
    /// Stopped by an error, recorded in the record.
    Failed,
}

/// What a finished run of a sweep records in `sweep-run.json`: its status,
/// its training summary and measurements, or its error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRecord {
    /// Index in the plan.
    pub index: usize,
    /// Done or failed.
    pub status: RecordStatus,
    /// Why it failed.
    pub error: Option<String>,
    /// Wall time of training, analysis and figures (s), of the attempt
    /// that finished the run (an interrupted attempt's time is not counted).
    pub wall_time_seconds: f64,
    /// The training summary.
    pub training: Option<TrainingSummary>,
    /// What the analysis measured (when the sweep analyses).
    pub metrics: Option<RunMetrics>,
}

/// Where a run of a sweep stands, read from its directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    /// Not started.
    Pending,
    /// Started and not finished: running now, or interrupted.
    Started,
    /// Finished.
    Done,
    /// Failed, with its error recorded.
    Failed,
}

impl RunState {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Started => "started",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }
}

/// This machine's name, as the start marker records it.
fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default()
}

/// Whether the started, unfinished run in `run_dir` is running now: `Some`
/// when its process was on this machine (alive or not), `None` when it ran
/// elsewhere (a compute node) and only its scheduler can tell.
pub fn running_here(run_dir: &Path) -> Option<bool> {
    let text = std::fs::read_to_string(run_dir.join(files::STARTED)).ok()?;
    let marker: serde_json::Value = serde_json::from_str(&text).ok()?;
    let here = host();
    if here.is_empty() || marker["host"].as_str() != Some(here.as_str()) {
        return None;
    }
    let pid = marker["pid"].as_u64()?;
    Some(Path::new(&format!("/proc/{pid}")).exists())
}

/// Reads the record of the run in `run_dir`, if it has one.
pub fn read_record(run_dir: &Path) -> Result<Option<RunRecord>, SweepError> {
    let path = run_dir.join(files::RECORD);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| SweepError::invalid(&path, e.to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(SweepError::invalid(&path, format!("cannot read it: {e}"))),
    }
}

/// Where each run of the sweep in `dir` stands.
pub fn states(dir: &Path, plan: &Plan) -> Result<Vec<RunState>, SweepError> {
    plan.runs
        .iter()
        .map(|run| {
            let run_dir = plan.run_dir(dir, run.index);
            Ok(state_of(&run_dir, read_record(&run_dir)?.as_ref()))
        })
        .collect()
}

/// Where the run in `run_dir` stands, given its record (if it has one).
pub(crate) fn state_of(run_dir: &Path, record: Option<&RunRecord>) -> RunState {
    match record {
        Some(r) if r.status == RecordStatus::Done => RunState::Done,
        Some(_) => RunState::Failed,
        None if run_dir.join(files::STARTED).exists() => RunState::Started,
        None => RunState::Pending,
    }
}

/// Draws a finished run's figures into its directory (a front end's plotting).
pub type FigureHook = dyn Fn(&Path) -> Result<(), String> + Sync;

/// How [`run_one`] ended.
#[derive(Debug, Clone, PartialEq)]
pub enum RunEnd {
    /// Finished before: its record, untouched.
    AlreadyDone(Box<RunRecord>),
    /// Finished now, done or failed: its record, written.
    Recorded(Box<RunRecord>),
    /// Interrupted, with a checkpoint written; the next run continues it.
    Stopped,
}

/// Removes what an earlier, unfinished attempt left in `run_dir` (all but
/// the planned `config.toml` and this attempt's start marker).
fn clear_attempt(run_dir: &Path) -> Result<(), SweepError> {
    let entries = std::fs::read_dir(run_dir)
        .map_err(|e| SweepError::invalid(run_dir, format!("cannot read it: {e}")))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name() == crate::run::files::CONFIG || entry.file_name() == files::STARTED {
            continue;
        }
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.map_err(|e| SweepError::invalid(&path, format!("cannot remove it: {e}")))?;
    }
    Ok(())
}

/// The start of the run in `run_dir` and its checkpoint: continued from
/// its checkpoint when an earlier attempt left a readable one, otherwise
/// begun anew from its planned `config.toml`.
fn start_of(run_dir: &Path) -> Result<(RunStart, Option<crate::run::Checkpoint>), SweepError> {
    if let Ok(point) = resume_point(run_dir) {
        return Ok(point);
    }
    clear_attempt(run_dir)?;
    let path = run_dir.join(crate::run::files::CONFIG);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| SweepError::invalid(&path, format!("cannot read it: {e}")))?;
    let config: RunConfig =
        toml::from_str(&text).map_err(|e| SweepError::invalid(&path, e.message().to_string()))?;
    let start = RunStart::from_config(config)?;
    create_run(run_dir, &start.config, &start.initial, &start.task)?;
    Ok((start, None))
}

/// Trains, analyses and measures one run; `Ok(None)` when stopped.
fn attempt(
    run_dir: &Path,
    plan: &Plan,
    index: usize,
    control: &RunControl,
    figures: Option<&FigureHook>,
) -> Result<Option<(TrainingSummary, Option<RunMetrics>)>, SweepError> {
    let (start, checkpoint) = start_of(run_dir)?;
    let summary = match train_run(run_dir, &start, checkpoint, control, &mut ())? {
        RunOutcome::Finished(summary) => *summary,
        RunOutcome::Stopped { .. } => return Ok(None),
    };
    let metrics = if plan.options.analyze {
        let (_, report) = analyze_run(
            run_dir,
            &AnalysisOptions::default(),
            &StructureOptions::default(),
        )?;
        let id = format!("{index}");
        Some(RunMetrics::measure(
            &id,
            &plan.describe(index),
            &summary,
            &report,
        ))
    } else {
        None
    };
    if let (true, Some(draw)) = (plan.options.figures, figures) {
        draw(run_dir).map_err(|m| SweepError::invalid(run_dir, format!("figures: {m}")))?;
    }
    Ok(Some((summary, metrics)))
}

/// Runs run `index` of the sweep in `dir`, unless it is done: trains it
/// (continuing an interrupted attempt from its checkpoint), analyses it,
/// measures the claims and writes `sweep-run.json`. An error of the run
/// itself is recorded as a failure (and returned as a record); an error of
/// the sweep folder is returned. `retry` reruns a failed run.
pub fn run_one(
    dir: &Path,
    plan: &Plan,
    index: usize,
    control: &RunControl,
    figures: Option<&FigureHook>,
    retry: bool,
) -> Result<RunEnd, SweepError> {
    if index >= plan.runs.len() {
        return Err(SweepError::invalid(
            &dir.join(files::PLAN),
            format!(
                "no run {index}: the plan has {} (0 to {})",
                plan.runs.len(),
                plan.runs.len().saturating_sub(1)
            ),
        ));
    }
    let run_dir = plan.run_dir(dir, index);
    if let Some(record) = read_record(&run_dir)? {
        if record.status == RecordStatus::Done || !retry {
            return Ok(RunEnd::AlreadyDone(Box::new(record)));
        }
        std::fs::remove_file(run_dir.join(files::RECORD)).map_err(|e| {
            SweepError::invalid(
                &run_dir.join(files::RECORD),
                format!("cannot remove it: {e}"),
            )
        })?;
    }
    let started = serde_json::json!({
        "host": host(),
        "pid": std::process::id(),
        "slurm_job": std::env::var("SLURM_JOB_ID").ok(),
    });
    crate::io::write_atomic(
        &run_dir.join(files::STARTED),
        format!("{started}\n").as_bytes(),
    )?;
    let clock = Instant::now();
    let (status, error, training, metrics) = match attempt(&run_dir, plan, index, control, figures)
    {
        Ok(None) => return Ok(RunEnd::Stopped),
        Ok(Some((summary, metrics))) => (RecordStatus::Done, None, Some(summary), metrics),
        Err(e) => (RecordStatus::Failed, Some(e.to_string()), None, None),
    };
    let record = RunRecord {
        index,
        status,
        error,
        wall_time_seconds: clock.elapsed().as_secs_f64(),
        training,
        metrics,
    };
    let json =
        serde_json::to_string_pretty(&record).map_err(|e| SweepError::Format(e.to_string()))?;
    crate::io::write_atomic(&run_dir.join(files::RECORD), format!("{json}\n").as_bytes())?;
    Ok(RunEnd::Recorded(Box::new(record)))
}

/// Options of [`run_local`].
#[derive(Clone, Default)]
pub struct LocalOptions {
    /// Runs at a time (0: one per core; at most one per core,
    /// [`effective_workers`](Self::effective_workers)).
    pub workers: usize,
    /// Rerun failed runs.
    pub retry_failed: bool,
    /// Stop starting runs, and checkpoint the running ones, once raised.
    pub cancel: Option<Arc<AtomicBool>>,
}

impl LocalOptions {
    /// The runs at a time this machine runs: one per core when `workers` is
    /// 0, and never more than its cores (more threads than cores only
    /// slow each run down, and thousands of threads take the machine and
    /// its signal handling with them).
    pub fn effective_workers(&self) -> usize {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        match self.workers {
            0 => cores,
            asked => asked.min(cores),
        }
    }
}

/// What [`run_local`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalSummary {
    /// Runs finished before this call.
    pub already_done: usize,
    /// Runs finished now.
    pub done: usize,
    /// Runs failed now, or failed before and not retried.
    pub failed: usize,
    /// Runs interrupted (checkpointed) or not started because of a stop.
    pub stopped: usize,
}

/// Runs every run of the sweep in `dir` that is not done, on a pool of
/// `workers` threads (the runs' own parallel work shares the pool, so the
/// machine is not oversubscribed). `progress` is called after each run with
/// its index and how it ended. Interrupted, it leaves checkpoints, and the
/// next call continues from them.
pub fn run_local(
    dir: &Path,
    plan: &Plan,
    options: &LocalOptions,
    figures: Option<&FigureHook>,
    progress: &(dyn Fn(usize, &RunEnd) + Sync),
) -> Result<LocalSummary, SweepError> {
    let workers = options.effective_workers();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()
        .map_err(|e| SweepError::Format(format!("cannot start {workers} workers: {e}")))?;
    let cancel = options.cancel.clone().unwrap_or_default();
    let control = RunControl {
        cancel: Some(cancel.clone()),
        stop_after: None,
    };
    let ends: Vec<Result<Option<RunEnd>, SweepError>> = pool.install(|| {
        use rayon::prelude::*;
        (0..plan.runs.len())
            .into_par_iter()
            .with_max_len(1)
            .map(|index| {
                if cancel.load(Ordering::SeqCst) {
                    return Ok(None);
                }
                let end = run_one(dir, plan, index, &control, figures, options.retry_failed)?;
                progress(index, &end);
                Ok(Some(end))
            })
            .collect()
    });
    let mut summary = LocalSummary::default();
    for end in ends {
        match end? {
            None | Some(RunEnd::Stopped) => summary.stopped += 1,
            Some(RunEnd::AlreadyDone(r)) if r.status == RecordStatus::Done => {
                summary.already_done += 1
            }
            Some(RunEnd::AlreadyDone(_)) => summary.failed += 1,
            Some(RunEnd::Recorded(r)) if r.status == RecordStatus::Done => summary.done += 1,
            Some(RunEnd::Recorded(_)) => summary.failed += 1,
        }
    }
    Ok(summary)
}

/// The run directories of the sweep in `dir`, in index order.
pub fn run_dirs(dir: &Path, plan: &Plan) -> Vec<PathBuf> {
    plan.runs
        .iter()
        .map(|r| plan.run_dir(dir, r.index))
        .collect()
}
