//! The options of an analysis: which computations ([`Method`]), which
//! nodes border the Hessian of `chi_e` ([`Boundary`], docs/theory.md
//! section 1) and the rest of [`AnalysisOptions`], with their defaults.

use serde::{Deserialize, Serialize};

use super::{AnalysisError, AnalysisOption};
use crate::learning::Task;
use crate::network::Network;
use crate::physics::{Factorization, Solver};

/// Which computations to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Method {
    /// Dense up to `--dense-threshold` nodes, scalable above.
    #[default]
    Auto,
    /// Exact dense formulas (memory grows as `E^2` and `N^2`).
    Dense,
    /// Nothing of size `N x N` or `E x E`.
    Scalable,
}

/// Which nodes border the physical Hessian whose inverse gives `s_e`,
/// `chi_e` and the physical spectrum (docs/theory.md section 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Boundary {
    /// Only the ground and rail nodes (the task's grounds): the paper's
    /// `H_g` of eq. 2, as its authors compute `chi_e` and the partial
    /// susceptibility.
    #[default]
    Ground,
    /// Every held node (grounds and voltage inputs): the `H` under which
    /// eq. 8 and the tensor identity hold exactly for voltage inputs.
    Held,
}

impl Boundary {
    /// The bordered degrees of freedom of `task` under this boundary: nodes
    /// for resistors; for springs the task's held degrees of freedom, or
    /// both components of every ground (which must pin the rigid-body
    /// modes, as a periodic box's single ground does; an open network's
    /// rotation about it is refused by the solver as a zero mode).
    pub fn nodes(self, task: &Task) -> Result<Vec<usize>, AnalysisError> {
        let d = task.physics.dofs_per_node();
        match self {
            Self::Held => Ok(task.fixed_nodes.clone()),
            Self::Ground if d > 1 && !task.roles.grounds.is_empty() => Ok(task
                .roles
                .grounds
                .iter()
                .flat_map(|&g| (0..d).map(move |c| g * d + c))
                .collect()),
            Self::Ground if task.roles.grounds.is_empty() => Err(AnalysisError::InvalidOption {
                option: AnalysisOption::Boundary,
                reason: format!(
                    "task `{}` names no ground node to border H_g with: use the `held` boundary",
                    task.name
                ),
            }),
            Self::Ground => Ok(task.roles.grounds.clone()),
        }
    }

    /// The factorised Hessian of `chi_e` under this boundary (`network`'s
    /// conductances, the bordered [`nodes`](Self::nodes) of `task`): the one
    /// place the analysis and the measurement protocol build it.
    pub fn factorize(self, network: &Network, task: &Task) -> Result<Factorization, AnalysisError> {
        let nodes = self.nodes(task)?;
        Ok(Solver::for_dofs(network, &nodes)?.factorize(network.conductance())?)
    }

    /// The Hessian's symbol: `H_g` or `H`.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Ground => "H_g",
            Self::Held => "H",
        }
    }

    /// How the boundary reads in reports and figure titles.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Ground => "H_g (ground and rails bordered, as the paper)",
            Self::Held => "H (every held node bordered)",
        }
    }
}

/// Options of [`analyze`](super::analyze); `Default` gives the documented defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct AnalysisOptions {
    /// Dense (exact formulas) or scalable (nothing of size N x N or E x E).
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = AnalysisOptions::default().method))]
    pub method: Method,
    /// Which nodes border the Hessian of `chi_e` and the physical spectrum.
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = AnalysisOptions::default().boundary))]
    pub boundary: Boundary,
    /// Largest node count analysed densely under `auto`.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = AnalysisOptions::default().dense_threshold))]
    pub dense_threshold: usize,
    /// Random projections for `chi_e` on the scalable path (relative
    /// standard error `1/sqrt(2k)`: 200 gives 5 %).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = AnalysisOptions::default().projections))]
    pub projections: usize,
    /// Compute `chi_e` exactly by blocked solves on the scalable path (one
    /// solve per edge).
    #[cfg_attr(feature = "clap", arg(long))]
    pub exact_susceptibility: bool,
    /// Softest physical modes computed on the scalable path.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = AnalysisOptions::default().soft_modes))]
    pub soft_modes: usize,
    /// Seed of the random projections and the Lanczos start.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = AnalysisOptions::default().seed))]
    pub seed: u64,
    /// Check the tensor identity literally (networks with `N + |C| <= 64`).
    #[cfg_attr(feature = "clap", arg(long))]
    pub check_tensors: bool,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        Self {
            method: Method::Auto,
            boundary: Boundary::Ground,
            dense_threshold: 3000,
            projections: 200,
            exact_susceptibility: false,
            soft_modes: 50,
            seed: 1,
            check_tensors: false,
        }
    }
}

impl AnalysisOptions {
    /// Refuses options that would be changed or dropped for `task` on
    /// `network`: no random projection (a sketch of none is no estimate), or
    /// a check of the tensor identity where it is not made (the scalable
    /// path forms no tensor; the dense path forms them up to
    /// [`TENSOR_LIMIT`](super::tensors::TENSOR_LIMIT) rows of `H`).
    pub fn validate(&self, network: &Network, task: &Task) -> Result<(), AnalysisError> {
        if self.projections == 0 {
            return Err(AnalysisError::InvalidOption {
                option: AnalysisOption::Projections,
                reason: "0: the sketch of chi needs at least 1 random projection".into(),
            });
        }
        if self.check_tensors && !self.dense_for(network) {
            return Err(AnalysisError::InvalidOption {
                option: AnalysisOption::CheckTensors,
                reason: format!(
                    "needs the dense path, which forms the tensors; this network of {} nodes is analysed on the scalable path (method {:?}, dense up to {} nodes)",
                    network.node_count(),
                    self.method,
                    self.dense_threshold
                ),
            });
        }
        let rows = network.node_count() * network.physics().dofs_per_node()
            + self.boundary.nodes(task)?.len();
        if self.check_tensors && rows > super::tensors::TENSOR_LIMIT {
            return Err(AnalysisError::InvalidOption {
                option: AnalysisOption::CheckTensors,
                reason: format!(
                    "forms 4-index tensors of n^4 entries, up to n = {} (N + bordered nodes); this analysis has n = {rows}",
                    super::tensors::TENSOR_LIMIT
                ),
            });
        }
        Ok(())
    }

    /// Whether `network` is analysed on the dense path.
    pub fn dense_for(&self, network: &Network) -> bool {
        match self.method {
            Method::Dense => true,
            Method::Scalable => false,
            Method::Auto => network.node_count() <= self.dense_threshold,
        }
    }
}
