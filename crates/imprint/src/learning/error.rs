//! Errors raised while building tasks or training.

use crate::network::NetworkError;
use crate::physics::PhysicsError;

/// Why a task or a training configuration was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LearningError {
    /// A node is given two roles (for example input and output).
    #[error("node {node} is both {first} and {second}: a node has one role")]
    NodeInTwoRoles {
        /// The node.
        node: usize,
        /// First role.
        first: &'static str,
        /// Second role.
        second: &'static str,
    },
    /// A task refers to a node the network does not have.
    #[error("{role} node {node} does not exist: the network has {node_count} nodes")]
    UnknownNode {
        /// The role.
        role: &'static str,
        /// The node.
        node: usize,
        /// How many nodes there are.
        node_count: usize,
    },
    /// A task refers to a degree of freedom the network does not have.
    #[error("{role} degree of freedom {dof} does not exist: the network has {dofs} (2 node + component for springs)")]
    UnknownDof {
        /// The role.
        role: &'static str,
        /// The degree of freedom.
        dof: usize,
        /// How many there are.
        dofs: usize,
    },
    /// A task posed in one physics given a network of another.
    #[error("the task is posed for a {task} network, but the network is {network}")]
    PhysicsMismatch {
        /// The task's physics.
        task: crate::network::Physics,
        /// The network's physics.
        network: crate::network::Physics,
    },
    /// A sample has the wrong number of values.
    #[error("{what} row {row} has {found} values, expected {expected}")]
    SampleShape {
        /// Which array.
        what: &'static str,
        /// The sample.
        row: usize,
        /// Values needed.
        expected: usize,
        /// Values given.
        found: usize,
    },
    /// A configuration value is out of range.
    #[error("invalid `{field}`: {reason}")]
    InvalidParameter {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// An unknown built-in task name.
    #[error("unknown task `{name}`: built-in tasks are regression-2x2, regression-2x5, classification-3 and allostery")]
    UnknownTask {
        /// The name given.
        name: String,
    },
    /// The physics failed (for example an output part no fixed voltage reaches).
    #[error(transparent)]
    Physics(#[from] PhysicsError),
    /// The network is invalid.
    #[error(transparent)]
    Network(#[from] NetworkError),
}
