//! Files in and out: network JSON, edge-list CSV, SPICE netlists, and atomic
//! writes. Formats are specified in `docs/formats.md`.

mod atomic;
mod edge_list;
mod error;
mod network_json;
pub mod spice;

pub use atomic::{folder_bytes, write_atomic, write_atomic_with};
pub use edge_list::{parse_edge_list, read_edge_list};
pub use error::IoError;
pub use network_json::{
    network_to_json, parse_network, read_network, write_network, NETWORK_FORMAT, NETWORK_VERSION,
};
mod solution_json;
pub use solution_json::{
    solution_to_json, spring_solution_to_json, write_solution, SOLUTION_FORMAT,
    SPRING_SOLUTION_FORMAT,
};
mod jammed_text;
mod jamming_checkpoint;
mod values;
pub use jammed_text::{parse_jammed_text, read_jammed_text};
pub use jamming_checkpoint::{
    jamming_checkpoint_path, read_jamming_checkpoint, write_jamming_checkpoint,
};
pub use values::{
    npy_bytes, parse_npy, parse_npy_array, parse_text_values, read_values, write_npy,
};
mod task_json;
pub mod text;
pub use task_json::{
    parse_table, parse_task, read_table, read_task, task_to_json, write_task, TASK_FORMAT,
};
mod npz;
pub use npz::{npz_bytes, parse_npz, read_npz, write_npz, NpyArray};

/// The network file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkFormat {
    /// `i,j[,conductance]` lines (`.csv`).
    EdgeList,
    /// The literature's plain text: `N E L`, `x y` lines, `i j` lines (`.txt`, `.dat`).
    Literature,
    /// imprint network JSON.
    Json,
}

impl NetworkFormat {
    /// The format a file's extension names: `.csv`, `.txt`/`.dat`, `.json`.
    pub fn of(path: &std::path::Path) -> Option<Self> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("csv") => Some(Self::EdgeList),
            Some("txt" | "dat") => Some(Self::Literature),
            Some("json") => Some(Self::Json),
            _ => None,
        }
    }
}

/// Reads a network file of `format` (literature files get unit conductances).
pub fn read_network_as(
    path: &std::path::Path,
    format: NetworkFormat,
) -> Result<crate::network::Network, IoError> {
    match format {
        NetworkFormat::EdgeList => read_edge_list(path),
        NetworkFormat::Literature => read_jammed_text(path, 1.0),
        NetworkFormat::Json => read_network(path),
    }
}

/// Reads a network file of any supported format, chosen by extension:
/// `.csv` edge list, `.txt`/`.dat` literature plain text (unit
/// conductances), anything else network JSON.
pub fn read_any_network(path: &std::path::Path) -> Result<crate::network::Network, IoError> {
    read_network_as(path, NetworkFormat::of(path).unwrap_or(NetworkFormat::Json))
}
