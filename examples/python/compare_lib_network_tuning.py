"""The linear response of a spring network, imprint's dense reference
against Rocks' lib_network_tuning (issue 28 item 6; docs/theory.md
section 9).

    python examples/python/compare_lib_network_tuning.py LNT_DIR [CASES]

LNT_DIR holds lib_network_tuning's `network_solver` module, built from
github.com/jrocks/lib_network_tuning (`python setup.py build_ext
--inplace`, with Eigen 3 and SuiteSparse; Eigen 3.4 needs an `(int)` cast
on `sym_mat_index(...)` in cpp_src/*.hpp). For CASES seeds (default 20): a
Delaunay triangulation of 30-80 random points (rigid), stiffnesses uniform
in [0.2, 3], and a tension applied between nodes 2 and 3 along their
separation (their
`setInputStress`, `is_tension = True`; forces -t b on the first, +t b on the
second). Their solver: UMFPACK on the Hessian bordered with global
translation and rotation constraints (`fix_trans = fix_rot = True`; their
fixed-node constraints are applied through `H^-1`, which needs those).
imprint's: node 0 held and node 1's y (exactly the three rigid motions)
and the same forces (`cargo run --release --example spring_response`). The pair of forces exerts no net
force or torque, so the extensions do not depend on how rigid motion is
removed, and the displacements agree up to a rigid motion (removed by least
squares before comparing). Prints the largest relative difference of each
over all cases. Measured (docs/theory.md section 9): 20 networks,
displacements to 1.0e-13, extensions to 6.4e-13.
"""

import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from scipy.spatial import Delaunay


def case(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(30, 81))
    points = rng.random((n, 2)) * 10.0
    triangles = Delaunay(points).simplices
    edges = sorted({tuple(sorted((int(a), int(b)))) for t in triangles for a, b in ((t[0], t[1]), (t[1], t[2]), (t[2], t[0]))})
    k = rng.uniform(0.2, 3.0, len(edges))
    pinned = [0, 1]  # node 0 whole, node 1's y
    i, j = 2, 3
    tension = rng.uniform(0.5, 2.0)
    return points, edges, k, pinned, (i, j, tension)


def theirs(ns, points, edges, k, pinned, stress):
    n, ne = len(points), len(edges)
    edgei = [e[0] for e in edges]
    edgej = [e[1] for e in edges]
    bvec = np.zeros(2 * ne)
    length = np.zeros(ne)
    for b, (a, c) in enumerate(edges):
        v = points[c] - points[a]
        bvec[2 * b : 2 * b + 2] = v
        length[b] = np.linalg.norm(v)
    net = ns.Network2D(n, points.flatten(), ne, edgei, edgej, np.array([1e6, 1e6]))
    net.setInteractions(bvec, length, np.array(k))
    i, j, tension = stress
    pert = ns.Perturb2D()
    pert.setInputStress(1, [i], [j], np.array([tension]), points[j] - points[i], True)
    meas = ns.Measure2D()
    meas.setOutputDOF(True, True, False)
    # Their solver needs an invertible H: the global translation and
    # rotation constraints stand in for the pins (a balanced force pair
    # along its own line exerts no net force or torque, so the extensions
    # do not depend on how rigid motion is removed).
    solver = ns.LinSolver2D(net, 1, [pert], [meas], 1e-12, True, True, 0.0)
    # The solver keeps its own stiffnesses (ones until set).
    solver.setK(np.array(k))
    result = solver.solve()
    u = np.array(result.disp[0])
    # Their result's `strain` holds measured strains only; the extensions
    # follow from their displacements.
    extensions = np.array([bvec[2 * b : 2 * b + 2] @ (u[2 * c : 2 * c + 2] - u[2 * a : 2 * a + 2]) / length[b] for b, (a, c) in enumerate(edges)])
    return u, extensions


def ours(binary, points, edges, k, pinned, stress):
    n = len(points)
    forces = np.zeros(2 * n)
    i, j, tension = stress
    b = points[j] - points[i]
    b /= np.linalg.norm(b)
    forces[2 * i : 2 * i + 2] -= tension * b
    forces[2 * j : 2 * j + 2] += tension * b
    spec = {
        "positions": points.tolist(),
        "edges": [list(e) for e in edges],
        "stiffness": list(k),
        # Node 0 whole and node 1's y: exactly the rigid motions (pinning
        # more would also fix a distance).
        "held": [2 * pinned[0], 2 * pinned[0] + 1, 2 * pinned[1] + 1],
        "forces": forces.tolist(),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(spec, f)
    out = subprocess.run([binary, f.name], capture_output=True, text=True, check=True).stdout
    os.unlink(f.name)
    result = json.loads(out)
    return np.array(result["displacements"]), np.array(result["extensions"])


def main():
    sys.path.insert(0, sys.argv[1])
    import network_solver as ns  # noqa: E402  (lib_network_tuning's module)

    cases = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    binary = os.environ.get("SPRING_RESPONSE", "target/release/examples/spring_response")
    worst_u, worst_l = 0.0, 0.0
    for seed in range(cases):
        points, edges, k, pinned, stress = case(seed)
        u_t, l_t = theirs(ns, points, edges, k, pinned, stress)
        u_o, l_o = ours(binary, points, edges, k, pinned, stress)
        # Displacements up to a rigid motion: both differ from the
        # non-rigid part by translations and a rotation, removed by least
        # squares.
        rigid = np.zeros((2 * len(points), 3))
        rigid[0::2, 0] = 1.0
        rigid[1::2, 1] = 1.0
        rigid[0::2, 2] = -points[:, 1]
        rigid[1::2, 2] = points[:, 0]
        diff = u_t - u_o
        diff -= rigid @ np.linalg.lstsq(rigid, diff, rcond=None)[0]
        worst_u = max(worst_u, np.abs(diff).max() / np.abs(u_o).max())
        worst_l = max(worst_l, np.abs(l_t - l_o).max() / np.abs(l_o).max())
    print(f"{cases} networks: displacements agree to {worst_u:.1e}, extensions to {worst_l:.1e} (largest relative difference)")


if __name__ == "__main__":
    main()
