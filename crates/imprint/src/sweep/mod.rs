//! Ensembles: sweeps over networks, seeds and any configuration field
//! (docs/theory.md section 6 judged across runs). A sweep file names a base run
//! configuration and axes; their product is a [`Plan`] of ordinary run
//! directories ([`crate::run`]), run here by a pool of workers
//! ([`run_local`]) or on a cluster as a Slurm job array ([`slurm`]), each
//! run by [`run_one`]; [`collect`] tabulates them and judges each claim on
//! each run, with 95 % Wilson intervals of the fraction in which it holds.
//!
//! A sweep folder holds `sweep.toml` (the file it was planned from),
//! `plan.json`, `runs/<index>/` (each a run directory with its resolved
//! `config.toml`, and `sweep-run.json` once finished), and after collecting
//! `sweep.csv` and `claims.json`.

mod collect;
mod execute;
mod plan;
pub mod slurm;
mod status;

use std::path::{Path, PathBuf};

pub use collect::{collect, wilson, ClaimSummary, Collected, Fraction, Z_95};
pub use execute::{
    read_record, run_dirs, run_local, run_one, running_here, states, FigureHook, LocalOptions,
    LocalSummary, RecordStatus, RunEnd, RunRecord, RunState,
};
pub use plan::{
    describe, parse_range, Axis, NewPlan, Plan, PlannedRun, SweepOptions, DEFAULT_MAX_RUNS,
    MAX_AXIS_VALUES,
};
pub use status::SweepStatus;

use crate::io::IoError;
use crate::run::RunError;

/// File names inside a sweep folder.
pub mod files {
    /// The sweep file, copied.
    pub const SWEEP: &str = "sweep.toml";
    /// The plan.
    pub const PLAN: &str = "plan.json";
    /// The run directories.
    pub const RUNS: &str = "runs";
    /// A run's record, written when it finishes (done or failed).
    pub const RECORD: &str = "sweep-run.json";
    /// Written when a run starts (host, process, Slurm job).
    pub const STARTED: &str = "sweep-started.json";
    /// The collected table.
    pub const TABLE: &str = "sweep.csv";
    /// The claims across the ensemble.
    pub const CLAIMS: &str = "claims.json";
    /// Slurm scripts, job ids and task outputs.
    pub const SLURM: &str = "slurm";
}

/// Why a sweep could not be planned, run or collected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SweepError {
    /// A file of the sweep is not what it should be.
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The file or folder.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A run failed to read, train or analyse.
    #[error(transparent)]
    Run(#[from] RunError),
    /// A file could not be written.
    #[error(transparent)]
    Io(#[from] IoError),
    /// Slurm refused or is missing.
    #[error("{0}")]
    Slurm(String),
    /// A value could not be serialised.
    #[error("cannot serialise: {0}")]
    Format(String),
}

impl SweepError {
    fn invalid(path: &Path, message: impl Into<String>) -> Self {
        Self::Invalid {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}

impl From<crate::learning::LearningError> for SweepError {
    fn from(e: crate::learning::LearningError) -> Self {
        Self::Run(RunError::from(e))
    }
}
