//! The task file (`docs/formats.md`, "Task JSON"): a [`Task`] with a format
//! tag, enough to recompute a run's cost from its files alone.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::text::{data_lines, finite_number, is_header};
use super::{atomic::write_atomic, IoError};
use crate::learning::Task;

/// Value of the `format` field.
pub const TASK_FORMAT: &str = "imprint-task";

/// Every top-level field of a task file.
const TASK_FIELDS: [&str; 13] = [
    "format",
    "version",
    "name",
    "fixed_nodes",
    "fixed_voltages",
    "readout",
    "targets",
    "cost",
    "test_fixed_voltages",
    "test_targets",
    "roles",
    "classification",
    "physics",
];

#[derive(Serialize, Deserialize)]
struct TaskFile {
    format: String,
    version: u32,
    #[serde(flatten)]
    task: Task,
}

/// Renders `task` as task JSON.
pub fn task_to_json(task: &Task) -> String {
    let file = TaskFile {
        format: TASK_FORMAT.into(),
        version: 1,
        task: task.clone(),
    };
    let mut text = serde_json::to_string_pretty(&file).expect("tasks are finite");
    text.push('\n');
    text
}

/// Writes `task` to `path`, atomically.
pub fn write_task(path: &Path, task: &Task) -> Result<(), IoError> {
    write_atomic(path, task_to_json(task).as_bytes())
}

/// Reads a task JSON file.
pub fn read_task(path: &Path) -> Result<Task, IoError> {
    let text = std::fs::read_to_string(path).map_err(|source| IoError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_task(&text, path)
}

/// Parses the text of a task JSON file; `path` only labels errors.
pub fn parse_task(text: &str, path: &Path) -> Result<Task, IoError> {
    let file: TaskFile = serde_json::from_str(text).map_err(|e| IoError::json(path, e))?;
    // `flatten` lets serde ignore unknown fields; refuse them as the network
    // reader does.
    let fields: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).map_err(|e| IoError::json(path, e))?;
    if let Some(unknown) = fields.keys().find(|k| !TASK_FIELDS.contains(&k.as_str())) {
        return Err(IoError::Field {
            path: path.to_path_buf(),
            field: "task",
            message: format!(
                "unknown field `{unknown}`, expected one of {}",
                TASK_FIELDS.join(", ")
            ),
        });
    }
    if file.format != TASK_FORMAT || file.version != 1 {
        return Err(IoError::Field {
            path: path.to_path_buf(),
            field: "format",
            message: format!(
                "is \"{}\" version {}, expected \"{TASK_FORMAT}\" version 1",
                file.format, file.version
            ),
        });
    }
    Ok(file.task)
}

/// Reads a numeric table: comma- or whitespace-separated rows, an optional
/// header line of names, `#` comments, a byte-order mark skipped. Every row
/// must have the same length and hold finite numbers.
pub fn read_table(path: &Path) -> Result<Vec<Vec<f64>>, IoError> {
    let text = std::fs::read_to_string(path).map_err(|source| IoError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_table(&text, path)
}

/// Parses the text of a numeric table; `path` only labels errors.
pub fn parse_table(text: &str, path: &Path) -> Result<Vec<Vec<f64>>, IoError> {
    let mut rows: Vec<Vec<f64>> = Vec::new();
    for (position, (line, content)) in data_lines(text).enumerate() {
        let fields: Vec<&str> = content
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|f| !f.is_empty())
            .collect();
        if position == 0 && is_header(&fields) {
            continue;
        }
        let line_error = |message: String| IoError::Line {
            path: path.to_path_buf(),
            line,
            message,
        };
        let row = fields
            .iter()
            .map(|f| finite_number(f))
            .collect::<Result<Vec<f64>, _>>()
            .map_err(line_error)?;
        if let Some(first) = rows.first() {
            if first.len() != row.len() {
                return Err(line_error(format!(
                    "has {} values but earlier rows have {}",
                    row.len(),
                    first.len()
                )));
            }
        }
        rows.push(row);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_files_refuse_unknown_fields() {
        let network = crate::network::lattice::square(4, 4, false).unwrap();
        let options = crate::learning::builtin::BuiltinOptions::default();
        let task = crate::learning::builtin::build("classification-3", &network, &options)
            .or_else(|_| crate::learning::builtin::build("regression-2x2", &network, &options))
            .unwrap();
        let text = task_to_json(&task);
        let written: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&text).unwrap();
        assert!(written.keys().all(|k| TASK_FIELDS.contains(&k.as_str())));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("task.json");
        std::fs::write(&path, text.replacen("{", "{\"samples\": 5,", 1)).unwrap();
        let error = read_task(&path).unwrap_err().to_string();
        assert!(
            error.contains("field `task`: unknown field `samples`"),
            "{error}"
        );
    }

    #[test]
    fn tables_allow_one_header_of_names_and_nothing_else() {
        let p = Path::new("s.csv");
        let rows = parse_table("\u{feff}x1,x2,y\n0.1,0.2,0.3\n0.4 0.5 0.6\n", p).unwrap();
        assert_eq!(rows, vec![vec![0.1, 0.2, 0.3], vec![0.4, 0.5, 0.6]]);
        for (text, expected) in [
            (
                "x1,x2\nnote\n1,2\n",
                "s.csv, line 2: `note` is not a number",
            ),
            ("n/a,1\n1,2\n", "s.csv, line 1: `n/a` is not a number"),
            (
                "1,2\n1,nan\n",
                "s.csv, line 2: `nan` is not a finite number",
            ),
            (
                "1,2\n1\n",
                "s.csv, line 2: has 1 values but earlier rows have 2",
            ),
        ] {
            let message = parse_table(text, p).unwrap_err().to_string();
            assert_eq!(message, expected);
        }
    }
}
