//! A numeric factorisation of `L_FF` (docs/theory.md section 1): refilled
//! for each conductance vector into the same storage, and solving any number
//! of drives, refined in double-double ([`super::refine`]); blocks of drives
//! are spread over threads with rayon, each solve running sequentially
//! inside.

use std::mem::MaybeUninit;

use faer::dyn_stack::MemStack;
use faer::linalg::cholesky::llt::factor::LltRegularization;
use faer::sparse::linalg::cholesky::LltRef;
use faer::sparse::SparseColMatRef;
use faer::{Conj, Mat, MatMut, MatRef, Par};
use rayon::prelude::*;

use super::pool::{Pool, SolveCount};
use super::refine;
use super::rigidity::DENSE_RIGIDITY_NODES;
use super::solver::{EdgeSlots, Role, Solver};
use super::{BoundaryConditions, PhysicsError, Solution};

/// A numeric factorisation of `L_FF` for one conductance vector: solves
/// `H x = f` for any number of drives `f`.
#[derive(Debug, Clone)]
pub struct Factorization {
    pub(super) solver: Solver,
    pub(super) conductance: Vec<f64>,
    /// The conductances the numeric factor was computed for: after
    /// [`Factorization::update`] kept it, they differ from `conductance`,
    /// and solves converge on `conductance` by refinement.
    pub(super) factored: Vec<f64>,
    pub(super) factor: Vec<f64>,
    /// The factor's structural entries in the simplicial layout, for the
    /// solves of spring networks ([`super::layout::SimplicialCopy`]);
    /// empty otherwise.
    pub(super) simplicial_factor: Vec<f64>,
    /// The values of `L_FF` (its pattern's order), kept for refactorising.
    pub(super) values: Vec<f64>,
    /// The values of `L_FF` for `conductance` while the factor is kept
    /// for `factored` (the products of conjugate gradients,
    /// [`super::kept_factor`]); empty while the factor holds `conductance`.
    pub(super) current_values: Vec<f64>,
    /// The bound of the kept factor on `conductance` (none while the factor
    /// holds them).
    pub(super) kept: Option<super::KeptFactorBound>,
    /// The modelled costs since the factor was computed
    /// ([`Self::update`]).
    pub(super) cycle: super::FactorCycle,
    /// The states of unit drives at `factored`: the warm starts of solves
    /// with a kept factor ([`super::kept_factor`]).
    pub(super) unit_states: super::kept_factor::UnitStates,
    /// Solve pairs run with the factor since it was made (one per block
    /// of right-hand sides, [`Self::solve_free_in_place`]).
    pub(super) solve_pairs: SolveCount,
    /// Double-double residuals of the refinements of solves with the
    /// factor since it was made (one per block of right-hand sides).
    pub(super) refinement_residuals: SolveCount,
    /// Work space of the numeric factorisation, kept for refactorising
    /// (tens of MB on a 10^6-node network, faulted in afresh when it was
    /// allocated per factorisation).
    pub(super) scratch: Vec<MaybeUninit<u8>>,
    /// faer's work space of the triangular solves, reused between calls
    /// (blocks of drives are solved on several threads at once, so there is
    /// a pool).
    pub(super) solve_scratch: Pool<MaybeUninit<u8>>,
    /// The refinements' work arrays (residual rows and corrections).
    pub(super) work: Pool<f64>,
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

    /// The conductances this factorisation solves for.
    pub fn conductance(&self) -> &[f64] {
        &self.conductance
    }

    /// The conductances its numeric factor holds: [`Self::conductance`]
    /// unless [`Self::update`] kept an older factor.
    pub fn factored_conductance(&self) -> &[f64] {
        &self.factored
    }

    /// The solve pairs (forward and backward substitution on a block of
    /// right-hand sides) run with the numeric factor since it was computed:
    /// what an iteration with a kept factor costs, for tests and benchmarks
    /// (parallel blocks of drives count one each).
    pub fn solve_pairs(&self) -> usize {
        self.solve_pairs.get()
    }

    /// The double-double residuals that refined the solves of drives
    /// since the numeric factor was computed, one per block of
    /// right-hand sides and refinement step (the unit states of warm
    /// starts not counted): with [`Self::solve_pairs`], what an iteration
    /// costs.
    pub fn refinement_residuals(&self) -> usize {
        self.refinement_residuals.get()
    }

    /// Gives back the work space that solves keep for the next call: after
    /// wide blocks of solves on a large network (the susceptibility sketch
    /// at 10^6 nodes leaves about 1 GB) when narrower work follows.
    pub fn release_workspace(&self) {
        self.solve_scratch.clear();
        self.work.clear();
    }

    /// Solves `L_FF Y = R` in place for a block of right-hand sides
    /// (one per column, `|F|` rows), sequentially, with the factor as it
    /// is: for [`Self::factored_conductance`], which differ from the
    /// current conductances after [`Self::update`] kept the factor.
    pub fn solve_free_in_place(&self, rhs: MatMut<'_, f64>) {
        let s = &*self.solver.structure;
        let Some(symbolic) = &s.symbolic else {
            return;
        };
        let (symbolic, values) = match &s.simplicial {
            Some(copy) => (&copy.symbolic, &self.simplicial_factor),
            None => (symbolic, &self.factor),
        };
        let scratch = symbolic.solve_in_place_scratch::<f64>(rhs.ncols(), Par::Seq);
        let mut buffer = self.solve_scratch.take(
            scratch.size_bytes() + scratch.align_bytes(),
            MaybeUninit::uninit(),
        );
        self.solve_pairs.add();
        LltRef::new(symbolic, values).solve_in_place_with_conj(
            Conj::No,
            rhs,
            Par::Seq,
            MemStack::new(&mut buffer),
        );
        self.solve_scratch.give(buffer);
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
        if let Some(stencils) = &s.stencils {
            return self.solve_block_stencils(stencils, drives, target);
        }
        let (nodes, m) = (s.node_count, drives.ncols());
        let k = &self.conductance;
        let free_rhs = |k: &[f64], drives: MatRef<'_, f64>, mut free: MatMut<'_, f64>| {
            for col in 0..drives.ncols() {
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
        };
        // `free_residual` sizes and zeroes its rows itself (3 values per
        // node and drive); taken by that size so the pool hands back the
        // buffer that held them last time.
        let residual_at =
            |k: &[f64], drives: MatRef<'_, f64>, v: MatRef<'_, f64>, out: MatMut<'_, f64>| {
                let mut rows = self.work.take_empty(nodes * 3 * drives.ncols());
                let (edges, free_nodes, constrained) = (&s.edges, &s.free_nodes, &s.constrained);
                refine::free_residual(edges, k, free_nodes, constrained, drives, v, &mut rows, out);
                self.work.give(rows);
            };
        let mut free = Mat::<f64>::zeros(s.free_nodes.len(), m);
        let mut correction = self.work.take(free.nrows() * m, 0.0);
        let mut correction_mat =
            MatMut::from_column_major_slice_mut(&mut correction, s.free_nodes.len(), m);
        if self.warm_start(drives, free.as_mut(), free_rhs, residual_at) {
            // The first correction from the conductance changes' currents
            // alone ([`super::kept_factor`]'s warm starts).
            self.conductance_change_residual(drives, free.as_ref(), correction_mat.as_mut());
            self.solve_current(correction_mat.as_mut(), None);
            free += correction_mat.as_ref();
        } else {
            free_rhs(k, drives, free.as_mut());
            self.solve_current(free.as_mut(), Some(target));
        }
        let error = refine::refine(
            |r| self.solve_current(r, None),
            |v, residual| {
                self.refinement_residuals.add();
                residual_at(k, drives, v, residual);
            },
            free.as_mut(),
            correction_mat,
            target,
        );
        self.work.give(correction);

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
        let free: Vec<f64> = s.free_nodes.iter().map(|&node| state[node]).collect();
        let error_bound = self.error_bound(&drive, &free);
        Ok(Solution::from_state(
            &s.edges,
            &self.conductance,
            &s.constrained,
            &drive,
            &state,
            voltage_error,
            error_bound,
        ))
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
        check_conductance(conductance, s.edges.len())?;
        self.values.clear();
        self.values.resize(s.pattern.compute_nnz(), 0.0);
        assemble(&s.edge_slots, conductance, &mut self.values);
        let values = &self.values;
        self.current_values.clear();
        self.kept = None;
        self.unit_states.clear();
        self.solve_pairs.reset();
        self.refinement_residuals.reset();
        self.cycle = self.cycle.next(self.solver.factorization_cost());
        self.conductance.clear();
        self.conductance.extend_from_slice(conductance);
        self.factored.clear();
        self.factored.extend_from_slice(conductance);
        let Some(symbolic) = &s.symbolic else {
            self.factor.clear();
            return Ok(());
        };
        self.factor.clear();
        self.factor.resize(symbolic.len_val(), 0.0);
        // The work space depends on the symbolic analysis only: sized at
        // the first factorisation (asking faer walks every supernode, 1 %
        // of a spring iteration at 482 nodes).
        if self.scratch.is_empty() {
            let scratch =
                symbolic.factorize_numeric_llt_scratch::<f64>(Par::Seq, Default::default());
            // Room for the alignment MemStack may skip at the start.
            let bytes = scratch.size_bytes() + scratch.align_bytes();
            self.scratch.resize(bytes, MaybeUninit::uninit());
        }
        let matrix = SparseColMatRef::new(s.pattern.as_ref(), values);
        let failed = symbolic
            .factorize_numeric_llt(
                &mut self.factor,
                matrix,
                s.side,
                LltRegularization::default(),
                Par::Seq,
                MemStack::new(&mut self.scratch),
                Default::default(),
            )
            .is_err();
        if let (Some(copy), false) = (&s.simplicial, failed) {
            self.simplicial_factor.clear();
            self.simplicial_factor
                .extend(copy.gather.iter().map(|&v| self.factor[v as usize]));
        }
        if failed && s.stencils.is_some() {
            return Err(PhysicsError::SingularStiffness);
        }
        if !failed
            && s.stencils.is_some()
            && s.node_count > DENSE_RIGIDITY_NODES
            && s.rigidity_probed.get().is_none()
        {
            // Too large for the dense zero-mode count at analysis, and a
            // floppy motion's pivot is roundoff, rarely exactly zero. Once
            // per analysis: the zero modes of Q_F diag(k) Q_F^T are those
            // of Q_F^T, whatever the (positive) stiffnesses.
            self.probe_rigidity()?;
            let _ = s.rigidity_probed.set(());
        }
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

/// Adds every edge's terms, weighted by `conductance`, into `values` (the
/// stored triangle of `L_FF`, zeroed).
pub(super) fn assemble(edge_slots: &[EdgeSlots], conductance: &[f64], values: &mut [f64]) {
    for (slots, &k) in edge_slots.iter().zip(conductance) {
        match slots {
            &EdgeSlots::Interior {
                diagonal,
                off_diagonal,
            } => {
                values[diagonal[0]] += k;
                values[diagonal[1]] += k;
                values[off_diagonal] -= k;
            }
            &EdgeSlots::Boundary { diagonal } => values[diagonal] += k,
            EdgeSlots::Clamped => {}
            EdgeSlots::General(products) => {
                for &(slot, qq) in products {
                    values[slot] += k * qq;
                }
            }
        }
    }
}

/// Refuses a conductance vector of the wrong length or with a value
/// outside [`crate::network::CONDUCTANCE_RANGE`], naming the edge.
pub(super) fn check_conductance(conductance: &[f64], edges: usize) -> Result<(), PhysicsError> {
    if conductance.len() != edges {
        return Err(PhysicsError::LengthMismatch {
            what: "conductance vector",
            expected: edges,
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
    Ok(())
}
