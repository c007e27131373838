//! The linear response `x = H^{-1} f` of docs/theory.md section 1 (eq. 3-4),
//! computed without forming `H` or its inverse.
//!
//! The constrained nodes `C` are eliminated: with `F` the free nodes,
//! `L_FF V_F = I_F - L_FC v_C`, then `mu = I_C - (L V)_C` (the bottom rows of
//! `H x = f`). `L_FF` is symmetric positive definite when every connected part
//! of the network holds a fixed node, and is factorised by a sparse Cholesky
//! (faer; AMD or METIS's nested dissection, whichever costs fewer flops).
//!
//! Two stages, so that repeated work is done once:
//! - [`Solver::new`] checks the graph against `C`, builds the sparsity pattern
//!   of `L_FF`, maps every edge to its slots in that pattern and computes the
//!   symbolic analysis. It depends only on the graph and `C`.
//! - [`Solver::factorize`] fills the pattern with a conductance vector (O(E))
//!   and runs the numeric factorisation; [`Factorization::refactorize`] does
//!   it again into the same storage, once per training update.
//!
//! A [`Factorization`] then solves any number of drives; blocks of drives are
//! spread over threads with rayon, each solve running sequentially inside
//! (faer's own sparse multithreading is slower on small core counts).

use std::sync::Arc;

use faer::sparse::linalg::cholesky::{
    factorize_symbolic_cholesky, CholeskySymbolicParams, SymbolicCholesky, SymbolicCholeskyRaw,
    SymmetricOrdering,
};
use faer::sparse::SymbolicSparseColMat;
use faer::Side;

use super::factorization::Factorization;
use super::layout::{transpose, SimplicialCopy, SIMPLICIAL_COPY_MAX_VALUES};
use super::ordering::{elimination_order, OrderingChoice};
use super::{BoundaryConditions, PhysicsError, Solution};
use crate::network::connectivity::Components;
use crate::network::{EdgeStencil, Network, Physics};

/// How many nodes of an unreachable part an error message lists.
const LISTED_NODES: usize = 8;

/// Where a node sits in the reduced problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// Index among the free nodes `F` (a row of `L_FF`).
    Free(usize),
    /// Index among the constrained nodes `C` (a multiplier).
    Fixed(usize),
}

/// Where an edge's conductance lands in the values of the lower triangle of `L_FF`.
#[derive(Debug, Clone)]
pub(super) enum EdgeSlots {
    /// Both ends free: two diagonal entries and one off-diagonal entry.
    Interior {
        diagonal: [usize; 2],
        off_diagonal: usize,
    },
    /// One end fixed: one diagonal entry; the other end enters the right-hand side.
    Boundary { diagonal: usize },
    /// Both ends fixed: the edge only carries current between sources.
    Clamped,
    /// An edge of several degrees of freedom per node (a 2D spring): it
    /// adds `k q_a q_b` to each of these `(slot, q_a q_b)`.
    General(Vec<(usize, f64)>),
}

impl EdgeSlots {
    /// Moves every slot to `to[slot]` (the same entry in another layout).
    fn move_slots(&mut self, to: &[usize]) {
        match self {
            EdgeSlots::Interior {
                diagonal,
                off_diagonal,
            } => {
                *diagonal = diagonal.map(|d| to[d]);
                *off_diagonal = to[*off_diagonal];
            }
            EdgeSlots::Boundary { diagonal } => *diagonal = to[*diagonal],
            EdgeSlots::Clamped => {}
            EdgeSlots::General(products) => {
                for (slot, _) in products {
                    *slot = to[*slot];
                }
            }
        }
    }
}

/// The graph, the roles of its nodes and the symbolic analysis of `L_FF`.
#[derive(Debug)]
pub(super) struct Structure {
    pub(super) node_count: usize,
    /// Degrees of freedom `N d` (`N` for resistors): the rows of states
    /// and drives before the multipliers.
    pub(super) dofs: usize,
    /// Every edge's column of `Q` for a network of several degrees of
    /// freedom per node; none for resistors, whose loops read `edges`.
    pub(super) stencils: Option<Vec<EdgeStencil>>,
    pub(super) edges: Vec<[usize; 2]>,
    pub(super) constrained: Vec<usize>,
    pub(super) role: Vec<Role>,
    pub(super) free_nodes: Vec<usize>,
    /// The triangle of `L_FF` that is assembled and factorised (the one
    /// faer's factorisation reads: upper for simplicial, lower for
    /// supernodal), in the elimination order.
    pub(super) pattern: SymbolicSparseColMat<usize>,
    /// Which triangle [`Self::pattern`] is.
    pub(super) side: Side,
    pub(super) edge_slots: Vec<EdgeSlots>,
    /// Edges with at least one constrained end: the only ones that enter
    /// `L_FC v_C` and the multipliers.
    pub(super) constrained_edges: Vec<usize>,
    pub(super) symbolic: Option<SymbolicCholesky<usize>>,
    /// Set once a factorisation of a spring network too large for the
    /// dense zero-mode count passed the rigidity probe.
    pub(super) rigidity_probed: std::sync::OnceLock<()>,
    /// For spring networks (up to [`SIMPLICIAL_COPY_MAX_VALUES`]), the
    /// layout of the factor's structural entries without the supernodes'
    /// padding, which the solves read instead ([`SimplicialCopy`]).
    pub(super) simplicial: Option<SimplicialCopy>,
    /// The fill-reducing ordering of the free unknowns (none without any).
    pub(super) ordering: Option<OrderingChoice>,
}

/// Symbolic analysis of the reduced Laplacian for one graph and one set of
/// constrained nodes; cheap to clone (shared).
#[derive(Debug, Clone)]
pub struct Solver {
    pub(super) structure: Arc<Structure>,
}

impl Solver {
    /// Analyses `network` with the nodes `constrained` held at imposed
    /// voltages (their order fixes the order of the multipliers).
    ///
    /// Fails if a node is out of range or repeated, if `constrained` is empty,
    /// or if a connected part of the network holds no constrained node.
    pub fn new(network: &Network, constrained: &[usize]) -> Result<Self, PhysicsError> {
        resistive_only(network, "the sparse solver")?;
        let node_count = network.node_count();
        if constrained.is_empty() {
            return Err(PhysicsError::NoFixedNodes);
        }
        let mut role = vec![Role::Free(usize::MAX); node_count];
        for (c, &node) in constrained.iter().enumerate() {
            if node >= node_count {
                return Err(PhysicsError::UnknownNode {
                    role: "fixed",
                    node,
                    node_count,
                });
            }
            if role[node] != Role::Free(usize::MAX) {
                return Err(PhysicsError::ConflictingBoundary {
                    node,
                    first: "fixed",
                    second: "fixed",
                });
            }
            role[node] = Role::Fixed(c);
        }
        check_reachable(network, constrained)?;
        Ok(Self::build(network, constrained, role, None))
    }

    /// Analyses `network` of any physics with the degrees of freedom
    /// `held` (`node * d + component`, `d` from
    /// [`Physics::dofs_per_node`]) at imposed values, in multiplier order.
    /// For resistors this is [`Solver::new`]. A spring network whose held
    /// set leaves a zero mode is refused: up to
    /// [`super::rigidity::DENSE_RIGIDITY_NODES`] nodes with the count and
    /// the nodes that move ([`PhysicsError::Floppy`]); above, when its
    /// factorisation meets a zero pivot ([`PhysicsError::SingularStiffness`]).
    pub fn for_dofs(network: &Network, held: &[usize]) -> Result<Self, PhysicsError> {
        if network.physics() == Physics::Resistive {
            return Self::new(network, held);
        }
        let dofs = network.node_count() * network.physics().dofs_per_node();
        if held.is_empty() {
            return Err(PhysicsError::NothingHeld);
        }
        let mut role = vec![Role::Free(usize::MAX); dofs];
        for (c, &dof) in held.iter().enumerate() {
            if dof >= dofs {
                return Err(PhysicsError::UnknownDof { dof, dofs });
            }
            if role[dof] != Role::Free(usize::MAX) {
                return Err(PhysicsError::HeldTwice { dof });
            }
            role[dof] = Role::Fixed(c);
        }
        if network.node_count() <= super::rigidity::DENSE_RIGIDITY_NODES {
            let modes = super::spring::zero_modes(network, held);
            if modes.count > 0 {
                return Err(PhysicsError::Floppy {
                    zero_modes: modes.count,
                    nodes: modes.moving_nodes,
                });
            }
        }
        let stencils = (0..network.edge_count())
            .map(|e| network.edge_stencil(e))
            .collect();
        Ok(Self::build(network, held, role, Some(stencils)))
    }

    /// The structure for `constrained` degrees of freedom with their roles
    /// (free ones still unnumbered) and, beyond resistors, the stencils.
    fn build(
        network: &Network,
        constrained: &[usize],
        mut role: Vec<Role>,
        stencils: Option<Vec<EdgeStencil>>,
    ) -> Self {
        let node_count = network.node_count();
        let dofs = role.len();
        let mut free_nodes = Vec::with_capacity(dofs - constrained.len());
        for (dof, r) in role.iter_mut().enumerate() {
            if let Role::Free(_) = r {
                *r = Role::Free(free_nodes.len());
                free_nodes.push(dof);
            }
        }

        let edges = network.edges().to_vec();
        let pattern_of = |role: &[Role], free: usize| match &stencils {
            None => lower_pattern(&edges, role, free),
            Some(stencils) => super::dofs::stencil_pattern(stencils, role, free),
        };
        let (mut pattern, mut edge_slots) = pattern_of(&role, free_nodes.len());
        // The free unknowns renumbered in the cheaper fill-reducing order,
        // so that faer factorises the pattern as it stands.
        let mut ordering = None;
        if !free_nodes.is_empty() {
            let choice = elimination_order(pattern.as_ref());
            free_nodes = choice.order.iter().map(|&a| free_nodes[a]).collect();
            ordering = Some(choice.choice);
            for (a, &dof) in free_nodes.iter().enumerate() {
                role[dof] = Role::Free(a);
            }
            (pattern, edge_slots) = pattern_of(&role, free_nodes.len());
        }
        let constrained_edges = (0..edges.len())
            .filter(|&e| match &stencils {
                None => edges[e]
                    .iter()
                    .any(|&node| matches!(role[node], Role::Fixed(_))),
                Some(stencils) => stencils[e]
                    .entries()
                    .iter()
                    .any(|&(dof, _)| matches!(role[dof], Role::Fixed(_))),
            })
            .collect();
        let mut side = Side::Lower;
        let mut simplicial = None;
        let symbolic = if free_nodes.is_empty() {
            None
        } else {
            // Without an ordering faer reads the pattern as the upper
            // triangle it would have permuted into.
            let (upper, to_upper) = transpose(pattern.as_ref());
            let symbolic = factorize_symbolic_cholesky(
                upper.as_ref(),
                Side::Upper,
                SymmetricOrdering::Identity,
                symbolic_params(stencils.is_some()),
            )
            .expect("symbolic Cholesky analysis ran out of memory");
            // Spring solves read the factor without its supernodes' padding.
            if stencils.is_some() && symbolic.len_val() <= SIMPLICIAL_COPY_MAX_VALUES {
                simplicial = SimplicialCopy::new(upper.as_ref(), &symbolic);
            }
            // A simplicial factorisation reads the upper triangle of the
            // matrix, a supernodal one the lower: the values are assembled
            // in the one it reads, which faer then uses without a copy.
            if matches!(symbolic.raw(), SymbolicCholeskyRaw::Simplicial(_)) {
                side = Side::Upper;
                pattern = upper;
                for slots in &mut edge_slots {
                    slots.move_slots(&to_upper);
                }
            }
            Some(symbolic)
        };
        Self {
            structure: Arc::new(Structure {
                node_count,
                dofs,
                stencils,
                edges,
                constrained: constrained.to_vec(),
                role,
                free_nodes,
                pattern,
                side,
                edge_slots,
                constrained_edges,
                symbolic,
                rigidity_probed: std::sync::OnceLock::new(),
                simplicial,
                ordering,
            }),
        }
    }

    /// Analyses `network` for the fixed nodes of `conditions`, after
    /// validating them.
    pub fn for_conditions(
        network: &Network,
        conditions: &BoundaryConditions,
    ) -> Result<Self, PhysicsError> {
        conditions.validate(network)?;
        Self::new(network, &conditions.fixed_nodes())
    }

    /// Number of nodes `N`.
    pub fn node_count(&self) -> usize {
        self.structure.node_count
    }

    /// The constrained nodes `C` (held degrees of freedom beyond
    /// resistors), in multiplier order.
    pub fn constrained(&self) -> &[usize] {
        &self.structure.constrained
    }

    /// The free nodes `F` (free degrees of freedom beyond resistors) in
    /// the factorisation's elimination order ([`Self::ordering`]), which
    /// numbers the rows of `L_FF`.
    pub fn free_nodes(&self) -> &[usize] {
        &self.structure.free_nodes
    }

    /// Size `n = N + |C|` of the bordered Hessian and of states and drives
    /// (`N d + |C|` for `d` degrees of freedom per node).
    pub fn dimension(&self) -> usize {
        self.structure.dofs + self.structure.constrained.len()
    }

    /// Degrees of freedom `N d` before the multipliers (`N` for resistors).
    pub fn dofs(&self) -> usize {
        self.structure.dofs
    }

    /// The fill-reducing ordering that numbered the free unknowns, with
    /// the factor's predicted entries and flops under each candidate;
    /// `None` when every unknown is held.
    pub fn ordering(&self) -> Option<OrderingChoice> {
        self.structure.ordering
    }

    /// Number of stored entries of the lower triangle of `L_FF` and of its
    /// Cholesky factor: what one numeric factorisation touches.
    pub fn fill(&self) -> (usize, usize) {
        let factor = self.structure.symbolic.as_ref().map_or(0, |s| s.len_val());
        (self.structure.pattern.compute_nnz(), factor)
    }

    /// Assembles `L_FF` for `conductance` and factorises it, reusing the
    /// symbolic analysis.
    pub fn factorize(&self, conductance: &[f64]) -> Result<Factorization, PhysicsError> {
        let mut factorization = Factorization {
            solver: self.clone(),
            conductance: Vec::new(),
            factored: Vec::new(),
            factor: Vec::new(),
            simplicial_factor: Vec::new(),
            values: Vec::new(),
            current_values: Vec::new(),
            kept: None,
            cycle: Default::default(),
            unit_states: Default::default(),
            solve_pairs: Default::default(),
            refinement_residuals: Default::default(),
            scratch: Vec::new(),
            solve_scratch: Default::default(),
            work: Default::default(),
        };
        factorization.refactorize(conductance)?;
        Ok(factorization)
    }
}

/// The symbolic Cholesky's parameters: faer's defaults for resistors; for
/// networks of several degrees of freedom per node the supernodal
/// factorisation always, whose blocks the `d x d` node blocks fill
/// (measured on a 482-node jammed spring network: a numeric factorisation
/// of 0.30 ms simplicial, as the default chose, against 0.17 ms
/// supernodal; at 2 x 10^4 nodes the default is supernodal already;
/// docs/benchmarks.md, "Springs").
fn symbolic_params(blocks: bool) -> CholeskySymbolicParams<'static> {
    if blocks {
        CholeskySymbolicParams {
            supernodal_flop_ratio_threshold:
                faer::sparse::linalg::SupernodalThreshold::FORCE_SUPERNODAL,
            ..Default::default()
        }
    } else {
        CholeskySymbolicParams::default()
    }
}

/// Refuses a network that is not resistive, naming `what` was asked: every
/// path of this module reads its edges as resistors.
pub(crate) fn resistive_only(network: &Network, what: &'static str) -> Result<(), PhysicsError> {
    match network.physics() {
        Physics::Resistive => Ok(()),
        physics => Err(PhysicsError::UnsupportedPhysics { what, physics }),
    }
}

/// Rejects the first connected part of the graph that holds no constrained
/// node (what [`Solver::new`] checks, without its symbolic analysis; nodes
/// outside the network reach nothing).
pub fn check_reachable(network: &Network, constrained: &[usize]) -> Result<(), PhysicsError> {
    let components = Components::of(network);
    let mut reached = vec![false; components.count];
    for &node in constrained {
        if let Some(&label) = components.label.get(node) {
            reached[label] = true;
        }
    }
    if let Some(part) = reached.iter().position(|r| !r) {
        let mut nodes = Vec::new();
        let mut count = 0;
        for (node, &label) in components.label.iter().enumerate() {
            if label == part {
                if nodes.len() < LISTED_NODES {
                    nodes.push(node);
                }
                count += 1;
            }
        }
        return Err(PhysicsError::UnreachableNodes { nodes, count });
    }
    Ok(())
}

/// Sparsity pattern of the lower triangle of `L_FF` (columns sorted) and the
/// slots of every edge in its value array.
fn lower_pattern(
    edges: &[[usize; 2]],
    role: &[Role],
    free_count: usize,
) -> (SymbolicSparseColMat<usize>, Vec<EdgeSlots>) {
    // Column c holds its diagonal and the free neighbours with a larger free index.
    let mut count = vec![1usize; free_count];
    for &[i, j] in edges {
        if let (Role::Free(a), Role::Free(b)) = (role[i], role[j]) {
            count[a.min(b)] += 1;
        }
    }
    let mut col_ptr = Vec::with_capacity(free_count + 1);
    col_ptr.push(0);
    for c in 0..free_count {
        col_ptr.push(col_ptr[c] + count[c]);
    }
    let mut row_idx = vec![0usize; col_ptr[free_count]];
    let mut next: Vec<usize> = col_ptr[..free_count].to_vec();
    for c in 0..free_count {
        row_idx[next[c]] = c;
        next[c] += 1;
    }
    for &[i, j] in edges {
        if let (Role::Free(a), Role::Free(b)) = (role[i], role[j]) {
            let c = a.min(b);
            row_idx[next[c]] = a.max(b);
            next[c] += 1;
        }
    }
    for c in 0..free_count {
        row_idx[col_ptr[c]..col_ptr[c + 1]].sort_unstable();
    }
    let slot = |row: usize, col: usize| pattern_slot(&col_ptr, &row_idx, row, col);
    let edge_slots = edges
        .iter()
        .map(|&[i, j]| match (role[i], role[j]) {
            (Role::Free(a), Role::Free(b)) => EdgeSlots::Interior {
                diagonal: [slot(a, a), slot(b, b)],
                off_diagonal: slot(a.max(b), a.min(b)),
            },
            (Role::Free(a), Role::Fixed(_)) | (Role::Fixed(_), Role::Free(a)) => {
                EdgeSlots::Boundary {
                    diagonal: slot(a, a),
                }
            }
            (Role::Fixed(_), Role::Fixed(_)) => EdgeSlots::Clamped,
        })
        .collect();
    let pattern = SymbolicSparseColMat::new_checked(free_count, free_count, col_ptr, None, row_idx);
    (pattern, edge_slots)
}

/// Where entry `(row, col)` of a lower-triangular pattern (columns of
/// sorted row indices) sits in its value array.
pub(super) fn pattern_slot(col_ptr: &[usize], row_idx: &[usize], row: usize, col: usize) -> usize {
    let column = &row_idx[col_ptr[col]..col_ptr[col + 1]];
    col_ptr[col]
        + column
            .binary_search(&row)
            .expect("entry is in the pattern by construction")
}

/// Solves one boundary-value problem on `network`: validates the conditions,
/// analyses, factorises and solves. For many problems on the same graph, keep
/// a [`Solver`] and a [`Factorization`] instead.
///
/// ```
/// use imprint::network::Network;
/// use imprint::physics::{solve, BoundaryConditions};
/// // A 1 V source across two unit resistors in series: the middle sits at 0.5 V.
/// let net = Network::new(vec![[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]], vec![[0, 1], [1, 2]], vec![1.0, 1.0], None)?;
/// let solution = solve(&net, &BoundaryConditions::new().fix(0, 1.0).fix(2, 0.0))?;
/// assert!((solution.voltages[1] - 0.5).abs() < 1e-14);
/// assert!((solution.dissipated_power - 0.5).abs() < 1e-14);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn solve(network: &Network, conditions: &BoundaryConditions) -> Result<Solution, PhysicsError> {
    let solver = Solver::for_conditions(network, conditions)?;
    solver.factorize(network.conductance())?.solve(conditions)
}
