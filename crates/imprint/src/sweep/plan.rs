//! Sweep files and plans: `[base]` (an ordinary run configuration),
//! `[axes]` (lists, inclusive integer ranges and globs over network files,
//! each on a configuration field named by its dotted path) and `[sweep]`
//! (what each run does besides training); their product is the plan.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{files, SweepError};
use crate::run::config::Overrides;
use crate::run::config::RunConfig;

/// The largest plan `imprint sweep plan` writes unless told otherwise.
pub const DEFAULT_MAX_RUNS: usize = 10_000;

/// The most values one `"a..b"` range may hold (a million seeds).
pub const MAX_AXIS_VALUES: usize = 1_000_000;

/// What every run of a sweep does after training (`[sweep]` of the file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SweepOptions {
    /// Analyse the trained network (needed for the claims).
    pub analyze: bool,
    /// Draw each run's figures (`figures/` in its directory).
    pub figures: bool,
}

impl Default for SweepOptions {
    fn default() -> Self {
        Self {
            analyze: true,
            figures: false,
        }
    }
}

/// One swept field: its dotted path and its values, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    /// Dotted path of the configuration field (`seed`, `task.name`, ...).
    pub path: String,
    /// Its values (TOML values written as JSON).
    pub values: Vec<serde_json::Value>,
}

/// One run of a plan: its index and the value of each axis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedRun {
    /// Index (also the Slurm array task id).
    pub index: usize,
    /// The value of each axis, in the order of [`Plan::axes`].
    pub values: Vec<serde_json::Value>,
}

/// A sweep's list of runs, as `plan.json` records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Format version.
    pub version: u32,
    /// The sweep file the plan was made from (absolute).
    pub source: PathBuf,
    /// What each run does besides training.
    pub options: SweepOptions,
    /// The axes, in file order (the first varies slowest).
    pub axes: Vec<Axis>,
    /// The runs: the product of the axes.
    pub runs: Vec<PlannedRun>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepFile {
    #[serde(default)]
    base: toml::Table,
    #[serde(default)]
    axes: toml::Table,
    #[serde(default)]
    sweep: SweepOptions,
}

/// Fields whose values are paths, resolved against the sweep file's folder.
const PATH_FIELDS: [&str; 2] = ["network.file", "task.samples_file"];

/// The values of an inclusive integer range `"a..b"`, or `None` when
/// `text` is not one. A range of more than [`MAX_AXIS_VALUES`] values is
/// refused before they are made.
pub fn parse_range(text: &str) -> Option<Result<Vec<i64>, String>> {
    let (a, b) = text.split_once("..")?;
    let (a, b) = (a.trim().parse::<i64>().ok()?, b.trim().parse::<i64>().ok()?);
    let longest = MAX_AXIS_VALUES as i128;
    Some(if a > b {
        Err(format!(
            "the range \"{text}\" is empty (it runs from {a} down to {b})"
        ))
    } else if b as i128 - a as i128 + 1 > longest {
        Err(format!(
            "the range \"{text}\" holds {} values, more than the {longest} a sweep axis may have",
            b as i128 - a as i128 + 1
        ))
    } else {
        Ok((a..=b).collect())
    })
}

fn absolute(folder: &Path, path: &str) -> String {
    let p = Path::new(path);
    if p.is_absolute() {
        path.to_string()
    } else {
        folder.join(p).to_string_lossy().into_owned()
    }
}

/// The values of one `[axes]` entry.
fn axis_values(path: &str, value: &toml::Value, folder: &Path) -> Result<Vec<toml::Value>, String> {
    let values = match value {
        toml::Value::Array(values) => values.clone(),
        toml::Value::String(text) => {
            if let Some(range) = parse_range(text) {
                range?.into_iter().map(toml::Value::Integer).collect()
            } else if text.contains(['*', '?', '[']) {
                let pattern = absolute(folder, text);
                let mut found = Vec::new();
                for entry in glob::glob(&pattern).map_err(|e| format!("bad glob \"{text}\": {e}"))? {
                    let entry = entry.map_err(|e| format!("glob \"{text}\": {e}"))?;
                    found.push(toml::Value::String(entry.to_string_lossy().into_owned()));
                }
                if found.is_empty() {
                    return Err(format!("the glob \"{text}\" matches no file (looked for {pattern})"));
                }
                found
            } else {
                return Err(format!(
                    "\"{text}\" is neither a list, a range \"a..b\" nor a glob; a single value belongs in [base]"
                ));
            }
        }
        other => {
            return Err(format!(
                "{other} is neither a list, a range \"a..b\" nor a glob; a single value belongs in [base]"
            ))
        }
    };
    if values.is_empty() {
        return Err("no values".into());
    }
    Ok(values
        .into_iter()
        .map(|v| match (&v, PATH_FIELDS.contains(&path)) {
            (toml::Value::String(s), true) => toml::Value::String(absolute(folder, s)),
            _ => v,
        })
        .collect())
}

/// Sets the field at dotted `path` of `table`, creating tables on the way.
fn set_path(table: &mut toml::Table, path: &str, value: toml::Value) -> Result<(), String> {
    let mut keys: Vec<&str> = path.split('.').collect();
    let last = keys
        .pop()
        .filter(|k| !k.is_empty())
        .ok_or("an empty field name")?;
    let mut here = table;
    for key in keys {
        here = here
            .entry(key)
            .or_insert_with(|| toml::Value::Table(toml::Table::new()))
            .as_table_mut()
            .ok_or_else(|| format!("`{key}` is a value, not a table"))?;
    }
    here.insert(last.to_string(), value);
    Ok(())
}

/// The field at dotted `path` of `table`, if any.
fn get_path<'a>(table: &'a toml::Table, path: &str) -> Option<&'a toml::Value> {
    let mut keys = path.split('.');
    let mut value = table.get(keys.next()?)?;
    for key in keys {
        value = value.as_table()?.get(key)?;
    }
    Some(value)
}

/// Whether every float in `value` is finite.
fn finite(value: &toml::Value) -> bool {
    match value {
        toml::Value::Float(x) => x.is_finite(),
        toml::Value::Array(values) => values.iter().all(finite),
        toml::Value::Table(table) => table.values().all(finite),
        _ => true,
    }
}

fn to_json(value: &toml::Value) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

fn to_toml(value: &serde_json::Value) -> Result<toml::Value, String> {
    toml::Value::try_from(value).map_err(|e| format!("{value} is not a TOML value: {e}"))
}

/// `path = value, ...` of a run, for messages.
pub fn describe(axes: &[Axis], values: &[serde_json::Value]) -> String {
    axes.iter()
        .zip(values)
        .map(|(a, v)| format!("{} = {v}", a.path))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A plan just made from a sweep file, with every run's resolved
/// configuration, ready to be written.
#[derive(Debug, Clone)]
pub struct NewPlan {
    /// The plan.
    pub plan: Plan,
    /// The resolved configuration of each run, in index order.
    pub configs: Vec<RunConfig>,
    /// The sweep file's text, copied into the sweep folder.
    text: String,
}

impl NewPlan {
    /// Writes the plan into `dir`: `plan.json`, a copy of the sweep file,
    /// and each run's resolved `config.toml` in its run directory. Refuses a
    /// folder that already holds a plan.
    pub fn write(&self, dir: &Path) -> Result<(), SweepError> {
        if dir.join(files::PLAN).exists() {
            return Err(SweepError::invalid(
                dir,
                "already holds a sweep plan: choose another folder, or run it with imprint sweep run",
            ));
        }
        // The plan writes sweep.toml and runs/ into the folder: a user's
        // file of the same name would be replaced (issue 30 item 15).
        if let Some(Ok(entry)) = std::fs::read_dir(dir).ok().and_then(|mut e| e.next()) {
            return Err(SweepError::invalid(
                dir,
                format!(
                    "exists and holds `{}`: a sweep goes into a new or empty folder",
                    entry.file_name().to_string_lossy()
                ),
            ));
        }
        for (run, config) in self.plan.runs.iter().zip(&self.configs) {
            let text = toml::to_string(config).map_err(|e| SweepError::Format(e.to_string()))?;
            let run_dir = self.plan.run_dir(dir, run.index);
            std::fs::create_dir_all(&run_dir)
                .map_err(|e| SweepError::invalid(&run_dir, format!("cannot create it: {e}")))?;
            crate::io::write_atomic(&run_dir.join(crate::run::files::CONFIG), text.as_bytes())?;
        }
        crate::io::write_atomic(&dir.join(files::SWEEP), self.text.as_bytes())?;
        let json = serde_json::to_string_pretty(&self.plan)
            .map_err(|e| SweepError::Format(e.to_string()))?;
        // plan.json last: a folder holds a plan only once every run's config is written.
        crate::io::write_atomic(&dir.join(files::PLAN), format!("{json}\n").as_bytes())?;
        Ok(())
    }
}

impl Plan {
    /// The plan of the sweep file `path`: every run of the product of its
    /// axes, each configuration resolved (unknown fields refused, with the
    /// run named). Refuses more than `max_runs` runs.
    pub fn from_file(path: &Path, max_runs: usize) -> Result<NewPlan, SweepError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| SweepError::invalid(path, format!("cannot read it: {e}")))?;
        let source = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let folder = source.parent().unwrap_or(Path::new(".")).to_path_buf();
        let file: SweepFile = toml::from_str(&text)
            .map_err(|e| SweepError::invalid(path, e.message().replace('\n', " ")))?;
        let mut base = file.base;
        for field in PATH_FIELDS {
            if let Some(toml::Value::String(s)) = get_path(&base, field) {
                let resolved = toml::Value::String(absolute(&folder, s));
                set_path(&mut base, field, resolved).map_err(|m| SweepError::invalid(path, m))?;
            }
        }
        let mut axes = Vec::new();
        for (name, value) in &file.axes {
            // An axis replaces its key in every run: the same key in
            // `[base]` would never be used, so it is refused.
            if get_path(&base, name).is_some() {
                return Err(SweepError::invalid(
                    path,
                    format!("`{name}` is both an axis and set in [base]: the axis would replace it in every run; keep one"),
                ));
            }
            let values = axis_values(name, value, &folder)
                .map_err(|m| SweepError::invalid(path, format!("axis `{name}`: {m}")))?;
            if let Some(bad) = values.iter().find(|v| !finite(v)) {
                return Err(SweepError::invalid(
                    path,
                    format!("axis `{name}`: {bad} is not a finite number (plan.json records values as JSON, which has no nan or inf)"),
                ));
            }
            axes.push(Axis {
                path: name.clone(),
                values: values.iter().map(to_json).collect(),
            });
        }
        let total = axes
            .iter()
            .try_fold(1usize, |n, a| n.checked_mul(a.values.len()))
            .unwrap_or(usize::MAX);
        if total > max_runs {
            return Err(SweepError::invalid(
                path,
                format!("{total} runs is more than the limit of {max_runs}; raise it (--max-runs) if you mean it"),
            ));
        }
        let runs = (0..total)
            .map(|index| {
                // Mixed radix, the last axis varying fastest.
                let mut rest = index;
                let mut values = vec![serde_json::Value::Null; axes.len()];
                for (slot, axis) in values.iter_mut().zip(&axes).rev() {
                    *slot = axis.values[rest % axis.values.len()].clone();
                    rest /= axis.values.len();
                }
                PlannedRun { index, values }
            })
            .collect();
        let plan = Self {
            version: 1,
            source,
            options: file.sweep,
            axes,
            runs,
        };
        let configs = plan
            .runs
            .iter()
            .map(|run| plan.config_with(&base, run))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|m| SweepError::invalid(path, m))?;
        Ok(NewPlan {
            plan,
            configs,
            text,
        })
    }

    /// The resolved configuration of `run` over `base`.
    fn config_with(&self, base: &toml::Table, run: &PlannedRun) -> Result<RunConfig, String> {
        let named = || format!("run {} ({})", run.index, describe(&self.axes, &run.values));
        let mut table = base.clone();
        for (axis, value) in self.axes.iter().zip(&run.values) {
            set_path(&mut table, &axis.path, to_toml(value)?)
                .map_err(|m| format!("{}: axis `{}`: {m}", named(), axis.path))?;
        }
        let text = toml::to_string(&table).map_err(|e| format!("{}: {e}", named()))?;
        RunConfig::resolve(Some(&text), &named(), &Overrides::default()).map_err(|e| e.to_string())
    }

    /// Reads `dir/plan.json`.
    pub fn read(dir: &Path) -> Result<Self, SweepError> {
        let path = dir.join(files::PLAN);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            SweepError::invalid(
                &path,
                format!(
                    "cannot read it ({e}): not a sweep folder (make one with imprint sweep plan)"
                ),
            )
        })?;
        serde_json::from_str(&text).map_err(|e| SweepError::invalid(&path, e.to_string()))
    }

    /// The run directory of run `index`: `dir/runs/` and the index, zero-padded
    /// to the width of the largest.
    pub fn run_dir(&self, dir: &Path, index: usize) -> PathBuf {
        let width = self.runs.len().saturating_sub(1).to_string().len().max(4);
        dir.join(files::RUNS).join(format!("{index:0width$}"))
    }

    /// `path = value, ...` of run `index`.
    pub fn describe(&self, index: usize) -> String {
        describe(&self.axes, &self.runs[index].values)
    }

    /// The plan's size and shape: `6 runs: seed (3 values) x task.name (2 values)`.
    pub fn shape(&self) -> String {
        if self.axes.is_empty() {
            return "1 runs: no axes, [base] alone".into();
        }
        let axes: Vec<String> = self
            .axes
            .iter()
            .map(|a| format!("{} ({} values)", a.path, a.values.len()))
            .collect();
        format!("{} runs: {}", self.runs.len(), axes.join(" x "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(text: &str) -> Result<NewPlan, SweepError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        std::fs::write(&path, text).unwrap();
        Plan::from_file(&path, 100)
    }

    #[test]
    fn ranges_are_inclusive_and_refuse_reversed_bounds() {
        assert_eq!(parse_range("1..4"), Some(Ok(vec![1, 2, 3, 4])));
        assert_eq!(parse_range("-2..-1"), Some(Ok(vec![-2, -1])));
        assert_eq!(parse_range("3..3"), Some(Ok(vec![3])));
        assert!(matches!(parse_range("5..1"), Some(Err(m)) if m.contains("empty")));
        assert_eq!(parse_range("a..b"), None);
        assert_eq!(parse_range("networks/*.json"), None);
    }

    #[test]
    fn the_product_varies_the_last_axis_fastest_and_sets_each_field() {
        let new = plan("[base]\ntraining.iterations = 7\n[axes]\nseed = \"1..3\"\n\"task.name\" = [\"regression-2x2\", \"allostery\"]\n\"training.rule.learning_rate\" = [10, \"auto\"]\n").unwrap();
        assert_eq!(new.plan.runs.len(), 12);
        let values = |i: usize| new.plan.runs[i].values.clone();
        assert_eq!(
            values(0),
            serde_json::json!([1, "regression-2x2", 10])
                .as_array()
                .unwrap()
                .clone()
        );
        assert_eq!(
            values(1),
            serde_json::json!([1, "regression-2x2", "auto"])
                .as_array()
                .unwrap()
                .clone()
        );
        assert_eq!(
            values(2),
            serde_json::json!([1, "allostery", 10])
                .as_array()
                .unwrap()
                .clone()
        );
        assert_eq!(
            values(11),
            serde_json::json!([3, "allostery", "auto"])
                .as_array()
                .unwrap()
                .clone()
        );
        let c = &new.configs[2];
        assert_eq!(
            (c.seed, c.task.name.as_str(), c.training.iterations),
            (1, "allostery", 7)
        );
        assert_eq!(
            c.training.rule.learning_rate(),
            Some(crate::learning::LearningRate::Constant(10.0))
        );
        assert_eq!(new.configs[11].seed, 3);
    }

    #[test]
    fn unknown_fields_bad_axes_and_large_plans_are_refused() {
        let error = |text: &str| plan(text).unwrap_err().to_string();
        let e = error("[axes]\nseed = [1, 2]\n\"training.speed\" = [1]\n");
        assert!(
            e.contains("run 0 (seed = 1, training.speed = 1)")
                && e.contains("unknown field `speed`"),
            "{e}"
        );
        assert!(error("[base]\nnetwork.nodes = 64\n[axis]\nseed = [1]\n")
            .contains("unknown field `axis`"));
        assert!(
            error("[axes]\nseed = \"9..2\"\n").contains("axis `seed`: the range \"9..2\" is empty")
        );
        assert!(error("[axes]\nseed = 3\n").contains("a single value belongs in [base]"));
        assert!(error("[axes]\nseed = []\n").contains("axis `seed`: no values"));
        assert!(error("[axes]\n\"network.file\" = \"nets/*.json\"\n").contains("matches no file"));
        let e = error("[axes]\nseed = \"1..20\"\n\"task.name\" = [\"allostery\", \"regression-2x2\", \"regression-2x5\", \"classification-3\", \"allostery\", \"regression-2x2\"]\n");
        assert!(e.contains("120 runs is more than the limit of 100"), "{e}");
        assert!(error("[sweep]\nplots = true\n").contains("unknown field `plots`"));
    }

    #[test]
    fn globs_list_network_files_in_order_relative_to_the_sweep_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("nets")).unwrap();
        for name in ["b.json", "a.json", "c.txt"] {
            std::fs::write(dir.path().join("nets").join(name), "{}").unwrap();
        }
        let path = dir.path().join("s.toml");
        std::fs::write(&path, "[axes]\n\"network.file\" = \"nets/*.json\"\n").unwrap();
        let new = Plan::from_file(&path, 10).unwrap();
        let files: Vec<PathBuf> = new
            .configs
            .iter()
            .map(|c| c.network.path().unwrap().to_path_buf())
            .collect();
        assert_eq!(
            files,
            vec![
                dir.path().join("nets/a.json"),
                dir.path().join("nets/b.json")
            ]
        );
        // Written: plan.json, the sweep file and one config per run; not twice.
        let out = dir.path().join("out");
        new.write(&out).unwrap();
        assert_eq!(Plan::read(&out).unwrap(), new.plan);
        assert!(new.plan.run_dir(&out, 1).join("config.toml").exists());
        assert!(new
            .write(&out)
            .unwrap_err()
            .to_string()
            .contains("already holds a sweep plan"));
    }
}
