"""imprint from Python, checked against numpy/scipy and against the Rust side."""

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla

import imprint


@pytest.fixture(scope="module")
def network():
    net = imprint.Network.jammed(nodes=64, seed=3)
    rng = np.random.default_rng(5)
    net.conductance = rng.uniform(0.3, 3.0, net.edge_count)
    return net


def laplacian(net):
    edges, k, n = net.edges, net.conductance, net.node_count
    rows = np.concatenate([edges[:, 0], edges[:, 1], edges[:, 0], edges[:, 1]])
    cols = np.concatenate([edges[:, 0], edges[:, 1], edges[:, 1], edges[:, 0]])
    vals = np.concatenate([k, k, -k, -k])
    return sp.csr_matrix((vals, (rows, cols)), shape=(n, n))


def test_arrays_and_round_trips(network, tmp_path):
    assert network.positions.shape == (network.node_count, 2)
    assert network.edges.shape == (network.edge_count, 2) and network.edges.dtype == np.int64
    assert network.periodic_box is not None
    assert network.metadata["generator"] == "jammed"
    path = tmp_path / "net.json"
    network.save(path)
    back = imprint.Network.load(path)
    np.testing.assert_array_equal(back.conductance, network.conductance)
    np.testing.assert_array_equal(back.positions, network.positions)
    graph = network.to_networkx()
    assert graph.number_of_nodes() == network.node_count and graph.number_of_edges() == network.edge_count
    again = imprint.Network.from_networkx(graph)
    np.testing.assert_array_equal(np.sort(again.conductance), np.sort(network.conductance))
    assert again.periodic_box == network.periodic_box


def test_solve_matches_scipy(network):
    fix = {0: 1.0, 10: 0.0, 20: -0.5}
    inject = {5: 1e-3, 33: -2e-3}
    result = imprint.solve(network, fix, inject)
    n = network.node_count
    L = laplacian(network).tocsc()
    fixed = np.array(sorted(fix))
    free = np.setdiff1d(np.arange(n), fixed)
    current = np.zeros(n)
    for node, amps in inject.items():
        current[node] = amps
    v_fixed = np.array([fix[c] for c in fixed])
    rhs = current[free] - L[free][:, fixed] @ v_fixed
    v = np.zeros(n)
    v[fixed] = v_fixed
    v[free] = spla.spsolve(L[free][:, free], rhs)
    np.testing.assert_allclose(result["voltages"], v, rtol=1e-10, atol=1e-13)
    # Source currents: what each source pushes into the network.
    np.testing.assert_allclose(result["source_currents"], (L @ v)[fixed], rtol=1e-9, atol=1e-13)
    assert result["kirchhoff_residual"] < 1e-12
    assert abs(result["dissipated_power"] - np.sum(network.conductance * result["drops"] ** 2)) < 1e-12


def test_susceptibility_matches_a_dense_numpy_computation(network):
    task = imprint.Task.builtin("regression-2x2", network, samples=10)
    # The held border (every fixed node): the Hessian of eq. 8 for voltage inputs.
    result = imprint.analyze(network, task, method="dense", boundary="held")
    n, c = network.node_count, len(task.fixed_nodes)
    H = np.zeros((n + c, n + c))
    H[:n, :n] = laplacian(network).toarray()
    for k, node in enumerate(task.fixed_nodes):
        H[node, n + k] = H[n + k, node] = 1.0
    B = np.zeros((n + c, network.edge_count))
    B[network.edges[:, 0], np.arange(network.edge_count)] = 1.0
    B[network.edges[:, 1], np.arange(network.edge_count)] = -1.0
    S = np.linalg.solve(H, B)
    np.testing.assert_allclose(result["susceptibility_vectors"], S, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(result["susceptibility"], np.linalg.norm(S, axis=0), rtol=1e-10)
    eigenvalues = np.linalg.eigvalsh(H)
    # Signed (the bordered H is indefinite: c negative eigenvalues), ordered by |lambda|.
    ours = np.asarray(result["physical_eigenvalues"])
    np.testing.assert_allclose(np.sort(ours), np.sort(eigenvalues), rtol=1e-9, atol=1e-12)
    assert np.sum(ours < 0) == c
    assert np.all(np.diff(np.abs(ours)) >= -1e-12 * np.abs(ours).max())
    assert result["expected_stiff_modes"] == 4
    assert result["partial_susceptibility"][-1] == pytest.approx(1.0, rel=1e-10)


def test_training_with_a_callback_and_evaluation(network):
    task = imprint.Task.builtin("regression-2x2", network, samples=20)
    seen = []
    trained, history = imprint.train(network, task, iterations=400, callback=lambda step, record, k: seen.append((step, record["cost"], k.shape)), callback_every=100)
    assert [s for s, _, _ in seen] == [100, 200, 300, 400]
    assert seen[0][2] == (network.edge_count,)
    assert history[0]["step"] == 0 and history[-1]["step"] == 400
    assert history[-1]["cost"] < 1e-2 * history[0]["cost"]
    # The network returned is the best recorded state.
    best = min(r["cost"] for r in history)
    assert imprint.evaluate(trained, task)["cost"] == pytest.approx(best, rel=1e-12)
    again, _ = imprint.train(network, task, iterations=400)
    np.testing.assert_array_equal(again.conductance, trained.conductance)
    # The default rate is "auto": every record after step 0 has its rate and estimate.
    assert all(r["learning_rate"] > 0 and r["stiffness"] > 0 for r in history[1:])
    assert history[0]["learning_rate"] is None
    # A number keeps it constant; keep="last" returns the last state.
    last, constant = imprint.train(network, task, iterations=200, learning_rate=100.0, keep="last", callback_every=50)
    assert {r["learning_rate"] for r in constant[1:]} == {100.0}
    assert all(r["stiffness"] is None for r in constant)
    assert imprint.evaluate(last, task)["cost"] == pytest.approx(constant[-1]["cost"], rel=1e-12)
    with pytest.raises(imprint.ImprintError, match="learning_rate"):
        imprint.train(network, task, iterations=10, learning_rate="fast")
    with pytest.raises(imprint.ImprintError, match="keep"):
        imprint.train(network, task, iterations=10, keep="first")
    # The automatic rate's target: rate * lambda_max never above it (the trust region may hold it lower).
    _, tuned = imprint.train(network, task, iterations=100, auto_rate={"target": 1.0, "every": 5}, callback_every=10)
    assert all(r["learning_rate"] * r["stiffness"] <= 1.0 + 1e-12 for r in tuned[1:])
    with pytest.raises(imprint.ImprintError, match="auto_rate.target"):
        imprint.train(network, task, iterations=10, auto_rate={"target": 3.0})
    with pytest.raises(imprint.ImprintError, match="unknown field"):
        imprint.train(network, task, iterations=10, auto_rate={"speed": 1.0})
    # Gradient descent trains too.
    gd, gd_history = imprint.train(network, task, rule="gradient-descent", learning_rate=50.0, iterations=200)
    assert gd_history[-1]["cost"] < gd_history[0]["cost"]


def test_the_second_order_trainer_learns_to_the_last_digits(network):
    task = imprint.Task.builtin("regression-2x2", network, samples=20)
    trained, history = imprint.train(network, task, rule="levenberg-marquardt", iterations=500, stop_relative_cost=1e-20, k_min=1e-6, k_max=1e6, callback_every=1)
    assert history[-1]["cost"] <= 1e-20 * history[0]["cost"]
    assert len(history) < 100, "stops as soon as the tolerance is reached"
    assert all(r["damping"] > 0 and r["learning_rate"] is None for r in history[1:])
    assert imprint.evaluate(trained, task)["cost"] == pytest.approx(history[-1]["cost"], rel=1e-6, abs=1e-30)
    # Fields the second-order rule lacks are refused by the library, named.
    with pytest.raises(imprint.ImprintError, match="unknown field `learning_rate`"):
        imprint.train(network, task, rule="levenberg-marquardt", learning_rate=1.0)
    with pytest.raises(imprint.ImprintError, match="unknown field `nudge`"):
        imprint.train(network, task, rule="levenberg-marquardt", nudge=0.1)
    with pytest.raises(imprint.ImprintError, match="damping"):
        imprint.train(network, task, damping=1e-3)
    with pytest.raises(imprint.ImprintError, match="unknown rule"):
        imprint.train(network, task, rule="newton")


def test_custom_tasks_from_arrays(network):
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, (30, 2))
    fixed = np.column_stack([np.zeros(30), x])
    y = x @ np.array([[0.2], [0.3]])
    task = imprint.Task.custom([0, 7, 15], fixed, y, output_nodes=[40])
    assert task.fixed_voltages.shape == (30, 3) and task.targets.shape == (30, 1)
    trained, history = imprint.train(network, task, iterations=300)
    assert history[-1]["cost"] < 0.1 * history[0]["cost"]


def test_errors_are_value_errors_with_one_line_messages(network, tmp_path):
    with pytest.raises(imprint.ImprintError, match="node 999 does not exist"):
        imprint.solve(network, {999: 1.0})
    with pytest.raises(ValueError, match="node 0 is given two boundary conditions"):
        imprint.solve(network, {0: 1.0}, {0: 1.0})
    with pytest.raises(imprint.ImprintError, match="conductances must lie in"):
        network_copy = imprint.Network.from_json(network.to_json())
        network_copy.conductance = -np.ones(network.edge_count)
    with pytest.raises(imprint.ImprintError, match="cannot read"):
        imprint.Network.load(tmp_path / "missing.json")
    with pytest.raises(imprint.ImprintError, match="unknown task"):
        imprint.Task.builtin("regression-9x9", network)
    with pytest.raises(imprint.ImprintError, match="joins node 1 to itself"):
        imprint.Network(np.zeros((2, 2)), np.array([[0, 1], [1, 1]]))
    task = imprint.Task.builtin("regression-2x2", network, samples=5)
    with pytest.raises(imprint.ImprintError, match="k_min"):
        imprint.train(network, task, k_min=5.0, k_max=1.0, iterations=1)
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "imprint-network", "version": 1, "nodes": [[0, 0]], "edges": [[0, 0]], "conductance": [1], "box": null}')
    with pytest.raises(imprint.ImprintError) as info:
        imprint.Network.load(bad)
    assert "\n" not in str(info.value)


@pytest.mark.skipif(not os.environ.get("IMPRINT_BIN"), reason="IMPRINT_BIN (the imprint binary) not set")
def test_analysis_equals_the_command_line(tmp_path):
    binary = os.environ["IMPRINT_BIN"]
    subprocess.run([binary, "train", "--task", "allostery", "--iterations", "500", "--quiet", "-o", str(tmp_path / "run")], check=True)
    subprocess.run([binary, "analyze", str(tmp_path / "run")], check=True, capture_output=True)
    stored = np.load(tmp_path / "run" / "analysis" / "analysis.npz")
    net = imprint.Network.load(tmp_path / "run" / "network.json")
    initial = imprint.Network.load(tmp_path / "run" / "network-initial.json")
    task = imprint.Task.load(tmp_path / "run" / "task.json")
    ours = imprint.analyze(net, task, initial=initial)
    # Exactly the keys of analysis.npz: sectors, walls and the sample's response included.
    assert set(ours) == set(stored.files)
    for name in ["sample_voltages", "sample_currents", "sector_labels", "sector_cut", "sector_boundary", "sector_diagram", "walls_and_corridors", "partial_susceptibility_norm", "initial_cost_hessian_eigenvalues"]:
        assert name in ours, name
    for name in stored.files:
        np.testing.assert_allclose(ours[name], stored[name], rtol=1e-12, atol=1e-300, err_msg=name)
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert imprint.evaluate(net, task)["cost"] == pytest.approx(summary["final_cost"], rel=1e-12)


@pytest.mark.skipif(not os.environ.get("IMPRINT_BIN"), reason="IMPRINT_BIN (the imprint binary) not set")
def test_run_directories_are_analysed_and_drawn_as_on_the_command_line(tmp_path):
    binary = os.environ["IMPRINT_BIN"]
    run = tmp_path / "run"
    subprocess.run([binary, "train", "--task", "regression-2x2", "--iterations", "300", "--quiet", "-o", str(run)], check=True)
    summary = imprint.analyze_run(run, sample=3, top_share=0.1)
    assert summary["format"] == "imprint-analysis"
    assert summary["sectors"]["sample"] == 3 and summary["walls_and_corridors"]["top_share"] == 0.1
    on_disk = json.loads((run / "analysis" / "summary.json").read_text())
    assert on_disk["sectors"] == summary["sectors"]
    written = imprint.plot(run)
    names = sorted(Path(p).stem for p in written)
    assert "fields" in names and "sectors" in names and "cost-hessian-spectrum" in names
    for path in written:
        assert Path(path).read_bytes()[1:4] == b"PNG"
    # The command line draws the same analysis.
    subprocess.run([binary, "plot", str(run), "-o", str(tmp_path / "cli")], check=True, capture_output=True)
    assert sorted(p.stem for p in (tmp_path / "cli").iterdir()) == names


def test_measurement_gives_the_susceptibility(network):
    task = imprint.Task.builtin("regression-2x2", network, samples=5)
    stimuli, drops = imprint.measure(network, task)
    assert drops.shape == (len(stimuli), network.edge_count)
    assert stimuli[0] == "current@0"
    chi = imprint.analyze(network, task)["susceptibility"]
    np.testing.assert_allclose(np.linalg.norm(drops, axis=0), chi, rtol=1e-10)
    # With every held node held, the measurement gives the held-border chi.
    _, held = imprint.measure(network, task, boundary="held")
    chi_held = imprint.analyze(network, task, boundary="held")["susceptibility"]
    np.testing.assert_allclose(np.linalg.norm(held, axis=0), chi_held, rtol=1e-10)
    assert np.max(np.abs(chi_held / chi - 1)) > 1e-3


def test_jamming_protocol_defaults_to_the_recorded_one_and_is_checked():
    # Without `protocol` a call gets protocol 1's packing (what every call made
    # before protocol 2 got, to the last bit); protocol 2 numbers disks along
    # strips, another packing of the same physics.
    first = imprint.Network.jammed(nodes=64, seed=3)
    assert first.metadata["parameters"]["protocol"] == 1
    assert first.positions[0].tolist() == [0.8193384952450015, 6.053317219655523]
    second = imprint.Network.jammed(nodes=64, seed=3, protocol=2)
    assert second.metadata["parameters"]["protocol"] == 2
    assert abs(second.metadata["report"]["pressure"] / 1e-4 - 1) <= 0.02
    assert second.positions[0].tolist() != first.positions[0].tolist()
    with pytest.raises(imprint.ImprintError, match="protocol"):
        imprint.Network.jammed(nodes=64, protocol=3)


def test_ctrl_c_stops_a_jammed_packing_and_its_checkpoint_continues_it(tmp_path):
    # SIGINT a third of a second into a 2 000-disk packing (about 2 s in all):
    # KeyboardInterrupt within a thousand FIRE steps, the state saved; the
    # same call continues it to the network an uninterrupted call makes.
    import signal
    import threading
    import time

    checkpoint = tmp_path / "jam.checkpoint"
    parameters = dict(nodes=2000, seed=2, protocol=2)
    raised = {}
    timer = threading.Timer(0.3, lambda: (raised.setdefault("at", time.perf_counter()),
                                          os.kill(os.getpid(), signal.SIGINT)))
    # A shell's background job inherits SIGINT ignored, and Python then
    # leaves it so: install Python's own handler for this test.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            imprint.Network.jammed(checkpoint=str(checkpoint), **parameters)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert time.perf_counter() - raised["at"] < 1.0
    state = json.loads(checkpoint.read_text())
    assert state["parameters"]["nodes"] == 2000
    with pytest.raises(imprint.ImprintError, match="`seed` is 2 there and 3 here"):
        imprint.Network.jammed(checkpoint=checkpoint, nodes=2000, seed=3, protocol=2)
    continued = imprint.Network.jammed(checkpoint=checkpoint, **parameters)
    assert not checkpoint.exists()
    assert continued.to_json() == imprint.Network.jammed(**parameters).to_json()
    with pytest.raises(imprint.ImprintError, match="are for jammed packings, not `square`"):
        imprint.Network.generate("square", columns=3, rows=3, checkpoint=str(checkpoint))


def test_jammed_progress_prints_the_command_lines_progress(capsys):
    quiet = imprint.Network.jammed(nodes=64, seed=3, protocol=2)
    assert capsys.readouterr().err == ""
    loud = imprint.Network.jammed(nodes=64, seed=3, protocol=2, progress=True)
    err = capsys.readouterr().err
    assert "step  0: packing fraction 0.860000" in err
    assert err.count("FIRE steps") == loud.metadata["report"]["compressions"] + 1
    assert loud.to_json() == quiet.to_json()
    with pytest.raises(imprint.ImprintError, match="`progress` must be True or False"):
        imprint.Network.jammed(nodes=64, progress="yes")
    with pytest.raises(imprint.ImprintError, match="are for jammed packings, not `delaunay`"):
        imprint.Network.generate("delaunay", nodes=40, progress=True)


def test_keyword_options_take_library_defaults_and_refuse_unknown_names(network):
    small = imprint.Network.generate("square", columns=4, rows=3)
    assert (small.node_count, small.edge_count) == (12, 17)
    assert imprint.Network.delaunay(nodes=40, coordination=4.5).edge_count <= 90
    with pytest.raises(imprint.ImprintError, match="unknown field `nodez`"):
        imprint.Network.jammed(nodez=64)
    task = imprint.Task.builtin("regression-2x2", network, samples=5)
    with pytest.raises(imprint.ImprintError, match="unknown field `projection`"):
        imprint.analyze(network, task, projection=10)
    with pytest.raises(imprint.ImprintError, match="sample"):
        imprint.analyze(network, task, sample=99)
    result = imprint.analyze(network, task, method="dense", sample=4)
    assert isinstance(result["stiff_mode_count"], int) and result["stiff_mode_count"] >= 1
    assert isinstance(result["cost"], float)


def test_progress_lines_end_when_stderr_is_not_a_terminal(network, capfd):
    """Issue 30: progress written to a file or a captured stream is one
    line per record, not lines glued together by carriage returns."""
    task = imprint.Task.builtin("regression-2x2", network, samples=10)
    _, history = imprint.train(network, task, iterations=40, progress=True)
    err = capfd.readouterr().err
    assert "\r" not in err
    lines = err.splitlines()
    assert len(lines) == len(history) - 1, err
    assert all(line.startswith("regression-2x2 step ") for line in lines)
    assert lines[-1].startswith("regression-2x2 step 40/40")


def test_a_network_becomes_a_spring_network_only_when_it_is_rigid(tmp_path):
    # Issue 28 items 1-2: the physics is a property of the network, saved
    # and read back; floppy networks are refused with their count.
    plain = imprint.Network.lattice(4, 4)
    assert plain.physics == "resistive"
    with pytest.raises(Exception, match="5 floppy modes"):
        plain.as_spring()
    braced = imprint.Network.lattice(4, 4, diagonals=True).as_spring()
    assert braced.physics == "spring"
    text = braced.describe()
    assert "physics      spring" in text
    assert "0 floppy" in text
    braced.save(tmp_path / "spring.json")
    back = imprint.Network.load(tmp_path / "spring.json")
    assert back.physics == "spring"
    assert back.edge_count == 33 and "spring" in repr(back)
    # The same generator flags as the command line.
    assert imprint.Network.generate("square", columns=4, rows=4, diagonals=True).edge_count == 33



def _compatibility(pos, edges):
    """Q (2N x E) of an open spring network: column e holds -b_e at node i
    and +b_e at node j (docs/theory.md section 9), built here with numpy."""
    q = np.zeros((2 * len(pos), len(edges)))
    for e, (i, j) in enumerate(edges):
        b = pos[j] - pos[i]
        b /= np.linalg.norm(b)
        q[2 * i : 2 * i + 2, e] -= b
        q[2 * j : 2 * j + 2, e] += b
    return q

def test_a_spring_network_solves_as_numpy_does(tmp_path):
    # Issue 28: the sparse spring solve against a dense numpy solve of
    # K = Q diag(k) Q^T on the free components (Q from the positions).
    net = imprint.Network.lattice(5, 4, diagonals=True).as_spring()
    rng = np.random.default_rng(3)
    k = rng.uniform(0.5, 2.0, net.edge_count)
    net.conductance = k
    n = net.node_count
    hold = [(0, 0, 0.0), (0, 1, 0.0), (4, 1, 0.0), (19, 0, 0.02)]
    forces = rng.normal(size=(n, 2)) * 0.1
    out = imprint.solve_spring(net, hold, forces)
    pos, edges = net.positions, net.edges
    q = _compatibility(pos, edges)
    stiffness = q @ np.diag(k) @ q.T
    held = [2 * node + c for node, c, _ in hold]
    values = np.array([v for _, _, v in hold])
    free = [d for d in range(2 * n) if d not in held]
    u = np.zeros(2 * n)
    u[held] = values
    rhs = forces.reshape(-1)[free] - stiffness[np.ix_(free, held)] @ values
    u[free] = np.linalg.solve(stiffness[np.ix_(free, free)], rhs)
    assert np.allclose(out["displacements"].reshape(-1), u, rtol=0, atol=1e-12)
    assert np.allclose(out["extensions"], q.T @ u, rtol=0, atol=1e-12)
    assert np.allclose(out["tensions"], k * (q.T @ u), rtol=0, atol=1e-12)
    reaction = (stiffness @ u - forces.reshape(-1))[held]
    assert np.allclose(out["hold_forces"], reaction, rtol=0, atol=1e-12)
    assert out["displacement_error"] <= 1e-12
    # Only node 0 held: the lattice still turns about it.
    with pytest.raises(Exception, match="1 zero modes"):
        imprint.solve_spring(net, [(0, 0, 0.0), (0, 1, 0.0)])
    with pytest.raises(Exception, match="components are 0"):
        imprint.solve_spring(net, [(0, 2, 0.0)])


def test_spring_tasks_train_and_analyse_as_resistor_ones_do():
    """A built-in task on a spring network is its spring counterpart
    (docs/theory.md section 9): allostery holds both ends of a source bond
    apart along it; the targets are bond extensions. Its free outputs equal
    a dense numpy solve of Q diag(k) Q^T, the second-order trainer learns
    it, and the analysis runs on the bordered stiffness matrix."""
    net = imprint.Network.lattice(5, 6, kind="triangular").as_spring()
    rng = np.random.default_rng(3)
    k = rng.uniform(0.5, 2.0, net.edge_count)
    net.conductance = k
    task = imprint.Task.builtin("allostery", net, target_edges=2)
    assert len(task.fixed_nodes) == 4 and task.output_edges is not None
    n = net.node_count
    pos, edges = net.positions, net.edges
    q = _compatibility(pos, edges)
    stiffness = q @ np.diag(k) @ q.T
    held = list(task.fixed_nodes)
    free = [d for d in range(2 * n) if d not in held]
    u = np.zeros(2 * n)
    u[held] = task.fixed_voltages[0]
    u[free] = np.linalg.solve(stiffness[np.ix_(free, free)], -stiffness[np.ix_(free, held)] @ u[held])

    def extension(i, j):
        b = pos[j] - pos[i]
        return np.dot(u[2 * j : 2 * j + 2] - u[2 * i : 2 * i + 2], b / np.linalg.norm(b))

    outputs = np.array([extension(i, j) for i, j in task.output_edges])
    cost = 0.5 * np.sum((outputs - task.targets[0]) ** 2)
    assert imprint.evaluate(net, task)["cost"] == pytest.approx(cost, rel=1e-12)
    # Training and analysis on a periodic jammed packing (rigid once its
    # rattlers are peeled), where the allosteric task is realisable.
    net = imprint.Network.jammed(nodes=100, seed=1).as_spring()
    task = imprint.Task.builtin("allostery", net, target_edges=2)
    assert "every rigid-body and floppy motion pinned" in net.describe(task)
    trained, history = imprint.train(net, task, rule="levenberg-marquardt", iterations=200)
    assert trained.physics == "spring"
    assert history[-1]["cost"] < 1e-20 * history[0]["cost"]
    result = imprint.analyze(trained, task, method="dense", boundary="held")
    assert len(result["susceptibility"]) == trained.edge_count
    assert np.all(np.isfinite(result["susceptibility"]))
    # The sample's state is the displacements, two per node.
    assert len(result["sample_voltages"]) == 2 * trained.node_count
