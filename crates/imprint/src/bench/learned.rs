//! Time to a learned network (issue 29 item 5): the wall time a run takes
//! until it has learned its task by the learned-runs criterion
//! ([`crate::run::learned`]: cost at most [`LEARNED_RELATIVE_COST`] of the
//! initial, or every training sample classified), for Coupled Learning and
//! the second-order trainer side by side.

use std::ops::ControlFlow;
use std::path::Path;
use std::time::Instant;

use crate::learning::RuleKind;
use crate::network::Network;
use crate::paper::{Conditions, Scale, TASKS};
use crate::run::config::{NetworkConfig, RunConfig};
use crate::run::LEARNED_RELATIVE_COST;
use crate::run::{learned, Executor, HistoryRecord, Observer, RunError, RunStart};

/// Iterations between the evaluations that check whether a run has learned
/// (each is one evaluation of every sample, a few percent of the run).
pub const CHECK_EVERY: usize = 10;

/// One run's time to learned.
#[derive(Debug, Clone, PartialEq)]
pub struct LearnedTiming {
    /// Which network (`cluster seed 1`, `Delaunay 100000`).
    pub network: String,
    /// Nodes and edges.
    pub nodes: usize,
    /// Edges.
    pub edges: usize,
    /// The built-in task.
    pub task: String,
    /// The rule trained with.
    pub rule: RuleKind,
    /// Whether it learned (within its iterations and the time limit).
    pub learned: bool,
    /// Iterations done (to learned, or all it ran).
    pub iterations: usize,
    /// Wall time (to learned, or all it ran), seconds, checks included.
    pub seconds: f64,
    /// Why it stopped short, when it did: `time limit`, `iterations`,
    /// `stationary`.
    pub short: Option<&'static str>,
}

impl LearnedTiming {
    /// The header of the Markdown table [`row`](Self::row) fills.
    pub const HEADER: &'static str = "| network | N | task | rule | learned | iterations | wall time (s) |\n|---|---:|---|---|---|---:|---:|";

    /// One Markdown table row.
    pub fn row(&self) -> String {
        format!(
            "| {} | {} | {} | {} | {} | {} | {:.2} |",
            self.network,
            self.nodes,
            self.task,
            self.rule,
            match self.short {
                None => "yes".to_string(),
                Some(why) => format!("no ({why})"),
            },
            self.iterations,
            self.seconds
        )
    }
}

/// Stops a run once it has learned, or at the time limit.
struct UntilLearned {
    initial: Option<HistoryRecord>,
    start: Instant,
    max_seconds: f64,
    learned: bool,
    out_of_time: bool,
}

impl Observer for UntilLearned {
    fn started(&mut self, _step: usize, last: &HistoryRecord) {
        self.initial.get_or_insert(*last);
    }

    fn recorded(&mut self, record: &HistoryRecord, _conductance: &[f64]) -> ControlFlow<()> {
        let initial = self.initial.expect("started before any record").cost;
        self.learned = learned(initial, record.cost, record.accuracy);
        self.out_of_time = self.start.elapsed().as_secs_f64() > self.max_seconds;
        if self.learned || self.out_of_time {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

/// Trains the run `config` describes with `rule` until it has learned, its
/// iterations are done, it is stationary, or `max_seconds` have passed,
/// checking every [`CHECK_EVERY`] iterations (the second-order trainer
/// also stops at the learned cost itself, and records every change of a
/// classification's accuracy).
pub fn time_to_learned(
    label: &str,
    mut config: RunConfig,
    rule: RuleKind,
    max_seconds: f64,
) -> Result<LearnedTiming, RunError> {
    config.training.rule = config.training.rule.with_kind(rule);
    if rule == RuleKind::LevenbergMarquardt {
        config.training.stop.relative_cost = LEARNED_RELATIVE_COST;
    }
    let task = config.task.name.clone();
    let start = RunStart::from_config(config.clone())?;
    let clock = Instant::now();
    let mut executor = Executor::new(&start.initial, &start.task, config.training, CHECK_EVERY)?;
    let mut observer = UntilLearned {
        initial: None,
        start: clock,
        max_seconds,
        learned: false,
        out_of_time: false,
    };
    executor.run(&mut observer)?;
    let seconds = clock.elapsed().as_secs_f64();
    let last = *executor
        .history()
        .last()
        .expect("the history starts with step 0");
    let learned = observer.learned || learned(executor.history()[0].cost, last.cost, last.accuracy);
    let short = (!learned).then_some(if observer.out_of_time {
        "time limit"
    } else if executor.training().stationary().is_some() {
        "stationary"
    } else {
        "iterations"
    });
    Ok(LearnedTiming {
        network: label.to_string(),
        nodes: start.initial.node_count(),
        edges: start.initial.edge_count(),
        task,
        rule,
        learned,
        iterations: executor.training().step_count(),
        seconds,
        short,
    })
}

/// The four task runs of the reproduction on the paper's cluster of
/// `seed` (its network, initial conductances, clip and iterations), each
/// with Coupled Learning and the second-order trainer. The cluster is
/// written to `folder` (the runs read it as the reproduction's do). Each
/// row goes to `done` as it is measured.
pub fn cluster_times(
    seed: u64,
    folder: &Path,
    max_seconds: f64,
    done: &mut dyn FnMut(&LearnedTiming),
) -> Result<Vec<LearnedTiming>, RunError> {
    let scale = Scale::new(false, Conditions::Cluster);
    let path = folder.join(format!("cluster-{seed}.json"));
    let network = RunStart::from_config(scale.network_config(seed)?)?.initial;
    crate::io::write_network(&path, &network)?;
    let mut rows = Vec::new();
    for (task, _) in TASKS {
        for rule in [RuleKind::CoupledLearning, RuleKind::LevenbergMarquardt] {
            let config = scale.run_config(task, seed, &path, None)?;
            let label = format!("cluster seed {seed}");
            rows.push(time_to_learned(&label, config, rule, max_seconds)?);
            done(rows.last().expect("just pushed"));
        }
    }
    Ok(rows)
}

/// The four built-in tasks on `network` (its own conductances, the
/// defaults of every task otherwise), written to `folder` as `label.json`,
/// each with Coupled Learning and the second-order trainer; each row goes
/// to `done` as it is measured.
pub fn network_times(
    label: &str,
    network: &Network,
    folder: &Path,
    max_seconds: f64,
    done: &mut dyn FnMut(&LearnedTiming),
) -> Result<Vec<LearnedTiming>, RunError> {
    let path = folder.join(format!("{}.json", label.replace(' ', "-")));
    crate::io::write_network(&path, network)?;
    let mut rows = Vec::new();
    for (task, _) in TASKS {
        for rule in [RuleKind::CoupledLearning, RuleKind::LevenbergMarquardt] {
            let mut config = RunConfig::for_task(task, 1)?;
            config.network = NetworkConfig::file(&path, 1);
            rows.push(time_to_learned(label, config, rule, max_seconds)?);
            done(rows.last().expect("just pushed"));
        }
    }
    Ok(rows)
}
