//! The measurement protocol of the paper (eq. 17): component `a` of `s_e` is
//! the drop across `e` when a unit current enters node `a` (or a unit voltage
//! is imposed on constraint `a`) with every source held at zero. Injecting
//! currents node by node and recording every edge's drop measures all `s_e`,
//! hence `chi_e`, without knowing any conductance.

use faer::Mat;

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
}
