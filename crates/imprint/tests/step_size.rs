//! The `auto` learning rate (docs/theory.md section 4): the stiffness of the
//! linearised update map against the dense eigenvalues of a finite-difference
//! Jacobian of the rule itself, and the behaviour it buys; the executor's
//! best state, stop rule and `keep`.

mod common;

use faer::Mat;
use imprint::learning::step_size::{power_stiffness, update_stiffness, MapKind};
use imprint::learning::{
    builtin, AutoRate, Cost, Keep, LearningRate, Readout, Roles, Rule, StopRule, Task, TaskCircuit,
    Training, TrainingParameters,
};
use imprint::network::Network;
use imprint::run::{Executor, Outcome};

/// A task whose targets are the network's own outputs: the network sits at
/// a zero-cost minimum, where the update map is exactly linearised by `K`.
fn at_minimum(net: &Network, name: &str) -> Task {
    let options = builtin::BuiltinOptions {
        samples: 6,
        ..Default::default()
    };
    let mut task = builtin::build(name, net, &options).unwrap();
    let problem = TaskCircuit::new(net, &task).unwrap();
    let (_, outputs) = problem.evaluate_with_outputs(net.conductance()).unwrap();
    task.targets = outputs;
    task
}

/// The largest eigenvalue modulus of `-(d update / dk)` at unit rate, by
/// central differences of the rule's update.
fn dense_stiffness(net: &Network, task: &Task, rule: Rule) -> f64 {
    let problem = TaskCircuit::new(net, task).unwrap();
    let samples: Vec<usize> = (0..task.sample_count()).collect();
    let k0 = net.conductance().to_vec();
    let update = |k: &[f64]| {
        let factor = problem.factorize(k).unwrap();
        let batch = problem.batch_response(&factor, &samples).unwrap();
        rule.update_at_rate(&problem, &batch, 1.0)
    };
    let e = k0.len();
    let mut jacobian = Mat::<f64>::zeros(e, e);
    for f in 0..e {
        let h = 1e-6 * k0[f];
        let (mut plus, mut minus) = (k0.clone(), k0.clone());
        plus[f] += h;
        minus[f] -= h;
        let (up, down) = (update(&plus), update(&minus));
        for row in 0..e {
            jacobian[(row, f)] = -(up[row] - down[row]) / (2.0 * h);
        }
    }
    jacobian
        .eigenvalues()
        .unwrap()
        .iter()
        .map(|z| z.re.hypot(z.im))
        .fold(0.0, f64::max)
}

/// The exact estimate, and the power iteration training uses (from a
/// start vector of ones, with every edge active).
fn estimate(net: &Network, task: &Task, kind: MapKind) -> (f64, f64) {
    let problem = TaskCircuit::new(net, task).unwrap();
    let factor = problem.factorize(net.conductance()).unwrap();
    let samples: Vec<usize> = (0..task.sample_count()).collect();
    let batch = problem.batch_response(&factor, &samples).unwrap();
    let e = net.edge_count();
    (
        update_stiffness(&problem, &batch, kind).unwrap(),
        power_stiffness(&problem, &batch, kind, &vec![true; e], &vec![1.0; e]).unwrap(),
    )
}

#[test]
fn stiffness_is_the_largest_eigenvalue_of_the_finite_difference_map() {
    let net = common::jammed_with_random_conductance(40, 3, 5);
    for name in ["regression-2x2", "regression-2x5", "allostery"] {
        let task = at_minimum(&net, name);
        // Coupled Learning at a small nudge (the linearisation is the
        // eta -> 0 limit), and gradient descent (exact).
        let cl = Rule::CoupledLearning {
            learning_rate: LearningRate::Constant(1.0),
            nudge: 1e-4,
        };
        let gd = Rule::GradientDescent {
            learning_rate: LearningRate::Constant(1.0),
        };
        for (rule, kind, tolerance) in [
            (cl, MapKind::CoupledLearning, 1e-3),
            (gd, MapKind::GradientDescent, 1e-5),
        ] {
            let dense = dense_stiffness(&net, &task, rule);
            let (ours, power) = estimate(&net, &task, kind);
            assert!(
                (ours - dense).abs() < tolerance * dense,
                "{name}, {kind:?}: {ours:e} vs finite differences {dense:e}"
            );
            // Power iteration approaches it from below.
            assert!(
                power <= ours * (1.0 + 1e-12) && power > 0.98 * ours,
                "{name}, {kind:?}: power iteration {power:e} vs exact {ours:e}"
            );
        }
    }
}

#[test]
fn classification_stiffness_matches_finite_differences_at_a_cosine_minimum() {
    let net = common::jammed_with_random_conductance(40, 3, 5);
    let task = at_minimum(&net, "classification-3");
    let cl = Rule::CoupledLearning {
        learning_rate: LearningRate::Constant(1.0),
        nudge: 1e-5,
    };
    let dense = dense_stiffness(&net, &task, cl);
    let (ours, _) = estimate(&net, &task, MapKind::CoupledLearning);
    assert!(
        (ours - dense).abs() < 1e-3 * dense,
        "{ours:e} vs finite differences {dense:e}"
    );
}

/// A divider: node 0 held at 1 V, node 2 at 0 V, output node 1 trained to
/// 0.25 V. The minima are `k2 = 3 k1`; with `k_max = 3` the flattest one is
/// `(1, 3)`, and every other one is stiffer, so a rate unstable there is
/// unstable at all of them (a network cannot escape to a flatter minimum).
fn divider() -> (Network, Task, Network) {
    let net = common::circuit(3, &[[0, 1], [1, 2]], &[1.0, 1.0]);
    let task = Task {
        name: "divider".into(),
        fixed_nodes: vec![0, 2],
        fixed_voltages: vec![vec![1.0, 0.0]],
        readout: Readout::Node { nodes: vec![1] },
        targets: vec![vec![0.25]],
        cost: Cost::Mse,
        test_fixed_voltages: Vec::new(),
        test_targets: Vec::new(),
        roles: Roles {
            grounds: vec![2],
            inputs: vec![0],
            outputs: vec![1],
        },
        classification: false,
        physics: imprint::network::Physics::Resistive,
    };
    let minimum = common::circuit(3, &[[0, 1], [1, 2]], &[1.0, 3.0]);
    (net, task, minimum)
}

/// Trains 300 iterations; returns the initial cost, the final cost and the
/// largest cost among the last 50 iterations.
fn train(net: &Network, task: &Task, rate: LearningRate) -> (f64, f64, f64) {
    let parameters = TrainingParameters {
        rule: Rule::CoupledLearning {
            learning_rate: rate,
            nudge: 1e-3,
        },
        batch_size: 1,
        iterations: 300,
        k_min: 1e-3,
        k_max: 3.0,
        ..Default::default()
    };
    let mut training = Training::new(net, task, parameters).unwrap();
    let initial = training.evaluate().unwrap().cost;
    let (mut last, mut late) = (initial, 0.0_f64);
    while !training.is_done() {
        training.step().unwrap();
        last = training.evaluate().unwrap().cost;
        if training.step_count() > 250 {
            late = late.max(last);
        }
    }
    (initial, last, late)
}

#[test]
fn a_constant_rate_past_the_stability_limit_oscillates_where_auto_converges() {
    let (net, task, minimum) = divider();
    let (flattest, _) = estimate(&minimum, &task, MapKind::CoupledLearning);
    // rate * lambda_max = 3 at the flattest minimum, more at the others.
    let (initial, _, late) = train(&net, &task, LearningRate::Constant(3.0 / flattest));
    assert!(
        late > 1e-4 * initial,
        "the unstable constant rate settled: {initial:e} -> {late:e}"
    );
    let (_, auto, late) = train(&net, &task, LearningRate::Auto);
    assert!(
        auto < 1e-25 * initial && late < 1e-20 * initial,
        "auto: {initial:e} -> {auto:e}"
    );
    // Below the limit the constant rate converges too.
    let (_, stable, _) = train(&net, &task, LearningRate::Constant(1.0 / flattest));
    assert!(stable < 1e-25 * initial, "stable constant: {stable:e}");
}

fn executor(rate: LearningRate, keep: Keep, stop: StopRule) -> Executor {
    let (net, task, _) = divider();
    let parameters = TrainingParameters {
        rule: Rule::CoupledLearning {
            learning_rate: rate,
            nudge: 1e-3,
        },
        batch_size: 1,
        iterations: 300,
        k_min: 1e-3,
        k_max: 3.0,
        keep,
        stop,
        ..Default::default()
    };
    Executor::new(&net, &task, parameters, 1).unwrap()
}

const NEVER: StopRule = StopRule {
    relative_cost: 0.0,
    patience: 0,
};

#[test]
fn the_best_state_is_kept_unless_asked_for_the_last() {
    let (net, task, minimum) = divider();
    let (flattest, _) = estimate(&minimum, &task, MapKind::CoupledLearning);
    let oscillating = LearningRate::Constant(3.0 / flattest);
    let mut run = executor(oscillating, Keep::Best, NEVER);
    assert_eq!(run.run(&mut ()).unwrap(), Outcome::Finished);
    let history = run.history();
    let lowest = history
        .iter()
        .min_by(|a, b| a.cost.total_cmp(&b.cost))
        .unwrap();
    let best = run.best().unwrap();
    assert_eq!((best.step, best.cost), (lowest.step, lowest.cost));
    assert!(
        best.cost < 0.5 * history.last().unwrap().cost,
        "an oscillating run ends above its best"
    );
    // The kept network is the best one, and evaluates to its cost.
    let problem = TaskCircuit::new(&net, &task).unwrap();
    let kept = run.kept_network();
    assert_eq!(kept.conductance(), &best.conductance[..]);
    assert_eq!(
        problem.evaluate(kept.conductance()).unwrap().cost,
        best.cost
    );
    // Keep::Last keeps the last.
    let mut last = executor(oscillating, Keep::Last, NEVER);
    last.run(&mut ()).unwrap();
    assert_eq!(
        last.kept_network().conductance(),
        last.network().conductance()
    );
    assert_eq!(last.network().conductance(), run.network().conductance());
}

#[test]
fn the_stop_rule_ends_a_converged_run_after_its_patience() {
    let stop = StopRule {
        relative_cost: 1e-20,
        patience: 25,
    };
    let mut run = executor(LearningRate::Auto, Keep::Best, stop);
    let Outcome::Converged { step } = run.run(&mut ()).unwrap() else {
        panic!("the divider converges under auto")
    };
    assert!(step < 300);
    let history = run.history();
    let threshold = 1e-20 * history[0].cost;
    // Every record of the last 25 iterations lies below the threshold, and
    // the one before that stretch does not.
    let stretch: Vec<_> = history.iter().filter(|r| r.step + 25 >= step).collect();
    assert!(stretch.iter().all(|r| r.cost <= threshold));
    let before = history.iter().rev().find(|r| r.cost > threshold).unwrap();
    assert_eq!(before.step + 26, step);
    assert_eq!(run.converged_at(), Some(step));
    // A run that never reaches the threshold runs every iteration.
    let (_, task, minimum) = divider();
    let (flattest, _) = estimate(&minimum, &task, MapKind::CoupledLearning);
    let mut oscillating = executor(LearningRate::Constant(3.0 / flattest), Keep::Best, stop);
    assert_eq!(oscillating.run(&mut ()).unwrap(), Outcome::Finished);
    // The rate and its estimate are in the history.
    let record = run.history().last().unwrap();
    let (rate, stiffness) = (record.learning_rate.unwrap(), record.stiffness.unwrap());
    assert!((rate * stiffness - AutoRate::default().target).abs() < 1e-12);
}

#[test]
fn a_network_held_at_its_bounds_and_pushed_outward_stays_there() {
    // The divider at k1 = k_max, k2 = k_min with a target above its output:
    // the rule pushes k1 up and k2 down, both beyond their bounds.
    let (_, mut task, _) = divider();
    task.targets = vec![vec![0.9]];
    let net = common::circuit(3, &[[0, 1], [1, 2]], &[2.0, 1.0]);
    let parameters = TrainingParameters {
        rule: Rule::CoupledLearning {
            learning_rate: LearningRate::Auto,
            nudge: 1e-3,
        },
        batch_size: 1,
        iterations: 5,
        k_min: 1.0,
        k_max: 2.0,
        ..Default::default()
    };
    let mut training = Training::new(&net, &task, parameters).unwrap();
    while !training.is_done() {
        training.step().unwrap();
    }
    assert_eq!(training.conductance(), &[2.0, 1.0]);
    assert_eq!(training.last_rate(), Some(0.0));
}

#[test]
fn one_step_size_decides_every_rate() {
    use imprint::learning::step_size::{trust_rate, StepSize};
    let net = imprint::network::lattice::square(5, 5, true).unwrap();
    let task = builtin::build("regression-2x2", &net, &builtin::BuiltinOptions::default()).unwrap();
    let problem = TaskCircuit::new(&net, &task).unwrap();
    let k = net.conductance().to_vec();
    let factor = problem.factorize(&k).unwrap();
    let response = problem.batch_response(&factor, &[0, 1, 2]).unwrap();
    let bounds = [1e-3, 1e2];
    let rule = Rule::CoupledLearning {
        learning_rate: LearningRate::Auto,
        nudge: 0.1,
    };
    // Every 3 iterations, a generous trust region: the stability bound sets the rate.
    let auto = AutoRate {
        target: 1.5,
        every: 3,
        trust: 1e9,
    };
    let mut size = StepSize::of(&rule, auto).unwrap();
    let unit = rule.update_at_rate(&problem, &response, 1.0);
    let all = vec![true; k.len()];
    let stiffness =
        power_stiffness(&problem, &response, MapKind::CoupledLearning, &all, &unit).unwrap();
    let first = size
        .step(&rule, &problem, &response, &k, bounds, 0)
        .unwrap();
    assert_eq!(first.rate, 1.5 / stiffness);
    for (d, u) in first.change.iter().zip(&unit) {
        assert_eq!(*d, first.rate * u);
    }
    // Not due at iterations 1 and 2 (the estimate of 0 is kept), due at 3.
    let k_moved: Vec<f64> = k.iter().map(|k| 1.3 * k).collect();
    let later = size
        .step(&rule, &problem, &response, &k_moved, bounds, 1)
        .unwrap();
    assert_eq!((later.rate, size.estimate().unwrap().step), (first.rate, 0));
    size.step(&rule, &problem, &response, &k, bounds, 3)
        .unwrap();
    assert_eq!(size.estimate().unwrap().step, 3);
    // A tight trust region caps the rate.
    let tight = AutoRate {
        trust: 1e-3,
        ..auto
    };
    let capped = StepSize::of(&rule, tight)
        .unwrap()
        .step(&rule, &problem, &response, &k, bounds, 0)
        .unwrap();
    assert_eq!(capped.rate, trust_rate(&k, &unit, &all, 1e-3));
    assert!(capped.rate < first.rate);
    // A constant rate is applied as given, exactly as the rule computes it.
    let constant = Rule::CoupledLearning {
        learning_rate: LearningRate::Constant(7.0),
        nudge: 0.1,
    };
    let step = StepSize::of(&constant, auto)
        .unwrap()
        .step(&constant, &problem, &response, &k, bounds, 0)
        .unwrap();
    assert_eq!(step.rate, 7.0);
    assert_eq!(
        step.change,
        constant.update_at_rate(&problem, &response, 7.0)
    );
    // The second-order rule has no step size.
    assert!(StepSize::of(&Rule::LevenbergMarquardt { damping: 1e-3 }, auto).is_none());
}
