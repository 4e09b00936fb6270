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


# ---------------------------------------------------------------- every example of the docs

ROOT = README.parent
DOCS = [README] + sorted((ROOT / "docs").glob("*.md"))
RUN_BY = "<!-- run by "


def _examples(page):
    """[(line, code, the test that runs it or None)] of the ```python blocks of ``page``.

    A block right under ``<!-- run by tests/NAME.py -->`` needs what only that test
    sets up (a Ctrl-C, NIST's files): that test runs it.
    """
    lines = page.read_text().splitlines()
    found = []
    for i, line in enumerate(lines):
        if line.strip() == "```python":
            end = lines.index("```", i + 1)
            above = lines[i - 1].strip() if i else ""
            runner = above[len(RUN_BY):-len(" -->")] if above.startswith(RUN_BY) else None
            found.append((i + 1, "\n".join(lines[i + 1:end]) + "\n", runner))
    return found


@pytest.mark.parametrize("page", DOCS, ids=lambda p: p.name)
def test_every_example_of_the_page_runs(page, tmp_path, monkeypatch):
    # the blocks of one page run in order in one namespace, as a reader would run them,
    # in an empty folder; warnings are expected (the walk-through's DivergenceWarning)
    import warnings

    monkeypatch.chdir(tmp_path)
    scope = {"__name__": "__main__"}
    ran = 0
    for line, code, runner in _examples(page):
        if runner is not None:
            # the named test exists and says which page it runs
            assert page.name in (ROOT / runner).read_text(), (page.name, line, runner)
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile("\n" * (line - 1) + code, str(page), "exec"), scope)
        ran += 1
    if "matplotlib.pyplot" in __import__("sys").modules:
        __import__("matplotlib.pyplot").pyplot.close("all")
    assert ran or page.name in ("guarantees.md", "nist.md", "reference.md")


def test_every_page_of_examples_is_run():
    # the pages above hold examples; a page is not left out because it has none any more
    counts = {page.name: len(_examples(page)) for page in DOCS}
    assert counts["README.md"] >= 5 and counts["guide.md"] >= 3


def _make_reference():
    import importlib.util

    spec = importlib.util.spec_from_file_location("gdfast_make_reference",
                                                  ROOT / "docs" / "make_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_reference_page_is_what_the_docstrings_say():
    # docs/reference.md is written from the docstrings: a docstring changed without
    # `python docs/make_reference.py` fails here
    module = _make_reference()
    assert (ROOT / "docs" / "reference.md").read_text() == module.render(), (
        "docs/reference.md is out of date: run python docs/make_reference.py")


def test_the_reference_pages_examples_run():
    # the docstrings' examples, as the page shows them (doctest; +SKIP where they need data
    # or a cluster the page does not make)
    import doctest

    text = (ROOT / "docs" / "reference.md").read_text()
    blocks = [b.split("```", 1)[0] for b in text.split("```text\n")[1:]]
    parser, examples = doctest.DocTestParser(), 0
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for i, block in enumerate(blocks):
        test = parser.get_doctest(block, {}, f"reference.md block {i}", "reference.md", 0)
        examples += len(test.examples)
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0 and examples >= 5
