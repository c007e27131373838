//! `imprint.Task`: the paper's tasks and tasks from arrays.

use std::path::PathBuf;

use imprint::learning::{builtin, Cost, Readout, Roles, Task};
use numpy::{PyArray2, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::network::PyNetwork;
use crate::{fail, kwargs_into, matrix, rows_of};

/// A supervised task: fixed nodes with per-sample voltages, a read-out, targets, a cost.
#[pyclass(name = "Task", module = "imprint", from_py_object)]
#[derive(Clone)]
pub struct PyTask {
    pub(crate) inner: Task,
}

#[pymethods]
impl PyTask {
    /// A built-in task of the paper: regression-2x2, regression-2x5,
    /// classification-3, allostery. Keyword arguments: `seed`, `samples`,
    /// `coefficients`, `target_edges`, `desired_drop` (defaults as in the library).
    #[staticmethod]
    #[pyo3(signature = (name, network, **options))]
    fn builtin(
        py: Python<'_>,
        name: &str,
        network: PyRef<'_, PyNetwork>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let options: builtin::BuiltinOptions = kwargs_into(py, options, "task options")?;
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
        let cost: Cost = cost.parse().map_err(fail)?;
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
                physics: imprint::network::Physics::Resistive,
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
        self.inner.cost.name()
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
