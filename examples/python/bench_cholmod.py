"""Coupled Learning iterations in Python with CHOLMOD: the comparison of
docs/benchmarks.md ("Side by side with CHOLMOD").

A careful Python loop, written to be fast: the symbolic analysis is done
once (`cholmod.analyze`) and every iteration refactorises in place; the
reduced Laplacian's values are filled by one `np.bincount` over edge slots
computed once; the batch's free states and the output response are one
block solve of `B + n_out` right-hand sides; the update is vectorised over
edges and samples. What it does not do is superpose (imprint's free states
cost `n_in` solves whatever the batch).

    python examples/python/bench_cholmod.py RUN_DIR [--batches 1,30,112]
        [--iterations 200] [--rate 100] [--nudge 0.1]

RUN_DIR is an `imprint train` run directory (its network.json and
task.json: a node read-out and the MSE cost). Needs numpy, scipy and
scikit-sparse (SuiteSparse's CHOLMOD: `apt-get install libsuitesparse-dev`,
then `pip install scikit-sparse`).
"""

import argparse
import json
import pathlib
import time

import numpy as np
import scipy.sparse as sp
from sksparse import cholmod


def load(run):
    net = json.loads((run / "network.json").read_text())
    task = json.loads((run / "task.json").read_text())
    if task["readout"]["kind"] != "node" or task["cost"] != "mse":
        raise SystemExit(f"{run}/task.json: only node read-outs with the MSE cost are timed")
    return net, task


class Circuit:
    """The reduced Laplacian L_FF and its couplings to the fixed nodes."""

    def __init__(self, net, task):
        edges = np.array(net["edges"], dtype=np.int64)
        n = len(net["nodes"])
        fixed = np.array(task["fixed_nodes"], dtype=np.int64)
        free_mask = np.ones(n, dtype=bool)
        free_mask[fixed] = False
        self.free_index = -np.ones(n, dtype=np.int64)
        self.free_index[free_mask] = np.arange(free_mask.sum())
        self.fixed_index = -np.ones(n, dtype=np.int64)
        self.fixed_index[fixed] = np.arange(len(fixed))
        self.fixed = fixed
        self.edges = edges
        self.n, self.n_free = n, int(free_mask.sum())
        i, j = edges[:, 0], edges[:, 1]
        fi, fj = self.free_index[i], self.free_index[j]
        # COO entries of L_FF as (row, col, edge, sign), built once.
        rows, cols, which, sign = [], [], [], []
        e = np.arange(len(edges))
        for a, b in ((fi, fi), (fj, fj)):
            keep = a >= 0
            rows.append(a[keep]); cols.append(b[keep]); which.append(e[keep]); sign.append(np.ones(keep.sum()))
        both = (fi >= 0) & (fj >= 0)
        for a, b in ((fi, fj), (fj, fi)):
            rows.append(a[both]); cols.append(b[both]); which.append(e[both]); sign.append(-np.ones(both.sum()))
        rows, cols = np.concatenate(rows), np.concatenate(cols)
        self.which, self.sign = np.concatenate(which), np.concatenate(sign)
        # CSC pattern and, per COO entry, its slot in the CSC data.
        pattern = sp.csc_matrix((np.arange(1, len(rows) + 1, dtype=float), (rows, cols)),
                                shape=(self.n_free, self.n_free))
        pattern.sum_duplicates()
        self.indptr, self.indices = pattern.indptr, pattern.indices
        lookup = sp.csc_matrix((np.arange(len(pattern.data), dtype=float), pattern.indices, pattern.indptr),
                               shape=pattern.shape)
        self.slot = np.asarray(lookup[rows, cols]).ravel().astype(np.int64)
        self.nnz = len(pattern.data)
        # Edges between a free node and a fixed one: they carry -L_FC v_C.
        self.coupled = np.nonzero((fi >= 0) ^ (fj >= 0))[0]
        a = np.where(fi[self.coupled] >= 0, fi[self.coupled], fj[self.coupled])
        c = np.where(fi[self.coupled] >= 0, self.fixed_index[j[self.coupled]],
                     self.fixed_index[i[self.coupled]])
        self.coupled_free, self.coupled_fixed = a, c

    def laplacian(self, k):
        data = np.bincount(self.slot, weights=k[self.which] * self.sign, minlength=self.nnz)
        return sp.csc_matrix((data, self.indices, self.indptr), shape=(self.n_free, self.n_free))

    def voltages(self, free_values, fixed_values):
        """Every node's voltage, one column per right-hand side."""
        v = np.empty((self.n, free_values.shape[1]))
        v[self.free_index >= 0] = free_values
        v[self.fixed] = fixed_values  # rows in the task's fixed-node order
        return v


def run(circuit, task, batch, iterations, rate, nudge, k):
    fixed_v = np.array(task["fixed_voltages"])      # M x |C|
    targets = np.array(task["targets"])             # M x n_out
    outputs = np.array(task["readout"]["nodes"])
    out_free = circuit.free_index[outputs]
    m, n_out = len(fixed_v), len(outputs)
    rng = np.random.default_rng(1)
    i, j = circuit.edges[:, 0], circuit.edges[:, 1]
    factor = cholmod.analyze(circuit.laplacian(k))  # symbolic analysis, once
    times = []
    for _ in range(iterations + 1):
        start = time.perf_counter()
        factor.cholesky_inplace(circuit.laplacian(k))
        samples = rng.choice(m, size=min(batch, m), replace=False)
        b = len(samples)
        rhs = np.zeros((circuit.n_free, b + n_out))
        np.add.at(rhs[:, :b], circuit.coupled_free,
                  k[circuit.coupled][:, None] * fixed_v[samples][:, circuit.coupled_fixed].T)
        rhs[out_free, b + np.arange(n_out)] = 1.0
        x = factor(rhs)                              # one block solve
        free_v = circuit.voltages(x[:, :b], fixed_v[samples].T)
        response = np.zeros((circuit.n, n_out))
        response[circuit.free_index >= 0] = x[:, b:]
        y = free_v[outputs]                          # n_out x b
        # Clamp currents z = (P G_O)^{-1} eta (t - y), then the update.
        z = np.linalg.solve(response[outputs], nudge * (targets[samples].T - y))
        drop_free = free_v[i] - free_v[j]            # E x b
        drop_shift = (response[i] - response[j]) @ z  # E x b
        drop_clamped = drop_free + drop_shift
        k += rate / (nudge * b) * (drop_free ** 2 - drop_clamped ** 2).sum(axis=1)
        np.clip(k, 1e-3, 1e2, out=k)
        times.append(time.perf_counter() - start)
    return np.median(times[1:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=pathlib.Path)
    parser.add_argument("--batches", default="1,30,112")
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--nudge", type=float, default=0.1)
    args = parser.parse_args()
    net, task = load(args.run)
    circuit = Circuit(net, task)
    print(f"{circuit.n} nodes, {len(circuit.edges)} edges")
    for batch in (int(b) for b in args.batches.split(",")):
        k = np.array(net["conductance"], dtype=float)
        t = run(circuit, task, batch, args.iterations, args.rate, args.nudge, k)
        print(f"batch {batch}: {1e3 * t:.3f} ms per iteration (median of {args.iterations})")


if __name__ == "__main__":
    main()
