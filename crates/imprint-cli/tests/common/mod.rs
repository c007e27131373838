//! Helpers shared by the command-line tests.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// Runs the `imprint` binary in `dir`.
pub fn imprint(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_imprint"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the imprint binary runs")
}

/// Parses a JSON file.
pub fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Asserts that `args` fail with one `error:` line (the last line of stderr)
/// containing `expected`, without a panic.
pub fn assert_fails(args: &[&str], dir: &Path, expected: &str) {
    let out = imprint(args, dir);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} succeeded");
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    let last = stderr.lines().last().unwrap_or("");
    assert!(
        last.starts_with("error: ") && last.contains(expected),
        "{args:?}: {stderr:?} lacks {expected:?}"
    );
}
