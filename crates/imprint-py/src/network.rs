//! `imprint.Network`: networks from arrays, files and generators.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use imprint::io::{read_jamming_checkpoint, write_jamming_checkpoint};
use imprint::network::jammed::{
    generate_controlled, JammingOutcome, JammingParameters, PROGRESS_INTERVAL_SECONDS,
};
use imprint::network::spec::{LatticeParameters, NetworkSpec};
use imprint::network::Network;
use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::{fail, kwargs_json, matrix};

/// A resistor network: node positions, edges, conductances, optional periodic box.
#[pyclass(name = "Network", module = "imprint", from_py_object)]
#[derive(Clone)]
pub struct PyNetwork {
    pub(crate) inner: Network,
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

    /// Generates a network: `generator` is jammed, cluster, square,
    /// triangular or delaunay, and the keyword arguments are that generator's parameters
    /// (their names and defaults as in the library; unknown ones are refused).
    /// A jammed packing stops at Ctrl-C (KeyboardInterrupt) within a thousand
    /// FIRE steps; with `checkpoint=PATH` it saves its state there first, and
    /// a later call with the same parameters and path continues it to the
    /// network an uninterrupted call makes (the file is removed then).
    /// `progress=True` prints the progress lines of `imprint network
    /// generate jammed` to stderr.
    #[staticmethod]
    #[pyo3(signature = (generator, **parameters))]
    fn generate(
        py: Python<'_>,
        generator: &str,
        parameters: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let (parameters, checkpoint, progress) = match parameters {
            Some(given) => {
                let parameters = given.copy()?;
                let checkpoint = parameters.get_item("checkpoint")?;
                let progress = parameters.get_item("progress")?;
                parameters.del_item("checkpoint").ok();
                parameters.del_item("progress").ok();
                let checkpoint = checkpoint
                    .filter(|c| !c.is_none())
                    .map(|c| c.extract::<PathBuf>())
                    .transpose()
                    .map_err(|_| fail("`checkpoint` must be a file path"))?;
                let progress = progress
                    .map(|p| p.extract::<bool>())
                    .transpose()
                    .map_err(|_| fail("`progress` must be True or False"))?;
                (Some(parameters), checkpoint, progress)
            }
            None => (None, None, None),
        };
        let mut fields = kwargs_json(py, parameters.as_ref())?;
        fields.insert("generator".into(), generator.into());
        let spec: NetworkSpec = serde_json::from_value(serde_json::Value::Object(fields))
            .map_err(|e| fail(format!("network `{generator}`: {e}")))?;
        let inner = match &spec {
            NetworkSpec::Jammed(parameters) => {
                spec.validate().map_err(fail)?;
                jam(
                    py,
                    parameters,
                    checkpoint.as_deref(),
                    progress == Some(true),
                )?
            }
            _ if checkpoint.is_some() || progress.is_some() => {
                return Err(fail(format!(
                    "`checkpoint` and `progress` are for jammed packings, not `{generator}`"
                )))
            }
            _ => py.detach(|| spec.generate()).map_err(fail)?,
        };
        Ok(Self { inner })
    }

    /// Contact network of a 2D jammed packing (periodic box, rattlers removed):
    /// `nodes`, `seed`, `pressure` (alias of `target_pressure`), `size_ratio`,
    /// `force_tolerance`, `protocol`, ... Without `protocol` the packing is
    /// protocol 1's, as every call made before protocol 2 got; `protocol=2`
    /// is the faster one `imprint network generate jammed` uses
    /// (docs/training.md, "Jamming protocols").
    #[staticmethod]
    #[pyo3(signature = (**parameters))]
    fn jammed(py: Python<'_>, parameters: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        Self::generate(py, "jammed", parameters)
    }

    /// Square or triangular lattice with unit spacing and conductances;
    /// `diagonals` braces every square (square lattices only).
    #[staticmethod]
    #[pyo3(signature = (columns, rows, kind = "square", periodic = false, diagonals = false))]
    fn lattice(
        columns: usize,
        rows: usize,
        kind: &str,
        periodic: bool,
        diagonals: bool,
    ) -> PyResult<Self> {
        let parameters = LatticeParameters {
            columns,
            rows,
            periodic,
            diagonals,
            ..LatticeParameters::default()
        };
        let spec = match kind {
            "square" => NetworkSpec::Square(parameters),
            "triangular" => NetworkSpec::Triangular(parameters),
            other => {
                return Err(fail(format!(
                    "lattice kind `{other}` is not square or triangular"
                )))
            }
        };
        spec.generate().map(|inner| Self { inner }).map_err(fail)
    }

    /// Delaunay triangulation of random points (`nodes`, `seed`), optionally
    /// diluted to mean coordination `coordination` (alias of `target_coordination`).
    #[staticmethod]
    #[pyo3(signature = (**parameters))]
    fn delaunay(py: Python<'_>, parameters: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        Self::generate(py, "delaunay", parameters)
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

    /// Replaces every conductance (in [1e-100, 1e100] S, one per edge).
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

    /// What the edges are: `"resistive"` or `"spring"` (2D central-force
    /// springs, whose conductances are stiffnesses).
    #[getter]
    fn physics(&self) -> &'static str {
        self.inner.physics().name()
    }

    /// The same network as 2D springs, refused when it has floppy modes
    /// beyond the rigid-body ones (as `imprint network generate --physics
    /// spring` does).
    fn as_spring(&self) -> PyResult<Self> {
        imprint::physics::rigidity::as_spring(self.inner.clone())
            .map(|(inner, _)| Self { inner })
            .map_err(fail)
    }

    /// What `imprint network info` prints: size, degrees, components,
    /// conductances, box, physics, and a spring network's rigidity
    /// (`Z - 2d`, rattlers, Maxwell's count, zero modes); given a `task`,
    /// also whether its held set pins every zero mode.
    #[pyo3(signature = (task = None))]
    fn describe(&self, task: Option<&crate::task::PyTask>) -> PyResult<String> {
        let description = imprint::topology::Description::of(&self.inner);
        Ok(match task {
            None => description,
            Some(task) => {
                task.inner.validate(&self.inner).map_err(fail)?;
                description.with_task(&task.inner).map_err(fail)?
            }
        }
        .to_string())
    }

    fn __repr__(&self) -> String {
        format!(
            "Network({} nodes, {} edges, {}{})",
            self.inner.node_count(),
            self.inner.edge_count(),
            self.inner.physics(),
            if self.inner.periodic_box().is_some() {
                ", periodic"
            } else {
                ""
            }
        )
    }
}

/// A jammed packing, stopping at a KeyboardInterrupt (checked every
/// thousand FIRE steps) and continuing or saving the checkpoint at
/// `checkpoint`, with `imprint network generate jammed`'s progress lines on
/// stderr when `progress` (see `Network.generate`).
fn jam(
    py: Python<'_>,
    parameters: &JammingParameters,
    checkpoint: Option<&Path>,
    progress: bool,
) -> PyResult<Network> {
    let resume = match checkpoint {
        Some(path) if path.exists() => {
            Some(read_jamming_checkpoint(path, parameters).map_err(fail)?)
        }
        _ => None,
    };
    let cancel = AtomicBool::new(false);
    let mut interrupt: Option<PyErr> = None;
    let start = Instant::now();
    let mut last = start;
    let outcome = py
        .detach(|| {
            generate_controlled(
                parameters,
                resume,
                &mut |p| {
                    let report = progress
                        && (p.minimised
                            || last.elapsed().as_secs_f64() >= PROGRESS_INTERVAL_SECONDS);
                    let check = !p.minimised && interrupt.is_none();
                    if !(report || check) {
                        return;
                    }
                    let outcome = Python::attach(|py| -> PyResult<()> {
                        if report {
                            let line = format!("  {p}, {:.1} s\n", start.elapsed().as_secs_f64());
                            py.import("sys")?
                                .getattr("stderr")?
                                .call_method1("write", (line,))?;
                        }
                        py.check_signals()
                    });
                    if report {
                        last = Instant::now();
                    }
                    if let (Err(error), None) = (outcome, &interrupt) {
                        interrupt = Some(error);
                        cancel.store(true, Ordering::Relaxed);
                    }
                },
                Some(&cancel),
            )
        })
        .map_err(fail)?;
    match outcome {
        JammingOutcome::Jammed(network, _) => {
            if let Some(path) = checkpoint.filter(|path| path.exists()) {
                std::fs::remove_file(path).map_err(|e| fail(format!("{}: {e}", path.display())))?;
            }
            Ok(network)
        }
        JammingOutcome::Interrupted(state) => {
            if let Some(path) = checkpoint {
                write_jamming_checkpoint(path, &state).map_err(fail)?;
                let note = format!(
                    "imprint: interrupted after {} FIRE steps; state saved to {} (call again with the same parameters and checkpoint to continue)\n",
                    state.steps_taken(),
                    path.display()
                );
                py.import("sys")?
                    .getattr("stderr")?
                    .call_method1("write", (note,))?;
            }
            Err(interrupt.unwrap_or_else(|| {
                pyo3::exceptions::PyKeyboardInterrupt::new_err("jammed packing interrupted")
            }))
        }
    }
}
