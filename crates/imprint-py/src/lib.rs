//! Python bindings of imprint (`import imprint`): the library's networks,
//! solves, tasks, training and analysis with numpy arrays in and out. Long
//! calls release the GIL; errors become `imprint.ImprintError` (a
//! `ValueError`) carrying the library's one-line message.

use std::collections::HashMap;
use std::path::PathBuf;

use imprint::analysis::{analyze as analyze_network, AnalysisOptions, Method};
use imprint::learning::config::RunConfig;
use imprint::learning::{
    builtin, Cost, Readout, Roles, Rule, Task, Training, TrainingParameters, TrainingProblem,
};
use imprint::network::{delaunay, jammed, lattice, Network};
use imprint::physics::{solve as solve_network, BoundaryConditions};
use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::create_exception;
use pyo3::prelude::*;
use pyo3::types::PyDict;

create_exception!(_imprint, ImprintError, pyo3::exceptions::PyValueError, "Invalid input to imprint: a bad network, task, file or parameter. The message names the offender.");

fn fail<E: std::fmt::Display>(error: E) -> PyErr {
    ImprintError::new_err(error.to_string())
}

fn matrix(
    py: Python<'_>,
    rows: usize,
    cols: usize,
    value: impl Fn(usize, usize) -> f64,
) -> Bound<'_, PyArray2<f64>> {
    Array2::from_shape_fn((rows, cols), |(r, c)| value(r, c)).into_pyarray(py)
}

fn faer_matrix<'py>(py: Python<'py>, m: &faer::Mat<f64>) -> Bound<'py, PyArray2<f64>> {
    matrix(py, m.nrows(), m.ncols(), |r, c| m[(r, c)])
}

fn rows_of(array: &PyReadonlyArray2<'_, f64>) -> Vec<Vec<f64>> {
    array
        .as_array()
        .outer_iter()
        .map(|row| row.to_vec())
        .collect()
}

/// A resistor network: node positions, edges, conductances, optional periodic box.
#[pyclass(name = "Network", module = "imprint", from_py_object)]
#[derive(Clone)]
pub struct PyNetwork {
    inner: Network,
}

#[pymethods]
impl PyNetwork {
    /// Network(positions (N, 2), edges (E, 2), conductance (E,) = ones, periodic_box = None)
    #[new]
    #[pyo3(signature = (positions, edges, conductance = None, periodic_box = None))]
    fn new(
        positions: PyReadonlyArray2<'_, f64>,
        edges: PyReadonlyArray2<'_, i64>,
        conductance: Option<PyReadonlyArray1<'_, f64>>,
        periodic_box: Option<(f64, f64)>,
    ) -> PyResult<Self> {
        let positions: Vec<[f64; 2]> = positions
            .as_array()
            .outer_iter()
            .map(|r| [r[0], r.get(1).copied().unwrap_or(f64::NAN)])
            .collect();
        let mut list = Vec::new();
        for (e, row) in edges.as_array().outer_iter().enumerate() {
            if row.len() != 2 || row[0] < 0 || row[1] < 0 {
                return Err(fail(format!(
                    "edge {e} is not a pair of non-negative node indices"
                )));
            }
            list.push([row[0] as usize, row[1] as usize]);
        }
        let k = match conductance {
            Some(k) => k.as_array().to_vec(),
            None => vec![1.0; list.len()],
        };
        Network::new(positions, list, k, periodic_box.map(|(x, y)| [x, y]))
            .map(|inner| Self { inner })
            .map_err(fail)
    }

    /// Reads a network file (.json network, .csv edge list, .txt literature format).
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<Self> {
        let inner = imprint::io::read_any_network(&path).map_err(fail)?;
        Ok(Self { inner })
    }

    /// Writes the network as network JSON (atomically).
    fn save(&self, path: PathBuf) -> PyResult<()> {
        imprint::io::write_network(&path, &self.inner).map_err(fail)
    }

    /// The network JSON text.
    fn to_json(&self) -> String {
        imprint::io::network_to_json(&self.inner)
    }

    /// A network from network JSON text.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        imprint::io::parse_network(text, std::path::Path::new("<string>"))
            .map(|inner| Self { inner })
            .map_err(fail)
    }

    /// Contact network of a 2D jammed packing (periodic box, rattlers removed).
    #[staticmethod]
    #[pyo3(signature = (nodes = 512, seed = 1, pressure = 1e-4, size_ratio = 1.4))]
    fn jammed(
        py: Python<'_>,
        nodes: usize,
        seed: u64,
        pressure: f64,
        size_ratio: f64,
    ) -> PyResult<Self> {
        let parameters = jammed::JammingParameters {
            nodes,
            seed,
            target_pressure: pressure,
            size_ratio,
            ..Default::default()
        };
        let (inner, _) = py.detach(|| jammed::generate(&parameters)).map_err(fail)?;
        Ok(Self { inner })
    }

    /// Square or triangular lattice with unit spacing and conductances.
    #[staticmethod]
    #[pyo3(signature = (columns, rows, kind = "square", periodic = false))]
    fn lattice(columns: usize, rows: usize, kind: &str, periodic: bool) -> PyResult<Self> {
        let inner = match kind {
            "square" => lattice::square(columns, rows, periodic),
            "triangular" => lattice::triangular(columns, rows, periodic),
            other => {
                return Err(fail(format!(
                    "lattice kind `{other}` is not square or triangular"
                )))
            }
        }
        .map_err(fail)?;
        Ok(Self { inner })
    }

    /// Delaunay triangulation of random points, optionally diluted to mean coordination `coordination`.
    #[staticmethod]
    #[pyo3(signature = (nodes = 512, seed = 1, coordination = None))]
    fn delaunay(nodes: usize, seed: u64, coordination: Option<f64>) -> PyResult<Self> {
        delaunay::generate(&delaunay::DelaunayParameters {
            nodes,
            seed,
            target_coordination: coordination,
        })
        .map(|inner| Self { inner })
        .map_err(fail)
    }

    /// Node count N.
    #[getter]
    fn node_count(&self) -> usize {
        self.inner.node_count()
    }

    /// Edge count E.
    #[getter]
    fn edge_count(&self) -> usize {
        self.inner.edge_count()
    }

    /// Node positions, shape (N, 2).
    #[getter]
    fn positions<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray2<f64>> {
        let p = self.inner.positions();
        matrix(py, p.len(), 2, |r, c| p[r][c])
    }

    /// Edges as node pairs, shape (E, 2), int64.
    #[getter]
    fn edges<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray2<i64>> {
        let e = self.inner.edges();
        Array2::from_shape_fn((e.len(), 2), |(r, c)| e[r][c] as i64).into_pyarray(py)
    }

    /// Conductances, shape (E,).
    #[getter]
    fn conductance<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, self.inner.conductance())
    }

    /// Replaces every conductance (finite and positive, one per edge).
    #[setter]
    fn set_conductance(&mut self, values: PyReadonlyArray1<'_, f64>) -> PyResult<()> {
        self.inner
            .set_conductance(values.as_array().to_vec())
            .map_err(fail)
    }

    /// Side lengths of the periodic box, or None.
    #[getter]
    fn periodic_box(&self) -> Option<(f64, f64)> {
        self.inner.periodic_box().map(|[x, y]| (x, y))
    }

    /// Provenance metadata as JSON text (see `metadata` in the Python layer).
    #[getter]
    fn metadata_json(&self) -> String {
        serde_json::to_string(self.inner.metadata()).unwrap_or_default()
    }

    fn __repr__(&self) -> String {
        format!(
            "Network({} nodes, {} edges{})",
            self.inner.node_count(),
            self.inner.edge_count(),
            if self.inner.periodic_box().is_some() {
                ", periodic"
            } else {
                ""
            }
        )
    }
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
#[pyfunction]
#[pyo3(signature = (network, fix, inject = None))]
fn solve<'py>(
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
    Ok(out)
}

/// A supervised task: fixed nodes with per-sample voltages, a read-out, targets, a cost.
#[pyclass(name = "Task", module = "imprint", from_py_object)]
#[derive(Clone)]
pub struct PyTask {
    inner: Task,
}

#[pymethods]
impl PyTask {
    /// A built-in task of the paper: regression-2x2, regression-2x5, classification-3, allostery.
    #[staticmethod]
    #[pyo3(signature = (name, network, seed = 1, samples = 112, target_edges = 3, desired_drop = 0.2, coefficients = None))]
    fn builtin(
        name: &str,
        network: PyRef<'_, PyNetwork>,
        seed: u64,
        samples: usize,
        target_edges: usize,
        desired_drop: f64,
        coefficients: Option<Vec<Vec<f64>>>,
    ) -> PyResult<Self> {
        let options = builtin::BuiltinOptions {
            seed,
            samples,
            coefficients,
            target_edges,
            desired_drop,
        };
        builtin::build(name, &network.inner, &options)
            .map(|inner| Self { inner })
            .map_err(fail)
    }

    /// A task from arrays: fixed_voltages (M, C) for `fixed_nodes`, targets (M, n_out) for
    /// `output_nodes` (voltages) or `output_edges` (drops V_i - V_j), cost "mse" or "cosine".
    #[staticmethod]
    #[pyo3(signature = (fixed_nodes, fixed_voltages, targets, output_nodes = None, output_edges = None, cost = "mse", name = "custom", test_fixed_voltages = None, test_targets = None))]
    #[allow(clippy::too_many_arguments)]
    fn custom(
        fixed_nodes: Vec<usize>,
        fixed_voltages: PyReadonlyArray2<'_, f64>,
        targets: PyReadonlyArray2<'_, f64>,
        output_nodes: Option<Vec<usize>>,
        output_edges: Option<Vec<[usize; 2]>>,
        cost: &str,
        name: &str,
        test_fixed_voltages: Option<PyReadonlyArray2<'_, f64>>,
        test_targets: Option<PyReadonlyArray2<'_, f64>>,
    ) -> PyResult<Self> {
        let readout = match (output_nodes, output_edges) {
            (Some(nodes), None) => Readout::Node { nodes },
            (None, Some(edges)) => Readout::Edge { edges },
            _ => return Err(fail("give either output_nodes or output_edges")),
        };
        let cost = match cost {
            "mse" => Cost::Mse,
            "cosine" => Cost::Cosine,
            other => return Err(fail(format!("cost `{other}` is not mse or cosine"))),
        };
        let outputs = readout.nodes();
        Ok(Self {
            inner: Task {
                name: name.to_string(),
                fixed_nodes,
                fixed_voltages: rows_of(&fixed_voltages),
                readout,
                targets: rows_of(&targets),
                cost,
                test_fixed_voltages: test_fixed_voltages.map(|a| rows_of(&a)).unwrap_or_default(),
                test_targets: test_targets.map(|a| rows_of(&a)).unwrap_or_default(),
                roles: Roles {
                    grounds: Vec::new(),
                    inputs: Vec::new(),
                    outputs,
                },
                classification: cost == Cost::Cosine,
            },
        })
    }

    /// Reads task JSON.
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<Self> {
        imprint::io::read_task(&path)
            .map(|inner| Self { inner })
            .map_err(fail)
    }

    /// Writes task JSON (atomically).
    fn save(&self, path: PathBuf) -> PyResult<()> {
        imprint::io::write_task(&path, &self.inner).map_err(fail)
    }

    /// The task JSON text.
    fn to_json(&self) -> String {
        imprint::io::task_to_json(&self.inner)
    }

    /// Name.
    #[getter]
    fn name(&self) -> String {
        self.inner.name.clone()
    }

    /// Fixed nodes C.
    #[getter]
    fn fixed_nodes(&self) -> Vec<usize> {
        self.inner.fixed_nodes.clone()
    }

    /// Voltages of the fixed nodes, shape (M, C).
    #[getter]
    fn fixed_voltages<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray2<f64>> {
        let v = &self.inner.fixed_voltages;
        matrix(py, v.len(), self.inner.fixed_nodes.len(), |r, c| v[r][c])
    }

    /// Desired outputs, shape (M, n_out).
    #[getter]
    fn targets<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray2<f64>> {
        let t = &self.inner.targets;
        matrix(py, t.len(), self.inner.readout.len(), |r, c| t[r][c])
    }

    /// Output nodes (node read-out) or None.
    #[getter]
    fn output_nodes(&self) -> Option<Vec<usize>> {
        match &self.inner.readout {
            Readout::Node { nodes } => Some(nodes.clone()),
            Readout::Edge { .. } => None,
        }
    }

    /// Output edges (edge read-out) or None.
    #[getter]
    fn output_edges(&self) -> Option<Vec<[usize; 2]>> {
        match &self.inner.readout {
            Readout::Edge { edges } => Some(edges.clone()),
            Readout::Node { .. } => None,
        }
    }

    /// "mse" or "cosine".
    #[getter]
    fn cost(&self) -> &'static str {
        match self.inner.cost {
            Cost::Mse => "mse",
            Cost::Cosine => "cosine",
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "Task({}, {} samples, {} outputs)",
            self.inner.name,
            self.inner.sample_count(),
            self.inner.readout.len()
        )
    }
}

fn evaluation_dict<'py>(
    py: Python<'py>,
    e: &imprint::learning::Evaluation,
) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    out.set_item("cost", e.cost)?;
    out.set_item("accuracy", e.accuracy)?;
    out.set_item("test_cost", e.test_cost)?;
    out.set_item("test_accuracy", e.test_accuracy)?;
    Ok(out)
}

/// Cost (and accuracy) of the network's conductances on every sample of the task.
#[pyfunction]
fn evaluate<'py>(
    py: Python<'py>,
    network: PyRef<'_, PyNetwork>,
    task: PyRef<'_, PyTask>,
) -> PyResult<Bound<'py, PyDict>> {
    let (net, task) = (&network.inner, &task.inner);
    let e = py
        .detach(|| TrainingProblem::new(net, task).and_then(|p| p.evaluate(net.conductance())))
        .map_err(fail)?;
    evaluation_dict(py, &e)
}

/// Trains the network on the task; returns (trained Network, history list of dicts).
/// Omitted hyperparameters take the task's documented defaults. `callback(step,
/// evaluation, conductance)` is called every `callback_every` iterations.
#[pyfunction]
#[pyo3(signature = (network, task, rule = "coupled-learning", learning_rate = None, nudge = None, batch_size = None, iterations = None, k_min = 1e-3, k_max = 1e2, seed = 1, callback = None, callback_every = 100, progress = false))]
#[allow(clippy::too_many_arguments)]
fn train<'py>(
    py: Python<'py>,
    network: PyRef<'_, PyNetwork>,
    task: PyRef<'_, PyTask>,
    rule: &str,
    learning_rate: Option<f64>,
    nudge: Option<f64>,
    batch_size: Option<usize>,
    iterations: Option<usize>,
    k_min: f64,
    k_max: f64,
    seed: u64,
    callback: Option<Bound<'py, PyAny>>,
    callback_every: usize,
    progress: bool,
) -> PyResult<(PyNetwork, Vec<Bound<'py, PyDict>>)> {
    let name = if builtin::BUILTIN_TASKS.contains(&task.inner.name.as_str()) {
        task.inner.name.as_str()
    } else {
        "custom"
    };
    let defaults = RunConfig::for_task(name, seed).map_err(fail)?.training;
    let (default_rate, default_nudge) = match defaults.rule {
        Rule::CoupledLearning {
            learning_rate,
            nudge,
        } => (learning_rate, nudge),
        Rule::GradientDescent { learning_rate } => (learning_rate, 0.1),
    };
    let rule = match rule {
        "coupled-learning" => Rule::CoupledLearning {
            learning_rate: learning_rate.unwrap_or(default_rate),
            nudge: nudge.unwrap_or(default_nudge),
        },
        "gradient-descent" => Rule::GradientDescent {
            learning_rate: learning_rate.unwrap_or(default_rate),
        },
        other => {
            return Err(fail(format!(
                "rule `{other}` is not coupled-learning or gradient-descent"
            )))
        }
    };
    let parameters = TrainingParameters {
        rule,
        batch_size: batch_size.unwrap_or(defaults.batch_size),
        iterations: iterations.unwrap_or(defaults.iterations),
        k_min,
        k_max,
        seed,
    };
    let every = callback_every.max(1);
    let (net, task_ref) = (&network.inner, &task.inner);
    let mut training = Training::new(net, task_ref, parameters).map_err(fail)?;
    let mut history = Vec::new();
    let first = training.evaluate().map_err(fail)?;
    let record = |py: Python<'py>,
                  step: usize,
                  e: &imprint::learning::Evaluation|
     -> PyResult<Bound<'py, PyDict>> {
        let d = evaluation_dict(py, e)?;
        d.set_item("step", step)?;
        Ok(d)
    };
    history.push(record(py, 0, &first)?);
    let total = training.parameters().iterations;
    while !training.is_done() {
        let chunk = every.min(total - training.step_count());
        let evaluation = py
            .detach(|| -> Result<_, imprint::learning::LearningError> {
                for _ in 0..chunk {
                    training.step()?;
                }
                training.evaluate()
            })
            .map_err(fail)?;
        let step = training.step_count();
        let entry = record(py, step, &evaluation)?;
        history.push(entry.clone());
        if progress {
            let sys = py.import("sys")?;
            let message = format!(
                "\r{} step {step}/{total}, cost {:.3e}",
                task_ref.name, evaluation.cost
            );
            sys.getattr("stderr")?.call_method1("write", (message,))?;
        }
        if let Some(callback) = &callback {
            callback.call1((
                step,
                entry,
                PyArray1::from_slice(py, training.conductance()),
            ))?;
        }
        py.check_signals()?;
    }
    if progress {
        py.import("sys")?
            .getattr("stderr")?
            .call_method1("write", ("\n",))?;
    }
    let mut trained = net.clone();
    trained
        .set_conductance(training.conductance().to_vec())
        .map_err(fail)?;
    Ok((PyNetwork { inner: trained }, history))
}

/// The paper's analysis; returns a dict of numpy arrays named as in analysis.npz,
/// plus scalars (`stiff_mode_count`, `expected_stiff_modes`, `cost`, ...).
#[pyfunction]
#[pyo3(signature = (network, task, method = "auto", dense_threshold = 3000, projections = 200, exact_susceptibility = false, soft_modes = 50, seed = 1, check_tensors = false))]
#[allow(clippy::too_many_arguments)]
fn analyze<'py>(
    py: Python<'py>,
    network: PyRef<'_, PyNetwork>,
    task: PyRef<'_, PyTask>,
    method: &str,
    dense_threshold: usize,
    projections: usize,
    exact_susceptibility: bool,
    soft_modes: usize,
    seed: u64,
    check_tensors: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let method = match method {
        "auto" => Method::Auto,
        "dense" => Method::Dense,
        "scalable" => Method::Scalable,
        other => {
            return Err(fail(format!(
                "method `{other}` is not auto, dense or scalable"
            )))
        }
    };
    let options = AnalysisOptions {
        method,
        dense_threshold,
        projections,
        exact_susceptibility,
        soft_modes,
        seed,
        check_tensors,
    };
    let (net, task) = (&network.inner, &task.inner);
    let a = py
        .detach(|| analyze_network(net, task, &options))
        .map_err(fail)?;
    let out = PyDict::new(py);
    let vector = |v: &Vec<f64>| PyArray1::from_slice(py, v);
    out.set_item("physical_eigenvalues", vector(&a.physical_eigenvalues))?;
    out.set_item(
        "physical_eigenvectors",
        faer_matrix(py, &a.physical_eigenvectors),
    )?;
    out.set_item("susceptibility", vector(&a.susceptibility))?;
    out.set_item(
        "susceptibility_error",
        PyArray1::from_vec(
            py,
            a.susceptibility
                .iter()
                .map(|c| c * a.susceptibility_error)
                .collect(),
        ),
    )?;
    out.set_item("partial_susceptibility", vector(&a.partial_susceptibility))?;
    out.set_item(
        "cost_hessian_eigenvalues",
        vector(&a.cost_hessian_eigenvalues),
    )?;
    out.set_item("stiff_modes", faer_matrix(py, &a.stiff_modes))?;
    out.set_item("stiff_weight", vector(&a.stiff_weight))?;
    out.set_item("relative_conductance", vector(&a.relative_conductance))?;
    out.set_item("conductance", vector(&a.conductance))?;
    out.set_item("gradient", vector(&a.gradient))?;
    if let Some(s) = &a.susceptibility_vectors {
        out.set_item("susceptibility_vectors", faer_matrix(py, s))?;
    }
    if let Some(g) = &a.cost_hessian {
        out.set_item("cost_hessian", faer_matrix(py, g))?;
    }
    if let Some(h) = &a.cost_hessian_full {
        out.set_item("cost_hessian_full", faer_matrix(py, h))?;
    }
    if let Some(v) = &a.cost_hessian_full_eigenvalues {
        out.set_item("cost_hessian_full_eigenvalues", vector(v))?;
    }
    out.set_item("stiff_mode_count", a.stiff_mode_count)?;
    out.set_item("expected_stiff_modes", a.expected_stiff_modes)?;
    out.set_item("cost", a.cost)?;
    out.set_item("tensor_identity_error", a.tensor_identity_error)?;
    Ok(out)
}

/// The Rust extension module behind `import imprint`.
#[pymodule]
fn _imprint(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyNetwork>()?;
    m.add_class::<PyTask>()?;
    m.add_function(wrap_pyfunction!(solve, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(train, m)?)?;
    m.add_function(wrap_pyfunction!(analyze, m)?)?;
    m.add("ImprintError", m.py().get_type::<ImprintError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
