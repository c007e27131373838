//! Edge-list CSV import (`docs/formats.md`, "Edge-list CSV"): one edge per
//! line, `i,j` or `i,j,conductance`, 0-based node indices without gaps, an
//! optional header line of names, `#` comments, a byte-order mark skipped
//! (`io::text`). Edge lists carry no positions, so nodes are placed on a unit
//! circle in index order (good enough to draw a small graph); missing
//! conductances default to 1.

use std::path::Path;

use super::text::{data_lines, finite_number, is_header, node_index};
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
    for (position, (line, content)) in data_lines(text).enumerate() {
        let fields: Vec<&str> = content.split(',').map(str::trim).collect();
        if position == 0 && is_header(&fields) {
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
        let node = |text: &str| node_index(text).map_err(|m| line_error(line, m));
        edges.push([node(fields[0])?, node(fields[1])?]);
        conductance.push(match fields.get(2) {
            Some(text) => finite_number(text).map_err(|m| line_error(line, m))?,
            None => 1.0,
        });
    }
    let node_count = numbered_without_gaps(&edges, path)?;
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

/// The node count of an edge list: its nodes are the indices its edges
/// name, which must be `0..N` without a gap. A gap would be an isolated node
/// no edge mentions (a line `1,100000000` would make 1e8 of them), so it is
/// refused before anything is allocated for the nodes.
fn numbered_without_gaps(edges: &[[usize; 2]], path: &Path) -> Result<usize, IoError> {
    let mut named: Vec<usize> = edges.iter().flatten().copied().collect();
    named.sort_unstable();
    named.dedup();
    match named.iter().enumerate().find(|&(expected, &n)| n != expected) {
        Some((missing, &next)) => Err(IoError::Field {
            path: path.to_path_buf(),
            field: "node indices",
            message: format!(
                "no edge names node {missing} but one names node {next}: number the nodes 0..N-1 without gaps (an edge list cannot hold isolated nodes)"
            ),
        }),
        None => Ok(named.len()),
    }
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
        let net = parse_edge_list("0,1\n1,3\n3,2\n", p).unwrap();
        assert_eq!(net.node_count(), 4);
        assert_eq!(net.conductance(), &[1.0, 1.0, 1.0]);
        // Excel's byte-order mark does not turn the first edge into a header.
        let net = parse_edge_list("\u{feff}0,1,1\n1,2,1\n2,3,1\n3,4,1\n4,0,1\n", p).unwrap();
        assert_eq!(net.edge_count(), 5);
        let net = parse_edge_list("\u{feff}i,j\n0,1\n", p).unwrap();
        assert_eq!(net.edge_count(), 1);
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
            // A first line that is not all names is data, and must parse.
            ("0.0,1,1\n1,2,1\n", "line 1: `0.0` is not a node index"),
            (
                "\"0\",\"1\",1\n1,2,1\n",
                "line 1: `\"0\"` is not a node index",
            ),
            (",1,1\n1,2,1\n", "line 1: `` is not a node index"),
            ("O,1,1\n1,2,1\n", "line 1: `O` is not a node index"),
            ("i,j\nk,l\n0,1\n", "line 2: `k` is not a node index"),
            ("0,1,nan\n", "line 1: `nan` is not a finite number"),
            ("0,1,inf\n", "line 1: `inf` is not a finite number"),
            // Counts come from indices: a gap is refused before allocating.
            (
                "0,1\n1,1000000000000\n",
                "no edge names node 2 but one names node 1000000000000",
            ),
            ("1,2\n", "no edge names node 0 but one names node 1"),
        ];
        for (text, expected) in cases {
            let message = parse_edge_list(text, p).unwrap_err().to_string();
            assert!(message.contains(expected), "{message:?} lacks {expected:?}");
        }
    }
}
