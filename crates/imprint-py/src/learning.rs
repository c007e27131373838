//! Solves, evaluation and training from Python: the library's solver and
//! training executor, with a progress line, a callback and Ctrl-C.

use std::collections::HashMap;
use std::ops::ControlFlow;

use imprint::learning::{builtin, TaskCircuit};
use imprint::physics::{solve as solve_network, BoundaryConditions};
use imprint::run::config::training_parameters;
use imprint::run::{Executor, HistoryRecord, Observer};
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::network::PyNetwork;
use crate::task::PyTask;
use crate::{fail, kwargs_json};

/// A count keyword as a TOML integer (refused past `i64::MAX`).
fn count<T: TryInto<i64>>(key: &str, value: T) -> PyResult<toml::Value> {
    value
        .try_into()
        .map(toml::Value::Integer)
        .map_err(|_| fail(format!("{key}: too large")))
}

fn boundary(fix: HashMap<usize, f64>, inject: Option<HashMap<usize, f64>>) -> BoundaryConditions {
    let mut fixed: Vec<(usize, f64)> = fix.into_iter().collect();
    fixed.sort_by_key(|p| p.0);
    let mut injected: Vec<(usize, f64)> = inject.unwrap_or_default().into_iter().collect();
    injected.sort_by_key(|p| p.0);
    let bc = fixed
        .into_iter()
        .fold(BoundaryConditions::new(), |bc, (n, v)| bc.fix(n, v));
    injected.into_iter().fold(bc, |bc, (n, a)| bc.inject(n, a))
}

/// Solves the network with nodes held at voltages (`fix={node: volts}`) and
/// currents injected (`inject={node: amps}`). Returns a dict of arrays.
/// Voltages whose certified error bound exceeds 1e-6 of the largest raise,
/// unless `allow_uncertified`.
#[pyfunction]
#[pyo3(signature = (network, fix, inject = None, allow_uncertified = false))]
pub fn solve<'py>(
    py: Python<'py>,
    network: PyRef<'_, PyNetwork>,
    fix: HashMap<usize, f64>,
    inject: Option<HashMap<usize, f64>>,
    allow_uncertified: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let conditions = boundary(fix, inject);
    let net = &network.inner;
    let s = py
        .detach(|| solve_network(net, &conditions))
        .map_err(fail)?;
    if !s.certified() && !allow_uncertified {
        return Err(fail(format!(
            "the voltages are not certified: they may be off by up to {:.1e} of the largest; allow_uncertified=True returns them anyway",
            s.voltage_error_bound
        )));
    }
    let out = PyDict::new(py);
    out.set_item("certified", s.certified())?;
    out.set_item("voltages", s.voltages.into_pyarray(py))?;
    out.set_item("fixed_nodes", s.fixed_nodes.clone().into_pyarray(py))?;
    out.set_item(
        "source_currents",
        PyArray1::from_vec(py, s.multipliers.iter().map(|m| -m).collect()),
    )?;
    out.set_item("multipliers", s.multipliers.into_pyarray(py))?;
    out.set_item("drops", s.drops.into_pyarray(py))?;
    out.set_item("currents", s.currents.into_pyarray(py))?;
    out.set_item("dissipated_power", s.dissipated_power)?;
    out.set_item("kirchhoff_residual", s.kirchhoff_residual)?;
    out.set_item("current_imbalance", s.current_imbalance)?;
    out.set_item("voltage_error", s.voltage_error)?;
    out.set_item("voltage_error_bound", s.voltage_error_bound)?;
    Ok(out)
}

/// Solves a spring network (`Network.as_spring()`) at its stiffnesses:
/// `hold` lists `(node, component, value)` (component 0 is x, 1 is y),
/// `forces` is an `(N, 2)` array (none: no applied force). Returns a dict:
/// `displacements` `(N, 2)`, `extensions` and `tensions` per bond,
/// `hold_forces` (the force each hold exerts, in `hold` order) and
/// `displacement_error` (the refinement's estimate). A held set that leaves
/// a rigid-body or floppy motion free is refused.
#[pyfunction]
#[pyo3(signature = (network, hold, forces = None))]
pub fn solve_spring<'py>(
    py: Python<'py>,
    network: PyRef<'_, PyNetwork>,
    hold: Vec<(usize, usize, f64)>,
    forces: Option<numpy::PyReadonlyArray2<'_, f64>>,
) -> PyResult<Bound<'py, PyDict>> {
    let net = &network.inner;
    let n = net.node_count();
    let forces: Vec<f64> = match forces {
        Some(f) => {
            let f = f.as_array();
            if f.shape() != [n, 2] {
                return Err(fail(format!(
                    "forces: shape {:?}, expected ({n}, 2)",
                    f.shape()
                )));
            }
            f.iter().copied().collect()
        }
        None => vec![0.0; 2 * n],
    };
    let mut held = Vec::with_capacity(hold.len());
    for &(node, component, _) in &hold {
        if component > 1 {
            return Err(fail(format!(
                "hold: node {node} component {component}: components are 0 (x) and 1 (y)"
            )));
        }
        held.push(2 * node + component);
    }
    let values: Vec<f64> = hold.iter().map(|h| h.2).collect();
    let s = py
        .detach(|| imprint::physics::spring::solve(net, &held, &values, &forces))
        .map_err(fail)?;
    let out = PyDict::new(py);
    let displacements = numpy::ndarray::Array2::from_shape_vec((n, 2), s.response.displacements)
        .map_err(|e| fail(e.to_string()))?;
    out.set_item(
        "displacements",
        numpy::PyArray2::from_owned_array(py, displacements),
    )?;
    out.set_item("extensions", s.response.extensions.into_pyarray(py))?;
    out.set_item("tensions", s.response.tensions.into_pyarray(py))?;
    out.set_item("hold_forces", s.hold_forces.into_pyarray(py))?;
    out.set_item("displacement_error", s.displacement_error)?;
    Ok(out)
}

fn record_dict<'py>(py: Python<'py>, r: &HistoryRecord) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    out.set_item("cost", r.cost)?;
    out.set_item("accuracy", r.accuracy)?;
    out.set_item("test_cost", r.test_cost)?;
    out.set_item("test_accuracy", r.test_accuracy)?;
    out.set_item("step", r.step)?;
    out.set_item("learning_rate", r.learning_rate)?;
    out.set_item("stiffness", r.stiffness)?;
    out.set_item("damping", r.damping)?;
    Ok(out)
}

/// Cost (and accuracy) of the network's conductances on every sample of the task.
#[pyfunction]
pub fn evaluate<'py>(
    py: Python<'py>,
    network: PyRef<'_, PyNetwork>,
    task: PyRef<'_, PyTask>,
) -> PyResult<Bound<'py, PyDict>> {
    let (net, task) = (&network.inner, &task.inner);
    let e = py
        .detach(|| TaskCircuit::new(net, task).and_then(|p| p.evaluate(net.conductance())))
        .map_err(fail)?;
    let out = PyDict::new(py);
    out.set_item("cost", e.cost)?;
    out.set_item("accuracy", e.accuracy)?;
    out.set_item("test_cost", e.test_cost)?;
    out.set_item("test_accuracy", e.test_accuracy)?;
    Ok(out)
}

/// What the executor reports to Python: a progress line, the callback,
/// and Ctrl-C (checked at every record).
struct PythonObserver<'a> {
    task: &'a str,
    total: usize,
    progress: bool,
    /// Whether stderr is a terminal: the progress line then rewrites
    /// itself (`\r`); otherwise (a log file, a notebook's captured output)
    /// each record is a line of its own, never glued to the next.
    terminal: bool,
    callback: Option<Py<PyAny>>,
    error: Option<PyErr>,
}

impl PythonObserver<'_> {
    fn report(
        &self,
        py: Python<'_>,
        record: &HistoryRecord,
        k: &[f64],
        total: usize,
    ) -> PyResult<()> {
        if self.progress {
            let (start, end) = if self.terminal {
                ("\r", "")
            } else {
                ("", "\n")
            };
            let message = format!(
                "{start}{} step {}/{total}, cost {:.3e}{end}",
                self.task, record.step, record.cost
            );
            py.import("sys")?
                .getattr("stderr")?
                .call_method1("write", (message,))?;
        }
        if let Some(callback) = &self.callback {
            callback.call1(
                py,
                (
                    record.step,
                    record_dict(py, record)?,
                    PyArray1::from_slice(py, k),
                ),
            )?;
        }
        py.check_signals()
    }
}

impl Observer for PythonObserver<'_> {
    fn recorded(&mut self, record: &HistoryRecord, conductance: &[f64]) -> ControlFlow<()> {
        if self.error.is_some() {
            return ControlFlow::Break(());
        }
        let outcome = Python::attach(|py| self.report(py, record, conductance, self.total));
        match outcome {
            Ok(()) => ControlFlow::Continue(()),
            Err(error) => {
                self.error = Some(error);
                ControlFlow::Break(())
            }
        }
    }
}

/// Trains the network on the task; returns (trained Network, history list of dicts).
/// Omitted hyperparameters take the task's documented defaults
/// (`learning_rate="auto"`; a number keeps the rate constant). The network
/// returned is the best recorded state (`keep="best"`) or the last
/// (`keep="last"`); training stops early once the cost has stayed below
/// `stop_relative_cost` times the initial cost for `stop_patience`
/// iterations. `auto_rate={"target": ..., "every": ..., "trust": ...}` tunes
/// the automatic rate. `rule="levenberg-marquardt"` trains with the bounded
/// second-order trainer (no learning rate or nudge; `damping` is its initial
/// damping, Nielsen's tau). `momentum` (default 0) adds per-edge heavy-ball
/// momentum to the first-order rules. `callback(step, record, conductance)` is called every
/// `callback_every` iterations, when the full cost is recorded.
#[pyfunction]
#[pyo3(signature = (network, task, rule = "coupled-learning", learning_rate = None, nudge = None, batch_size = None, iterations = None, k_min = None, k_max = None, seed = 1, callback = None, callback_every = 100, progress = false, keep = "best", stop_relative_cost = None, stop_patience = None, auto_rate = None, damping = None, momentum = None))]
#[allow(clippy::too_many_arguments)]
pub fn train<'py>(
    py: Python<'py>,
    network: PyRef<'_, PyNetwork>,
    task: PyRef<'_, PyTask>,
    rule: &str,
    learning_rate: Option<Bound<'py, PyAny>>,
    nudge: Option<f64>,
    batch_size: Option<usize>,
    iterations: Option<usize>,
    k_min: Option<f64>,
    k_max: Option<f64>,
    seed: u64,
    callback: Option<Py<PyAny>>,
    callback_every: usize,
    progress: bool,
    keep: &str,
    stop_relative_cost: Option<f64>,
    stop_patience: Option<usize>,
    auto_rate: Option<Bound<'py, PyDict>>,
    damping: Option<f64>,
    momentum: Option<f64>,
) -> PyResult<(PyNetwork, Vec<Bound<'py, PyDict>>)> {
    // The keywords given become the fields of a run file's `[training]`
    // table; the library resolves them over the task's defaults exactly as
    // it resolves a run file (types, defaults and refusals are its own).
    let mut given = toml::Table::new();
    let mut rule_fields = toml::Table::from_iter([("kind".to_string(), rule.into())]);
    if let Some(rate) = learning_rate {
        let rate = match rate.extract::<f64>() {
            Ok(number) => toml::Value::Float(number),
            Err(_) => toml::Value::String(
                rate.extract::<String>()
                    .map_err(|_| fail("learning_rate: a number or \"auto\""))?,
            ),
        };
        rule_fields.insert("learning_rate".into(), rate);
    }
    for (key, value) in [("nudge", nudge), ("damping", damping)] {
        if let Some(value) = value {
            rule_fields.insert(key.into(), value.into());
        }
    }
    given.insert("rule".into(), rule_fields.into());
    for (key, value) in [("batch_size", batch_size), ("iterations", iterations)] {
        if let Some(value) = value {
            given.insert(key.into(), count(key, value)?);
        }
    }
    for (key, value) in [("k_min", k_min), ("k_max", k_max), ("momentum", momentum)] {
        if let Some(value) = value {
            given.insert(key.into(), value.into());
        }
    }
    given.insert("seed".into(), count("seed", seed)?);
    given.insert("keep".into(), keep.into());
    let mut stop = toml::Table::new();
    if let Some(value) = stop_relative_cost {
        stop.insert("relative_cost".into(), value.into());
    }
    if let Some(value) = stop_patience {
        stop.insert("patience".into(), count("stop_patience", value)?);
    }
    if !stop.is_empty() {
        given.insert("stop".into(), stop.into());
    }
    if let Some(fields) = &auto_rate {
        let fields = toml::Value::try_from(kwargs_json(py, Some(fields))?)
            .map_err(|e| fail(format!("auto_rate: {e}")))?;
        given.insert("auto_rate".into(), fields);
    }
    let name = if builtin::BUILTIN_TASKS.contains(&task.inner.name.as_str()) {
        task.inner.name.as_str()
    } else {
        "custom"
    };
    let parameters = training_parameters(name, seed, given).map_err(fail)?;
    let (net, task_ref) = (&network.inner, &task.inner);
    let total = parameters.iterations;
    let mut executor =
        Executor::new(net, task_ref, parameters, callback_every.max(1)).map_err(fail)?;
    let mut observer = PythonObserver {
        task: &task_ref.name,
        total,
        progress,
        terminal: progress
            && py
                .import("sys")?
                .getattr("stderr")?
                .call_method0("isatty")?
                .extract::<bool>()
                .unwrap_or(false),
        callback,
        error: None,
    };
    let outcome = py.detach(|| executor.run(&mut observer));
    if observer.terminal {
        py.import("sys")?
            .getattr("stderr")?
            .call_method1("write", ("\n",))?;
    }
    if let Some(error) = observer.error {
        return Err(error);
    }
    outcome.map_err(fail)?;
    let history = executor
        .history()
        .iter()
        .map(|r| record_dict(py, r))
        .collect::<PyResult<Vec<_>>>()?;
    Ok((
        PyNetwork {
            inner: executor.into_network(),
        },
        history,
    ))
}
