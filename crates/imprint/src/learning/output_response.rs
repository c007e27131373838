//! The response of a task's outputs to currents injected at them, for one
//! factorisation (docs/theory.md section 4): `G_O = H^{-1} P^T`, the
//! effective resistance matrix `P G_O` between the outputs, and its
//! Cholesky factor, from which the clamped states and the rate estimate
//! of Coupled Learning are built.

use faer::Mat;

use super::{LearningError, TaskCircuit};
use crate::physics::Factorization;

/// The response of the outputs to currents at the outputs, for one
/// factorisation.
#[derive(Debug, Clone)]
pub struct OutputResponse {
    /// `G_O = H^{-1} P^T` (`n x n_out`).
    pub response: Mat<f64>,
    /// `P G_O = P H^{-1} P^T` (`n_out x n_out`): the effective resistance
    /// matrix between the outputs with the inputs held; its inverse is the
    /// `A` of docs/theory.md section 4.
    pub resistance: Mat<f64>,
    /// The Cholesky factor (lower) of `resistance`, computed once.
    factor: Mat<f64>,
}

impl OutputResponse {
    /// Solves `(P G_O) z = rhs`.
    pub fn solve(&self, rhs: &[f64]) -> Vec<f64> {
        let z = self.solve_columns(Mat::from_fn(rhs.len(), 1, |i, _| rhs[i]));
        z.col(0).iter().copied().collect()
    }

    /// Solves `(P G_O) Z = R` for every column of `rhs` (`n_out x B`), on
    /// this thread (faer's `solve` would spread these tiny solves over all
    /// cores, which costs more than the solves).
    pub fn solve_columns(&self, mut rhs: Mat<f64>) -> Mat<f64> {
        let mut stack = faer::dyn_stack::MemBuffer::new(faer::dyn_stack::StackReq::EMPTY);
        faer::linalg::cholesky::llt::solve::solve_in_place(
            self.factor.as_ref(),
            rhs.as_mut(),
            faer::Par::Seq,
            faer::dyn_stack::MemStack::new(&mut stack),
        );
        rhs
    }
}

impl TaskCircuit {
    /// `G_O = H^{-1} P^T` and `P G_O` for one factorisation.
    pub fn output_response(&self, factor: &Factorization) -> Result<OutputResponse, LearningError> {
        self.response_from(factor.solve_states(self.adjoint_drives.as_ref())?)
    }

    /// `P G_O` of `G_O`, and its Cholesky factor.
    pub(crate) fn response_from(
        &self,
        response: Mat<f64>,
    ) -> Result<OutputResponse, LearningError> {
        let n_out = self.task().readout.len();
        let mut resistance = Mat::zeros(n_out, n_out);
        for o in 0..n_out {
            let y = self.read(|dof| response[(dof, o)]);
            for (p, v) in y.into_iter().enumerate() {
                resistance[(p, o)] = v;
            }
        }
        // P H^{-1} P^T is symmetric positive definite unless the read-out's
        // rows are dependent on the free nodes (edges around a loop, an
        // output that is a fixed node): then no clamp is determined.
        let mut factor = resistance.clone();
        let llt = faer::linalg::cholesky::llt::factor::cholesky_in_place(
            factor.as_mut(),
            Default::default(),
            faer::Par::Seq,
            faer::dyn_stack::MemStack::new(&mut faer::dyn_stack::MemBuffer::new(
                faer::linalg::cholesky::llt::factor::cholesky_in_place_scratch::<f64>(
                    n_out,
                    faer::Par::Seq,
                    Default::default(),
                ),
            )),
            Default::default(),
        );
        // Rounding leaves an exactly singular matrix with pivots at the
        // level of eps times its largest entry, and Cholesky then succeeds.
        let largest = (0..n_out).map(|o| resistance[(o, o)]).fold(0.0, f64::max);
        let singular = (0..n_out)
            .any(|o| factor[(o, o)].powi(2) <= 16.0 * n_out as f64 * f64::EPSILON * largest);
        if llt.is_err() || singular {
            return Err(LearningError::InvalidParameter {
                field: "readout",
                reason: "the outputs' resistance matrix P H^-1 P^T is not positive definite: \
                    the outputs do not respond independently (edges around a loop, or an \
                    output held by a fixed node), so no clamp is determined"
                    .into(),
            });
        }
        Ok(OutputResponse {
            response,
            resistance,
            factor,
        })
    }
}
