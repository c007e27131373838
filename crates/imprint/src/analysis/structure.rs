//! Where a trained network keeps its task (docs/theory.md section 6, claims 4-5;
//! paper Figs. 6, 9, 11): the response to one training sample, the edges that
//! act as walls and corridors (large `chi_e`, conductance below that of their
//! neighbours), and how the most susceptible edges overlap the cut set and
//! the boundaries of the persistent sectors (docs/theory.md section 5) of the
//! voltage response ([`super::sector_overlap`], re-exported here).

use serde::{Deserialize, Serialize};

pub use super::sector_overlap::{
    auc, overlap_with, sector_analysis, task_role_pairs, EdgeSetOverlap, SectorOverlap,
};
use super::Analysis;
use super::{AnalysisError, AnalysisOption};
use crate::learning::Task;
use crate::network::{Network, Physics};
use crate::physics::{solve, BoundaryConditions, Solution};
use crate::topology::sectors::RoleMode;

/// The free response of a network to one training sample.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleResponse {
    /// The state over the degrees of freedom: node voltages, or a spring
    /// network's displacements `(u_x, u_y)` node after node (`2N`).
    pub state: Vec<f64>,
    /// Per edge: the voltage drop `V_i - V_j`, or the extension `dl_e`.
    pub drops: Vec<f64>,
    /// Per edge: the current `k_e dV_e`, or the tension `k_e dl_e`.
    pub flows: Vec<f64>,
}

/// The free response of `network` to training sample `sample` of `task`
/// (its held nodes, or degrees of freedom, at the sample's values; outputs
/// free).
pub fn sample_response(
    network: &Network,
    task: &Task,
    sample: usize,
) -> Result<SampleResponse, AnalysisError> {
    let Some(values) = task.fixed_voltages.get(sample) else {
        return Err(AnalysisError::InvalidOption {
            option: AnalysisOption::Sample,
            reason: format!(
                "sample {sample} does not exist (the task has {})",
                task.sample_count()
            ),
        });
    };
    if network.physics() == Physics::Spring2d {
        let forces = vec![0.0; 2 * network.node_count()];
        let solution = crate::physics::spring::solve(network, &task.fixed_nodes, values, &forces)?;
        let response = solution.response;
        return Ok(SampleResponse {
            state: response.displacements,
            drops: response.extensions,
            flows: response.tensions,
        });
    }
    let conditions = task
        .fixed_nodes
        .iter()
        .zip(values)
        .fold(BoundaryConditions::new(), |c, (&node, &v)| c.fix(node, v));
    let solution: Solution = solve(network, &conditions)?;
    Ok(SampleResponse {
        drops: solution.drops,
        flows: solution.currents,
        state: solution.voltages,
    })
}

/// The `ceil(share * E)` (at least one) edges of largest `values`, largest first.
pub fn top_edges(values: &[f64], share: f64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len())
        .filter(|&e| values[e].is_finite())
        .collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
    let count = ((values.len() as f64 * share).ceil() as usize)
        .max(1)
        .min(order.len());
    order.truncate(count);
    order
}

/// Whether an edge conducts less than its neighbours on average (relative
/// conductance below 1): the one definition of a "low relative conductance"
/// edge, used by the walls and corridors and by claim 6.4b.
pub fn below_neighbours(relative_conductance: f64) -> bool {
    relative_conductance < 1.0
}

/// Fraction of `edges` that conduct less than their neighbours
/// ([`below_neighbours`]); 0 for no edges.
pub fn share_below_neighbours(relative_conductance: &[f64], edges: &[usize]) -> f64 {
    edges
        .iter()
        .filter(|&&e| below_neighbours(relative_conductance[e]))
        .count() as f64
        / edges.len().max(1) as f64
}

/// Walls and corridors (paper Fig. 9): among the `share` most susceptible
/// edges, those whose conductance is below the mean of their adjacent
/// edges' (relative conductance < 1).
pub fn walls_and_corridors(
    susceptibility: &[f64],
    relative_conductance: &[f64],
    share: f64,
) -> Vec<usize> {
    top_edges(susceptibility, share)
        .into_iter()
        .filter(|&e| below_neighbours(relative_conductance[e]))
        .collect()
}

/// The median of the magnitudes of `values` (0 for none).
fn median_magnitude(values: &[f64]) -> f64 {
    let mut m: Vec<f64> = values
        .iter()
        .map(|v| v.abs())
        .filter(|v| v.is_finite())
        .collect();
    m.sort_by(f64::total_cmp);
    m.get(m.len() / 2).copied().unwrap_or(0.0)
}

/// Walls (paper Fig. 9): among the walls and corridors, the edges across
/// which the voltage concentrates, `|dV_e|` at least the median over all
/// edges of the response.
pub fn walls(walls_and_corridors: &[usize], drops: &[f64]) -> Vec<usize> {
    let median = median_magnitude(drops);
    walls_and_corridors
        .iter()
        .copied()
        .filter(|&e| drops[e].abs() >= median)
        .collect()
}

/// Corridors (paper Fig. 9): among the `share` most susceptible edges, those
/// that are not walls and carry a current `|I_e|` at least the median over
/// all edges: the channels the current is routed through.
pub fn corridors(
    susceptibility: &[f64],
    currents: &[f64],
    walls: &[usize],
    share: f64,
) -> Vec<usize> {
    let median = median_magnitude(currents);
    top_edges(susceptibility, share)
        .into_iter()
        .filter(|e| !walls.contains(e) && currents[*e].abs() >= median)
        .collect()
}

/// Which sample's response is cut into sectors, and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct StructureOptions {
    /// Training sample whose free response is cut into sectors (and drawn as fields).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = StructureOptions::default().sample))]
    pub sample: usize,
    /// Which role nodes the sectors must separate: the ends of each role pair
    /// (`per-edge`, default) or every role node from every other (`all`).
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = StructureOptions::default().roles))]
    pub roles: RoleMode,
    /// Share of edges counted as the most susceptible (walls and corridors).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = StructureOptions::default().top_share))]
    pub top_share: f64,
}

impl Default for StructureOptions {
    fn default() -> Self {
        Self {
            sample: 0,
            roles: RoleMode::PerEdge,
            top_share: 0.05,
        }
    }
}

impl StructureOptions {
    /// Rejects a sample the task lacks and shares outside `(0, 1]`.
    pub fn validate(&self, task: &Task) -> Result<(), AnalysisError> {
        let invalid = |option, reason| Err(AnalysisError::InvalidOption { option, reason });
        if self.sample >= task.sample_count() {
            return invalid(
                AnalysisOption::Sample,
                format!(
                    "{}: the task has {} samples (0 to {})",
                    self.sample,
                    task.sample_count(),
                    task.sample_count().saturating_sub(1)
                ),
            );
        }
        if !(self.top_share > 0.0 && self.top_share <= 1.0) {
            return invalid(
                AnalysisOption::TopShare,
                format!("{} must lie in (0, 1]", self.top_share),
            );
        }
        Ok(())
    }
}

/// The persistent sectors of the analysed sample, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct SectorCut {
    /// Sector of every node.
    pub labels: Vec<usize>,
    /// The kept death edges (one per adjacent pair of sectors).
    pub boundary_edges: Vec<usize>,
    /// Every edge between two sectors.
    pub cut_edges: Vec<usize>,
    /// Birth and death drops of every finite pair, in cancellation order.
    pub diagram: Vec<[f64; 2]>,
    /// Birth drops of the essential classes.
    pub essential: Vec<f64>,
    /// How the susceptible edges sit on them.
    pub overlap: SectorOverlap,
}

/// The response of one sample, its sectors and the walls and corridors.
#[derive(Debug, Clone, PartialEq)]
pub struct StructureReport {
    /// The sample's free state: node voltages, or a spring network's
    /// displacements `(u_x, u_y)` node after node.
    pub voltages: Vec<f64>,
    /// Edge currents of that response (a spring network's tensions).
    pub currents: Vec<f64>,
    /// Its persistent sectors (docs/theory.md section 5).
    pub sectors: SectorCut,
    /// Top-chi edges with relative conductance below 1 (claim 6.4b).
    pub walls_and_corridors: Vec<usize>,
    /// Of those, the walls: the voltage concentrates across them.
    pub walls: Vec<usize>,
    /// Top-chi edges that are not walls and carry at least the median current.
    pub corridors: Vec<usize>,
}

/// Sectors and walls of `analysis` for `options`.
pub fn structure_of(
    network: &Network,
    task: &Task,
    analysis: &Analysis,
    options: &StructureOptions,
) -> Result<StructureReport, AnalysisError> {
    let response = sample_response(network, task, options.sample)?;
    let (sectors, overlap) = sector_analysis(
        network,
        &response.drops,
        &analysis.susceptibility,
        &task_role_pairs(task),
        options.roles,
    );
    let f = &sectors.filtration;
    let mut both = walls_and_corridors(
        &analysis.susceptibility,
        &analysis.relative_conductance,
        options.top_share,
    );
    // Stored and compared as sets: by edge index.
    both.sort_unstable();
    let walls = walls(&both, &response.drops);
    let mut corridors = corridors(
        &analysis.susceptibility,
        &response.flows,
        &walls,
        options.top_share,
    );
    corridors.sort_unstable();
    Ok(StructureReport {
        sectors: SectorCut {
            diagram: f.pairs.iter().map(|p| [p.birth, p.death]).collect(),
            essential: f.essential.iter().map(|&e| f.values[e]).collect(),
            labels: sectors.labels,
            boundary_edges: sectors.boundary_edges,
            cut_edges: sectors.cut_edges,
            overlap,
        },
        walls_and_corridors: both,
        walls,
        corridors,
        voltages: response.state,
        currents: response.flows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_edges_and_walls_by_hand() {
        let chi = [0.1, 5.0, 3.0, f64::NAN, 4.0];
        assert_eq!(top_edges(&chi, 0.4), vec![1, 4]);
        assert_eq!(top_edges(&chi, 0.0), vec![1]);
        let relative = [1.0, 1.5, 0.5, 1.0, 0.2];
        assert_eq!(walls_and_corridors(&chi, &relative, 0.6), vec![4, 2]);
        assert_eq!(share_below_neighbours(&relative, &[0, 2, 4, 1]), 0.5);
        assert_eq!(share_below_neighbours(&relative, &[]), 0.0);
    }

    #[test]
    fn walls_hold_the_voltage_and_corridors_the_current() {
        // Top-chi edges 0, 1, 2 (share 0.6 of 5); edges 0 and 1 conduct less
        // than their neighbours. Median |dV| = 0.2, median |I| = 0.3.
        let chi = [5.0, 4.0, 3.0, 1.0, 2.0];
        let relative = [0.5, 0.8, 1.5, 1.0, 1.0];
        let drops = [0.9, -0.1, 0.2, 0.2, 0.05];
        let currents = [0.2, 0.05, 0.7, 0.3, 0.4];
        let both = walls_and_corridors(&chi, &relative, 0.6);
        assert_eq!(both, vec![0, 1]);
        let w = walls(&both, &drops);
        assert_eq!(w, vec![0]);
        assert_eq!(corridors(&chi, &currents, &w, 0.6), vec![2]);
    }
}
