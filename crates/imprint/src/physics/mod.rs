//! Resistor physics (docs/theory.md section 1): boundary conditions, the bordered
//! physical Hessian, and the sparse solver for the response `x = H^{-1} f`;
//! 2D springs (section 9): the dense reference and rigidity.

mod boundary;
pub mod certificate;
mod dofs;
mod error;
mod factorization;
mod hessian;
mod incidence;
mod kept_factor;
mod layout;
mod ordering;
mod pool;
pub mod refine;
pub mod rigidity;
mod solution;
mod solver;
pub mod spring;
mod stencil_residual;

pub use boundary::{is_valid_source, BoundaryConditions, MAX_SOURCE};
pub use error::PhysicsError;
pub use factorization::Factorization;
pub use hessian::{hessian_times, physical_hessian, physical_hessian_dense};
pub use incidence::Incidence;
pub use kept_factor::{
    kept_factor_bound, FactorCycle, KeptFactorBound, FACTORIZATION_NS_PER_ENTRY,
    MAX_CONJUGATE_GRADIENT_STEPS, PRODUCT_NS_PER_ENTRY_AND_DRIVE, RESIDUAL_NS_PER_EDGE_AND_DRIVE,
    SOLVE_NS_PER_ENTRY, SOLVE_NS_PER_ENTRY_AND_DRIVE, WARM_START_ROWS,
};
pub use ordering::{FactorCount, FillOrdering, OrderingChoice, NESTED_DISSECTION_MIN_UNKNOWNS};
pub(crate) use solution::sequential_product;
pub use solution::{edge_drops, Solution};
pub(crate) use solver::resistive_only;
pub use solver::{check_reachable, solve, Solver};
