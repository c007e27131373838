//! The spectrum of the physical Hessian `H` and the partial susceptibility
//! (docs/theory.md section 2, eq. 19-24).
//!
//! Dense: every eigenpair of `H`. Large networks: the `m` softest modes
//! (smallest `|lambda|`) by Lanczos iteration on `H^{-1}` (shift-invert at
//! zero, applied with the sparse factorisation; `H` is indefinite, and the
//! largest `|1/lambda|` are exactly the smallest `|lambda|`), with full
//! reorthogonalisation.

use faer::{Mat, MatRef, Side};

use crate::physics::refine::INSIDE_ESTIMATES;
use crate::physics::{Factorization, Incidence, PhysicsError};
use crate::random::Rng;

/// Eigenpairs of `H`, ordered by `|lambda|` ascending (softest first).
#[derive(Debug, Clone)]
pub struct PhysicalModes {
    /// Eigenvalues `lambda_n`.
    pub eigenvalues: Vec<f64>,
    /// Orthonormal eigenvectors `phi_n`, one column each (`n x m`).
    pub eigenvectors: Mat<f64>,
    /// Largest relative residual `|H phi - lambda phi| / |lambda|` (0 for dense).
    pub residual: f64,
}

/// Every eigenpair of a dense symmetric `H`.
pub fn physical_modes_dense(hessian: &Mat<f64>) -> PhysicalModes {
    let evd = hessian
        .self_adjoint_eigen(Side::Lower)
        .expect("symmetric eigendecomposition converges");
    let values: Vec<f64> = evd.S().column_vector().iter().copied().collect();
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].abs().total_cmp(&values[b].abs()));
    let u = evd.U();
    PhysicalModes {
        eigenvalues: order.iter().map(|&i| values[i]).collect(),
        eigenvectors: Mat::from_fn(u.nrows(), order.len(), |r, c| u[(r, order[c])]),
        residual: 0.0,
    }
}

/// The `count` softest modes of `H` by Lanczos on `H^{-1}` with a Krylov
/// space of `krylov` vectors (at least `count + 20`), from a seeded start.
pub fn physical_modes_lanczos(
    factor: &Factorization,
    hessian_apply: impl Fn(&[f64]) -> Vec<f64>,
    count: usize,
    krylov: usize,
    seed: u64,
) -> Result<PhysicalModes, PhysicsError> {
    let n = factor.solver().dimension();
    let krylov = krylov.max(count + 20).min(n);
    let count = count.min(krylov);
    let mut rng = Rng::new(seed);
    let mut q: Vec<Vec<f64>> = Vec::with_capacity(krylov);
    let mut v: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    normalise(&mut v);
    let (mut alpha, mut beta) = (Vec::new(), Vec::new());
    for step in 0..krylov {
        q.push(v.clone());
        // The modes are checked by their residual against H below, which
        // no solve enters: the solves need not be certified to CERTIFIED.
        let (w, _) = factor
            .solve_states_refined_to(MatRef::from_column_major_slice(&v, n, 1), INSIDE_ESTIMATES)?;
        let mut w: Vec<f64> = w.col(0).iter().copied().collect();
        let a = dot(&w, &v);
        alpha.push(a);
        // Full reorthogonalisation (twice is enough), against every basis vector.
        for _ in 0..2 {
            for basis in &q {
                let c = dot(&w, basis);
                w.iter_mut().zip(basis).for_each(|(x, b)| *x -= c * b);
            }
        }
        let b = norm(&w);
        if step + 1 == krylov || b < 1e-14 * a.abs().max(1e-300) {
            break;
        }
        beta.push(b);
        w.iter_mut().for_each(|x| *x /= b);
        v = w;
    }
    let size = alpha.len();
    let tridiagonal = Mat::from_fn(size, size, |i, j| {
        if i == j {
            alpha[i]
        } else if i == j + 1 {
            beta[j]
        } else if j == i + 1 {
            beta[i]
        } else {
            0.0
        }
    });
    let evd = tridiagonal
        .self_adjoint_eigen(Side::Lower)
        .expect("tridiagonal eigendecomposition converges");
    let theta: Vec<f64> = evd.S().column_vector().iter().copied().collect();
    let mut order: Vec<usize> = (0..size).collect();
    // Largest |theta| = smallest |lambda|.
    order.sort_by(|&a, &b| theta[b].abs().total_cmp(&theta[a].abs()));
    order.truncate(count.min(size));
    let y = evd.U();
    let mut eigenvectors = Mat::zeros(n, order.len());
    let mut eigenvalues = Vec::with_capacity(order.len());
    let mut residual: f64 = 0.0;
    for (c, &k) in order.iter().enumerate() {
        let mut phi = vec![0.0; n];
        for (j, basis) in q.iter().enumerate().take(size) {
            let weight = y[(j, k)];
            phi.iter_mut()
                .zip(basis)
                .for_each(|(p, b)| *p += weight * b);
        }
        normalise(&mut phi);
        let lambda = 1.0 / theta[k];
        let h_phi = hessian_apply(&phi);
        let r = h_phi
            .iter()
            .zip(&phi)
            .map(|(h, p)| (h - lambda * p).powi(2))
            .sum::<f64>()
            .sqrt()
            / lambda.abs();
        residual = residual.max(r);
        for (r, p) in phi.into_iter().enumerate() {
            eigenvectors[(r, c)] = p;
        }
        eigenvalues.push(lambda);
    }
    Ok(PhysicalModes {
        eigenvalues,
        eigenvectors,
        residual,
    })
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

fn normalise(a: &mut [f64]) {
    let n = norm(a);
    a.iter_mut().for_each(|x| *x /= n);
}

/// Per mode, `w_n = sum_e (phi_n . bb_e)^2 / lambda_n^2`: mode `n`'s share of
/// `sum_e chi_e^2` (eq. 20 summed over edges).
pub fn mode_weights(modes: &PhysicalModes, edges: &Incidence) -> Vec<f64> {
    (0..modes.eigenvalues.len())
        .map(|c| {
            let lambda = modes.eigenvalues[c];
            (0..edges.len())
                .map(|e| edges.drop_in(e, |dof| modes.eigenvectors[(dof, c)]).powi(2))
                .sum::<f64>()
                / (lambda * lambda)
        })
        .collect()
}

/// The partial-susceptibility curve `sum_e |s_e^(m)|^2 / total` for
/// `m = 1..=modes` (eq. 24), with `total = sum_e chi_e^2`.
pub fn partial_susceptibility(weights: &[f64], total: f64) -> Vec<f64> {
    let mut running = 0.0;
    weights
        .iter()
        .map(|w| {
            running += w;
            running / total
        })
        .collect()
}

/// The partial susceptibility as the paper's authors compute it (docs/theory.md
/// section 2, their notebook cell 37): modes in ascending ALGEBRAIC
/// eigenvalue order (the negative border eigenvalues first), and the ratio of
/// Frobenius norms `||S^(m)||_F / ||S||_F` for `m = 1..=n`, where row `e` of
/// `S^(m)` is `s_e^(m)`. Needs every mode and its [`mode_weights`];
/// `total = sum_e chi_e^2`.
pub fn partial_susceptibility_norm(modes: &PhysicalModes, weights: &[f64], total: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| modes.eigenvalues[a].total_cmp(&modes.eigenvalues[b]));
    let mut running = 0.0;
    order
        .iter()
        .map(|&m| {
            running += weights[m];
            (running / total).sqrt()
        })
        .collect()
}

/// Per-edge `|s_e^(m)|^2` for the first `m` modes.
pub fn partial_susceptibility_per_edge(
    modes: &PhysicalModes,
    edges: &Incidence,
    m: usize,
) -> Vec<f64> {
    (0..edges.len())
        .map(|e| {
            (0..m.min(modes.eigenvalues.len()))
                .map(|c| {
                    (edges.drop_in(e, |dof| modes.eigenvectors[(dof, c)]) / modes.eigenvalues[c])
                        .powi(2)
                })
                .sum()
        })
        .collect()
}
