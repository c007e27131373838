//! `imprint train` end to end: the run directory, recomputing the cost from
//! the files alone, resumption, interruption, and configuration errors.

mod common;

use common::*;

use std::process::Command;

use imprint::learning::TaskCircuit;

#[test]
fn a_run_records_everything_and_its_cost_can_be_recomputed() {
    let dir = tempfile::tempdir().unwrap();
    let out = imprint(
        &[
            "train",
            "--task",
            "regression-2x2",
            "--iterations",
            "300",
            "--quiet",
            "-o",
            "run",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = dir.path().join("run");
    for file in [
        "config.toml",
        "network.json",
        "network-initial.json",
        "task.json",
        "history.csv",
        "summary.json",
        "checkpoint.json",
    ] {
        assert!(run.join(file).exists(), "{file} missing");
    }
    let task = json(&run.join("task.json"));
    assert_eq!(task["format"], "imprint-task");
    assert_eq!(task["readout"]["kind"], "node");
    assert_eq!(task["fixed_voltages"].as_array().unwrap().len(), 112);
    assert_eq!(task["cost"], "mse");
    let summary = json(&run.join("summary.json"));
    // network.json holds the best recorded state: its cost is `best_cost`.
    let (initial, final_cost) = (
        summary["initial_cost"].as_f64().unwrap(),
        summary["best_cost"].as_f64().unwrap(),
    );
    assert!(summary["final_cost"].as_f64().unwrap() >= final_cost);
    assert_eq!(summary["kept"], "best");
    // 300 iterations at the `auto` rate: about 30 times (measured).
    assert!(final_cost < 0.1 * initial, "{initial} -> {final_cost}");
    // The cost from the files alone: network.json and task.json.
    let network = imprint::io::read_network(&run.join("network.json")).unwrap();
    let task = imprint::io::read_task(&run.join("task.json")).unwrap();
    let recomputed = TaskCircuit::new(&network, &task)
        .unwrap()
        .evaluate(network.conductance())
        .unwrap()
        .cost;
    assert!((recomputed - final_cost).abs() <= 1e-12 * final_cost);
    // By hand too: C = 1/(2M) sum |r|^2 from a plain solve per sample.
    let mut by_hand = 0.0;
    for (voltages, targets) in task.fixed_voltages.iter().zip(&task.targets) {
        let conditions = task.fixed_nodes.iter().zip(voltages).fold(
            imprint::physics::BoundaryConditions::new(),
            |bc, (&n, &v)| bc.fix(n, v),
        );
        let solution = imprint::physics::solve(&network, &conditions).unwrap();
        let imprint::learning::Readout::Node { nodes } = &task.readout else {
            panic!()
        };
        by_hand += nodes
            .iter()
            .zip(targets)
            .map(|(&o, t)| (solution.voltages[o] - t).powi(2))
            .sum::<f64>();
    }
    by_hand /= 2.0 * task.sample_count() as f64;
    assert!(
        (by_hand - final_cost).abs() <= 1e-9 * final_cost,
        "{by_hand} vs {final_cost}"
    );
    let history = std::fs::read_to_string(run.join("history.csv")).unwrap();
    assert!(history.starts_with("step,cost,learning_rate,stiffness\n0,"));
    assert!(history.lines().last().unwrap().starts_with("300,"));
    // The same run twice: the same numbers.
    assert!(imprint(
        &[
            "train",
            "--task",
            "regression-2x2",
            "--iterations",
            "300",
            "--quiet",
            "-o",
            "again"
        ],
        dir.path()
    )
    .status
    .success());
    assert!(
        std::fs::read(run.join("network.json")).unwrap()
            == std::fs::read(dir.path().join("again/network.json")).unwrap(),
        "same seed, different network"
    );
}

#[test]
fn a_resumed_run_ends_where_an_uninterrupted_one_does() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "train",
        "--task",
        "classification-3",
        "--iterations",
        "200",
        "--quiet",
        "-o",
    ];
    assert!(imprint(&[&args[..], &["whole"]].concat(), dir.path())
        .status
        .success());
    let out = imprint(
        &[&args[..], &["split", "--stop-after", "120"]].concat(),
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(130));
    assert!(String::from_utf8_lossy(&out.stderr).contains("imprint train --resume split"));
    assert!(!dir.path().join("split/network.json").exists());
    let out = imprint(&["train", "--resume", "split", "--quiet"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = |p: &str| std::fs::read_to_string(dir.path().join(p)).unwrap();
    assert!(
        text("whole/network.json") == text("split/network.json"),
        "resumed network differs"
    );
    assert!(
        text("whole/history.csv") == text("split/history.csv"),
        "resumed history differs"
    );
    let summary = json(&dir.path().join("split/summary.json"));
    assert!(summary["accuracy"].as_f64().unwrap() > 0.0 && summary["test_accuracy"].is_number());
}

#[cfg(unix)]
#[test]
fn ctrl_c_and_sigterm_write_a_checkpoint() {
    for signal in ["-INT", "-TERM"] {
        interrupted_run_checkpoints(signal);
    }
}

/// Sends `signal` to a long training run: it checkpoints and exits with 130.
fn interrupted_run_checkpoints(signal: &str) {
    let dir = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_imprint"))
        .args([
            "train",
            "--task",
            "allostery",
            "--iterations",
            "100000000",
            "--quiet",
            "-o",
            "run",
        ])
        .current_dir(dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until training has started (the task file is written first).
    for _ in 0..200 {
        if dir.path().join("run/task.json").exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let checkpoint = json(&dir.path().join("run/checkpoint.json"));
    assert!(checkpoint["step"].as_u64().unwrap() > 0, "{signal}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("imprint train --resume"));
}

#[test]
fn bad_configurations_give_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("kmin.toml", "[training]\nk_min = 5.0\nk_max = 1.0\n");
    write(
        "rate.toml",
        "[training.rule]\nkind = \"coupled-learning\"\nlearning_rate = -1.0\nnudge = 0.1\n",
    );
    write("typo.toml", "[training]\nbatch = 5\n");
    write("roles.toml", "[task]\nname = \"custom\"\ngrounds = [0]\ninputs = [1, 2]\noutputs = [2, 3]\ncoefficients = [[0.1, 0.2], [0.3, 0.1]]\n[network]\ngenerator = \"square\"\nnodes = 25\n");
    write("unreachable.toml", "[task]\nname = \"custom\"\ngrounds = [0]\ninputs = [5]\noutputs = [10]\ncoefficients = [[2.0]]\n[network]\ngenerator = \"square\"\nnodes = 25\n");
    write("samples.toml", "[task]\nname = \"custom\"\ngrounds = [0]\ninputs = [1]\noutputs = [7]\nsamples_file = \"missing.csv\"\n[network]\ngenerator = \"square\"\nnodes = 25\n");
    let cases: &[(&[&str], &str)] = &[
        (
            &["train", "--task", "regression-9x9", "-o", "r"],
            "unknown task `regression-9x9`",
        ),
        (
            &["train", "kmin.toml", "-o", "r"],
            "kmin.toml: invalid `k_min`: need k_min < k_max, both in [1e-100, 1e100] S",
        ),
        (
            &["train", "rate.toml", "-o", "r"],
            "rate.toml: invalid `learning_rate`: -1 must be finite and positive",
        ),
        (
            &["train", "typo.toml", "-o", "r"],
            "typo.toml: training.batch: unknown field `batch`",
        ),
        (
            &["train", "roles.toml", "-o", "r"],
            "roles.toml: [task]: node 2 is both input and output",
        ),
        (
            &["train", "unreachable.toml", "-o", "r"],
            "unreachable.toml: [task]: invalid `targets`: row 0, output 0: a target voltage of",
        ),
        (
            &["train", "samples.toml", "-o", "r"],
            "missing.csv: No such file or directory",
        ),
        (
            &["train", "absent.toml", "-o", "r"],
            "cannot read absent.toml",
        ),
        (
            &["train", "--network", "nowhere.json", "-o", "r"],
            "nowhere.json: No such file or directory",
        ),
        (
            &["train", "--resume", "nothing"],
            "nothing: not a run directory (no config.toml): nothing to resume",
        ),
    ];
    for (args, expected) in cases {
        let out = imprint(args, dir.path());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{args:?}: {stderr:?} lacks {expected:?}"
        );
        assert!(!dir.path().join("r/network.json").exists());
    }
}

#[test]
fn custom_tasks_train_from_toml() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("custom.toml"),
        "seed = 3\n[task]\nname = \"custom\"\ngrounds = [{ near = [0.0, 0.0] }]\ninputs = [{ near = [9.0, 0.0] }, { near = [0.0, 9.0] }]\noutputs = [{ near = [5.0, 5.0] }]\ncoefficients = [[0.3, 0.2]]\nsamples = 20\n[network]\ngenerator = \"square\"\nnodes = 100\n[training]\niterations = 500\n",
    )
    .unwrap();
    let out = imprint(
        &["train", "custom.toml", "--quiet", "-o", "run"],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let task = json(&dir.path().join("run/task.json"));
    assert_eq!(task["fixed_nodes"], serde_json::json!([0, 9, 90]));
    assert_eq!(task["readout"]["nodes"], serde_json::json!([55]));
    let summary = json(&dir.path().join("run/summary.json"));
    assert!(
        summary["final_cost"].as_f64().unwrap() < 1e-3 * summary["initial_cost"].as_f64().unwrap()
    );
}

#[test]
fn a_network_file_is_trained_with_its_own_conductances() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = imprint(args, dir.path());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    run(&[
        "network",
        "generate",
        "jammed",
        "--nodes",
        "64",
        "--seed",
        "4",
        "--conductance",
        "log-uniform:0.1,10",
        "-o",
        "net.json",
    ]);
    let given = json(&dir.path().join("net.json"))["conductance"].clone();
    run(&[
        "train",
        "--network",
        "net.json",
        "--iterations",
        "20",
        "--quiet",
        "-o",
        "kept",
    ]);
    let initial = json(&dir.path().join("kept/network-initial.json"));
    assert_eq!(initial["conductance"], given);
    // Recorded by absolute path (a --network path is the working directory's).
    let absolute = std::path::absolute(dir.path().join("net.json")).unwrap();
    assert_eq!(
        initial["metadata"]["conductance"]["from"],
        absolute.display().to_string()
    );
    // The resolved configuration names the file and nothing of a generator.
    let config = std::fs::read_to_string(dir.path().join("kept/config.toml")).unwrap();
    assert!(
        config.contains(&format!("file = \"{}\"", absolute.display())),
        "{config}"
    );
    for generated in ["generator", "nodes", "pressure", "[network.conductance]"] {
        assert!(!config.contains(generated), "{generated} in {config}");
    }
    // A distribution named in the configuration replaces them, and is recorded.
    std::fs::write(
        dir.path().join("drawn.toml"),
        "[network]\nfile = \"net.json\"\n[network.conductance]\nkind = \"constant\"\nvalue = 2.0\n",
    )
    .unwrap();
    run(&[
        "train",
        "drawn.toml",
        "--iterations",
        "20",
        "--quiet",
        "-o",
        "drawn",
    ]);
    let initial = json(&dir.path().join("drawn/network-initial.json"));
    assert!(initial["conductance"]
        .as_array()
        .unwrap()
        .iter()
        .all(|k| k == 2.0));
    assert_eq!(initial["metadata"]["conductance"]["kind"], "constant");
}

#[test]
fn a_constant_rate_and_the_last_state_can_be_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let out = imprint(
        &[
            "train",
            "--task",
            "regression-2x2",
            "--iterations",
            "60",
            "--learning-rate",
            "100",
            "--keep",
            "last",
            "--quiet",
            "-o",
            "run",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = dir.path().join("run");
    let config = std::fs::read_to_string(run.join("config.toml")).unwrap();
    assert!(config.contains("learning_rate = 100.0"), "{config}");
    assert!(config.contains("keep = \"last\""), "{config}");
    let summary = json(&run.join("summary.json"));
    assert_eq!(summary["kept"], "last");
    assert_eq!(summary["final_learning_rate"], 100.0);
    // network.json holds the last state: its cost is the final cost.
    let network = imprint::io::read_network(&run.join("network.json")).unwrap();
    let task = imprint::io::read_task(&run.join("task.json")).unwrap();
    let cost = TaskCircuit::new(&network, &task)
        .unwrap()
        .evaluate(network.conductance())
        .unwrap()
        .cost;
    assert_eq!(cost, summary["final_cost"].as_f64().unwrap());
    // Every record after step 0 has the constant rate and no estimate.
    let history = std::fs::read_to_string(run.join("history.csv")).unwrap();
    for line in history.lines().skip(2) {
        assert!(line.ends_with(",1e2,"), "{line}");
    }
    // Neither flag takes anything else.
    for (flag, value) in [("--keep", "first"), ("--learning-rate", "fast")] {
        assert_fails(
            &["train", "--task", "allostery", flag, value, "-o", "other"],
            dir.path(),
            value,
        );
    }
}
