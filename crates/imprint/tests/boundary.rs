//! The two borders of the physical Hessian (docs/theory.md section 1): `H_g`
//! (ground and rails, the paper's eq. 2) and `H` (every held node). Each
//! against a dense inverse; eq. 8 by finite differences with voltage inputs
//! (`H`) and with current inputs (`H_g`); and the authors' partial
//! susceptibility (Frobenius norms, algebraic order) against matrices built
//! column by column.

mod common;

use faer::linalg::solvers::Solve;
use faer::Mat;
use imprint::analysis::{analyze, AnalysisOptions, Boundary, Method};
use imprint::learning::{builtin, Task};
use imprint::network::Network;
use imprint::physics::{physical_hessian_dense, solve, BoundaryConditions};

fn network(nodes: usize, seed: u64) -> Network {
    common::jammed_with_random_conductance(nodes, seed, seed + 7)
}

fn task(net: &Network, name: &str) -> Task {
    let options = builtin::BuiltinOptions {
        samples: 8,
        ..Default::default()
    };
    builtin::build(name, net, &options).unwrap()
}

/// `s_e = H^{-1} bb_e` for every edge from a dense LU of `H` bordered at `held`.
fn dense_susceptibility(net: &Network, held: &[usize]) -> Mat<f64> {
    let h = physical_hessian_dense(net, held).unwrap();
    let n = h.nrows();
    let mut drives = Mat::zeros(n, net.edge_count());
    for (e, &[i, j]) in net.edges().iter().enumerate() {
        drives[(i, e)] = 1.0;
        drives[(j, e)] = -1.0;
    }
    h.partial_piv_lu().solve(&drives)
}

fn norms(s: &Mat<f64>) -> Vec<f64> {
    (0..s.ncols())
        .map(|e| s.col(e).iter().map(|x| x * x).sum::<f64>().sqrt())
        .collect()
}

fn largest_relative_difference(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() / y.abs())
        .fold(0.0, f64::max)
}

#[test]
fn chi_of_each_border_equals_a_dense_inverse_on_both_paths() {
    let net = network(64, 3);
    for name in ["regression-2x2", "classification-3", "allostery"] {
        let task = task(&net, name);
        for (boundary, held) in [
            (Boundary::Ground, task.roles.grounds.clone()),
            (Boundary::Held, task.fixed_nodes.clone()),
        ] {
            let expected = norms(&dense_susceptibility(&net, &held));
            for (method, exact) in [(Method::Dense, false), (Method::Scalable, true)] {
                let options = AnalysisOptions {
                    method,
                    boundary,
                    exact_susceptibility: exact,
                    soft_modes: 10,
                    ..Default::default()
                };
                let analysis = analyze(&net, &task, &options).unwrap();
                let difference = largest_relative_difference(&analysis.susceptibility, &expected);
                assert!(
                    difference < 1e-10,
                    "{name} {boundary:?} {method:?}: {difference:e}"
                );
                assert_eq!(analysis.mode_count(), net.node_count() + held.len());
            }
        }
        // The two borders differ unless the task holds only its grounds.
        let ground = analyze(&net, &task, &AnalysisOptions::default()).unwrap();
        let held = analyze(
            &net,
            &task,
            &AnalysisOptions {
                boundary: Boundary::Held,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(largest_relative_difference(&ground.susceptibility, &held.susceptibility) > 1e-3);
    }
}

/// `dy/dk_e` by central differences of a solve, for output node `o`.
fn finite_difference(net: &Network, bc: &BoundaryConditions, o: usize, e: usize) -> f64 {
    let h = 1e-6 * net.conductance()[e];
    let at = |dk: f64| {
        let mut k = net.conductance().to_vec();
        k[e] += dk;
        let mut shifted = net.clone();
        shifted.set_conductance(k).unwrap();
        solve(&shifted, bc).unwrap().voltages[o]
    };
    (at(h) - at(-h)) / (2.0 * h)
}

#[test]
fn eq_8_holds_with_h_for_voltage_inputs_and_with_h_g_for_current_inputs() {
    // dy/dk_e = -(P s_e) dV_e (eq. 8), with s_e from the Hessian bordered at
    // exactly the nodes that are held while k_e changes.
    let net = network(48, 5);
    let (ground, input, output) = (0, 17, 30);
    let voltages = BoundaryConditions::new().fix(ground, 0.0).fix(input, 1.0);
    let currents = BoundaryConditions::new()
        .fix(ground, 0.0)
        .inject(input, 1e-2);
    for (bc, held, label) in [
        (&voltages, vec![ground, input], "voltage input, H"),
        (&currents, vec![ground], "current input, H_g"),
    ] {
        let s = dense_susceptibility(&net, &held);
        let drops = solve(&net, bc).unwrap().drops;
        let pairs: Vec<(f64, f64)> = (0..net.edge_count())
            .step_by(3)
            .map(|e| {
                (
                    -s[(output, e)] * drops[e],
                    finite_difference(&net, bc, output, e),
                )
            })
            .collect();
        // Relative to the largest derivative: small ones are rounding-limited.
        let scale = pairs.iter().map(|p| p.1.abs()).fold(0.0, f64::max);
        let worst = pairs
            .iter()
            .map(|(p, m)| (p - m).abs() / scale)
            .fold(0.0, f64::max);
        assert!(worst < 1e-7, "{label}: {worst:e}");
    }
    // With a voltage input, H_g is the wrong Hessian: it ignores the source's hold.
    let s_g = dense_susceptibility(&net, &[ground]);
    let drops = solve(&net, &voltages).unwrap().drops;
    let wrong = (0..net.edge_count())
        .map(|e| {
            (-s_g[(output, e)] * drops[e] - finite_difference(&net, &voltages, output, e)).abs()
        })
        .fold(0.0, f64::max);
    assert!(wrong > 1e-4, "{wrong:e}");
}

#[test]
fn the_authors_partial_susceptibility_is_a_ratio_of_frobenius_norms_in_algebraic_order() {
    let net = network(40, 9);
    let task = task(&net, "regression-2x2");
    let analysis = analyze(&net, &task, &AnalysisOptions::default()).unwrap();
    let curve = analysis.partial_susceptibility_norm.clone().unwrap();
    // Independently: H_g's eigenpairs in numpy's eigh order, S^(m) built row by row.
    let h = physical_hessian_dense(&net, &task.roles.grounds).unwrap();
    let evd = h.self_adjoint_eigen(faer::Side::Lower).unwrap();
    let values: Vec<f64> = evd.S().column_vector().iter().copied().collect();
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let u = evd.U();
    let n = h.nrows();
    let mut partial = Mat::<f64>::zeros(net.edge_count(), n);
    let full = norms(&dense_susceptibility(&net, &task.roles.grounds))
        .iter()
        .map(|c| c * c)
        .sum::<f64>()
        .sqrt();
    assert_eq!(curve.len(), n);
    for (m, &mode) in order.iter().enumerate() {
        for (e, &[i, j]) in net.edges().iter().enumerate() {
            let projection = u[(i, mode)] - u[(j, mode)];
            for a in 0..n {
                partial[(e, a)] += u[(a, mode)] * projection / values[mode];
            }
        }
        let frobenius = partial.norm_l2();
        assert!(
            (curve[m] - frobenius / full).abs() < 1e-9,
            "m = {}: {} vs {}",
            m + 1,
            curve[m],
            frobenius / full
        );
    }
    assert!((curve[n - 1] - 1.0).abs() < 1e-10);
    // The border eigenvalue is negative: numpy's order puts it first.
    assert!(values[order[0]] < 0.0);
}

#[test]
fn a_task_without_a_ground_needs_the_held_border() {
    let net = network(32, 2);
    let mut task = task(&net, "regression-2x2");
    task.roles.grounds.clear();
    let error = analyze(&net, &task, &AnalysisOptions::default())
        .unwrap_err()
        .to_string();
    assert!(error.contains("names no ground node"), "{error}");
    assert!(analyze(
        &net,
        &task,
        &AnalysisOptions {
            boundary: Boundary::Held,
            ..Default::default()
        }
    )
    .is_ok());
}
