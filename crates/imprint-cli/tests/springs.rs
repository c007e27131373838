//! Spring networks from the command line (issue 28 item 5): `solve` with
//! held and loaded components against the library's solve, and a run file
//! with `[network] physics = "spring"` trained, analysed and drawn.

mod common;

use common::*;

#[test]
fn solve_holds_components_and_writes_extensions_and_tensions() {
    let dir = tempfile::tempdir().unwrap();
    let generate = imprint(
        &[
            "network",
            "generate",
            "triangular",
            "--columns",
            "6",
            "--rows",
            "6",
            "--physics",
            "spring",
            "-o",
            "tri.json",
        ],
        dir.path(),
    );
    assert!(generate.status.success(), "{}", stderr(&generate));
    let args = [
        "solve", "tri.json", "--hold", "0x=0", "--hold", "0y=0", "--hold", "5y=0", "--hold",
        "35x=0.1", "--load", "20y=-1", "-o", "sol.json",
    ];
    let out = imprint(&args, dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("4 / 1 components"), "{text}");
    // The file holds what the library computes for the same holds.
    let network = imprint::io::read_network(&dir.path().join("tri.json")).unwrap();
    let mut forces = vec![0.0; 2 * network.node_count()];
    forces[41] = -1.0;
    let expected =
        imprint::physics::spring::solve(&network, &[0, 1, 11, 70], &[0.0, 0.0, 0.0, 0.1], &forces)
            .unwrap();
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("sol.json")).unwrap())
            .unwrap();
    assert_eq!(written["format"], "imprint-spring-solution");
    for (e, t) in expected.response.tensions.iter().enumerate() {
        assert_eq!(written["tensions"][e].as_f64().unwrap(), *t);
    }
    assert_eq!(
        written["displacements"][35][0].as_f64().unwrap(),
        expected.response.displacements[70]
    );
    // Voltages on a spring network, a component that is not x or y, and
    // too few holds are each refused in one line.
    for (bad, says) in [
        (vec!["--fix", "0=0"], "holds displacement components"),
        (vec!["--hold", "0z=0"], "names no component"),
        (vec!["--hold", "0x=0", "--hold", "0y=0"], "zero modes"),
    ] {
        let mut args = vec!["solve", "tri.json"];
        args.extend(bad);
        let out = imprint(&args, dir.path());
        assert!(!out.status.success());
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
    }
}

#[test]
fn a_spring_run_trains_analyses_and_draws_its_fields() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("run.toml"),
        "[network]\ngenerator = \"jammed\"\nnodes = 100\nphysics = \"spring\"\n\n[task]\nname = \"allostery\"\n\n[training]\niterations = 400\nrule.kind = \"levenberg-marquardt\"\n",
    )
    .unwrap();
    let out = imprint(&["train", "run.toml", "--quiet", "-o", "run"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let run = dir.path().join("run");
    let network = imprint::io::read_network(&run.join("network.json")).unwrap();
    assert_eq!(network.physics(), imprint::network::Physics::Spring2d);
    let task = imprint::io::read_task(&run.join("task.json")).unwrap();
    assert_eq!(task.physics, imprint::network::Physics::Spring2d);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("summary.json")).unwrap()).unwrap();
    let reduction = summary["cost_reduction"].as_f64().unwrap();
    assert!(reduction > 1e20, "{reduction:e}");
    let info = imprint(
        &[
            "network",
            "info",
            "run/network.json",
            "--task",
            "run/task.json",
        ],
        dir.path(),
    );
    assert!(info.status.success(), "{}", stderr(&info));
    assert!(String::from_utf8_lossy(&info.stdout)
        .contains("4 held: every rigid-body and floppy motion pinned"));
    let analyze = imprint(&["analyze", "run"], dir.path());
    assert!(analyze.status.success(), "{}", stderr(&analyze));
    let plot = imprint(&["plot", "run"], dir.path());
    assert!(plot.status.success(), "{}", stderr(&plot));
    assert!(run.join("figures/fields.png").exists());
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
