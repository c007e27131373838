//! Graph structure that the physics depends on: connected components (each
//! needs a fixed voltage for the bordered Hessian of docs/theory.md section 1 to be
//! invertible), degree statistics, and persistent sectors of node fields
//! (docs/theory.md section 5).

pub mod sectors;

use crate::network::Network;

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

/// What `imprint network info` prints: size, degrees, components,
/// conductance range, the periodic box and the provenance metadata.
#[derive(Debug, Clone)]
pub struct Description<'a> {
    network: &'a Network,
    degrees: DegreeStatistics,
    components: Components,
}

impl<'a> Description<'a> {
    /// Describes `network`.
    pub fn of(network: &'a Network) -> Self {
        Self {
            network,
            degrees: DegreeStatistics::of(network),
            components: Components::of(network),
        }
    }
}

impl std::fmt::Display for Description<'_> {
    /// Aligned `name  value` lines.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (network, degrees) = (self.network, &self.degrees);
        let mut sizes = self.components.sizes();
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        let k = network.conductance();
        let (k_min, k_max) = k.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
        let k_mean = k.iter().sum::<f64>() / k.len() as f64;
        writeln!(f, "nodes        {}", network.node_count())?;
        writeln!(f, "edges        {}", network.edge_count())?;
        writeln!(
            f,
            "degree       mean Z = {:.4}, min {}, max {}, std {:.3}",
            degrees.mean, degrees.min, degrees.max, degrees.std
        )?;
        let shown: Vec<String> = sizes.iter().take(5).map(|s| s.to_string()).collect();
        writeln!(
            f,
            "components   {} (sizes {}{})",
            self.components.count,
            shown.join(", "),
            if sizes.len() > 5 { ", ..." } else { "" }
        )?;
        writeln!(
            f,
            "conductance  min {k_min:.6e}, mean {k_mean:.6e}, max {k_max:.6e}"
        )?;
        match network.periodic_box() {
            Some([lx, ly]) => {
                let crossing = (0..network.edge_count())
                    .filter(|&e| network.crosses_box(e))
                    .count();
                write!(
                    f,
                    "periodic     yes, box {lx} x {ly}, {crossing} edges cross it"
                )?;
            }
            None => write!(f, "periodic     no")?,
        }
        for (key, value) in network.metadata() {
            write!(f, "\nmetadata     {key} = {value}")?;
        }
        Ok(())
    }
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
