//! Solves, evaluation and training from Python: the library's solver and
//! training executor, with a progress line, a callback and Ctrl-C.

use std::collections::HashMap;
use std::ops::ControlFlow;

use imprint::learning::config::RunConfig;
use imprint::learning::{
    builtin, Keep, LearningRate, Rule, RuleKind, StopRule, TaskCircuit, TrainingParameters,
};
use imprint::physics::{solve as solve_network, BoundaryConditions};
use imprint::run::{Executor, HistoryRecord, Observer};
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::network::PyNetwork;
use crate::task::PyTask;
use crate::{fail, kwargs_into};

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
#[pyfunction]
#[pyo3(signature = (network, fix, inject = None))]
pub fn solve<'py>(
    py: Python<'py>,
    network: PyRef<'_, PyNetwork>,
    fix: HashMap<usize, f64>,
    inject: Option<HashMap<usize, f64>>,
) -> PyResult<Bound<'py, PyDict>> {
    let conditions = boundary(fix, inject);
    let net = &network.inner;
    let s = py
        .detach(|| solve_network(net, &conditions))
        .map_err(fail)?;
    let out = PyDict::new(py);
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
            let message = format!(
                "\r{} step {}/{total}, cost {:.3e}",
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
    let learning_rate = match learning_rate {
        None => None,
        Some(value) => Some(match value.extract::<f64>() {
            Ok(rate) => LearningRate::Constant(rate),
            Err(_) => value
                .extract::<String>()
                .map_err(|_| fail("learning_rate: a number or \"auto\""))?
                .parse::<LearningRate>()
                .map_err(|e| fail(format!("learning_rate: {e}")))?,
        }),
    };
    let keep = match keep {
        "best" => Keep::Best,
        "last" => Keep::Last,
        other => return Err(fail(format!("keep: `{other}` is not best or last"))),
    };
    let name = if builtin::BUILTIN_TASKS.contains(&task.inner.name.as_str()) {
        task.inner.name.as_str()
    } else {
        "custom"
    };
    let defaults = RunConfig::for_task(name, seed).map_err(fail)?.training;
    let kind = rule
        .parse::<RuleKind>()
        .map_err(|e| fail(format!("rule: {e}")))?;
    // The task's default rule turned into the one asked for; what the
    // caller gives is used or refused, never dropped.
    let mut rule = defaults.rule.with_kind(kind);
    if let Some(rate) = learning_rate {
        rule = rule.with_learning_rate(rate).map_err(fail)?;
    }
    match (&mut rule, nudge, damping) {
        (_, None, None) => {}
        (Rule::CoupledLearning { nudge: n, .. }, Some(value), None) => *n = value,
        (Rule::LevenbergMarquardt { damping: d }, None, Some(value)) => *d = value,
        (_, Some(_), _) => return Err(fail(format!("nudge: {kind} has no nudge"))),
        (_, _, Some(_)) => {
            return Err(fail(format!(
                "damping: only levenberg-marquardt has a damping, not {kind}"
            )))
        }
    }
    let parameters = TrainingParameters {
        rule,
        batch_size: batch_size.unwrap_or(defaults.batch_size),
        iterations: iterations.unwrap_or(defaults.iterations),
        k_min: k_min.unwrap_or(defaults.k_min),
        k_max: k_max.unwrap_or(defaults.k_max),
        seed,
        auto_rate: match &auto_rate {
            Some(fields) => kwargs_into(py, Some(fields), "auto_rate")?,
            None => defaults.auto_rate,
        },
        stop: StopRule {
            relative_cost: stop_relative_cost.unwrap_or(defaults.stop.relative_cost),
            patience: stop_patience.unwrap_or(defaults.stop.patience),
        },
        keep,
        momentum: momentum.unwrap_or(defaults.momentum),
    };
    let (net, task_ref) = (&network.inner, &task.inner);
    let total = parameters.iterations;
    let mut executor =
        Executor::new(net, task_ref, parameters, callback_every.max(1)).map_err(fail)?;
    let mut observer = PythonObserver {
        task: &task_ref.name,
        total,
        progress,
        callback,
        error: None,
    };
    let outcome = py.detach(|| executor.run(&mut observer));
    if progress {
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
