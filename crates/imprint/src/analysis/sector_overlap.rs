//! How the most susceptible edges sit on the persistent sectors of a
//! response (docs/theory.md section 5, step 9; claim 6.5): the overlap of
//! the top-`chi` edges with an edge set against chance, the AUC of `chi`
//! separating the set from the other edges, and both for the sectors' cut
//! set and boundary.

use serde::{Deserialize, Serialize};

use super::structure::top_edges;
use crate::learning::{Readout, Task};
use crate::network::Network;
use crate::topology::sectors::{persistent_sectors_of_drops, role_pairs, RoleMode, Sectors};

/// How the most susceptible edges sit on a set of edges (docs/theory.md
/// section 5, step 9): with `k` the size of the set, the overlap of the `k`
/// most susceptible edges with it against chance `k / E`, and the AUC of
/// `chi_e` separating the set from the other edges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EdgeSetOverlap {
    /// Edges in the set (`k`).
    pub edges: usize,
    /// How many of the `k` most susceptible edges are in it.
    pub top_in_set: usize,
    /// `top_in_set / k` (0 for an empty set).
    #[serde(with = "super::report::nullable")]
    pub overlap: f64,
    /// `k / E`: the overlap of `k` edges chosen at random.
    #[serde(with = "super::report::nullable")]
    pub chance: f64,
    /// `overlap / chance` (null for an empty set).
    #[serde(with = "super::report::nullable")]
    pub enrichment: f64,
    /// `P(chi_e > chi_f | e in the set, f not)`, ties counted half (the
    /// Mann-Whitney statistic; null when either side is empty).
    #[serde(with = "super::report::nullable")]
    pub auc: f64,
}

impl std::fmt::Display for EdgeSetOverlap {
    /// `12 edges: top-12 chi overlap 50 % (chance 2 %, 25.0 x), AUC 0.91`, or
    /// `no edges` for an empty set (nothing to overlap; no NaN printed).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.edges == 0 {
            return write!(f, "no edges (nothing to overlap)");
        }
        write!(
            f,
            "{} edge{}: top-{} chi overlap {:.0} % (chance {:.0} %, {:.1} x)",
            self.edges,
            if self.edges == 1 { "" } else { "s" },
            self.edges,
            100.0 * self.overlap,
            100.0 * self.chance,
            self.enrichment
        )?;
        if self.auc.is_finite() {
            write!(f, ", AUC {:.2}", self.auc)?;
        }
        Ok(())
    }
}

impl SectorOverlap {
    /// `3 sectors` or `1 sector`.
    pub fn count(&self) -> String {
        format!(
            "{} sector{}",
            self.sectors,
            if self.sectors == 1 { "" } else { "s" }
        )
    }
}

/// The overlap of the most susceptible edges with `set` (edge indices).
pub fn overlap_with(susceptibility: &[f64], set: &[usize]) -> EdgeSetOverlap {
    let count = susceptibility.len();
    let mut inside = vec![false; count];
    for &e in set {
        inside[e] = true;
    }
    let k = set.len();
    let top_in_set = if k == 0 {
        0
    } else {
        top_edges(susceptibility, k as f64 / count as f64)
            .iter()
            .take(k)
            .filter(|&&e| inside[e])
            .count()
    };
    let overlap = if k == 0 {
        0.0
    } else {
        top_in_set as f64 / k as f64
    };
    let chance = k as f64 / count.max(1) as f64;
    EdgeSetOverlap {
        edges: k,
        top_in_set,
        overlap,
        chance,
        enrichment: if k > 0 { overlap / chance } else { f64::NAN },
        auc: auc(susceptibility, &inside),
    }
}

/// `P(x_e > x_f | e positive, f not)` with ties counted half, by ranks
/// (non-finite values left out); NaN when either class is empty.
pub fn auc(values: &[f64], positive: &[bool]) -> f64 {
    let mut order: Vec<usize> = (0..values.len())
        .filter(|&e| values[e].is_finite())
        .collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    // Mid-ranks of tied runs, then the rank sum of the positive class.
    let (mut rank_sum, mut start) = (0.0, 0);
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        let mid = (start + end + 1) as f64 / 2.0;
        rank_sum += mid * order[start..end].iter().filter(|&&e| positive[e]).count() as f64;
        start = end;
    }
    let p = order.iter().filter(|&&e| positive[e]).count() as f64;
    let q = order.len() as f64 - p;
    if p == 0.0 || q == 0.0 {
        return f64::NAN;
    }
    (rank_sum - p * (p + 1.0) / 2.0) / (p * q)
}

/// The role pairs of a task's sectors: the ends of each target edge for an
/// edge read-out (allostery); for a node read-out, each output node paired
/// with each input and ground node (our choice: the paper cuts sectors for
/// allostery only).
pub fn task_role_pairs(task: &Task) -> Vec<[usize; 2]> {
    match &task.readout {
        Readout::Edge { edges } => edges.clone(),
        // A spring task reads degrees of freedom: their nodes pair up.
        Readout::Node { nodes } => nodes
            .iter()
            .map(|&dof| dof / task.physics.dofs_per_node())
            .flat_map(|o| {
                task.roles
                    .inputs
                    .iter()
                    .chain(&task.roles.grounds)
                    .map(move |&h| [o, h])
            })
            .collect(),
    }
}

/// The persistent sectors of one response and how the susceptible edges sit
/// on their cut set and their kept death edges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectorOverlap {
    /// How the role pairs were formed.
    pub roles: RoleMode,
    /// Role pairs that had to end apart.
    pub role_pairs: usize,
    /// Role pairs that share a finest sector and could not be separated.
    pub inseparable: usize,
    /// Number of sectors.
    pub sectors: usize,
    /// `m*`: pairs cancelled.
    pub cancelled: usize,
    /// Finite persistence pairs of the filtration.
    pub pairs: usize,
    /// `tau*`: persistence of the first pair kept (volts).
    pub tau_star: Option<f64>,
    /// Overlap with the cut set (all edges between sectors).
    pub cut: EdgeSetOverlap,
    /// Overlap with the kept death edges.
    pub boundary: EdgeSetOverlap,
}

/// Persistent sectors of the response whose edge drops are `drops`
/// (voltage drops, or a spring network's extensions) separating `roles` (under `mode`) and
/// the overlap of the susceptible edges with their cut set and boundary.
pub fn sector_analysis(
    network: &Network,
    drops: &[f64],
    susceptibility: &[f64],
    roles: &[[usize; 2]],
    mode: RoleMode,
) -> (Sectors, SectorOverlap) {
    let magnitudes = drops.iter().map(|d| d.abs()).collect();
    let sectors = persistent_sectors_of_drops(network, magnitudes, roles, mode);
    let overlap = SectorOverlap {
        roles: mode,
        role_pairs: role_pairs(roles, mode).len(),
        inseparable: sectors.inseparable.len(),
        sectors: sectors.count,
        cancelled: sectors.cancelled,
        pairs: sectors.filtration.pairs.len(),
        tau_star: sectors.tau_star,
        cut: overlap_with(susceptibility, &sectors.cut_edges),
        boundary: overlap_with(susceptibility, &sectors.boundary_edges),
    };
    (sectors, overlap)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drops_of(net: &Network, v: &[f64]) -> Vec<f64> {
        net.edges().iter().map(|&[i, j]| v[i] - v[j]).collect()
    }

    #[test]
    fn overlap_and_auc_by_hand() {
        let chi = [5.0, 1.0, 4.0, 2.0, 3.0];
        // The set {0, 3}: the top 2 are edges 0 and 2, one of them in the set.
        let o = overlap_with(&chi, &[0, 3]);
        assert_eq!((o.edges, o.top_in_set), (2, 1));
        assert_eq!((o.overlap, o.chance, o.enrichment), (0.5, 0.4, 1.25));
        // Pairs (in, out): (5 > 1, 4, 3) = 3, (2 > 1) = 1, of 6.
        assert!((o.auc - 4.0 / 6.0).abs() < 1e-15);
        // Ties count half.
        assert_eq!(auc(&[1.0, 1.0], &[true, false]), 0.5);
        assert!(auc(&[1.0, 2.0], &[true, true]).is_nan());
        assert!(overlap_with(&chi, &[]).enrichment.is_nan());
    }

    #[test]
    fn a_path_split_by_its_steep_edge() {
        let net = Network::with_uniform_conductance(
            (0..6).map(|i| [i as f64, 0.0]).collect(),
            (0..5).map(|i| [i, i + 1]).collect(),
            1.0,
            None,
        )
        .unwrap();
        let voltages = [0.0, 0.1, 0.15, 1.05, 1.25, 1.35];
        let chi = [0.0, 1.0, 9.0, 2.0, 0.5];
        let (sectors, overlap) = sector_analysis(
            &net,
            &drops_of(&net, &voltages),
            &chi,
            &[[0, 5]],
            RoleMode::PerEdge,
        );
        assert_eq!(sectors.cut_edges, vec![2]);
        assert_eq!((overlap.sectors, overlap.cut.top_in_set), (2, 1));
        assert_eq!((overlap.cut.enrichment, overlap.cut.auc), (5.0, 1.0));
    }
}
