//! The reproducers of issue 15, run as a hostile user would: each answer is
//! right or refused in one line naming the file, field or line; nothing is
//! silently dropped, overwritten or written non-finite; nothing panics.

mod common;

use std::fs;
use std::path::Path;

use common::{assert_fails, imprint, json};

fn write(dir: &Path, name: &str, text: &str) {
    fs::write(dir.join(name), text).unwrap();
}

#[test]
fn counts_from_a_file_are_claims_not_allocations() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "c.txt", "1000000000000 1 10\n0 0\n1 1\n0 1\n");
    assert_fails(
        &["network", "info", "c.txt"],
        d,
        "c.txt: field `N E L`: the header promises 1000000000000 nodes but the file ends after 3",
    );
    write(d, "c2.txt", "1152921504606846976 1 10\n0 0\n1 1\n0 1\n");
    assert_fails(
        &["network", "info", "c2.txt"],
        d,
        "promises 1152921504606846976 nodes",
    );
    write(d, "e1.csv", "i,j,conductance\n1,1000000000000,1\n");
    assert_fails(&["network", "info", "e1.csv"], d, "no edge names node 0");
    write(d, "e2.csv", "i,j,conductance\n0,1,1\n1,100000000,1\n");
    assert_fails(
        &["network", "info", "e2.csv"],
        d,
        "no edge names node 2 but one names node 100000000",
    );
    write(d, "t.toml", "[task]\nsamples = 1000000000000\n");
    assert_fails(
        &["train", "t.toml", "-o", "run"],
        d,
        "t.toml: invalid `task.samples`: 1000000000000 is not between 1 and 10000000",
    );
}

#[test]
fn no_line_is_silently_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "bom.csv", "\u{feff}0,1,1\n1,2,1\n2,3,1\n3,4,1\n4,0,1\n");
    let out = imprint(&["network", "info", "bom.csv"], d);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("edges        5"), "{stdout}");
    for (first, field) in [
        ("0.0,1,1", "`0.0`"),
        ("\"0\",\"1\",1", "`\"0\"`"),
        (",1,1", "``"),
        ("O,1,1", "`O`"),
    ] {
        write(d, "h.csv", &format!("{first}\n1,2,1\n2,3,1\n3,0,1\n"));
        assert_fails(
            &["network", "info", "h.csv"],
            d,
            &format!("h.csv, line 1: {field} is not a node index"),
        );
    }
}

#[test]
fn configuration_is_used_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "t.toml",
        "[task]\ngrounds = [0]\ninputs = [1, 2]\noutputs = [3]\ncoefficients = [[0.2, 0.3]]\n",
    );
    assert_fails(
        &["train", "t.toml", "-o", "run"],
        d,
        "t.toml: invalid `task`: task regression-2x2 does not use `grounds`",
    );
    assert!(!d.join("run").exists());
}

#[test]
fn a_run_stopped_before_its_first_checkpoint_resumes_from_its_start() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Killed before its first checkpoint: only the start files, and a stale temporary.
    write(d, "s.toml", "[network]\ngenerator = \"square\"\nnodes = 36\n[task]\nsamples = 10\n[training]\niterations = 40\n");
    let out = imprint(&["train", "s.toml", "-o", "run", "--quiet"], d);
    assert!(out.status.success());
    for finished in [
        "network.json",
        "summary.json",
        "history.csv",
        "checkpoint.json",
    ] {
        fs::remove_file(d.join("run").join(finished)).unwrap();
    }
    write(d, "run/.checkpoint.json.999.tmp", "{\"trunc");
    let out = imprint(&["train", "--resume", "run", "--quiet"], d);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("no checkpoint yet; training again from network-initial.json"));
    assert!(d.join("run/summary.json").exists());
    assert!(!d.join("run/.checkpoint.json.999.tmp").exists());
    // A finished run is not resumed.
    assert_fails(&["train", "--resume", "run"], d, "the run is finished");
}

#[test]
fn results_are_finite_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "big.csv", "i,j,conductance\n0,1,1e308\n1,2,1\n");
    assert_fails(
        &["solve", "big.csv", "--fix", "0=1", "--fix", "2=0"],
        d,
        "big.csv: edge 0 has conductance 1e308: conductances must lie in [1e-100, 1e100] S",
    );
    write(d, "tiny.csv", "i,j,conductance\n0,1,5e-324\n1,2,1\n");
    assert_fails(
        &["solve", "tiny.csv", "--fix", "0=1", "--fix", "2=0"],
        d,
        "edge 0 has conductance 5e-324",
    );
    write(d, "n.csv", "0,1,1\n1,2,1\n2,0,1\n");
    assert_fails(
        &["solve", "n.csv", "--fix", "0=1e308", "--fix", "2=0"],
        d,
        "fixed value at node 0 is 1e308: it must be finite and at most 1e50 in magnitude",
    );
    assert_fails(
        &[
            "export", "spice", "big.csv", "--fix", "0=1", "--fix", "2=0", "-o", "c.cir",
        ],
        d,
        "conductances must lie in",
    );
    assert!(!d.join("c.cir").exists());
}

#[test]
fn outputs_are_written_before_a_full_terminal_and_never_over_other_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "s.csv",
        "i,j,conductance\n0,1,1\n0,2,2\n1,3,3\n2,3,0.5\n1,2,1\n",
    );
    if Path::new("/dev/full").exists() {
        let full = fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_imprint"))
            .args([
                "solve", "s.csv", "--fix", "0=1", "--fix", "3=0", "-o", "sol.json",
            ])
            .current_dir(d)
            .stdout(full)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            stderr.contains("error: cannot write to standard output"),
            "{stderr}"
        );
        assert_eq!(json(&d.join("sol.json"))["format"], "imprint-solution");
    }
    // train -o DIR into a folder holding the network trained: refused, untouched.
    fs::create_dir(d.join("work")).unwrap();
    fs::copy(d.join("s.csv"), d.join("work/network.json")).unwrap();
    assert_fails(
        &[
            "train",
            "--network",
            "work/network.json",
            "-o",
            "work",
            "--iterations",
            "5",
        ],
        d,
        "exists and holds `network.json`: a run goes into a new or empty directory",
    );
    assert_eq!(
        fs::read_to_string(d.join("work/network.json")).unwrap(),
        fs::read_to_string(d.join("s.csv")).unwrap()
    );
}

#[test]
fn errors_are_one_line_without_repeats() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = imprint(&["network", "info", "missing.json"], d);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim(),
        "error: cannot read missing.json: No such file or directory (os error 2)"
    );
    let long = format!("0,1\n1,{}\n", "9".repeat(2_000_000));
    write(d, "long.csv", &long);
    let out = imprint(&["network", "info", "long.csv"], d);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.len() < 300, "{} bytes of error", stderr.len());
    assert!(stderr.contains("long.csv, line 2: `999"), "{stderr}");
    fs::create_dir(d.join("docs")).unwrap();
    assert_fails(
        &["analyze", "docs"],
        d,
        "docs: not a run directory (no config.toml",
    );
}

#[test]
fn relative_paths_in_a_configuration_are_the_configuration_folders() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir(d.join("exp")).unwrap();
    let out = imprint(
        &[
            "network",
            "generate",
            "square",
            "--columns",
            "4",
            "--rows",
            "4",
            "-o",
            "exp/net.json",
        ],
        d,
    );
    assert!(out.status.success());
    write(
        d,
        "exp/r.toml",
        "[network]\nfile = \"net.json\"\n[task]\nsamples = 8\n[training]\niterations = 5\n",
    );
    let out = imprint(&["train", "exp/r.toml", "-o", "run", "--quiet"], d);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recorded = fs::read_to_string(d.join("run/config.toml")).unwrap();
    let expected = std::path::absolute(d.join("exp/net.json")).unwrap();
    assert!(
        recorded.contains(&format!("file = \"{}\"", expected.display())),
        "{recorded}"
    );
    // analyze RUN -o RUN would replace the training summary: refused.
    assert_fails(
        &["analyze", "run", "-o", "run"],
        d,
        "run: is a run directory",
    );
    assert!(json(&d.join("run/summary.json")).get("best_cost").is_some());
}

#[test]
fn huge_values_in_files_are_refused_not_panicked_on() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = imprint(
        &[
            "network",
            "generate",
            "square",
            "--columns",
            "4",
            "--rows",
            "4",
            "-o",
            "n.json",
        ],
        d,
    );
    assert!(out.status.success());
    write(
        d,
        "t.toml",
        "[task]\nsamples = 8\n[training]\niterations = 3\n",
    );
    let out = imprint(
        &[
            "train",
            "t.toml",
            "--network",
            "n.json",
            "-o",
            "run",
            "--quiet",
        ],
        d,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A task whose fixed voltages hold 1e308 (analyze panicked in cost_hessian.rs).
    let mut task = json(&d.join("run/task.json"));
    task["fixed_voltages"][0][1] = 1e308.into();
    fs::write(d.join("run/task.json"), task.to_string()).unwrap();
    assert_fails(
        &["analyze", "run", "-o", "a"],
        d,
        "invalid `fixed_voltages`: row 0 holds 1e308: voltages must be finite and at most 1e50 V in magnitude",
    );
    let out = imprint(&["analyze", "run", "-o", "a"], d);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("analysing"));
    // A 2 MB string where a number belongs is quoted cut short.
    let mut network = json(&d.join("n.json"));
    network["conductance"][0] = "x".repeat(2_000_000).into();
    fs::write(d.join("big.json"), network.to_string()).unwrap();
    let out = imprint(&["network", "info", "big.json"], d);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.len() < 500,
        "{} bytes",
        stderr.len()
    );
}
