//! `imprint plot`, the sector report of `imprint analyze`, and
//! `imprint reproduce --quick` end to end.

mod common;

use common::*;

use std::path::Path;

/// Width and height of a PNG file, from its IHDR chunk.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(&bytes[1..4], b"PNG", "{} is not a PNG", path.display());
    let word =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    (word(16), word(20))
}

fn train(dir: &Path, task: &str, iterations: &str, out: &str) {
    let result = imprint(
        &[
            "train",
            "--task",
            task,
            "--iterations",
            iterations,
            "--quiet",
            "-o",
            out,
        ],
        dir,
    );
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
}

#[test]
fn plot_draws_every_figure_of_a_classification_run() {
    let dir = tempfile::tempdir().unwrap();
    train(dir.path(), "classification-3", "1500", "run");
    let out = imprint(&["plot", "run", "--format", "both"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in [
        "network-susceptibility",
        "network-stiff-weight",
        "network-conductance",
        "cost-hessian-spectrum",
        "scatter",
        "partial-susceptibility",
        "fields",
        "sectors",
        "training",
        "decision-regions",
    ] {
        let png = dir.path().join(format!("run/figures/{name}.png"));
        let (w, h) = png_size(&png);
        assert!(w >= 1000 && h >= 700, "{name}: {w} x {h}");
        let svg =
            std::fs::read_to_string(dir.path().join(format!("run/figures/{name}.svg"))).unwrap();
        assert!(svg.starts_with("<svg"), "{name}.svg");
    }
    // The figures carry their labels: the decision regions name the input nodes,
    // the training curves show accuracy, the spectrum counts the stiff modes.
    let read = |name: &str| {
        std::fs::read_to_string(dir.path().join(format!("run/figures/{name}.svg"))).unwrap()
    };
    assert!(read("decision-regions").contains("voltage at node"));
    assert!(read("training").contains("accuracy (%)"));
    assert!(read("cost-hessian-spectrum").contains("stiff modes after training"));
    assert!(read("sectors").contains("persistence diagram"));
    assert!(read("sectors").contains("kept death edges"));
    assert!(read("network-susceptibility").contains("from H_g"));

    // Bad requests name what is wrong in one line.
    assert_fails(
        &["plot", "run", "--sample", "999"],
        dir.path(),
        "--sample 999: the task has 120 samples",
    );
    assert_fails(
        &["plot", "run", "--top-share", "0"],
        dir.path(),
        "--top-share 0 must lie in (0, 1]",
    );
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    assert_fails(
        &["plot", "empty"],
        dir.path(),
        "empty: not a run directory (no config.toml",
    );
}

#[test]
fn analyze_reports_sectors_and_their_overlap_with_susceptible_edges() {
    let dir = tempfile::tempdir().unwrap();
    train(dir.path(), "allostery", "20000", "run");
    let out = imprint(&["analyze", "run", "--roles", "all"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("persistent sectors"), "{stdout}");
    let summary = json(&dir.path().join("run/analysis/summary.json"));
    assert_eq!(summary["boundary"], "ground");
    let sectors = &summary["sectors"];
    assert_eq!(sectors["roles"], "all");
    // Three target edges: six role nodes, fifteen pairs, all separated.
    assert_eq!(sectors["role_pairs"], 15);
    assert_eq!(sectors["inseparable"], 0);
    assert!(sectors["sectors"].as_u64().unwrap() >= 2);
    // The trained allosteric network's most susceptible edges trace the cut
    // set of its sectors (the default role mode: each target edge's ends
    // kept apart) well above chance, and chi ranks cut edges above the others.
    let out = imprint(&["analyze", "run"], dir.path());
    assert!(out.status.success());
    let summary = json(&dir.path().join("run/analysis/summary.json"));
    let sectors = &summary["sectors"];
    assert_eq!(sectors["roles"], "per-edge");
    let cut = &sectors["cut"];
    let (overlap, chance) = (
        cut["overlap"].as_f64().unwrap(),
        cut["chance"].as_f64().unwrap(),
    );
    assert!(overlap > 2.0 * chance, "{cut}");
    assert!(cut["auc"].as_f64().unwrap() > 0.7, "{cut}");
    assert!(
        (overlap - cut["top_in_set"].as_f64().unwrap() / cut["edges"].as_f64().unwrap()).abs()
            < 1e-15
    );
    assert_fails(
        &["analyze", "run", "--roles", "some"],
        dir.path(),
        "invalid value 'some' for '--roles <ROLES>' [possible values: per-edge, all]",
    );
}

#[test]
fn a_uniform_initial_conductance_in_a_config_replaces_the_constant_default() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("run.toml"),
        "[task]\nname = \"regression-2x2\"\n[network.conductance]\nkind = \"uniform\"\nmin = 0.5\nmax = 1.5\n",
    )
    .unwrap();
    let out = imprint(
        &[
            "train",
            "run.toml",
            "--iterations",
            "10",
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
    let initial = json(&dir.path().join("run/network-initial.json"));
    let k: Vec<f64> = initial["conductance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(k.iter().all(|&k| (0.5..1.5).contains(&k)));
    assert!(k.iter().any(|&k| (k - 1.0).abs() > 0.1));
}

#[test]
fn reproduce_quick_writes_a_report_whose_every_claim_has_a_number_and_a_verdict() {
    let dir = tempfile::tempdir().unwrap();
    // Two seeds: the second is trained and analysed, not drawn.
    let out = imprint(
        &["reproduce", "--quick", "--seeds", "2", "--out", "repro"],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Two networks, 2 x 19 runs (15 and the four second-order task runs),
    // the report; an estimate once a run is done.
    assert!(stderr.contains("[41/41]"), "progress lines: {stderr}");
    assert!(stderr.contains("s left)"), "progress lines: {stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Every claim has its line over the seeds (held on some, or not judged).
    assert_eq!(
        stdout.matches("over seeds: holds on ").count()
            + stdout.matches("over seeds: not judged on any seed").count(),
        8,
        "{stdout}"
    );
    assert!(
        stdout.starts_with("5 of 12 runs of seed 1 learned their task"),
        "{stdout}"
    );
    let root = dir.path().join("repro");
    // Issue 30: at most 40 MB (it wrote 84 MB). Arrays without the E x E
    // cost Hessians, figures for the runs the report shows.
    let bytes = imprint::io::folder_bytes(&root);
    assert!(bytes < 40_000_000, "{bytes} bytes written");
    assert!(root
        .join("runs/regression-2x2/figures/matrices.png")
        .exists());
    assert!(!root.join("runs/initial-1/figures").exists());
    let arrays = imprint::io::read_npz(&root.join("runs/initial-1/analysis/analysis.npz")).unwrap();
    let names: Vec<&str> = arrays.iter().map(|a| a.name.as_str()).collect();
    assert!(names.contains(&"susceptibility_vectors") && !names.contains(&"cost_hessian"));
    let claims = json(&root.join("claims.json"));
    let list = claims["claims"].as_array().unwrap();
    let ids: Vec<&str> = list.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["6.1", "6.2", "6.3", "6.4a", "6.4b", "6.5", "E", "I"]);
    for c in list {
        assert!(c["holds"].is_boolean());
        assert!(!c["criterion"].as_str().unwrap().is_empty());
    }
    // The numbers a judged claim quotes are its runs' metrics (the pytest
    // test_claims_independent.py recomputes those from the run files).
    let runs = claims["runs"].as_array().unwrap();
    let metric = |id: &str, field: &str| {
        runs.iter().find(|r| r["id"] == id).unwrap()[field]
            .as_f64()
            .unwrap()
    };
    let quoted = |claim: &str| -> String {
        let c = list.iter().find(|c| c["id"] == claim).unwrap();
        assert_eq!(c["judged"], true, "{claim} is judged on seed 1");
        c["measured"].as_str().unwrap().to_string()
    };
    // 6.2 quotes "id rho" and 6.4b "id share % (all edges share %)" for
    // each run it judged; 6.2 holds when every quoted rho is positive.
    let (spearman, shares) = (quoted("6.2"), quoted("6.4b"));
    let mut quoted_runs = 0;
    for segment in spearman.split(", ") {
        let (id, rho) = segment.rsplit_once(' ').unwrap();
        assert_eq!(
            rho,
            format!("{:+.2}", metric(id, "spearman_stiff")),
            "{segment}"
        );
        let share = 100.0 * metric(id, "top_low_relative");
        let all = 100.0 * metric(id, "all_low_relative");
        assert!(
            shares.contains(&format!("{id} {share:.0} % (all edges {all:.0} %)")),
            "{id}: {shares}"
        );
        quoted_runs += 1;
    }
    assert!(quoted_runs >= 1);
    let holds = |id: &str| list.iter().find(|c| c["id"] == id).unwrap()["holds"] == true;
    assert_eq!(
        holds("6.2"),
        spearman
            .split(", ")
            .all(|s| !s.rsplit_once(' ').unwrap().1.starts_with('-'))
    );
    assert_eq!(claims["runs"].as_array().unwrap().len(), 19);
    // Each task trained by both rules, compared (claim I).
    let pairs = claims["second_order"].as_array().unwrap();
    assert_eq!(pairs.len(), 4);
    for p in pairs {
        let rho = p["spearman_chi"].as_f64().unwrap();
        assert!((-1.0..=1.0).contains(&rho), "{p}");
    }
    assert_eq!(claims["quick"], true);
    // The second seed: its own network and runs, and every claim over both.
    let other = &claims["other_seeds"][0];
    assert_eq!(other["seed"], 2);
    assert_eq!(other["runs"].as_array().unwrap().len(), 19);
    assert!(root.join("runs/seed-2/network.json").exists());
    // Judged, not drawn, and its arrays left to `imprint analyze`.
    assert!(root.join("runs/seed-2/allostery/summary.json").exists());
    assert!(!root.join("runs/seed-2/allostery/analysis").exists());
    assert!(!root.join("runs/seed-2/allostery/figures").exists());
    // A seed judges a claim only when one of its runs learned (issue 26).
    let mut judged_on_second = 0;
    for (c, over) in list.iter().zip(claims["spread"].as_array().unwrap()) {
        assert_eq!(over["id"], c["id"]);
        let second = other["claims"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == c["id"])
            .unwrap();
        let mut judged = Vec::new();
        for (seed, claim) in [(1, c), (2, second)] {
            if claim["judged"] == true {
                judged.push(seed);
                let at = judged.len() - 1;
                assert_eq!(over["holds"][at], claim["holds"]);
                assert_eq!(over["measured"][at], claim["measured"]);
            } else {
                assert_eq!(claim["holds"], false, "a claim not judged does not hold");
                assert!(!claim["excluded_runs"].as_array().unwrap().is_empty());
            }
        }
        judged_on_second += usize::from(second["judged"] == true);
        assert_eq!(over["seeds"], serde_json::json!(judged));
    }
    // The regression fixture: claims.json as it was before the science moved
    // into the library (issue 11), equal apart from timings; the second
    // seed's entries added when `--seeds` came (seed 1's numbers unchanged);
    // regenerated when free states became superpositions (issue 17): the
    // states change at the 1e-15 level, which the long training runs carry
    // to ~1e-4 in the correlations and a few sector pairs; every verdict,
    // on both seeds, is unchanged. Regenerated again when the updates became
    // quadratic forms of the superposition and the clamp a Cholesky solve
    // (issue 17): the same size of change (208 numbers, sector pair counts
    // by up to 5), every verdict on both seeds unchanged.
    // Regenerated when claims came to be judged on learned runs only
    // (issue 26): every number is unchanged; on seed 1, where no task or
    // Fig. 8 run of the quick reproduction learned (all on a plateau), claims
    // 6.1 to 6.5 went from judged (6.3 and 6.5 failing, the others holding)
    // to not judged; on seed 2, 6.4a (failing before) is not judged (its
    // three judged conditions did not learn); E holds on both.
    // Regenerated when kept factors came to precondition conjugate
    // gradients (issue 29 item 2): the states of one converged run (seed 2,
    // weak-0.1, final cost 3e-33) change at the last digits, carried to
    // its stiff-mode correlation (0.666301 -> 0.666283) and its sector
    // pairs (40 -> 39, cancelled 38 -> 37); every other number and every
    // verdict unchanged.
    // Regenerated again when each task was also trained by the
    // second-order trainer (issue 26 item 5): four runs and claim I added
    // per seed, nothing else changed.
    // Regenerated again when the Fig. 8 conditions got their own draws
    // (issue 26 item 6): only the initial-N runs' numbers changed (initial
    // costs 0.0501, 0.0451, 0.0464, 0.0465 where the three peaked ones were
    // equal; rho(chi, k) -0.63, -0.55, -0.12, -0.16), and training statuses
    // read `stalled` where they read `plateau`; no verdict moved.
    // Regenerated again when a classification's best state became its most
    // accurate one (then the cheapest; issue 26): the classification runs
    // keep another state (seed 1 Coupled Learning: 100 % instead of 98.3 %
    // training accuracy, cost 0.131 instead of 0.092; both seeds'
    // second-order classification runs). Seed 1's 6.1, 6.2, 6.3 and 6.4b
    // went from not judged to holding (judged on classification-3, now
    // learned); seed 2's I went from holding to failing (classification
    // now judged there, rho(chi_CL, chi_LM) +0.08).
    // Regenerated again when the second-order trainer's classification
    // went on to its decision margins where the cosine cost stopped short
    // of every training sample (issue 26): seed 1's second-order
    // classification run went from `unrealisable` at 95 % to `converged`
    // at 100 % (from the initial network, kept cost 0.747 instead of
    // 0.153), so claim I is judged on seed 1 (classification rho +0.66,
    // top-5 % overlap 0 %: fails, as it failed unjudged) and its
    // second-order verdicts read holds, holds, does not hold, holds where
    // they were not judged; seed 2's run reads `converged` for
    // `unrealisable` (its state classified every sample already). No other
    // number moved.
    // Regenerated again when a second-order regression that stops short
    // or crawls started again from spread initial conductances (issue 26):
    // only seed 2's second-order regression-2x5 run moved (on the quick
    // reproduction's 150 disks every path is stationary: still
    // `unrealisable`, kept cost 3.9e-4 instead of 1.28e-3, and its
    // analysis with it); claim I's regression-2x5 entry on seed 2 reads
    // rho +0.06 and overlap 37 % (not judged, as before). No verdict moved.
    // A change that alters the numbers on purpose regenerates it with
    // `imprint reproduce --quick --seeds 2 --out DIR` and says why.
    let fixture =
        json(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/claims-reproduce-quick.json"));
    assert_same_apart_from_timings(&claims, &fixture, "claims.json");

    // The report names every claim, with its verdict on the first seed and
    // over both, and every image it shows exists.
    let html = std::fs::read_to_string(root.join("index.html")).unwrap();
    assert_eq!(
        html.matches("<td class=\"holds\">").count() + html.matches("<td class=\"fails\">").count(),
        16
    );
    assert_eq!(html.matches("<li>seed 2: ").count(), judged_on_second);
    assert!(html.contains("runs learned their task</b>"));
    let sources: Vec<&str> = html
        .split("<img src=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    assert!(sources.len() >= 30, "{} images", sources.len());
    for src in &sources {
        let (w, h) = png_size(&root.join(src));
        assert!(w > 500 && h > 500, "{src}: {w} x {h}");
    }
    // Every run directory can be plotted again and analysed again.
    assert!(root.join("runs/allostery/analysis/summary.json").exists());
    assert!(root.join("runs/initial-4/config.toml").exists());

    // A second reproduction into the same folder must be asked for.
    assert_fails(
        &["reproduce", "--quick", "--out", "repro"],
        dir.path(),
        "already holds a reproduction",
    );
}

/// Asserts that two JSON values agree, numbers to 1e-9 relative, apart from
/// fields whose name mentions seconds.
fn assert_same_apart_from_timings(a: &serde_json::Value, b: &serde_json::Value, at: &str) {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys = |m: &serde_json::Map<String, Value>| -> Vec<String> {
                m.keys()
                    .filter(|k| !k.contains("seconds"))
                    .cloned()
                    .collect()
            };
            assert_eq!(keys(x), keys(y), "{at}: fields");
            for k in keys(x) {
                assert_same_apart_from_timings(&x[&k], &y[&k], &format!("{at}.{k}"));
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{at}: length");
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                assert_same_apart_from_timings(u, v, &format!("{at}[{i}]"));
            }
        }
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!(
                (x - y).abs() <= 1e-9 * x.abs().max(y.abs()),
                "{at}: {x} against the fixture's {y}"
            );
        }
        _ => assert_eq!(a, b, "{at}"),
    }
}
