//! Persistence pairs against GUDHI (reference data made by
//! tests/data/sectors/make_reference.py with GUDHI's SimplexTree, kept beside
//! the tests): the 0-dimensional pairs of the lower-star filtration of a node
//! field on a literature network, sublevel and superlevel, and the deaths of
//! the drop filtration behind the uniform-voltage sectors.

use std::path::PathBuf;

use imprint::io::read_jammed_text;
use imprint::network::Network;
use imprint::topology::sectors::{
    persistent_sectors, sublevel_persistence, uniform_voltage_sectors,
};

fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}

/// The GUDHI reference data, its literature network and its node field.
fn reference() -> (serde_json::Value, Network, Vec<f64>) {
    let reference: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data("sectors/reference.json")).unwrap())
            .unwrap();
    let network = read_jammed_text(
        &data(&format!(
            "networks/{}",
            reference["network"].as_str().unwrap()
        )),
        1.0,
    )
    .unwrap();
    let values: Vec<f64> = reference["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    (reference, network, values)
}

/// Pairs with positive persistence, and the essential class (death None), sorted.
fn significant(pairs: &[(f64, Option<f64>)]) -> Vec<(f64, Option<f64>)> {
    let mut out: Vec<(f64, Option<f64>)> = pairs
        .iter()
        .copied()
        .filter(|(b, d)| d.is_none_or(|d| d > *b))
        .collect();
    out.sort_by(|a, b| {
        a.0.total_cmp(&b.0).then(
            a.1.unwrap_or(f64::INFINITY)
                .total_cmp(&b.1.unwrap_or(f64::INFINITY)),
        )
    });
    out
}

#[test]
fn persistence_pairs_match_gudhi() {
    let (reference, network, values) = reference();
    let parse = |key: &str| -> Vec<(f64, Option<f64>)> {
        reference[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64()))
            .collect()
    };
    for (field, key) in [
        (values.clone(), "sublevel_pairs"),
        (
            values.iter().map(|v| -v).collect::<Vec<_>>(),
            "superlevel_pairs_of_negated_values",
        ),
    ] {
        let ours: Vec<(f64, Option<f64>)> = sublevel_persistence(&network, &field)
            .iter()
            .map(|p| (p.birth, p.death.is_finite().then_some(p.death)))
            .collect();
        let (ours, gudhi) = (significant(&ours), significant(&parse(key)));
        assert_eq!(
            ours.len(),
            gudhi.len(),
            "{key}: {} pairs here, {} from GUDHI",
            ours.len(),
            gudhi.len()
        );
        for (a, b) in ours.iter().zip(&gudhi) {
            assert_eq!(a, b, "{key}");
        }
    }
    // The sectors of this field: every boundary edge joins two sectors, and
    // raising the threshold never splits a sector.
    let fine = persistent_sectors(&network, &values, 0.05);
    let coarse = persistent_sectors(&network, &values, 0.5);
    assert!(coarse.count <= fine.count && coarse.count >= 1);
    for &e in &coarse.boundary_edges {
        let [i, j] = network.edges()[e];
        assert_ne!(coarse.sector[i], coarse.sector[j]);
        assert_ne!(
            fine.sector[i], fine.sector[j],
            "a coarse boundary is a fine boundary"
        );
    }
}

#[test]
fn uniform_voltage_sector_counts_match_the_gudhi_drop_filtration() {
    // Nodes enter at 0 and edges at their drop: the components alive just
    // below a threshold are the sectors, one per pair dying at or above it.
    let (reference, network, values) = reference();
    let deaths: Vec<Option<f64>> = reference["drop_filtration_deaths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_f64())
        .collect();
    let finite: Vec<f64> = deaths.iter().flatten().copied().collect();
    assert!(finite.len() > 200, "{} finite deaths", finite.len());
    // Thresholds between consecutive deaths, so that no edge sits on one.
    for k in (0..finite.len() - 1).step_by(17) {
        let threshold = 0.5 * (finite[k] + finite[k + 1]);
        let alive = deaths
            .iter()
            .filter(|d| d.is_none_or(|d| d >= threshold))
            .count();
        let sectors = uniform_voltage_sectors(&network, &values, threshold);
        assert_eq!(sectors.count, alive, "threshold {threshold}");
        // Every boundary edge drops by at least the threshold.
        for &e in &sectors.boundary_edges {
            let [i, j] = network.edges()[e];
            assert!((values[i] - values[j]).abs() >= threshold);
        }
    }
}
