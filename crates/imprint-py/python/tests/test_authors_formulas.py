"""imprint's analysis against the paper's own formulas, re-implemented in numpy
from the authors' plotting notebook (ftmartins/code_microscopic_imprints,
examplePlottingRoutines.ipynb, cells 21 and 37): the bordered Hessian with only
the ground as border, its eigendecomposition in numpy's eigh order, the
susceptibility matrix S = (B_ext^T phi / lambda) phi^T (rows s_e), and the
partial susceptibility ||S^(m)||_F / ||S||_F.

Two conventions differ, on purpose, and are checked as such:
- the authors' Laplacian is 2 B diag(k) B^T (power sum k dV^2); imprint's is
  B diag(k) B^T (1/2 sum k dV^2). With 2L the voltage part of every s_e halves
  and the multiplier part is unchanged, which the second test checks exactly.
- their notebook rounds B_ext^T phi to 11 decimals; the re-implementation here
  does not (a display artefact, not part of the physics).
"""

import json

import numpy as np
import pytest

import imprint


def trained(seed):
    net = imprint.Network.jammed(nodes=48, seed=seed)
    task = imprint.Task.builtin("regression-2x2", net, samples=12, seed=seed)
    trained_net, _ = imprint.train(net, task, iterations=300)
    return trained_net, task


def authors_matrices(net, task, laplacian_factor):
    """Cells 21 and 37 in numpy: H_g, its eigenpairs, S and the partial curve."""
    grounds = json.loads(task.to_json())["roles"]["grounds"]
    n, edges, k = net.node_count, net.edges, net.conductance
    incidence = np.zeros((n, len(edges)))  # columns b_e: +1 at i, -1 at j
    incidence[edges[:, 0], np.arange(len(edges))] = 1.0
    incidence[edges[:, 1], np.arange(len(edges))] = -1.0
    power_hessian = laplacian_factor * (incidence * k) @ incidence.T
    q = np.zeros((n, len(grounds)))
    q[grounds, np.arange(len(grounds))] = 1.0
    extended = np.block([[power_hessian, q], [q.T, np.zeros((len(grounds), len(grounds)))]])
    evals, evecs = np.linalg.eigh(extended)
    extended_incidence = np.vstack([incidence, np.zeros((len(grounds), len(edges)))])
    devecs = extended_incidence.T @ evecs
    susceptibility = (devecs / evals) @ evecs.T  # E x (N + |C|), rows s_e
    curve = []
    for nmode in range(1, len(evals) + 1):
        partial = (devecs[:, :nmode] / evals[:nmode]) @ evecs[:, :nmode].T
        curve.append(np.linalg.norm(np.linalg.norm(partial, axis=0)))
    curve = np.array(curve) / curve[-1]
    return susceptibility, curve


@pytest.mark.parametrize("seed", [2, 5])
def test_chi_and_the_partial_susceptibility_equal_the_authors_formulas(seed):
    net, task = trained(seed)
    ours = imprint.analyze(net, task, method="dense")
    s, curve = authors_matrices(net, task, laplacian_factor=1.0)
    # s_e as columns here, as rows there.
    np.testing.assert_allclose(ours["susceptibility_vectors"].T, s, rtol=0, atol=1e-10 * np.abs(s).max())
    chi = np.linalg.norm(s, axis=1)
    np.testing.assert_allclose(ours["susceptibility"], chi, rtol=1e-10)
    # The authors' normalised form s-hat_e = chi_e / ||chi|| ranks edges the same way.
    hat = chi / np.linalg.norm(chi)
    assert np.array_equal(np.argsort(hat), np.argsort(ours["susceptibility"]))
    np.testing.assert_allclose(ours["partial_susceptibility_norm"], curve, rtol=0, atol=1e-10)


def test_the_authors_factor_two_halves_the_voltage_part_of_s_e():
    net, task = trained(3)
    ours = imprint.analyze(net, task, method="dense")["susceptibility_vectors"].T
    theirs, _ = authors_matrices(net, task, laplacian_factor=2.0)
    n = net.node_count
    scale = np.abs(ours).max()
    np.testing.assert_allclose(theirs[:, :n], ours[:, :n] / 2, rtol=0, atol=1e-10 * scale)
    np.testing.assert_allclose(theirs[:, n:], ours[:, n:], rtol=0, atol=1e-10 * scale)
