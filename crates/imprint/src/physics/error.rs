//! Errors raised while setting up or solving a network's response.

use crate::network::{NetworkError, Physics};

/// Why a boundary-value problem on a network could not be solved.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PhysicsError {
    /// A boundary condition names a node the network does not have.
    #[error("{role} node {node} does not exist: the network has {node_count} nodes (0 to {last})", last = node_count.saturating_sub(1))]
    UnknownNode {
        /// "fixed" or "injected".
        role: &'static str,
        /// The node index given.
        node: usize,
        /// How many nodes the network has.
        node_count: usize,
    },
    /// The same node is given two boundary conditions.
    #[error("node {node} is given two boundary conditions ({first} and {second}); a node is either fixed once or injected once")]
    ConflictingBoundary {
        /// The node.
        node: usize,
        /// Role of the first condition.
        first: &'static str,
        /// Role of the second condition.
        second: &'static str,
    },
    /// An imposed voltage or injected current is NaN, infinite or beyond
    /// [`MAX_SOURCE`](super::MAX_SOURCE) in magnitude.
    #[error(
        "{role} value at node {node} is {value:?}: it must be finite and at most 1e50 in magnitude"
    )]
    NonFiniteValue {
        /// "fixed" or "injected".
        role: &'static str,
        /// The node.
        node: usize,
        /// The value.
        value: f64,
    },
    /// No node has an imposed voltage, so the voltages are defined only up to a constant.
    #[error("no node has a fixed voltage: fix at least one node (a ground) per connected part of the network")]
    NoFixedNodes,
    /// A connected part of the network has no fixed voltage, so its voltages are undetermined.
    #[error("{count} nodes ({}{}) form a part of the network that no fixed voltage reaches: fix one of them or connect the part", list_nodes(.nodes), if *count > .nodes.len() { ", ..." } else { "" })]
    UnreachableNodes {
        /// The first few nodes of that part, in increasing order.
        nodes: Vec<usize>,
        /// How many nodes the part has.
        count: usize,
    },
    /// A spring network whose held displacement components leave a zero
    /// mode (a rigid-body or floppy motion): its response is not unique.
    #[error("{zero_modes} zero modes are left by the held displacements (nodes {}{} move in them): hold more components, or add bonds", list_nodes(&.nodes[..(.nodes.len().min(8))]), if .nodes.len() > 8 { ", ..." } else { "" })]
    Floppy {
        /// Independent zero modes.
        zero_modes: usize,
        /// The nodes that move in at least one of them.
        nodes: Vec<usize>,
    },
    /// A vector has the wrong length for the problem.
    #[error("{what} has length {found}, expected {expected}")]
    LengthMismatch {
        /// What was given.
        what: &'static str,
        /// Expected length.
        expected: usize,
        /// Length given.
        found: usize,
    },
    /// The reduced Laplacian could not be factorised (its conductances span
    /// too many orders of magnitude for double precision).
    #[error("the reduced Laplacian is not numerically positive definite: conductances from {min_conductance:e} to {max_conductance:e} span too many orders of magnitude")]
    NotPositiveDefinite {
        /// Smallest conductance.
        min_conductance: f64,
        /// Largest conductance.
        max_conductance: f64,
    },
    /// Boundary conditions fix other nodes than the solver was analysed for.
    #[error("the boundary conditions fix nodes {given:?}, but this solver was analysed for fixed nodes {expected:?} (build a Solver for these conditions)")]
    ConstraintMismatch {
        /// Fixed nodes the solver expects, in order.
        expected: Vec<usize>,
        /// Fixed nodes given.
        given: Vec<usize>,
    },
    /// No degree of freedom of a spring network is held: it moves freely.
    #[error("no displacement component is held: hold enough to pin the rigid-body motions (both components of one node and one component of another, in an open box)")]
    NothingHeld,
    /// A held degree of freedom the network does not have.
    #[error("held degree of freedom {dof} does not exist: the network has {dofs} (node * d + component)")]
    UnknownDof {
        /// The degree of freedom.
        dof: usize,
        /// How many there are.
        dofs: usize,
    },
    /// A degree of freedom held twice.
    #[error("degree of freedom {dof} (node {}, component {}) is held twice", .dof / 2, .dof % 2)]
    HeldTwice {
        /// The degree of freedom.
        dof: usize,
    },
    /// A spring network's stiffness matrix met a zero pivot or failed the
    /// rigidity probe: a zero mode is left that the network was too large
    /// to locate beforehand, or the stiffnesses span too many decades for
    /// its solves to be certified in `f64` (seen on a rigid 2 x 10^4-node
    /// Delaunay network with stiffnesses from 1e-4 to 1e4).
    #[error("the stiffness matrix with these held components is singular or too ill-conditioned to certify: either a rigid-body or floppy motion is left free (too many nodes to locate it densely; hold more components or add bonds), or the stiffnesses span too many decades for f64 (narrow their range)")]
    SingularStiffness,
    /// A spring network with floppy modes beyond its rigid-body ones.
    #[error("as a spring network it has {floppy} floppy modes beyond the rigid-body ones ({}{}; {rattlers} nodes rattle with fewer than 3 bonds): add bonds (a square lattice needs diagonals) or remove the rattlers", if .nodes.is_empty() { "not located above 500 nodes".to_string() } else { format!("nodes {}{} move in them", list_nodes(&.nodes[..(.nodes.len().min(8))]), if .nodes.len() > 8 { ", ..." } else { "" }) }, "")]
    FloppyNetwork {
        /// Floppy modes (zero modes less the rigid-body ones).
        floppy: usize,
        /// Nodes that move in one of the zero modes (empty when not counted).
        nodes: Vec<usize>,
        /// Rattlers (nodes left with fewer than 3 bonds).
        rattlers: usize,
    },
    /// A computation written for one physics was given a network of
    /// another (resistor paths and spring paths).
    #[error("{what} does not handle {physics} networks (docs/theory.md section 9 lists what serves spring networks: generation, rigidity, solves, tasks, training, analysis, figures and the reproduction; not yet SPICE export or the simulated measurement)")]
    UnsupportedPhysics {
        /// What was asked.
        what: &'static str,
        /// The network's physics.
        physics: Physics,
    },
    /// The network itself is invalid (for example a non-positive conductance).
    #[error(transparent)]
    Network(#[from] NetworkError),
}

fn list_nodes(nodes: &[usize]) -> String {
    nodes
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
