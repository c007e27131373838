//! The solution file (`docs/formats.md`, "Solution JSON"): everything
//! [`Solution`] holds, with the sign conventions written beside the numbers.

use std::path::Path;

use serde_json::json;

use super::{atomic::write_atomic, IoError};
use crate::physics::spring::SpringSolution;
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

/// Value of the `format` field of a spring network's solution.
pub const SPRING_SOLUTION_FORMAT: &str = "imprint-spring-solution";

/// Renders a spring network's `solution` with the degrees of freedom
/// `held` (`2 node + component`) at `values` and the applied `forces` (one
/// per degree of freedom) as spring solution JSON (`docs/formats.md`).
pub fn spring_solution_to_json(
    solution: &SpringSolution,
    held: &[usize],
    values: &[f64],
    forces: &[f64],
    network: &str,
) -> String {
    let r = &solution.response;
    let component = |dof: usize| if dof % 2 == 0 { "x" } else { "y" };
    let holds: Vec<serde_json::Value> = held
        .iter()
        .zip(values)
        .zip(&solution.hold_forces)
        .map(|((&dof, &value), &force)| {
            json!({"node": dof / 2, "component": component(dof), "displacement": value, "force": force})
        })
        .collect();
    let loads: Vec<serde_json::Value> = forces
        .iter()
        .enumerate()
        .filter(|(_, &f)| f != 0.0)
        .map(|(dof, &f)| json!({"node": dof / 2, "component": component(dof), "force": f}))
        .collect();
    let displacements: Vec<[f64; 2]> = r.displacements.chunks(2).map(|u| [u[0], u[1]]).collect();
    let value = json!({
        "format": SPRING_SOLUTION_FORMAT,
        "version": 1,
        "network": network,
        "conventions": "bond e = (i, j) along the unit vector b from i to j: extension = b . (u_j - u_i), tension = k_e * extension (positive: stretched); a hold's force is the force it exerts on its component",
        "held": holds,
        "loads": loads,
        "elastic_energy": solution.energy(),
        "displacement_error": solution.displacement_error,
        "displacements": displacements,
        "extensions": r.extensions,
        "tensions": r.tensions,
    });
    let mut text = serde_json::to_string_pretty(&value).expect("solutions are finite");
    text.push('\n');
    text
}
