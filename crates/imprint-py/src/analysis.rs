//! The paper's analysis from Python: the analysis report (every array of
//! `analysis.npz`, sectors, walls and the sample's response included), run
//! directories analysed and drawn like `imprint analyze` and `imprint plot`,
//! and the simulated measurement.

use std::path::PathBuf;

use imprint::analysis::measure::simulate_for_task;
use imprint::analysis::report::{report, StructureOptions, COUNTS};
use imprint::analysis::{AnalysisOptions, Boundary};
use imprint::io::NpyArray;
use imprint::run::analyze_run as analyze_run_dir;
use numpy::ndarray::{ArrayD, IxDyn};
use numpy::{IntoPyArray, PyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::network::PyNetwork;
use crate::task::PyTask;
use crate::{fail, kwargs_json, matrix};

fn split_options(
    py: Python<'_>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<(AnalysisOptions, StructureOptions)> {
    let fields = kwargs_json(py, options)?;
    // The structure's (sectors and walls) keywords are the fields of the
    // library's StructureOptions, as it spells them; the rest are analysis
    // options, and a name neither has is refused below.
    let structure_fields = serde_json::to_value(StructureOptions::default()).map_err(fail)?;
    let structure_fields = structure_fields.as_object().expect("a struct");
    let (structure, analysis): (serde_json::Map<_, _>, serde_json::Map<_, _>) = fields
        .into_iter()
        .partition(|(key, _)| structure_fields.contains_key(key));
    let analysis = serde_json::from_value(serde_json::Value::Object(analysis))
        .map_err(|e| fail(format!("analysis options: {e}")))?;
    let structure = serde_json::from_value(serde_json::Value::Object(structure))
        .map_err(|e| fail(format!("structure options: {e}")))?;
    Ok((analysis, structure))
}

fn array<'py>(py: Python<'py>, a: NpyArray) -> PyResult<Bound<'py, PyAny>> {
    if a.shape.is_empty() {
        // Scalars as Python numbers: counts as int, the rest as float.
        let v = a.values[0];
        return Ok(if COUNTS.contains(&a.name.as_str()) {
            (v as u64).into_pyobject(py)?.into_any()
        } else {
            v.into_pyobject(py)?.into_any()
        });
    }
    let array = ArrayD::from_shape_vec(IxDyn(&a.shape), a.values)
        .map_err(|e| fail(format!("array `{}`: {e}", a.name)))?;
    Ok(array.into_pyarray(py).into_any())
}

/// The paper's analysis of `network` on `task` (and of `initial`, the
/// network before training, for the spectrum before training). Returns a
/// dict whose keys are exactly those of `analysis.npz`: arrays as numpy
/// arrays, scalars as numbers. Keyword arguments: the analysis options
/// (`method`, `dense_threshold`, `projections`, `exact_susceptibility`,
/// `soft_modes`, `seed`, `check_tensors`) and the structure options
/// (`sample`, `roles`, `top_share`); defaults as in the library.
#[pyfunction]
#[pyo3(signature = (network, task, initial = None, **options))]
pub fn analyze<'py>(
    py: Python<'py>,
    network: PyRef<'_, PyNetwork>,
    task: PyRef<'_, PyTask>,
    initial: Option<PyRef<'_, PyNetwork>>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let (analysis, structure) = split_options(py, options)?;
    let (net, task) = (&network.inner, &task.inner);
    let initial = initial.as_ref().map(|n| &n.inner);
    let report = py
        .detach(|| report(net, initial, task, &analysis, &structure, None))
        .map_err(fail)?;
    let out = PyDict::new(py);
    for a in report.arrays() {
        let name = a.name.clone();
        out.set_item(name, array(py, a)?)?;
    }
    Ok(out)
}

fn summary_dict<'py>(
    py: Python<'py>,
    value: &impl serde::Serialize,
) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(value).map_err(fail)?;
    py.import("json")?.call_method1("loads", (text,))
}

/// Analyses the finished run in `run_dir` as `imprint analyze RUN_DIR` does
/// (writes `run_dir/analysis/`); returns its summary as a dict.
#[pyfunction]
#[pyo3(signature = (run_dir, **options))]
pub fn analyze_run<'py>(
    py: Python<'py>,
    run_dir: PathBuf,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let (analysis, structure) = split_options(py, options)?;
    let (_, report) = py
        .detach(|| analyze_run_dir(&run_dir, &analysis, &structure))
        .map_err(fail)?;
    summary_dict(py, &report.summary)
}

/// Draws every figure of the run in `run_dir` as `imprint plot` does, from
/// its stored analysis (analysing it first when there is none); `format` is
/// "png", "svg" or "both". Returns the paths written.
#[pyfunction]
#[pyo3(signature = (run_dir, format = "png", output = None))]
pub fn plot(
    py: Python<'_>,
    run_dir: PathBuf,
    format: &str,
    output: Option<PathBuf>,
) -> PyResult<Vec<PathBuf>> {
    let formats = imprint_plot::Format::named(format).map_err(fail)?;
    let out = output.unwrap_or_else(|| run_dir.join("figures"));
    py.detach(|| imprint_plot::run_dir_figures(&run_dir, &out, &formats))
        .map_err(fail)
}

/// The measurement protocol simulated on the network (paper eq. 17): returns
/// (stimulus labels, drops of shape (stimuli, E)), with Gaussian noise of
/// standard deviation `noise` (V) on every drop. `boundary` names the held
/// nodes ("ground": the paper's H_g; "held": every held node of the task).
#[pyfunction]
#[pyo3(signature = (network, task, noise = 0.0, seed = 1, boundary = None))]
pub fn measure<'py>(
    py: Python<'py>,
    network: PyRef<'_, PyNetwork>,
    task: PyRef<'_, PyTask>,
    noise: f64,
    seed: u64,
    boundary: Option<&str>,
) -> PyResult<(Vec<String>, Bound<'py, PyArray2<f64>>)> {
    let boundary: Boundary = match boundary {
        Some(name) => {
            serde_json::from_value(name.into()).map_err(|e| fail(format!("boundary: {e}")))?
        }
        None => Boundary::default(),
    };
    let (net, task) = (&network.inner, &task.inner);
    let m = py
        .detach(|| simulate_for_task(net, task, boundary, noise, seed))
        .map_err(fail)?;
    let drops = matrix(py, m.drops.len(), net.edge_count(), |r, c| m.drops[r][c]);
    Ok((m.stimuli, drops))
}
