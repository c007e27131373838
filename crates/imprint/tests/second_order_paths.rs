//! The second-order trainer's further paths for a regression (docs/training.md,
//! issue 26): a path that stops short of its tolerance, or crawls, starts
//! again from the initial conductances spread by a seeded factor, up to
//! `RESTARTS` times, keeping the best state over all paths; a task no
//! conductances can fit ends stationary after every path; a run resumed
//! across a restart is the uninterrupted run.

use imprint::learning::{
    Cost, Readout, Roles, Rule, RuleKind, StopRule, Task, TrainingParameters, RESTARTS,
};
use imprint::paper::{Conditions, Scale};
use imprint::run::{Checkpoint, Executor, RunStart, TrainingStatus, TrainingSummary};

/// The reproduction's regression-2x5 run on the paper's cluster for `seed`,
/// trained by the second-order rule for at most `iterations`.
fn cluster_regression(seed: u64, iterations: usize) -> (RunStart, TrainingParameters) {
    let scale = Scale::new(false, Conditions::Cluster);
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("cluster.json");
    let start = RunStart::from_config(scale.network_config(seed).unwrap()).unwrap();
    imprint::io::write_network(&path, &start.initial).unwrap();
    let mut config = scale
        .run_config("regression-2x5", seed, &path, None)
        .unwrap();
    config.training.rule = config.training.rule.with_kind(RuleKind::LevenbergMarquardt);
    config.training.iterations = iterations;
    let start = RunStart::from_config(config.clone()).unwrap();
    (start, config.training)
}

#[test]
fn regressions_whose_first_path_stops_short_learn_from_a_spread_start() {
    // Cluster seeds 1 and 7 (docs/training.md): from the initial network
    // seed 1's descent crawls (5e-17 of the initial cost after 10^5
    // iterations) and seed 7's is stationary at 1.4e-3 with 19 edges at
    // each bound. From spread initial conductances both reach 1e-20.
    for seed in [1, 7] {
        let (start, parameters) = cluster_regression(seed, 20_000);
        let mut executor = Executor::new(&start.initial, &start.task, parameters, 50).unwrap();
        executor.run(&mut ()).unwrap();
        let state = executor.training().damping_state().unwrap();
        assert!(
            (1..=RESTARTS).contains(&state.restarts),
            "seed {seed}: {state:?}"
        );
        let history = executor.history();
        let initial = history[0].cost;
        let best = executor.best().unwrap();
        assert!(best.cost <= 1e-20 * initial, "seed {seed}: {best:?}");
        // A restart is in the history: the cost rises once the path begins again.
        assert!(
            history.windows(2).any(|w| w[1].cost > w[0].cost),
            "seed {seed}: no restart recorded"
        );
        // Every conductance stayed within the clip on every path.
        let [k_min, k_max] = [1e-6, 1e6];
        assert!(best
            .conductance
            .iter()
            .all(|&k| (k_min..=k_max).contains(&k)));
        let summary = TrainingSummary::of(&executor, &start.task, seed).unwrap();
        assert_eq!(summary.status, TrainingStatus::Converged, "seed {seed}");
        assert!(summary.learned());
    }
}

#[test]
fn a_run_resumed_across_a_restart_is_the_uninterrupted_run() {
    let (start, parameters) = cluster_regression(7, 20_000);
    let (network, task) = (&start.initial, &start.task);
    let mut whole = Executor::new(network, task, parameters.clone(), 50).unwrap();
    whole.run(&mut ()).unwrap();
    let last = whole.history().last().unwrap().step;
    let mut first = Executor::new(network, task, parameters.clone(), 50)
        .unwrap()
        .stop_after(Some(last - 10));
    first.run(&mut ()).unwrap();
    let checkpoint = serde_json::to_string(&first.to_checkpoint()).unwrap();
    let value: serde_json::Value = serde_json::from_str(&checkpoint).unwrap();
    assert!(
        value["damping"]["restarts"].as_u64().unwrap() >= 1,
        "{value}"
    );
    let checkpoint: Checkpoint = serde_json::from_str(&checkpoint).unwrap();
    // A path or crawl window this run could not have written is refused,
    // naming the field (not a panic on the window's arithmetic).
    for (restarts, window) in [(99, None), (1, Some((last + 1000, 1.0)))] {
        let mut bad = checkpoint.clone();
        let damping = bad.damping.as_mut().unwrap();
        (damping.restarts, damping.window) = (restarts, window);
        let error = Executor::resume(network, task, parameters.clone(), 50, bad)
            .err()
            .expect("refused");
        assert!(error.to_string().contains("checkpoint.damping"), "{error}");
    }
    let mut resumed = Executor::resume(network, task, parameters, 50, checkpoint).unwrap();
    resumed.run(&mut ()).unwrap();
    assert_eq!(resumed.history(), whole.history());
    assert_eq!(resumed.best(), whole.best());
}

#[test]
fn a_regression_no_conductances_can_fit_is_stationary_after_every_path() {
    // The same held voltages with two different targets: the cost cannot
    // fall below the targets' spread, from any start.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/networks/data_N00064_Lp0.0100_r1.txt");
    let network = imprint::io::read_jammed_text(&path, 1.0).unwrap();
    let task = Task {
        name: "custom".into(),
        fixed_nodes: vec![0, 40],
        fixed_voltages: vec![vec![1.0, 0.0], vec![1.0, 0.0]],
        readout: Readout::Node { nodes: vec![20] },
        targets: vec![vec![0.2], vec![0.6]],
        cost: Cost::Mse,
        test_fixed_voltages: Vec::new(),
        test_targets: Vec::new(),
        roles: Roles::default(),
        classification: false,
        physics: imprint::network::Physics::Resistive,
    };
    let parameters = TrainingParameters {
        rule: Rule::LevenbergMarquardt { damping: 1e-3 },
        iterations: 20_000,
        k_min: 1e-3,
        k_max: 1e3,
        stop: StopRule {
            relative_cost: 1e-20,
            patience: 500,
        },
        ..TrainingParameters::default()
    };
    let mut executor = Executor::new(&network, &task, parameters, 1).unwrap();
    executor.run(&mut ()).unwrap();
    let state = executor.training().damping_state().unwrap();
    assert_eq!(state.restarts, RESTARTS, "{state:?}");
    let stationary = executor.training().stationary().expect("stationary");
    // Half the squared spread of the targets, (0.2)^2 / 2 = 0.02, reached.
    let best = executor.best().unwrap();
    assert!((best.cost - 0.02).abs() < 1e-9, "{best:?}");
    assert!(stationary.cost >= best.cost);
    let summary = TrainingSummary::of(&executor, &task, 1).unwrap();
    assert_eq!(summary.status, TrainingStatus::Unrealisable);
    assert!(!summary.learned());
    // The summary says every path was tried.
    assert_eq!(summary.stationary.as_ref().unwrap().restarts, RESTARTS);
    let text = summary.to_string();
    assert!(
        text.contains(&format!("this start and {RESTARTS} spread from it")),
        "{text}"
    );
}
