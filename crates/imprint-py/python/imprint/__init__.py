"""imprint: physical learning in adaptive resistor networks.

The Rust library from Python, numpy arrays in and out::

    import imprint
    net = imprint.Network.jammed(nodes=512, seed=1)
    task = imprint.Task.builtin("regression-2x2", net)
    trained, history = imprint.train(net, task, progress=True)
    result = imprint.analyze(trained, task, initial=net)
    result["susceptibility"]          # chi_e per edge; keys exactly those of analysis.npz
    result["sector_uniform_voltage"]  # sectors, walls, the sample's response too

Run directories written by ``imprint train`` are analysed and drawn as the
command line does: ``imprint.analyze_run(run_dir)`` and ``imprint.plot(run_dir)``. Ensembles of
runs (``imprint sweep``) are planned, run and collected with ``imprint.sweep``.

Errors raise ``imprint.ImprintError`` (a ``ValueError``) with the same one-line
message as the ``imprint`` command.
"""

import json as _json

from ._imprint import (
    ImprintError,
    Network,
    Task,
    __version__,
    analyze,
    analyze_run,
    defaults,
    evaluate,
    measure,
    plot,
    reproduce,
    solve,
    solve_spring,
    train,
)
from . import sweep

__all__ = [
    "ImprintError",
    "defaults",
    "Network",
    "Task",
    "analyze",
    "analyze_run",
    "evaluate",
    "measure",
    "plot",
    "reproduce",
    "solve",
    "solve_spring",
    "sweep",
    "train",
    "__version__",
]


def _metadata(self):
    """Provenance recorded with the network (generator, seed, statistics), as a dict."""
    return _json.loads(self.metadata_json)


def _to_networkx(self):
    """This network as a ``networkx.Graph``: node attribute ``pos`` (x, y), edge
    attributes ``weight`` (conductance) and ``index`` (edge number)."""
    import networkx as nx

    graph = nx.Graph()
    for node, (x, y) in enumerate(self.positions):
        graph.add_node(node, pos=(float(x), float(y)))
    for index, ((i, j), k) in enumerate(zip(self.edges, self.conductance)):
        graph.add_edge(int(i), int(j), weight=float(k), index=index)
    graph.graph["periodic_box"] = self.periodic_box
    return graph


def _from_networkx(graph, conductance="weight", pos="pos", periodic_box=None):
    """A Network from a ``networkx`` graph. Nodes are renumbered 0..N-1 in the
    graph's node order; ``conductance`` names the edge attribute (missing -> 1),
    ``pos`` the node attribute holding (x, y) (missing -> a circle)."""
    import math

    import numpy as np

    nodes = list(graph.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    positions = np.empty((len(nodes), 2))
    for i, node in enumerate(nodes):
        p = graph.nodes[node].get(pos)
        if p is None:
            angle = 2 * math.pi * i / max(len(nodes), 1)
            p = (math.cos(angle), math.sin(angle))
        positions[i] = p
    edges = np.array([[index[a], index[b]] for a, b in graph.edges], dtype=np.int64).reshape(-1, 2)
    k = np.array([float(data.get(conductance, 1.0)) for _, _, data in graph.edges(data=True)])
    box = periodic_box if periodic_box is not None else graph.graph.get("periodic_box")
    return Network(positions, edges, k, box)


Network.metadata = property(_metadata)
Network.to_networkx = _to_networkx
Network.from_networkx = staticmethod(_from_networkx)
