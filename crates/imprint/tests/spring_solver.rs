//! The sparse solver on 2D spring networks (docs/theory.md section 9,
//! issue 28 item 1): one symbolic and numeric Cholesky path for resistors
//! and springs, tested against the dense reference
//! (`imprint::physics::spring::solve_dense`) on random rigid networks,
//! the forces of the holds against `f - K u`, refinement at a wide spread
//! of stiffnesses, and floppy held sets refused (located when small, at
//! the factorisation when large).

mod common;

use faer::Mat;
use imprint::network::Physics;
use imprint::physics::spring::{solve_dense, stiffness_dense};
use imprint::physics::{PhysicsError, Solver};
use imprint::random::Rng;

use common::delaunay_springs;

/// Drives over `2N + |C|` rows: forces, then the held values.
fn drives(forces: &[Vec<f64>], values: &[Vec<f64>]) -> Mat<f64> {
    let rows = forces[0].len() + values[0].len();
    Mat::from_fn(rows, forces.len(), |r, c| {
        if r < forces[c].len() {
            forces[c][r]
        } else {
            values[c][r - forces[c].len()]
        }
    })
}

#[test]
fn sparse_spring_responses_equal_the_dense_reference() {
    let mut worst = 0.0f64;
    for seed in 1..=20u64 {
        let mut rng = Rng::new(seed);
        let network = delaunay_springs(30 + 5 * seed as usize, seed);
        let n = network.node_count();
        let k: Vec<f64> = (0..network.edge_count())
            .map(|_| 10f64.powf(rng.uniform_in(-1.0, 1.0)))
            .collect();
        // Pin the rigid-body motions (node 0 both, one far node's y) and
        // hold a few more components at random values.
        let mut held = vec![0, 1, 2 * (n - 1) + 1];
        for _ in 0..3 {
            let d = rng.below(2 * n);
            if !held.contains(&d) {
                held.push(d);
            }
        }
        let solver = Solver::for_dofs(&network, &held).unwrap();
        assert_eq!(solver.dofs(), 2 * n);
        let factor = solver.factorize(&k).unwrap();
        let cases: Vec<(Vec<f64>, Vec<f64>)> = (0..3)
            .map(|_| {
                let forces = (0..2 * n).map(|_| rng.normal()).collect();
                let values = held.iter().map(|_| 0.1 * rng.normal()).collect();
                (forces, values)
            })
            .collect();
        let forces: Vec<Vec<f64>> = cases.iter().map(|c| c.0.clone()).collect();
        let values: Vec<Vec<f64>> = cases.iter().map(|c| c.1.clone()).collect();
        let (states, error) = factor
            .solve_states_with_error(drives(&forces, &values).as_ref())
            .unwrap();
        assert!(error <= 1e-12, "seed {seed}: error estimate {error}");
        let stiffness = stiffness_dense(&network, &k);
        for (col, (f, v)) in cases.iter().enumerate() {
            let dense = solve_dense(&network, &k, &held, v, f).unwrap();
            let scale = dense
                .displacements
                .iter()
                .fold(0.0f64, |m, u| m.max(u.abs()));
            for d in 0..2 * n {
                let gap = (states[(d, col)] - dense.displacements[d]).abs() / scale;
                worst = worst.max(gap);
                assert!(gap < 1e-11, "seed {seed}, dof {d}: {gap:e}");
            }
            // The holds' forces: mu_c = f_c - (K u)_c.
            for (c, &d) in held.iter().enumerate() {
                let ku: f64 = (0..2 * n)
                    .map(|b| stiffness[(d, b)] * dense.displacements[b])
                    .sum();
                let mu = f[d] - ku;
                let force_scale = f.iter().fold(1.0f64, |m, x| m.max(x.abs()));
                let gap = (states[(2 * n + c, col)] - mu).abs() / force_scale;
                assert!(gap < 1e-10, "seed {seed}, hold {c}: {gap:e}");
            }
            // Extensions from the stencils equal the dense ones.
            for e in 0..network.edge_count() {
                let u: Vec<f64> = (0..2 * n).map(|d| states[(d, col)]).collect();
                let extension = network.edge_stencil(e).drop(&u);
                assert!((extension - dense.extensions[e]).abs() < 1e-10 * scale.max(1.0));
            }
        }
    }
    println!("largest relative displacement gap over 20 networks: {worst:e}");
}

#[test]
fn refinement_certifies_springs_spanning_twelve_decades() {
    let network = delaunay_springs(200, 7);
    let n = network.node_count();
    let mut rng = Rng::new(7);
    let k: Vec<f64> = (0..network.edge_count())
        .map(|_| 10f64.powf(rng.uniform_in(-6.0, 6.0)))
        .collect();
    let held = vec![0, 1, 2 * (n - 1) + 1];
    let factor = Solver::for_dofs(&network, &held)
        .unwrap()
        .factorize(&k)
        .unwrap();
    let forces = vec![(0..2 * n).map(|_| rng.normal()).collect::<Vec<f64>>()];
    let values = vec![vec![0.0; 3]];
    let (states, error) = factor
        .solve_states_with_error(drives(&forces, &values).as_ref())
        .unwrap();
    assert!(error <= 1e-12, "error estimate {error}");
    // Force balance at every free component, in the componentwise
    // (Oettli-Prager) sense: the net force is tiny against the sum of the
    // magnitudes of the forces that meet there, so the displacements solve
    // a problem whose every term is perturbed by at most that share.
    let u: Vec<f64> = (0..2 * n).map(|d| states[(d, 0)]).collect();
    let mut net_force = forces[0].clone();
    let mut magnitude: Vec<f64> = forces[0].iter().map(|f| f.abs()).collect();
    for (e, &k_e) in k.iter().enumerate() {
        let stencil = network.edge_stencil(e);
        let tension = k_e * stencil.drop(&u);
        let size: f64 = k_e
            * stencil
                .entries()
                .iter()
                .map(|&(d, q)| (q * u[d]).abs())
                .sum::<f64>();
        for &(d, q) in stencil.entries() {
            net_force[d] -= q * tension;
            magnitude[d] += q.abs() * size;
        }
    }
    let worst = (0..2 * n)
        .filter(|d| !held.contains(d))
        .map(|d| net_force[d].abs() / magnitude[d])
        .fold(0.0f64, f64::max);
    assert!(worst <= 1e-12, "componentwise backward error {worst:e}");
}

#[test]
fn floppy_held_sets_are_refused() {
    // Small: with only node 0 held, a Delaunay network still rotates about it.
    let network = delaunay_springs(40, 2);
    match Solver::for_dofs(&network, &[0, 1]).unwrap_err() {
        PhysicsError::Floppy { zero_modes, nodes } => {
            assert_eq!(zero_modes, 1);
            assert_eq!(nodes.len(), network.node_count() - 1);
        }
        other => panic!("{other:?}"),
    }
    let error = Solver::for_dofs(&network, &[0, 0]).unwrap_err();
    assert!(error.to_string().contains("held twice"), "{error}");
    let error = Solver::for_dofs(&network, &[80]).unwrap_err();
    assert!(error.to_string().contains("80 does not exist"), "{error}");
    // Large: a 30 x 30 square lattice (floppy rows and columns), its rigid
    // motions pinned. Its pivots along the floppy motions are roundoff,
    // not zero (a solve moved it by 1e16 with an error estimate of 0.5):
    // the rigidity probe after the factorisation refuses it.
    let lattice = imprint::network::lattice::square(30, 30, false)
        .unwrap()
        .with_physics(Physics::Spring2d)
        .unwrap();
    let solver = Solver::for_dofs(&lattice, &[0, 1, 2 * 29 + 1]).unwrap();
    let error = solver.factorize(lattice.conductance()).err();
    assert!(
        matches!(error, Some(PhysicsError::SingularStiffness)),
        "{}",
        error.map_or("factorised".into(), |e| e.to_string())
    );
    // Braced, the same lattice is rigid and passes the probe, also with
    // stiffnesses spanning twelve decades.
    let braced = imprint::network::lattice::braced_square(30, 30, false)
        .unwrap()
        .with_physics(Physics::Spring2d)
        .unwrap();
    let mut rng = Rng::new(4);
    let k: Vec<f64> = (0..braced.edge_count())
        .map(|_| 10f64.powf(rng.uniform_in(-6.0, 6.0)))
        .collect();
    let solver = Solver::for_dofs(&braced, &[0, 1, 2 * 29 + 1]).unwrap();
    solver.factorize(braced.conductance()).unwrap();
    solver.factorize(&k).unwrap();
}

#[test]
fn the_spring_solve_reports_displacements_tensions_and_hold_forces() {
    let mut rng = Rng::new(11);
    let mut network = delaunay_springs(60, 11);
    let k: Vec<f64> = (0..network.edge_count())
        .map(|_| rng.uniform_in(0.5, 2.0))
        .collect();
    network.set_conductance(k.clone()).unwrap();
    let n = network.node_count();
    let held = vec![0, 1, 2 * (n - 1) + 1, 2 * 7];
    let values = vec![0.0, 0.0, 0.0, 0.05];
    let forces: Vec<f64> = (0..2 * n).map(|_| 0.1 * rng.normal()).collect();
    let sparse = imprint::physics::spring::solve(&network, &held, &values, &forces).unwrap();
    let dense = solve_dense(&network, &k, &held, &values, &forces).unwrap();
    assert!(sparse.displacement_error <= 1e-12);
    let gap = |a: &[f64], b: &[f64]| {
        let scale = b.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        a.iter()
            .zip(b)
            .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
            / scale
    };
    assert!(gap(&sparse.response.displacements, &dense.displacements) < 1e-12);
    assert!(gap(&sparse.response.extensions, &dense.extensions) < 1e-12);
    assert!(gap(&sparse.response.tensions, &dense.tensions) < 1e-12);
    // No net force on a network in equilibrium: translations are zero
    // modes of K, so the components of K u sum to zero, and with
    // (K u)_c = f_c + r_c at the holds (r_c the force the hold exerts) the
    // holds' forces cancel the applied ones, component by component.
    for c in 0..2 {
        let applied: f64 = forces.iter().skip(c).step_by(2).sum();
        let holding: f64 = held
            .iter()
            .zip(&sparse.hold_forces)
            .filter(|(&d, _)| d % 2 == c)
            .map(|(_, f)| f)
            .sum();
        assert!(
            (applied + holding).abs() < 1e-10,
            "component {c}: {applied} vs {holding}"
        );
    }
    // Refused: a resistor network, a NaN force.
    let resistive = delaunay_springs(30, 1)
        .with_physics(Physics::Resistive)
        .unwrap();
    let error = imprint::physics::spring::solve(&resistive, &[0, 1, 3], &[0.0; 3], &vec![0.0; 60])
        .unwrap_err();
    assert!(error.to_string().contains("does not handle"), "{error}");
    let mut bad = forces.clone();
    bad[9] = f64::NAN;
    let error = imprint::physics::spring::solve(&network, &held, &values, &bad).unwrap_err();
    assert!(error.to_string().contains("node 4"), "{error}");
}

#[test]
fn springs_are_numbered_in_amds_order_and_keep_its_fill() {
    use faer::sparse::linalg::cholesky::{
        factorize_symbolic_cholesky, CholeskySymbolicParams, SymmetricOrdering,
    };
    use faer::sparse::linalg::SupernodalThreshold;
    use faer::sparse::SymbolicSparseColMat;
    for seed in 1..=5u64 {
        let network = delaunay_springs(300 + 40 * seed as usize, seed);
        let n = network.node_count();
        let held = vec![0, 1, 2 * (n - 1) + 1];
        let solver = Solver::for_dofs(&network, &held).unwrap();
        // The lower triangle of K_FF with the free components numbered
        // in increasing order, ordered by faer's AMD.
        let mut index = vec![usize::MAX; 2 * n];
        for (a, d) in (0..2 * n).filter(|d| !held.contains(d)).enumerate() {
            index[d] = a;
        }
        let free = 2 * n - held.len();
        let mut columns: Vec<Vec<usize>> = (0..free).map(|c| vec![c]).collect();
        for &[i, j] in network.edges() {
            let dofs: Vec<usize> = [2 * i, 2 * i + 1, 2 * j, 2 * j + 1]
                .into_iter()
                .filter(|&d| index[d] != usize::MAX)
                .map(|d| index[d])
                .collect();
            for &a in &dofs {
                for &b in &dofs {
                    if a > b {
                        columns[b].push(a);
                    }
                }
            }
        }
        let (mut col_ptr, mut row_idx) = (vec![0], Vec::new());
        for column in &mut columns {
            column.sort_unstable();
            column.dedup();
            row_idx.extend_from_slice(column);
            col_ptr.push(row_idx.len());
        }
        let pattern = SymbolicSparseColMat::new_checked(free, free, col_ptr, None, row_idx);
        let amd = factorize_symbolic_cholesky(
            pattern.as_ref(),
            faer::Side::Lower,
            SymmetricOrdering::Amd,
            CholeskySymbolicParams {
                supernodal_flop_ratio_threshold: SupernodalThreshold::FORCE_SUPERNODAL,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            solver.fill(),
            (pattern.compute_nnz(), amd.len_val()),
            "seed {seed}"
        );
        // Numbered in that order, so not increasing any more.
        assert!(solver.free_nodes().windows(2).any(|w| w[0] > w[1]));
        let mut sorted = solver.free_nodes().to_vec();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            (0..2 * n).filter(|d| !held.contains(d)).collect::<Vec<_>>()
        );
    }
}

#[test]
fn solves_inside_estimates_stop_at_their_tolerance_and_agree_with_certified_ones() {
    use imprint::physics::refine::{CERTIFIED, INSIDE_ESTIMATES};
    // Held by one bond only (rigid motions pinned, nothing more), with
    // stiffnesses over six decades: the first solve is off by more than
    // CERTIFIED, so certifying takes a second refinement step where the
    // estimates' tolerance takes one.
    let network = delaunay_springs(2000, 3);
    let n = network.node_count();
    let [i, j] = network.edges()[0];
    let held = vec![2 * i, 2 * i + 1, 2 * j, 2 * j + 1];
    let mut rng = Rng::new(11);
    let k: Vec<f64> = (0..network.edge_count())
        .map(|_| 10f64.powf(rng.uniform_in(-3.0, 3.0)))
        .collect();
    let factor = Solver::for_dofs(&network, &held)
        .unwrap()
        .factorize(&k)
        .unwrap();
    let drive = Mat::from_fn(2 * n + 4, 3, |_, _| rng.normal());
    let (estimated, estimate_error) = factor
        .solve_states_refined_to(drive.as_ref(), INSIDE_ESTIMATES)
        .unwrap();
    let (certified, certified_error) = factor
        .solve_states_refined_to(drive.as_ref(), CERTIFIED)
        .unwrap();
    assert!(estimate_error <= INSIDE_ESTIMATES, "{estimate_error:e}");
    assert!(certified_error <= CERTIFIED, "{certified_error:e}");
    for c in 0..3 {
        let scale = (0..2 * n).fold(0.0f64, |m, d| m.max(certified[(d, c)].abs()));
        let gap = (0..2 * n).fold(0.0f64, |m, d| {
            m.max((estimated[(d, c)] - certified[(d, c)]).abs())
        });
        assert!(
            gap <= INSIDE_ESTIMATES * scale,
            "drive {c}: {:e}",
            gap / scale
        );
    }
}
