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
    from gdfast._backend import kernels as _kernels

    def boom(*args, **kwargs):
        raise AssertionError("kernel called")

    monkeypatch.setattr(_kernels, "run_descent", boom)
    with pytest.raises(TypeError, match="record_every"):
        gdfast.fit(X, Y, record_every="x")


@pytest.mark.parametrize("kwargs", [dict(method="stats"), dict(n_threads=2)])
def test_new_parameters_are_checked_before_work(monkeypatch, kwargs):
    from gdfast._backend import kernels as _kernels

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
