//! What an analysis refuses: an option its task or network cannot take,
//! named by [`AnalysisOption`], and the errors of the layers below it
//! (the task's circuit, the solver).

use crate::learning::LearningError;
use crate::physics::PhysicsError;

/// Why an analysis could not be made.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// An analysis option outside what the task or the network allows.
    #[error("invalid `{option}`: {reason}")]
    InvalidOption {
        /// Which option.
        option: AnalysisOption,
        /// Why, with the value given.
        reason: String,
    },
    /// The task on the network (building its circuit, training quantities).
    #[error(transparent)]
    Learning(#[from] LearningError),
    /// A solve or a factorisation.
    #[error(transparent)]
    Physics(#[from] PhysicsError),
}

/// The analysis options an [`AnalysisError::InvalidOption`] can name. Its
/// `Display` is the library's (and Python's) name of the option; a front
/// end spells its own flag for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnalysisOption {
    /// The training sample the structure analysis cuts into sectors.
    Sample,
    /// The share of edges counted as the most susceptible.
    TopShare,
    /// The nodes that border the Hessian of `chi_e`.
    Boundary,
    /// The noise of a simulated measurement.
    Noise,
    /// The random projections of the sketched `chi`.
    Projections,
    /// The check of the tensor identity.
    CheckTensors,
}

impl AnalysisOption {
    /// The option's name in the library's types and in Python.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sample => "sample",
            Self::TopShare => "top_share",
            Self::Boundary => "boundary",
            Self::Noise => "noise",
            Self::Projections => "projections",
            Self::CheckTensors => "check_tensors",
        }
    }
}

impl std::fmt::Display for AnalysisOption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
