//! Persistent sectors of a node field (THEORY.md section 5; Rocks, Liu,
//! Katifori, PRR 2, 033234 (2020)): 0-dimensional persistence of the
//! lower-star filtration of node values on the network (an edge enters at the
//! larger of its end values), steepest-descent and -ascent basins, basins of
//! low-persistence extrema merged into the basin they die into, and sectors =
//! nodes sharing both their simplified minimum and maximum basin.
//!
//! Ties between equal values are broken by node index everywhere, so the
//! filtration, the pairs and the basins agree on one total order.
//!
//! A harmonic field (the free response of a resistor network) has no
//! interior extrema (maximum principle): its only minima and maxima are held
//! nodes, so with one input edge the Morse-Smale construction gives a single
//! sector. [`uniform_voltage_sectors`] is the complementary construction for
//! "sectors of nearly uniform voltage": the 0-dimensional persistence of the
//! edge filtration in which every node enters at 0 and every edge at its
//! drop `|V_i - V_j|`; components alive at the threshold are the sectors.

use crate::network::Network;

/// One 0-dimensional persistence pair of a sublevel (or superlevel) filtration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PersistencePair {
    /// The extremum (node) whose component is born.
    pub extremum: usize,
    /// Value at birth.
    pub birth: f64,
    /// Value at which the component merges into an older one (infinite for
    /// the component that never dies).
    pub death: f64,
    /// The extremum of the older component it merges into.
    pub merged_into: Option<usize>,
}

impl PersistencePair {
    /// `|death - birth|` (infinite for the essential class).
    pub fn persistence(&self) -> f64 {
        (self.death - self.birth).abs()
    }
}

/// Neighbour lists of every node.
fn neighbours(network: &Network) -> Vec<Vec<usize>> {
    let mut adjacency = vec![Vec::new(); network.node_count()];
    for &[i, j] in network.edges() {
        adjacency[i].push(j);
        adjacency[j].push(i);
    }
    adjacency
}

/// Union-find root of `x`, halving the path on the way.
fn root(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// `a` precedes `b` in the filtration order: smaller value, then smaller index.
fn before(values: &[f64], a: usize, b: usize) -> bool {
    (values[a], a) < (values[b], b)
}

/// Persistence pairs of the sublevel filtration of `values` (one per local
/// minimum), by union-find in increasing value with the elder rule.
pub fn sublevel_persistence(network: &Network, values: &[f64]) -> Vec<PersistencePair> {
    let n = network.node_count();
    let adjacency = neighbours(network);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    let mut parent: Vec<usize> = (0..n).collect();
    // The minimum (oldest node) of each component, stored at its root.
    let oldest: Vec<usize> = (0..n).collect();
    let mut active = vec![false; n];
    let mut pairs: Vec<PersistencePair> = Vec::new();
    let mut pair_of = vec![usize::MAX; n];
    for &v in &order {
        active[v] = true;
        let mut roots: Vec<usize> = adjacency[v]
            .iter()
            .filter(|&&u| active[u])
            .map(|&u| root(&mut parent, u))
            .collect();
        roots.sort_unstable();
        roots.dedup();
        if roots.is_empty() {
            pair_of[v] = pairs.len();
            pairs.push(PersistencePair {
                extremum: v,
                birth: values[v],
                death: f64::INFINITY,
                merged_into: None,
            });
            continue;
        }
        // v joins the oldest neighbouring component; the others die here.
        roots.sort_by(|&a, &b| {
            if before(values, oldest[a], oldest[b]) {
                std::cmp::Ordering::Less
            } else {
                std::cmp::Ordering::Greater
            }
        });
        let survivor = roots[0];
        for &r in &roots[1..] {
            let dying = oldest[r];
            let pair = &mut pairs[pair_of[dying]];
            pair.death = values[v];
            pair.merged_into = Some(oldest[survivor]);
            parent[r] = survivor;
        }
        parent[v] = survivor;
    }
    pairs
}

/// Steepest-descent basin of every node: the local minimum reached by
/// repeatedly moving to the lowest lower neighbour.
pub fn descent_basins(network: &Network, values: &[f64]) -> Vec<usize> {
    let adjacency = neighbours(network);
    let n = network.node_count();
    let next: Vec<usize> = (0..n)
        .map(|v| {
            adjacency[v]
                .iter()
                .copied()
                .filter(|&u| before(values, u, v))
                .fold(v, |best, u| if before(values, u, best) { u } else { best })
        })
        .collect();
    (0..n)
        .map(|mut v| {
            while next[v] != v {
                v = next[v];
            }
            v
        })
        .collect()
}

/// The extremum each extremum maps to after merging every basin whose pair
/// has persistence below `threshold` into the basin it dies into.
fn simplified(pairs: &[PersistencePair], n: usize, threshold: f64) -> Vec<usize> {
    let mut into: Vec<usize> = (0..n).collect();
    for pair in pairs {
        if pair.persistence() < threshold {
            if let Some(older) = pair.merged_into {
                into[pair.extremum] = older;
            }
        }
    }
    (0..n)
        .map(|mut v| {
            // Older components die later, so chains are short and end.
            while into[v] != v {
                v = into[v];
            }
            v
        })
        .collect()
}

/// Persistent sectors of a node field.
#[derive(Debug, Clone, PartialEq)]
pub struct Sectors {
    /// Sector of every node, numbered `0..count` in order of first node.
    pub sector: Vec<usize>,
    /// Number of sectors.
    pub count: usize,
    /// Edges whose ends lie in different sectors.
    pub boundary_edges: Vec<usize>,
    /// Pairs of the sublevel filtration (minima).
    pub minima: Vec<PersistencePair>,
    /// Pairs of the superlevel filtration (maxima; births and deaths are
    /// values of the field, decreasing).
    pub maxima: Vec<PersistencePair>,
}

/// Sectors of `values` on `network`, with basins of extrema of persistence
/// below `threshold` merged (THEORY.md section 5).
pub fn persistent_sectors(network: &Network, values: &[f64], threshold: f64) -> Sectors {
    let n = network.node_count();
    let minima = sublevel_persistence(network, values);
    let negated: Vec<f64> = values.iter().map(|v| -v).collect();
    let mut maxima = sublevel_persistence(network, &negated);
    let min_rep = simplified(&minima, n, threshold);
    let max_rep = simplified(&maxima, n, threshold);
    let down = descent_basins(network, values);
    let up = descent_basins(network, &negated);
    for pair in &mut maxima {
        pair.birth = -pair.birth;
        pair.death = -pair.death;
    }
    let keys = (0..n).map(|v| (min_rep[down[v]], max_rep[up[v]]));
    sectors_from_keys(network, keys, minima, maxima)
}

/// Sectors from a key per node (nodes sharing a key share a sector),
/// numbered in order of first node, with the edges between them.
fn sectors_from_keys<K: std::hash::Hash + Eq>(
    network: &Network,
    keys: impl Iterator<Item = K>,
    minima: Vec<PersistencePair>,
    maxima: Vec<PersistencePair>,
) -> Sectors {
    let mut labels = std::collections::HashMap::new();
    let sector: Vec<usize> = keys
        .map(|key| {
            let next = labels.len();
            *labels.entry(key).or_insert(next)
        })
        .collect();
    let boundary_edges = network
        .edges()
        .iter()
        .enumerate()
        .filter(|(_, &[i, j])| sector[i] != sector[j])
        .map(|(e, _)| e)
        .collect();
    Sectors {
        count: labels.len(),
        sector,
        boundary_edges,
        minima,
        maxima,
    }
}

/// Sectors of nearly uniform voltage: the components joined by edges whose
/// drop `|V_i - V_j|` is below `threshold` (the 0-dimensional persistence
/// of the drop filtration, cut at `threshold`, by union-find). `minima` and
/// `maxima` are empty: this construction has no extrema.
pub fn uniform_voltage_sectors(network: &Network, values: &[f64], threshold: f64) -> Sectors {
    let edges = network.edges();
    // The partition does not depend on the order the edges are joined in.
    let mut parent: Vec<usize> = (0..network.node_count()).collect();
    for &[i, j] in edges {
        if (values[i] - values[j]).abs() < threshold {
            let (a, b) = (root(&mut parent, i), root(&mut parent, j));
            if a != b {
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    let keys: Vec<usize> = (0..network.node_count())
        .map(|v| root(&mut parent, v))
        .collect();
    sectors_from_keys(network, keys.into_iter(), Vec::new(), Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(values: usize) -> Network {
        let edges = (0..values - 1).map(|i| [i, i + 1]).collect();
        Network::with_uniform_conductance(
            (0..values).map(|i| [i as f64, 0.0]).collect(),
            edges,
            1.0,
            None,
        )
        .unwrap()
    }

    #[test]
    fn pairs_of_a_path_by_hand() {
        // 0 - 1 - 2 - 3 - 4 with values 0, 2, 1, 3, 0.5.
        let net = path(5);
        let values = [0.0, 2.0, 1.0, 3.0, 0.5];
        let pairs = sublevel_persistence(&net, &values);
        assert_eq!(
            pairs,
            vec![
                PersistencePair {
                    extremum: 0,
                    birth: 0.0,
                    death: f64::INFINITY,
                    merged_into: None
                },
                PersistencePair {
                    extremum: 4,
                    birth: 0.5,
                    death: 3.0,
                    merged_into: Some(0)
                },
                PersistencePair {
                    extremum: 2,
                    birth: 1.0,
                    death: 2.0,
                    merged_into: Some(0)
                },
            ]
        );
        assert_eq!(descent_basins(&net, &values), vec![0, 0, 2, 4, 4]);
        // Threshold 1.5 merges the basin of node 2 (persistence 1) into node 0's.
        let sectors = persistent_sectors(&net, &values, 1.5);
        let maxima: Vec<(usize, f64, f64)> = sectors
            .maxima
            .iter()
            .map(|p| (p.extremum, p.birth, p.death))
            .collect();
        assert_eq!(maxima, vec![(3, 3.0, f64::NEG_INFINITY), (1, 2.0, 1.0)]);
        // Max basins: {0, 1, 2} ascend to 1, {3, 4} to 3; node 1's maximum (persistence 1)
        // merges into 3's. Min basins after merging: {0, 1, 2} -> 0, {3, 4} -> 4.
        assert_eq!(sectors.sector, vec![0, 0, 0, 1, 1]);
        assert_eq!(sectors.boundary_edges, vec![2]);
        // Without simplification: min basins {0, 1}, {2}, {3, 4}; max basins
        // {0, 1} (node 1), {2, 3, 4} (node 3): three sectors.
        let raw = persistent_sectors(&net, &values, 0.0);
        assert_eq!(raw.sector, vec![0, 0, 1, 2, 2]);
        assert_eq!(raw.boundary_edges, vec![1, 2]);
    }

    #[test]
    fn two_valleys_split_at_the_ridge() {
        // Low on the left (0 V), a ridge in the middle (1 V), a shallower valley
        // on the right (0.2 V), plus noise. The noise extrema merge away; the
        // two valleys persist (the right one dies only at the ridge, 0.8 later),
        // so the network splits into two sectors whose boundary lies in the ridge.
        let net = crate::network::lattice::square(10, 6, false).unwrap();
        let mut rng = crate::random::Rng::new(3);
        let level = |x: f64| {
            if x < 3.0 {
                0.0
            } else if x < 6.0 {
                1.0
            } else {
                0.2
            }
        };
        let values: Vec<f64> = net
            .positions()
            .iter()
            .map(|&[x, _]| level(x) + 0.01 * rng.uniform())
            .collect();
        let sectors = persistent_sectors(&net, &values, 0.1);
        assert_eq!(sectors.count, 2);
        let long_lived: Vec<&PersistencePair> = sectors
            .minima
            .iter()
            .filter(|p| p.persistence() > 0.1)
            .collect();
        assert_eq!(long_lived.len(), 2, "{:?}", sectors.minima);
        assert!((long_lived[1].persistence() - 0.8).abs() < 0.03);
        for (e, &[i, j]) in net.edges().iter().enumerate() {
            let (xi, xj) = (net.positions()[i][0], net.positions()[j][0]);
            if sectors.boundary_edges.contains(&e) {
                assert!(
                    (3.0..6.0).contains(&xi) || (3.0..6.0).contains(&xj),
                    "boundary edge {e} outside the ridge"
                );
            }
            if xi < 3.0 && xj < 3.0 || xi >= 6.0 && xj >= 6.0 {
                assert_eq!(sectors.sector[i], sectors.sector[j]);
            }
        }
        assert_ne!(sectors.sector[0], sectors.sector[9]);
    }

    #[test]
    fn uniform_voltage_sectors_of_a_two_step_path() {
        // Drops 0.01, 0.5, 0.01, 0.3, 0.02: threshold 0.1 cuts edges 1 and 3.
        let net = path(6);
        let values = [0.0, 0.01, 0.51, 0.52, 0.82, 0.84];
        let s = uniform_voltage_sectors(&net, &values, 0.1);
        assert_eq!(s.sector, vec![0, 0, 1, 1, 2, 2]);
        assert_eq!((s.count, s.boundary_edges.clone()), (3, vec![1, 3]));
        // Above every drop: one sector; at zero: every node alone.
        assert_eq!(uniform_voltage_sectors(&net, &values, 1.0).count, 1);
        assert_eq!(uniform_voltage_sectors(&net, &values, 0.0).count, 6);
    }

    #[test]
    fn a_harmonic_field_with_one_source_pair_is_one_morse_smale_sector() {
        // A 6 x 6 lattice, 0 V at one corner and 1 V at the other: no free
        // node is an extremum, so every node shares one minimum and one maximum.
        let net = crate::network::lattice::square(6, 6, false).unwrap();
        let conditions = crate::physics::BoundaryConditions::new()
            .fix(0, 0.0)
            .fix(35, 1.0);
        let v = crate::physics::solve(&net, &conditions).unwrap().voltages;
        let s = persistent_sectors(&net, &v, 0.0);
        assert_eq!((s.count, s.minima.len(), s.maxima.len()), (1, 1, 1));
        assert!(uniform_voltage_sectors(&net, &v, 0.02).count > 1);
    }
}
