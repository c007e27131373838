//! Reading the learned task out of the physics (docs/theory.md sections 2-3):
//! susceptibilities, the physical spectrum and partial susceptibility, the
//! cost Hessian and its stiff modes, relative conductance, and the
//! correlations between them that the paper reports.
//!
//! Two paths. The exact dense path (default up to
//! [`AnalysisOptions::dense_threshold`] nodes) forms `s_e` for every edge,
//! every eigenpair of `H`, and `E x E` cost Hessians. The scalable path forms
//! nothing of size `N x N` or `E x E`: a random-projection estimate of `chi_e`
//! (or exact blocked solves), the softest modes of `H` by Lanczos, and the
//! stiff modes from the `p x p` Gram matrix of the transfer matrix's
//! Jacobian (`p = n_out n_h`, whatever the number of samples `M`; the
//! per-sample `M n_out` Gram matrix is the reference it is tested against).

pub mod cost_hessian;
pub mod decision;
mod error;
pub mod measure;
mod options;
pub mod report;
pub mod sector_overlap;
pub mod spectrum;
pub mod statistics;
pub mod structure;
pub mod susceptibility;
pub mod tensors;

use std::collections::BTreeMap;

use faer::Mat;
use serde::{Deserialize, Serialize};

use crate::learning::{gradient_from, Task, TaskCircuit};
use crate::network::Network;
use crate::physics::{hessian_times, physical_hessian, Factorization, Incidence};
use crate::statistics::{finite_pairs, pearson, spearman};
use cost_hessian::{descending_eigen, CostJacobian, TransferGaussNewton};
pub use error::{AnalysisError, AnalysisOption};
pub use options::{AnalysisOptions, Boundary, Method};
use spectrum::{
    mode_weights, partial_susceptibility, partial_susceptibility_norm, physical_modes_dense,
    physical_modes_lanczos,
};
use statistics::{relative_conductance, stiff_mode_count};

/// The cost-Hessian spectrum alone, as [`analyze`] computes it: the full
/// Hessian's eigenvalues (descending) on the dense path, the Gram matrix's
/// on the scalable path. What a report shows "before training", without the
/// susceptibility and physical spectrum a full analysis adds.
pub fn cost_hessian_spectrum(
    network: &Network,
    task: &Task,
    options: &AnalysisOptions,
) -> Result<Vec<f64>, AnalysisError> {
    let problem = TaskCircuit::new(network, task)?;
    let factor = problem.factorize(network.conductance())?;
    Ok(if options.dense_for(network) {
        let jacobian = CostJacobian::new(&problem, &factor)?;
        let s = susceptibility::susceptibility_vectors(&factor, problem.edges())?;
        descending_eigen(&jacobian.full(&problem, &s)).0
    } else {
        TransferGaussNewton::new(&problem, &factor, None)?.values
    })
}

/// Everything the analysis computes. Optional fields exist on the dense path only.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// Which method computed what.
    pub methods: BTreeMap<String, String>,
    /// Eigenvalues of `H` by `|lambda|` ascending (all, or the softest `m`).
    pub physical_eigenvalues: Vec<f64>,
    /// Their eigenvectors (`n x m`).
    pub physical_eigenvectors: Mat<f64>,
    /// Largest relative residual of the physical eigenpairs.
    pub physical_residual: f64,
    /// `chi_e` per edge.
    pub susceptibility: Vec<f64>,
    /// Relative standard error of `chi_e` (0 when exact).
    pub susceptibility_error: f64,
    /// `s_e` as columns (dense path).
    pub susceptibility_vectors: Option<Mat<f64>>,
    /// `sum_e |s_e^(m)|^2 / sum_e |s_e|^2` for `m = 1..`, modes by `|lambda|`
    /// ascending.
    pub partial_susceptibility: Vec<f64>,
    /// `||S^(m)||_F / ||S||_F` for `m = 1..n`, modes in ascending algebraic
    /// order, as the paper's authors compute it (dense path).
    pub partial_susceptibility_norm: Option<Vec<f64>>,
    /// The nodes that bordered the Hessian of `chi_e`.
    pub boundary: Boundary,
    /// Gauss-Newton Hessian (dense path).
    pub cost_hessian: Option<Mat<f64>>,
    /// Full Hessian (dense path).
    pub cost_hessian_full: Option<Mat<f64>>,
    /// Eigenvalues of `G`, descending (all on the dense path, the Gram ones otherwise).
    pub cost_hessian_eigenvalues: Vec<f64>,
    /// Eigenvalues of the full Hessian, descending (dense path).
    pub cost_hessian_full_eigenvalues: Option<Vec<f64>>,
    /// Stiff modes of `G` as columns (`E x count`).
    pub stiff_modes: Mat<f64>,
    /// Number of stiff modes (largest gap of the log spectrum).
    pub stiff_mode_count: usize,
    /// Learned coefficients `n_in x n_out` (rank of the input samples times outputs).
    pub expected_stiff_modes: usize,
    /// Per edge: sum over the stiff modes of the squared entry.
    pub stiff_weight: Vec<f64>,
    /// `k_e` over the mean conductance of adjacent edges.
    pub relative_conductance: Vec<f64>,
    /// Conductances analysed.
    pub conductance: Vec<f64>,
    /// Cost gradient at these conductances.
    pub gradient: Vec<f64>,
    /// Training cost at these conductances.
    pub cost: f64,
    /// Largest relative error of the literal tensor identity, when checked.
    pub tensor_identity_error: Option<f64>,
}

/// Pearson and Spearman correlations of `chi_e` with another per-edge quantity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Correlation {
    /// Pearson.
    #[serde(with = "report::nullable")]
    pub pearson: f64,
    /// Spearman.
    #[serde(with = "report::nullable")]
    pub spearman: f64,
}

impl Analysis {
    /// Correlations of `chi_e` with the stiff weight, `k_e` and the relative conductance.
    pub fn correlations(&self) -> BTreeMap<&'static str, Correlation> {
        let chi = &self.susceptibility;
        let pair = |other: &[f64]| {
            let (a, b) = finite_pairs(chi, other);
            Correlation {
                pearson: pearson(&a, &b),
                spearman: spearman(&a, &b),
            }
        };
        BTreeMap::from([
            ("stiff_weight", pair(&self.stiff_weight)),
            ("conductance", pair(&self.conductance)),
            ("relative_conductance", pair(&self.relative_conductance)),
        ])
    }

    /// Number of physical modes, `n = N + |C|` (all of them, also when only
    /// the softest were computed).
    pub fn mode_count(&self) -> usize {
        self.physical_eigenvectors.nrows()
    }

    /// Modes needed for the partial susceptibility to reach `fraction`, if it does.
    pub fn modes_to_reach(&self, fraction: f64) -> Option<usize> {
        self.partial_susceptibility
            .iter()
            .position(|&f| f >= fraction)
            .map(|m| m + 1)
    }
}

/// Numerical rank of the input samples (the `n_in` of `n_in x n_out`).
fn input_rank(task: &Task) -> usize {
    let m = Mat::from_fn(task.sample_count(), task.fixed_nodes.len(), |r, c| {
        task.fixed_voltages[r][c]
    });
    let values = m.singular_values().unwrap_or_default();
    let largest = values.iter().copied().fold(0.0, f64::max);
    values.iter().filter(|&&v| v > 1e-9 * largest).count()
}

/// What one path (dense or scalable) computes.
struct PathResult {
    modes: spectrum::PhysicalModes,
    chi: Vec<f64>,
    chi_error: f64,
    vectors: Option<Mat<f64>>,
    partial: Vec<f64>,
    partial_norm: Option<Vec<f64>>,
    gauss_newton: Option<Mat<f64>>,
    full: Option<Mat<f64>>,
    gauss_newton_values: Vec<f64>,
    full_values: Option<Vec<f64>>,
    stiff: Mat<f64>,
    tensor_identity_error: Option<f64>,
}

/// Analyses `network` (its conductances as they are) on `task`.
pub fn analyze(
    network: &Network,
    task: &Task,
    options: &AnalysisOptions,
) -> Result<Analysis, AnalysisError> {
    options.validate(network, task)?;
    let problem = TaskCircuit::new(network, task)?;
    let factor = problem.factorize(network.conductance())?;
    // The Hessian of chi: the task's own factorisation when every held node
    // borders it, else one of the ground-bordered H_g.
    let bordered = options.boundary.nodes(task)?;
    let mut methods: BTreeMap<&'static str, String> = BTreeMap::new();
    let (gradient, cost, result) = if options.dense_for(network) {
        let ground_factor = match options.boundary {
            Boundary::Held => None,
            Boundary::Ground => Some(options.boundary.factorize(network, task)?),
        };
        let border = Border {
            nodes: &bordered,
            factor: ground_factor.as_ref().unwrap_or(&factor),
            same_as_task: ground_factor.is_none(),
        };
        // One set of free states and one output response serve the
        // Jacobian, the gradient and the cost.
        let jacobian = CostJacobian::new(&problem, &factor)?;
        let gradient = gradient_from(&problem, &jacobian.batch);
        let cost = problem.score(&jacobian.batch.free.outputs, &task.targets).0;
        let result = dense_path(
            network,
            &problem,
            &factor,
            &border,
            &jacobian,
            options,
            &mut methods,
        )?;
        (gradient, cost, result)
    } else {
        // The samples enter only through their held values: the transfer
        // matrix gives the cost, its gradient and the stiff modes.
        let gauss_newton = TransferGaussNewton::new(&problem, &factor, None)?;
        // Then the task's factor serves chi only if it is chi's Hessian;
        // otherwise it goes before H_g is factorised (at 10^6 nodes each
        // holds 0.4 GB).
        let chi_factor = match options.boundary {
            Boundary::Held => factor,
            Boundary::Ground => {
                drop(factor);
                options.boundary.factorize(network, task)?
            }
        };
        let border = Border {
            nodes: &bordered,
            factor: &chi_factor,
            same_as_task: options.boundary == Boundary::Held,
        };
        let result = scalable_path(network, &border, &gauss_newton, options, &mut methods)?;
        (gauss_newton.gradient, gauss_newton.cost, result)
    };
    let count = result.stiff.ncols();
    let stiff = &result.stiff;
    Ok(Analysis {
        methods: methods
            .into_iter()
            .map(|(what, how)| (what.to_string(), how))
            .collect(),
        physical_eigenvalues: result.modes.eigenvalues,
        physical_residual: result.modes.residual,
        physical_eigenvectors: result.modes.eigenvectors,
        susceptibility: result.chi,
        susceptibility_error: result.chi_error,
        susceptibility_vectors: result.vectors,
        partial_susceptibility: result.partial,
        partial_susceptibility_norm: result.partial_norm,
        boundary: options.boundary,
        cost_hessian: result.gauss_newton,
        cost_hessian_full: result.full,
        cost_hessian_eigenvalues: result.gauss_newton_values,
        cost_hessian_full_eigenvalues: result.full_values,
        stiff_mode_count: count,
        stiff_weight: (0..network.edge_count())
            .map(|e| (0..count).map(|c| stiff[(e, c)].powi(2)).sum())
            .collect(),
        stiff_modes: result.stiff,
        expected_stiff_modes: input_rank(task) * task.readout.len(),
        relative_conductance: relative_conductance(network),
        conductance: network.conductance().to_vec(),
        gradient,
        cost,
        tensor_identity_error: result.tensor_identity_error,
    })
}

/// The Hessian that `chi_e` and the physical spectrum come from.
struct Border<'a> {
    /// Its bordered nodes.
    nodes: &'a [usize],
    /// Its factorisation.
    factor: &'a Factorization,
    /// Whether it is the task's own (every held node bordered).
    same_as_task: bool,
}

fn dense_path(
    network: &Network,
    problem: &TaskCircuit,
    factor: &Factorization,
    border: &Border,
    jacobian: &CostJacobian,
    options: &AnalysisOptions,
    methods: &mut BTreeMap<&'static str, String>,
) -> Result<PathResult, AnalysisError> {
    let edges = problem.edges();
    let hessian = physical_hessian(network, border.nodes)?.to_dense();
    let modes = physical_modes_dense(&hessian);
    // s_e of the task's H (held nodes) serve the full cost Hessian and the
    // tensor identity; chi comes from the chosen border.
    let s = susceptibility::susceptibility_vectors(factor, edges)?;
    let s_chi = if border.same_as_task {
        None
    } else {
        Some(susceptibility::susceptibility_vectors(
            border.factor,
            edges,
        )?)
    };
    let vectors = s_chi.as_ref().unwrap_or(&s);
    let chi: Vec<f64> = (0..edges.len())
        .map(|e| vectors.col(e).iter().map(|x| x * x).sum::<f64>().sqrt())
        .collect();
    let total: f64 = chi.iter().map(|c| c * c).sum();
    let weights = mode_weights(&modes, edges);
    let partial = partial_susceptibility(&weights, total);
    let partial_norm = Some(partial_susceptibility_norm(&modes, &weights, total));
    let g = jacobian.gauss_newton();
    let full = jacobian.full(problem, &s);
    let (g_values, g_vectors) = descending_eigen(&g);
    let (full_values, _) = descending_eigen(&full);
    let count = stiff_mode_count(&g_values);
    let stiff = Mat::from_fn(edges.len(), count, |e, c| g_vectors[(e, c)]);
    let tensor_identity_error = if options.check_tensors {
        let stride = (edges.len() / 12).max(1);
        let pairs: Vec<(usize, usize)> = (0..edges.len())
            .step_by(stride)
            .flat_map(|e| (0..edges.len()).step_by(stride).map(move |f| (e, f)))
            .collect();
        tensors::tensor_identity_error(problem, &s, &jacobian.output_hessians, &g, &pairs)
    } else {
        None
    };
    methods.insert(
        "susceptibility",
        format!(
            "exact: dense s_e = H^-1 bb_e for every edge, {}",
            options.boundary.describe()
        ),
    );
    methods.insert(
        "physical_spectrum",
        "dense symmetric eigendecomposition of H".to_string(),
    );
    methods.insert(
        "cost_hessian",
        "dense Gauss-Newton and full Hessians".to_string(),
    );
    Ok(PathResult {
        modes,
        chi,
        chi_error: 0.0,
        vectors: Some(s_chi.unwrap_or(s)),
        partial,
        partial_norm,
        gauss_newton: Some(g),
        full: Some(full),
        gauss_newton_values: g_values,
        full_values: Some(full_values),
        stiff,
        tensor_identity_error,
    })
}

fn scalable_path(
    network: &Network,
    border: &Border,
    gauss_newton: &TransferGaussNewton,
    options: &AnalysisOptions,
    methods: &mut BTreeMap<&'static str, String>,
) -> Result<PathResult, AnalysisError> {
    let edges = &Incidence::of(network);
    let factor = border.factor;
    let (chi, chi_error) = if options.exact_susceptibility {
        methods.insert(
            "susceptibility",
            format!(
                "exact: blocked solves, one per edge, {}",
                options.boundary.describe()
            ),
        );
        (susceptibility::susceptibility_exact(factor, edges)?, 0.0)
    } else {
        let sketch = susceptibility::susceptibility_sketch(
            factor,
            edges,
            options.projections,
            options.seed,
        )?;
        methods.insert(
            "susceptibility",
            format!(
                "random projection, {} solves, relative error {:.3}, {}",
                sketch.projections,
                sketch.relative_error,
                options.boundary.describe()
            ),
        );
        (sketch.chi, sketch.relative_error)
    };
    let sparse = physical_hessian(network, border.nodes)?;
    let apply = |v: &[f64]| hessian_times(&sparse, v);
    let modes = physical_modes_lanczos(
        factor,
        apply,
        options.soft_modes,
        3 * options.soft_modes + 20,
        options.seed,
    )?;
    methods.insert(
        "physical_spectrum",
        format!("Lanczos on H^-1, {} softest modes", modes.eigenvalues.len()),
    );
    let total: f64 = chi.iter().map(|c| c * c).sum();
    let partial = partial_susceptibility(&mode_weights(&modes, edges), total);
    methods.insert(
        "cost_hessian",
        format!(
            "stiff modes from the {0} x {0} Gram matrix of the transfer matrix's Jacobian",
            gauss_newton.size
        ),
    );
    Ok(PathResult {
        modes,
        chi,
        chi_error,
        vectors: None,
        partial,
        // The norm curve orders every mode algebraically: the soft modes
        // alone cannot give it.
        partial_norm: None,
        gauss_newton: None,
        full: None,
        gauss_newton_values: gauss_newton.values.clone(),
        full_values: None,
        stiff: gauss_newton.stiff.clone(),
        tensor_identity_error: None,
    })
}
