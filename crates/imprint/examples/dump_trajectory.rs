//! The conductances of consecutive Coupled Learning iterations, for
//! `examples/python/kept_factor_trajectory.py` (docs/benchmarks.md, issue
//! 29 item 2): a jammed network of `NODES` nodes (seed 1), regression-2x2,
//! the default training for `ITERATIONS` iterations; writes `edges.txt`,
//! `constrained.txt` and `k.txt` (per sampled iteration, at powers of two
//! and every 1 000: the iteration, then the conductances before it and
//! after it) into `DIR`.
//!
//! `cargo run --release --example dump_trajectory -- NODES ITERATIONS DIR`
use imprint::learning::{builtin, Training, TrainingParameters};
use imprint::network::conductance::InitialConductance;
use imprint::network::jammed::{generate, JammingParameters};
use std::io::Write;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let nodes: usize = a[1].parse().unwrap();
    let iterations: usize = a[2].parse().unwrap();
    let out = &a[3];
    let (mut net, _) = generate(&JammingParameters {
        nodes,
        seed: 1,
        ..Default::default()
    })
    .unwrap();
    net.set_conductance(
        InitialConductance::default()
            .sample(net.edge_count(), 1)
            .unwrap(),
    )
    .unwrap();
    let task = builtin::build(
        "regression-2x2",
        &net,
        &builtin::BuiltinOptions {
            seed: 1,
            ..Default::default()
        },
    )
    .unwrap();
    let mut t = Training::new(
        &net,
        &task,
        TrainingParameters {
            iterations,
            seed: 1,
            ..Default::default()
        },
    )
    .unwrap();
    let mut f = std::fs::File::create(format!("{out}/edges.txt")).unwrap();
    for e in net.edges() {
        writeln!(f, "{} {}", e[0], e[1]).unwrap();
    }
    let mut f = std::fs::File::create(format!("{out}/constrained.txt")).unwrap();
    for c in t.problem().solver().constrained() {
        writeln!(f, "{c}").unwrap();
    }
    let mut f = std::fs::File::create(format!("{out}/k.txt")).unwrap();
    let mut prev = t.conductance().to_vec();
    while !t.is_done() {
        t.step().unwrap();
        let s = t.step_count();
        if s.is_power_of_two() || s % 1000 == 0 {
            let line: Vec<String> = prev
                .iter()
                .chain(t.conductance())
                .map(|k| format!("{k:e}"))
                .collect();
            writeln!(f, "{s} {}", line.join(" ")).unwrap();
        }
        prev = t.conductance().to_vec();
    }
}
