//! # imprint
//!
//! Physical learning in adaptive resistor networks: the physics of linear
//! resistor networks, Coupled Learning, and the analysis of what a trained
//! network has learned (Guzman, Martins, Stern, Liu, Phys. Rev. X 15, 031056
//! (2025)). Every equation implemented here is written out in the project's
//! `docs/theory.md`; each module's documentation names the section it implements.
//!
//! Modules follow the science (docs/theory.md sections in brackets):
//! - [`network`]: nodes, edges, conductances, periodic boxes, generators (1);
//! - [`physics`]: boundary conditions, the bordered Hessian and the solver (1);
//! - [`learning`]: tasks, costs, Coupled Learning, gradient descent, the
//!   batch response and the training stepper (3, 4);
//! - [`analysis`]: susceptibility, physical spectrum, partial
//!   susceptibility, cost Hessians and stiff modes, walls and corridors,
//!   decision regions, and the analysis report (2, 3);
//! - [`topology`]: connected components, degrees and persistent sectors (5);
//! - [`paper`]: the paper's experiments, metrics and claims (6);
//! - [`run`]: run directories and the training executor (checkpoints,
//!   history, cancellation);
//! - [`sweep`]: ensembles of runs over any configuration field, locally
//!   or as Slurm job arrays, and the claims judged across them (6);
//! - [`io`]: network, task and value files, NumPy archives, SPICE netlists;
//! - [`statistics`] and [`random`]: correlations and seeded streams, for every layer;
//! - [`bench`](mod@bench): timings of the hot paths for `imprint bench`.
//!
//! ```
//! use imprint::prelude::*;
//! // A 10 x 10 lattice of unit resistors, 1 V across two corners.
//! let lattice = imprint::network::lattice::square(10, 10, false)?;
//! let conditions = BoundaryConditions::new().fix(0, 1.0).fix(99, 0.0);
//! let solution = solve(&lattice, &conditions)?;
//! assert!(solution.kirchhoff_residual < 1e-12);
//! // Power delivered by the source equals power dissipated in the resistors.
//! let delivered = solution.source_currents()[0] * 1.0;
//! assert!((delivered - solution.dissipated_power).abs() < 1e-12);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

pub mod analysis;
pub mod bench;
pub mod io;
pub mod learning;
pub mod network;
pub mod paper;
pub mod physics;
pub mod random;
pub mod run;
pub mod statistics;
pub mod sweep;
pub mod topology;

/// The types most programs need.
pub mod prelude {
    pub use crate::network::Network;
    pub use crate::physics::{
        solve, BoundaryConditions, Factorization, PhysicsError, Solution, Solver,
    };
}
