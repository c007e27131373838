//! The cost Hessian (docs/theory.md section 3): Jacobian of the outputs, the
//! Gauss-Newton Hessian `G` (eq. 7, 9, Appendix A), the full Hessian valid
//! away from the minimum, and the stiff modes from the small Gram matrix for
//! networks too large for an `E x E` matrix.
//!
//! Everything is built from one factorisation: the free states of the samples
//! and the output response `G_O = H^{-1} P^T` give
//! `J_mu[o, e] = -(P s_e)_o dV_e^mu = -((G_O)_i - (G_O)_j)_o dV_e^mu`.
//!
//! On the scalable path the samples enter only through their held values:
//! every output is `y_mu = T h_mu` (docs/theory.md section 8), so
//! `J_mu = sum_h (dT/dk)[:, h] h_mu,h` and
//! `G = R^T Wc R` with `R = d vec T / dk` (`p x E`, `p = n_out n_h`) and `Wc`
//! the `p x p` Gauss-Newton curvature in `T` (the samples' output Hessians
//! weighted by their held values' second moments, [`TransferCost`]).
//! [`TransferGaussNewton`] takes the stiff modes from that `p x p` Gram
//! matrix: `p` rows instead of the per-sample path's `M n_out`, which stays
//! as the reference its tests compare with.

use faer::{Mat, Side};

use super::AnalysisError;
use crate::learning::{BatchResponse, TaskCircuit, TransferCost};
use crate::physics::{sequential_product, Factorization};

/// The output Jacobian of every sample and the output Hessians of the cost.
#[derive(Debug, Clone)]
pub struct CostJacobian {
    /// Rows `mu * n_out + o`, one column per edge: `dy_{mu,o} / dk_e`.
    pub rows: Mat<f64>,
    /// `hess_y c(y_mu)` per sample (`n_out x n_out`).
    pub output_hessians: Vec<Mat<f64>>,
    /// Free states and outputs of every sample, and the output response.
    pub batch: BatchResponse,
}

impl CostJacobian {
    /// Jacobians of all training samples.
    pub fn new(problem: &TaskCircuit, factor: &Factorization) -> Result<Self, AnalysisError> {
        let all: Vec<usize> = (0..problem.task().sample_count()).collect();
        let batch = problem.batch_response(factor, &all)?;
        let (free, response) = (&batch.free, &batch.response);
        let edges = problem.edges();
        let n_out = response.response.ncols();
        let drops = free.edge_drops(edges);
        let response_drops = edges.drops(response.response.as_ref());
        let rows = Mat::from_fn(all.len() * n_out, edges.len(), |r, e| {
            -response_drops[(e, r % n_out)] * drops[(e, r / n_out)]
        });
        let cost = problem.cost();
        let output_hessians = all
            .iter()
            .map(|&s| {
                let h = cost.hessian(&free.outputs[s], &problem.task().targets[s]);
                Mat::from_fn(n_out, n_out, |a, b| h[a][b])
            })
            .collect();
        Ok(Self {
            rows,
            output_hessians,
            batch,
        })
    }

    /// Outputs per sample.
    pub fn outputs(&self) -> usize {
        self.batch.response.response.ncols()
    }

    /// Samples.
    pub fn samples(&self) -> usize {
        self.output_hessians.len()
    }

    /// `W J`: each sample's rows multiplied by its output Hessian.
    fn weighted_rows(&self) -> Mat<f64> {
        let n_out = self.outputs();
        let mut weighted = Mat::zeros(self.rows.nrows(), self.rows.ncols());
        for (s, w) in self.output_hessians.iter().enumerate() {
            let block = w * self.rows.as_ref().subrows(s * n_out, n_out);
            weighted
                .as_mut()
                .subrows_mut(s * n_out, n_out)
                .copy_from(&block);
        }
        weighted
    }

    /// The Gauss-Newton Hessian `G = (1/M) sum_mu J_mu^T W_mu J_mu` (`E x E`; small networks only).
    pub fn gauss_newton(&self) -> Mat<f64> {
        let m = self.samples() as f64;
        let product = self.rows.transpose() * self.weighted_rows();
        Mat::from_fn(product.nrows(), product.ncols(), |a, b| {
            0.5 * (product[(a, b)] + product[(b, a)]) / m
        })
    }

    /// The full Hessian `G + (1/M) sum_mu R_ef (dlambda_f dV_e + dlambda_e dV_f)`
    /// with `lambda_mu = G_O grad_y c(y_mu)` and `R_ef = bb_e . s_f`, from the
    /// susceptibility vectors `s` (`n x E`).
    pub fn full(&self, problem: &TaskCircuit, susceptibility_vectors: &Mat<f64>) -> Mat<f64> {
        let edges = problem.edges();
        let (m, e_count) = (self.samples(), edges.len());
        let gradients = self.batch.output_gradients(problem);
        let n_out = self.outputs();
        // Free drops dV (E x M) and adjoint drops dlambda = (drops of G_O) grad_y c (E x M).
        let drops = self.batch.free.edge_drops(edges);
        let output_gradients = Mat::from_fn(n_out, m, |o, s| gradients[s][o]);
        let adjoint_drops = edges.drops(self.batch.response.response.as_ref()) * &output_gradients;
        let cross = &drops * adjoint_drops.transpose();
        let mut full = self.gauss_newton();
        let s = susceptibility_vectors;
        for f in 0..e_count {
            for e in 0..e_count {
                let transfer = edges.drop_in(e, |dof| s[(dof, f)]);
                full[(e, f)] += transfer * (cross[(e, f)] + cross[(f, e)]) / m as f64;
            }
        }
        full
    }

    /// The `count` stiffest modes of `G` (`None`: as many as lie above the
    /// largest gap of the log spectrum) from the Gram matrix
    /// `K = (1/M) Jw Jw^T` (size `M n_out`), where `Jw = W^{1/2} J` (negative
    /// curvature of `W`, possible away from a minimum of a non-convex cost, is
    /// clipped to zero). Returns eigenvalues (descending) and unit eigenvectors
    /// of `G` as columns (`E x count`).
    pub fn stiff_modes_gram(&self, count: Option<usize>) -> (Vec<f64>, Mat<f64>) {
        let n_out = self.outputs();
        let m = self.samples() as f64;
        let mut scaled = Mat::zeros(self.rows.nrows(), self.rows.ncols());
        for (s, w) in self.output_hessians.iter().enumerate() {
            let evd = w
                .self_adjoint_eigen(Side::Lower)
                .expect("small symmetric eigendecomposition");
            let root = Mat::from_fn(n_out, n_out, |a, b| {
                (0..n_out)
                    .map(|k| {
                        evd.U()[(a, k)]
                            * evd.S().column_vector()[k].max(0.0).sqrt()
                            * evd.U()[(b, k)]
                    })
                    .sum::<f64>()
            });
            let block = &root * self.rows.as_ref().subrows(s * n_out, n_out);
            scaled
                .as_mut()
                .subrows_mut(s * n_out, n_out)
                .copy_from(&block);
        }
        let gram = (&scaled * scaled.transpose()) * faer::Scale(1.0 / m);
        let evd = gram
            .self_adjoint_eigen(Side::Lower)
            .expect("Gram eigendecomposition");
        let values: Vec<f64> = evd.S().column_vector().iter().copied().collect();
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
        let count = count
            .unwrap_or_else(|| super::statistics::stiff_mode_count(&values))
            .min(values.len());
        let mut vectors = Mat::zeros(self.rows.ncols(), count);
        for (c, &k) in order.iter().take(count).enumerate() {
            let u = evd.U().col(k);
            let lambda = values[k].max(f64::MIN_POSITIVE);
            for e in 0..self.rows.ncols() {
                vectors[(e, c)] = (0..scaled.nrows())
                    .map(|r| scaled[(r, e)] * u[r])
                    .sum::<f64>()
                    / (m * lambda).sqrt();
            }
        }
        (order.iter().map(|&k| values[k]).collect(), vectors)
    }
}

/// The Gauss-Newton Hessian's stiff modes, the cost and its gradient, all
/// through the task's transfer matrix: one factorisation, `n_h + n_out`
/// solves and `p x E` numbers, whatever the number of samples.
#[derive(Debug, Clone)]
pub struct TransferGaussNewton {
    /// The training cost `(1/M) sum_mu c(T h_mu)`.
    pub cost: f64,
    /// `dC/dk_e` per edge.
    pub gradient: Vec<f64>,
    /// The nonzero spectrum of `G`: the `p` eigenvalues of the Gram matrix,
    /// descending.
    pub values: Vec<f64>,
    /// The stiff modes of `G` as unit columns (`E x count`).
    pub stiff: Mat<f64>,
    /// `p = n_out n_h`, the Gram matrix's size.
    pub size: usize,
}

impl TransferGaussNewton {
    /// The stiff modes of `problem` at the conductances `factor` holds:
    /// `count` of them, or (`None`) as many as lie above the largest gap of
    /// the log spectrum, `G`'s `E - p` zero eigenvalues counted at the
    /// numerical floor as the per-sample path's are.
    pub fn new(
        problem: &TaskCircuit,
        factor: &Factorization,
        count: Option<usize>,
    ) -> Result<Self, AnalysisError> {
        let transfer = problem.transfer(factor)?;
        let held = problem.held_values();
        let targets = &problem.task().targets;
        let objective = TransferCost::new(problem.cost(), &transfer.matrix, &held, targets);
        let edges = problem.edges();
        // R = d vec(T) / dk (p x E); B = Wc^{1/2} R, G = B^T B, K = B B^T.
        let jacobian = transfer.dense_jacobian(edges);
        let p = jacobian.nrows();
        let gradient = (0..edges.len())
            .map(|e| {
                (0..p)
                    .map(|q| jacobian[(q, e)] * objective.gradient[q])
                    .sum()
            })
            .collect();
        let root = psd_square_root(&objective.curvature);
        let scaled = sequential_product(root.as_ref(), jacobian.as_ref());
        drop(jacobian);
        let gram = sequential_product(scaled.as_ref(), scaled.transpose());
        let (values, vectors) = descending_eigen(&gram);
        let count = count
            .unwrap_or_else(|| {
                let mut spectrum = values.clone();
                if edges.len() > p {
                    let floor = values.first().copied().unwrap_or(0.0) * 1e-14;
                    spectrum.push(floor);
                }
                super::statistics::stiff_mode_count(&spectrum)
            })
            .min(p);
        let mut stiff = Mat::zeros(edges.len(), count);
        for c in 0..count {
            let lambda = values[c].max(f64::MIN_POSITIVE);
            for e in 0..edges.len() {
                stiff[(e, c)] = (0..p)
                    .map(|q| scaled[(q, e)] * vectors[(q, c)])
                    .sum::<f64>()
                    / lambda.sqrt();
            }
        }
        Ok(Self {
            cost: objective.cost,
            gradient,
            values,
            stiff,
            size: p,
        })
    }
}

/// The symmetric square root of a positive semidefinite matrix (negative
/// rounding clipped to zero).
fn psd_square_root(matrix: &Mat<f64>) -> Mat<f64> {
    let (values, vectors) = descending_eigen(matrix);
    let n = values.len();
    Mat::from_fn(n, n, |a, b| {
        (0..n)
            .map(|k| vectors[(a, k)] * values[k].max(0.0).sqrt() * vectors[(b, k)])
            .sum()
    })
}

/// Eigenvalues (descending) and eigenvectors of a dense symmetric matrix.
pub fn descending_eigen(matrix: &Mat<f64>) -> (Vec<f64>, Mat<f64>) {
    let evd = matrix
        .self_adjoint_eigen(Side::Lower)
        .expect("symmetric eigendecomposition converges");
    let values: Vec<f64> = evd.S().column_vector().iter().copied().collect();
    let n = values.len();
    let u = evd.U();
    (
        values.iter().rev().copied().collect(),
        Mat::from_fn(u.nrows(), n, |r, c| u[(r, n - 1 - c)]),
    )
}
