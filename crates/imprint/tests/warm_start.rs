//! Late in training an iteration costs about two block solves (issue 29
//! item 2): with the conductances within `1e-6` of the factored ones, a
//! kept factor's solve starts from the states of the factored conductances
//! (unit states per driven row, refined once per factor) and certifies in
//! two corrections, where a first solve and two corrections were taken
//! before; for resistors the first correction's residual is the
//! conductance changes' currents in `f64`, so one double-double residual
//! is left. The results equal a fresh factorisation's to the certified
//! tolerance, for resistors and springs, and a factor recomputed where a run
//! was interrupted (so without the unit states) gives the same bits.

mod common;

use faer::Mat;
use imprint::physics::{refine, Solver, WARM_START_ROWS};
use imprint::random::Rng;

/// Drives as a training iteration's: `samples` columns holding the fixed
/// nodes (or held components) at random values, and one column per output
/// pair of unit currents (forces) in and out, an adjoint drive.
fn training_drives(
    solver: &Solver,
    rows: usize,
    held: usize,
    samples: usize,
    outputs: &[[usize; 2]],
    rng: &mut Rng,
) -> Mat<f64> {
    let mut drives = Mat::zeros(solver.dimension(), samples + outputs.len());
    for s in 0..samples {
        for c in 0..held {
            drives[(rows + c, s)] = rng.uniform_in(-1.0, 1.0);
        }
    }
    for (o, &[plus, minus]) in outputs.iter().enumerate() {
        drives[(plus, samples + o)] = 1.0;
        drives[(minus, samples + o)] = -1.0;
    }
    drives
}

/// Keeps the factor of `k` over conductances drifting by `1e-8` per step,
/// solving `drives` at each: the solve pairs and double-double residuals
/// of every step (the first one's unit states included in its solve
/// pairs), after checking each step's states against a fresh
/// factorisation's to `tolerance`; and the last step's states.
fn drift(
    solver: &Solver,
    k: &[f64],
    drives: &Mat<f64>,
    tolerance: f64,
    rng: &mut Rng,
) -> (Vec<[usize; 2]>, Vec<f64>, Mat<f64>) {
    let mut factor = solver.factorize(k).unwrap();
    let mut current = k.to_vec();
    let mut pairs = Vec::new();
    let mut last = None;
    for _ in 0..4 {
        current = current
            .iter()
            .map(|&x| x * (1.0 + 1e-8 * rng.uniform_in(-1.0, 1.0)))
            .collect();
        factor.keep_factor(&current).unwrap();
        let before = [factor.solve_pairs(), factor.refinement_residuals()];
        let (states, error) = factor.solve_states_with_error(drives.as_ref()).unwrap();
        pairs.push([
            factor.solve_pairs() - before[0],
            factor.refinement_residuals() - before[1],
        ]);
        assert!(error <= refine::CERTIFIED, "error estimate {error:e}");
        let reference = solver
            .factorize(&current)
            .unwrap()
            .solve_states(drives.as_ref())
            .unwrap();
        for col in 0..drives.ncols() {
            let a: Vec<f64> = states.col(col).iter().copied().collect();
            let b: Vec<f64> = reference.col(col).iter().copied().collect();
            let gap = common::relative_distance(&a, &b);
            assert!(gap < tolerance, "column {col}: {gap:e}");
        }
        last = Some(states);
    }
    (pairs, current, last.unwrap())
}

/// The solve pairs and residuals of a fresh factor's refined solve of
/// `drives` at `k`.
fn fresh_work(solver: &Solver, k: &[f64], drives: &Mat<f64>) -> [usize; 2] {
    let factor = solver.factorize(k).unwrap();
    factor.solve_states(drives.as_ref()).unwrap();
    [factor.solve_pairs(), factor.refinement_residuals()]
}

fn check_resumed_bits(
    solver: &Solver,
    k: &[f64],
    last_k: &[f64],
    drives: &Mat<f64>,
    last: &Mat<f64>,
) {
    // Recomputed where the run was interrupted: no unit states yet.
    let mut resumed = solver.factorize(k).unwrap();
    resumed.keep_factor(last_k).unwrap();
    let states = resumed.solve_states(drives.as_ref()).unwrap();
    assert!(states == *last, "a resumed factor gave other bits");
}

#[test]
fn late_in_training_a_kept_factor_solves_in_two_block_solves() {
    for (seed, decades) in [(1u64, 1.0), (2, 6.0)] {
        let mut net = common::jammed_with_random_conductance(400, seed, seed);
        let mut rng = Rng::new(seed + 10);
        let k: Vec<f64> = (0..net.edge_count())
            .map(|_| 10f64.powf(rng.uniform_in(-decades / 2.0, decades / 2.0)))
            .collect();
        net.set_conductance(k.clone()).unwrap();
        let fixed = [0, 7, 90];
        let solver = Solver::new(&net, &fixed).unwrap();
        let rows = net.node_count();
        let outputs = [[30, 31], [150, 200]];
        for samples in [1, 3] {
            let drives = training_drives(&solver, rows, fixed.len(), samples, &outputs, &mut rng);
            let (pairs, last_k, last) = drift(&solver, &k, &drives, 1e-11, &mut rng);
            // The first step also solves the unit states, refined: two
            // solves or more per driven row (the held values of 3 nodes
            // and 4 output nodes).
            let case = format!("seed {seed}, {decades} decades, {samples} samples");
            assert!(
                pairs[0][0] >= 2 * 7 + 2 && pairs[0][1] == 1,
                "{case}: {pairs:?}"
            );
            assert_eq!(pairs[1..], [[2, 1]; 3], "{case}");
            // A fresh factor solves once and corrects once or twice.
            let [solves, residuals] = fresh_work(&solver, &last_k, &drives);
            assert!(
                (2..=3).contains(&solves) && residuals == solves - 1,
                "{case}"
            );
            check_resumed_bits(&solver, &k, &last_k, &drives, &last);
        }
    }
}

#[test]
fn springs_warm_start_too() {
    let (net, held, solver, k, mut rng) = common::held_springs();
    let dofs = 2 * net.node_count();
    let drives = training_drives(&solver, dofs, held.len(), 2, &[[60, 61]], &mut rng);
    let (pairs, last_k, last) = drift(&solver, &k, &drives, 1e-10, &mut rng);
    // Five held components and two output components, refined; springs
    // take the double-double residual before the first correction too.
    assert!(pairs[0][0] >= 2 * 7 + 2, "{pairs:?}");
    assert_eq!(pairs[1..], [[2, 2]; 3]);
    check_resumed_bits(&solver, &k, &last_k, &drives, &last);
}

#[test]
fn drives_of_many_rows_solve_first_as_before() {
    let net = common::jammed_with_random_conductance(400, 3, 3);
    let solver = Solver::new(&net, &[0, 7, 90]).unwrap();
    let k = net.conductance().to_vec();
    let mut rng = Rng::new(3);
    let drives = Mat::from_fn(solver.dimension(), 2, |_, _| rng.normal());
    assert!(solver.dimension() > WARM_START_ROWS);
    let (pairs, _, _) = drift(&solver, &k, &drives, 1e-11, &mut rng);
    // A first solve and two corrections, at every step.
    assert_eq!(pairs, [[3, 2]; 4]);
}

#[test]
fn a_run_that_warm_starts_resumes_exactly() {
    use imprint::learning::{builtin, LearningRate, TrainingParameters};
    use imprint::run::{Checkpoint, Executor, TrainingSummary};
    // A rate so small that every update stays far inside the stationary
    // deviation: after the first factorisation every iteration keeps the
    // factor and starts from its unit states.
    let net = common::jammed_with_random_conductance(256, 5, 5);
    let task = builtin::build("regression-2x2", &net, &Default::default()).unwrap();
    let defaults = TrainingParameters::default();
    let parameters = TrainingParameters {
        iterations: 120,
        rule: defaults
            .rule
            .with_learning_rate(LearningRate::Constant(1e-8))
            .unwrap(),
        ..defaults
    };
    let mut whole = Executor::new(&net, &task, parameters.clone(), 10).unwrap();
    whole.run(&mut ()).unwrap();
    let summary = TrainingSummary::of(&whole, &task, 1).unwrap();
    assert_eq!(summary.refactorizations, Some(1), "{summary:?}");
    let factored = whole.training().factored_conductance().unwrap().to_vec();
    let deviation = whole
        .training()
        .conductance()
        .iter()
        .zip(&factored)
        .map(|(k, r)| (k / r - 1.0).abs())
        .fold(0.0f64, f64::max);
    assert!(
        deviation > 0.0 && deviation < 1e-6,
        "deviation {deviation:e}"
    );
    for stop in [1, 37, 90] {
        let mut first = Executor::new(&net, &task, parameters.clone(), 10)
            .unwrap()
            .stop_after(Some(stop));
        first.run(&mut ()).unwrap();
        let text = serde_json::to_string(&first.to_checkpoint()).unwrap();
        let checkpoint: Checkpoint = serde_json::from_str(&text).unwrap();
        let mut resumed =
            Executor::resume(&net, &task, parameters.clone(), 10, checkpoint).unwrap();
        resumed.run(&mut ()).unwrap();
        assert_eq!(resumed.history(), whole.history(), "stop {stop}");
        assert_eq!(
            resumed.training().conductance(),
            whole.training().conductance(),
            "stop {stop}"
        );
    }
}
