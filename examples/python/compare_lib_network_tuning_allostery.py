"""imprint's sparse spring solve (Python) against Rocks' lib_network_tuning
on allostery as they pose it (issue 28 item 6; docs/theory.md section 9).

    python examples/python/compare_lib_network_tuning_allostery.py LNT_DIR [CASES]

LNT_DIR holds lib_network_tuning's `network_solver` module, built from
github.com/jrocks/lib_network_tuning as examples/python/compare_lib_network_tuning.py
says (Eigen 3, SuiteSparse, pybind11; Eigen 3.4 needs an `(int)` cast on
`sym_mat_index(...)`). imprint's Python package must be installed.

For CASES seeds (default 10): a Delaunay spring network of 60 nodes
(`imprint.Network.delaunay(...).as_spring()`), stiffnesses uniform in
[0.2, 5], a source pair and two target pairs (bonds drawn by the seed).

1. A unit tension on the source pair: theirs `setInputStress` with global
   translation and rotation constraints; ours `imprint.solve_spring` with
   three holds that pin the rigid motions (no reaction, since the force
   pair is self-equilibrated). Compared: every bond's extension, and the
   displacements with the rigid motions projected out.
2. Allostery as lib_network_tuning poses it: the source pair's extension
   imposed (`setInputStrain`, a bordered constraint), the two targets'
   extensions read. Ours by linearity: case 1's response scaled to the same
   source extension.

Prints the largest relative differences over all cases. Measured: 10
networks, extensions 6.1e-16, displacements 1.6e-15, targets 1.3e-14.
"""

import sys

import numpy as np

import imprint


def main():
    sys.path.insert(0, sys.argv[1])
    import network_solver as ns

    cases = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    worst = {"extensions": 0.0, "displacements": 0.0, "allosteric targets": 0.0}
    for seed in range(1, cases + 1):
        net = imprint.Network.delaunay(nodes=60, seed=seed).as_spring()
        rng = np.random.default_rng(seed)
        k = rng.uniform(0.2, 5.0, net.edge_count)
        net.conductance = k
        pos, edges = np.asarray(net.positions), np.asarray(net.edges)
        n, ne = len(pos), len(edges)
        bonds = pos[edges[:, 1]] - pos[edges[:, 0]]
        lengths = np.linalg.norm(bonds, axis=1)
        box = np.ptp(pos, axis=0) + 10.0
        network = ns.Network2D(n, pos.flatten(), ne, list(edges[:, 0]), list(edges[:, 1]), box)
        network.setInteractions(bonds.flatten(), lengths, k)
        source, t1, t2 = (edges[c] for c in rng.choice(ne, 3, replace=False))
        along = pos[source[1]] - pos[source[0]]

        def theirs(perturb):
            pert = ns.Perturb2D()
            perturb(pert)
            meas = ns.Measure2D()
            meas.setOutputDOF(True, True, False)
            solver = ns.LinSolver2D(network, 1, [pert], [meas], 1e-4, True, True, 0.0)
            solver.setK(k)
            return np.asarray(solver.solve().disp[0]).reshape(n, 2)

        def extension(u, pair):
            v = pos[pair[1]] - pos[pair[0]]
            return np.dot(u[pair[1]] - u[pair[0]], v / np.linalg.norm(v))

        # 1. A unit tension on the source pair.
        their_u = theirs(
            lambda p: p.setInputStress(1, [int(source[0])], [int(source[1])], np.array([1.0]), along, True)
        )
        b = along / np.linalg.norm(along)
        forces = np.zeros((n, 2))
        forces[source[0]] -= b
        forces[source[1]] += b
        a, c = int(edges[0, 0]), int(edges[0, 1])
        component = 1 if abs(pos[c, 0] - pos[a, 0]) > abs(pos[c, 1] - pos[a, 1]) else 0
        ours = imprint.solve_spring(net, [(a, 0, 0.0), (a, 1, 0.0), (c, component, 0.0)], forces)
        assert np.max(np.abs(ours["hold_forces"])) < 1e-10, "the pins carry a load"
        our_u = np.asarray(ours["displacements"])
        their_ext = np.einsum("ed,ed->e", their_u[edges[:, 1]] - their_u[edges[:, 0]], bonds / lengths[:, None])
        ext = np.asarray(ours["extensions"])
        worst["extensions"] = max(worst["extensions"], np.max(np.abs(ext - their_ext)) / np.max(np.abs(ext)))
        centre = pos.mean(axis=0)
        modes = np.zeros((3, n, 2))
        modes[0, :, 0] = 1.0
        modes[1, :, 1] = 1.0
        modes[2, :, 0] = -(pos[:, 1] - centre[1])
        modes[2, :, 1] = pos[:, 0] - centre[0]
        basis, _ = np.linalg.qr(modes.reshape(3, -1).T)

        def strip(u):
            u = u.flatten()
            return u - basis @ (basis.T @ u)

        u1, u2 = strip(our_u), strip(their_u)
        worst["displacements"] = max(worst["displacements"], np.max(np.abs(u1 - u2)) / np.max(np.abs(u1)))
        # 2. The source pair's extension imposed, the targets read.
        their_u = theirs(
            lambda p: p.setInputStrain(1, [int(source[0])], [int(source[1])], np.array([1.0]), along, True)
        )
        their_targets = np.array([extension(their_u, t) for t in (t1, t2)])
        scale = 1.0 / extension(our_u, source)
        our_targets = scale * np.array([extension(our_u, t) for t in (t1, t2)])
        worst["allosteric targets"] = max(
            worst["allosteric targets"],
            np.max(np.abs(our_targets - their_targets)) / np.max(np.abs(their_targets)),
        )
    print(f"largest relative differences over {cases} networks:")
    for what, value in worst.items():
        print(f"  {what:20s} {value:.2e}")


if __name__ == "__main__":
    main()
