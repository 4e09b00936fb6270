"""The crash hunt, run as a child process: many Hypothesis inputs through fit, cost,
the command line and GDRegressor, each checked against the contract of
inputs.py.

    python tests/stress/crash_hunt.py EXAMPLES LOG [--random]

EXAMPLES inputs per target (fixed examples; ``--random``: fresh ones).  Before
each call the input is written to LOG, so that if the compiled code kills the
process (a negative exit status: a signal such as SIGSEGV) the parent can say
which input did it.  A broken contract ends the child with status 1 and
Hypothesis's shrunk example on stderr.  On success the last line of stdout is a
JSON object of figures: inputs tried and outcomes per target.
"""
import collections
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import inputs  # this script's folder is sys.path[0]


class Log:
    """The input about to be tried, on disk before the call (it survives a crash of the process)."""

    def __init__(self, path):
        self.file = open(path, "w")

    def write(self, target, *args):
        self.file.seek(0)
        self.file.truncate()
        with np.printoptions(threshold=20, precision=17):
            self.file.write(f"{target}: " + "; ".join(_describe(a) for a in args) + "\n")
        self.file.flush()


def _describe(value):
    if isinstance(value, np.ndarray):
        flags = "C" if value.flags.c_contiguous else "F" if value.flags.f_contiguous else "strided"
        return (f"array(dtype={value.dtype}, shape={value.shape}, {flags}, "
                f"writeable={value.flags.writeable}, {value!r})")
    return repr(value)


def main(examples, log_path, random):
    log = Log(log_path)
    counts = collections.defaultdict(collections.Counter)
    config = settings(max_examples=examples, derandomize=not random, database=None,
                      deadline=None, suppress_health_check=list(HealthCheck))

    @config
    @given(data=st.data())
    def hunt_fit(data):
        x, y = data.draw(inputs.data(max_rows=12))
        params, bad_name, bad_exc = data.draw(inputs.fit_params())
        log.write("fit", x, y, params, bad_name)
        counts["fit"][inputs.check_fit(x, y, params, bad_name, bad_exc)] += 1

    @config
    @given(data=st.data())
    def hunt_cost(data):
        x, y = data.draw(inputs.data(max_rows=12))
        d = np.shape(x)[1] if np.ndim(x) >= 2 else 1
        intercept = data.draw(inputs.extreme)
        slope = data.draw(st.lists(inputs.extreme, min_size=d, max_size=d))
        slope = slope if np.ndim(x) >= 2 else slope[0]
        log.write("cost", x, y, intercept, slope)
        counts["cost"][inputs.check_cost(x, y, intercept, slope, "mse")] += 1

    @settings(config, max_examples=max(1, examples // 3))
    @given(data=st.data())
    def hunt_estimator(data):
        x, y = data.draw(inputs.data(max_rows=12))
        params = data.draw(inputs.estimator_params())
        log.write("GDRegressor", x, y, params)
        counts["estimator"][inputs.check_estimator(x, y, params)] += 1

    with tempfile.TemporaryDirectory() as folder:
        @settings(config, max_examples=max(1, examples // 5))
        @given(data=st.data())
        def hunt_cli(data):
            name, content = data.draw(inputs.cli_files())
            argv = data.draw(inputs.cli_argv())
            log.write("cli", name, content[:200], argv)
            counts["cli"][inputs.check_cli(Path(folder), name, content, argv)] += 1

        started = time.perf_counter()
        for hunt in (hunt_fit, hunt_cost, hunt_cli, hunt_estimator):
            hunt()
    log.write("done")
    log.file.close()
    figures = {"inputs": {target: sum(c.values()) for target, c in counts.items()},
               "outcomes": {target: dict(c) for target, c in counts.items()},
               "seconds": round(time.perf_counter() - started, 1)}
    print(json.dumps(figures))


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], "--random" in sys.argv[3:])
