//! Shared fixtures for the integration tests: small hand-made circuits and
//! seeded random connected graphs.
#![allow(dead_code)]

use imprint::network::Network;
use proptest::prelude::*;

/// A network with positions on a line (positions do not enter the physics).
pub fn circuit(node_count: usize, edges: &[[usize; 2]], conductance: &[f64]) -> Network {
    let positions = (0..node_count).map(|i| [i as f64, 0.0]).collect();
    Network::new(positions, edges.to_vec(), conductance.to_vec(), None).unwrap()
}

/// A random connected graph: a random spanning tree plus extra edges, with
/// log-uniform conductances in [0.1, 10].
pub fn connected_graph(max_nodes: usize) -> impl Strategy<Value = Network> {
    (3..=max_nodes)
        .prop_flat_map(|n| {
            let parents: Vec<BoxedStrategy<usize>> = (1..n).map(|i| (0..i).boxed()).collect();
            (
                Just(n),
                parents,
                prop::collection::vec((0..n, 0..n), 0..2 * n),
            )
        })
        .prop_flat_map(|(n, parents, extra)| {
            let mut edges: Vec<[usize; 2]> = parents
                .iter()
                .enumerate()
                .map(|(i, &p)| [i + 1, p])
                .collect();
            let mut seen: std::collections::HashSet<(usize, usize)> =
                edges.iter().map(|&[a, b]| (a.min(b), a.max(b))).collect();
            for (a, b) in extra {
                if a != b && seen.insert((a.min(b), a.max(b))) {
                    edges.push([a, b]);
                }
            }
            let count = edges.len();
            (
                Just(n),
                Just(edges),
                prop::collection::vec(-1.0f64..1.0, count),
            )
        })
        .prop_map(|(n, edges, log_k)| {
            let k = log_k.iter().map(|x| 10f64.powf(*x)).collect::<Vec<_>>();
            circuit(n, &edges, &k)
        })
}

/// Relative distance `|a - b| / |b|` in the Euclidean norm.
pub fn relative_distance(a: &[f64], b: &[f64]) -> f64 {
    let diff: f64 = a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum();
    let norm: f64 = b.iter().map(|y| y * y).sum();
    (diff / norm.max(f64::MIN_POSITIVE)).sqrt()
}

/// The contact network of a jammed packing of `nodes` disks (seed `seed`)
/// with conductances uniform in [0.2, 2] drawn from `conductance_seed`.
pub fn jammed_with_random_conductance(nodes: usize, seed: u64, conductance_seed: u64) -> Network {
    let (mut net, _) =
        imprint::network::jammed::generate(&imprint::network::jammed::JammingParameters {
            nodes,
            seed,
            ..Default::default()
        })
        .unwrap();
    let mut rng = imprint::random::Rng::new(conductance_seed);
    let k = (0..net.edge_count())
        .map(|_| rng.uniform_in(0.2, 2.0))
        .collect();
    net.set_conductance(k).unwrap();
    net
}

/// Central finite difference of the full training cost in `k[edge]`
/// (step `1e-5 k_e`): what the adjoint gradient is tested against.
pub fn cost_finite_difference(
    problem: &imprint::learning::TaskCircuit,
    k: &[f64],
    edge: usize,
) -> f64 {
    let h = 1e-5 * k[edge];
    let mut plus = k.to_vec();
    plus[edge] += h;
    let mut minus = k.to_vec();
    minus[edge] -= h;
    (problem.evaluate(&plus).unwrap().cost - problem.evaluate(&minus).unwrap().cost) / (2.0 * h)
}

/// A Delaunay triangulation of `nodes` random points (seed `seed`) as a 2D
/// spring network: rigid, with its uniform stiffness.
pub fn delaunay_springs(nodes: usize, seed: u64) -> Network {
    imprint::network::spec::NetworkSpec::Delaunay(imprint::network::delaunay::DelaunayParameters {
        nodes,
        seed,
        ..Default::default()
    })
    .generate()
    .unwrap()
    .with_physics(imprint::network::Physics::Spring2d)
    .unwrap()
}

/// The kept-factor tests' spring case: a 200-node Delaunay spring network
/// (seed 4) holding node 0 in both directions and components `2(n-1)+1`,
/// 17 and 40, its solver, stiffnesses uniform in `[0.5, 2]`, and the
/// generator that drew them (seed 4), for what the test draws next.
#[allow(dead_code)]
pub fn held_springs() -> (
    Network,
    Vec<usize>,
    imprint::physics::Solver,
    Vec<f64>,
    imprint::random::Rng,
) {
    let net = delaunay_springs(200, 4);
    let n = net.node_count();
    let held = vec![0, 1, 2 * (n - 1) + 1, 17, 40];
    let solver = imprint::physics::Solver::for_dofs(&net, &held).unwrap();
    let mut rng = imprint::random::Rng::new(4);
    let k = (0..net.edge_count())
        .map(|_| rng.uniform_in(0.5, 2.0))
        .collect();
    (net, held, solver, k, rng)
}
