//! Fuzzing every parser (issue 15): valid seed files of each format are
//! mutated (bytes flipped, inserted and deleted, lines repeated and cut,
//! numbers swapped for extreme tokens: huge counts, `nan`, `1e308`, `-1`,
//! byte-order marks, quotes) and parsed. A parser may refuse any input but
//! must not panic, abort on an allocation, or hang.
//!
//! Every seed file must parse: a fuzzer whose seeds are refused explores
//! nothing but the parser's first check. Every case comes from a recorded
//! seed, and the budget is a corpus size, not the wall clock, so a run
//! fuzzes the same inputs on any machine: each parser's own count (about a
//! second here), times `IMPRINT_FUZZ_SCALE` (default 1; `.ci/run` gives
//! 10). A failing input is written to `target/fuzz-failures/` and named in
//! the panic message.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use imprint::analysis::measure::ResponseMatrix;
use imprint::io;
use imprint::random::Rng;
use imprint::run::config::Overrides;
use imprint::run::config::RunConfig;
use imprint::run::{parse_history, Checkpoint};

/// Tokens that broke parsers before, or could.
const EXTREMES: [&str; 20] = [
    "0",
    "-1",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "-inf",
    "5e-324",
    "1000000000000",
    "1152921504606846976",
    "2305843009213693957",
    "18446744073709551615",
    "99999999999999999999999",
    "0.0",
    "",
    "\u{feff}",
    "\"0\"",
    "O",
    "1e-320",
    "[]",
];

/// One mutation of `input`.
fn mutate(input: &mut Vec<u8>, rng: &mut Rng) {
    let pick = |rng: &mut Rng, n: usize| (rng.uniform() * n as f64) as usize % n.max(1);
    match pick(rng, 7) {
        0 if !input.is_empty() => {
            let at = pick(rng, input.len());
            input[at] ^= 1 << pick(rng, 8);
        }
        1 => {
            let at = pick(rng, input.len() + 1);
            let byte = pick(rng, 256) as u8;
            input.insert(at, byte);
        }
        2 if !input.is_empty() => {
            let at = pick(rng, input.len());
            let end = (at + 1 + pick(rng, 16)).min(input.len());
            input.drain(at..end);
        }
        3 => {
            // Repeat a line.
            let text = String::from_utf8_lossy(input).into_owned();
            let lines: Vec<&str> = text.split_inclusive('\n').collect();
            if !lines.is_empty() {
                let line = lines[pick(rng, lines.len())].to_string();
                let at = pick(rng, lines.len() + 1);
                let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
                out.insert(at, line);
                *input = out.concat().into_bytes();
            }
        }
        4 => {
            let at = pick(rng, input.len() + 1);
            input.truncate(at);
        }
        _ => {
            // Swap a number (a run of digits, signs, dots, exponents) for an extreme token.
            let numeric = |b: u8| b.is_ascii_digit() || b"+-.eE".contains(&b);
            let starts: Vec<usize> = (0..input.len())
                .filter(|&i| numeric(input[i]) && (i == 0 || !numeric(input[i - 1])))
                .collect();
            let token = EXTREMES[pick(rng, EXTREMES.len())].as_bytes();
            if starts.is_empty() {
                let at = pick(rng, input.len() + 1);
                input.splice(at..at, token.iter().copied());
            } else {
                let start = starts[pick(rng, starts.len())];
                let end = (start..input.len())
                    .find(|&i| !numeric(input[i]))
                    .unwrap_or(input.len());
                input.splice(start..end, token.iter().copied());
            }
        }
    }
}

/// Checks that every seed parses, then runs `parse` on `cases` (times
/// `IMPRINT_FUZZ_SCALE`) mutations of them, in a thread so that a hang
/// fails the test instead of stalling it.
fn fuzz(
    name: &'static str,
    seeds: Vec<Vec<u8>>,
    cases: usize,
    parse: fn(&[u8]) -> Result<(), String>,
) {
    for (i, seed) in seeds.iter().enumerate() {
        if let Err(error) = parse(seed) {
            panic!("{name}: seed input {i} does not parse: {error}");
        }
    }
    let scale: usize = std::env::var("IMPRINT_FUZZ_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let budget = cases * scale;
    let (done, finished) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        // One recorded seed per parser: the name's bytes.
        let seed = name
            .bytes()
            .fold(15_u64, |h, b| h.wrapping_mul(31) ^ b as u64);
        let mut rng = Rng::new(seed);
        let mut cases = 0_usize;
        while cases < budget {
            let mut current = seeds[cases % seeds.len()].clone();
            for _ in 0..1 + (rng.uniform() * 4.0) as usize {
                mutate(&mut current, &mut rng);
            }
            let _ = done.send((cases, current.clone()));
            if catch_unwind(AssertUnwindSafe(|| drop(parse(&current)))).is_err() {
                let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures");
                std::fs::create_dir_all(&dir).unwrap();
                let file = dir.join(format!("{name}-{cases}"));
                std::fs::write(&file, &current).unwrap();
                panic!(
                    "{name}: case {cases} (seed {seed}) panicked on {}",
                    file.display()
                );
            }
            cases += 1;
        }
        cases
    });
    // Each case must finish within 10 s (plus the budget overall).
    let mut last = None;
    loop {
        match finished.recv_timeout(Duration::from_secs(10)) {
            Ok(case) => last = Some(case),
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let (case, input) = last.unwrap_or((0, Vec::new()));
                let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures");
                std::fs::create_dir_all(&dir).unwrap();
                let file = dir.join(format!("{name}-{case}-hang"));
                std::fs::write(&file, input).unwrap();
                panic!("{name}: case {case} hangs; input in {}", file.display());
            }
        }
    }
    let cases = worker
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
    assert_eq!(cases, budget, "{name}: the corpus ran short");
    eprintln!("{name}: {cases} mutated inputs, no panic");
}

/// A parse's outcome, its error as text.
fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> Result<(), String> {
    result.map(drop).map_err(|e| e.to_string())
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn p() -> &'static Path {
    Path::new("fuzzed")
}

fn small_network() -> imprint::network::Network {
    imprint::network::lattice::square(4, 4, false).unwrap()
}

fn seed_task() -> Vec<u8> {
    let options = imprint::learning::builtin::BuiltinOptions {
        samples: 3,
        ..Default::default()
    };
    let task =
        imprint::learning::builtin::build("regression-2x2", &small_network(), &options).unwrap();
    io::task_to_json(&task).into_bytes()
}

#[test]
fn fuzz_edge_lists() {
    fuzz(
        "edge-list",
        vec![
            b"i,j,conductance\n0,1,2.5\n1,2,0.5 # c\n2,0,1\n".to_vec(),
            b"\xef\xbb\xbf0,1\n1,2\n".to_vec(),
        ],
        400_000,
        |b| ok(io::parse_edge_list(&text(b), p())),
    );
}

#[test]
fn fuzz_literature_networks() {
    fuzz(
        "literature",
        vec![b"3 3 10\n0.5 5\n9.5 5\n5 5\n0 1\n1 2\n2 0\n".to_vec()],
        400_000,
        |b| ok(io::parse_jammed_text(&text(b), p(), 1.0)),
    );
}

#[test]
fn fuzz_network_json() {
    let seed = io::network_to_json(&small_network()).into_bytes();
    fuzz("network-json", vec![seed], 100_000, |b| {
        ok(io::parse_network(&text(b), p()))
    });
}

#[test]
fn fuzz_npy_and_npz() {
    let npy = io::npy_bytes(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    fuzz("npy", vec![npy.clone()], 400_000, |b| {
        ok(io::parse_npy_array(b, p()))
    });
    let arrays = vec![io::NpyArray {
        name: "chi".into(),
        shape: vec![6],
        values: vec![1.0; 6],
    }];
    let npz = io::npz_bytes(&arrays);
    fuzz("npz", vec![npz], 400_000, |b| ok(io::parse_npz(b, p())));
}

#[test]
fn fuzz_tables_values_and_measurements() {
    fuzz(
        "table",
        vec![b"x1,x2,y\n0.1,0.2,0.3\n0.4 0.5 0.6\n".to_vec()],
        400_000,
        |b| ok(io::parse_table(&text(b), p())),
    );
    fuzz(
        "values",
        vec![b"value\n1\n2.5 # c\n3\n".to_vec()],
        400_000,
        |b| ok(io::parse_text_values(&text(b), p())),
    );
    fuzz(
        "measurement",
        vec![b"stimulus,e0,e1,e2\ncurrent@0,1,2,3\nvoltage@3,0.5,-1e-3,2\n".to_vec()],
        400_000,
        |b| ok(ResponseMatrix::parse_csv(&text(b), p(), 4, 3, &[3])),
    );
}

#[test]
fn fuzz_task_files_and_checkpoints() {
    fuzz("task-json", vec![seed_task()], 100_000, |b| {
        ok(io::parse_task(&text(b), p()))
    });
    let checkpoint = br#"{"format": "imprint-checkpoint", "version": 2, "step": 20, "wall_time_seconds": 0.1, "conductance": [1.0, 0.5, 2.0], "history": [{"step": 0, "cost": 0.1, "learning_rate": 100.0, "accuracy": null}], "rate_estimate": null, "best": {"step": 0, "cost": 0.1, "conductance": [1.0, 1.0, 1.0]}, "converged_at": null}"#;
    fuzz("checkpoint", vec![checkpoint.to_vec()], 200_000, |b| {
        ok(serde_json::from_str::<Checkpoint>(&text(b)))
    });
    fuzz(
        "history",
        vec![b"step,cost,learning_rate\n0,0.1,100\n10,0.01,100\n".to_vec()],
        400_000,
        |b| ok(parse_history(&text(b), p())),
    );
}

#[test]
fn fuzz_run_configurations() {
    let seeds = vec![
        b"seed = 7\n[network]\ngenerator = \"jammed\"\nnodes = 64\npressure = 0.01\n[task]\nname = \"allostery\"\ntarget_edges = 2\n[training]\niterations = 5\n".to_vec(),
        b"[task]\nname = \"custom\"\ngrounds = [0]\ninputs = [1, 2]\noutputs = [3]\ncoefficients = [[0.2, 0.3]]\nsamples = 10\ninput_range = [0.0, 1.0]\n".to_vec(),
        b"[network.conductance]\nkind = \"log-uniform\"\nmin = 0.1\nmax = 10\n[training.rule]\nkind = \"coupled-learning\"\nlearning_rate = \"auto\"\nnudge = 0.1\n".to_vec(),
    ];
    fuzz("config", seeds, 30_000, |b| {
        // Resolve, then build what a run would (small networks only, so
        // that a valid mutation does not generate for minutes).
        let config = RunConfig::resolve(Some(&text(b)), "c.toml", &Overrides::default())
            .map_err(|e| e.to_string())?;
        let nodes = config.network.spec().and_then(|spec| spec.node_count());
        if nodes.is_some_and(|n| n <= 100) {
            let network = config.build_network().map_err(|e| e.to_string())?;
            ok(config.build_task(&network, None))?;
        }
        Ok(())
    });
    fuzz(
        "conductance-spec",
        vec![b"log-uniform:0.1,10".to_vec(), b"constant:2".to_vec()],
        400_000,
        |b| {
            let spec = text(b)
                .parse::<imprint::network::conductance::InitialConductance>()
                .map_err(|e| e.to_string())?;
            ok(spec.sample(10, 1))
        },
    );
}

#[test]
fn fuzz_sweep_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sweep.toml");
    std::fs::write(&path, "").unwrap();
    let seed = b"[base]\n[base.training]\niterations = 5\n[axes]\nseed = \"1..3\"\n\"task.name\" = [\"regression-2x2\", \"allostery\"]\n[sweep]\nanalyze = false\n".to_vec();
    // The plan is made from a file: each case rewrites it (thread-local path).
    SWEEP_PATH.set(path).ok();
    fuzz("sweep", vec![seed], 5_000, |b| {
        let path = SWEEP_PATH.get().unwrap();
        std::fs::write(path, b).unwrap();
        ok(imprint::sweep::Plan::from_file(path, 1000))
    });
}

static SWEEP_PATH: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
