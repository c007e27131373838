"""`imprint.reproduce` and `imprint reproduce` are one reproduction (issue
27 item 3): the same library code, so the same claims.json apart from
timings, and the same report."""

import json
import os
import subprocess

import pytest

import imprint


def same_apart_from_timings(a, b, path="claims.json"):
    if isinstance(a, dict):
        assert set(a) == set(b), path
        for key in a:
            if "seconds" not in key:
                same_apart_from_timings(a[key], b[key], f"{path}/{key}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            same_apart_from_timings(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-300), path
    else:
        assert a == b, path


def test_python_and_the_command_line_reproduce_the_same_claims(tmp_path):
    binary = os.environ.get("IMPRINT_BIN")
    if not binary:
        pytest.fail("IMPRINT_BIN must name the imprint binary (.ci/run sets it)")
    record = imprint.reproduce(tmp_path / "py", quick=True, seeds=1)
    done = subprocess.run([binary, "reproduce", "--quick", "--seeds", "1", "--out", str(tmp_path / "cli")], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    cli = json.loads((tmp_path / "cli" / "claims.json").read_text())
    same_apart_from_timings(record, cli)
    assert record == json.loads((tmp_path / "py" / "claims.json").read_text())
    assert (tmp_path / "py" / "index.html").stat().st_size > 10_000
    assert (tmp_path / "py" / "figures" / "network.png").exists()
    # A second reproduction into the same folder must be asked for.
    with pytest.raises(imprint.ImprintError, match="already holds a reproduction"):
        imprint.reproduce(tmp_path / "py", quick=True, seeds=1)
    with pytest.raises(imprint.ImprintError, match="network"):
        imprint.reproduce(tmp_path / "other", quick=True, seeds=1, network="lattice")


def test_seed_counts_are_checked_by_the_library(tmp_path):
    """The library refuses a seed count outside 1..100, for Python as for
    the command line (Python alone checked 0, the command line alone 100)."""
    for seeds in (0, 101):
        with pytest.raises(imprint.ImprintError, match=f"seeds: {seeds} is not between 1 and 100"):
            imprint.reproduce(out=str(tmp_path / "r"), seeds=seeds)
    assert not (tmp_path / "r").exists()
