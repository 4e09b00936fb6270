"""FitResult._repr_html_: how a result shows itself in a notebook."""
import re
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import gdfast
from gdfast.cli import _demo


def _svg(page):
    return ET.fromstring(re.search(r"<svg.*?</svg>", page, re.S).group(0))


def _polyline(svg):
    line = svg.find("{http://www.w3.org/2000/svg}polyline")
    return np.array([[float(v) for v in p.split(",")] for p in line.get("points").split()])


def test_a_converged_fit_shows_its_line_ending_diagnosis_and_cost_curve():
    x, y = _demo.make_points(100, 0)
    res = gdfast.fit(x, y, learning_rate=0.4, max_iter=10_000, tol=1e-10, init=(0, -5))
    page = res._repr_html_()
    assert f"y = {res.intercept:.6g} + {res.slope:.6g}\u00b7x" in page
    assert f"converged after {res.n_iter} iterations" in page
    assert f"{res.cost:.6g} (gradient norm {res.gradient_norm:.3g})" in page
    assert "cost J (one-half MSE)" in page   # the cost's kind, as on every cost axis
    # the diagnosis, escaped ("<=" would open a tag)
    assert res.diagnosis.replace("<", "&lt;") in page and "<=" not in page
    svg = _svg(page)
    points = _polyline(svg)
    assert len(points) == len(res.history)          # 352 rows, all drawn
    # log scale (49 down to 0.12): the curve runs left to right, from the top to the bottom
    assert svg.find("{http://www.w3.org/2000/svg}title").text.startswith(
        "one-half MSE (log scale)")
    assert np.all(np.diff(points[:, 0]) > 0)
    assert points[0, 1] == 6.0 and points[-1, 1] == pytest.approx(104.0, abs=0.06)
    # the height of a point is log10 of its cost, scaled: compare with NumPy's
    log_cost = np.log10(res.history.cost)
    expected = 104.0 - (log_cost - log_cost.min()) * (98.0 / np.ptp(log_cost))
    np.testing.assert_allclose(points[:, 1], expected, atol=0.051)


def test_a_long_history_is_drawn_with_at_most_400_points():
    x, y = _demo.make_points(100, 0)
    res = gdfast.fit(x, y, learning_rate=0.01, max_iter=5000, tol=None, init=(0, -5))
    points = _polyline(_svg(res._repr_html_()))
    assert len(points) == 400
    assert points[0, 0] == 6.0 and points[-1, 0] == 354.0


def test_several_features_and_a_linear_cost_curve():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    y = 1.0 + x @ [2.0, -3.0, 0.5] + rng.normal(0, 0.1, 200)
    with pytest.warns(gdfast.ConvergenceWarning):
        res = gdfast.fit(x, y, learning_rate=0.001, max_iter=20, init=(0.5, 2, -3, 0.5))
    page = res._repr_html_()
    b = res.coef
    assert (f"y = {res.intercept:.6g} + {b[0]:.6g}\u00b7x1 - {-b[1]:.6g}\u00b7x2 + "
            f"{b[2]:.6g}\u00b7x3") in page
    assert "after 20 iterations, not converged" in page
    svg = _svg(page)
    assert "(log scale)" not in svg.find("{http://www.w3.org/2000/svg}title").text
    points = _polyline(svg)
    cost = res.history.cost
    expected = 104.0 - (cost - cost.min()) * (98.0 / np.ptp(cost))
    np.testing.assert_allclose(points[:, 1], expected, atol=0.051)


def test_a_diverged_result_shows_itself_too():
    x, y = _demo.make_points(100, 0)
    with pytest.warns(gdfast.DivergenceWarning), pytest.raises(gdfast.DivergenceError) as info:
        gdfast.fit(x, y, learning_rate=1.5, max_iter=100_000, init=(0, -5))
    page = info.value.result._repr_html_()
    assert "not converged" in page and "diverged: learning_rate=1.5" in page
    assert _svg(page) is not None


def test_no_curve_for_a_single_row():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gdfast.ConvergenceWarning)  # max_iter=0: expected
        res = gdfast.fit([0.0, 1.0, 2.0], [1.0, 2.0, 4.0], max_iter=0)
    page = res._repr_html_()
    assert "<svg" not in page and "after 0 iterations" in page


def test_it_needs_neither_matplotlib_nor_plotly(run_python):
    done = run_python(
        "import sys; sys.modules['matplotlib'] = None; sys.modules['plotly'] = None\n"
        "import gdfast\n"
        "res = gdfast.fit([0.0, 1.0, 2.0, 3.0], [1.0, 3.0, 5.0, 7.0], learning_rate=0.2,\n"
        "                 max_iter=2000, tol=1e-10)\n"
        "page = res._repr_html_()\n"
        "print('<svg' in page, 'converged after' in page)\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]
