"""Callback, progress and Ctrl-C between kernel slices, with several features."""
import numpy as np
import pytest

import gdfast
from gdfast import _descent


def _rows(history):
    return np.column_stack([history.iteration, history.intercept, history.coef, history.cost])


@pytest.mark.bitwise
@pytest.mark.parametrize("record_every", [1, 3, 0])
@pytest.mark.parametrize("standardize", [False, True])
def test_callback_sees_each_row_with_its_coefficients(monkeypatch, feature_data, record_every,
                                                      standardize):
    x, y = feature_data
    monkeypatch.setattr(_descent, "POINTS_PER_SLICE", 5 * len(x))   # many short slices
    steps = []
    res = gdfast.fit(x, y, learning_rate=0.1, max_iter=20, tol=None, record_every=record_every,
                     standardize=standardize, callback=steps.append)
    # exact: each row is converted to the units of x once, elementwise, and the steps read
    # that conversion; the fit without a callback runs the same operations in fewer slices
    assert [s.iteration for s in steps] == res.history.iteration.tolist()
    assert all(s.slope is None for s in steps)
    np.testing.assert_array_equal([s.coef for s in steps], res.history.coef)
    np.testing.assert_array_equal([s.intercept for s in steps], res.history.intercept)
    plain = gdfast.fit(x, y, learning_rate=0.1, max_iter=20, tol=None, record_every=record_every,
                       standardize=standardize)
    np.testing.assert_array_equal(_rows(plain.history), _rows(res.history))


def test_callback_returning_false_stops_at_that_row(feature_data, oracle_features):
    x, y = feature_data
    res = gdfast.fit(x, y, learning_rate=0.1, max_iter=1000, callback=lambda s: s.iteration < 6)
    assert res.stopped_by == "callback" and res.n_iter == 6 and not res.converged
    ref = oracle_features(x, y, 0.1, 6)
    np.testing.assert_allclose(res.coef, ref[6, 2:5], rtol=1e-12)
    assert res.diagnosis.startswith("stopped by the callback after 6 iterations")


@pytest.mark.bitwise
@pytest.mark.parametrize("record_every", [0, 5])
def test_sigint_between_recorded_rows_reports_the_last_computed_point(monkeypatch, feature_data,
                                                                     interrupted, record_every):
    # the d-feature kernel keeps its last computed point in its own state
    # slots: the history must still end with the point the result reports
    x, y = feature_data
    monkeypatch.setattr(_descent, "POINTS_PER_SLICE", 7 * len(x))
    # bounded: a missed Ctrl-C fails ("DID NOT RAISE") instead of hanging
    res = interrupted(gdfast.fit, x, y, learning_rate=0.1, max_iter=10**7, tol=None,
                         record_every=record_every, standardize=True)
    assert res.n_iter > 0 and res.history.iteration[-1] == res.n_iter
    np.testing.assert_array_equal(res.coef, res.history.coef[-1])
    # exact: the same operations, wherever the slices end (see the test above)
    full = gdfast.fit(x, y, learning_rate=0.1, max_iter=res.n_iter, tol=None,
                      record_every=record_every, standardize=True)
    np.testing.assert_array_equal(_rows(res.history), _rows(full.history))
    assert res.diagnosis.startswith(f"stopped by Ctrl-C after {res.n_iter} iterations")


def test_progress_with_several_features(capsys, feature_data, monkeypatch):
    x, y = feature_data
    monkeypatch.setattr(_descent, "POINTS_PER_SLICE", 50 * len(x))
    res = gdfast.fit(x, y, learning_rate="auto", max_iter=500, tol=None, progress=True)
    assert res.n_iter == 500
    assert "500" in capsys.readouterr().err
