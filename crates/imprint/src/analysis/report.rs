//! The analysis report of a trained network (docs/theory.md sections 2, 3 and 5;
//! claims 4-5 of section 6): the [`Analysis`] itself, the cost-Hessian
//! spectrum of the network before training, the structure of one sample's
//! response (sectors, walls and corridors), and the typed summary that
//! `summary.json` holds. [`AnalysisReport::arrays`] names every output array
//! once, for the `.npz` writer and for Python alike.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::structure::{share_below_neighbours, top_edges, SectorOverlap};
pub use super::structure::{structure_of, SectorCut, StructureOptions, StructureReport};
use super::AnalysisError;
use super::{analyze, cost_hessian_spectrum, Analysis, AnalysisOptions, Boundary, Correlation};
use crate::io::NpyArray;
use crate::learning::Task;
use crate::network::Network;
use crate::statistics::{pearson, spearman};

/// How a measured susceptibility compares with the model's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasuredComparison {
    /// Median over edges of `|measured - model| / |model|`.
    #[serde(with = "nullable")]
    pub median_relative_difference: f64,
    /// Largest such difference.
    #[serde(with = "nullable")]
    pub largest_relative_difference: f64,
    /// Pearson correlation of measured and model `chi_e`.
    #[serde(with = "nullable")]
    pub pearson: f64,
    /// Spearman correlation.
    #[serde(with = "nullable")]
    pub spearman: f64,
}

impl MeasuredComparison {
    /// Compares `measured` with the model's `chi`.
    pub fn of(measured: &[f64], chi: &[f64]) -> Self {
        let mut relative: Vec<f64> = measured
            .iter()
            .zip(chi)
            .map(|(m, c)| (m - c).abs() / c.abs().max(f64::MIN_POSITIVE))
            .collect();
        relative.sort_by(f64::total_cmp);
        Self {
            median_relative_difference: relative[relative.len() / 2],
            largest_relative_difference: relative[relative.len() - 1],
            pearson: pearson(measured, chi),
            spearman: spearman(measured, chi),
        }
    }
}

/// The sector part of `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectorSummary {
    /// The sample cut into sectors.
    pub sample: usize,
    /// The sectors and how the susceptible edges sit on them.
    #[serde(flatten)]
    pub overlap: SectorOverlap,
}

/// The walls-and-corridors part of `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WallSummary {
    /// Share of edges counted as top chi.
    pub top_share: f64,
    /// How many of them have relative conductance below 1.
    pub edges: usize,
    /// Of those, walls: `|dV|` at least the median of the response.
    pub walls: usize,
    /// Top-chi edges that are not walls with `|I|` at least the median.
    pub corridors: usize,
}

/// `summary.json` of an analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisSummary {
    /// Always `imprint-analysis`.
    pub format: String,
    /// Format version.
    pub version: u32,
    /// Task name.
    pub task: String,
    /// Training cost at the analysed conductances.
    #[serde(with = "nullable")]
    pub cost: f64,
    /// Norm of the cost gradient.
    #[serde(with = "nullable")]
    pub gradient_norm: f64,
    /// Which method computed what.
    pub methods: BTreeMap<String, String>,
    /// The options the analysis ran with.
    pub options: AnalysisOptions,
    /// Which nodes bordered the Hessian of `chi_e` (`ground`: the paper's `H_g`).
    pub boundary: Boundary,
    /// Stiff modes found.
    pub stiff_mode_count: usize,
    /// `n_in x n_out`.
    pub expected_stiff_modes: usize,
    /// Ratio of the last stiff to the first soft cost-Hessian eigenvalue (null: no soft one).
    pub stiff_gap: Option<f64>,
    /// Largest cost-Hessian eigenvalue.
    pub cost_hessian_largest: Option<f64>,
    /// Correlations of `chi_e` with stiff weight, conductance and relative conductance.
    pub correlations_with_susceptibility: BTreeMap<String, Correlation>,
    /// Softest modes holding 90 % of the squared susceptibility, if reached.
    pub partial_susceptibility_modes_for_90_percent: Option<usize>,
    /// Modes the partial susceptibility was computed over.
    pub partial_susceptibility_modes_computed: usize,
    /// The 90 % mode count as a fraction of all `N + |C|` modes.
    pub partial_susceptibility_fraction_of_modes_for_90_percent: Option<f64>,
    /// Share of the top 5 % chi edges with relative conductance below 1 (claim 6.4b).
    #[serde(with = "nullable")]
    pub top_5_percent_chi_edges_with_relative_conductance_below_1: f64,
    /// Largest relative residual of the physical eigenpairs.
    #[serde(with = "nullable")]
    pub physical_eigenpair_residual: f64,
    /// Relative standard error of `chi_e` (0 when exact).
    #[serde(with = "nullable")]
    pub susceptibility_relative_error: f64,
    /// Largest relative error of the literal tensor identity, when checked.
    pub tensor_identity_error: Option<f64>,
    /// Comparison with a measured susceptibility, when given.
    pub measured: Option<MeasuredComparison>,
    /// Time the analysis took.
    pub wall_time_seconds: f64,
    /// Sectors of the analysed sample.
    pub sectors: SectorSummary,
    /// Walls and corridors.
    pub walls_and_corridors: WallSummary,
}

/// Everything `imprint analyze` computes and writes: the analysis of the
/// trained network, the spectrum before training, the structure of one
/// sample's response and the summary.
#[derive(Debug, Clone)]
pub struct AnalysisReport {
    /// The analysis of the network as given.
    pub analysis: Analysis,
    /// Cost-Hessian eigenvalues of the network before training (full Hessian
    /// on the dense path, Gauss-Newton otherwise), when it was given.
    pub initial_spectrum: Option<Vec<f64>>,
    /// Sectors, walls and the sample's response.
    pub structure: StructureReport,
    /// A measured susceptibility, when given.
    pub measured: Option<Vec<f64>>,
    /// The summary.
    pub summary: AnalysisSummary,
}

/// Analyses `network` on `task`, and `initial` (the network before
/// training) for its cost-Hessian spectrum when given.
pub fn report(
    network: &Network,
    initial: Option<&Network>,
    task: &Task,
    options: &AnalysisOptions,
    structure_options: &StructureOptions,
    measured: Option<Vec<f64>>,
) -> Result<AnalysisReport, AnalysisError> {
    structure_options.validate(task)?;
    let start = Instant::now();
    let analysis = analyze(network, task, options)?;
    let initial_spectrum = match initial {
        Some(initial) => Some(cost_hessian_spectrum(initial, task, options)?),
        None => None,
    };
    let structure = structure_of(network, task, &analysis, structure_options)?;
    let elapsed = start.elapsed().as_secs_f64();
    let summary = summarise(
        &analysis,
        &structure,
        task,
        options,
        structure_options,
        measured.as_deref(),
        elapsed,
    );
    Ok(AnalysisReport {
        analysis,
        initial_spectrum,
        structure,
        measured,
        summary,
    })
}

/// The summary of an analysis.
pub fn summarise(
    a: &Analysis,
    structure: &StructureReport,
    task: &Task,
    options: &AnalysisOptions,
    structure_options: &StructureOptions,
    measured: Option<&[f64]>,
    elapsed: f64,
) -> AnalysisSummary {
    let g = &a.cost_hessian_eigenvalues;
    let gap = (a.stiff_mode_count < g.len() && g[a.stiff_mode_count] > 0.0)
        .then(|| g[a.stiff_mode_count - 1] / g[a.stiff_mode_count]);
    let top = top_edges(&a.susceptibility, 0.05);
    AnalysisSummary {
        format: "imprint-analysis".into(),
        version: 1,
        task: task.name.clone(),
        cost: a.cost,
        gradient_norm: a.gradient.iter().map(|g| g * g).sum::<f64>().sqrt(),
        methods: a.methods.clone(),
        options: options.clone(),
        boundary: a.boundary,
        stiff_mode_count: a.stiff_mode_count,
        expected_stiff_modes: a.expected_stiff_modes,
        stiff_gap: gap.filter(|g| g.is_finite()),
        cost_hessian_largest: g.first().copied(),
        correlations_with_susceptibility: a
            .correlations()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        partial_susceptibility_modes_for_90_percent: a.modes_to_reach(0.9),
        partial_susceptibility_modes_computed: a.partial_susceptibility.len(),
        partial_susceptibility_fraction_of_modes_for_90_percent: a
            .modes_to_reach(0.9)
            .map(|m| m as f64 / a.mode_count() as f64),
        top_5_percent_chi_edges_with_relative_conductance_below_1: share_below_neighbours(
            &a.relative_conductance,
            &top,
        ),
        physical_eigenpair_residual: a.physical_residual,
        susceptibility_relative_error: a.susceptibility_error,
        tensor_identity_error: a.tensor_identity_error,
        measured: measured.map(|m| MeasuredComparison::of(m, &a.susceptibility)),
        wall_time_seconds: elapsed,
        sectors: SectorSummary {
            sample: structure_options.sample,
            overlap: structure.sectors.overlap.clone(),
        },
        walls_and_corridors: WallSummary {
            top_share: structure_options.top_share,
            edges: structure.walls_and_corridors.len(),
            walls: structure.walls.len(),
            corridors: structure.corridors.len(),
        },
    }
}

impl std::fmt::Display for AnalysisReport {
    /// The summary as aligned lines, as `imprint analyze` prints it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (a, s) = (&self.analysis, &self.summary);
        writeln!(
            f,
            "cost                     {:.4e} (gradient norm {:.3e})",
            a.cost, s.gradient_norm
        )?;
        writeln!(f, "chi from                 {}", a.boundary.describe())?;
        let gap = match s.stiff_gap {
            Some(ratio) => format!("ratio {ratio:.3e}"),
            None => "the rest of the spectrum is zero".into(),
        };
        writeln!(
            f,
            "stiff modes              {} (largest log gap, {gap}); learned coefficients n_in x n_out = {}",
            a.stiff_mode_count, a.expected_stiff_modes
        )?;
        for (name, c) in a.correlations() {
            writeln!(
                f,
                "chi vs {name:<20} Pearson {:+.3}, Spearman {:+.3}",
                c.pearson, c.spearman
            )?;
        }
        if let Some(norm) = &a.partial_susceptibility_norm {
            let at = |m: usize| norm.get(m - 1).copied().unwrap_or(f64::NAN);
            writeln!(
                f,
                "partial susceptibility   norm ratio {:.3} at 2 modes, {:.3} at 10 (algebraic order, as the paper)",
                at(2),
                at(10)
            )?;
        }
        match a.modes_to_reach(0.9) {
            Some(m) => writeln!(
                f,
                "partial susceptibility   90 % after {m} of {} modes",
                a.mode_count()
            ),
            None => writeln!(
                f,
                "partial susceptibility   {:.1} % after the {} modes computed",
                100.0 * a.partial_susceptibility.last().copied().unwrap_or(0.0),
                a.partial_susceptibility.len()
            ),
        }?;
        writeln!(
            f,
            "top 5 % chi edges        {:.0} % have relative conductance below 1",
            100.0 * s.top_5_percent_chi_edges_with_relative_conductance_below_1
        )?;
        let o = &s.sectors.overlap;
        writeln!(
            f,
            "persistent sectors       {} (sample {}, {} of {} pairs cancelled{}){}",
            o.count(),
            s.sectors.sample,
            o.cancelled,
            o.pairs,
            o.tau_star
                .map_or(String::new(), |t| format!(", tau* = {t:.3e} V")),
            if o.inseparable > 0 {
                format!("; {} role pairs cannot be separated", o.inseparable)
            } else {
                String::new()
            }
        )?;
        for (set, name) in [(&o.cut, "cut set"), (&o.boundary, "kept death edges")] {
            writeln!(f, "  {name:<22} {set}")?;
        }
        if let Some(e) = a.tensor_identity_error {
            writeln!(
                f,
                "tensor identity          largest relative difference {e:.2e}"
            )?;
        }
        if let Some(m) = &s.measured {
            writeln!(
                f,
                "measured chi vs model    median relative difference {:.3e}, Spearman {:.4}",
                m.median_relative_difference, m.spearman
            )?;
        }
        for (what, how) in &a.methods {
            writeln!(f, "method: {what:<18} {how}")?;
        }
        Ok(())
    }
}

/// Serde for `f64` fields that may be non-finite: JSON has no NaN or
/// infinity, so they are written as `null` and read back as NaN.
pub(crate) mod nullable {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes a finite value as a number, any other as `null`.
    pub fn serialize<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
        if value.is_finite() {
            serializer.serialize_f64(*value)
        } else {
            serializer.serialize_none()
        }
    }

    /// Reads a number, or `null` as NaN.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(deserializer)?.unwrap_or(f64::NAN))
    }
}

fn flags(edges: &[usize], count: usize) -> Vec<f64> {
    let mut out = vec![0.0; count];
    for &e in edges {
        out[e] = 1.0;
    }
    out
}

fn labels(values: &[usize]) -> Vec<f64> {
    values.iter().map(|&s| s as f64).collect()
}

/// The 0-dimensional arrays of [`AnalysisReport::arrays`] that are counts
/// (stored as float64 like every array; integers to a caller that wants them).
pub const COUNTS: [&str; 3] = ["stiff_mode_count", "expected_stiff_modes", "mode_count"];

impl AnalysisReport {
    /// Every output array by name: what `analysis.npz` holds and what
    /// Python's `analyze` returns. Scalars are 0-dimensional arrays.
    pub fn arrays(&self) -> Vec<NpyArray> {
        let a = &self.analysis;
        let s = &self.structure;
        let edges = a.susceptibility.len();
        let mut out = vec![
            NpyArray::vector("physical_eigenvalues", a.physical_eigenvalues.clone()),
            NpyArray::vector("susceptibility", a.susceptibility.clone()),
            NpyArray::vector(
                "susceptibility_error",
                a.susceptibility
                    .iter()
                    .map(|c| c * a.susceptibility_error)
                    .collect(),
            ),
            NpyArray::vector("partial_susceptibility", a.partial_susceptibility.clone()),
            NpyArray::vector(
                "cost_hessian_eigenvalues",
                a.cost_hessian_eigenvalues.clone(),
            ),
            NpyArray::matrix("stiff_modes", &a.stiff_modes),
            NpyArray::vector("stiff_weight", a.stiff_weight.clone()),
            NpyArray::vector("relative_conductance", a.relative_conductance.clone()),
            NpyArray::vector("conductance", a.conductance.clone()),
            NpyArray::vector("gradient", a.gradient.clone()),
            NpyArray::scalar("cost", a.cost),
            NpyArray::scalar("stiff_mode_count", a.stiff_mode_count as f64),
            NpyArray::scalar("expected_stiff_modes", a.expected_stiff_modes as f64),
            NpyArray::scalar("mode_count", a.mode_count() as f64),
        ];
        if a.physical_eigenvectors.ncols() > 0 {
            out.push(NpyArray::matrix(
                "physical_eigenvectors",
                &a.physical_eigenvectors,
            ));
        }
        if let Some(v) = &a.susceptibility_vectors {
            out.push(NpyArray::matrix("susceptibility_vectors", v));
        }
        if let Some(g) = &a.cost_hessian {
            out.push(NpyArray::matrix("cost_hessian", g));
        }
        if let Some(h) = &a.cost_hessian_full {
            out.push(NpyArray::matrix("cost_hessian_full", h));
        }
        if let Some(v) = &a.cost_hessian_full_eigenvalues {
            out.push(NpyArray::vector("cost_hessian_full_eigenvalues", v.clone()));
        }
        if let Some(e) = a.tensor_identity_error {
            out.push(NpyArray::scalar("tensor_identity_error", e));
        }
        if let Some(v) = &a.partial_susceptibility_norm {
            out.push(NpyArray::vector("partial_susceptibility_norm", v.clone()));
        }
        if let Some(v) = &self.initial_spectrum {
            out.push(NpyArray::vector(
                "initial_cost_hessian_eigenvalues",
                v.clone(),
            ));
        }
        if let Some(m) = &self.measured {
            out.push(NpyArray::vector("measured_susceptibility", m.clone()));
        }
        out.extend([
            NpyArray::vector("sample_voltages", s.voltages.clone()),
            NpyArray::vector("sample_currents", s.currents.clone()),
            NpyArray::vector("sector_labels", labels(&s.sectors.labels)),
            NpyArray::vector("sector_boundary", flags(&s.sectors.boundary_edges, edges)),
            NpyArray::vector("sector_cut", flags(&s.sectors.cut_edges, edges)),
            NpyArray {
                name: "sector_diagram".into(),
                shape: vec![s.sectors.diagram.len(), 2],
                values: s.sectors.diagram.iter().flatten().copied().collect(),
            },
            NpyArray::vector("sector_essential", s.sectors.essential.clone()),
            NpyArray::vector("walls_and_corridors", flags(&s.walls_and_corridors, edges)),
            NpyArray::vector("walls", flags(&s.walls, edges)),
            NpyArray::vector("corridors", flags(&s.corridors, edges)),
        ]);
        out
    }
}
