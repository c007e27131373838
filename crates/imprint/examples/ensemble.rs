//! Trains the built-in tasks with their default configuration on an
//! ensemble of networks and prints one line per run (the measurement behind
//! docs/training.md's table; `imprint sweep` is the user-facing way).
//!
//! `cargo run --release --example ensemble -- NODES[,NODES..] NETWORKS SEEDS [TASKS] [FILES..]`
//!
//! Environment: `TARGET` (auto-rate target), `EVERY` (iterations between its
//! estimates), `RATE` (a constant rate instead of `auto`), `ITERATIONS`.

use imprint::learning::{LearningRate, Task};
use imprint::network::jammed::JammingParameters;
use imprint::network::spec::NetworkSpec;
use imprint::network::Network;
use imprint::run::config::{NetworkConfig, RunConfig};
use imprint::run::Executor;
use rayon::prelude::*;

struct Job {
    label: String,
    network: Option<Network>,
    nodes: usize,
    network_seed: u64,
    task: String,
    seed: u64,
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let sizes: Vec<usize> = a[1].split(',').map(|s| s.parse().unwrap()).collect();
    let networks: u64 = a[2].parse().unwrap();
    let seeds: u64 = a[3].parse().unwrap();
    let tasks: Vec<String> = a
        .get(4)
        .map_or(
            "regression-2x2,regression-2x5,classification-3,allostery",
            |s| s,
        )
        .split(',')
        .map(String::from)
        .collect();
    let mut jobs = Vec::new();
    for &nodes in &sizes {
        for network_seed in 1..=networks {
            for task in &tasks {
                for seed in 1..=seeds {
                    jobs.push(Job {
                        label: format!("jammed-{nodes}-{network_seed}"),
                        network: None,
                        nodes,
                        network_seed,
                        task: task.clone(),
                        seed,
                    });
                }
            }
        }
    }
    for file in a.iter().skip(5) {
        let network = imprint::io::read_any_network(std::path::Path::new(file)).unwrap();
        for task in &tasks {
            for seed in 1..=seeds {
                jobs.push(Job {
                    label: std::path::Path::new(file)
                        .file_stem()
                        .unwrap()
                        .to_string_lossy()
                        .into(),
                    network: Some(network.clone()),
                    nodes: network.node_count(),
                    network_seed: seed,
                    task: task.clone(),
                    seed,
                });
            }
        }
    }
    println!("network task seed initial best reduction best_step iterations converged_at test_accuracy rise_after_1e-20 final_rate jump_after_1e-20");
    jobs.par_iter().with_max_len(1).for_each(|job| {
        let line = run(job)
            .unwrap_or_else(|e| format!("{} {} {} error {e}", job.label, job.task, job.seed));
        println!("{line}");
    });
}

fn run(job: &Job) -> Result<String, Box<dyn std::error::Error>> {
    let mut config = RunConfig::for_task(&job.task, job.seed)?;
    config.network = NetworkConfig::generated(NetworkSpec::Jammed(JammingParameters {
        nodes: job.nodes,
        seed: job.network_seed,
        ..JammingParameters::default()
    }));
    if let Ok(target) = std::env::var("TARGET") {
        config.training.auto_rate.target = target.parse()?;
    }
    if let Ok(every) = std::env::var("EVERY") {
        config.training.auto_rate.every = every.parse()?;
    }
    if let Ok(rate) = std::env::var("RATE") {
        config.training.rule = config
            .training
            .rule
            .with_learning_rate(LearningRate::Constant(rate.parse()?))?;
    }
    if let Ok(iterations) = std::env::var("ITERATIONS") {
        config.training.iterations = iterations.parse()?;
    }
    let network = match &job.network {
        Some(network) => {
            let mut network = network.clone();
            config.apply_initial_conductance(&mut network)?;
            network
        }
        None => config.build_network()?,
    };
    let task: Task = config.build_task(&network, None)?;
    let mut executor = Executor::new(
        &network,
        &task,
        config.training.clone(),
        config.output.record_every,
    )?;
    executor.run(&mut ())?;
    let history = executor.history();
    let initial = history[0].cost;
    let (best, best_step) = executor.best().map_or((initial, 0), |b| (b.cost, b.step));
    // The largest rise above the running best after the cost first reached 1e-20 of the initial.
    let mut rise: f64 = 0.0;
    let mut running = f64::INFINITY;
    let mut reached = false;
    // The largest cost after reaching 1e-20, relative to the initial cost.
    let mut jump: f64 = 0.0;
    for r in history {
        running = running.min(r.cost);
        reached |= r.cost <= 1e-20 * initial;
        if reached {
            rise = rise.max(r.cost / running);
            jump = jump.max(r.cost / initial);
        }
    }
    let test_accuracy = match (&executor.best(), history.last()) {
        (Some(b), _) => history
            .iter()
            .find(|r| r.step == b.step)
            .and_then(|r| r.test_accuracy),
        (None, last) => last.and_then(|r| r.test_accuracy),
    };
    Ok(format!(
        "{} {} {} {:.3e} {:.3e} {:.3e} {} {} {} {} {:.3e} {:.3e} {:.3e}",
        job.label,
        job.task,
        job.seed,
        initial,
        best,
        initial / best,
        best_step,
        executor.training().step_count(),
        executor
            .converged_at()
            .map_or("-".into(), |s| s.to_string()),
        test_accuracy.map_or("-".into(), |a| format!("{a:.3}")),
        rise,
        history
            .last()
            .and_then(|r| r.learning_rate)
            .unwrap_or(f64::NAN),
        jump,
    ))
}
