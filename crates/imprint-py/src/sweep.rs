//! `imprint.sweep`: sweeps planned, run on this machine and collected from
//! Python through the library's sweep module (the same calls as
//! `imprint sweep`). Submission to Slurm stays with the `imprint` command:
//! each array task calls the binary.

use std::path::PathBuf;

use imprint::sweep::{self, Plan, RunState};
use pyo3::prelude::*;

use crate::fail;

/// Plans the sweep file `file` into the folder `output`; returns the number of runs.
#[pyfunction]
#[pyo3(signature = (file, output, max_runs = None))]
pub fn sweep_plan(file: PathBuf, output: PathBuf, max_runs: Option<usize>) -> PyResult<usize> {
    let max_runs = max_runs.unwrap_or(sweep::DEFAULT_MAX_RUNS);
    let new = Plan::from_file(&file, max_runs).map_err(fail)?;
    new.write(&output).map_err(fail)?;
    Ok(new.plan.runs.len())
}

fn figures(dir: &std::path::Path) -> Result<(), String> {
    imprint_plot::run_dir_figures(dir, &dir.join("figures"), &[imprint_plot::Format::Png])
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Runs every run of the sweep in `dir` not yet done, `workers` at a time;
/// returns counts (`already_done`, `done`, `failed`, `stopped`).
#[pyfunction]
#[pyo3(signature = (dir, workers = 0, retry_failed = false))]
pub fn sweep_run(
    py: Python<'_>,
    dir: PathBuf,
    workers: usize,
    retry_failed: bool,
) -> PyResult<(usize, usize, usize, usize)> {
    let plan = Plan::read(&dir).map_err(fail)?;
    let options = sweep::LocalOptions {
        workers,
        retry_failed,
        cancel: None,
    };
    let s = py
        .detach(|| sweep::run_local(&dir, &plan, &options, Some(&figures), &|_, _| {}))
        .map_err(fail)?;
    Ok((s.already_done, s.done, s.failed, s.stopped))
}

/// The state of each run of the sweep in `dir` (`pending`, `started`, `done`, `failed`).
#[pyfunction]
pub fn sweep_status(dir: PathBuf) -> PyResult<Vec<&'static str>> {
    let plan = Plan::read(&dir).map_err(fail)?;
    let states = sweep::states(&dir, &plan).map_err(fail)?;
    Ok(states.into_iter().map(RunState::name).collect())
}

/// The collected sweep in `dir` as JSON: `columns`, `rows` and `claims`.
#[pyfunction]
pub fn sweep_collect(py: Python<'_>, dir: PathBuf) -> PyResult<String> {
    let collected = py.detach(|| sweep::collect(&dir)).map_err(fail)?;
    serde_json::to_string(&collected).map_err(fail)
}

/// Collects the sweep in `dir` as `imprint sweep collect` does: writes
/// `sweep.csv`, `claims.json` and `report/` (figures and `index.html`);
/// returns the page's path.
#[pyfunction]
pub fn sweep_report(py: Python<'_>, dir: PathBuf) -> PyResult<PathBuf> {
    py.detach(|| -> Result<PathBuf, String> {
        let plan = Plan::read(&dir).map_err(|e| e.to_string())?;
        let collected = sweep::collect(&dir).map_err(|e| e.to_string())?;
        collected.write(&dir).map_err(|e| e.to_string())?;
        imprint_plot::sweep::report(&plan, &collected, &dir.join("report"))
            .map_err(|e| e.to_string())
    })
    .map_err(fail)
}
