//! The linear response `x = H^{-1} f` of docs/theory.md section 1 (eq. 3-4),
//! computed without forming `H` or its inverse.
//!
//! The constrained nodes `C` are eliminated: with `F` the free nodes,
//! `L_FF V_F = I_F - L_FC v_C`, then `mu = I_C - (L V)_C` (the bottom rows of
//! `H x = f`). `L_FF` is symmetric positive definite when every connected part
//! of the network holds a fixed node, and is factorised by a sparse Cholesky
//! (faer, AMD ordering).
//!
//! Two stages, so that repeated work is done once:
//! - [`Solver::new`] checks the graph against `C`, builds the sparsity pattern
//!   of `L_FF`, maps every edge to its slots in that pattern and computes the
//!   symbolic analysis. It depends only on the graph and `C`.
//! - [`Solver::factorize`] fills the pattern with a conductance vector (O(E))
//!   and runs the numeric factorisation. Training calls it once per update.
//!
//! A [`Factorization`] then solves any number of drives; blocks of drives are
//! spread over threads with rayon, each solve running sequentially inside
//! (faer's own sparse multithreading is slower on small core counts).

use std::sync::Arc;

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt::factor::LltRegularization;
use faer::sparse::linalg::cholesky::{
    factorize_symbolic_cholesky, CholeskySymbolicParams, LltRef, SymbolicCholesky,
    SymmetricOrdering,
};
use faer::sparse::{SparseColMatRef, SymbolicSparseColMat};
use faer::{Conj, Mat, MatMut, MatRef, Par, Side};
use rayon::prelude::*;

use super::refine;
use super::{BoundaryConditions, PhysicsError, Solution};
use crate::network::Network;
use crate::topology::Components;

/// How many nodes of an unreachable part an error message lists.
const LISTED_NODES: usize = 8;

/// Where a node sits in the reduced problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Index among the free nodes `F` (a row of `L_FF`).
    Free(usize),
    /// Index among the constrained nodes `C` (a multiplier).
    Fixed(usize),
}

/// Where an edge's conductance lands in the values of the lower triangle of `L_FF`.
#[derive(Debug, Clone, Copy)]
enum EdgeSlots {
    /// Both ends free: two diagonal entries and one off-diagonal entry.
    Interior {
        diagonal: [usize; 2],
        off_diagonal: usize,
    },
    /// One end fixed: one diagonal entry; the other end enters the right-hand side.
    Boundary { diagonal: usize },
    /// Both ends fixed: the edge only carries current between sources.
    Clamped,
}

#[derive(Debug)]
struct Structure {
    node_count: usize,
    edges: Vec<[usize; 2]>,
    constrained: Vec<usize>,
    role: Vec<Role>,
    free_nodes: Vec<usize>,
    pattern: SymbolicSparseColMat<usize>,
    edge_slots: Vec<EdgeSlots>,
    /// Edges with at least one constrained end: the only ones that enter
    /// `L_FC v_C` and the multipliers.
    constrained_edges: Vec<usize>,
    symbolic: Option<SymbolicCholesky<usize>>,
}

/// Symbolic analysis of the reduced Laplacian for one graph and one set of
/// constrained nodes; cheap to clone (shared).
#[derive(Debug, Clone)]
pub struct Solver {
    structure: Arc<Structure>,
}

impl Solver {
    /// Analyses `network` with the nodes `constrained` held at imposed
    /// voltages (their order fixes the order of the multipliers).
    ///
    /// Fails if a node is out of range or repeated, if `constrained` is empty,
    /// or if a connected part of the network holds no constrained node.
    pub fn new(network: &Network, constrained: &[usize]) -> Result<Self, PhysicsError> {
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

        let mut free_nodes = Vec::with_capacity(node_count - constrained.len());
        for (node, r) in role.iter_mut().enumerate() {
            if let Role::Free(_) = r {
                *r = Role::Free(free_nodes.len());
                free_nodes.push(node);
            }
        }

        let edges = network.edges().to_vec();
        let (pattern, edge_slots) = lower_pattern(&edges, &role, free_nodes.len());
        let constrained_edges = edges
            .iter()
            .enumerate()
            .filter(|(_, [i, j])| {
                matches!(role[*i], Role::Fixed(_)) || matches!(role[*j], Role::Fixed(_))
            })
            .map(|(e, _)| e)
            .collect();
        let symbolic = if free_nodes.is_empty() {
            None
        } else {
            Some(
                factorize_symbolic_cholesky(
                    pattern.as_ref(),
                    Side::Lower,
                    SymmetricOrdering::Amd,
                    CholeskySymbolicParams::default(),
                )
                .expect("symbolic Cholesky analysis ran out of memory"),
            )
        };
        Ok(Self {
            structure: Arc::new(Structure {
                node_count,
                edges,
                constrained: constrained.to_vec(),
                role,
                free_nodes,
                pattern,
                edge_slots,
                constrained_edges,
                symbolic,
            }),
        })
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

    /// The constrained nodes `C`, in multiplier order.
    pub fn constrained(&self) -> &[usize] {
        &self.structure.constrained
    }

    /// The free nodes `F`, in increasing order.
    pub fn free_nodes(&self) -> &[usize] {
        &self.structure.free_nodes
    }

    /// Size `n = N + |C|` of the bordered Hessian and of states and drives.
    pub fn dimension(&self) -> usize {
        self.structure.node_count + self.structure.constrained.len()
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
            factor: Vec::new(),
            values: Vec::new(),
        };
        factorization.refactorize(conductance)?;
        Ok(factorization)
    }
}

impl Factorization {
    /// Factorises `L_FF` again for new conductances, into the storage of
    /// this factorisation (the values of `L_FF` and of its factor are
    /// overwritten, not reallocated: on a 10^6-node network the factor is
    /// hundreds of MB, whose fresh pages would be faulted in every
    /// iteration). After an error the factorisation holds no valid factor
    /// and must be refactorised before it is used.
    pub fn refactorize(&mut self, conductance: &[f64]) -> Result<(), PhysicsError> {
        let s = &*self.solver.structure;
        if conductance.len() != s.edges.len() {
            return Err(PhysicsError::LengthMismatch {
                what: "conductance vector",
                expected: s.edges.len(),
                found: conductance.len(),
            });
        }
        if let Some(edge) = conductance
            .iter()
            .position(|&k| !crate::network::is_valid_conductance(k))
        {
            return Err(crate::network::NetworkError::InvalidConductance {
                edge,
                value: conductance[edge],
            }
            .into());
        }
        let values = &mut self.values;
        values.clear();
        values.resize(s.pattern.compute_nnz(), 0.0);
        for (slots, &k) in s.edge_slots.iter().zip(conductance) {
            match *slots {
                EdgeSlots::Interior {
                    diagonal,
                    off_diagonal,
                } => {
                    values[diagonal[0]] += k;
                    values[diagonal[1]] += k;
                    values[off_diagonal] -= k;
                }
                EdgeSlots::Boundary { diagonal } => values[diagonal] += k,
                EdgeSlots::Clamped => {}
            }
        }
        self.conductance.clear();
        self.conductance.extend_from_slice(conductance);
        let Some(symbolic) = &s.symbolic else {
            self.factor.clear();
            return Ok(());
        };
        self.factor.clear();
        self.factor.resize(symbolic.len_val(), 0.0);
        let mut buffer = MemBuffer::new(
            symbolic.factorize_numeric_llt_scratch::<f64>(Par::Seq, Default::default()),
        );
        let matrix = SparseColMatRef::new(s.pattern.as_ref(), values);
        let failed = symbolic
            .factorize_numeric_llt(
                &mut self.factor,
                matrix,
                Side::Lower,
                LltRegularization::default(),
                Par::Seq,
                MemStack::new(&mut buffer),
                Default::default(),
            )
            .is_err();
        if failed {
            let (min, max) = conductance
                .iter()
                .fold((f64::INFINITY, 0.0f64), |(lo, hi), &k| {
                    (lo.min(k), hi.max(k))
                });
            return Err(PhysicsError::NotPositiveDefinite {
                min_conductance: min,
                max_conductance: max,
            });
        }
        Ok(())
    }
}

/// Rejects the first connected part of the graph that holds no constrained node.
fn check_reachable(network: &Network, constrained: &[usize]) -> Result<(), PhysicsError> {
    let components = Components::of(network);
    let mut reached = vec![false; components.count];
    for &node in constrained {
        reached[components.label[node]] = true;
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
    let slot = |row: usize, col: usize| -> usize {
        let column = &row_idx[col_ptr[col]..col_ptr[col + 1]];
        col_ptr[col]
            + column
                .binary_search(&row)
                .expect("entry is in the pattern by construction")
    };
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

/// A numeric factorisation of `L_FF` for one conductance vector: solves
/// `H x = f` for any number of drives `f`.
#[derive(Debug, Clone)]
pub struct Factorization {
    solver: Solver,
    conductance: Vec<f64>,
    factor: Vec<f64>,
    /// The values of `L_FF` (its pattern's order), kept for refactorising.
    values: Vec<f64>,
}

/// Columns per block when many drives are solved: large enough for the
/// supernodal solve to use level-3 kernels, small enough to share the work.
const BLOCK_COLUMNS: usize = 16;

/// Below this many unknowns (free nodes times drives) one sequential block is
/// faster than waking threads (measured with `imprint bench solve`).
const PARALLEL_WORK: usize = 1 << 16;

impl Factorization {
    /// The symbolic analysis this factorisation came from.
    pub fn solver(&self) -> &Solver {
        &self.solver
    }

    /// The conductances that were factorised.
    pub fn conductance(&self) -> &[f64] {
        &self.conductance
    }

    /// Solves `L_FF Y = R` in place for a block of right-hand sides
    /// (one per column, `|F|` rows), sequentially.
    pub fn solve_free_in_place(&self, rhs: MatMut<'_, f64>) {
        let s = &*self.solver.structure;
        let Some(symbolic) = &s.symbolic else {
            return;
        };
        let mut buffer =
            MemBuffer::new(symbolic.solve_in_place_scratch::<f64>(rhs.ncols(), Par::Seq));
        LltRef::new(symbolic, &self.factor).solve_in_place_with_conj(
            Conj::No,
            rhs,
            Par::Seq,
            MemStack::new(&mut buffer),
        );
    }

    /// The state `x = H^{-1} f = (V, mu)` for one drive `f = (I_ext, v_C)`
    /// of length `N + |C|`.
    pub fn solve_state(&self, drive: &[f64]) -> Result<Vec<f64>, PhysicsError> {
        let n = self.solver.dimension();
        if drive.len() != n {
            return Err(PhysicsError::LengthMismatch {
                what: "drive vector",
                expected: n,
                found: drive.len(),
            });
        }
        let (states, _) = self.solve_block(
            MatRef::from_column_major_slice(drive, n, 1),
            refine::CERTIFIED,
        );
        Ok(states.col(0).iter().copied().collect())
    }

    /// The states `X = H^{-1} F` for many drives at once (one per column of
    /// `drives`, `N + |C|` rows), blocks of columns in parallel, each
    /// refined ([`super::refine`]).
    pub fn solve_states(&self, drives: MatRef<'_, f64>) -> Result<Mat<f64>, PhysicsError> {
        Ok(self.solve_states_with_error(drives)?.0)
    }

    /// [`Self::solve_states`] and the estimated relative error of the
    /// voltages (the largest over the drives; at most
    /// [`super::refine::CERTIFIED`] when the solve is certified).
    pub fn solve_states_with_error(
        &self,
        drives: MatRef<'_, f64>,
    ) -> Result<(Mat<f64>, f64), PhysicsError> {
        self.solve_states_refined_to(drives, refine::CERTIFIED)
    }

    /// [`Self::solve_states_with_error`], refining until the estimated
    /// error is within `target` (or stops shrinking): for states that are
    /// combined before they are reported, such as the unit responses of a
    /// superposition, whose errors add.
    pub fn solve_states_refined_to(
        &self,
        drives: MatRef<'_, f64>,
        target: f64,
    ) -> Result<(Mat<f64>, f64), PhysicsError> {
        let n = self.solver.dimension();
        if drives.nrows() != n {
            return Err(PhysicsError::LengthMismatch {
                what: "drive matrix rows",
                expected: n,
                found: drives.nrows(),
            });
        }
        let m = drives.ncols();
        if m <= 1 || self.solver.free_nodes().len() * m < PARALLEL_WORK {
            return Ok(self.solve_block(drives, target));
        }
        // Blocks of at most BLOCK_COLUMNS, and at least one per thread: the
        // few drives of a training iteration on a large network (2 inputs
        // and 2 outputs) are then solved and refined on every core.
        let width = BLOCK_COLUMNS.min(m.div_ceil(rayon::current_num_threads()));
        let blocks: Vec<(Mat<f64>, f64)> = (0..m.div_ceil(width))
            .into_par_iter()
            .map(|b| {
                let start = b * width;
                self.solve_block(drives.subcols(start, width.min(m - start)), target)
            })
            .collect();
        let mut states = Mat::zeros(n, m);
        let mut error = 0.0f64;
        for (b, (block, block_error)) in blocks.iter().enumerate() {
            states
                .as_mut()
                .subcols_mut(b * width, block.ncols())
                .copy_from(block);
            error = error.max(*block_error);
        }
        Ok((states, error))
    }

    /// Solves one block of drives sequentially (dimensions already checked),
    /// refined (docs/theory.md section 1; [`super::refine`]); returns the states
    /// and the estimated relative error of their voltages.
    fn solve_block(&self, drives: MatRef<'_, f64>, target: f64) -> (Mat<f64>, f64) {
        let s = &*self.solver.structure;
        let (nodes, m) = (s.node_count, drives.ncols());
        let k = &self.conductance;
        let mut free = Mat::<f64>::zeros(s.free_nodes.len(), m);
        for col in 0..m {
            for (a, &node) in s.free_nodes.iter().enumerate() {
                free[(a, col)] = drives[(node, col)];
            }
            // Move the imposed voltages to the right-hand side: -L_FC v_C.
            for &e in &s.constrained_edges {
                let [i, j] = s.edges[e];
                match (s.role[i], s.role[j]) {
                    (Role::Free(a), Role::Fixed(c)) | (Role::Fixed(c), Role::Free(a)) => {
                        free[(a, col)] += k[e] * drives[(nodes + c, col)];
                    }
                    _ => {}
                }
            }
        }
        self.solve_free_in_place(free.as_mut());
        let error = refine::refine(
            |r| self.solve_free_in_place(r),
            |v| refine::free_residual(&s.edges, k, &s.free_nodes, &s.constrained, drives, v),
            free.as_mut(),
            target,
        );

        let mut states = Mat::<f64>::zeros(nodes + s.constrained.len(), m);
        for col in 0..m {
            for (a, &node) in s.free_nodes.iter().enumerate() {
                states[(node, col)] = free[(a, col)];
            }
            for (c, &node) in s.constrained.iter().enumerate() {
                states[(node, col)] = drives[(nodes + c, col)];
                // mu_c = I_c - (L V)_c: the bottom rows of H x = f.
                states[(nodes + c, col)] = drives[(node, col)];
            }
            for &e in &s.constrained_edges {
                let [i, j] = s.edges[e];
                let current = k[e] * (states[(i, col)] - states[(j, col)]);
                if let Role::Fixed(c) = s.role[i] {
                    states[(nodes + c, col)] -= current;
                }
                if let Role::Fixed(c) = s.role[j] {
                    states[(nodes + c, col)] += current;
                }
            }
        }
        (states, error)
    }

    /// Solves the boundary-value problem `conditions` (whose fixed nodes must
    /// be this solver's constrained nodes, in order) and derives the currents,
    /// power and Kirchhoff residual.
    pub fn solve(&self, conditions: &BoundaryConditions) -> Result<Solution, PhysicsError> {
        let s = &*self.solver.structure;
        let fixed = conditions.fixed_nodes();
        if fixed != s.constrained {
            return Err(PhysicsError::ConstraintMismatch {
                expected: s.constrained.clone(),
                given: fixed,
            });
        }
        let drive = conditions.drive(s.node_count);
        let (state, voltage_error) = self.solve_block(
            MatRef::from_column_major_slice(&drive, drive.len(), 1),
            refine::CERTIFIED,
        );
        let state: Vec<f64> = state.col(0).iter().copied().collect();
        Ok(Solution::from_state(
            &s.edges,
            &self.conductance,
            &s.constrained,
            &drive,
            &state,
            voltage_error,
        ))
    }
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
