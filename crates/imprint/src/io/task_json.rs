//! The task file (`docs/formats.md`, "Task JSON"): a [`Task`] with a format
//! tag, enough to recompute a run's cost from its files alone.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{atomic::write_atomic, IoError};
use crate::learning::Task;

/// Value of the `format` field.
pub const TASK_FORMAT: &str = "imprint-task";

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
    let file: TaskFile = serde_json::from_str(&text).map_err(|e| IoError::json(path, e))?;
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
/// header line, `#` comments. Every row must have the same length.
pub fn read_table(path: &Path) -> Result<Vec<Vec<f64>>, IoError> {
    let text = std::fs::read_to_string(path).map_err(|source| IoError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut rows: Vec<Vec<f64>> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let content = raw.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let fields: Vec<&str> = content
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|f| !f.is_empty())
            .collect();
        let parsed: Result<Vec<f64>, _> = fields.iter().map(|f| f.parse::<f64>()).collect();
        match parsed {
            Ok(row) => {
                if let Some(first) = rows.first() {
                    if first.len() != row.len() {
                        return Err(IoError::Line {
                            path: path.to_path_buf(),
                            line: index + 1,
                            message: format!(
                                "has {} values but earlier rows have {}",
                                row.len(),
                                first.len()
                            ),
                        });
                    }
                }
                rows.push(row);
            }
            Err(_) if rows.is_empty() => {} // header
            Err(_) => {
                return Err(IoError::Line {
                    path: path.to_path_buf(),
                    line: index + 1,
                    message: format!("`{content}` is not a row of numbers"),
                })
            }
        }
    }
    Ok(rows)
}
