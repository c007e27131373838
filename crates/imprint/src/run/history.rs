//! `history.csv`: the cost history of a run (`step,cost`, and for
//! classification also accuracy, test cost and test accuracy).

use std::path::Path;

use super::{HistoryRecord, RunError};

/// The text of `history.csv` for `history`.
pub fn history_csv(history: &[HistoryRecord], classification: bool) -> String {
    let mut text = String::from(if classification {
        "step,cost,accuracy,test_cost,test_accuracy\n"
    } else {
        "step,cost\n"
    });
    let optional = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:e}"));
    for r in history {
        if classification {
            text.push_str(&format!(
                "{},{:e},{},{},{}\n",
                r.step,
                r.cost,
                optional(r.accuracy),
                optional(r.test_cost),
                optional(r.test_accuracy)
            ));
        } else {
            text.push_str(&format!("{},{:e}\n", r.step, r.cost));
        }
    }
    text
}

/// Parses the text of `history.csv` (read from `path`, named in errors).
pub fn parse_history(text: &str, path: &Path) -> Result<Vec<HistoryRecord>, RunError> {
    let mut records = Vec::new();
    for (index, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let field = |k: usize| -> Result<Option<f64>, RunError> {
            match line.split(',').nth(k).map(str::trim) {
                None | Some("") => Ok(None),
                Some(v) => v.parse::<f64>().map(Some).map_err(|_| {
                    RunError::invalid(
                        path,
                        format!(
                            "line {}: column {} is not a number: {v:?}",
                            index + 1,
                            k + 1
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
            },
            HistoryRecord {
                step: 10,
                cost: 1.5e-20,
                accuracy: Some(1.0),
                test_cost: Some(2e-3),
                test_accuracy: Some(0.9),
            },
        ];
        let path = Path::new("history.csv");
        let text = history_csv(&history, true);
        assert_eq!(parse_history(&text, path).unwrap(), history);
        let plain = parse_history(&history_csv(&history, false), path).unwrap();
        assert_eq!(plain[1].cost, 1.5e-20);
        assert_eq!(plain[1].accuracy, None);
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
