//! Training as a stepper: [`Training::step`] runs one iteration (one
//! factorisation, one batch); the caller owns the loop, progress, records and
//! checkpoints. Batches are drawn from a stream of the seed derived from the
//! step number, so a run resumed from a checkpoint at step `t` continues
//! exactly as the uninterrupted run would.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{Evaluation, LearningError, Rule, Task, TaskCircuit};
use crate::network::Network;
use crate::random::Rng;

/// Everything that defines a training run besides the network and the task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingParameters {
    /// The learning rule.
    pub rule: Rule,
    /// Samples per iteration (all of them when at least the sample count).
    pub batch_size: usize,
    /// Iterations to run.
    pub iterations: usize,
    /// Lower clip of the conductances.
    pub k_min: f64,
    /// Upper clip of the conductances.
    pub k_max: f64,
    /// Seed of the batch draws.
    pub seed: u64,
}

impl Default for TrainingParameters {
    fn default() -> Self {
        Self {
            rule: Rule::CoupledLearning {
                learning_rate: 0.5,
                nudge: 0.1,
            },
            batch_size: 30,
            iterations: 10_000,
            k_min: 1e-3,
            k_max: 1e2,
            seed: 1,
        }
    }
}

impl TrainingParameters {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), LearningError> {
        self.rule.validate()?;
        if self.batch_size == 0 {
            return Err(LearningError::InvalidParameter {
                field: "batch_size",
                reason: "must be at least 1".into(),
            });
        }
        if !(self.k_min.is_finite()
            && self.k_max.is_finite()
            && self.k_min > 0.0
            && self.k_min < self.k_max)
        {
            return Err(LearningError::InvalidParameter {
                field: "k_min",
                reason: format!(
                    "need 0 < k_min < k_max, both finite (got k_min = {}, k_max = {})",
                    self.k_min, self.k_max
                ),
            });
        }
        Ok(())
    }
}

/// Samples of the batch of iteration `step`: all samples in order when the
/// batch is at least the sample count, else a seeded draw without replacement.
pub fn batch(seed: u64, step: usize, batch_size: usize, sample_count: usize) -> Vec<usize> {
    let mut samples: Vec<usize> = (0..sample_count).collect();
    if batch_size >= sample_count {
        return samples;
    }
    let mut rng = Rng::derive(seed, step as u64);
    for i in 0..batch_size {
        let j = i + rng.below(sample_count - i);
        samples.swap(i, j);
    }
    samples.truncate(batch_size);
    samples
}

/// Where one iteration spent its time.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StepTimings {
    /// Assembly and numeric factorisation of the reduced Laplacian.
    pub factorization: Duration,
    /// Free states of the batch and the output response `G_O`.
    pub solves: Duration,
    /// Clamped drops, the update and the clip.
    pub update: Duration,
}

/// A training run in progress.
#[derive(Debug, Clone)]
pub struct Training {
    problem: TaskCircuit,
    parameters: TrainingParameters,
    conductance: Vec<f64>,
    step: usize,
}

impl Training {
    /// Starts training `task` on `network` from the network's conductances
    /// (clipped into `[k_min, k_max]`).
    pub fn new(
        network: &Network,
        task: &Task,
        parameters: TrainingParameters,
    ) -> Result<Self, LearningError> {
        Self::resume(network, task, parameters, 0, network.conductance().to_vec())
    }

    /// Continues a run at `step` with `conductance`.
    pub fn resume(
        network: &Network,
        task: &Task,
        parameters: TrainingParameters,
        step: usize,
        conductance: Vec<f64>,
    ) -> Result<Self, LearningError> {
        parameters.validate()?;
        let problem = TaskCircuit::new(network, task)?;
        if conductance.len() != network.edge_count() {
            return Err(LearningError::InvalidParameter {
                field: "conductance",
                reason: format!(
                    "{} values for {} edges",
                    conductance.len(),
                    network.edge_count()
                ),
            });
        }
        let conductance = conductance
            .into_iter()
            .map(|k| k.clamp(parameters.k_min, parameters.k_max))
            .collect();
        Ok(Self {
            problem,
            parameters,
            conductance,
            step,
        })
    }

    /// Runs one iteration: factorise, solve the batch, update, clip.
    pub fn step(&mut self) -> Result<(), LearningError> {
        self.step_timed().map(|_| ())
    }

    /// [`step`](Self::step), reporting where the time went.
    pub fn step_timed(&mut self) -> Result<StepTimings, LearningError> {
        let p = &self.parameters;
        let start = Instant::now();
        let factor = self.problem.factorize(&self.conductance)?;
        let factorized = Instant::now();
        let batch = batch(
            p.seed,
            self.step,
            p.batch_size,
            self.problem.task().sample_count(),
        );
        let response = self.problem.batch_response(&factor, &batch)?;
        let solved = Instant::now();
        let delta = p.rule.update_from(&self.problem, &response);
        for (k, d) in self.conductance.iter_mut().zip(delta) {
            *k = (*k + d).clamp(p.k_min, p.k_max);
        }
        self.step += 1;
        Ok(StepTimings {
            factorization: factorized - start,
            solves: solved - factorized,
            update: solved.elapsed(),
        })
    }

    /// Iterations done.
    pub fn step_count(&self) -> usize {
        self.step
    }

    /// Whether the requested iterations are done.
    pub fn is_done(&self) -> bool {
        self.step >= self.parameters.iterations
    }

    /// Current conductances.
    pub fn conductance(&self) -> &[f64] {
        &self.conductance
    }

    /// The parameters.
    pub fn parameters(&self) -> &TrainingParameters {
        &self.parameters
    }

    /// The problem being trained.
    pub fn problem(&self) -> &TaskCircuit {
        &self.problem
    }

    /// Cost and accuracy of the current conductances on every sample.
    pub fn evaluate(&self) -> Result<Evaluation, LearningError> {
        self.problem.evaluate(&self.conductance)
    }
}
