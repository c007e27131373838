//! Learning rules: Coupled Learning (docs/theory.md section 4, in
//! [`coupled_learning`](super::coupled_learning)) and gradient descent with
//! the adjoint gradient (docs/theory.md section 3, in [`gradient`](super::gradient)).
//! Both are computed from one [`BatchResponse`] per iteration, at a rate that
//! is constant or set by [`step_size`](super::step_size).

use serde::{Deserialize, Serialize};

use super::batch::BatchResponse;
use super::coupled_learning::coupled_learning_from;
use super::gradient::gradient_from;
use super::step_size::{LearningRate, MapKind};
use super::{LearningError, TaskCircuit};

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
    /// Levenberg-Marquardt on the task's transfer matrix, in `ln k`, within
    /// `[k_min, k_max]` (docs/theory.md section 8; [`super::levenberg_marquardt`]):
    /// a second-order trainer over every sample at once, with no learning
    /// rate. Not a local rule: the arbiter of whether a network can learn
    /// its task, and a second trainer to compare imprints with.
    LevenbergMarquardt {
        /// Nielsen's `tau`: the initial damping relative to the largest
        /// diagonal entry of the Gauss-Newton matrix.
        #[serde(default = "default_damping")]
        damping: f64,
    },
}

fn default_damping() -> f64 {
    super::levenberg_marquardt::DEFAULT_DAMPING
}

/// The rules by name, as `kind` spells them in a run file and `--rule` on
/// the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleKind {
    /// [`Rule::CoupledLearning`].
    CoupledLearning,
    /// [`Rule::GradientDescent`].
    GradientDescent,
    /// [`Rule::LevenbergMarquardt`].
    LevenbergMarquardt,
}

impl std::fmt::Display for RuleKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::CoupledLearning => "coupled-learning",
            Self::GradientDescent => "gradient-descent",
            Self::LevenbergMarquardt => "levenberg-marquardt",
        })
    }
}

impl std::str::FromStr for RuleKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "coupled-learning" => Ok(Self::CoupledLearning),
            "gradient-descent" => Ok(Self::GradientDescent),
            "levenberg-marquardt" => Ok(Self::LevenbergMarquardt),
            other => Err(format!(
                "unknown rule {other:?} (known: coupled-learning, gradient-descent, levenberg-marquardt)"
            )),
        }
    }
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
        if let Some(LearningRate::Constant(rate)) = self.learning_rate() {
            positive("learning_rate", rate)?;
        }
        match *self {
            // The clamped state moves the outputs this fraction of the way
            // to their targets: beyond 1 it overshoots them.
            Self::CoupledLearning { nudge, .. } if !(nudge > 0.0 && nudge <= 1.0) => {
                Err(LearningError::InvalidParameter {
                    field: "nudge",
                    reason: format!(
                        "{nudge:e}: the clamped outputs move this fraction of the way to their targets, in (0, 1]"
                    ),
                })
            }
            Self::CoupledLearning { .. } => Ok(()),
            Self::GradientDescent { .. } => Ok(()),
            Self::LevenbergMarquardt { damping } => positive("damping", damping),
        }
    }

    /// The rule's name.
    pub fn kind(&self) -> RuleKind {
        match self {
            Self::CoupledLearning { .. } => RuleKind::CoupledLearning,
            Self::GradientDescent { .. } => RuleKind::GradientDescent,
            Self::LevenbergMarquardt { .. } => RuleKind::LevenbergMarquardt,
        }
    }

    /// The rule `kind` with its default hyperparameters, keeping this
    /// rule's learning rate (and nudge) where both rules have one.
    pub fn with_kind(self, kind: RuleKind) -> Self {
        let learning_rate = self.learning_rate().unwrap_or_default();
        match kind {
            RuleKind::CoupledLearning => Self::CoupledLearning {
                learning_rate,
                nudge: match self {
                    Self::CoupledLearning { nudge, .. } => nudge,
                    _ => super::TrainingParameters::default_nudge(),
                },
            },
            RuleKind::GradientDescent => Self::GradientDescent { learning_rate },
            RuleKind::LevenbergMarquardt => match self {
                Self::LevenbergMarquardt { .. } => self,
                _ => Self::LevenbergMarquardt {
                    damping: default_damping(),
                },
            },
        }
    }

    /// The rule's learning rate (none for the second-order rule, which
    /// takes whole damped steps).
    pub fn learning_rate(&self) -> Option<LearningRate> {
        match *self {
            Self::CoupledLearning { learning_rate, .. }
            | Self::GradientDescent { learning_rate } => Some(learning_rate),
            Self::LevenbergMarquardt { .. } => None,
        }
    }

    /// The same rule with another learning rate; refused for a rule that
    /// has none.
    pub fn with_learning_rate(self, rate: LearningRate) -> Result<Self, LearningError> {
        match self {
            Self::CoupledLearning { nudge, .. } => Ok(Self::CoupledLearning {
                learning_rate: rate,
                nudge,
            }),
            Self::GradientDescent { .. } => Ok(Self::GradientDescent {
                learning_rate: rate,
            }),
            Self::LevenbergMarquardt { .. } => Err(LearningError::InvalidParameter {
                field: "learning_rate",
                reason: "levenberg-marquardt has no learning rate (its damping adapts)".into(),
            }),
        }
    }

    /// Whether every iteration of a path lowers the training cost (or
    /// leaves the conductances as they were): the stop rule then needs no
    /// patience (a restart from other conductances, which may raise it,
    /// comes only once a path stops short).
    pub fn is_monotone(&self) -> bool {
        matches!(self, Self::LevenbergMarquardt { .. })
    }

    /// The linearised map whose stability bounds the rate (none for the
    /// second-order rule).
    pub fn map_kind(&self) -> Option<MapKind> {
        match self {
            Self::CoupledLearning { .. } => Some(MapKind::CoupledLearning),
            Self::GradientDescent { .. } => Some(MapKind::GradientDescent),
            Self::LevenbergMarquardt { .. } => None,
        }
    }

    /// The conductance change from a batch response at `rate` (whatever the
    /// rule's own learning rate says; no solve happens here). The rate of a
    /// run is decided by its [`StepSize`](super::step_size::StepSize), the
    /// one place an `auto` rate is computed.
    ///
    /// # Panics
    ///
    /// For [`Rule::LevenbergMarquardt`], which has no update at a rate
    /// ([`Training`](super::Training) steps it).
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
            Self::LevenbergMarquardt { .. } => {
                panic!("levenberg-marquardt has no update at a rate: Training steps it")
            }
        }
    }
}
