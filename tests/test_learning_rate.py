"""The learning rate read from the data: limits, "auto", DivergenceWarning, diagnosis."""
import math
import re
import warnings

import numpy as np
import pytest

import gdfast


def _hessian(x, fit_intercept=True, standardize=False, cost="half_mse"):
    """H = (1/N) A.T @ A from NumPy, independently of gdfast."""
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    if standardize:
        x = (x - x.mean(0)) / x.std(0) if fit_intercept else x / np.sqrt((x * x).mean(0))
    a = np.column_stack([np.ones(len(x)), x]) if fit_intercept else x
    h = a.T @ a / len(x)
    return 2 * h if cost == "mse" else h


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("standardize", [True, False])
@pytest.mark.parametrize("cost", ["half_mse", "mse"])
def test_limits_are_those_of_the_hessian(feature_data, fit_intercept, standardize, cost):
    x, _ = feature_data
    x = x * [3.0, 1.0, 0.2] + [1.0, -2.0, 1950.0]   # a column of "years": the shift matters
    ev = np.linalg.eigvalsh(_hessian(x, fit_intercept, standardize, cost))
    lim = gdfast.learning_rate_limits(x, cost=cost, fit_intercept=fit_intercept,
                                      standardize=standardize)
    # eigenvalues of a float64 matrix are known to about eps * lambda_max
    np.testing.assert_allclose(lim.eigenvalues, ev, rtol=1e-9, atol=1e-14 * ev[-1])
    assert lim.max_stable == pytest.approx(2 / ev[-1], rel=1e-12)
    assert lim.max_no_bounce == pytest.approx(1 / ev[-1], rel=1e-12)
    assert lim.optimal == pytest.approx(2 / (ev[0] + ev[-1]), rel=1e-9)
    kappa = ev[-1] / ev[0]
    assert lim.condition_number == pytest.approx(kappa, rel=max(1e-8, 1e-13 * kappa))


def test_one_feature_closed_form_and_float32(line_data):
    x, _ = line_data
    ev = np.linalg.eigvalsh(_hessian(x))
    for data in (x, x.astype(np.float32).astype(np.float64)):
        lim = gdfast.learning_rate_limits(data)
        np.testing.assert_allclose(lim.eigenvalues, np.linalg.eigvalsh(_hessian(data)),
                                   rtol=1e-12)
    lim32 = gdfast.learning_rate_limits(x.astype(np.float32))
    np.testing.assert_allclose(lim32.eigenvalues, ev, rtol=1e-6)
    # fit's own closed-form stability limit for 1-D x agrees
    assert gdfast.fit(x, line_data[1], learning_rate="auto", max_iter=0,
                      tol=None).learning_rate == pytest.approx(lim32.optimal, rel=1e-6)


def test_the_stability_limit_is_where_the_kernel_diverges(line_data):
    x, y = line_data
    lim = gdfast.learning_rate_limits(x)
    res = gdfast.fit(x, y, learning_rate=0.99 * lim.max_stable, max_iter=5000, tol=1e-9)
    assert res.converged
    with pytest.warns(gdfast.DivergenceWarning), pytest.raises(gdfast.DivergenceError):
        gdfast.fit(x, y, learning_rate=1.01 * lim.max_stable, max_iter=10**6)


def test_divergence_warning_comes_before_the_first_iteration(monkeypatch, feature_data):
    from gdfast import _multi_kernels

    class KernelReached(Exception):
        pass

    x, y = feature_data
    lim = gdfast.learning_rate_limits(x)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")

        def kernel(*args):
            assert len(caught) == 1   # warned already
            raise KernelReached

        monkeypatch.setattr(_multi_kernels, "run_descent", kernel)
        with pytest.raises(KernelReached):
            gdfast.fit(x, y, learning_rate=lim.max_stable, max_iter=3)
    assert caught[0].category is gdfast.DivergenceWarning
    message = str(caught[0].message)
    match = re.match(r"learning_rate=(\S+) will diverge on this data: it must be below (\S+) ",
                     message)
    assert match, message
    # the limit printed is rounded down: a rate below it is stable
    assert 0.99 * lim.max_stable <= float(match.group(2)) < lim.max_stable


@pytest.mark.bitwise
def test_auto_uses_the_optimal_rate_and_meets_the_iteration_bound(feature_data):
    x, y = feature_data
    lim = gdfast.learning_rate_limits(x)
    sol, *_ = np.linalg.lstsq(np.column_stack([np.ones(len(x)), x]), y, rcond=None)
    n = lim.iterations(reduction=1e-8)
    res = gdfast.fit(x, y, learning_rate="auto", max_iter=n, tol=None)
    # exact: the same pass over x gives the same Hessian, whose eigenvalues the same
    # LAPACK call computes
    assert res.learning_rate == lim.optimal
    start_error = np.linalg.norm(sol)               # the descent starts at zero
    error = np.linalg.norm(np.r_[res.intercept, res.coef] - sol)
    assert error <= 1e-8 * start_error
    # and the optimal rate beats a rate half as large by the predicted factor
    slow = gdfast.learning_rate_limits(x).iterations(lim.optimal / 2, reduction=1e-8)
    assert slow > 1.5 * n


def test_iterations_and_rate():
    lim = gdfast.learning_rate_limits([0.0, 1.0, 2.0, 3.0])
    lam = lim.eigenvalues
    rho = max(abs(1 - 0.1 * lam))
    assert lim.rate(0.1) == pytest.approx(rho, rel=1e-14)
    assert lim.iterations(0.1, reduction=1e-6) == math.ceil(math.log(1e-6) / math.log(rho))
    assert lim.iterations(lim.max_stable, reduction=1e-6) == math.inf
    assert lim.iterations(reduction=1.0) == 0
    with pytest.raises(ValueError, match="reduction must be > 0"):
        lim.iterations(reduction=0.0)


def test_diagnosis_converged_and_bouncing(line_data):
    x, y = line_data
    lim = gdfast.learning_rate_limits(x)
    calm = gdfast.fit(x, y, learning_rate=0.9 * lim.max_no_bounce, max_iter=10_000, tol=1e-8)
    assert calm.diagnosis.startswith(f"converged in {calm.n_iter} iterations")
    assert "bouncing" not in calm.diagnosis
    rate = 1.8 * lim.max_no_bounce
    bouncy = gdfast.fit(x, y, learning_rate=rate, max_iter=10_000, tol=1e-8, init=(0.0, -5.0))
    assert "bouncing" in bouncy.diagnosis and bouncy.converged
    # the bounce itself: along the steepest direction the error changes sign every step
    _, vectors = np.linalg.eigh(_hessian(x))
    sol, *_ = np.linalg.lstsq(np.column_stack([np.ones_like(x), x]), y, rcond=None)
    h = bouncy.history
    along = (np.column_stack([h.intercept, h.slope])[:20] - sol) @ vectors[:, -1]
    assert np.all(np.sign(along[1:]) == -np.sign(along[:-1]))


def test_diagnosis_at_max_iter_says_how_many_iterations_are_needed(feature_data):
    x, y = feature_data
    with pytest.warns(gdfast.ConvergenceWarning):
        short = gdfast.fit(x, y, learning_rate=0.01, max_iter=50, tol=1e-9)
    text = short.diagnosis
    assert text.startswith("stopped at max_iter=50 before converging")
    needed = float(text.split("about ")[1].split(" iterations")[0])
    # the estimate is an upper bound from the slowest direction, and not a wild one
    enough = gdfast.fit(x, y, learning_rate=0.01, max_iter=int(needed * 1.05), tol=1e-9)
    assert enough.converged and enough.n_iter >= needed / 3


def test_diagnosis_of_ill_conditioning():
    # near-duplicate columns: condition number far beyond 1/eps
    rng = np.random.default_rng(1)
    t = rng.normal(size=100)
    x = np.column_stack([t, t + 1e-9 * rng.normal(size=100)])
    res = gdfast.fit(x, t + rng.normal(size=100), learning_rate="auto", max_iter=100, tol=None)
    assert "beyond what gradient descent can finish in float64" in res.diagnosis
    assert gdfast.learning_rate_limits(x).condition_number == math.inf


def test_auto_on_a_constant_free_problem():
    # x all zero without intercept: no curvature, the gradient is zero at once
    res = gdfast.fit(np.zeros((5, 2)), np.ones(5), learning_rate="auto", fit_intercept=False)
    assert res.converged and res.n_iter == 0 and res.learning_rate == 1.0


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(cost="mae"), ValueError, r"cost must be one of"),
    (dict(fit_intercept="yes"), TypeError, r"fit_intercept must be True or False"),
    (dict(standardize=1), TypeError, r"standardize must be True or False"),
])
def test_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        gdfast.learning_rate_limits([[1.0, 2.0], [3.0, 5.0]], **kwargs)


def test_bad_x():
    with pytest.raises(ValueError, match=r"x has 0 columns"):
        gdfast.learning_rate_limits(np.ones((3, 0)))
    with pytest.raises(ValueError, match=r"x must be finite, but x\[1, 0\] is nan"):
        gdfast.learning_rate_limits([[1.0], [np.nan]])
    with pytest.raises(ValueError, match=r"cannot scale column x\[:, 1\]: it is constant"):
        gdfast.learning_rate_limits([[1.0, 2.0], [3.0, 2.0]], standardize=True)


def test_docstring_examples():
    import doctest

    from gdfast import _cost, _fit, _learning_rate

    for module in (_learning_rate, _fit, _cost):
        failed, attempted = doctest.testmod(module)
        assert attempted > 0 and failed == 0, module.__name__


def test_demo_prints_the_diagnoses():
    from gdfast import _demo

    lines = []
    _demo.run(n=40, seed=1, out=lines.append)
    diagnoses = [line.strip() for line in lines if line.strip().startswith("diagnosis:")]
    assert len(diagnoses) == 3
    assert diagnoses[0].startswith("diagnosis: converged")
    assert "bouncing" in diagnoses[1]
    assert diagnoses[2].startswith("diagnosis: diverged")
    assert any("DivergenceWarning before the first iteration" in line for line in lines)
