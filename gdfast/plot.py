"""Pictures of a descent, with matplotlib (install the extra: ``pip install "gdfast[plot]"``).

The story the pictures tell: the points and the fitted line; the cost curve
over b1 with the current point as a red dot; the red dot rolling down the
valley (the contour with the descent path, and the animation); the cost
falling, or bouncing when the learning rate is too high.

Every function draws on ``ax`` (a new figure when it is None) and returns
the matplotlib Axes, or the Figure / animation it made.  ``import gdfast``
never imports this module or matplotlib.

>>> import gdfast, gdfast.plot                                   # doctest: +SKIP
>>> res = gdfast.fit(x, y, learning_rate=0.4, init=(0, -5))      # doctest: +SKIP
>>> gdfast.plot.plot_cost_contour(x, y, res)                     # doctest: +SKIP
"""
import numpy as np

try:
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation, PillowWriter
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError("gdfast.plot needs matplotlib: pip install \"gdfast[plot]\"") from exc

from ._landscape import CostSurface, parameter_names, parameter_path, parameters

COST_LABELS = {"mse": "MSE", "half_mse": "1/2 MSE"}
# the cost is drawn on a log axis once it spans more than this factor
LOG_SCALE_SPAN = 100.0


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots()
    return ax


def _line_ends(x):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D (one feature) to draw a line, got shape {x.shape}")
    return np.array([x.min(), x.max()])


def plot_fit(x, y, result, *, ax=None):
    """The points, the fitted line and the starting line.

    Parameters
    ----------
    x, y : array_like, shape (N,)
        The data the fit used (one feature).
    result : FitResult
        The fit; its history's first row is the starting line.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Holds one scatter of the points and two lines: the start (dashed)
        and the fit.
    """
    ax = _axes(ax)
    ends = _line_ends(x)
    ax.scatter(x, y, s=12, color="tab:blue", alpha=0.7, label="data")
    b0, b1 = result.history.intercept[0], result.history.slope[0]
    ax.plot(ends, b0 + b1 * ends, "--", color="tab:gray",
            label=f"start: y = {b0:.3g} + {b1:.3g}x")
    ax.plot(ends, result.intercept + result.slope * ends, color="tab:red",
            label=f"fit: y = {result.intercept:.3g} + {result.slope:.3g}x")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend()
    return ax


def plot_cost_history(results, *, ax=None, log=None):
    """The cost against the iteration, for one fit or several (to compare learning rates).

    Parameters
    ----------
    results : FitResult, History, or a dict of them
        A dict maps each curve's label (e.g. ``"learning rate 0.1"``) to
        its fit.
    ax : matplotlib Axes, optional
    log : bool, optional
        Log scale for the cost.  By default, when the costs drawn span more
        than a factor of 100 and are all positive.

    Returns
    -------
    matplotlib.axes.Axes
        One line per fit.
    """
    ax = _axes(ax)
    if not isinstance(results, dict):
        results = {None: results}
    drawn = []
    for label, fitted in results.items():
        history = getattr(fitted, "history", fitted)
        ax.plot(history.iteration, history.cost, marker="." if len(history) < 50 else None,
                label=label)
        drawn.append(history.cost)
    costs = np.concatenate(drawn)
    if log is None:
        log = bool(costs.min() > 0 and costs.max() > LOG_SCALE_SPAN * costs.min())
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost")
    if any(label is not None for label in results):
        ax.legend()
    return ax


def plot_cost_slice(x, y, point=(0.0, -5.0), *, vary=1, span=None, kind="mse", ax=None):
    """The cost along one parameter, the others held fixed, with the point as a red dot.

    The seed's picture: ``plot_cost_slice(x, y, (0, -5), span=(-10, 13))``
    draws the MSE over b1 with b0 = 0, and the red dot at b1 = -5.

    Parameters
    ----------
    x : array_like, shape (N,) or (N, d)
    y : array_like, shape (N,)
    point : FitResult or sequence of 1 + d floats, default (0, -5)
        Where the other parameters are held, and the red dot.
    vary : int, default 1
        The parameter along the curve: 0 is the intercept b0, j the j-th
        coefficient.
    span : (float, float), optional
        Its range; by default from the point to past the minimum along it.
    kind : {"mse", "half_mse"}, default "mse"
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        One line (the cost curve) and one red point.
    """
    point = parameters(point) if hasattr(point, "intercept") else np.asarray(point, float)
    surface = CostSurface(x, y, point, kind)
    names = parameter_names(point.size)
    vary = _check_index(vary, "vary", point.size)
    ax = _axes(ax)
    if span is None:
        # the minimum of J along this one parameter, with the others held
        along = point[vary] - surface._g[vary] / surface._gram[vary, vary]
        half = max(1.5 * abs(along - point[vary]), 1.0)
        span = (along - half, along + half)
    grid = np.linspace(span[0], span[1], 400)
    points = np.tile(point, (grid.size, 1))
    points[:, vary] = grid
    ax.plot(grid, surface(points), color="tab:blue")
    ax.plot([point[vary]], [surface(point)], "o", color="red", markersize=8)
    held = ", ".join(f"{n} = {v:.3g}" for j, (n, v) in enumerate(zip(names, point)) if j != vary)
    ax.set_xlabel(names[vary])
    ax.set_ylabel(COST_LABELS[kind])
    ax.set_title(f"{COST_LABELS[kind]} over {names[vary]} with {held}")
    return ax


def _check_index(value, name, n_parameters):
    """Return ``value`` if it picks one of the parameters b0..b(d), else raise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer (0 for b0, j for bj), got {value!r}")
    if not 0 <= value < n_parameters:
        raise ValueError(f"{name} must be between 0 and {n_parameters - 1} "
                         f"(the parameters are b0..b{n_parameters - 1}), got {value}")
    return int(value)


def _grid_limits(values, minimum):
    low, high = min(values.min(), minimum), max(values.max(), minimum)
    margin = 0.15 * (high - low) or 1.0
    return low - margin, high + margin


def plot_cost_contour(x, y, result, *, which=(0, 1), kind="half_mse", levels=25, ax=None):
    """Contours of the cost over two parameters, with the descent path drawn on them.

    Parameters
    ----------
    x : array_like, shape (N,) or (N, d)
    y : array_like, shape (N,)
    result : FitResult
        Its history is the path (start as a red dot, end as a cross); the
        parameters not in ``which`` are held at the result's values.
    which : (int, int), default (0, 1)
        The parameters on the horizontal and vertical axes: 0 is the
        intercept b0, j the j-th coefficient.
    kind : {"half_mse", "mse"}, default "half_mse"
    levels : int, default 25
        Contour levels, spaced evenly in log of the cost.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        The contour set, and one line for the path.
    """
    end = parameters(result)
    i, j = (_check_index(k, f"which[{n}]", end.size) for n, k in enumerate(which))
    if i == j:
        raise ValueError(f"which must name two different parameters, got {which}")
    ax = _axes(ax)
    surface = CostSurface(x, y, end, kind)
    path = parameter_path(result.history)
    minimum = surface.minimum()
    u = np.linspace(*_grid_limits(path[:, i], minimum[i]), 120)
    v = np.linspace(*_grid_limits(path[:, j], minimum[j]), 120)
    grid = np.tile(end, (v.size, u.size, 1))
    grid[..., i], grid[..., j] = np.meshgrid(u, v)
    cost = surface(grid)
    low = max(cost.min(), cost.max() * 1e-12)
    ax.contour(u, v, cost, levels=np.geomspace(low, cost.max(), levels), cmap="viridis",
               linewidths=0.8)
    ax.plot(path[:, i], path[:, j], ".-", color="tab:orange", markersize=3, label="descent")
    ax.plot(path[0, i], path[0, j], "o", color="red", markersize=8)
    ax.plot(path[-1, i], path[-1, j], "x", color="black", markersize=9)
    names = parameter_names(end.size)
    ax.set_xlabel(names[i])
    ax.set_ylabel(names[j])
    ax.set_title(f"{COST_LABELS[kind]} over ({names[i]}, {names[j]})")
    return ax


def animate_descent(x, y, result, *, frames=30, kind="mse", interval=120):
    """The red dot rolling down the valley, next to the line it draws.

    Left: the points and the current line.  Right: the cost over b1 with b0
    held at its current value, and the current point as a red dot.

    Parameters
    ----------
    x, y : array_like, shape (N,)
    result : FitResult
        Frames are taken from its history, denser at the start where the
        descent moves fastest.
    frames : int, default 30
    kind : {"mse", "half_mse"}, default "mse"
    interval : int, default 120
        Milliseconds between frames.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        Over a new figure of two Axes; :func:`save_gif` writes it and closes
        that figure.
    """
    path = parameter_path(result.history)
    rows = np.unique(np.geomspace(1, len(path), frames).astype(int) - 1)
    surface = CostSurface(x, y, parameters(result), kind)
    ends = _line_ends(x)
    span_b1 = _grid_limits(path[:, 1], surface.minimum()[1])
    b1_grid = np.linspace(*span_b1, 200)

    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    left.scatter(x, y, s=10, color="tab:blue", alpha=0.6)
    line, = left.plot(ends, path[0, 0] + path[0, 1] * ends, color="tab:red")
    left.set_xlabel("x")
    left.set_ylabel("y")
    curve, = right.plot(b1_grid, np.zeros_like(b1_grid), color="tab:blue")
    dot, = right.plot([], [], "o", color="red", markersize=8)
    right.set_xlabel("b1")
    right.set_ylabel(COST_LABELS[kind])
    curves = [surface(np.column_stack([np.full_like(b1_grid, path[r, 0]), b1_grid]))
              for r in rows]
    right.set_ylim(0, 1.05 * max(c.max() for c in curves))

    def draw(frame):
        b0, b1 = path[rows[frame]]
        line.set_ydata(b0 + b1 * ends)
        curve.set_ydata(curves[frame])
        dot.set_data([b1], [surface(path[rows[frame]])])
        right.set_title(f"iteration {result.history.iteration[rows[frame]]}, b0 = {b0:.3g}")
        return line, curve, dot

    draw(0)
    return FuncAnimation(fig, draw, frames=len(rows), interval=interval, blit=False)


def save_gif(animation, path, *, fps=8):
    """Write an animation to a GIF file with Pillow, then close its figure.

    Parameters
    ----------
    animation : matplotlib.animation.Animation
        E.g. from :func:`animate_descent`.
    path : str or Path
    fps : int, default 8
        Frames per second.

    Returns
    -------
    path
    """
    animation.save(path, writer=PillowWriter(fps=fps))
    # matplotlib names the animation's figure only privately
    plt.close(animation._fig)
    return path
