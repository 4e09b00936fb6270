"""Pictures of a descent, with matplotlib (install the extra: ``pip install "gdfast[plot]"``).

The story the pictures tell: the points and the fitted line; the cost curve
over b1 with the start as a red dot; the red dot rolling down the valley (the
contour with the descent path, and the animation); the cost falling, and the
parameters overshooting when the learning rate is above 1/lambda_max (the
cost still falls there: it only rises above the stability limit
2/lambda_max, where the descent diverges).

Every cost axis names the cost it shows: the ``"half_mse"`` J = sum r**2 / (2N)
that :func:`gdfast.fit` minimises by default, or the ``"mse"`` (twice it).
The start is a red dot and the end a black cross in every picture.

Every function draws on ``ax`` (a new figure when it is None) and returns
the matplotlib Axes, or the animation it made.  ``import gdfast`` never
imports this module or matplotlib.

>>> import gdfast, gdfast.plot                                   # doctest: +SKIP
>>> res = gdfast.fit(x, y, learning_rate=0.4, init=(0, -5))      # doctest: +SKIP
>>> gdfast.plot.plot_cost_contour(x, y, res)                     # doctest: +SKIP
"""
import numpy as np

try:
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation, PillowWriter
    from matplotlib.ticker import FixedLocator, NullLocator
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError("gdfast.plot needs matplotlib: pip install \"gdfast[plot]\"") from exc

from ._landscape import CostSurface
from ._parameters import moved_most, parameter_names, parameter_path, parameters
from ._validate import check_cost, check_data

COST_LABELS = {"mse": "MSE", "half_mse": "one-half MSE"}
COST_FORMULAS = {"mse": "J = Σr²/N", "half_mse": "J = Σr²/(2N)"}
# the cost is drawn on a log axis once it spans more than this factor
LOG_SCALE_SPAN = 100.0
# above this decade a log axis gets ticks chosen here (see _value_axis)
LOG_TICKS_UP_TO = 250.0
# a path or curve of at most this many rows shows each row as a dot; longer ones a plain line
MARKED_ROWS = 50
# a cost that ends this much above where it started has diverged (below the stability
# limit the cost of a batch descent never rises; the factor leaves room for rounding)
RISE_FACTOR = 1.0 + 1e-6
# with momentum the cost may rise and fall back; a diverging momentum fit stops at the
# first point whose cost is above this many times its start (step.pxd's cost limit)
MOMENTUM_RISE = 2.0
# contour levels span this factor of the largest rise shown (finer rings crowd the minimum)
LEVEL_RANGE = 1e-4
# the frame around what a picture must show, as a share of its extent on each side
MARGIN = 0.2
# a minimum lies at least this share of a frame's width from its edges
CENTRE_CLEARANCE = 0.25
# a fitted line is drawn within this many spans of the data's y around the data
LINE_REACH = 3.0

START_STYLE = dict(marker="o", color="red", markersize=9, linestyle="none", zorder=5)
END_STYLE = dict(marker="X", color="black", markersize=9, linestyle="none", zorder=5)
MINIMUM_STYLE = dict(marker="*", color="gold", markeredgecolor="black", markersize=14,
                     linestyle="none", zorder=4)
PATH_STYLE = dict(color="tab:orange", linewidth=1.4, zorder=3)
# the colours of the paths compared on one contour, in order (the first is PATH_STYLE's)
PATH_COLOURS = ("tab:orange", "tab:blue", "tab:purple", "tab:brown")


def cost_label(kind):
    """The axis label of a cost: its name and formula, e.g. 'one-half MSE, J = Σr²/(2N)'."""
    return f"{COST_LABELS[kind]}, {COST_FORMULAS[kind]}"


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots()
    return ax


# ---------------------------------------------------------------- checks of arguments

def _check_index(value, name, n_parameters):
    """Return ``value`` if it picks one of the parameters b0..b(d), else raise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer (0 for b0, j for bj), got {value!r}")
    if not 0 <= value < n_parameters:
        raise ValueError(f"{name} must be between 0 and {n_parameters - 1} "
                         f"(the parameters are b0..b{n_parameters - 1}), got {value}")
    return int(value)


def _check_which(which, path):
    """The two parameters a contour shows: ``which``, or the two that moved most."""
    n_parameters = path.shape[1]
    if which is None:
        return moved_most(path, 2)
    if isinstance(which, (str, bytes)) or not np.iterable(which) or len(which) != 2:
        raise TypeError(f"which must be a pair of parameter indices (i, j), got {which!r}")
    i, j = (_check_index(k, f"which[{n}]", n_parameters) for n, k in enumerate(which))
    if i == j:
        raise ValueError(f"which must name two different parameters, got {tuple(which)}")
    return i, j


def _check_surface(surface, n_parameters, name="result"):
    if surface.n_parameters != n_parameters:
        raise ValueError(f"{name} has {n_parameters} parameters (b0..b{n_parameters - 1}), "
                         f"but x has {surface.n_parameters - 1} feature(s)")


def _history(fitted, name):
    """The History of a FitResult, or ``fitted`` itself when it is a History."""
    history = getattr(fitted, "history", fitted)
    if not (hasattr(history, "iteration") and hasattr(history, "cost")):
        raise TypeError(f"{name} must be a FitResult or a History, got "
                        f"{type(fitted).__name__}")
    return history


def _named_histories(results):
    """[(label, History)] from one fit or a dict of them; label None for a single fit."""
    if isinstance(results, dict):
        if not results:
            raise ValueError("results is an empty dict: give a FitResult, a History, or a "
                             "dict {label: FitResult} with at least one fit")
        return [(label, _history(fitted, f"results[{label!r}]"))
                for label, fitted in results.items()]
    return [(None, _history(results, "results"))]


def _fits_of(results):
    """Each fit of ``results`` (a FitResult or History), in _named_histories' order."""
    return list(results.values()) if isinstance(results, dict) else [results]


def _named_fits(result):
    """[(label, FitResult)] from one fit or a dict of them; label None for a single fit."""
    if isinstance(result, dict):
        if not result:
            raise ValueError("result is an empty dict: give a FitResult or a dict "
                             "{label: FitResult} with at least one fit")
        fits = list(result.items())
    else:
        fits = [(None, result)]
    for label, fit in fits:
        if not hasattr(fit, "history") or not hasattr(fit, "coef"):
            where = "result" if label is None else f"result[{label!r}]"
            raise TypeError(f"{where} must be a FitResult, got {type(fit).__name__}")
    return fits


def _recorded_kind(kind, fits):
    """The cost the fits' histories hold, to label their axis: ``kind`` if given, else their
    own (``cost_kind``; a History: "half_mse"); refused where the label would not be true."""
    own = {getattr(f, "cost_kind", None) for f in fits} - {None}
    if kind is None:
        if len(own) > 1:
            raise ValueError(f"results: the fits minimised different costs ({sorted(own)}), "
                             f"which one cost axis cannot label: plot them on separate axes")
        return own.pop() if own else "half_mse"
    kind = check_cost(kind, "kind")
    if own - {kind}:
        raise ValueError(f"kind={kind!r}, but the fits recorded {sorted(own)}: leave kind out "
                         f"to label the axis with the cost they minimised")
    return kind


def _one_feature(x, y, result):
    """x as shape (N,), y, and (b0, b1) of a one-feature result; else a clear error."""
    params = parameters(result)
    if params.size != 2:
        raise ValueError(f"result: this picture draws a line over one feature, but the fit "
                         f"has {params.size - 1} features; plot_cost_contour and "
                         f"plot_cost_history draw fits of several")
    x, y = check_data(x, y)
    if x.ndim == 2:
        if x.shape[1] != 1:
            raise ValueError(f"x must have one feature (shape (N,) or (N, 1)) to draw a line, "
                             f"got shape {x.shape}")
        x = x[:, 0]
    return x, y, params


# ---------------------------------------------------------------- framing

def _frame(values, scale=1.0, centre=None):
    """Limits that hold every finite value, with a margin; ``scale`` when they are all one.

    With ``centre`` (a minimum), it lies at least CENTRE_CLEARANCE of the
    width from either edge, so the valley around it shows.
    """
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    low, high = values.min(), values.max()
    with np.errstate(over="ignore"):
        margin = MARGIN * (high - low)
    if not np.isfinite(margin):          # the values span more than float64 holds
        return low, high
    if margin == 0.0:
        margin = scale if scale > 0 else max(abs(low), 1.0)
    low, high = low - margin, high + margin
    if centre is not None and np.isfinite(centre):
        share = CENTRE_CLEARANCE
        with np.errstate(over="ignore"):
            if high - centre < share * (high - low):
                high = (centre - share * low) / (1.0 - share)
            if centre - low < share * (high - low):
                low = (centre - share * high) / (1.0 - share)
    big = np.finfo(np.float64).max
    return max(low, -big), min(high, big)


def _natural_step(surface, point, k):
    """How far parameter k must move from ``point`` for J to rise by about its value there."""
    curvature = surface.hessian()[k, k] * surface.factor
    value = float(surface(point))
    with np.errstate(over="ignore"):
        step = np.sqrt(value / curvature) if curvature > 0.0 and value > 0.0 else np.nan
    return float(step) if np.isfinite(step) else max(abs(point[k]), 1.0)


def _value_axis(ax, values, log):
    """The y scale and limits over the finite values, set here: matplotlib's own margin and
    log ticks overflow float64 (its exp and power warn) for values past about 1e300."""
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values) & ((values > 0) if log else True)]
    if values.size == 0:
        if log:
            ax.set_yscale("log")
        return
    big = np.finfo(np.float64).max
    if not log:
        low, high = values.min(), values.max()
        with np.errstate(over="ignore"):
            pad = 0.05 * (high - low) or 0.05 * abs(high) or 1.0
        ax.set_ylim(max(low - pad, -big), min(high + pad, big))
        return
    decades = np.log10(values)
    low, high = decades.min(), decades.max()
    pad = max(0.05 * (high - low), 0.05)
    top = np.log10(big)
    low, high = max(low - pad, -323.0), min(high + pad, top)
    # before the scale, which would autoscale
    ax.set_ylim(10.0 ** low, big if high >= top else 10.0 ** high)
    ax.set_yscale("log")
    if high > LOG_TICKS_UP_TO:
        # matplotlib's log ticks reach decades past the top: choose them here, below 1e308
        stride = max(1, int(np.ceil((high - low) / 8)))
        ticks = np.arange(np.ceil(low / stride) * stride, np.floor(high) + 1, stride)
        ax.yaxis.set_major_locator(FixedLocator(10.0 ** ticks))
        ax.yaxis.set_minor_locator(NullLocator())


def _line_within(b0, b1, ends, limits):
    """The part of the line y = b0 + b1 x over ``ends`` that lies within the y ``limits``."""
    low, high = limits
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if b1 == 0.0:
            inside = low <= b0 <= high
            return (ends, np.array([b0, b0])) if inside else (np.array([]), np.array([]))
        cuts = np.sort([(low - b0) / b1, (high - b0) / b1])
        left, right = max(ends[0], cuts[0]), min(ends[1], cuts[1])
        if not (np.isfinite(left) and np.isfinite(right)) or left > right:
            return np.array([]), np.array([])
        xs = np.array([left, right])
        return xs, np.clip(b0 + b1 * xs, low, high)


def _data_frame(y, lines, ends):
    """y limits that hold the data and the lines, at most LINE_REACH spans past the data."""
    low, high = float(y.min()), float(y.max())
    span = high - low or max(abs(high), 1.0)
    with np.errstate(over="ignore", invalid="ignore"):
        reach = [b0 + b1 * ends for b0, b1 in lines]
    reach = np.concatenate([np.ravel(r) for r in reach] + [[low, high]])
    reach = reach[np.isfinite(reach)]
    low = max(reach.min(), low - LINE_REACH * span)
    high = min(reach.max(), high + LINE_REACH * span)
    pad = 0.05 * (high - low)
    return low - pad, high + pad


# ---------------------------------------------------------------- a history's divergence

def _finite_rows(history):
    cost = np.asarray(history.cost, dtype=np.float64)
    path = parameter_path(history)
    return np.isfinite(cost) & np.all(np.isfinite(path), axis=1)


def divergence(history, momentum=0.0):
    """Where a recorded descent diverged, as (row, words), or None when it did not.

    Diverged: a row stopped being finite, or the cost rose as the descent
    stops a diverging fit (``gdfast._descent``).  Without momentum, a cost
    above where it started (below the stability limit 2/lambda_max the cost
    of a batch descent never rises): the row is the first recorded one above
    the start.  With ``momentum`` (the fit's beta) the cost may rise for a
    while and fall back without diverging, even above twice its start; a
    diverging momentum fit stops at the first point whose cost is above
    twice the start's (step.pxd's cost limit), so only a history that ends
    there, its first row above that limit, has diverged.  (A fit that
    ``max_iter`` stopped exactly on such a row reads the same from its
    history: :func:`fit_divergence` of a converged or stopped FitResult
    says None.)  Else, with any momentum, the last finite row before a row
    that is not finite.
    """
    finite = _finite_rows(history)
    if not finite.any():
        return None
    rows = np.flatnonzero(finite)
    cost = np.asarray(history.cost, dtype=np.float64)
    if not momentum:
        risen = rows[cost[rows] > RISE_FACTOR * cost[rows[0]]]
    else:
        risen = rows[cost[rows] > MOMENTUM_RISE * cost[rows[0]]]
        # only if the descent stopped there, at the first point above the limit
        risen = risen if risen.size and risen[0] == rows[-1] and finite.all() else rows[:0]
    if risen.size:
        row = int(risen[0])
        above = "its start" if not momentum else "twice its start"
        return row, f"diverged: cost above {above} at iteration {history.iteration[row]}"
    if not finite.all():
        row = int(rows[-1])
        return row, f"diverged: not finite after iteration {history.iteration[row]}"
    return None


def fit_divergence(fitted, history):
    """:func:`divergence` of a FitResult (or History) ``fitted`` whose history is
    ``history``.  A momentum fit that converged, or that a callback, Ctrl-C or
    memory stopped, did not diverge (its descent would have stopped it as
    diverged first): None."""
    momentum = getattr(fitted, "momentum", 0.0)
    if momentum and (getattr(fitted, "converged", False)
                     or getattr(fitted, "stopped_by", None) is not None):
        return None
    return divergence(history, momentum)


# ---------------------------------------------------------------- the pictures

def plot_fit(x, y, result, *, feature_name=None, target_name=None, ax=None):
    """The points, the fitted line and the starting line (one feature).

    Parameters
    ----------
    x, y : array_like, shape (N,)
        The data the fit used: one feature (x may also be of shape (N, 1)).
    result : FitResult
        A one-feature fit; its history's first row is the starting line.
    feature_name, target_name : str, optional
        Names of x and y for the axes (default "x" and "y").
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Holds one scatter of the points and two lines: the start (dashed)
        and the fit.  The frame holds the points and reaches at most three
        times their spread beyond them: a line beyond (a diverged fit's) is
        drawn where it crosses the frame.

    Raises
    ------
    ValueError
        When the fit has several features (this picture is a line over one;
        :func:`plot_cost_contour` draws a fit of several).
    """
    x, y, end = _one_feature(x, y, result)
    ax = _axes(ax)
    xname, yname = feature_name or "x", target_name or "y"
    ends = np.array([x.min(), x.max()])
    start = parameter_path(result.history)[0]
    limits = _data_frame(y, [start, end], ends)
    ax.scatter(x, y, s=12, color="tab:blue", alpha=0.7, label="data")
    for name, (b0, b1), style in (("start", start, dict(linestyle="--", color="tab:gray")),
                                  ("fit", end, dict(color="tab:red"))):
        xs, ys = _line_within(b0, b1, ends, limits)
        ax.plot(xs, ys, **style, label=f"{name}: {yname} = {b0:.3g} + {b1:.3g}·{xname}"
                                       + ("" if xs.size else " (off the chart)"))
    diverged = fit_divergence(result, result.history)
    if diverged is not None:
        ax.set_title(f"The descent {diverged[1]}", fontsize="medium")
    ax.set_ylim(limits)
    ax.set_xlabel(xname)
    ax.set_ylabel(yname)
    ax.legend()
    return ax


def plot_cost_history(results, *, kind=None, log=None, ax=None):
    """The cost against the iteration, for one fit or several (to compare learning rates).

    A diverged descent (a cost that rises above where it started, or stops
    being finite) is drawn up to its last finite row, with a cross where it
    diverged, named in the legend.

    Parameters
    ----------
    results : FitResult, History, or a dict of them
        A dict maps each curve's label (e.g. ``"learning rate 0.1"``) to
        its fit.
    kind : {"half_mse", "mse"}, optional
        The cost the fits recorded: it labels the axis.  By default the
        fits' own (``FitResult.cost_kind``; ``"half_mse"`` for a bare
        History); a ``kind`` other than a fit's is refused, as are fits of
        different costs on one axes.
    log : bool, optional
        Log scale for the cost.  By default, when the costs drawn span more
        than a factor of 100 and are all positive.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        One line per fit, and one marker per diverged fit.

    Raises
    ------
    ValueError
        When ``results`` is an empty dict.
    TypeError
        When a fit is not a FitResult or History.
    """
    kind = _recorded_kind(kind, list(results.values()) if isinstance(results, dict)
                          else [results])
    curves = _named_histories(results)
    ax = _axes(ax)
    drawn = []
    for (label, history), fitted in zip(curves, _fits_of(results)):
        iteration = np.asarray(history.iteration)
        cost = np.asarray(history.cost, dtype=np.float64)
        finite = _finite_rows(history)
        line, = ax.plot(iteration[finite], cost[finite],
                        marker="." if finite.sum() <= MARKED_ROWS else None, label=label)
        drawn.append(cost[finite])
        diverged = fit_divergence(fitted, history)
        if diverged is not None:
            row, words = diverged
            ax.plot([iteration[row]], [cost[row]], "X", color=line.get_color(),
                    markeredgecolor="black", markersize=10, zorder=5,
                    label=words)   # its colour says which curve
    costs = np.concatenate(drawn)
    if log is None:
        log = bool(costs.size and costs.min() > 0 and costs.max() > LOG_SCALE_SPAN * costs.min())
    _value_axis(ax, costs, log)
    ax.set_xlabel("iteration")
    ax.set_ylabel(cost_label(kind))
    if ax.get_legend_handles_labels()[1]:
        ax.legend(fontsize="small")
    return ax


def plot_parameter_history(results, *, which=1, reference=None, feature_names=None, ax=None):
    """One parameter against the iteration, for one fit or several: where an overshoot shows.

    Above 1/lambda_max a step overshoots the valley floor: the parameter
    jumps from one side of its final value to the other while the cost still
    falls.  This picture shows the jumps.

    Parameters
    ----------
    results : FitResult, History, or a dict of them
        As for :func:`plot_cost_history`.
    which : int, default 1
        The parameter: 0 is the intercept b0, j the j-th coefficient.
    reference : float, optional
        A value to draw as a dashed line, e.g. the least-squares one.
    feature_names : sequence of str, optional
        The d features' names: the axis then reads e.g. "b1 (size)".
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        One line per fit (and the reference line).
    """
    curves = _named_histories(results)
    paths = [parameter_path(history) for _, history in curves]
    n_parameters = paths[0].shape[1]
    which = _check_index(which, "which", n_parameters)
    names = parameter_names(n_parameters, feature_names)
    ax = _axes(ax)
    drawn = []
    for (label, history), path in zip(curves, paths):
        finite = _finite_rows(history)
        values = path[finite, which]
        ax.plot(np.asarray(history.iteration)[finite], values,
                marker="." if finite.sum() <= MARKED_ROWS else None, label=label)
        drawn.append(values)
    if reference is not None:
        ax.axhline(reference, color="black", linestyle="--", linewidth=1,
                   label=f"least squares: {names[which]} = {reference:.4g}")
        drawn.append([reference])
    _value_axis(ax, np.concatenate(drawn), log=False)
    ax.set_xlabel("iteration")
    ax.set_ylabel(names[which])
    if ax.get_legend_handles_labels()[1]:
        ax.legend(fontsize="small")
    return ax


def plot_cost_slice(x, y, point=(0.0, -5.0), *, vary=1, span=None, kind="half_mse",
                    feature_names=None, ax=None):
    """The cost along one parameter, the others held fixed, with the start as a red dot.

    ``plot_cost_slice(x, y, (0, -5), span=(-10, 13), kind="mse")`` draws
    the MSE over b1 with b0 = 0, and the red dot at b1 = -5.

    Parameters
    ----------
    x : array_like, shape (N,) or (N, d)
    y : array_like, shape (N,)
    point : FitResult or sequence of 1 + d floats, default (0, -5)
        A point: the others held there, and it as a red dot.  A FitResult:
        two curves, one through its start (red dot) and one through its end
        (black cross), each with the others held at that row's values.
    vary : int, default 1
        The parameter along the curve: 0 is the intercept b0, j the j-th
        coefficient.
    span : (float, float), optional
        Its range; by default from the points drawn to past the minimum
        along each curve.
    kind : {"half_mse", "mse"}, default "half_mse"
        The cost drawn (:func:`gdfast.fit` minimises ``"half_mse"`` by
        default; ``"mse"``: twice that).
    feature_names : sequence of str, optional
        Names of the d features, for the axis label.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        One curve and one marker per point drawn: (curve, dot) for a point,
        (curve, dot, curve, cross) for a FitResult.
    """
    kind = check_cost(kind, "kind")
    surface = CostSurface(x, y, kind)
    if hasattr(point, "history"):
        _check_surface(surface, parameters(point).size)
        finite = _finite_rows(point.history)
        path = parameter_path(point.history)[finite]
        rows = [(path[0], "start", START_STYLE), (path[-1], "end", END_STYLE)]
    else:
        point = np.asarray(point, dtype=np.float64)
        if point.ndim != 1 or not np.all(np.isfinite(point)):
            raise ValueError(f"point must be a FitResult or 1 + d finite numbers, got {point!r}")
        _check_surface(surface, point.size, "point")
        rows = [(point, None, START_STYLE)]
    names = parameter_names(surface.n_parameters, feature_names)
    vary = _check_index(vary, "vary", surface.n_parameters)
    ax = _axes(ax)
    if span is None:
        along = [surface.minimum_over(p, [vary])[vary] for p, _, _ in rows]
        span = _frame([p[vary] for p, _, _ in rows] + along,
                      scale=_natural_step(surface, rows[0][0], vary))
    grid = np.linspace(span[0], span[1], 400)

    def held(p):
        return ", ".join(f"{n} = {v:.3g}" for j, (n, v) in enumerate(zip(names, p)) if j != vary)

    for p, name, style in rows:
        points = np.tile(p, (grid.size, 1))
        points[:, vary] = grid
        values = surface(points)
        color = "tab:blue" if name != "end" else "tab:gray"
        ax.plot(grid, np.where(np.isfinite(values), values, np.nan), color=color,
                label=f"{COST_LABELS[kind]} with {held(p)}")
        at = float(surface(p))
        ax.plot([p[vary]], [at], **style,
                label=f"{name or 'the point'} ({', '.join(f'{v:.3g}' for v in p)}): "
                      f"{COST_LABELS[kind]} {at:.4g}")
    ax.set_xlabel(names[vary])
    ax.set_ylabel(cost_label(kind))
    if name is None:
        ax.set_title(f"{COST_LABELS[kind]} over {names[vary]} with {held(p)}")
    else:
        ax.set_title(f"{COST_LABELS[kind]} over {names[vary]} through the start and the end")
    ax.legend()
    return ax


def _draw_landscape(ax, surface, path, end, which, kind, names, levels):
    """The contours of J over parameters ``which`` (the others held at ``end``), framed
    around the path and the minimum in that plane, with the minimum as a star."""
    i, j = which
    best = surface.minimum_over(end, which)
    u = np.linspace(*_frame(np.append(path[:, i], best[i]), _natural_step(surface, end, i),
                            centre=best[i]), 160)
    v = np.linspace(*_frame(np.append(path[:, j], best[j]), _natural_step(surface, end, j),
                            centre=best[j]), 160)
    grid = np.tile(end, (v.size, u.size, 1))
    grid[..., i], grid[..., j] = np.meshgrid(u, v)
    # contours of the rise above the minimum, at levels spaced evenly in its log: rings
    # around the valley floor at every scale (the rise is exact, J - J* would round)
    rise = surface.rise(grid)
    shown = rise[np.isfinite(rise)]
    high = shown.max() if shown.size else 0.0
    if high > 0.0:
        low = max(shown.min(), high * LEVEL_RANGE, np.finfo(np.float64).tiny)
        steps = np.unique(np.geomspace(low, high, levels))
        if steps.size >= 2:
            ax.contour(u, v, np.ma.masked_invalid(rise), levels=steps, cmap="viridis",
                       linewidths=0.8)
    others = "" if surface.n_parameters == 2 else " in this plane"
    ax.plot([best[i]], [best[j]], **MINIMUM_STYLE, label=f"minimum{others}")
    ax.set_xlim(u[0], u[-1])
    ax.set_ylim(v[0], v[-1])
    ax.set_xlabel(names[i])
    ax.set_ylabel(names[j])
    held = [n for k, n in enumerate(names) if k not in which]
    ax.set_title(f"{COST_LABELS[kind]} over ({names[i]}, {names[j]})"
                 + (f", {len(held)} other(s) held at the end" if held else ""))


def plot_cost_contour(x, y, result, *, which=None, kind=None, levels=25,
                      feature_names=None, ax=None):
    """Contours of the cost over two parameters, with the descent path drawn on them.

    Parameters
    ----------
    x : array_like, shape (N,) or (N, d)
    y : array_like, shape (N,)
    result : FitResult, or a dict of them
        Its history is the path (start as a red dot, end as a cross); the
        parameters not in ``which`` are held at the result's values.  A dict
        maps each path's label (e.g. ``"plain"``, ``"momentum='auto'"``) to
        a FitResult: every path is drawn on the same contours (those of the
        first fit's plane), each in its own colour, to compare descents
        such as the zig-zag of plain descent and the curve of the heavy
        ball.
    which : (int, int), optional
        The parameters on the horizontal and vertical axes: 0 is the
        intercept b0, j the j-th coefficient.  Default: (0, 1) for one
        feature; with several, the two whose values spread most along the
        path.
    kind : {"half_mse", "mse"}, optional
        The cost drawn; by default the one the fit minimised
        (``result.cost_kind``).
    levels : int, default 25
        Contour levels, spaced evenly in the log of the cost's rise above
        its minimum.
    feature_names : sequence of str, optional
        Names of the d features, for the axis labels.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        The contour set, the minimum in the plane drawn (a star), the path,
        the start (red dot) and the end (black cross).  The frame holds the
        whole path and that minimum.
    """
    fits = _named_fits(result)
    kind = _recorded_kind(kind, [fit for _, fit in fits])
    end = parameters(fits[0][1])
    paths = [parameter_path(fit.history)[_finite_rows(fit.history)] for _, fit in fits]
    if any(path.shape[1] != end.size for path in paths):
        raise ValueError("result: every fit of the dict must have the same parameters "
                         "(b0, b1..bd) to share one contour")
    i, j = _check_which(which, np.vstack(paths))
    surface = CostSurface(x, y, kind)
    _check_surface(surface, end.size)
    names = parameter_names(end.size, feature_names)
    ax = _axes(ax)
    _draw_landscape(ax, surface, np.vstack(paths), end, (i, j), kind, names, levels)
    for k, ((label, fit), path) in enumerate(zip(fits, paths)):
        style = {**PATH_STYLE, "color": PATH_COLOURS[k % len(PATH_COLOURS)]}
        ax.plot(path[:, i], path[:, j], **style,
                marker="." if len(path) <= MARKED_ROWS else None, markersize=4,
                label=f"{label or 'descent'} ({len(path)} rows)")
        if k == 0 or not np.array_equal(path[0], paths[0][0]):
            ax.plot([path[0, i]], [path[0, j]], **START_STYLE,
                    label="start" if k == 0 else None)
        diverged = fit_divergence(fit, fit.history)
        ax.plot([path[-1, i]], [path[-1, j]], **END_STYLE,
                label=None if k else "end" if diverged is None else f"end ({diverged[1]})")
    # under the axes: inside, it would hide a part of the valley or of the path
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=2, fontsize="small",
              frameon=False)
    return ax


def animate_descent(x, y, result, *, frames=30, kind=None, interval=120,
                    feature_name=None, target_name=None):
    """The red dot rolling down the valley, next to the line it draws (one feature).

    Left: the points and the current line.  Right: the contours of J(b0, b1),
    drawn once and still in every frame, with the path so far and the
    current point as a red dot (never outside the frame, which holds the
    whole path and the minimum).

    Parameters
    ----------
    x, y : array_like, shape (N,)
    result : FitResult
        A one-feature fit.  Frames are taken from its history, denser at the
        start where the descent moves fastest.
    frames : int, default 30
    kind : {"half_mse", "mse"}, optional
        The cost drawn; by default the one the fit minimised
        (``result.cost_kind``).
    interval : int, default 120
        Milliseconds between frames.
    feature_name, target_name : str, optional
        Names of x and y for the axes.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        Over a new figure of two Axes; :func:`save_gif` writes it and closes
        that figure.
    """
    kind = check_cost(getattr(result, "cost_kind", "half_mse") if kind is None else kind, "kind")
    x, y, end = _one_feature(x, y, result)
    finite = _finite_rows(result.history)
    path = parameter_path(result.history)[finite]
    iteration = np.asarray(result.history.iteration)[finite]
    rows = np.unique(np.geomspace(1, len(path), max(int(frames), 1)).astype(int) - 1)
    surface = CostSurface(x, y, kind)
    ends = np.array([x.min(), x.max()])
    line_frame = _data_frame(y, [path[0], end], ends)
    names = parameter_names(2, None if feature_name is None else [feature_name])

    fig, (left, right) = plt.subplots(1, 2, figsize=(11.5, 4.2))
    left.scatter(x, y, s=10, color="tab:blue", alpha=0.6, label="data")
    line, = left.plot([], [], color="tab:red", label="the current line")
    left.set_ylim(line_frame)
    left.set_xlabel(feature_name or "x")
    left.set_ylabel(target_name or "y")
    left.legend(loc="lower right", fontsize="small")
    _draw_landscape(right, surface, path, end, (0, 1), kind, names, levels=20)
    right.plot([path[0, 0]], [path[0, 1]], marker="o", markersize=9, linestyle="none",
               markerfacecolor="none", markeredgecolor="red", label="start")
    trail, = right.plot([], [], **PATH_STYLE, label="path so far")
    dot, = right.plot([], [], "o", color="red", markersize=9, zorder=6, clip_on=False,
                      label="current point")
    # beside the axes: a legend inside would have to move as the path grows
    right.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="small")

    def draw(frame):
        r = rows[frame]
        line.set_data(*_line_within(*path[r], ends, line_frame))
        trail.set_data(path[:r + 1, 0], path[:r + 1, 1])
        dot.set_data([path[r, 0]], [path[r, 1]])
        right.set_title(f"iteration {iteration[r]}: {COST_LABELS[kind]} "
                        f"{float(surface(path[r])):.4g}")
        return line, trail, dot

    draw(0)
    fig.tight_layout()   # after the first frame: an empty line has no extent to lay out
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
