"""Bad input with several features: a TypeError/ValueError naming the argument, before any work."""
import numpy as np
import pytest

import gdfast

X = np.array([[0.0, 1.0], [1.0, 3.0], [2.0, 2.0], [3.0, 7.0]])
Y = np.array([1.0, 3.0, 5.0, 6.0])


@pytest.mark.parametrize("x, y, exc, match", [
    (np.ones((4, 0)), Y, ValueError, r"x has 0 columns: at least one feature is needed, "
                                     r"got shape \(4, 0\)"),
    (np.ones((0, 2)), np.ones(0), ValueError, r"x is empty.*got shape \(0, 2\)"),
    (np.ones((4, 2, 1)), Y, ValueError, r"x must be a 1-D array \(N,\) of points or a 2-D "
                                        r"array \(N, d\).*got shape \(4, 2, 1\)"),
    (X, Y[:3], ValueError, r"x and y must have the same number of points \(rows of x\), "
                           r"got 4 and 3"),
    (X, np.ones((4, 2)), ValueError, r"y must be a 1-D array of points, got shape \(4, 2\)"),
    (X.astype(complex), Y, TypeError, r"x must hold real numbers.*complex"),
    (X.astype(object), Y, TypeError, r"x must hold real numbers.*object"),
    (np.where(X == 2.0, np.nan, X), Y, ValueError, r"x must be finite, but x\[2, 0\] is nan"),
    (np.asfortranarray(np.where(X == 7.0, np.inf, X)), Y, ValueError,
     r"x must be finite, but x\[3, 1\] is inf"),
    (X, np.array([1.0, np.nan, 3.0, 4.0]), ValueError, r"y must be finite, but y\[1\] is nan"),
])
def test_bad_data(x, y, exc, match):
    with pytest.raises(exc, match=match):
        gdfast.fit(x, y)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(init=(0.0, 1.0)), ValueError,
     r"init must be 3 numbers \(b0, b1, b2\) for 2 features with an intercept, got 2 values"),
    (dict(init=(0.0, 1.0, 2.0), fit_intercept=False), ValueError,
     r"init must be 2 numbers \(b1, b2\) for 2 features without an intercept, got 3 values"),
    (dict(init=5.0), TypeError, r"init must be an ordered sequence .* of 3 numbers"),
    (dict(init=(0.0, np.nan, 1.0)), ValueError, r"init\[1\] \(b1\) must be a finite number"),
    (dict(learning_rate="fast"), TypeError,
     r"learning_rate must be a real number, got 'fast'.*only string accepted is 'auto'"),
    (dict(learning_rate="AUTO"), TypeError, r"learning_rate must be a real number"),
    (dict(fit_intercept=None), TypeError, r"fit_intercept must be True or False, got None"),
    (dict(standardize="yes"), TypeError, r"standardize must be True or False, got 'yes'"),
])
def test_bad_parameters(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        gdfast.fit(X, Y, **kwargs)


def test_one_dimensional_x_checks_init_by_its_options():
    with pytest.raises(ValueError, match=r"init must be 1 number \(b1\) for 1 feature "
                                         r"without an intercept, got 2 values"):
        gdfast.fit(X[:, 0], Y, init=(0.0, 1.0), fit_intercept=False)


@pytest.mark.parametrize("fit_intercept, column, match", [
    (True, np.full(4, 5.0), r"standardize=True cannot scale column x\[:, 1\]: it is constant "
                            r"\(zero variance\), with every value 5"),
    (False, np.zeros(4), r"cannot scale column x\[:, 1\]: it is all zeros"),
])
def test_standardize_names_the_column_it_cannot_scale(fit_intercept, column, match):
    x = np.column_stack([X[:, 0], column])
    with pytest.raises(ValueError, match=match):
        gdfast.fit(x, Y, standardize=True, fit_intercept=fit_intercept)
    # without standardize the same data is fine
    gdfast.fit(x, Y, learning_rate=0.01, max_iter=5, tol=None, fit_intercept=fit_intercept)


SUBNORMAL = np.array([1e-310, 2e-310, 3e-310, 5e-310])   # they differ: a variance of ~2e-620


@pytest.mark.parametrize("fit_intercept, spread", [(True, "differ by at most 4e-310"),
                                                   (False, "reach at most 5e-310")])
@pytest.mark.parametrize("how", ["fit", "weighted", "learning_rate_limits"])
def test_a_column_of_subnormal_numbers_is_not_called_constant(fit_intercept, spread, how):
    # its variance (or mean square) underflows float64, and 1/its standard deviation
    # would overflow it: the message says so, and how to scale it
    x = np.column_stack([X[:, 0], SUBNORMAL])
    kw = dict(standardize=True, fit_intercept=fit_intercept)
    with pytest.raises(ValueError) as info:
        if how == "learning_rate_limits":
            gdfast.learning_rate_limits(x, **kw)
        else:
            gdfast.fit(x, Y, sample_weight=np.ones(4) if how == "weighted" else None, **kw)
    message = str(info.value)
    assert message.startswith("standardize=True cannot scale column x[:, 1]: its values "
                              f"{spread}")
    assert "below float64's smallest normal number" in message and "is constant" not in message
    assert "multiply the column by a large constant" in message
    # done as it says (2.0**600 brings it to about 1e-130), the column scales
    scaled = gdfast.fit(np.column_stack([X[:, 0], SUBNORMAL * 2.0 ** 600]), Y, tol=1e-10,
                        **kw)
    assert scaled.converged


def test_a_constant_subnormal_column_is_constant():
    x = np.column_stack([X[:, 0], np.full(4, 1e-310)])
    with pytest.raises(ValueError, match=r"x\[:, 1\]: it is constant \(zero variance\)"):
        gdfast.fit(x, Y, standardize=True)
    # its points of weight 0 do not count: constant where it matters
    w = np.array([1.0, 1.0, 1.0, 0.0])
    x[3, 1] = 2e-310
    with pytest.raises(ValueError, match=r"x\[:, 1\]: it is constant"):
        gdfast.fit(x, Y, standardize=True, sample_weight=w)


def test_from_statistics_an_underflowing_variance_is_said_to_be_ambiguous():
    # the statistics hold no data: constant and subnormal spread cannot be told apart
    x = np.column_stack([X[:, 0], SUBNORMAL])
    with pytest.raises(ValueError, match=r"x\[:, 1\]: its variance is 0: it is constant, or "
                                         r"its values are so close together"):
        gdfast.fit(x, Y, standardize=True, method="stats")
    with pytest.raises(ValueError, match=r"x\[:, 1\]: it is constant \(zero variance\), with "
                                         r"every value 4"):
        gdfast.fit(np.column_stack([X[:, 0], np.full(4, 4.0)]), Y, standardize=True,
                   method="stats")


def test_validation_happens_before_work(monkeypatch):
    from gdfast._engine import kernels as engine

    def boom(*args, **kwargs):
        raise AssertionError("kernel called")

    monkeypatch.setattr(engine, "run_descent", boom)
    monkeypatch.setattr(engine, "column_moments", boom)
    with pytest.raises(ValueError, match="init"):
        gdfast.fit(X, Y, init=(1.0,))
    with pytest.raises(TypeError, match="standardize"):
        gdfast.fit(X, Y, standardize=None)


def test_single_row_works():
    with pytest.warns(UserWarning, match="not unique") as record:
        res = gdfast.fit([[2.0, 1.0]], [3.0], learning_rate="auto", max_iter=1000, tol=1e-12,
                         fit_intercept=False)
    assert record[0].filename == __file__   # points at the caller
    assert res.converged
    assert res.coef @ [2.0, 1.0] == pytest.approx(3.0, rel=1e-10)


def test_squares_that_overflow_float64():
    x = np.array([[1e200, 1.0], [2e200, 3.0], [5e200, 2.0]])
    y = np.array([1.0, 2.0, 4.0])
    with pytest.raises(ValueError, match=r"learning_rate='auto' cannot be worked out: the "
                                         r"squares of x overflow float64"):
        gdfast.fit(x, y, learning_rate="auto")
    with pytest.raises(ValueError, match=r"cannot scale column x\[:, 0\]: its squares overflow"):
        gdfast.fit(x, y, standardize=True)
    assert np.isnan(gdfast.learning_rate_limits(x).max_stable)
    for data in (x, x[:, 0]):   # d features, and the one-feature kernel
        with pytest.raises(gdfast.DivergenceError) as info:
            gdfast.fit(data, y, learning_rate=1e-300)
        assert info.value.result.diagnosis.startswith("diverged: the squares of x overflow")
