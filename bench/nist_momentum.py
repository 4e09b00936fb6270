"""docs/nist.md's momentum table: Longley and Wampler1-5 with momentum="auto".

    python bench/nist_momentum.py

Fits each dataset of tests/data/nist/ with ``momentum="auto", standardize=True,
tol=1e-9`` (the heavy ball, then Nesterov), and prints a Markdown table: the
digits per parameter (NIST's log relative error, capped at 15), the
iterations, and the best of three times of the fit.
"""
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


NAMES = ["Longley"] + [f"Wampler{k}" for k in range(1, 6)]


def fit_with_momentum(problem, nesterov):
    """(result, best of three seconds) of the momentum fit of one problem."""
    best = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gdfast.ConvergenceWarning)
        for _ in range(3):
            start = time.perf_counter()
            result = gdfast.fit(problem.x, problem.y, momentum="auto", nesterov=nesterov,
                                standardize=True, tol=1e-9, max_iter=10**6, record_every=0)
            seconds = time.perf_counter() - start
            best = seconds if best is None else min(best, seconds)
    return result, best


def table():
    lines = ["| dataset | method | digits per parameter (B0, B1, …) | min digits | iterations "
             "| time (ms) |", "|---|---|---|---|---|---|"]
    for name in NAMES:
        problem = _nist.read(DATA / f"{name}.dat")
        for label, nesterov in (("heavy ball", False), ("Nesterov", True)):
            result, seconds = fit_with_momentum(problem, nesterov)
            digits = _nist.log_relative_error(np.r_[result.intercept, result.coef],
                                              problem.certified)
            iterations = f"{result.n_iter:,}" + ("" if result.converged else " (not converged)")
            lines.append(f"| {name} | {label} | {' '.join(f'{v:.1f}' for v in digits)} | "
                         f"{digits.min():.1f} | {iterations} | {1e3 * seconds:.3g} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
