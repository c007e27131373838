//! Rendering end to end: a small network to PNG and SVG, checked for size and
//! for not being blank.

use imprint::network::lattice;
use imprint_plot::{
    render, save, Axis, Chart, EdgeSet, Format, NetworkFigure, NodeRole, Panel, Panels, Scale,
    Series, ValueLayer,
};

/// Decodes a PNG and returns (width, height, RGB pixels).
fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(bytes);
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    pixels.truncate(info.buffer_size());
    (info.width, info.height, pixels)
}

#[test]
fn a_coloured_lattice_renders_to_a_non_blank_png_and_svg() {
    let net = lattice::square(8, 6, true).unwrap();
    let values: Vec<f64> = (0..net.edge_count())
        .map(|e| 1e-3 * 10f64.powf(e as f64 / 30.0))
        .collect();
    let mut figure = NetworkFigure::new(&net);
    figure.title = "test lattice".into();
    figure.edges = Some(ValueLayer::new(values, "conductance (S)").with_scale(Scale::Log));
    figure.width_by_value = true;
    figure.nodes = Some(ValueLayer::new(
        (0..net.node_count()).map(|n| n as f64).collect(),
        "voltage (V)",
    ));
    figure.roles = vec![
        NodeRole::ground(vec![0]),
        NodeRole::input(vec![5]),
        NodeRole::output(vec![20, 30]),
    ];
    figure.edge_sets = vec![EdgeSet::new("most susceptible", vec![3, 4])];
    figure.currents = Some((0..net.edge_count()).map(|e| e as f64 - 40.0).collect());

    let bytes = render(&figure, Format::Png, (800, 600)).unwrap();
    let (w, h, pixels) = decode(&bytes);
    assert_eq!((w, h), (800, 600));
    let non_white = pixels
        .chunks(3)
        .filter(|p| p.iter().any(|&c| c < 240))
        .count();
    let fraction = non_white as f64 / (w * h) as f64;
    assert!(
        fraction > 0.03 && fraction < 0.8,
        "non-white fraction {fraction}"
    );
    // Viridis yellow (top of the colour bar) is present.
    assert!(pixels
        .chunks(3)
        .any(|p| p[0] > 230 && p[1] > 210 && p[2] < 60));

    let svg = String::from_utf8(render(&figure, Format::Svg, (800, 600)).unwrap()).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("test lattice") && svg.contains("conductance"));

    let dir = tempfile::tempdir().unwrap();
    if let Some(keep) = std::env::var_os("IMPRINT_KEEP_FIGURES") {
        std::fs::write(std::path::Path::new(&keep).join("render-test.png"), &bytes).unwrap();
    }
    save(&figure, &dir.path().join("lattice.png"), (400, 300)).unwrap();
    assert!(dir.path().join("lattice.png").exists());
    assert!(save(&figure, &dir.path().join("lattice.jpg"), (400, 300))
        .unwrap_err()
        .to_string()
        .contains("unknown figure format"));
    let mut wrong = NetworkFigure::new(&net);
    wrong.edges = Some(ValueLayer::new(vec![1.0; 3], "k"));
    assert!(render(&wrong, Format::Png, (100, 100))
        .unwrap_err()
        .to_string()
        .contains("edge values has 3 values but the network has 96"));
}

#[test]
fn charts_on_log_axes_and_panels_render_with_their_text() {
    let values: Vec<f64> = (0..200)
        .map(|k| 10f64.powf(-12.0 + k as f64 * 0.07))
        .collect();
    let mut histogram =
        Chart::new("spectrum", "eigenvalue", "count").with_axes(Axis::Log, Axis::Linear);
    histogram.series.push(Series::histogram(
        "before",
        &values,
        [1e-12, 1e2],
        28,
        Axis::Log,
        imprint_plot::category_color(0),
    ));
    histogram.notes.push("stiff modes: 4".into());
    let mut scatter =
        Chart::new("chi vs k", "conductance (S)", "susceptibility").with_axes(Axis::Log, Axis::Log);
    scatter.series.push(Series::markers(
        "edges",
        values.iter().map(|&v| [v, v.sqrt()]).collect(),
        imprint_plot::category_color(1),
    ));
    let panels = Panels {
        title: "two panels".into(),
        columns: 2,
        panels: vec![Panel::Chart(histogram), Panel::Chart(scatter)],
    };
    let bytes = render(&panels, Format::Png, (1200, 500)).unwrap();
    let (w, h, pixels) = decode(&bytes);
    assert_eq!((w, h), (1200, 500));
    let non_white = pixels
        .chunks(3)
        .filter(|p| p.iter().any(|&c| c < 240))
        .count();
    assert!(non_white as f64 / (w * h) as f64 > 0.01);
    // Where each series is drawn: the histogram (colour 0, blue) in the
    // left panel, the markers (colour 1, orange, translucent: blends with
    // the white) in the right one, on a line that rises to the right
    // (chi = sqrt(k) on log-log axes: image rows fall as columns grow), and
    // the bins of a log-uniform sample about equally tall (7 or 8 values).
    let (blue, orange) = (
        imprint_plot::category_color(0),
        imprint_plot::category_color(1),
    );
    assert_eq!(
        (blue.0, blue.1, blue.2, orange.0, orange.1, orange.2),
        (31, 119, 180, 255, 127, 14)
    );
    let at = |family: fn(&[u8]) -> bool| -> Vec<[f64; 2]> {
        pixels
            .chunks(3)
            .enumerate()
            .filter(|(_, p)| family(p))
            .map(|(i, _)| [(i as u32 % w) as f64, (i as u32 / w) as f64])
            .collect()
    };
    let bars = at(|p| p[2] as i32 > p[0] as i32 + 60 && p[2] > 150);
    let markers = at(|p| p[0] > 230 && (p[1] as i32) > p[2] as i32 + 60);
    assert!(
        bars.len() > 1000 && markers.len() > 2000,
        "{} {}",
        bars.len(),
        markers.len()
    );
    let stray = bars
        .iter()
        .filter(|p| p[0] >= 600.0)
        .chain(markers.iter().filter(|p| p[0] < 600.0))
        .count();
    assert_eq!(stray, 0);
    let correlation = |points: &[[f64; 2]]| {
        let n = points.len() as f64;
        let mean = |i: usize| points.iter().map(|p| p[i]).sum::<f64>() / n;
        let (mx, my) = (mean(0), mean(1));
        let cov = |a: usize, ma: f64, b: usize, mb: f64| {
            points
                .iter()
                .map(|p| (p[a] - ma) * (p[b] - mb))
                .sum::<f64>()
        };
        cov(0, mx, 1, my) / (cov(0, mx, 0, mx) * cov(1, my, 1, my)).sqrt()
    };
    assert!(correlation(&markers) < -0.95, "{}", correlation(&markers));
    let mut tops = std::collections::BTreeMap::<u32, f64>::new();
    for p in &bars {
        let top = tops.entry(p[0] as u32).or_insert(f64::INFINITY);
        *top = top.min(p[1]);
    }
    let mut tops: Vec<f64> = tops.into_values().collect();
    tops.sort_by(f64::total_cmp);
    let bottom = bars.iter().map(|p| p[1]).fold(0.0, f64::max);
    let (high, low) = (tops[tops.len() / 10], tops[tops.len() * 9 / 10]);
    assert!(
        low - high < 0.2 * (bottom - high) && bottom - high > 200.0,
        "bin tops between rows {high} and {low}, bottom {bottom}"
    );
    if let Some(keep) = std::env::var_os("IMPRINT_KEEP_FIGURES") {
        std::fs::write(std::path::Path::new(&keep).join("chart-test.png"), &bytes).unwrap();
    }
    let svg = String::from_utf8(render(&panels, Format::Svg, (1200, 500)).unwrap()).unwrap();
    for text in [
        "two panels",
        "spectrum",
        "eigenvalue",
        "stiff modes: 4",
        "before",
        "10\u{207B}",
    ] {
        assert!(svg.contains(text), "{text} missing from the SVG");
    }
}
