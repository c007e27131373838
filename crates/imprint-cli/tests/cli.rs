//! The `imprint` binary end to end: outputs on good input, and on bad input one
//! clear line on stderr, a non-zero exit, no panic and no output file.

mod common;

use common::*;

const BRIDGE: &str = "i,j,conductance\n0,1,1\n0,2,2\n1,3,3\n2,3,0.5\n1,2,0.25\n";

#[test]
fn solve_writes_every_quantity() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bridge.csv"), BRIDGE).unwrap();
    let out = imprint(
        &[
            "solve",
            "bridge.csv",
            "--fix",
            "0=1",
            "--fix",
            "3=0",
            "-o",
            "s.json",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("s.json")).unwrap()).unwrap();
    assert_eq!(json["format"], "imprint-solution");
    assert_eq!(json["voltages"].as_array().unwrap().len(), 4);
    assert_eq!(json["edge_currents"].as_array().unwrap().len(), 5);
    // Source currents balance: what node 0 delivers, node 3 takes back.
    let sources: Vec<f64> = json["source_currents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!((sources[0] + sources[1]).abs() < 1e-14);
    let power = json["dissipated_power"].as_f64().unwrap();
    assert!((power - sources[0] * 1.0).abs() < 1e-14);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("dissipated power"), "{stdout}");
}

#[test]
fn import_info_and_export_work() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bridge.csv"), BRIDGE).unwrap();
    let out = imprint(
        &["network", "import", "bridge.csv", "-o", "bridge.json"],
        dir.path(),
    );
    assert!(out.status.success());
    let out = imprint(&["network", "info", "bridge.json"], dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("nodes        4") && stdout.contains("edges        5"),
        "{stdout}"
    );
    assert!(stdout.contains("mean Z = 2.5000"), "{stdout}");
    let out = imprint(
        &[
            "export",
            "spice",
            "bridge.json",
            "--fix",
            "0=1",
            "--fix",
            "3=0",
            "--inject",
            "1=1e-3",
            "-o",
            "b.cir",
        ],
        dir.path(),
    );
    assert!(out.status.success());
    let netlist = std::fs::read_to_string(dir.path().join("b.cir")).unwrap();
    assert!(
        netlist.contains("R4 n1 n2 4e0")
            && netlist.contains("V0 n0 0 DC 1e0")
            && netlist.contains("I1 0 n1 DC 1e-3"),
        "{netlist}"
    );
    assert!(netlist.trim_end().ends_with(".end"));
}

#[test]
fn demo_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = imprint(&["demo", "--side", "5"], dir.path());
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Kirchhoff residual"));
}

#[test]
fn bad_input_gives_one_clear_line_and_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("bridge.csv", BRIDGE);
    write("negative.csv", "0,1,1\n1,2,-3\n");
    write("nan.csv", "0,1,1\n1,2,nan\n");
    write("loop.csv", "0,1\n1,1\n");
    write("twice.csv", "0,1\n1,2\n2,1\n");
    write("floating.csv", "0,1\n1,2\n3,4\n4,5\n");
    write("garbled.csv", "0,1\n1;2\n");
    write("broken.json", "{\"format\": \"imprint-network\", \"version\": 1,\n  \"nodes\": [[0, 0], [1, 0]],\n  \"edges\": [[0, 1]]\n  \"conductance\": [1], \"box\": null}");
    write("empty.csv", "i,j\n");
    write("range.json", "{\"format\": \"imprint-network\", \"version\": 1, \"nodes\": [[0, 0], [1, 0]], \"edges\": [[0, 2]], \"conductance\": [1], \"box\": null}");
    write("flatbox.json", "{\"format\": \"imprint-network\", \"version\": 1, \"nodes\": [[0, 0], [1, 0]], \"edges\": [[0, 1]], \"conductance\": [1], \"box\": [1, 0]}");
    write("wrong.json", "{\"format\": \"imprint-network\", \"version\": 1, \"nodes\": [[0, 0], [1, 0]], \"edges\": [[0, 1]], \"conductance\": [0], \"box\": null}");

    let cases: &[(&[&str], &str)] = &[
        (&["solve", "missing.json", "--fix", "0=0", "-o", "out.json"], "cannot read missing.json"),
        (&["solve", "broken.json", "--fix", "0=0", "-o", "out.json"], "broken.json: line 4, column 3: expected `,` or `}`"),
        (&["solve", "wrong.json", "--fix", "0=0", "-o", "out.json"], "wrong.json: edge 0 has conductance 0.0: conductances must lie in [1e-100, 1e100] S"),
        (&["solve", "negative.csv", "--fix", "0=0", "-o", "out.json"], "negative.csv: edge 1 has conductance -3"),
        (&["solve", "nan.csv", "--fix", "0=0", "-o", "out.json"], "nan.csv, line 2: `nan` is not a finite number"),
        (&["solve", "loop.csv", "--fix", "0=0", "-o", "out.json"], "loop.csv: edge 1 joins node 1 to itself"),
        (&["solve", "twice.csv", "--fix", "0=0", "-o", "out.json"], "twice.csv: edge 2 joins nodes 2 and 1, which edge 1 already joins"),
        (&["solve", "garbled.csv", "--fix", "0=0", "-o", "out.json"], "garbled.csv, line 2: expected `i,j` or `i,j,conductance`, found 1 fields"),
        (&["solve", "floating.csv", "--fix", "0=0", "-o", "out.json"], "floating.csv: 3 nodes (3, 4, 5) form a part of the network that no fixed voltage reaches"),
        (&["solve", "bridge.csv", "--fix", "9=0", "-o", "out.json"], "bridge.csv: fixed node 9 does not exist: the network has 4 nodes (0 to 3)"),
        (&["solve", "bridge.csv", "--fix", "0=0", "--inject", "0=1", "-o", "out.json"], "bridge.csv: node 0 is given two boundary conditions (fixed and injected)"),
        (&["solve", "bridge.csv", "--fix", "0=0", "--inject", "7=1", "-o", "out.json"], "injected node 7 does not exist"),
        (&["solve", "bridge.csv", "--fix", "0=inf", "-o", "out.json"], "fixed value at node 0 is inf: it must be finite"),
        (&["solve", "bridge.csv", "--fix", "zero=0", "-o", "out.json"], "`zero` is not a node index"),
        (&["solve", "bridge.csv", "--fix", "0", "-o", "out.json"], "`0` is not NODE=VALUE"),
        (&["solve", "bridge.csv", "-o", "out.json"], "--fix <NODE=VOLTS>"),
        (&["solve", "bridge.csv", "--fix", "0=0", "-o", "no/such/dir/out.json"], "cannot write no/such/dir/out.json"),
        (&["export", "spice", "floating.csv", "--fix", "0=0", "-o", "out.json"], "floating.csv: 3 nodes (3, 4, 5)"),
        (&["export", "spice", "bridge.csv", "--fix", "1=0", "--fix", "1=2", "-o", "out.json"], "node 1 is given two boundary conditions (fixed and fixed)"),
        (&["solve", "empty.csv", "--fix", "0=0", "-o", "out.json"], "empty.csv: the network is empty (0 nodes, 0 edges)"),
        (&["solve", "range.json", "--fix", "0=0", "-o", "out.json"], "range.json: edge 0 joins node 2, but the network has only 2 nodes (0 to 1)"),
        (&["network", "info", "flatbox.json"], "flatbox.json: the periodic box [1, 0] must have finite, positive sides"),
        (&["network", "info", "nan.csv"], "nan.csv, line 2: `nan` is not a finite number"),
        (&["network", "import", "twice.csv", "-o", "out.json"], "which edge 1 already joins"),
    ];
    for (args, expected) in cases {
        let out = imprint(args, dir.path());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
        assert_eq!(
            stderr.lines().count(),
            1,
            "{args:?} printed more than one line: {stderr}"
        );
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{args:?}: {stderr:?} lacks {expected:?}"
        );
        assert!(
            !dir.path().join("out.json").exists(),
            "{args:?} left an output file"
        );
    }
    // Nothing but the inputs is left behind: no temporary files either.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 12);
}

#[test]
fn generators_write_reproducible_networks() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = imprint(args, dir.path());
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let report = run(&[
        "network", "generate", "jammed", "--nodes", "64", "--seed", "3", "-o", "a.json",
    ]);
    assert!(
        report.contains("rattlers removed") && report.contains("force balance"),
        "{report}"
    );
    run(&[
        "network", "generate", "jammed", "--nodes", "64", "--seed", "3", "-o", "b.json",
    ]);
    run(&[
        "network", "generate", "jammed", "--nodes", "64", "--seed", "4", "-o", "c.json",
    ]);
    let read = |name: &str| std::fs::read(dir.path().join(name)).unwrap();
    assert_eq!(read("a.json"), read("b.json"));
    assert_ne!(read("a.json"), read("c.json"));
    // New networks get jamming protocol 2 and record it; --protocol 1 gives
    // the packing every version before it made; others are refused.
    let parameters = |name: &str| {
        let network: serde_json::Value = serde_json::from_slice(&read(name)).unwrap();
        network["metadata"]["parameters"]["protocol"].clone()
    };
    assert_eq!(parameters("a.json"), 2);
    run(&[
        "network",
        "generate",
        "jammed",
        "--nodes",
        "64",
        "--seed",
        "3",
        "--protocol",
        "1",
        "-o",
        "first.json",
    ]);
    assert_eq!(parameters("first.json"), 1);
    assert_ne!(read("a.json"), read("first.json"));
    let out = imprint(
        &[
            "network",
            "generate",
            "jammed",
            "--nodes",
            "64",
            "--protocol",
            "3",
            "-o",
            "x.json",
        ],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("protocol"),
        "{stderr}"
    );
    let table = run(&["bench", "jammed", "--sizes", "100", "--protocols", "1,2"]);
    assert!(
        table.contains("| 100 | 1 |") && table.contains("| 100 | 2 |"),
        "{table}"
    );

    run(&[
        "network",
        "generate",
        "square",
        "--columns",
        "4",
        "--rows",
        "3",
        "--conductance",
        "uniform:0.5,2",
        "--seed",
        "7",
        "-o",
        "sq.json",
    ]);
    run(&[
        "network",
        "generate",
        "triangular",
        "--columns",
        "4",
        "--rows",
        "4",
        "--periodic",
        "-o",
        "tri.json",
    ]);
    run(&[
        "network",
        "generate",
        "delaunay",
        "--nodes",
        "50",
        "--coordination",
        "4",
        "-o",
        "del.json",
    ]);
    for (file, edges) in [("sq.json", 17), ("tri.json", 48), ("del.json", 100)] {
        let info = run(&["network", "info", file]);
        assert!(
            info.contains(&format!("edges        {edges}\n")),
            "{file}: {info}"
        );
    }
    let square: serde_json::Value = serde_json::from_slice(&read("sq.json")).unwrap();
    assert_eq!(square["metadata"]["conductance"]["kind"], "uniform");
    assert_eq!(square["metadata"]["seed"], 7);
    let k: Vec<f64> = square["conductance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(k.iter().all(|&k| (0.5..2.0).contains(&k)) && k.windows(2).any(|w| w[0] != w[1]));
}

#[test]
fn literature_import_conductance_and_drawing() {
    let dir = tempfile::tempdir().unwrap();
    let literature = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../imprint/tests/data/networks/data_N00064_Lp0.0100_r1.txt");
    let lit = literature.to_str().unwrap();
    let out = imprint(&["network", "import", lit, "-o", "lit.json"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let info =
        String::from_utf8_lossy(&imprint(&["network", "info", "lit.json"], dir.path()).stdout)
            .into_owned();
    assert!(
        info.contains("nodes        64")
            && info.contains("edges        143")
            && info.contains("periodic     yes, box 7.69803 x 7.69803"),
        "{info}"
    );

    std::fs::write(
        dir.path().join("k.csv"),
        (0..143)
            .map(|e| format!("{}\n", 1.0 + e as f64))
            .collect::<String>(),
    )
    .unwrap();
    assert!(imprint(
        &[
            "network",
            "conductance",
            "lit.json",
            "--from",
            "k.csv",
            "-o",
            "lit-k.json"
        ],
        dir.path()
    )
    .status
    .success());
    let net: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("lit-k.json")).unwrap()).unwrap();
    assert_eq!(net["conductance"][142], 143.0);
    std::fs::write(dir.path().join("short.csv"), "1\n2\n").unwrap();
    let out = imprint(
        &[
            "network",
            "conductance",
            "lit.json",
            "--from",
            "short.csv",
            "-o",
            "bad.json",
        ],
        dir.path(),
    );
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("short.csv: 2 conductances given for 143 edges"));
    assert!(!dir.path().join("bad.json").exists());

    std::fs::write(
        dir.path().join("v.csv"),
        (0..64)
            .map(|n| format!("{}\n", n as f64 / 64.0))
            .collect::<String>(),
    )
    .unwrap();
    let out = imprint(
        &[
            "network",
            "draw",
            "lit-k.json",
            "--node-values",
            "v.csv",
            "--ground",
            "0",
            "--inputs",
            "1,2",
            "--outputs",
            "3",
            "--log-edges",
            "-o",
            "lit.png",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(dir.path().join("lit.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    assert!(imprint(
        &["network", "draw", "lit-k.json", "-o", "lit.svg"],
        dir.path()
    )
    .status
    .success());
    let out = imprint(
        &[
            "network",
            "draw",
            "lit-k.json",
            "--outputs",
            "99",
            "-o",
            "x.png",
        ],
        dir.path(),
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("node 99 does not exist"));
    assert!(!dir.path().join("x.png").exists());
}

#[test]
fn a_solve_double_precision_cannot_resolve_is_refused_unless_asked_for() {
    // Issue 15's circuit: a 1e17 S edge between two free nodes. Exact source
    // currents +-1.615 A; f64 cannot resolve them, and the solve is refused
    // with exit code 3 (issue 30 item 1), or reported with a warning.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("s.csv"),
        "i,j,conductance\n0,1,1\n0,2,2\n1,3,3\n2,3,0.5\n1,2,1e17\n",
    )
    .unwrap();
    let out = imprint(
        &[
            "solve", "s.csv", "--fix", "0=1", "--fix", "3=0", "-o", "s.json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("s.csv: the voltages are not certified: they may be off by up to 5.1e-1 of the largest (the conductances span 2.0e17); --allow-uncertified reports them anyway"),
        "{stderr}"
    );
    assert!(!dir.path().join("s.json").exists());
    let out = imprint(
        &[
            "solve",
            "s.csv",
            "--fix",
            "0=1",
            "--fix",
            "3=0",
            "--allow-uncertified",
        ],
        dir.path(),
    );
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("warning: s.csv: the voltages are not certified"));
    // A well-conditioned circuit: certified, no warning.
    std::fs::write(
        dir.path().join("t.csv"),
        "i,j,conductance\n0,1,1\n0,2,2\n1,3,3\n2,3,0.5\n1,2,4\n",
    )
    .unwrap();
    let out = imprint(
        &["solve", "t.csv", "--fix", "0=1", "--fix", "3=0"],
        dir.path(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && out.stderr.is_empty(), "{stdout}");
    let error: f64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("voltage error"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(error <= 1e-12, "{stdout}");
}

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    // `imprint network info n.json | head -1` panicked on the broken pipe (issue 15).
    use std::io::Read;
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = imprint(
        &[
            "network",
            "generate",
            "square",
            "--columns",
            "30",
            "--rows",
            "30",
            "-o",
            "n.json",
        ],
        d,
    );
    assert!(out.status.success());
    // Close the reading end before the command writes; it must not panic.
    let closed_pipe = |args: &[&str]| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_imprint"))
            .args(args)
            .current_dir(d)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        child.wait().unwrap();
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    };
    closed_pipe(&["sweep", "plan", "--help"]);
    closed_pipe(&["solve", "n.json", "--fix", "0=1", "--fix", "899=0"]);
}
