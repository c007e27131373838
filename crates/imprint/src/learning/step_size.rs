//! The step size of the learning rules (docs/theory.md section 4): a constant
//! rate, or `auto`, which keeps the linearised update map stable.
//!
//! Near a minimum both rules are the linear map `dk <- (I - rate K) dk` with
//!
//! - Coupled Learning (small nudge): `K = (2/B) sum_mu J_mu^T A Hc_mu J_mu`,
//!   `A = (P H^{-1} P^T)^{-1}`;
//! - gradient descent: `K = (1/B) sum_mu J_mu^T Hc_mu J_mu` (the Gauss-Newton
//!   Hessian of the batch cost),
//!
//! where `J_mu = dy_mu/dk` (`J[o][e] = -(P s_e)_o dV_e^mu`, eq. 8) and `Hc_mu`
//! is the Hessian of the sample cost in the outputs. The map is stable only
//! while `rate * lambda_max(K) < 2`; past it the minimum is a repeller held
//! only by the conductance clip (what issue 14 measured: `alpha lambda_max =
//! 5.25` at the old default). `auto` sets `rate = target / lambda_max(K)` from
//! the current batch, re-estimated every `every` iterations.
//!
//! [`StepSize`] makes that decision, the one place a rate is decided;
//! `lambda_max` comes from [`stiffness`](super::stiffness) (re-exported here).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::batch::BatchResponse;
pub use super::stiffness::{power_stiffness, update_stiffness, MapKind};
use super::{LearningError, TaskCircuit};

/// The step size of a learning rule: `"auto"` (the default) or a constant.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum LearningRate {
    /// `rate = target / lambda_max` of the linearised update map, re-estimated
    /// every so many iterations ([`AutoRate`]).
    #[default]
    Auto,
    /// A constant rate (`alpha` of Coupled Learning, the step of gradient
    /// descent), applied as given.
    Constant(f64),
}

impl std::fmt::Display for LearningRate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Auto => f.write_str("auto"),
            Self::Constant(rate) => write!(f, "{rate}"),
        }
    }
}

impl Serialize for LearningRate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Auto => serializer.serialize_str("auto"),
            Self::Constant(rate) => serializer.serialize_f64(*rate),
        }
    }
}

impl<'de> Deserialize<'de> for LearningRate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = LearningRate;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number or \"auto\"")
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<LearningRate, E> {
                Ok(LearningRate::Constant(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<LearningRate, E> {
                Ok(LearningRate::Constant(v as f64))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<LearningRate, E> {
                Ok(LearningRate::Constant(v as f64))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<LearningRate, E> {
                match v {
                    "auto" => Ok(LearningRate::Auto),
                    other => other.parse().map(LearningRate::Constant).map_err(|_| {
                        E::custom(format!(
                            "learning_rate `{other}` is neither a number nor \"auto\""
                        ))
                    }),
                }
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl std::str::FromStr for LearningRate {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "auto" => Ok(Self::Auto),
            other => other
                .parse()
                .map(Self::Constant)
                .map_err(|_| format!("`{other}` is neither a number nor \"auto\"")),
        }
    }
}

/// How `learning_rate = "auto"` sets the rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AutoRate {
    /// `rate * lambda_max` kept at this value. The map is stable below 2;
    /// 1.5 leaves a margin for the spread of `lambda_max` between batches
    /// and its drift between estimates. On jammed networks (docs/training.md)
    /// 1.0 trains regression-2x5 more slowly and 1.9 fails classification
    /// on some networks.
    pub target: f64,
    /// Iterations between estimates (the first iteration always estimates).
    pub every: usize,
    /// Largest conductance change of one iteration, as a fraction of
    /// `max(k_e, median k)`: far from a minimum the linearisation says
    /// nothing about how far a step may go (at uniform conductances the
    /// allosteric map is so soft that `target / lambda_max` moves edges by
    /// tens of siemens), so each iteration's rate is also capped by this
    /// trust region. The median floor keeps edges near `k_min` from
    /// freezing the whole network.
    pub trust: f64,
}

impl Default for AutoRate {
    fn default() -> Self {
        Self {
            target: 1.5,
            every: 10,
            trust: 0.5,
        }
    }
}

impl AutoRate {
    /// Checks both fields.
    pub fn validate(&self) -> Result<(), LearningError> {
        if !(self.target.is_finite() && self.target > 0.0 && self.target < 2.0) {
            return Err(LearningError::InvalidParameter {
                field: "auto_rate.target",
                reason: format!(
                    "{} is outside (0, 2): the update map is unstable at rate * lambda_max >= 2",
                    self.target
                ),
            });
        }
        if !(self.trust.is_finite() && self.trust > 0.0) {
            return Err(LearningError::InvalidParameter {
                field: "auto_rate.trust",
                reason: format!("{} must be finite and positive", self.trust),
            });
        }
        if self.every == 0 {
            return Err(LearningError::InvalidParameter {
                field: "auto_rate.every",
                reason: "must be at least 1".into(),
            });
        }
        Ok(())
    }
}

/// The last estimate of an `auto` rate (kept in checkpoints, so a resumed
/// run uses the rate the uninterrupted run would).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateEstimate {
    /// Iteration at which it was estimated.
    pub step: usize,
    /// `lambda_max` of the linearised update map per unit rate.
    pub stiffness: f64,
    /// The rate it set.
    pub rate: f64,
}

/// The one rate decision of the first-order rules, owned by the run: a
/// constant rate as given, or `auto`, `target / lambda_max` of the update
/// map ([`power_stiffness`], on the edges the clip lets move, re-estimated
/// every `every` iterations and carried between them) capped by the trust
/// region ([`trust_rate`]). Nothing else computes a rate.
#[derive(Debug, Clone, PartialEq)]
pub struct StepSize {
    rate: LearningRate,
    auto: AutoRate,
    map: MapKind,
    estimate: Option<RateEstimate>,
}

/// One iteration's step: its rate and the conductance change (before the
/// clip), and the time the `auto` estimate took.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The rate applied.
    pub rate: f64,
    /// `dk`, per edge.
    pub change: Vec<f64>,
    /// Time spent estimating `lambda_max` (zero when not due).
    pub estimating: std::time::Duration,
}

impl StepSize {
    /// The step size of `rule` (none for a rule without a learning rate).
    pub fn of(rule: &super::Rule, auto: AutoRate) -> Option<Self> {
        Some(Self {
            rate: rule.learning_rate()?,
            auto,
            map: rule.map_kind()?,
            estimate: None,
        })
    }

    /// Continues with the estimate made before an interruption (as a
    /// checkpoint holds it; ignored at a constant rate), so that a resumed
    /// run steps exactly as the uninterrupted one.
    pub fn with_estimate(mut self, estimate: Option<RateEstimate>) -> Self {
        if self.rate == LearningRate::Auto {
            self.estimate = estimate;
        }
        self
    }

    /// The latest `auto` estimate.
    pub fn estimate(&self) -> Option<RateEstimate> {
        self.estimate
    }

    /// The step of `rule` at iteration `step` from the batch `response`, at
    /// `conductance` within `[k_min, k_max]`.
    pub fn step(
        &mut self,
        rule: &super::Rule,
        problem: &TaskCircuit,
        response: &BatchResponse,
        conductance: &[f64],
        [k_min, k_max]: [f64; 2],
        step: usize,
    ) -> Result<Step, LearningError> {
        let mut estimating = std::time::Duration::ZERO;
        if let LearningRate::Constant(rate) = self.rate {
            return Ok(Step {
                rate,
                change: rule.update_at_rate(problem, response, rate),
                estimating,
            });
        }
        // Both rules are linear in the rate: one update at unit rate gives
        // the direction, and tells which clipped edges move.
        let unit = rule.update_at_rate(problem, response, 1.0);
        // Edges held at a bound and pushed outward do not move.
        let active: Vec<bool> = conductance
            .iter()
            .zip(&unit)
            .map(|(&k, &d)| (k > k_min || d > 0.0) && (k < k_max || d < 0.0))
            .collect();
        if !active.contains(&true) {
            // Every edge is held at a bound and pushed outward: the clip
            // undoes any step, and the map has no moving edge to estimate on.
            return Ok(Step {
                rate: 0.0,
                change: vec![0.0; unit.len()],
                estimating,
            });
        }
        let due = self
            .estimate
            .is_none_or(|e| step % self.auto.every == 0 && e.step != step);
        if due {
            let start = std::time::Instant::now();
            let stiffness = power_stiffness(problem, response, self.map, &active, &unit)?;
            self.estimate = Some(RateEstimate {
                step,
                stiffness,
                rate: self.auto.target / stiffness,
            });
            estimating = start.elapsed();
        }
        let stable = self.estimate.expect("estimated above").rate;
        let rate = stable.min(trust_rate(conductance, &unit, &active, self.auto.trust));
        Ok(Step {
            rate,
            change: unit.into_iter().map(|d| rate * d).collect(),
            estimating,
        })
    }
}

/// The largest rate at which no moving edge changes by more than `trust`
/// times `max(k_e, median k)` along `direction` (the update at unit rate);
/// edges held at a bound and pushed outward do not move. Infinite when
/// nothing moves.
pub fn trust_rate(conductance: &[f64], direction: &[f64], active: &[bool], trust: f64) -> f64 {
    let mut sorted = conductance.to_vec();
    let middle = sorted.len() / 2;
    let (_, &mut median, _) = sorted.select_nth_unstable_by(middle, f64::total_cmp);
    conductance
        .iter()
        .zip(direction)
        .zip(active)
        .filter(|((_, &d), &a)| a && d != 0.0)
        .map(|((&k, &d), _)| trust * k.max(median) / d.abs())
        .fold(f64::INFINITY, f64::min)
}
