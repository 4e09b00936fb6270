"""`gdfast demo` runs as a user runs it: in a fresh process."""
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import gdfast
from gdfast import _demo


def _run(*args, cwd):
    # cwd outside the repository, so `-m gdfast` cannot pick up the source tree
    return subprocess.run([sys.executable, "-m", "gdfast", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_demo_prints_start_mse_and_a_line_close_to_lstsq(tmp_path):
    proc = _run("demo", "--n", "60", "--seed", "3", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    x, y = _demo.make_points(60, 3)
    start_mse = gdfast.cost(x, y, 0.0, -5.0)
    assert f"its MSE is {start_mse:.4f}" in out
    assert "seed 3" in out

    fitted = re.search(r"gradient descent:\s+y = (\S+) \+ (\S+)\*x", out)
    (b0, b1), *_ = np.linalg.lstsq(np.column_stack([np.ones_like(x), x]), y, rcond=None)
    assert float(fitted.group(1)) == pytest.approx(b0, abs=2e-6)
    assert float(fitted.group(2)) == pytest.approx(b1, abs=2e-6)
    assert "bouncing" in out
    assert "DivergenceError" in out


def test_demo_console_script(tmp_path):
    script = Path(sys.executable).with_name("gdfast")
    if not script.exists():  # pragma: no cover - only when not installed in this environment
        pytest.fail(f"the console script was not installed next to {sys.executable}")
    proc = subprocess.run([str(script), "demo", "--n", "10"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "np.linalg.lstsq" in proc.stdout


def test_demo_rejects_bad_n(tmp_path):
    proc = _run("demo", "--n", "0", cwd=tmp_path)
    assert proc.returncode == 2
    assert "--n: must be an integer >= 1" in proc.stderr


@pytest.mark.parametrize("n", [1, 2, 5])
def test_demo_tiny_data(n):
    lines = []
    _demo.run(n=n, seed=0, out=lines.append)
    assert any("np.linalg.lstsq" in line for line in lines)


def test_table_rows():
    assert _demo._table_rows(340) == [0, 1, 2, 5, 10, 20, 50, 100, 200, 340]
    assert _demo._table_rows(0) == [0]
