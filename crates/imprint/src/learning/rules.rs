//! Learning rules: Coupled Learning (THEORY.md section 4, in
//! [`coupled_learning`](super::coupled_learning)) and gradient descent with
//! the adjoint gradient (THEORY.md section 3, in [`gradient`](super::gradient)).
//! Both are computed from one [`BatchResponse`] per iteration.

use serde::{Deserialize, Serialize};

use super::batch::BatchResponse;
use super::coupled_learning::coupled_learning_from;
use super::gradient::gradient_from;
use super::{LearningError, TaskCircuit};
use crate::physics::Factorization;

/// A learning rule and its hyperparameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Rule {
    /// Coupled Learning: `k_e += (alpha / eta) [(dV_e^F)^2 - (dV_e^C)^2]`,
    /// averaged over the batch, with the clamped outputs nudged a fraction
    /// `eta` towards the targets (`y^C = y^F - eta grad_y c`).
    CoupledLearning {
        /// `alpha`.
        learning_rate: f64,
        /// `eta`.
        nudge: f64,
    },
    /// Gradient descent on the batch cost: `k_e -= rate * dC/dk_e`.
    GradientDescent {
        /// Step size.
        learning_rate: f64,
    },
}

impl Rule {
    /// Checks the hyperparameters.
    pub fn validate(&self) -> Result<(), LearningError> {
        let positive = |field: &'static str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(LearningError::InvalidParameter {
                    field,
                    reason: format!("{v} must be finite and positive"),
                })
            }
        };
        match *self {
            Self::CoupledLearning {
                learning_rate,
                nudge,
            } => {
                positive("learning_rate", learning_rate)?;
                positive("nudge", nudge)
            }
            Self::GradientDescent { learning_rate } => positive("learning_rate", learning_rate),
        }
    }

    /// The conductance change for one batch, before clipping.
    pub fn update(
        &self,
        problem: &TaskCircuit,
        factor: &Factorization,
        batch: &[usize],
    ) -> Result<Vec<f64>, LearningError> {
        Ok(self.update_from(problem, &problem.batch_response(factor, batch)?))
    }

    /// The conductance change from a batch response (no solve happens here).
    pub fn update_from(&self, problem: &TaskCircuit, batch: &BatchResponse) -> Vec<f64> {
        match *self {
            Self::CoupledLearning {
                learning_rate,
                nudge,
            } => coupled_learning_from(problem, batch, learning_rate, nudge),
            Self::GradientDescent { learning_rate } => gradient_from(problem, batch)
                .into_iter()
                .map(|g| -learning_rate * g)
                .collect(),
        }
    }
}
