//! Custom tasks described in a run's configuration: node roles by index or
//! by "the node nearest to (x, y)", inputs drawn uniformly with a coefficient
//! matrix, or samples read from a table; node or edge read-outs. On a spring
//! network the held nodes hold displacements along `x` (and `0` along `y`),
//! and node read-outs read `x` displacements (`spring_tasks::on_springs`).

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use super::{Cost, LearningError, Readout, Roles, Task};
use crate::network::Network;
use crate::random::Rng;

/// A node given by index or by position. Read from an integer or from a
/// table `{ near = [x, y] }` with no other key (a key it would not use,
/// such as `far`, is refused rather than ignored).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum NodeRef {
    /// Node index.
    Index(usize),
    /// The node nearest to a point (minimum image in a periodic box).
    Near {
        /// `[x, y]`.
        near: [f64; 2],
    },
}

impl<'de> Deserialize<'de> for NodeRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeRefVisitor)
    }
}

/// Reads a [`NodeRef`], saying what is wrong in the user's words (an
/// untagged enum would only say that no variant matched).
struct NodeRefVisitor;

impl<'de> Visitor<'de> for NodeRefVisitor {
    type Value = NodeRef;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a node index (an integer from 0) or { near = [x, y] }")
    }

    fn visit_u64<E: de::Error>(self, node: u64) -> Result<NodeRef, E> {
        usize::try_from(node)
            .map(NodeRef::Index)
            .map_err(|_| E::custom(format!("node {node} is too large an index")))
    }

    fn visit_i64<E: de::Error>(self, node: i64) -> Result<NodeRef, E> {
        match u64::try_from(node) {
            Ok(node) => self.visit_u64(node),
            Err(_) => Err(E::custom(format!(
                "node {node} is negative: a node is an index from 0, or {{ near = [x, y] }}"
            ))),
        }
    }

    fn visit_f64<E: de::Error>(self, node: f64) -> Result<NodeRef, E> {
        Err(E::custom(format!(
            "node {node:?} is not an integer: a node is an index from 0, or {{ near = [x, y] }}"
        )))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NodeRef, A::Error> {
        let mut near = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "near" if near.is_none() => near = Some(map.next_value::<[f64; 2]>()?),
                "near" => return Err(de::Error::custom("`near` is given twice")),
                other => {
                    return Err(de::Error::custom(format!(
                        "unknown key `{other}` in a node given by position: only `near = [x, y]`"
                    )))
                }
            }
        }
        near.map(|near| NodeRef::Near { near })
            .ok_or_else(|| de::Error::custom("a node given by position needs `near = [x, y]`"))
    }
}

impl NodeRef {
    /// The node index on `network`.
    pub fn resolve(&self, network: &Network, role: &'static str) -> Result<usize, LearningError> {
        match *self {
            Self::Index(node) if node < network.node_count() => Ok(node),
            Self::Index(node) => Err(LearningError::UnknownNode {
                role,
                node,
                node_count: network.node_count(),
            }),
            Self::Near { near } => {
                if !(near[0].is_finite() && near[1].is_finite()) {
                    return Err(LearningError::InvalidParameter {
                        field: "near",
                        reason: format!("{near:?} is not a finite point"),
                    });
                }
                let distance = |p: [f64; 2]| {
                    let mut d = [p[0] - near[0], p[1] - near[1]];
                    if let Some(sides) = network.periodic_box() {
                        for (c, s) in d.iter_mut().zip(sides) {
                            *c -= s * (*c / s).round();
                        }
                    }
                    d[0] * d[0] + d[1] * d[1]
                };
                let positions = network.positions();
                Ok((0..positions.len()).fold(0, |best, v| {
                    if distance(positions[v]) < distance(positions[best]) {
                        v
                    } else {
                        best
                    }
                }))
            }
        }
    }
}

/// Where the samples of a custom task come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Samples {
    /// `count` inputs drawn uniformly in `range` (seeded), targets `y = A x`
    /// with one row of `A` per output.
    Linear {
        /// Rows = outputs, columns = inputs.
        coefficients: Vec<Vec<f64>>,
        /// Number of samples.
        count: usize,
        /// Input range in volts.
        range: [f64; 2],
    },
    /// Explicit rows: the input voltages, then the desired outputs.
    Table(Vec<Vec<f64>>),
}

/// A custom task before its nodes are resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomTask {
    /// Name recorded in the task.
    pub name: String,
    /// Nodes held at `ground_voltage` in every sample.
    pub grounds: Vec<NodeRef>,
    /// Voltage of the grounds.
    pub ground_voltage: f64,
    /// Input nodes, in the order of the sample columns.
    pub inputs: Vec<NodeRef>,
    /// Output nodes (node read-out) ...
    pub outputs: Vec<NodeRef>,
    /// ... or output edges (edge read-out, drop `V_i - V_j`).
    pub output_edges: Vec<[NodeRef; 2]>,
    /// The samples.
    pub samples: Samples,
    /// The cost.
    pub cost: Cost,
    /// Seed of drawn samples.
    pub seed: u64,
}

impl CustomTask {
    /// Resolves nodes and samples into a [`Task`] on `network`.
    pub fn build(&self, network: &Network) -> Result<Task, LearningError> {
        let resolve = |refs: &[NodeRef], role| {
            refs.iter()
                .map(|r| r.resolve(network, role))
                .collect::<Result<Vec<_>, _>>()
        };
        let grounds = resolve(&self.grounds, "ground")?;
        let inputs = resolve(&self.inputs, "input")?;
        let readout = match (self.outputs.is_empty(), self.output_edges.is_empty()) {
            (false, true) => Readout::Node {
                nodes: resolve(&self.outputs, "output")?,
            },
            (true, false) => Readout::Edge {
                edges: self
                    .output_edges
                    .iter()
                    .map(|[a, b]| {
                        Ok([a.resolve(network, "output")?, b.resolve(network, "output")?])
                    })
                    .collect::<Result<_, LearningError>>()?,
            },
            _ => {
                return Err(LearningError::InvalidParameter {
                    field: "outputs",
                    reason: "give either `outputs` (nodes) or `output_edges`, not both or neither"
                        .into(),
                })
            }
        };
        let n_in = inputs.len();
        let n_out = readout.len();
        let rows: Vec<(Vec<f64>, Vec<f64>)> = match &self.samples {
            Samples::Linear {
                coefficients,
                count,
                range,
            } => {
                if coefficients.len() != n_out || coefficients.iter().any(|r| r.len() != n_in) {
                    return Err(LearningError::InvalidParameter { field: "coefficients", reason: format!("need {n_out} rows of {n_in} coefficients (one row per output, one column per input)") });
                }
                super::task::check_sample_count(*count)?;
                if !(range[0].is_finite() && range[1].is_finite() && range[0] <= range[1]) {
                    return Err(LearningError::InvalidParameter {
                        field: "input_range",
                        reason: format!(
                            "[{}, {}] is not a finite range with low <= high",
                            range[0], range[1]
                        ),
                    });
                }
                let mut rng = Rng::new(self.seed);
                (0..*count)
                    .map(|_| {
                        let x: Vec<f64> = (0..n_in)
                            .map(|_| rng.uniform_in(range[0], range[1]))
                            .collect();
                        let y = coefficients
                            .iter()
                            .map(|row| row.iter().zip(&x).map(|(a, b)| a * b).sum())
                            .collect();
                        (x, y)
                    })
                    .collect()
            }
            Samples::Table(table) => table
                .iter()
                .enumerate()
                .map(|(row, values)| {
                    if values.len() != n_in + n_out {
                        return Err(LearningError::SampleShape {
                            what: "samples table",
                            row,
                            expected: n_in + n_out,
                            found: values.len(),
                        });
                    }
                    Ok((values[..n_in].to_vec(), values[n_in..].to_vec()))
                })
                .collect::<Result<_, _>>()?,
        };
        // Name the roles a node is given twice in (Task::validate only knows
        // "fixed" and "output").
        let mut roles: std::collections::HashMap<usize, &'static str> = Default::default();
        let named = grounds
            .iter()
            .map(|&n| (n, "ground"))
            .chain(inputs.iter().map(|&n| (n, "input")))
            .chain(
                self.outputs
                    .iter()
                    .zip(readout.nodes())
                    .map(|(_, n)| (n, "output")),
            );
        for (node, role) in named {
            if let Some(first) = roles.insert(node, role) {
                return Err(LearningError::NodeInTwoRoles {
                    node,
                    first,
                    second: role,
                });
            }
        }
        let fixed_nodes: Vec<usize> = grounds.iter().chain(&inputs).copied().collect();
        let task = Task {
            name: self.name.clone(),
            fixed_voltages: rows
                .iter()
                .map(|(x, _)| {
                    std::iter::repeat_n(self.ground_voltage, grounds.len())
                        .chain(x.iter().copied())
                        .collect()
                })
                .collect(),
            targets: rows.into_iter().map(|(_, y)| y).collect(),
            roles: Roles {
                grounds,
                inputs,
                outputs: readout.nodes(),
            },
            fixed_nodes,
            readout,
            cost: self.cost,
            test_fixed_voltages: Vec::new(),
            test_targets: Vec::new(),
            classification: self.cost == Cost::Cosine,
            physics: crate::network::Physics::Resistive,
        };
        let task = match network.physics() {
            crate::network::Physics::Resistive => task,
            _ => super::spring_tasks::on_springs(task),
        };
        task.validate(network)?;
        Ok(task)
    }
}
