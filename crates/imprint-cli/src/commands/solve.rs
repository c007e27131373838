//! `imprint solve`: the response of a network to imposed voltages and
//! injected currents.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use imprint::physics::Solver;

use crate::inputs::BoundaryArgs;
use imprint::io::read_any_network as load_network;

/// Flags of `imprint solve`.
#[derive(clap::Args)]
pub struct Args {
    /// Network file (.json network, .csv edge list, or .txt literature format).
    file: PathBuf,
    #[command(flatten)]
    boundary: BoundaryArgs,
    /// Write all node voltages, multiplier currents and edge drops and currents to this JSON file (atomically).
    #[arg(short, long, value_name = "OUT.json")]
    output: Option<PathBuf>,
}

/// Runs `imprint solve`.
pub fn run(args: Args) -> Result<()> {
    let network = load_network(&args.file)?;
    let conditions = args.boundary.conditions();
    let label = args.file.display().to_string();
    let start = Instant::now();
    let solver = Solver::for_conditions(&network, &conditions).with_context(|| label.clone())?;
    let solution = solver
        .factorize(network.conductance())
        .and_then(|factor| factor.solve(&conditions))
        .with_context(|| label.clone())?;
    let elapsed = start.elapsed();
    // The file first: a full or closed terminal must not cost the result.
    if let Some(output) = &args.output {
        imprint::io::write_solution(output, &solution, &label)?;
    }

    let (v_min, v_max) = solution
        .voltages
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    println!(
        "network            {label} ({} nodes, {} edges)",
        network.node_count(),
        network.edge_count()
    );
    println!(
        "fixed / injected   {} / {} nodes",
        conditions.fixed().len(),
        conditions.injected().len()
    );
    println!("dissipated power   {:.12e} W", solution.dissipated_power);
    println!("voltage range      [{v_min:.6}, {v_max:.6}] V");
    for (&node, current) in solution
        .fixed_nodes
        .iter()
        .zip(solution.source_currents())
        .take(10)
    {
        println!("source at node {node:<4} delivers {current:+.9e} A");
    }
    if solution.fixed_nodes.len() > 10 {
        println!("... ({} more sources)", solution.fixed_nodes.len() - 10);
    }
    println!(
        "kirchhoff residual {:.2e} (relative)",
        solution.kirchhoff_residual
    );
    println!(
        "current imbalance  {:.2e} (relative, at the sources)",
        solution.current_imbalance
    );
    println!(
        "voltage error      {:.1e} (relative, estimated by refinement)",
        solution.voltage_error
    );
    if solution.voltage_error > imprint::physics::refine::CERTIFIED {
        eprintln!(
            "warning: the voltages may be off by {:.1e} of the largest: the conductances span too many decades ({:.1e}) for double precision to resolve this response",
            solution.voltage_error,
            network.conductance().iter().fold(0.0f64, |m, &k| m.max(k))
                / network.conductance().iter().fold(f64::INFINITY, |m, &k| m.min(k))
        );
    }
    println!("solved in          {:.3} ms", elapsed.as_secs_f64() * 1e3);
    if let Some(output) = &args.output {
        println!("wrote              {}", output.display());
    }
    Ok(())
}
