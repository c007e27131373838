//! The second-order trainer's phases and paths (docs/theory.md section 8,
//! docs/training.md): what a path minimises, when it is done, when it
//! crawls, and where it goes when it stops short: a classification to its
//! decision margins, any other task to a restart from spread initial
//! conductances; a run that has nowhere left to go is stationary.

use super::{DampingState, Point, SecondOrder, Stationary, CLASSIFICATION_MARGIN};
use crate::learning::bounded_step::{active_set, free_gradient, EdgeRows};
use crate::learning::transfer_cost::{Objective, TransferCost};
use crate::learning::{LearningError, TaskCircuit};
use crate::physics::Factorization;
use crate::random::Rng;

/// Paths after the first that a regression or allostery run may try
/// from spread initial conductances when one stops or crawls.
pub const RESTARTS: usize = 3;

/// The spread `s` of a restart: each initial conductance times `exp(u)`,
/// `u` uniform in `[-s, s]` (then clipped to the bounds).
pub const RESTART_SPREAD: f64 = 1.0;

/// Iterations over which a path's cost must fall [`CRAWL_FACTOR`] times,
/// or it crawls.
pub const CRAWL_WINDOW: usize = 500;

/// The factor a path's cost must fall by in [`CRAWL_WINDOW`] iterations.
pub const CRAWL_FACTOR: f64 = 10.0;

/// The random stream of restart `r` is `RESTART_STREAM + r` of the
/// training seed (batches use streams `0..iterations`).
const RESTART_STREAM: u64 = 0x4c4d_0000_0000;

impl SecondOrder {
    /// What the current phase minimises: the task's cost, then (a
    /// classification left short of every training sample) its margins.
    pub(super) fn objective(&self, problem: &TaskCircuit) -> Objective {
        match self.state.margin {
            Some(margin) => Objective::Margin(margin),
            None => Objective::Task(problem.cost()),
        }
    }

    /// Whether the run is done at `point`: the task's cost at the stop
    /// rule's tolerance, or every margin met.
    pub(super) fn goal_met(&self, point: &Point) -> bool {
        match self.state.margin {
            Some(_) => point.objective.cost == 0.0,
            None => point.objective.cost <= self.target_cost,
        }
    }

    /// Whether a regression or allostery path with restarts left crawls:
    /// its cost at iteration `step` is above `1 / CRAWL_FACTOR` of its cost
    /// [`CRAWL_WINDOW`] iterations ago (each window opens where the last
    /// closed, or where the path began).
    pub(super) fn crawls(&mut self, problem: &TaskCircuit, step: usize, cost: f64) -> bool {
        if problem.task().classification || self.state.restarts >= RESTARTS {
            return false;
        }
        let (opened, before) = *self.state.window.get_or_insert((step, cost));
        if step - opened < CRAWL_WINDOW {
            return false;
        }
        self.state.window = Some((step, cost));
        cost > before / CRAWL_FACTOR
    }

    /// The conductances restart `r` begins from: the initial ones times
    /// `exp(u_e)`, `u_e` uniform in `[-RESTART_SPREAD, RESTART_SPREAD]`
    /// from the training seed's stream `RESTART_STREAM + r`, clipped.
    fn spread_start(&self, restart: usize) -> Vec<f64> {
        let mut rng = Rng::derive(self.seed, RESTART_STREAM + restart as u64);
        let [k_min, k_max] = self.bounds;
        self.start
            .iter()
            .map(|&k| {
                let u = rng.uniform_in(-RESTART_SPREAD, RESTART_SPREAD);
                (k * u.exp()).clamp(k_min, k_max)
            })
            .collect()
    }

    /// Where a path that stopped short (stationary, or crawling) goes
    /// next, damping afresh. A classification that misclassifies a
    /// training sample goes from the task's cost to its margins from the
    /// same state, then to its margins from the initial conductances (the
    /// task's cost may have led where the bounds trap the margins); any
    /// other task starts again from spread initial conductances, up to
    /// [`RESTARTS`] times. Returns whether it went on.
    pub(super) fn next_phase(
        &mut self,
        problem: &TaskCircuit,
        factor: &mut Option<Factorization>,
        conductance: &mut [f64],
        point: &mut Point,
    ) -> Result<bool, LearningError> {
        if !problem.task().classification {
            if self.state.restarts >= RESTARTS {
                return Ok(false);
            }
            let restarts = self.state.restarts + 1;
            self.state = DampingState {
                restarts,
                ..DampingState::default()
            };
            conductance.copy_from_slice(&self.spread_start(restarts));
            *point = self.evaluate(problem, factor, conductance)?.0;
            return Ok(true);
        }
        if point.accuracy.is_none_or(|a| a >= 1.0) || self.state.restarted {
            return Ok(false);
        }
        let restart = self.state.margin.is_some();
        self.state = DampingState {
            margin: Some(CLASSIFICATION_MARGIN),
            restarted: restart,
            ..DampingState::default()
        };
        if restart {
            conductance.copy_from_slice(&self.start);
            *point = self.evaluate(problem, factor, conductance)?.0;
        } else {
            point.objective = TransferCost::of(
                self.objective(problem),
                &point.transfer.matrix,
                &self.held,
                &problem.task().targets,
            );
        }
        Ok(true)
    }

    /// Ends the run at `point`, where it can go no further: a
    /// classification that classifies every training sample there has
    /// reached its goal; any other run is stationary, with the edges the
    /// bounds hold and the largest gradient left on the free ones.
    pub(super) fn stop(
        &mut self,
        problem: &TaskCircuit,
        point: &Point,
        conductance: &[f64],
        [k_min, k_max]: [f64; 2],
        step: usize,
    ) {
        if point.accuracy == Some(1.0) {
            self.reached = true;
            return;
        }
        // The rows of the state it stops at: the conductances may have moved.
        let rows = EdgeRows::new(&point.transfer, problem.edges(), conductance);
        let gradient = &point.objective.gradient;
        let active = active_set(&rows, gradient, conductance, [k_min, k_max]);
        let held = |bound: f64| -> Vec<usize> {
            (0..conductance.len())
                .filter(|&e| !active[e] && conductance[e] == bound)
                .collect()
        };
        let largest = free_gradient(&rows, gradient, &active);
        let cost = match self.state.margin {
            None => point.objective.cost,
            Some(_) => {
                let task = Objective::Task(problem.cost());
                let targets = &problem.task().targets;
                TransferCost::of(task, &point.transfer.matrix, &self.held, targets).cost
            }
        };
        self.stationary = Some(Stationary {
            step,
            cost,
            margin: self.state.margin,
            at_k_min: held(k_min),
            at_k_max: held(k_max),
            free_gradient: largest / point.objective.cost.max(f64::MIN_POSITIVE),
            restarts: self.state.restarts,
        });
    }
}
