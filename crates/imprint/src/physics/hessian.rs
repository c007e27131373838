//! The physical Hessian: the bordered Laplacian of docs/theory.md section 1 (eq. 2),
//!
//! ```text
//! H = [ L    Q ]     L = B^T diag(k) B,  Q = canonical columns of the fixed nodes,
//!     [ Q^T  0 ]     size n = N + |C|, symmetric and indefinite.
//! ```
//!
//! For 2D springs `L` is the stiffness matrix `K = Q diag(k) Q^T` over the
//! `2N` displacements and `Q` borders the held degrees of freedom (section 9).
//! Sparse for any size; dense only for small networks (analysis and tests).
//! Solves never use this matrix: see [`Solver`](super::Solver).

use faer::sparse::{SparseColMat, Triplet};
use faer::Mat;

use super::PhysicsError;
use crate::network::{Network, Physics};

/// The bordered Hessian `H` of `network` with the degrees of freedom
/// `constrained` fixed (nodes for resistors; `2 node + component` for 2D
/// springs, whose `K = Q diag(k) Q^T` takes the place of `L`, section 9),
/// as a sparse matrix with both triangles stored.
pub fn physical_hessian(
    network: &Network,
    constrained: &[usize],
) -> Result<SparseColMat<usize, f64>, PhysicsError> {
    let n_nodes = network.node_count();
    let dofs = n_nodes * network.physics().dofs_per_node();
    for &dof in constrained {
        if dof >= dofs {
            return Err(if network.physics() == Physics::Resistive {
                PhysicsError::UnknownNode {
                    role: "fixed",
                    node: dof,
                    node_count: n_nodes,
                }
            } else {
                PhysicsError::UnknownDof { dof, dofs }
            });
        }
    }
    let mut triplets = Vec::with_capacity(16 * network.edge_count() + 2 * constrained.len());
    if network.physics() == Physics::Resistive {
        for (&[i, j], &k) in network.edges().iter().zip(network.conductance()) {
            triplets.extend([
                Triplet::new(i, i, k),
                Triplet::new(j, j, k),
                Triplet::new(i, j, -k),
                Triplet::new(j, i, -k),
            ]);
        }
    } else {
        for (e, &k) in network.conductance().iter().enumerate() {
            let stencil = network.edge_stencil(e);
            for &(a, qa) in stencil.entries() {
                for &(b, qb) in stencil.entries() {
                    triplets.push(Triplet::new(a, b, k * qa * qb));
                }
            }
        }
    }
    for (c, &dof) in constrained.iter().enumerate() {
        triplets.push(Triplet::new(dof, dofs + c, 1.0));
        triplets.push(Triplet::new(dofs + c, dof, 1.0));
    }
    let n = dofs + constrained.len();
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

/// `H v` for a sparse `H` from [`physical_hessian`] (both triangles stored).
pub fn hessian_times(hessian: &SparseColMat<usize, f64>, v: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; v.len()];
    let symbolic = hessian.symbolic();
    for (col, &x) in v.iter().enumerate() {
        let range = symbolic.col_range(col);
        for (row, value) in symbolic.row_idx()[range.clone()]
            .iter()
            .zip(&hessian.val()[range])
        {
            out[*row] += value * x;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_product_equals_the_dense_one() {
        let net = Network::new(
            vec![[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
            vec![[0, 1], [1, 3], [3, 2], [2, 0], [0, 3]],
            vec![1.0, 2.0, 0.5, 3.0, 0.25],
            None,
        )
        .unwrap();
        let sparse = physical_hessian(&net, &[0, 3]).unwrap();
        let dense = physical_hessian_dense(&net, &[0, 3]).unwrap();
        let v: Vec<f64> = (0..6).map(|i| 1.0 + i as f64 * 0.7).collect();
        let product = hessian_times(&sparse, &v);
        for (r, p) in product.iter().enumerate() {
            let expected: f64 = (0..6).map(|c| dense[(r, c)] * v[c]).sum();
            assert!((p - expected).abs() < 1e-14, "row {r}: {p} vs {expected}");
        }
    }
}
