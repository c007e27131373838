//! Run directories and the training executor: cancellation by a flag,
//! resumption equal to an uninterrupted run, observers, the typed summary,
//! and the analysis report written and read back exactly.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use imprint::analysis::report::{report, StructureOptions};
use imprint::analysis::AnalysisOptions;
use imprint::learning::{builtin, Task};
use imprint::network::lattice;
use imprint::network::Network;
use imprint::run::config::RunConfig;
use imprint::run::{
    create_run, read_analysis, read_checkpoint, read_finished_run, read_run_start, resume_point,
    train_run, write_analysis, Executor, HistoryRecord, Observer, Outcome, RunControl, RunOutcome,
    RunStart,
};

fn problem() -> (Network, Task, RunConfig) {
    let network = lattice::square(7, 7, false).unwrap();
    let options = builtin::BuiltinOptions {
        samples: 12,
        ..Default::default()
    };
    let task = builtin::build("regression-2x2", &network, &options).unwrap();
    let mut config = RunConfig::for_task("regression-2x2", 3).unwrap();
    config.training.iterations = 60;
    config.training.batch_size = 5;
    config.output.record_every = 7;
    config.output.checkpoint_every = 20;
    (network, task, config)
}

/// Counts what the executor reports and stops when told.
#[derive(Default)]
struct Recorder {
    records: Vec<HistoryRecord>,
    steps: usize,
    started_at: Option<usize>,
    stop_at_record: Option<usize>,
}

impl Observer for Recorder {
    fn started(&mut self, step: usize, _last: &HistoryRecord) {
        self.started_at = Some(step);
    }
    fn stepped(&mut self, _step: usize, _total: usize) {
        self.steps += 1;
    }
    fn recorded(&mut self, record: &HistoryRecord, _k: &[f64]) -> ControlFlow<()> {
        self.records.push(*record);
        if self.stop_at_record == Some(self.records.len()) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

#[test]
fn a_cancelled_and_resumed_run_ends_exactly_as_an_uninterrupted_one() {
    let (network, task, config) = problem();
    let mut whole = Executor::new(&network, &task, config.training.clone(), 7).unwrap();
    let mut seen = Recorder::default();
    assert_eq!(whole.run(&mut seen).unwrap(), Outcome::Finished);
    // Records at multiples of 7 and at the last step, after step 0.
    let steps: Vec<usize> = whole.history().iter().map(|r| r.step).collect();
    assert_eq!(steps, [0, 7, 14, 21, 28, 35, 42, 49, 56, 60]);
    assert_eq!(seen.records.len(), 9);
    assert_eq!((seen.steps, seen.started_at), (60, Some(0)));
    assert!(whole.history()[9].cost < 0.5 * whole.history()[0].cost);

    // A raised flag stops after the current iteration.
    let flag = Arc::new(AtomicBool::new(true));
    let mut stopped = Executor::new(&network, &task, config.training.clone(), 7)
        .unwrap()
        .cancel_on(flag.clone());
    assert_eq!(stopped.run(&mut ()).unwrap(), Outcome::Stopped { step: 1 });
    flag.store(false, Ordering::SeqCst);
    // An observer stops it too, at its second record (step 14).
    let mut observer = Recorder {
        stop_at_record: Some(2),
        ..Default::default()
    };
    assert_eq!(
        stopped.run(&mut observer).unwrap(),
        Outcome::Stopped { step: 14 }
    );
    assert_eq!(observer.started_at, Some(1));
    // Resumed from its state (as a checkpoint), it ends bit for bit where the whole run did.
    let mut resumed = Executor::resume(
        &network,
        &task,
        config.training.clone(),
        7,
        stopped.to_checkpoint(),
    )
    .unwrap();
    assert_eq!(resumed.run(&mut ()).unwrap(), Outcome::Finished);
    assert_eq!(resumed.history(), whole.history());
    assert_eq!(
        resumed.to_checkpoint().conductance,
        whole.to_checkpoint().conductance
    );
    assert_eq!(resumed.best(), whole.best());
    assert_eq!(
        resumed.into_network().conductance(),
        whole.kept_network().conductance()
    );
}

#[test]
fn run_directories_checkpoint_resume_and_summarise() {
    let (network, task, config) = problem();
    let dir = tempfile::tempdir().unwrap();
    let start = RunStart {
        config,
        initial: network,
        task,
    };
    create_run(dir.path(), &start.config, &start.initial, &start.task).unwrap();
    let control = RunControl {
        cancel: None,
        stop_after: Some(25),
    };
    let outcome = train_run(dir.path(), &start, None, &control, &mut ()).unwrap();
    assert!(matches!(outcome, RunOutcome::Stopped { step: 25 }));
    let checkpoint = read_checkpoint(dir.path(), &start).unwrap();
    assert_eq!(checkpoint.step, 25);
    assert!(read_finished_run(dir.path())
        .unwrap_err()
        .to_string()
        .contains("not a finished run"));

    let again = read_run_start(dir.path()).unwrap();
    assert_eq!(again.config, start.config);
    let RunOutcome::Finished(summary) = train_run(
        dir.path(),
        &again,
        Some(checkpoint),
        &RunControl::default(),
        &mut (),
    )
    .unwrap() else {
        panic!("the resumed run did not finish");
    };
    let run = read_finished_run(dir.path()).unwrap();
    assert_eq!(summary.iterations, 60);
    // The kept state's voltages are certified by refinement.
    assert!(summary.voltage_error <= 1e-12, "{}", summary.voltage_error);
    assert_eq!(run.history.last().unwrap().cost, summary.final_cost);
    assert_eq!(summary.nodes, 49);
    // The summary's worst output error is that of the outputs of the trained network.
    let problem = imprint::learning::TaskCircuit::new(&run.trained, &run.task).unwrap();
    let (evaluation, outputs) = problem
        .evaluate_with_outputs(run.trained.conductance())
        .unwrap();
    // network.json holds the best recorded state (the default `keep`).
    assert_eq!(evaluation.cost, summary.best_cost);
    assert_eq!(
        summary.cost_reduction,
        Some(summary.initial_cost / summary.best_cost)
    );
    assert!(run.history.iter().all(|r| r.cost >= summary.best_cost));
    let worst = outputs
        .iter()
        .zip(&run.task.targets)
        .flat_map(|(y, t)| y.iter().zip(t).map(|(y, t)| (y - t).abs() / t.abs()))
        .fold(0.0, f64::max);
    assert!((summary.largest_relative_output_error.unwrap() - worst).abs() <= 1e-15 * worst);
}

#[test]
fn a_run_stopped_before_its_first_checkpoint_begins_again_and_bad_checkpoints_are_refused() {
    let (network, task, config) = problem();
    let dir = tempfile::tempdir().unwrap();
    let start = RunStart {
        config,
        initial: network,
        task,
    };
    // Killed before the first checkpoint: the start files and a stale
    // temporary of an interrupted write.
    create_run(dir.path(), &start.config, &start.initial, &start.task).unwrap();
    let stale = dir.path().join(".checkpoint.json.4242.tmp");
    std::fs::write(&stale, "{\"format\": \"imprint-checkp").unwrap();
    let (again, checkpoint) = resume_point(dir.path()).unwrap();
    assert!(checkpoint.is_none() && !stale.exists());
    let RunOutcome::Finished(resumed) =
        train_run(dir.path(), &again, None, &RunControl::default(), &mut ()).unwrap()
    else {
        panic!("the restarted run did not finish");
    };
    let whole = tempfile::tempdir().unwrap();
    create_run(whole.path(), &start.config, &start.initial, &start.task).unwrap();
    let RunOutcome::Finished(uninterrupted) =
        train_run(whole.path(), &start, None, &RunControl::default(), &mut ()).unwrap()
    else {
        panic!("the uninterrupted run did not finish");
    };
    assert_eq!(resumed.best_cost, uninterrupted.best_cost);
    // A finished run and a folder that is not a run are refused.
    let finished = resume_point(dir.path()).unwrap_err().to_string();
    assert!(finished.contains("the run is finished"), "{finished}");
    let empty = tempfile::tempdir().unwrap();
    let error = resume_point(empty.path()).unwrap_err().to_string();
    assert!(error.contains("not a run directory"), "{error}");

    // A checkpoint is validated like any input, naming checkpoint.json.
    let dir = tempfile::tempdir().unwrap();
    create_run(dir.path(), &start.config, &start.initial, &start.task).unwrap();
    let control = RunControl {
        cancel: None,
        stop_after: Some(20),
    };
    train_run(dir.path(), &start, None, &control, &mut ()).unwrap();
    let path = dir.path().join("checkpoint.json");
    let good: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    type Corruption<'a> = &'a dyn Fn(&mut serde_json::Value);
    let cases: [(Corruption, &str); 4] = [
        (
            &|c| c["conductance"][3] = (-1.0).into(),
            "`conductance` of edge 3 is -1, outside the clip range [0.001, 100]",
        ),
        (
            &|c| c["step"] = 61.into(),
            "step 61 is beyond the run's 60 iterations",
        ),
        (
            &|c| {
                c["conductance"].as_array_mut().unwrap().pop();
            },
            "`conductance` has 83 values but the network has 84 edges",
        ),
        (&|c| c["step"] = "x".into(), "invalid type: string"),
    ];
    for (corrupt, expected) in cases {
        let mut bad = good.clone();
        corrupt(&mut bad);
        std::fs::write(&path, bad.to_string()).unwrap();
        let error = resume_point(dir.path()).unwrap_err().to_string();
        assert!(error.contains("checkpoint.json"), "{error}");
        assert!(error.contains(expected), "{error:?} lacks {expected:?}");
    }
}

#[test]
fn an_analysis_report_reads_back_exactly() {
    let (network, task, _) = problem();
    let mut trained = network.clone();
    let k: Vec<f64> = (0..network.edge_count())
        .map(|e| 0.5 + (e % 5) as f64 * 0.3)
        .collect();
    trained.set_conductance(k).unwrap();
    let structure = StructureOptions {
        sample: 2,
        ..Default::default()
    };
    let written = report(
        &trained,
        Some(&network),
        &task,
        &AnalysisOptions::default(),
        &structure,
        Some(vec![1.0; network.edge_count()]),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    write_analysis(dir.path(), &written).unwrap();
    // Written again over itself: the pair is replaced as one, nothing left beside it.
    write_analysis(dir.path(), &written).unwrap();
    let parent = dir.path().parent().unwrap();
    let name = dir
        .path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let leftovers = std::fs::read_dir(parent)
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!(".{name}."))
        })
        .count();
    assert_eq!(leftovers, 0);
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["analysis.npz", "summary.json"]);
    // A run directory (or any folder of other files) is never written over.
    let run_dir = tempfile::tempdir().unwrap();
    std::fs::write(run_dir.path().join("config.toml"), "seed = 1\n").unwrap();
    std::fs::write(run_dir.path().join("summary.json"), "{}").unwrap();
    let error = write_analysis(run_dir.path(), &written)
        .unwrap_err()
        .to_string();
    assert!(error.contains("is a run directory"), "{error}");
    assert_eq!(
        std::fs::read_to_string(run_dir.path().join("summary.json")).unwrap(),
        "{}"
    );
    // A file where the folder should be is refused, not moved aside.
    let file = run_dir.path().join("notes.txt");
    std::fs::write(&file, "mine").unwrap();
    let error = write_analysis(&file, &written).unwrap_err().to_string();
    assert!(error.contains("is a file, not a folder"), "{error}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    let read = read_analysis(dir.path()).unwrap();
    assert_eq!(read.arrays(), written.arrays());
    // (A constant measurement has NaN correlations: written as null, read as NaN.)
    let text = |s| serde_json::to_string(s).unwrap();
    assert_eq!(text(&read.summary), text(&written.summary));
    assert!(read.summary.measured.unwrap().pearson.is_nan());
    assert_eq!(read.structure, written.structure);
    // Every name appears once; scalars are 0-dimensional.
    let arrays = written.arrays();
    let mut names: Vec<&str> = arrays.iter().map(|a| a.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), arrays.len());
    for name in [
        "sample_voltages",
        "sector_labels",
        "sector_boundary",
        "sector_cut",
        "sector_diagram",
        "partial_susceptibility_norm",
        "walls_and_corridors",
        "initial_cost_hessian_eigenvalues",
        "measured_susceptibility",
    ] {
        assert!(names.contains(&name), "{name}");
    }
    assert!(arrays
        .iter()
        .any(|a| a.name == "stiff_mode_count" && a.shape.is_empty()));
    // A sample the task does not have is refused, naming the field.
    let bad = StructureOptions {
        sample: 99,
        ..Default::default()
    };
    let error = report(
        &trained,
        None,
        &task,
        &AnalysisOptions::default(),
        &bad,
        None,
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        error,
        "invalid `sample`: 99: the task has 12 samples (0 to 11)"
    );
}
