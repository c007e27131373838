//! Files in and out: network JSON, edge-list CSV, SPICE netlists, and atomic
//! writes. Formats are specified in `docs/formats.md`.

mod atomic;
mod edge_list;
mod error;
mod network_json;
pub mod spice;

pub use atomic::{write_atomic, write_atomic_with};
pub use edge_list::{parse_edge_list, read_edge_list};
pub use error::IoError;
pub use network_json::{
    network_to_json, parse_network, read_network, write_network, NETWORK_FORMAT, NETWORK_VERSION,
};
mod solution_json;
pub use solution_json::{solution_to_json, write_solution, SOLUTION_FORMAT};
mod jammed_text;
mod values;
pub use jammed_text::{parse_jammed_text, read_jammed_text};
pub use values::{npy_bytes, parse_npy, parse_npy_array, read_values, write_npy};
mod task_json;
pub use task_json::{read_table, read_task, task_to_json, write_task, TASK_FORMAT};
mod npz;
pub use npz::{npz_bytes, parse_npz, read_npz, write_npz, NpyArray};

/// Reads a network file of any supported format, chosen by extension:
/// `.csv` edge list, `.txt`/`.dat` literature plain text (unit
/// conductances), anything else network JSON.
pub fn read_any_network(path: &std::path::Path) -> Result<crate::network::Network, IoError> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => read_edge_list(path),
        Some("txt" | "dat") => read_jammed_text(path, 1.0),
        _ => read_network(path),
    }
}
