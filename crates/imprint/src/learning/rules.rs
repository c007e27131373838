//! Learning rules: Coupled Learning (docs/theory.md section 4, in
//! [`coupled_learning`](super::coupled_learning)) and gradient descent with
//! the adjoint gradient (docs/theory.md section 3, in [`gradient`](super::gradient)).
//! Both are computed from one [`BatchResponse`] per iteration, at a rate that
//! is constant or set by [`step_size`](super::step_size).

use serde::{Deserialize, Serialize};

use super::batch::BatchResponse;
use super::coupled_learning::coupled_learning_from;
use super::gradient::gradient_from;
use super::step_size::{update_stiffness, AutoRate, LearningRate, MapKind};
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
        /// `alpha`: a number, or `"auto"`.
        learning_rate: LearningRate,
        /// `eta`.
        nudge: f64,
    },
    /// Gradient descent on the batch cost: `k_e -= rate * dC/dk_e`.
    GradientDescent {
        /// Step size: a number, or `"auto"`.
        learning_rate: LearningRate,
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
        if let LearningRate::Constant(rate) = self.learning_rate() {
            positive("learning_rate", rate)?;
        }
        match *self {
            Self::CoupledLearning { nudge, .. } => positive("nudge", nudge),
            Self::GradientDescent { .. } => Ok(()),
        }
    }

    /// The rule's learning rate.
    pub fn learning_rate(&self) -> LearningRate {
        match *self {
            Self::CoupledLearning { learning_rate, .. }
            | Self::GradientDescent { learning_rate } => learning_rate,
        }
    }

    /// The same rule with another learning rate.
    pub fn with_learning_rate(self, rate: LearningRate) -> Self {
        match self {
            Self::CoupledLearning { nudge, .. } => Self::CoupledLearning {
                learning_rate: rate,
                nudge,
            },
            Self::GradientDescent { .. } => Self::GradientDescent {
                learning_rate: rate,
            },
        }
    }

    /// The linearised map whose stability bounds the rate.
    pub fn map_kind(&self) -> MapKind {
        match self {
            Self::CoupledLearning { .. } => MapKind::CoupledLearning,
            Self::GradientDescent { .. } => MapKind::GradientDescent,
        }
    }

    /// The conductance change for one batch, before clipping (an `auto`
    /// rate as in [`update_from`](Self::update_from)).
    pub fn update(
        &self,
        problem: &TaskCircuit,
        factor: &Factorization,
        batch: &[usize],
    ) -> Result<Vec<f64>, LearningError> {
        self.update_from(problem, &problem.batch_response(factor, batch)?)
    }

    /// The conductance change from a batch response. An `auto` rate is
    /// here only the stability bound `target / lambda_max` on this batch
    /// (default [`AutoRate`], every edge counted); [`Training`](super::Training)
    /// also applies the trust region and the clip's active set.
    pub fn update_from(
        &self,
        problem: &TaskCircuit,
        batch: &BatchResponse,
    ) -> Result<Vec<f64>, LearningError> {
        let rate = match self.learning_rate() {
            LearningRate::Constant(rate) => rate,
            LearningRate::Auto => {
                AutoRate::default().target / update_stiffness(problem, batch, self.map_kind())?
            }
        };
        Ok(self.update_at_rate(problem, batch, rate))
    }

    /// The conductance change from a batch response at `rate` (whatever the
    /// rule's own learning rate says; no solve happens here).
    pub fn update_at_rate(
        &self,
        problem: &TaskCircuit,
        batch: &BatchResponse,
        rate: f64,
    ) -> Vec<f64> {
        match *self {
            Self::CoupledLearning { nudge, .. } => {
                coupled_learning_from(problem, batch, rate, nudge)
            }
            Self::GradientDescent { .. } => gradient_from(problem, batch)
                .into_iter()
                .map(|g| -rate * g)
                .collect(),
        }
    }
}
