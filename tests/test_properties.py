"""Property-based tests (Hypothesis): every input either fits correctly or raises the documented error.

The strategies and the contract live in tests/stress/inputs.py (the ``inputs``
fixture), shared with the crash hunt of tests/test_stress.py, which runs more
examples of the same checks in a child process, where a segfault cannot end the
test run.  Examples are fixed in CI (the "ci" profile of conftest.py);
``GDFAST_HYPOTHESIS_PROFILE=hunt`` draws fresh ones.
"""
import math
import tempfile
import warnings
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gdfast



def examples(n):
    """settings for n examples; the fixtures used are plain functions, safe to share between them."""
    return settings(max_examples=n, suppress_health_check=[
        *settings().suppress_health_check, HealthCheck.function_scoped_fixture])


def _path_oracle(numpy_descent, numpy_descent_features):
    """check(result, x, y, params): the history equals the NumPy oracle's rows at its iterations."""
    def check(result, x, y, params):
        xf, yf = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        h = result.history
        cost = params.get("cost", "half_mse")
        fit_intercept = bool(params.get("fit_intercept", True))
        x2 = xf[:, None] if xf.ndim == 1 else xf
        weights = params.get("sample_weight")
        if params.get("standardize") or weights is not None:
            # other coordinates, or weights the oracle does not take: each row's
            # cost is J (weighted: sum w r**2 / sum w) at its parameters
            w = np.ones(len(yf)) if weights is None else np.asarray(weights, dtype=np.float64)
            with np.errstate(all="ignore"):
                r = h.intercept[:, None] + h.coef @ x2.T - yf
                expected = (0.5 if cost == "half_mse" else 1.0) * (r * r) @ w / np.sum(w)
            np.testing.assert_allclose(h.cost, expected, rtol=1e-6,
                                       atol=1e-9 * (1.0 + np.mean(yf ** 2)))
            return
        init = params.get("init")
        lr, n = result.learning_rate, int(h.iteration[-1])
        with np.errstate(all="ignore"):  # the step after a diverged fit's last row overflows
            rows = _oracle_rows(numpy_descent, numpy_descent_features, x2, yf, lr, n, cost,
                                init, fit_intercept, xf.ndim)
        got = np.column_stack([h.intercept, h.coef, h.cost])
        expected = rows[h.iteration, 1:]
        # relative to each column's size along the path (rounding differs only in the sums)
        scale = np.max(np.abs(expected), axis=0)
        assert np.all(np.abs(got - expected) <= 1e-8 * scale + 1e-12), (got, expected)
    return check


def _oracle_rows(numpy_descent, numpy_descent_features, x2, yf, lr, n, cost, init,
                 fit_intercept, ndim):
    if ndim == 1 and fit_intercept:
        return numpy_descent(x2[:, 0], yf, lr, n, cost, (0.0, 0.0) if init is None else tuple(init))
    start = None if init is None else [0.0] * (not fit_intercept) + list(init)
    return numpy_descent_features(x2, yf, lr, n, cost, start, fit_intercept)


def _stable_rate(x, fraction, cost, fit_intercept):
    """fraction * 2/lambda_max, worked out in NumPy from the Hessian (1/N) A.T @ A."""
    a = np.asarray(x, dtype=np.float64)
    a = a[:, None] if a.ndim == 1 else a
    if fit_intercept:
        a = np.column_stack([np.ones(len(a)), a])
    big = np.linalg.eigvalsh(a.T @ a / len(a))[-1] * (2.0 if cost == "mse" else 1.0)
    return fraction * 2.0 / big if big > 0 else 0.1


@examples(300)
@given(data=st.data())
def test_fit_on_any_input_fits_or_raises_the_documented_error(inputs, oracle, oracle_features,
                                                              data):
    x, y = data.draw(inputs.data(), label="x, y")
    params, bad_name, bad_exc = data.draw(inputs.fit_params(), label="params")
    check = _path_oracle(oracle, oracle_features)
    moderate = all(np.asarray(a).dtype.kind in "biuf" and np.all(np.abs(np.asarray(
        a, dtype=np.float64)) <= 1e6) for a in (x, y))
    inputs.check_fit(x, y, params, bad_name, bad_exc, oracle=check if moderate else None)


@examples(150)
@given(data=st.data(), fraction=st.floats(0.01, 0.95))
def test_fit_on_valid_input_follows_the_oracle_without_warning(inputs, oracle, oracle_features,
                                                                data, fraction):
    """Below the stability limit: no error, no warning but ConvergenceWarning, the oracle's path."""
    x, y = data.draw(inputs.data(kinds=("valid",), real_only=True), label="x, y")
    params, _, _ = data.draw(inputs.fit_params(bad=False), label="params")
    if params["_init"] == "extreme":
        params["_init"] = "values"   # moderate values: no overflow at the start
    params, _ = inputs.resolve_init(params, x, None)
    params.pop("sample_weight", None)    # the stable rate below is the unweighted one
    if np.ndim(x) != 1 or not params.get("fit_intercept", True):
        # the drawn data include extreme conditioning, where "stats" with several
        # features may part from the batch path beyond this oracle's tolerance (as
        # fit's docstring says); tests/test_method_stats.py compares it on sane data
        params["method"] = "batch"
    params["learning_rate"] = _stable_rate(x, fraction, params.get("cost", "half_mse"),
                                           params.get("fit_intercept", True))
    params["standardize"] = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gdfast.ConvergenceWarning)
        warnings.filterwarnings("ignore", "x has .* features for .* points", UserWarning)
        result = gdfast.fit(x, y, **params)
    assert inputs.check_valid_outcome(result, None, x, y, params,
                                      _path_oracle(oracle, oracle_features)) in (
        "converged", "max_iter")


@examples(200)
@given(data=st.data())
def test_cost_on_any_input_is_numpys_value_or_the_documented_error(inputs, data):
    x, y = data.draw(inputs.data(), label="x, y")
    d = 1 if np.ndim(x) < 2 else np.shape(x)[1]
    intercept = data.draw(inputs.extreme, label="intercept")
    slope = data.draw(st.lists(inputs.extreme, min_size=d, max_size=d), label="slope")
    kind = data.draw(st.sampled_from(["mse", "half_mse", "rmse"]), label="kind")
    inputs.check_cost(x, y, intercept, slope[0] if np.ndim(x) < 2 else slope, kind)


@examples(60)
@given(data=st.data())
def test_cli_on_any_file_and_options_exits_0_1_or_2_without_traceback(inputs, data):
    name, content = data.draw(inputs.cli_files(), label="file")
    argv = data.draw(inputs.cli_argv(), label="argv")
    with tempfile.TemporaryDirectory() as folder:
        inputs.check_cli(Path(folder), name, content, argv)


@examples(100)
@given(data=st.data())
def test_learning_rate_limits_on_any_x_is_finite_nan_or_the_documented_error(inputs, data):
    x, _ = data.draw(inputs.data(), label="x")
    cost = data.draw(st.sampled_from(["mse", "half_mse"]))
    fit_intercept, standardize = data.draw(st.booleans()), data.draw(st.booleans())
    problems = [p for p in inputs.data_problems(x, [0.0] * max(1, len(np.atleast_1d(x))))
                if p[1] == "x"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            limits, error = gdfast.learning_rate_limits(
                x, cost=cost, fit_intercept=fit_intercept, standardize=standardize), None
        except (TypeError, ValueError) as exc:
            limits, error = None, exc
    assert not caught, [str(w.message) for w in caught]
    if problems:
        assert error is not None and str(error).startswith("x"), (problems, error)
        return
    if error is not None:
        assert standardize and str(error).startswith("standardize=True cannot scale"), error
        return
    values = [limits.max_stable, limits.optimal]
    # all NaN when the squares of x overflow float64 (documented), else positive
    assert all(math.isnan(v) for v in values) or all(v > 0 for v in values), limits


@examples(150)
@given(data=st.data())
def test_estimator_on_any_input_fits_or_raises(inputs, data):
    x, y = data.draw(inputs.data(), label="X, y")
    params = data.draw(inputs.estimator_params(), label="params")
    inputs.check_estimator(x, y, params)
