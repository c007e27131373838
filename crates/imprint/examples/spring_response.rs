//! The dense spring reference's response for a network given as JSON, for
//! side-by-side checks against other codes (issue 28 item 6;
//! `examples/python/compare_lib_network_tuning.py`).
//!
//!     cargo run --release --example spring_response -- CASE.json
//!
//! `CASE.json`: `positions` ([x, y] per node), `edges` ([i, j]),
//! `stiffness` (per edge), `held` (degrees of freedom, `2 node + c`, held
//! at zero) and `forces` (`2N`). Prints `{"displacements": [...],
//! "extensions": [...]}`.

use imprint::network::Network;
use imprint::physics::spring::solve_dense;

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: spring_response CASE.json");
    let case: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let floats = |key: &str| -> Vec<f64> {
        case[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect()
    };
    let positions: Vec<[f64; 2]> = case["positions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| [p[0].as_f64().unwrap(), p[1].as_f64().unwrap()])
        .collect();
    let edges: Vec<[usize; 2]> = case["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            [
                e[0].as_u64().unwrap() as usize,
                e[1].as_u64().unwrap() as usize,
            ]
        })
        .collect();
    let stiffness = floats("stiffness");
    let held: Vec<usize> = case["held"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    let network = Network::new(positions, edges, stiffness.clone(), None).unwrap();
    let zeros = vec![0.0; held.len()];
    let response = solve_dense(&network, &stiffness, &held, &zeros, &floats("forces")).unwrap();
    println!(
        "{}",
        serde_json::json!({
            "displacements": response.displacements,
            "extensions": response.extensions,
        })
    );
}
