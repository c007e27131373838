"""imprint.sweep from Python: plan, run, status and collect give what the
command line gives, as a DataFrame with pandas and as dicts without it."""

import csv
import math
import os
import subprocess
import sys

import pytest

import imprint.sweep

SWEEP = """
[base]
network.generator = "jammed"
network.nodes = 64
training.iterations = 300
[axes]
seed = "1..2"
"task.name" = ["regression-2x2", "allostery"]
"""


def wilson(k, n, z=1.959963984540054):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(centre - half, 0.0), min(centre + half, 1.0)


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sweep")
    (folder / "sweep.toml").write_text(SWEEP)
    assert imprint.sweep.plan(folder / "sweep.toml", folder / "out") == 4
    assert imprint.sweep.status(folder / "out") == ["pending"] * 4
    counts = imprint.sweep.run(folder / "out", workers=2)
    assert counts == {"already_done": 0, "done": 4, "failed": 0, "stopped": 0}
    # Done runs are recognised.
    assert imprint.sweep.run(folder / "out")["already_done"] == 4
    assert imprint.sweep.status(folder / "out") == ["done"] * 4
    return folder / "out"


def test_collect_returns_the_table_of_the_command_line(swept):
    table = imprint.sweep.collect(swept)
    try:
        import pandas  # noqa: F401

        records = table.to_dict("records")
        columns = list(table.columns)
    except ImportError:
        records = table
        columns = list(records[0])
    assert columns[:4] == ["index", "status", "seed", "task.name"]
    assert [r["seed"] for r in records] == [1, 1, 2, 2]
    assert all(r["status"] == "done" and r["final_cost"] < r["initial_cost"] for r in records)
    binary = os.environ.get("IMPRINT_BIN")
    if binary:
        subprocess.run([binary, "sweep", "collect", str(swept)], check=True, capture_output=True)
        with open(swept / "sweep.csv") as f:
            rows = list(csv.DictReader(f))
        assert list(rows[0]) == columns
        for row, record in zip(rows, records):
            assert float(row["final_cost"]) == record["final_cost"]
            assert row["task.name"] == record["task.name"]


def test_claims_carry_wilson_intervals(swept):
    for claim in imprint.sweep.claims(swept):
        held = sum(1 for _, _, holds in claim["values"] if holds)
        runs = len(claim["values"])
        assert claim["overall"]["held"] == held and claim["overall"]["runs"] == runs
        assert claim["overall"]["interval"] == pytest.approx(wilson(held, runs), abs=1e-12)
        assert len(claim["by_axis"]) == 2


def test_report_writes_what_the_command_line_writes(swept):
    page = imprint.sweep.report(swept)
    assert page == swept / "report" / "index.html"
    assert "the claims across 4 runs" in page.read_text()
    assert (swept / "report" / "figures" / "claims.png").exists()
    with open(swept / "sweep.csv") as f:
        assert len(list(csv.DictReader(f))) == 4


def test_without_pandas_the_table_is_a_list_of_dicts(swept, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    records = imprint.sweep.collect(swept)
    assert isinstance(records, list) and isinstance(records[0], dict)
    assert records[3]["task.name"] == "allostery"


def test_bad_sweeps_are_refused_with_one_line(tmp_path):
    (tmp_path / "s.toml").write_text("[axes]\nseed = [1]\n\"training.speed\" = [2]\n")
    with pytest.raises(imprint.ImprintError, match="unknown field `speed`"):
        imprint.sweep.plan(tmp_path / "s.toml", tmp_path / "out")
    with pytest.raises(imprint.ImprintError, match="not a sweep folder"):
        imprint.sweep.collect(tmp_path)


def test_every_generator_parameter_is_settable_from_python_and_sweeps(tmp_path):
    """Issue 27 item 1: the run file's `[network]` is the library's
    NetworkSpec, so a sweep axis over any generator parameter reaches the
    generator, and Network.generate takes the same names."""
    import json

    import imprint

    made = json.loads(imprint.Network.generate("cluster", nodes=40, central=0.001, size_ratio=0.7).to_json())
    assert made["metadata"]["parameters"]["central"] == 0.001
    assert made["metadata"]["parameters"]["size_ratio"] == 0.7
    with pytest.raises(imprint.ImprintError, match="unknown field `pressure`"):
        imprint.Network.generate("delaunay", nodes=20, pressure=0.1)
    (tmp_path / "sweep.toml").write_text(
        '[base]\nnetwork.generator = "cluster"\nnetwork.nodes = 40\ntraining.iterations = 20\n'
        '[axes]\n"network.size_ratio" = [0.7, 0.9]\n'
    )
    assert imprint.sweep.plan(tmp_path / "sweep.toml", tmp_path / "out") == 2
    assert imprint.sweep.run(tmp_path / "out", workers=1)["done"] == 2
    used = sorted(
        json.loads(path.read_text())["metadata"]["parameters"]["size_ratio"]
        for path in (tmp_path / "out").rglob("network-initial.json")
    )
    assert used == [0.7, 0.9]
