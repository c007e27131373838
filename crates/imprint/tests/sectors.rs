//! Persistent sectors (docs/theory.md section 5) against independent answers: the
//! worked cases of `tests/data/sectors/cases.json` (every intermediate
//! answer, from an implementation that matches GUDHI and Rocks' own C++
//! library), GUDHI's pairs of the same filtration on a literature network
//! (`reference.json`, made by `make_reference.py`), and invariants: the
//! skeleton is a minimum spanning forest, birth edges are lowest at both
//! ends, the closed-form stopping index equals sequential cancellation,
//! sectors do not change under `V -> aV + b`, and a planted wall gives
//! exactly its two sides.

use std::path::PathBuf;

use imprint::io::read_jammed_text;
use imprint::network::{lattice, Network};
use imprint::physics::{solve, BoundaryConditions};
use imprint::topology::sectors::{
    edge_filtration, persistent_sectors, role_pairs, EdgeType, RoleMode,
};
use serde_json::Value;

fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}

fn json(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(data(path)).unwrap()).unwrap()
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn indices(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

fn pairs_of(v: &Value) -> Vec<[usize; 2]> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let p = indices(p);
            [p[0], p[1]]
        })
        .collect()
}

/// Whether two labellings cut the nodes into the same parts.
fn same_partition(a: &[usize], b: &[usize]) -> bool {
    let mut forward = std::collections::HashMap::new();
    let mut backward = std::collections::HashMap::new();
    a.iter()
        .zip(b)
        .all(|(x, y)| *forward.entry(x).or_insert(y) == y && *backward.entry(y).or_insert(x) == x)
}

#[test]
fn every_intermediate_answer_of_the_worked_cases() {
    let cases = json("sectors/cases.json");
    for case in cases.as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let positions: Vec<[f64; 2]> = case["positions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| [p[0].as_f64().unwrap(), p[1].as_f64().unwrap()])
            .collect();
        let network = Network::new(
            positions,
            pairs_of(&case["edges"]),
            numbers(&case["conductance"]),
            None,
        )
        .unwrap();
        let voltage = numbers(&case["voltage"]);
        let f = edge_filtration(&network, &voltage);
        assert_eq!(
            f.values,
            numbers(&case["edge_value"]),
            "{name}: edge values"
        );
        let types: Vec<usize> = f
            .types
            .iter()
            .map(|t| match t {
                EdgeType::Cycle => 0,
                EdgeType::Birth => 1,
                EdgeType::Death => 2,
                EdgeType::Attach => 3,
            })
            .collect();
        assert_eq!(types, indices(&case["edge_type"]), "{name}: edge types");
        let ours: Vec<[usize; 2]> = f
            .pairs
            .iter()
            .map(|p| [p.birth_edge, p.death_edge])
            .collect();
        assert_eq!(
            ours,
            pairs_of(&case["pairs_birth_death_edges"]),
            "{name}: pairs"
        );
        let persistence: Vec<f64> = f.pairs.iter().map(|p| p.persistence()).collect();
        for (a, b) in persistence.iter().zip(numbers(&case["pairs_persistence"])) {
            assert!((a - b).abs() <= 1e-15, "{name}: persistence {a} vs {b}");
        }
        assert_eq!(
            f.essential,
            indices(&case["essential_birth_edges"]),
            "{name}"
        );

        let mode = match case["mode"].as_str().unwrap() {
            "per_edge" => RoleMode::PerEdge,
            _ => RoleMode::All,
        };
        let s = persistent_sectors(&network, &voltage, &pairs_of(&case["targets"]), mode);
        assert_eq!(
            s.cancelled,
            case["cancelled"].as_u64().unwrap() as usize,
            "{name}"
        );
        assert!((s.tau_star.unwrap() - case["tau_star"].as_f64().unwrap()).abs() <= 1e-15);
        assert!(
            same_partition(&s.labels, &indices(&case["labels"])),
            "{name}: labels"
        );
        assert_eq!(s.count, indices(&case["labels"]).iter().max().unwrap() + 1);
        assert_eq!(
            s.boundary_edges,
            indices(&case["boundary_edges"]),
            "{name}: B"
        );
        assert_eq!(s.cut_edges, indices(&case["cut_edges"]), "{name}: cut set");
        assert!(s.inseparable.is_empty());
        if name.ends_with("wall") {
            assert_eq!(s.count, 2, "a planted wall gives its two sides");
        }
    }
}

/// The literature network of the GUDHI reference and its node field.
fn reference() -> (Value, Network, Vec<f64>) {
    let reference = json("sectors/reference.json");
    let network = read_jammed_text(
        &data(&format!(
            "networks/{}",
            reference["network"].as_str().unwrap()
        )),
        1.0,
    )
    .unwrap();
    let values = numbers(&reference["values"]);
    (reference, network, values)
}

#[test]
fn the_diagram_equals_gudhis_and_the_skeleton_is_a_minimum_spanning_forest() {
    let (reference, network, values) = reference();
    let f = edge_filtration(&network, &values);
    let mut ours: Vec<[f64; 2]> = f
        .pairs
        .iter()
        .filter(|p| p.persistence() > 0.0)
        .map(|p| [p.birth, p.death])
        .collect();
    ours.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    let gudhi: Vec<[f64; 2]> = reference["edge_filtration_pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| [p[0].as_f64().unwrap(), p[1].as_f64().unwrap()])
        .collect();
    assert_eq!(ours.len(), gudhi.len());
    for (a, b) in ours.iter().zip(&gudhi) {
        assert!(
            (a[0] - b[0]).abs() < 1e-12 && (a[1] - b[1]).abs() < 1e-12,
            "{a:?} vs {b:?}"
        );
    }
    let essential: Vec<f64> = f.essential.iter().map(|&e| f.values[e]).collect();
    assert_eq!(essential, numbers(&reference["edge_filtration_essential"]));

    // The skeleton weighs what Prim's minimum spanning tree weighs.
    let skeleton: f64 = (0..network.edge_count())
        .filter(|&e| f.types[e] != EdgeType::Cycle)
        .map(|e| f.values[e])
        .sum();
    let n = network.node_count();
    let mut adjacency = vec![Vec::new(); n];
    for (e, &[i, j]) in network.edges().iter().enumerate() {
        adjacency[i].push((j, f.values[e]));
        adjacency[j].push((i, f.values[e]));
    }
    let (mut inside, mut best, mut prim) = (vec![false; n], vec![f64::INFINITY; n], 0.0);
    best[0] = 0.0;
    for _ in 0..n {
        let v = (0..n)
            .filter(|&v| !inside[v])
            .min_by(|&a, &b| best[a].total_cmp(&best[b]))
            .unwrap();
        inside[v] = true;
        prim += best[v];
        for &(w, d) in &adjacency[v] {
            if !inside[w] && d < best[w] {
                best[w] = d;
            }
        }
    }
    assert!(
        (skeleton - prim).abs() < 1e-10 * prim,
        "{skeleton} vs {prim}"
    );
    // Birth edges are exactly the edges lowest (in filtration order) at both ends.
    for (e, &[i, j]) in network.edges().iter().enumerate() {
        let lowest_at = |v: usize| {
            network
                .edges()
                .iter()
                .enumerate()
                .filter(|(_, &[a, b])| a == v || b == v)
                .all(|(g, _)| f.position[g] >= f.position[e])
        };
        assert_eq!(
            f.types[e] == EdgeType::Birth,
            lowest_at(i) && lowest_at(j),
            "edge {e}"
        );
    }
}

#[test]
fn the_closed_form_stop_equals_sequential_cancellation_and_scaling_changes_nothing() {
    let (_, network, values) = reference();
    let roles = [[3, 200], [17, 90], [45, 120]];
    for mode in [RoleMode::PerEdge, RoleMode::All] {
        let s = persistent_sectors(&network, &values, &roles, mode);
        // Sequentially: the largest m after which every role pair is still apart.
        let f = &s.filtration;
        let apart_after = |m: usize| {
            let mut parent: Vec<usize> = (0..network.node_count()).collect();
            let kept: Vec<usize> = f.pairs[m..].iter().map(|p| p.death_edge).collect();
            fn root(p: &mut [usize], mut x: usize) -> usize {
                while p[x] != x {
                    x = p[x];
                }
                x
            }
            for (e, &[i, j]) in network.edges().iter().enumerate() {
                if f.types[e] != EdgeType::Cycle && !kept.contains(&e) {
                    let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                    parent[a] = b;
                }
            }
            role_pairs(&roles, mode)
                .iter()
                .all(|&[a, b]| root(&mut parent, a) != root(&mut parent, b))
        };
        let sequential = (0..=f.pairs.len())
            .take_while(|&m| apart_after(m))
            .last()
            .unwrap();
        assert_eq!(s.cancelled, sequential, "{mode:?}");
        assert!(s.count > 1);
        let affine: Vec<f64> = values.iter().map(|v| 3.5 * v - 2.0).collect();
        let t = persistent_sectors(&network, &affine, &roles, mode);
        assert_eq!(
            (t.labels, t.cut_edges, t.cancelled),
            (s.labels.clone(), s.cut_edges.clone(), s.cancelled)
        );
    }
}

#[test]
fn a_planted_wall_on_a_lattice_gives_its_two_sides() {
    // A 12 x 8 lattice, 1 V on the left column, 0 V on the right; edges
    // crossing between columns 5 and 6 conduct 1e-3 of the rest.
    let (columns, rows) = (12, 8);
    let mut net = lattice::square(columns, rows, false).unwrap();
    let column = |v: usize| v % columns;
    let wall: Vec<usize> = (0..net.edge_count())
        .filter(|&e| {
            let [i, j] = net.edges()[e];
            column(i).min(column(j)) == 5 && column(i).max(column(j)) == 6
        })
        .collect();
    let mut k = vec![1.0; net.edge_count()];
    for &e in &wall {
        k[e] = 1e-3;
    }
    net.set_conductance(k).unwrap();
    let bc = (0..rows).fold(BoundaryConditions::new(), |bc, r| {
        bc.fix(r * columns, 1.0).fix(r * columns + columns - 1, 0.0)
    });
    let voltages = solve(&net, &bc).unwrap().voltages;
    let target = net.edges()[wall[3]];
    let s = persistent_sectors(&net, &voltages, &[target], RoleMode::PerEdge);
    assert_eq!(s.count, 2);
    assert_eq!(s.cut_edges, wall);
    for v in 0..net.node_count() {
        assert_eq!(s.labels[v] == s.labels[0], column(v) <= 5, "node {v}");
    }
}
