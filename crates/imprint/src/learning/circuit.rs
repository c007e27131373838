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

use faer::linalg::solvers::Solve;
use faer::Mat;

use super::{Cost, LearningError, Task};
use crate::network::Network;
use crate::physics::{Factorization, Solver};

/// A task wired into a network: the solver of its constrained set, the
/// drive of every sample, and its read-out. Conductances are given per
/// factorisation, so one circuit serves a whole training run.
#[derive(Debug, Clone)]
pub struct TaskCircuit {
    solver: Solver,
    edges: Vec<[usize; 2]>,
    task: Task,
    drives: Mat<f64>,
    test_drives: Mat<f64>,
    adjoint_drives: Mat<f64>,
}

/// Free states of a set of samples with their outputs.
#[derive(Debug, Clone)]
pub struct FreeStates {
    /// States `x = (V, mu)`, one column per sample.
    pub states: Mat<f64>,
    /// Outputs `y = P x`, one row per sample.
    pub outputs: Vec<Vec<f64>>,
    /// Estimated relative error of the voltages (the largest over the
    /// samples; certified when at most [`crate::physics::refine::CERTIFIED`]).
    pub voltage_error: f64,
    /// Right-hand sides solved for them: one per sample, or one per driven
    /// fixed node when superposed.
    pub solves: usize,
}

/// The response of the outputs to currents at the outputs, for one
/// factorisation.
#[derive(Debug, Clone)]
pub struct OutputResponse {
    /// `G_O = H^{-1} P^T` (`n x n_out`).
    pub response: Mat<f64>,
    /// `P G_O = P H^{-1} P^T` (`n_out x n_out`): the effective resistance
    /// matrix between the outputs with the inputs held; its inverse is the
    /// `A` of docs/theory.md section 4.
    pub resistance: Mat<f64>,
}

impl OutputResponse {
    /// Solves `(P G_O) z = rhs`.
    pub fn solve(&self, rhs: &[f64]) -> Vec<f64> {
        let b = Mat::from_fn(rhs.len(), 1, |i, _| rhs[i]);
        let z = self.resistance.partial_piv_lu().solve(&b);
        (0..rhs.len()).map(|i| z[(i, 0)]).collect()
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

fn drive_matrix(node_count: usize, fixed: usize, rows: &[Vec<f64>]) -> Mat<f64> {
    Mat::from_fn(node_count + fixed, rows.len(), |i, s| {
        if i >= node_count {
            rows[s][i - node_count]
        } else {
            0.0
        }
    })
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
        let solver = Solver::new(network, &task.fixed_nodes)?;
        let n = network.node_count();
        let fixed = task.fixed_nodes.len();
        let mut adjoint_drives = Mat::zeros(n + fixed, task.readout.len());
        for o in 0..task.readout.len() {
            let mut unit = vec![0.0; task.readout.len()];
            unit[o] = 1.0;
            let mut column = vec![0.0; n + fixed];
            task.readout.add_transpose(&unit, &mut column);
            for (i, v) in column.into_iter().enumerate() {
                adjoint_drives[(i, o)] = v;
            }
        }
        Ok(Self {
            solver,
            edges: network.edges().to_vec(),
            drives: drive_matrix(n, fixed, &task.fixed_voltages),
            test_drives: drive_matrix(n, fixed, &task.test_fixed_voltages),
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

    /// The edges of the network.
    pub fn edges(&self) -> &[[usize; 2]] {
        &self.edges
    }

    /// Drive vectors `f_mu` of the training samples (one column each).
    pub fn drives(&self) -> &Mat<f64> {
        &self.drives
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
        self.states_of(factor, self.sample_drives(samples))
    }

    /// The drive columns of the training samples `samples`.
    fn sample_drives(&self, samples: &[usize]) -> Mat<f64> {
        Mat::from_fn(self.drives.nrows(), samples.len(), |i, s| {
            self.drives[(i, samples[s])]
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
        let n = self.drives.nrows() - fixed;
        Ok(self
            .states_of(factor, drive_matrix(n, fixed, fixed_voltages))?
            .outputs)
    }

    fn states_of(
        &self,
        factor: &Factorization,
        drives: Mat<f64>,
    ) -> Result<FreeStates, LearningError> {
        // The fixed nodes these drives hold at a non-zero voltage (by
        // position in `task.fixed_nodes`): the superposition's terms.
        let n = self.drives.nrows() - self.task.fixed_nodes.len();
        let driven: Vec<usize> = (0..self.task.fixed_nodes.len())
            .filter(|&j| (0..drives.ncols()).any(|s| drives[(n + j, s)] != 0.0))
            .collect();
        if drives.ncols() > driven.len() {
            let (states, voltage_error) = self.superposed(factor, drives.as_ref(), &driven)?;
            Ok(self.with_outputs(states, voltage_error, driven.len()))
        } else {
            self.solved_each(factor, drives)
        }
    }

    /// States of `drives` with one solve each.
    fn solved_each(
        &self,
        factor: &Factorization,
        drives: Mat<f64>,
    ) -> Result<FreeStates, LearningError> {
        let (states, voltage_error) = factor.solve_states_with_error(drives.as_ref())?;
        let solves = states.ncols();
        Ok(self.with_outputs(states, voltage_error, solves))
    }

    fn with_outputs(&self, states: Mat<f64>, voltage_error: f64, solves: usize) -> FreeStates {
        let outputs = (0..states.ncols())
            .map(|s| self.task.readout.apply(|node| states[(node, s)]))
            .collect();
        FreeStates {
            states,
            outputs,
            voltage_error,
            solves,
        }
    }

    /// Free states of `samples` with one solve per sample: the reference
    /// [`free_states`](Self::free_states) is tested against (and the path
    /// for elements that are not linear, later).
    pub fn free_states_per_sample(
        &self,
        factor: &Factorization,
        samples: &[usize],
    ) -> Result<FreeStates, LearningError> {
        self.solved_each(factor, self.sample_drives(samples))
    }

    /// States of `drives` (voltages on the fixed nodes only, as
    /// `drive_matrix` lays them out) as superpositions of the unit responses
    /// of the `driven` fixed nodes (every one the drives hold at a non-zero
    /// voltage). The error of a superposed state is bounded by the unit
    /// responses' errors weighted by `|v_j| |u_j|`; it is reported relative
    /// to the state, so a state that cancels shows it.
    fn superposed(
        &self,
        factor: &Factorization,
        drives: faer::MatRef<'_, f64>,
        driven: &[usize],
    ) -> Result<(Mat<f64>, f64), LearningError> {
        let n = self.drives.nrows() - self.task.fixed_nodes.len();
        if driven.is_empty() {
            // Every fixed node at 0 V: every state is zero.
            return Ok((Mat::zeros(self.drives.nrows(), drives.ncols()), 0.0));
        }
        let units = Mat::from_fn(self.drives.nrows(), driven.len(), |i, k| {
            f64::from(u8::from(i == n + driven[k]))
        });
        // A unit response's voltages lie in [0, 1] (a harmonic measure), so
        // a state's bound sums at most `driven` times its largest held
        // voltage, and the state is at least that large: refining the units
        // to CERTIFIED / driven keeps every superposed state within
        // CERTIFIED.
        let target = crate::physics::refine::CERTIFIED / driven.len() as f64;
        let (unit_states, unit_error) = factor.solve_states_refined_to(units.as_ref(), target)?;
        let values = Mat::from_fn(driven.len(), drives.ncols(), |k, s| {
            drives[(n + driven[k], s)]
        });
        let mut states = Mat::zeros(self.drives.nrows(), drives.ncols());
        faer::linalg::matmul::matmul(
            states.as_mut(),
            faer::Accum::Replace,
            unit_states.as_ref(),
            values.as_ref(),
            1.0,
            faer::Par::Seq,
        );
        // Largest voltage of each unit response (the multipliers are
        // currents, not voltages, and do not count).
        let unit_size: Vec<f64> = (0..driven.len())
            .map(|k| {
                (0..n)
                    .map(|i| unit_states[(i, k)].abs())
                    .fold(0.0, f64::max)
            })
            .collect();
        let mut error = 0.0f64;
        for s in 0..drives.ncols() {
            let bound: f64 = (0..driven.len())
                .map(|k| values[(k, s)].abs() * unit_size[k])
                .sum();
            let size = (0..n).map(|i| states[(i, s)].abs()).fold(0.0, f64::max);
            if bound > 0.0 {
                error = error.max(unit_error * bound / size.max(f64::MIN_POSITIVE));
            }
        }
        Ok((states, error))
    }

    /// `G_O = H^{-1} P^T` and `P G_O` for one factorisation.
    pub fn output_response(&self, factor: &Factorization) -> Result<OutputResponse, LearningError> {
        let response = factor.solve_states(self.adjoint_drives.as_ref())?;
        let n_out = self.task.readout.len();
        let mut resistance = Mat::zeros(n_out, n_out);
        for o in 0..n_out {
            let y = self.task.readout.apply(|node| response[(node, o)]);
            for (p, v) in y.into_iter().enumerate() {
                resistance[(p, o)] = v;
            }
        }
        Ok(OutputResponse {
            response,
            resistance,
        })
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
            let test = self.states_of(&factor, self.test_drives.clone())?;
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
