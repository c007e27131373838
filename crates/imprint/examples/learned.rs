//! How often runs learn their task: the reproduction's four task runs on
//! the paper's 300-disk cluster (the network, initial conductances, clip
//! and iterations `imprint reproduce` uses) for seeds `1..=SEEDS`, trained
//! with one rule. One line per run, then the rate of learned runs per task
//! with its 95 % Wilson interval (the measurement behind docs/training.md;
//! `imprint sweep` is the user-facing way).
//!
//! `cargo run --release --example learned -- RULE SEEDS [TASKS] [NETWORK_FILES..]`
//!
//! `RULE`: coupled-learning, gradient-descent or levenberg-marquardt.
//! Environment: `MOMENTUM` (the first-order rules' per-edge momentum),
//! `BATCH` (samples per iteration), `CLIP` (the clip `[1/CLIP, CLIP]`),
//! `DUMP` (a folder: each run's history, recorded every iteration, its kept
//! network and configuration), `PERTURB=SPREAD,STREAM` (start from the
//! initial conductances times `exp(u)`, `u` uniform in `[-SPREAD, SPREAD]`
//! from stream `STREAM` of the task seed: one more path by hand).
//! "Learned" (issue 26): regression and allostery at most `1e-20` of the
//! initial cost for the second-order rule and `1e-8` for the others;
//! classification 100 % training accuracy. Network files, when given,
//! replace the cluster (each trained on every task and seed, its own
//! conductances kept, the clip `[1e-6, 1e6]`).

use std::path::{Path, PathBuf};
use std::time::Instant;

use imprint::learning::RuleKind;
use imprint::paper::{Conditions, Scale, TASKS};
use imprint::run::{Executor, RunStart};
use imprint::sweep::{wilson, Z_95};
use rayon::prelude::*;

struct Line {
    task: String,
    learned: bool,
    text: String,
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let rule: RuleKind = a[1].parse().unwrap();
    let seeds: u64 = a[2].parse().unwrap();
    let tasks: Vec<String> = a
        .get(3)
        .map_or(TASKS.map(|(name, _)| name).join(","), |s| s.clone())
        .split(',')
        .map(String::from)
        .collect();
    let files: Vec<PathBuf> = a.iter().skip(4).map(PathBuf::from).collect();
    let scale = Scale::new(false, Conditions::Cluster);
    let folder = std::env::temp_dir().join(format!("imprint-learned-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let mut jobs = Vec::new();
    for seed in 1..=seeds {
        let networks: Vec<(String, PathBuf)> = if files.is_empty() {
            let path = folder.join(format!("cluster-{seed}.json"));
            let start = RunStart::from_config(scale.network_config(seed).unwrap()).unwrap();
            imprint::io::write_network(&path, &start.initial).unwrap();
            vec![("cluster".into(), path)]
        } else {
            files
                .iter()
                .map(|f| (f.file_stem().unwrap().to_string_lossy().into(), f.clone()))
                .collect()
        };
        for (label, path) in networks {
            for task in &tasks {
                jobs.push((label.clone(), path.clone(), task.clone(), seed));
            }
        }
    }
    let lines: Vec<Line> = jobs
        .par_iter()
        .map(|(label, path, task, seed)| run(label, path, task, *seed, rule, !files.is_empty()))
        .collect();
    for line in &lines {
        println!("{}", line.text);
    }
    println!("\nrule {rule}, seeds 1-{seeds}");
    for task in &tasks {
        let runs: Vec<&Line> = lines.iter().filter(|l| &l.task == task).collect();
        let held = runs.iter().filter(|l| l.learned).count();
        let [lo, hi] = wilson(held, runs.len(), Z_95);
        println!(
            "{task:18} learned {held:3} / {:3}  ({:5.1} %, 95 % interval {:5.1}-{:5.1} %)",
            runs.len(),
            100.0 * held as f64 / runs.len() as f64,
            100.0 * lo,
            100.0 * hi
        );
    }
    std::fs::remove_dir_all(&folder).ok();
}

fn run(label: &str, path: &Path, task: &str, seed: u64, rule: RuleKind, file: bool) -> Line {
    let scale = Scale::new(false, Conditions::Cluster);
    let mut config = scale.run_config(task, seed, path, None).unwrap();
    if file {
        config.network.conductance = None;
    }
    config.training.rule = config.training.rule.with_kind(rule);
    if let Ok(clip) = std::env::var("CLIP") {
        let bound: f64 = clip.parse().unwrap();
        (config.training.k_min, config.training.k_max) = (1.0 / bound, bound);
    }
    if let Ok(batch) = std::env::var("BATCH") {
        config.training.batch_size = batch.parse().unwrap();
    }
    if let Ok(momentum) = std::env::var("MOMENTUM") {
        config.training.momentum = momentum.parse().unwrap();
    }
    let threshold = if rule == RuleKind::LevenbergMarquardt {
        1e-20
    } else {
        1e-8
    };
    let mut start = RunStart::from_config(config.clone()).unwrap();
    if let Ok(spec) = std::env::var("PERTURB") {
        let (sigma, s) = spec.split_once(',').unwrap();
        let sigma: f64 = sigma.parse().unwrap();
        let mut rng = imprint::random::Rng::derive(seed, s.parse::<u64>().unwrap());
        let k: Vec<f64> = start
            .initial
            .conductance()
            .iter()
            .map(|&k| k * (sigma * rng.uniform_in(-1.0, 1.0)).exp())
            .collect();
        start.initial.set_conductance(k).unwrap();
    }
    let clock = Instant::now();
    let mut executor = Executor::new(
        &start.initial,
        &start.task,
        config.training.clone(),
        if std::env::var("DUMP").is_ok() {
            1
        } else {
            config.output.record_every
        },
    )
    .unwrap();
    executor.run(&mut ()).unwrap();
    let seconds = clock.elapsed().as_secs_f64();
    let history = executor.history();
    let initial = history[0].cost;
    let best = executor.best().map_or(initial, |b| b.cost);
    let accuracy = executor
        .best()
        .and_then(|b| history.iter().find(|r| r.step == b.step))
        .and_then(|r| r.accuracy);
    let learned = if start.task.classification {
        accuracy == Some(1.0)
    } else {
        best <= threshold * initial
    };
    let stationary = executor.training().stationary().map_or(String::new(), |s| {
        format!(
            " stationary (k_min {}, k_max {}, free gradient {:.1e})",
            s.at_k_min.len(),
            s.at_k_max.len(),
            s.free_gradient
        )
    });
    if let Ok(dump) = std::env::var("DUMP") {
        let text = imprint::run::history_csv(executor.history(), false);
        std::fs::write(format!("{dump}/{task}-{seed}.csv"), text).unwrap();
        imprint::io::write_network(
            Path::new(&format!("{dump}/{task}-{seed}.json")),
            &executor.kept_network(),
        )
        .unwrap();
        let config_text = toml::to_string(&config).unwrap();
        std::fs::write(format!("{dump}/{task}-{seed}.toml"), config_text).unwrap();
    }
    // How far the kept state's voltages may be off, and the conductances' span.
    let summary = imprint::run::TrainingSummary::of(&executor, &start.task, seed).unwrap();
    let k = executor.kept_network().conductance().to_vec();
    let span =
        k.iter().cloned().fold(0.0, f64::max) / k.iter().cloned().fold(f64::INFINITY, f64::min);
    let stationary = format!(
        "{stationary} voltage error {:.1e} span {span:.1e}",
        summary.voltage_error
    );
    Line {
        task: task.into(),
        learned,
        text: format!(
            "{label} seed {seed:3} {task:18} cost {initial:.3e} -> {best:.3e} ({:.1e}) accuracy {} iterations {:6} {seconds:7.2} s {}{stationary}",
            best / initial,
            accuracy.map_or("-".into(), |a| format!("{:.1} %", 100.0 * a)),
            executor.training().step_count(),
            if learned { "learned" } else { "NOT LEARNED" },
        ),
    }
}
