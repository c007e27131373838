//! The physical Hessian: the bordered Laplacian of THEORY.md section 1 (eq. 2),
//!
//! ```text
//! H = [ L    Q ]     L = B^T diag(k) B,  Q = canonical columns of the fixed nodes,
//!     [ Q^T  0 ]     size n = N + |C|, symmetric and indefinite.
//! ```
//!
//! Sparse for any size; dense only for small networks (analysis and tests).
//! Solves never use this matrix: see [`Solver`](super::Solver).

use faer::sparse::{SparseColMat, Triplet};
use faer::Mat;

use super::PhysicsError;
use crate::network::Network;

/// The bordered Hessian `H` of `network` with the nodes `constrained` fixed,
/// as a sparse matrix with both triangles stored.
pub fn physical_hessian(
    network: &Network,
    constrained: &[usize],
) -> Result<SparseColMat<usize, f64>, PhysicsError> {
    let n_nodes = network.node_count();
    for &node in constrained {
        if node >= n_nodes {
            return Err(PhysicsError::UnknownNode {
                role: "fixed",
                node,
                node_count: n_nodes,
            });
        }
    }
    let mut triplets = Vec::with_capacity(4 * network.edge_count() + 2 * constrained.len());
    for (&[i, j], &k) in network.edges().iter().zip(network.conductance()) {
        triplets.extend([
            Triplet::new(i, i, k),
            Triplet::new(j, j, k),
            Triplet::new(i, j, -k),
            Triplet::new(j, i, -k),
        ]);
    }
    for (c, &node) in constrained.iter().enumerate() {
        triplets.push(Triplet::new(node, n_nodes + c, 1.0));
        triplets.push(Triplet::new(n_nodes + c, node, 1.0));
    }
    let n = n_nodes + constrained.len();
    Ok(SparseColMat::try_new_from_triplets(n, n, &triplets)
        .expect("Hessian triplets are in range by construction"))
}

/// The bordered Hessian `H` as a dense matrix (for small networks only: it
/// has `(N + |C|)^2` entries).
pub fn physical_hessian_dense(
    network: &Network,
    constrained: &[usize],
) -> Result<Mat<f64>, PhysicsError> {
    Ok(physical_hessian(network, constrained)?.to_dense())
}
