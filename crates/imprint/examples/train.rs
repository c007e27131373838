//! Trains a built-in task on a jammed network and prints the cost, the rate
//! and the stability margin `rate * lambda_max` of the update map
//! (docs/theory.md section 4) along the way.
//!
//! `cargo run --release --example train -- TASK RATE|auto NUDGE ITERATIONS [NODES] [SEED]`

use imprint::learning::step_size::update_stiffness;
use imprint::learning::{builtin, LearningRate, Rule, Training, TrainingParameters};
use imprint::network::conductance::InitialConductance;
use imprint::network::jammed::{generate, JammingParameters};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let task_name = &a[1];
    let rate: LearningRate = a[2].parse().unwrap();
    let nudge: f64 = a[3].parse().unwrap();
    let iterations: usize = a[4].parse().unwrap();
    let nodes: usize = a.get(5).map_or(512, |s| s.parse().unwrap());
    let seed: u64 = a.get(6).map_or(1, |s| s.parse().unwrap());
    // a[7]: the auto rate's target rate * lambda_max.
    let (mut net, _) = generate(&JammingParameters {
        nodes,
        seed,
        ..Default::default()
    })
    .unwrap();
    net.set_conductance(
        InitialConductance::default()
            .sample(net.edge_count(), seed)
            .unwrap(),
    )
    .unwrap();
    // a[8]: the task's (and batches') seed, when it differs from the network's.
    let task_seed: u64 = a.get(8).map_or(seed, |s| s.parse().unwrap());
    let options = builtin::BuiltinOptions {
        seed: task_seed,
        ..Default::default()
    };
    let task = builtin::build(task_name, &net, &options).unwrap();
    let rule = Rule::CoupledLearning {
        learning_rate: rate,
        nudge,
    };
    let mut t = Training::new(
        &net,
        &task,
        TrainingParameters {
            rule,
            iterations,
            seed: task_seed,
            k_min: std::env::var("KMIN").map_or(1e-3, |v| v.parse().unwrap()),
            k_max: std::env::var("KMAX").map_or(1e2, |v| v.parse().unwrap()),
            auto_rate: imprint::learning::AutoRate {
                target: a.get(7).map_or(1.0, |s| s.parse().unwrap()),
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .unwrap();
    let e0 = t.evaluate().unwrap();
    println!("initial cost {:.3e}", e0.cost);
    let all: Vec<usize> = (0..task.sample_count()).collect();
    let start = std::time::Instant::now();
    while !t.is_done() {
        t.step().unwrap();
        if t.step_count() % (iterations / 20).max(1) == 0 {
            let e = t.evaluate().unwrap();
            let problem = t.problem();
            let factor = problem.factorize(t.conductance()).unwrap();
            let batch = problem.batch_response(&factor, &all).unwrap();
            let stiffness = update_stiffness(problem, &batch, rule.map_kind().unwrap()).unwrap();
            let rate = t.last_rate().unwrap();
            let p = t.parameters();
            let pinned = t.conductance().iter().filter(|&&k| k <= p.k_min).count();
            let top = t.conductance().iter().filter(|&&k| k >= p.k_max).count();
            println!(
                "{:>6} cost {:.3e} reduced {:.2e} rate {:.3e} rate*lambda_max(all samples) {:.3} at k_min {} at k_max {} acc {:?}",
                t.step_count(),
                e.cost,
                e0.cost / e.cost,
                rate,
                rate * stiffness,
                pinned,
                top,
                e.test_accuracy
            );
        }
    }
    println!(
        "{:.2} ms/iteration",
        start.elapsed().as_secs_f64() * 1e3 / iterations as f64
    );
}
