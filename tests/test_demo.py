"""`gdfast demo` runs as a user runs it: in a fresh process."""
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import gdfast
from gdfast.cli import _demo


def _run(*args, cwd):
    # cwd outside the repository, so `-m gdfast` cannot pick up the source tree
    return subprocess.run([sys.executable, "-m", "gdfast", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_demo_prints_start_mse_and_a_line_close_to_lstsq(tmp_path):
    proc = _run("demo", "--n", "60", "--seed", "3", "--no-plots", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    x, y = _demo.make_points(60, 3)
    start_mse = gdfast.cost(x, y, 0.0, -5.0, kind="mse")
    assert f"its MSE is {start_mse:.4f}" in out
    assert f"the one-half MSE, here {start_mse / 2:.4f}" in out
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
             "4-learning-rates.png", "5-overshooting.png", "6-descent.gif"]
    assert proc.stdout.splitlines()[-1] == (
        f"pictures: wrote 6 files to pics/demo/: {', '.join(names)}")
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


def test_demo_step_5_says_the_overshoot_is_in_the_parameters(oracle):
    # the text claims the cost falls on every step at 1.8/lambda_max: check it with the oracle
    lines = []
    _demo.run(n=100, seed=0, out=lines.append)
    step5 = "\n".join(lines).split("\n5. ")[1].split("\n6. ")[0]
    assert "it falls on every step; the overshoot is in the parameters, not the cost" in step5
    x, y = _demo.make_points(100, 0)
    rate = 1.8 / _demo.largest_curvature(x)
    rows = oracle(x, y, rate, 200, init=_demo.START)
    assert np.all(np.diff(rows[:, 3]) <= 1e-12 * rows[:-1, 3])
    best_b1 = np.linalg.lstsq(np.column_stack([np.ones_like(x), x]), y, rcond=None)[0][1]
    assert np.all(np.diff(np.sign(rows[:8, 2] - best_b1)) != 0)   # b1 jumps across


def test_demo_pictures_name_their_cost_and_show_the_overshoot(tmp_path, kept_pictures):
    from PIL import Image

    from gdfast.cli import _demo_pictures

    paths = _demo_pictures.write(tmp_path, n=100, seed=0)
    x, y = _demo.make_points(100, 0)
    # 2: the cost over b1, the MSE, and it says so
    (slice_ax,) = kept_pictures["2-cost-over-b1.png"]
    assert slice_ax.get_ylabel().startswith("MSE") and "one-half MSE" in slice_ax.get_title()
    dot = [line for line in slice_ax.get_lines() if line.get_color() == "red"][0]
    assert dot.get_ydata()[0] == pytest.approx(gdfast.cost(x, y, *_demo.START, kind="mse"))
    # 3 and 4: what fit minimises, the one-half MSE
    (contour_ax,) = kept_pictures["3-descent-on-the-cost.png"]
    assert contour_ax.get_title().startswith("one-half MSE")
    (rates_ax,) = kept_pictures["4-learning-rates.png"]
    assert rates_ax.get_ylabel().startswith("one-half MSE")
    curves = {line.get_label(): line.get_ydata() for line in rates_ax.get_lines()}
    (falling,) = [c for label, c in curves.items() if label.startswith("overshoots, the cost")]
    assert np.all(np.diff(falling) <= 0)          # what its label says
    assert any(label.startswith("diverged") for label in curves)
    # 5: the overshoot where it is: a zig-zag of b1 on the contour and against the iteration
    path_ax, b1_ax = kept_pictures["5-overshooting.png"]
    best_b1 = np.linalg.lstsq(np.column_stack([np.ones_like(x), x]), y, rcond=None)[0][1]
    path = [line for line in path_ax.get_lines() if line.get_label().startswith("descent")][0]
    assert np.all(np.diff(np.sign(path.get_ydata()[:8] - best_b1)) != 0)
    (b1_line,) = [line for line in b1_ax.get_lines()
                  if line.get_label().startswith("overshoots")]
    np.testing.assert_array_equal(b1_line.get_ydata(), path.get_ydata())
    assert b1_ax.get_ylabel() == "b1"
    with Image.open(paths[-1]) as gif:
        assert paths[-1].name == "6-descent.gif" and gif.n_frames > 10
