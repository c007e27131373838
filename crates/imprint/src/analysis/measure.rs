//! The measurement protocol of the paper (eq. 17): component `a` of `s_e` is
//! the drop across `e` when a unit current enters node `a` (or a unit voltage
//! is imposed on constraint `a`) with every source held at zero. Injecting
//! currents node by node and recording every edge's drop measures all `s_e`,
//! hence `chi_e`, without knowing any conductance.

use std::path::Path;

use faer::Mat;

use crate::io::text::{data_lines, excerpt, finite_number};
use crate::io::IoError;
use crate::physics::{Factorization, PhysicsError};
use crate::random::Rng;

/// A measured (or simulated) response matrix: one row per stimulus, one
/// column per edge.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseMatrix {
    /// Stimulus labels: `current@NODE` or `voltage@NODE`.
    pub stimuli: Vec<String>,
    /// `drops[r][e]`: drop across edge `e` under stimulus `r`.
    pub drops: Vec<Vec<f64>>,
}

/// Simulates the protocol: a unit current at every node, then a unit voltage
/// at every constrained node, each with everything else held at zero; every
/// drop gets independent Gaussian noise of standard deviation `noise`.
pub fn simulate_measurement(
    factor: &Factorization,
    edges: &[[usize; 2]],
    noise: f64,
    seed: u64,
) -> Result<ResponseMatrix, PhysicsError> {
    let solver = factor.solver();
    let (n, nodes) = (solver.dimension(), solver.node_count());
    let states = factor.solve_states(Mat::<f64>::identity(n, n).as_ref())?;
    let mut rng = Rng::new(seed);
    let stimuli = (0..nodes)
        .map(|a| format!("current@{a}"))
        .chain(solver.constrained().iter().map(|c| format!("voltage@{c}")))
        .collect();
    let drops = (0..n)
        .map(|r| {
            edges
                .iter()
                .map(|&[i, j]| {
                    states[(i, r)] - states[(j, r)]
                        + if noise > 0.0 {
                            noise * rng.normal()
                        } else {
                            0.0
                        }
                })
                .collect()
        })
        .collect();
    Ok(ResponseMatrix { stimuli, drops })
}

/// The protocol on `network` with the nodes of `boundary` for `task` held
/// (the ground and rails for the paper's `H_g`): the measurement whose column
/// norms are the `chi_e` of an analysis with the same boundary.
pub fn simulate_for_task(
    network: &crate::network::Network,
    task: &crate::learning::Task,
    boundary: super::Boundary,
    noise: f64,
    seed: u64,
) -> Result<ResponseMatrix, super::AnalysisError> {
    if !(noise.is_finite() && noise >= 0.0) {
        return Err(super::AnalysisError::InvalidOption {
            option: super::AnalysisOption::Noise,
            reason: format!("{noise}: a standard deviation must be finite and at least 0"),
        });
    }
    // The protocol injects unit currents node by node and reads voltage
    // drops: a spring network's counterpart (forces per component,
    // extensions) is not written yet.
    crate::physics::resistive_only(network, "the simulated measurement")?;
    let factor = boundary.factorize(network, task)?;
    Ok(simulate_measurement(&factor, network.edges(), noise, seed)?)
}

impl ResponseMatrix {
    /// `chi_e`: the norm of each column.
    pub fn susceptibility(&self) -> Vec<f64> {
        let edges = self.drops.first().map_or(0, Vec::len);
        (0..edges)
            .map(|e| {
                self.drops
                    .iter()
                    .map(|row| row[e] * row[e])
                    .sum::<f64>()
                    .sqrt()
            })
            .collect()
    }

    /// The measurement as CSV: a header `stimulus,e0,e1,...`, then one row
    /// per stimulus (what `imprint measure` writes and a lab can fill in).
    pub fn to_csv(&self) -> String {
        let edges = self.drops.first().map_or(0, Vec::len);
        let mut text = String::from("stimulus");
        for e in 0..edges {
            text.push_str(&format!(",e{e}"));
        }
        text.push('\n');
        for (label, row) in self.stimuli.iter().zip(&self.drops) {
            text.push_str(label);
            for v in row {
                text.push_str(&format!(",{v:e}"));
            }
            text.push('\n');
        }
        text
    }

    /// Parses a measurement CSV (read from `path`, named in errors) for a
    /// network of `nodes` nodes and `edges` edges. The header must be
    /// `stimulus,e0,e1,...`; every label `current@NODE` or `voltage@NODE`
    /// with a node of the network, each at most once; every drop finite.
    pub fn parse_csv(
        text: &str,
        path: &Path,
        nodes: usize,
        edges: usize,
        held: &[usize],
    ) -> Result<Self, IoError> {
        let line_error = |line: usize, message: String| IoError::Line {
            path: path.to_path_buf(),
            line,
            message,
        };
        let mut lines = data_lines(text);
        let expected_header: Vec<String> = std::iter::once("stimulus".to_string())
            .chain((0..edges).map(|e| format!("e{e}")))
            .collect();
        match lines.next() {
            Some((line, header)) => {
                let fields: Vec<&str> = header.split(',').map(str::trim).collect();
                if fields != expected_header {
                    return Err(line_error(
                        line,
                        format!(
                            "header {} is not `stimulus,e0,...,e{}` for a network of {edges} edges",
                            excerpt(header),
                            edges.saturating_sub(1)
                        ),
                    ));
                }
            }
            None => {
                return Err(IoError::Field {
                    path: path.to_path_buf(),
                    field: "rows",
                    message: "the file is empty".into(),
                })
            }
        }
        let mut stimuli: Vec<String> = Vec::new();
        let mut seen = std::collections::HashMap::new();
        let mut drops = Vec::new();
        for (line, content) in lines {
            let mut fields = content.split(',').map(str::trim);
            let label = fields.next().unwrap_or("");
            let node = label
                .strip_prefix("current@")
                .or_else(|| label.strip_prefix("voltage@"))
                .and_then(|n| n.parse::<usize>().ok());
            match node {
                Some(node) if node < nodes => {}
                Some(node) => {
                    return Err(line_error(
                        line,
                        format!(
                        "stimulus `{label}`: node {node} is not in the network of {nodes} nodes"
                    ),
                    ))
                }
                None => {
                    return Err(line_error(
                        line,
                        format!(
                            "stimulus {} is neither `current@NODE` nor `voltage@NODE`",
                            excerpt(label)
                        ),
                    ))
                }
            }
            // The protocol imposes a unit voltage on each held node of the
            // boundary chi is analysed under, and on no other: a row at
            // another node was measured under another boundary.
            if let (Some(node), true) = (node, label.starts_with("voltage@")) {
                if !held.contains(&node) {
                    return Err(line_error(
                        line,
                        format!(
                            "stimulus `{label}`: node {node} is not held under the boundary analysed (held: {}); was it measured with another --boundary?",
                            list(held)
                        ),
                    ));
                }
            }
            if let Some(first) = seen.insert(label.to_string(), line) {
                return Err(line_error(
                    line,
                    format!("stimulus `{label}` was already measured on line {first}"),
                ));
            }
            let row = fields
                .map(finite_number)
                .collect::<Result<Vec<f64>, _>>()
                .map_err(|m| line_error(line, m))?;
            if row.len() != edges {
                return Err(line_error(
                    line,
                    format!("{} drops, but the network has {edges} edges", row.len()),
                ));
            }
            stimuli.push(label.to_string());
            drops.push(row);
        }
        if drops.is_empty() {
            return Err(IoError::Field {
                path: path.to_path_buf(),
                field: "rows",
                message: "no measurement rows".into(),
            });
        }
        if let Some(node) = held
            .iter()
            .find(|n| !seen.contains_key(&format!("voltage@{n}")))
        {
            return Err(IoError::Field {
                path: path.to_path_buf(),
                field: "rows",
                message: format!(
                    "no `voltage@{node}` row: the boundary analysed holds nodes {}, each measured once; was it measured with another --boundary?",
                    list(held)
                ),
            });
        }
        Ok(Self { stimuli, drops })
    }

    /// Reads a measurement CSV file.
    pub fn read_csv(
        path: &Path,
        nodes: usize,
        edges: usize,
        held: &[usize],
    ) -> Result<Self, IoError> {
        let text = std::fs::read_to_string(path).map_err(|source| IoError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse_csv(&text, path, nodes, edges, held)
    }
}

/// Nodes as `0, 5, 12`.
fn list(nodes: &[usize]) -> String {
    nodes
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_round_trip_and_errors() {
        let m = ResponseMatrix {
            stimuli: vec!["current@0".into(), "voltage@3".into()],
            drops: vec![vec![1.0, -2.5e-7], vec![0.0, 3.0]],
        };
        let path = Path::new("m.csv");
        assert_eq!(
            ResponseMatrix::parse_csv(&m.to_csv(), path, 4, 2, &[3]).unwrap(),
            m
        );
        let wrong = ResponseMatrix::parse_csv(&m.to_csv(), path, 4, 3, &[3]).unwrap_err();
        assert_eq!(
            wrong.to_string(),
            "m.csv, line 1: header `stimulus,e0,e1` is not `stimulus,e0,...,e2` for a network of 3 edges"
        );
        let header = "stimulus,e0,e1\n";
        for (rows, expected) in [
            ("", "m.csv: field `rows`: no measurement rows"),
            (
                "current@0,1,nan\n",
                "m.csv, line 2: `nan` is not a finite number",
            ),
            (
                "curent@0,1,2\n",
                "m.csv, line 2: stimulus `curent@0` is neither",
            ),
            (
                "current@9,1,2\n",
                "m.csv, line 2: stimulus `current@9`: node 9 is not in the network of 4 nodes",
            ),
            (
                "current@1,1,2\ncurrent@1,3,4\n",
                "m.csv, line 3: stimulus `current@1` was already measured on line 2",
            ),
            (
                "current@1,1\n",
                "m.csv, line 2: 1 drops, but the network has 2 edges",
            ),
            (
                "current@0,1,2\nvoltage@3,1,2\nvoltage@2,1,2\n",
                "m.csv, line 4: stimulus `voltage@2`: node 2 is not held under the boundary analysed (held: 3)",
            ),
            (
                "current@0,1,2\n",
                "m.csv: field `rows`: no `voltage@3` row: the boundary analysed holds nodes 3",
            ),
        ] {
            let message = ResponseMatrix::parse_csv(&format!("{header}{rows}"), path, 4, 2, &[3])
                .unwrap_err()
                .to_string();
            assert!(
                message.starts_with(expected),
                "{message:?} is not {expected:?}"
            );
        }
    }
}
