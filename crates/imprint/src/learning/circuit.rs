//! A task on a network, ready to be solved many times: the free-state solver
//! for the constrained set `C`, the drive of every sample, and the output
//! response `G_O = H^{-1} P^T` (docs/theory.md sections 3-4).
//!
//! Everything training and analysis need per conductance vector comes from
//! one factorisation. The network is linear, so the free state of a sample
//! is the superposition `x_mu = sum_j v_j^mu u_j` of the responses `u_j` to a
//! unit voltage on each fixed node `j` (the others held at 0): one solve
//! per fixed node driven in some sample serves any number of samples
//! (grounds, at 0 V in every sample, need none). Clamped states and adjoints are combinations of the
//! `n_out` columns of `G_O`, so they cost no further factorisation.

use faer::{Mat, MatRef};

use super::{Cost, LearningError, OutputResponse, Task};
use crate::network::EdgeStencil;
use crate::network::Network;
use crate::physics::{sequential_product, Factorization, Incidence, Solver};

/// A task wired into a network: the solver of its constrained set, the
/// drive of every sample, and its read-out. Conductances are given per
/// factorisation, so one circuit serves a whole training run.
#[derive(Debug, Clone)]
pub struct TaskCircuit {
    solver: Solver,
    edges: Incidence,
    /// The read-out's rows of `P`, one per output.
    readout: Vec<EdgeStencil>,
    task: Task,
    /// `n + |C|`: the rows of a drive (one per degree of freedom, then one
    /// per fixed one, which holds its value). Drives are formed per block of
    /// solves, never all at once: at 10^6 nodes and 112 samples they would
    /// take 0.9 GB.
    drive_rows: usize,
    test_values: Mat<f64>,
    /// `P^T e_o`, one column per output: the drives of `G_O`.
    pub(super) adjoint_drives: Mat<f64>,
}

/// Free states of a set of samples with their outputs, kept as the solved
/// columns and, when superposed, the coefficients that combine them: the
/// states themselves (`n x B`) are formed only on request, since training
/// needs only their edge drops and outputs.
#[derive(Debug, Clone)]
pub struct FreeStates {
    /// The solved columns: the unit responses `u_k` of the driven fixed
    /// nodes when superposed, otherwise the states themselves.
    pub basis: Mat<f64>,
    /// `states = basis * coefficients` when superposed: `coefficients[(k,
    /// s)]` is the voltage sample `s` holds the `k`-th driven fixed node at.
    /// `None` when the basis is the states.
    pub coefficients: Option<Mat<f64>>,
    /// Outputs `y = P x`, one row per sample.
    pub outputs: Vec<Vec<f64>>,
    /// Estimated relative error of the voltages (the largest over the
    /// samples; certified when at most [`crate::physics::refine::CERTIFIED`]).
    pub voltage_error: f64,
    /// Right-hand sides solved for them: one per sample, or one per driven
    /// fixed node when superposed.
    pub solves: usize,
}

impl FreeStates {
    /// Samples.
    pub fn sample_count(&self) -> usize {
        self.outputs.len()
    }

    /// The states `x = (V, mu)`, one column per sample.
    pub fn states(&self) -> Mat<f64> {
        match &self.coefficients {
            Some(c) => sequential_product(self.basis.as_ref(), c.as_ref()),
            None => self.basis.clone(),
        }
    }

    /// Drops of every sample over `edges` (`E x B`), from the drops of the
    /// basis.
    pub fn edge_drops(&self, edges: &Incidence) -> Mat<f64> {
        let drops = edges.drops(self.basis.as_ref());
        match &self.coefficients {
            Some(c) => sequential_product(drops.as_ref(), c.as_ref()),
            None => drops,
        }
    }
}

/// Cost and accuracy of a conductance vector on a task.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    /// Training cost `C = (1/M) sum_mu c(y_mu)` (for MSE, `1/(2M) sum |r|^2`).
    pub cost: f64,
    /// Winner-take-all training accuracy (classification only).
    pub accuracy: Option<f64>,
    /// Cost on the held-out samples, if any.
    pub test_cost: Option<f64>,
    /// Accuracy on the held-out samples (classification only).
    pub test_accuracy: Option<f64>,
}

/// Index of the largest entry (first on ties).
pub fn winner(y: &[f64]) -> usize {
    y.iter()
        .enumerate()
        .fold(0, |best, (i, &v)| if v > y[best] { i } else { best })
}

impl TaskCircuit {
    /// Validates `task` on `network` and analyses the free-state solver.
    pub fn new(network: &Network, task: &Task) -> Result<Self, LearningError> {
        task.validate(network)?;
        let solver = Solver::for_dofs(network, &task.fixed_nodes)?;
        let n = solver.dofs();
        let fixed = task.fixed_nodes.len();
        let readout = task.readout.stencils(network);
        let mut adjoint_drives = Mat::zeros(n + fixed, readout.len());
        for (o, q) in readout.iter().enumerate() {
            for &(dof, value) in q.entries() {
                adjoint_drives[(dof, o)] += value;
            }
        }
        Ok(Self {
            solver,
            edges: Incidence::of(network),
            readout,
            drive_rows: n + fixed,
            test_values: Mat::from_fn(fixed, task.test_fixed_voltages.len(), |j, s| {
                task.test_fixed_voltages[s][j]
            }),
            adjoint_drives,
            task: task.clone(),
        })
    }

    /// The task.
    pub fn task(&self) -> &Task {
        &self.task
    }

    /// The free-state solver.
    pub fn solver(&self) -> &Solver {
        &self.solver
    }

    /// The edges of the network, as the drops they read.
    pub fn edges(&self) -> &Incidence {
        &self.edges
    }

    /// The read-out's rows of `P`, one stencil per output.
    pub fn readout_rows(&self) -> &[EdgeStencil] {
        &self.readout
    }

    /// The outputs `y = P x` of a state read through `value(dof)`.
    pub fn read(&self, value: impl Fn(usize) -> f64) -> Vec<f64> {
        self.readout.iter().map(|q| q.drop_in(&value)).collect()
    }

    /// Drive vectors `f_mu` of the training samples (one column each,
    /// `N + |C|` rows), formed on request: for small networks.
    pub fn drives(&self) -> Mat<f64> {
        let all: Vec<usize> = (0..self.task.sample_count()).collect();
        self.sample_drives(&all)
    }

    /// Right-hand sides an iteration on `batch` samples solves at most:
    /// one per sample, or one per fixed node when superposed, and one per
    /// output for the output response.
    pub fn solves_per_batch(&self, batch: usize) -> usize {
        batch.min(self.task.fixed_nodes.len()) + self.adjoint_drives.ncols()
    }

    /// Rows of a drive vector: `N + |C|`.
    pub fn drive_rows(&self) -> usize {
        self.drive_rows
    }

    /// Factorises the free problem for `conductance`.
    pub fn factorize(&self, conductance: &[f64]) -> Result<Factorization, LearningError> {
        Ok(self.solver.factorize(conductance)?)
    }

    /// Free states and outputs of the training samples `samples`, by
    /// superposition when there are more samples than driven fixed nodes
    /// (module docs; [`free_states_per_sample`](Self::free_states_per_sample)
    /// solves each).
    pub fn free_states(
        &self,
        factor: &Factorization,
        samples: &[usize],
    ) -> Result<FreeStates, LearningError> {
        self.states_of(factor, self.sample_values(samples).as_ref())
    }

    /// The fixed-node voltages of the training samples `samples` (`|C| x B`).
    fn sample_values(&self, samples: &[usize]) -> Mat<f64> {
        let voltages = &self.task.fixed_voltages;
        Mat::from_fn(self.task.fixed_nodes.len(), samples.len(), |j, s| {
            voltages[samples[s]][j]
        })
    }

    /// The drive columns of the training samples `samples`.
    fn sample_drives(&self, samples: &[usize]) -> Mat<f64> {
        let n = self.drive_rows - self.task.fixed_nodes.len();
        let voltages = &self.task.fixed_voltages;
        Mat::from_fn(self.drive_rows, samples.len(), |i, s| {
            if i >= n {
                voltages[samples[s]][i - n]
            } else {
                0.0
            }
        })
    }

    /// Outputs `P x` for arbitrary voltages of the fixed nodes (one row per
    /// drive, in the task's fixed-node order): what the network predicts for
    /// inputs it was not trained on.
    pub fn outputs_for(
        &self,
        factor: &Factorization,
        fixed_voltages: &[Vec<f64>],
    ) -> Result<Vec<Vec<f64>>, LearningError> {
        let fixed = self.task.fixed_nodes.len();
        if let Some((row, bad)) = fixed_voltages
            .iter()
            .enumerate()
            .find(|(_, v)| v.len() != fixed)
        {
            return Err(LearningError::InvalidParameter {
                field: "fixed_voltages",
                reason: format!(
                    "drive {row} has {} voltages for {fixed} fixed nodes",
                    bad.len()
                ),
            });
        }
        let values = Mat::from_fn(fixed, fixed_voltages.len(), |j, s| fixed_voltages[s][j]);
        Ok(self.states_of(factor, values.as_ref())?.outputs)
    }

    fn states_of(
        &self,
        factor: &Factorization,
        values: MatRef<'_, f64>,
    ) -> Result<FreeStates, LearningError> {
        Ok(self.solve(factor, values, false)?.0)
    }

    /// Free states of the samples whose fixed nodes are held at `values`
    /// (`|C| x B`) and, if `with_response`, the output response, from one
    /// block of solves: the unit responses of the fixed nodes held at a
    /// non-zero voltage in some sample when there are more samples than
    /// those nodes (superposition, module docs), otherwise the samples'
    /// drives themselves; the adjoint drives `P^T e_o` after them. The
    /// reported error is the block's (the largest over all its columns).
    fn solve(
        &self,
        factor: &Factorization,
        values: MatRef<'_, f64>,
        with_response: bool,
    ) -> Result<(FreeStates, Option<OutputResponse>), LearningError> {
        let (fixed, samples) = (values.nrows(), values.ncols());
        let n = self.drive_rows - fixed;
        // The fixed nodes held at a non-zero voltage (by position in
        // `task.fixed_nodes`): the superposition's terms.
        let driven: Vec<usize> = (0..fixed)
            .filter(|&j| (0..samples).any(|s| values[(j, s)] != 0.0))
            .collect();
        let superposed = samples > driven.len();
        let m = if superposed { driven.len() } else { samples };
        let n_out = if with_response {
            self.adjoint_drives.ncols()
        } else {
            0
        };
        let mut block = Mat::zeros(self.drive_rows, m + n_out);
        for c in 0..m {
            if superposed {
                block[(n + driven[c], c)] = 1.0;
            } else {
                for j in 0..fixed {
                    block[(n + j, c)] = values[(j, c)];
                }
            }
        }
        if with_response {
            block
                .as_mut()
                .subcols_mut(m, n_out)
                .copy_from(&self.adjoint_drives);
        }
        // A resistor's unit response's voltages lie in [0, 1] (a harmonic
        // measure), so a state's bound sums at most `m` times its largest
        // held voltage, and the state is at least that large: refining the
        // units to CERTIFIED / m keeps every superposed state within
        // CERTIFIED. A spring's unit displacements are not bounded so; the
        // error reported for its states is computed from the units' sizes
        // either way ([`Self::superposed`]), so it says when it is larger.
        let target =
            crate::physics::refine::CERTIFIED / if superposed { m.max(1) as f64 } else { 1.0 };
        let (solved, error) = if block.ncols() == 0 {
            (block, 0.0)
        } else {
            factor.solve_states_refined_to(block.as_ref(), target)?
        };
        let basis = solved.as_ref().subcols(0, m).to_owned();
        let response = if with_response {
            Some(self.response_from(solved.as_ref().subcols(m, n_out).to_owned())?)
        } else {
            None
        };
        let free = if superposed {
            self.superposed(basis, values, &driven, error)
        } else {
            let outputs = (0..m).map(|s| self.read(|dof| basis[(dof, s)])).collect();
            FreeStates {
                solves: m,
                basis,
                coefficients: None,
                outputs,
                voltage_error: error,
            }
        };
        Ok((free, response))
    }

    /// Free states and output response of the training samples `samples`
    /// from one block of solves (see [`free_states`](Self::free_states)).
    pub(crate) fn states_and_response(
        &self,
        factor: &Factorization,
        samples: &[usize],
    ) -> Result<(FreeStates, OutputResponse), LearningError> {
        let (free, response) = self.solve(factor, self.sample_values(samples).as_ref(), true)?;
        Ok((free, response.expect("asked for")))
    }

    /// Free states of `samples` with one solve per sample: the reference
    /// [`free_states`](Self::free_states) is tested against (and the path
    /// for elements that are not linear, later).
    pub fn free_states_per_sample(
        &self,
        factor: &Factorization,
        samples: &[usize],
    ) -> Result<FreeStates, LearningError> {
        let drives = self.sample_drives(samples);
        let (states, voltage_error) = factor.solve_states_with_error(drives.as_ref())?;
        let outputs = (0..states.ncols())
            .map(|s| self.read(|dof| states[(dof, s)]))
            .collect();
        Ok(FreeStates {
            solves: states.ncols(),
            basis: states,
            coefficients: None,
            outputs,
            voltage_error,
        })
    }

    /// The states of the samples whose fixed nodes are held at `values`
    /// (`|C| x B`) as superpositions of `basis`, the unit
    /// responses of the `driven` fixed nodes (every one the drives hold at
    /// a non-zero voltage), solved to a relative error `unit_error`. The
    /// error of a superposed state is bounded by the unit responses' errors
    /// weighted by `|v_k| max|u_k|`, and reported relative to the state's
    /// largest held voltage, a lower bound of its size (so the report never
    /// flatters a state that cancels).
    fn superposed(
        &self,
        basis: Mat<f64>,
        values: MatRef<'_, f64>,
        driven: &[usize],
        unit_error: f64,
    ) -> FreeStates {
        let n = self.drive_rows - self.task.fixed_nodes.len();
        let coefficients =
            Mat::from_fn(driven.len(), values.ncols(), |k, s| values[(driven[k], s)]);
        // Largest voltage of each unit response (the multipliers are
        // currents, not voltages, and do not count).
        let unit_size: Vec<f64> = (0..driven.len())
            .map(|k| (0..n).map(|i| basis[(i, k)].abs()).fold(0.0, f64::max))
            .collect();
        let mut voltage_error = 0.0f64;
        for s in 0..values.ncols() {
            let column = coefficients.col(s);
            let bound: f64 = (0..driven.len())
                .map(|k| column[k].abs() * unit_size[k])
                .sum();
            let held = (0..driven.len())
                .map(|k| column[k].abs())
                .fold(0.0, f64::max);
            if bound > 0.0 {
                voltage_error = voltage_error.max(unit_error * bound / held);
            }
        }
        // y = P x is linear: the outputs of the units, combined.
        let unit_outputs: Vec<Vec<f64>> = (0..driven.len())
            .map(|k| self.read(|dof| basis[(dof, k)]))
            .collect();
        let outputs = (0..values.ncols())
            .map(|s| {
                (0..self.task.readout.len())
                    .map(|o| {
                        (0..driven.len())
                            .map(|k| coefficients[(k, s)] * unit_outputs[k][o])
                            .sum()
                    })
                    .collect()
            })
            .collect();
        FreeStates {
            basis,
            coefficients: Some(coefficients),
            outputs,
            voltage_error,
            solves: driven.len(),
        }
    }

    /// Cost (and accuracy) over every training (and test) sample.
    pub fn evaluate(&self, conductance: &[f64]) -> Result<Evaluation, LearningError> {
        Ok(self.evaluate_with_outputs(conductance)?.0)
    }

    /// [`evaluate`](Self::evaluate), with the outputs of every training
    /// sample from the same factorisation and solves.
    pub fn evaluate_with_outputs(
        &self,
        conductance: &[f64],
    ) -> Result<(Evaluation, Vec<Vec<f64>>), LearningError> {
        let factor = self.factorize(conductance)?;
        let all: Vec<usize> = (0..self.task.sample_count()).collect();
        let train = self.free_states(&factor, &all)?;
        let (cost, accuracy) = self.score(&train.outputs, &self.task.targets);
        let (test_cost, test_accuracy) = if self.task.test_fixed_voltages.is_empty() {
            (None, None)
        } else {
            let test = self.states_of(&factor, self.test_values.as_ref())?;
            let (c, a) = self.score(&test.outputs, &self.task.test_targets);
            (Some(c), a)
        };
        Ok((
            Evaluation {
                cost,
                accuracy,
                test_cost,
                test_accuracy,
            },
            train.outputs,
        ))
    }

    /// Mean cost (and winner-take-all accuracy for classification) of
    /// `outputs` against `targets`, one row per sample.
    pub fn score(&self, outputs: &[Vec<f64>], targets: &[Vec<f64>]) -> (f64, Option<f64>) {
        let cost = outputs
            .iter()
            .zip(targets)
            .map(|(y, t)| self.task.cost.value(y, t))
            .sum::<f64>()
            / outputs.len() as f64;
        let accuracy = self.task.classification.then(|| {
            let right = outputs
                .iter()
                .zip(targets)
                .filter(|(y, t)| winner(y) == winner(t))
                .count();
            right as f64 / outputs.len() as f64
        });
        (cost, accuracy)
    }

    /// Per-sample output gradients `grad_y c(y_mu)` for the given outputs.
    pub fn output_gradients(&self, outputs: &[Vec<f64>], samples: &[usize]) -> Vec<Vec<f64>> {
        outputs
            .iter()
            .zip(samples)
            .map(|(y, &s)| self.task.cost.gradient(y, &self.task.targets[s]))
            .collect()
    }

    /// The cost function of the task.
    pub fn cost(&self) -> Cost {
        self.task.cost
    }
}
