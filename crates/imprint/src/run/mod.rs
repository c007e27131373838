//! Run directories: what a training run writes and reads back (the resolved
//! `config.toml`, `network-initial.json`, `task.json`, `checkpoint.json`,
//! `history.csv`, `network.json`, `summary.json`, and `analysis/`), and the
//! [`Executor`] that drives training with records and checkpoints (docs/theory.md
//! section 4). The command line and Python both run training through here.

mod analysis_files;
pub mod config;
mod executor;
mod history;
mod records;
mod resume;
mod summary;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use config::{ConfigError, RunConfig};

pub use analysis_files::{check_analysis_dir, read_analysis, write_analysis, ARRAYS};
pub use executor::{Executor, Observer, Outcome};
pub use history::{history_csv, parse_history};
pub use records::{BestState, Checkpoint, HistoryRecord};
pub use resume::{read_checkpoint, resume_point};
pub use summary::{learned, TrainingStatus, TrainingSummary, LEARNED_RELATIVE_COST};

use crate::analysis::report::{report, AnalysisReport, StructureOptions};
use crate::analysis::AnalysisOptions;
use crate::io::IoError;
use crate::learning::{LearningError, Task};
use crate::network::Network;

/// File names inside a run directory.
pub mod files {
    /// The resolved configuration.
    pub const CONFIG: &str = "config.toml";
    /// The network before training.
    pub const INITIAL_NETWORK: &str = "network-initial.json";
    /// The trained network.
    pub const NETWORK: &str = "network.json";
    /// The task.
    pub const TASK: &str = "task.json";
    /// The last checkpoint.
    pub const CHECKPOINT: &str = "checkpoint.json";
    /// The cost history.
    pub const HISTORY: &str = "history.csv";
    /// The training summary.
    pub const SUMMARY: &str = "summary.json";
    /// The analysis folder.
    pub const ANALYSIS: &str = "analysis";
}

/// Why a run could not be written, read or trained.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// Training failed.
    #[error(transparent)]
    Learning(#[from] LearningError),
    /// The run's configuration was refused.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Training the run failed: the configuration it trains from is named.
    #[error("{}: {source}", config.display())]
    Training {
        /// The run's `config.toml`.
        config: PathBuf,
        /// Why.
        source: LearningError,
    },
    /// The analysis failed.
    #[error(transparent)]
    Analysis(#[from] crate::analysis::AnalysisError),
    /// A file could not be read or written.
    #[error(transparent)]
    Io(#[from] IoError),
    /// A file's content is not what it should be.
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A value could not be serialised.
    #[error("cannot serialise: {0}")]
    Format(String),
}

impl RunError {
    fn invalid(path: &Path, message: impl Into<String>) -> Self {
        Self::Invalid {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}

fn read_text(path: &Path) -> Result<String, RunError> {
    std::fs::read_to_string(path).map_err(|source| {
        RunError::Io(IoError::Read {
            path: path.to_path_buf(),
            source,
        })
    })
}

/// Checks that `dir` can take a new run: it does not exist or is empty. A
/// folder that holds a run is refused with the way to continue it; any
/// other content is refused because the run's files (`network.json`,
/// `summary.json`, ...) would replace files of the same name, the network
/// being trained among them.
pub fn check_new_run_dir(dir: &Path) -> Result<(), RunError> {
    let Ok(mut entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    if dir.join(files::CONFIG).exists() {
        return Err(RunError::invalid(
            dir,
            format!(
                "already holds a run: choose another directory, or continue it with imprint train --resume {}",
                dir.display()
            ),
        ));
    }
    // Temporaries of atomic writes a killed process left are not content.
    let temporary = |e: &std::fs::DirEntry| {
        let name = e.file_name().to_string_lossy().into_owned();
        name.starts_with('.') && name.ends_with(".tmp")
    };
    match entries.find(|e| e.as_ref().map_or(true, |e| !temporary(e))) {
        Some(entry) => Err(RunError::invalid(
            dir,
            format!(
                "exists and holds `{}`: a run goes into a new or empty directory (its files would replace files of the same name)",
                entry.map(|e| e.file_name().to_string_lossy().into_owned()).unwrap_or_default()
            ),
        )),
        None => Ok(()),
    }
}

/// Writes what a run directory starts with: the resolved configuration,
/// the initial network and the task.
pub fn create_run(
    dir: &Path,
    config: &RunConfig,
    network: &Network,
    task: &Task,
) -> Result<(), RunError> {
    std::fs::create_dir_all(dir).map_err(|source| {
        RunError::Io(IoError::Write {
            path: dir.to_path_buf(),
            source,
        })
    })?;
    let text = toml::to_string(config).map_err(|e| RunError::Format(e.to_string()))?;
    crate::io::write_atomic(&dir.join(files::CONFIG), text.as_bytes())?;
    crate::io::write_network(&dir.join(files::INITIAL_NETWORK), network)?;
    crate::io::write_task(&dir.join(files::TASK), task)?;
    Ok(())
}

/// What a run directory starts with, read back.
#[derive(Debug, Clone)]
pub struct RunStart {
    /// The resolved configuration.
    pub config: RunConfig,
    /// The network before training.
    pub initial: Network,
    /// The task.
    pub task: Task,
}

impl RunStart {
    /// The network and task `config` names: its network file read (or its
    /// generator run) with the initial conductances drawn, and its task built
    /// (reading a custom task's samples file).
    pub fn from_config(config: RunConfig) -> Result<Self, RunError> {
        let network = match config.network.path() {
            Some(path) => {
                let network = crate::io::read_any_network(path)?;
                // A physics the file's network cannot take (a floppy
                // network as springs) is the file's fault.
                let mut network = config
                    .network
                    .take_physics(network)
                    .map_err(|e| ConfigError::new(path.display().to_string(), e))?;
                if !config.apply_initial_conductance(&mut network)? {
                    network.metadata_mut().insert(
                        "conductance".into(),
                        serde_json::json!({ "from": path.display().to_string() }),
                    );
                }
                network
            }
            None => config.build_network()?,
        };
        // Conductances the clip would cut are the network's fault: refused
        // before a run directory is made.
        config
            .training
            .check_clip(network.conductance())
            .map_err(|e| {
                let origin = config.network.path().map(|p| p.display().to_string());
                ConfigError::new(origin.unwrap_or_else(|| "[network]".into()), e)
            })?;
        let table = match &config.task.samples_file {
            Some(path) => Some(crate::io::read_table(path)?),
            None => None,
        };
        // A task that does not fit the network, or whose targets no
        // conductances can reach, is the `[task]` table's fault: refused
        // before a run directory is made.
        let task = config
            .build_task(&network, table)
            .and_then(|task| task.check_reachable().map(|()| task))
            .map_err(|e| ConfigError::new("[task]", e))?;
        Ok(Self {
            config,
            initial: network,
            task,
        })
    }
}

/// Reads `config.toml` of `dir`.
fn read_config(dir: &Path) -> Result<RunConfig, RunError> {
    let path = dir.join(files::CONFIG);
    toml::from_str(&read_text(&path)?)
        .map_err(|e| RunError::invalid(&path, e.message().to_string()))
}

/// Reads `config.toml`, `network-initial.json` and `task.json` of `dir`.
pub fn read_run_start(dir: &Path) -> Result<RunStart, RunError> {
    Ok(RunStart {
        config: read_config(dir)?,
        initial: crate::io::read_network(&dir.join(files::INITIAL_NETWORK))?,
        task: crate::io::read_task(&dir.join(files::TASK))?,
    })
}

/// A finished run directory, read back.
#[derive(Debug, Clone)]
pub struct FinishedRun {
    /// The network before training.
    pub initial: Network,
    /// The trained network.
    pub trained: Network,
    /// The task.
    pub task: Task,
    /// The recorded history.
    pub history: Vec<HistoryRecord>,
}

/// Checks that `dir` is a finished run directory: a run (`config.toml`)
/// with its trained network (`network.json`) and its summary
/// (`summary.json`, written last); says which it is not.
pub fn check_finished_run(dir: &Path) -> Result<(), RunError> {
    if !dir.join(files::CONFIG).exists() {
        return Err(RunError::invalid(
            dir,
            "not a run directory (no config.toml; `imprint train -o DIR` makes one)",
        ));
    }
    if !dir.join(files::NETWORK).exists() {
        return Err(RunError::invalid(
            dir,
            format!(
                "no network.json (not a finished run; train it, or continue it with imprint train --resume {})",
                dir.display()
            ),
        ));
    }
    if !dir.join(files::SUMMARY).exists() {
        return Err(RunError::invalid(
            dir,
            format!(
                "no summary.json: the run stopped while writing its results; finish it with imprint train --resume {}",
                dir.display()
            ),
        ));
    }
    Ok(())
}

/// Reads a finished run directory.
pub fn read_finished_run(dir: &Path) -> Result<FinishedRun, RunError> {
    check_finished_run(dir)?;
    let history_path = dir.join(files::HISTORY);
    Ok(FinishedRun {
        initial: crate::io::read_network(&dir.join(files::INITIAL_NETWORK))?,
        trained: crate::io::read_network(&dir.join(files::NETWORK))?,
        task: crate::io::read_task(&dir.join(files::TASK))?,
        history: parse_history(&read_text(&history_path)?, &history_path)?,
    })
}

/// How [`train_run`] ended.
#[derive(Debug, Clone)]
pub enum RunOutcome {
    /// Trained to the end; the summary is also in `summary.json`.
    Finished(Box<TrainingSummary>),
    /// Stopped after `step` iterations with a checkpoint written.
    Stopped {
        /// Iterations done.
        step: usize,
    },
}

/// How a run is driven besides its configuration.
#[derive(Default)]
pub struct RunControl {
    /// Stop at the next iteration once raised (set it from a signal handler).
    pub cancel: Option<Arc<AtomicBool>>,
    /// Stop as if interrupted after this many iterations.
    pub stop_after: Option<usize>,
}

/// Trains the run in `dir` (created by [`create_run`]) from `checkpoint`, or
/// from the start, to its end or until stopped; writes checkpoints, and at
/// the end `network.json`, `history.csv` and `summary.json`.
pub fn train_run(
    dir: &Path,
    start: &RunStart,
    checkpoint: Option<Checkpoint>,
    control: &RunControl,
    observer: &mut dyn Observer,
) -> Result<RunOutcome, RunError> {
    let RunStart {
        config,
        initial,
        task,
    } = start;
    let parameters = config.training.clone();
    let record_every = config.output.record_every;
    // A failure of training names the configuration it trains from.
    let training = |error: RunError| match error {
        RunError::Learning(source) => RunError::Training {
            config: dir.join(files::CONFIG),
            source,
        },
        other => other,
    };
    let executor = match checkpoint {
        Some(c) => Executor::resume(initial, task, parameters, record_every, c),
        None => Executor::new(initial, task, parameters, record_every),
    }
    .map_err(|e| training(e.into()))?;
    let mut executor = executor
        .checkpoint_to(dir.join(files::CHECKPOINT), config.output.checkpoint_every)
        .stop_after(control.stop_after);
    if let Some(flag) = &control.cancel {
        executor = executor.cancel_on(flag.clone());
    }
    if let Outcome::Stopped { step } = executor.run(observer).map_err(training)? {
        return Ok(RunOutcome::Stopped { step });
    }
    let summary = TrainingSummary::of(&executor, task, config.seed)?;
    let trained = executor.kept_network();
    crate::io::write_network(&dir.join(files::NETWORK), &trained)?;
    crate::io::write_atomic(
        &dir.join(files::HISTORY),
        history_csv(executor.history(), task.classification).as_bytes(),
    )?;
    summary.write(&dir.join(files::SUMMARY))?;
    Ok(RunOutcome::Finished(Box::new(summary)))
}

/// Creates the run directory `dir` for `start` and trains it to the end
/// without interruption; returns the summary (also in `summary.json`).
pub fn train_new(dir: &Path, start: &RunStart) -> Result<TrainingSummary, RunError> {
    train_new_observed(dir, start, &mut ())
}

/// [`train_new`], telling `observer` how the run goes (a progress bar).
pub fn train_new_observed(
    dir: &Path,
    start: &RunStart,
    observer: &mut dyn Observer,
) -> Result<TrainingSummary, RunError> {
    create_run(dir, &start.config, &start.initial, &start.task)?;
    match train_run(dir, start, None, &RunControl::default(), observer)? {
        RunOutcome::Finished(summary) => Ok(*summary),
        RunOutcome::Stopped { step } => Err(RunError::invalid(
            dir,
            format!("training stopped at iteration {step} with nothing to stop it"),
        )),
    }
}

/// Analyses the finished run in `dir` (the trained network, and the
/// initial one for the spectrum before training) and writes `dir/analysis/`;
/// returns the run and the report.
pub fn analyze_run(
    dir: &Path,
    options: &AnalysisOptions,
    structure: &StructureOptions,
) -> Result<(FinishedRun, AnalysisReport), RunError> {
    let (run, report) = analyze_run_unsaved(dir, options, structure)?;
    write_analysis(&dir.join(files::ANALYSIS), &report)?;
    Ok((run, report))
}

/// [`analyze_run`] without writing `dir/analysis/`: for runs whose numbers
/// are wanted but whose arrays (the E x E cost Hessians above all, 12 MB at
/// E = 780) are not; `imprint analyze DIR` writes them when asked.
pub fn analyze_run_unsaved(
    dir: &Path,
    options: &AnalysisOptions,
    structure: &StructureOptions,
) -> Result<(FinishedRun, AnalysisReport), RunError> {
    let run = read_finished_run(dir)?;
    let report = report(
        &run.trained,
        Some(&run.initial),
        &run.task,
        options,
        structure,
        None,
    )?;
    Ok((run, report))
}

/// The analysis the figures of the finished `run` in `dir` show: the stored
/// one in `dir/analysis/` (as `imprint analyze` wrote it), or, when there is
/// none, a new one with the default options and `structure`, written there.
/// The flag says whether the analysis was made now.
pub fn analysis_for_figures(
    dir: &Path,
    run: &FinishedRun,
    structure: &StructureOptions,
) -> Result<(AnalysisReport, bool), RunError> {
    let analysis_dir = dir.join(files::ANALYSIS);
    if analysis_dir.join(ARRAYS).exists() {
        return Ok((read_analysis(&analysis_dir)?, false));
    }
    let report = report(
        &run.trained,
        Some(&run.initial),
        &run.task,
        &AnalysisOptions::default(),
        structure,
        None,
    )?;
    write_analysis(&analysis_dir, &report)?;
    Ok((report, true))
}

/// Writes `value` as pretty JSON with a final newline, atomically.
pub(crate) fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<(), RunError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| RunError::Format(e.to_string()))?;
    crate::io::write_atomic(path, format!("{text}\n").as_bytes())?;
    Ok(())
}
