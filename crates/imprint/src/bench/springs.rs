//! What a spring network costs against the same network of resistors
//! (issue 28 item 7; docs/theory.md section 9): a training iteration and a
//! scalable analysis on one network read both ways, timed alternately so
//! that other work on the machine slows both alike.

use std::time::Instant;

use crate::analysis::{analyze, AnalysisOptions, Boundary, Method};
use crate::learning::{builtin, LearningError, Training};
use crate::network::{Network, Physics};
use crate::run::config::RunConfig;

/// One network as resistors and as springs: medians of a Coupled Learning
/// iteration of allostery, and the time of one scalable analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct PhysicsTiming {
    /// Nodes.
    pub nodes: usize,
    /// Edges.
    pub edges: usize,
    /// Median milliseconds per iteration: resistors, springs.
    pub iteration_ms: [f64; 2],
    /// Medians of its parts (ms): factorisation, solves, update; resistors
    /// then springs.
    pub parts_ms: [[f64; 3]; 2],
    /// Seconds of the scalable analysis (`None` when not asked): resistors,
    /// springs.
    pub analysis_seconds: Option<[f64; 2]>,
}

impl PhysicsTiming {
    /// The header of the Markdown table [`row`](Self::row) fills.
    pub const HEADER: &'static str = "| N | E | iteration, resistors (ms) | iteration, springs (ms) | ratio | factorisation, solves, update: resistors (ms) | the same: springs (ms) | analysis, resistors (s) | analysis, springs (s) | ratio |\n|---:|---:|---:|---:|---:|---|---|---:|---:|---:|";

    /// One Markdown table row.
    pub fn row(&self) -> String {
        let [r, s] = self.iteration_ms;
        let analysis = match self.analysis_seconds {
            Some([ra, sa]) => format!("{ra:.2} | {sa:.2} | {:.2}", sa / ra),
            None => "| |".into(),
        };
        let parts = |p: [f64; 3]| format!("{:.3}, {:.3}, {:.3}", p[0], p[1], p[2]);
        format!(
            "| {} | {} | {r:.3} | {s:.3} | {:.2} | {} | {} | {analysis} |",
            self.nodes,
            self.edges,
            s / r,
            parts(self.parts_ms[0]),
            parts(self.parts_ms[1]),
        )
    }
}

/// Times `network` (resistive; taken as springs too, which must be rigid)
/// on allostery (seed 1): `iterations` Coupled Learning iterations of each,
/// alternating, after a warm-up one (the `auto` rate's estimate included),
/// and, when `analysis`, one scalable analysis of each (chi by 200 random
/// projections, 50 soft modes by Lanczos, stiff modes from the transfer
/// Gram matrix; bordered at the held degrees of freedom).
pub fn physics_timing(
    network: &Network,
    iterations: usize,
    analysis: bool,
) -> Result<PhysicsTiming, LearningError> {
    let springs = crate::physics::rigidity::as_spring(network.clone())?.0;
    let networks = [network.clone().with_physics(Physics::Resistive)?, springs];
    let mut trainings = Vec::with_capacity(2);
    let mut tasks = Vec::with_capacity(2);
    for net in &networks {
        let task = builtin::build("allostery", net, &builtin::BuiltinOptions::default())?;
        let config = RunConfig::for_task("allostery", 1)?;
        let mut training = Training::new(net, &task, config.training)?;
        training.step()?;
        trainings.push(training);
        tasks.push(task);
    }
    // Per physics: total, factorisation, solves, update of each iteration.
    let mut times = [vec![Vec::new(); 4], vec![Vec::new(); 4]];
    for _ in 0..iterations {
        for (training, times) in trainings.iter_mut().zip(&mut times) {
            let t = training.step_timed()?;
            let parts = [t.factorization, t.solves, t.update].map(|d| 1e3 * d.as_secs_f64());
            times[0].push(parts.iter().sum());
            for (k, part) in parts.into_iter().enumerate() {
                times[k + 1].push(part);
            }
        }
    }
    let median = |values: &mut Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let [resistors, springs] = &mut times;
    let iteration_ms = [median(&mut resistors[0]), median(&mut springs[0])];
    let parts_ms =
        [resistors, springs].map(|t| [median(&mut t[1]), median(&mut t[2]), median(&mut t[3])]);
    let analysis_seconds = if analysis {
        let options = AnalysisOptions {
            method: Method::Scalable,
            boundary: Boundary::Held,
            ..Default::default()
        };
        let mut seconds = [0.0; 2];
        for ((net, task), s) in networks.iter().zip(&tasks).zip(&mut seconds) {
            let start = Instant::now();
            analyze(net, task, &options).map_err(|e| LearningError::InvalidParameter {
                field: "analysis",
                reason: e.to_string(),
            })?;
            *s = start.elapsed().as_secs_f64();
        }
        Some(seconds)
    } else {
        None
    };
    Ok(PhysicsTiming {
        nodes: network.node_count(),
        edges: network.edge_count(),
        iteration_ms,
        parts_ms,
        analysis_seconds,
    })
}
