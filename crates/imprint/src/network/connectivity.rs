//! The graph a network's physics depends on: its connected components
//! (each needs a held voltage for the bordered Hessian of docs/theory.md
//! section 1 to be invertible) and its node degrees. Here, with the
//! network, so that generators, the solver and the analysis use them from
//! below.

use super::Network;

/// Connected components of a network's graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Components {
    /// Component label of every node, numbered `0..count` in order of each
    /// component's smallest node.
    pub label: Vec<usize>,
    /// Number of components.
    pub count: usize,
}

impl Components {
    /// Finds the connected components by union-find (near-linear in `E`).
    pub fn of(network: &Network) -> Self {
        let n = network.node_count();
        let mut parent: Vec<usize> = (0..n).collect();
        fn root(parent: &mut [usize], mut node: usize) -> usize {
            while parent[node] != node {
                parent[node] = parent[parent[node]];
                node = parent[node];
            }
            node
        }
        for &[i, j] in network.edges() {
            let (a, b) = (root(&mut parent, i), root(&mut parent, j));
            if a != b {
                parent[a.max(b)] = a.min(b);
            }
        }
        let mut label = vec![usize::MAX; n];
        let mut count = 0;
        for node in 0..n {
            let r = root(&mut parent, node);
            if label[r] == usize::MAX {
                label[r] = count;
                count += 1;
            }
            label[node] = label[r];
        }
        Self { label, count }
    }

    /// Nodes of every component, each list in increasing order.
    pub fn members(&self) -> Vec<Vec<usize>> {
        let mut members = vec![Vec::new(); self.count];
        for (node, &c) in self.label.iter().enumerate() {
            members[c].push(node);
        }
        members
    }

    /// Number of nodes in every component.
    pub fn sizes(&self) -> Vec<usize> {
        let mut sizes = vec![0; self.count];
        for &c in &self.label {
            sizes[c] += 1;
        }
        sizes
    }
}

/// Summary of the node degrees (coordination numbers) of a network.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DegreeStatistics {
    /// Smallest degree.
    pub min: usize,
    /// Largest degree.
    pub max: usize,
    /// Mean degree `Z = 2E / N`.
    pub mean: f64,
    /// Standard deviation of the degree.
    pub std: f64,
}

impl DegreeStatistics {
    /// Degree statistics of `network`.
    pub fn of(network: &Network) -> Self {
        let degrees = network.degrees();
        let n = degrees.len() as f64;
        let mean = 2.0 * network.edge_count() as f64 / n;
        let variance = degrees
            .iter()
            .map(|&d| (d as f64 - mean).powi(2))
            .sum::<f64>()
            / n;
        Self {
            min: degrees.iter().copied().min().unwrap_or(0),
            max: degrees.iter().copied().max().unwrap_or(0),
            mean,
            std: variance.sqrt(),
        }
    }
}

/// The nodes left when every node with fewer than `min_degree` edges is
/// removed, and removed again as removals lower its neighbours' degrees
/// (the `min_degree`-core; the order of removal does not change it):
/// `kept[i]` for each of `node_count` nodes joined by `edges`. With 3 it
/// removes the rattlers of a 2D packing or spring network.
pub fn peel(node_count: usize, edges: &[[usize; 2]], min_degree: usize) -> Vec<bool> {
    let mut neighbours = vec![Vec::new(); node_count];
    for &[i, j] in edges {
        neighbours[i].push(j);
        neighbours[j].push(i);
    }
    let mut degree: Vec<usize> = neighbours.iter().map(Vec::len).collect();
    let mut kept = vec![true; node_count];
    let mut queue: Vec<usize> = (0..node_count)
        .filter(|&i| degree[i] < min_degree)
        .collect();
    while let Some(i) = queue.pop() {
        if !kept[i] {
            continue;
        }
        kept[i] = false;
        for &j in &neighbours[i] {
            if kept[j] {
                degree[j] -= 1;
                if degree[j] + 1 == min_degree {
                    queue.push(j);
                }
            }
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_components_of_a_hand_made_graph() {
        // 0-1-2, 3-4, 5 isolated, and 6 joined to 2.
        let positions = vec![[0.0, 0.0]; 7];
        let net = Network::with_uniform_conductance(
            positions,
            vec![[0, 1], [3, 4], [1, 2], [6, 2]],
            1.0,
            None,
        )
        .unwrap();
        let c = Components::of(&net);
        assert_eq!(c.count, 3);
        assert_eq!(c.label, vec![0, 0, 0, 1, 1, 2, 0]);
        assert_eq!(c.members(), vec![vec![0, 1, 2, 6], vec![3, 4], vec![5]]);
        assert_eq!(c.sizes(), vec![4, 2, 1]);
        let d = DegreeStatistics::of(&net);
        assert_eq!((d.min, d.max), (0, 2));
        assert!((d.mean - 8.0 / 7.0).abs() < 1e-15);
    }
}
