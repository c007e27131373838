//! Where a sweep stands, read from its run directories: what `imprint sweep
//! status` prints (the scheduler's view is the front end's to add).

use std::fmt;
use std::path::Path;

use super::execute::{read_record, running_here, states, RunState};
use super::{Plan, SweepError};

/// Failures listed in full by [`SweepStatus`]'s display.
const LISTED_FAILURES: usize = 10;

/// Counts of a sweep's runs by state, and its failures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepStatus {
    /// Runs planned.
    pub runs: usize,
    /// Finished.
    pub done: usize,
    /// Started on this machine, process alive.
    pub running: usize,
    /// Started on this machine, process gone: continued by the next run.
    pub interrupted: usize,
    /// Started on another machine (a compute node): running or interrupted.
    pub elsewhere: usize,
    /// Not started.
    pub pending: usize,
    /// Failed runs: index, axis values, error.
    pub failed: Vec<(usize, String, String)>,
}

impl SweepStatus {
    /// The status of the sweep in `dir`.
    pub fn of(dir: &Path, plan: &Plan) -> Result<Self, SweepError> {
        let mut status = Self {
            runs: plan.runs.len(),
            ..Self::default()
        };
        for (index, state) in states(dir, plan)?.into_iter().enumerate() {
            let run_dir = plan.run_dir(dir, index);
            match state {
                RunState::Done => status.done += 1,
                RunState::Pending => status.pending += 1,
                RunState::Started => match running_here(&run_dir) {
                    Some(true) => status.running += 1,
                    Some(false) => status.interrupted += 1,
                    None => status.elsewhere += 1,
                },
                RunState::Failed => {
                    let error = read_record(&run_dir)?
                        .and_then(|r| r.error)
                        .unwrap_or_default();
                    status.failed.push((index, plan.describe(index), error));
                }
            }
        }
        Ok(status)
    }
}

impl fmt::Display for SweepStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} runs: {} done, {} running, {} interrupted, {} pending, {} failed",
            self.runs,
            self.done,
            self.running,
            self.interrupted,
            self.pending,
            self.failed.len()
        )?;
        if self.elsewhere > 0 {
            write!(
                f,
                ", {} started on other machines (running or interrupted)",
                self.elsewhere
            )?;
        }
        for (index, values, error) in self.failed.iter().take(LISTED_FAILURES) {
            // One line per failure, its error cut to what a terminal line holds.
            let error: String = error.chars().take(160).collect();
            write!(f, "\n  run {index} ({values}) failed: {error}")?;
        }
        if self.failed.len() > LISTED_FAILURES {
            write!(
                f,
                "\n  and {} more failed runs (sweep.csv after collect lists all)",
                self.failed.len() - LISTED_FAILURES
            )?;
        }
        Ok(())
    }
}
