//! SPICE round trip: an exported netlist, simulated by ngspice, reproduces the
//! solver's node voltages and source currents to 1e-9 relative.
//!
//! ngspice is not part of a bare Rust toolchain: without it this test says so
//! and passes, unless IMPRINT_REQUIRE_NGSPICE is set (as `.ci/run` does, after
//! installing it), in which case a missing ngspice is a failure.

mod common;

use std::process::Command;

use imprint::network::lattice;
use imprint::physics::{solve, BoundaryConditions};

/// Runs ngspice on `netlist` and returns the operating point by variable name.
fn simulate(netlist: &str) -> Option<std::collections::HashMap<String, f64>> {
    let dir = tempfile::tempdir().unwrap();
    let deck = dir.path().join("circuit.cir");
    let raw = dir.path().join("circuit.raw");
    std::fs::write(&deck, netlist).unwrap();
    let status = Command::new("ngspice")
        .arg("-b")
        .arg("-r")
        .arg(&raw)
        .arg(&deck)
        // An ASCII raw file keeps 16 significant digits.
        .env("SPICE_ASCIIRAWFILE", "1")
        .output();
    let output = match status {
        Ok(output) => output,
        Err(_) => {
            assert!(
                std::env::var_os("IMPRINT_REQUIRE_NGSPICE").is_none(),
                "ngspice is required (IMPRINT_REQUIRE_NGSPICE is set) but could not be run"
            );
            eprintln!("ngspice not found: SPICE round trip skipped (apt-get install ngspice)");
            return None;
        }
    };
    assert!(
        output.status.success(),
        "ngspice failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(&raw).unwrap();
    let (header, values) = text.split_once("Values:").expect("raw file has values");
    let names: Vec<String> = header
        .lines()
        .skip_while(|l| !l.starts_with("Variables:"))
        .skip(1)
        .map(|l| {
            l.split_whitespace()
                .nth(1)
                .expect("variable name")
                .to_string()
        })
        .collect();
    let numbers: Vec<f64> = values
        .split_whitespace()
        .skip(1)
        .map(|v| v.parse().unwrap())
        .collect();
    assert_eq!(names.len(), numbers.len());
    Some(names.into_iter().zip(numbers).collect())
}

#[test]
fn ngspice_reproduces_the_solver() {
    let mut network = lattice::square(12, 10, false).unwrap();
    // Conductances over two decades, deterministic.
    let k: Vec<f64> = (0..network.edge_count())
        .map(|e| 10f64.powf(((e * 37) % 101) as f64 / 50.0 - 1.0))
        .collect();
    network.set_conductance(k).unwrap();
    let conditions = BoundaryConditions::new()
        .fix(0, 0.0)
        .fix(119, 1.0)
        .fix(60, -0.3)
        .inject(25, 2e-3)
        .inject(90, -5e-4);
    let netlist = imprint::io::spice::netlist(&network, &conditions, "round trip").unwrap();
    let Some(simulated) = simulate(&netlist) else {
        return;
    };
    let solution = solve(&network, &conditions).unwrap();
    let mut worst: f64 = 0.0;
    for (node, &v) in solution.voltages.iter().enumerate() {
        let spice = simulated[&format!("v(n{node})")];
        worst = worst.max((spice - v).abs() / v.abs().max(1e-3));
    }
    for (&node, current) in solution.fixed_nodes.iter().zip(solution.source_currents()) {
        // SPICE reports the current into a source's + terminal: minus what it delivers.
        let spice = -simulated[&format!("i(v{node})")];
        worst = worst.max((spice - current).abs() / current.abs().max(1e-6));
    }
    eprintln!("ngspice vs solver: largest relative difference {worst:e}");
    assert!(worst < 1e-9, "largest relative difference {worst:e}");
}
