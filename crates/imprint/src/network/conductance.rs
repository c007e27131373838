//! Initial conductances: constant, uniform or log-uniform in a range, drawn
//! from a recorded seed (the four initial conditions of the paper's Fig. 8
//! are of these kinds).

use serde::{Deserialize, Serialize};

use super::NetworkError;
use crate::random::Rng;

/// Stream of a seed reserved for initial conductances.
const CONDUCTANCE_STREAM: u64 = 0xC0_4D_0C_7A_2C_E5;

/// How to draw one conductance per edge.
///
/// ```
/// use imprint::network::conductance::InitialConductance;
/// let spec: InitialConductance = "log-uniform:1e-3,1".parse().unwrap();
/// let k = spec.sample(5, 42).unwrap();
/// assert!(k.iter().all(|&k| (1e-3..1.0).contains(&k)));
/// assert_eq!(k, spec.sample(5, 42).unwrap());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum InitialConductance {
    /// Every edge the same.
    Constant {
        /// The conductance.
        value: f64,
    },
    /// Uniform in `[min, max)`.
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Log-uniform in `[min, max)`: uniform in `ln k`.
    LogUniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
}

impl Default for InitialConductance {
    fn default() -> Self {
        Self::Constant { value: 1.0 }
    }
}

impl InitialConductance {
    /// Checks that every value drawn will lie in
    /// [`CONDUCTANCE_RANGE`](super::CONDUCTANCE_RANGE).
    pub fn validate(&self) -> Result<(), NetworkError> {
        let bad = |reason: String| {
            Err(NetworkError::InvalidParameter {
                parameter: "conductance",
                reason,
            })
        };
        match *self {
            Self::Constant { value } if !super::is_valid_conductance(value) => {
                bad(format!("constant {value:?} is not in [1e-100, 1e100] S"))
            }
            Self::Uniform { min, max } | Self::LogUniform { min, max }
                if !(super::is_valid_conductance(min)
                    && super::is_valid_conductance(max)
                    && max >= min) =>
            {
                bad(format!(
                    "range [{min:?}, {max:?}] needs min <= max, both in [1e-100, 1e100] S"
                ))
            }
            _ => Ok(()),
        }
    }

    /// One conductance per edge for `edge_count` edges, from `seed`. The
    /// draws come from their own stream of the seed, so a generator and its
    /// conductances can share one recorded seed without being correlated.
    pub fn sample(&self, edge_count: usize, seed: u64) -> Result<Vec<f64>, NetworkError> {
        self.validate()?;
        let mut rng = Rng::derive(seed, CONDUCTANCE_STREAM);
        Ok(match *self {
            Self::Constant { value } => vec![value; edge_count],
            Self::Uniform { min, max } => {
                (0..edge_count).map(|_| rng.uniform_in(min, max)).collect()
            }
            Self::LogUniform { min, max } => (0..edge_count)
                .map(|_| rng.uniform_in(min.ln(), max.ln()).exp().clamp(min, max))
                .collect(),
        })
    }
}

impl InitialConductance {
    /// Draws the conductances of `network` from `seed` and records the
    /// distribution and the seed in its metadata (`conductance`).
    pub fn apply_to(&self, network: &mut super::Network, seed: u64) -> Result<(), NetworkError> {
        network.set_conductance(self.sample(network.edge_count(), seed)?)?;
        let mut record = serde_json::to_value(self).unwrap_or_default();
        record["seed"] = seed.into();
        network.metadata_mut().insert("conductance".into(), record);
        Ok(())
    }
}

impl std::str::FromStr for InitialConductance {
    type Err = String;

    /// Parses `constant:K`, `uniform:MIN,MAX` or `log-uniform:MIN,MAX`.
    fn from_str(text: &str) -> Result<Self, String> {
        let (kind, values) = text.split_once(':').unwrap_or((text, ""));
        let numbers: Result<Vec<f64>, _> = values
            .split(',')
            .filter(|v| !v.trim().is_empty())
            .map(|v| v.trim().parse::<f64>())
            .collect();
        let numbers = numbers.map_err(|_| format!("`{values}` is not a list of numbers"))?;
        let spec = match (kind, numbers.as_slice()) {
            ("constant", [value]) => Self::Constant { value: *value },
            ("uniform", [min, max]) => Self::Uniform {
                min: *min,
                max: *max,
            },
            ("log-uniform", [min, max]) => Self::LogUniform {
                min: *min,
                max: *max,
            },
            _ => {
                return Err(format!(
                    "`{text}` is not constant:K, uniform:MIN,MAX or log-uniform:MIN,MAX"
                ))
            }
        };
        spec.validate().map_err(|e| e.to_string())?;
        Ok(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_stay_in_range_and_follow_their_law() {
        let k = "uniform:0.5,1.5"
            .parse::<InitialConductance>()
            .unwrap()
            .sample(20_000, 1)
            .unwrap();
        let mean = k.iter().sum::<f64>() / k.len() as f64;
        assert!((mean - 1.0).abs() < 0.01 && k.iter().all(|&x| (0.5..1.5).contains(&x)));
        let k = "log-uniform:1e-3,1e1"
            .parse::<InitialConductance>()
            .unwrap()
            .sample(20_000, 1)
            .unwrap();
        let mean_log = k.iter().map(|x| x.log10()).sum::<f64>() / k.len() as f64;
        assert!((mean_log - (-1.0)).abs() < 0.03, "{mean_log}");
        assert_eq!(
            "constant:2"
                .parse::<InitialConductance>()
                .unwrap()
                .sample(3, 0)
                .unwrap(),
            vec![2.0; 3]
        );
        for bad in [
            "constant:0",
            "uniform:2,1",
            "log-uniform:-1,1",
            "gaussian:1,2",
            "uniform:1",
        ] {
            assert!(bad.parse::<InitialConductance>().is_err(), "{bad}");
        }
    }
}
