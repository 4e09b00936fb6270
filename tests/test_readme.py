"""The README's tour runs as written (the docs stay true)."""
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _tour_code():
    tour = README.read_text().split("## A tour", 1)[1]
    return tour.split("```python", 1)[1].split("```", 1)[0]


def test_the_tour_in_five_lines_runs():
    code = _tour_code()
    assert len(code.strip().splitlines()) == 5
    scope = {}
    exec(compile(code, str(README), "exec"), scope)
    res = scope["res"]
    assert res.converged and res.history.iteration[0] == 0
    assert (res.history.intercept[0], res.history.slope[0]) == (0.0, -5.0)
    assert res.slope == pytest.approx(1.4673, abs=1e-4)


def test_the_scikit_learn_example_runs_and_its_numbers_hold():
    section = README.read_text().split("## scikit-learn", 1)[1]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    scope = {}
    exec(compile(code, str(README), "exec"), scope)
    model, reg, X, y = scope["model"], scope["reg"], scope["X"], scope["y"]
    assert model.score(X, y) == pytest.approx(0.5177, abs=1e-4)
    assert reg.intercept_ == pytest.approx(152.13, abs=0.01) and abs(reg.n_iter_ - 4294) <= 10
    assert len(reg.loss_curve_) == reg.n_iter_ + 1


def test_the_large_data_example_runs_and_matches_fit_stats():
    import numpy as np

    import gdfast

    section = README.read_text().split("## Large data", 1)[1]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    scope = {}
    exec(compile(code, str(README), "exec"), scope)
    res, x, y = scope["res"], scope["x"], scope["y"]
    whole = gdfast.fit(x, y, method="stats", learning_rate="auto", tol=1e-10)
    # the same stopping iteration although the merged statistics differ by rounding: the
    # gradient norms cross tol far from it (60 % below at the stop, 50 times above before)
    assert res.converged and res.n_iter == whole.n_iter
    np.testing.assert_allclose(res.coef, whole.coef, rtol=1e-10)
    np.testing.assert_allclose(res.coef, [2.0, -1.0, 0.5], atol=1e-3)


def _console_commands():
    """[(command, [the lines shown under it])] of the README's `gdfast fit` console block."""
    section = README.read_text().split("Fitting a CSV from the shell", 1)[1]
    block = section.split("```console\n", 1)[1].split("```", 1)[0]
    commands = []
    for line in block.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        else:
            commands[-1][1].append(line)
    return commands


def test_the_console_block_prints_what_it_shows(tmp_path):
    import os
    import subprocess
    import sys

    commands = _console_commands()
    assert len(commands) == 3 and commands[1][0].startswith("gdfast fit houses.csv")
    # `python` and `gdfast` are this environment's, as after the README's `pip install .`
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    for command, shown in commands:
        proc = subprocess.run(command, shell=True, cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == 0, (command, proc.stderr)
        assert proc.stdout.splitlines() == shown, command
    import json

    result = json.loads((tmp_path / "result.json").read_text())
    assert (result["file"], result["y"], result["x"]) == ("houses.csv", "price", ["size"])
    assert (tmp_path / "history.csv").exists() and (tmp_path / "pictures" / "fit.png").exists()
