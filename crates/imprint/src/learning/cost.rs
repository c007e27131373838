//! The costs of one sample as functions of its outputs (docs/theory.md section 3,
//! Appendix A of the paper): mean squared error for regression and
//! allostery, cosine for classification; their gradients and Hessians.

use serde::{Deserialize, Serialize};

/// The cost of one sample as a function of its outputs (docs/theory.md section 3,
/// Appendix A of the paper).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cost {
    /// `c = 1/2 |y - y*|^2`; the task cost is `C = 1/(2M) sum |r|^2`.
    Mse,
    /// `c = 1 - y.y* / (|y| |y*|)`, for classification with one-hot targets.
    Cosine,
}

impl Cost {
    /// Its name in files and keywords: `mse` or `cosine`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Mse => "mse",
            Self::Cosine => "cosine",
        }
    }

    /// Cost of one sample.
    pub fn value(self, y: &[f64], target: &[f64]) -> f64 {
        match self {
            Self::Mse => {
                0.5 * y
                    .iter()
                    .zip(target)
                    .map(|(a, b)| (a - b).powi(2))
                    .sum::<f64>()
            }
            Self::Cosine => {
                let (dot, ny, nt) = cosine_parts(y, target);
                1.0 - dot / (ny * nt).max(f64::MIN_POSITIVE)
            }
        }
    }

    /// Gradient of the sample cost with respect to the outputs.
    pub fn gradient(self, y: &[f64], target: &[f64]) -> Vec<f64> {
        match self {
            Self::Mse => y.iter().zip(target).map(|(a, b)| a - b).collect(),
            Self::Cosine => {
                let (dot, ny, nt) = cosine_parts(y, target);
                let (ny, nt) = (ny.max(f64::MIN_POSITIVE), nt.max(f64::MIN_POSITIVE));
                y.iter()
                    .zip(target)
                    .map(|(&yo, &to)| -(to / (ny * nt) - dot * yo / (ny.powi(3) * nt)))
                    .collect()
            }
        }
    }
}

impl Cost {
    /// Hessian of the sample cost with respect to the outputs (`n_out x n_out`,
    /// row-major): the identity for the MSE; for the cosine cost, with
    /// `u = y/|y|`, `t = y*/|y*|`, `a = u.t`:
    /// `(t u^T + u t^T + a I - 3 a u u^T) / |y|^2`.
    pub fn hessian(self, y: &[f64], target: &[f64]) -> Vec<Vec<f64>> {
        let n = y.len();
        match self {
            Self::Mse => (0..n)
                .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
                .collect(),
            Self::Cosine => {
                let (dot, ny, nt) = cosine_parts(y, target);
                let (ny, nt) = (ny.max(f64::MIN_POSITIVE), nt.max(f64::MIN_POSITIVE));
                let u: Vec<f64> = y.iter().map(|v| v / ny).collect();
                let t: Vec<f64> = target.iter().map(|v| v / nt).collect();
                let a = dot / (ny * nt);
                (0..n)
                    .map(|i| {
                        (0..n)
                            .map(|j| {
                                (t[i] * u[j] + u[i] * t[j] + if i == j { a } else { 0.0 }
                                    - 3.0 * a * u[i] * u[j])
                                    / (ny * ny)
                            })
                            .collect()
                    })
                    .collect()
            }
        }
    }
}

fn cosine_parts(y: &[f64], target: &[f64]) -> (f64, f64, f64) {
    let dot = y.iter().zip(target).map(|(a, b)| a * b).sum::<f64>();
    let ny = y.iter().map(|a| a * a).sum::<f64>().sqrt();
    let nt = target.iter().map(|b| b * b).sum::<f64>().sqrt();
    (dot, ny, nt)
}

impl std::fmt::Display for Cost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Cost {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        [Self::Mse, Self::Cosine]
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| format!("cost `{s}` is not mse or cosine"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cost_is_named_as_files_spell_it() {
        for cost in [Cost::Mse, Cost::Cosine] {
            let spelled = serde_json::to_value(cost).unwrap();
            assert_eq!(spelled, cost.name());
            assert_eq!(cost.name().parse::<Cost>(), Ok(cost));
        }
        assert!("l1".parse::<Cost>().unwrap_err().contains("l1"));
    }
}
