"""Reference solves at 50 significant digits (mpmath) for the accuracy tests
of the solver (crates/imprint/tests/accuracy.rs): square lattices whose
conductances are log-uniform over spans of 1e6, 1e12 and 1e16, and the
five-resistor circuit with a 1e17 S edge. Conductances are stored as the
doubles the tests use (repr round-trips), voltages and source currents as
decimal strings.

    python3 scripts/reference_solves.py > crates/imprint/tests/data/reference-solves.json
"""

import json
import random

import mpmath

mpmath.mp.dps = 50


def lattice(side):
    edges = []
    for r in range(side):
        for c in range(side):
            i = r * side + c
            if c + 1 < side:
                edges.append((i, i + 1))
            if r + 1 < side:
                edges.append((i, i + side))
    return side * side, edges


def solve(n, edges, k, fixed):
    free = [i for i in range(n) if i not in fixed]
    index = {node: a for a, node in enumerate(free)}
    m = len(free)
    A = mpmath.zeros(m, m)
    b = mpmath.zeros(m, 1)
    for (i, j), kij in zip(edges, k):
        kij = mpmath.mpf(kij)
        for u, v in ((i, j), (j, i)):
            if u in index:
                A[index[u], index[u]] += kij
                if v in index:
                    A[index[u], index[v]] -= kij
                else:
                    b[index[u]] += kij * mpmath.mpf(fixed[v])
    x = mpmath.lu_solve(A, b)
    voltages = [mpmath.mpf(fixed[i]) if i in fixed else x[index[i]] for i in range(n)]
    # Current each source pushes into the network.
    source = {node: mpmath.mpf(0) for node in fixed}
    for (i, j), kij in zip(edges, k):
        current = mpmath.mpf(kij) * (voltages[i] - voltages[j])
        if i in source:
            source[i] += current
        if j in source:
            source[j] -= current
    return voltages, [source[node] for node in sorted(fixed)]


def case(name, n, edges, k, fixed):
    voltages, sources = solve(n, edges, k, fixed)
    return {
        "name": name,
        "nodes": n,
        "edges": edges,
        "conductance": k,
        "fixed": [[node, fixed[node]] for node in sorted(fixed)],
        "voltages": [mpmath.nstr(v, 30) for v in voltages],
        "source_currents": [mpmath.nstr(c, 30) for c in sources],
    }


cases = []
n, edges = lattice(10)
for span_exponent in (6, 12, 16):
    rng = random.Random(span_exponent)
    k = [10.0 ** rng.uniform(0, span_exponent) for _ in edges]
    cases.append(case(f"lattice-10x10-span-1e{span_exponent}", n, edges, k, {0: 1.0, n - 1: 0.0}))
# The circuit: a 1e17 S edge between two free nodes.
cases.append(case("five-resistors-1e17", 4, [(0, 1), (0, 2), (1, 3), (2, 3), (1, 2)], [1.0, 2.0, 3.0, 0.5, 1e17], {0: 1.0, 3: 0.0}))
print(json.dumps(cases, indent=1))
