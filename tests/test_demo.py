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
    proc = _run("demo", "--n", "60", "--seed", "3", "--no-plots", cwd=tmp_path)
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
    proc = subprocess.run([str(script), "demo", "--n", "10", "--no-plots"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "np.linalg.lstsq" in proc.stdout


def test_demo_rejects_bad_n(tmp_path):
    proc = _run("demo", "--n", "0", cwd=tmp_path)
    assert proc.returncode == 2
    assert "--n: must be an integer from 1 to 1000000, got 0" in proc.stderr


@pytest.mark.parametrize("n", [1, 2, 5])
def test_demo_tiny_data(n):
    lines = []
    _demo.run(n=n, seed=0, out=lines.append)
    assert any("np.linalg.lstsq" in line for line in lines)


def test_table_rows():
    assert _demo._table_rows(340) == [0, 1, 2, 5, 10, 20, 50, 100, 200, 340]
    assert _demo._table_rows(0) == [0]


def test_demo_draws_the_pictures_into_a_folder_and_says_where(tmp_path):
    from PIL import Image

    proc = _run("demo", "--n", "40", "--out", "pics/demo", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    names = ["1-data-and-line.png", "2-cost-over-b1.png", "3-descent-on-the-cost.png",
             "4-learning-rates.png", "5-descent.gif"]
    assert proc.stdout.splitlines()[-1] == (
        f"pictures: wrote 5 files to pics/demo/: {', '.join(names)}")
    folder = tmp_path / "pics" / "demo"
    assert sorted(p.name for p in folder.iterdir()) == names
    for name in names:
        with Image.open(folder / name) as picture:
            assert picture.format == ("GIF" if name.endswith("gif") else "PNG")
            assert picture.size[0] > 300


def test_demo_default_folder_is_new_and_in_the_current_one(tmp_path, monkeypatch):
    from gdfast import cli

    monkeypatch.chdir(tmp_path)
    first = cli._new_folder()
    assert first.parent == Path(".") and first.name.startswith("gdfast-demo-")
    first.mkdir()
    second = cli._new_folder()
    assert not second.exists() and second.name.startswith(first.name)


def test_demo_without_matplotlib_says_how_to_get_the_pictures(tmp_path, run_python):
    code = ("import sys; sys.modules['matplotlib'] = None; from gdfast.cli import main; "
            "sys.exit(main(['demo', '--n', '10']))")
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == (
        'pictures: matplotlib is not installed; pip install "gdfast[plot]" and run gdfast demo '
        'again to get them (PNG and an animated GIF)')
    assert list(tmp_path.iterdir()) == []


def test_demo_output_is_clean_and_its_good_rate_is_not_called_bouncing(tmp_path):
    # the good rate is exactly 1/lambda_max: its diagnosis must not say it bounced,
    # and no raw Python warning may leak into what the user reads
    proc = _run("demo", "--n", "100", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    step3 = proc.stdout.split("\n4. ")[0].split("\n3. ")[1]
    assert "diagnosis: converged" in step3
    assert "bouncing" not in step3
    assert "Warning:" not in proc.stderr
