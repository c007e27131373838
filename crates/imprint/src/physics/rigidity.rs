//! How rigid a 2D spring network is (docs/theory.md section 9, "Rigidity
//! before anything"): the coordination against isostaticity, rattlers,
//! Maxwell's count and, for small networks, the exact number of zero modes.
//!
//! A node needs `d + 1 = 3` bonds to be held in place in 2D; nodes with
//! fewer, removed repeatedly (removing one can leave a neighbour short),
//! are the *rattlers*, and the excess coordination `Z - 2d` of the jamming
//! literature is counted over the rest (the backbone). Maxwell's count
//! `2N - E` minus the rigid-body modes is a lower bound on the floppy
//! modes; the exact count is the dimension of the null space of `Q^T`
//! less the rigid-body modes ([`super::spring::zero_modes`], dense).

use super::spring::{zero_modes, ZeroModes};
use super::PhysicsError;
use crate::network::connectivity::peel;
use crate::network::{Network, Physics};

/// Networks up to this many nodes get their zero modes counted exactly
/// (a dense SVD of `Q^T`, `E x 2N`); larger ones get Maxwell's bound.
pub const DENSE_RIGIDITY_NODES: usize = 500;

/// Bonds a node needs in 2D not to rattle (`d + 1`).
const HOLDING_BONDS: usize = 3;

/// What [`rigidity`] finds.
#[derive(Debug, Clone, PartialEq)]
pub struct Rigidity {
    /// Nodes `N`.
    pub nodes: usize,
    /// The mean coordination `Z = 2E / N` over every node.
    pub mean_coordination: f64,
    /// Nodes with fewer than 3 bonds once every such node is removed in
    /// turn, ascending.
    pub rattlers: Vec<usize>,
    /// `Z - 2d` over the backbone (the nodes that are not rattlers and the
    /// bonds between them); `None` when every node rattles.
    pub excess_coordination: Option<f64>,
    /// Rigid-body zero modes of the free network: 3 in an open box, 2 in a
    /// periodic one.
    pub rigid_body_modes: usize,
    /// Maxwell's count `2N - E - rigid-body modes`: when positive, at least
    /// that many floppy modes.
    pub maxwell: i64,
    /// The zero modes of the free network, counted exactly (networks up to
    /// [`DENSE_RIGIDITY_NODES`] nodes); its `moving_nodes` are those that
    /// move in a floppy mode (none when there is none).
    pub zero_modes: Option<ZeroModes>,
}

impl Rigidity {
    /// The floppy modes (zero modes beyond the rigid-body ones), when counted.
    pub fn floppy_modes(&self) -> Option<usize> {
        self.zero_modes
            .as_ref()
            .map(|z| z.count.saturating_sub(self.rigid_body_modes))
    }
}

/// The rigidity of `network` read as a 2D spring network (whatever its
/// recorded physics), with nothing held.
pub fn rigidity(network: &Network) -> Rigidity {
    let (n, e) = (network.node_count(), network.edge_count());
    let rattlers = rattlers(network);
    let mut is_rattler = vec![false; n];
    for &i in &rattlers {
        is_rattler[i] = true;
    }
    let backbone_nodes = n - rattlers.len();
    let backbone_bonds = network
        .edges()
        .iter()
        .filter(|&&[i, j]| !is_rattler[i] && !is_rattler[j])
        .count();
    let rigid_body_modes = Physics::Spring2d.rigid_body_modes(network.periodic_box().is_some());
    Rigidity {
        nodes: n,
        mean_coordination: 2.0 * e as f64 / n as f64,
        excess_coordination: (backbone_nodes > 0)
            .then(|| 2.0 * backbone_bonds as f64 / backbone_nodes as f64 - 4.0),
        rattlers,
        rigid_body_modes,
        maxwell: 2 * n as i64 - e as i64 - rigid_body_modes as i64,
        zero_modes: (n <= DENSE_RIGIDITY_NODES)
            .then(|| counted_zero_modes(network, &is_rattler, rigid_body_modes)),
    }
}

/// The zero modes of the free network, with the nodes that move in its
/// floppy ones: those of the network with its rigid-body modes pinned on
/// the backbone (both components of one node and, in an open box, `y` of
/// the node farthest from it in `x`; every node moves in a translation).
fn counted_zero_modes(network: &Network, is_rattler: &[bool], rigid_body: usize) -> ZeroModes {
    let free = zero_modes(network, &[]);
    if free.count <= rigid_body {
        return ZeroModes {
            count: free.count,
            moving_nodes: Vec::new(),
        };
    }
    let backbone: Vec<usize> = (0..network.node_count())
        .filter(|&i| !is_rattler[i])
        .collect();
    let anchor = backbone.first().copied().unwrap_or(0);
    let mut held = vec![2 * anchor, 2 * anchor + 1];
    if rigid_body == 3 {
        let x = |i: usize| network.positions()[i][0];
        let far = backbone
            .iter()
            .copied()
            .max_by(|&a, &b| {
                (x(a) - x(anchor))
                    .abs()
                    .total_cmp(&(x(b) - x(anchor)).abs())
            })
            .filter(|&far| far != anchor);
        held.extend(far.map(|far| 2 * far + 1));
    }
    ZeroModes {
        count: free.count,
        moving_nodes: zero_modes(network, &held).moving_nodes,
    }
}

/// `network` as a 2D spring network, with its rigidity; refused when it
/// has floppy modes beyond the rigid-body ones (counted exactly up to
/// [`DENSE_RIGIDITY_NODES`] nodes; above, when Maxwell's count is
/// positive), naming the count, the nodes that move and the rattlers.
/// What a generator gives when asked for springs.
pub fn as_spring(network: Network) -> Result<(Network, Rigidity), PhysicsError> {
    let network = network.with_physics(Physics::Spring2d)?;
    let rigidity = rigidity(&network);
    let floppy = match rigidity.floppy_modes() {
        Some(floppy) => floppy,
        None => rigidity.maxwell.max(0) as usize,
    };
    if floppy > 0 {
        return Err(PhysicsError::FloppyNetwork {
            floppy,
            nodes: rigidity
                .zero_modes
                .as_ref()
                .map_or_else(Vec::new, |z| z.moving_nodes.clone()),
            rattlers: rigidity.rattlers.len(),
        });
    }
    Ok((network, rigidity))
}

/// Nodes left with fewer than three bonds (`d + 1` in 2D) when such nodes are
/// removed one after another, ascending.
pub fn rattlers(network: &Network) -> Vec<usize> {
    let kept = peel(network.node_count(), network.edges(), HOLDING_BONDS);
    (0..kept.len()).filter(|&i| !kept[i]).collect()
}

impl std::fmt::Display for Rigidity {
    /// Aligned `name  value` lines: the excess coordination over the
    /// backbone, rattlers, Maxwell's count and the zero modes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let r = self;
        match r.excess_coordination {
        Some(dz) => write!(
            f,
            "rigidity     Z - 2d = {dz:+.4} over the {} nodes that do not rattle (Z = {:.4} over all)",
            r.nodes - r.rattlers.len(),
            r.mean_coordination
        )?,
        None => write!(f, "rigidity     every node rattles (fewer than 3 bonds)")?,
    }
        let shown: Vec<String> = r.rattlers.iter().take(8).map(|i| i.to_string()).collect();
        write!(
            f,
            "\nrattlers     {}{}",
            r.rattlers.len(),
            if shown.is_empty() {
                String::new()
            } else {
                format!(
                    " (nodes {}{})",
                    shown.join(", "),
                    if r.rattlers.len() > 8 { ", ..." } else { "" }
                )
            }
        )?;
        write!(
            f,
            "\nmaxwell      2N - E - {} rigid-body modes = {}{}",
            r.rigid_body_modes,
            r.maxwell,
            if r.maxwell > 0 {
                " (at least that many floppy modes)"
            } else {
                ""
            }
        )?;
        match (&r.zero_modes, r.floppy_modes()) {
        (Some(z), Some(floppy)) => write!(
            f,
            "\nzero modes   {} with nothing held: {} rigid-body, {floppy} floppy{}",
            z.count,
            z.count.min(r.rigid_body_modes),
            if floppy > 0 {
                " (hold more components or add bonds: a task's held set must pin them)"
            } else {
                " (rigid once the rigid-body modes are held)"
            }
        ),
        _ => write!(
            f,
            "\nzero modes   not counted above {DENSE_RIGIDITY_NODES} nodes (dense); Maxwell's count bounds them below"
        ),
    }
    }
}

/// Whether a held set pins every zero mode of a network: for resistors,
/// every connected part holds a node; for springs, no rigid-body or floppy
/// motion is left with the held components fixed (counted exactly up to
/// [`DENSE_RIGIDITY_NODES`] nodes, above by factorising and probing the
/// stiffness matrix, which tells only whether one is left).
#[derive(Debug, Clone, PartialEq)]
pub struct HeldPinning {
    /// Held degrees of freedom (nodes for resistors).
    pub held: usize,
    /// Zero modes left: `Some(0)` when pinned, `None` when some are left
    /// but not counted (large spring networks).
    pub zero_modes: Option<usize>,
    /// Nodes that move in one of them (small networks).
    pub moving_nodes: Vec<usize>,
}

impl HeldPinning {
    /// Whether nothing is left free.
    pub fn pins(&self) -> bool {
        self.zero_modes == Some(0)
    }
}

/// [`HeldPinning`] of `held` (degrees of freedom, `node * d + component`)
/// on `network` at its conductances.
pub fn held_pinning(network: &Network, held: &[usize]) -> Result<HeldPinning, PhysicsError> {
    let dofs = network.node_count() * network.physics().dofs_per_node();
    if let Some(&dof) = held.iter().find(|&&d| d >= dofs) {
        return Err(PhysicsError::UnknownDof { dof, dofs });
    }
    if network.physics() == Physics::Resistive {
        let components = crate::network::connectivity::Components::of(network);
        let mut reached = vec![false; components.count];
        for &node in held {
            reached[components.label[node]] = true;
        }
        let free: Vec<usize> = (0..network.node_count())
            .filter(|&n| !reached[components.label[n]])
            .collect();
        return Ok(HeldPinning {
            held: held.len(),
            zero_modes: Some(reached.iter().filter(|&&r| !r).count()),
            moving_nodes: free,
        });
    }
    if network.node_count() <= DENSE_RIGIDITY_NODES {
        let modes = super::spring::zero_modes(network, held);
        return Ok(HeldPinning {
            held: held.len(),
            zero_modes: Some(modes.count),
            moving_nodes: modes.moving_nodes,
        });
    }
    let pinned = super::Solver::for_dofs(network, held)
        .and_then(|solver| solver.factorize(network.conductance()));
    match pinned {
        Ok(_) => Ok(HeldPinning {
            held: held.len(),
            zero_modes: Some(0),
            moving_nodes: Vec::new(),
        }),
        Err(PhysicsError::SingularStiffness) => Ok(HeldPinning {
            held: held.len(),
            zero_modes: None,
            moving_nodes: Vec::new(),
        }),
        Err(other) => Err(other),
    }
}

impl std::fmt::Display for HeldPinning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let listed: Vec<String> = self
            .moving_nodes
            .iter()
            .take(8)
            .map(|n| n.to_string())
            .collect();
        let more = if self.moving_nodes.len() > 8 {
            ", ..."
        } else {
            ""
        };
        match self.zero_modes {
            Some(0) => write!(f, "held set     {} held: every rigid-body and floppy motion pinned", self.held),
            Some(count) => write!(
                f,
                "held set     {} held: {count} zero modes left (nodes {}{more} move)",
                self.held,
                listed.join(", ")
            ),
            None => write!(
                f,
                "held set     {} held: a zero mode is left (the factorisation found it; too large to count)",
                self.held
            ),
        }
    }
}
