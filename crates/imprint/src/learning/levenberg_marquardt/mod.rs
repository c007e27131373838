//! A bounded second-order trainer (docs/theory.md section 8): Levenberg-Marquardt
//! on the task's transfer matrix, in the variables `theta_e = ln k_e`.
//!
//! The cost depends on the conductances only through `T` (`n_out x n_h`),
//! so with `J~` the Jacobian of `vec T` in `theta` (`p x E`, `p = n_out n_h`;
//! column `e` is `-k_e vec(a_e d_e^T)`), `gamma = dC/dT` and `W` the
//! generalised Gauss-Newton curvature in `T`, the damped step
//!
//! ```text
//! (J~^T W J~ + lambda I) dtheta = -J~^T gamma
//! ```
//!
//! is `dtheta = J~^T v` with `(W K + lambda I) v = -gamma`, `K = J~ J~^T`: a
//! dense `p x p` solve (10 for regression-2x5), never an `E x E` matrix.
//! `K` costs `E p^2` operations, summed over fixed blocks of edges in
//! parallel and then in order (the same bits on any number of threads).
//!
//! Bounds: the step is multiplicative, `k <- clip(k exp(dtheta))`, so
//! conductances stay positive; an edge at `k_min` (`k_max`) whose gradient
//! pushes it further out is held out of the step (the active set). Every
//! iteration is one trial: one factorisation and `n_h + n_out` solves. A
//! trial that lowers the cost is taken and the damping shrinks (Nielsen's
//! rule); one that does not is refused and the damping grows. The run ends
//! when the cost reaches the stop rule's tolerance, or when it is
//! stationary: 20 iterations in a row without a relative decrease of
//! `1e-12`, or no edge left free to move; [`Stationary`] then says which
//! edges the bounds hold.
//!
//! A classification has learned when it classifies every training sample,
//! which the cosine cost's minimum need not do. Stationary short of that,
//! it minimises the decision margins' violations ([`Objective::Margin`](crate::learning::Objective::Margin))
//! from where it stopped, then from the initial conductances; it is
//! stationary only when that fails too (docs/training.md).
//!
//! Any other task whose path is stationary short of its tolerance, or
//! crawls (its cost falls less than [`CRAWL_FACTOR`] times in
//! [`CRAWL_WINDOW`] iterations), starts again from the initial
//! conductances spread by a seeded factor `exp(u)`, `u` uniform in
//! `[-RESTART_SPREAD, RESTART_SPREAD]`, up to [`RESTARTS`] times: where one
//! descent stops or crawls depends on its path, not only on the task
//! (docs/training.md). The run keeps its best state over all paths.

use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

use super::bounded_step::{
    active_set, dot, edge_gram, free_gradient, projected_step, EdgeRows, Step,
};
use super::transfer::Transfer;
use super::transfer_cost::TransferCost;
use super::{LearningError, StepTimings, TaskCircuit};
use crate::physics::{sequential_product, Factorization};

mod paths;
pub use paths::{CRAWL_FACTOR, CRAWL_WINDOW, RESTARTS, RESTART_SPREAD};

/// The initial damping, relative to the largest diagonal entry of the
/// Gauss-Newton matrix `W K` (Nielsen's `tau`).
pub const DEFAULT_DAMPING: f64 = 1e-3;

/// The decision margin (volts) a classification's second phase asks of
/// every training sample ([`Objective::Margin`](crate::learning::Objective::Margin)).
pub const CLASSIFICATION_MARGIN: f64 = 1e-3;

/// Iterations in a row without a relative decrease of [`STALL_DECREASE`]
/// after which a second-order run is stationary.
pub const STALL_ITERATIONS: usize = 20;

/// The relative decrease of the cost below which an iteration counts as
/// stalled.
pub const STALL_DECREASE: f64 = 1e-12;

/// What a second-order run carries from one iteration to the next: with
/// the conductances, enough to continue exactly (checkpoints hold it).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DampingState {
    /// The damping `lambda` of the next step (none before the first).
    pub damping: Option<f64>,
    /// Nielsen's growth factor `nu` for the next refused step.
    pub growth: f64,
    /// Iterations in a row without a relative decrease of [`STALL_DECREASE`].
    pub stalled: usize,
    /// The decision margin (volts) once a classification minimises its
    /// margins ([`Objective::Margin`](crate::learning::Objective::Margin)); none while it minimises the task's cost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub margin: Option<f64>,
    /// Whether the margins are minimised from the initial conductances
    /// (the last phase), not from where the task's cost stopped.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub restarted: bool,
    /// Paths started again from spread initial conductances (regression,
    /// allostery; at most [`RESTARTS`]).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub restarts: usize,
    /// The iteration count and cost at which the current crawl window
    /// opened (regression, allostery).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<(usize, f64)>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Default for DampingState {
    fn default() -> Self {
        Self {
            damping: None,
            growth: 2.0,
            stalled: 0,
            margin: None,
            restarted: false,
            restarts: 0,
            window: None,
        }
    }
}

/// The evidence of a second-order run that stopped short of its tolerance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stationary {
    /// Iterations done when it stopped.
    pub step: usize,
    /// The task's training cost there.
    pub cost: f64,
    /// The decision margin a classification was minimising its violations
    /// of when it stopped ([`Objective::Margin`](crate::learning::Objective::Margin); `free_gradient` is then
    /// relative to that objective); none for the task's own cost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub margin: Option<f64>,
    /// Edges held at `k_min` by the bound (their gradient pushes them lower).
    pub at_k_min: Vec<usize>,
    /// Edges held at `k_max` by the bound.
    pub at_k_max: Vec<usize>,
    /// The largest `|dC/d ln k_e|` over the edges free to move, relative
    /// to the cost: small at a stationary point of the bounded problem.
    pub free_gradient: f64,
    /// Paths begun again from spread initial conductances before this one
    /// (regression, allostery; every one of them stopped short too).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub restarts: usize,
}

/// The cost, transfer matrix and Gauss-Newton pieces at one conductance vector.
#[derive(Debug, Clone)]
struct Point {
    transfer: Transfer,
    objective: TransferCost,
    /// Winner-take-all training accuracy (classification), from `T h_mu`.
    accuracy: Option<f64>,
}

/// The second-order stepper's state inside a [`super::Training`].
#[derive(Debug, Clone)]
pub(crate) struct SecondOrder {
    initial_damping: f64,
    /// The run's initial conductances: a classification's last phase
    /// starts again from them, and a restart from their spread.
    start: Vec<f64>,
    /// The training seed (the restarts' spreads).
    seed: u64,
    /// The clip `[k_min, k_max]` a restart's conductances are clipped to.
    bounds: [f64; 2],
    state: DampingState,
    held: Vec<Vec<f64>>,
    point: Option<Point>,
    target_cost: f64,
    reached: bool,
    stationary: Option<Stationary>,
    damping_used: Option<f64>,
}

impl SecondOrder {
    /// A stepper for `problem` with Nielsen's `tau` = `initial_damping`,
    /// for a run that started at conductances `start` (within `bounds`),
    /// its restarts drawn from `seed`.
    pub(crate) fn new(
        problem: &TaskCircuit,
        initial_damping: f64,
        start: Vec<f64>,
        seed: u64,
        bounds: [f64; 2],
    ) -> Self {
        Self {
            initial_damping,
            start,
            seed,
            bounds,
            state: DampingState::default(),
            held: problem.held_values(),
            point: None,
            target_cost: 0.0,
            reached: false,
            stationary: None,
            damping_used: None,
        }
    }

    pub(crate) fn set_state(&mut self, state: DampingState) {
        self.state = state;
    }

    pub(crate) fn state(&self) -> DampingState {
        self.state
    }

    pub(crate) fn set_target_cost(&mut self, cost: f64) {
        self.target_cost = cost;
    }

    /// Whether the run reached its tolerance or is stationary.
    pub(crate) fn is_finished(&self) -> bool {
        self.reached || self.stationary.is_some()
    }

    /// Whether the run stopped at its goal (see [`super::Training::goal_reached`]).
    pub(crate) fn goal_reached(&self) -> bool {
        self.reached
    }

    pub(crate) fn stationary(&self) -> Option<&Stationary> {
        self.stationary.as_ref()
    }

    /// The training accuracy of the current conductances (classification;
    /// none before the first step).
    pub(crate) fn accuracy(&self) -> Option<f64> {
        self.point.as_ref().and_then(|p| p.accuracy)
    }

    /// The damping of the last step taken or refused.
    pub(crate) fn last_damping(&self) -> Option<f64> {
        self.damping_used
    }

    fn evaluate(
        &self,
        problem: &TaskCircuit,
        factor: &mut Option<Factorization>,
        conductance: &[f64],
    ) -> Result<(Point, Duration), LearningError> {
        let start = Instant::now();
        match factor {
            Some(f) => f.refactorize(conductance)?,
            None => *factor = Some(problem.factorize(conductance)?),
        }
        let factorized = start.elapsed();
        let transfer = problem.transfer(factor.as_ref().expect("set above"))?;
        let targets = &problem.task().targets;
        let objective = TransferCost::of(
            self.objective(problem),
            &transfer.matrix,
            &self.held,
            targets,
        );
        // Every sample's outputs are `T h_mu`: the accuracy costs no solve.
        let accuracy = problem.task().classification.then(|| {
            let t = &transfer.matrix;
            let outputs: Vec<Vec<f64>> = self
                .held
                .iter()
                .map(|h| {
                    (0..t.nrows())
                        .map(|o| (0..t.ncols()).map(|c| t[(o, c)] * h[c]).sum())
                        .collect()
                })
                .collect();
            problem.score(&outputs, targets).1
        });
        Ok((
            Point {
                transfer,
                objective,
                accuracy: accuracy.flatten(),
            },
            factorized,
        ))
    }

    /// One iteration: a trial step from `conductance`, taken when it lowers
    /// the cost. `step` is the iteration count before it.
    pub(crate) fn step(
        &mut self,
        problem: &TaskCircuit,
        factor: &mut Option<Factorization>,
        conductance: &mut [f64],
        [k_min, k_max]: [f64; 2],
        step: usize,
    ) -> Result<StepTimings, LearningError> {
        let start = Instant::now();
        let mut timings = StepTimings::default();
        let mut point = match self.point.take() {
            Some(point) => point,
            None => self.evaluate(problem, factor, conductance)?.0,
        };
        let edges = problem.edges();
        let (rows, active) = loop {
            if self.goal_met(&point) {
                self.reached = true;
                self.point = Some(point);
                return Ok(timings);
            }
            // Every edge's row of J~, once per iteration: the active set, the
            // Gram matrices of the binding passes and the model all read them.
            let rows = EdgeRows::new(&point.transfer, edges, conductance);
            // The edges the bounds let move; none with a gradient left: stationary.
            let active = active_set(
                &rows,
                &point.objective.gradient,
                conductance,
                [k_min, k_max],
            );
            if free_gradient(&rows, &point.objective.gradient, &active) > 0.0 {
                break (rows, active);
            }
            if !self.next_phase(problem, factor, conductance, &mut point)? {
                self.stop(problem, &point, conductance, [k_min, k_max], step);
                self.point = Some(point);
                return Ok(timings);
            }
        };
        let cost = point.objective.cost;
        let p = point.objective.gradient.len();
        let gamma = &point.objective.gradient;
        let curvature = &point.objective.curvature;
        let lambda = self.state.damping.unwrap_or_else(|| {
            let gram = edge_gram(&rows, &active);
            let model = sequential_product(curvature.as_ref(), gram.as_ref());
            let largest = (0..p).map(|i| model[(i, i)]).fold(0.0, f64::max);
            self.initial_damping * if largest > 0.0 { largest } else { 1.0 }
        });
        self.damping_used = Some(lambda);
        let dtheta = projected_step(
            &point.objective,
            &rows,
            conductance,
            &active,
            [k_min, k_max],
            lambda,
        );
        let trial: Vec<f64> = conductance
            .iter()
            .zip(&dtheta)
            .map(|(&k, &step)| match step {
                Step::Stay => k,
                Step::Move(d) => {
                    let k_new = k * d.exp();
                    if k_new.is_nan() {
                        k
                    } else {
                        k_new.clamp(k_min, k_max)
                    }
                }
                Step::ToBound(bound) => bound,
            })
            .collect();
        // The model's decrease for the step actually taken (after the clip).
        let mut change = vec![0.0; p];
        for (e, ((&k, &k_new), &moves)) in conductance.iter().zip(&trial).zip(&active).enumerate() {
            if moves && k_new != k {
                let dtheta = (k_new / k).ln();
                for (c, r) in change.iter_mut().zip(rows.row(e)) {
                    *c -= r * dtheta;
                }
            }
        }
        let curved: f64 = (0..p)
            .map(|i| change[i] * (0..p).map(|j| curvature[(i, j)] * change[j]).sum::<f64>())
            .sum();
        let predicted = -(dot(gamma, &change) + 0.5 * curved);
        let update_time = start.elapsed();
        let (candidate, factorized) = self.evaluate(problem, factor, &trial)?;
        timings.factorization = factorized;
        timings.solves = start.elapsed() - update_time - factorized;
        let new_cost = candidate.objective.cost;
        let decrease = cost - new_cost;
        if decrease > 0.0 && predicted > 0.0 {
            let rho = decrease / predicted;
            self.state.damping = Some(lambda * (1.0 - (2.0 * rho - 1.0).powi(3)).max(1.0 / 3.0));
            self.state.growth = 2.0;
            conductance.copy_from_slice(&trial);
            self.point = Some(candidate);
        } else {
            self.state.damping = Some(lambda * self.state.growth);
            self.state.growth *= 2.0;
            self.point = Some(point);
        }
        if decrease > STALL_DECREASE * cost {
            self.state.stalled = 0;
        } else {
            self.state.stalled += 1;
        }
        let mut kept = self.point.take().expect("set above");
        if self.goal_met(&kept) {
            self.reached = true;
        } else if self.state.stalled >= STALL_ITERATIONS
            && !self.next_phase(problem, factor, conductance, &mut kept)?
        {
            self.stop(problem, &kept, conductance, [k_min, k_max], step + 1);
        } else if self.crawls(problem, step + 1, kept.objective.cost) {
            self.next_phase(problem, factor, conductance, &mut kept)?;
        }
        self.point = Some(kept);
        timings.update = update_time;
        Ok(timings)
    }
}
