//! Collecting a sweep: one table row per run (`sweep.csv`), and for each
//! claim of docs/theory.md section 6 the fraction of runs in which it holds,
//! with a 95 % Wilson score interval, overall and by each swept axis.

use std::path::Path;

use serde::Serialize;

use super::execute::{read_record, state_of, RunRecord};
use super::{files, Plan, SweepError};
use crate::paper::{run_verdicts, RUN_CLAIMS};

/// The normal quantile of a two-sided 95 % interval.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// The Wilson score interval of `held` successes in `runs` trials at
/// normal quantile `z`: `(p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)`.
/// `[0, 1]` when there are no trials.
pub fn wilson(held: usize, runs: usize, z: f64) -> [f64; 2] {
    if runs == 0 {
        return [0.0, 1.0];
    }
    let n = runs as f64;
    let p = held as f64 / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    [(centre - half).max(0.0), (centre + half).min(1.0)]
}

/// How often a claim holds among some runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fraction {
    /// Runs in which the claim was judged.
    pub runs: usize,
    /// Runs in which it holds.
    pub held: usize,
    /// `held / runs` (NaN without runs).
    pub fraction: f64,
    /// 95 % Wilson interval.
    pub interval: [f64; 2],
}

impl Fraction {
    /// The fraction of `held` in `runs`, with its interval.
    pub fn of(held: usize, runs: usize) -> Self {
        Self {
            runs,
            held,
            fraction: if runs == 0 {
                f64::NAN
            } else {
                held as f64 / runs as f64
            },
            interval: wilson(held, runs, Z_95),
        }
    }
}

/// One claim across the ensemble.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimSummary {
    /// Claim id (`6.1`, ..., `E`).
    pub id: String,
    /// What the paper says.
    pub statement: String,
    /// The criterion on one run.
    pub criterion: String,
    /// The number the verdict rests on.
    pub metric: String,
    /// Its value in each run where judged (index, value, holds).
    pub values: Vec<(usize, f64, bool)>,
    /// Over all runs judged.
    pub overall: Fraction,
    /// By axis: for each axis (in plan order) and each of its values.
    pub by_axis: Vec<Vec<Fraction>>,
}

/// A collected sweep: the table and the claims.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Collected {
    /// Column names of `sweep.csv`.
    pub columns: Vec<String>,
    /// One row per run, one cell per column (JSON: numbers, strings, booleans, null).
    pub rows: Vec<Vec<serde_json::Value>>,
    /// Each claim judged on each finished, analysed run.
    pub claims: Vec<ClaimSummary>,
    /// Runs in each state: pending, started, done, failed.
    pub counts: [usize; 4],
}

fn number(v: f64) -> serde_json::Value {
    serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

fn option(v: Option<f64>) -> serde_json::Value {
    v.map_or(serde_json::Value::Null, number)
}

/// The columns every table has after the swept fields, before the claims.
const RUN_COLUMNS: [&str; 8] = [
    "initial_cost",
    "final_cost",
    "training_status",
    "learned",
    "accuracy",
    "test_accuracy",
    "stiff_modes",
    "expected_stiff_modes",
];

/// The metric each claim of [`RUN_CLAIMS`] is judged by, in the table.
const CLAIM_METRICS: [&str; 7] = [
    "large_after",
    "spearman_stiff",
    "partial_norm_at_10",
    "spearman_conductance",
    "top_low_relative",
    "sector_auc",
    "top_chi_in_top_stiff",
];

/// Reads every run record of the sweep in `dir` and tabulates them.
pub fn collect(dir: &Path) -> Result<Collected, SweepError> {
    let plan = Plan::read(dir)?;
    let mut columns = vec!["index".to_string(), "status".to_string()];
    columns.extend(plan.axes.iter().map(|a| a.path.clone()));
    columns.extend(RUN_COLUMNS.iter().map(|c| c.to_string()));
    for (id, metric) in RUN_CLAIMS.iter().zip(CLAIM_METRICS) {
        columns.push(format!("claim_{id}_{metric}"));
        columns.push(format!("claim_{id}_holds"));
    }
    columns.extend(["wall_time_seconds".to_string(), "error".to_string()]);
    let mut claims: Vec<ClaimSummary> = Vec::new();
    let mut counts = [0usize; 4];
    let mut rows = Vec::new();
    for run in &plan.runs {
        let run_dir = plan.run_dir(dir, run.index);
        let record: Option<RunRecord> = read_record(&run_dir)?;
        let state = state_of(&run_dir, record.as_ref());
        counts[state as usize] += 1;
        let mut row = vec![run.index.into(), state.name().into()];
        row.extend(run.values.iter().cloned());
        let training = record.as_ref().and_then(|r| r.training.as_ref());
        let metrics = record.as_ref().and_then(|r| r.metrics.as_ref());
        row.push(option(training.map(|t| t.initial_cost)));
        // The cost of the state the run kept (best or last).
        row.push(option(training.map(|t| t.kept_cost())));
        row.push(training.map_or(serde_json::Value::Null, |t| t.status.name().into()));
        // From the training alone: a run that was not analysed learned or not all the same.
        row.push(training.map_or(serde_json::Value::Null, |t| t.learned().into()));
        row.push(option(training.and_then(|t| t.accuracy)));
        row.push(option(training.and_then(|t| t.test_accuracy)));
        row.push(metrics.map_or(serde_json::Value::Null, |m| m.stiff_modes.into()));
        row.push(metrics.map_or(serde_json::Value::Null, |m| m.expected_stiff_modes.into()));
        // A claim is judged only on a run that learned its task: the others
        // leave its columns empty (counted in `learned`, never judged).
        let verdicts = metrics
            .filter(|m| m.learned())
            .map(run_verdicts)
            .unwrap_or_default();
        for id in RUN_CLAIMS {
            match verdicts.iter().find(|v| v.claim.id == id) {
                Some(v) => {
                    row.push(number(v.value));
                    row.push(v.claim.holds.into());
                    let at = match claims.iter().position(|c| c.id == id) {
                        Some(at) => at,
                        None => {
                            claims.push(ClaimSummary {
                                id: id.to_string(),
                                statement: v.claim.statement.clone(),
                                criterion: v.claim.criterion.clone(),
                                metric: v.metric.to_string(),
                                values: Vec::new(),
                                overall: Fraction::of(0, 0),
                                by_axis: Vec::new(),
                            });
                            claims.len() - 1
                        }
                    };
                    claims[at].values.push((run.index, v.value, v.claim.holds));
                }
                None => row.extend([serde_json::Value::Null, serde_json::Value::Null]),
            }
        }
        row.push(
            record
                .as_ref()
                .map_or(serde_json::Value::Null, |r| number(r.wall_time_seconds)),
        );
        row.push(
            record
                .as_ref()
                .and_then(|r| r.error.clone())
                .map_or(serde_json::Value::Null, serde_json::Value::String),
        );
        rows.push(row);
    }
    claims.sort_by_key(|c| RUN_CLAIMS.iter().position(|id| *id == c.id));
    for claim in &mut claims {
        let held = |runs: &mut dyn Iterator<Item = &(usize, f64, bool)>| {
            let (mut n, mut k) = (0, 0);
            for (_, _, holds) in runs {
                n += 1;
                k += usize::from(*holds);
            }
            Fraction::of(k, n)
        };
        claim.overall = held(&mut claim.values.iter());
        claim.by_axis = plan
            .axes
            .iter()
            .enumerate()
            .map(|(a, axis)| {
                axis.values
                    .iter()
                    .map(|value| {
                        held(
                            &mut claim
                                .values
                                .iter()
                                .filter(|(i, _, _)| &plan.runs[*i].values[a] == value),
                        )
                    })
                    .collect()
            })
            .collect();
    }
    Ok(Collected {
        columns,
        rows,
        claims,
        counts,
    })
}

/// A cell as CSV: numbers in Rust's shortest round-trip form, strings
/// quoted when they hold a comma, quote or line break, null as empty.
fn csv_cell(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) if s.contains([',', '"', '\n', '\r']) => {
            format!("\"{}\"", s.replace('"', "\"\""))
        }
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Collected {
    /// The table as CSV, header first.
    pub fn csv(&self) -> String {
        let line = |cells: Vec<String>| cells.join(",") + "\n";
        let mut text = line(
            self.columns
                .iter()
                .map(|c| csv_cell(&c.clone().into()))
                .collect(),
        );
        for row in &self.rows {
            text += &line(row.iter().map(csv_cell).collect());
        }
        text
    }

    /// Writes `dir/sweep.csv` and `dir/claims.json` atomically.
    pub fn write(&self, dir: &Path) -> Result<(), SweepError> {
        crate::io::write_atomic(&dir.join(files::TABLE), self.csv().as_bytes())?;
        let json = serde_json::to_string_pretty(&self.claims)
            .map_err(|e| SweepError::Format(e.to_string()))?;
        crate::io::write_atomic(&dir.join(files::CLAIMS), format!("{json}\n").as_bytes())?;
        Ok(())
    }
}

impl std::fmt::Display for Collected {
    /// The counts, then each claim's fraction with its 95 % interval.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [pending, started, done, failed] = self.counts;
        write!(
            f,
            "{} runs: {done} done, {failed} failed, {started} started, {pending} pending",
            self.rows.len()
        )?;
        for c in &self.claims {
            let o = &c.overall;
            write!(
                f,
                "\nclaim {:<4} holds in {:>4} of {:<4} runs: {:5.1} % [{:.1}, {:.1}]",
                c.id,
                o.held,
                o.runs,
                100.0 * o.fraction,
                100.0 * o.interval[0],
                100.0 * o.interval[1]
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_intervals_by_hand() {
        // 2 of 3: p = 2/3, z^2 = 3.8415; centre (2/3 + 0.6402) / 2.2805 =
        // 0.57307, half 1.95996 / 2.2805 * sqrt(0.074074 + 0.106705) = 0.36541.
        let [lo, hi] = wilson(2, 3, Z_95);
        assert!(
            (lo - 0.207_659).abs() < 1e-5 && (hi - 0.938_510).abs() < 1e-5,
            "{lo} {hi}"
        );
        // All or none: one end at the bound, the other at n / (n + z^2).
        let [lo, hi] = wilson(10, 10, Z_95);
        assert!((lo - 10.0 / (10.0 + Z_95 * Z_95)).abs() < 1e-12 && (hi - 1.0).abs() < 1e-12);
        let [lo, hi] = wilson(0, 10, Z_95);
        assert!(lo.abs() < 1e-12 && (hi - Z_95 * Z_95 / (10.0 + Z_95 * Z_95)).abs() < 1e-12);
        assert_eq!(wilson(0, 0, Z_95), [0.0, 1.0]);
        assert!(Fraction::of(0, 0).fraction.is_nan());
    }

    #[test]
    fn csv_cells_quote_what_needs_it() {
        assert_eq!(csv_cell(&serde_json::json!("a,b")), "\"a,b\"");
        assert_eq!(
            csv_cell(&serde_json::json!("say \"x\"")),
            "\"say \"\"x\"\"\""
        );
        assert_eq!(csv_cell(&serde_json::Value::Null), "");
        assert_eq!(csv_cell(&serde_json::json!(0.1)), "0.1");
        assert_eq!(csv_cell(&serde_json::json!(true)), "true");
    }
}
