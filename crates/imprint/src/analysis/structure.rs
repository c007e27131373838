//! Where a trained network keeps its task (THEORY.md section 6, claims 4-5;
//! paper Figs. 6, 9, 11): the response to one training sample, the edges that
//! act as walls and corridors (large `chi_e`, conductance below that of their
//! neighbours), and how the most susceptible edges overlap the boundaries of
//! the persistent sectors (THEORY.md section 5) of the voltage response.

use serde::{Deserialize, Serialize};

use crate::learning::{LearningError, Task};
use crate::network::Network;
use crate::physics::{solve, BoundaryConditions, Solution};
use crate::topology::sectors::{persistent_sectors, uniform_voltage_sectors, Sectors};

/// Which sectors to cut a response into (see [`crate::topology::sectors`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SectorMethod {
    /// Morse-Smale cells of the sub- and superlevel filtrations (THEORY.md
    /// section 5); the threshold simplifies extrema by persistence.
    MorseSmale,
    /// Components joined by edges whose drop is below the threshold.
    UniformVoltage,
}

/// Default persistence threshold of [`sector_analysis`], as a fraction of
/// the voltage range of the response: extrema less prominent than 5 % of it
/// are merged into their neighbours' basins.
pub const DEFAULT_SECTOR_THRESHOLD: f64 = 0.05;

/// The free response of `network` to training sample `sample` of `task`
/// (inputs and grounds held at the sample's voltages, outputs free).
pub fn sample_response(
    network: &Network,
    task: &Task,
    sample: usize,
) -> Result<Solution, LearningError> {
    let Some(voltages) = task.fixed_voltages.get(sample) else {
        return Err(LearningError::InvalidParameter {
            field: "sample",
            reason: format!(
                "sample {sample} does not exist (the task has {})",
                task.sample_count()
            ),
        });
    };
    let conditions = task
        .fixed_nodes
        .iter()
        .zip(voltages)
        .fold(BoundaryConditions::new(), |c, (&node, &v)| c.fix(node, v));
    Ok(solve(network, &conditions)?)
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

/// How the most susceptible edges sit on persistent-sector boundaries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectorOverlap {
    /// How the sectors were cut.
    pub method: SectorMethod,
    /// Persistence threshold used (volts).
    #[serde(with = "super::report::nullable")]
    pub threshold: f64,
    /// Number of sectors.
    pub sectors: usize,
    /// Number of boundary edges.
    pub boundary_edges: usize,
    /// Number of top-chi edges considered.
    pub top_edges: usize,
    /// How many of them are boundary edges.
    pub top_on_boundary: usize,
    /// `top_on_boundary / top_edges`.
    #[serde(with = "super::report::nullable")]
    pub precision: f64,
    /// Fraction of all edges that are boundary edges (the precision a
    /// random choice of edges would have).
    #[serde(with = "super::report::nullable")]
    pub base_rate: f64,
    /// `precision / base_rate`: how much more often than chance a top-chi
    /// edge is a boundary edge (null when there is no boundary).
    #[serde(with = "super::report::nullable")]
    pub enrichment: f64,
}

/// Persistent sectors of a node field and their overlap with the `share`
/// most susceptible edges. `threshold` is absolute (volts); pass
/// [`DEFAULT_SECTOR_THRESHOLD`] times the field's range for the default.
pub fn sector_analysis(
    network: &Network,
    voltages: &[f64],
    susceptibility: &[f64],
    method: SectorMethod,
    threshold: f64,
    share: f64,
) -> (Sectors, SectorOverlap) {
    let sectors = match method {
        SectorMethod::MorseSmale => persistent_sectors(network, voltages, threshold),
        SectorMethod::UniformVoltage => uniform_voltage_sectors(network, voltages, threshold),
    };
    let top = top_edges(susceptibility, share);
    let mut on_boundary = vec![false; network.edge_count()];
    for &e in &sectors.boundary_edges {
        on_boundary[e] = true;
    }
    let hits = top.iter().filter(|&&e| on_boundary[e]).count();
    let precision = hits as f64 / top.len().max(1) as f64;
    let base_rate = sectors.boundary_edges.len() as f64 / network.edge_count().max(1) as f64;
    let overlap = SectorOverlap {
        method,
        threshold,
        sectors: sectors.count,
        boundary_edges: sectors.boundary_edges.len(),
        top_edges: top.len(),
        top_on_boundary: hits,
        precision,
        base_rate,
        enrichment: if base_rate > 0.0 {
            precision / base_rate
        } else {
            f64::NAN
        },
    };
    (sectors, overlap)
}

/// Range `max - min` of a field (0 for an empty one).
pub fn field_range(values: &[f64]) -> f64 {
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if lo.is_finite() {
        hi - lo
    } else {
        0.0
    }
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
    fn overlap_of_a_path_split_in_two() {
        // 0 - 1 - 2 - 3 - 4 with a peak at node 2: minima at both ends, node 2
        // descends to node 1 (the steeper side), so the sectors are {0, 1, 2}
        // and {3, 4} and edge 2 = (2, 3) is the only boundary.
        let net = Network::with_uniform_conductance(
            (0..5).map(|i| [i as f64, 0.0]).collect(),
            (0..4).map(|i| [i, i + 1]).collect(),
            1.0,
            None,
        )
        .unwrap();
        let voltages = [0.0, 0.4, 1.0, 0.6, 0.0];
        let chi = [0.0, 1.0, 9.0, 2.0];
        let (sectors, overlap) =
            sector_analysis(&net, &voltages, &chi, SectorMethod::MorseSmale, 0.05, 0.25);
        assert_eq!(sectors.sector, vec![0, 0, 0, 1, 1]);
        assert_eq!(sectors.boundary_edges, vec![2]);
        assert_eq!(overlap.top_edges, 1);
        assert_eq!(overlap.top_on_boundary, 1);
        assert_eq!(overlap.base_rate, 0.25);
        assert_eq!(overlap.enrichment, 4.0);
    }
}
