//! `imprint export ...`: hand a network to other tools.

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::inputs::BoundaryArgs;
use imprint::io::read_any_network as load_network;

/// Export subcommands.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Write a SPICE netlist (.cir): resistors 1/k, DC voltage sources at fixed nodes, current sources, and `.op`. Node i is SPICE node n<i>; ground is 0.
    Spice {
        /// Network file (.json network, .csv edge list, or .txt literature format).
        file: PathBuf,
        #[command(flatten)]
        boundary: BoundaryArgs,
        /// Netlist to write (atomically).
        #[arg(short, long, value_name = "OUT.cir")]
        output: PathBuf,
        #[command(flatten)]
        force: crate::inputs::Force,
    },
}

/// Runs an export subcommand.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Spice {
            file,
            boundary,
            output,
            force,
        } => {
            force.check(&output)?;
            let network = load_network(&file)?;
            let title = format!("imprint network {}", file.display());
            let netlist = imprint::io::spice::netlist(&network, &boundary.conditions(), &title)
                .with_context(|| file.display().to_string())?;
            imprint::io::write_atomic(&output, netlist.as_bytes())?;
            println!(
                "wrote {} ({} resistors); run it with: ngspice -b {}",
                output.display(),
                network.edge_count(),
                output.display()
            );
            Ok(())
        }
    }
}
