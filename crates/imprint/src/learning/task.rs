//! Supervised tasks (docs/theory.md section 3): node roles, samples of imposed
//! voltages with desired outputs, the read-out `P` and the cost.
//!
//! A [`Task`] is exactly what `task.json` holds: with the trained network it
//! is enough to recompute the cost of a run from the files alone.

use serde::{Deserialize, Serialize};

use super::Cost;

use super::LearningError;
use crate::network::{EdgeStencil, Network, Physics};

/// The most samples a generated task may draw (ten million: every sample's
/// voltages are kept in memory and in `task.json`). More is refused before
/// anything is allocated.
pub const MAX_SAMPLES: usize = 10_000_000;

/// Checks a sample count given by the user: at least one, at most
/// [`MAX_SAMPLES`].
pub(crate) fn check_sample_count(count: usize) -> Result<(), LearningError> {
    if count == 0 || count > MAX_SAMPLES {
        return Err(LearningError::InvalidParameter {
            field: "samples",
            reason: format!("{count} is not between 1 and {MAX_SAMPLES}"),
        });
    }
    Ok(())
}

/// What the outputs are: node voltages, or drops across edges (on a
/// spring network: displacement components, or pair extensions; the rows
/// of `P` are [`Readout::stencils`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum Readout {
    /// `y_o = V_o`: rows `e_o^T` of `P` (springs: `y_o = u_d`, `d` a
    /// degree of freedom `2 node + component`).
    Node {
        /// Output nodes (springs: degrees of freedom).
        nodes: Vec<usize>,
    },
    /// `y_t = V_i - V_j` for target edge `t = (i, j)`: rows `bb_t^T` of `P`
    /// (springs: the extension `b_ij . (u_j - u_i)`).
    Edge {
        /// Target edges as node pairs.
        edges: Vec<[usize; 2]>,
    },
}

impl Readout {
    /// Number of outputs `n_out`.
    pub fn len(&self) -> usize {
        match self {
            Self::Node { nodes } => nodes.len(),
            Self::Edge { edges } => edges.len(),
        }
    }

    /// Whether there are no outputs.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The read-out's rows of `P` on `network`, one stencil per output: a
    /// degree of freedom read as it is, or the drop between a pair of nodes
    /// in the network's physics ([`Network::pair_stencil`]).
    pub fn stencils(&self, network: &Network) -> Vec<EdgeStencil> {
        match self {
            Self::Node { nodes } => nodes.iter().map(|&dof| EdgeStencil::unit(dof)).collect(),
            Self::Edge { edges } => edges
                .iter()
                .map(|&[i, j]| network.pair_stencil(i, j))
                .collect(),
        }
    }

    /// Every node the read-out touches.
    pub fn nodes(&self) -> Vec<usize> {
        match self {
            Self::Node { nodes } => nodes.clone(),
            Self::Edge { edges } => edges.iter().flatten().copied().collect(),
        }
    }
}

/// Node roles, for drawings and reports (the physics needs only
/// `fixed_nodes` and the read-out).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Roles {
    /// Nodes held at a constant voltage in every sample (grounds, bias rails).
    pub grounds: Vec<usize>,
    /// Nodes whose voltage carries the input.
    pub inputs: Vec<usize>,
    /// Output nodes (or the ends of output edges).
    pub outputs: Vec<usize>,
}

/// A supervised task on a network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// Name (built-in name or the custom task's).
    pub name: String,
    /// Nodes held at imposed voltages in the free state: the constrained set `C`.
    pub fixed_nodes: Vec<usize>,
    /// One row per training sample: the voltage of every fixed node.
    pub fixed_voltages: Vec<Vec<f64>>,
    /// What the outputs are.
    pub readout: Readout,
    /// One row per training sample: the desired outputs.
    pub targets: Vec<Vec<f64>>,
    /// The cost.
    pub cost: Cost,
    /// Held-out samples (classification), same layout.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub test_fixed_voltages: Vec<Vec<f64>>,
    /// Desired outputs of the held-out samples.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub test_targets: Vec<Vec<f64>>,
    /// Node roles for drawings.
    #[serde(default)]
    pub roles: Roles,
    /// Whether accuracy (winner-take-all) is meaningful.
    #[serde(default)]
    pub classification: bool,
    /// The physics the task is posed in (resistive when absent). For a
    /// spring network `fixed_nodes` and a node read-out list degrees of
    /// freedom `2 node + component` (held displacements, read
    /// displacements), `fixed_voltages` are held displacements, and an edge
    /// read-out reads the extension `b_ij . (u_j - u_i)` of each pair
    /// (docs/theory.md section 9).
    #[serde(default, skip_serializing_if = "is_resistive")]
    pub physics: Physics,
}

fn is_resistive(physics: &Physics) -> bool {
    *physics == Physics::Resistive
}

/// A plane of drives: every fixed voltage an affine function of the
/// voltages `(u, v)` at two fixed nodes (how a two-feature task such as
/// `classification-3` spreads its inputs over 12 held nodes).
#[derive(Debug, Clone, PartialEq)]
pub struct InputPlane {
    /// Positions, in the task's fixed-node order, of the two coordinate nodes.
    pub columns: [usize; 2],
    /// Per fixed node `[a, b, c]`: `V = a + b u + c v`.
    pub coefficients: Vec<[f64; 3]>,
}

impl InputPlane {
    /// The fixed voltages at the point `(u, v)`.
    pub fn drive(&self, u: f64, v: f64) -> Vec<f64> {
        self.coefficients
            .iter()
            .map(|[a, b, c]| a + b * u + c * v)
            .collect()
    }
}

/// Least-squares affine fit `value_j = a_j + b_j u + c_j v` of every column
/// `j` of `values` (one row per point), through the 3 x 3 normal equations.
pub(crate) fn affine_fit(u: &[f64], v: &[f64], values: &[Vec<f64>]) -> Vec<[f64; 3]> {
    let columns = values.first().map_or(0, Vec::len);
    let basis: Vec<[f64; 3]> = u.iter().zip(v).map(|(&u, &v)| [1.0, u, v]).collect();
    let mut normal = faer::Mat::<f64>::zeros(3, 3);
    for b in &basis {
        for r in 0..3 {
            for c in 0..3 {
                normal[(r, c)] += b[r] * b[c];
            }
        }
    }
    let mut right = faer::Mat::<f64>::zeros(3, columns);
    for (s, b) in basis.iter().enumerate() {
        for j in 0..columns {
            for r in 0..3 {
                right[(r, j)] += b[r] * values[s][j];
            }
        }
    }
    use faer::linalg::solvers::Solve;
    let solution = normal.as_ref().full_piv_lu().solve(right.as_ref());
    (0..columns)
        .map(|j| [solution[(0, j)], solution[(1, j)], solution[(2, j)]])
        .collect()
}

impl Task {
    /// The plane the training drives lie in, when they span exactly two
    /// input directions (an affine function of two fixed nodes' voltages,
    /// to `1e-9` relative); `None` otherwise.
    pub fn input_plane(&self) -> Option<InputPlane> {
        let rows = &self.fixed_voltages;
        let m = rows.len();
        let columns = self.fixed_nodes.len();
        if m < 3 {
            return None;
        }
        let column = |j: usize| -> Vec<f64> { rows.iter().map(|r| r[j]).collect() };
        let varies = |x: &[f64]| {
            let (lo, hi) = x
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                    (a.min(v), b.max(v))
                });
            hi - lo > 1e-12 * (1.0 + hi.abs().max(lo.abs()))
        };
        let first = (0..columns).find(|&j| varies(&column(j)))?;
        let u = column(first);
        let second = (first + 1..columns).find(|&j| {
            let c = column(j);
            varies(&c) && crate::statistics::pearson(&u, &c).abs() < 1.0 - 1e-9
        })?;
        let v = column(second);
        let coefficients = affine_fit(&u, &v, rows);
        let basis: Vec<[f64; 3]> = (0..m).map(|s| [1.0, u[s], v[s]]).collect();
        let scale = rows.iter().flatten().fold(1.0f64, |a, &x| a.max(x.abs()));
        let plane = InputPlane {
            columns: [first, second],
            coefficients,
        };
        let fits = rows.iter().zip(&basis).all(|(row, b)| {
            plane
                .drive(b[1], b[2])
                .iter()
                .zip(row)
                .all(|(p, r)| (p - r).abs() <= 1e-9 * scale)
        });
        fits.then_some(plane)
    }

    /// Number of training samples `M`.
    pub fn sample_count(&self) -> usize {
        self.fixed_voltages.len()
    }

    /// Checks the task against `network`: nodes exist, no node has two roles
    /// (fixed and output), every row has the right length, values are finite.
    pub fn validate(&self, network: &Network) -> Result<(), LearningError> {
        if self.physics != network.physics() {
            return Err(LearningError::PhysicsMismatch {
                task: self.physics,
                network: network.physics(),
            });
        }
        // Roles are claimed per degree of freedom (per node for resistors).
        let d = self.physics.dofs_per_node();
        let node_count = network.node_count();
        let dof_count = node_count * d;
        let mut role: Vec<Option<&'static str>> = vec![None; dof_count];
        let outputs = self.readout.nodes();
        let read_dofs: Vec<usize> = match &self.readout {
            Readout::Node { nodes } => nodes.clone(),
            Readout::Edge { edges } => edges
                .iter()
                .flatten()
                .flat_map(|&n| (0..d).map(move |c| n * d + c))
                .collect(),
        };
        if let Readout::Edge { edges } = &self.readout {
            if let Some(&node) = edges.iter().flatten().find(|&&n| n >= node_count) {
                return Err(LearningError::UnknownNode {
                    role: "output",
                    node,
                    node_count,
                });
            }
            if d > 1 {
                if let Some([i, j]) = edges
                    .iter()
                    .find(|&&[i, j]| network.pair_vector(i, j) == [0.0, 0.0])
                {
                    return Err(LearningError::InvalidParameter {
                        field: "readout",
                        reason: format!("nodes {i} and {j} sit at the same place: their pair has no direction to extend along"),
                    });
                }
            }
        }
        let claims = self
            .fixed_nodes
            .iter()
            .map(|&n| (n, "fixed"))
            .chain(read_dofs.iter().map(|&n| (n, "output")));
        for (node, what) in claims {
            if node >= dof_count {
                return Err(if d == 1 {
                    LearningError::UnknownNode {
                        role: what,
                        node,
                        node_count,
                    }
                } else {
                    LearningError::UnknownDof {
                        role: what,
                        dof: node,
                        dofs: dof_count,
                    }
                });
            }
            match role[node] {
                Some(first)
                    if !(first == "output"
                        && what == "output"
                        && matches!(self.readout, Readout::Edge { .. })) =>
                {
                    // Named by node (a spring's degree of freedom is
                    // `2 node + component`).
                    return Err(LearningError::NodeInTwoRoles {
                        node: node / d,
                        first,
                        second: what,
                    });
                }
                _ => role[node] = Some(what),
            }
        }
        if self.readout.is_empty() {
            return Err(LearningError::InvalidParameter {
                field: "readout",
                reason: "the task has no outputs".into(),
            });
        }
        // The roles name nodes of the task itself: a ground or an input is
        // held (the analysis borders H_g at the grounds), an output is read.
        // A role at any other node would be analysed at a free node.
        let held_nodes: Vec<usize> = self.fixed_nodes.iter().map(|&dof| dof / d).collect();
        let read_nodes: Vec<usize> = match &self.readout {
            Readout::Node { nodes } => nodes.iter().map(|&dof| dof / d).collect(),
            Readout::Edge { .. } => outputs,
        };
        let roles = [
            (
                "roles.grounds",
                &self.roles.grounds,
                &held_nodes,
                "held (in fixed_nodes)",
            ),
            (
                "roles.inputs",
                &self.roles.inputs,
                &held_nodes,
                "held (in fixed_nodes)",
            ),
            (
                "roles.outputs",
                &self.roles.outputs,
                &read_nodes,
                "read out",
            ),
        ];
        for (field, nodes, among, what) in roles {
            if let Some(node) = nodes.iter().find(|n| !among.contains(n)) {
                return Err(LearningError::InvalidParameter {
                    field,
                    reason: format!("node {node} is not {what} by the task"),
                });
            }
        }
        if self.fixed_voltages.is_empty() {
            return Err(LearningError::InvalidParameter {
                field: "fixed_voltages",
                reason: "the task has no samples".into(),
            });
        }
        let counts = [
            ("targets", self.targets.len(), self.fixed_voltages.len(), ""),
            (
                "test_targets",
                self.test_targets.len(),
                self.test_fixed_voltages.len(),
                "test ",
            ),
        ];
        for (field, targets, samples, test) in counts {
            if targets != samples {
                return Err(LearningError::InvalidParameter {
                    field,
                    reason: format!("{targets} {test}target rows for {samples} {test}samples"),
                });
            }
        }
        let shapes = [
            (
                "fixed_voltages",
                &self.fixed_voltages,
                self.fixed_nodes.len(),
            ),
            ("targets", &self.targets, self.readout.len()),
            (
                "test_fixed_voltages",
                &self.test_fixed_voltages,
                self.fixed_nodes.len(),
            ),
            ("test_targets", &self.test_targets, self.readout.len()),
        ];
        for (what, rows, expected) in shapes {
            self.check_shape(what, rows, expected)?;
        }
        if self.cost == super::Cost::Cosine {
            // A cosine cost compares directions: the zero vector has none
            // (its cost is 1 and its gradient 0 whatever the network does).
            for (field, rows) in [
                ("targets", &self.targets),
                ("test_targets", &self.test_targets),
            ] {
                if let Some(row) = rows.iter().position(|r| r.iter().all(|&t| t == 0.0)) {
                    return Err(LearningError::InvalidParameter {
                        field,
                        reason: format!("row {row} is zero: a cosine cost needs a target direction, and the zero vector has none"),
                    });
                }
            }
        }
        Ok(())
    }

    /// Every row of `rows` has `expected` values, each a valid voltage.
    fn check_shape(
        &self,
        what: &'static str,
        rows: &[Vec<f64>],
        expected: usize,
    ) -> Result<(), LearningError> {
        for (row, values) in rows.iter().enumerate() {
            if values.len() != expected {
                return Err(LearningError::SampleShape {
                    what,
                    row,
                    expected,
                    found: values.len(),
                });
            }
            if let Some(v) = values
                .iter()
                .find(|&&v| !crate::physics::is_valid_source(v))
            {
                return Err(LearningError::InvalidParameter {
                    field: what,
                    reason: format!(
                        "row {row} holds {v:?}: voltages must be finite and at most 1e50 V in magnitude"
                    ),
                });
            }
        }
        Ok(())
    }

    /// Refuses a voltage target no conductances can reach: a resistor
    /// network's node voltages lie between its held voltages (the maximum
    /// principle), so an output node's target must lie between the sample's
    /// lowest and highest held voltage, and an output edge's drop within
    /// their difference. A cosine cost's targets are directions, not
    /// voltages, and are not checked. Training checks this before it starts
    /// (an analysis of any targets is still well defined).
    pub fn check_reachable(&self) -> Result<(), LearningError> {
        if self.cost == super::Cost::Cosine {
            return Ok(());
        }
        let sets = [
            ("targets", &self.fixed_voltages, &self.targets),
            (
                "test_targets",
                &self.test_fixed_voltages,
                &self.test_targets,
            ),
        ];
        for (field, held, targets) in sets {
            for (row, (held, targets)) in held.iter().zip(targets).enumerate() {
                let lo = held.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = held.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                // Rounding: targets computed from the inputs may touch the range.
                let slack = 1e-12 * lo.abs().max(hi.abs()).max(1.0);
                for (output, &t) in targets.iter().enumerate() {
                    let reachable = match self.readout {
                        Readout::Node { .. } => t >= lo - slack && t <= hi + slack,
                        Readout::Edge { .. } => t.abs() <= hi - lo + slack,
                    };
                    if !reachable {
                        let (what, range) = match self.readout {
                            Readout::Node { .. } => (
                                "voltage",
                                format!("between its held voltages [{lo}, {hi}] V"),
                            ),
                            Readout::Edge { .. } => (
                                "drop",
                                format!(
                                    "at most {} V in magnitude, the spread of its held voltages",
                                    hi - lo
                                ),
                            ),
                        };
                        return Err(LearningError::InvalidParameter {
                            field,
                            reason: format!(
                                "row {row}, output {output}: a target {what} of {t} V cannot be reached; a resistor network's node voltages lie between its held voltages (the maximum principle), so it must be {range}"
                            ),
                        });
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::learning::builtin;

    #[test]
    fn a_target_outside_the_held_voltages_is_refused_before_training() {
        let net = crate::network::lattice::square(6, 6, true).unwrap();
        let mut task =
            builtin::build("regression-2x2", &net, &builtin::BuiltinOptions::default()).unwrap();
        task.check_reachable().unwrap();
        // Row 0 holds x1, x2 and the 0 V ground: output 0 at twice the
        // largest held voltage is out of reach, at exactly the largest is not.
        let highest = task.fixed_voltages[0].iter().copied().fold(0.0, f64::max);
        task.targets[0][0] = highest;
        task.check_reachable().unwrap();
        task.targets[0][0] = 2.0 * highest;
        let error = task.check_reachable().unwrap_err().to_string();
        assert!(
            error.contains("row 0, output 0") && error.contains("maximum principle"),
            "{error}"
        );
        assert!(crate::learning::Training::new(&net, &task, Default::default()).is_err());
        // An edge read-out: a drop beyond the spread of the held voltages.
        let mut allostery =
            builtin::build("allostery", &net, &builtin::BuiltinOptions::default()).unwrap();
        allostery.check_reachable().unwrap();
        allostery.targets[0][1] = -1.5;
        let error = allostery.check_reachable().unwrap_err().to_string();
        assert!(error.contains("target drop of -1.5 V"), "{error}");
    }

    /// Issue 30 item 16: a test set whose targets are missing says so
    /// (it said "112 target rows for 112 samples").
    #[test]
    fn a_missing_test_target_names_the_test_set() {
        let net = crate::network::lattice::square(6, 6, true).unwrap();
        let mut task = builtin::build(
            "classification-3",
            &net,
            &builtin::BuiltinOptions::default(),
        )
        .unwrap();
        task.test_targets.clear();
        let error = task.validate(&net).unwrap_err().to_string();
        assert_eq!(
            error,
            "invalid `test_targets`: 0 test target rows for 30 test samples"
        );
    }

    #[test]
    fn a_role_at_a_node_the_task_does_not_hold_or_read_is_refused() {
        let net = crate::network::lattice::square(6, 6, true).unwrap();
        let task =
            builtin::build("regression-2x2", &net, &builtin::BuiltinOptions::default()).unwrap();
        task.validate(&net).unwrap();
        let free = (0..net.node_count())
            .find(|n| !task.fixed_nodes.contains(n) && !task.readout.nodes().contains(n))
            .unwrap();
        for field in ["roles.grounds", "roles.inputs", "roles.outputs"] {
            let mut bad = task.clone();
            match field {
                "roles.grounds" => bad.roles.grounds.push(free),
                "roles.inputs" => bad.roles.inputs.push(free),
                _ => bad.roles.outputs.push(free),
            }
            let error = bad.validate(&net).unwrap_err().to_string();
            assert!(
                error.contains(field) && error.contains(&format!("node {free}")),
                "{error}"
            );
        }
    }
}
