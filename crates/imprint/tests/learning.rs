//! Coupled Learning and the adjoint gradient against independent
//! computations (docs/theory.md sections 3-4): direct clamped solves, finite
//! differences, and the small-nudge limit built from a dense Hessian inverse.

mod common;

use common::relative_distance;
use faer::linalg::solvers::{DenseSolveCore, Solve};
use faer::Mat;
use imprint::learning::coupled_learning::clamped_states;
use imprint::learning::{
    builtin, cost_gradient, coupled_learning_update, LearningRate, Readout, Rule, Task,
    TaskCircuit, Training, TrainingParameters,
};
use imprint::network::jammed::{generate, JammingParameters};
use imprint::network::Network;
use imprint::physics::{physical_hessian_dense, Solver};
use imprint::random::Rng;

/// A small jammed network with varied conductances.
fn network() -> Network {
    let (mut net, _) = generate(&JammingParameters {
        nodes: 64,
        seed: 4,
        ..Default::default()
    })
    .unwrap();
    let mut rng = Rng::new(9);
    let k = (0..net.edge_count())
        .map(|_| rng.uniform_in(0.3, 3.0))
        .collect();
    net.set_conductance(k).unwrap();
    net
}

fn task(net: &Network, name: &str) -> Task {
    let options = builtin::BuiltinOptions {
        samples: 12,
        ..Default::default()
    };
    builtin::build(name, net, &options).unwrap()
}

#[test]
fn clamped_states_from_the_free_factorisation_match_direct_clamped_solves() {
    let net = network();
    let nudge = 0.3;
    // Node read-out: clamp the outputs as extra fixed nodes.
    let task = task(&net, "regression-2x5");
    let problem = TaskCircuit::new(&net, &task).unwrap();
    let factor = problem.factorize(net.conductance()).unwrap();
    let batch = [0, 3, 7];
    let free = problem.free_states(&factor, &batch).unwrap();
    let clamped = clamped_states(&problem, &factor, &batch, nudge).unwrap();
    let Readout::Node { nodes: outputs } = &task.readout else {
        panic!("node read-out")
    };
    let constrained: Vec<usize> = task.fixed_nodes.iter().chain(outputs).copied().collect();
    let direct_solver = Solver::new(&net, &constrained).unwrap();
    let direct_factor = direct_solver.factorize(net.conductance()).unwrap();
    for (b, &s) in batch.iter().enumerate() {
        let y_free = &free.outputs[b];
        let y_clamped: Vec<f64> = y_free
            .iter()
            .zip(&task.targets[s])
            .map(|(y, t)| y + nudge * (t - y))
            .collect();
        let mut drive = vec![0.0; net.node_count() + constrained.len()];
        for (c, v) in task.fixed_voltages[s].iter().chain(&y_clamped).enumerate() {
            drive[net.node_count() + c] = *v;
        }
        let direct = direct_factor.solve_state(&drive).unwrap();
        let ours: Vec<f64> = (0..net.node_count()).map(|i| clamped[(i, b)]).collect();
        let distance = relative_distance(&ours, &direct[..net.node_count()]);
        assert!(distance < 1e-10, "sample {s}: {distance:e}");
    }

    // Edge read-out: a dense bordered solve with the drops as extra constraints.
    let task = task_allostery(&net);
    let problem = TaskCircuit::new(&net, &task).unwrap();
    let factor = problem.factorize(net.conductance()).unwrap();
    let free = problem.free_states(&factor, &[0]).unwrap();
    let clamped = clamped_states(&problem, &factor, &[0], nudge).unwrap();
    let Readout::Edge { edges } = &task.readout else {
        panic!("edge read-out")
    };
    let h = physical_hessian_dense(&net, &task.fixed_nodes).unwrap();
    let (n, c, o) = (h.nrows(), task.fixed_nodes.len(), edges.len());
    let mut extended = Mat::<f64>::zeros(n + o, n + o);
    extended.as_mut().submatrix_mut(0, 0, n, n).copy_from(&h);
    for (t, &[i, j]) in edges.iter().enumerate() {
        for (node, sign) in [(i, 1.0), (j, -1.0)] {
            extended[(node, n + t)] = sign;
            extended[(n + t, node)] = sign;
        }
    }
    let mut rhs = Mat::<f64>::zeros(n + o, 1);
    for (k, v) in task.fixed_voltages[0].iter().enumerate() {
        rhs[(net.node_count() + k, 0)] = *v;
    }
    for t in 0..o {
        rhs[(n + t, 0)] = free.outputs[0][t] + nudge * (task.targets[0][t] - free.outputs[0][t]);
    }
    let direct = extended.partial_piv_lu().solve(&rhs);
    let direct: Vec<f64> = (0..net.node_count()).map(|i| direct[(i, 0)]).collect();
    let ours: Vec<f64> = (0..net.node_count()).map(|i| clamped[(i, 0)]).collect();
    assert!(
        relative_distance(&ours, &direct) < 1e-10,
        "edge read-out: {:e}",
        relative_distance(&ours, &direct)
    );
    let _ = c;
}

fn task_allostery(net: &Network) -> Task {
    builtin::build("allostery", net, &builtin::BuiltinOptions::default()).unwrap()
}

#[test]
fn adjoint_gradient_matches_finite_differences() {
    let net = network();
    for name in ["regression-2x2", "classification-3", "allostery"] {
        let task = if name == "allostery" {
            task_allostery(&net)
        } else {
            task(&net, name)
        };
        let problem = TaskCircuit::new(&net, &task).unwrap();
        let k = net.conductance();
        let factor = problem.factorize(k).unwrap();
        let all: Vec<usize> = (0..task.sample_count()).collect();
        let gradient = cost_gradient(&problem, &factor, &all).unwrap();
        let scale = gradient.iter().fold(0.0f64, |m, g| m.max(g.abs()));
        for edge in (0..net.edge_count()).step_by(7) {
            let fd = common::cost_finite_difference(&problem, k, edge);
            assert!(
                (gradient[edge] - fd).abs() < 1e-6 * scale,
                "{name}, edge {edge}: adjoint {:e}, finite difference {fd:e}",
                gradient[edge]
            );
        }
    }
}

#[test]
fn coupled_learning_tends_to_the_small_nudge_limit_linearly() {
    let net = network();
    let task = task(&net, "regression-2x2");
    let problem = TaskCircuit::new(&net, &task).unwrap();
    let k = net.conductance().to_vec();
    let all: Vec<usize> = (0..task.sample_count()).collect();
    let m = all.len() as f64;
    // The limit (2 alpha / M) sum_mu J_mu^T A (y* - y^F), built independently:
    // J by central differences of the outputs, A from a dense inverse of H.
    let factor = problem.factorize(&k).unwrap();
    let free = problem.free_states(&factor, &all).unwrap();
    let outputs_at = |k: &[f64]| {
        let f = problem.factorize(k).unwrap();
        problem.free_states(&f, &all).unwrap().outputs
    };
    let h_inverse = physical_hessian_dense(&net, &task.fixed_nodes)
        .unwrap()
        .partial_piv_lu()
        .inverse();
    let Readout::Node { nodes: outputs } = &task.readout else {
        panic!()
    };
    let resistance = Mat::from_fn(outputs.len(), outputs.len(), |a, b| {
        h_inverse[(outputs[a], outputs[b])]
    });
    let a = resistance.partial_piv_lu().inverse();
    let alpha = 1.0;
    let mut limit = vec![0.0; net.edge_count()];
    for e in 0..net.edge_count() {
        let step = 1e-6 * k[e];
        let (mut plus, mut minus) = (k.clone(), k.clone());
        plus[e] += step;
        minus[e] -= step;
        let (yp, ym) = (outputs_at(&plus), outputs_at(&minus));
        for s in 0..all.len() {
            let residual: Vec<f64> = task.targets[s]
                .iter()
                .zip(&free.outputs[s])
                .map(|(t, y)| t - y)
                .collect();
            for o in 0..outputs.len() {
                let jacobian = (yp[s][o] - ym[s][o]) / (2.0 * step);
                let a_r: f64 = (0..outputs.len()).map(|p| a[(o, p)] * residual[p]).sum();
                limit[e] += 2.0 * alpha / m * jacobian * a_r;
            }
        }
    }
    let distances: Vec<f64> = [1e-1, 1e-2, 1e-3]
        .iter()
        .map(|&nudge| {
            relative_distance(
                &coupled_learning_update(&problem, &factor, &all, alpha, nudge).unwrap(),
                &limit,
            )
        })
        .collect();
    eprintln!(
        "relative difference from the small-nudge limit at eta = 1e-1, 1e-2, 1e-3: {distances:?}"
    );
    // Linear in eta: each decade of nudge removes a decade of difference.
    for pair in distances.windows(2) {
        let ratio = pair[1] / pair[0];
        assert!((0.07..0.14).contains(&ratio), "differences {distances:?}");
    }
    assert!(distances[2] < 1e-2, "{distances:?}");
}

#[test]
fn batch_updates_are_means_of_single_sample_updates() {
    let net = network();
    let task = task(&net, "regression-2x5");
    let problem = TaskCircuit::new(&net, &task).unwrap();
    let factor = problem.factorize(net.conductance()).unwrap();
    let batch = [1, 4, 5, 9];
    let together = coupled_learning_update(&problem, &factor, &batch, 3.0, 0.2).unwrap();
    let mut mean = vec![0.0; net.edge_count()];
    for &s in &batch {
        for (m, d) in mean
            .iter_mut()
            .zip(coupled_learning_update(&problem, &factor, &[s], 3.0, 0.2).unwrap())
        {
            *m += d / batch.len() as f64;
        }
    }
    assert!(relative_distance(&together, &mean) < 1e-13);
}

#[test]
fn training_clips_reduces_the_cost_and_repeats_itself() {
    let mut net = network();
    let task = task(&net, "regression-2x2");
    let parameters = TrainingParameters {
        rule: Rule::CoupledLearning {
            learning_rate: LearningRate::Constant(100.0),
            nudge: 0.1,
        },
        batch_size: 5,
        iterations: 300,
        k_min: 0.5,
        k_max: 2.0,
        seed: 3,
        ..Default::default()
    };
    // Conductances outside the clip are refused, not clipped unasked
    // (issue 30 item 7), naming how many and how far.
    let error = Training::new(&net, &task, parameters.clone())
        .err()
        .unwrap()
        .to_string();
    assert!(
        error.contains("conductances lie outside the clip [5e-1, 2e0] S"),
        "{error}"
    );
    let inside: Vec<f64> = net
        .conductance()
        .iter()
        .map(|k| k.clamp(0.5, 2.0))
        .collect();
    net.set_conductance(inside).unwrap();
    let run = || {
        let mut training = Training::new(&net, &task, parameters.clone()).unwrap();
        let before = training.evaluate().unwrap().cost;
        while !training.is_done() {
            training.step().unwrap();
            assert!(training
                .conductance()
                .iter()
                .all(|&k| (0.5..=2.0).contains(&k)));
        }
        (
            before,
            training.evaluate().unwrap().cost,
            training.conductance().to_vec(),
        )
    };
    let (before, after, k) = run();
    assert!(after < 0.1 * before, "{before:e} -> {after:e}");
    // The clip is active: some conductances sit on the bounds.
    assert!(k.iter().any(|&k| k == 0.5 || k == 2.0));
    assert_eq!(run().2, k, "same seed, same conductances");
    // Resuming half way ends in the same state.
    let mut first = Training::new(&net, &task, parameters.clone()).unwrap();
    for _ in 0..150 {
        first.step().unwrap();
    }
    let mut second = Training::resume(
        &net,
        &task,
        parameters.clone(),
        150,
        first.conductance().to_vec(),
    )
    .unwrap();
    while !second.is_done() {
        second.step().unwrap();
    }
    assert_eq!(second.conductance(), &k[..]);
}

#[test]
fn invalid_settings_are_named() {
    let net = network();
    let mut task = task(&net, "regression-2x2");
    let bad = TrainingParameters {
        k_min: 2.0,
        k_max: 1.0,
        ..Default::default()
    };
    assert!(Training::new(&net, &task, bad)
        .unwrap_err()
        .to_string()
        .contains("k_min"));
    let bad = TrainingParameters {
        rule: Rule::CoupledLearning {
            learning_rate: LearningRate::Constant(-1.0),
            nudge: 0.1,
        },
        ..Default::default()
    };
    assert!(Training::new(&net, &task, bad)
        .unwrap_err()
        .to_string()
        .contains("learning_rate"));
    assert!(builtin::build("regression-9x9", &net, &Default::default())
        .unwrap_err()
        .to_string()
        .contains("unknown task `regression-9x9`"));
    let Readout::Node { nodes } = &mut task.readout else {
        panic!()
    };
    nodes[0] = task.fixed_nodes[1];
    let message = TaskCircuit::new(&net, &task).unwrap_err().to_string();
    assert!(
        message.contains(&format!(
            "node {} is both fixed and output",
            task.fixed_nodes[1]
        )),
        "{message}"
    );
}

#[test]
fn the_classification_drives_lie_in_a_plane_and_predictions_off_the_samples_use_it() {
    let net = network();
    let task = task(&net, "classification-3");
    // 12 held nodes, driven by two features: +x1, +x1, -x1, -x1, +x2, ...
    let plane = task
        .input_plane()
        .expect("classification-3 drives span a plane");
    assert_eq!(plane.columns, [0, 4]);
    for row in &task.fixed_voltages {
        let drive = plane.drive(row[0], row[4]);
        for (a, b) in drive.iter().zip(row) {
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        }
    }
    // The plane's coefficients by hand: node 2 carries -x1, node 8 the -1 V rail.
    let [a, b, c] = plane.coefficients[2];
    assert!(a.abs() < 1e-12 && (b + 1.0).abs() < 1e-12 && c.abs() < 1e-12);
    assert!((plane.coefficients[8][0] + 1.0).abs() < 1e-12);
    // Outputs for the training drives, given as new drives, match the free states.
    let problem = TaskCircuit::new(&net, &task).unwrap();
    let factor = problem.factorize(net.conductance()).unwrap();
    let all: Vec<usize> = (0..task.sample_count()).collect();
    let expected = problem.free_states(&factor, &all).unwrap().outputs;
    let found = problem.outputs_for(&factor, &task.fixed_voltages).unwrap();
    for (e, f) in expected.iter().zip(&found) {
        assert!(relative_distance(e, f) < 1e-13);
    }
    assert!(problem.outputs_for(&factor, &[vec![0.0; 3]]).is_err());
    // A one-input task is no plane.
    assert!(task_allostery(&net).input_plane().is_none());
}

/// Drops read around a closed loop sum to zero, so the outputs' resistance
/// matrix `P H^-1 P^T` is singular and no clamp exists: training refuses
/// with the read-out named (a pivoted LU used to return infinities).
#[test]
fn a_read_out_around_a_loop_is_refused() {
    let net = imprint::network::lattice::square(4, 4, false).unwrap();
    // Nodes r * 4 + c; the square 5-6-10-9, read head to tail.
    let task = Task {
        name: "custom".into(),
        fixed_nodes: vec![0, 15],
        fixed_voltages: vec![vec![0.0, 1.0], vec![0.0, 0.5], vec![0.0, -1.0]],
        readout: Readout::Edge {
            edges: vec![[5, 6], [6, 10], [10, 9], [9, 5]],
        },
        targets: vec![vec![0.0; 4]; 3],
        cost: imprint::learning::Cost::Mse,
        test_fixed_voltages: Vec::new(),
        test_targets: Vec::new(),
        roles: Default::default(),
        classification: false,
        physics: imprint::network::Physics::Resistive,
    };
    let problem = TaskCircuit::new(&net, &task).unwrap();
    let factor = problem.factorize(net.conductance()).unwrap();
    let error = problem.batch_response(&factor, &[0, 1, 2]).unwrap_err();
    assert!(
        error.to_string().contains("readout")
            && error.to_string().contains("not positive definite"),
        "{error}"
    );
}

#[test]
fn momentum_is_each_edges_own_memory_and_resumes_exactly() {
    use imprint::run::Executor;
    let net = network();
    let task = builtin::build(
        "regression-2x2",
        &net,
        &builtin::BuiltinOptions {
            samples: 20,
            ..Default::default()
        },
    )
    .unwrap();
    let plain = TrainingParameters {
        rule: Rule::CoupledLearning {
            learning_rate: LearningRate::Constant(5.0),
            nudge: 0.1,
        },
        batch_size: 5,
        iterations: 40,
        ..TrainingParameters::default()
    };
    let heavy = TrainingParameters {
        momentum: 0.8,
        ..plain.clone()
    };
    // One step: no memory yet, the same move as the plain rule.
    let (mut a, mut b) = (
        Training::new(&net, &task, plain.clone()).unwrap(),
        Training::new(&net, &task, heavy.clone()).unwrap(),
    );
    a.step().unwrap();
    b.step().unwrap();
    assert_eq!(a.conductance(), b.conductance());
    // The second step adds beta times each edge's own last move where the
    // update keeps its sign, and restarts the edge where it turns.
    let before: Vec<f64> = b.conductance().to_vec();
    let first_move: Vec<f64> = b.velocity().unwrap().to_vec();
    let mut c = Training::resume(&net, &task, plain.clone(), 1, before.clone()).unwrap();
    c.step().unwrap();
    b.step().unwrap();
    for e in 0..before.len() {
        let delta = c.conductance()[e] - before[e];
        let expected = if first_move[e] * delta > 0.0 {
            delta + 0.8 * first_move[e]
        } else {
            delta
        };
        let moved = b.conductance()[e] - before[e];
        let clipped = b.conductance()[e] == heavy.k_min || b.conductance()[e] == heavy.k_max;
        assert!(
            // Differences of conductances near 1: a few ulps of k.
            clipped || (moved - expected).abs() <= 8.0 * f64::EPSILON * before[e].abs().max(1.0),
            "edge {e}: {moved} vs {expected}"
        );
    }
    // Interrupted and resumed from a checkpoint: the same bits.
    let mut whole = Executor::new(&net, &task, heavy.clone(), 10).unwrap();
    whole.run(&mut ()).unwrap();
    let mut first = Executor::new(&net, &task, heavy.clone(), 10)
        .unwrap()
        .stop_after(Some(17));
    first.run(&mut ()).unwrap();
    let checkpoint = first.to_checkpoint();
    assert!(checkpoint.velocity.is_some());
    let checkpoint: imprint::run::Checkpoint =
        serde_json::from_str(&serde_json::to_string(&checkpoint).unwrap()).unwrap();
    // A velocity of the wrong length is refused, naming it.
    let mut short = checkpoint.clone();
    short.velocity.as_mut().unwrap().pop();
    let error = Executor::resume(&net, &task, heavy.clone(), 10, short)
        .err()
        .expect("refused");
    assert!(error.to_string().contains("checkpoint.velocity"), "{error}");
    let mut resumed = Executor::resume(&net, &task, heavy.clone(), 10, checkpoint).unwrap();
    resumed.run(&mut ()).unwrap();
    assert_eq!(
        resumed.training().conductance(),
        whole.training().conductance()
    );
    // Momentum outside [0, 1) is refused.
    let bad = TrainingParameters {
        momentum: 1.0,
        ..plain
    };
    assert!(Training::new(&net, &task, bad).is_err());
}
