"""Read NIST StRD linear least squares files and score fits against them.

Test support, not in the package: tests/test_nist.py and bench/nist_*.py load it.  A file is
NIST's original ``.dat`` format: a header whose line 5 and 6 give the line
ranges of the certified values and of the data, then the data block (``y``
first, then ``x`` or ``x1 .. xk``).  For the polynomial models (one ``x``
column, parameters ``B1 .. Bk`` with k > 1) the design columns are the
powers x, x**2, ..., x**k.
"""
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: The eleven datasets, in NIST's order of difficulty within each family.
DATASETS = ("Norris", "Pontius", "NoInt1", "NoInt2", "Longley",
            "Wampler1", "Wampler2", "Wampler3", "Wampler4", "Wampler5", "Filip")

_RANGE = re.compile(r"\(lines\s+(\d+)\s+to\s+(\d+)\)")
_PARAMETER = re.compile(r"^\s*B(\d+)\s+(\S+)\s+(\S+)\s*$")


@dataclass(frozen=True)
class NistProblem:
    """One certified problem: the design, the response and the answer.

    Attributes
    ----------
    name : str
    x : ndarray, shape (N, d)
        The design columns (powers of x for the polynomial models).
    y : ndarray, shape (N,)
    fit_intercept : bool
        False for the models without B0 (NoInt1, NoInt2).
    certified : ndarray, shape (d + fit_intercept,)
        The certified parameters, B0 first when there is one.
    """

    name: str
    x: np.ndarray
    y: np.ndarray
    fit_intercept: bool
    certified: np.ndarray


def _line_range(line, what):
    match = _RANGE.search(line)
    if not match:
        raise ValueError(f"no '(lines a to b)' for the {what} in {line!r}")
    return int(match.group(1)), int(match.group(2))


def read(path):
    """Parse one NIST StRD ``.dat`` file into a :class:`NistProblem`."""
    path = Path(path)
    lines = path.read_text().splitlines()
    cert_first, cert_last = _line_range(lines[4], "certified values")
    data_first, data_last = _line_range(lines[5], "data")
    params = {}
    for line in lines[cert_first - 1:cert_last]:
        match = _PARAMETER.match(line)
        if match:
            params[int(match.group(1))] = float(match.group(2))
    data = np.array([[float(v) for v in line.split()]
                     for line in lines[data_first - 1:data_last]])
    y, x = data[:, 0], data[:, 1:]
    fit_intercept = 0 in params
    n_coef = max(params)
    if x.shape[1] == 1 and n_coef > 1:  # a polynomial in the one x
        x = x[:, 0:1] ** np.arange(1, n_coef + 1)
    if x.shape[1] != n_coef or sorted(params) != list(range(1 - fit_intercept, n_coef + 1)):
        raise ValueError(f"{path.name}: parameters {sorted(params)} do not match "
                         f"{x.shape[1]} design columns")
    certified = np.array([params[k] for k in sorted(params)])
    return NistProblem(path.stem, np.ascontiguousarray(x), y, fit_intercept, certified)


def log_relative_error(estimate, certified, cap=15.0):
    """NIST's LRE per parameter: -log10(|estimate - certified| / |certified|), capped.

    The number of significant digits an estimate shares with the certified
    value; ``cap`` (15) for an exact match, 0 when off by 100 % or more
    (and for NaN).
    """
    out = []
    for e, c in zip(np.atleast_1d(estimate), np.atleast_1d(certified)):
        err = abs(e - c) / abs(c)
        out.append(cap if err == 0 else (0.0 if not err < 1 else min(cap, -math.log10(err))))
    return np.array(out)
