//! The tensor identity of docs/theory.md section 3 (paper eq. 10-12), computed
//! literally for small networks: the training tensor
//! `T_abcd = (1/M) sum_mu (f_mu)_a (P^T W_mu P)_bc (f_mu)_d` contracted with
//! the susceptibility tensor `X^{ef}_abcd = (s_e)_a (s_e)_b (s_f)_c (s_f)_d`
//! equals the Gauss-Newton Hessian `G_ef`. Memory `n^4`: a check, not a method.

use faer::Mat;

use crate::learning::TaskCircuit;

/// Largest size `n = N + |C|` for which the tensors are formed.
pub const TENSOR_LIMIT: usize = 64;

/// Largest relative difference `|T : X^{ef} - G_ef| / max |G|` over the edge
/// pairs `pairs`; `None` when the network is larger than [`TENSOR_LIMIT`].
pub fn tensor_identity_error(
    problem: &TaskCircuit,
    susceptibility_vectors: &Mat<f64>,
    output_hessians: &[Mat<f64>],
    gauss_newton: &Mat<f64>,
    pairs: &[(usize, usize)],
) -> Option<f64> {
    let n = susceptibility_vectors.nrows();
    if n > TENSOR_LIMIT {
        return None;
    }
    let task = problem.task();
    let drives = problem.drives();
    let m = task.sample_count();
    // P as a dense n_out x n matrix.
    let n_out = task.readout.len();
    let mut p = Mat::<f64>::zeros(n_out, n);
    for (o, row) in problem.readout_rows().iter().enumerate() {
        for &(a, v) in row.entries() {
            p[(o, a)] += v;
        }
    }
    let mut training = vec![0.0; n * n * n * n];
    let index = |a: usize, b: usize, c: usize, d: usize| ((a * n + b) * n + c) * n + d;
    for (mu, w) in output_hessians.iter().enumerate().take(m) {
        let s = p.transpose() * w * &p;
        for a in 0..n {
            let fa = drives[(a, mu)];
            if fa == 0.0 {
                continue;
            }
            for d in 0..n {
                let fd = drives[(d, mu)];
                if fd == 0.0 {
                    continue;
                }
                for b in 0..n {
                    for c in 0..n {
                        training[index(a, b, c, d)] += fa * s[(b, c)] * fd / m as f64;
                    }
                }
            }
        }
    }
    let scale = (0..gauss_newton.nrows())
        .map(|e| gauss_newton[(e, e)].abs())
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    let sv = susceptibility_vectors;
    let worst = pairs
        .iter()
        .map(|&(e, f)| {
            let mut sum = 0.0;
            for a in 0..n {
                for b in 0..n {
                    let ab = sv[(a, e)] * sv[(b, e)];
                    for c in 0..n {
                        let abc = ab * sv[(c, f)];
                        for d in 0..n {
                            sum += training[index(a, b, c, d)] * abc * sv[(d, f)];
                        }
                    }
                }
            }
            (sum - gauss_newton[(e, f)]).abs() / scale
        })
        .fold(0.0, f64::max);
    Some(worst)
}
