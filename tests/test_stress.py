"""The stress tests of issue 8, each in a child process (tests/stress/*.py).

A child can crash (a signal), leak or hang without taking the test run with
it: a crash is reported with the signal and the input that caused it.  The
same children print the figures of docs/guarantees.md
(``python tests/stress/report.py``).
"""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

STRESS = Path(__file__).parent / "stress"

# The crash hunt's inputs per target (fit, cost; the CLI gets a fifth): the
# in-process property tests run fewer of the same checks.
HUNT_EXAMPLES = 1500


def run_child(script, *args, log=None, timeout=300):
    """Run tests/stress/SCRIPT; return its JSON figures, or fail saying how it died."""
    child = subprocess.run([sys.executable, str(STRESS / script), *map(str, args)],
                           capture_output=True, text=True, timeout=timeout,
                           env={**os.environ, "PYTHONFAULTHANDLER": "1"})
    if child.returncode < 0:
        name = signal.Signals(-child.returncode).name
        last = Path(log).read_text() if log and Path(log).exists() else "(no log)"
        raise AssertionError(f"{script} was killed by {name}; the input it was running:\n"
                             f"{last}\nstderr:\n{child.stderr[-4000:]}")
    assert child.returncode == 0, f"{script} failed:\n{child.stderr[-8000:]}"
    return json.loads(child.stdout.strip().splitlines()[-1])


def test_crash_hunt_in_a_child_process(tmp_path):
    """Hypothesis inputs through the compiled path; a segfault would fail this test, not the run."""
    log = tmp_path / "last-input.txt"
    figures = run_child("crash_hunt.py", HUNT_EXAMPLES, log, log=log)
    assert figures["inputs"] == {"fit": HUNT_EXAMPLES, "cost": HUNT_EXAMPLES,
                                 "cli": HUNT_EXAMPLES // 5, "estimator": HUNT_EXAMPLES // 3}
    assert figures["outcomes"]["estimator"].get("fitted", 0) > 0
    fit = figures["outcomes"]["fit"]
    # every kind of outcome was reached, so the hunt explored each path
    for outcome in ("rejected", "converged", "max_iter", "diverged", "refused: standardize"):
        assert fit.get(outcome, 0) > 0, (outcome, fit)
    assert figures["outcomes"]["cost"].get("finite", 0) > 0
    assert figures["outcomes"]["cli"].get("fitted", 0) > 0
    assert log.read_text() == "done: \n"


def test_run_child_reports_a_crash_and_its_input(tmp_path, monkeypatch):
    """The harness itself: a child killed by a signal is a failure naming the signal and input."""
    script = tmp_path / "crash.py"
    script.write_text("import os, signal, sys\nopen(sys.argv[1], 'w').write('fit: x=[1e308]')\n"
                      "os.kill(os.getpid(), signal.SIGSEGV)\n")
    monkeypatch.setattr(sys.modules[__name__], "STRESS", tmp_path)
    log = tmp_path / "log.txt"
    try:
        run_child("crash.py", log, log=log)
    except AssertionError as err:
        assert "killed by SIGSEGV" in str(err) and "x=[1e308]" in str(err)
    else:
        raise AssertionError("a crashed child must fail the test")


def test_memory_stays_flat_over_10000_fits_and_one_of_1e8_iterations():
    figures = run_child("soak.py", 10_000, 10 ** 8)
    long_fit, loop = figures["long_fit"], figures["loop"]
    # the 10**8-iteration fit keeps its first and last rows only, and its
    # peak resident memory grows by less than 1 MiB (no history buffer per slice kept)
    assert long_fit["iterations"] == 10 ** 8 and long_fit["history_rows"] == 2
    assert long_fit["peak_rss_after"] - long_fit["peak_rss_before"] < 2 ** 20, long_fit
    # 8000 fits of every kind after warm-up: under 32 bytes per fit of resident
    # growth (a leaked history or array would be kilobytes per fit) ...
    growth = loop["rss_end"] - loop["rss_start"]
    assert growth < 32 * loop["measured_fits"], loop
    # ... and what Python traces over 1000 more fits grows by under 16 bytes per fit
    assert loop["traced_growth"] < 16 * loop["traced_fits"], loop


def test_threads_give_sequential_answers_and_the_gil_is_released():
    figures = run_child("threads.py", 600)
    parallel, share = figures["parallel"], figures["gil_share"]
    # 8 threads at once on shared read-only arrays: bit-identical results and histories
    assert parallel["threads"] == 8 and parallel["identical"], parallel
    # a Python thread runs beside one long kernel call (the GIL is released),
    # as beside hashlib.sha256; sum(range()), which holds the GIL, stops it.
    # This holds however busy the machine's cores are.
    assert share["fit"] > 0.2 and share["fit"] > 0.5 * share["hashlib.sha256"], share
    assert share["sum(range(...))"] < share["fit"] / 3, share
    # The wall-time speedup of the 8 threaded fits is measured and reported
    # (tests/stress/report.py) but not asserted: it depends on what else the
    # shared machine runs at that moment, and tests never assert a wall-clock
    # time.  The share above shows the GIL is released whatever the load.
    assert parallel["speedup"] > 0, parallel


# ---------------------------------------------------------------------------
# The table of hostile inputs in docs/guarantees.md (tests/stress/hostile.py)
# ---------------------------------------------------------------------------
NAMED = "named cases of issues 17 and 18"


def _hostile(*args, env=None):
    """``python tests/stress/hostile.py ARGS``: (its table's rows {kind: [numbers]}, stderr)."""
    child = subprocess.run([sys.executable, str(STRESS / "hostile.py"), *args],
                           capture_output=True, text=True, timeout=600,
                           env={**os.environ, **(env or {})})
    assert child.returncode == 0, child.stderr[-4000:]
    return _table_rows(child.stdout), child.stderr


def _table_rows(text):
    """{kind: [tried, clear error, correct, crashes, wrong, hangs, lost]} of the Markdown table
    that hostile.py prints, and the header line, under the key "header"."""
    lines = [line for line in text.splitlines() if line.startswith("| ")]
    rows = {"header": lines[0]}
    for line in lines[1:]:
        cells = [c.strip().strip("*") for c in line.strip("|").split("|")]
        rows[cells[0]] = [int(c) for c in cells[1:]]
    return rows


def test_hostile_inputs_harness_tells_each_outcome_apart():
    rows, stderr = _hostile("--kinds", "harness self-test", env={
        "GDFAST_HOSTILE_SELF_TEST": "1", "GDFAST_HOSTILE_CASE_SECONDS": "10"})
    # tried, clear error, correct, crash (a SIGSEGV and an undocumented exception),
    # wrong, hang, lost: a crash or a hang ends that child, the next one goes on
    assert rows["harness self-test"] == [7, 2, 0, 2, 1, 1, 1], stderr
    assert "#1: crash (exit -11)" in stderr and "#3: hang" in stderr and "KeyError" in stderr


def test_hostile_inputs_table_in_the_guarantees_is_the_commands():
    """The named cases (the same whatever --examples) give the doc's row exactly, and the
    doc's table is the command's: its header, each row adding up, the last four at zero."""
    rows, _ = _hostile("--examples", "1", "--kinds", NAMED)
    doc = _table_rows((Path(__file__).parents[1] / "docs" / "guarantees.md").read_text()
                      .split("## Hostile inputs", 1)[1].split("\n## ", 1)[0])
    assert doc["header"] == rows["header"]
    assert doc[NAMED] == rows[NAMED]
    assert rows[NAMED][3:] == [0, 0, 0, 0]
    for kind, numbers in doc.items():
        if kind != "header":
            assert numbers[0] == sum(numbers[1:]) and numbers[3:] == [0, 0, 0, 0], kind
    kinds = [kind for kind in doc if kind not in ("header", "all")]
    assert [sum(doc[k][c] for k in kinds) for c in range(7)] == doc["all"]
