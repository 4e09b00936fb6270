"""Every bad input gets a TypeError/ValueError naming the argument, before any work."""
import numpy as np
import pytest

import gdfast

X = np.array([0.0, 1.0, 2.0])
Y = np.array([1.0, 3.0, 5.0])


@pytest.mark.parametrize("x, y, exc, match", [
    (["a", "b", "c"], Y, TypeError, r"x must hold real numbers.*string"),
    (X, np.array([1 + 1j, 2, 3]), TypeError, r"y must hold real numbers.*complex"),
    (np.array([1.0, 2.0, 3.0], dtype=object), Y, TypeError, r"x must hold real numbers.*object"),
    (X, [1.0, None, 3.0], TypeError, r"y must hold real numbers.*object"),
    (np.array([np.datetime64("2020-01-01")] * 3), Y, TypeError, r"x must hold real numbers.*datetime"),
    (3.0, Y, ValueError, r"x must be a 1-D array of points, got a scalar"),
    (X, np.ones((3, 2)), ValueError, r"y must be a 1-D array of points, got shape \(3, 2\)"),
    (np.ones((3, 1, 1)), Y, ValueError, r"x must be a 1-D array \(N,\) of points or a 2-D "
                                        r"array \(N, d\).*got shape \(3, 1, 1\)"),
    (X, Y[:2], ValueError, r"x and y must have the same length, got 3 and 2"),
    ([], [], ValueError, r"x is empty"),
    (X, np.array([]), ValueError, r"y is empty"),
    ([[1.0, 2.0], [3.0]], Y, ValueError, r"x could not be read as an array"),
    (np.array([0.0, np.nan, 2.0]), Y, ValueError, r"x must be finite, but x\[1\] is nan"),
    (X, np.array([1.0, 3.0, np.inf]), ValueError, r"y must be finite, but y\[2\] is inf"),
    (X, np.array([-np.inf, 3.0, 5.0]), ValueError, r"y must be finite, but y\[0\] is -inf"),
    (X.astype(np.float32), np.array([1, np.nan, 3], dtype=np.float32), ValueError,
     r"y must be finite, but y\[1\] is nan"),
])
def test_bad_data(x, y, exc, match):
    with pytest.raises(exc, match=match):
        gdfast.fit(x, y)


def test_nan_far_into_a_large_array_is_found():
    x = np.zeros(100_001)
    x[99_999] = np.nan
    with pytest.raises(ValueError, match=r"x\[99999\] is nan"):
        gdfast.fit(x, np.zeros_like(x))


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(learning_rate=0.0), ValueError, r"learning_rate must be > 0.0, got 0.0"),
    (dict(learning_rate=-0.1), ValueError, r"learning_rate must be > 0.0, got -0.1"),
    (dict(learning_rate=np.nan), ValueError, r"learning_rate must be a finite number"),
    (dict(learning_rate=np.inf), ValueError, r"learning_rate must be a finite number"),
    (dict(learning_rate="0.1"), TypeError, r"learning_rate must be a real number, got '0.1'"),
    (dict(learning_rate=None), TypeError, r"learning_rate must be a real number"),
    (dict(learning_rate=True), TypeError, r"learning_rate must be a real number"),
    (dict(learning_rate=1j), TypeError, r"learning_rate must be a real number"),
    (dict(max_iter=-1), ValueError, r"max_iter must be >= 0, got -1"),
    (dict(max_iter=10.0), TypeError, r"max_iter must be an integer, got 10.0"),
    (dict(max_iter=10.5), TypeError, r"max_iter must be an integer"),
    (dict(max_iter="10"), TypeError, r"max_iter must be an integer"),
    (dict(max_iter=True), TypeError, r"max_iter must be an integer"),
    (dict(max_iter=2 ** 70), ValueError, r"max_iter must be at most"),
    (dict(tol=-1e-3), ValueError, r"tol must be >= 0.0, got -0.001"),
    (dict(tol=np.nan), ValueError, r"tol must be a finite number, got nan"),
    (dict(tol="small"), TypeError, r"tol must be a real number"),
    (dict(cost="mae"), ValueError, r"cost must be one of \('half_mse', 'mse'\), got 'mae'"),
    (dict(cost=None), TypeError, r"cost must be one of"),
    (dict(init=(0.0,)), ValueError, r"init must be a pair of numbers \(b0, b1\), got 1 value$"),
    (dict(init=(0.0, 1.0, 2.0)), ValueError, r"init must be a pair of numbers .* got 3 values"),
    (dict(init=5.0), TypeError, r"init must be an ordered sequence .* of two numbers"),
    (dict(init="ab"), TypeError, r"init must be an ordered sequence .* of two numbers"),
    (dict(init=(0.0, np.nan)), ValueError, r"init\[1\] \(the starting slope b1\) must be a finite"),
    (dict(init=(np.inf, 0.0)), ValueError, r"init\[0\] \(the starting intercept b0\) must be"),
    (dict(init=("a", 0.0)), TypeError, r"init\[0\] .* must be a real number"),
    (dict(record_every=-1), ValueError, r"record_every must be >= 0, got -1"),
    (dict(record_every=1.5), TypeError, r"record_every must be an integer"),
    (dict(record_every=None), TypeError, r"record_every must be an integer"),
    (dict(method="closed_form"), ValueError, r"method must be one of \('batch', 'stats'\), got 'closed_form'"),
    (dict(method=None), TypeError, r"method must be one of .* got None of type NoneType"),
    (dict(n_threads=0), ValueError, r"n_threads must be between 1 and 4096, got 0"),
    (dict(n_threads=-2), ValueError, r"n_threads must be between 1 and 4096, got -2"),
    (dict(n_threads=10**6), ValueError, r"n_threads must be between 1 and 4096"),
    (dict(n_threads=2.0), TypeError, r"n_threads must be an integer >= 1 or None, got 2.0"),
    (dict(n_threads="all"), TypeError, r"n_threads must be an integer >= 1 or None"),
    (dict(n_threads=True), TypeError, r"n_threads must be an integer >= 1 or None"),
])
def test_bad_parameters(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        gdfast.fit(X, Y, **kwargs)


@pytest.mark.filterwarnings("ignore::gdfast.ConvergenceWarning")
def test_numpy_scalars_are_accepted():
    res = gdfast.fit(X, Y, learning_rate=np.float32(0.1), max_iter=np.int64(5),
                     tol=np.float64(1e-300), record_every=np.uint8(2), init=np.array([0.0, -5.0]))
    assert res.n_iter == 5


def test_validation_happens_before_work(monkeypatch):
    # a bad trailing argument is reported without calling the kernel at all
    from gdfast._engine import kernels as _kernels

    def boom(*args, **kwargs):
        raise AssertionError("kernel called")

    monkeypatch.setattr(_kernels, "run_descent", boom)
    with pytest.raises(TypeError, match="record_every"):
        gdfast.fit(X, Y, record_every="x")


@pytest.mark.parametrize("kwargs", [dict(method="stats"), dict(n_threads=2)])
def test_new_parameters_are_checked_before_work(monkeypatch, kwargs):
    from gdfast._engine import kernels as _kernels

    def boom(*args, **kwargs):
        raise AssertionError("kernel called")

    for name in ("run_descent", "run_descent_stats", "centred_stats"):
        monkeypatch.setattr(_kernels, name, boom)
    with pytest.raises(ValueError, match="max_iter"):
        gdfast.fit(X, Y, max_iter=-1, **kwargs)
    with pytest.raises(TypeError, match="n_threads"):
        gdfast.fit(X, Y, n_threads="2", **kwargs)


def test_numpy_integer_thread_count_is_accepted():
    res = gdfast.fit(X, Y, learning_rate=0.1, max_iter=3, tol=None, n_threads=np.int32(2))
    assert res.n_iter == 3


# --- masked arrays: a mask is never dropped silently (issue 17) ----------------------------

MASK = [False, False, False, True, False]
XM = np.ma.array([0.0, 1.0, 2.0, 3.0, 4.0], mask=MASK)
YM = np.ma.array([1.0, 3.0, 5.0, 99.0, 9.0], mask=MASK)   # the masked y is an outlier


def _masked_calls():
    x, y = XM.data, YM.data
    return {
        "fit x": (lambda: gdfast.fit(XM, y), "x"),
        "fit y": (lambda: gdfast.fit(x, YM), "y"),
        "fit 2-D x": (lambda: gdfast.fit(np.ma.column_stack([XM, x]), y), "x"),
        "fit sample_weight": (lambda: gdfast.fit(x, y, sample_weight=np.ma.array(
            np.ones(5), mask=MASK)), "sample_weight"),
        "fit stats": (lambda: gdfast.fit(XM, YM, method="stats"), "x"),
        "cost": (lambda: gdfast.cost(XM, YM, 1.0, 2.0), "x"),
        "learning_rate_limits": (lambda: gdfast.learning_rate_limits(XM), "x"),
        "fit_stream": (lambda: gdfast.fit_stream([(x, y), (x, YM)]), "y"),
        "Statistics.from_arrays": (lambda: gdfast.Statistics.from_arrays(XM, y), "x"),
    }


@pytest.mark.parametrize("call", sorted(_masked_calls()))
def test_a_masked_value_is_refused_with_how_to_drop_it(call):
    function, name = _masked_calls()[call]
    with pytest.raises(ValueError) as info:
        function()
    message = str(info.value)
    assert f"{name} is a masked array with 1 masked value" in message
    assert "does not skip masked values" in message
    if name == "sample_weight":
        assert "sample_weight.filled(0)" in message
    else:
        assert "sample_weight=0" in message and f"np.ma.getmaskarray({name})" in message


def test_the_masked_points_dropped_give_the_unmasked_fit():
    # what the message says to do: the fit of the four unmasked points, slope 2
    keep = ~np.ma.getmaskarray(XM)
    res = gdfast.fit(XM.data[keep], YM.data[keep], tol=1e-12)
    assert res.slope == pytest.approx(2.0, rel=1e-9) and res.intercept == pytest.approx(1.0)
    # and weighting them 0 instead gives the same line
    weighted = gdfast.fit(XM.filled(0), YM.filled(0), sample_weight=keep.astype(float),
                          tol=1e-12)
    assert weighted.slope == pytest.approx(2.0, rel=1e-9)


def test_a_masked_array_with_nothing_masked_is_its_data():
    x = np.ma.array(XM.data, mask=False)
    y = np.ma.array(YM.data)
    kw = dict(learning_rate=0.1, max_iter=20, tol=None)
    got = gdfast.fit(x, y, **kw)
    want = gdfast.fit(XM.data, YM.data, **kw)
    np.testing.assert_array_equal(got.history.coef, want.history.coef)
    assert gdfast.cost(x, y, 1.0, 2.0) == gdfast.cost(XM.data, YM.data, 1.0, 2.0)


# --- init: only an ordered sequence of numbers -------------------------------------------

@pytest.mark.parametrize("init, what", [
    ({0: 1.0, 1: 2.0}, "a dict, which has no order"),
    ({1.0, 2.0}, "a set, which has no order"),
    (frozenset({1.0, 2.0}), "a frozenset, which has no order"),
    ((v for v in (1.0, 2.0)), "of type generator"),
    (b"ab", "of type bytes"),
    ("12", "of type str"),
])
@pytest.mark.parametrize("two_d", [False, True])
def test_init_that_is_not_an_ordered_sequence_is_refused(init, what, two_d):
    x = np.column_stack([X, X ** 2]) if two_d else X
    with pytest.raises(TypeError, match=r"^init must be an ordered sequence \(a list, tuple or "
                                        r"1-D array\) of .*, got .*" + what):
        gdfast.fit(x, Y, init=init)


def test_init_as_an_array_or_a_series_is_read_in_order():
    import pandas as pd

    kw = dict(learning_rate=0.1, max_iter=0, tol=None)
    for init in ([1.0, -2.0], (1.0, -2.0), np.array([1.0, -2.0]), pd.Series([1.0, -2.0])):
        res = gdfast.fit(X, Y, init=init, **kw)
        assert (res.intercept, res.slope) == (1.0, -2.0)
    with pytest.raises(ValueError, match=r"init must be .*, got an array of shape \(1, 3\)"):
        gdfast.fit(np.column_stack([X, X]), Y, init=np.zeros((1, 3)), **kw)


# --- numbers beyond float64: a clear error, no OverflowError or RuntimeWarning --------------

WIDE_LONG_DOUBLE = pytest.mark.skipif(np.finfo(np.longdouble).max < np.longdouble("1e4000"),
                                      reason="long double is double on this platform")


@pytest.mark.parametrize("kwargs, match", [
    (dict(learning_rate=10 ** 400), r"^learning_rate must be a finite number, got about 1e400, "
                                    r"beyond the float64 range"),
    (dict(learning_rate=-10 ** 400), r"^learning_rate must be a finite number, got -about 1e400"),
    (dict(init=(10 ** 400, 0.0)), r"^init\[0\] \(the starting intercept b0\) must be a finite "
                                  r"number, got about 1e400"),
    (dict(tol=-10 ** 400), r"^tol must be >= 0.0, got -inf"),
])
def test_numbers_beyond_float64_are_a_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):   # not an OverflowError
        gdfast.fit(X, Y, **kwargs)


@WIDE_LONG_DOUBLE
def test_long_doubles_beyond_float64_name_their_value_without_a_warning():
    # warnings are errors here: the cast's "overflow encountered" would fail this
    with pytest.raises(ValueError, match=r"^learning_rate must be a finite number, got "
                                         r"1.e\+4000, beyond the float64 range"):
        gdfast.fit(X, Y, learning_rate=np.longdouble("1e4000"))
    x = np.array([0.0, 1.0, np.longdouble("1e4000")])
    with pytest.raises(ValueError, match=r"^x\[2\] is 1.e\+4000, beyond the range of float64"):
        gdfast.fit(x, Y)


@pytest.mark.parametrize("method", ["batch", "stats"])
def test_x_whose_squares_overflow_raises_without_a_runtime_warning(method):
    # warnings are errors here: an overflow in the moments' arithmetic would fail this
    x = np.array([1e200, 2e200, 3e200])
    with pytest.raises(ValueError, match=r"^learning_rate='auto' cannot be worked out"):
        gdfast.fit(x, Y, method=method)


# --- RuntimeWarnings that escaped from the API's arithmetic (found by a random hunt) --------
# (this suite turns warnings into errors: each call below would fail on one)

def test_limits_of_squares_near_the_float64_limit_are_finite():
    # a*c of the 2x2 closed form overflowed: the small eigenvalue came out inf
    lim = gdfast.learning_rate_limits(np.array([1e154, 1e154, 5e-151]), cost="mse")
    h = lim._hessian
    want = np.linalg.eigvalsh(h / 1e300) * 1e300   # scaled: NumPy's own would overflow too
    np.testing.assert_allclose(lim.eigenvalues, want, rtol=1e-12)
    assert 0 < lim.optimal <= lim.max_stable
    assert lim.standardized.condition_number == pytest.approx(1.0)
    gdfast.learning_rate_limits(np.array([1e154, 5e153], dtype=np.longdouble),
                                cost="mse").standardized


def test_predict_beyond_float64_is_inf_or_a_value_error():
    res = gdfast.fit(X, Y, tol=1e-10)
    assert res.predict([1.7e308]) == np.inf
    two = gdfast.fit(np.column_stack([X, -X ** 2]), Y, max_iter=0, tol=None, init=[0, 2, 2])
    # the sign of an overflow does not depend on the BLAS's order of summing
    from fractions import Fraction

    exact = float(2 * Fraction(1.7e308) - 2 * Fraction(1e308))   # 1.4e308, rounded once
    np.testing.assert_array_equal(two.predict([[1.7e308, 1.0], [-1.0, -1.7e308],
                                               [1.7e308, -1e308]]), [np.inf, -np.inf, exact])
    np.testing.assert_array_equal(two.predict([[1.7e308, -1.7e308]]), [0.0])
    with pytest.raises(gdfast.DivergenceError) as start:   # a result at coefficients 1e300
        gdfast.fit(np.column_stack([X, -X ** 2]), Y, max_iter=0, tol=None, init=[0, 1e300, 1e300])
    huge = start.value.result
    with pytest.raises(ValueError, match=r"^x: the line.s value at x\[1\] cannot be computed in "
                                         r"float64"):
        huge.predict([[1.0, 1.0], [1.7e308, -1.7e308]])   # inf - inf, even scaled


def test_statistics_whose_weights_overflow_say_so():
    w = np.full(3, 1.5e308)
    with pytest.raises(ValueError, match=r"^sample_weight: the weighted sums overflow float64"):
        gdfast.Statistics.from_arrays(X, Y, w)
    # each chunk's sums fit in float64 (flat y), the two chunks' weight sum does not
    half = np.full(3, 3.5e307)
    with pytest.raises(ValueError, match=r"^chunks\[1\]: sample_weight: the weighted sums "):
        gdfast.fit_stream([(X, np.ones(3), half), (X, np.ones(3), half)])
    # fit rescales the same weights (it needs only their ratios)
    assert gdfast.fit(X, Y, sample_weight=w, tol=1e-10).converged


def test_standardized_statistics_whose_sums_overflow_diverge_at_the_start():
    # cross_xy (-3.4e158) times 1/sd(x) (1.2e150) overflows, and so does sum_yy
    x = np.array([-1e-150, 0.0, 1e-150])
    y = np.array([1.7e308, 0.0, -1.7e308])
    with pytest.raises(gdfast.DivergenceError, match="starting point"):
        gdfast.fit(x, y, method="stats", standardize=True, learning_rate=0.1)


# ---------------------------------------------------------------- the two entries: data, options


def test_the_options_come_back_as_one_frozen_object():
    import dataclasses

    from gdfast._validate import DescentOptions, check_descent_options

    options = check_descent_options("auto", 10, None, "mse", "auto", True, np.bool_(False),
                                    False, None, momentum="auto", nesterov=True, l2=2)
    assert isinstance(options, DescentOptions)
    assert (options.tol, options.kernel_tol) == (None, -1.0)   # the step never stops on <= -1
    assert options.cost == "mse" and options.momentum == "auto" and options.nesterov is True
    assert options.standardize is False and type(options.l2) is float
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.max_iter = 5
    assert check_descent_options(0.1, 10, 1e-3, "half_mse", 1, True, False, False,
                                 None).kernel_tol == 1e-3


@pytest.mark.parametrize("bad, match", [
    (dict(momentum=1.0), "momentum must be below 1"), (dict(l2=-1.0), "l2"),
    (dict(callback=3), "callback must be a callable or None")])
def test_the_options_entry_checks_every_option(bad, match):
    from gdfast._validate import check_descent_options

    settings = dict(learning_rate=0.1, max_iter=10, tol=None, cost="half_mse",
                    record_every=1, fit_intercept=True, standardize=False, progress=False,
                    callback=None)
    with pytest.raises((TypeError, ValueError), match=match):
        check_descent_options(**{**settings, **bad})


def test_the_data_come_back_as_one_frozen_object():
    from gdfast._validate import FitData, check_fit_data

    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    data = check_fit_data(x, np.ones(4, dtype=np.float32), [1, 2, 0, 1], 1)
    assert isinstance(data, FitData) and data.n_features == 3 and data.n_threads == 1
    assert data.x is x and data.y.dtype == np.float32 and data.sample_weight.dtype == np.float32
    assert data.weight_sum == 4.0
    one = check_fit_data([1.0, 2.0], [3.0, 4.0], None, None)
    assert one.n_features == 1 and one.sample_weight is None and one.weight_sum == 2.0


def test_a_block_of_weights_names_the_row_of_the_whole_data():
    # gdfast.dask checks each block with this, the row counted from the block's first
    from gdfast._validate import check_nonnegative_weights

    check_nonnegative_weights(np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"sample_weight\[1001\] is -2.0"):
        check_nonnegative_weights(np.array([1.0, -2.0, -3.0]), first_row=1000)
