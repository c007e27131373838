//! The task's transfer matrix and its Jacobian (docs/theory.md section 8).
//!
//! In a linear network every read-out is linear in the held values: with
//! `h_mu` the voltages sample `mu` holds its driven fixed nodes at, the
//! outputs are `y_mu = T h_mu` with `T = P U` (`n_out x n_h`), `U` the
//! responses to a unit voltage on each driven fixed node (the others at 0).
//! Every cost of the task is a function of `T` alone, and
//!
//! ```text
//! dT/dk_e = - a_e d_e^T,   a_e = P H^{-1} bb_e (the drops of G_O over e),
//!                          d_e = the drops of the unit responses over e,
//! ```
//!
//! so the whole Jacobian costs one factorisation and `n_out + n_h` solves,
//! whatever the number of samples or edges. Nothing of size `E x E` is
//! formed; [`Transfer::dense_jacobian`] (`n_out n_h x E`) is for small
//! networks and tests.

use faer::Mat;

use super::{LearningError, TaskCircuit};
use crate::physics::{Factorization, Incidence};

/// The transfer matrix of a task at one conductance vector, with what its
/// Jacobian is made of.
#[derive(Debug, Clone)]
pub struct Transfer {
    /// Positions in the task's `fixed_nodes` of the driven fixed nodes (held
    /// at a non-zero voltage in some training sample): the columns of `T`.
    /// Grounds, at 0 V in every sample, do not appear.
    pub driven: Vec<usize>,
    /// `T = P U` (`n_out x n_h`).
    pub matrix: Mat<f64>,
    /// The unit responses `U` (`n x n_h`, `n = N + |C|`).
    pub units: Mat<f64>,
    /// `G_O = H^{-1} P^T` (`n x n_out`).
    pub response: Mat<f64>,
    /// Estimated relative error of the solved columns (refinement's).
    pub voltage_error: f64,
}

impl TaskCircuit {
    /// The driven fixed nodes of the training samples, by position in the
    /// task's `fixed_nodes`: those held at a non-zero voltage in some sample.
    pub fn driven_fixed(&self) -> Vec<usize> {
        let voltages = &self.task().fixed_voltages;
        (0..self.task().fixed_nodes.len())
            .filter(|&j| voltages.iter().any(|v| v[j] != 0.0))
            .collect()
    }

    /// The held values `h_mu` of every training sample (one row each, the
    /// voltages of [`driven_fixed`](Self::driven_fixed) in order).
    pub fn held_values(&self) -> Vec<Vec<f64>> {
        let driven = self.driven_fixed();
        self.task()
            .fixed_voltages
            .iter()
            .map(|v| driven.iter().map(|&j| v[j]).collect())
            .collect()
    }

    /// The transfer matrix `T` and the columns its Jacobian is built from,
    /// from one block of `n_h + n_out` refined solves.
    pub fn transfer(&self, factor: &Factorization) -> Result<Transfer, LearningError> {
        let driven = self.driven_fixed();
        let n_h = driven.len();
        let n_out = self.adjoint_drives.ncols();
        let rows = self.drive_rows();
        let n = rows - self.task().fixed_nodes.len();
        let mut block = Mat::zeros(rows, n_h + n_out);
        for (c, &j) in driven.iter().enumerate() {
            block[(n + j, c)] = 1.0;
        }
        block
            .as_mut()
            .subcols_mut(n_h, n_out)
            .copy_from(&self.adjoint_drives);
        // The outputs combine up to n_h unit responses: refine each to a
        // share of the certified error, as the superposed states are.
        let target = crate::physics::refine::CERTIFIED / n_h.max(1) as f64;
        let (solved, voltage_error) = factor.solve_states_refined_to(block.as_ref(), target)?;
        let units = solved.as_ref().subcols(0, n_h).to_owned();
        let response = solved.as_ref().subcols(n_h, n_out).to_owned();
        let mut matrix = Mat::zeros(n_out, n_h);
        for h in 0..n_h {
            for (o, y) in self.read(|dof| units[(dof, h)]).into_iter().enumerate() {
                matrix[(o, h)] = y;
            }
        }
        Ok(Transfer {
            driven,
            matrix,
            units,
            response,
            voltage_error,
        })
    }
}

impl Transfer {
    /// Outputs `n_out`.
    pub fn output_count(&self) -> usize {
        self.matrix.nrows()
    }

    /// Driven held values `n_h`.
    pub fn held_count(&self) -> usize {
        self.matrix.ncols()
    }

    /// `a_e` (`n_out`) and `d_e` (`n_h`) of edge `e`: `dT/dk_e = -a_e d_e^T`.
    pub fn edge_factors(&self, edges: &Incidence, e: usize) -> (Vec<f64>, Vec<f64>) {
        let a = (0..self.output_count())
            .map(|o| edges.drop_in(e, |dof| self.response[(dof, o)]))
            .collect();
        let d = (0..self.held_count())
            .map(|h| edges.drop_in(e, |dof| self.units[(dof, h)]))
            .collect();
        (a, d)
    }

    /// `dvec(T)/dk` (`n_out n_h x E`, row-major `vec`: entry `o n_h + h`),
    /// dense: for small networks and tests.
    pub fn dense_jacobian(&self, edges: &Incidence) -> Mat<f64> {
        let n_h = self.held_count();
        let mut jacobian = Mat::zeros(self.output_count() * n_h, edges.len());
        for e in 0..edges.len() {
            let (a, d) = self.edge_factors(edges, e);
            for (o, a) in a.iter().enumerate() {
                for (h, d) in d.iter().enumerate() {
                    jacobian[(o * n_h + h, e)] = -a * d;
                }
            }
        }
        jacobian
    }
}
