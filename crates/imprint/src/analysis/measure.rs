//! The measurement protocol of the paper (eq. 17): component `a` of `s_e` is
//! the drop across `e` when a unit current enters node `a` (or a unit voltage
//! is imposed on constraint `a`) with every source held at zero. Injecting
//! currents node by node and recording every edge's drop measures all `s_e`,
//! hence `chi_e`, without knowing any conductance.

use std::path::Path;

use faer::Mat;

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
) -> Result<ResponseMatrix, crate::learning::LearningError> {
    let held = boundary.nodes(task)?;
    let factor = crate::physics::Solver::new(network, &held)?.factorize(network.conductance())?;
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
    /// network of `edges` edges.
    pub fn parse_csv(text: &str, path: &Path, edges: usize) -> Result<Self, IoError> {
        let line_error = |line: usize, message: String| IoError::Line {
            path: path.to_path_buf(),
            line,
            message,
        };
        let mut stimuli = Vec::new();
        let mut drops = Vec::new();
        for (index, line) in text.lines().enumerate() {
            if index == 0 || line.trim().is_empty() {
                continue;
            }
            let mut fields = line.split(',');
            stimuli.push(fields.next().unwrap_or("").to_string());
            let row: Result<Vec<f64>, _> = fields.map(|f| f.trim().parse::<f64>()).collect();
            let row = row.map_err(|_| {
                line_error(
                    index + 1,
                    "not a row of numbers after the stimulus label".into(),
                )
            })?;
            if row.len() != edges {
                return Err(line_error(
                    index + 1,
                    format!("{} drops, but the network has {edges} edges", row.len()),
                ));
            }
            drops.push(row);
        }
        if drops.is_empty() {
            return Err(IoError::Field {
                path: path.to_path_buf(),
                field: "rows",
                message: "no measurement rows".into(),
            });
        }
        Ok(Self { stimuli, drops })
    }

    /// Reads a measurement CSV file.
    pub fn read_csv(path: &Path, edges: usize) -> Result<Self, IoError> {
        let text = std::fs::read_to_string(path).map_err(|source| IoError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse_csv(&text, path, edges)
    }
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
        assert_eq!(ResponseMatrix::parse_csv(&m.to_csv(), path, 2).unwrap(), m);
        let wrong = ResponseMatrix::parse_csv(&m.to_csv(), path, 3).unwrap_err();
        assert_eq!(
            wrong.to_string(),
            "m.csv, line 2: 2 drops, but the network has 3 edges"
        );
        assert!(ResponseMatrix::parse_csv("stimulus,e0\n", path, 1).is_err());
    }
}
