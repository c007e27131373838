//! The figures of a collected sweep (`imprint sweep collect`): the fraction
//! of runs in which each claim holds with its 95 % Wilson interval, each
//! claim's metric across the ensemble, and the fractions by each swept axis.

use std::path::{Path, PathBuf};

use imprint::sweep::{ClaimSummary, Collected, Fraction, Plan};

use std::fmt::Write as _;

use crate::html::{escape, relative};
use crate::{category_color, save_all, Chart, Format, LegendPosition, Result, Series};

/// A marker at `fraction` with a vertical bar over its interval.
fn with_interval(series: &mut Vec<Series>, x: f64, f: &Fraction, color: plotters::style::RGBColor) {
    if f.runs == 0 {
        return;
    }
    series.push(Series::line(
        "",
        vec![[x, f.interval[0]], [x, f.interval[1]]],
        color,
    ));
    series.push(Series::markers("", vec![[x, f.fraction]], color));
}

/// The fraction of runs in which each claim holds, claims numbered along x.
pub fn claims_chart(claims: &[ClaimSummary]) -> Chart {
    let names: Vec<String> = claims
        .iter()
        .enumerate()
        .map(|(k, c)| format!("{}: {}", k + 1, c.id))
        .collect();
    let mut chart = Chart::new(
        "Claims across the ensemble (95 % Wilson intervals)",
        format!("claim ({})", names.join(", ")),
        "fraction of runs in which it holds",
    );
    chart.y_range = Some([0.0, 1.05]);
    chart.x_range = Some([0.5, claims.len() as f64 + 0.5]);
    for (k, c) in claims.iter().enumerate() {
        with_interval(
            &mut chart.series,
            k as f64 + 1.0,
            &c.overall,
            category_color(k),
        );
    }
    chart
}

/// Histogram of a claim's metric across the runs where it was judged:
/// the runs where the claim holds and those where it fails, apart.
pub fn metric_chart(claim: &ClaimSummary) -> Chart {
    let finite: Vec<f64> = claim
        .values
        .iter()
        .map(|v| v.1)
        .filter(|v| v.is_finite())
        .collect();
    let lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let range = if lo < hi {
        [lo, hi]
    } else {
        [lo - 0.5, lo + 0.5]
    };
    let bins = (finite.len() as f64).sqrt().ceil().clamp(5.0, 30.0) as usize;
    let part = |holds: bool| -> Vec<f64> {
        claim
            .values
            .iter()
            .filter(|v| v.2 == holds && v.1.is_finite())
            .map(|v| v.1)
            .collect()
    };
    let mut chart = Chart::new(
        format!("Claim {}: {} across the runs", claim.id, claim.metric),
        claim.metric.clone(),
        "runs",
    );
    for (holds, label, color) in [(true, "holds", 2), (false, "fails", 3)] {
        let values = part(holds);
        if !values.is_empty() {
            chart.series.push(Series::histogram(
                label,
                &values,
                range,
                bins,
                crate::Axis::Linear,
                category_color(color),
            ));
        }
    }
    chart.notes.push(format!(
        "holds in {} of {} runs",
        claim.overall.held, claim.overall.runs
    ));
    chart
}

/// A value of an axis as a label.
pub fn value_label(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => Path::new(s)
            .file_name()
            .filter(|_| s.contains('/'))
            .map_or(s.clone(), |f| f.to_string_lossy().into_owned()),
        other => other.to_string(),
    }
}

/// Axes with more values than this are drawn without intervals.
const MANY_VALUES: usize = 12;

/// The fraction of runs in which each claim holds, by the values of axis
/// `a`: x is the value when every value is a number, its position otherwise.
pub fn axis_chart(plan: &Plan, a: usize, claims: &[ClaimSummary]) -> Chart {
    let axis = &plan.axes[a];
    let numeric: Option<Vec<f64>> = axis.values.iter().map(|v| v.as_f64()).collect();
    let xs = numeric
        .clone()
        .unwrap_or_else(|| (1..=axis.values.len()).map(|k| k as f64).collect());
    let x_label = match numeric {
        Some(_) => axis.path.clone(),
        None => {
            let names: Vec<String> = axis
                .values
                .iter()
                .enumerate()
                .map(|(k, v)| format!("{}: {}", k + 1, value_label(v)))
                .collect();
            format!("{} ({})", axis.path, names.join(", "))
        }
    };
    let mut chart = Chart::new(
        format!("Claims by {}", axis.path),
        x_label,
        "fraction of runs in which it holds",
    );
    chart.y_range = Some([0.0, 1.05]);
    chart.legend = LegendPosition::LowerRight;
    if numeric.is_none() {
        // Room on the right for the legend.
        chart.x_range = Some([0.5, xs.len() as f64 + 1.2]);
    }
    // Claims side by side around each value, so intervals do not hide each other.
    let spacing = xs
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(f64::INFINITY, f64::min);
    let spacing = if spacing.is_finite() && spacing > 0.0 {
        spacing
    } else {
        1.0
    };
    // Past a dozen values the intervals hide each other: lines only.
    let many = axis.values.len() > MANY_VALUES;
    if many {
        chart.notes.push(format!(
            "{} values: intervals omitted (sweep.csv and claims.json have them)",
            axis.values.len()
        ));
    }
    for (k, c) in claims.iter().enumerate() {
        let offset = if many {
            0.0
        } else {
            (k as f64 - (claims.len() as f64 - 1.0) / 2.0) * 0.6 * spacing
                / claims.len().max(1) as f64
        };
        let color = category_color(k);
        let mut points = Vec::new();
        for (x, f) in xs.iter().zip(&c.by_axis[a]) {
            if !many {
                with_interval(&mut chart.series, x + offset, f, color);
            }
            if f.runs > 0 {
                points.push([x + offset, f.fraction]);
            }
        }
        // A line joins the values of a numeric axis; categories stand apart.
        let series = Series::markers(format!("claim {}", c.id), points, color);
        chart.series.push(if numeric.is_some() {
            series.with_style(crate::Style::Line)
        } else {
            series
        });
    }
    chart
}

/// Draws every figure of a collected sweep into `out` (PNG and SVG);
/// returns the paths of the PNG files: the claims, one histogram per claim,
/// one chart per axis.
pub fn sweep_figures(plan: &Plan, collected: &Collected, out: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out).map_err(|source| imprint::io::IoError::Write {
        path: out.to_path_buf(),
        source,
    })?;
    let formats = [Format::Png, Format::Svg];
    let mut written = Vec::new();
    let mut keep = |paths: Vec<PathBuf>| {
        written.extend(
            paths
                .into_iter()
                .filter(|p| p.extension().is_some_and(|e| e == "png")),
        )
    };
    keep(save_all(
        &claims_chart(&collected.claims),
        out,
        "claims",
        (900, 600),
        &formats,
    )?);
    for claim in &collected.claims {
        let name = format!("metric-{}", claim.id.replace('.', "_"));
        keep(save_all(
            &metric_chart(claim),
            out,
            &name,
            (700, 480),
            &formats,
        )?);
    }
    for (a, axis) in plan.axes.iter().enumerate() {
        let name = format!("axis-{}", axis.path.replace(['.', '/'], "_"));
        keep(save_all(
            &axis_chart(plan, a, &collected.claims),
            out,
            &name,
            (900, 600),
            &formats,
        )?);
    }
    Ok(written)
}

fn percent(f: &Fraction) -> String {
    if f.runs == 0 {
        return "–".into();
    }
    format!(
        "{:.0} % [{:.0}, {:.0}] ({} of {})",
        100.0 * f.fraction,
        100.0 * f.interval[0],
        100.0 * f.interval[1],
        f.held,
        f.runs
    )
}

/// The report page of a collected sweep.
fn page(plan: &Plan, c: &Collected, figures: &[PathBuf], out: &Path) -> String {
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>imprint sweep</title><style>\n{}</style></head><body>\n",
        crate::html::STYLE
    );
    let [pending, started, done, failed] = c.counts;
    let _ = writeln!(
        html,
        "<h1>imprint sweep: the claims across {} runs</h1>\n<p>Planned from <code>{}</code>: {}. {done} done, {failed} failed, {started} started, {pending} pending. Each claim is judged on each finished run by the criterion of docs/theory.md section 6 applied to that run alone; the interval is the 95 % Wilson score interval of the fraction. Every run is in <a href=\"../sweep.csv\">sweep.csv</a>.</p>",
        plan.runs.len(),
        escape(&plan.source.display().to_string()),
        escape(&plan.axes.iter().map(|a| format!("{} ({} values)", a.path, a.values.len())).collect::<Vec<_>>().join(" × "))
    );
    let column = c.columns.iter().position(|n| n == "training_status");
    let trained =
        |status: &str| column.map_or(0, |k| c.rows.iter().filter(|r| r[k] == status).count());
    let _ = writeln!(
        html,
        "<p>Training (kept state, docs/training.md): {} converged, {} still improving, {} stalled, {} unrealisable (second-order trainer).</p>",
        trained("converged"),
        trained("improving"),
        trained("stalled"),
        trained("unrealisable")
    );
    html.push_str("<h2>Claims</h2>\n<table><tr><th>#</th><th>claim</th><th>criterion on one run</th><th>holds in</th></tr>\n");
    for claim in &c.claims {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            claim.id,
            escape(&claim.statement),
            escape(&claim.criterion),
            percent(&claim.overall)
        );
    }
    html.push_str("</table>\n");
    for (a, axis) in plan.axes.iter().enumerate() {
        let _ = writeln!(
            html,
            "<h2>By {}</h2>\n<table><tr><th>{}</th>",
            escape(&axis.path),
            escape(&axis.path)
        );
        for claim in &c.claims {
            let _ = write!(html, "<th>{}</th>", claim.id);
        }
        html.push_str("</tr>\n");
        for (v, value) in axis.values.iter().enumerate() {
            let _ = write!(html, "<tr><td>{}</td>", escape(&value_label(value)));
            for claim in &c.claims {
                let _ = write!(html, "<td>{}</td>", percent(&claim.by_axis[a][v]));
            }
            html.push_str("</tr>\n");
        }
        html.push_str("</table>\n");
    }
    html.push_str("<h2>Figures</h2>\n");
    for path in figures {
        let src = relative(path, out);
        let _ = writeln!(html, "<figure class=\"single\"><a href=\"{src}\"><img src=\"{src}\" alt=\"{src}\"></a></figure>");
    }
    html.push_str("</body></html>\n");
    html
}

/// Draws the figures of a collected sweep into `out/figures/` and writes
/// the report page `out/index.html` (the claims with their intervals, a
/// table per axis, the figures); returns the page's path.
pub fn report(plan: &Plan, collected: &Collected, out: &Path) -> Result<PathBuf> {
    let figures = sweep_figures(plan, collected, &out.join("figures"))?;
    let path = out.join("index.html");
    imprint::io::write_atomic(&path, page(plan, collected, &figures, out).as_bytes())?;
    Ok(path)
}
