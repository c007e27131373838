//! Slurm job arrays: the batch script of a sweep (one array task per run,
//! each calling `imprint sweep run-one`), its submission with `sbatch`, and
//! what `squeue` says of it. Slurm does the scheduling; nothing here
//! schedules or talks to other machines.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

use super::{files, Plan, SweepError};

/// `#SBATCH` options of a sweep's job array.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct SlurmOptions {
    /// Partition (`--partition`); the cluster's default when not given.
    #[cfg_attr(feature = "clap", arg(long))]
    pub partition: Option<String>,
    /// Time limit of each run (`--time`, Slurm's formats, e.g. `2:00:00`).
    #[cfg_attr(feature = "clap", arg(long))]
    pub time: Option<String>,
    /// Most array tasks running at once (`%K` of `--array`).
    #[cfg_attr(feature = "clap", arg(long))]
    pub max_parallel: Option<usize>,
    /// Memory of each run (`--mem`, e.g. `2G`).
    #[cfg_attr(feature = "clap", arg(long = "mem"))]
    pub memory: Option<String>,
    /// Account to charge (`--account`).
    #[cfg_attr(feature = "clap", arg(long))]
    pub account: Option<String>,
    /// Further `#SBATCH` option, verbatim (repeatable), e.g. `--sbatch=--qos=short`.
    #[cfg_attr(feature = "clap", arg(long = "sbatch", value_name = "OPTION"))]
    pub extra: Vec<String>,
}

/// Quotes `text` for a POSIX shell.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// The job-array script of the sweep in `dir` (absolute), calling the
/// `imprint` binary at `exe` (absolute). Each task runs one run on one CPU;
/// Slurm writes each task's output to `dir/slurm/<job>_<task>.out`. A task
/// that Slurm stops at its time limit gets SIGTERM first, checkpoints, and
/// the next submission continues it. Options that would write another
/// line or an array Slurm refuses ([`SlurmOptions::validate`]) are refused.
pub fn script(
    dir: &Path,
    plan: &Plan,
    exe: &Path,
    options: &SlurmOptions,
) -> Result<String, SweepError> {
    options.validate()?;
    let last = plan.runs.len().saturating_sub(1);
    let array = match options.max_parallel {
        Some(k) => format!("0-{last}%{k}"),
        None => format!("0-{last}"),
    };
    let mut lines = vec![
        "#!/bin/bash".to_string(),
        format!(
            "# imprint sweep: {} runs of {}",
            plan.runs.len(),
            plan.source.display()
        ),
        "#SBATCH --job-name=imprint-sweep".to_string(),
        format!("#SBATCH --array={array}"),
        "#SBATCH --ntasks=1".to_string(),
        "#SBATCH --cpus-per-task=1".to_string(),
        format!(
            "#SBATCH --output={}/%A_%a.out",
            dir.join(files::SLURM).display()
        ),
        // SIGTERM 60 s before the time limit, so the run checkpoints. `B:`
        // signals the batch shell, which `exec` below makes the run itself
        // (without it Slurm signals job steps only, and there are none).
        "#SBATCH --signal=B:TERM@60".to_string(),
    ];
    for (flag, value) in [
        ("partition", &options.partition),
        ("time", &options.time),
        ("mem", &options.memory),
        ("account", &options.account),
    ] {
        if let Some(v) = value {
            lines.push(format!("#SBATCH --{flag}={v}"));
        }
    }
    lines.extend(options.extra.iter().map(|e| format!("#SBATCH {e}")));
    lines.push("set -eu".to_string());
    lines.push("export RAYON_NUM_THREADS=1".to_string());
    lines.push(format!(
        "exec {} sweep run-one {} --index \"$SLURM_ARRAY_TASK_ID\"",
        quoted(&exe.to_string_lossy()),
        quoted(&dir.to_string_lossy())
    ));
    Ok(lines.join("\n") + "\n")
}

impl SlurmOptions {
    /// Refuses a value with a line break or another control character (it
    /// would end its `#SBATCH` line and start another, unasked) and
    /// `max_parallel = 0` (an array of which nothing may run).
    pub fn validate(&self) -> Result<(), SweepError> {
        if self.max_parallel == Some(0) {
            return Err(SweepError::Slurm(
                "--max-parallel 0: at least one run must be allowed at once".into(),
            ));
        }
        let given = [
            ("--partition", self.partition.as_deref()),
            ("--time", self.time.as_deref()),
            ("--mem", self.memory.as_deref()),
            ("--account", self.account.as_deref()),
        ]
        .into_iter()
        .filter_map(|(flag, value)| value.map(|v| (flag, v)))
        .chain(self.extra.iter().map(|e| ("--sbatch", e.as_str())));
        for (flag, value) in given {
            if value.chars().any(char::is_control) {
                return Err(SweepError::Slurm(format!(
                    "{flag} {value:?}: a control character (such as a line break) would write another #SBATCH line"
                )));
            }
        }
        Ok(())
    }
}

/// Writes the script into `dir/slurm/sweep.sbatch`; returns its path.
pub fn write_script(dir: &Path, text: &str) -> Result<PathBuf, SweepError> {
    let folder = dir.join(files::SLURM);
    std::fs::create_dir_all(&folder)
        .map_err(|e| SweepError::invalid(&folder, format!("cannot create it: {e}")))?;
    let path = folder.join("sweep.sbatch");
    crate::io::write_atomic(&path, text.as_bytes())?;
    Ok(path)
}

/// Runs `program` with `args`; its standard output, or an error naming it.
fn call(program: &str, args: &[&str]) -> Result<String, SweepError> {
    let output = Command::new(program).args(args).output().map_err(|e| {
        SweepError::Slurm(format!(
            "cannot run {program} ({e}); is Slurm installed here?"
        ))
    })?;
    if !output.status.success() {
        return Err(SweepError::Slurm(format!(
            "{program} {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Submits `script` with `sbatch --parsable`, records the job id in
/// `dir/slurm/jobs.txt` and returns it.
pub fn submit(dir: &Path, script: &Path) -> Result<String, SweepError> {
    let out = call("sbatch", &["--parsable", &script.to_string_lossy()])?;
    let job = out.trim().split(';').next().unwrap_or("").to_string();
    if job.is_empty() || !job.chars().all(|c| c.is_ascii_digit()) {
        return Err(SweepError::Slurm(format!(
            "sbatch printed no job id: {out:?}"
        )));
    }
    let jobs = dir.join(files::SLURM).join("jobs.txt");
    let mut text = std::fs::read_to_string(&jobs).unwrap_or_default();
    text.push_str(&job);
    text.push('\n');
    crate::io::write_atomic(&jobs, text.as_bytes())?;
    Ok(job)
}

/// The job ids submitted for the sweep in `dir`, oldest first.
pub fn jobs(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join(files::SLURM).join("jobs.txt"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .filter(|l| !l.is_empty())
        .collect()
}

/// The array tasks `squeue` lists for `job`, as `(task, state)` pairs
/// (`PENDING`, `RUNNING`, ...); a pending range counts once per task.
pub fn queued(job: &str) -> Result<Vec<(String, String)>, SweepError> {
    let out = call("squeue", &["-h", "-r", "-j", job, "-o", "%i %T"])?;
    Ok(out
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(id, state)| (id.to_string(), state.trim().to_string()))
        .collect())
}
