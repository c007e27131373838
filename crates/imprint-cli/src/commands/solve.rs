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
    /// Report voltages whose certified error bound exceeds 1e-6 of the largest (otherwise refused with exit code 3).
    #[arg(long)]
    allow_uncertified: bool,
}

/// A solve whose voltages are not certified (exit code 3).
#[derive(Debug, thiserror::Error)]
#[error("{0}; --allow-uncertified reports them anyway")]
pub struct Uncertified(String);

/// Runs `imprint solve`.
pub fn run(args: Args) -> Result<()> {
    let network = load_network(&args.file)?;
    let label = args.file.display().to_string();
    if network.physics() == imprint::network::Physics::Spring2d {
        return solve_springs(&args, &network, &label);
    }
    if !args.boundary.hold.is_empty() || !args.boundary.load.is_empty() {
        anyhow::bail!("{label}: a resistor network holds voltages and takes currents: --fix NODE=VOLTS and --inject NODE=AMPS, not --hold or --load");
    }
    let conditions = args.boundary.conditions();
    let start = Instant::now();
    let solver = Solver::for_conditions(&network, &conditions).with_context(|| label.clone())?;
    let solution = solver
        .factorize(network.conductance())
        .and_then(|factor| factor.solve(&conditions))
        .with_context(|| label.clone())?;
    let elapsed = start.elapsed();
    if !solution.certified() {
        let k = network.conductance();
        let span = k.iter().fold(0.0f64, |m, &k| m.max(k))
            / k.iter().fold(f64::INFINITY, |m, &k| m.min(k));
        let message = format!("{label}: the voltages are not certified: they may be off by up to {:.1e} of the largest (the conductances span {span:.1e})", solution.voltage_error_bound);
        if !args.allow_uncertified {
            return Err(Uncertified(message).into());
        }
        eprintln!("warning: {message}");
    }
    // The file first: a full or closed terminal must not cost the result.
    if let Some(output) = &args.output {
        imprint::io::write_solution(output, &solution, &label)?;
    }

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
    print!("{solution}");
    println!("solved in          {:.3} ms", elapsed.as_secs_f64() * 1e3);
    if let Some(output) = &args.output {
        println!("wrote              {}", output.display());
    }
    Ok(())
}

/// `imprint solve` on a spring network: `--hold` and `--load` components.
fn solve_springs(args: &Args, network: &imprint::network::Network, label: &str) -> Result<()> {
    let boundary = &args.boundary;
    if boundary.hold.is_empty() {
        anyhow::bail!("{label}: a spring network holds displacement components: --hold NODE{{x|y}}=U (enough to pin every rigid motion), not --fix");
    }
    if args.allow_uncertified {
        anyhow::bail!("{label}: --allow-uncertified is for resistor networks; a spring solve reports its refinement's error estimate");
    }
    let (held, values): (Vec<usize>, Vec<f64>) = boundary.hold.iter().copied().unzip();
    let mut forces = vec![0.0; 2 * network.node_count()];
    for &(dof, f) in &boundary.load {
        if dof >= forces.len() {
            anyhow::bail!(
                "{label}: --load names node {}, but the network has {} nodes",
                dof / 2,
                network.node_count()
            );
        }
        forces[dof] += f;
    }
    let start = Instant::now();
    let solution = imprint::physics::spring::solve(network, &held, &values, &forces)
        .with_context(|| label.to_string())?;
    let elapsed = start.elapsed();
    if let Some(output) = &args.output {
        let text = imprint::io::spring_solution_to_json(&solution, &held, &values, &forces, label);
        imprint::io::write_atomic(output, text.as_bytes())?;
    }
    println!(
        "network            {label} ({} nodes, {} bonds, spring)",
        network.node_count(),
        network.edge_count()
    );
    println!(
        "held / loaded      {} / {} components",
        held.len(),
        boundary.load.len()
    );
    print!("{solution}");
    println!("solved in          {:.3} ms", elapsed.as_secs_f64() * 1e3);
    if let Some(output) = &args.output {
        println!("wrote              {}", output.display());
    }
    Ok(())
}
