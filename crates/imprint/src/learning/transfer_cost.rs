//! The task's cost as a function of its transfer matrix (docs/theory.md
//! section 8): `C(T) = (1/M) sum_mu c(T h_mu, y*_mu)`, its gradient with
//! respect to `T` and the generalised Gauss-Newton curvature
//! `(1/M) sum_mu [d^2 c/dy^2]_+ (x) h_mu h_mu^T` (the identity's for the MSE,
//! the positive part of the cosine cost's Hessian otherwise). Sizes are
//! `p = n_out n_h`, never the number of edges.
//!
//! A classification has a second objective, the squared hinge on its
//! decision margins ([`Objective::Margin`]): zero exactly when every
//! training sample's class wins by the margin, which the cosine cost's
//! minimum need not do (docs/training.md, the second-order trainer).

use faer::{Mat, Side};

use super::circuit::winner;
use super::Cost;

/// What the second-order trainer minimises as a function of the outputs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Objective {
    /// The task's own cost.
    Task(Cost),
    /// `(1/M) sum_mu sum_{o != c_mu} (1/2) [y_o - y_c_mu + margin]_+^2`,
    /// with `c_mu` the class of sample `mu` (its target's winner): zero
    /// exactly when every class output beats every other output by
    /// `margin` volts. Its Gauss-Newton curvature is exact on each piece.
    Margin(f64),
}

impl Objective {
    /// Value, gradient in the outputs and positive semidefinite curvature
    /// in the outputs of one sample.
    fn sample(self, y: &[f64], target: &[f64]) -> (f64, Vec<f64>, Mat<f64>) {
        match self {
            Self::Task(cost) => (
                cost.value(y, target),
                cost.gradient(y, target),
                positive_part(cost, y, target),
            ),
            Self::Margin(margin) => {
                let n = y.len();
                let class = winner(target);
                let (mut value, mut gradient) = (0.0, vec![0.0; n]);
                let mut curvature = Mat::zeros(n, n);
                for o in (0..n).filter(|&o| o != class) {
                    let violation = y[o] - y[class] + margin;
                    if violation > 0.0 {
                        value += 0.5 * violation * violation;
                        gradient[o] += violation;
                        gradient[class] -= violation;
                        // (e_o - e_c)(e_o - e_c)^T
                        curvature[(o, o)] += 1.0;
                        curvature[(class, class)] += 1.0;
                        curvature[(o, class)] -= 1.0;
                        curvature[(class, o)] -= 1.0;
                    }
                }
                (value, gradient, curvature)
            }
        }
    }
}

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
        Self::of(Objective::Task(cost), t, held, targets)
    }

    /// [`new`](Self::new) for any [`Objective`].
    pub fn of(objective: Objective, t: &Mat<f64>, held: &[Vec<f64>], targets: &[Vec<f64>]) -> Self {
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
            let (value, g, hessian) = objective.sample(&y, target);
            total += value;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::Rng;

    /// Three outputs, four held values, six samples of classes 0, 1, 2.
    fn case(seed: u64) -> (Mat<f64>, Vec<Vec<f64>>, Vec<Vec<f64>>) {
        let mut rng = Rng::new(seed);
        let t = Mat::from_fn(3, 4, |_, _| rng.uniform());
        let held = (0..6)
            .map(|_| (0..4).map(|_| rng.uniform_in(-1.0, 1.0)).collect())
            .collect();
        let targets = (0..6)
            .map(|mu| (0..3).map(|o| f64::from(u8::from(o == mu % 3))).collect())
            .collect();
        (t, held, targets)
    }

    #[test]
    fn the_margin_objective_has_the_gradient_and_curvature_of_its_value() {
        for seed in 1..=20 {
            let (t, held, targets) = case(seed);
            // A margin near the outputs' spread: some samples violate it, some not.
            let objective = Objective::Margin(0.1);
            let at = |t: &Mat<f64>| TransferCost::of(objective, t, &held, &targets);
            let here = at(&t);
            let h = 1e-6;
            for q in 0..12 {
                let (o, c) = (q / 4, q % 4);
                let mut plus = t.clone();
                plus[(o, c)] += h;
                let mut minus = t.clone();
                minus[(o, c)] -= h;
                let (up, down) = (at(&plus), at(&minus));
                let slope = (up.cost - down.cost) / (2.0 * h);
                assert!(
                    (slope - here.gradient[q]).abs() <= 1e-8 * (1.0 + slope.abs()),
                    "seed {seed}, T[{o},{c}]: {slope} vs {}",
                    here.gradient[q]
                );
                // Piecewise quadratic: away from a kink the curvature is
                // the Hessian exactly.
                for r in 0..12 {
                    let bend = (up.gradient[r] - down.gradient[r]) / (2.0 * h);
                    assert!(
                        (bend - here.curvature[(r, q)]).abs() <= 1e-6,
                        "seed {seed}: curvature ({r}, {q}) {bend} vs {}",
                        here.curvature[(r, q)]
                    );
                }
            }
        }
    }

    #[test]
    fn the_margin_objective_is_zero_exactly_when_every_class_wins_by_the_margin() {
        let (_, held, targets) = case(3);
        let margin = 0.25;
        // y_o = o h_0: the violations of each sample are summed, no more.
        let t = Mat::from_fn(3, 4, |o, c| if c == 0 { o as f64 } else { 0.0 });
        let cost = TransferCost::of(Objective::Margin(margin), &t, &held, &targets);
        // y_o = o * h_0: sample classes 0 and 1 lose whenever h_0 > 0
        // and class 2 whenever h_0 < 0; exactly the violations are summed.
        let expected: f64 = held
            .iter()
            .zip(&targets)
            .map(|(h, target)| {
                let class = winner(target);
                let y: Vec<f64> = (0..3).map(|o| o as f64 * h[0]).collect();
                (0..3)
                    .filter(|&o| o != class)
                    .map(|o| (y[o] - y[class] + margin).max(0.0).powi(2) / 2.0)
                    .sum::<f64>()
            })
            .sum::<f64>()
            / held.len() as f64;
        assert!((cost.cost - expected).abs() <= 1e-15 * expected.max(1.0));
        assert!(cost.cost > 0.0);
        // With T the identity, held values that carry the class: every
        // sample's own output ahead by twice the margin gives zero cost,
        // zero gradient, zero curvature.
        let t = Mat::<f64>::identity(3, 3);
        let lifted: Vec<Vec<f64>> = targets
            .iter()
            .map(|target| target.iter().map(|&v| v * 2.0 * margin).collect())
            .collect();
        let cost = TransferCost::of(Objective::Margin(margin), &t, &lifted, &targets);
        assert_eq!(cost.cost, 0.0);
        assert!(cost.gradient.iter().all(|&g| g == 0.0));
        assert!((0..9).all(|i| (0..9).all(|j| cost.curvature[(i, j)] == 0.0)));
        // At exactly the margin still zero; just inside it, not.
        let edge: Vec<Vec<f64>> = targets
            .iter()
            .map(|target| target.iter().map(|&v| v * margin).collect())
            .collect();
        assert_eq!(
            TransferCost::of(Objective::Margin(margin), &t, &edge, &targets).cost,
            0.0
        );
        let inside: Vec<Vec<f64>> = targets
            .iter()
            .map(|target| target.iter().map(|&v| v * 0.99 * margin).collect())
            .collect();
        assert!(TransferCost::of(Objective::Margin(margin), &t, &inside, &targets).cost > 0.0);
    }
}
