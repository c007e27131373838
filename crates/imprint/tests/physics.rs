//! The solver against analytic circuits, a dense solve of the bordered
//! Hessian, and the invariants of linear resistor networks (docs/theory.md
//! section 1).

mod common;

use common::{circuit, connected_graph, relative_distance};
use faer::linalg::solvers::Solve;
use faer::Mat;
use imprint::network::lattice;
use imprint::physics::{physical_hessian_dense, solve, BoundaryConditions, PhysicsError, Solver};
use proptest::prelude::*;

const EXACT: f64 = 1e-13;

#[test]
fn series_resistors_divide_the_voltage() {
    // 1 V -- R1 = 2 Ohm -- node 1 -- R2 = 3 Ohm -- ground.
    let net = circuit(3, &[[0, 1], [1, 2]], &[0.5, 1.0 / 3.0]);
    let s = solve(&net, &BoundaryConditions::new().fix(0, 1.0).fix(2, 0.0)).unwrap();
    assert!((s.voltages[1] - 3.0 / 5.0).abs() < EXACT);
    let current = 1.0 / 5.0;
    assert!((s.currents[0] - current).abs() < EXACT && (s.currents[1] - current).abs() < EXACT);
    assert!((s.source_currents()[0] - current).abs() < EXACT);
    assert!((s.source_currents()[1] + current).abs() < EXACT);
    assert!((s.dissipated_power - current).abs() < EXACT);
    // mu = -(L V)_C: the multiplier of the 1 V source is minus the current it delivers.
    assert!((s.multipliers[0] + current).abs() < EXACT);
}

#[test]
fn parallel_conductances_add() {
    // 1 mA into node 1, which reaches ground through k = 2 S and k = 3 S.
    let net = circuit(3, &[[1, 0], [1, 2]], &[2.0, 3.0]);
    let s = solve(
        &net,
        &BoundaryConditions::new()
            .fix(0, 0.0)
            .fix(2, 0.0)
            .inject(1, 1e-3),
    )
    .unwrap();
    assert!((s.voltages[1] - 1e-3 / 5.0).abs() < EXACT);
    assert!((s.currents[0] - 2.0 * 1e-3 / 5.0).abs() < EXACT);
}

/// Wheatstone bridge: A (1 V) to B and C, B and C to D (ground), bridge B-C.
fn bridge(g: [f64; 5]) -> imprint::physics::Solution {
    let net = circuit(4, &[[0, 1], [0, 2], [1, 3], [2, 3], [1, 2]], &g);
    solve(&net, &BoundaryConditions::new().fix(0, 1.0).fix(3, 0.0)).unwrap()
}

#[test]
fn balanced_wheatstone_bridge_carries_no_current() {
    // R1/R3 = R2/R4 with g = 1/R.
    let s = bridge([1.0, 0.5, 2.0, 1.0, 0.7]);
    assert!(s.currents[4].abs() < EXACT);
    assert!((s.voltages[1] - 1.0 / 3.0).abs() < EXACT);
}

#[test]
fn unbalanced_wheatstone_bridge_matches_cramers_rule() {
    let [g1, g2, g3, g4, g5] = [1.0, 2.0, 3.0, 0.5, 0.25];
    // Nodal equations for V_B, V_C with V_A = 1, V_D = 0, solved by hand.
    let (a, b, c, d) = (g1 + g3 + g5, -g5, -g5, g2 + g4 + g5);
    let det = a * d - b * c;
    let vb = (g1 * d - b * g2) / det;
    let vc = (a * g2 - c * g1) / det;
    let s = bridge([g1, g2, g3, g4, g5]);
    assert!((s.voltages[1] - vb).abs() < EXACT && (s.voltages[2] - vc).abs() < EXACT);
    assert!((s.currents[4] - g5 * (vb - vc)).abs() < EXACT);
    assert!(s.currents[4].abs() > 0.01);
}

#[test]
fn ladder_input_resistance_follows_the_continued_fraction() {
    // Sections of a series unit resistor followed by a shunt unit resistor to
    // ground; the last shunt terminates the ladder.
    let sections = 30;
    let mut edges = Vec::new();
    let ground = sections + 1;
    for s in 0..sections {
        edges.push([s, s + 1]);
        edges.push([s + 1, ground]);
    }
    let k = vec![1.0; edges.len()];
    let net = circuit(ground + 1, &edges, &k);
    let s = solve(
        &net,
        &BoundaryConditions::new().fix(0, 1.0).fix(ground, 0.0),
    )
    .unwrap();
    // R_1 = 2, R_n = 1 + R_{n-1} / (1 + R_{n-1}) from the far end.
    let mut r = 2.0;
    for _ in 1..sections {
        r = 1.0 + r / (1.0 + r);
    }
    let input = s.source_currents()[0];
    assert!((1.0 / input - r).abs() < 1e-12);
    let golden = (1.0 + 5f64.sqrt()) / 2.0;
    assert!((r - golden).abs() < 1e-12);
}

#[test]
fn lattice_effective_resistance_between_neighbours_tends_to_one_half() {
    // Unit current in at the centre node, out through its right neighbour (held at 0 V).
    let mut previous_error = f64::INFINITY;
    for side in [5, 11, 21, 41, 81] {
        let net = lattice::square(side, side, false).unwrap();
        let centre = (side / 2) * side + side / 2;
        let s = solve(
            &net,
            &BoundaryConditions::new()
                .fix(centre + 1, 0.0)
                .inject(centre, 1.0),
        )
        .unwrap();
        let resistance = s.voltages[centre];
        let error = resistance - 0.5;
        // A finite lattice has fewer paths than the infinite one: R is above 1/2
        // and approaches it as the boundary recedes.
        assert!(
            error > 0.0 && error < previous_error,
            "side {side}: R = {resistance}"
        );
        previous_error = error;
    }
    assert!(
        previous_error < 2e-4,
        "81 x 81 lattice: R - 1/2 = {previous_error}"
    );
}

#[test]
fn unreachable_part_is_named() {
    // 0-1-2 grounded, 3-4-5 floating.
    let net = circuit(6, &[[0, 1], [1, 2], [3, 4], [4, 5]], &[1.0; 4]);
    let err = solve(&net, &BoundaryConditions::new().fix(0, 0.0).inject(1, 1.0)).unwrap_err();
    assert_eq!(
        err,
        PhysicsError::UnreachableNodes {
            nodes: vec![3, 4, 5],
            count: 3
        }
    );
    assert!(err
        .to_string()
        .starts_with("3 nodes (3, 4, 5) form a part of the network that no fixed voltage reaches"));
    // A big floating part lists its first nodes and the count.
    let edges: Vec<[usize; 2]> = (1..20).map(|i| [i, i + 1]).chain([[0, 21]]).collect();
    let net = circuit(22, &edges, &vec![1.0; edges.len()]);
    let message = solve(&net, &BoundaryConditions::new().fix(0, 0.0))
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with("20 nodes (1, 2, 3, 4, 5, 6, 7, 8, ...)"),
        "{message}"
    );
}

#[test]
fn bad_boundary_conditions_are_rejected() {
    let net = circuit(3, &[[0, 1], [1, 2]], &[1.0, 1.0]);
    let cases = [
        (
            BoundaryConditions::new().fix(0, 0.0).inject(0, 1.0),
            "node 0 is given two boundary conditions (fixed and injected)",
        ),
        (
            BoundaryConditions::new().fix(0, 0.0).fix(0, 1.0),
            "node 0 is given two boundary conditions (fixed and fixed)",
        ),
        (
            BoundaryConditions::new().fix(7, 0.0),
            "fixed node 7 does not exist: the network has 3 nodes (0 to 2)",
        ),
        (
            BoundaryConditions::new().fix(0, 0.0).inject(9, 1.0),
            "injected node 9 does not exist",
        ),
        (
            BoundaryConditions::new().fix(0, f64::NAN),
            "fixed value at node 0 is NaN",
        ),
        (
            BoundaryConditions::new().inject(1, 1.0),
            "no node has a fixed voltage",
        ),
    ];
    for (conditions, expected) in cases {
        let message = solve(&net, &conditions).unwrap_err().to_string();
        assert!(message.contains(expected), "{message:?} lacks {expected:?}");
    }
}

#[test]
fn refactorising_reuses_the_symbolic_analysis_exactly() {
    let net = lattice::square(12, 9, true).unwrap();
    let conditions = BoundaryConditions::new()
        .fix(0, 0.0)
        .fix(50, 1.0)
        .inject(77, 0.3);
    let solver = Solver::for_conditions(&net, &conditions).unwrap();
    let k2: Vec<f64> = (0..net.edge_count())
        .map(|e| 0.5 + (e % 7) as f64 * 0.3)
        .collect();
    let reused = solver.factorize(&k2).unwrap().solve(&conditions).unwrap();
    let mut fresh_net = net.clone();
    fresh_net.set_conductance(k2.clone()).unwrap();
    let fresh = solve(&fresh_net, &conditions).unwrap();
    assert!(relative_distance(&reused.voltages, &fresh.voltages) < 1e-15);
    assert!(solver.factorize(&vec![0.0; net.edge_count()]).is_err());
    let other = BoundaryConditions::new().fix(1, 0.0);
    let message = solver
        .factorize(net.conductance())
        .unwrap()
        .solve(&other)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("fix nodes [1], but this solver was analysed for fixed nodes [0, 50]"),
        "{message}"
    );
    assert!(solver.factorize(&[1.0]).is_err());

    // Refactorising into an existing factorisation's storage gives the same
    // bits as a fresh one, also after a failed attempt (which leaves it
    // unusable until refactorised).
    let mut factor = solver.factorize(net.conductance()).unwrap();
    let zero = vec![0.0; net.edge_count()];
    assert!(factor.refactorize(&zero).is_err());
    factor.refactorize(&k2).unwrap();
    let again = factor.solve(&conditions).unwrap();
    assert_eq!(again.voltages, reused.voltages);
    assert_eq!(factor.conductance(), &k2[..]);
}

#[test]
fn solves_reusing_their_work_space_give_the_same_bits() {
    // Refined block solves take their work space from the factorisation's
    // pool and give it back. Large enough (free nodes x drives >= 2^16) for
    // the drives to be split over threads, so buffers of several sizes are
    // in the pool at once; a later solve must not see what an earlier one
    // left in them.
    let net = lattice::square(160, 160, true).unwrap();
    let constrained = [0usize, 12_345];
    let solver = Solver::new(&net, &constrained).unwrap();
    let k: Vec<f64> = (0..net.edge_count())
        .map(|e| 10f64.powf(((e * 7919) % 1000) as f64 / 250.0 - 2.0))
        .collect();
    let mut factor = solver.factorize(&k).unwrap();
    let n = net.node_count() + constrained.len();
    let drives = |columns: usize, salt: usize| {
        Mat::from_fn(n, columns, |i, c| {
            if i >= net.node_count() {
                (i + c + salt) as f64 % 3.0 - 1.0
            } else if (i * 31 + c * 17 + salt) % 997 == 0 {
                1.0
            } else {
                0.0
            }
        })
    };
    let fresh = |columns, salt| {
        solver
            .factorize(&k)
            .unwrap()
            .solve_states_refined_to(drives(columns, salt).as_ref(), 1e-13)
            .unwrap()
    };
    for (columns, salt) in [(4, 1), (7, 2), (1, 3), (4, 1), (7, 2), (2, 4)] {
        let reused = factor
            .solve_states_refined_to(drives(columns, salt).as_ref(), 1e-13)
            .unwrap();
        assert!(reused == fresh(columns, salt), "{columns} drives differ");
    }
    // Refactorising into the same storage (and work space) and back.
    factor.refactorize(net.conductance()).unwrap();
    factor
        .solve_states_refined_to(drives(3, 5).as_ref(), 1e-13)
        .unwrap();
    factor.refactorize(&k).unwrap();
    let after = factor
        .solve_states_refined_to(drives(7, 2).as_ref(), 1e-13)
        .unwrap();
    assert!(after == fresh(7, 2), "refactorising changed the states");
}

#[test]
fn edges_between_fixed_nodes_and_fully_fixed_networks_work() {
    // Every node fixed: no free node, currents come from the drops alone.
    let net = circuit(3, &[[0, 1], [1, 2]], &[2.0, 4.0]);
    let s = solve(
        &net,
        &BoundaryConditions::new()
            .fix(0, 1.0)
            .fix(1, 0.5)
            .fix(2, 0.0),
    )
    .unwrap();
    assert!((s.currents[0] - 1.0).abs() < EXACT && (s.currents[1] - 2.0).abs() < EXACT);
    assert_eq!(s.source_currents(), vec![1.0, 1.0, -2.0]);
}

/// Dense solve of `H x = f` by LU with partial pivoting (H is indefinite).
fn dense_state(net: &imprint::network::Network, constrained: &[usize], drive: &[f64]) -> Vec<f64> {
    let h = physical_hessian_dense(net, constrained).unwrap();
    let f = Mat::from_fn(drive.len(), 1, |i, _| drive[i]);
    let x = h.partial_piv_lu().solve(&f);
    (0..drive.len()).map(|i| x[(i, 0)]).collect()
}

/// Random boundary conditions: 1-3 fixed nodes, currents at some free nodes.
fn conditions(node_count: usize, seed: u64) -> BoundaryConditions {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let fixed_count = 1 + (next() * 3.0) as usize % node_count.min(3);
    let mut bc = BoundaryConditions::new();
    for c in 0..fixed_count {
        bc = bc.fix(c * node_count / fixed_count, 2.0 * next() - 1.0);
    }
    let fixed = bc.fixed_nodes();
    for node in 0..node_count {
        if !fixed.contains(&node) && next() < 0.3 {
            bc = bc.inject(node, 2.0 * next() - 1.0);
        }
    }
    bc
}

/// The energy functional P(V) = 1/2 sum k dV^2 - I . V of docs/theory.md section 1.
fn functional(net: &imprint::network::Network, voltages: &[f64], injected: &[f64]) -> f64 {
    let stored: f64 = net
        .edges()
        .iter()
        .zip(net.conductance())
        .map(|(&[i, j], k)| 0.5 * k * (voltages[i] - voltages[j]).powi(2))
        .sum();
    stored
        - injected
            .iter()
            .zip(voltages)
            .map(|(i, v)| i * v)
            .sum::<f64>()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn kirchhoff_balance_and_dense_agreement(net in connected_graph(40), seed in any::<u64>()) {
        let bc = conditions(net.node_count(), seed);
        let s = solve(&net, &bc).unwrap();
        prop_assert!(s.kirchhoff_residual < 1e-12, "residual {}", s.kirchhoff_residual);
        prop_assert!(s.current_imbalance < 1e-12, "imbalance {}", s.current_imbalance);
        // Kirchhoff's current law recomputed here from the edge currents.
        let mut net_current = s.injected.clone();
        for (&[i, j], c) in net.edges().iter().zip(&s.currents) {
            net_current[i] -= c;
            net_current[j] += c;
        }
        // Backward-error scale: currents, injections, and k_max max|V| (a network
        // where nothing flows still has rounding-level imbalances).
        let k_max = net.conductance().iter().fold(0.0f64, |m, &k| m.max(k));
        let v_max = s.voltages.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let scale = s.currents.iter().chain(&s.injected).fold(k_max * v_max, |m, c| m.max(c.abs()));
        for (node, imbalance) in net_current.iter().enumerate() {
            if !s.fixed_nodes.contains(&node) {
                prop_assert!(imbalance.abs() < 1e-12 * scale, "node {node}: {imbalance}");
            }
        }
        // Injected and holding currents balance.
        let total: f64 = s.injected.iter().sum::<f64>() + s.source_currents().iter().sum::<f64>();
        prop_assert!(total.abs() < 1e-12 * scale * net.node_count() as f64);
        // Power delivered by the sources and injections equals power dissipated.
        let delivered: f64 = s.injected.iter().zip(&s.voltages).map(|(i, v)| i * v).sum::<f64>()
            + s.fixed_nodes.iter().zip(s.source_currents()).map(|(&c, i)| i * s.voltages[c]).sum::<f64>();
        prop_assert!((delivered - s.dissipated_power).abs() < 1e-10 * s.dissipated_power.max(scale * v_max), "delivered {delivered:e}, dissipated {:e}", s.dissipated_power);
        // Sparse elimination agrees with a dense LU of the bordered Hessian.
        let fixed = bc.fixed_nodes();
        let drive = bc.drive(net.node_count());
        let dense = dense_state(&net, &fixed, &drive);
        let sparse: Vec<f64> = s.voltages.iter().chain(&s.multipliers).copied().collect();
        prop_assert!(relative_distance(&sparse, &dense) < 1e-10, "distance {}", relative_distance(&sparse, &dense));
    }

    #[test]
    fn reciprocity(net in connected_graph(40), a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>()) {
        let n = net.node_count();
        let ground = 0;
        let (a, b) = (1 + a.index(n - 1), 1 + b.index(n - 1));
        let solver = Solver::new(&net, &[ground]).unwrap();
        let factor = solver.factorize(net.conductance()).unwrap();
        let mut drives = Mat::<f64>::zeros(n + 1, 2);
        drives[(a, 0)] = 1.0;
        drives[(b, 1)] = 1.0;
        let states = factor.solve_states(drives.as_ref()).unwrap();
        let (v_b_from_a, v_a_from_b) = (states[(b, 0)], states[(a, 1)]);
        prop_assert!((v_b_from_a - v_a_from_b).abs() < 1e-12 * v_b_from_a.abs().max(v_a_from_b.abs()).max(1e-300));
    }

    #[test]
    fn the_response_minimises_power(net in connected_graph(30), seed in any::<u64>(), scale in prop::sample::select(vec![1e-4, 1e-2, 1.0])) {
        let bc = conditions(net.node_count(), seed);
        let s = solve(&net, &bc).unwrap();
        let at_minimum = functional(&net, &s.voltages, &s.injected);
        let fixed = bc.fixed_nodes();
        let mut perturbed = s.voltages.clone();
        for (node, v) in perturbed.iter_mut().enumerate() {
            if !fixed.contains(&node) {
                *v += scale * (((node as u64).wrapping_mul(seed | 1) % 1000) as f64 / 500.0 - 1.0);
            }
        }
        let shift: Vec<f64> = perturbed.iter().zip(&s.voltages).map(|(p, v)| p - v).collect();
        // P(V + d) - P(V) = 1/2 d^T L d exactly when V is the minimum (the linear term vanishes).
        let quadratic: f64 = net.edges().iter().zip(net.conductance()).map(|(&[i, j], k)| 0.5 * k * (shift[i] - shift[j]).powi(2)).sum();
        let rise = functional(&net, &perturbed, &s.injected) - at_minimum;
        prop_assert!(rise >= 0.0);
        prop_assert!((rise - quadratic).abs() <= 1e-9 * quadratic.max(at_minimum.abs()) + 1e-15, "rise {rise}, expected {quadratic}");
    }

    #[test]
    fn many_drives_in_parallel_match_single_solves(net in connected_graph(30), columns in 1usize..60) {
        let n = net.node_count();
        let solver = Solver::new(&net, &[0, n - 1]).unwrap();
        let factor = solver.factorize(net.conductance()).unwrap();
        let drives = Mat::from_fn(n + 2, columns, |i, j| ((i * 7 + j * 13) % 11) as f64 - 5.0);
        let states = factor.solve_states(drives.as_ref()).unwrap();
        for j in 0..columns {
            let drive: Vec<f64> = (0..n + 2).map(|i| drives[(i, j)]).collect();
            let single = factor.solve_state(&drive).unwrap();
            let column: Vec<f64> = (0..n + 2).map(|i| states[(i, j)]).collect();
            prop_assert!(relative_distance(&column, &single) < 1e-14);
        }
    }
}

#[test]
fn sparse_and_dense_hessians_agree_with_the_definition() {
    let net = circuit(3, &[[0, 1], [1, 2]], &[2.0, 3.0]);
    let h = physical_hessian_dense(&net, &[2]).unwrap();
    let expected = [
        [2.0, -2.0, 0.0, 0.0],
        [-2.0, 5.0, -3.0, 0.0],
        [0.0, -3.0, 3.0, 1.0],
        [0.0, 0.0, 1.0, 0.0],
    ];
    for (i, row) in expected.iter().enumerate() {
        for (j, value) in row.iter().enumerate() {
            assert_eq!(h[(i, j)], *value, "H[{i}, {j}]");
        }
    }
}

#[test]
fn nested_dissection_orders_large_networks_and_balances_every_current() {
    use imprint::physics::{FillOrdering, NESTED_DISSECTION_MIN_UNKNOWNS};
    // A 100 x 100 lattice (10^4 nodes) with conductances over four
    // decades: large enough that METIS's order costs fewer flops than
    // AMD's (on 45 x 45 and 80 x 80 AMD still wins).
    let side = 100;
    let mut net = lattice::square(side, side, false).unwrap();
    let k: Vec<f64> = (0..net.edge_count())
        .map(|e| 10f64.powf(4.0 * ((e * 7919) % 1000) as f64 / 1000.0 - 2.0))
        .collect();
    net.set_conductance(k.clone()).unwrap();
    let fixed = [0, side * side - 1, side / 2];
    let solver = Solver::new(&net, &fixed).unwrap();
    let choice = solver.ordering().unwrap();
    assert!(solver.free_nodes().len() >= NESTED_DISSECTION_MIN_UNKNOWNS);
    assert_eq!(
        choice.ordering,
        FillOrdering::NestedDissection,
        "{choice:?}"
    );
    let nested = choice.nested_dissection.unwrap();
    assert!(nested.flops < choice.minimum_degree.flops, "{choice:?}");
    // The factor holds at least the structural entries counted (faer's
    // supernodes pad them).
    assert!(solver.fill().1 >= nested.entries);
    // Every free node once, in the new order.
    let mut sorted = solver.free_nodes().to_vec();
    sorted.sort_unstable();
    let free: Vec<usize> = (0..net.node_count())
        .filter(|n| !fixed.contains(n))
        .collect();
    assert_eq!(sorted, free);
    // Kirchhoff's current law at every node, summed independently of
    // the solver: injected current equals the current leaving through
    // the edges.
    let n = net.node_count();
    let mut drive = vec![0.0; n + fixed.len()];
    for (i, d) in drive.iter_mut().enumerate().take(n) {
        if !fixed.contains(&i) {
            *d = ((i * 31) % 17) as f64 / 17.0 - 0.5;
        }
    }
    drive[n] = 1.0;
    drive[n + 1] = -0.5;
    let state = solver
        .factorize(net.conductance())
        .unwrap()
        .solve_state(&drive)
        .unwrap();
    let mut leaving = vec![0.0; n];
    for (e, &[i, j]) in net.edges().iter().enumerate() {
        let current = k[e] * (state[i] - state[j]);
        leaving[i] += current;
        leaving[j] -= current;
    }
    let scale = k.iter().fold(0.0f64, |m, &g| m.max(g));
    for (c, &node) in fixed.iter().enumerate() {
        assert!((state[node] - drive[n + c]).abs() < 1e-14, "node {node}");
    }
    for i in 0..n {
        let injected = match fixed.iter().position(|&f| f == i) {
            // A held node's source pushes in minus its multiplier
            // (`Solution::source_currents`).
            Some(c) => -state[n + c],
            None => drive[i],
        };
        assert!(
            (leaving[i] - injected).abs() < 1e-10 * scale,
            "node {i}: {} leaves, {injected} injected",
            leaving[i]
        );
    }
}
