//! Errors raised while building or modifying a [`Network`](super::Network).

/// Why a network description was rejected. Every variant names the offending
/// node or edge (0-based indices, as in the files) and the value at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum NetworkError {
    /// The network has no nodes or no edges.
    #[error("the network is empty ({nodes} nodes, {edges} edges): it needs at least one edge")]
    Empty {
        /// Number of nodes given.
        nodes: usize,
        /// Number of edges given.
        edges: usize,
    },
    /// A node position is NaN or infinite.
    #[error("node {node} has a non-finite position ({x}, {y})")]
    InvalidPosition {
        /// The node.
        node: usize,
        /// Its x coordinate.
        x: f64,
        /// Its y coordinate.
        y: f64,
    },
    /// An edge names a node that does not exist.
    #[error("edge {edge} joins node {node}, but the network has only {node_count} nodes (0 to {last})", last = node_count.saturating_sub(1))]
    NodeOutOfRange {
        /// The edge.
        edge: usize,
        /// The node index it names.
        node: usize,
        /// How many nodes the network has.
        node_count: usize,
    },
    /// An edge joins a node to itself.
    #[error("edge {edge} joins node {node} to itself (self-loops carry no current)")]
    SelfLoop {
        /// The edge.
        edge: usize,
        /// The node.
        node: usize,
    },
    /// Two edges join the same pair of nodes.
    #[error("edge {edge} joins nodes {i} and {j}, which edge {first} already joins")]
    DuplicateEdge {
        /// The repeated edge.
        edge: usize,
        /// The first edge joining the same pair.
        first: usize,
        /// One end.
        i: usize,
        /// The other end.
        j: usize,
    },
    /// A conductance is outside [`CONDUCTANCE_RANGE`](super::CONDUCTANCE_RANGE)
    /// (zero, negative, NaN, infinite, or too extreme for a finite answer).
    #[error("edge {edge} has conductance {value:?}: conductances must lie in [1e-100, 1e100] S")]
    InvalidConductance {
        /// The edge.
        edge: usize,
        /// The value given.
        value: f64,
    },
    /// The conductance vector does not have one entry per edge.
    #[error("{found} conductances given for {expected} edges")]
    ConductanceCount {
        /// Number of edges.
        expected: usize,
        /// Number of conductances supplied.
        found: usize,
    },
    /// The periodic box has a side that is not finite and positive.
    #[error("the periodic box [{lx}, {ly}] must have finite, positive sides")]
    InvalidBox {
        /// Box width.
        lx: f64,
        /// Box height.
        ly: f64,
    },
    /// A spring network's bond has no direction: its ends sit at the same
    /// place (minimum image in a periodic box).
    #[error("edge {edge} joins nodes {i} and {j}, which sit at the same place: a spring there has no direction (move a node or drop the edge)")]
    ZeroLengthBond {
        /// The edge.
        edge: usize,
        /// Its first node.
        i: usize,
        /// Its second node.
        j: usize,
    },
    /// A generator ran but could not produce a valid network.
    #[error("network generation failed: {reason}")]
    GenerationFailed {
        /// What went wrong and what to change.
        reason: String,
    },
    /// A generator was asked for a network it cannot make.
    #[error("invalid generator parameter `{parameter}`: {reason}")]
    InvalidParameter {
        /// The parameter name.
        parameter: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}
