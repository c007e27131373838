//! The task's cost as a function of its transfer matrix (docs/theory.md
//! section 8): `C(T) = (1/M) sum_mu c(T h_mu, y*_mu)`, its gradient with
//! respect to `T` and the generalised Gauss-Newton curvature
//! `(1/M) sum_mu [d^2 c/dy^2]_+ (x) h_mu h_mu^T` (the identity's for the MSE,
//! the positive part of the cosine cost's Hessian otherwise). Sizes are
//! `p = n_out n_h`, never the number of edges.

use faer::{Mat, Side};

use super::Cost;

/// Cost, gradient and curvature of a task at one transfer matrix. Vectors
/// over `T` are row-major: entry `o n_h + h` is `T[o, h]`.
#[derive(Debug, Clone)]
pub struct TransferCost {
    /// `C(T)`, summed over the samples exactly as [`super::TaskCircuit::score`] does.
    pub cost: f64,
    /// `dC/dT` (`p`).
    pub gradient: Vec<f64>,
    /// The generalised Gauss-Newton matrix (`p x p`, positive semidefinite).
    pub curvature: Mat<f64>,
}

impl TransferCost {
    /// The cost of `cost` at transfer matrix `t` (`n_out x n_h`) over the
    /// samples with held values `held` (one row of `n_h` each) and
    /// `targets` (one row of `n_out` each).
    pub fn new(cost: Cost, t: &Mat<f64>, held: &[Vec<f64>], targets: &[Vec<f64>]) -> Self {
        let (n_out, n_h) = (t.nrows(), t.ncols());
        let p = n_out * n_h;
        let m = held.len() as f64;
        let mut total = 0.0;
        let mut gradient = vec![0.0; p];
        let mut curvature = Mat::zeros(p, p);
        for (h, target) in held.iter().zip(targets) {
            let y: Vec<f64> = (0..n_out)
                .map(|o| (0..n_h).map(|c| t[(o, c)] * h[c]).sum())
                .collect();
            total += cost.value(&y, target);
            let g = cost.gradient(&y, target);
            let hessian = positive_part(cost, &y, target);
            for o in 0..n_out {
                for c in 0..n_h {
                    gradient[o * n_h + c] += g[o] * h[c] / m;
                }
            }
            for o in 0..n_out {
                for q in 0..n_out {
                    let w = hessian[(o, q)];
                    if w == 0.0 {
                        continue;
                    }
                    for a in 0..n_h {
                        for b in 0..n_h {
                            curvature[(o * n_h + a, q * n_h + b)] += w * h[a] * h[b] / m;
                        }
                    }
                }
            }
        }
        Self {
            cost: total / m,
            gradient,
            curvature,
        }
    }
}

/// The positive semidefinite part of the sample cost's Hessian in the
/// outputs: the identity for the MSE; for the cosine cost, whose Hessian is
/// indefinite, the projection onto its non-negative eigenvalues (what keeps
/// the Gauss-Newton model convex).
fn positive_part(cost: Cost, y: &[f64], target: &[f64]) -> Mat<f64> {
    let n = y.len();
    match cost {
        Cost::Mse => Mat::identity(n, n),
        Cost::Cosine => {
            let rows = cost.hessian(y, target);
            let hessian = Mat::from_fn(n, n, |i, j| 0.5 * (rows[i][j] + rows[j][i]));
            let Ok(eigen) = hessian.self_adjoint_eigen(Side::Lower) else {
                return Mat::zeros(n, n);
            };
            let values = eigen.S().column_vector();
            let vectors = eigen.U();
            Mat::from_fn(n, n, |i, j| {
                (0..n)
                    .map(|k| values[k].max(0.0) * vectors[(i, k)] * vectors[(j, k)])
                    .sum()
            })
        }
    }
}
