"""gdfast.plot: what each picture holds (lines, points, scales, labels, the red dot, the frame).

pytest turns warnings into errors, and every test that draws also renders its
figure (``_render``): a NumPy RuntimeWarning from a plot function, or from
matplotlib drawing what it was given, fails the test.
"""
import io
from types import SimpleNamespace

import numpy as np
import pytest

import gdfast
import gdfast.plot as plot  # the plot extra is part of the test set-up (README, .ci/run)
from gdfast._landscape import CostSurface
from gdfast._parameters import moved_most, parameter_names, parameter_path, parameters
from gdfast._result import History
from matplotlib.contour import ContourSet

BAD_START = (0.0, -5.0)


@pytest.fixture
def fitted(line_data):
    x, y = line_data
    return x, y, gdfast.fit(x, y, learning_rate=0.5, max_iter=5000, tol=1e-9, init=BAD_START)


def _render(ax):
    """Draw the figure to PNG bytes, as savefig does: what warns while drawing fails the test."""
    figure = getattr(ax, "figure", ax)
    figure.savefig(io.BytesIO(), format="png")
    return ax


def _lstsq(x, y):
    a = np.column_stack([np.ones(len(y)), np.reshape(x, (len(y), -1))])
    return np.linalg.lstsq(a, y, rcond=None)[0]


def _diverged(x, y, rate, max_iter=200, init=BAD_START):
    """The result of a fit at a rate above the stability limit (whatever way it ends)."""
    with pytest.warns(gdfast.DivergenceWarning):
        try:
            return gdfast.fit(x, y, learning_rate=rate, max_iter=max_iter, tol=None, init=init)
        except gdfast.DivergenceError as err:
            return err.result


def _legend(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


def _line_labelled(ax, start):
    (line,) = [line for line in ax.get_lines() if line.get_label().startswith(start)]
    return line


# ---------------------------------------------------------------- import


def test_import_gdfast_does_not_import_matplotlib(run_python):
    code = ("import sys, gdfast; gdfast.fit([0, 1, 2], [1, 3, 5], max_iter=3, tol=None); "
            "print(sorted(m for m in sys.modules if m.startswith('matplotlib')))")
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_plot_without_matplotlib_says_how_to_get_it(run_python):
    code = "import sys; sys.modules['matplotlib'] = None; import gdfast.plot"
    proc = run_python(code)
    assert proc.returncode == 1
    assert 'ImportError: gdfast.plot needs matplotlib: pip install "gdfast[plot]"' in proc.stderr


# ---------------------------------------------------------------- the cost surface


@pytest.mark.parametrize("kind", ["mse", "half_mse"])
def test_cost_surface_agrees_with_gdfast_cost(line_data, kind):
    x, y = line_data
    surface = CostSurface(x, y, kind)
    points = np.array([[0.0, -5.0], [2.0, 1.5], [-3.0, 7.0], [1.0, 2.0]])
    expected = [gdfast.cost(x, y, b0, b1, kind=kind) for b0, b1 in points]
    np.testing.assert_allclose(surface(points), expected, rtol=1e-11)
    np.testing.assert_allclose(surface(points.reshape(2, 2, 2)), np.reshape(expected, (2, 2)),
                               rtol=1e-11)


def test_cost_surface_for_several_features():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 3))
    y = 0.5 + x @ [1.0, -2.0, 3.0] + rng.normal(size=300)
    surface = CostSurface(x, y)
    p = rng.normal(size=(5, 4))
    direct = [np.mean((q[0] + x @ q[1:] - y) ** 2) / 2 for q in p]
    np.testing.assert_allclose(surface(p), direct, rtol=1e-11)
    np.testing.assert_allclose(surface.minimum, _lstsq(x, y), rtol=1e-9)
    with pytest.raises(ValueError, match="has 3 feature"):
        surface(np.zeros(2))


def test_cost_surface_far_from_the_minimum_is_accurate_and_never_nan(line_data):
    # a diverged path lies 1e100 away: the surface is a sum of squares there, no cancellation
    x, y = line_data
    far = np.array([[1e100, -3e99], [-2e50, 1e50]])
    direct = [np.mean(((b0 + b1 * x) - y) ** 2) / 2 for b0, b1 in far]
    surface = CostSurface(x, y)
    np.testing.assert_allclose(surface(far), direct, rtol=1e-12)
    beyond = surface(np.array([[1e200, 1e200], [1e200, -1e200]]))   # J > 1.8e308 there
    assert np.all(beyond == np.inf)


def test_minimum_over_two_parameters_is_the_reduced_least_squares():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(200, 3)) + [0.0, 3.0, -1.0]
    y = 2.0 + x @ [1.0, -1.0, 0.5] + rng.normal(size=200)
    surface = CostSurface(x, y)
    held = np.array([0.3, 0.7, -2.0, 4.0])
    best = surface.minimum_over(held, (1, 3))
    design = np.column_stack([np.ones(200), x])
    reduced, *_ = np.linalg.lstsq(design[:, [1, 3]], y - design[:, [0, 2]] @ held[[0, 2]],
                                  rcond=None)
    np.testing.assert_allclose(best[[1, 3]], reduced, rtol=1e-9)
    np.testing.assert_array_equal(best[[0, 2]], held[[0, 2]])


def test_moved_most_ranks_by_spread_along_the_path():
    path = np.array([[0.0, 0.0, 0.0, 0.0],
                     [0.1, 5.0, -1.0, 2.0],
                     [0.1, 1.0, -3.5, 2.0]])    # spreads 0.1, 5, 3.5, 2
    assert moved_most(path) == (1, 2)
    assert moved_most(np.zeros((1, 4))) == (0, 1)


def test_parameter_names_with_feature_names():
    assert parameter_names(3) == ["b0", "b1", "b2"]
    assert parameter_names(3, ["size", "age"]) == ["b0", "b1 (size)", "b2 (age)"]
    with pytest.raises(ValueError, match="feature_names must name the 2 feature"):
        parameter_names(3, ["size"])


def test_parameters_use_coef_when_present(fitted):
    _, _, res = fitted
    np.testing.assert_array_equal(parameters(res), [res.intercept, res.slope])
    path = parameter_path(res.history)
    np.testing.assert_array_equal(path[:, 1], res.history.slope)
    multi = SimpleNamespace(intercept=1.0, coef=np.array([2.0, 3.0]))
    np.testing.assert_array_equal(parameters(multi), [1.0, 2.0, 3.0])
    history = _MultiHistory(intercept=np.zeros(2), coef=np.array([[1, 2], [3, 4]]))
    np.testing.assert_array_equal(parameter_path(history), [[0, 1, 2], [0, 3, 4]])


class _MultiHistory(SimpleNamespace):
    """A History as the multi-feature fit returns it: rows of coef."""

    def __len__(self):
        return len(self.intercept)


# ---------------------------------------------------------------- plot_fit


def test_plot_fit_draws_points_start_and_fitted_line(fitted):
    x, y, res = fitted
    ax = _render(plot.plot_fit(x, y, res))
    (points,) = ax.collections
    np.testing.assert_array_equal(points.get_offsets(), np.column_stack([x, y]))
    start, line = ax.get_lines()
    ends = [x.min(), x.max()]
    np.testing.assert_allclose(start.get_ydata(), np.add(0.0, np.multiply(-5.0, ends)))
    np.testing.assert_allclose(line.get_ydata(), res.intercept + res.slope * np.array(ends))
    assert start.get_linestyle() == "--"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x", "y")


def test_plot_fit_names_the_columns(fitted):
    x, y, res = fitted
    ax = plot.plot_fit(x, y, res, feature_name="size", target_name="price")
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("size", "price")
    assert _legend(ax)[2].startswith("fit: price = ") and _legend(ax)[2].endswith("·size")


def test_plot_fit_refuses_a_fit_of_several_features(feature_data):
    x, y = feature_data
    res = gdfast.fit(x, y, learning_rate="auto", max_iter=50, tol=None)
    with pytest.raises(ValueError, match="draws a line over one feature, but the fit has 3"):
        plot.plot_fit(x, y, res)
    with pytest.raises(ValueError, match="draws a line over one feature"):
        plot.animate_descent(x, y, res)


def test_plot_fit_refuses_x_of_several_columns(fitted):
    _, y, res = fitted
    with pytest.raises(ValueError, match=r"x must have one feature .*got shape \(200, 2\)"):
        plot.plot_fit(np.zeros((len(y), 2)), y, res)


def test_plot_fit_of_a_diverged_fit_keeps_the_data_in_the_frame(line_data):
    x, y = line_data
    res = _diverged(x, y, rate=2.0)
    ax = _render(plot.plot_fit(x, y, res))
    low, high = ax.get_ylim()
    assert low <= y.min() and high >= y.max()
    span = y.max() - y.min()
    assert high - low < 10 * span   # not the 1e100 of the diverged line
    assert "diverged" in ax.get_title()
    fit_line = _line_labelled(ax, "fit:")
    assert np.all((fit_line.get_ydata() >= low) & (fit_line.get_ydata() <= high))


# ---------------------------------------------------------------- plot_cost_history


def test_cost_history_is_log_scaled_when_it_spans_decades(fitted):
    _, _, res = fitted
    ax = _render(plot.plot_cost_history(res))
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), res.history.iteration)
    np.testing.assert_array_equal(line.get_ydata(), res.history.cost)
    assert ax.get_yscale() == "log"
    assert plot.plot_cost_history(res, log=False).get_yscale() == "linear"


@pytest.mark.parametrize("kind, name", [("half_mse", "one-half MSE"), ("mse", "MSE")])
def test_cost_axes_name_their_cost(line_data, kind, name):
    x, y = line_data
    res = gdfast.fit(x, y, cost=kind, max_iter=50, tol=None, init=BAD_START)
    assert res.cost_kind == kind
    # by default the cost the fit minimised; given, the same
    labels = [plot.plot_cost_history(res).get_ylabel(),
              plot.plot_cost_history(res, kind=kind).get_ylabel(),
              plot.plot_cost_slice(x, y, res, kind=kind).get_ylabel()]
    titles = [plot.plot_cost_contour(x, y, res).get_title(),
              plot.plot_cost_contour(x, y, res, kind=kind).get_title()]
    for text in labels + titles:
        assert name in text
        assert ("one-half" in text) == (kind == "half_mse")


def test_a_cost_axis_never_names_a_cost_the_fits_did_not_record(line_data):
    x, y = line_data
    half, mse = (gdfast.fit(x, y, cost=kind, max_iter=5, tol=None) for kind in ("half_mse",
                                                                                 "mse"))
    with pytest.raises(ValueError, match=r"^kind='mse', but the fits recorded \['half_mse'\]"):
        plot.plot_cost_history(half, kind="mse")
    with pytest.raises(ValueError, match=r"^results: the fits minimised different costs"):
        plot.plot_cost_history({"half": half, "mse": mse})
    # a bare History does not say: the label is the one asked for, fit's default otherwise
    assert plot.plot_cost_history(mse.history, kind="mse").get_ylabel().startswith("MSE")
    assert plot.plot_cost_history(half.history).get_ylabel().startswith("one-half MSE")


def test_cost_history_compares_learning_rates_on_one_axes(line_data):
    x, y = line_data
    fits = {f"learning rate {rate}": gdfast.fit(x, y, learning_rate=rate, max_iter=30,
                                                tol=None, init=BAD_START)
            for rate in (0.05, 0.5)}
    fits["learning rate 1.2"] = _diverged(x, y, 1.2, max_iter=30)   # above 2/lambda_max
    ax = _render(plot.plot_cost_history(fits))
    curves = [line for line in ax.get_lines() if line.get_label() in fits]
    assert [line.get_label() for line in curves] == list(fits)
    diverged = fits["learning rate 1.2"].history
    np.testing.assert_array_equal(curves[2].get_ydata(), diverged.cost)
    assert _legend(ax)[:3] == list(fits)
    # its cross: the first row whose cost is above the start, in the curve's colour
    first_above = np.flatnonzero(diverged.cost > diverged.cost[0])[0]
    (cross,) = [line for line in ax.get_lines() if line.get_label().startswith("diverged")]
    assert cross.get_xdata()[0] == diverged.iteration[first_above]
    assert cross.get_color() == curves[2].get_color()


def test_cost_history_stays_linear_over_a_small_span(line_data):
    x, y = line_data
    res = gdfast.fit(x, y, learning_rate=0.01, max_iter=5, tol=None, init=(2.0, 1.5))
    assert plot.plot_cost_history(res.history).get_yscale() == "linear"


@pytest.mark.parametrize("top", [1e20, 1e300, 1.7e308])
def test_a_diverged_history_is_drawn_up_to_where_it_diverged(top):
    # costs up to 1e300 left the axes empty, fixed at 1-10: matplotlib's own log margin and
    # ticks overflow there (RuntimeWarning).  A history as a fit that blows up records it.
    cost = np.geomspace(6.5, top, 49)
    rows = np.arange(49)
    history = History(iteration=rows, intercept=-(1.3 ** rows), slope=1.3 ** rows, cost=cost)
    ax = _render(plot.plot_cost_history(history))
    low, high = ax.get_ylim()
    assert ax.get_yscale() == "log"
    assert low <= cost.min() and high >= cost.max() and np.isfinite(high)
    assert _legend(ax) == ["diverged: cost above its start at iteration 1"]


def test_costs_down_to_subnormal_numbers_are_framed():
    cost = np.geomspace(1e-290, 1e-320, 30)
    history = History(iteration=np.arange(30), intercept=np.zeros(30), slope=np.zeros(30),
                      cost=cost)
    ax = _render(plot.plot_cost_history(history))
    low, high = ax.get_ylim()
    assert low <= cost.min() and high >= cost.max()
    assert ax.get_legend() is None   # falling: not diverged


def test_a_fit_that_diverged_is_drawn_with_its_mark(line_data):
    x, y = line_data
    res = _diverged(np.asarray(x) * 1000, y, rate=1e-3, max_iter=1000)
    ax = _render(plot.plot_cost_history(res))
    low, high = ax.get_ylim()
    cost = res.history.cost
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), cost)
    assert low <= cost.min() and high >= cost.max() and np.isfinite(high)
    assert any(label.startswith("diverged: cost above its start") for label in _legend(ax))


def test_rows_that_are_not_finite_are_left_out_and_marked():
    history = History(iteration=np.arange(5), intercept=np.array([0.0, 1, 2, 3, np.inf]),
                      slope=np.array([0.0, -1, -2, -3, np.nan]),
                      cost=np.array([10.0, 5.0, 2.0, 1.0, np.inf]))
    ax = _render(plot.plot_cost_history(history))
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), [10.0, 5.0, 2.0, 1.0])
    (cross,) = ax.get_lines()[1:]
    assert cross.get_xdata()[0] == 3
    assert _legend(ax) == ["diverged: not finite after iteration 3"]


def test_cost_history_names_what_it_refuses(fitted):
    with pytest.raises(ValueError, match="results is an empty dict"):
        plot.plot_cost_history({})
    with pytest.raises(TypeError, match="results must be a FitResult or a History, got list"):
        plot.plot_cost_history([1.0, 2.0])
    with pytest.raises(TypeError, match=r"results\['a'\] must be a FitResult"):
        plot.plot_cost_history({"a": 3.0})
    with pytest.raises(ValueError, match="kind must be one of"):
        plot.plot_cost_history(fitted[2], kind="MSE")


# ---------------------------------------------------------------- plot_parameter_history


def test_parameter_history_shows_the_overshoot_the_cost_hides(line_data):
    x, y = line_data
    limits = gdfast.learning_rate_limits(x)
    rate = 1.8 * limits.max_no_bounce      # above 1/lambda_max, below 2/lambda_max
    res = gdfast.fit(x, y, learning_rate=rate, max_iter=30, tol=None, init=BAD_START)
    best = _lstsq(x, y)[1]
    ax = _render(plot.plot_parameter_history({"overshooting": res}, which=1, reference=best))
    line = _line_labelled(ax, "overshooting")
    np.testing.assert_array_equal(line.get_ydata(), res.history.slope)
    assert ax.get_ylabel() == "b1"
    (reference,) = [line for line in ax.get_lines() if "least squares" in line.get_label()]
    assert reference.get_ydata()[0] == best
    # the cost falls on every step while b1 lands on alternate sides of its final value
    assert np.all(np.diff(res.history.cost) < 0)
    assert np.all(np.diff(np.sign(res.history.slope[:10] - best)) != 0)


# ---------------------------------------------------------------- plot_cost_slice


def test_cost_slice_draws_the_mse_over_b1_from_the_bad_start(line_data):
    x, y = line_data
    ax = _render(plot.plot_cost_slice(x, y, BAD_START, span=(-10, 13), kind="mse"))
    curve, dot = ax.get_lines()
    b1 = curve.get_xdata()
    assert (b1[0], b1[-1]) == (-10, 13)
    np.testing.assert_allclose(curve.get_ydata()[[0, -1]],
                               [gdfast.cost(x, y, 0.0, -10.0, kind="mse"),
                                gdfast.cost(x, y, 0.0, 13.0, kind="mse")])
    assert dot.get_color() == "red"
    assert list(dot.get_xdata()) == [-5.0]
    assert dot.get_ydata()[0] == pytest.approx(gdfast.cost(x, y, 0.0, -5.0, kind="mse"),
                                               rel=1e-12)
    # the valley's floor: the best b1 with b0 held at 0
    assert b1[np.argmin(curve.get_ydata())] == pytest.approx((x @ y) / (x @ x), abs=0.06)
    assert ax.get_xlabel() == "b1" and "b0 = 0" in ax.get_title()
    assert ax.get_ylabel().startswith("MSE")


def test_cost_slice_draws_the_cost_fit_minimises_by_default(line_data):
    x, y = line_data
    ax = plot.plot_cost_slice(x, y, BAD_START)
    dot = ax.get_lines()[1]
    assert dot.get_ydata()[0] == pytest.approx(
        gdfast.fit(x, y, max_iter=0, tol=None, init=BAD_START).cost, rel=1e-12)
    assert ax.get_ylabel().startswith("one-half MSE")


def test_cost_slice_of_a_result_has_the_start_red_and_the_end_black(fitted):
    x, y, res = fitted
    ax = _render(plot.plot_cost_slice(x, y, res, feature_names=["size"]))
    start_curve, start, end_curve, end = ax.get_lines()
    assert start.get_color() == "red" and end.get_color() == "black"
    assert (start.get_xdata()[0], end.get_xdata()[0]) == (BAD_START[1], res.slope)
    assert end.get_ydata()[0] == pytest.approx(res.cost, rel=1e-9)
    # each curve holds b0 at its own row's value
    grid = end_curve.get_xdata()
    np.testing.assert_allclose(end_curve.get_ydata()[::80],
                               [gdfast.cost(x, y, res.intercept, b1) for b1 in grid[::80]],
                               rtol=1e-10)
    np.testing.assert_allclose(start_curve.get_ydata()[::80],
                               [gdfast.cost(x, y, 0.0, b1) for b1 in grid[::80]], rtol=1e-10)
    # the default span holds both points and the curve's floor, away from its ends
    assert grid[0] < -5.0 and grid[-1] > res.slope
    floor = np.argmin(start_curve.get_ydata())
    assert 0 < floor < grid.size - 1
    assert ax.get_xlabel() == "b1 (size)"


# ---------------------------------------------------------------- plot_cost_contour


def test_contour_with_the_descent_path(fitted):
    x, y, res = fitted
    ax = _render(plot.plot_cost_contour(x, y, res))
    assert sum(isinstance(c, ContourSet) for c in ax.collections) == 1
    path = _line_labelled(ax, "descent")
    np.testing.assert_array_equal(path.get_xdata(), res.history.intercept)
    np.testing.assert_array_equal(path.get_ydata(), res.history.slope)
    start, end, minimum = (_line_labelled(ax, name) for name in ("start", "end", "minimum"))
    assert (start.get_xdata()[0], start.get_ydata()[0]) == BAD_START
    assert start.get_color() == "red"
    assert (end.get_xdata()[0], end.get_ydata()[0]) == (res.intercept, res.slope)
    np.testing.assert_allclose([minimum.get_xdata()[0], minimum.get_ydata()[0]], _lstsq(x, y),
                               rtol=1e-9)
    _assert_framed(ax, np.column_stack([path.get_xdata(), path.get_ydata()]),
                   (minimum.get_xdata()[0], minimum.get_ydata()[0]))


def _assert_framed(ax, points, minimum):
    """Every point inside the axes; the minimum away from every edge (its valley shows)."""
    for limits, values, centre in ((ax.get_xlim(), points[:, 0], minimum[0]),
                                   (ax.get_ylim(), points[:, 1], minimum[1])):
        low, high = limits
        assert np.all((values > low) & (values < high))
        width = high - low
        assert min(centre - low, high - centre) >= 0.2 * width


def test_contour_over_two_chosen_coefficients_of_several_features(feature_data):
    x, y = feature_data
    res = gdfast.fit(x, y, learning_rate=0.3, max_iter=40, tol=None)
    ax = _render(plot.plot_cost_contour(x, y, res, which=(1, 3)))
    path = _line_labelled(ax, "descent")
    np.testing.assert_array_equal(path.get_xdata(), res.history.coef[:, 0])
    np.testing.assert_array_equal(path.get_ydata(), res.history.coef[:, 2])
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("b1", "b3")
    assert "2 other(s) held at the end" in ax.get_title()


def test_contour_of_many_features_shows_the_two_that_moved_most():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(400, 10)) * rng.uniform(0.5, 3.0, 10) + rng.uniform(-5, 5, 10)
    y = 3.0 + x @ rng.normal(size=10) + rng.normal(size=400)
    res = gdfast.fit(x, y, learning_rate="auto", standardize=True, max_iter=2000, tol=1e-8)
    path = np.column_stack([res.history.intercept, res.history.coef])
    spread = path.max(axis=0) - path.min(axis=0)
    i, j = sorted(np.argsort(spread)[-2:])
    names = [f"f{k}" for k in range(10)]
    ax = _render(plot.plot_cost_contour(x, y, res, feature_names=names))
    expected = parameter_names(11, names)
    assert (ax.get_xlabel(), ax.get_ylabel()) == (expected[i], expected[j])
    line = _line_labelled(ax, "descent")
    np.testing.assert_array_equal(line.get_xdata(), path[:, i])
    assert line.get_marker() in ("None", None, "") or len(path) <= plot.MARKED_ROWS
    minimum = _line_labelled(ax, "minimum")
    _assert_framed(ax, path[:, [i, j]], (minimum.get_xdata()[0], minimum.get_ydata()[0]))


def test_contour_of_a_standardized_fit_frames_its_minimum(line_data):
    # in one iteration from (0, 0) to the minimum: it used to sit on the frame's edge
    x, y = line_data
    x = np.asarray(x) * 1000.0
    res = gdfast.fit(x, y, learning_rate="auto", standardize=True, tol=1e-9)
    ax = plot.plot_cost_contour(x, y, res)
    path = parameter_path(res.history)
    _assert_framed(ax, path, _lstsq(x, y))


def test_contour_of_a_diverged_fit_names_it(line_data):
    x, y = line_data
    res = _diverged(x, y, rate=2.0, max_iter=100)
    ax = _render(plot.plot_cost_contour(x, y, res))
    assert any(label.startswith("end (diverged") for label in _legend(ax))
    path = parameter_path(res.history)
    low, high = ax.get_xlim()
    assert np.all((path[:, 0] > low) & (path[:, 0] < high))


def test_contour_compares_plain_descent_with_the_heavy_ball(cars_like):
    # the zig-zag of plain descent and the curve of the rolling ball on one landscape
    x, y = cars_like
    plain = gdfast.fit(x, y, max_iter=400, tol=None, init=(0.0, 0.0))
    heavy = gdfast.fit(x, y, momentum="auto", max_iter=400, tol=None, init=(0.0, 0.0))
    ax = _render(plot.plot_cost_contour(x, y, {"plain": plain, "momentum='auto'": heavy}))
    assert sum(isinstance(c, ContourSet) for c in ax.collections) == 1
    for label, res in (("plain", plain), ("momentum='auto'", heavy)):
        line = _line_labelled(ax, label)
        np.testing.assert_array_equal(line.get_xdata(), res.history.intercept)
        np.testing.assert_array_equal(line.get_ydata(), res.history.slope)
    colours = {_line_labelled(ax, label).get_color() for label in ("plain", "momentum")}
    assert len(colours) == 2
    # one start (both begin there), an end cross for each
    assert _legend(ax).count("start") == 1
    ends = [line for line in ax.get_lines() if line.get_marker() == "X"]
    assert sorted((e.get_xdata()[0], e.get_ydata()[0]) for e in ends) == sorted(
        [(plain.intercept, plain.slope), (heavy.intercept, heavy.slope)])
    with pytest.raises(ValueError, match="empty dict"):
        plot.plot_cost_contour(x, y, {})
    with pytest.raises(TypeError, match=r"result\['a'\] must be a FitResult"):
        plot.plot_cost_contour(x, y, {"a": plain.history})


# ---------------------------------------------------------------- animate_descent


def test_animation_rolls_the_dot_over_a_still_landscape(tmp_path, fitted):
    from PIL import Image

    x, y, res = fitted
    animation = plot.animate_descent(x, y, res, frames=12)
    left, right = animation._fig.axes
    (landscape,) = [c for c in right.collections if isinstance(c, ContourSet)]
    levels, limits = landscape.levels.copy(), (right.get_xlim(), right.get_ylim())
    dot = _line_labelled(right, "current point")
    assert dot.get_color() == "red" and not dot.get_clip_on()
    assert "current point" in _legend(right) and "minimum" in _legend(right)
    path = parameter_path(res.history)
    seen = []
    n_frames = len(list(animation.new_frame_seq()))
    for frame in range(n_frames):
        animation._func(frame)
        animation._fig.canvas.draw()
        b0, b1 = dot.get_xdata()[0], dot.get_ydata()[0]
        seen.append((b0, b1))
        (xlow, xhigh), (ylow, yhigh) = right.get_xlim(), right.get_ylim()
        assert xlow < b0 < xhigh and ylow < b1 < yhigh
        # the whole marker inside the axes, in pixels
        radius = dot.get_markersize() / 72 * animation._fig.dpi / 2
        px, py = right.transData.transform((b0, b1))
        box = right.get_window_extent()
        assert box.x0 + radius <= px <= box.x1 - radius and box.y0 + radius <= py <= box.y1 - radius
        # the ground stays still: the same contour artist, levels and frame in every frame
        assert [c for c in right.collections if isinstance(c, ContourSet)] == [landscape]
        np.testing.assert_array_equal(landscape.levels, levels)
        assert (right.get_xlim(), right.get_ylim()) == limits
        assert "one-half MSE" in right.get_title()
    assert seen[0] == BAD_START and seen[-1] == (res.intercept, res.slope)
    assert all(tuple(p) in set(map(tuple, path)) for p in seen)
    np.testing.assert_allclose(left.get_lines()[0].get_ydata(),
                               res.intercept + res.slope * np.array([x.min(), x.max()]))
    out = plot.save_gif(animation, tmp_path / "descent.gif", fps=4)
    with Image.open(out) as gif:
        assert gif.format == "GIF" and gif.n_frames == n_frames


# ---------------------------------------------------------------- odd data, no warnings


def _hostile_cases():
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 2, 40)
    noise = rng.normal(size=40)
    yield "huge values", x * 1e150, (2 + 1.5 * x + noise) * 1e150, dict(learning_rate=1e-301)
    yield "tiny values", x * 1e-300, 2 + 1.5 * x + noise, dict(learning_rate="auto")
    yield "constant x", np.full(40, 3.0), 2 + noise, dict(learning_rate=0.05)
    yield "one point", np.array([1.0]), np.array([2.0]), dict(learning_rate=0.3)
    yield "exact line", x, 1.0 + 2.0 * x, dict(learning_rate="auto", init=(1.0, 2.0))
    yield "no iterations", x, 2 + 1.5 * x + noise, dict(max_iter=0)
    yield "diverged", x * 1000, 2 + 1.5 * x + noise, dict(learning_rate=1e-3, max_iter=2000)


@pytest.mark.parametrize("name, x, y, options", list(_hostile_cases()),
                         ids=[case[0] for case in _hostile_cases()])
def test_no_runtime_warning_escapes_from_any_picture(tmp_path, name, x, y, options):
    import warnings

    options = dict(dict(max_iter=50, tol=None), **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gdfast.DivergenceWarning)
        try:
            res = gdfast.fit(x, y, **options)
        except gdfast.DivergenceError as err:
            res = err.result
    # warnings are errors here (pyproject): any RuntimeWarning below fails the test
    _render(plot.plot_fit(x, y, res))
    _render(plot.plot_cost_history({"fit": res}))
    _render(plot.plot_parameter_history(res, which=1))
    _render(plot.plot_cost_slice(x, y, res))
    _render(plot.plot_cost_contour(x, y, res))
    plot.save_gif(plot.animate_descent(x, y, res, frames=4), tmp_path / f"{name}.gif")


def test_data_whose_squares_overflow_is_refused_by_name():
    x = np.linspace(1.0, 2.0, 10) * 1e160
    with pytest.raises(ValueError, match="x, y: the cost cannot be drawn in float64"):
        plot.plot_cost_slice(x, np.ones(10), (0.0, 0.0))


# ---------------------------------------------------------------- bad arguments


def test_bad_parameter_choices_name_the_argument(fitted):
    x, y, res = fitted
    with pytest.raises(ValueError, match=r"vary must be between 0 and 1 .*got 2"):
        plot.plot_cost_slice(x, y, res, vary=2)
    with pytest.raises(TypeError, match="vary must be an integer"):
        plot.plot_cost_slice(x, y, res, vary="b1")
    with pytest.raises(ValueError, match=r"which\[1\] must be between 0 and 1"):
        plot.plot_cost_contour(x, y, res, which=(0, 5))
    with pytest.raises(ValueError, match="which must name two different parameters"):
        plot.plot_cost_contour(x, y, res, which=(1, 1))
    with pytest.raises(TypeError, match="which must be a pair"):
        plot.plot_cost_contour(x, y, res, which=1)
    with pytest.raises(ValueError, match="result has 2 parameters .* x has 3 feature"):
        plot.plot_cost_contour(np.zeros((len(y), 3)), y, res)
    with pytest.raises(ValueError, match="point must be a FitResult or 1 \\+ d finite numbers"):
        plot.plot_cost_slice(x, y, (0.0, np.nan))
    import matplotlib.pyplot as plt

    assert plt.get_fignums() == []  # nothing drawn before the check


# ---------------------------------------------------------------- gdfast fit --plot


def _write_csv(path, columns, names):
    np.savetxt(path, np.column_stack(columns), delimiter=",", header=",".join(names),
               comments="")
    return path


def _fit_plot(capsys, *argv):
    from gdfast.cli import main

    code = main(["fit", *map(str, argv)])
    capsys.readouterr()
    return code


def test_cli_plot_names_columns_and_costs_and_keeps_red_for_the_start(
        tmp_path, capsys, line_data, kept_pictures):
    x, y = line_data
    data = _write_csv(tmp_path / "houses.csv", [x, y], ["size", "price"])
    code = _fit_plot(capsys, data, "--y", "price", "--x", "size", "--learning-rate", "0.25",
                     "--max-iter", "5000", "--tol", "1e-9", "--cost", "mse",
                     "--plot", tmp_path / "pictures")
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "pictures").iterdir()) == sorted(kept_pictures)
    (fit_ax,) = kept_pictures["fit.png"]
    assert (fit_ax.get_xlabel(), fit_ax.get_ylabel()) == ("size", "price")
    (slice_ax,) = kept_pictures["cost_slice.png"]
    start = _line_labelled(slice_ax, "start")
    assert start.get_color() == "red" and start.get_xdata()[0] == 0.0   # the start, b1 = 0
    assert _line_labelled(slice_ax, "end").get_color() == "black"
    assert slice_ax.get_xlabel() == "b1 (size)"
    for name in ("cost_slice.png", "cost_history.png"):
        label = kept_pictures[name][0].get_ylabel()
        assert label.startswith("MSE") and "one-half" not in label   # --cost mse
    (contour_ax,) = kept_pictures["cost_contour.png"]
    assert (contour_ax.get_xlabel(), contour_ax.get_ylabel()) == ("b0", "b1 (size)")


def test_cli_plot_of_ten_features_draws_the_two_that_moved_most(tmp_path, capsys,
                                                                kept_pictures):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 10)) * rng.uniform(0.5, 20, 10) + rng.uniform(-50, 50, 10)
    y = 3 + x @ rng.normal(size=10) + rng.normal(size=200)
    names = [f"f{k}" for k in range(10)]
    data = _write_csv(tmp_path / "ten.csv", [x, y], names + ["target"])
    code = _fit_plot(capsys, data, "--y", "target", "--standardize", "--learning-rate", "auto",
                     "--max-iter", "5000", "--plot", tmp_path / "pictures")
    assert code == 0
    assert sorted(kept_pictures) == ["cost_contour.png", "cost_history.png"]
    res = gdfast.fit(x, y, learning_rate="auto", standardize=True, max_iter=5000)
    path = np.column_stack([res.history.intercept, res.history.coef])
    i, j = sorted(np.argsort(path.max(axis=0) - path.min(axis=0))[-2:])
    (ax,) = kept_pictures["cost_contour.png"]
    expected = parameter_names(11, names)
    assert (ax.get_xlabel(), ax.get_ylabel()) == (expected[i], expected[j])
    minimum = _line_labelled(ax, "minimum")
    _assert_framed(ax, path[:, [i, j]], (minimum.get_xdata()[0], minimum.get_ydata()[0]))


def test_cli_plot_of_a_diverged_fit_draws_and_marks_it(tmp_path, capsys, line_data,
                                                       kept_pictures):
    x, y = line_data
    data = _write_csv(tmp_path / "houses.csv", [np.asarray(x) * 1000, y], ["size", "price"])
    code = _fit_plot(capsys, data, "--y", "price", "--learning-rate", "1e-3",
                     "--max-iter", "1000", "--plot", tmp_path / "pictures")
    assert code == 1   # diverged
    (ax,) = kept_pictures["cost_history.png"]
    curve = ax.get_lines()[0]
    costs = curve.get_ydata()
    assert costs.size >= 2 and np.all(np.isfinite(costs))
    low, high = ax.get_ylim()
    assert low <= costs.min() and costs.max() <= high
    assert any(label.startswith("diverged") for label in _legend(ax))


# ---------------------------------------------------------------- divergence with momentum

def _heavy_ball_limit(x, beta):
    return 2.0 * (1.0 + beta) / gdfast.learning_rate_limits(x).eigenvalues[-1]


def test_a_momentum_fit_whose_cost_rises_and_falls_back_is_not_diverged():
    # the heavy ball at Polyak's settings in a narrow valley (x in [1, 3]): the cost
    # rises tenfold over the first iterations, then falls below its start (stable)
    rng = np.random.default_rng(12345)
    x = rng.uniform(1.0, 3.0, 200)
    y = 2.0 + 1.5 * x + rng.normal(0.0, 0.5, 200)
    res = gdfast.fit(x, y, momentum="auto", max_iter=60, tol=None, init=BAD_START)
    cost = res.history.cost
    assert cost.max() > 2.0 * cost[0] and cost[-1] < cost[0]
    assert plot.divergence(res.history, res.momentum) is None
    # stopped by max_iter while the cost is still above twice its start: not diverged
    # either (the descent would have stopped at its first point above the limit)
    peak = int(np.argmax(cost))
    above = np.flatnonzero(cost > 2.0 * cost[0])
    assert above[0] < peak
    rising = gdfast.fit(x, y, momentum="auto", max_iter=peak, tol=None, init=BAD_START)
    assert rising.history.cost[-1] > 2.0 * rising.history.cost[0]
    assert plot.divergence(rising.history, rising.momentum) is None
    ax = _render(plot.plot_cost_history({"heavy ball": res, "stopped on the rise": rising}))
    assert not [t for t in _legend(ax) if t.startswith("diverged")]
    ax = _render(plot.plot_cost_contour(x, y, rising))
    assert "end" in _legend(ax)


@pytest.mark.parametrize("nesterov", [False, True])
def test_a_diverging_momentum_fit_is_marked_where_the_descent_stopped_it(line_data, nesterov):
    x, y = line_data
    beta = 0.5
    rate = 1.2 * _heavy_ball_limit(x, beta) / ((1 + 2 * beta) if nesterov else 1)
    with pytest.warns(gdfast.DivergenceWarning):
        with pytest.raises(gdfast.DivergenceError) as info:
            gdfast.fit(x, y, learning_rate=rate, momentum=beta, nesterov=nesterov,
                       max_iter=10_000, init=BAD_START)
    res = info.value.result
    h = res.history
    # the old rule (only rows that are not finite) missed it: every row is finite
    assert np.all(np.isfinite(h.cost)) and h.cost[-1] > 2.0 * h.cost[0]
    row, words = plot.divergence(h, res.momentum)
    assert row == len(h) - 1 and f"iteration {h.iteration[-1]}" in words
    assert "twice its start" in words
    ax = _render(plot.plot_cost_history({"too fast": res}))
    (cross,) = [line for line in ax.get_lines() if line.get_label().startswith("diverged")]
    assert cross.get_xdata()[0] == h.iteration[-1]
    ax = _render(plot.plot_cost_contour(x, y, res))
    assert any(t.startswith("end (diverged") for t in _legend(ax))


def test_a_converged_or_stopped_momentum_fit_is_never_marked(line_data):
    x, y = line_data
    res = gdfast.fit(x, y, momentum="auto", tol=1e-9, init=BAD_START)
    assert res.converged and plot.fit_divergence(res, res.history) is None
    stopped = gdfast.fit(x, y, momentum="auto", record_every=1, init=BAD_START,
                         callback=lambda step: step.iteration < 3 or False)
    assert stopped.stopped_by == "callback"
    assert plot.fit_divergence(stopped, stopped.history) is None
