//! Free states by superposition (docs/theory.md sections 1 and 3-4): the
//! network is linear, so a sample's free state is `sum_j v_j u_j` over the
//! unit responses of the driven fixed nodes. Checked against one solve per
//! sample on random networks, conductances spanning six decades and random
//! drives: the states, outputs, Coupled Learning and gradient updates and
//! the costs agree to 1e-12.

mod common;

use imprint::io::read_jammed_text;
use imprint::learning::step_size::power_stiffness;
use imprint::learning::{
    builtin, BatchResponse, Cost, LearningRate, Readout, Roles, Rule, Task, TaskCircuit,
};
use imprint::network::Network;
use imprint::random::Rng;

/// Conductances log-uniform over six decades, from `seed`.
fn spread_conductance(net: &mut Network, seed: u64) {
    let mut rng = Rng::new(seed);
    let k = (0..net.edge_count())
        .map(|_| 10f64.powf(rng.uniform_in(-3.0, 3.0)))
        .collect();
    net.set_conductance(k).unwrap();
}

/// A task of `fixed` nodes at random voltages in [-1, 1] V (the first held
/// at 0 V throughout, a ground) read at three nodes, with `samples` samples.
fn random_task(net: &Network, fixed: usize, samples: usize, seed: u64) -> Task {
    let mut rng = Rng::new(seed);
    let nodes = builtin::spread_nodes(net, fixed + 3, &mut rng).unwrap();
    let (held, outputs) = nodes.split_at(fixed);
    let fixed_voltages: Vec<Vec<f64>> = (0..samples)
        .map(|_| {
            (0..fixed)
                .map(|j| {
                    if j == 0 {
                        0.0
                    } else {
                        rng.uniform_in(-1.0, 1.0)
                    }
                })
                .collect()
        })
        .collect();
    let targets = (0..samples)
        .map(|_| (0..3).map(|_| rng.uniform_in(-0.5, 0.5)).collect())
        .collect();
    Task {
        name: "custom".into(),
        fixed_nodes: held.to_vec(),
        fixed_voltages,
        readout: Readout::Node {
            nodes: outputs.to_vec(),
        },
        targets,
        cost: Cost::Mse,
        test_fixed_voltages: Vec::new(),
        test_targets: Vec::new(),
        roles: Roles::default(),
        classification: false,
        physics: imprint::network::Physics::Resistive,
    }
}

/// Largest difference relative to the largest entry of `b`.
fn relative(a: &[f64], b: &[f64]) -> f64 {
    let scale = b.iter().map(|x| x.abs()).fold(0.0, f64::max);
    let diff = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max);
    diff / scale.max(f64::MIN_POSITIVE)
}

/// Checks the two paths agree on `batch`; `solves` is what the superposed
/// path must have solved (one per driven fixed node).
fn check(net: &Network, task: &Task, batch: &[usize], solves: usize, what: &str) {
    let problem = TaskCircuit::new(net, task).unwrap();
    let factor = problem.factorize(net.conductance()).unwrap();
    let superposed = problem.batch_response(&factor, batch).unwrap();
    let direct = BatchResponse {
        free: problem.free_states_per_sample(&factor, batch).unwrap(),
        ..superposed.clone()
    };
    assert_eq!(superposed.free.solves, solves, "{what}");
    assert_eq!(direct.free.solves, batch.len(), "{what}");
    let n = net.node_count();
    let (superposed_states, direct_states) = (superposed.free.states(), direct.free.states());
    let rows = superposed_states.nrows();
    for s in 0..batch.len() {
        let column = |m: &faer::Mat<f64>, range: std::ops::Range<usize>| -> Vec<f64> {
            range.map(|i| m[(i, s)]).collect()
        };
        // Voltages, then the currents of the fixed nodes.
        for range in [0..n, n..rows] {
            let (a, b) = (
                column(&superposed_states, range.clone()),
                column(&direct_states, range.clone()),
            );
            assert!(
                relative(&a, &b) < 1e-12,
                "{what}: sample {s}, rows {range:?}: {:e}",
                relative(&a, &b)
            );
        }
        let d = relative(&superposed.free.outputs[s], &direct.free.outputs[s]);
        assert!(d < 1e-12, "{what}: outputs of sample {s}: {d:e}");
    }
    // The unit responses are refined to CERTIFIED / n_driven, so the
    // superposed states are certified whenever the per-sample ones are.
    let (a, b) = (superposed.free.voltage_error, direct.free.voltage_error);
    assert!(
        a <= 1e-12 || a <= b,
        "{what}: error estimates {a:e} (superposed), {b:e}"
    );
    for rule in [
        Rule::CoupledLearning {
            learning_rate: LearningRate::Constant(1.0),
            nudge: 0.1,
        },
        Rule::GradientDescent {
            learning_rate: LearningRate::Constant(1.0),
        },
    ] {
        let (a, b) = (
            rule.update_at_rate(&problem, &superposed, 1.0),
            rule.update_at_rate(&problem, &direct, 1.0),
        );
        assert!(
            relative(&a, &b) < 1e-12,
            "{what}: {rule:?}: {:e}",
            relative(&a, &b)
        );
        // The stability estimate of `auto` goes through the same small
        // coefficient matrices when superposed.
        let active = vec![true; a.len()];
        let stiffness = |batch: &BatchResponse| {
            power_stiffness(&problem, batch, rule.map_kind().unwrap(), &active, &b).unwrap()
        };
        let (sa, sb) = (stiffness(&superposed), stiffness(&direct));
        assert!(
            ((sa - sb) / sb).abs() < 1e-10,
            "{what}: {rule:?}: lambda_max {sa:e} (superposed), {sb:e}"
        );
    }
    // Drives the task never uses (its grounds at non-zero voltages): the
    // superposition takes every node these drives hold, not the task's.
    let fixed = task.fixed_nodes.len();
    let rows: Vec<Vec<f64>> = (0..8)
        .map(|r| {
            (0..fixed)
                .map(|j| 0.1 * (r + 2 * j) as f64 - 0.35)
                .collect()
        })
        .collect();
    let together = problem.outputs_for(&factor, &rows).unwrap();
    for (r, row) in rows.iter().enumerate() {
        let alone = problem
            .outputs_for(&factor, std::slice::from_ref(row))
            .unwrap();
        let d = relative(&together[r], &alone[0]);
        assert!(d < 1e-12, "{what}: outputs for drive {r}: {d:e}");
    }
    // The cost over every sample (superposed inside `evaluate`).
    let all: Vec<usize> = (0..task.sample_count()).collect();
    let direct_all = problem.free_states_per_sample(&factor, &all).unwrap();
    let (cost, _) = problem.score(&direct_all.outputs, &task.targets);
    let evaluated = problem.evaluate(net.conductance()).unwrap().cost;
    assert!(
        ((evaluated - cost) / cost).abs() < 1e-12,
        "{what}: cost {evaluated} vs {cost}"
    );
}

#[test]
fn superposed_states_updates_and_costs_equal_the_per_sample_ones() {
    // Three jammed packings of ours and the two literature networks.
    let mut networks: Vec<(String, Network)> = (1..=3u64)
        .map(|seed| {
            let net = common::jammed_with_random_conductance(128, seed, seed);
            (format!("jammed 128, seed {seed}"), net)
        })
        .collect();
    for file in [
        "data_N00064_Lp0.0100_r1.txt",
        "data_N00256_Lp0.0100_r101.txt",
    ] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/networks")
            .join(file);
        networks.push((file.to_string(), read_jammed_text(&path, 1.0).unwrap()));
    }
    for (k, (name, mut net)) in networks.into_iter().enumerate() {
        let seed = k as u64 + 1;
        spread_conductance(&mut net, 100 + seed);
        for fixed in [2, 4, 7] {
            let task = random_task(&net, fixed, 40, 10 * seed + fixed as u64);
            let batch: Vec<usize> = (0..30).map(|s| (7 * s + 3) % 40).collect();
            // The first fixed node is a ground: it needs no solve.
            let what = format!("{name}, {fixed} fixed nodes");
            check(&net, &task, &batch, fixed - 1, &what);
        }
        // The built-in tasks (held-out samples, cosine costs, edge read-outs).
        // Regression: two inputs (the ground needs none); classification:
        // four input pairs and four rails, all driven; allostery: one sample,
        // solved directly.
        for (task_name, solves) in [
            ("regression-2x5", 2),
            ("classification-3", 12),
            ("allostery", 1),
        ] {
            let options = builtin::BuiltinOptions {
                seed,
                samples: 40,
                ..Default::default()
            };
            let task = builtin::build(task_name, &net, &options).unwrap();
            let batch: Vec<usize> = (0..task.sample_count().min(30)).collect();
            check(&net, &task, &batch, solves, &format!("{name}, {task_name}"));
        }
    }
}
