"""Reference persistence pairs from GUDHI for imprint's sector tests.

Reads the literature network data_N00256_Lp0.0100_r101.txt, draws a seeded
smooth-plus-noise node field, and writes to reference.json the 0-dimensional
pairs of the edge filtration behind the persistent sectors (docs/theory.md
section 5): every edge at its drop |V_i - V_j|, every node at the smallest
drop of its edges (GUDHI's SimplexTree). Run from this folder (pip install gudhi numpy):

    python make_reference.py
"""

import json
from pathlib import Path

import gudhi
import numpy as np

here = Path(__file__).parent
lines = (here.parent / "networks" / "data_N00256_Lp0.0100_r101.txt").read_text().split("\n")
n, e, side = lines[0].split()
n, e, side = int(n), int(e), float(side)
positions = np.array([[float(v) for v in lines[1 + i].split()] for i in range(n)])
edges = [[int(v) for v in lines[1 + n + k].split()] for k in range(e)]

rng = np.random.default_rng(2024)
x, y = positions[:, 0] / side, positions[:, 1] / side
values = np.sin(2 * np.pi * x) * np.cos(2 * np.pi * y) + 0.3 * rng.standard_normal(n)


def edge_filtration_pairs(field):
    """Finite 0-dimensional pairs (birth, death) of the drop filtration: edges
    at |field_i - field_j|, nodes at the smallest drop of their edges."""
    drops = [abs(field[i] - field[j]) for i, j in edges]
    lowest = [np.inf] * len(field)
    for (i, j), d in zip(edges, drops):
        lowest[i], lowest[j] = min(lowest[i], d), min(lowest[j], d)
    tree = gudhi.SimplexTree()
    for v, f in enumerate(lowest):
        if np.isfinite(f):
            tree.insert([v], filtration=float(f))
    for (i, j), d in zip(edges, drops):
        tree.insert([i, j], filtration=float(d))
    diagram = tree.persistence(homology_coeff_field=2, min_persistence=-1)
    finite = sorted([b, d] for dim, (b, d) in diagram if dim == 0 and np.isfinite(d) and d > b)
    essential = sorted(b for dim, (b, d) in diagram if dim == 0 and not np.isfinite(d))
    return finite, essential


reference = {
    "network": "data_N00256_Lp0.0100_r101.txt",
    "values": values.tolist(),
    "edge_filtration_pairs": edge_filtration_pairs(values)[0],
    "edge_filtration_essential": edge_filtration_pairs(values)[1],
    "gudhi_version": gudhi.__version__,
}
(here / "reference.json").write_text(json.dumps(reference, indent=1) + "\n")
print(f"wrote reference.json: {len(reference['edge_filtration_pairs'])} finite pairs")
