"""Momentum (heavy ball, Nesterov) and the L2 penalty: against an independent NumPy
transcription of their update rules, scikit-learn's Ridge, and the descent's guarantees
(divergence, stopping rules, callbacks, Ctrl-C, bounded history, threads)."""
import json
import math
import warnings

import numpy as np
import pytest

import gdfast
from gdfast import _descent

# Iterates of the kernel against the transcription: the same rules in another
# arrangement (the kernel keeps a velocity v and, for Nesterov, the look-ahead
# point; the oracle keeps the previous point, Polyak's and Nesterov's own
# forms), and sums in another order: they agree to rounding, amplified a
# little by the momentum over 200 iterations of a well-conditioned problem.
RTOL = 1e-10
# method="stats" gets its sums from centred statistics: rounding of its own
# (see fit's method="stats")
RTOL_STATS = 1e-9


def momentum_descent(z, y, learning_rate, momentum, n_updates, nesterov=False,
                     cost="half_mse", penalty=None, init=None, fit_intercept=True,
                     sample_weight=None):
    """Heavy ball or Nesterov on J = sum w r**2 / (2 sum w) (twice that for "mse") plus
    0.5 * sum(penalty * b**2) (twice that for "mse"), r = b0 + z @ b - y.

    Heavy ball (Polyak): b[k+1] = b[k] - alpha grad J(b[k]) + beta (b[k] - b[k-1]),
    b[-1] = b[0].  Nesterov: x[k+1] = y[k] - alpha grad J(y[k]), y[k+1] = x[k+1] +
    beta (x[k+1] - x[k]), y[0] = x[0]; the rows are the points y[k] where the gradient
    is taken.  Returns (n_updates + 1, d + 2) rows: b0, b1..bd, J.
    """
    z = np.asarray(z, dtype=np.float64)
    n, d = z.shape
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    total = w.sum()
    factor = 1.0 if cost == "half_mse" else 2.0
    pen = np.zeros(d) if penalty is None else np.asarray(penalty, dtype=np.float64)
    b = np.zeros(d + 1) if init is None else np.array(init, dtype=np.float64)
    mask = np.r_[1.0 if fit_intercept else 0.0, np.ones(d)]

    def cost_and_gradient(b):
        r = b[0] + z @ b[1:] - y
        J = factor * (np.sum(w * r ** 2) / (2 * total) + 0.5 * np.sum(pen * b[1:] ** 2))
        g = factor * np.r_[np.sum(w * r) / total, z.T @ (w * r) / total + pen * b[1:]]
        return J, g * mask

    rows = []
    previous = b.copy()     # heavy ball: b[k-1]; Nesterov: x[k]
    for _ in range(n_updates + 1):
        J, g = cost_and_gradient(b)
        rows.append(np.r_[b, J])
        if nesterov:
            x_next = b - learning_rate * g
            b, previous = x_next + momentum * (x_next - previous), x_next
        else:
            b, previous = b - learning_rate * g + momentum * (b - previous), b
    return np.array(rows)


def _fit_rows(res):
    h = res.history
    return np.column_stack([h.intercept, h.coef, h.cost])


def _design(x, fit_intercept=True):
    x = x if x.ndim == 2 else x[:, None]
    return np.column_stack([np.ones(len(x)), x]) if fit_intercept else x


# ---------------------------------------------------------------------------
# The update rules, row by row
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["batch", "stats"])
@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("l2", [0.0, 0.3])
@pytest.mark.parametrize("cost", ["half_mse", "mse"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_d_features_history_is_the_transcription(feature_data, method, nesterov, l2, cost,
                                                 fit_intercept, weighted):
    x, y = feature_data
    w = np.random.default_rng(1).uniform(0.0, 3.0, size=len(y)) if weighted else None
    init = [0.5, -1.0, 2.0, 0.0] if fit_intercept else [-1.0, 2.0, 0.0]
    res = gdfast.fit(x, y, learning_rate=0.1, momentum=0.8, nesterov=nesterov, l2=l2,
                     max_iter=200, tol=None, cost=cost, init=init, method=method,
                     fit_intercept=fit_intercept, sample_weight=w)
    ref = momentum_descent(x, y, 0.1, 0.8, 200, nesterov, cost, [l2] * 3,
                           init if fit_intercept else [0.0] + init, fit_intercept, w)
    assert res.history.iteration.tolist() == list(range(201))
    assert res.momentum == 0.8
    np.testing.assert_allclose(_fit_rows(res), ref,
                               rtol=RTOL if method == "batch" else RTOL_STATS, atol=1e-13)


@pytest.mark.parametrize("method", ["batch", "stats"])
@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("l2", [0.0, 0.2])
def test_one_feature_history_is_the_transcription(line_data, method, nesterov, l2):
    # the one-feature pass (1-D x, no weights) and its statistics
    x, y = line_data
    res = gdfast.fit(x, y, learning_rate=0.2, momentum=0.7, nesterov=nesterov, l2=l2,
                     max_iter=200, tol=None, init=(0.0, -5.0), method=method)
    ref = momentum_descent(x[:, None], y, 0.2, 0.7, 200, nesterov, penalty=[l2],
                           init=[0.0, -5.0])
    np.testing.assert_allclose(_fit_rows(res), ref,
                               rtol=RTOL if method == "batch" else RTOL_STATS, atol=1e-13)
    np.testing.assert_array_equal(res.history.slope, res.history.coef[:, 0])


@pytest.mark.parametrize("method", ["batch", "stats"])
@pytest.mark.parametrize("nesterov", [False, True])
def test_standardize_descends_on_standardized_columns_with_penalty_in_units_of_x(
        feature_data, method, nesterov):
    # the penalty is on the coefficients in the units of x: on the standardized
    # columns z = (x - mean) / sd it is 0.5 * l2 * sum((beta / sd)**2)
    x, y = feature_data
    scaled = x * [1e3, 1e-2, 5.0] + [1e4, -3.0, 0.0]
    mean, sd = scaled.mean(0), scaled.std(0)
    z = (scaled - mean) / sd
    l2 = 1e-3
    res = gdfast.fit(scaled, y, learning_rate=0.1, momentum=0.5, nesterov=nesterov, l2=l2,
                     max_iter=100, tol=None, standardize=True, method=method)
    ref = momentum_descent(z, y, 0.1, 0.5, 100, nesterov, penalty=l2 / sd ** 2)
    coef = ref[:, 1:4] / sd
    rtol = 1e-10 if method == "batch" else 1e-8
    np.testing.assert_allclose(res.history.coef, coef, rtol=rtol)
    np.testing.assert_allclose(res.history.intercept, ref[:, 0] - coef @ mean, rtol=rtol)
    np.testing.assert_allclose(res.history.cost, ref[:, 4], rtol=rtol)


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("x_kind", ["one", "features"])
def test_zero_momentum_is_plain_descent_bit_for_bit(line_data, feature_data, nesterov, x_kind):
    # beta = 0: the step is params - alpha * g itself (by construction), with or
    # without Nesterov
    x, y = line_data if x_kind == "one" else feature_data
    kw = dict(learning_rate=0.1, max_iter=150, tol=None)
    plain = gdfast.fit(x, y, **kw)
    zero = gdfast.fit(x, y, momentum=0.0, nesterov=nesterov, **kw)
    none = gdfast.fit(x, y, momentum=None, nesterov=nesterov, l2=0.0, **kw)
    for res in (zero, none):
        np.testing.assert_array_equal(_fit_rows(res), _fit_rows(plain))
        assert res.momentum == 0.0


def test_kernel_slices_carry_the_velocity(monkeypatch, feature_data):
    # the velocity lives in the state array: slices of 2 iterations give the
    # same iterates as one call (bit for bit: the same operations in the same order)
    x, y = feature_data
    kw = dict(learning_rate=0.1, momentum=0.9, max_iter=60, tol=None)
    whole = gdfast.fit(x, y, **kw)
    monkeypatch.setattr(_descent, "POINTS_PER_SLICE", 2 * len(x))
    monkeypatch.setattr(_descent, "_FIRST_SLICE_ITERATIONS", 2)
    sliced = gdfast.fit(x, y, **kw)
    np.testing.assert_array_equal(_fit_rows(sliced), _fit_rows(whole))


@pytest.mark.parametrize("nesterov", [False, True])
def test_the_same_bits_on_any_number_of_threads(nesterov):
    # the one-feature pass over several blocks, and the d-feature pass
    rng = np.random.default_rng(8)
    x = rng.uniform(0, 3, 50_000)
    y = 1.0 + 2.0 * x + rng.normal(0, 0.1, x.size)
    for data in ((x, y), (np.column_stack([x, x ** 2]), y)):
        runs = [gdfast.fit(*data, momentum="auto", nesterov=nesterov, l2=1e-3,
                           max_iter=300, tol=None, n_threads=n) for n in (1, 2, 3)]
        for res in runs[1:]:
            np.testing.assert_array_equal(_fit_rows(res), _fit_rows(runs[0]))


# ---------------------------------------------------------------------------
# momentum="auto"
# ---------------------------------------------------------------------------
def test_auto_parameters_are_polyaks_and_lessards(feature_data):
    x, y = feature_data
    lim = gdfast.learning_rate_limits(x)
    lo, hi = lim.eigenvalues[0], lim.eigenvalues[-1]
    root = math.sqrt(hi / lo)
    res = gdfast.fit(x, y, momentum="auto", max_iter=3, tol=None)
    assert res.learning_rate == pytest.approx(4 / (math.sqrt(hi) + math.sqrt(lo)) ** 2,
                                              rel=1e-12)
    assert res.momentum == pytest.approx(((root - 1) / (root + 1)) ** 2, rel=1e-12)
    nest = gdfast.fit(x, y, momentum="auto", nesterov=True, max_iter=3, tol=None)
    r3 = math.sqrt(3 * hi / lo + 1)
    assert nest.learning_rate == pytest.approx(4 / (3 * hi + lo), rel=1e-12)
    assert nest.momentum == pytest.approx((r3 - 2) / (r3 + 2), rel=1e-12)
    # a fixed learning rate keeps its value; a fixed beta takes (1 + beta) * optimal
    fixed = gdfast.fit(x, y, momentum="auto", learning_rate=0.05, max_iter=3, tol=None)
    assert fixed.learning_rate == 0.05 and fixed.momentum == res.momentum
    beta = gdfast.fit(x, y, momentum=0.5, max_iter=3, tol=None)
    assert beta.learning_rate == pytest.approx(1.5 * lim.optimal, rel=1e-12)


@pytest.mark.parametrize("nesterov", [False, True])
def test_auto_converges_on_ill_conditioned_data_whose_cost_rises_on_the_way(cars_like,
                                                                             nesterov):
    # Columns far from zero mean: kappa about 1e5.  The heavy ball's steep mode
    # swings with a growing amplitude before it decays, so the cost climbs far
    # above twice its start; that is not divergence (the rate is below the
    # stability limit with momentum, where no rising-cost test is made).
    x, y = cars_like
    lim = gdfast.learning_rate_limits(x)
    assert lim.condition_number > 1e4
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # no DivergenceWarning
        res = gdfast.fit(x, y, momentum="auto", nesterov=nesterov, max_iter=100_000,
                         tol=1e-7, record_every=1)
    assert res.converged
    assert res.history.cost.max() > 2 * res.history.cost[0]   # the premise
    ref, *_ = np.linalg.lstsq(_design(x), y, rcond=None)
    np.testing.assert_allclose([res.intercept, res.slope], ref, rtol=1e-8)
    # about sqrt(kappa) iterations per factor e, not kappa
    plain = gdfast.fit(x, y, max_iter=10**7, tol=1e-7)
    assert plain.converged and res.n_iter * 100 < plain.n_iter


def test_diagnosis_of_a_momentum_fit_counts_its_own_rate(cars_like):
    x, y = cars_like
    with pytest.warns(gdfast.ConvergenceWarning) as caught:
        res = gdfast.fit(x, y, momentum="auto", max_iter=50, tol=1e-7)
    lim = gdfast.learning_rate_limits(x)
    rho = lim.momentum_rate("auto", "auto")
    assert rho == pytest.approx((math.sqrt(lim.condition_number) - 1)
                                / (math.sqrt(lim.condition_number) + 1), rel=1e-6)
    assert f"shrinks by a factor {rho:.6g} per iteration" in res.diagnosis
    assert "momentum='auto' (CLI" not in res.diagnosis   # it is on already
    assert res.diagnosis in str(caught[0].message)


def test_diagnosis_of_a_slow_plain_fit_suggests_momentum(cars_like):
    x, y = cars_like
    with pytest.warns(gdfast.ConvergenceWarning):
        res = gdfast.fit(x, y, max_iter=1000, tol=1e-7)
    lim = gdfast.learning_rate_limits(x)
    kappa = lim.condition_number
    d = res.diagnosis
    assert "momentum='auto' (CLI: --momentum auto) would converge in about" in d
    # the iterations per factor e: about kappa/2 against sqrt(kappa)/2
    plain_e = -1 / math.log(lim.rate("auto"))
    heavy_e = -1 / math.log(lim.momentum_rate("auto", "auto"))
    assert f"about {plain_e:.3g} iterations per factor e" in d
    assert f"the heavy ball about {heavy_e:.3g}" in d
    assert plain_e == pytest.approx(kappa / 2, rel=0.01)
    assert heavy_e == pytest.approx(math.sqrt(kappa) / 2, rel=0.01)
    # what it promises holds: momentum="auto" converges in about that many
    promised = int(d.split("--momentum auto) would converge in about ")[1].split(" iteration")[0]
                   .replace(",", ""))
    needed = float(d.split("about ")[1].split(" iterations in all")[0])
    fast = gdfast.fit(x, y, momentum="auto", max_iter=10**6, tol=1e-7)
    assert fast.converged
    assert 0.5 * promised < fast.n_iter < 2 * promised < needed / 10


def test_momentum_rate_is_the_spectral_radius_of_the_iteration():
    # the 2 x 2 iteration matrix per curvature, its eigenvalues by NumPy
    h = np.array([[1.0, 3.0], [3.0, 10.0]])
    lim = gdfast.LearningRateLimits.from_hessian(h)
    for nesterov in (False, True):
        for alpha, beta in [(0.05, 0.3), (0.1, 0.9), (0.02, 0.0)]:
            radius = 0.0
            for lam in lim.eigenvalues:
                c = 1 - alpha * lam
                m = (np.array([[(1 + beta) * c, -beta * c], [1, 0]]) if nesterov else
                     np.array([[1 + beta - alpha * lam, -beta], [1, 0]]))
                radius = max(radius, np.max(np.abs(np.linalg.eigvals(m))))
            assert lim.momentum_rate(alpha, beta, nesterov) == pytest.approx(radius, rel=1e-7)
    assert lim.momentum_rate(0.02, 0.0) == pytest.approx(lim.rate(0.02), rel=1e-12)


# ---------------------------------------------------------------------------
# Divergence, stopping rules, callbacks, Ctrl-C, bounded history
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("nesterov", [False, True])
def test_a_rate_above_the_momentum_stability_limit_diverges(feature_data, nesterov):
    x, y = feature_data
    lim = gdfast.learning_rate_limits(x)
    beta = 0.5
    limit = 2 * (1 + beta) / lim.eigenvalues[-1] / ((1 + 2 * beta) if nesterov else 1)
    with pytest.warns(gdfast.DivergenceWarning, match="with .*momentum"):
        with pytest.raises(gdfast.DivergenceError, match="stability limit") as info:
            gdfast.fit(x, y, learning_rate=1.05 * limit, momentum=beta, nesterov=nesterov,
                       max_iter=100_000)
    h = info.value.result.history
    assert h.cost[-1] > 2 * h.cost[0] and len(h) < 2000
    # just below it: no warning, and it converges
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = gdfast.fit(x, y, learning_rate=0.9 * limit, momentum=beta, nesterov=nesterov,
                         max_iter=100_000, tol=1e-8)
    assert res.converged


def test_non_finite_steps_with_momentum_are_divergence(line_data):
    x, y = line_data
    with pytest.warns(gdfast.DivergenceWarning):
        with pytest.raises(gdfast.DivergenceError) as info:
            gdfast.fit(x * 1e150, y, learning_rate=1.0, momentum=0.9, max_iter=1000)
    assert np.all(np.isfinite(_fit_rows(info.value.result)))


def test_tol_callback_and_max_iter(feature_data):
    x, y = feature_data
    res = gdfast.fit(x, y, momentum="auto", tol=1e-7)
    assert res.converged and res.gradient_norm <= 1e-7
    seen = []

    def stop_at_5(step):
        seen.append(step.iteration)
        return step.iteration < 5 or False

    stopped = gdfast.fit(x, y, momentum=0.9, nesterov=True, callback=stop_at_5, record_every=1)
    assert stopped.stopped_by == "callback" and stopped.n_iter == 5 and seen == list(range(6))
    full = gdfast.fit(x, y, momentum=0.9, nesterov=True, max_iter=5, tol=None)
    np.testing.assert_array_equal(_fit_rows(stopped), _fit_rows(full))


def test_ctrl_c_with_momentum_keeps_the_partial_result(interrupted):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20_000, 2)) * [1.0, 1e3]
    y = x @ [1.0, 2.0]
    result = interrupted(gdfast.fit, x, y, momentum=0.999, learning_rate=1e-8,
                         max_iter=10**9, tol=None)
    assert result.stopped_by == "interrupt" and result.n_iter > 0
    assert result.history.iteration[-1] == result.n_iter


def test_history_stays_bounded_with_momentum(line_data):
    x, y = line_data
    res = gdfast.fit(x, y, momentum=0.99, learning_rate=1e-6, method="stats",
                     max_iter=300_000, tol=None)
    assert res.n_iter == 300_000 and len(res.history) <= 100_002


# ---------------------------------------------------------------------------
# The L2 penalty: scikit-learn's Ridge
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["batch", "stats"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("cost", ["half_mse", "mse"])
def test_l2_is_ridge_with_alpha_l2_times_the_weight_sum(feature_data, method, fit_intercept,
                                                        weighted, standardize, cost):
    sklearn = pytest.importorskip("sklearn.linear_model")
    x, y = feature_data
    x = x * [1.0, 3.0, 0.2] + [2.0, 0.0, -1.0]
    w = np.random.default_rng(4).uniform(0.5, 2.0, len(y)) if weighted else None
    l2 = 0.05
    res = gdfast.fit(x, y, l2=l2, momentum="auto", tol=1e-13, max_iter=100_000,
                     method=method, fit_intercept=fit_intercept, sample_weight=w,
                     standardize=standardize, cost=cost)
    assert res.converged
    total = len(y) if w is None else w.sum()
    ridge = sklearn.Ridge(alpha=l2 * total, fit_intercept=fit_intercept, solver="cholesky",
                          tol=1e-14).fit(x, y, sample_weight=w)
    np.testing.assert_allclose(res.coef, ridge.coef_, rtol=1e-8)
    assert res.intercept == pytest.approx(ridge.intercept_, rel=1e-8, abs=1e-12)
    # the cost reported is the penalised one
    r = res.predict(x) - y
    ww = np.ones(len(y)) if w is None else w
    factor = 1.0 if cost == "half_mse" else 2.0
    penalised = factor * (np.sum(ww * r * r) / (2 * ww.sum()) + 0.5 * l2 * res.coef @ res.coef)
    assert res.cost == pytest.approx(penalised, rel=1e-10)


def test_l2_is_ridge_one_feature(line_data):
    sklearn = pytest.importorskip("sklearn.linear_model")
    x, y = line_data
    res = gdfast.fit(x, y, l2=0.5, tol=1e-13, nesterov=True, momentum="auto")
    ridge = sklearn.Ridge(alpha=0.5 * len(x)).fit(x[:, None], y)
    assert res.slope == pytest.approx(ridge.coef_[0], rel=1e-8)
    assert res.intercept == pytest.approx(ridge.intercept_, rel=1e-8)


def test_l2_raises_the_smallest_curvature(feature_data):
    x, _ = feature_data
    for standardize in (False, True):
        lim = gdfast.learning_rate_limits(x, standardize=standardize)
        pen = gdfast.learning_rate_limits(x, standardize=standardize, l2=0.5)
        # the penalised Hessian, from NumPy, in the descent's units
        a = _design(x)
        inv = 1 / x.std(0) if standardize else np.ones(3)
        if standardize:
            a = _design((x - x.mean(0)) * inv)
        h = a.T @ a / len(x) + np.diag(np.r_[0.0, 0.5 * inv ** 2])
        np.testing.assert_allclose(pen.eigenvalues, np.linalg.eigvalsh(h), rtol=1e-10)
        assert pen.condition_number < lim.condition_number


def test_l2_curvature_from_the_lanczos_estimate(monkeypatch):
    # many points and features: the limits are estimated from Hessian products,
    # which carry the penalty too
    from gdfast import _curvature

    monkeypatch.setattr(_curvature, "EXACT_SIDE", 2)
    monkeypatch.setattr(_curvature, "EXACT_WORK", 1.0)
    rng = np.random.default_rng(2)
    x = rng.normal(size=(400, 5))
    est = gdfast.learning_rate_limits(x, l2=2.0)
    assert est.estimated
    h = _design(x).T @ _design(x) / 400 + np.diag(np.r_[0.0, [2.0] * 5])
    assert est.eigenvalues[-1] >= np.linalg.eigvalsh(h)[-1] * (1 - 1e-9)
    assert est.eigenvalues[-1] == pytest.approx(np.linalg.eigvalsh(h)[-1], rel=1e-3)


# ---------------------------------------------------------------------------
# Every entry point, and bad options
# ---------------------------------------------------------------------------
def test_fit_stream_and_fit_statistics_take_the_options(feature_data):
    x, y = feature_data
    kw = dict(momentum="auto", nesterov=True, l2=0.01, max_iter=300, tol=None)
    stats = gdfast.fit(x, y, method="stats", **kw)
    stream = gdfast.fit_stream(((x[i:i + 70], y[i:i + 70]) for i in range(0, 300, 70)), **kw)
    direct = gdfast.fit_statistics(gdfast.Statistics.from_arrays(x, y), **kw)
    np.testing.assert_array_equal(_fit_rows(direct), _fit_rows(stats))
    np.testing.assert_allclose(_fit_rows(stream), _fit_rows(stats), rtol=1e-9)
    assert stream.momentum == pytest.approx(stats.momentum, rel=1e-12) and stats.momentum > 0


@pytest.mark.parametrize("bad, error, match", [
    (dict(momentum=1.0), ValueError, "momentum must be below 1"),
    (dict(momentum=-0.1), ValueError, "momentum must be >= 0"),
    (dict(momentum="fast"), TypeError, "only string accepted is 'auto'"),
    (dict(momentum=float("nan")), ValueError, "momentum must be a finite number"),
    (dict(momentum=True), TypeError, "momentum must be a real number"),
    (dict(nesterov="yes"), TypeError, "nesterov must be True or False"),
    (dict(l2=-1.0), ValueError, "l2 must be >= 0"),
    (dict(l2=float("inf")), ValueError, "l2 must be a finite number"),
    (dict(l2="0.1"), TypeError, "l2 must be a real number"),
])
def test_bad_options_are_refused_by_name_before_any_work(line_data, bad, error, match):
    x, y = line_data
    for function in (gdfast.fit,
                     lambda x, y, **kw: gdfast.fit_stream([(x, y)], **kw),
                     lambda x, y, **kw: gdfast.fit_statistics(
                         gdfast.Statistics.from_arrays(x, y), **kw)):
        with pytest.raises(error, match=match):
            function(x, y, **bad)


def test_gdregressor_takes_momentum_nesterov_and_l2(feature_data):
    sklearn = pytest.importorskip("sklearn.linear_model")
    from sklearn.utils._param_validation import InvalidParameterError

    x, y = feature_data
    reg = gdfast.GDRegressor(momentum="auto", nesterov=True, l2=0.02, tol=1e-12).fit(x, y)
    ridge = sklearn.Ridge(alpha=0.02 * len(y)).fit(x, y)
    np.testing.assert_allclose(reg.coef_, ridge.coef_, rtol=1e-8)
    assert reg.result_.momentum > 0 and reg.get_params()["l2"] == 0.02
    for bad in (dict(momentum=1.0), dict(momentum="fast"), dict(l2=-1.0),
                dict(nesterov="no")):
        with pytest.raises(InvalidParameterError):
            gdfast.GDRegressor(**bad).fit(x, y)


def test_cli_fit_takes_momentum_nesterov_and_l2(tmp_path, feature_data, run_python):
    x, y = feature_data
    path = tmp_path / "data.npy"
    np.save(path, np.column_stack([x, y]))
    out = run_python(f"import sys; from gdfast.cli import main; sys.exit(main(["
                     f"'fit', {str(path)!r}, '--y', '3', '--x', '0', '1', '2', '--json', "
                     f"'--momentum', 'auto', '--nesterov', '--l2', '0.01', '--tol', '1e-12']))")
    got = json.loads(out.stdout)
    ref = gdfast.fit(x, y, momentum="auto", nesterov=True, l2=0.01, tol=1e-12)
    assert got["status"] == "converged"
    np.testing.assert_allclose(got["coef"], ref.coef, rtol=1e-12)
    bad = run_python(f"import sys; from gdfast.cli import main; sys.exit(main(["
                     f"'fit', {str(path)!r}, '--y', '3', '--momentum', '1.5']))")
    assert bad.returncode != 0 and "momentum must be below 1" in bad.stderr
    assert "Traceback" not in bad.stderr
