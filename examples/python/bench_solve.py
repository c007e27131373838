"""Python overhead of imprint.solve: median time of one call on a network file,
to compare with `imprint bench call FILE --fix ...` (the same call from Rust).

    python examples/python/bench_solve.py net.json 0=0 100=1 200=0.5
"""

import sys
import time

import imprint


def main():
    path, pairs = sys.argv[1], sys.argv[2:]
    fix = {int(a): float(b) for a, b in (p.split("=") for p in pairs)}
    net = imprint.Network.load(path)
    times = []
    for _ in range(2000):
        start = time.perf_counter()
        imprint.solve(net, fix)
        times.append(time.perf_counter() - start)
    times.sort()
    print(f"median {1e6 * times[len(times) // 2]:.2f} us over {len(times)} calls ({net.node_count} nodes, {net.edge_count} edges)")


if __name__ == "__main__":
    main()
