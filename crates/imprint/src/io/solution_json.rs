//! The solution file (`docs/formats.md`, "Solution JSON"): everything
//! [`Solution`] holds, with the sign conventions written beside the numbers.

use std::path::Path;

use serde_json::json;

use super::{atomic::write_atomic, IoError};
use crate::physics::Solution;

/// Value of the `format` field.
pub const SOLUTION_FORMAT: &str = "imprint-solution";

/// Renders `solution` as solution JSON; `network` names the network file it
/// was solved on.
pub fn solution_to_json(solution: &Solution, network: &str) -> String {
    let fixed_voltages: Vec<f64> = solution
        .fixed_nodes
        .iter()
        .map(|&c| solution.voltages[c])
        .collect();
    let injected: Vec<serde_json::Value> = solution
        .injected
        .iter()
        .enumerate()
        .filter(|(_, &amps)| amps != 0.0)
        .map(|(node, &amps)| json!({"node": node, "amps": amps}))
        .collect();
    let value = json!({
        "format": SOLUTION_FORMAT,
        "version": 1,
        "network": network,
        "conventions": "edge e = (i, j): drop = V_i - V_j, current = k_e * drop flows from i to j; source_currents = current each fixed node's source pushes into the network = -multipliers",
        "fixed_nodes": solution.fixed_nodes,
        "fixed_voltages": fixed_voltages,
        "injected": injected,
        "dissipated_power": solution.dissipated_power,
        "kirchhoff_residual": solution.kirchhoff_residual,
        "current_imbalance": solution.current_imbalance,
        "voltage_error": solution.voltage_error,
        "voltage_error_bound": solution.voltage_error_bound,
        "certified": solution.certified(),
        "voltages": solution.voltages,
        "multipliers": solution.multipliers,
        "source_currents": solution.source_currents(),
        "edge_drops": solution.drops,
        "edge_currents": solution.currents,
    });
    let mut text = serde_json::to_string_pretty(&value).expect("solutions are finite");
    text.push('\n');
    text
}

/// Writes `solution` to `path` as solution JSON, atomically.
pub fn write_solution(path: &Path, solution: &Solution, network: &str) -> Result<(), IoError> {
    write_atomic(path, solution_to_json(solution, network).as_bytes())
}
