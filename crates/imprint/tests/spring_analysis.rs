//! The analysis of a trained spring network (docs/theory.md section 9,
//! issue 28 item 4) against independent computations: the bordered
//! stiffness Hessian assembled from the dense compatibility matrix `Q`,
//! `s_e = -H^{-1} q_e` by a dense inverse, the cost Hessian by finite
//! differences of the gradient, the tensor identity with `Q`, and the
//! scalable path against the dense one.

mod common;

use common::relative_distance;
use faer::linalg::solvers::DenseSolveCore;
use faer::Mat;
use imprint::analysis::{analyze, AnalysisOptions, Boundary, Method};
use imprint::learning::{builtin, cost_gradient, Task, TaskCircuit};
use imprint::network::delaunay::DelaunayParameters;
use imprint::network::spec::NetworkSpec;
use imprint::network::{lattice, Network, Physics};
use imprint::physics::spring::{compatibility_dense, stiffness_dense};
use imprint::random::Rng;

fn with_random_stiffness(mut net: Network, seed: u64) -> Network {
    let mut rng = Rng::new(seed);
    let k = (0..net.edge_count())
        .map(|_| rng.uniform_in(0.5, 2.0))
        .collect();
    net.set_conductance(k).unwrap();
    net
}

/// A periodic jammed spring network (rattlers peeled by the generator).
fn jammed_springs(nodes: usize, seed: u64) -> Network {
    let net = common::jammed_with_random_conductance(nodes, seed, seed + 100);
    imprint::physics::rigidity::as_spring(net).unwrap().0
}

fn task(net: &Network, name: &str, samples: usize) -> Task {
    builtin::build(
        name,
        net,
        &builtin::BuiltinOptions {
            samples,
            target_edges: 2,
            ..Default::default()
        },
    )
    .unwrap()
}

/// `[[K, C^T], [C, 0]]` from the dense `Q` (independent of the sparse
/// assembly), bordered at the degrees of freedom `held`.
fn bordered_dense(net: &Network, held: &[usize]) -> Mat<f64> {
    let k = stiffness_dense(net, net.conductance());
    let n = k.nrows();
    Mat::from_fn(n + held.len(), n + held.len(), |a, b| {
        if a < n && b < n {
            k[(a, b)]
        } else if a >= n && b < n {
            f64::from(held[a - n] == b)
        } else if b >= n && a < n {
            f64::from(held[b - n] == a)
        } else {
            0.0
        }
    })
}

#[test]
fn chi_and_the_physical_spectrum_equal_the_dense_inverse() {
    for (seed, boundary) in [
        (1, Boundary::Ground),
        (2, Boundary::Held),
        (3, Boundary::Ground),
    ] {
        let net = jammed_springs(64, seed);
        let task = task(&net, "allostery", 1);
        let analysis = analyze(
            &net,
            &task,
            &AnalysisOptions {
                method: Method::Dense,
                boundary,
                ..Default::default()
            },
        )
        .unwrap();
        let held = boundary.nodes(&task).unwrap();
        let h = bordered_dense(&net, &held);
        let inverse = h.partial_piv_lu().inverse();
        let q = compatibility_dense(&net);
        let chi: Vec<f64> = (0..net.edge_count())
            .map(|e| {
                (0..h.nrows())
                    .map(|a| {
                        (0..q.nrows())
                            .map(|b| inverse[(a, b)] * q[(b, e)])
                            .sum::<f64>()
                            .powi(2)
                    })
                    .sum::<f64>()
                    .sqrt()
            })
            .collect();
        let distance = relative_distance(&analysis.susceptibility, &chi);
        assert!(distance < 1e-10, "seed {seed}, {boundary:?}: {distance:e}");
        // The spectrum is that of the same matrix.
        let mut eigenvalues: Vec<f64> = h
            .self_adjoint_eigenvalues(faer::Side::Lower)
            .unwrap()
            .into_iter()
            .collect();
        eigenvalues.sort_by(|a, b| a.abs().total_cmp(&b.abs()));
        let ours = &analysis.physical_eigenvalues;
        assert_eq!(ours.len(), 2 * net.node_count() + held.len());
        for (a, b) in ours.iter().zip(&eigenvalues).take(20) {
            assert!((a - b).abs() < 1e-9 * b.abs().max(1.0), "{a} vs {b}");
        }
        // Partial susceptibility reaches 1 over every mode.
        assert!((analysis.partial_susceptibility.last().unwrap() - 1.0).abs() < 1e-9);
    }
}

#[test]
fn the_cost_hessian_matches_finite_differences_of_the_gradient() {
    let net = jammed_springs(64, 4);
    for name in ["regression-2x2", "allostery"] {
        let task = task(&net, name, 8);
        let problem = TaskCircuit::new(&net, &task).unwrap();
        let analysis = analyze(
            &net,
            &task,
            &AnalysisOptions {
                method: Method::Dense,
                boundary: Boundary::Held,
                ..Default::default()
            },
        )
        .unwrap();
        let full = analysis.cost_hessian_full.as_ref().unwrap();
        let k = net.conductance().to_vec();
        let scale = (0..full.nrows())
            .map(|e| full[(e, e)].abs())
            .fold(0.0, f64::max);
        let gradient_at = |k: &[f64]| {
            let factor = problem.factorize(k).unwrap();
            let all: Vec<usize> = (0..task.sample_count()).collect();
            cost_gradient(&problem, &factor, &all).unwrap()
        };
        for f in (0..net.edge_count()).step_by(13) {
            let h = 1e-5 * k[f];
            let (mut plus, mut minus) = (k.clone(), k.clone());
            plus[f] += h;
            minus[f] -= h;
            let (gp, gm) = (gradient_at(&plus), gradient_at(&minus));
            for e in (0..net.edge_count()).step_by(7) {
                let fd = (gp[e] - gm[e]) / (2.0 * h);
                assert!(
                    (full[(e, f)] - fd).abs() < 1e-6 * scale,
                    "{name} H[{e},{f}] = {:e}, finite difference {fd:e}",
                    full[(e, f)]
                );
            }
        }
    }
}

#[test]
fn the_tensor_identity_holds_with_q() {
    // 2N + bordered <= 64: a 4 x 6 triangular lattice (open, rigid).
    let net = with_random_stiffness(
        lattice::triangular(4, 6, false)
            .unwrap()
            .with_physics(Physics::Spring2d)
            .unwrap(),
        4,
    );
    for name in ["regression-2x2", "allostery"] {
        let task = task(&net, name, 6);
        let analysis = analyze(
            &net,
            &task,
            &AnalysisOptions {
                method: Method::Dense,
                boundary: Boundary::Held,
                check_tensors: true,
                ..Default::default()
            },
        )
        .unwrap();
        let error = analysis
            .tensor_identity_error
            .expect("small enough for the tensors");
        eprintln!("spring tensor identity, {name}: largest relative difference {error:e}");
        assert!(error < 1e-12, "{name}: {error:e}");
    }
}

#[test]
fn the_scalable_path_agrees_with_the_dense_one() {
    let net = with_random_stiffness(
        NetworkSpec::Delaunay(DelaunayParameters {
            nodes: 150,
            seed: 5,
            ..Default::default()
        })
        .generate()
        .unwrap()
        .with_physics(Physics::Spring2d)
        .unwrap(),
        5,
    );
    let task = task(&net, "regression-2x5", 10);
    let options = |method| AnalysisOptions {
        method,
        boundary: Boundary::Held,
        exact_susceptibility: true,
        soft_modes: 12,
        ..Default::default()
    };
    let dense = analyze(&net, &task, &options(Method::Dense)).unwrap();
    let scalable = analyze(&net, &task, &options(Method::Scalable)).unwrap();
    assert!(relative_distance(&scalable.susceptibility, &dense.susceptibility) < 1e-12);
    assert_eq!(scalable.stiff_mode_count, dense.stiff_mode_count);
    assert!(relative_distance(&scalable.stiff_weight, &dense.stiff_weight) < 1e-6);
    for m in 0..12 {
        let (a, b) = (
            scalable.physical_eigenvalues[m],
            dense.physical_eigenvalues[m],
        );
        assert!((a - b).abs() < 1e-8 * b.abs(), "mode {m}: {a} vs {b}");
        assert!(
            (scalable.partial_susceptibility[m] - dense.partial_susceptibility[m]).abs() < 1e-8
        );
    }
    // An open network's single ground leaves the rotation free: refused,
    // naming the zero mode, not analysed on a singular Hessian.
    let error = analyze(
        &net,
        &task,
        &AnalysisOptions {
            method: Method::Dense,
            ..Default::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("zero mode"), "{error}");
}
