//! Refactorising only when it pays (issue 29 item 2): a kept factor
//! preconditions conjugate gradients that solve, refined, to the accuracy
//! of a fresh factorisation, for resistors and springs, however far the
//! conductances moved; the bound that decides it (the pencil's eigenvalues
//! between the smallest and largest conductance ratios, at most `p+` above
//! and `p-` below the inliers' range, and conjugate gradients within the
//! predicted steps) against a dense generalised eigenproblem and a dense
//! conjugate gradient; `update` keeps the factor for small moves and
//! refactorises for large ones; a Coupled Learning run that keeps factors
//! counts its factorisations and resumes from a checkpoint exactly.

mod common;

use faer::linalg::solvers::Solve;
use faer::{Mat, Scale};
use imprint::learning::{builtin, StopRule, TrainingParameters};
use imprint::network::Network;
use imprint::physics::{kept_factor_bound, refine, Solver};
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

/// `k` moved as a training update moves it: every edge by a factor `1 +
/// small u`, and a fraction `tail` of them by `1 + large u` instead (`u`
/// uniform in `[-1, 1]`).
fn moved(k: &[f64], small: f64, large: f64, tail: f64, rng: &mut Rng) -> Vec<f64> {
    k.iter()
        .map(|&x| {
            let size = if rng.uniform() < tail { large } else { small };
            x * (1.0 + size * rng.uniform_in(-1.0, 1.0))
        })
        .collect()
}

/// The moves the kept factor is tested on: uniform ones from tiny to
/// large, and heavy-tailed ones (a few edges moving far).
const MOVES: [(f64, f64, f64); 7] = [
    (1e-9, 1e-9, 0.0),
    (1e-6, 1e-6, 0.0),
    (1e-3, 1e-3, 0.0),
    (0.3, 0.3, 0.0),
    (1e-6, 0.9, 0.01),
    (1e-4, 0.5, 0.05),
    (0.9, 0.9, 0.0),
];

#[test]
fn a_kept_factor_solves_to_the_accuracy_of_a_fresh_one() {
    for (seed, decades) in [(1, 1.0), (2, 6.0), (3, 12.0)] {
        let net = spread(400, decades, seed);
        let solver = Solver::new(&net, &[0, 7, 90]).unwrap();
        let k = net.conductance().to_vec();
        let mut rng = Rng::new(seed);
        let drives = Mat::from_fn(solver.dimension(), 4, |_, _| rng.normal());
        for (small, large, tail) in MOVES {
            let mut kept = solver.factorize(&k).unwrap();
            let moved = moved(&k, small, large, tail, &mut rng);
            kept.keep_factor(&moved).unwrap();
            assert_eq!(kept.factored_conductance(), &k[..]);
            assert_eq!(kept.conductance(), &moved[..]);
            let (states, error) = kept.solve_states_with_error(drives.as_ref()).unwrap();
            let case = format!("seed {seed}, {decades} decades, move {small}/{large}/{tail}");
            assert!(error <= refine::CERTIFIED, "{case}: error estimate {error}");
            let fresh = solver.factorize(&moved).unwrap();
            let reference = fresh.solve_states(drives.as_ref()).unwrap();
            for col in 0..4 {
                let a: Vec<f64> = states.col(col).iter().copied().collect();
                let b: Vec<f64> = reference.col(col).iter().copied().collect();
                let gap = common::relative_distance(&a, &b);
                assert!(gap < 1e-11, "{case}: {gap:e}");
            }
            // The certificate of a kept factor's solution bounds the
            // fresh one's error too.
            let conditions = imprint::physics::BoundaryConditions::new()
                .fix(0, 1.0)
                .fix(7, 0.0)
                .fix(90, 0.5);
            let (a, b) = (
                kept.solve(&conditions).unwrap(),
                fresh.solve(&conditions).unwrap(),
            );
            assert!(
                common::relative_distance(&a.voltages, &b.voltages) < 1e-11,
                "{case}"
            );
        }
    }
}

#[test]
fn a_kept_factor_solves_spring_networks_too() {
    let (_, _, solver, k, mut rng) = common::held_springs();
    let drives = Mat::from_fn(solver.dimension(), 3, |_, _| rng.normal());
    for (small, large, tail) in MOVES {
        let mut kept = solver.factorize(&k).unwrap();
        let moved = moved(&k, small, large, tail, &mut rng);
        kept.keep_factor(&moved).unwrap();
        let (states, error) = kept.solve_states_with_error(drives.as_ref()).unwrap();
        assert!(error <= refine::CERTIFIED, "move {small}/{large}: {error}");
        let reference = solver
            .factorize(&moved)
            .unwrap()
            .solve_states(drives.as_ref())
            .unwrap();
        for col in 0..3 {
            let a: Vec<f64> = states.col(col).iter().copied().collect();
            let b: Vec<f64> = reference.col(col).iter().copied().collect();
            let gap = common::relative_distance(&a, &b);
            assert!(gap < 1e-10, "move {small}/{large}/{tail}: {gap:e}");
        }
    }
}

#[test]
fn update_keeps_the_factor_for_small_moves_and_refactorises_for_large_ones() {
    let net = imprint::bench::delaunay_network(20_000).unwrap();
    let solver = Solver::new(&net, &[0, 5, 9]).unwrap();
    let mut rng = Rng::new(7);
    let k: Vec<f64> = (0..net.edge_count())
        .map(|_| rng.uniform_in(0.1, 2.0))
        .collect();
    // With 4 drives here a step of conjugate gradients costs 0.42 of a
    // factorisation by the cost model: keeping pays below 2.4 steps.
    for (small, large, tail, keeps) in [
        (1e-10, 1e-10, 0.0, true),
        (1e-8, 1e-8, 0.0, true),
        (1e-4, 1e-4, 0.0, false),
        (0.5, 0.5, 0.0, false),
        (1e-9, 0.9, 0.01, false),
    ] {
        let mut factor = solver.factorize(&k).unwrap();
        let moved = moved(&k, small, large, tail, &mut rng);
        let factorised = factor.update(&moved, 4).unwrap();
        assert_eq!(!factorised, keeps, "move {small}/{large}/{tail}");
        let expected: &[f64] = if keeps { &k } else { &moved };
        assert_eq!(factor.factored_conductance(), expected);
        assert_eq!(factor.conductance(), &moved[..]);
    }
}

#[test]
fn a_factor_restored_with_its_cycle_decides_as_the_uninterrupted_one() {
    // Conductances drifting a little each step, as late in training: the
    // uninterrupted sequence of decisions against one resumed at every
    // step from the factored conductances and the cycle, and against one
    // resumed without the cycle, which must differ somewhere (else this
    // test could not see a cycle lost).
    let net = spread(400, 2.0, 5);
    let solver = Solver::new(&net, &[0, 7, 90]).unwrap();
    let mut rng = Rng::new(5);
    let mut path = vec![net.conductance().to_vec()];
    for step in 0..60 {
        let size = if step % 20 < 10 { 3e-7 } else { 3e-4 };
        let next = moved(path.last().unwrap(), size, size, 0.0, &mut rng);
        path.push(next);
    }
    let mut factor = solver.factorize(&path[0]).unwrap();
    let mut decisions = Vec::new();
    let mut states = Vec::new();
    for k in &path[1..] {
        states.push((
            factor.factored_conductance().to_vec(),
            factor.factor_cycle(),
        ));
        decisions.push(factor.update(k, 4).unwrap());
    }
    assert!(decisions.iter().any(|&d| d) && decisions.iter().any(|&d| !d));
    let mut lost_somewhere = false;
    for (start, (factored, cycle)) in states.iter().enumerate() {
        for restore_cycle in [true, false] {
            let mut resumed = solver.factorize(factored).unwrap();
            if restore_cycle {
                resumed.set_factor_cycle(*cycle);
            }
            let replay: Vec<bool> = path[start + 1..]
                .iter()
                .map(|k| resumed.update(k, 4).unwrap())
                .collect();
            if restore_cycle {
                assert_eq!(replay, decisions[start..], "resumed at {start}");
            } else {
                lost_somewhere |= replay != decisions[start..];
            }
        }
    }
    assert!(lost_somewhere, "the cycle never changed a decision");
}

/// The pencil `L(k_ref)^-1 L(k)`'s eigenvalues (node 0 held), densely.
fn pencil_eigenvalues(net: &Network, k_ref: &[f64], k: &[f64]) -> Vec<f64> {
    let (l_ref, l_new) = (reduced(net, k_ref), reduced(net, k));
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
    m.self_adjoint_eigenvalues(faer::Side::Lower).unwrap()
}

/// The Laplacian of `net` at `k` without node 0's row and column.
fn reduced(net: &Network, k: &[f64]) -> Mat<f64> {
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
}

#[test]
fn the_conductance_ratios_bound_the_pencils_eigenvalues() {
    // L_FF(k') against L_FF(k): the eigenvalues of L(k)^-1 L(k') lie in
    // [min k'/k, max k'/k] (both are sums of the same edge terms), and at
    // most p+ (p-) of them above (below) the inliers' range of any split.
    for seed in 1..=10u64 {
        let net = spread(40, 4.0, seed);
        let mut rng = Rng::new(seed);
        let k = net.conductance().to_vec();
        // Uniform ratios, and heavy-tailed ones.
        let (small, tail) = if seed % 2 == 0 {
            (0.5, 0.0)
        } else {
            (1e-4, 0.1)
        };
        let moved = moved(&k, small, 0.9, tail, &mut rng);
        let values = pencil_eigenvalues(&net, &k, &moved);
        let bound = kept_factor_bound(&moved, &k, refine::CERTIFIED);
        let [r_min, r_max] = bound.ratio_range;
        let [lo, hi] = bound.inliers;
        let slack = 1e-9;
        for &v in &values {
            assert!(
                v >= r_min * (1.0 - slack) && v <= r_max * (1.0 + slack),
                "seed {seed}: eigenvalue {v} outside [{r_min}, {r_max}]"
            );
        }
        let above = values.iter().filter(|&&v| v > hi * (1.0 + slack)).count();
        let below = values.iter().filter(|&&v| v < lo * (1.0 - slack)).count();
        assert!(
            above <= bound.outliers[0] && below <= bound.outliers[1],
            "seed {seed}: {above} above {hi}, {below} below {lo}; bound {bound:?}"
        );
        if tail > 0.0 {
            assert!(
                bound.outliers[0] + bound.outliers[1] > 0,
                "seed {seed}: the heavy tail was not split off: {bound:?}"
            );
        }
    }
}

#[test]
fn conjugate_gradients_need_no_more_steps_than_the_bound_says() {
    // Textbook preconditioned CG, densely, in the energy norm: the steps
    // to reduce the error by 1e-10 against the bound's prediction.
    let tolerance = 1e-10;
    for seed in 1..=12u64 {
        let net = spread(60, 2.0, seed);
        let mut rng = Rng::new(seed + 50);
        let k = net.conductance().to_vec();
        let (small, large, tail) = match seed % 3 {
            0 => (1e-3, 1e-3, 0.0),
            1 => (1e-5, 0.8, 0.05),
            _ => (0.2, 0.2, 0.0),
        };
        let moved = moved(&k, small, large, tail, &mut rng);
        let bound = kept_factor_bound(&moved, &k, tolerance);
        let (l_ref, l) = (reduced(&net, &k), reduced(&net, &moved));
        let chol = l_ref.llt(faer::Side::Lower).unwrap();
        let n = l.nrows();
        let b = Mat::from_fn(n, 1, |_, _| rng.normal());
        let exact = l.llt(faer::Side::Lower).unwrap().solve(&b);
        let energy = |e: &Mat<f64>| (e.transpose() * &l * e)[(0, 0)].sqrt();
        let initial = energy(&exact);
        let mut x = Mat::<f64>::zeros(n, 1);
        let mut r = b.clone();
        let mut z = chol.solve(&r);
        let mut p = z.clone();
        let mut rz = (r.transpose() * &z)[(0, 0)];
        let mut steps = 0;
        while energy(&(&exact - &x)) > tolerance * initial && steps < 200 {
            let lp = &l * &p;
            let alpha = rz / (p.transpose() * &lp)[(0, 0)];
            x += Scale(alpha) * &p;
            r -= Scale(alpha) * &lp;
            z = chol.solve(&r);
            let next = (r.transpose() * &z)[(0, 0)];
            p = &z + Scale(next / rz) * &p;
            rz = next;
            steps += 1;
        }
        assert!(
            steps as f64 <= bound.steps.ceil(),
            "seed {seed}: {steps} steps against a bound of {:.1} ({bound:?})",
            bound.steps
        );
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
    // The factor's cycle is part of the checkpoint, kept by a resumed run
    // through a checkpoint before its first step and carried on as the
    // uninterrupted run's; one that cannot be a cycle is refused, naming
    // the field.
    let mut first = Executor::new(&net, &task, parameters.clone(), 50)
        .unwrap()
        .stop_after(Some(700));
    first.run(&mut ()).unwrap();
    let mut checkpoint = first.to_checkpoint();
    let resumed =
        Executor::resume(&net, &task, parameters.clone(), 50, checkpoint.clone()).unwrap();
    let again = resumed.to_checkpoint();
    assert_eq!(again.factor_cycle, checkpoint.factor_cycle);
    assert_eq!(again.factored, checkpoint.factored);
    for steps in [1, 7] {
        let mut resumed = Executor::resume(&net, &task, parameters.clone(), 50, checkpoint.clone())
            .unwrap()
            .stop_after(Some(700 + steps));
        resumed.run(&mut ()).unwrap();
        let mut straight = Executor::new(&net, &task, parameters.clone(), 50)
            .unwrap()
            .stop_after(Some(700 + steps));
        straight.run(&mut ()).unwrap();
        assert_eq!(
            resumed.to_checkpoint().factor_cycle,
            straight.to_checkpoint().factor_cycle,
            "{steps} steps after resuming"
        );
    }
    let cycle = checkpoint.factor_cycle.expect("a first-order checkpoint");
    assert!(cycle.iterations >= 1 && cycle.cost > 0.0, "{cycle:?}");
    checkpoint.factor_cycle = Some(imprint::physics::FactorCycle {
        cost: f64::NAN,
        ..cycle
    });
    let error = Executor::resume(&net, &task, parameters, 50, checkpoint)
        .err()
        .expect("refused");
    assert!(
        error.to_string().contains("checkpoint.factor_cycle"),
        "{error}"
    );
}
