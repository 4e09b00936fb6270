"""gdfast.Statistics: one compiled pass, exact merges, and the descent from them."""
import warnings

import numpy as np
import pytest

import gdfast
from gdfast import Statistics, fit_statistics


def _numpy_statistics(x, y, w=None):
    """Two-pass NumPy reference of every field."""
    x = np.asarray(x, dtype=np.float64)
    x = x[:, None] if x.ndim == 1 else x
    y = np.asarray(y, dtype=np.float64)
    w = np.ones(len(y)) if w is None else np.asarray(w, dtype=np.float64)
    W = w.sum()
    mx, my = (w @ x) / W, (w @ y) / W
    cx, cy = x - mx, y - my
    return dict(n=len(y), weight_sum=W, mean_x=mx, mean_y=my, gram_xx=cx.T @ (w[:, None] * cx),
                cross_xy=cx.T @ (w * cy), sum_yy=cy @ (w * cy))


def _assert_stats_close(s, ref, rtol):
    assert s.n == ref["n"]
    np.testing.assert_allclose(s.weight_sum, ref["weight_sum"], rtol=1e-14)
    # errors are measured against the spread (a centred sum can be ~0)
    spread_x = np.sqrt(np.diag(ref["gram_xx"]))
    spread_y = np.sqrt(ref["sum_yy"])
    np.testing.assert_allclose(s.mean_x, ref["mean_x"], rtol=rtol,
                               atol=rtol * np.max(spread_x) / np.sqrt(ref["weight_sum"]))
    np.testing.assert_allclose(s.mean_y, ref["mean_y"], rtol=rtol,
                               atol=rtol * spread_y / np.sqrt(ref["weight_sum"]))
    np.testing.assert_allclose(s.gram_xx, ref["gram_xx"], rtol=rtol,
                               atol=rtol * np.max(spread_x) ** 2 + 1e-300)
    np.testing.assert_allclose(s.cross_xy, ref["cross_xy"], rtol=rtol,
                               atol=rtol * np.max(spread_x) * spread_y + 1e-300)
    np.testing.assert_allclose(s.sum_yy, ref["sum_yy"], rtol=rtol, atol=rtol * spread_y ** 2)


@pytest.fixture
def data3(weighted_points):
    # a column far from 0 (100 +- 0.5): the sums must be centred
    return weighted_points(1000, [5.0, -2.0, 100.0], seed=7)


@pytest.mark.parametrize("n", [1, 2, 255, 256, 257, 1000])
@pytest.mark.parametrize("weighted", [False, True])
def test_from_arrays_matches_two_pass_numpy(data3, n, weighted):
    x, y, w = data3
    w = w[:n] if weighted else None
    s = Statistics.from_arrays(x[:n], y[:n], w)
    _assert_stats_close(s, _numpy_statistics(x[:n], y[:n], w), 1e-12)
    assert s.mean_x.dtype == np.float64 and s.gram_xx.shape == (3, 3)
    np.testing.assert_array_equal(s.gram_xx, s.gram_xx.T)


@pytest.mark.bitwise
def test_from_arrays_one_feature_and_fortran_order(data3):
    x, y, _ = data3
    s1 = Statistics.from_arrays(x[:, 0], y)
    assert s1.mean_x.shape == (1,) and s1.gram_xx.shape == (1, 1)
    _assert_stats_close(s1, _numpy_statistics(x[:, 0], y), 1e-12)
    sf = Statistics.from_arrays(np.asfortranarray(x), y)
    sc = Statistics.from_arrays(x, y)
    # exact: each block is copied into the same column-major scratch whatever the order
    # of x, and summed from there by the same code
    np.testing.assert_array_equal(sf.gram_xx, sc.gram_xx)


def test_from_arrays_keeps_digits_of_a_huge_mean():
    # x around 1e9 with spread 1: sum x**2 - N mean**2 would keep no digit
    rng = np.random.default_rng(2)
    x = rng.normal(1e9, 1.0, (20_000, 2))
    y = x @ [1.0, -1.0] + rng.normal(0, 1.0, 20_000)
    _assert_stats_close(Statistics.from_arrays(x, y), _numpy_statistics(x, y), 1e-9)


def test_from_arrays_float32_accumulates_in_double():
    rng = np.random.default_rng(3)
    x = rng.normal(3.0, 1.0, (100_000, 2)).astype(np.float32)
    y = (x @ np.array([1.0, 2.0], np.float32)).astype(np.float32)
    s = Statistics.from_arrays(x, y)
    # the reference on the same float32 values, summed in float64
    _assert_stats_close(s, _numpy_statistics(x, y), 1e-11)


@pytest.mark.parametrize("cut", [1, 17, 500, 999])
def test_merge_equals_statistics_of_the_union(data3, cut):
    x, y, w = data3
    for weights in (None, w):
        wa = None if weights is None else weights[:cut]
        wb = None if weights is None else weights[cut:]
        merged = Statistics.from_arrays(x[:cut], y[:cut], wa).merge(
            Statistics.from_arrays(x[cut:], y[cut:], wb))
        _assert_stats_close(merged, _numpy_statistics(x, y, weights), 1e-12)


def test_merge_is_associative_and_commutative(data3):
    x, y, w = data3
    a, b, c = (Statistics.from_arrays(x[s], y[s], w[s])
               for s in (slice(0, 100), slice(100, 101), slice(101, None)))
    left, right, swapped = a.merge(b).merge(c), a.merge(b.merge(c)), c.merge(a).merge(b)
    for other in (right, swapped):
        np.testing.assert_allclose(other.gram_xx, left.gram_xx, rtol=1e-13)
        np.testing.assert_allclose(other.cross_xy, left.cross_xy, rtol=1e-13)
        np.testing.assert_allclose(other.sum_yy, left.sum_yy, rtol=1e-13)
        np.testing.assert_allclose(other.mean_x, left.mean_x, rtol=1e-14)


def test_zero_weight_statistics_merge_as_nothing(data3):
    x, y, w = data3
    s = Statistics.from_arrays(x, y, w)
    zero = Statistics.from_arrays(x[:5] + 1e6, y[:5], np.zeros(5))
    assert zero.weight_sum == 0.0
    for merged in (s.merge(zero), zero.merge(s)):
        assert merged.n == s.n + 5
        np.testing.assert_array_equal(merged.gram_xx, s.gram_xx)
        assert merged.sum_yy == s.sum_yy
    with pytest.raises(ValueError, match="weight_sum == 0"):
        fit_statistics(zero)


def test_merge_refuses_other_things(data3):
    x, y, _ = data3
    s = Statistics.from_arrays(x, y)
    with pytest.raises(TypeError, match="other must be a Statistics"):
        s.merge((1, 2))
    with pytest.raises(ValueError, match="3 features .* 1 feature$"):
        s.merge(Statistics.from_arrays(x[:, 0], y))


@pytest.mark.parametrize("args, exc, match", [
    ((np.ones((3, 2)), np.ones(4)), ValueError, "same number of points"),
    ((np.array([[1.0, np.nan]]), [1.0]), ValueError, "x must be finite"),
    ((np.ones((2, 2)), ["a", "b"]), TypeError, "y must hold real numbers"),
    ((np.ones((2, 2)), np.ones(2), [1.0, -1.0]), ValueError, "sample_weight must be >= 0"),
    ((np.ones((0, 2)), np.ones(0)), ValueError, "x is empty"),
])
def test_from_arrays_validates_like_fit(args, exc, match):
    with pytest.raises(exc, match=match):
        Statistics.from_arrays(*args)


def test_fit_statistics_history_matches_batch(data3):
    x, y, w = data3
    kwargs = dict(learning_rate="auto", max_iter=300, tol=1e-10, standardize=True)
    batch = gdfast.fit(x, y, sample_weight=w, **kwargs)
    stats = fit_statistics(Statistics.from_arrays(x, y, w), **kwargs)
    # the same stopping iteration although the gradient norms differ by rounding: they
    # cross tol far from it (85 % below at the stop, 170 % above the step before)
    np.testing.assert_array_equal(stats.history.iteration, batch.history.iteration)
    np.testing.assert_allclose(stats.history.coef, batch.history.coef, rtol=1e-10)
    np.testing.assert_allclose(stats.history.cost, batch.history.cost, rtol=1e-10)
    assert stats.converged == batch.converged
    assert stats.learning_rate == pytest.approx(batch.learning_rate, rel=1e-12)
    assert "iterations" in stats.diagnosis


def test_fit_statistics_checks_its_arguments(data3):
    x, y, _ = data3
    s = Statistics.from_arrays(x, y)
    with pytest.raises(TypeError, match="stats must be a gdfast Statistics"):
        fit_statistics((x, y))
    with pytest.raises(ValueError, match="max_iter"):
        fit_statistics(s, max_iter=-1)
    with pytest.raises(ValueError, match="init"):
        fit_statistics(s, init=(0.0, 1.0))


def test_fit_statistics_warns_at_the_callers_line(data3):
    x, y, _ = data3
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit_statistics(Statistics.from_arrays(x, y), learning_rate=1e-6, max_iter=2)
    assert [c.filename for c in caught] == [__file__]


def test_fit_statistics_warns_of_more_parameters_than_points_at_the_callers_line():
    s = Statistics.from_arrays(np.eye(3)[:2], [1.0, 2.0])
    with pytest.warns(UserWarning, match="3 features for 2 points") as caught:
        fit_statistics(s, learning_rate=0.1, max_iter=5, tol=None)
    assert caught[0].filename == __file__


def test_statistics_pickle_for_other_processes(data3):
    import pickle

    x, y, w = data3
    s = Statistics.from_arrays(x, y, w)
    back = pickle.loads(pickle.dumps(s))
    np.testing.assert_array_equal(back.gram_xx, s.gram_xx)
    assert (back.n, back.weight_sum, back.sum_yy) == (s.n, s.weight_sum, s.sum_yy)


def test_slices_of_a_many_feature_stats_fit_stay_short(monkeypatch):
    # an iteration costs O(d**2): with d = 200 a slice holds about 2**24 / 200
    # iterations, so Ctrl-C and the progress bar are served as often as in batch
    from gdfast import _descent, _statistics
    from gdfast._engine import kernels as engine

    assert _statistics.stats_iteration_points(1) == _statistics.stats_iteration_points(16) == 16
    assert _statistics.stats_iteration_points(200) == 200
    starts = []
    real = engine.run_descent_stats

    def spy(*args):
        starts.append(args[8])     # the iteration the slice starts at
        return real(*args)

    monkeypatch.setattr(engine, "run_descent_stats", spy)
    monkeypatch.setattr(_descent, "POINTS_PER_SLICE", 20 * 10)   # 10 iterations a slice
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 20))
    res = fit_statistics(Statistics.from_arrays(x, x @ np.ones(20)), max_iter=35, tol=None,
                         learning_rate=0.01)
    assert starts == [0, 10, 20, 30] and res.n_iter == 35


def test_docstring_examples():
    import doctest

    from gdfast import _fit, _statistics

    # Statistics' module, and the two entry points that descend from Statistics (in _fit)
    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner()
    for obj, module in [(_statistics, _statistics), (_fit.fit_statistics, _fit),
                        (_fit.fit_stream, _fit)]:
        for test in finder.find(obj, module=module, globs=dict(vars(module))):
            runner.run(test)
    failed, attempted = runner.summarize(verbose=False)
    assert attempted >= 10 and failed == 0


@pytest.mark.bitwise
@pytest.mark.parametrize("weighted", [False, True])
def test_from_arrays_is_the_same_for_any_thread_count(weighted):
    # 5 chunks of 16384 rows and a partial one, with one far-off mean column
    rng = np.random.default_rng(5)
    n = 5 * 16384 + 77
    x = rng.normal(size=(n, 4)) + [0.0, 1e4, -3.0, 0.5]
    y = x @ [1.0, 2.0, 3.0, 4.0] + rng.normal(size=n)
    w = rng.uniform(0.0, 2.0, n) if weighted else None
    one = Statistics.from_arrays(x, y, w, n_threads=1)
    # exact: the chunks depend on N and d only and are merged in their order
    for n_threads in (2, 3, None):
        other = Statistics.from_arrays(x, y, w, n_threads=n_threads)
        for field in ("weight_sum", "mean_x", "mean_y", "gram_xx", "cross_xy", "sum_yy"):
            np.testing.assert_array_equal(getattr(other, field), getattr(one, field))
    _assert_stats_close(one, _numpy_statistics(x, y, w), 1e-11)
    with pytest.raises(ValueError, match="n_threads"):
        Statistics.from_arrays(x, y, n_threads=0)


@pytest.mark.bitwise
def test_stats_fit_threads_change_nothing():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(40_000, 3))
    y = x @ [1.0, -1.0, 2.0] + rng.normal(size=40_000)
    a = gdfast.fit(x, y, method="stats", n_threads=1, max_iter=50, tol=None)
    b = gdfast.fit(x, y, method="stats", n_threads=2, max_iter=50, tol=None)
    # exact: the same statistics (above), then the same O(d**2) iterations
    np.testing.assert_array_equal(a.history.coef, b.history.coef)


# --- Statistics built by hand are checked (issue 17) --------------------------------------

GOOD = dict(n=4, weight_sum=4.0, mean_x=[1.5, 1.0], mean_y=1.0,
            gram_xx=[[5.0, 1.0], [1.0, 2.0]], cross_xy=[10.0, 0.5], sum_yy=18.0)


@pytest.mark.parametrize("change, exc, match", [
    (dict(n=0), ValueError, r"^Statistics: n \(the number of points\) must be >= 1, got 0"),
    (dict(n=-3), ValueError, r"n \(the number of points\) must be >= 1"),
    (dict(n=4.0), TypeError, r"^Statistics: n \(the number of points\) must be an integer"),
    (dict(n=True), TypeError, r"n \(the number of points\) must be an integer"),
    (dict(weight_sum=-1.0), ValueError, r"^Statistics: weight_sum must be >= 0.0, got -1.0"),
    (dict(weight_sum=np.inf), ValueError, r"^Statistics: weight_sum must be a finite number"),
    (dict(weight_sum="4"), TypeError, r"^Statistics: weight_sum must be a real number"),
    (dict(mean_y=np.nan), ValueError, r"^Statistics: mean_y must be a finite number"),
    (dict(sum_yy=-0.5), ValueError, r"^Statistics: sum_yy must be >= 0.0"),
    (dict(mean_x=[1.5, 1.0, 0.0]), ValueError,
     r"^Statistics: gram_xx must have shape \(3, 3\) .* got shape \(2, 2\)"),
    (dict(mean_x=[[1.5, 1.0]]), ValueError, r"^Statistics: mean_x must have 1 dimension"),
    (dict(mean_x=[]), ValueError, r"^Statistics: mean_x is empty"),
    (dict(mean_x=[1.5, np.nan]), ValueError, r"^Statistics: mean_x must be finite, but "
                                             r"mean_x\[1\] is nan"),
    (dict(mean_x=["a", "b"]), TypeError, r"^Statistics: mean_x must be an array of real"),
    (dict(gram_xx=[5.0, 2.0]), ValueError, r"^Statistics: gram_xx must have shape \(2, 2\)"),
    (dict(gram_xx=[[5.0, 1.0], [1.0, np.inf]]), ValueError,
     r"^Statistics: gram_xx must be finite, but gram_xx\[1, 1\] is inf"),
    (dict(gram_xx=[[5.0, 1.0], [1.0, -2.0]]), ValueError,
     r"^Statistics: gram_xx\[1, 1\] is -2, but a sum of squares is >= 0"),
    (dict(gram_xx=[[5.0, 1.0], [3.0, 2.0]]), ValueError,
     r"^Statistics: gram_xx must be symmetric, but gram_xx\[0, 1\] = 1 and gram_xx\[1, 0\] = 3"),
    (dict(cross_xy=[10.0]), ValueError, r"^Statistics: cross_xy must have shape \(2,\)"),
    (dict(cross_xy=[10.0, 0.5, 1.0]), ValueError, r"^Statistics: cross_xy must have shape"),
])
def test_statistics_built_by_hand_are_checked(change, exc, match):
    with pytest.raises(exc, match=match):
        Statistics(**{**GOOD, **change})


def test_statistics_built_by_hand_are_stored_as_float64_and_fit_like_computed_ones():
    x = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]])
    y = 1.0 + x @ [2.0, -1.0]
    computed = Statistics.from_arrays(x, y)
    fields = {name: getattr(computed, name) for name in GOOD}
    by_hand = Statistics(**{k: v.tolist() if isinstance(v, np.ndarray) else v
                            for k, v in fields.items()})
    assert by_hand.gram_xx.dtype == np.float64 and by_hand.gram_xx.shape == (2, 2)
    assert not np.shares_memory(by_hand.mean_x, computed.mean_x)
    kw = dict(max_iter=50, tol=None)
    np.testing.assert_array_equal(fit_statistics(by_hand, **kw).history.coef,
                                  fit_statistics(computed, **kw).history.coef)
    # rounding-level asymmetry (a BLAS X.T @ X) is accepted
    gram = computed.gram_xx.copy()
    gram[0, 1] *= 1 + 1e-14
    Statistics(**{**fields, "gram_xx": gram})
