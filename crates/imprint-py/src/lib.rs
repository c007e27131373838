//! Python bindings of imprint (`import imprint`): the library's networks,
//! solves, tasks, training, analysis, measurement and figures with numpy
//! arrays in and out. Long calls release the GIL; errors become
//! `imprint.ImprintError` (a `ValueError`) carrying the library's one-line
//! message. Keyword options deserialise into the library's own parameter
//! structs, so defaults live in one place and unknown names are refused.

mod analysis;
mod learning;
mod network;
mod reproduce;
mod sweep;
mod task;

use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray2, PyReadonlyArray2};
use pyo3::create_exception;
use pyo3::prelude::*;
use pyo3::types::PyDict;

create_exception!(_imprint, ImprintError, pyo3::exceptions::PyValueError, "Invalid input to imprint: a bad network, task, file or parameter. The message names the offender.");

pub(crate) fn fail<E: std::fmt::Display>(error: E) -> PyErr {
    ImprintError::new_err(error.to_string())
}

pub(crate) fn matrix(
    py: Python<'_>,
    rows: usize,
    cols: usize,
    value: impl Fn(usize, usize) -> f64,
) -> Bound<'_, PyArray2<f64>> {
    Array2::from_shape_fn((rows, cols), |(r, c)| value(r, c)).into_pyarray(py)
}

pub(crate) fn rows_of(array: &PyReadonlyArray2<'_, f64>) -> Vec<Vec<f64>> {
    array
        .as_array()
        .outer_iter()
        .map(|row| row.to_vec())
        .collect()
}

/// Keyword arguments as a JSON object (through Python's `json`, numpy
/// scalars as floats).
pub(crate) fn kwargs_json(
    py: Python<'_>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<serde_json::Map<String, serde_json::Value>> {
    let Some(kwargs) = kwargs else {
        return Ok(serde_json::Map::new());
    };
    let json = py.import("json")?;
    let options = PyDict::new(py);
    options.set_item("default", py.import("builtins")?.getattr("float")?)?;
    let text: String = json
        .call_method("dumps", (kwargs,), Some(&options))?
        .extract()?;
    serde_json::from_str(&text).map_err(fail)
}

/// Keyword arguments deserialised into the library struct `T` (its
/// `Default` fills what is not given; unknown names are refused).
pub(crate) fn kwargs_into<T: serde::de::DeserializeOwned>(
    py: Python<'_>,
    kwargs: Option<&Bound<'_, PyDict>>,
    what: &str,
) -> PyResult<T> {
    serde_json::from_value(serde_json::Value::Object(kwargs_json(py, kwargs)?))
        .map_err(|e| fail(format!("{what}: {e}")))
}

/// The library's defaults of every option Python exposes, as the library
/// spells them: `analysis` and `structure` (the options of `analyze`),
/// `training` (of `train`, for the default task), `boundary` (of `measure`),
/// `max_runs` (of `sweep.plan`) and `reproduction` (of `reproduce`). The stub's defaults are checked
/// against these.
#[pyfunction]
fn defaults(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let training = imprint::run::config::RunConfig::for_task("regression-2x2", 1)
        .map_err(fail)?
        .training;
    let defaults = imprint::paper::ReproductionOptions::default();
    let value = serde_json::json!({
        "analysis": imprint::analysis::AnalysisOptions::default(),
        "structure": imprint::analysis::report::StructureOptions::default(),
        "training": training,
        "boundary": imprint::analysis::Boundary::default(),
        "max_runs": imprint::sweep::DEFAULT_MAX_RUNS,
        "reproduction": {
            "out": defaults.out,
            "quick": defaults.quick,
            "seed": defaults.seed,
            "seeds": defaults.seeds,
            "network": defaults.network,
            "condition_rate": defaults.condition_rate,
            "force": defaults.force,
            "physics": defaults.physics,
        },
    });
    py.import("json")?
        .call_method1("loads", (value.to_string(),))
}

/// The Rust extension module behind `import imprint`.
#[pymodule]
fn _imprint(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<network::PyNetwork>()?;
    m.add_class::<task::PyTask>()?;
    m.add_function(wrap_pyfunction!(defaults, m)?)?;
    m.add_function(wrap_pyfunction!(reproduce::reproduce, m)?)?;
    m.add_function(wrap_pyfunction!(learning::solve, m)?)?;
    m.add_function(wrap_pyfunction!(learning::solve_spring, m)?)?;
    m.add_function(wrap_pyfunction!(learning::evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(learning::train, m)?)?;
    m.add_function(wrap_pyfunction!(analysis::analyze, m)?)?;
    m.add_function(wrap_pyfunction!(analysis::analyze_run, m)?)?;
    m.add_function(wrap_pyfunction!(analysis::plot, m)?)?;
    m.add_function(wrap_pyfunction!(analysis::measure, m)?)?;
    m.add_function(wrap_pyfunction!(sweep::sweep_plan, m)?)?;
    m.add_function(wrap_pyfunction!(sweep::sweep_run, m)?)?;
    m.add_function(wrap_pyfunction!(sweep::sweep_status, m)?)?;
    m.add_function(wrap_pyfunction!(sweep::sweep_collect, m)?)?;
    m.add_function(wrap_pyfunction!(sweep::sweep_report, m)?)?;
    m.add("ImprintError", m.py().get_type::<ImprintError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
