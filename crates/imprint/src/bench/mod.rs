//! Timings of the hot paths on seeded, size-swept inputs, for `imprint
//! bench` and docs/benchmarks.md. Measured here, printed by the front end,
//! never asserted in tests.

mod learned;
mod springs;

pub use learned::{cluster_times, network_times, time_to_learned, LearnedTiming, CHECK_EVERY};
pub use springs::{physics_timing, PhysicsTiming};

use std::time::Instant;

use faer::Mat;

use crate::learning::{builtin, LearningError, LearningRate, Training};
use crate::network::lattice;
use crate::network::spec::NetworkSpec;
use crate::physics::{PhysicsError, Solver};
use crate::run::config::RunConfig;

/// The fastest of `repeats` runs of `work` (seconds) and the last result.
pub fn best_of<T>(repeats: usize, mut work: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..repeats.max(1) {
        let start = Instant::now();
        let out = work();
        best = best.min(start.elapsed().as_secs_f64());
        last = Some(out);
    }
    (best, last.expect("at least one repeat"))
}

/// The processor's model name (Linux), for benchmark tables.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string())
}

/// Solver timings on one square lattice (seconds, fastest of the repeats).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SolveTiming {
    /// Nodes.
    pub nodes: usize,
    /// Edges.
    pub edges: usize,
    /// Non-zeros of the reduced Laplacian.
    pub pattern: usize,
    /// Non-zeros of its Cholesky factor.
    pub fill: usize,
    /// The fill-reducing ordering the analysis chose.
    pub ordering: Option<crate::physics::FillOrdering>,
    /// Symbolic analysis.
    pub analysis: f64,
    /// Numeric factorisation.
    pub factorization: f64,
    /// One solve.
    pub single_solve: f64,
    /// One right-hand side within a block of `rhs`.
    pub per_rhs: f64,
}

/// Times the solver on the square lattice nearest `size` nodes, grounded at
/// node 0, with blocks of `rhs` right-hand sides.
pub fn solve_timing(size: usize, repeats: usize, rhs: usize) -> Result<SolveTiming, PhysicsError> {
    let side = (size as f64).sqrt().round().max(2.0) as usize;
    let network = lattice::square(side, side, false)?;
    let n = network.node_count();
    let (analysis, solver) = best_of(repeats, || Solver::new(&network, &[0]));
    let solver = solver?;
    let (factorization, factor) = best_of(repeats, || solver.factorize(network.conductance()));
    let factor = factor?;
    let mut drive = vec![0.0; n + 1];
    drive[n - 1] = 1.0;
    let (single_solve, state) = best_of(repeats, || factor.solve_state(&drive));
    state?;
    let rhs = rhs.max(1);
    let drives = Mat::from_fn(
        n + 1,
        rhs,
        |i, j| if i == (j * 7919) % n { 1.0 } else { 0.0 },
    );
    let (block, states) = best_of(repeats, || factor.solve_states(drives.as_ref()));
    states?;
    let (pattern, fill) = solver.fill();
    Ok(SolveTiming {
        nodes: n,
        edges: network.edge_count(),
        pattern,
        fill,
        ordering: solver.ordering().map(|choice| choice.ordering),
        analysis,
        factorization,
        single_solve,
        per_rhs: block / rhs as f64,
    })
}

/// Where Coupled Learning iterations spent their time (seconds, summed).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainTiming {
    /// Nodes.
    pub nodes: usize,
    /// Edges.
    pub edges: usize,
    /// Samples per iteration.
    pub batch: usize,
    /// Time to generate the network.
    pub generation: f64,
    /// Iterations timed.
    pub iterations: usize,
    /// Factorisations.
    pub factorization: f64,
    /// Free states and the output response.
    pub solves: f64,
    /// Clamped drops, update and clip.
    pub update: f64,
    /// Of `update`: the estimates of an `auto` rate.
    pub step_size: f64,
    /// The median time of one iteration (less sensitive than the mean to
    /// other work on the machine).
    pub median: f64,
    /// The floor an iteration is compared with: the median time of one
    /// numeric factorisation (into reused storage, as training does) plus
    /// one unrefined block solve of `n_in + n_out` right-hand sides, on the
    /// same network and conductances.
    pub floor: f64,
}

impl TrainTiming {
    /// The header of the Markdown table [`row`](Self::row) fills.
    pub const HEADER: &'static str = "| N | E | batch | ms per iteration (median) | over floor | mean | factorisation | solves (2 inputs + 2 outputs) | update | of which rate estimate | floor: factorisation + 4 solves (ms) | generation (s) |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

    /// One Markdown table row: milliseconds per iteration, and per part
    /// with its share of the mean.
    pub fn row(&self) -> String {
        let per = |x: f64| 1e3 * x / self.iterations as f64;
        let total = self.factorization + self.solves + self.update;
        let share = |x: f64| format!("{:.3} ms ({:.0} %)", per(x), 100.0 * x / total);
        format!(
            "| {} | {} | {} | {:.3} | {:.2}x | {:.3} | {} | {} | {} | {} | {:.3} | {:.1} |",
            self.nodes,
            self.edges,
            self.batch,
            1e3 * self.median,
            self.median / self.floor,
            per(total),
            share(self.factorization),
            share(self.solves),
            share(self.update),
            share(self.step_size),
            1e3 * self.floor,
            self.generation
        )
    }
}

/// Generates the network of `spec`, and the time it took (seconds).
pub fn generate_timed(spec: &NetworkSpec) -> Result<(crate::network::Network, f64), LearningError> {
    let start = Instant::now();
    let network = spec.generate()?;
    Ok((network, start.elapsed().as_secs_f64()))
}

/// Times `iterations` Coupled Learning iterations of regression-2x2 (its
/// default 112 samples, or `batch` if more) with batches of `batch` samples,
/// after one warm-up iteration, at learning rate `rate` on `network`
/// (generated in `generation` seconds).
pub fn train_timing(
    network: &crate::network::Network,
    generation: f64,
    iterations: usize,
    rate: LearningRate,
    batch: usize,
) -> Result<TrainTiming, LearningError> {
    let defaults = builtin::BuiltinOptions::default();
    let options = builtin::BuiltinOptions {
        samples: defaults.samples.max(batch),
        ..defaults
    };
    let task = builtin::build("regression-2x2", network, &options)?;
    let mut config = RunConfig::for_task("regression-2x2", 1)?;
    config.training.rule = config.training.rule.with_learning_rate(rate)?;
    config.training.batch_size = batch;
    let mut training = Training::new(network, &task, config.training)?;
    training.step()?;
    let mut timing = TrainTiming {
        nodes: network.node_count(),
        edges: network.edge_count(),
        batch,
        generation,
        iterations,
        factorization: 0.0,
        solves: 0.0,
        update: 0.0,
        step_size: 0.0,
        median: 0.0,
        floor: 0.0,
    };
    // Iterations alternate with the floor (the same factorisation and as
    // many solves as the superposition needs, 2 inputs + 2 outputs, neither
    // refined), so that other work on the machine slows both alike.
    let free = training.problem().solver().free_nodes().len();
    let mut totals = Vec::with_capacity(iterations);
    let mut floors = Vec::with_capacity(iterations);
    let mut floor_factor = training.problem().factorize(training.conductance())?;
    for _ in 0..iterations {
        let t = training.step_timed()?;
        timing.factorization += t.factorization.as_secs_f64();
        timing.solves += t.solves.as_secs_f64();
        timing.update += t.update.as_secs_f64();
        timing.step_size += t.step_size.as_secs_f64();
        totals.push((t.factorization + t.solves + t.update).as_secs_f64());
        let mut rhs = Mat::from_fn(free, 4, |i, j| f64::from(u8::from(i % 4 == j)));
        let start = Instant::now();
        floor_factor.refactorize(training.conductance())?;
        floor_factor.solve_free_in_place(rhs.as_mut());
        std::hint::black_box(&rhs);
        floors.push(start.elapsed().as_secs_f64());
    }
    timing.median = median(&mut totals);
    timing.floor = median(&mut floors);
    Ok(timing)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// One second-order run (`--rule levenberg-marquardt`) to its end: how far
/// it went and how long it took.
#[derive(Debug, Clone, PartialEq)]
pub struct SecondOrderTiming {
    /// Nodes.
    pub nodes: usize,
    /// Edges.
    pub edges: usize,
    /// The task.
    pub task: String,
    /// Iterations run.
    pub iterations: usize,
    /// Wall time of the run (seconds), records included.
    pub seconds: f64,
    /// The last cost over the initial cost.
    pub reached: f64,
    /// Training accuracy of the state the run keeps (classification: the
    /// most accurate record).
    pub accuracy: Option<f64>,
    /// How it stopped: `tolerance`, `stationary` or `iterations`.
    pub stopped: &'static str,
}

impl SecondOrderTiming {
    /// The header of the Markdown table [`row`](Self::row) fills.
    pub const HEADER: &'static str = "| N | E | task | iterations | time (s) | ms per iteration | cost reached (of initial) | accuracy | stopped |\n|---:|---:|---|---:|---:|---:|---|---:|---|";

    /// One Markdown table row.
    pub fn row(&self) -> String {
        format!(
            "| {} | {} | {} | {} | {:.2} | {:.1} | `{:.1e}` | {} | {} |",
            self.nodes,
            self.edges,
            self.task,
            self.iterations,
            self.seconds,
            1e3 * self.seconds / self.iterations.max(1) as f64,
            self.reached,
            self.accuracy
                .map_or("".into(), |a| format!("{:.1} %", 100.0 * a)),
            self.stopped
        )
    }
}

/// One jammed packing's generation, for `imprint bench jammed`.
#[derive(Debug, Clone)]
pub struct JammedTiming {
    /// Disks asked for.
    pub disks: usize,
    /// Jamming protocol.
    pub protocol: u32,
    /// What the generator reports (nodes, contacts, steps).
    pub report: crate::network::jammed::JammingReport,
    /// Wall time (s).
    pub seconds: f64,
}

impl JammedTiming {
    /// The header of the Markdown table [`row`](Self::row) fills.
    pub const HEADER: &'static str = "| disks | protocol | nodes | contacts | Z | compressions | FIRE steps | time (s) |\n|---:|---:|---:|---:|---:|---:|---:|---:|";

    /// One Markdown table row.
    pub fn row(&self) -> String {
        let r = &self.report;
        format!(
            "| {} | {} | {} | {} | {:.4} | {} | {} | {:.2} |",
            self.disks,
            self.protocol,
            r.nodes,
            r.contacts,
            r.mean_coordination,
            r.compressions,
            r.fire_steps,
            self.seconds
        )
    }
}

/// Generates a jammed packing of `disks` disks (default parameters, jamming
/// protocol `protocol`) and times it.
pub fn jammed_timing(
    disks: usize,
    protocol: u32,
) -> Result<JammedTiming, crate::network::NetworkError> {
    let start = Instant::now();
    let (_, report) =
        crate::network::jammed::generate(&crate::network::jammed::JammingParameters {
            nodes: disks,
            protocol,
            ..Default::default()
        })?;
    Ok(JammedTiming {
        disks,
        protocol,
        report,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// The Delaunay network of `nodes` points (seed 1) with conductances
/// uniform in `[0.1, 2]` (seed 1): the large network of the training
/// benchmarks.
pub fn delaunay_network(nodes: usize) -> Result<crate::network::Network, LearningError> {
    let spec = NetworkSpec::Delaunay(crate::network::delaunay::DelaunayParameters {
        nodes,
        seed: 1,
        target_coordination: None,
    });
    let (mut network, _) = generate_timed(&spec)?;
    let k = crate::network::conductance::InitialConductance::Uniform { min: 0.1, max: 2.0 }
        .sample(network.edge_count(), 1)?;
    network.set_conductance(k)?;
    Ok(network)
}

/// Trains `task` (a built-in name, its default options and iterations) on
/// `network` with the second-order trainer from the network's conductances,
/// within `[k_min, k_max]`, to the default tolerance (`1e-20` of the
/// initial cost) or a stationary point, recording every 10 iterations.
pub fn second_order_timing(
    network: &crate::network::Network,
    task: &str,
    [k_min, k_max]: [f64; 2],
) -> Result<SecondOrderTiming, crate::run::RunError> {
    let built = builtin::build(task, network, &builtin::BuiltinOptions::default())?;
    let mut config = RunConfig::for_task(task, 1)?;
    config.training.rule = config
        .training
        .rule
        .with_kind(crate::learning::RuleKind::LevenbergMarquardt);
    (config.training.k_min, config.training.k_max) = (k_min, k_max);
    let start = Instant::now();
    let mut executor = crate::run::Executor::new(network, &built, config.training, 10)?;
    executor.run(&mut ())?;
    let seconds = start.elapsed().as_secs_f64();
    let history = executor.history();
    let last = history.last().expect("the history starts with step 0");
    Ok(SecondOrderTiming {
        nodes: network.node_count(),
        edges: network.edge_count(),
        task: task.to_string(),
        iterations: executor.training().step_count(),
        seconds,
        reached: last.cost / history[0].cost,
        accuracy: executor
            .best()
            .and_then(|b| history.iter().find(|r| r.step == b.step))
            .map_or(last.accuracy, |r| r.accuracy),
        stopped: if executor.training().stationary().is_some() {
            "stationary"
        } else if executor.converged_at().is_some() {
            "tolerance"
        } else {
            "iterations"
        },
    })
}
