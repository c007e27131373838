"""The README's Python steps, run exactly as written (issue 16): the
snippet of the "From Python" section and examples/python/quickstart.py."""

import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[4]


def readme_python_blocks():
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_the_readme_snippet_runs_as_written():
    blocks = readme_python_blocks()
    assert blocks, "the README has no python block"
    pytest.importorskip("networkx")
    namespace = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    trained, history, result, g = (namespace[k] for k in ("trained", "history", "result", "g"))
    assert history[-1]["cost"] < 1e-6 * history[0]["cost"]
    assert result["susceptibility"].shape == (trained.edge_count,)
    assert g.number_of_edges() == trained.edge_count


def test_the_quickstart_runs_as_written(tmp_path):
    pytest.importorskip("matplotlib")
    script = ROOT / "examples" / "python" / "quickstart.py"
    env = dict(os.environ, MPLBACKEND="Agg")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "quickstart.png").stat().st_size > 10_000
