//! `lambda_max` of the first-order rules' linearised update map
//! (docs/theory.md section 4), which bounds a stable rate
//! ([`step_size`](super::step_size) explains the map).
//!
//! Training estimates `lambda_max` by power iteration with products by
//! `K = Q^T W Q` (`Q` stacks the `J_mu`, `B n_out x E`; `W` is block-diagonal
//! with blocks `(2/B) A Hc_mu`), each two thin matrix products, restricted to
//! the edges the clip lets move. [`update_stiffness`] computes it exactly
//! from the small matrix `W (Q Q^T)`, for tests and small networks. Neither
//! solves anything beyond the iteration's own solves.

use faer::Mat;

use super::batch::BatchResponse;
use super::{LearningError, TaskCircuit};
use crate::physics::sequential_product;

/// Which linearised map [`update_stiffness`] describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapKind {
    /// Coupled Learning in the small-nudge limit: `(2/B) sum J^T A Hc J`.
    CoupledLearning,
    /// Gradient descent: `(1/B) sum J^T Hc J`.
    GradientDescent,
}

/// `lambda_max` of the linearised update map of `kind` per unit rate, on
/// the batch of `batch`: exact, from the eigenvalues of the small matrix
/// `W (Q Q^T)` (module docs). Costs `(B n_out)^2 E` for the Gram matrix and
/// `(B n_out)^3` for the eigenvalues; [`power_stiffness`] is the cheap
/// estimate training uses.
pub fn update_stiffness(
    problem: &TaskCircuit,
    batch: &BatchResponse,
    kind: MapKind,
) -> Result<f64, LearningError> {
    let weights = sample_weights(problem, batch, kind);
    let gram = jacobian_gram(problem, batch);
    let size = gram.nrows();
    let n_out = batch.response.response.ncols();
    // W (Q Q^T), W block-diagonal with one n_out x n_out block per sample.
    let product = Mat::from_fn(size, size, |row, col| {
        let (mu, o) = (row / n_out, row % n_out);
        (0..n_out)
            .map(|p| weights[mu][(o, p)] * gram[(mu * n_out + p, col)])
            .sum::<f64>()
    });
    let eigenvalues = product
        .eigenvalues()
        .map_err(|_| LearningError::InvalidParameter {
            field: "learning_rate",
            reason: "the eigenvalues of the update map did not converge".into(),
        })?;
    checked(
        eigenvalues
            .iter()
            .map(|z| z.re.hypot(z.im))
            .fold(0.0, f64::max),
    )
}

/// Power iterations of [`power_stiffness`].
pub const POWER_ITERATIONS: usize = 20;

/// `lambda_max` of the linearised update map of `kind` restricted to the
/// `active` edges, by [`POWER_ITERATIONS`] power iterations from `start` (the
/// update direction serves: it lies in the range of `K`). Each iteration is
/// two products of `E x n_out` and `E x m` matrices, `m` the columns of the
/// free basis (the driven held nodes when superposed, else the `B`
/// samples), and products with the small coefficient matrix; no `E x E`
/// or `E x B` matrix is formed. The clipped map moves only edges inside `[k_min, k_max]` or
/// pushed back into it, so edges held at a bound drop out of its
/// linearisation. Returns the growth `|K v| / |v|` of the last iteration
/// (the spectral radius in the limit, approached from below).
pub fn power_stiffness(
    problem: &TaskCircuit,
    batch: &BatchResponse,
    kind: MapKind,
    active: &[bool],
    start: &[f64],
) -> Result<f64, LearningError> {
    let weights = sample_weights(problem, batch, kind);
    let (free, response) = (&batch.free, &batch.response.response);
    let (samples, n_out) = (free.sample_count(), response.ncols());
    let kept: Vec<usize> = (0..active.len()).filter(|&e| active[e]).collect();
    let edges = problem.edges().subset(&kept);
    // D: drops of G_O (E x n_out); U: drops of the free basis (E x m), so
    // that the free drops of the batch are V = U c (U itself when not
    // superposed): every product below with V goes through the small
    // coefficient matrix, and no E x B matrix is formed.
    let (d, u_drops) = (
        edges.drops(response.as_ref()),
        edges.drops(free.basis.as_ref()),
    );
    let m = u_drops.ncols();
    let mut x: Vec<f64> = kept.iter().map(|&e| start[e]).collect();
    if x.iter().all(|&s| s == 0.0) {
        x.iter_mut().for_each(|s| *s = 1.0);
    }
    let mut growth = 0.0;
    let mut scaled = Mat::<f64>::zeros(edges.len(), n_out);
    let mut t = Mat::<f64>::zeros(n_out, m);
    let mut p = Mat::<f64>::zeros(edges.len(), n_out);
    for _ in 0..POWER_ITERATIONS {
        let norm = x.iter().map(|a| a * a).sum::<f64>().sqrt();
        if !(norm > 0.0 && norm.is_finite()) {
            break;
        }
        // u = (diag(x) D)^T V = ((diag(x) D)^T U) c: u[o][mu] = (J_mu x)_o
        // up to sign.
        for o in 0..n_out {
            for e in 0..edges.len() {
                scaled[(e, o)] = d[(e, o)] * x[e] / norm;
            }
        }
        matmul(t.as_mut(), scaled.transpose(), u_drops.as_ref());
        let u = match &free.coefficients {
            Some(c) => sequential_product(t.as_ref(), c.as_ref()),
            None => t.clone(),
        };
        // w_mu = W_mu u_mu, then P = V w^T = U (c w^T) and (K x)_e = sum_o D_eo P_eo.
        let w = Mat::from_fn(n_out, samples, |o, mu| {
            (0..n_out)
                .map(|q| weights[mu][(o, q)] * u[(q, mu)])
                .sum::<f64>()
        });
        let mixed = match &free.coefficients {
            Some(c) => sequential_product(c.as_ref(), w.transpose()),
            None => w.transpose().to_owned(),
        };
        matmul(p.as_mut(), u_drops.as_ref(), mixed.as_ref());
        for (e, xe) in x.iter_mut().enumerate() {
            *xe = (0..n_out).map(|o| d[(e, o)] * p[(e, o)]).sum::<f64>();
        }
        growth = x.iter().map(|a| a * a).sum::<f64>().sqrt();
    }
    checked(growth)
}

fn matmul(dst: faer::MatMut<'_, f64>, lhs: faer::MatRef<'_, f64>, rhs: faer::MatRef<'_, f64>) {
    faer::linalg::matmul::matmul(dst, faer::Accum::Replace, lhs, rhs, 1.0, faer::Par::Seq);
}

fn checked(largest: f64) -> Result<f64, LearningError> {
    if largest.is_finite() && largest > 0.0 {
        Ok(largest)
    } else {
        Err(LearningError::InvalidParameter {
            field: "learning_rate",
            reason: format!(
                "\"auto\" needs outputs that respond to the conductances (lambda_max = {largest:e}); give a number"
            ),
        })
    }
}

/// The blocks of `W`: `(2/B) A Hc_mu` (Coupled Learning) or `(1/B) Hc_mu`.
fn sample_weights(problem: &TaskCircuit, batch: &BatchResponse, kind: MapKind) -> Vec<Mat<f64>> {
    let n_out = batch.response.response.ncols();
    let count = batch.samples.len() as f64;
    let conductance_of_outputs = match kind {
        // A = (P G_O)^{-1}, column by column.
        MapKind::CoupledLearning => {
            let columns: Vec<Vec<f64>> = (0..n_out)
                .map(|o| {
                    let mut unit = vec![0.0; n_out];
                    unit[o] = 1.0;
                    batch.response.solve(&unit)
                })
                .collect();
            Some(Mat::from_fn(n_out, n_out, |i, j| columns[j][i]))
        }
        MapKind::GradientDescent => None,
    };
    let scale = match kind {
        MapKind::CoupledLearning => 2.0 / count,
        MapKind::GradientDescent => 1.0 / count,
    };
    let task = problem.task();
    batch
        .samples
        .iter()
        .zip(&batch.free.outputs)
        .map(|(&s, y)| {
            let hessian = task.cost.hessian(y, &task.targets[s]);
            let hc = Mat::from_fn(n_out, n_out, |i, j| hessian[i][j]);
            match &conductance_of_outputs {
                Some(a) => Mat::from_fn(n_out, n_out, |i, j| {
                    scale * (0..n_out).map(|p| a[(i, p)] * hc[(p, j)]).sum::<f64>()
                }),
                None => Mat::from_fn(n_out, n_out, |i, j| scale * hc[(i, j)]),
            }
        })
        .collect()
}

/// `Q Q^T` with `Q[(mu, o)][e] = D_eo dV_e^mu` (`J` up to its sign), where
/// `D` holds the drops of `G_O`.
fn jacobian_gram(problem: &TaskCircuit, batch: &BatchResponse) -> Mat<f64> {
    let response = &batch.response.response;
    let (samples, n_out) = (batch.free.sample_count(), response.ncols());
    let edges = problem.edges();
    let (d, v) = (edges.drops(response.as_ref()), batch.free.edge_drops(edges));
    let q = Mat::from_fn(edges.len(), samples * n_out, |e, col| {
        d[(e, col % n_out)] * v[(e, col / n_out)]
    });
    let size = samples * n_out;
    let mut gram = Mat::zeros(size, size);
    matmul(gram.as_mut(), q.transpose(), q.as_ref());
    gram
}
