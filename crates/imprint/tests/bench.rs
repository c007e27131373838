//! `imprint bench learned`'s measurement (issue 29 item 5): a run stops at
//! the first check that finds it learned, and a run out of time is reported
//! as such. (Timings themselves are never asserted.)

use imprint::bench::{time_to_learned, CHECK_EVERY};
use imprint::io::read_jammed_text;
use imprint::learning::RuleKind;
use imprint::run::config::{NetworkConfig, RunConfig};

fn config(folder: &std::path::Path, task: &str) -> RunConfig {
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/networks/data_N00064_Lp0.0100_r1.txt");
    let network = read_jammed_text(&source, 1.0).unwrap();
    let path = folder.join("net.json");
    imprint::io::write_network(&path, &network).unwrap();
    let mut config = RunConfig::for_task(task, 1).unwrap();
    config.network = NetworkConfig::file(&path, 1);
    config
}

#[test]
fn a_run_stops_once_it_has_learned_or_is_out_of_time() {
    let folder = tempfile::tempdir().unwrap();
    // The second-order trainer: learned, and said so.
    let lm = time_to_learned(
        "lit",
        config(folder.path(), "regression-2x2"),
        RuleKind::LevenbergMarquardt,
        600.0,
    )
    .unwrap();
    assert!(lm.learned && lm.short.is_none(), "{lm:?}");
    assert_eq!((lm.nodes, lm.task.as_str()), (64, "regression-2x2"));
    // Classification: learned at 100 % training accuracy.
    let class = time_to_learned(
        "lit",
        config(folder.path(), "classification-3"),
        RuleKind::LevenbergMarquardt,
        600.0,
    )
    .unwrap();
    assert!(class.learned, "{class:?}");
    // No time at all: the first check stops Coupled Learning, not learned.
    let cl = time_to_learned(
        "lit",
        config(folder.path(), "regression-2x2"),
        RuleKind::CoupledLearning,
        0.0,
    )
    .unwrap();
    assert!(!cl.learned, "{cl:?}");
    assert_eq!(cl.short, Some("time limit"));
    assert_eq!(cl.iterations, CHECK_EVERY);
    assert!(cl.row().contains("no (time limit)"));
}
