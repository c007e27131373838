//! `imprint sweep`: plan, run (killed and continued), failures recorded,
//! collect (counts and Wilson intervals against a hand computation), and a
//! Slurm job array on a real one-node cluster when one runs here.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{assert_fails, imprint, json};

/// The rows of a CSV file without quoted commas, as header -> cell maps.
fn rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    lines
        .map(|l| {
            // The error column is last and may hold quoted commas.
            let cells: Vec<String> = l.splitn(header.len(), ',').map(str::to_string).collect();
            header.iter().cloned().zip(cells).collect()
        })
        .collect()
}

fn ok(args: &[&str], dir: &Path) -> String {
    let out = imprint(args, dir);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A folder with a 64-node jammed network `a.json` and a broken `b.json`.
fn networks() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("nets")).unwrap();
    ok(
        &[
            "network",
            "generate",
            "jammed",
            "--nodes",
            "64",
            "--seed",
            "1",
            "-o",
            "nets/a.json",
        ],
        dir.path(),
    );
    std::fs::write(
        dir.path().join("nets/b.json"),
        "{\"format\": \"imprint-network\"}",
    )
    .unwrap();
    dir
}

/// The Wilson interval, written out again from the formula.
fn wilson(k: usize, n: usize) -> [f64; 2] {
    let (k, n, z) = (k as f64, n as f64, 1.959_963_984_540_054_f64);
    let p = k / n;
    let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z / (1.0 + z * z / n) * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    [(centre - half).max(0.0), (centre + half).min(1.0)]
}

#[test]
fn a_killed_sweep_continues_records_failures_and_collects() {
    let dir = networks();
    let d = dir.path();
    std::fs::write(
        d.join("sweep.toml"),
        "[base]\ntraining.iterations = 15000\ntraining.stop.patience = 1000000\noutput.checkpoint_every = 500\n[axes]\n\"network.file\" = \"nets/*.json\"\nseed = \"1..3\"\n",
    )
    .unwrap();
    let planned = ok(&["sweep", "plan", "sweep.toml", "-o", "out"], d);
    assert!(
        planned.starts_with("6 runs: network.file (2 values) x seed (3 values)"),
        "{planned}"
    );
    assert_fails(
        &["sweep", "plan", "sweep.toml", "-o", "out"],
        d,
        "already holds a sweep plan",
    );
    assert_fails(
        &["sweep", "plan", "sweep.toml", "-o", "o2", "--max-runs", "5"],
        d,
        "6 runs is more than the limit of 5",
    );

    // Kill the pool (SIGKILL: no checkpoint on the way out) once the first run is recorded.
    let mut child = Command::new(env!("CARGO_BIN_EXE_imprint"))
        .args(["sweep", "run", "out", "--workers", "1", "--quiet"])
        .current_dir(d)
        .spawn()
        .unwrap();
    let first = d.join("out/runs/0000/sweep-run.json");
    let start = Instant::now();
    while !first.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no run finished in 2 minutes"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // Killed once the second run has written its first checkpoint (500 of
    // its 15 000 iterations): it is then interrupted, not done, however
    // fast this machine trains (a fixed wait raced a 0.3 s run).
    let second = d.join("out/runs/0001/checkpoint.json");
    while !second.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the second run wrote no checkpoint in 2 minutes"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let status = ok(&["sweep", "status", "out"], d);
    assert!(
        status.starts_with("6 runs: 1 done, 0 running, 1 interrupted, 4 pending"),
        "{status}"
    );

    // Continued: the started run goes on from its checkpoint, the broken network's runs fail.
    let out = imprint(&["sweep", "run", "out", "--quiet"], d);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "failures must fail the command");
    assert!(
        stdout.contains("6 runs: 1 done before, 2 done now, 3 failed, 0 stopped"),
        "{stdout}"
    );
    assert!(
        stderr.lines().last().unwrap().contains("3 runs failed"),
        "{stderr}"
    );
    let status = ok(&["sweep", "status", "out"], d);
    assert!(
        status.starts_with("6 runs: 3 done, 0 running, 0 interrupted, 0 pending, 3 failed"),
        "{status}"
    );
    assert!(status.contains("b.json"), "{status}");
    let resumed = json(&d.join("out/runs/0001/summary.json"));
    assert_eq!(resumed["iterations"], 15000, "{resumed}");

    ok(&["sweep", "collect", "out"], d);
    let table = rows(&d.join("out/sweep.csv"));
    assert_eq!(table.len(), 6);
    let done: Vec<_> = table.iter().filter(|r| r["status"] == "done").collect();
    assert_eq!(done.len(), 3);
    for r in &table {
        let broken = r["network.file"].ends_with("b.json");
        assert_eq!(r["status"], if broken { "failed" } else { "done" });
        assert_eq!(r["error"].is_empty(), !broken, "{r:?}");
        assert!(
            broken
                || r["final_cost"].parse::<f64>().unwrap()
                    < r["initial_cost"].parse::<f64>().unwrap()
        );
    }
    // Each claim's fraction and interval from the table's own verdicts.
    let claims = json(&d.join("out/claims.json"));
    for claim in claims.as_array().unwrap() {
        let id = claim["id"].as_str().unwrap();
        let column = format!("claim_{id}_holds");
        let judged: Vec<_> = done.iter().filter(|r| !r[&column].is_empty()).collect();
        let held = judged.iter().filter(|r| r[&column] == "true").count();
        assert_eq!(claim["overall"]["runs"], judged.len(), "{id}");
        assert_eq!(claim["overall"]["held"], held, "{id}");
        let [lo, hi] = wilson(held, judged.len());
        let interval = &claim["overall"]["interval"];
        assert!((interval[0].as_f64().unwrap() - lo).abs() < 1e-12, "{id}");
        assert!((interval[1].as_f64().unwrap() - hi).abs() < 1e-12, "{id}");
        // By seed: one run of each seed judged at most.
        assert_eq!(claim["by_axis"][1].as_array().unwrap().len(), 3);
    }
    let html = std::fs::read_to_string(d.join("out/report/index.html")).unwrap();
    assert!(html.contains("the claims across 6 runs") && html.contains("figures/claims.png"));
    assert!(d.join("out/report/figures/axis-seed.png").exists());
}

#[test]
fn whether_a_run_learned_is_known_without_its_analysis() {
    let dir = networks();
    let d = dir.path();
    // The second-order trainer learns a regression to the last digits; 20
    // iterations of Coupled Learning do not; the bare rule kinds take the
    // task's defaults.
    std::fs::write(
        d.join("sweep.toml"),
        "[base]\nnetwork.file = \"nets/a.json\"\ntraining.iterations = 20\n[axes]\n\"training.rule.kind\" = [\"coupled-learning\", \"levenberg-marquardt\"]\n[sweep]\nanalyze = false\n",
    )
    .unwrap();
    ok(&["sweep", "plan", "sweep.toml", "-o", "out"], d);
    // A hundred thousand workers asked: capped at the machine's cores, said so.
    let out = imprint(
        &["sweep", "run", "out", "--quiet", "--workers", "100000"],
        d,
    );
    assert!(out.status.success());
    let cores = std::thread::available_parallelism().unwrap().get();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!(
            "note: --workers 100000: this machine has {cores} cores; running {cores} runs at a time"
        )),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    ok(&["sweep", "collect", "out"], d);
    let table = rows(&d.join("out/sweep.csv"));
    let learned: Vec<(&str, &str)> = table
        .iter()
        .map(|r| (r["training.rule.kind"].as_str(), r["learned"].as_str()))
        .collect();
    assert_eq!(
        learned,
        [
            ("coupled-learning", "false"),
            ("levenberg-marquardt", "true")
        ]
    );
    for r in &table {
        let ratio =
            r["final_cost"].parse::<f64>().unwrap() / r["initial_cost"].parse::<f64>().unwrap();
        assert_eq!(r["learned"] == "true", ratio <= 1e-8, "{r:?}");
        assert!(r["claim_E_holds"].is_empty(), "not analysed, not judged");
    }
}

/// A one-node Slurm cluster answers here (started by `.ci/slurm-up`).
fn slurm_runs() -> bool {
    Command::new("sinfo")
        .args(["-h", "-o", "%T"])
        .output()
        .is_ok_and(|o| o.status.success() && !o.stdout.is_empty())
}

#[test]
fn a_slurm_job_array_runs_the_same_runs_as_the_local_pool() {
    if !slurm_runs() {
        assert!(
            std::env::var_os("IMPRINT_REQUIRE_SLURM").is_none(),
            "Slurm is required (IMPRINT_REQUIRE_SLURM is set) but sinfo does not answer; start it with .ci/slurm-up"
        );
        eprintln!("skipped: no Slurm cluster answers here (start one with .ci/slurm-up)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("sweep.toml"),
        "[base]\nnetwork.generator = \"jammed\"\nnetwork.nodes = 64\ntraining.iterations = 400\n[axes]\nseed = \"1..3\"\n\"task.name\" = [\"regression-2x2\", \"allostery\"]\n",
    )
    .unwrap();
    ok(&["sweep", "plan", "sweep.toml", "-o", "cluster"], d);
    ok(&["sweep", "plan", "sweep.toml", "-o", "local"], d);
    ok(
        &[
            "sweep",
            "submit",
            "cluster",
            "--slurm",
            "--dry-run",
            "--time",
            "0:10:00",
        ],
        d,
    );
    let script = std::fs::read_to_string(d.join("cluster/slurm/sweep.sbatch")).unwrap();
    assert!(
        script.contains("#SBATCH --array=0-5") && script.contains("#SBATCH --time=0:10:00"),
        "{script}"
    );
    assert!(
        script.contains("sweep run-one")
            && script.contains("$SLURM_ARRAY_TASK_ID")
            && script.contains("#SBATCH --signal=B:TERM@60"),
        "{script}"
    );
    let job = ok(
        &["sweep", "submit", "cluster", "--slurm", "--time", "0:10:00"],
        d,
    );
    assert!(job.trim().chars().all(|c| c.is_ascii_digit()), "{job}");
    let start = Instant::now();
    loop {
        let status = ok(&["sweep", "status", "cluster"], d);
        if status.starts_with("6 runs: 6 done") {
            break;
        }
        assert!(!status.contains("failed: "), "{status}");
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "the job array did not finish in 5 minutes: {status}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    ok(&["sweep", "run", "local", "--quiet"], d);
    ok(&["sweep", "collect", "cluster"], d);
    ok(&["sweep", "collect", "local"], d);
    let (cluster, local) = (
        rows(&d.join("cluster/sweep.csv")),
        rows(&d.join("local/sweep.csv")),
    );
    assert_eq!(cluster.len(), 6);
    for (c, l) in cluster.iter().zip(&local) {
        assert_eq!(c["status"], "done");
        // The same run, bit for bit, wherever it ran.
        for column in [
            "seed",
            "task.name",
            "initial_cost",
            "final_cost",
            "claim_6.2_spearman_stiff",
        ] {
            assert_eq!(c[column], l[column], "{column}");
        }
    }
}
