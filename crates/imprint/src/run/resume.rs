//! Continuing a run (docs/formats.md, "Run directory"): its checkpoint,
//! read back and validated like any input, and where an unfinished run
//! picks up, whichever moment it was stopped at.

use std::path::Path;

use super::{create_run, files, read_config, read_run_start, Checkpoint, RunError, RunStart};
use crate::io::IoError;

/// Reads `checkpoint.json` of `dir`, validated against the run it belongs
/// to like any input ([`Checkpoint::check`]). A bad checkpoint is refused,
/// naming it and the field.
pub fn read_checkpoint(dir: &Path, start: &RunStart) -> Result<Checkpoint, RunError> {
    let path = dir.join(files::CHECKPOINT);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        RunError::invalid(&path, format!("cannot read it ({e}): nothing to resume"))
    })?;
    let checkpoint: Checkpoint =
        serde_json::from_str(&text).map_err(|e| RunError::Io(IoError::json(&path, e)))?;
    checkpoint
        .check(&start.config.training, start.initial.edge_count())
        .map_err(|message| RunError::invalid(&path, message))?;
    Ok(checkpoint)
}

/// Where an unfinished run in `dir` continues: its start files, and its
/// checkpoint, or `None` when it stopped (was killed, or failed) before
/// writing one, so that it begins again from `network-initial.json`. A run
/// stopped before its start files were all written (killed in its first
/// milliseconds, or a full disk) starts over from `config.toml`, its start
/// files written anew. Temporary files of interrupted atomic writes
/// (`.NAME.PID.tmp`) are removed. A finished run (`summary.json`, written
/// last) or a folder that is not a run is refused; a run stopped while
/// writing its results continues from its last checkpoint.
pub fn resume_point(dir: &Path) -> Result<(RunStart, Option<Checkpoint>), RunError> {
    if !dir.join(files::CONFIG).exists() {
        return Err(RunError::invalid(
            dir,
            "not a run directory (no config.toml): nothing to resume",
        ));
    }
    if dir.join(files::SUMMARY).exists() {
        return Err(RunError::invalid(
            dir,
            "the run is finished (summary.json exists): nothing to resume",
        ));
    }
    remove_stale_temporaries(dir)?;
    let started = dir.join(files::INITIAL_NETWORK).exists() && dir.join(files::TASK).exists();
    let checkpoint = dir.join(files::CHECKPOINT).exists();
    let start =
        match (started, checkpoint) {
            (true, _) => read_run_start(dir)?,
            (false, false) => {
                let start = RunStart::from_config(read_config(dir)?)?;
                create_run(dir, &start.config, &start.initial, &start.task)?;
                start
            }
            (false, true) => return Err(RunError::invalid(
                dir,
                "holds a checkpoint but not network-initial.json and task.json it continues from",
            )),
        };
    let checkpoint = match checkpoint {
        true => Some(read_checkpoint(dir, &start)?),
        false => None,
    };
    Ok((start, checkpoint))
}

/// Removes `.*.tmp` files that interrupted atomic writes left in `dir`.
fn remove_stale_temporaries(dir: &Path) -> Result<(), RunError> {
    let entries = std::fs::read_dir(dir).map_err(|source| IoError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') && name.ends_with(".tmp") && entry.path().is_file() {
            std::fs::remove_file(entry.path()).map_err(|source| IoError::Write {
                path: entry.path(),
                source,
            })?;
        }
    }
    Ok(())
}
