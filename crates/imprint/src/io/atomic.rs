//! Atomic output: a file is written beside its destination under a temporary
//! name and renamed into place only when complete, so an interrupted or failed
//! run never leaves a truncated file (and never replaces a good one). A
//! destination that is a symbolic link is written through (the file it
//! points at is replaced, the link stays); one that is not a regular file (a
//! directory, FIFO or device) is refused, never replaced by a file.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::IoError;

/// Writes `contents` to `path` atomically.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), IoError> {
    write_atomic_with(path, |w| w.write_all(contents))
}

/// Streams into `path` atomically: `fill` writes through a buffered writer to
/// a temporary file in the same directory, which is then synced and renamed
/// over `path`. On any error the temporary file is removed and `path` is left
/// as it was.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<(), IoError> {
    let path = &destination(path).map_err(|source| IoError::Write {
        path: path.to_path_buf(),
        source,
    })?;
    let temporary = temporary_path(path);
    let result = (|| {
        let mut writer = BufWriter::new(File::create(&temporary)?);
        fill(&mut writer)?;
        let file = writer.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    result.map_err(|source| {
        let _ = std::fs::remove_file(&temporary);
        IoError::Write {
            path: path.to_path_buf(),
            source,
        }
    })
}

/// The file a write to `path` replaces: `path` itself, or for a symbolic
/// link the file it points at (followed through chains of links); refused
/// when that exists and is not a regular file.
fn destination(path: &Path) -> std::io::Result<PathBuf> {
    let mut path = path.to_path_buf();
    // As the kernel does, give up on a loop of links after 40.
    for _ in 0..40 {
        let metadata = match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(path),
            other => other?,
        };
        if metadata.file_type().is_symlink() {
            let target = std::fs::read_link(&path)?;
            path = match path.parent() {
                Some(folder) if target.is_relative() => folder.join(target),
                _ => target,
            };
        } else if metadata.is_file() {
            return Ok(path);
        } else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "{} is not a regular file (a directory, FIFO or device): it is not replaced by one",
                    path.display()
                ),
            ));
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        "too many levels of symbolic links",
    ))
}

/// Bytes of every file under `dir` (what a reproduction or a sweep costs
/// on disk); 0 for a folder that cannot be read.
pub fn folder_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| match entry.file_type() {
                    Ok(t) if t.is_dir() => folder_bytes(&entry.path()),
                    _ => entry.metadata().map_or(0, |m| m.len()),
                })
                .sum()
        })
        .unwrap_or(0)
}

fn temporary_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_writes_leave_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_atomic(&path, b"first").unwrap();
        let err = write_atomic_with(&path, |w| {
            w.write_all(b"partial")?;
            Err(std::io::Error::other("interrupted"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("out.txt"));
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    /// Issue 30 item 14: a symbolic link is written through, a FIFO or a
    /// directory is refused and left as it was.
    #[cfg(unix)]
    #[test]
    fn links_are_written_through_and_special_files_refused() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.csv");
        std::fs::write(&target, b"old").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink("target.csv", &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        // A dangling link makes its target.
        let dangling = dir.path().join("dangling.csv");
        std::os::unix::fs::symlink("made.csv", &dangling).unwrap();
        write_atomic(&dangling, b"made").unwrap();
        assert_eq!(std::fs::read(dir.path().join("made.csv")).unwrap(), b"made");
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let error = write_atomic(&fifo, b"x").unwrap_err().to_string();
        assert!(error.contains("is not a regular file"), "{error}");
        assert!(!std::fs::symlink_metadata(&fifo).unwrap().is_file());
        let error = write_atomic(dir.path(), b"x").unwrap_err().to_string();
        assert!(error.contains("is not a regular file"), "{error}");
    }
}
