//! The plain-text network format of the physical-learning literature (as
//! distributed with Stern et al.'s Power-efficient-learning code; see
//! `shared/reference/networks/README.md`):
//!
//! ```text
//! N E L          node count, edge count, side of the periodic square box
//! x y            N lines: node positions
//! i j            E lines: edges, 0-based node indices
//! ```
//!
//! Edges may wrap around the box; they are read with the minimum-image
//! convention like every periodic network. No conductances are stored: every
//! edge gets `conductance`.

use std::path::Path;

use super::text::{data_lines, excerpt, finite_number, node_index};
use super::IoError;

/// A count of the header, or why it is not one.
fn count(field: &str) -> Result<usize, String> {
    field
        .parse::<usize>()
        .map_err(|_| format!("{} is not a non-negative integer", excerpt(field)))
}
use crate::network::Network;

/// Reads a literature network file, giving every edge `conductance`.
pub fn read_jammed_text(path: &Path, conductance: f64) -> Result<Network, IoError> {
    let text = std::fs::read_to_string(path).map_err(|source| IoError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_jammed_text(&text, path, conductance)
}

/// Parses the text of a literature network file; `path` only labels errors.
pub fn parse_jammed_text(text: &str, path: &Path, conductance: f64) -> Result<Network, IoError> {
    let line_error = |line: usize, message: String| IoError::Line {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut lines = data_lines(text);
    let (header_line, header) = lines
        .next()
        .ok_or_else(|| line_error(1, "the file is empty; expected `N E L`".into()))?;
    let fields: Vec<&str> = header.split_whitespace().collect();
    let (node_count, edge_count, side) = match fields.as_slice() {
        [n, e, l] => (
            count(n).map_err(|m| line_error(header_line, format!("node count {m}")))?,
            count(e).map_err(|m| line_error(header_line, format!("edge count {m}")))?,
            finite_number(l).map_err(|m| line_error(header_line, format!("box side {m}")))?,
        ),
        _ => {
            return Err(line_error(
                header_line,
                format!("expected `N E L` (3 fields), found {} fields", fields.len()),
            ))
        }
    };
    let mut pair = |what: &str| -> Result<(usize, [String; 2]), IoError> {
        let (line, content) = lines
            .next()
            .ok_or_else(|| line_error(usize::MAX, String::new()))?;
        let fields: Vec<&str> = content.split_whitespace().collect();
        match fields.as_slice() {
            [a, b] => Ok((line, [a.to_string(), b.to_string()])),
            _ => Err(line_error(
                line,
                format!("expected {what} (2 fields), found {} fields", fields.len()),
            )),
        }
    };
    let truncated = |found: usize, expected: usize, what: &str| IoError::Field {
        path: path.to_path_buf(),
        field: "N E L",
        message: format!("the header promises {expected} {what} but the file ends after {found}"),
    };
    // The header's counts are claims: reserve no more than the file's lines
    // can hold (a header of 1e12 nodes over three lines is an error at line
    // 4, not a 16 TB allocation).
    let lines_left = text.len() / 4;
    let mut positions = Vec::with_capacity(node_count.min(lines_left));
    for k in 0..node_count {
        let (line, [x, y]) = pair("`x y`").map_err(|e| {
            if matches!(&e, IoError::Line { line, .. } if *line == usize::MAX) {
                truncated(k, node_count, "nodes")
            } else {
                e
            }
        })?;
        let coordinate = |v: &str| finite_number(v).map_err(|m| line_error(line, m));
        positions.push([coordinate(&x)?, coordinate(&y)?]);
    }
    let mut edges = Vec::with_capacity(edge_count.min(lines_left));
    for k in 0..edge_count {
        let (line, [i, j]) = pair("`i j`").map_err(|e| {
            if matches!(&e, IoError::Line { line, .. } if *line == usize::MAX) {
                truncated(k, edge_count, "edges")
            } else {
                e
            }
        })?;
        let node = |v: &str| node_index(v).map_err(|m| line_error(line, m));
        edges.push([node(&i)?, node(&j)?]);
    }
    if let Some((line, _)) = lines.next() {
        return Err(line_error(
            line,
            format!("unexpected content after the {edge_count} edges the header promises"),
        ));
    }
    let mut network =
        Network::with_uniform_conductance(positions, edges, conductance, Some([side, side]))
            .map_err(|source| IoError::Network {
                path: path.to_path_buf(),
                source,
            })?;
    let metadata = network.metadata_mut();
    metadata.insert("generator".into(), "imported".into());
    metadata.insert(
        "source".into(),
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
            .into(),
    );
    Ok(network)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_small_periodic_network_and_names_faults() {
        let p = Path::new("tiny.txt");
        let net = parse_jammed_text("3 2 10\n0.5 5\n9.5 5\n5 5\n0 1\n1 2\n", p, 1.0).unwrap();
        assert_eq!(
            (net.node_count(), net.edge_count(), net.periodic_box()),
            (3, 2, Some([10.0, 10.0]))
        );
        assert!(net.crosses_box(0) && !net.crosses_box(1));
        let cases = [
            (
                "3 2\n",
                "tiny.txt, line 1: expected `N E L` (3 fields), found 2 fields",
            ),
            (
                "2 1 10\n0 0\n",
                "the header promises 2 nodes but the file ends after 1",
            ),
            (
                "2 1 10\n0 0\n1 x\n0 1\n",
                "tiny.txt, line 3: `x` is not a number",
            ),
            (
                "2 1 10\n0 0\n1 1\n0 5\n",
                "tiny.txt: edge 0 joins node 5, but the network has only 2 nodes",
            ),
            (
                "2 1 10\n0 0\n1 1\n0 1\n1 0\n",
                "tiny.txt, line 5: unexpected content",
            ),
            // Huge counts are claims checked against the lines, not allocations.
            (
                "1000000000000 1 10\n0 0\n1 1\n0 1\n",
                "the header promises 1000000000000 nodes but the file ends after 3",
            ),
            (
                "1152921504606846976 1 10\n0 0\n",
                "the header promises 1152921504606846976 nodes",
            ),
            (
                "99999999999999999999999 1 10\n",
                "node count `99999999999999999999999` is not a non-negative integer",
            ),
            ("2 1 nan\n", "box side `nan` is not a finite number"),
            ("2 1 10\n0 inf\n", "`inf` is not a finite number"),
        ];
        for (text, expected) in cases {
            let message = parse_jammed_text(text, p, 1.0).unwrap_err().to_string();
            assert!(message.contains(expected), "{message:?} lacks {expected:?}");
        }
    }
}
