"""The fill of the reduced Laplacian's Cholesky factor under CHOLMOD's
orderings, beside imprint's (issue 29 item 1; docs/benchmarks.md, "Fill
against CHOLMOD's orderings").

    python examples/python/fill_cholmod.py NETWORK.json NODE[,NODE...] [REPEATS]

Prints nnz(L) (lower triangle, diagonal included, simplicial: no
supernodal padding) for CHOLMOD's AMD, METIS and nested dissection
(NESDIS) on `L_FF`, the Laplacian with the listed nodes held, and the
median time of REPEATS (default 7) numeric factorisations after one
analysis, simplicial and supernodal. imprint's
side is `cargo run --release --example fill -- NETWORK.json NODES`. Needs
numpy, scipy and scikit-sparse (SuiteSparse's CHOLMOD: on Debian 12,
`apt-get install libsuitesparse-dev` and `pip install scikit-sparse==0.4.16`,
whose sources build against SuiteSparse 5).
"""

import json
import sys
import time

import numpy as np
import scipy.sparse as sp
from sksparse import cholmod


def reduced_laplacian(path, fixed):
    net = json.loads(open(path).read())
    n = len(net["nodes"])
    edges = np.array(net["edges"], dtype=np.int64)
    k = np.array(net["conductance"], dtype=float)
    i, j = edges[:, 0], edges[:, 1]
    lap = sp.coo_matrix(
        (np.concatenate([k, k, -k, -k]), (np.concatenate([i, j, i, j]), np.concatenate([i, j, j, i]))),
        shape=(n, n),
    ).tocsc()
    free = np.setdiff1d(np.arange(n), fixed)
    return lap[free][:, free].tocsc(), n


def main():
    path, fixed = sys.argv[1], [int(x) for x in sys.argv[2].split(",")]
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    a, n = reduced_laplacian(path, fixed)
    lower = sp.tril(a).nnz
    print(f"{path}: N {n} free {a.shape[0]} nnz(L_FF lower) {lower}")
    for ordering in ["amd", "metis", "nesdis"]:
        start = time.perf_counter()
        factor = cholmod.cholesky(a, ordering_method=ordering, mode="simplicial")
        seconds = time.perf_counter() - start
        print(f"  CHOLMOD {ordering:<7} nnz(L) {factor.L().nnz:>10}  ({seconds:.2f} s analyse + factorise, simplicial)")
        # The numeric factorisation alone, after one analysis, in both of
        # CHOLMOD's modes: median of `repeats`.
        for mode in ["simplicial", "supernodal"]:
            analysed = cholmod.analyze(a, ordering_method=ordering, mode=mode)
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                analysed.cholesky_inplace(a)
                times.append(time.perf_counter() - start)
            print(f"    numeric factorisation ({mode}): median {1e3 * np.median(times):.2f} ms of {repeats}")


if __name__ == "__main__":
    main()
