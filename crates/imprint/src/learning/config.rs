//! The configuration of a training run, as plain data: what `config.toml`
//! holds, with documented defaults per built-in task (tuned so that each
//! trains on the default jammed network; see docs/training.md).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::custom::{CustomTask, NodeRef, Samples};
use super::{builtin, Cost, LearningError, LearningRate, Rule, Task, TrainingParameters};
use crate::network::cluster::ClusterParameters;
use crate::network::conductance::InitialConductance;
use crate::network::delaunay::DelaunayParameters;
use crate::network::jammed::JammingParameters;
use crate::network::spec::{LatticeParameters, NetworkSpec};
use crate::network::Network;

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

/// The network of a run: a file, or a generator. A file's network is
/// trained with the file's conductances unless `conductance` names an
/// initial distribution; a file network has no generator fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// A network file (JSON, edge-list CSV or literature text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    /// `jammed`, `cluster`, `square`, `triangular` or `delaunay` (generated networks only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator: Option<String>,
    /// Disks (jammed), points (delaunay) or nodes per side squared (lattices).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodes: Option<usize>,
    /// Target pressure of jammed packings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pressure: Option<f64>,
    /// Seed of the generator and of the initial conductances.
    pub seed: u64,
    /// Initial conductances, drawn with the network's seed; absent for a
    /// file network trained with the file's own conductances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conductance: Option<InitialConductance>,
}

impl NetworkConfig {
    /// The generator this configuration names, with its parameters (square
    /// lattices of `nodes` have the nearest square side and are periodic).
    pub fn spec(&self) -> Result<NetworkSpec, LearningError> {
        let jamming = JammingParameters::default();
        let nodes = self.nodes.unwrap_or(jamming.nodes);
        let side = (nodes as f64).sqrt().round().max(2.0) as usize;
        Ok(match self.generator.as_deref().unwrap_or("jammed") {
            "jammed" => NetworkSpec::Jammed(JammingParameters {
                nodes,
                seed: self.seed,
                target_pressure: self.pressure.unwrap_or(jamming.target_pressure),
                ..jamming
            }),
            "cluster" => NetworkSpec::Cluster(ClusterParameters {
                nodes,
                seed: self.seed,
                ..Default::default()
            }),
            "square" => NetworkSpec::Square(LatticeParameters {
                columns: side,
                rows: side,
                periodic: true,
            }),
            "triangular" => NetworkSpec::Triangular(LatticeParameters {
                columns: side,
                rows: side + side % 2,
                periodic: true,
            }),
            "delaunay" => NetworkSpec::Delaunay(DelaunayParameters {
                nodes,
                seed: self.seed,
                target_coordination: None,
            }),
            other => {
                return Err(LearningError::InvalidParameter {
                    field: "network.generator",
                    reason: format!(
                        "`{other}` is not jammed, cluster, square, triangular or delaunay"
                    ),
                })
            }
        })
    }
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

/// The task of a run: a built-in name with its options, or `custom`. Only
/// the fields the named task uses may be given ([`TaskConfig::FIELDS`]); a
/// resolved configuration lists exactly those.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskConfig {
    /// `regression-2x2`, `regression-2x5`, `classification-3`, `allostery` or `custom`.
    pub name: String,
    /// Seed of node choice and samples.
    pub seed: u64,
    /// Training samples (regression and custom linear tasks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples: Option<usize>,
    /// Coefficient matrix, one row per output (regression and custom linear tasks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coefficients: Option<Vec<Vec<f64>>>,
    /// Allostery: number of target edges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_edges: Option<usize>,
    /// Allostery: desired drop across each target edge (V).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired_drop: Option<f64>,
    /// Custom: grounds (index or `{ near = [x, y] }`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grounds: Vec<NodeRef>,
    /// Custom: voltage of the grounds (default 0 V).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ground_voltage: Option<f64>,
    /// Custom: input nodes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<NodeRef>,
    /// Custom: output nodes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<NodeRef>,
    /// Custom: output edges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output_edges: Vec<[NodeRef; 2]>,
    /// Custom linear task: range of drawn input voltages (default `[0, 1]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_range: Option<[f64; 2]>,
    /// Custom: CSV of samples (input voltages, then desired outputs, per row).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples_file: Option<PathBuf>,
    /// Custom: `mse` (default) or `cosine`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Cost>,
}

impl TaskConfig {
    /// The `[task]` fields each task uses, besides `name` and `seed`. A
    /// custom task reads its samples from `samples_file` or draws them from
    /// `coefficients` (with `samples` and `input_range`), never both.
    pub const FIELDS: [(&'static str, &'static [&'static str]); 5] = [
        ("regression-2x2", &["samples", "coefficients"]),
        ("regression-2x5", &["samples", "coefficients"]),
        ("classification-3", &[]),
        ("allostery", &["target_edges", "desired_drop"]),
        (
            "custom",
            &[
                "samples",
                "coefficients",
                "grounds",
                "ground_voltage",
                "inputs",
                "outputs",
                "output_edges",
                "input_range",
                "samples_file",
                "cost",
            ],
        ),
    ];

    /// Whether task `name` uses `[task]` field `field` ([`Self::FIELDS`]).
    pub fn uses(name: &str, field: &str) -> bool {
        Self::FIELDS
            .iter()
            .any(|(task, used)| *task == name && used.contains(&field))
    }

    /// Writes down the defaults a custom task uses but was not given (ground
    /// voltage, cost, and for drawn samples their count and range), so that
    /// the resolved configuration says everything the run used.
    pub fn record_defaults(&mut self) {
        if self.name != "custom" {
            return;
        }
        self.ground_voltage.get_or_insert(0.0);
        self.cost.get_or_insert(Cost::Mse);
        if self.samples_file.is_none() {
            self.samples
                .get_or_insert(builtin::BuiltinOptions::default().samples);
            self.input_range.get_or_insert(unit_range());
        }
    }

    /// Refuses a field of `given` (the keys of a `[task]` table) that task
    /// `name` would not use, so that nothing given is silently ignored.
    pub fn check_fields<'a>(
        name: &str,
        given: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), LearningError> {
        let Some((_, used)) = Self::FIELDS.iter().find(|(task, _)| *task == name) else {
            return Err(LearningError::UnknownTask { name: name.into() });
        };
        let given: Vec<&str> = given.into_iter().collect();
        for field in &given {
            if !matches!(*field, "name" | "seed") && !used.contains(field) {
                let hint = if name == "custom" {
                    String::new()
                } else {
                    "; a task of your own nodes and samples needs name = \"custom\"".into()
                };
                return Err(LearningError::InvalidParameter {
                    field: "task",
                    reason: format!(
                        "task {name} does not use `{field}` (it uses {}){hint}",
                        if used.is_empty() {
                            "only name and seed".to_string()
                        } else {
                            used.join(", ")
                        }
                    ),
                });
            }
        }
        if given.contains(&"samples_file") {
            if let Some(drawn) = ["coefficients", "samples", "input_range"]
                .iter()
                .find(|f| given.contains(f))
            {
                return Err(LearningError::InvalidParameter {
                    field: "task",
                    reason: format!(
                        "`{drawn}` draws samples, but `samples_file` gives them: keep one"
                    ),
                });
            }
        }
        Ok(())
    }
}

fn unit_range() -> [f64; 2] {
    [0.0, 1.0]
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
        let jamming = JammingParameters::default();
        Ok(Self {
            seed,
            network: NetworkConfig {
                file: None,
                generator: Some("jammed".into()),
                nodes: Some(jamming.nodes),
                pressure: Some(jamming.target_pressure),
                seed,
                conductance: Some(InitialConductance::default()),
            },
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

    /// Makes the network: reads the file, or generates it, then draws the
    /// initial conductances.
    pub fn build_network(&self) -> Result<Network, LearningError> {
        let n = &self.network;
        if n.file.is_some() {
            return Err(LearningError::InvalidParameter {
                field: "network.file",
                reason: "files are read by the caller (the library reads no files unless asked)"
                    .into(),
            });
        }
        let mut network = n.spec()?.generate()?;
        // A generated network always gets the configured distribution (1 S by default).
        n.conductance
            .clone()
            .unwrap_or_default()
            .apply_to(&mut network, n.seed)?;
        Ok(network)
    }

    /// Replaces the conductances of `network` by the configured initial
    /// ones, when the configuration names a distribution; otherwise keeps
    /// them (a file network trained as given). Returns whether it drew.
    pub fn apply_initial_conductance(&self, network: &mut Network) -> Result<bool, LearningError> {
        match &self.network.conductance {
            Some(distribution) => {
                distribution.apply_to(network, self.network.seed)?;
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
        if let Some(conductance) = &self.network.conductance {
            conductance.validate()?;
        }
        let n = &self.network;
        if n.file.is_some() && (n.generator.is_some() || n.nodes.is_some() || n.pressure.is_some())
        {
            return Err(LearningError::InvalidParameter {
                field: "network",
                reason: "a network file has no generator, nodes or pressure: give either `file` or the generator fields".into(),
            });
        }
        if let Some(samples) = self.task.samples {
            super::task::check_sample_count(samples).map_err(|_| {
                LearningError::InvalidParameter {
                    field: "task.samples",
                    reason: format!(
                        "{samples} is not between 1 and {}",
                        super::task::MAX_SAMPLES
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
