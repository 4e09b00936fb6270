"""precision="compensated": the double-double kernel against exact rational arithmetic,
and the option end to end (NIST's certified values, validation, the default untouched)."""
import importlib.util
import json
import warnings
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import gdfast
import nist as _nist
from gdfast._engine import compensated

DATA = Path(__file__).resolve().parent / "data" / "nist"
# a double-double result is the exact value to about 2**-104 of the size of the
# terms it was summed from; these tests allow 2**-96 (a few roundings per term)
DD_TOL = 2.0 ** -96


def _exact(a):
    return [Fraction(float(v)) for v in np.ravel(a)]


def _pair(hi, lo):
    return Fraction(float(hi)) + Fraction(float(lo))


def _close(hi, lo, exact, scale):
    """hi + lo within DD_TOL * scale of the exact Fraction."""
    return abs(_pair(hi, lo) - exact) <= Fraction(DD_TOL) * Fraction(scale)


@pytest.fixture
def cancelling():
    """Points whose residuals are tiny differences of large numbers (as Wampler's)."""
    rng = np.random.default_rng(5)
    x = rng.uniform(1.0, 20.0, size=(30, 1)) ** np.arange(1, 5)
    b = np.array([1.0, 0.1, -0.01, 3e-3, 1.0 / 7.0])
    y = b[0] + x @ b[1:] + 1e-9 * rng.normal(size=30)
    return x, y, b


def test_residuals_are_exact_to_double_double(cancelling):
    x, y, b = cancelling
    b_hi, b_lo = b, np.full(5, 1e-20)
    r_hi, r_lo = np.empty(30), np.empty(30)
    compensated.residuals(x, y, b_hi, b_lo, r_hi, r_lo)
    bx = [_pair(h, l) for h, l in zip(b_hi, b_lo)]
    worst = 0.0
    for i in range(30):
        exact = Fraction(y[i]) - bx[0] - sum(Fraction(x[i, j]) * bx[j + 1] for j in range(4))
        scale = abs(y[i]) + np.abs(x[i]) @ np.abs(b[1:]) + 1.0
        assert _close(r_hi[i], r_lo[i], exact, scale), i
        worst = max(worst, abs(float(exact - Fraction(r_hi[i]))))
    # float64 alone would not do: the residuals are far below the terms' rounding
    naive = y - b[0] - x @ b[1:]
    assert np.max(np.abs(naive - r_hi)) > 1e3 * worst


@pytest.mark.parametrize("weighted", [False, True])
def test_statistics_are_exact_to_double_double(cancelling, weighted):
    x, y, _ = cancelling
    v = np.column_stack([x, y])
    w = np.random.default_rng(2).uniform(0.5, 2.0, 30) if weighted else np.empty(0)
    k = v.shape[1]
    mean_hi, mean_lo = np.empty(k), np.empty(k)
    gram_hi, gram_lo = np.empty((k, k)), np.empty((k, k))
    total = compensated.statistics(v, w, mean_hi, mean_lo, gram_hi, gram_lo, np.empty(k),
                                   np.empty(k))
    weights = _exact(w) if weighted else [Fraction(1)] * 30
    W = sum(weights)
    assert total == float(W)
    cols = [[Fraction(float(v[i, j])) for i in range(30)] for j in range(k)]
    means = [sum(wi * c for wi, c in zip(weights, col)) / W for col in cols]
    for j in range(k):
        assert _close(mean_hi[j], mean_lo[j], means[j], np.max(np.abs(v[:, j]))), j
        for m in range(k):
            exact = sum(wi * (a - means[j]) * (c - means[m])
                        for wi, a, c in zip(weights, cols[j], cols[m]))
            scale = float(sum(wi * abs(a) * abs(c) for wi, a, c in zip(weights, cols[j], cols[m])))
            assert _close(gram_hi[j, m], gram_lo[j, m], exact, scale), (j, m)
    assert np.array_equal(gram_hi, gram_hi.T) and np.array_equal(gram_lo, gram_lo.T)


def test_centred_cross_is_exact_with_any_shift(cancelling):
    x, _, _ = cancelling
    rng = np.random.default_rng(3)
    r_hi = rng.normal(size=30) * 1e-3
    r_lo = r_hi * 1e-17 * rng.normal(size=30)
    w = rng.uniform(0.5, 2.0, 30)
    shift = x.mean(axis=0) * (1 + 1e-3)     # not the exact mean: the result must not care
    out_hi, out_lo = np.empty(6), np.empty(6)
    total = compensated.centred_cross(x, r_hi, r_lo, w, shift, out_hi, out_lo)
    weights, r = _exact(w), [_pair(h, l) for h, l in zip(r_hi, r_lo)]
    W = sum(weights)
    assert abs(total - float(W)) <= 1e-15 * float(W)
    mean_r = sum(wi * ri for wi, ri in zip(weights, r)) / W
    assert _close(out_hi[0], out_lo[0], mean_r, 1e-3)
    for j in range(4):
        col = [Fraction(float(v)) for v in x[:, j]]
        mean_x = sum(wi * c for wi, c in zip(weights, col)) / W
        exact = sum(wi * (c - mean_x) * (ri - mean_r) for wi, c, ri in zip(weights, col, r))
        assert _close(out_hi[j + 1], out_lo[j + 1], exact, 30 * 2 * np.max(x[:, j]) * 1e-2), j
    exact = sum(wi * (ri - mean_r) ** 2 for wi, ri in zip(weights, r))
    assert _close(out_hi[5], out_lo[5], exact, 30 * 2 * 1e-4)


def test_gram_residual_dot_and_add_are_exact():
    rng = np.random.default_rng(4)
    d = 5
    g_hi = rng.normal(size=(d, d)) * 1e6
    g_lo = g_hi * 1e-17
    b_hi, b_lo = rng.normal(size=d), rng.normal(size=d) * 1e-17
    c_hi = g_hi @ b_hi          # so that c - G b cancels to almost nothing
    c_lo = rng.normal(size=d) * 1e-11
    out_hi, out_lo = np.empty(d), np.empty(d)
    compensated.gram_residual(g_hi, g_lo, c_hi, c_lo, b_hi, b_lo, out_hi, out_lo)
    for j in range(d):
        exact = _pair(c_hi[j], c_lo[j]) - sum(_pair(g_hi[j, m], g_lo[j, m]) * _pair(b_hi[m],
                                                                                     b_lo[m])
                                              for m in range(d))
        assert _close(out_hi[j], out_lo[j], exact, np.abs(g_hi[j]) @ np.abs(b_hi)), j
    hi, lo = compensated.dot(g_hi[0], g_lo[0], b_hi, b_lo)
    exact = sum(_pair(g_hi[0, m], g_lo[0, m]) * _pair(b_hi[m], b_lo[m]) for m in range(d))
    assert _close(hi, lo, exact, np.abs(g_hi[0]) @ np.abs(b_hi))
    a_hi, a_lo = b_hi.copy(), b_lo.copy()
    delta = rng.normal(size=d) * 1e-9
    compensated.add(a_hi, a_lo, delta)
    for j in range(d):
        assert _close(a_hi[j], a_lo[j], _pair(b_hi[j], b_lo[j]) + Fraction(delta[j]),
                      abs(b_hi[j]))


# -- the option ------------------------------------------------------------------
def _fit_nist(name, method):
    problem = _nist.read(DATA / f"{name}.dat")
    result = gdfast.fit(problem.x, problem.y, momentum="auto", standardize=True, tol=1e-9,
                        max_iter=10**6, record_every=0, method=method, precision="compensated")
    return problem, result


@pytest.mark.parametrize("name", [f"Wampler{k}" for k in range(1, 6)])
def test_wampler_to_nine_digits_on_every_parameter(name):
    # momentum alone: 5.2 to 9.9 digits (docs/nist.md); the refinement reaches the
    # digits the data allow (13 to 15); 9 leaves room for another BLAS or compiler
    with warnings.catch_warnings():
        # the heavy ball alone stops at max_iter on Wampler5 (its floor is above tol)
        warnings.simplefilter("ignore", gdfast.ConvergenceWarning)
        for method in ("stats", "batch"):
            problem, result = _fit_nist(name, method)
            digits = _nist.log_relative_error(np.r_[result.intercept, result.coef],
                                              problem.certified)
            assert digits.min() >= 9.0, (method, digits.round(1))


def test_longley_refined_within_a_fiftieth_of_the_plain_iterations():
    # the plain descent's count (docs/nist.md, tests/test_nist.py): 211,033
    problem, result = _fit_nist("Longley", "stats")
    digits = _nist.log_relative_error(np.r_[result.intercept, result.coef], problem.certified)
    assert digits.min() >= 13.0, digits.round(1)
    assert result.converged and result.n_iter <= 211_033 // 50


def test_refined_result_reports_its_own_point():
    problem, result = _fit_nist("Wampler1", "batch")
    plain = gdfast.fit(problem.x, problem.y, momentum="auto", standardize=True, tol=1e-9,
                       max_iter=10**6, record_every=0)
    h = result.history
    # the descent's rows, then one row per round, ending at the point reported
    assert np.array_equal(h.iteration[:len(plain.history)], plain.history.iteration)
    assert len(h) - len(plain.history) in range(1, 5)
    assert h.iteration[-1] == result.n_iter > plain.n_iter
    assert h.intercept[-1] == result.intercept and np.array_equal(h.coef[-1], result.coef)
    # the cost there, against an exact residual sum of squares
    b = [Fraction(v) for v in np.r_[result.intercept, result.coef]]
    rss = sum((Fraction(yi) - b[0] - sum(Fraction(xij) * bj for xij, bj in zip(xi, b[1:]))) ** 2
              for xi, yi in zip(problem.x, problem.y))
    assert result.cost == pytest.approx(float(rss / 2 / 21), rel=1e-6, abs=1e-30)
    assert result.gradient_norm < 1e-9 and result.converged


def test_refinement_agrees_with_ridge_and_weights():
    sklearn = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(0)
    x = rng.uniform(1.0, 3.0, size=(40, 1)) ** np.arange(1, 4)
    y = 2.0 + x @ [1.0, -0.5, 0.1] + 0.01 * rng.normal(size=40)
    w = rng.uniform(0.5, 2.0, 40)
    ridge = sklearn.Ridge(alpha=1e-3 * w.sum()).fit(x, y, sample_weight=w)
    for method in ("batch", "stats"):
        result = gdfast.fit(x, y, sample_weight=w, l2=1e-3, momentum="auto", standardize=True,
                            tol=1e-10, max_iter=10**5, method=method, precision="compensated")
        np.testing.assert_allclose(np.r_[result.intercept, result.coef],
                                   np.r_[ridge.intercept_, ridge.coef_], rtol=1e-9)


def _exact_solution(stats):
    """The minimum of the cost of float64 statistics taken as exact: G b = c by Gaussian
    elimination in Fractions, b0 = mean y - mean x @ b."""
    d = stats.n_features
    a = [[Fraction(float(v)) for v in row] + [Fraction(float(c))]
         for row, c in zip(stats.gram_xx, stats.cross_xy)]
    for k in range(d):
        for i in range(k + 1, d):
            f = a[i][k] / a[k][k]
            a[i] = [u - f * v for u, v in zip(a[i], a[k])]
    b = [Fraction(0)] * d
    for k in reversed(range(d)):
        b[k] = (a[k][d] - sum(a[k][m] * b[m] for m in range(k + 1, d))) / a[k][k]
    b0 = Fraction(float(stats.mean_y)) - sum(Fraction(float(m)) * v
                                             for m, v in zip(stats.mean_x, b))
    return np.array([float(b0)] + [float(v) for v in b])


@pytest.mark.parametrize("name", ["Wampler1", "Wampler4", "Longley"])
def test_fit_statistics_reaches_the_exact_minimum_of_its_statistics(name):
    # from float64 statistics, c - G @ b in double-double takes the statistics as
    # exact: the refined fit is their exact minimum (which is as far from NIST's
    # values as the statistics' rounding puts it: about 6.6 digits on Wampler)
    problem = _nist.read(DATA / f"{name}.dat")
    stats = gdfast.Statistics.from_arrays(problem.x, problem.y)
    exact = _exact_solution(stats)
    options = dict(momentum="auto", standardize=True, tol=1e-9, max_iter=10**6,
                   record_every=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gdfast.ConvergenceWarning)
        plain = gdfast.fit_statistics(stats, **options)
        refined = gdfast.fit_statistics(stats, precision="compensated", **options)
        streamed = gdfast.fit_stream([(problem.x, problem.y)], precision="compensated",
                                     **options)
    error = np.abs(np.r_[refined.intercept, refined.coef] - exact) / np.abs(exact)
    before = np.abs(np.r_[plain.intercept, plain.coef] - exact) / np.abs(exact)
    assert error.max() <= 1e-13, error
    assert before.max() > 1e3 * error.max()
    np.testing.assert_allclose(np.r_[streamed.intercept, streamed.coef], exact, rtol=1e-13)


def test_without_intercept():
    problem = _nist.read(DATA / "NoInt1.dat")
    result = gdfast.fit(problem.x, problem.y, fit_intercept=False, standardize=True,
                        momentum="auto", tol=1e-12, precision="compensated")
    assert result.intercept == 0.0
    assert _nist.log_relative_error(result.coef, problem.certified).min() >= 14.0


@pytest.mark.bitwise
def test_default_is_the_float64_descent_bit_for_bit(cancelling):
    x, y, _ = cancelling
    a = gdfast.fit(x, y, standardize=True, momentum="auto", tol=1e-9)
    b = gdfast.fit(x, y, standardize=True, momentum="auto", tol=1e-9, precision="float64")
    assert a.n_iter == b.n_iter and a.intercept == b.intercept
    assert np.array_equal(a.coef, b.coef) and np.array_equal(a.history.cost, b.history.cost)


@pytest.mark.parametrize("bad, error, match", [
    ("double", ValueError, r"precision must be one of \('float64', 'compensated'\).*'double'"),
    (2, TypeError, "precision must be one of .* got 2 of type int"),
    (None, TypeError, "precision must be one of .* got None"),
])
def test_precision_is_checked_before_any_work(bad, error, match):
    x, y = np.arange(5.0), np.arange(5.0)
    with pytest.raises(error, match=match):
        gdfast.fit(x, y, precision=bad)
    with pytest.raises(error, match=match):
        gdfast.fit_statistics(gdfast.Statistics.from_arrays(x, y), precision=bad)
    consumed = []

    def chunks():
        consumed.append(1)
        yield x, y

    with pytest.raises(error, match=match):
        gdfast.fit_stream(chunks(), precision=bad)
    assert not consumed


def test_the_precision_table_command_runs(capsys):
    spec = importlib.util.spec_from_file_location(
        "nist_precision", DATA.parent.parent.parent / "bench" / "nist_precision.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(["--no-plain"])
    out = capsys.readouterr().out
    assert "| + c' in double-double (batch, compensated) | 14." in out
    assert "| Wampler5 | stats | 15.0" in out and "Machine:" in out


def test_gdregressor_takes_precision():
    from sklearn.base import clone

    problem = _nist.read(DATA / "Wampler3.dat")
    model = gdfast.GDRegressor(momentum="auto", standardize=True, tol=1e-9, max_iter=10**6,
                               precision="compensated").fit(problem.x, problem.y)
    digits = _nist.log_relative_error(np.r_[model.intercept_, model.coef_], problem.certified)
    assert digits.min() >= 9.0, digits.round(1)
    assert clone(model).get_params()["precision"] == "compensated"
    with pytest.raises(ValueError, match="precision"):
        gdfast.GDRegressor(precision="double").fit(problem.x, problem.y)


def test_convergence_is_the_refined_results():
    # the heavy ball alone stops at max_iter on Wampler5 (its floor is above tol): a
    # ConvergenceWarning; refined, the gradient norm is far below tol: no warning
    problem = _nist.read(DATA / "Wampler5.dat")
    options = dict(momentum="auto", standardize=True, tol=1e-9, max_iter=10**5, record_every=0)
    with pytest.warns(gdfast.ConvergenceWarning):
        alone = gdfast.fit(problem.x, problem.y, **options)
    assert not alone.converged
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        refined = gdfast.fit(problem.x, problem.y, precision="compensated", **options)
    assert refined.converged and refined.gradient_norm <= 1e-9
    # tol=0 cannot be reached: one warning, pointing at the caller, saying so
    for call in (lambda: gdfast.fit(problem.x, problem.y, precision="compensated",
                                    **dict(options, tol=0.0)),
                 lambda: gdfast.fit_statistics(gdfast.Statistics.from_arrays(problem.x,
                                                                             problem.y),
                                               precision="compensated",
                                               **dict(options, tol=0.0))):
        with pytest.warns(gdfast.ConvergenceWarning, match="precision='compensated'") as seen:
            result = call()
        assert len(seen) == 1 and seen[0].filename == __file__
        assert not result.converged


def test_max_iter_zero_returns_the_start():
    problem = _nist.read(DATA / "Wampler1.dat")
    result = gdfast.fit(problem.x, problem.y, max_iter=0, tol=None, precision="compensated")
    assert result.n_iter == 0 and result.intercept == 0.0 and not result.coef.any()


def test_cli_fit_takes_precision(tmp_path, run_python):
    """``gdfast fit --precision compensated``: Wampler4's certified digits from a file."""
    problem = _nist.read(DATA / "Wampler4.dat")
    path = tmp_path / "wampler4.npy"
    np.save(path, np.column_stack([problem.x, problem.y]))
    argv = ["fit", str(path), "--y", "5", "--json", "--standardize", "--momentum", "auto",
            "--tol", "1e-9", "--max-iter", "1000000", "--record-every", "0"]
    code = "import sys; from gdfast.cli import main; sys.exit(main({}))"
    out = run_python(code.format(argv + ["--precision", "compensated"]))
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    digits = _nist.log_relative_error(np.r_[got["intercept"], got["coef"]], problem.certified)
    assert digits.min() >= 9, digits
    bad = run_python(code.format(argv + ["--precision", "double"]))
    assert bad.returncode == 2 and "--precision" in bad.stderr and "Traceback" not in bad.stderr


def test_refined_diagnosis_agrees_with_the_refined_result():
    """The diagnosis says how the refinement ended (as ``converged`` does), then the first
    descent's; n_iter counts every round, each at most the first descent's iterations."""
    problem = _nist.read(DATA / "Wampler3.dat")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gdfast.ConvergenceWarning)
        short = gdfast.fit(problem.x, problem.y, max_iter=300, precision="compensated")
    assert not short.converged and short.diagnosis.startswith("not converged")
    assert "The first descent (300 iterations): stopped at max_iter=300" in short.diagnosis
    assert 300 < short.n_iter <= 5 * 300
    good = gdfast.fit(problem.x, problem.y, momentum="auto", standardize=True, tol=1e-9,
                      max_iter=10**6, precision="compensated")
    assert good.converged and good.diagnosis.startswith("converged: the gradient norm")
