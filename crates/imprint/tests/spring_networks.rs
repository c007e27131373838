//! Spring physics as a property of the network (docs/theory.md section 9,
//! issue 28 items 1-2): the generalised incidence column of each edge
//! against the dense `Q`, rigidity (rattlers, `Z - 2d`, Maxwell's count,
//! zero modes) against closed forms and the generators, floppy networks
//! refused with their count and nodes, and every resistor-only path
//! refusing a spring network instead of reading its bonds as resistors.

use imprint::network::lattice::{braced_square, square, triangular};
use imprint::network::spec::{LatticeParameters, NetworkSpec};
use imprint::network::{Network, Physics};
use imprint::physics::rigidity::{as_spring, rattlers, rigidity};
use imprint::physics::spring::compatibility_dense;
use imprint::physics::{PhysicsError, Solver};
use imprint::random::Rng;

#[test]
fn an_edge_stencil_is_its_column_of_the_compatibility_matrix() {
    let mut rng = Rng::new(3);
    let spec = NetworkSpec::Delaunay(imprint::network::delaunay::DelaunayParameters {
        nodes: 40,
        seed: 3,
        ..Default::default()
    });
    let network = spec
        .generate()
        .unwrap()
        .with_physics(Physics::Spring2d)
        .unwrap();
    let q = compatibility_dense(&network);
    let u: Vec<f64> = (0..2 * network.node_count())
        .map(|_| rng.normal())
        .collect();
    for e in 0..network.edge_count() {
        let stencil = network.edge_stencil(e);
        let mut column = vec![0.0; q.nrows()];
        for &(dof, value) in stencil.entries() {
            column[dof] += value;
        }
        for (d, c) in column.iter().enumerate() {
            assert_eq!(*c, q[(d, e)], "edge {e}, dof {d}");
        }
        let dense: f64 = (0..q.nrows()).map(|d| q[(d, e)] * u[d]).sum();
        assert!((stencil.drop(&u) - dense).abs() < 1e-12);
    }
    // A resistor's column is +1 at its first node, -1 at its second.
    let resistive = spec.generate().unwrap();
    let [i, j] = resistive.edges()[0];
    assert_eq!(resistive.edge_stencil(0).entries(), &[(i, 1.0), (j, -1.0)]);
}

#[test]
fn lattices_have_their_closed_form_rigidity() {
    for n in [3, 5, 7] {
        // An open n x n square lattice: 2N - E - 3 = 2n - 3 floppy modes.
        let plain = square(n, n, false).unwrap();
        let r = rigidity(&plain);
        assert_eq!(r.maxwell, 2 * n as i64 - 3);
        assert_eq!(r.floppy_modes(), Some(2 * n - 3), "square {n}");
        // Braced, it is rigid: only the 3 rigid-body modes.
        let braced = braced_square(n, n, false).unwrap();
        let r = rigidity(&braced);
        assert_eq!(r.zero_modes.as_ref().unwrap().count, 3);
        assert_eq!(r.floppy_modes(), Some(0));
        // Periodic, the plain lattice has a floppy mode per row and column
        // beyond translations (2n - 2) although Maxwell's count is 0 - 2:
        // states of self stress hide them from the count.
        let periodic = square(n + 1, n + 1, true).unwrap();
        let r = rigidity(&periodic);
        assert_eq!(r.rigid_body_modes, 2);
        assert_eq!(r.maxwell, -2);
        assert_eq!(
            r.floppy_modes(),
            Some(2 * (n + 1) - 2),
            "periodic square {}",
            n + 1
        );
    }
    // A periodic triangular lattice: Z = 6, Z - 2d = 2, no rattler, rigid.
    let r = rigidity(&triangular(6, 6, true).unwrap());
    assert_eq!(r.mean_coordination, 6.0);
    assert_eq!(r.excess_coordination, Some(2.0));
    assert!(r.rattlers.is_empty());
    assert_eq!(r.floppy_modes(), Some(0));
}

#[test]
fn rattlers_are_removed_in_turn_and_excluded_from_the_excess_coordination() {
    // A braced square 0-1-2-3 (diagonal 0-2) with a chain 2-4-5 hanging
    // off it. As springs it is rigid but for the chain; as a packing
    // (3 contacts to be held) everything rattles in turn.
    let positions = vec![
        [0.0, 0.0],
        [1.0, 0.0],
        [1.0, 1.0],
        [0.0, 1.0],
        [2.0, 1.5],
        [3.0, 1.0],
    ];
    let edges = vec![[0, 1], [1, 2], [2, 3], [3, 0], [0, 2], [2, 4], [4, 5]];
    let network = Network::with_uniform_conductance(positions, edges, 1.0, None).unwrap();
    // Degrees 3, 2, 4, 2, 2, 1: 5 goes, then 4, then 1 and 3 (2 bonds each),
    // which leaves 0 and 2 with one bond each: everything rattles.
    assert_eq!(rattlers(&network), vec![0, 1, 2, 3, 4, 5]);
    assert_eq!(rigidity(&network).excess_coordination, None);
    // A periodic triangular lattice with one extra dangling node: only it.
    let lattice = triangular(6, 6, true).unwrap();
    let mut positions = lattice.positions().to_vec();
    positions.push([0.3, 0.2]);
    let mut edges = lattice.edges().to_vec();
    edges.push([0, 36]);
    let network =
        Network::with_uniform_conductance(positions, edges, 1.0, lattice.periodic_box()).unwrap();
    let r = rigidity(&network);
    assert_eq!(r.rattlers, vec![36]);
    assert_eq!(r.excess_coordination, Some(2.0));
    // The dangling node has a floppy mode (it swings about node 0), and is
    // the node that moves in it.
    assert_eq!(r.floppy_modes(), Some(1));
    assert_eq!(r.zero_modes.as_ref().unwrap().moving_nodes, vec![36]);
}

#[test]
fn floppy_networks_are_refused_as_springs_with_their_count_and_nodes() {
    let error = as_spring(square(4, 4, false).unwrap()).unwrap_err();
    match &error {
        PhysicsError::FloppyNetwork { floppy, nodes, .. } => {
            assert_eq!(*floppy, 5);
            assert!(!nodes.is_empty());
        }
        other => panic!("{other:?}"),
    }
    let message = error.to_string();
    assert!(message.contains("5 floppy modes"), "{message}");
    assert!(message.contains("diagonals"), "{message}");
    let (spring, r) = as_spring(braced_square(4, 4, false).unwrap()).unwrap();
    assert_eq!(spring.physics(), Physics::Spring2d);
    assert_eq!(r.floppy_modes(), Some(0));
    // Generators that give rigid networks: Delaunay, jammed (rattlers
    // removed by the generator), the paper's cluster.
    for spec in [
        NetworkSpec::Delaunay(imprint::network::delaunay::DelaunayParameters {
            nodes: 200,
            ..Default::default()
        }),
        NetworkSpec::Jammed(imprint::network::jammed::JammingParameters {
            nodes: 64,
            ..Default::default()
        }),
        NetworkSpec::Cluster(imprint::network::cluster::ClusterParameters {
            nodes: 150,
            ..Default::default()
        }),
    ] {
        let network = spec.generate().unwrap();
        let (_, r) = as_spring(network).unwrap_or_else(|e| panic!("{spec:?}: {e}"));
        assert_eq!(r.floppy_modes(), Some(0), "{spec:?}");
        assert!(r.excess_coordination.unwrap() > 0.0, "{spec:?}");
    }
    // The square lattice's diagonals exist only for square lattices.
    let triangular_braced = NetworkSpec::Triangular(LatticeParameters {
        diagonals: true,
        ..Default::default()
    });
    let error = triangular_braced.generate().unwrap_err().to_string();
    assert!(error.contains("diagonals"), "{error}");
}

#[test]
fn resistor_only_paths_refuse_a_spring_network() {
    let spring = braced_square(3, 3, false)
        .unwrap()
        .with_physics(Physics::Spring2d)
        .unwrap();
    let error = Solver::new(&spring, &[0]).unwrap_err();
    assert!(
        matches!(
            error,
            PhysicsError::UnsupportedPhysics {
                physics: Physics::Spring2d,
                ..
            }
        ),
        "{error:?}"
    );
    // The physical Hessian is the bordered stiffness matrix over 2N
    // displacements (section 9), bordered at degrees of freedom.
    let hessian = imprint::physics::physical_hessian(&spring, &[0, 1]).unwrap();
    assert_eq!(hessian.nrows(), 2 * spring.node_count() + 2);
    assert!(imprint::physics::physical_hessian(&spring, &[2 * spring.node_count()]).is_err());
    let task = imprint::learning::builtin::build(
        "regression-2x2",
        &braced_square(5, 5, false).unwrap(),
        &Default::default(),
    )
    .unwrap();
    let spring5 = braced_square(5, 5, false)
        .unwrap()
        .with_physics(Physics::Spring2d)
        .unwrap();
    // A resistor task is not posed on a spring network: said, not solved.
    let error = imprint::learning::TaskCircuit::new(&spring5, &task).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("posed for a resistive network, but the network is spring"),
        "{error}"
    );
    // Nothing held: said in terms of displacements, not voltages.
    let error = Solver::for_dofs(&spring5, &[]).unwrap_err();
    assert!(matches!(error, PhysicsError::NothingHeld), "{error:?}");
    // Two nodes at the same place cannot carry a spring.
    let coincident = Network::with_uniform_conductance(
        vec![[0.0, 0.0], [1.0, 0.0], [1.0, 0.0]],
        vec![[0, 1], [0, 2], [1, 2]],
        1.0,
        None,
    )
    .unwrap();
    let error = coincident.with_physics(Physics::Spring2d).unwrap_err();
    assert!(
        error.to_string().contains("edge 2 joins nodes 1 and 2"),
        "{error}"
    );
}

#[test]
fn a_held_set_is_said_to_pin_the_zero_modes_or_not() {
    use imprint::physics::rigidity::held_pinning;
    let spring = triangular(6, 6, false)
        .unwrap()
        .with_physics(Physics::Spring2d)
        .unwrap();
    // Node 0 whole and node 5's y: the three rigid motions of an open
    // lattice pinned.
    let pinned = held_pinning(&spring, &[0, 1, 11]).unwrap();
    assert!(pinned.pins(), "{pinned}");
    assert!(pinned
        .to_string()
        .contains("every rigid-body and floppy motion pinned"));
    // Node 0 alone: the rotation about it is left, and every other node moves.
    let loose = held_pinning(&spring, &[0, 1]).unwrap();
    assert_eq!(loose.zero_modes, Some(1));
    assert_eq!(loose.moving_nodes.len(), spring.node_count() - 1);
    assert!(loose.to_string().contains("1 zero modes left"), "{loose}");
    // Resistors: a part without a held node is a zero mode.
    let two_parts = Network::with_uniform_conductance(
        vec![[0.0, 0.0], [1.0, 0.0], [3.0, 0.0], [4.0, 0.0]],
        vec![[0, 1], [2, 3]],
        1.0,
        None,
    )
    .unwrap();
    let resistors = held_pinning(&two_parts, &[0]).unwrap();
    assert_eq!(
        (resistors.zero_modes, resistors.moving_nodes.clone()),
        (Some(1), vec![2, 3])
    );
    assert!(held_pinning(&two_parts, &[0, 3]).unwrap().pins());
    // Above the dense count: the factorisation tells, without a count.
    let large = triangular(24, 24, false)
        .unwrap()
        .with_physics(Physics::Spring2d)
        .unwrap();
    assert!(held_pinning(&large, &[0, 1, 47]).unwrap().pins());
    assert_eq!(held_pinning(&large, &[0, 1]).unwrap().zero_modes, None);
}

#[test]
fn the_resistor_protocols_refuse_a_spring_network() {
    let spring = triangular(6, 6, false)
        .unwrap()
        .with_physics(Physics::Spring2d)
        .unwrap();
    let task =
        imprint::learning::builtin::build("allostery", &spring, &Default::default()).unwrap();
    let error = imprint::analysis::measure::simulate_for_task(
        &spring,
        &task,
        imprint::analysis::Boundary::Held,
        0.0,
        1,
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("the simulated measurement does not handle spring networks"),
        "{error}"
    );
    let conditions = imprint::physics::BoundaryConditions::new()
        .fix(0, 0.0)
        .fix(1, 1.0);
    assert!(imprint::io::spice::netlist(&spring, &conditions, "spring").is_err());
}
