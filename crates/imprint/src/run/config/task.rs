//! The `[task]` of a run: a built-in task's name with its options, or a
//! custom task of the user's nodes and samples (docs/theory.md section 3).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::learning::builtin;
use crate::learning::custom::NodeRef;
use crate::learning::{Cost, LearningError};

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

pub(super) fn unit_range() -> [f64; 2] {
    [0.0, 1.0]
}
