"""The NIST StRD accuracy table of docs/nist.md.

    python bench/nist_table.py                      # all eleven datasets (about a minute)
    python bench/nist_table.py --datasets Norris,Longley

Fits each dataset in tests/data/nist/ with the settings docs/nist.md
recommends (``learning_rate="auto", standardize=True``, and the iterations
``learning_rate_limits(...).iterations(reduction=1e-15)`` says are needed,
capped by ``--max-iter``), and prints a Markdown table: the digits reached
per parameter (NIST's log relative error, capped at 15), the iterations,
the time of the fit, and the first words of its diagnosis.
"""
import argparse
import math
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np

import gdfast

# tests/nist.py, the NIST StRD reader: test support, not in the package
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import nist as _nist  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "nist"


REDUCTION = 1e-15


def fit_certified(problem, max_iter_cap):
    """Fit one problem the recommended way; return (estimate, result, seconds, capped)."""
    limits = gdfast.learning_rate_limits(problem.x, standardize=True,
                                         fit_intercept=problem.fit_intercept)
    needed = limits.iterations(reduction=REDUCTION)
    max_iter = needed if needed <= max_iter_cap else max_iter_cap
    start = time.perf_counter()
    result = gdfast.fit(problem.x, problem.y, learning_rate="auto", standardize=True,
                        fit_intercept=problem.fit_intercept, max_iter=int(max_iter), tol=None,
                        record_every=0)
    seconds = time.perf_counter() - start
    estimate = np.r_[result.intercept, result.coef] if problem.fit_intercept else result.coef
    return estimate, result, seconds, limits, needed > max_iter_cap


def _verdict(limits):
    if limits.condition_number >= 1 / np.finfo(np.float64).eps:
        return "beyond gradient descent in float64 (diagnosis)"
    if limits.condition_number >= 1e3:
        return f"ill-conditioned: ~{limits.condition_number:.2g}"
    return "well-conditioned"


def table(names, max_iter_cap):
    lines = ["| dataset | N × d | condition (standardized) | digits per parameter (B0, B1, …) "
             "| min digits | iterations | time (ms) | verdict |",
             "|---|---|---|---|---|---|---|---|"]
    for name in names:
        problem = _nist.read(DATA / f"{name}.dat")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", gdfast.ConvergenceWarning)
            estimate, result, seconds, limits, capped = fit_certified(problem, max_iter_cap)
        digits = _nist.log_relative_error(estimate, problem.certified)
        kappa = limits.condition_number
        iterations = f"{result.n_iter:,}" + (" (capped)" if capped else "")
        lines.append(
            f"| {name} | {problem.x.shape[0]} × {problem.x.shape[1]} | "
            f"{'inf' if math.isinf(kappa) else f'{kappa:.3g}'} | "
            f"{' '.join(f'{v:.1f}' for v in digits)} | {digits.min():.1f} | {iterations} | "
            f"{1e3 * seconds:.3g} | {_verdict(limits)} |")
    return "\n".join(lines)


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {platform.system()} {platform.release()}, Python "
            f"{platform.python_version()}, NumPy {np.__version__}, gdfast {gdfast.__version__}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(_nist.DATASETS),
                        help="comma-separated names (default: all eleven)")
    parser.add_argument("--max-iter", type=int, default=50_000_000,
                        help="cap on the iterations of one fit (default 5e7)")
    args = parser.parse_args(argv)
    print(table(args.datasets.split(","), args.max_iter))
    print(f"\nMachine: {machine()}.")


if __name__ == "__main__":
    main()
