//! What training did, drawn: the cost (and a classification's accuracy)
//! against iterations, and a classifier's decision regions over its inputs
//! (paper Figs. 1 and 10). Re-exported from [`crate::paper`].

use imprint::analysis::decision::DecisionRegions;
use imprint::run::HistoryRecord;
use plotters::style::RGBColor;

use crate::chart::{Axis, Chart, LegendPosition, Raster, Series, Style};
use crate::colormap::category_color;
use crate::panels::{Panel, Panels};
use crate::paper::{AFTER, BEFORE};

/// Cost (log axis) and, for classification, accuracy against iterations.
pub fn training(title: &str, history: &[HistoryRecord]) -> Panels<'static> {
    let mut cost = Chart::new("cost", "iteration", "cost").with_axes(Axis::Linear, Axis::Log);
    cost.series.push(Series::line(
        "training",
        history.iter().map(|h| [h.step as f64, h.cost]).collect(),
        AFTER,
    ));
    let test: Vec<[f64; 2]> = history
        .iter()
        .filter_map(|h| Some([h.step as f64, h.test_cost?]))
        .collect();
    if !test.is_empty() {
        cost.series
            .push(Series::line("test", test, BEFORE).with_style(Style::Dashed));
    }
    let mut panels = vec![Panel::Chart(cost)];
    let accuracy: Vec<[f64; 2]> = history
        .iter()
        .filter_map(|h| Some([h.step as f64, 100.0 * h.accuracy?]))
        .collect();
    if !accuracy.is_empty() {
        let mut chart = Chart::new("accuracy", "iteration", "accuracy (%)");
        chart.y_range = Some([0.0, 102.0]);
        chart.series.push(Series::line("training", accuracy, AFTER));
        let test: Vec<[f64; 2]> = history
            .iter()
            .filter_map(|h| Some([h.step as f64, 100.0 * h.test_accuracy?]))
            .collect();
        if !test.is_empty() {
            chart
                .series
                .push(Series::line("test", test, BEFORE).with_style(Style::Dashed));
        }
        chart.legend = LegendPosition::LowerRight;
        panels.push(Panel::Chart(chart));
    }
    Panels {
        title: title.to_string(),
        columns: panels.len(),
        panels,
    }
}

/// Lightened category colour for region backgrounds.
fn tint(color: RGBColor) -> RGBColor {
    let mix = |c: u8| (c as f64 * 0.35 + 255.0 * 0.65).round() as u8;
    RGBColor(mix(color.0), mix(color.1), mix(color.2))
}

/// The classifier's decision regions with the training (filled) and test
/// (open) points coloured by their true class.
pub fn decision_regions(title: &str, regions: &DecisionRegions) -> Chart {
    let mut chart = Chart::new(title, regions.labels[0].clone(), regions.labels[1].clone());
    chart.x_range = Some(regions.x);
    chart.y_range = Some(regions.y);
    chart.raster = Some(Raster {
        x: regions.x,
        y: regions.y,
        cells: regions
            .predicted
            .iter()
            .map(|row| row.iter().map(|&c| tint(category_color(c))).collect())
            .collect(),
    });
    let classes = regions
        .train
        .iter()
        .chain(&regions.test)
        .map(|p| p.2 + 1)
        .max()
        .unwrap_or(0);
    for class in 0..classes {
        let pick = |points: &[(f64, f64, usize)]| -> Vec<[f64; 2]> {
            points
                .iter()
                .filter(|p| p.2 == class)
                .map(|p| [p.0, p.1])
                .collect()
        };
        chart.series.push(
            Series::markers(
                format!("class {class} (train)"),
                pick(&regions.train),
                category_color(class),
            )
            .with_size(5),
        );
        let test = pick(&regions.test);
        if !test.is_empty() {
            chart.series.push(
                Series::markers("", test, category_color(class))
                    .with_style(Style::OpenMarkers)
                    .with_size(6),
            );
        }
    }
    chart
        .notes
        .push("background: predicted class; open circles: test points".into());
    chart.legend = LegendPosition::LowerRight;
    chart
}
