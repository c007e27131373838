//! The analysis against independent computations (docs/theory.md sections 2-3):
//! finite differences of the cost, zero-residual identities, the literal
//! tensor contraction, spectral sums, the measurement identity, the sketch's
//! stated error, Gram versus dense stiff modes, Lanczos versus dense modes,
//! and conductance scaling.

mod common;

use common::relative_distance;
use imprint::analysis::cost_hessian::{descending_eigen, CostJacobian, TransferGaussNewton};
use imprint::analysis::measure::simulate_measurement;
use imprint::analysis::spectrum::{
    mode_weights, partial_susceptibility, physical_modes_dense, physical_modes_lanczos,
};
use imprint::analysis::statistics::stiff_mode_count;
use imprint::analysis::susceptibility::{
    susceptibility_exact, susceptibility_sketch, susceptibility_vectors,
};
use imprint::analysis::{analyze, AnalysisOptions, Method};
use imprint::learning::{builtin, cost_gradient, gradient_from, Task, TaskCircuit};
use imprint::network::{lattice, Network};
use imprint::physics::physical_hessian;
use imprint::random::Rng;

fn network(nodes: usize, seed: u64) -> Network {
    common::jammed_with_random_conductance(nodes, seed, seed + 100)
}

fn task(net: &Network, name: &str) -> Task {
    builtin::build(
        name,
        net,
        &builtin::BuiltinOptions {
            samples: 10,
            ..Default::default()
        },
    )
    .unwrap()
}

fn with_conductance(net: &Network, k: Vec<f64>) -> Network {
    let mut n = net.clone();
    n.set_conductance(k).unwrap();
    n
}

fn gradient_at(problem: &TaskCircuit, k: &[f64]) -> Vec<f64> {
    let factor = problem.factorize(k).unwrap();
    let all: Vec<usize> = (0..problem.task().sample_count()).collect();
    cost_gradient(problem, &factor, &all).unwrap()
}

#[test]
fn full_hessian_matches_finite_differences_of_the_cost() {
    let net = network(64, 2);
    for name in ["regression-2x2", "classification-3"] {
        let task = task(&net, name);
        let problem = TaskCircuit::new(&net, &task).unwrap();
        let analysis = analyze(
            &net,
            &task,
            &AnalysisOptions {
                method: Method::Dense,
                ..Default::default()
            },
        )
        .unwrap();
        let full = analysis.cost_hessian_full.as_ref().unwrap();
        let k = net.conductance().to_vec();
        let scale = (0..full.nrows())
            .map(|e| full[(e, e)].abs())
            .fold(0.0, f64::max);
        // Columns from central differences of the (finite-difference-checked) gradient.
        for f in (0..net.edge_count()).step_by(11) {
            let h = 1e-5 * k[f];
            let (mut plus, mut minus) = (k.clone(), k.clone());
            plus[f] += h;
            minus[f] -= h;
            let (gp, gm) = (gradient_at(&problem, &plus), gradient_at(&problem, &minus));
            for e in (0..net.edge_count()).step_by(5) {
                let fd = (gp[e] - gm[e]) / (2.0 * h);
                assert!(
                    (full[(e, f)] - fd).abs() < 1e-6 * scale,
                    "{name} H[{e},{f}] = {:e}, finite difference {fd:e}",
                    full[(e, f)]
                );
            }
        }
        // Entries from second differences of the cost itself.
        let cost = |k: &[f64]| problem.evaluate(k).unwrap().cost;
        for (e, f) in [(3, 3), (3, 17), (20, 41)] {
            let h = 1e-3;
            let shifted = |de: f64, df: f64| {
                let mut x = k.clone();
                x[e] += de;
                x[f] += df;
                cost(&x)
            };
            let fd =
                (shifted(h, h) - shifted(h, -h) - shifted(-h, h) + shifted(-h, -h)) / (4.0 * h * h);
            assert!(
                (full[(e, f)] - fd).abs() < 1e-4 * scale,
                "{name} H[{e},{f}] = {:e}, cost second difference {fd:e}",
                full[(e, f)]
            );
        }
        // The gradient reported is the cost gradient.
        let h = 1e-6 * k[7];
        let (mut plus, mut minus) = (k.clone(), k.clone());
        plus[7] += h;
        minus[7] -= h;
        let fd = (cost(&plus) - cost(&minus)) / (2.0 * h);
        assert!(
            (analysis.gradient[7] - fd).abs()
                < 1e-7 * analysis.gradient.iter().fold(0.0f64, |m, g| m.max(g.abs()))
        );
    }
}

#[test]
fn gauss_newton_equals_the_full_hessian_at_zero_residual() {
    let net = network(64, 3);
    let mut task = task(&net, "regression-2x5");
    // Targets = the network's own outputs: every residual vanishes.
    let problem = TaskCircuit::new(&net, &task).unwrap();
    let factor = problem.factorize(net.conductance()).unwrap();
    let all: Vec<usize> = (0..task.sample_count()).collect();
    task.targets = problem.free_states(&factor, &all).unwrap().outputs;
    let analysis = analyze(
        &net,
        &task,
        &AnalysisOptions {
            method: Method::Dense,
            ..Default::default()
        },
    )
    .unwrap();
    let (g, full) = (
        analysis.cost_hessian.unwrap(),
        analysis.cost_hessian_full.unwrap(),
    );
    let scale = (0..g.nrows()).map(|e| g[(e, e)]).fold(0.0, f64::max);
    let worst = (0..g.nrows())
        .flat_map(|e| (0..g.ncols()).map(move |f| (e, f)))
        .map(|(e, f)| (g[(e, f)] - full[(e, f)]).abs())
        .fold(0.0, f64::max);
    assert!(worst < 1e-12 * scale, "{worst:e}");
    assert!(analysis.cost < 1e-28);
}

#[test]
fn the_tensor_identity_holds_on_a_small_network() {
    let mut net = lattice::square(5, 5, false).unwrap();
    let mut rng = Rng::new(4);
    net.set_conductance(
        (0..net.edge_count())
            .map(|_| rng.uniform_in(0.5, 2.0))
            .collect(),
    )
    .unwrap();
    for name in ["regression-2x2", "allostery"] {
        let task = builtin::build(
            name,
            &net,
            &builtin::BuiltinOptions {
                samples: 6,
                target_edges: 2,
                ..Default::default()
            },
        )
        .unwrap();
        let analysis = analyze(
            &net,
            &task,
            &AnalysisOptions {
                method: Method::Dense,
                check_tensors: true,
                ..Default::default()
            },
        )
        .unwrap();
        let error = analysis
            .tensor_identity_error
            .expect("small enough for the tensors");
        eprintln!("tensor identity, {name}: largest relative difference {error:e}");
        assert!(error < 1e-12, "{name}: {error:e}");
    }
}

#[test]
fn spectral_sums_measurement_and_scaling() {
    let net = network(64, 5);
    let task = task(&net, "regression-2x2");
    let problem = TaskCircuit::new(&net, &task).unwrap();
    let factor = problem.factorize(net.conductance()).unwrap();
    let s = susceptibility_vectors(&factor, &imprint::physics::Incidence::of(&net)).unwrap();
    let chi: Vec<f64> = (0..net.edge_count())
        .map(|e| s.col(e).iter().map(|x| x * x).sum::<f64>().sqrt())
        .collect();
    // |s_e|^2 = sum_n (phi_n . bb_e)^2 / lambda_n^2 (eq. 20), edge by edge.
    let h = physical_hessian(&net, &task.fixed_nodes)
        .unwrap()
        .to_dense();
    let modes = physical_modes_dense(&h);
    let spectral = imprint::analysis::spectrum::partial_susceptibility_per_edge(
        &modes,
        &imprint::physics::Incidence::of(&net),
        modes.eigenvalues.len(),
    );
    let direct: Vec<f64> = chi.iter().map(|c| c * c).collect();
    assert!(relative_distance(&spectral, &direct) < 1e-10);
    let curve = partial_susceptibility(
        &mode_weights(&modes, &imprint::physics::Incidence::of(&net)),
        direct.iter().sum(),
    );
    assert!((curve.last().unwrap() - 1.0).abs() < 1e-10);
    assert!(curve.windows(2).all(|w| w[1] >= w[0] - 1e-15));
    // Exact blocked norms agree with the dense vectors.
    assert!(
        relative_distance(
            &susceptibility_exact(&factor, &imprint::physics::Incidence::of(&net)).unwrap(),
            &chi
        ) < 1e-13
    );

    // Measurement identity (eq. 17): a unit current at node a drops s_e[a] across e.
    let measured = simulate_measurement(&factor, net.edges(), 0.0, 1).unwrap();
    for a in (0..s.nrows()).step_by(7) {
        for e in 0..net.edge_count() {
            assert!(
                (measured.drops[a][e] - s[(a, e)]).abs() < 1e-13 * chi[e],
                "a {a}, e {e}"
            );
        }
    }
    assert!(relative_distance(&measured.susceptibility(), &chi) < 1e-13);

    // Scaling: conductances times c divide the voltage part of s_e by c and G by c^2.
    let c = 3.5;
    let scaled = with_conductance(&net, net.conductance().iter().map(|k| c * k).collect());
    let scaled_factor = problem.factorize(scaled.conductance()).unwrap();
    let s_scaled =
        susceptibility_vectors(&scaled_factor, &imprint::physics::Incidence::of(&net)).unwrap();
    for e in (0..net.edge_count()).step_by(9) {
        for a in 0..net.node_count() {
            assert!((s_scaled[(a, e)] * c - s[(a, e)]).abs() < 1e-12 * chi[e]);
        }
    }
    let g = CostJacobian::new(&problem, &factor).unwrap().gauss_newton();
    let g_scaled = CostJacobian::new(&problem, &scaled_factor)
        .unwrap()
        .gauss_newton();
    let scale = (0..g.nrows()).map(|e| g[(e, e)]).fold(0.0, f64::max);
    for e in 0..g.nrows() {
        for f in 0..g.ncols() {
            assert!((g_scaled[(e, f)] * c * c - g[(e, f)]).abs() < 1e-12 * scale);
        }
    }
}

#[test]
fn scalable_pieces_agree_with_dense_ones() {
    let net = network(256, 6);
    let task = task(&net, "regression-2x5");
    let problem = TaskCircuit::new(&net, &task).unwrap();
    let factor = problem.factorize(net.conductance()).unwrap();
    let exact = susceptibility_exact(&factor, &imprint::physics::Incidence::of(&net)).unwrap();

    // Sketch: relative errors have the stated spread 1/sqrt(2k).
    let sketch =
        susceptibility_sketch(&factor, &imprint::physics::Incidence::of(&net), 200, 9).unwrap();
    assert!((sketch.relative_error - 0.05).abs() < 1e-12);
    let errors: Vec<f64> = sketch
        .chi
        .iter()
        .zip(&exact)
        .map(|(s, e)| (s - e) / e)
        .collect();
    let rms = (errors.iter().map(|x| x * x).sum::<f64>() / errors.len() as f64).sqrt();
    eprintln!(
        "sketch with k = 200: rms relative error {rms:.4} (stated {:.4})",
        sketch.relative_error
    );
    assert!(
        (0.7 * sketch.relative_error..1.3 * sketch.relative_error).contains(&rms),
        "rms relative error {rms}"
    );
    let within = errors
        .iter()
        .filter(|x| x.abs() < 2.0 * sketch.relative_error)
        .count() as f64
        / errors.len() as f64;
    assert!(within > 0.9, "{within}");

    // Gram stiff modes = dense stiff modes.
    let jacobian = CostJacobian::new(&problem, &factor).unwrap();
    let (dense_values, dense_vectors) = descending_eigen(&jacobian.gauss_newton());
    let (gram_values, gram_vectors) = jacobian.stiff_modes_gram(Some(6));
    for c in 0..6 {
        assert!(
            (gram_values[c] - dense_values[c]).abs() < 1e-10 * dense_values[0],
            "mode {c}"
        );
        let overlap: f64 = (0..net.edge_count())
            .map(|e| gram_vectors[(e, c)] * dense_vectors[(e, c)])
            .sum();
        assert!(
            (overlap.abs() - 1.0).abs() < 1e-8,
            "mode {c}: overlap {overlap}"
        );
    }

    // Lanczos soft modes = dense soft modes.
    let sparse = physical_hessian(&net, &task.fixed_nodes).unwrap();
    let dense = physical_modes_dense(&sparse.to_dense());
    let apply = |v: &[f64]| {
        let d = sparse.to_dense();
        (0..v.len())
            .map(|r| (0..v.len()).map(|c| d[(r, c)] * v[c]).sum())
            .collect::<Vec<f64>>()
    };
    let lanczos = physical_modes_lanczos(&factor, apply, 20, 80, 3).unwrap();
    for c in 0..20 {
        let (a, b) = (lanczos.eigenvalues[c], dense.eigenvalues[c]);
        assert!((a - b).abs() < 1e-8 * b.abs(), "mode {c}: {a} vs {b}");
    }
    assert!(lanczos.residual < 1e-6, "{}", lanczos.residual);

    // The scalable analysis end to end, exact chi: same chi, stiff count and soft curve.
    let dense_analysis = analyze(
        &net,
        &task,
        &AnalysisOptions {
            method: Method::Dense,
            ..Default::default()
        },
    )
    .unwrap();
    let scalable = analyze(
        &net,
        &task,
        &AnalysisOptions {
            method: Method::Scalable,
            exact_susceptibility: true,
            soft_modes: 20,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(relative_distance(&scalable.susceptibility, &dense_analysis.susceptibility) < 1e-12);
    assert_eq!(scalable.stiff_mode_count, dense_analysis.stiff_mode_count);
    assert!(relative_distance(&scalable.stiff_weight, &dense_analysis.stiff_weight) < 1e-6);
    for m in 0..20 {
        assert!(
            (scalable.partial_susceptibility[m] - dense_analysis.partial_susceptibility[m]).abs()
                < 1e-8
        );
    }
}

#[test]
fn the_transfer_gauss_newton_equals_the_per_sample_one() {
    // Every built-in task (MSE on nodes and on edges, the cosine cost whose
    // curvature is clipped to its positive part), several networks and
    // samples: the p x p Gram matrix of the transfer matrix's Jacobian has
    // the per-sample M n_out Gram matrix's nonzero spectrum, stiff modes,
    // stiff count, and the same cost and gradient.
    let mut compared = 0;
    for (seed, name, samples) in [
        (1, "regression-2x2", 10),
        (2, "regression-2x5", 40),
        (3, "classification-3", 0),
        (4, "allostery", 0),
        (5, "regression-2x5", 7),
    ] {
        let net = network(128 + 32 * seed as usize, seed);
        let options = builtin::BuiltinOptions {
            samples: if samples > 0 {
                samples
            } else {
                builtin::BuiltinOptions::default().samples
            },
            ..Default::default()
        };
        let task = builtin::build(name, &net, &options).unwrap();
        let problem = TaskCircuit::new(&net, &task).unwrap();
        let factor = problem.factorize(net.conductance()).unwrap();
        let per_sample = CostJacobian::new(&problem, &factor).unwrap();
        let (values, vectors) = per_sample.stiff_modes_gram(None);
        let transfer = TransferGaussNewton::new(&problem, &factor, None).unwrap();
        let p = transfer.size;
        assert!(
            p < per_sample.rows.nrows() || name == "allostery",
            "{name}: p = {p}"
        );
        // The stiff count: the per-sample Gram matrix's, and for the MSE
        // tasks (whose output Hessians are positive) the dense G's, whose
        // E - p zero eigenvalues the transfer path counts at the floor. The
        // per-sample Gram matrix has no null space when M n_out <= p, as
        // for allostery's single sample: there its count was 2 where G's
        // is 3.
        if task.cost == imprint::learning::Cost::Mse {
            let dense = stiff_mode_count(&descending_eigen(&per_sample.gauss_newton()).0);
            assert_eq!(transfer.stiff.ncols(), dense, "{name}: stiff count");
        }
        if name != "allostery" {
            assert_eq!(
                transfer.stiff.ncols(),
                vectors.ncols(),
                "{name}: stiff count"
            );
        }
        let largest = values[0];
        for (c, &v) in transfer.values.iter().enumerate() {
            assert!(
                (v - values[c]).abs() <= 1e-10 * largest,
                "{name}: eigenvalue {c}: {v} vs {}",
                values[c]
            );
        }
        // Beyond p the per-sample spectrum is numerically zero.
        assert!(
            values[p..].iter().all(|v| v.abs() <= 1e-12 * largest),
            "{name}"
        );
        for c in 0..transfer.stiff.ncols().min(vectors.ncols()) {
            // Modes of a (numerically) repeated eigenvalue may rotate.
            let separated = (c == 0 || values[c - 1] - values[c] > 1e-6 * largest)
                && (c + 1 >= values.len() || values[c] - values[c + 1] > 1e-6 * largest);
            if !separated {
                continue;
            }
            let overlap: f64 = (0..net.edge_count())
                .map(|e| transfer.stiff[(e, c)] * vectors[(e, c)])
                .sum();
            assert!(
                (overlap.abs() - 1.0).abs() < 1e-8,
                "{name}: mode {c}: {overlap}"
            );
            compared += 1;
        }
        let gradient = gradient_from(&problem, &per_sample.batch);
        assert!(
            relative_distance(&transfer.gradient, &gradient) < 1e-10,
            "{name}: gradient"
        );
        let cost = problem
            .score(&per_sample.batch.free.outputs, &task.targets)
            .0;
        assert!(
            (transfer.cost - cost).abs() <= 1e-12 * cost,
            "{name}: {} vs {cost}",
            transfer.cost
        );
    }
    assert!(compared >= 10, "{compared} modes compared");
}
