"""imprint quickstart: make a jammed network, train it with Coupled Learning,
analyse it, and plot what it learned (matplotlib).

    pip install "./crates/imprint-py[plot]"
    python examples/python/quickstart.py            # writes quickstart.png
"""

import matplotlib

matplotlib.use("Agg")  # draw to a file; remove for interactive windows
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection

import imprint

# 1. A jammed contact network of ~500 nodes, and the paper's 2-in/2-out regression.
net = imprint.Network.jammed(nodes=512, seed=1)
task = imprint.Task.builtin("regression-2x2", net)
print(net, task)

# 2. Coupled Learning with the task's defaults; the callback could update a live plot.
costs = []
trained, history = imprint.train(net, task, iterations=5000, callback=lambda step, record, k: costs.append((step, record["cost"])), callback_every=100, progress=True)
print(f"cost {history[0]['cost']:.3e} -> {history[-1]['cost']:.3e}")

# 3. The analysis: susceptibility, cost Hessian, stiff modes, relative conductance.
result = imprint.analyze(trained, task)
chi = result["susceptibility"]
print(f"{result['stiff_mode_count']} stiff modes (expected {result['expected_stiff_modes']})")

# 4. Figures: the network coloured by chi, the training curve, chi vs stiff weight.
fig, (ax_net, ax_cost, ax_scatter) = plt.subplots(1, 3, figsize=(16, 5))
positions, edges = trained.positions, trained.edges
box = np.array(trained.periodic_box)
delta = positions[edges[:, 1]] - positions[edges[:, 0]]
delta -= box * np.round(delta / box)  # minimum image: wrapped edges drawn from node i
segments = np.stack([positions[edges[:, 0]], positions[edges[:, 0]] + delta], axis=1)
order = np.argsort(chi)
lines = LineCollection(segments[order], array=np.log10(chi[order]), cmap="viridis", linewidths=1.5)
ax_net.add_collection(lines)
ax_net.set_xlim(0, box[0])
ax_net.set_ylim(0, box[1])
ax_net.set_aspect("equal")
ax_net.set_title("trained network, edges by log10 chi_e")
fig.colorbar(lines, ax=ax_net, label="log10 susceptibility")
for nodes, marker, label in [(task.fixed_nodes[:1], "s", "ground"), (task.fixed_nodes[1:], "^", "inputs"), (task.output_nodes, "D", "outputs")]:
    ax_net.scatter(*positions[nodes].T, marker=marker, s=80, edgecolor="k", zorder=3, label=label)
ax_net.legend(loc="upper right")

steps, values = zip(*costs)
ax_cost.semilogy(steps, values)
ax_cost.set_xlabel("iteration")
ax_cost.set_ylabel("MSE cost")
ax_cost.set_title("training")

ax_scatter.loglog(result["stiff_weight"], chi, ".", alpha=0.5)
ax_scatter.set_xlabel("stiff-mode weight")
ax_scatter.set_ylabel("susceptibility chi_e")
ax_scatter.set_title("chi_e vs stiff weight")
fig.tight_layout()
fig.savefig("quickstart.png", dpi=100)
print("wrote quickstart.png")
