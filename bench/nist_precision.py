"""docs/nist.md's precision tables: what each step buys on Longley and Wampler1-5.

    python bench/nist_precision.py            # about a minute (the plain descents dominate)
    python bench/nist_precision.py --no-plain # without the plain descents (seconds)

Every fit has ``standardize=True``; those with momentum ``momentum="auto",
tol=1e-9, max_iter=10**6``.  The steps, one row each (the smallest number of
digits over the parameters, NIST's log relative error, capped at 15):

- plain descent at the optimal rate, as many iterations as the limits say
  shrink the error 1e15-fold (docs/nist.md's first table);
- the heavy ball (``momentum="auto"``), ``method="batch"`` and ``"stats"``;
- then refinement (``gdfast._refine``) with its residuals r = y - b0 - x @ b
  and their sums c' = sum (x - mean x)(r - mean r) in float64; with r in
  double-double but c' summed in float64; with both in double-double
  (``precision="compensated"``);
- from statistics: float64 statistics with c - G @ b in double-double
  (``fit_statistics(..., precision="compensated")``), then double-double
  statistics too (``fit(..., method="stats", precision="compensated")``).

Then the per-parameter digits, iterations and time (best of three) of the
recommended fit, and the machine.
"""
import argparse
import platform
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

import gdfast

# tests/nist.py, the NIST StRD reader: test support, not in the package
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import nist as _nist  # noqa: E402
from gdfast import _refine
from gdfast._engine import compensated
from gdfast._validate import check_descent_options

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "nist"
NAMES = ["Longley"] + [f"Wampler{k}" for k in range(1, 6)]
MOMENTUM = dict(momentum="auto", standardize=True, tol=1e-9, max_iter=10**6, record_every=0)


class _Float64Residuals:
    """A refinement source whose residuals (and, unless ``exact_r``, whose residuals'
    sums) are float64: what each double-double step buys, by leaving it out."""

    def __init__(self, source, exact_r):
        self.source, self.exact_r = source, exact_r
        self.n_features, self.weight_sum = source.n_features, source.weight_sum
        self.float64 = source.float64

    def residual_statistics(self, b_hi, b_lo):
        x, y, _ = self.source.data
        if self.exact_r:   # r in double-double, rounded once
            r, lo = np.empty(len(y)), np.empty(len(y))
            compensated.residuals(x, y, b_hi, b_lo, r, lo)
        else:
            r = y - (b_hi[0] + b_lo[0]) - x @ (b_hi[1:] + b_lo[1:])
        mean = r.mean()
        centred = r - mean
        cross = (x - self.source.mean_hi[:-1]).T @ centred
        return (mean, 0.0), (cross, np.zeros_like(cross)), float(centred @ centred)


def _refined_in_float64(problem, exact_r):
    first = gdfast.fit(problem.x, problem.y, **MOMENTUM)
    options = check_descent_options("auto", 10**6, 1e-9, "half_mse", 0, True, True, False,
                                    None, "auto", False, 0.0)
    source = _Float64Residuals(
        _refine.CompensatedStatistics.of_data(problem.x, problem.y, None), exact_r)
    return _refine.refine(first, source, options, _refine._inner_descent, 3)


def _plain(problem):
    limits = gdfast.learning_rate_limits(problem.x, standardize=True)
    return gdfast.fit(problem.x, problem.y, standardize=True, tol=None, record_every=0,
                      max_iter=limits.iterations(reduction=1e-15))


STEPS = [
    ("plain descent, float64", _plain),
    ("momentum, batch", lambda p: gdfast.fit(p.x, p.y, **MOMENTUM)),
    ("momentum, stats", lambda p: gdfast.fit(p.x, p.y, method="stats", **MOMENTUM)),
    ("+ refinement, r and c' in float64", lambda p: _refined_in_float64(p, False)),
    ("+ r in double-double, c' in float64", lambda p: _refined_in_float64(p, True)),
    ("+ c' in double-double (batch, compensated)",
     lambda p: gdfast.fit(p.x, p.y, precision="compensated", **MOMENTUM)),
    ("stats: float64 statistics, c - G b in double-double",
     lambda p: gdfast.fit_statistics(gdfast.Statistics.from_arrays(p.x, p.y),
                                     precision="compensated", **MOMENTUM)),
    ("+ statistics in double-double (stats, compensated)",
     lambda p: gdfast.fit(p.x, p.y, method="stats", precision="compensated", **MOMENTUM)),
]


def _digits(problem, result):
    return _nist.log_relative_error(np.r_[result.intercept, result.coef], problem.certified)


def _quiet(make, problem):
    with warnings.catch_warnings():
        # the heavy ball alone runs to max_iter on Wampler5 (its floor is above tol)
        warnings.simplefilter("ignore", gdfast.ConvergenceWarning)
        return make(problem)


def steps_table(problems, plain=True):
    lines = ["| step | " + " | ".join(NAMES) + " |", "|---|" + "---|" * len(NAMES)]
    for label, make in STEPS:
        if not plain and make is _plain:
            continue
        cells = [f"{_digits(p, _quiet(make, p)).min():.1f}" for p in problems]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def recommended_table(problems):
    lines = ["| dataset | method | digits per parameter (B0, B1, …) | min digits | iterations "
             "| time (ms) |", "|---|---|---|---|---|---|"]
    for problem in problems:
        for method in ("stats", "batch"):
            best = None
            for _ in range(3):
                start = time.perf_counter()
                result = _quiet(lambda p: gdfast.fit(p.x, p.y, method=method,
                                                     precision="compensated", **MOMENTUM),
                                problem)
                seconds = time.perf_counter() - start
                best = seconds if best is None else min(best, seconds)
            digits = _digits(problem, result)
            lines.append(f"| {problem.name} | {method} | {' '.join(f'{v:.1f}' for v in digits)} "
                         f"| {digits.min():.1f} | {result.n_iter:,} | {1e3 * best:.3g} |")
    return "\n".join(lines)


def machine():
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        model = next(line.split(":", 1)[1].strip() for line in lscpu.splitlines()
                     if line.startswith("Model name"))
    except (OSError, StopIteration):
        model = platform.processor() or platform.machine()
    return (f"Machine: {model}, Linux, Python {platform.python_version()}, NumPy "
            f"{np.__version__}, gdfast {gdfast.__version__}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-plain", action="store_true",
                        help="leave out the plain descents (about 5 s each on Wampler)")
    args = parser.parse_args(argv)
    problems = [_nist.read(DATA / f"{name}.dat") for name in NAMES]
    print(steps_table(problems, plain=not args.no_plain))
    print()
    print(recommended_table(problems))
    print()
    print(machine())


if __name__ == "__main__":
    main()
