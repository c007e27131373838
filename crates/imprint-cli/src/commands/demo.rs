//! `imprint demo`: the main job on built-in defaults, for now a lattice solved
//! end to end (later it grows into the paper's reproduction).

use anyhow::Result;
use imprint::network::lattice;
use imprint::physics::{solve, BoundaryConditions};

/// Flags of `imprint demo`.
#[derive(clap::Args)]
pub struct Args {
    /// Nodes per side of the square lattice.
    #[arg(long, default_value_t = 20)]
    side: usize,
}

/// Runs `imprint demo`.
pub fn run(args: Args) -> Result<()> {
    let network = lattice::square(args.side, args.side, false)?;
    let last = network.node_count() - 1;
    let conditions = BoundaryConditions::new().fix(0, 0.0).fix(last, 1.0);
    let solution = solve(&network, &conditions)?;
    let current = solution.source_currents()[1];
    let middle = (args.side / 2) * args.side + args.side / 2;
    println!(
        "imprint demo: a {0} x {0} square lattice of 1 S resistors",
        args.side
    );
    println!(
        "  {} nodes, {} edges; node 0 grounded, node {last} held at 1 V",
        network.node_count(),
        network.edge_count()
    );
    println!("  current through the lattice   {current:.9} A");
    println!("  corner-to-corner resistance   {:.9} Ohm", 1.0 / current);
    println!(
        "  dissipated power              {:.9} W (= V I = {:.9} W)",
        solution.dissipated_power, current
    );
    println!(
        "  voltage at the centre node    {:.9} V",
        solution.voltages[middle]
    );
    println!(
        "  Kirchhoff residual            {:.1e}",
        solution.kirchhoff_residual
    );
    Ok(())
}
