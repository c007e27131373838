"""Ensembles from Python: the sweeps of ``imprint sweep``, through the same
library calls::

    import imprint.sweep
    imprint.sweep.plan("sweep.toml", "out")     # [base], [axes], [sweep]
    imprint.sweep.run("out", workers=2)         # continues where it stopped
    table = imprint.sweep.collect("out")        # pandas DataFrame (list of dicts without pandas)
    imprint.sweep.claims("out")                 # each claim's fraction with its 95 % Wilson interval
    imprint.sweep.report("out")                 # sweep.csv, claims.json, report/index.html

Submitting to Slurm stays with the command line (``imprint sweep submit DIR
--slurm``): each array task calls the ``imprint`` binary. A sweep submitted
there is collected here like any other.
"""

import json as _json
import os as _os

from ._imprint import sweep_collect as _collect
from ._imprint import sweep_plan as _plan
from ._imprint import sweep_report as _report
from ._imprint import sweep_run as _run
from ._imprint import sweep_status as _status

__all__ = ["plan", "run", "status", "collect", "claims", "report"]


def plan(file, output, max_runs=None):
    """Expands the sweep file ``file`` into a plan of runs in the new folder
    ``output``; returns the number of runs. Unknown fields are refused with the
    run named; more than ``max_runs`` runs are refused (default: the
    library's, ``imprint.defaults()["max_runs"]``)."""
    return _plan(_os.fspath(file), _os.fspath(output), max_runs)


def run(directory, workers=0, retry_failed=False):
    """Runs every run of the sweep in ``directory`` that is not done, ``workers``
    at a time (0: one per core; more than the cores are capped at the cores).
    Returns a dict of counts: ``already_done``,
    ``done``, ``failed``, ``stopped``. A failed run is recorded with its error
    and does not stop the others."""
    counts = _run(_os.fspath(directory), workers, retry_failed)
    return dict(zip(["already_done", "done", "failed", "stopped"], counts))


def status(directory):
    """The state of each run, in index order: ``pending``, ``started``
    (running, or interrupted), ``done`` or ``failed``."""
    return _status(_os.fspath(directory))


def _collected(directory):
    return _json.loads(_collect(_os.fspath(directory)))


def collect(directory):
    """The sweep's table, one row per run, with the columns of ``sweep.csv``
    (``index``, ``status``, one per swept field by its dotted path, costs,
    accuracies, stiff modes, each claim's metric and verdict, wall time,
    error): a pandas DataFrame when pandas is installed, a list of dicts
    otherwise. Missing values are ``None`` (NaN in the DataFrame)."""
    data = _collected(directory)
    records = [dict(zip(data["columns"], row)) for row in data["rows"]]
    try:
        import pandas as pd
    except ImportError:
        return records
    return pd.DataFrame(records, columns=data["columns"])


def claims(directory):
    """Each claim of docs/theory.md section 6 judged on every finished run: a list of
    dicts with ``id``, ``statement``, ``criterion``, ``metric``, ``values``
    ((index, value, holds) per run), ``overall`` and ``by_axis`` (each a dict
    with ``runs``, ``held``, ``fraction`` and the 95 % Wilson ``interval``)."""
    return _collected(directory)["claims"]


def report(directory):
    """Writes what ``imprint sweep collect`` writes: ``sweep.csv``,
    ``claims.json`` and ``report/`` (figures and ``index.html``) in
    ``directory``; returns the path of ``index.html``."""
    return _report(_os.fspath(directory))
