//! Errors raised while reading or writing files. Each names the file and,
//! where there is one, the line or field at fault.

use std::path::PathBuf;

use crate::network::NetworkError;
use crate::physics::PhysicsError;

/// Why a file could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IoError {
    /// The operating system refused to read the file.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The system error.
        source: std::io::Error,
    },
    /// The operating system refused to write the file.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The system error.
        source: std::io::Error,
    },
    /// The file is not valid JSON, or a field has the wrong type.
    #[error("{}: line {line}, column {column}: {message}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// A field has a value the format does not allow.
    #[error("{}: field `{field}`: {message}", path.display())]
    Field {
        /// The file.
        path: PathBuf,
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A line of a text file could not be parsed.
    #[error("{}, line {line}: {message}", path.display())]
    Line {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The file parses but describes an invalid network.
    #[error("{}: {source}", path.display())]
    Network {
        /// The file.
        path: PathBuf,
        /// What is wrong with the network.
        source: NetworkError,
    },
    /// The boundary conditions to export are invalid for the network.
    #[error(transparent)]
    Physics(#[from] PhysicsError),
}

impl IoError {
    pub(crate) fn json(path: &std::path::Path, error: serde_json::Error) -> Self {
        Self::Json {
            path: path.to_path_buf(),
            line: error.line(),
            column: error.column(),
            message: strip_position(&error.to_string()),
        }
    }
}

/// serde_json appends " at line L column C" to its messages; we print the
/// position ourselves, once. A message quoting a huge value of the file
/// (`invalid type: string "..."`) is cut to a readable length.
fn strip_position(message: &str) -> String {
    let message = match message.rfind(" at line ") {
        Some(at) => &message[..at],
        None => message,
    };
    match message.char_indices().nth(200) {
        Some((cut, _)) => format!("{}… ({} bytes)", &message[..cut], message.len()),
        None => message.to_string(),
    }
}
