"""Reference persistence pairs from GUDHI for imprint's sector tests.

Reads the literature network data_N00256_Lp0.0100_r101.txt, draws a seeded
smooth-plus-noise node field, builds GUDHI's SimplexTree with the lower-star
filtration (vertices at their value, edges at the larger end value) and writes
the 0-dimensional pairs of the sub- and superlevel filtrations to
reference.json, with the deaths of the drop filtration (nodes at 0, edges at
their drop) behind the uniform-voltage sectors. Run from this folder (pip install gudhi numpy):

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


def pairs(field):
    tree = gudhi.SimplexTree()
    for v, f in enumerate(field):
        tree.insert([v], filtration=float(f))
    for i, j in edges:
        tree.insert([i, j], filtration=float(max(field[i], field[j])))
    tree.make_filtration_non_decreasing()
    diagram = tree.persistence(homology_coeff_field=2, min_persistence=-1)
    return sorted([b, d if np.isfinite(d) else None] for dim, (b, d) in diagram if dim == 0)


def drop_deaths(field):
    """Deaths of the 0-dimensional pairs of the drop filtration: every node
    at 0, every edge at |field_i - field_j| (uniform-voltage sectors)."""
    tree = gudhi.SimplexTree()
    for v in range(len(field)):
        tree.insert([v], filtration=0.0)
    for i, j in edges:
        tree.insert([i, j], filtration=float(abs(field[i] - field[j])))
    diagram = tree.persistence(homology_coeff_field=2, min_persistence=-1)
    deaths = [d for dim, (b, d) in diagram if dim == 0 and d != b]
    return sorted(d for d in deaths if np.isfinite(d)) + [None] * sum(1 for d in deaths if not np.isfinite(d))


reference = {
    "network": "data_N00256_Lp0.0100_r101.txt",
    "values": values.tolist(),
    "sublevel_pairs": pairs(values),
    "superlevel_pairs_of_negated_values": pairs(-values),
    "drop_filtration_deaths": drop_deaths(values),
    "gudhi_version": gudhi.__version__,
}
(here / "reference.json").write_text(json.dumps(reference, indent=1) + "\n")
print(f"wrote reference.json: {len(reference['sublevel_pairs'])} sublevel pairs, {len(reference['superlevel_pairs_of_negated_values'])} superlevel pairs")
