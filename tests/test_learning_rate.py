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
    from gdfast._engine import kernels as engine

    class KernelReached(Exception):
        pass

    x, y = feature_data
    lim = gdfast.learning_rate_limits(x)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")

        def kernel(*args):
            assert len(caught) == 1   # warned already
            raise KernelReached

        monkeypatch.setattr(engine, "run_descent", kernel)
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

    from gdfast import _cost, _curvature, _fit

    for module in (_curvature, _fit, _cost):
        failed, attempted = doctest.testmod(module)
        assert attempted > 0 and failed == 0, module.__name__


def test_demo_prints_the_diagnoses():
    from gdfast.cli import _demo

    lines = []
    _demo.run(n=40, seed=1, out=lines.append)
    diagnoses = [line.strip() for line in lines if line.strip().startswith("diagnosis:")]
    assert len(diagnoses) == 3
    assert diagnoses[0].startswith("diagnosis: converged")
    assert "bouncing" in diagnoses[1]
    assert diagnoses[2].startswith("diagnosis: diverged")
    assert any("DivergenceWarning before the first iteration" in line for line in lines)


# --- LearningRateLimits.rate and .iterations check their arguments (issue 17) --------------

def test_rate_and_iterations_take_auto_and_refuse_bad_rates(line_data):
    lim = gdfast.learning_rate_limits(line_data[0])
    assert lim.rate("auto") == lim.rate(lim.optimal) == lim.rate()
    assert lim.iterations("auto") == lim.iterations(lim.optimal) == lim.iterations()
    for bad, exc, match in [(-1, ValueError, r"^learning_rate must be > 0.0, got -1.0"),
                            (0.0, ValueError, r"^learning_rate must be > 0.0"),
                            (math.nan, ValueError, r"^learning_rate must be a finite number"),
                            (math.inf, ValueError, r"^learning_rate must be a finite number"),
                            ("fast", TypeError, r"^learning_rate must be a real number, got "
                                                r"'fast'.*'auto'"),
                            ([0.1], TypeError, r"^learning_rate must be a real number")]:
        with pytest.raises(exc, match=match):
            lim.rate(bad)
        with pytest.raises(exc, match=match):
            lim.iterations(bad)
    with pytest.raises(ValueError, match=r"^reduction must be a finite number, got nan"):
        lim.iterations(reduction=math.nan)


def test_limits_that_are_nan_give_nan_rates_and_iterations():
    # the squares of x overflow float64: the curvature, so every answer, is unknown
    lim = gdfast.learning_rate_limits([1e200, 2e200])
    assert math.isnan(lim.optimal)
    assert math.isnan(lim.rate(0.1)) and math.isnan(lim.rate("auto"))
    assert math.isnan(lim.iterations()) and math.isnan(lim.iterations(0.1))
    assert lim.iterations(0.1, reduction=1.0) == 0


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("cost", ["half_mse", "mse"])
def test_standardized_limits_are_those_of_standardize_true(feature_data, fit_intercept, cost):
    x, _ = feature_data
    x = x * [3.0, 1.0, 0.2] + [1.0, -2.0, 40.0]
    lim = gdfast.learning_rate_limits(x, cost=cost, fit_intercept=fit_intercept)
    want = gdfast.learning_rate_limits(x, cost=cost, fit_intercept=fit_intercept,
                                       standardize=True)
    assert lim.condition_number > 50 * want.condition_number
    # from the Hessian's Schur complement: the mean of 40 against a spread of 0.2
    # costs log10(40**2 / 0.2**2) ~ 4.6 of the 16 digits
    assert lim.standardized.condition_number == pytest.approx(want.condition_number, rel=1e-9)
    assert want.standardized.condition_number == pytest.approx(want.condition_number,
                                                               rel=1e-12)
    # a constant column cannot be standardized: nothing to say
    assert gdfast.learning_rate_limits(np.column_stack([x, np.ones(len(x))])).standardized \
        is None


# --- divergence: the rate suggested converges, and is the same everywhere (issue 18) --------

@pytest.mark.parametrize("rate", [0.01, 0.001])
def test_a_divergence_suggests_one_rate_below_the_limit(cars_like, rate):
    x, y = cars_like
    lim = gdfast.learning_rate_limits(x)
    with pytest.warns(gdfast.DivergenceWarning) as warned, \
            pytest.raises(gdfast.DivergenceError) as info:
        gdfast.fit(x, y, learning_rate=rate)
    texts = [str(warned[0].message), str(info.value), info.value.result.diagnosis]
    suggested = {float(re.search(r"such as learning_rate=([0-9.e+-]+)", t).group(1))
                 for t in texts}
    assert len(suggested) == 1, texts
    (suggested,) = suggested
    assert 0.9 * lim.optimal <= suggested <= lim.optimal < lim.max_stable
    for text in texts:
        assert "learning_rate='auto'" in text
        assert not re.search(r"(raise|increase|larger|higher).{0,20}(learning|rate)", text)
    # and the rate suggested does not diverge: the cost never rises
    res = gdfast.fit(x, y, learning_rate=suggested, max_iter=3000, tol=None)
    assert np.all(np.diff(res.history.cost) <= 1e-12 * res.history.cost[0])


def test_the_error_says_the_cost_rose(line_data):
    x, y = line_data
    with pytest.warns(gdfast.DivergenceWarning), \
            pytest.raises(gdfast.DivergenceError) as info:
        gdfast.fit(x, y, learning_rate=5.0, max_iter=1000)
    h = info.value.result.history
    assert (f"the cost rose from {h.cost[0]:.6g} at the start to {h.cost[-1]:.6g} at "
            f"iteration {h.iteration[-1]}") in str(info.value)


# --- slow descents: standardize=True, not "raise the learning rate" (issue 18) -------------

def test_an_ill_conditioned_auto_fit_says_standardize_would_converge(cars_like):
    x, y = cars_like
    lim = gdfast.learning_rate_limits(x)
    with pytest.warns(gdfast.ConvergenceWarning) as warned:
        res = gdfast.fit(x, y, max_iter=20_000)
    message = str(warned[0].message)
    assert message == f"gradient descent {res.diagnosis}"
    # the counts it gives: the descent's own estimate, and 1 for the standardized one
    needed = float(re.search(r"about ([0-9.e+]+) iterations in all", message).group(1))
    assert 1e5 < needed < 1e7 and lim.condition_number > 1e5
    found = re.search(r"standardize=True \(CLI: --standardize\) would converge in about "
                      r"1 iteration against ([0-9.]+) million iterations here", message)
    assert found and float(found.group(1)) == pytest.approx(needed / 1e6, abs=0.06)
    assert "raise" not in message.lower() and "increase" not in message.lower()
    # and it does: one iteration, the least-squares line
    standard = gdfast.fit(x, y, standardize=True)
    assert standard.converged and standard.n_iter == 1
    ref = np.polyfit(x, y, 1)
    assert standard.slope == pytest.approx(ref[0], rel=1e-9)


def test_a_rate_below_the_best_is_compared_to_auto_not_told_to_rise(feature_data):
    x, y = feature_data
    lim = gdfast.learning_rate_limits(x)
    with pytest.warns(gdfast.ConvergenceWarning) as warned:
        gdfast.fit(x, y, learning_rate=0.05 * lim.optimal, max_iter=30, tol=1e-9)
    message = str(warned[0].message)
    assert f"learning_rate='auto' ({lim.optimal:.6g}) would need about" in message
    with pytest.warns(gdfast.ConvergenceWarning) as warned:
        gdfast.fit(x, y, max_iter=5, tol=1e-9)     # at 'auto': only max_iter can help
    message = str(warned[0].message)
    assert "Raise max_iter to about" in message and "learning_rate='auto' (" not in message


def test_a_good_auto_fit_says_plainly_what_happened(line_data):
    x, y = line_data
    lim = gdfast.learning_rate_limits(x)
    res = gdfast.fit(x, y, tol=1e-9)
    # the fit's closed-form limits and learning_rate_limits' pass agree to rounding
    assert res.learning_rate == pytest.approx(lim.optimal, rel=1e-12)
    assert lim.max_no_bounce < res.learning_rate   # it does overshoot
    assert res.diagnosis == (
        f"converged in {res.n_iter} iterations: the gradient norm {res.gradient_norm:.3g} is "
        f"<= tol=1e-09 at the optimal rate 2/(lambda_min + lambda_max) = "
        f"{res.learning_rate:.6g} "
        f"(learning_rate='auto'); at that rate the parameters overshoot the minimum along the "
        f"steepest direction, which is expected and harmless: the overshoot shrinks every "
        f"step, and it buys the fastest progress along the flattest direction.")


def test_one_iteration_is_singular():
    res = gdfast.fit([0.0, 1.0, 2.0], [1.0, 3.0, 5.0], standardize=True)
    assert res.n_iter == 1 and res.diagnosis.startswith("converged in 1 iteration:")
    stopped = gdfast.fit([0.0, 1.0, 2.0], [1.0, 3.0, 5.0], learning_rate=0.01, tol=None,
                         callback=lambda step: step.iteration < 1)
    assert stopped.diagnosis.startswith("stopped by the callback after 1 iteration,")


@pytest.mark.parametrize("n, words", [
    (1, "1 iteration"), (4293.2, "4,294 iterations"), (2_100_000, "2.1 million iterations"),
    (999_700_000, "1 billion iterations"), (3.4e9, "3.4 billion iterations"),
    (999.7e9, "1e+12 iterations"), (2.3e14, "2.3e+14 iterations")])
def test_iteration_counts_read_as_numbers_in_one_unit(n, words):
    """Never "2.3e+05 billion" or "1e+03 million": the unit follows the count as shown."""
    from gdfast._diagnosis import _count
    assert _count(n) == words
