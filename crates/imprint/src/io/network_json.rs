//! The network file (`docs/formats.md`, "Network JSON"):
//!
//! ```json
//! {"format": "imprint-network", "version": 1, "physics": "resistive",
//!  "nodes": [[x, y], ...], "edges": [[i, j], ...], "conductance": [...],
//!  "box": [Lx, Ly] or null, "metadata": {...} (optional)}
//! ```
//!
//! `physics` is `"resistive"` or `"spring"` (2D springs; `conductance` then
//! holds the stiffnesses); a file without it, as every file written before
//! it existed, is resistive.
//!
//! Numbers are written in the shortest form that reads back to the same
//! double, so a network survives a round trip bit for bit.

use std::fmt::Write as _;
use std::path::Path;

use serde::Deserialize;

use super::{atomic::write_atomic, IoError};
use crate::network::{Metadata, Network, Physics};

/// Value of the `format` field.
pub const NETWORK_FORMAT: &str = "imprint-network";
/// Current version of the network file format.
pub const NETWORK_VERSION: u32 = 1;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NetworkFile {
    format: String,
    version: u32,
    nodes: Vec<[f64; 2]>,
    edges: Vec<[usize; 2]>,
    conductance: Vec<f64>,
    #[serde(rename = "box")]
    periodic_box: Option<[f64; 2]>,
    #[serde(default)]
    metadata: Metadata,
    #[serde(default)]
    physics: Physics,
}

/// Reads a network JSON file.
pub fn read_network(path: &Path) -> Result<Network, IoError> {
    let text = std::fs::read_to_string(path).map_err(|source| IoError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_network(&text, path)
}

/// Parses the text of a network JSON file; `path` only labels errors.
pub fn parse_network(text: &str, path: &Path) -> Result<Network, IoError> {
    let file: NetworkFile = serde_json::from_str(text).map_err(|e| IoError::json(path, e))?;
    if file.format != NETWORK_FORMAT {
        return Err(IoError::Field {
            path: path.to_path_buf(),
            field: "format",
            message: format!("is \"{}\", expected \"{NETWORK_FORMAT}\"", file.format),
        });
    }
    if file.version != NETWORK_VERSION {
        return Err(IoError::Field {
            path: path.to_path_buf(),
            field: "version",
            message: format!(
                "version {} is not supported (this build reads version {NETWORK_VERSION})",
                file.version
            ),
        });
    }
    let mut network = Network::new(file.nodes, file.edges, file.conductance, file.periodic_box)
        .map_err(|source| IoError::Network {
            path: path.to_path_buf(),
            source,
        })?;
    *network.metadata_mut() = file.metadata;
    network
        .with_physics(file.physics)
        .map_err(|source| IoError::Network {
            path: path.to_path_buf(),
            source,
        })
}

/// Renders `network` as network JSON, one node, edge or conductance per line.
pub fn network_to_json(network: &Network) -> String {
    let number = |x: f64| serde_json::to_string(&x).expect("network values are finite");
    let mut out = String::with_capacity(64 * (network.node_count() + network.edge_count()));
    let _ = writeln!(
        out,
        "{{\"format\": \"{NETWORK_FORMAT}\", \"version\": {NETWORK_VERSION}, \"physics\": \"{}\",",
        network.physics()
    );
    match network.periodic_box() {
        Some([lx, ly]) => {
            let _ = writeln!(out, " \"box\": [{}, {}],", number(lx), number(ly));
        }
        None => out.push_str(" \"box\": null,\n"),
    }
    if !network.metadata().is_empty() {
        let metadata = serde_json::to_string(network.metadata()).expect("metadata is valid JSON");
        let _ = writeln!(out, " \"metadata\": {metadata},");
    }
    let list =
        |out: &mut String, name: &str, items: &mut dyn Iterator<Item = String>, last: bool| {
            let _ = write!(out, " \"{name}\": [");
            for (index, item) in items.enumerate() {
                out.push_str(if index == 0 { "\n  " } else { ",\n  " });
                out.push_str(&item);
            }
            out.push_str(if last { "\n ]\n" } else { "\n ],\n" });
        };
    list(
        &mut out,
        "nodes",
        &mut network
            .positions()
            .iter()
            .map(|&[x, y]| format!("[{}, {}]", number(x), number(y))),
        false,
    );
    list(
        &mut out,
        "edges",
        &mut network.edges().iter().map(|&[i, j]| format!("[{i}, {j}]")),
        false,
    );
    list(
        &mut out,
        "conductance",
        &mut network.conductance().iter().map(|&k| number(k)),
        true,
    );
    out.push_str("}\n");
    out
}

/// Writes `network` to `path` as network JSON, atomically.
pub fn write_network(path: &Path, network: &Network) -> Result<(), IoError> {
    write_atomic(path, network_to_json(network).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path() -> &'static Path {
        Path::new("net.json")
    }

    #[test]
    fn round_trips_bit_for_bit() {
        let mut net = Network::new(
            vec![[0.1, 1.0 / 3.0], [2.5e-17, 7.0], [1.0, 2.0]],
            vec![[0, 1], [2, 1]],
            vec![std::f64::consts::PI, 1e-99 / 3.0],
            Some([10.0, 7.5]),
        )
        .unwrap();
        net.metadata_mut()
            .insert("seed".into(), serde_json::json!(42));
        let text = network_to_json(&net);
        let back = parse_network(&text, path()).unwrap();
        assert_eq!(back, net);
        let no_box =
            Network::new(vec![[0.0, 0.0], [1.0, 0.0]], vec![[0, 1]], vec![1.0], None).unwrap();
        assert_eq!(
            parse_network(&network_to_json(&no_box), path()).unwrap(),
            no_box
        );
    }

    #[test]
    fn the_physics_is_recorded_and_a_file_without_it_is_resistive() {
        let resistive =
            Network::new(vec![[0.0, 0.0], [1.0, 0.0]], vec![[0, 1]], vec![2.0], None).unwrap();
        let text = network_to_json(&resistive);
        assert!(text.contains("\"physics\": \"resistive\""), "{text}");
        let spring = resistive.clone().with_physics(Physics::Spring2d).unwrap();
        let text = network_to_json(&spring);
        assert!(text.contains("\"physics\": \"spring\""), "{text}");
        let back = parse_network(&text, path()).unwrap();
        assert_eq!(back.physics(), Physics::Spring2d);
        assert_eq!(back, spring);
        // Written before the field existed.
        let old = "{\"format\": \"imprint-network\", \"version\": 1, \"nodes\": [[0,0],[1,0]], \"edges\": [[0,1]], \"conductance\": [1], \"box\": null}";
        assert_eq!(
            parse_network(old, path()).unwrap().physics(),
            Physics::Resistive
        );
    }

    #[test]
    fn random_doubles_round_trip_exactly() {
        // serde_json's default float parser is off by an ulp now and then;
        // resumed runs need exact conductances (the float_roundtrip feature).
        let mut rng = crate::random::Rng::new(5);
        let k: Vec<f64> = (0..5000)
            .map(|_| rng.uniform_in(-300.0, 300.0).exp2() * (1.0 + rng.uniform()))
            .collect();
        let positions = (0..5001).map(|i| [i as f64 * 0.1, rng.uniform()]).collect();
        let edges = (0..5000).map(|i| [i, i + 1]).collect();
        let net = Network::new(positions, edges, k, None).unwrap();
        assert_eq!(parse_network(&network_to_json(&net), path()).unwrap(), net);
    }

    #[test]
    fn errors_name_the_file_and_the_fault() {
        let cases = [
            ("{\"format\": \"imprint-network\", \"version\": 1, \"nodes\": [[0,0],[1,0]], \"edges\": [[0,1]], \"conductance\": [-1], \"box\": null}", "net.json: edge 0 has conductance -1"),
            ("{\"format\": \"other\", \"version\": 1, \"nodes\": [], \"edges\": [], \"conductance\": [], \"box\": null}", "field `format`"),
            ("{\"format\": \"imprint-network\", \"version\": 9, \"nodes\": [], \"edges\": [], \"conductance\": [], \"box\": null}", "version 9 is not supported"),
            ("{\"format\": \"imprint-network\",\n \"version\": 1, \"nodes\": [[0,0]], \"edges\": [[0,-1]]}", "line 2"),
            ("{\"format\": \"imprint-network\", \"version\": 1, \"nodes\": [[0,0],[1,0]], \"edges\": [[0,1]], \"conductances\": [1], \"box\": null}", "unknown field `conductances`"),
            ("{\"format\": \"imprint-network\", \"version\": 1, \"nodes\": [[0,0],[1,0]], \"edges\": [[0,5]], \"conductance\": [1], \"box\": null}", "edge 0 joins node 5"),
            ("{\"format\": \"imprint-network\", \"version\": 1, \"physics\": \"springs\", \"nodes\": [[0,0],[1,0]], \"edges\": [[0,1]], \"conductance\": [1], \"box\": null}", "unknown variant `springs`"),
            ("{\"format\": \"imprint-network\", \"version\": 1, \"physics\": \"spring\", \"nodes\": [[0,0],[1,0],[0,0]], \"edges\": [[0,1],[0,2]], \"conductance\": [1,1], \"box\": null}", "edge 1 joins nodes 0 and 2, which sit at the same place"),
        ];
        for (text, expected) in cases {
            let message = parse_network(text, path()).unwrap_err().to_string();
            assert!(message.contains(expected), "{message:?} lacks {expected:?}");
            assert!(message.starts_with("net.json"), "{message}");
            assert!(!message.contains('\n'), "{message}");
        }
    }
}
