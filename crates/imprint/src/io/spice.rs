//! SPICE netlist export (`docs/formats.md`, "SPICE netlist"): every edge a
//! resistor `1/k_e`, every fixed node a DC voltage source to ground (node
//! `0`), every injected current a DC current source from ground into its node,
//! and an operating-point analysis (`.op`). Network node `i` is SPICE node
//! `n<i>`. Values are written with enough digits to read back the same
//! doubles, so a simulator reproduces the solver to its own precision.

use std::fmt::Write as _;

use crate::network::Network;
use crate::physics::{BoundaryConditions, Solver};

use super::IoError;

/// Renders a netlist that any SPICE (ngspice, LTspice, Xyce) runs unchanged.
///
/// The conditions are validated first (nodes exist, no node in two roles, every
/// part of the network reaches a fixed voltage), since a simulator given a
/// floating node would fail with a far less helpful message.
pub fn netlist(
    network: &Network,
    conditions: &BoundaryConditions,
    title: &str,
) -> Result<String, IoError> {
    Solver::for_conditions(network, conditions)?;
    let mut out = String::new();
    // The first line of a SPICE deck is its title, whatever it says.
    let _ = writeln!(
        out,
        "* {}",
        title.lines().next().unwrap_or("imprint network")
    );
    let _ = writeln!(
        out,
        "* exported by imprint {}: {} nodes, {} resistors, {} voltage sources, {} current sources",
        env!("CARGO_PKG_VERSION"),
        network.node_count(),
        network.edge_count(),
        conditions.fixed().len(),
        conditions.injected().len()
    );
    for (e, (&[i, j], &k)) in network
        .edges()
        .iter()
        .zip(network.conductance())
        .enumerate()
    {
        let _ = writeln!(out, "R{e} n{i} n{j} {:e}", 1.0 / k);
    }
    for &(node, volts) in conditions.fixed() {
        let _ = writeln!(out, "V{node} n{node} 0 DC {volts:e}");
    }
    for &(node, amps) in conditions.injected() {
        // A SPICE current source drives its current from its first node,
        // through itself, to its second: from ground into the network node.
        let _ = writeln!(out, "I{node} 0 n{node} DC {amps:e}");
    }
    out.push_str(".op\n.end\n");
    Ok(out)
}
