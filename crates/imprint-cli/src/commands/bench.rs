//! `imprint bench ...`: timings of the hot paths on seeded, size-swept inputs.
//! Printed as a Markdown table for docs/benchmarks.md; never asserted in tests.

use std::time::Instant;

use anyhow::Result;
use imprint::bench::{cpu_model, generate_timed, solve_timing, train_timing};
use imprint::learning::LearningRate;
use imprint::network::delaunay::DelaunayParameters;
use imprint::network::jammed::JammingParameters;
use imprint::network::spec::NetworkSpec;

/// Benchmark subcommands.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Solve time against N on square lattices: symbolic analysis, numeric factorisation, per-right-hand-side solve. The default sizes reach 10^6 nodes, which peak at about 2.1 GB of memory (measured); pass --sizes to stay smaller.
    Solve {
        /// Approximate node counts (each lattice is the nearest square).
        #[arg(long, value_delimiter = ',', default_values_t = vec![100usize, 1_000, 10_000, 100_000, 1_000_000])]
        sizes: Vec<usize>,
        /// Repetitions per size; the fastest is reported.
        #[arg(long, default_value_t = 3, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
        repeats: usize,
        /// Right-hand sides solved together to time the per-drive cost.
        #[arg(long, default_value_t = 32, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
        rhs: usize,
    },
    /// Milliseconds per Coupled Learning iteration (regression-2x2) on jammed networks, per batch size, split into factorisation, solves and update.
    Train {
        /// Disks of the jammed packings (networks have a few percent fewer nodes).
        #[arg(long, value_delimiter = ',', default_values_t = vec![500usize, 5_000, 50_000])]
        sizes: Vec<usize>,
        /// Iterations timed per size (after one warm-up iteration).
        #[arg(long, default_value_t = 20, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
        iterations: usize,
        /// Networks: jammed packings, or Delaunay triangulations diluted to Z = 4.1 (quicker to make at large N).
        #[arg(long, value_enum, default_value_t = BenchNetwork::Jammed)]
        network: BenchNetwork,
        /// Learning rate: `auto` (the default; its estimate is timed) or a constant.
        #[arg(long, default_value = "auto")]
        learning_rate: LearningRate,
        /// Samples per iteration (regression-2x2 has 112, or more when a batch asks for more).
        #[arg(long, value_delimiter = ',', default_values_t = vec![1usize, 30, 112], value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
        batches: Vec<usize>,
    },
    /// Time of one complete solve call (validate, analyse, factorise, solve) on a network file: the Rust side of the Python overhead comparison.
    Call {
        /// Network file.
        file: std::path::PathBuf,
        #[command(flatten)]
        boundary: crate::inputs::BoundaryArgs,
        /// Calls timed; the median is reported.
        #[arg(long, default_value_t = 2000, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
        repeats: usize,
    },
    /// One second-order run (`--rule levenberg-marquardt`) per task on Delaunay networks of each size, conductances uniform in [0.1, 2], to 1e-20 of the initial cost or a stationary point: iterations, time, cost reached.
    SecondOrder {
        /// Points of the Delaunay networks.
        #[arg(long, value_delimiter = ',', default_values_t = vec![300usize, 10_000, 100_000])]
        sizes: Vec<usize>,
        /// Tasks.
        #[arg(long, value_delimiter = ',', default_values_t = vec!["regression-2x2".to_string(), "regression-2x5".to_string(), "allostery".to_string(), "classification-3".to_string()])]
        tasks: Vec<String>,
    },
    /// Wall time to a learned network (cost at most 1e-8 of the initial, or every training sample classified), Coupled Learning and the second-order trainer side by side: the reproduction's four task runs on the paper's cluster, then the four tasks on Delaunay networks of each size.
    Learned {
        /// Cluster seeds (1..=SEEDS).
        #[arg(long, default_value_t = 3)]
        seeds: u64,
        /// Points of the Delaunay networks (conductances uniform in [0.1, 2]); none: cluster only.
        #[arg(long, value_delimiter = ',', default_values_t = vec![100_000usize])]
        sizes: Vec<usize>,
        /// Longest a run may take before it counts as not learned (seconds).
        #[arg(long, default_value_t = 300)]
        max_seconds: u64,
    },
    /// A spring network against the same network of resistors: a Coupled Learning iteration of allostery (median, alternating) and a scalable analysis (held boundary). Jammed packings up to 5000 disks, Delaunay triangulations (conductances uniform in [0.1, 2]) above.
    Springs {
        /// Disks (jammed) or points (Delaunay).
        #[arg(long, value_delimiter = ',', default_values_t = vec![500usize, 100_000])]
        sizes: Vec<usize>,
        /// Iterations timed per physics (after one warm-up iteration).
        #[arg(long, default_value_t = 20, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
        iterations: usize,
        /// Also time one scalable analysis of each.
        #[arg(long)]
        analysis: bool,
    },
    /// Time to generate jammed packings against N.
    Jammed {
        /// Disks per packing.
        #[arg(long, value_delimiter = ',', default_values_t = vec![100usize, 1_000, 10_000])]
        sizes: Vec<usize>,
        /// Jamming protocols to time, each on every size (docs/training.md).
        #[arg(long, value_delimiter = ',', default_values_t = vec![imprint::network::jammed::PROTOCOL])]
        protocols: Vec<u32>,
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
        } => solve(&sizes, repeats, rhs),
        Command::Train {
            sizes,
            iterations,
            network,
            learning_rate,
            batches,
        } => train(&sizes, iterations, network, learning_rate, &batches),
        Command::Jammed { sizes, protocols } => jammed(&sizes, &protocols),
        Command::Springs {
            sizes,
            iterations,
            analysis,
        } => springs(&sizes, iterations, analysis),
        Command::SecondOrder { sizes, tasks } => second_order(&sizes, &tasks),
        Command::Learned {
            seeds,
            sizes,
            max_seconds,
        } => learned(seeds, &sizes, max_seconds as f64),
        Command::Call {
            file,
            boundary,
            repeats,
        } => call(&file, &boundary, repeats),
    }
}

fn springs(sizes: &[usize], iterations: usize, analysis: bool) -> Result<()> {
    header();
    println!("{}", imprint::bench::PhysicsTiming::HEADER);
    for &size in sizes {
        let network = if size <= 5_000 {
            NetworkSpec::Jammed(JammingParameters {
                nodes: size,
                ..Default::default()
            })
            .generate()?
        } else {
            imprint::bench::delaunay_network(size)?
        };
        let timing = imprint::bench::physics_timing(&network, iterations, analysis)?;
        println!("{}", timing.row());
    }
    Ok(())
}

fn header() {
    println!(
        "machine: {} ({} threads available)",
        cpu_model(),
        rayon::current_num_threads()
    );
    println!();
}

fn solve(sizes: &[usize], repeats: usize, rhs: usize) -> Result<()> {
    if sizes.iter().any(|&n| n >= 1_000_000) {
        // Measured: the 10^6-node lattice with its factor and a block of
        // right-hand sides peaks at 2.1 GB.
        eprintln!("note: N = 10^6 needs about 2.1 GB of memory (--sizes to stay smaller)");
    }
    header();
    println!("| N | E | nnz(L_FF) | nnz(factor) | ordering | analysis (ms) | factorisation (ms) | one solve (ms) | per RHS in a block of {rhs} (ms) |");
    println!("|---:|---:|---:|---:|---|---:|---:|---:|---:|");
    for &size in sizes {
        let t = solve_timing(size, repeats, rhs)?;
        println!(
            "| {} | {} | {} | {} | {} | {:.3} | {:.3} | {:.3} | {:.4} |",
            t.nodes,
            t.edges,
            t.pattern,
            t.fill,
            t.ordering.map_or("-", |o| o.name()),
            t.analysis * 1e3,
            t.factorization * 1e3,
            t.single_solve * 1e3,
            t.per_rhs * 1e3
        );
    }
    Ok(())
}

fn second_order(sizes: &[usize], tasks: &[String]) -> Result<()> {
    header();
    println!("{}", imprint::bench::SecondOrderTiming::HEADER);
    for &nodes in sizes {
        let network = imprint::bench::delaunay_network(nodes)?;
        for task in tasks {
            let timing = imprint::bench::second_order_timing(&network, task, [1e-3, 1e2])?;
            println!("{}", timing.row());
        }
    }
    Ok(())
}

fn learned(seeds: u64, sizes: &[usize], max_seconds: f64) -> Result<()> {
    header();
    let folder = std::env::temp_dir().join(format!("imprint-bench-{}", std::process::id()));
    std::fs::create_dir_all(&folder)?;
    println!("{}", imprint::bench::LearnedTiming::HEADER);
    let mut print = |row: &imprint::bench::LearnedTiming| println!("{}", row.row());
    for seed in 1..=seeds {
        imprint::bench::cluster_times(seed, &folder, max_seconds, &mut print)?;
    }
    for &nodes in sizes {
        let network = imprint::bench::delaunay_network(nodes)?;
        let label = format!("Delaunay {nodes}");
        imprint::bench::network_times(&label, &network, &folder, max_seconds, &mut print)?;
    }
    Ok(std::fs::remove_dir_all(&folder)?)
}

fn jammed(sizes: &[usize], protocols: &[u32]) -> Result<()> {
    header();
    println!("{}", imprint::bench::JammedTiming::HEADER);
    for &size in sizes {
        for &protocol in protocols {
            println!("{}", imprint::bench::jammed_timing(size, protocol)?.row());
        }
    }
    Ok(())
}

fn train(
    sizes: &[usize],
    iterations: usize,
    kind: BenchNetwork,
    rate: LearningRate,
    batches: &[usize],
) -> Result<()> {
    header();
    println!("learning rate {rate}");
    println!("{}", imprint::bench::TrainTiming::HEADER);
    for &size in sizes {
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
        let (network, generation) = generate_timed(&spec)?;
        for &batch in batches {
            let timing = train_timing(&network, generation, iterations, rate, batch)?;
            println!("{}", timing.row());
        }
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
