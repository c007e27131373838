//! `imprint bench ...`: timings of the hot paths on seeded, size-swept inputs.
//! Printed as a Markdown table for docs/benchmarks.md; never asserted in tests.

use std::time::Instant;

use anyhow::Result;
use faer::Mat;
use imprint::network::delaunay::DelaunayParameters;
use imprint::network::jammed::JammingParameters;
use imprint::network::lattice;
use imprint::network::spec::NetworkSpec;
use imprint::physics::Solver;

/// Benchmark subcommands.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Solve time against N on square lattices: symbolic analysis, numeric factorisation, per-right-hand-side solve.
    Solve {
        /// Approximate node counts (each lattice is the nearest square).
        #[arg(long, value_delimiter = ',', default_values_t = vec![100usize, 1_000, 10_000, 100_000, 1_000_000])]
        sizes: Vec<usize>,
        /// Repetitions per size; the fastest is reported.
        #[arg(long, default_value_t = 3)]
        repeats: usize,
        /// Right-hand sides solved together to time the per-drive cost.
        #[arg(long, default_value_t = 32)]
        rhs: usize,
    },
    /// Milliseconds per Coupled Learning iteration (regression-2x2, batch 30) on jammed networks, split into factorisation, solves and update.
    Train {
        /// Disks of the jammed packings (networks have a few percent fewer nodes).
        #[arg(long, value_delimiter = ',', default_values_t = vec![500usize, 5_000, 50_000])]
        sizes: Vec<usize>,
        /// Iterations timed per size (after one warm-up iteration).
        #[arg(long, default_value_t = 20)]
        iterations: usize,
        /// Networks: jammed packings, or Delaunay triangulations diluted to Z = 4.1 (quicker to make at large N).
        #[arg(long, value_enum, default_value_t = BenchNetwork::Jammed)]
        network: BenchNetwork,
    },
    /// Time of one complete solve call (validate, analyse, factorise, solve) on a network file: the Rust side of the Python overhead comparison.
    Call {
        /// Network file.
        file: std::path::PathBuf,
        #[command(flatten)]
        boundary: crate::inputs::BoundaryArgs,
        /// Calls timed; the median is reported.
        #[arg(long, default_value_t = 2000)]
        repeats: usize,
    },
    /// Time to generate jammed packings against N.
    Jammed {
        /// Disks per packing.
        #[arg(long, value_delimiter = ',', default_values_t = vec![100usize, 1_000, 10_000])]
        sizes: Vec<usize>,
    },
}

/// Networks the training benchmark runs on.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum BenchNetwork {
    /// Contact networks of jammed packings (the paper's networks).
    Jammed,
    /// Delaunay triangulations diluted to mean coordination 4.1.
    Delaunay,
}

/// Runs a benchmark subcommand.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Solve {
            sizes,
            repeats,
            rhs,
        } => solve(&sizes, repeats.max(1), rhs.max(1)),
        Command::Train {
            sizes,
            iterations,
            network,
        } => train(&sizes, iterations.max(1), network),
        Command::Jammed { sizes } => jammed(&sizes),
        Command::Call {
            file,
            boundary,
            repeats,
        } => call(&file, &boundary, repeats.max(1)),
    }
}

fn best_of<T>(repeats: usize, mut work: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..repeats {
        let start = Instant::now();
        let out = work();
        best = best.min(start.elapsed().as_secs_f64());
        last = Some(out);
    }
    (best, last.expect("at least one repeat"))
}

fn solve(sizes: &[usize], repeats: usize, rhs: usize) -> Result<()> {
    println!(
        "machine: {} ({} threads available)",
        cpu_model(),
        rayon::current_num_threads()
    );
    println!();
    println!("| N | E | nnz(L_FF) | nnz(factor) | analysis (ms) | factorisation (ms) | one solve (ms) | per RHS in a block of {rhs} (ms) |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for &size in sizes {
        let side = (size as f64).sqrt().round().max(2.0) as usize;
        let network = lattice::square(side, side, false)?;
        let n = network.node_count();
        let (analysis, solver) = best_of(repeats, || Solver::new(&network, &[0]));
        let solver = solver?;
        let (factorisation, factor) = best_of(repeats, || solver.factorize(network.conductance()));
        let factor = factor?;
        let mut drive = vec![0.0; n + 1];
        drive[n - 1] = 1.0;
        let (single, state) = best_of(repeats, || factor.solve_state(&drive));
        state?;
        let drives = Mat::from_fn(
            n + 1,
            rhs,
            |i, j| if i == (j * 7919) % n { 1.0 } else { 0.0 },
        );
        let (block, states) = best_of(repeats, || factor.solve_states(drives.as_ref()));
        states?;
        let (pattern, fill) = solver.fill();
        println!(
            "| {n} | {} | {pattern} | {fill} | {:.3} | {:.3} | {:.3} | {:.4} |",
            network.edge_count(),
            analysis * 1e3,
            factorisation * 1e3,
            single * 1e3,
            block * 1e3 / rhs as f64
        );
    }
    Ok(())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string())
}

fn jammed(sizes: &[usize]) -> Result<()> {
    println!(
        "machine: {} ({} threads available)",
        cpu_model(),
        rayon::current_num_threads()
    );
    println!();
    println!("| disks | nodes | contacts | Z | compressions | FIRE steps | time (s) |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for &size in sizes {
        let start = Instant::now();
        let (_, report) = imprint::network::jammed::generate(&JammingParameters {
            nodes: size,
            ..Default::default()
        })?;
        println!(
            "| {size} | {} | {} | {:.4} | {} | {} | {:.2} |",
            report.nodes,
            report.contacts,
            report.mean_coordination,
            report.compressions,
            report.fire_steps,
            start.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

fn train(sizes: &[usize], iterations: usize, kind: BenchNetwork) -> Result<()> {
    use imprint::learning::{builtin, config::RunConfig, Training};
    println!(
        "machine: {} ({} threads available)",
        cpu_model(),
        rayon::current_num_threads()
    );
    println!();
    println!(
        "| N | E | ms per iteration | factorisation | solves (30 + 2) | update | generation (s) |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for &size in sizes {
        let start = Instant::now();
        let spec = match kind {
            BenchNetwork::Jammed => NetworkSpec::Jammed(JammingParameters {
                nodes: size,
                ..Default::default()
            }),
            BenchNetwork::Delaunay => NetworkSpec::Delaunay(DelaunayParameters {
                nodes: size,
                seed: 1,
                target_coordination: Some(4.1),
            }),
        };
        let network = spec.generate()?;
        let generation = start.elapsed().as_secs_f64();
        let task = builtin::build("regression-2x2", &network, &Default::default())?;
        let config = RunConfig::for_task("regression-2x2", 1)?;
        let mut training = Training::new(&network, &task, config.training)?;
        training.step()?;
        let (mut factorization, mut solves, mut update) = (0.0, 0.0, 0.0);
        for _ in 0..iterations {
            let t = training.step_timed()?;
            factorization += t.factorization.as_secs_f64();
            solves += t.solves.as_secs_f64();
            update += t.update.as_secs_f64();
        }
        let total = factorization + solves + update;
        let share = |x: f64| {
            format!(
                "{:.2} ms ({:.0} %)",
                1e3 * x / iterations as f64,
                100.0 * x / total
            )
        };
        println!(
            "| {} | {} | {:.2} | {} | {} | {} | {generation:.1} |",
            network.node_count(),
            network.edge_count(),
            1e3 * total / iterations as f64,
            share(factorization),
            share(solves),
            share(update)
        );
    }
    Ok(())
}

fn call(
    file: &std::path::Path,
    boundary: &crate::inputs::BoundaryArgs,
    repeats: usize,
) -> Result<()> {
    let network = imprint::io::read_any_network(file)?;
    let conditions = boundary.conditions();
    let mut times = Vec::with_capacity(repeats);
    for _ in 0..repeats {
        let start = Instant::now();
        let solution = imprint::physics::solve(&network, &conditions)?;
        times.push(start.elapsed().as_secs_f64());
        std::hint::black_box(solution);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "median {:.2} us over {repeats} calls ({} nodes, {} edges)",
        1e6 * times[repeats / 2],
        network.node_count(),
        network.edge_count()
    );
    Ok(())
}
