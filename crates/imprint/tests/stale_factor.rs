//! Refactorising only when it pays (issue 29 item 2): a factor kept for
//! conductances within `STALE_FACTOR_RHO` of the factored ones solves, by
//! refinement, to the accuracy of a fresh factorisation; the bound behind
//! it (the pencil's eigenvalues lie between the smallest and largest
//! conductance ratios) against a dense generalised eigenproblem; a
//! Coupled Learning run that keeps factors counts its factorisations and
//! resumes from a checkpoint exactly.

mod common;

use faer::Mat;
use imprint::learning::{builtin, StopRule, TrainingParameters};
use imprint::network::Network;
use imprint::physics::{refine, Solver, STALE_FACTOR_RHO};
use imprint::random::Rng;
use imprint::run::{Checkpoint, Executor, TrainingSummary};

/// Conductances log-uniform over `decades` decades on a jammed network.
fn spread(nodes: usize, decades: f64, seed: u64) -> Network {
    let mut net = common::jammed_with_random_conductance(nodes, seed, seed);
    let mut rng = Rng::new(seed + 100);
    let k = (0..net.edge_count())
        .map(|_| 10f64.powf(rng.uniform_in(-decades / 2.0, decades / 2.0)))
        .collect();
    net.set_conductance(k).unwrap();
    net
}

#[test]
fn a_kept_factor_solves_to_the_accuracy_of_a_fresh_one() {
    for (seed, decades) in [(1, 1.0), (2, 6.0), (3, 12.0)] {
        let net = spread(400, decades, seed);
        let solver = Solver::new(&net, &[0, 7, 90]).unwrap();
        let k = net.conductance().to_vec();
        let mut rng = Rng::new(seed);
        let drives = Mat::from_fn(solver.dimension(), 4, |_, _| rng.normal());
        for rho in [
            1e-9,
            0.1 * STALE_FACTOR_RHO,
            0.99 * STALE_FACTOR_RHO,
            2.0 * STALE_FACTOR_RHO,
            1e-3,
        ] {
            let mut kept = solver.factorize(&k).unwrap();
            let moved: Vec<f64> = k
                .iter()
                .map(|&x| x * (1.0 + rho * rng.uniform_in(-1.0, 1.0)))
                .collect();
            let factorised = kept.update(&moved).unwrap();
            assert_eq!(factorised, rho > STALE_FACTOR_RHO, "rho {rho}");
            let expected_factored = if factorised { &moved } else { &k };
            assert_eq!(kept.factored_conductance(), &expected_factored[..]);
            assert_eq!(kept.conductance(), &moved[..]);
            let (states, error) = kept.solve_states_with_error(drives.as_ref()).unwrap();
            assert!(
                error <= refine::CERTIFIED,
                "rho {rho}: error estimate {error}"
            );
            let fresh = solver.factorize(&moved).unwrap();
            let reference = fresh.solve_states(drives.as_ref()).unwrap();
            for col in 0..4 {
                let a: Vec<f64> = states.col(col).iter().copied().collect();
                let b: Vec<f64> = reference.col(col).iter().copied().collect();
                let gap = common::relative_distance(&a, &b);
                assert!(
                    gap < 1e-11,
                    "seed {seed}, {decades} decades, rho {rho}: {gap:e}"
                );
            }
        }
    }
}

#[test]
fn the_conductance_ratios_bound_the_pencils_eigenvalues() {
    // L_FF(k') against L_FF(k): the eigenvalues of L(k)^-1 L(k') lie in
    // [min k'/k, max k'/k] (both are sums of the same edge terms), which
    // is what makes the kept factor's refinement contract by rho.
    for seed in 1..=10u64 {
        let net = spread(40, 4.0, seed);
        let mut rng = Rng::new(seed);
        let k = net.conductance().to_vec();
        let ratios: Vec<f64> = k.iter().map(|_| rng.uniform_in(0.5, 1.5)).collect();
        let moved: Vec<f64> = k.iter().zip(&ratios).map(|(a, r)| a * r).collect();
        let reduced = |k: &[f64]| -> Mat<f64> {
            // Node 0 held: the Laplacian without its row and column.
            let n = net.node_count() - 1;
            let mut l = Mat::zeros(n, n);
            for (&[i, j], &c) in net.edges().iter().zip(k) {
                for (a, b, v) in [(i, i, c), (j, j, c), (i, j, -c), (j, i, -c)] {
                    if a > 0 && b > 0 {
                        l[(a - 1, b - 1)] += v;
                    }
                }
            }
            l
        };
        let (l_ref, l_new) = (reduced(&k), reduced(&moved));
        let chol = l_ref.llt(faer::Side::Lower).unwrap();
        let lower = chol.L();
        // C^-1 L' C^-T, symmetric: its eigenvalues are the pencil's.
        let mut m = l_new.clone();
        faer::linalg::triangular_solve::solve_lower_triangular_in_place(
            lower,
            m.as_mut(),
            faer::Par::Seq,
        );
        let mut m = m.transpose().to_owned();
        faer::linalg::triangular_solve::solve_lower_triangular_in_place(
            lower,
            m.as_mut(),
            faer::Par::Seq,
        );
        let values = m.self_adjoint_eigenvalues(faer::Side::Lower).unwrap();
        let (r_min, r_max) = ratios
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(a, b), &r| (a.min(r), b.max(r)));
        for v in values {
            assert!(
                v >= r_min * (1.0 - 1e-9) && v <= r_max * (1.0 + 1e-9),
                "seed {seed}: eigenvalue {v} outside [{r_min}, {r_max}]"
            );
        }
    }
}

#[test]
fn coupled_learning_keeps_factors_counts_them_and_resumes_exactly() {
    let net = common::jammed_with_random_conductance(128, 3, 3);
    let task = builtin::build("allostery", &net, &Default::default()).unwrap();
    let parameters = TrainingParameters {
        iterations: 1500,
        stop: StopRule {
            relative_cost: 1e-30,
            patience: 500,
        },
        ..TrainingParameters::default()
    };
    let mut whole = Executor::new(&net, &task, parameters.clone(), 50).unwrap();
    whole.run(&mut ()).unwrap();
    let summary = TrainingSummary::of(&whole, &task, 1).unwrap();
    let refactorized = summary.refactorizations.expect("a first-order run");
    assert!(
        refactorized < summary.iterations / 2,
        "{refactorized} of {} iterations factorised",
        summary.iterations
    );
    // Interrupted where the kept factor is older than the conductances.
    let mut stale_stops = 0;
    for stop in [400, 700, 1000, 1300] {
        let mut first = Executor::new(&net, &task, parameters.clone(), 50)
            .unwrap()
            .stop_after(Some(stop));
        first.run(&mut ()).unwrap();
        let text = serde_json::to_string(&first.to_checkpoint()).unwrap();
        let checkpoint: Checkpoint = serde_json::from_str(&text).unwrap();
        let factored = checkpoint.factored.clone().expect("first-order checkpoint");
        stale_stops += usize::from(factored != checkpoint.conductance);
        let mut resumed =
            Executor::resume(&net, &task, parameters.clone(), 50, checkpoint).unwrap();
        resumed.run(&mut ()).unwrap();
        assert_eq!(resumed.history(), whole.history(), "stop {stop}");
        assert_eq!(
            resumed.training().conductance(),
            whole.training().conductance()
        );
        assert_eq!(
            TrainingSummary::of(&resumed, &task, 1)
                .unwrap()
                .refactorizations,
            Some(refactorized)
        );
    }
    assert!(stale_stops > 0, "no interruption fell on a kept factor");
}
