//! The built-in tasks on a 2D spring network (docs/theory.md section 9),
//! the counterparts of the paper's resistor tasks ([`super::builtin`]),
//! chosen with the same seeded spread of nodes:
//!
//! - `allostery`, as the spring literature defines it (Rocks et al. 2017):
//!   a source bond `s = (i, j)` strained by `eta_s = 1` (its ends held at
//!   `u_i = -(l_s / 2) b_s`, `u_j = +(l_s / 2) b_s`: both components of both
//!   ends, which also pins the rigid-body motion), and 1-3 target bonds
//!   trained to the strain ratio `eta_t / eta_s = desired_drop` (any sign;
//!   the target's extension `dl_t = desired_drop * l_t`). No node is shared
//!   between bonds.
//! - `regression-2x2` / `regression-2x5`: node-displacement regression. A
//!   ground node held at `u = 0`; two input nodes held at `u = (x_k, 0)`
//!   with `x1, x2 ~ U(0, 1)`; outputs are the `x` displacements of 2 (5)
//!   nodes, trained to `y = A x` as the resistor task's. Both components
//!   of the inputs are held: with only their `x` held, a rigid rotation
//!   about the ground is a zero-energy motion that moves inputs and
//!   outputs by amounts fixed by the geometry alone, so `T (Y_in - Y_g) =
//!   Y_out - Y_g` (`Y` the nodes' `y` coordinates) whatever the
//!   stiffnesses, and a generic `A` cannot be learned (measured: every
//!   trainer stalls at the same cost).
//!
//! `classification-3` has no spring counterpart here and is refused. A
//! custom task (nodes by index or position) on a spring network takes the
//! regression's convention ([`on_springs`]).
//! Whether the held set pins every zero mode is the solver's to certify
//! ([`crate::physics::Solver::for_dofs`]): a floppy task is refused there.

use super::builtin::BuiltinOptions;
use super::{Cost, LearningError, Readout, Roles, Task};
use crate::network::{Network, Physics};
use crate::random::Rng;

/// Builds the spring counterpart of built-in task `name` on a spring
/// `network` with `coefficients` for the regressions.
pub(super) fn build(
    name: &str,
    network: &Network,
    options: &BuiltinOptions,
    coefficients: &[Vec<f64>],
    rng: &mut Rng,
) -> Result<Task, LearningError> {
    match name {
        // The resistor task's nodes and samples, held and read by the
        // spring convention of [`on_springs`].
        "regression-2x2" | "regression-2x5" => Ok(on_springs(super::builtin::regression(
            name,
            network,
            coefficients,
            options.samples,
            rng,
        )?)),
        "allostery" => allostery(network, options, rng),
        "classification-3" => Err(LearningError::InvalidParameter {
            field: "task",
            reason: "classification-3 has no spring counterpart; spring networks take \
                     allostery, regression-2x2, regression-2x5 or a custom task"
                .into(),
        }),
        other => Err(LearningError::UnknownTask {
            name: other.to_string(),
        }),
    }
}

/// Degree of freedom of `node`'s component `c` (0: x, 1: y).
fn dof(node: usize, c: usize) -> usize {
    2 * node + c
}

fn allostery(
    network: &Network,
    options: &BuiltinOptions,
    rng: &mut Rng,
) -> Result<Task, LearningError> {
    let ratio = options.desired_drop;
    if !ratio.is_finite() {
        return Err(LearningError::InvalidParameter {
            field: "desired_drop",
            reason: format!("the strain ratio {ratio} is not finite"),
        });
    }
    let bonds = super::builtin::allosteric_edges(network, options.target_edges, rng)?;
    let (source, targets) = (bonds[0], bonds[1..].to_vec());
    let [i, j] = source;
    let length = |[a, b]: [usize; 2]| {
        let [dx, dy] = network.pair_vector(a, b);
        dx.hypot(dy)
    };
    let [bx, by] = network.pair_direction(i, j);
    let half = 0.5 * length(source);
    let outputs = targets.iter().flatten().copied().collect();
    Ok(Task {
        name: "allostery".into(),
        fixed_nodes: vec![dof(i, 0), dof(i, 1), dof(j, 0), dof(j, 1)],
        fixed_voltages: vec![vec![-half * bx, -half * by, half * bx, half * by]],
        readout: Readout::Edge {
            edges: targets.clone(),
        },
        targets: vec![targets.iter().map(|&t| ratio * length(t)).collect()],
        cost: Cost::Mse,
        test_fixed_voltages: Vec::new(),
        test_targets: Vec::new(),
        roles: Roles {
            grounds: vec![i],
            inputs: vec![j],
            outputs,
        },
        classification: false,
        physics: Physics::Spring2d,
    })
}

/// A task stated in nodes (a custom task) posed on a spring network by the
/// regression's convention: every held node holds both components, its
/// value on `x` and `0` on `y` (so grounds at `(v_g, 0)`, inputs at `(x_k,
/// 0)`, and the rigid motions pinned by any two held nodes); a node
/// read-out reads the `x` displacement, an edge read-out the pair's
/// extension.
pub(crate) fn on_springs(task: Task) -> Task {
    let fixed_nodes = task
        .fixed_nodes
        .iter()
        .flat_map(|&n| [dof(n, 0), dof(n, 1)])
        .collect();
    let spread = |rows: Vec<Vec<f64>>| -> Vec<Vec<f64>> {
        rows.into_iter()
            .map(|row| row.into_iter().flat_map(|v| [v, 0.0]).collect())
            .collect()
    };
    let readout = match task.readout {
        Readout::Node { nodes } => Readout::Node {
            nodes: nodes.iter().map(|&n| dof(n, 0)).collect(),
        },
        edges => edges,
    };
    Task {
        fixed_nodes,
        fixed_voltages: spread(task.fixed_voltages),
        test_fixed_voltages: spread(task.test_fixed_voltages),
        readout,
        physics: Physics::Spring2d,
        ..task
    }
}
