//! Statistics of the analysis: the spectral gap that counts stiff modes,
//! and relative conductance (the paper's Fig. 8). Correlations are in
//! [`crate::statistics`], below every layer.

use crate::network::Network;

/// Number of eigenvalues above the largest gap in `log10` of the positive
/// eigenvalues (sorted in any order): the count of stiff modes. Eigenvalues
/// below `floor` times the largest are treated as zero.
pub fn stiff_mode_count(eigenvalues: &[f64]) -> usize {
    let mut positive: Vec<f64> = eigenvalues.iter().copied().filter(|&v| v > 0.0).collect();
    positive.sort_by(|a, b| b.total_cmp(a));
    if positive.len() < 2 {
        return positive.len();
    }
    let floor = positive[0] * 1e-14;
    let logs: Vec<f64> = positive.iter().map(|v| v.max(floor).log10()).collect();
    let (mut best, mut count) = (0.0, 1);
    for k in 0..logs.len() - 1 {
        let gap = logs[k] - logs[k + 1];
        if gap > best {
            best = gap;
            count = k + 1;
        }
    }
    count
}

/// `k_e` over the mean conductance of the edges that share a node with `e`
/// (the paper's relative conductance). Edges with no neighbour get NaN.
pub fn relative_conductance(network: &Network) -> Vec<f64> {
    let k = network.conductance();
    let mut sum = vec![0.0; network.node_count()];
    let mut count = vec![0usize; network.node_count()];
    for (&[i, j], &ke) in network.edges().iter().zip(k) {
        for node in [i, j] {
            sum[node] += ke;
            count[node] += 1;
        }
    }
    network
        .edges()
        .iter()
        .zip(k)
        .map(|(&[i, j], &ke)| {
            let neighbours = (count[i] + count[j]) as f64 - 2.0;
            let total = sum[i] + sum[j] - 2.0 * ke;
            if neighbours > 0.0 {
                ke / (total / neighbours)
            } else {
                f64::NAN
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spectral_gaps() {
        assert_eq!(stiff_mode_count(&[1e-9, 2e-9, 5.0, 3.0, 1e-8, 4.0, 2.0]), 4);
        assert_eq!(stiff_mode_count(&[1.0, 0.5, 0.01]), 2);
        assert_eq!(stiff_mode_count(&[1.0, 0.5, 0.25]), 1);
    }

    #[test]
    fn relative_conductance_of_a_star() {
        // Node 0 joined to 1, 2, 3 with k = 1, 2, 3: edge 0's neighbours are edges 1 and 2.
        let net = Network::new(
            vec![[0.0, 0.0]; 4],
            vec![[0, 1], [0, 2], [0, 3]],
            vec![1.0, 2.0, 3.0],
            None,
        )
        .unwrap();
        let r = relative_conductance(&net);
        assert!((r[0] - 1.0 / 2.5).abs() < 1e-15 && (r[2] - 3.0 / 1.5).abs() < 1e-15);
    }
}
