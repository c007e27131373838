//! Why a run configuration was refused, kept typed: a value the learning
//! or network layer refuses stays that layer's error, with the file it
//! came from.

use crate::learning::LearningError;
use crate::network::NetworkError;

/// A run configuration refused: where it came from and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{origin}: {fault}")]
pub struct ConfigError {
    /// The file (or "configuration", or the table, such as `[task]`).
    pub origin: String,
    /// What is wrong.
    pub fault: ConfigFault,
}

/// What is wrong with a run configuration.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigFault {
    /// Not TOML, or a field unknown, missing or of the wrong type: the
    /// field's name and the reader's message.
    #[error("{0}")]
    Syntax(String),
    /// A value the learning layer refuses (a task, a rule, a schedule).
    #[error(transparent)]
    Learning(#[from] LearningError),
    /// A network the network layer refuses.
    #[error(transparent)]
    Network(#[from] NetworkError),
}

impl ConfigError {
    /// `fault` in `origin`.
    pub fn new(origin: impl Into<String>, fault: impl Into<ConfigFault>) -> Self {
        Self {
            origin: origin.into(),
            fault: fault.into(),
        }
    }

    /// A syntax error in `origin`.
    pub fn syntax(origin: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(origin, ConfigFault::Syntax(message.into()))
    }
}
