"""Time to a learned network on the authors' notebook task, their code
against imprint (issue 29 item 5; docs/benchmarks.md, "Time to a learned
network").

    python examples/python/bench_notebook.py AUTHORS_REPO OUT_DIR [SEED]

AUTHORS_REPO is a checkout of github.com/ftmartins/code_microscopic_imprints
(its `src/` imported as the notebook does; needs numpy, scipy, networkx,
jax, matplotlib, cmocean, tqdm, poisson_disc). The task is
networkTrainingExample_paper.ipynb's: jammed_network(300, seed=1),
regression y = A x with A = [[0.1, 0.5], [0.4, 0.2]] on 100 samples,
sources [0, 50, 100] (node 100 grounded), targets [20, 210], conductances
1e-6 (1 + 0.1 U), nudge eta = 0.01, learning rate 1, one sample per step,
clip [1e-6, 1e6]. numpy's global seed (SEED, default 0) draws the data and
conductances, as the notebook's unseeded cells would.

Their side trains epoch by epoch (100 steps each; their loss is the
epoch's mean of the per-step losses before each update) until that loss is
at most 1e-8 of the first epoch's. imprint's side gets the same network,
conductances and samples (written to OUT_DIR) and runs `imprint train` with
the same rule, rate, nudge and batch, stopping once the full training cost
is at most 1e-8 of the initial (checked every 10 iterations). Needs
`imprint` on PATH (or IMPRINT_BIN). Prints both wall times.
"""

import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np


def authors(repo, seed, max_epochs=500):
    sys.path.append(os.path.join(repo, "src"))
    np.random.seed(seed)
    from learning import learning, split_data_into_batches  # noqa: E402  (their modules)
    from network_utils import jammed_network  # noqa: E402

    g = jammed_network(300, seed=1)
    a = np.array([[0.1, 0.5], [0.4, 0.2]])
    x = np.random.rand(100, 2)
    y = (a @ x.T).T
    train = split_data_into_batches(np.c_[x, np.zeros((100, 1))], y, 1)
    k0 = 1e-6 * (1 + 0.1 * np.random.rand(len(g.edges)))
    circuit = learning(g, k0, jax=False)
    circuit.set_inputs(np.array([0, 50, 100]), np.array([False, False, False]))
    circuit.set_outputs(np.array([20, 210]))
    task = {
        "positions": [list(map(float, g.nodes[i]["pos"])) for i in g.nodes],
        "edges": [[int(i), int(j)] for i, j in g.edges],
        "conductance": k0.tolist(),
        "x": x.tolist(),
        "y": y.tolist(),
    }
    start = time.perf_counter()
    for epoch in range(max_epochs):
        circuit.train_CL(1.0, 0.01, train, 1, verbose=False)
        losses = circuit.loss_history
        if min(losses) <= 1e-8 * losses[0]:
            return task, time.perf_counter() - start, 100 * (epoch + 1), True
    return task, time.perf_counter() - start, 100 * max_epochs, False


def imprint(task, out):
    os.makedirs(out, exist_ok=True)
    network = {
        "format": "imprint-network",
        "version": 1,
        "box": None,
        "metadata": {"source": "the authors' jammed_network(300, seed=1)"},
        "nodes": task["positions"],
        "edges": task["edges"],
        "conductance": task["conductance"],
    }
    with open(os.path.join(out, "network.json"), "w") as f:
        json.dump(network, f)
    with open(os.path.join(out, "samples.csv"), "w") as f:
        f.write("x1,x2,y1,y2\n")
        for xs, ys in zip(task["x"], task["y"]):
            f.write(",".join(repr(v) for v in xs + ys) + "\n")
    with open(os.path.join(out, "run.toml"), "w") as f:
        f.write(
            """[network]
file = "network.json"
[task]
name = "custom"
grounds = [100]
inputs = [0, 50]
outputs = [20, 210]
samples_file = "samples.csv"
[training]
batch_size = 1
iterations = 50000
k_min = 1e-6
k_max = 1e6
[training.rule]
kind = "coupled-learning"
learning_rate = 1.0
nudge = 0.01
[training.stop]
relative_cost = 1e-8
patience = 0
[output]
record_every = 10
"""
        )
    binary = os.environ.get("IMPRINT_BIN", "imprint")
    run = os.path.join(out, "run")
    shutil.rmtree(run, ignore_errors=True)
    subprocess.run([binary, "train", "run.toml", "-o", "run", "--quiet"], cwd=out, check=True)
    summary = json.load(open(os.path.join(run, "summary.json")))
    return summary["wall_time_seconds"], summary["iterations"], summary["status"] == "converged"


def main():
    repo, out = sys.argv[1], sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    task, theirs, their_steps, their_learned = authors(repo, seed)
    ours, our_steps, our_learned = imprint(task, out)
    print(f"authors' code: {'learned' if their_learned else 'not learned'} in {their_steps} steps, {theirs:.3f} s")
    print(f"imprint:       {'learned' if our_learned else 'not learned'} in {our_steps} steps, {ours:.3f} s")
    print(f"ratio {theirs / ours:.1f}")


if __name__ == "__main__":
    main()
