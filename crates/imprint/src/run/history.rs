//! `history.csv`: the cost history of a run (`step,cost`, for
//! classification also accuracy, test cost and test accuracy, then the
//! learning rate of the iteration and, for an `auto` rate, the stiffness
//! `lambda_max` it was set from; for the second-order trainer, a last
//! column `damping`). Columns are read by their header names.

use std::path::Path;

use super::{HistoryRecord, RunError};

/// The text of `history.csv` for `history`.
pub fn history_csv(history: &[HistoryRecord], classification: bool) -> String {
    // The damping column only for a second-order run (whose records have it).
    let damped = history.iter().any(|r| r.damping.is_some());
    let mut text = String::from(if classification {
        "step,cost,accuracy,test_cost,test_accuracy,learning_rate,stiffness"
    } else {
        "step,cost,learning_rate,stiffness"
    });
    text.push_str(if damped { ",damping\n" } else { "\n" });
    let optional = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:e}"));
    for r in history {
        text.push_str(&format!("{},{:e},", r.step, r.cost));
        if classification {
            text.push_str(&format!(
                "{},{},{},",
                optional(r.accuracy),
                optional(r.test_cost),
                optional(r.test_accuracy)
            ));
        }
        text.push_str(&format!(
            "{},{}",
            optional(r.learning_rate),
            optional(r.stiffness)
        ));
        if damped {
            text.push_str(&format!(",{}", optional(r.damping)));
        }
        text.push('\n');
    }
    text
}

/// The columns `history.csv` may hold, in the order records list them.
const COLUMNS: [&str; 8] = [
    "step",
    "cost",
    "accuracy",
    "test_cost",
    "test_accuracy",
    "learning_rate",
    "stiffness",
    "damping",
];

/// Parses the text of `history.csv` (read from `path`, named in errors).
/// Files of earlier versions without the rate columns are read too.
pub fn parse_history(text: &str, path: &Path) -> Result<Vec<HistoryRecord>, RunError> {
    let mut lines = text.lines().enumerate();
    let header: Vec<&str> = match lines.next() {
        Some((_, line)) => line.split(',').map(str::trim).collect(),
        None => return Err(RunError::invalid(path, "empty: no header line")),
    };
    let mut position = [None; COLUMNS.len()];
    for (k, name) in header.iter().enumerate() {
        let Some(c) = COLUMNS.iter().position(|c| c == name) else {
            return Err(RunError::invalid(
                path,
                format!(
                    "line 1: unknown column {name:?} (known: {})",
                    COLUMNS.join(", ")
                ),
            ));
        };
        if position[c].replace(k).is_some() {
            return Err(RunError::invalid(
                path,
                format!("line 1: column {name:?} twice"),
            ));
        }
    }
    if position[0].is_none() || position[1].is_none() {
        return Err(RunError::invalid(path, "line 1: expected step,cost,..."));
    }
    let mut records = Vec::new();
    for (index, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        if cells.len() != header.len() {
            return Err(RunError::invalid(
                path,
                format!(
                    "line {}: {} columns, the header has {}",
                    index + 1,
                    cells.len(),
                    header.len()
                ),
            ));
        }
        let field = |c: usize| -> Result<Option<f64>, RunError> {
            match position[c].map(|k| cells[k]) {
                None | Some("") => Ok(None),
                Some(v) => v.parse::<f64>().map(Some).map_err(|_| {
                    RunError::invalid(
                        path,
                        format!(
                            "line {}: column {} is not a number: {v:?}",
                            index + 1,
                            position[c].unwrap_or(0) + 1
                        ),
                    )
                }),
            }
        };
        let (Some(step), Some(cost)) = (field(0)?, field(1)?) else {
            return Err(RunError::invalid(
                path,
                format!("line {}: expected step,cost,...", index + 1),
            ));
        };
        if !(step >= 0.0 && step.fract() == 0.0) {
            return Err(RunError::invalid(
                path,
                format!("line {}: step {step} is not an iteration count", index + 1),
            ));
        }
        records.push(HistoryRecord {
            step: step as usize,
            cost,
            accuracy: field(2)?,
            test_cost: field(3)?,
            test_accuracy: field(4)?,
            learning_rate: field(5)?,
            stiffness: field(6)?,
            damping: field(7)?,
        });
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_of_both_layouts() {
        let history = vec![
            HistoryRecord {
                step: 0,
                cost: 0.25,
                accuracy: Some(0.5),
                test_cost: Some(0.3),
                test_accuracy: None,
                learning_rate: None,
                stiffness: None,
                damping: None,
            },
            HistoryRecord {
                step: 10,
                cost: 1.5e-20,
                accuracy: Some(1.0),
                test_cost: Some(2e-3),
                test_accuracy: Some(0.9),
                learning_rate: Some(12.5),
                stiffness: Some(0.08),
                damping: None,
            },
        ];
        let path = Path::new("history.csv");
        let text = history_csv(&history, true);
        assert_eq!(parse_history(&text, path).unwrap(), history);
        let plain = parse_history(&history_csv(&history, false), path).unwrap();
        assert_eq!(plain[1].cost, 1.5e-20);
        assert_eq!(plain[1].accuracy, None);
        assert_eq!(plain[1].learning_rate, Some(12.5));
        // Version 1 files, without the rate columns, still read.
        let old = parse_history("step,cost\n0,1\n5,0.5\n", path).unwrap();
        assert_eq!(old[1].cost, 0.5);
        assert_eq!(old[1].learning_rate, None);
    }

    #[test]
    fn bad_lines_are_named() {
        let error = parse_history("step,cost\n0,1\n5,x\n", Path::new("h.csv")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "h.csv: line 3: column 2 is not a number: \"x\""
        );
    }
}
