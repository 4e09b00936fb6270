"""gdfast.plot: what each picture holds (lines, points, scales, the red dot)."""
from types import SimpleNamespace

import numpy as np
import pytest

import gdfast
from gdfast._landscape import CostSurface, parameter_path, parameters

import gdfast.plot as plot  # the plot extra is part of the test set-up (README, .ci/run)
from matplotlib.contour import ContourSet

SEED_START = (0.0, -5.0)


@pytest.fixture
def fitted(line_data):
    x, y = line_data
    return x, y, gdfast.fit(x, y, learning_rate=0.5, max_iter=5000, tol=1e-9, init=SEED_START)


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


@pytest.mark.parametrize("kind", ["mse", "half_mse"])
def test_cost_surface_agrees_with_gdfast_cost(line_data, kind):
    x, y = line_data
    surface = CostSurface(x, y, (1.0, 2.0), kind)
    points = np.array([[0.0, -5.0], [2.0, 1.5], [-3.0, 7.0], [1.0, 2.0]])
    expected = [gdfast.cost(x, y, b0, b1, kind=kind) for b0, b1 in points]
    np.testing.assert_allclose(surface(points), expected, rtol=1e-11)
    np.testing.assert_allclose(surface(points.reshape(2, 2, 2)), np.reshape(expected, (2, 2)),
                               rtol=1e-11)


def test_cost_surface_for_several_features():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 3))
    y = 0.5 + x @ [1.0, -2.0, 3.0] + rng.normal(size=300)
    surface = CostSurface(x, y, np.zeros(4))
    p = rng.normal(size=(5, 4))
    direct = [np.mean((q[0] + x @ q[1:] - y) ** 2) / 2 for q in p]
    np.testing.assert_allclose(surface(p), direct, rtol=1e-11)
    lstsq, *_ = np.linalg.lstsq(np.column_stack([np.ones(300), x]), y, rcond=None)
    np.testing.assert_allclose(surface.minimum(), lstsq, rtol=1e-9)
    with pytest.raises(ValueError, match="has 3 feature"):
        CostSurface(x, y, np.zeros(2))


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


def test_plot_fit_draws_points_start_and_fitted_line(fitted):
    x, y, res = fitted
    ax = plot.plot_fit(x, y, res)
    (points,) = ax.collections
    np.testing.assert_array_equal(points.get_offsets(), np.column_stack([x, y]))
    start, line = ax.get_lines()
    ends = [x.min(), x.max()]
    np.testing.assert_allclose(start.get_ydata(), np.add(0.0, np.multiply(-5.0, ends)))
    np.testing.assert_allclose(line.get_ydata(), res.intercept + res.slope * np.array(ends))
    assert start.get_linestyle() == "--"


def test_plot_fit_refuses_several_features(fitted):
    _, y, res = fitted
    with pytest.raises(ValueError, match="x must be 1-D"):
        plot.plot_fit(np.zeros((len(y), 2)), y, res)


def test_cost_history_is_log_scaled_when_it_spans_decades(fitted):
    _, _, res = fitted
    ax = plot.plot_cost_history(res)
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), res.history.iteration)
    np.testing.assert_array_equal(line.get_ydata(), res.history.cost)
    assert ax.get_yscale() == "log"
    assert plot.plot_cost_history(res, log=False).get_yscale() == "linear"


def test_cost_history_compares_learning_rates_on_one_axes(line_data):
    x, y = line_data
    with pytest.warns(gdfast.DivergenceWarning):   # 1.2 is above this data's 2/lambda_max
        fits = {f"learning rate {rate}": gdfast.fit(x, y, learning_rate=rate, max_iter=30,
                                                    tol=None, init=SEED_START)
                for rate in (0.05, 0.5, 1.2)}
    ax = plot.plot_cost_history(fits)
    assert len(ax.get_lines()) == 3
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(fits)
    np.testing.assert_array_equal(ax.get_lines()[2].get_ydata(), fits["learning rate 1.2"].history.cost)


def test_cost_history_stays_linear_over_a_small_span(line_data):
    x, y = line_data
    res = gdfast.fit(x, y, learning_rate=0.01, max_iter=5, tol=None, init=(2.0, 1.5))
    assert plot.plot_cost_history(res.history).get_yscale() == "linear"


def test_cost_slice_is_the_seed_figure(line_data):
    x, y = line_data
    ax = plot.plot_cost_slice(x, y, SEED_START, span=(-10, 13))
    curve, dot = ax.get_lines()
    b1 = curve.get_xdata()
    assert (b1[0], b1[-1]) == (-10, 13)
    np.testing.assert_allclose(curve.get_ydata()[[0, -1]],
                               [gdfast.cost(x, y, 0.0, -10.0), gdfast.cost(x, y, 0.0, 13.0)])
    assert dot.get_color() == "red"
    assert list(dot.get_xdata()) == [-5.0]
    assert dot.get_ydata()[0] == pytest.approx(gdfast.cost(x, y, 0.0, -5.0), rel=1e-12)
    # the valley's floor: the best b1 with b0 held at 0
    assert b1[np.argmin(curve.get_ydata())] == pytest.approx((x @ y) / (x @ x), abs=0.06)
    assert ax.get_xlabel() == "b1" and "b0 = 0" in ax.get_title()


def test_cost_slice_at_a_result_along_the_intercept(fitted):
    x, y, res = fitted
    ax = plot.plot_cost_slice(x, y, res, vary=0, kind="half_mse")
    curve, dot = ax.get_lines()
    assert dot.get_xdata()[0] == res.intercept
    assert dot.get_ydata()[0] == pytest.approx(res.cost, rel=1e-9)
    # at the minimum, the default span is centred on the dot
    assert np.mean(curve.get_xdata()[[0, -1]]) == pytest.approx(res.intercept, abs=1e-6)


def test_contour_with_the_descent_path(fitted):
    x, y, res = fitted
    ax = plot.plot_cost_contour(x, y, res)
    assert sum(isinstance(c, ContourSet) for c in ax.collections) == 1
    path, start, end = ax.get_lines()
    np.testing.assert_array_equal(path.get_xdata(), res.history.intercept)
    np.testing.assert_array_equal(path.get_ydata(), res.history.slope)
    assert (start.get_xdata()[0], start.get_ydata()[0]) == SEED_START
    assert start.get_color() == "red"
    assert (end.get_xdata()[0], end.get_ydata()[0]) == (res.intercept, res.slope)
    low, high = ax.get_ylim()
    assert low < -5.0 and high > res.slope


def test_contour_over_two_chosen_coefficients_of_several_features():
    # a multi-feature result as the multi-feature fit will return it
    rng = np.random.default_rng(2)
    x = rng.normal(size=(100, 3))
    y = 1.0 + x @ [0.5, -1.0, 2.0]
    params = np.zeros(4)
    rows = [params]
    for _ in range(40):
        r = params[0] + x @ params[1:] - y
        params = params - 0.3 * np.concatenate([[r.mean()], x.T @ r / len(y)])
        rows.append(params)
    rows = np.array(rows)
    history = _MultiHistory(iteration=np.arange(41), intercept=rows[:, 0], coef=rows[:, 1:],
                            cost=np.zeros(41))
    result = SimpleNamespace(intercept=rows[-1, 0], coef=rows[-1, 1:], history=history)
    ax = plot.plot_cost_contour(x, y, result, which=(1, 3))
    path = ax.get_lines()[0]
    np.testing.assert_array_equal(path.get_xdata(), rows[:, 1])
    np.testing.assert_array_equal(path.get_ydata(), rows[:, 3])
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("b1", "b3")


def test_animation_saved_as_gif(tmp_path, fitted):
    from PIL import Image

    x, y, res = fitted
    animation = plot.animate_descent(x, y, res, frames=6)
    (left, right) = animation._fig.axes
    out = plot.save_gif(animation, tmp_path / "descent.gif", fps=4)
    with Image.open(out) as gif:
        assert gif.format == "GIF" and gif.n_frames >= 5
    # after the last frame the red dot sits at the fitted point
    dot = right.get_lines()[1]
    assert dot.get_xdata()[0] == res.slope
    assert dot.get_ydata()[0] == pytest.approx(gdfast.cost(x, y, res.intercept, res.slope))
    np.testing.assert_allclose(left.get_lines()[0].get_ydata(),
                               res.intercept + res.slope * np.array([x.min(), x.max()]))


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
    import matplotlib.pyplot as plt

    assert plt.get_fignums() == []  # nothing drawn before the check
