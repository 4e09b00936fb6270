"""Certified accuracy on NIST StRD linear regression, with the settings docs/nist.md gives."""
import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

import gdfast
import nist as _nist

DATA = Path(__file__).resolve().parent / "data" / "nist"


CERTIFIED = ["Norris", "Pontius", "NoInt1", "NoInt2", "Longley"]


def _recommended_fit(problem):
    """The recipe of docs/nist.md: auto rate, standardized columns, iterations from the limits."""
    limits = gdfast.learning_rate_limits(problem.x, standardize=True,
                                         fit_intercept=problem.fit_intercept)
    result = gdfast.fit(problem.x, problem.y, learning_rate="auto", standardize=True,
                        fit_intercept=problem.fit_intercept,
                        max_iter=limits.iterations(reduction=1e-15), tol=None, record_every=0)
    estimate = np.r_[result.intercept, result.coef] if problem.fit_intercept else result.coef
    return estimate, result


def test_all_eleven_files_parse():
    shapes = {"Norris": (36, 1), "Pontius": (40, 2), "NoInt1": (11, 1), "NoInt2": (3, 1),
              "Longley": (16, 6), "Filip": (82, 10),
              **{f"Wampler{k}": (21, 5) for k in range(1, 6)}}
    for name in _nist.DATASETS:
        problem = _nist.read(DATA / f"{name}.dat")
        assert problem.x.shape == shapes[name], name
        assert problem.y.shape == (shapes[name][0],)
        assert len(problem.certified) == shapes[name][1] + problem.fit_intercept
        assert problem.fit_intercept == (not name.startswith("NoInt"))
    longley = _nist.read(DATA / "Longley.dat")
    assert longley.certified[0] == -3482258.63459582 and longley.certified[6] == 1829.15146461355
    assert longley.x[0].tolist() == [83.0, 234289, 2356, 1590, 107608, 1947]
    pontius = _nist.read(DATA / "Pontius.dat")
    # the reader raises x to an array of powers (np.power: a pow, which NumPy may take
    # from a vector library accurate to about an ulp), the test multiplies
    np.testing.assert_allclose(pontius.x[:, 1], pontius.x[:, 0] ** 2, rtol=2 * np.finfo(float).eps,
                               atol=0)


def test_log_relative_error():
    np.testing.assert_allclose(_nist.log_relative_error([1.0 + 1e-9, 2.0, 0.0, np.nan],
                                                        [1.0, 2.0, 5.0, 1.0]),
                               [9.0, 15.0, 0.0, 0.0], atol=1e-6)


@pytest.mark.parametrize("name", CERTIFIED)
def test_certified_parameters_to_nine_digits(name):
    problem = _nist.read(DATA / f"{name}.dat")
    estimate, _ = _recommended_fit(problem)
    digits = _nist.log_relative_error(estimate, problem.certified)
    assert digits.min() >= 9.0, dict(zip(range(len(digits)), digits.round(1)))


def test_filip_says_it_is_beyond_gradient_descent():
    problem = _nist.read(DATA / "Filip.dat")
    limits = gdfast.learning_rate_limits(problem.x, standardize=True)
    assert limits.condition_number == math.inf   # singular to float64 precision
    res = gdfast.fit(problem.x, problem.y, learning_rate="auto", standardize=True,
                     max_iter=2000, tol=None)
    assert "beyond what gradient descent can finish in float64" in res.diagnosis
    assert _nist.log_relative_error(np.r_[res.intercept, res.coef],
                                    problem.certified).min() < 9   # and indeed it is not reached


def test_wampler_is_ill_conditioned_and_the_diagnosis_says_what_it_costs():
    problem = _nist.read(DATA / "Wampler1.dat")
    z = (problem.x - problem.x.mean(0)) / problem.x.std(0)
    ev = np.linalg.eigvalsh(z.T @ z / len(z))
    limits = gdfast.learning_rate_limits(problem.x, standardize=True)
    assert limits.condition_number == pytest.approx(ev[-1] / ev[0], rel=1e-6)
    with pytest.warns(gdfast.ConvergenceWarning):
        res = gdfast.fit(problem.x, problem.y, learning_rate="auto", standardize=True,
                         max_iter=10_000, tol=1e-6)
    assert res.diagnosis.startswith("stopped at max_iter=10000 before converging")
    assert "Ill-conditioned: condition number 2.66e+06" in res.diagnosis
    needed = float(res.diagnosis.split("about ")[1].split(" iterations")[0])
    assert 1e6 < needed < 1e9


def test_the_table_command_runs(capsys):
    spec = importlib.util.spec_from_file_location(
        "nist_table", DATA.parent.parent.parent / "bench" / "nist_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(["--datasets", "NoInt2,Pontius"])
    out = capsys.readouterr().out
    assert "| NoInt2 | 3 × 1 |" in out and "| Pontius | 40 × 2 |" in out
    assert "Machine:" in out


def test_longley_with_momentum_auto_in_a_fiftieth_of_the_iterations():
    # Longley's standardized condition number is 1.2e4: plain descent at its optimal
    # rate needs about kappa/2 iterations per factor e, the heavy ball sqrt(kappa)/2
    problem = _nist.read(DATA / "Longley.dat")
    _, plain = _recommended_fit(problem)
    result = gdfast.fit(problem.x, problem.y, momentum="auto", standardize=True,
                        max_iter=plain.n_iter // 50, tol=1e-9, record_every=0)
    assert result.converged and result.n_iter <= plain.n_iter // 50
    digits = _nist.log_relative_error(np.r_[result.intercept, result.coef], problem.certified)
    assert digits.min() >= 11.0, dict(zip(range(len(digits)), digits.round(1)))
