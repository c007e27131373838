//! `imprint network ...`: inspect and convert network files.

use std::path::PathBuf;

use anyhow::Result;
use imprint::topology::{Components, DegreeStatistics};

use crate::inputs::load_network;

/// Network subcommands.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Print N, E, degree statistics, connected components, conductance range and the periodic box.
    Info {
        /// Network file (.json network, or .csv edge list).
        file: PathBuf,
    },
    /// Convert an edge-list CSV (i,j[,conductance]) into a network JSON file.
    Import {
        /// Input file (.csv edge list).
        file: PathBuf,
        /// Output network JSON file (written atomically).
        #[arg(short, long, value_name = "OUT.json")]
        output: PathBuf,
    },
}

/// Runs a network subcommand.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Info { file } => info(&file),
        Command::Import { file, output } => {
            let network = load_network(&file)?;
            imprint::io::write_network(&output, &network)?;
            println!(
                "wrote {} ({} nodes, {} edges)",
                output.display(),
                network.node_count(),
                network.edge_count()
            );
            Ok(())
        }
    }
}

fn info(file: &std::path::Path) -> Result<()> {
    let network = load_network(file)?;
    let degrees = DegreeStatistics::of(&network);
    let components = Components::of(&network);
    let mut sizes = components.sizes();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    let k = network.conductance();
    let (k_min, k_max) = k.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &x| {
        (lo.min(x), hi.max(x))
    });
    let k_mean = k.iter().sum::<f64>() / k.len() as f64;
    println!("file         {}", file.display());
    println!("nodes        {}", network.node_count());
    println!("edges        {}", network.edge_count());
    println!(
        "degree       mean Z = {:.4}, min {}, max {}, std {:.3}",
        degrees.mean, degrees.min, degrees.max, degrees.std
    );
    let shown: Vec<String> = sizes.iter().take(5).map(|s| s.to_string()).collect();
    println!(
        "components   {} (sizes {}{})",
        components.count,
        shown.join(", "),
        if sizes.len() > 5 { ", ..." } else { "" }
    );
    println!("conductance  min {k_min:.6e}, mean {k_mean:.6e}, max {k_max:.6e}");
    match network.periodic_box() {
        Some([lx, ly]) => {
            let crossing = (0..network.edge_count())
                .filter(|&e| network.crosses_box(e))
                .count();
            println!("periodic     yes, box {lx} x {ly}, {crossing} edges cross it");
        }
        None => println!("periodic     no"),
    }
    for (key, value) in network.metadata() {
        println!("metadata     {key} = {value}");
    }
    Ok(())
}
