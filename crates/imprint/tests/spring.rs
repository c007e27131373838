//! The dense spring-network reference (docs/theory.md section 9, issue 28
//! item 6) against closed forms: springs in series and in parallel, a bond
//! at an angle, zero modes of a triangle and of a square with and without
//! its diagonal, a periodic bond's minimum image, and K against a direct
//! sum of bond terms on random networks.

use imprint::network::Network;
use imprint::physics::spring::{compatibility_dense, solve_dense, stiffness_dense, zero_modes};
use imprint::physics::PhysicsError;
use imprint::random::Rng;

fn net(positions: &[[f64; 2]], edges: &[[usize; 2]]) -> Network {
    Network::new(
        positions.to_vec(),
        edges.to_vec(),
        vec![1.0; edges.len()],
        None,
    )
    .unwrap()
}

/// Both components of every node in `nodes`.
fn both(nodes: &[usize]) -> Vec<usize> {
    nodes.iter().flat_map(|&i| [2 * i, 2 * i + 1]).collect()
}

#[test]
fn springs_in_series_share_the_stretch_in_inverse_proportion() {
    // 0 -(k0)- 1 -(k1)- 2 on the x axis; node 0 held, node 2 pulled by d
    // along x; node 1's y held (a collinear chain is floppy across).
    let network = net(&[[0.0, 0.0], [1.0, 0.0], [3.0, 0.0]], &[[0, 1], [1, 2]]);
    let (k0, k1, d) = (2.0, 3.0, 0.1);
    let held = [0, 1, 4, 5, 3];
    let response = solve_dense(
        &network,
        &[k0, k1],
        &held,
        &[0.0, 0.0, d, 0.0, 0.0],
        &[0.0; 6],
    )
    .unwrap();
    let expected = k1 * d / (k0 + k1);
    assert!((response.displacements[2] - expected).abs() < 1e-15);
    // One tension through the chain: k0 dl0 = k1 dl1 = d / (1/k0 + 1/k1).
    let tension = d / (1.0 / k0 + 1.0 / k1);
    for t in &response.tensions {
        assert!((t - tension).abs() < 1e-15, "{t} vs {tension}");
    }
}

#[test]
fn springs_in_parallel_add_and_a_bond_at_an_angle_projects() {
    // Node 1 between the held nodes 0 and 2 on the x axis, displaced by d
    // along x: one bond stretches by d, the other shortens by d, and the
    // force holding node 1 is (k0 + k1) d, two springs in parallel.
    let network = net(&[[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]], &[[0, 1], [1, 2]]);
    let (k0, k1, d) = (2.0, 5.0, 0.01);
    let held = [0, 1, 2, 4, 5, 3];
    let response = solve_dense(
        &network,
        &[k0, k1],
        &held,
        &[0.0, 0.0, d, 0.0, 0.0, 0.0],
        &[0.0; 6],
    )
    .unwrap();
    assert!((response.extensions[0] - d).abs() < 1e-16);
    assert!((response.extensions[1] + d).abs() < 1e-16);
    let force = response.tensions[0] - response.tensions[1];
    assert!((force - (k0 + k1) * d).abs() < 1e-15);
    // The same pair pushed by a force F on node 1 (its x free): u = F / (k0 + k1).
    let f = 0.35;
    let mut forces = [0.0; 6];
    forces[2] = f;
    let held = [0, 1, 4, 5, 3];
    let response = solve_dense(&network, &[k0, k1], &held, &[0.0; 5], &forces).unwrap();
    assert!((response.displacements[2] - f / (k0 + k1)).abs() < 1e-15);
    // A bond at 30 degrees: a displacement u of its far end stretches it
    // by b . u.
    let angle = std::f64::consts::PI / 6.0;
    let network = net(
        &[[0.0, 0.0], [2.0 * angle.cos(), 2.0 * angle.sin()]],
        &[[0, 1]],
    );
    let u = [0.3, -0.2];
    let response = solve_dense(
        &network,
        &[1.5],
        &[0, 1, 2, 3],
        &[0.0, 0.0, u[0], u[1]],
        &[0.0; 4],
    )
    .unwrap();
    let expected = angle.cos() * u[0] + angle.sin() * u[1];
    assert!((response.extensions[0] - expected).abs() < 1e-15);
    assert!((response.tensions[0] - 1.5 * expected).abs() < 1e-15);
}

#[test]
fn zero_modes_count_rigid_and_floppy_motions() {
    let triangle = net(
        &[[0.0, 0.0], [1.0, 0.0], [0.5, 0.8]],
        &[[0, 1], [1, 2], [2, 0]],
    );
    // Free: two translations and a rotation; one node held: the rotation.
    assert_eq!(zero_modes(&triangle, &[]).count, 3);
    assert_eq!(zero_modes(&triangle, &both(&[0])).count, 1);
    // Node 0 held and node 1's y: rigid.
    assert_eq!(zero_modes(&triangle, &[0, 1, 3]).count, 0);
    let corners = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
    let square = net(&corners, &[[0, 1], [1, 2], [2, 3], [3, 0]]);
    // 2N - E = 4: three rigid motions and the shear.
    assert_eq!(zero_modes(&square, &[]).count, 4);
    let sheared = zero_modes(&square, &[0, 1, 3]);
    assert_eq!(sheared.count, 1);
    // Node 1 is pinned by bond 0-1 and its held y; the top moves sideways.
    assert_eq!(sheared.moving_nodes, vec![2, 3]);
    let braced = net(&corners, &[[0, 1], [1, 2], [2, 3], [3, 0], [0, 2]]);
    assert_eq!(zero_modes(&braced, &[]).count, 3);
    assert_eq!(zero_modes(&braced, &[0, 1, 3]).count, 0);
    // The unbraced square is refused with the shear named.
    let error = solve_dense(&square, &[1.0; 4], &[0, 1, 3], &[0.0; 3], &[0.0; 8]).unwrap_err();
    assert!(
        matches!(&error, PhysicsError::Floppy { zero_modes: 1, nodes } if nodes == &[2, 3]),
        "{error}"
    );
    assert!(error.to_string().contains("1 zero modes"), "{error}");
    // Held values that do not match the held components, or a component
    // past the last node, are refused rather than truncated or panicked on.
    assert!(matches!(
        solve_dense(&braced, &[1.0; 5], &[0, 1, 3], &[0.0; 2], &[0.0; 8]),
        Err(PhysicsError::LengthMismatch { .. })
    ));
    assert!(matches!(
        solve_dense(&braced, &[1.0; 5], &[0, 1, 8], &[0.0; 3], &[0.0; 8]),
        Err(PhysicsError::UnknownNode { node: 4, .. })
    ));
    // The braced one solves.
    assert!(solve_dense(&braced, &[1.0; 5], &[0, 1, 3], &[0.0; 3], &[0.0; 8]).is_ok());
}

#[test]
fn a_bond_across_a_periodic_box_takes_the_minimum_image() {
    // Nodes at x = 0.5 and 9.5 in a box of 10: the bond runs from node 0
    // to node 1 through the wall, direction -x, length 1.
    let network = Network::new(
        vec![[0.5, 5.0], [9.5, 5.0]],
        vec![[0, 1]],
        vec![1.0],
        Some([10.0, 10.0]),
    )
    .unwrap();
    let q = compatibility_dense(&network);
    assert_eq!([q[(0, 0)], q[(2, 0)]], [1.0, -1.0]);
    assert_eq!([q[(1, 0)], q[(3, 0)]], [0.0, 0.0]);
}

#[test]
fn the_stiffness_matrix_is_the_sum_of_its_bond_terms() {
    let mut rng = Rng::new(3);
    for _ in 0..20 {
        let n = 6;
        let positions: Vec<[f64; 2]> = (0..n)
            .map(|_| [rng.uniform_in(0.0, 3.0), rng.uniform_in(0.0, 3.0)])
            .collect();
        let edges: Vec<[usize; 2]> = (0..n)
            .flat_map(|i| (i + 1..n).map(move |j| [i, j]))
            .collect();
        let k: Vec<f64> = edges.iter().map(|_| rng.uniform_in(0.1, 2.0)).collect();
        let network = Network::new(positions.clone(), edges.clone(), k.clone(), None).unwrap();
        let stiffness = stiffness_dense(&network, &k);
        let mut sum = vec![vec![0.0; 2 * n]; 2 * n];
        for (&[i, j], &ke) in edges.iter().zip(&k) {
            let (dx, dy) = (
                positions[j][0] - positions[i][0],
                positions[j][1] - positions[i][1],
            );
            let length = dx.hypot(dy);
            let b = [dx / length, dy / length];
            let mut q = vec![0.0; 2 * n];
            for c in 0..2 {
                q[2 * i + c] = -b[c];
                q[2 * j + c] = b[c];
            }
            for r in 0..2 * n {
                for s in 0..2 * n {
                    sum[r][s] += ke * q[r] * q[s];
                }
            }
        }
        for r in 0..2 * n {
            for s in 0..2 * n {
                assert!((stiffness[(r, s)] - sum[r][s]).abs() < 1e-13);
            }
        }
        // A complete graph on 6 points is rigid: 3 rigid-body modes only.
        assert_eq!(zero_modes(&network, &[]).count, 3);
    }
}

#[test]
fn a_tree_has_maxwells_count_of_zero_modes() {
    // A tree carries no state of self-stress, so its zero modes are
    // exactly Maxwell's 2N - E; each held component removes one.
    let mut rng = Rng::new(11);
    for n in [2usize, 5, 12, 30] {
        let positions: Vec<[f64; 2]> = (0..n)
            .map(|_| [rng.uniform_in(0.0, 5.0), rng.uniform_in(0.0, 5.0)])
            .collect();
        let edges: Vec<[usize; 2]> = (1..n)
            .map(|i| [(rng.uniform() * i as f64) as usize, i])
            .collect();
        let network = net(&positions, &edges);
        assert_eq!(
            zero_modes(&network, &[]).count,
            2 * n - edges.len(),
            "n = {n}"
        );
        let modes = zero_modes(&network, &[0, 1, 2]);
        assert_eq!(modes.count, 2 * n - edges.len() - 3, "n = {n}");
    }
}
