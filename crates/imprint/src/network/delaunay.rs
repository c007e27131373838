//! Delaunay networks: the triangulation of random points in a square, the
//! generic well-connected planar network (mean coordination just under 6),
//! optionally diluted to a lower mean coordination while staying connected.

use serde::{Deserialize, Serialize};

use super::connectivity::Components;
use super::{Network, NetworkError};
use crate::random::Rng;

/// Parameters of the Delaunay generator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct DelaunayParameters {
    /// Number of random points (nodes).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = DelaunayParameters::default().nodes))]
    pub nodes: usize,
    /// Seed of the points and of the dilution.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = DelaunayParameters::default().seed))]
    pub seed: u64,
    /// Remove random edges until the mean coordination `Z = 2E/N` is at most
    /// this (never below a spanning tree's `2 (N - 1) / N`); `None` keeps the
    /// full triangulation.
    /// (Also read as `coordination`.)
    #[serde(alias = "coordination")]
    #[cfg_attr(
        feature = "clap",
        arg(
            long = "coordination",
            visible_alias = "target-coordination",
            value_name = "Z"
        )
    )]
    pub target_coordination: Option<f64>,
}

impl Default for DelaunayParameters {
    fn default() -> Self {
        Self {
            nodes: 512,
            seed: 1,
            target_coordination: None,
        }
    }
}

impl DelaunayParameters {
    /// Refuses parameters the generator cannot use, naming the field (a
    /// coordination above the triangulation's own is refused when it is
    /// made: that needs the triangulation).
    pub fn validate(&self) -> Result<(), NetworkError> {
        let n = self.nodes;
        if n < 3 {
            return Err(NetworkError::InvalidParameter {
                parameter: "nodes",
                reason: format!("{n} points cannot be triangulated (at least 3)"),
            });
        }
        if let Some(target) = self.target_coordination {
            let minimum = 2.0 * (n as f64 - 1.0) / n as f64;
            if !(target.is_finite() && target >= minimum) {
                return Err(NetworkError::InvalidParameter {
                    parameter: "target_coordination",
                    reason: format!(
                        "{target} is below {minimum:.4}, the coordination of a spanning tree on {n} nodes"
                    ),
                });
            }
        }
        Ok(())
    }
}

/// Triangulates `nodes` uniform random points in a square of side
/// `sqrt(nodes)` (unit density) and dilutes it if asked. Removed edges are
/// drawn at random among those outside a random spanning tree, so the network
/// stays connected.
pub fn generate(parameters: &DelaunayParameters) -> Result<Network, NetworkError> {
    parameters.validate()?;
    let n = parameters.nodes;
    let mut rng = Rng::new(parameters.seed);
    let side = (n as f64).sqrt();
    let positions: Vec<[f64; 2]> = (0..n)
        .map(|_| [side * rng.uniform(), side * rng.uniform()])
        .collect();
    let points: Vec<delaunator::Point> = positions
        .iter()
        .map(|&[x, y]| delaunator::Point { x, y })
        .collect();
    let triangulation = delaunator::triangulate(&points);
    let mut edges = Vec::with_capacity(3 * n);
    for (half, &opposite) in triangulation.halfedges.iter().enumerate() {
        // Each interior edge has two half-edges: keep the one with the larger index.
        if opposite == delaunator::EMPTY || half > opposite {
            let next = if half % 3 == 2 { half - 2 } else { half + 1 };
            edges.push([triangulation.triangles[half], triangulation.triangles[next]]);
        }
    }
    let mut network = Network::with_uniform_conductance(positions, edges, 1.0, None)?;
    if let Some(target) = parameters.target_coordination {
        network = dilute(network, target, &mut rng)?;
    }
    let metadata = network.metadata_mut();
    metadata.insert("generator".into(), "delaunay".into());
    metadata.insert(
        "parameters".into(),
        serde_json::to_value(parameters).expect("parameters serialise"),
    );
    Ok(network)
}

/// Removes random edges outside a random spanning tree until `Z <= target`.
pub fn dilute(network: Network, target: f64, rng: &mut Rng) -> Result<Network, NetworkError> {
    let n = network.node_count();
    let minimum = 2.0 * (n as f64 - 1.0) / n as f64;
    if Components::of(&network).count != 1 {
        return Err(NetworkError::InvalidParameter {
            parameter: "target_coordination",
            reason: "only a connected network can be diluted while staying connected".into(),
        });
    }
    if !(target.is_finite() && target >= minimum) {
        return Err(NetworkError::InvalidParameter {
            parameter: "target_coordination",
            reason: format!(
                "{target} is below {minimum:.4}, the coordination of a spanning tree on {n} nodes"
            ),
        });
    }
    let keep_count = ((target * n as f64 / 2.0).floor() as usize).max(n - 1);
    if keep_count > network.edge_count() {
        // Dilution only removes edges: a target above the network's own
        // coordination cannot be met, and is not silently left unmet.
        return Err(NetworkError::InvalidParameter {
            parameter: "target_coordination",
            reason: format!(
                "{target} is above the network's own Z = {:.4}: dilution only removes edges (leave it unset to keep them all)",
                2.0 * network.edge_count() as f64 / n as f64
            ),
        });
    }
    if keep_count == network.edge_count() {
        return Ok(network);
    }
    let mut order: Vec<usize> = (0..network.edge_count()).collect();
    rng.shuffle(&mut order);
    // Kruskal in random order: the first edges that join components form a random spanning tree.
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let mut in_tree = vec![false; network.edge_count()];
    for &e in &order {
        let [i, j] = network.edges()[e];
        let (a, b) = (root(&mut parent, i), root(&mut parent, j));
        if a != b {
            parent[a] = b;
            in_tree[e] = true;
        }
    }
    let mut keep = in_tree.clone();
    let mut kept = n - 1;
    for &e in &order {
        if kept == keep_count {
            break;
        }
        if !keep[e] {
            keep[e] = true;
            kept += 1;
        }
    }
    let edges: Vec<[usize; 2]> = (0..network.edge_count())
        .filter(|&e| keep[e])
        .map(|e| network.edges()[e])
        .collect();
    let conductance = (0..network.edge_count())
        .filter(|&e| keep[e])
        .map(|e| network.conductance()[e])
        .collect();
    let mut diluted = Network::new(
        network.positions().to_vec(),
        edges,
        conductance,
        network.periodic_box(),
    )?;
    *diluted.metadata_mut() = network.metadata().clone();
    Ok(diluted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::connectivity::Components;

    #[test]
    fn triangulation_satisfies_euler_and_dilution_keeps_it_connected() {
        let net = generate(&DelaunayParameters {
            nodes: 400,
            seed: 3,
            target_coordination: None,
        })
        .unwrap();
        // Euler for a planar triangulation: E = 3N - 3 - h, h = points on the convex hull.
        let hull = delaunator::triangulate(
            &net.positions()
                .iter()
                .map(|&[x, y]| delaunator::Point { x, y })
                .collect::<Vec<_>>(),
        )
        .hull
        .len();
        assert_eq!(net.edge_count(), 3 * 400 - 3 - hull);
        assert_eq!(Components::of(&net).count, 1);
        for target in [4.5, 3.0, 2.0 * 399.0 / 400.0] {
            let diluted = generate(&DelaunayParameters {
                nodes: 400,
                seed: 3,
                target_coordination: Some(target),
            })
            .unwrap();
            let z = 2.0 * diluted.edge_count() as f64 / 400.0;
            assert!(
                z <= target + 1e-12 && z > target - 2.0 / 400.0,
                "target {target}, got {z}"
            );
            assert_eq!(Components::of(&diluted).count, 1);
        }
        assert!(generate(&DelaunayParameters {
            nodes: 400,
            seed: 3,
            target_coordination: Some(1.5)
        })
        .is_err());
    }
}
