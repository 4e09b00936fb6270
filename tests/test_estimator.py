"""gdfast.GDRegressor in scikit-learn: references, Pipeline, GridSearchCV, weights, warm start."""
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.base import clone
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import gdfast
from gdfast import GDRegressor


@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(return_X_y=True)


def test_import_gdfast_does_not_import_sklearn(run_python):
    out = run_python(
        "import sys, gdfast\n"
        "assert 'sklearn' not in sys.modules, 'import gdfast imported sklearn'\n"
        "from gdfast import *\n"
        "assert 'sklearn' not in sys.modules, 'from gdfast import * imported sklearn'\n"
        "assert 'GDRegressor' in dir(gdfast)\n"
        "reg = gdfast.GDRegressor\n"
        "assert 'sklearn' in sys.modules\n"
        "print(reg.__module__, reg.__mro__[1].__module__)\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["gdfast.estimator", "sklearn.base"]


def test_without_scikit_learn_the_error_says_which_extra(run_python):
    out = run_python(
        "import sys; sys.modules['sklearn'] = None  # as if not installed\n"
        "import gdfast\n"
        "print(gdfast.fit([0.0, 1.0], [1.0, 3.0], learning_rate=0.5, max_iter=500).slope)\n"
        "gdfast.GDRegressor\n")
    assert abs(float(out.stdout) - 2.0) < 1e-4  # gdfast itself works without it
    assert "ImportError: gdfast.GDRegressor needs scikit-learn >= 1.6: " in out.stderr
    assert 'pip install "gdfast[sklearn]"' in out.stderr


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'GDRegresor'"):
        gdfast.GDRegresor  # noqa: B018


def test_matches_linear_regression_on_diabetes(diabetes):
    X, y = diabetes
    ref = LinearRegression().fit(X, y)
    reg = GDRegressor(standardize=True, tol=1e-9).fit(X, y)
    assert reg.result_.converged
    np.testing.assert_allclose(reg.coef_, ref.coef_, rtol=1e-6)
    assert reg.intercept_ == pytest.approx(ref.intercept_, rel=1e-6)
    assert reg.score(X, y) == pytest.approx(r2_score(y, ref.predict(X)), rel=1e-9)
    assert reg.score(X, y) == pytest.approx(r2_score(y, reg.predict(X)), rel=1e-15)


def test_pipeline_with_standard_scaler(diabetes):
    X, y = diabetes
    X = X * np.arange(1, 11) * 100.0 + 50.0  # badly scaled columns, as users have them
    pipe = make_pipeline(StandardScaler(), GDRegressor(tol=1e-9)).fit(X, y)
    ref = make_pipeline(StandardScaler(), LinearRegression()).fit(X, y)
    np.testing.assert_allclose(pipe[-1].coef_, ref[-1].coef_, rtol=1e-6)
    np.testing.assert_allclose(pipe.predict(X[:20]), ref.predict(X[:20]), rtol=1e-8)
    # scaled, the columns' condition number is about 1e2 (raw: 5e4): a few thousand
    # iterations instead of half a million
    assert pipe[-1].result_.converged and pipe[-1].n_iter_ < 10_000


def test_grid_search_over_learning_rate(diabetes):
    X, y = diabetes
    X = StandardScaler().fit_transform(X)
    # a fixed budget of 30 updates (tol=None: no convergence test, no warning):
    # the larger the stable rate, the further the descent gets
    grid = GridSearchCV(GDRegressor(max_iter=30, tol=None),
                        {"learning_rate": [0.003, 0.03, "auto"]}, cv=3).fit(X, y)
    scores = grid.cv_results_["mean_test_score"]
    assert scores[0] < scores[1] < scores[2]
    assert grid.best_params_ == {"learning_rate": "auto"}
    assert grid.best_estimator_.n_iter_ == 30
    assert grid.best_estimator_.result_.learning_rate == pytest.approx(
        gdfast.learning_rate_limits(X).optimal, rel=1e-12)


@pytest.mark.bitwise
def test_fitted_attributes(diabetes):
    X, y = diabetes
    reg = GDRegressor(max_iter=50, tol=None, record_every=10, learning_rate=0.5)
    assert reg.fit(X, y) is reg
    assert reg.n_features_in_ == 10 and not hasattr(reg, "feature_names_in_")
    assert reg.n_iter_ == 50 and reg.coef_.shape == (10,) and type(reg.intercept_) is float
    h = reg.history_
    assert isinstance(h, gdfast.History)
    np.testing.assert_array_equal(h.iteration, [0, 10, 20, 30, 40, 50])
    np.testing.assert_array_equal(reg.loss_curve_, h.cost)
    np.testing.assert_array_equal(h.coef[-1], reg.coef_)
    # the same numbers as gdfast.fit, exactly: X is C-ordered float64, which the
    # estimator passes on without a copy, and predict is X @ coef_ + intercept_ (the same
    # matrix product on the same arrays)
    res = gdfast.fit(X, y, max_iter=50, tol=None, record_every=10, learning_rate=0.5)
    np.testing.assert_array_equal(res.history.coef, h.coef)
    np.testing.assert_array_equal(reg.predict(X), X @ res.coef + res.intercept)


def test_feature_names_from_a_dataframe(diabetes):
    X, y = diabetes
    names = [f"f{j}" for j in range(10)]
    df = pd.DataFrame(X, columns=names)
    reg = GDRegressor(standardize=True).fit(df, y)
    np.testing.assert_array_equal(reg.feature_names_in_, names)
    np.testing.assert_allclose(reg.predict(df), X @ reg.coef_ + reg.intercept_, rtol=1e-15)
    with pytest.raises(ValueError, match="feature names"):
        reg.predict(df[names[::-1]])


def test_params_clone_and_nothing_done_in_init():
    reg = GDRegressor(learning_rate="not a rate", max_iter=-3)  # only stored
    assert reg.get_params()["learning_rate"] == "not a rate"
    with pytest.raises(TypeError, match="learning_rate"):
        reg.fit([[1.0], [2.0]], [1.0, 2.0])
    reg.set_params(learning_rate=0.1)
    with pytest.raises(ValueError, match=r"'max_iter' parameter of GDRegressor must be an int "
                                         r"in the range \[0, inf\)"):
        reg.fit([[1.0], [2.0]], [1.0, 2.0])
    other = clone(reg.set_params(max_iter=5, warm_start=True))
    assert other.get_params() == reg.get_params() and other is not reg
    assert not hasattr(GDRegressor(), "coef_")
    assert "warm_start=True" in repr(other)


def test_estimator_sample_weights_equal_repeated_rows(diabetes):
    X, y = diabetes
    w = np.random.default_rng(3).integers(0, 4, size=len(y))
    kw = dict(standardize=True, tol=1e-10)
    weighted = GDRegressor(**kw).fit(X, y, sample_weight=w)
    repeated = GDRegressor(**kw).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-10)
    assert weighted.intercept_ == pytest.approx(repeated.intercept_, rel=1e-10)
    # and the weights matter
    plain = GDRegressor(**kw).fit(X, y)
    assert not np.allclose(plain.coef_, weighted.coef_, rtol=1e-3)
    # the weighted least-squares answer
    ref = LinearRegression().fit(X, y, sample_weight=w)
    np.testing.assert_allclose(weighted.coef_, ref.coef_, rtol=1e-6)


def test_estimator_weighted_history_matches_numpy_oracle(feature_data, oracle_features):
    x, y = feature_data
    w = np.random.default_rng(4).uniform(0.0, 2.0, size=len(y))
    reg = GDRegressor(learning_rate=0.2, max_iter=80, tol=None).fit(x, y, sample_weight=w)
    ref = oracle_features(x, y, 0.2, 80, sample_weight=w)
    np.testing.assert_allclose(reg.history_.intercept, ref[:, 1], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(reg.history_.coef, ref[:, 2:5], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(reg.loss_curve_, ref[:, 5], rtol=1e-12)


@pytest.mark.parametrize("weights, match", [
    (-np.ones(300), "sample_weight"),
    (np.ones(7), "sample_weight"),
    (np.zeros(300), "sample_weight is all zeros"),
    (np.r_[np.nan, np.ones(299)], "sample_weight|NaN"),
])
def test_estimator_rejects_bad_weights(feature_data, weights, match):
    x, y = feature_data
    with pytest.raises(ValueError, match=match):
        GDRegressor().fit(x, y, sample_weight=weights)


@pytest.mark.bitwise
def test_warm_start_continues_and_extends_the_history(feature_data):
    x, y = feature_data
    kw = dict(learning_rate=0.05, tol=None)
    reg = GDRegressor(max_iter=20, warm_start=True, **kw).fit(x, y)
    first = reg.history_
    reg.set_params(max_iter=30).fit(x, y)
    once = GDRegressor(max_iter=50, **kw).fit(x, y)
    assert reg.n_iter_ == 50
    np.testing.assert_array_equal(reg.history_.iteration, np.arange(51))
    np.testing.assert_array_equal(reg.history_.coef[:21], first.coef)
    # continuing from the coefficients is the same descent as one longer fit
    np.testing.assert_allclose(reg.history_.coef, once.history_.coef, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(reg.loss_curve_, once.loss_curve_, rtol=1e-12)
    # without warm_start the fit starts over
    cold = reg.set_params(warm_start=False).fit(x, y)
    assert cold.n_iter_ == 30 and len(cold.history_) == 31
    assert cold.history_.cost[0] == once.history_.cost[0]   # the same start, the same pass
    # a different number of features starts over too
    warm = GDRegressor(max_iter=5, warm_start=True, **kw).fit(x, y).fit(x[:, :2], y)
    assert warm.n_iter_ == 5 and warm.coef_.shape == (2,)


def test_warm_start_without_intercept_and_standardized(feature_data):
    x, y = feature_data
    for kw in (dict(fit_intercept=False), dict(standardize=True)):
        reg = GDRegressor(max_iter=15, tol=None, warm_start=True, learning_rate=0.05, **kw)
        reg.fit(x, y).fit(x, y)
        once = GDRegressor(max_iter=30, tol=None, learning_rate=0.05, **kw).fit(x, y)
        np.testing.assert_allclose(reg.history_.coef, once.history_.coef, rtol=1e-10,
                                   atol=1e-13)
        assert reg.intercept_ == pytest.approx(once.intercept_, rel=1e-10, abs=1e-13)


def test_convergence_warning_is_gdfasts_and_sklearns():
    rng = np.random.default_rng(0)
    x = rng.normal(loc=100.0, size=(100, 2))  # far from zero mean: ill-conditioned
    y = rng.normal(size=100)
    with pytest.warns(sklearn.exceptions.ConvergenceWarning,
                      match=r"max_iter=500 .*Ill-conditioned.*standardize=True") as record:
        GDRegressor(max_iter=500).fit(x, y)
    assert isinstance(record[0].message, gdfast.ConvergenceWarning)
    assert len(record) == 1  # gdfast.fit's own warning is not repeated
    # standardized, the same data converge quickly and warn nothing
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reg = GDRegressor(max_iter=500, standardize=True, tol=1e-10).fit(x, y)
    np.testing.assert_allclose(reg.coef_, LinearRegression().fit(x, y).coef_, rtol=1e-6)


def test_float32_stays_float32(feature_data):
    x, y = feature_data
    reg32 = GDRegressor(max_iter=100, tol=None).fit(x.astype(np.float32), y)
    reg64 = GDRegressor(max_iter=100, tol=None).fit(x, y)
    np.testing.assert_allclose(reg32.coef_, reg64.coef_, rtol=1e-5)
    # the float32 descent's costs differ from float64's by float32 rounding, not 0
    assert not np.array_equal(reg32.loss_curve_, reg64.loss_curve_)


@pytest.mark.bitwise
def test_pickle_round_trip(feature_data):
    x, y = feature_data
    reg = GDRegressor().fit(x, y)
    back = pickle.loads(pickle.dumps(reg))
    # exact: the same coefficients, bit for bit, in the same matrix product
    np.testing.assert_array_equal(back.predict(x), reg.predict(x))
    np.testing.assert_array_equal(back.loss_curve_, reg.loss_curve_)


def test_docstring_example():
    import doctest

    from gdfast import estimator

    failed, attempted = doctest.testmod(estimator)
    assert attempted > 0 and failed == 0


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["C", "F"])
def test_fit_does_not_copy_x_or_the_weights(traced_peak, dtype, order):
    rng = np.random.default_rng(6)
    X = np.asarray(rng.normal(size=(100_000, 8)), dtype=dtype, order=order)
    y = rng.normal(size=100_000).astype(dtype)
    w = rng.uniform(size=100_000).astype(dtype)
    reg = GDRegressor(max_iter=3, tol=None, record_every=0)
    _, peak = traced_peak(reg.fit, X, y, sample_weight=w)
    # a copy of X alone would be X.nbytes (3.2 or 6.4 MB); one of w or y 8 times less
    assert peak < X.nbytes / 8


# --- parameters validated as scikit-learn's are; masks and weights (issue 17) --------------

@pytest.mark.parametrize("params", [
    dict(warm_start="yes"), dict(standardize=1), dict(fit_intercept=None),
    dict(learning_rate="fast"), dict(learning_rate=0.0), dict(learning_rate=-1.0),
    dict(max_iter=-1), dict(max_iter=2.5), dict(tol=-1e-3), dict(tol="small"),
    dict(cost="l1"), dict(record_every=-2), dict(record_every=0.5),
])
def test_bad_parameters_are_scikit_learns_invalid_parameter_error(feature_data, params):
    from sklearn.utils._param_validation import InvalidParameterError

    x, y = feature_data
    (name,) = params
    with pytest.raises(InvalidParameterError, match=rf"^The '{name}' parameter of GDRegressor "
                                                    r"must be"):
        GDRegressor(**params).fit(x, y)


def test_masked_values_are_refused_and_an_empty_mask_is_ignored(feature_data):
    x, y = feature_data
    mask = np.zeros_like(x, dtype=bool)
    mask[5, 1] = True
    with pytest.raises(ValueError, match=r"^X is a masked array with 1 masked value \(the "
                                         r"first: X\[5, 1\]\).*drop those rows"):
        GDRegressor().fit(np.ma.array(x, mask=mask), y)
    with pytest.raises(ValueError, match=r"^y is a masked array with 1 masked value"):
        GDRegressor().fit(x, np.ma.array(y, mask=mask[:, 1]))
    with pytest.raises(ValueError, match=r"^sample_weight is a masked array"):
        GDRegressor().fit(x, y, sample_weight=np.ma.array(np.ones(len(y)), mask=mask[:, 1]))
    reg = GDRegressor().fit(x, y)
    with pytest.raises(ValueError, match=r"^X is a masked array"):
        reg.predict(np.ma.array(x, mask=mask))
    unmasked = GDRegressor().fit(np.ma.array(x, mask=False), np.ma.array(y))
    np.testing.assert_array_equal(unmasked.coef_, reg.coef_)


def test_float32_x_with_float64_weights_beyond_float32(feature_data):
    # the weights are rescaled (in float64) before the cast to X's float32
    x, y = feature_data
    x32 = x.astype(np.float32)
    plain = GDRegressor(tol=1e-5).fit(x32, y)
    for c in (1e39, 1e-46):
        reg = GDRegressor(tol=1e-5).fit(x32, y, sample_weight=np.full(len(y), c))
        np.testing.assert_allclose(reg.coef_, plain.coef_, rtol=1e-6)


def test_float32_x_with_y_beyond_float32_is_refused_by_name(feature_data):
    # y is cast to X's float32: a value beyond it is named, not turned into inf
    x, y = feature_data
    y = y.copy()
    y[4] = 1e300
    with pytest.raises(ValueError, match=r"^y\[4\] is 1.e\+300, beyond the range of float32"):
        GDRegressor().fit(x.astype(np.float32), y)
