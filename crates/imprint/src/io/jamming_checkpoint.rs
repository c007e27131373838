//! The jamming checkpoint file (docs/formats.md, "Jamming checkpoint"):
//! one [`JammingCheckpoint`] as JSON, floats written to round trip.

use std::path::{Path, PathBuf};

use super::{write_atomic, IoError};
use crate::network::jammed::{JammingCheckpoint, JammingParameters};

/// Where the checkpoint of a jammed packing bound for `output` is kept:
/// `OUTPUT.checkpoint`, beside it.
pub fn jamming_checkpoint_path(output: &Path) -> PathBuf {
    let mut path = output.as_os_str().to_owned();
    path.push(".checkpoint");
    PathBuf::from(path)
}

/// Reads the checkpoint at `path` and refuses it unless it continues a
/// generation of `parameters` (the error names the file and the first
/// field that differs).
pub fn read_jamming_checkpoint(
    path: &Path,
    parameters: &JammingParameters,
) -> Result<JammingCheckpoint, IoError> {
    let text = std::fs::read_to_string(path).map_err(|source| IoError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let checkpoint: JammingCheckpoint =
        serde_json::from_str(&text).map_err(|e| IoError::json(path, e))?;
    checkpoint
        .check(parameters)
        .map_err(|source| IoError::Network {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(checkpoint)
}

/// Writes `checkpoint` to `path`, atomically.
pub fn write_jamming_checkpoint(
    path: &Path,
    checkpoint: &JammingCheckpoint,
) -> Result<(), IoError> {
    let text = serde_json::to_vec(checkpoint).expect("a checkpoint serialises");
    write_atomic(path, &text)
}
