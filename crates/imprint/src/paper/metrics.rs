//! What one run of a reproduction measured for the claims (docs/theory.md
//! section 6): the metrics of [`RunMetrics`] from its training summary and
//! analysis, the learned gate, and the runs the claims rest on.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{LARGE_EIGENVALUE_RATIO, TOP_SHARE};
use crate::analysis::report::AnalysisReport;
use crate::analysis::structure::{share_below_neighbours, top_edges, SectorOverlap};
use crate::run::{FinishedRun, TrainingStatus, TrainingSummary};

pub use crate::run::LEARNED_RELATIVE_COST;

impl RunMetrics {
    /// Whether the run learned its task ([`crate::run::learned`], the one
    /// criterion the sweep's `learned` column also uses). The paper's
    /// analysis assumes a learned solution ("the cost is near the global
    /// minimum value of zero"), so a claim is judged only on runs that
    /// learned.
    pub fn learned(&self) -> bool {
        crate::run::learned(self.initial_cost, self.final_cost, self.accuracy)
    }

    /// How a run that did not learn is named where it is excluded: its id,
    /// training status and cost reduction (or accuracy).
    pub fn not_learned(&self) -> String {
        match self.accuracy {
            Some(accuracy) => format!(
                "{} ({}, training accuracy {:.1} %)",
                self.id,
                self.status.name(),
                100.0 * accuracy
            ),
            None => format!(
                "{} ({}, cost {:.2e} of the initial)",
                self.id,
                self.status.name(),
                self.final_cost / self.initial_cost
            ),
        }
    }
}

/// What one run measured, for the claims and the tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunMetrics {
    /// Run identifier (folder name).
    pub id: String,
    /// What the report calls it.
    pub label: String,
    /// Task name.
    pub task: String,
    /// Cost before training.
    pub initial_cost: f64,
    /// Cost of the trained network the analysis read (the run's kept state).
    pub final_cost: f64,
    /// Whether training converged, was still improving, stalled, or was
    /// found unrealisable by the second-order trainer.
    pub status: TrainingStatus,
    /// Training accuracy (classification).
    pub accuracy: Option<f64>,
    /// Test accuracy (classification).
    pub test_accuracy: Option<f64>,
    /// Stiff modes found.
    pub stiff_modes: usize,
    /// `n_in x n_out`.
    pub expected_stiff_modes: usize,
    /// Fraction of cost-Hessian |eigenvalues| within 1e6 of the largest, before training.
    pub large_before: f64,
    /// The same after training.
    pub large_after: f64,
    /// Number of cost-Hessian eigenvalues (one per edge).
    pub cost_hessian_size: usize,
    /// Spearman rho of chi and the stiff weight.
    pub spearman_stiff: f64,
    /// Spearman rho of chi and the conductance.
    pub spearman_conductance: f64,
    /// Spearman rho of chi and the relative conductance.
    pub spearman_relative: f64,
    /// Softest modes holding 90 % of the squared susceptibility.
    pub modes_for_90_percent: Option<usize>,
    /// All `n = N + |C|` modes.
    pub modes: usize,
    /// `||S^(m)||_F / ||S||_F` at m = 2 and m = 10 modes in ascending
    /// algebraic order (the authors' Fig. 7), when computed (dense path).
    pub partial_norm_at_2: Option<f64>,
    /// The same at 10 modes.
    pub partial_norm_at_10: Option<f64>,
    /// Fraction of the top chi edges with relative conductance below 1.
    pub top_low_relative: f64,
    /// The same fraction among all edges.
    pub all_low_relative: f64,
    /// Fraction of the top chi edges that are also top stiff-weight edges.
    pub top_chi_in_top_stiff: f64,
    /// Fraction of the 5 % lowest-conductance edges that are top chi edges
    /// (chance: 5 %).
    pub top_chi_in_lowest_k: f64,
    /// The persistent sectors of sample 0 and how the susceptible edges sit on them.
    pub sectors: SectorOverlap,
    /// Training time.
    pub train_seconds: f64,
}

/// Fraction of `values` whose magnitude exceeds [`LARGE_EIGENVALUE_RATIO`]
/// times the largest (0 when all vanish).
pub fn fraction_large(values: &[f64]) -> f64 {
    let largest = values.iter().map(|v| v.abs()).fold(0.0, f64::max);
    if values.is_empty() || largest == 0.0 {
        return 0.0;
    }
    values
        .iter()
        .filter(|v| v.abs() > LARGE_EIGENVALUE_RATIO * largest)
        .count() as f64
        / values.len() as f64
}

/// Fraction of `edges` that also lie in `others`.
pub fn shared_fraction(edges: &[usize], others: &[usize]) -> f64 {
    edges.iter().filter(|e| others.contains(e)).count() as f64 / edges.len().max(1) as f64
}

impl RunMetrics {
    /// The measurements of run `id` from its training summary and analysis.
    pub fn measure(
        id: &str,
        label: &str,
        training: &TrainingSummary,
        report: &AnalysisReport,
    ) -> Self {
        let a = &report.analysis;
        let correlations = a.correlations();
        let norm_at = |m: usize| {
            a.partial_susceptibility_norm
                .as_ref()
                .and_then(|n| n.get(m - 1).copied())
        };
        let top = top_edges(&a.susceptibility, TOP_SHARE);
        let all: Vec<usize> = (0..a.relative_conductance.len())
            .filter(|&e| a.relative_conductance[e].is_finite())
            .collect();
        Self {
            id: id.to_string(),
            label: label.to_string(),
            task: training.task.clone(),
            initial_cost: training.initial_cost,
            final_cost: training.kept_cost(),
            status: training.status,
            accuracy: training.accuracy,
            test_accuracy: training.test_accuracy,
            stiff_modes: a.stiff_mode_count,
            expected_stiff_modes: a.expected_stiff_modes,
            large_before: fraction_large(report.initial_spectrum.as_deref().unwrap_or(&[])),
            large_after: fraction_large(&a.cost_hessian_eigenvalues),
            cost_hessian_size: a.cost_hessian_eigenvalues.len(),
            spearman_stiff: correlations["stiff_weight"].spearman,
            spearman_conductance: correlations["conductance"].spearman,
            spearman_relative: correlations["relative_conductance"].spearman,
            modes_for_90_percent: a.modes_to_reach(0.9),
            modes: a.mode_count(),
            partial_norm_at_2: norm_at(2),
            partial_norm_at_10: norm_at(10),
            top_low_relative: share_below_neighbours(&a.relative_conductance, &top),
            all_low_relative: share_below_neighbours(&a.relative_conductance, &all),
            top_chi_in_top_stiff: shared_fraction(&top, &top_edges(&a.stiff_weight, TOP_SHARE)),
            top_chi_in_lowest_k: shared_fraction(
                &top_edges(
                    &a.conductance.iter().map(|k| -k).collect::<Vec<_>>(),
                    TOP_SHARE,
                ),
                &top,
            ),
            sectors: report.structure.sectors.overlap.clone(),
            train_seconds: training.wall_time_seconds,
        }
    }
}

/// One finished run of a reproduction: where it is, what it holds, what
/// its analysis found and what it measured.
#[derive(Debug, Clone)]
pub struct ReproducedRun {
    /// Its run directory.
    pub dir: PathBuf,
    /// The run's files.
    pub run: FinishedRun,
    /// Its analysis.
    pub report: AnalysisReport,
    /// Its measurements.
    pub metrics: RunMetrics,
}

/// The runs the claims rest on (the task, Fig. 8 and weak-training runs;
/// the sector-drop and second-order runs are drawn or compared, not judged),
/// and how many of them learned their task.
pub fn claim_runs<'a>(
    tasks: &'a [ReproducedRun],
    conditions: &'a [ReproducedRun],
    weak: &'a [ReproducedRun],
) -> (Vec<&'a RunMetrics>, usize) {
    let runs: Vec<&RunMetrics> = tasks
        .iter()
        .chain(conditions)
        .chain(weak)
        .map(|d| &d.metrics)
        .collect();
    let learned = runs.iter().filter(|m| m.learned()).count();
    (runs, learned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_eigenvalues_by_hand() {
        // 1e6 times smaller than the largest is not large; a little more is.
        assert_eq!(fraction_large(&[10.0, -5.0, 0.9e-5, 1.1e-5]), 0.75);
        assert_eq!(fraction_large(&[0.0, 0.0]), 0.0);
        assert_eq!(fraction_large(&[]), 0.0);
    }

    #[test]
    fn shared_fraction_by_hand() {
        assert_eq!(shared_fraction(&[1, 2, 3, 4], &[4, 2, 9]), 0.5);
        assert_eq!(shared_fraction(&[], &[1]), 0.0);
    }
}
