//! Persistent sectors as Rocks builds them (docs/theory.md section 5; Rocks, Liu,
//! Katifori, PRR 2, 033234 (2020) and PRL 126, 028102 (2021); J. W. Rocks'
//! thesis, ch. 4): the edges of a response are filtered by their voltage
//! drop `f_e = |V_i - V_j|`, ascending, each node entering just before its
//! lowest edge. Union-find in the order `(f_e, e)` types every edge (birth,
//! attach, death, cycle) and pairs every death edge with the birth edge of
//! the younger component it kills (elder rule). The skeleton (birth, attach
//! and death edges: the minimum spanning forest of `f`) cut at the death
//! edges gives the finest sectors; cancelling pairs in persistence order
//! merges them, and cancellation stops just before two role nodes would
//! share a sector.
//!
//! Node voltages themselves cannot be filtered: a resistor network's response
//! is harmonic at every free node, so its only extrema are held nodes.

use serde::{Deserialize, Serialize};

use crate::network::Network;

/// What an edge does when it enters the filtration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EdgeType {
    /// Both ends already in one component: closes a cycle.
    Cycle,
    /// Both ends new: starts a component.
    Birth,
    /// Joins two components: the younger dies.
    Death,
    /// One end new: the new node joins the other's component.
    Attach,
}

/// A finite 0-dimensional persistence pair: a component born at one edge
/// and killed at another.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PersistencePair {
    /// The edge whose entry started the component.
    pub birth_edge: usize,
    /// The edge whose entry merged it into an older component.
    pub death_edge: usize,
    /// `f` of the birth edge.
    pub birth: f64,
    /// `f` of the death edge.
    pub death: f64,
}

impl PersistencePair {
    /// `death - birth` (positive).
    pub fn persistence(&self) -> f64 {
        self.death - self.birth
    }
}

/// The edge filtration of a response and its 0-dimensional persistence.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeFiltration {
    /// `f_e = |V_i - V_j|` per edge.
    pub values: Vec<f64>,
    /// Position of every edge in the filtration order `(f_e, e)`.
    pub position: Vec<usize>,
    /// What every edge does.
    pub types: Vec<EdgeType>,
    /// The finite pairs in cancellation order: increasing persistence, ties
    /// by the death edge's filtration position.
    pub pairs: Vec<PersistencePair>,
    /// Birth edges of the essential classes (one per connected part with an edge).
    pub essential: Vec<usize>,
}

/// Union-find root of `x`, halving the path on the way.
pub(crate) fn root(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// The filtration of the drops of `voltages` on `network`, with its pairs.
pub fn edge_filtration(network: &Network, voltages: &[f64]) -> EdgeFiltration {
    let values: Vec<f64> = network
        .edges()
        .iter()
        .map(|&[i, j]| (voltages[i] - voltages[j]).abs())
        .collect();
    edge_filtration_of(network, values)
}

/// The filtration of `network`'s edges by `values` (one per edge, the
/// magnitudes of their drops: `|dV_e|` for resistors, `|dl_e|` for
/// springs, docs/theory.md section 9), with its pairs.
pub fn edge_filtration_of(network: &Network, values: Vec<f64>) -> EdgeFiltration {
    let edges = network.edges();
    let mut order: Vec<usize> = (0..edges.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    let mut position = vec![0; edges.len()];
    for (p, &e) in order.iter().enumerate() {
        position[e] = p;
    }
    let n = network.node_count();
    let mut parent: Vec<usize> = (0..n).collect();
    let mut entered = vec![false; n];
    // The birth edge of the component each root stands for.
    let mut born = vec![usize::MAX; n];
    let mut types = vec![EdgeType::Cycle; edges.len()];
    let mut pairs = Vec::new();
    for &e in &order {
        let [i, j] = edges[e];
        types[e] = match (entered[i], entered[j]) {
            (false, false) => {
                entered[i] = true;
                entered[j] = true;
                parent[j] = i;
                born[i] = e;
                EdgeType::Birth
            }
            (true, false) | (false, true) => {
                let (old, new) = if entered[i] { (i, j) } else { (j, i) };
                entered[new] = true;
                parent[new] = root(&mut parent, old);
                EdgeType::Attach
            }
            (true, true) => {
                let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
                if ri == rj {
                    EdgeType::Cycle
                } else {
                    // Elder rule: the component born later dies.
                    let (young, old) = if position[born[ri]] > position[born[rj]] {
                        (ri, rj)
                    } else {
                        (rj, ri)
                    };
                    pairs.push(PersistencePair {
                        birth_edge: born[young],
                        death_edge: e,
                        birth: values[born[young]],
                        death: values[e],
                    });
                    parent[young] = old;
                    EdgeType::Death
                }
            }
        };
    }
    pairs.sort_by(|a, b| {
        a.persistence()
            .total_cmp(&b.persistence())
            .then(position[a.death_edge].cmp(&position[b.death_edge]))
    });
    let mut essential: Vec<usize> = (0..n)
        .filter(|&v| entered[v] && root(&mut parent, v) == v)
        .map(|v| born[v])
        .collect();
    essential.sort_by_key(|&e| position[e]);
    EdgeFiltration {
        values,
        position,
        types,
        pairs,
        essential,
    }
}

/// Which role nodes must end in different sectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum RoleMode {
    /// The two ends of each role pair (of each target edge).
    #[default]
    PerEdge,
    /// Every role node apart from every other.
    All,
}

/// The persistent sectors of one response.
#[derive(Debug, Clone, PartialEq)]
pub struct Sectors {
    /// Sector of every node, numbered `0..count` in order of first node.
    pub labels: Vec<usize>,
    /// Number of sectors.
    pub count: usize,
    /// The kept death edges `B`: one per adjacent pair of sectors, in the skeleton.
    pub boundary_edges: Vec<usize>,
    /// The cut set: every edge whose ends lie in different sectors (`B` is in it).
    pub cut_edges: Vec<usize>,
    /// `m*`: pairs cancelled before two role nodes would share a sector.
    pub cancelled: usize,
    /// `tau*`: the persistence of the first pair kept (`None` when all were cancelled).
    pub tau_star: Option<f64>,
    /// Role pairs that share a finest sector and cannot be separated.
    pub inseparable: Vec<[usize; 2]>,
    /// The filtration behind them (diagram, edge types).
    pub filtration: EdgeFiltration,
}

/// The skeleton forest rooted by breadth-first search: parent node, the
/// edge to it, and depth.
struct Forest {
    parent: Vec<Option<(usize, usize)>>,
    depth: Vec<usize>,
}

impl Forest {
    fn of(network: &Network, types: &[EdgeType]) -> Self {
        let n = network.node_count();
        let mut adjacency = vec![Vec::new(); n];
        for (e, &[i, j]) in network.edges().iter().enumerate() {
            if types[e] != EdgeType::Cycle {
                adjacency[i].push((j, e));
                adjacency[j].push((i, e));
            }
        }
        let (mut parent, mut depth, mut seen) = (vec![None; n], vec![0; n], vec![false; n]);
        for start in 0..n {
            if seen[start] {
                continue;
            }
            seen[start] = true;
            let mut queue = std::collections::VecDeque::from([start]);
            while let Some(x) = queue.pop_front() {
                for &(y, e) in &adjacency[x] {
                    if !seen[y] {
                        seen[y] = true;
                        parent[y] = Some((x, e));
                        depth[y] = depth[x] + 1;
                        queue.push_back(y);
                    }
                }
            }
        }
        Self { parent, depth }
    }

    /// The edges of the tree path from `a` to `b`, or `None` in different trees.
    fn path(&self, mut a: usize, mut b: usize) -> Option<Vec<usize>> {
        let mut edges = Vec::new();
        while a != b {
            let (deeper, other) = if self.depth[a] >= self.depth[b] {
                (a, b)
            } else {
                (b, a)
            };
            let (up, e) = self.parent[deeper]?;
            edges.push(e);
            (a, b) = (up, other);
        }
        Some(edges)
    }
}

/// The role pairs of `nodes` under `mode`: the given pairs, or every pair of
/// distinct role nodes.
pub fn role_pairs(pairs: &[[usize; 2]], mode: RoleMode) -> Vec<[usize; 2]> {
    match mode {
        RoleMode::PerEdge => pairs.to_vec(),
        RoleMode::All => {
            let mut nodes: Vec<usize> = pairs.iter().flatten().copied().collect();
            nodes.sort_unstable();
            nodes.dedup();
            nodes
                .iter()
                .enumerate()
                .flat_map(|(k, &a)| nodes[k + 1..].iter().map(move |&b| [a, b]))
                .collect()
        }
    }
}

/// Persistent sectors of `voltages` on `network`, cancelling pairs in
/// persistence order until the nodes of some pair in `roles` (expanded by
/// `mode`) would share a sector.
pub fn persistent_sectors(
    network: &Network,
    voltages: &[f64],
    roles: &[[usize; 2]],
    mode: RoleMode,
) -> Sectors {
    sectors_of_filtration(network, edge_filtration(network, voltages), roles, mode)
}

/// [`persistent_sectors`] of the filtration by per-edge drop magnitudes
/// `values` ([`edge_filtration_of`]): the spring networks' `|dl_e|`.
pub fn persistent_sectors_of_drops(
    network: &Network,
    values: Vec<f64>,
    roles: &[[usize; 2]],
    mode: RoleMode,
) -> Sectors {
    sectors_of_filtration(network, edge_filtration_of(network, values), roles, mode)
}

fn sectors_of_filtration(
    network: &Network,
    filtration: EdgeFiltration,
    roles: &[[usize; 2]],
    mode: RoleMode,
) -> Sectors {
    let mut index = vec![usize::MAX; network.edge_count()];
    for (k, pair) in filtration.pairs.iter().enumerate() {
        index[pair.death_edge] = k;
    }
    let forest = Forest::of(network, &filtration.types);
    let mut inseparable = Vec::new();
    let mut cancelled = filtration.pairs.len();
    for [a, b] in role_pairs(roles, mode) {
        // Two nodes merge when the last death edge on their skeleton path is cancelled.
        let Some(path) = forest.path(a, b) else {
            continue; // different connected parts: always apart
        };
        match path
            .iter()
            .filter(|&&e| index[e] != usize::MAX)
            .map(|&e| index[e])
            .max()
        {
            Some(j) => cancelled = cancelled.min(j),
            None => inseparable.push([a, b]),
        }
    }
    sectors_after(network, filtration, cancelled, inseparable)
}

/// The sectors left after cancelling the first `cancelled` pairs.
fn sectors_after(
    network: &Network,
    filtration: EdgeFiltration,
    cancelled: usize,
    inseparable: Vec<[usize; 2]>,
) -> Sectors {
    let edges = network.edges();
    let kept: Vec<usize> = filtration.pairs[cancelled..]
        .iter()
        .map(|p| p.death_edge)
        .collect();
    let mut is_kept = vec![false; edges.len()];
    for &e in &kept {
        is_kept[e] = true;
    }
    let n = network.node_count();
    let mut parent: Vec<usize> = (0..n).collect();
    for (e, &[i, j]) in edges.iter().enumerate() {
        if filtration.types[e] != EdgeType::Cycle && !is_kept[e] {
            let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
            parent[ri] = rj;
        }
    }
    let mut number = vec![usize::MAX; n];
    let mut count = 0;
    let labels: Vec<usize> = (0..n)
        .map(|v| {
            let r = root(&mut parent, v);
            if number[r] == usize::MAX {
                number[r] = count;
                count += 1;
            }
            number[r]
        })
        .collect();
    let cut_edges = (0..edges.len())
        .filter(|&e| labels[edges[e][0]] != labels[edges[e][1]])
        .collect();
    let mut boundary_edges = kept;
    boundary_edges.sort_unstable();
    Sectors {
        labels,
        count,
        boundary_edges,
        cut_edges,
        cancelled,
        tau_star: filtration.pairs.get(cancelled).map(|p| p.persistence()),
        inseparable,
        filtration,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_network(values: &[f64]) -> (Network, Vec<f64>) {
        let n = values.len();
        let net = Network::with_uniform_conductance(
            (0..n).map(|i| [i as f64, 0.0]).collect(),
            (0..n - 1).map(|i| [i, i + 1]).collect(),
            1.0,
            None,
        )
        .unwrap();
        (net, values.to_vec())
    }

    #[test]
    fn a_path_with_two_plateaus_splits_at_its_steep_edge() {
        // Drops 0.1, 0.05, 0.9, 0.2, 0.1: edge 1 is born first (lowest at
        // both ends), edge 4 second, edge 3 attaches, edge 0 attaches, edge 2
        // kills the younger component born at edge 4.
        let (net, v) = path_network(&[0.0, 0.1, 0.15, 1.05, 1.25, 1.35]);
        let f = edge_filtration(&net, &v);
        use EdgeType::*;
        assert_eq!(f.types, vec![Attach, Birth, Death, Attach, Birth]);
        assert_eq!(f.pairs.len(), 1);
        assert_eq!((f.pairs[0].birth_edge, f.pairs[0].death_edge), (4, 2));
        assert!((f.pairs[0].persistence() - 0.8).abs() < 1e-12);
        assert_eq!(f.essential, vec![1]);
        let s = persistent_sectors(&net, &v, &[[0, 5]], RoleMode::PerEdge);
        assert_eq!(s.labels, vec![0, 0, 0, 1, 1, 1]);
        assert_eq!(
            (s.boundary_edges.clone(), s.cut_edges.clone()),
            (vec![2], vec![2])
        );
        assert_eq!((s.cancelled, s.count), (0, 2));
        // Nodes on one plateau cannot be separated: reported, all pairs cancelled.
        let s = persistent_sectors(&net, &v, &[[0, 2]], RoleMode::PerEdge);
        assert_eq!((s.count, s.inseparable.clone()), (1, vec![[0, 2]]));
        assert_eq!(s.tau_star, None);
    }

    #[test]
    fn all_roles_pairs_every_role_node() {
        assert_eq!(
            role_pairs(&[[1, 2], [3, 1]], RoleMode::All),
            vec![[1, 2], [1, 3], [2, 3]]
        );
        assert_eq!(role_pairs(&[[1, 2]], RoleMode::PerEdge), vec![[1, 2]]);
    }
}
