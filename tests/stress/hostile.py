"""Hostile inputs by kind, each kind run in child processes: the table of docs/guarantees.md.

    python tests/stress/hostile.py [--examples N] [--kinds NAME,NAME] [--json]

Every case is something a user or an attacker can hand gdfast: drawn arrays and
options (the strategies of ``inputs.py``, through ``fit``, ``cost`` and
``learning_rate_limits``, ``GDRegressor`` and ``gdfast fit``), damaged and
random data files (``test_readers_fuzz.py``'s), and the named cases of issues
17 and 18 (``NAMED``), each with what must come of it.  A kind's cases run in
a child process, one after the other; the parent reads one line per case.  A
child killed by a signal is a crash of the case it was running, one silent for
``CASE_SECONDS`` a hang of that case; either way a fresh child goes on from the
next case, so one crash does not hide the rest.  Each case ends as one of:

clear error
    refused with the documented ``TypeError``/``ValueError`` naming the
    argument (or the file, exit 2 and one line from the command line);
correct
    a result equal to an independent reference (the NumPy oracle, NumPy's
    cost, another reader's numbers, the unweighted or unmasked fit), or a
    documented stop (divergence, Ctrl-C, out of memory, the callback's
    exception) that carries its partial result;
crash
    the process killed by a signal, an undocumented exception, a traceback
    or an exit status other than 0, 1, 2 from the command line;
silent wrong answer
    a result, or an error, that breaks the contract (an assertion of the check);
hang
    no answer within ``CASE_SECONDS``;
lost result
    a documented stop without its partial result.

With ``--examples N`` the drawn kinds get N cases each (the CLI a fifth, the
estimator a third) and the damaged files N/50 per file and damage (default:
300, the figures of docs/guarantees.md).  The table is printed as Markdown;
``--json`` prints the counts instead.  tests/test_stress.py runs the named
cases (the same whatever N) and checks their row of the table in
docs/guarantees.md, and runs a self-test kind (``GDFAST_HOSTILE_SELF_TEST=1``:
one case of each outcome) to check that the parent tells them apart.
``GDFAST_HOSTILE_CASE_SECONDS`` sets how long a case may take (60 s).
"""
import argparse
import importlib.util
import json
import os
import select
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

HERE = Path(__file__).parent
TESTS = HERE.parent
CASE_SECONDS = float(os.environ.get("GDFAST_HOSTILE_CASE_SECONDS", 60))
OUTCOMES = ("clear error", "correct", "crash", "silent wrong answer", "hang", "lost result")
#: the table's columns after "kind" and "tried", in OUTCOMES' order
COLUMNS = ("handled with a clear error", "correct result", "crashes", "silent wrong answers",
           "hangs", "lost results")


# ---------------------------------------------------------------------------
# The cases of each kind (built the same way in every child, so an index names one)
# ---------------------------------------------------------------------------
def _module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _drawn(strategy_of, examples):
    """``examples`` values of the Hypothesis strategy ``strategy_of()``, the same on every run."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    drawn = []

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def collect(data):
        drawn.append(data.draw(strategy_of()))

    collect()
    return drawn


def _fit_cases(examples):
    inputs = _module("inputs", HERE / "inputs.py")
    conftest = _module("gdfast_conftest", TESTS / "conftest.py")
    properties = _module("gdfast_properties", TESTS / "test_properties.py")
    oracle = properties._path_oracle(conftest.numpy_descent, conftest.numpy_descent_features)

    import numpy as np
    from hypothesis import strategies as st

    def case(drawn):
        (x, y), (params, bad_name, bad_exc) = drawn
        moderate = all(np.asarray(a).dtype.kind in "biuf" and np.all(np.abs(np.asarray(
            a, dtype=np.float64)) <= 1e6) for a in (x, y))
        outcome = inputs.check_fit(x, y, params, bad_name, bad_exc,
                                   oracle=oracle if moderate else None)
        return "clear error" if outcome.startswith(("rejected", "refused")) else "correct"

    strategy = lambda: st.tuples(inputs.data(max_rows=12), inputs.fit_params())  # noqa: E731
    return [lambda d=d: case(d) for d in _drawn(strategy, examples)]


def _cost_cases(examples):
    inputs = _module("inputs", HERE / "inputs.py")
    import numpy as np
    from hypothesis import strategies as st

    @st.composite
    def cost_input(draw):
        x, y = draw(inputs.data(max_rows=12))
        d = np.shape(x)[1] if np.ndim(x) >= 2 else 1
        slope = draw(st.lists(inputs.extreme, min_size=d, max_size=d))
        return (x, y, draw(inputs.extreme), slope if np.ndim(x) >= 2 else slope[0],
                draw(st.sampled_from(["mse", "half_mse", "l1"])))

    def case(drawn):
        outcome = inputs.check_cost(*drawn)
        return "clear error" if outcome.startswith("rejected") else "correct"

    return [lambda d=d: case(d) for d in _drawn(cost_input, examples)]


def _estimator_cases(examples):
    inputs = _module("inputs", HERE / "inputs.py")
    from hypothesis import strategies as st

    def case(drawn):
        (x, y), params = drawn
        outcome = inputs.check_estimator(x, y, params)
        return "clear error" if outcome == "rejected" else "correct"

    strategy = lambda: st.tuples(inputs.data(max_rows=12), inputs.estimator_params())  # noqa: E731
    return [lambda d=d: case(d) for d in _drawn(strategy, max(1, examples // 3))]


def _cli_cases(examples):
    inputs = _module("inputs", HERE / "inputs.py")
    from hypothesis import strategies as st

    def case(drawn):
        (name, content), argv = drawn
        with tempfile.TemporaryDirectory() as folder:
            outcome = inputs.check_cli(Path(folder), name, content, argv)
        return "clear error" if outcome == "rejected" else "correct"

    strategy = lambda: st.tuples(inputs.cli_files(), inputs.cli_argv())  # noqa: E731
    return [lambda d=d: case(d) for d in _drawn(strategy, max(1, examples // 5))]


def _damaged_file_cases(examples):
    """test_readers_fuzz.py's damaged files and random CSV texts, checked by its ``_check``."""
    import numpy as np

    fuzz = _module("gdfast_readers_fuzz", TESTS / "test_readers_fuzz.py")
    per_damage = max(1, examples // 50)
    rng = np.random.default_rng(fuzz.SEED)
    files = []
    for name, raw in fuzz._valid_files().items():
        for kind in ("random bytes", "cut", "bit flips"):
            files += [(name, fuzz._damaged(raw, kind, rng)) for _ in range(per_damage)]
    files += [("export.csv" if k % 2 else "plain.csv", fuzz._random_csv(rng).encode())
              for k in range(3 * per_damage)]

    def case(name, content):
        counts = __import__("collections").Counter()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_bytes(content)
            fuzz._check(path, counts, "file")
            if path.suffix == ".csv":
                fuzz._csv_readers_agree(path, dropna=name.startswith("export"))
        return "clear error" if counts["file", "refused"] else "correct"

    return [lambda n=n, c=c: case(n, c) for n, c in files]


def _named_cases(examples):
    named = _module("hostile_named", HERE / "hostile_named.py")
    return list(named.CASES.values())


#: kind -> (what it tries, its cases for --examples N)
KINDS = {
    "fit: arrays and options": ("shapes, dtypes, layouts, NaN/inf, extremes; every keyword "
                                "good and bad", _fit_cases),
    "cost: arrays and points": ("the same data, extreme points, unknown kinds", _cost_cases),
    "GDRegressor": ("the same data, good and bad parameters", _estimator_cases),
    "gdfast fit: any file and options": ("CSV/TSV/.npy/.npz of any cells, any option values",
                                         _cli_cases),
    "damaged data files": ("random bytes, cuts and bit flips of CSV, .npy, .npz, Parquet; "
                           "random CSV text", _damaged_file_cases),
    "named cases of issues 17 and 18": ("masked arrays, dict/set init, hand-made Statistics, "
                                        "extreme weights, hostile files and folders, "
                                        "Ctrl-C, divergence, memory, callbacks",
                                        _named_cases),
}


def _self_test_cases(examples):
    """One case of each outcome, to show the parent tells them apart (tests/test_stress.py)."""
    def clear_error():
        return "clear error"

    def wrong():
        raise AssertionError("a wrong answer")

    def lost():
        return "lost result"

    def crash():
        import ctypes
        ctypes.string_at(0)   # reads address 0: a real SIGSEGV

    def bug():
        raise KeyError("an undocumented exception")

    def hang():
        time.sleep(10 * CASE_SECONDS)

    return [clear_error, crash, wrong, hang, lost, bug, clear_error]


if os.environ.get("GDFAST_HOSTILE_SELF_TEST"):
    KINDS["harness self-test"] = ("one case of each outcome", _self_test_cases)


# ---------------------------------------------------------------------------
# The child: run the cases of one kind from an index, one line per case
# ---------------------------------------------------------------------------
def run_child(kind, examples, start):
    os.environ.setdefault("MPLBACKEND", "Agg")
    cases = KINDS[kind][1](examples)
    print(f"cases {len(cases)}", flush=True)
    for i in range(start, len(cases)):
        print(f"start {i}", flush=True)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")   # each check records the warnings it judges
                outcome = cases[i]()
            detail = ""
        except AssertionError as err:
            outcome, detail = "silent wrong answer", f"{err!s:.300}"
        except BaseException as err:   # noqa: BLE001 - anything else escaping is a crash
            outcome = "crash"
            detail = "".join(traceback.format_exception_only(type(err), err))[-300:]
        if outcome not in OUTCOMES:   # a case that says nothing of what happened
            outcome, detail = "crash", f"the case returned {outcome!r}"
        print(json.dumps({"case": i, "outcome": outcome, "detail": detail}), flush=True)


# ---------------------------------------------------------------------------
# The parent: children until every case of the kind has an outcome
# ---------------------------------------------------------------------------
class _Lines:
    """The lines a child writes to the pipe ``fd``, read unbuffered: a line already in a
    buffer is never waited for, and a silence is measured on the pipe itself."""

    SILENT = object()

    def __init__(self, fd):
        self.fd, self.pending = fd, b""

    def next(self, seconds):
        """The next line; None at the end of the pipe; SILENT after ``seconds`` without one."""
        deadline = time.monotonic() + seconds
        while b"\n" not in self.pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                return self.SILENT
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:
                return None
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return line.decode()


def run_kind(kind, examples):
    """({outcome: count}, [details of the cases that went wrong]) for one kind."""
    counts = dict.fromkeys(OUTCOMES, 0)
    details, start, total = [], 0, None
    while total is None or start < total:
        errors = tempfile.TemporaryFile()
        child = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--examples",
             str(examples), "--start", str(start)],
            stdout=subprocess.PIPE, stderr=errors,   # a file: a full pipe would block the child
            env={**os.environ, "PYTHONFAULTHANDLER": "1"})
        lines = _Lines(child.stdout.fileno())
        running, hung = None, False
        while True:
            # a case gets CASE_SECONDS; a child starting up (imports, drawing its cases) more
            line = lines.next(CASE_SECONDS if running is not None else 10 * CASE_SECONDS)
            if line is _Lines.SILENT:
                child.kill()
                hung = True
                break
            if line is None:
                break
            if line.startswith("cases "):
                total = int(line.split()[1])
            elif line.startswith("start "):
                running = int(line.split()[1])
            else:
                done = json.loads(line)
                counts[done["outcome"]] += 1
                if done["outcome"] not in ("clear error", "correct"):
                    details.append(f"{kind} #{done['case']}: {done['outcome']}: "
                                   f"{done['detail']}")
                running, start = None, done["case"] + 1
        child.wait()
        child.stdout.close()
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
        errors.close()
        if total is None:   # the child could not even build its cases
            raise RuntimeError(f"{kind}: the child failed before its first case:\n{stderr}")
        if running is not None:   # killed (a signal), hung, or gone mid-case
            outcome = "hang" if hung else "crash"
            counts[outcome] += 1
            details.append(f"{kind} #{running}: {outcome} (exit {child.returncode}): "
                           f"{stderr[-500:]}")
            start = running + 1
        elif hung or (child.returncode != 0 and start < total):
            raise RuntimeError(f"{kind}: the child ended between cases:\n{stderr}")
    return counts, details


def table(results):
    """The Markdown table of {kind: counts}, with a total row."""
    lines = ["| kind | tried | " + " | ".join(COLUMNS) + " |",
             "|---|" + "---:|" * (len(COLUMNS) + 1)]
    total = dict.fromkeys(OUTCOMES, 0)
    for kind, counts in results.items():
        lines.append(f"| {kind} | {sum(counts.values())} | "
                     + " | ".join(str(counts[o]) for o in OUTCOMES) + " |")
        for o in OUTCOMES:
            total[o] += counts[o]
    lines.append(f"| **all** | **{sum(total.values())}** | "
                 + " | ".join(f"**{total[o]}**" for o in OUTCOMES) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=300)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child")
    parser.add_argument("--start", type=int, default=0)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.examples, args.start)
        return
    kinds = args.kinds.split(",")
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        parser.error(f"unknown kinds {unknown}; the kinds are {list(KINDS)}")
    started = time.perf_counter()
    results, details = {}, []
    for kind in kinds:
        results[kind], went_wrong = run_kind(kind, args.examples)
        details += went_wrong
    for line in details:
        print(line, file=sys.stderr)
    if args.json:
        print(json.dumps({"examples": args.examples, "counts": results}))
        return
    print(table(results))
    print(f"\n`python tests/stress/hostile.py {' '.join(sys.argv[1:]) or '--examples 300'}`: "
          f"{time.perf_counter() - started:.0f} s, each kind in child processes.")


if __name__ == "__main__":
    main()
