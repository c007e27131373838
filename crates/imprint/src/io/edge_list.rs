//! Edge-list CSV import (`docs/formats.md`, "Edge-list CSV"): one edge per
//! line, `i,j` or `i,j,conductance`, 0-based node indices, an optional header
//! line, `#` comments. Edge lists carry no positions, so nodes are placed on a
//! unit circle in index order (good enough to draw a small graph); missing
//! conductances default to 1.

use std::path::Path;

use super::IoError;
use crate::network::Network;

/// Reads an edge-list CSV file.
pub fn read_edge_list(path: &Path) -> Result<Network, IoError> {
    let text = std::fs::read_to_string(path).map_err(|source| IoError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_edge_list(&text, path)
}

/// Parses the text of an edge-list CSV file; `path` only labels errors.
pub fn parse_edge_list(text: &str, path: &Path) -> Result<Network, IoError> {
    let line_error = |line: usize, message: String| IoError::Line {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut edges = Vec::new();
    let mut conductance = Vec::new();
    let mut columns = None;
    let mut first_data_line = true;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let content = raw.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let fields: Vec<&str> = content.split(',').map(str::trim).collect();
        let is_header = first_data_line && fields[0].parse::<i64>().is_err();
        first_data_line = false;
        if is_header {
            continue;
        }
        if fields.len() != 2 && fields.len() != 3 {
            return Err(line_error(
                line,
                format!(
                    "expected `i,j` or `i,j,conductance`, found {} fields",
                    fields.len()
                ),
            ));
        }
        match columns {
            None => columns = Some(fields.len()),
            Some(c) if c != fields.len() => {
                return Err(line_error(line, format!("has {} fields but earlier lines have {c}: give a conductance on every line or on none", fields.len())));
            }
            _ => {}
        }
        let node = |text: &str| {
            text.parse::<usize>().map_err(|_| {
                line_error(
                    line,
                    format!("`{text}` is not a node index (a non-negative integer)"),
                )
            })
        };
        edges.push([node(fields[0])?, node(fields[1])?]);
        if let Some(text) = fields.get(2) {
            let k = text
                .parse::<f64>()
                .map_err(|_| line_error(line, format!("`{text}` is not a number")))?;
            conductance.push(k);
        } else {
            conductance.push(1.0);
        }
    }
    let node_count = edges.iter().flatten().map(|&n| n + 1).max().unwrap_or(0);
    let positions = (0..node_count)
        .map(|n| {
            let angle = std::f64::consts::TAU * n as f64 / node_count as f64;
            [angle.cos(), angle.sin()]
        })
        .collect();
    Network::new(positions, edges, conductance, None).map_err(|source| IoError::Network {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_with_and_without_header_and_conductance() {
        let p = Path::new("edges.csv");
        let net = parse_edge_list("i,j,conductance\n0,1,2.5\n# comment\n1, 2 ,0.5\n", p).unwrap();
        assert_eq!(net.edges(), &[[0, 1], [1, 2]]);
        assert_eq!(net.conductance(), &[2.5, 0.5]);
        let net = parse_edge_list("0,1\n1,3\n", p).unwrap();
        assert_eq!(net.node_count(), 4);
        assert_eq!(net.conductance(), &[1.0, 1.0]);
    }

    #[test]
    fn errors_name_the_line() {
        let p = Path::new("edges.csv");
        let cases = [
            ("0,1\n1,x\n", "edges.csv, line 2: `x` is not a node index"),
            ("0,1,1\n1,2\n", "edges.csv, line 2: has 2 fields"),
            ("0,1,abc\n", "line 1: `abc` is not a number"),
            ("0,1,0\n", "edges.csv: edge 0 has conductance 0"),
            ("0,0\n", "joins node 0 to itself"),
            ("0,1,2,3\n", "found 4 fields"),
            ("i,j\n", "the network is empty"),
            ("0,-1\n", "`-1` is not a node index"),
        ];
        for (text, expected) in cases {
            let message = parse_edge_list(text, p).unwrap_err().to_string();
            assert!(message.contains(expected), "{message:?} lacks {expected:?}");
        }
    }
}
