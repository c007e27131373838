//! The configuration of a training run, as plain data: what `config.toml`
//! holds, with documented defaults per built-in task (tuned so that each
//! trains on the default jammed network; see docs/training.md). It is a
//! run's, not a rule's: the network (section 1), the task (section 3), the
//! training (sections 4 and 8) and the records, resolved from the task's
//! defaults, a TOML file and explicit overrides ([`resolve`]).

mod error;
mod network;
pub mod resolve;
mod task;

use serde::{Deserialize, Serialize};

pub use error::{ConfigError, ConfigFault};
pub use network::{NetworkConfig, NetworkSource};
pub use resolve::{training_parameters, Overrides};
pub use task::TaskConfig;

use crate::learning::custom::{CustomTask, Samples};
use crate::learning::{builtin, Cost, LearningError, LearningRate, Rule, Task, TrainingParameters};
use crate::network::jammed::JammingParameters;
use crate::network::spec::NetworkSpec;
use crate::network::Network;
use task::unit_range;

/// A whole run: network, task, training and records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    /// Master seed: network, task and batches derive from it unless set separately.
    pub seed: u64,
    /// Where the network comes from.
    pub network: NetworkConfig,
    /// The task.
    pub task: TaskConfig,
    /// The learning rule and its schedule.
    pub training: TrainingParameters,
    /// Records and checkpoints.
    pub output: OutputConfig,
}

/// Records and checkpoints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputConfig {
    /// Evaluate the full training cost every this many iterations (history.csv).
    pub record_every: usize,
    /// Write a checkpoint every this many iterations.
    pub checkpoint_every: usize,
}

/// The most records a run's history may hold (it is kept in memory and in
/// every checkpoint): ten million.
pub const MAX_RECORDS: usize = 10_000_000;

impl RunConfig {
    /// The documented defaults for task `name` with master seed `seed`.
    pub fn for_task(name: &str, seed: u64) -> Result<Self, LearningError> {
        let options = builtin::BuiltinOptions::default();
        let (rule, batch_size, iterations) = match name {
            "regression-2x2" | "custom" => (
                Rule::CoupledLearning {
                    learning_rate: LearningRate::Auto,
                    nudge: 0.1,
                },
                30,
                10_000,
            ),
            // Ten learned coefficients converge more slowly than four (on 44
            // runs at N = 128: 28 reached 1e6 in 30 000 iterations, 40 in
            // 100 000); the stop rule ends the run once it has converged.
            "regression-2x5" => (
                Rule::CoupledLearning {
                    learning_rate: LearningRate::Auto,
                    nudge: 0.1,
                },
                30,
                100_000,
            ),
            "classification-3" => (
                Rule::CoupledLearning {
                    learning_rate: LearningRate::Auto,
                    nudge: 0.5,
                },
                30,
                10_000,
            ),
            "allostery" => (
                Rule::CoupledLearning {
                    learning_rate: LearningRate::Auto,
                    nudge: 0.1,
                },
                1,
                20_000,
            ),
            other => {
                return Err(LearningError::UnknownTask {
                    name: other.to_string(),
                })
            }
        };
        Ok(Self {
            seed,
            network: NetworkConfig::generated(NetworkSpec::Jammed(JammingParameters {
                seed,
                ..JammingParameters::default()
            })),
            task: TaskConfig {
                name: name.to_string(),
                seed,
                // Only what the task uses: the resolved config lists no more.
                // (A custom task records its own in `record_defaults`.)
                samples: (name != "custom" && TaskConfig::uses(name, "samples"))
                    .then_some(options.samples),
                coefficients: None,
                target_edges: TaskConfig::uses(name, "target_edges")
                    .then_some(options.target_edges),
                desired_drop: TaskConfig::uses(name, "desired_drop")
                    .then_some(options.desired_drop),
                grounds: Vec::new(),
                ground_voltage: None,
                inputs: Vec::new(),
                outputs: Vec::new(),
                output_edges: Vec::new(),
                input_range: None,
                samples_file: None,
                cost: None,
            },
            training: TrainingParameters {
                rule,
                batch_size,
                iterations,
                seed,
                ..TrainingParameters::default()
            },
            output: OutputConfig {
                record_every: (iterations / 200).max(1),
                checkpoint_every: 1000,
            },
        })
    }

    /// Generates the network and draws its initial conductances (a
    /// network file is read by the caller: [`RunStart::from_config`](crate::run::RunStart::from_config)).
    pub fn build_network(&self) -> Result<Network, LearningError> {
        self.network.generate()
    }

    /// Replaces the conductances of `network` by the configured initial
    /// ones, when the configuration names a distribution; otherwise keeps
    /// them (a file network trained as given). Returns whether it drew.
    pub fn apply_initial_conductance(&self, network: &mut Network) -> Result<bool, LearningError> {
        match &self.network.conductance {
            Some(distribution) => {
                distribution.apply_to(network, self.network.seed())?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Builds the task on `network`; `table` holds the rows of
    /// `samples_file` when the task is custom and names one.
    pub fn build_task(
        &self,
        network: &Network,
        table: Option<Vec<Vec<f64>>>,
    ) -> Result<Task, LearningError> {
        let t = &self.task;
        if t.name != "custom" {
            let defaults = builtin::BuiltinOptions::default();
            let options = builtin::BuiltinOptions {
                seed: t.seed,
                samples: t.samples.unwrap_or(defaults.samples),
                coefficients: t.coefficients.clone(),
                target_edges: t.target_edges.unwrap_or(defaults.target_edges),
                desired_drop: t.desired_drop.unwrap_or(defaults.desired_drop),
            };
            return builtin::build(&t.name, network, &options);
        }
        let samples = match (table, &t.coefficients) {
            (Some(rows), _) => Samples::Table(rows),
            (None, Some(coefficients)) => Samples::Linear {
                coefficients: coefficients.clone(),
                count: t
                    .samples
                    .unwrap_or(builtin::BuiltinOptions::default().samples),
                range: t.input_range.unwrap_or(unit_range()),
            },
            (None, None) => {
                return Err(LearningError::InvalidParameter {
                    field: "task",
                    reason: "a custom task needs `coefficients` or `samples_file`".into(),
                })
            }
        };
        CustomTask {
            name: "custom".into(),
            grounds: t.grounds.clone(),
            ground_voltage: t.ground_voltage.unwrap_or(0.0),
            inputs: t.inputs.clone(),
            outputs: t.outputs.clone(),
            output_edges: t.output_edges.clone(),
            samples,
            cost: t.cost.unwrap_or(Cost::Mse),
            seed: t.seed,
        }
        .build(network)
    }

    /// Checks what can be checked without building anything.
    pub fn validate(&self) -> Result<(), LearningError> {
        self.training.validate()?;
        if let Some(spec) = self.network.spec() {
            spec.validate()?;
        }
        if let Some(conductance) = &self.network.conductance {
            conductance.validate()?;
        }
        if let Some(samples) = self.task.samples {
            crate::learning::check_sample_count(samples).map_err(|_| {
                LearningError::InvalidParameter {
                    field: "task.samples",
                    reason: format!(
                        "{samples} is not between 1 and {}",
                        crate::learning::MAX_SAMPLES
                    ),
                }
            })?;
        }
        if self.output.record_every == 0 || self.output.checkpoint_every == 0 {
            return Err(LearningError::InvalidParameter {
                field: "output",
                reason: "record_every and checkpoint_every must be at least 1".into(),
            });
        }
        // The history is kept in memory and in every checkpoint.
        let records = self.training.iterations / self.output.record_every;
        if records > MAX_RECORDS {
            return Err(LearningError::InvalidParameter {
                field: "output.record_every",
                reason: format!(
                    "{} iterations recorded every {} make {records} records, more than {MAX_RECORDS}: record less often",
                    self.training.iterations, self.output.record_every
                ),
            });
        }
        Ok(())
    }
}
