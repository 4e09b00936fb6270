"""gdfast.explore: the descent in the browser, on one self-contained HTML page.

The page runs gdfast's one-feature descent itself, in JavaScript
(``_explore_engine.js``), from the data's sufficient statistics
(:class:`gdfast.Statistics`), so any learning rate, start or number of
iterations is redrawn at once, and its numbers are ``gdfast.fit``'s; its
diagnosis is ``FitResult.diagnosis``'s, by a port of ``_diagnosis.py``
(``_explore_diagnosis.js``).  Its
views (``_explore_views.js``) are drawn with Plotly, whose JavaScript the
``plotly`` package ships: it is inlined with everything else, so the page
makes no request at all and works offline.  Needs the extra
``gdfast[explore]``; ``import gdfast`` does not import plotly.
"""
import html
import json
import re
from pathlib import Path

import numpy as np

from ._curvature import learning_rate_limits
from ._statistics import Statistics
from ._validate import check_cost, check_count, check_data, check_flag, check_init, check_real

# the most points drawn in the page (evenly spaced over the data); the
# descent always uses the statistics of all of them
MAX_POINTS_SHOWN = 5000
# the iterations slider reaches at least this far
ITERATIONS_SLIDER = 1000
# the most iterations the page will run per redraw
MAX_ITERATIONS = 100_000
# gdfast.fit's default tolerance, which the page uses too
TOL = 1e-6

_HERE = Path(__file__).resolve().parent


class Explorer:
    """The explorer's page: ``html``, and the ``path`` it was written to (or None).

    In a Jupyter notebook it shows itself (``_repr_html_``: the page in an
    isolated frame); elsewhere, :meth:`save` it and open the file in a browser.
    """

    def __init__(self, page, path=None):
        self.html = page
        self.path = path

    def save(self, path):
        """Write the page to ``path`` (UTF-8) and return it as a Path."""
        path = Path(path)
        path.write_text(self.html, encoding="utf-8")
        self.path = path
        return path

    def _repr_html_(self):
        # an iframe of its own: the page's scripts, styles and element ids
        # cannot clash with the notebook's (nor a notebook's AMD loader
        # swallow Plotly's global)
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
                f'style="width: 100%; height: 1080px; border: 0;" '
                f'sandbox="allow-scripts" title="gdfast explorer"></iframe>')

    def __repr__(self):
        where = f", written to {str(self.path)!r}" if self.path is not None else ""
        return f"<gdfast Explorer: a {len(self.html) / 1e6:.1f} MB HTML page{where}>"


def explore(x, y, path=None, *, init=None, learning_rate=None, max_iter=ITERATIONS_SLIDER,
            cost="half_mse", standardize=False, x_name="x", y_name="y", title=None):
    """An interactive page of the descent on (x, y): move the learning rate, watch the red dot.

    Linked views redrawn as a control moves: the points and the current
    line; the contour of J(b0, b1) with the descent's path and its start
    (a red dot: click the contour to move it); the cost over b1 at the
    current b0 with the red dot; the cost against the iteration.  Controls:
    the learning rate on a log scale, marked at 1/lambda_max (bouncing
    starts), 2/lambda_max (divergence) and the optimal rate; the number of
    iterations, with play and step; MSE or one-half MSE; standardize.  The
    diagnosis in words, as ``FitResult.diagnosis`` writes it, follows them.

    The descent runs in the page from the statistics of all the points
    (``gdfast.Statistics.from_arrays``); its numbers are those of
    ``gdfast.fit(x, y, learning_rate=..., init=..., max_iter=..., tol=1e-6,
    cost=..., standardize=...)`` to rounding (1e-12 relative in the tests).

    Parameters
    ----------
    x : array_like, shape (N,) or (N, 1)
        One feature; validated like :func:`gdfast.fit`'s.  The page serves one
        feature: for several, pick a column (``x[:, j]``).
    y : array_like, shape (N,)
    path : str or Path, optional
        Where to write the page (one HTML file, no other files).
    init : (b0, b1), optional
        The starting point (default (0, 0), as ``gdfast.fit``).
    learning_rate : float, optional
        The learning rate to open with (default 1/lambda_max, the largest
        that does not bounce).
    max_iter : int, default 1000
        The iterations to open with; the slider reaches at least 1000.
    cost : {"half_mse", "mse"}, default "half_mse"
    standardize : bool, default False
        The settings to open with (the page has controls for both).
    x_name, y_name : str, default "x", "y"
        The axes' names.
    title : str, optional
        The page's heading.

    Returns
    -------
    Explorer
        Its ``html`` (about 5 MB: Plotly's JavaScript is inside), and in a
        notebook it displays itself.

    Raises
    ------
    ImportError
        Without plotly: ``pip install "gdfast[explore]"``.
    ValueError, TypeError
        For data or options ``gdfast.fit`` would refuse, for x with several
        columns, and for x without spread (every value the same).
    """
    get_plotlyjs = require_plotly()
    x, y = check_data(x, y)
    if x.ndim == 2:
        if x.shape[1] != 1:
            raise ValueError(f"explore serves one feature: x has shape {x.shape}, {x.shape[1]} "
                             f"features; pick one column, e.g. x[:, 0]")
        x = x[:, 0]
    start = (0.0, 0.0) if init is None else check_init(init)
    if learning_rate is not None:
        learning_rate = check_real(learning_rate, "learning_rate", low=0.0, low_inclusive=False)
    max_iter = check_count(max_iter, "max_iter")
    if max_iter > MAX_ITERATIONS:
        raise ValueError(f"max_iter must be at most {MAX_ITERATIONS} for the page, got {max_iter}")
    cost = check_cost(cost)
    standardize = check_flag(standardize, "standardize")
    stats = Statistics.from_arrays(x, y)
    numbers = [stats.mean_x[0], stats.mean_y, stats.gram_xx[0, 0], stats.cross_xy[0],
               stats.sum_yy]
    if not all(np.isfinite(numbers)):
        raise ValueError("x or y is too large: the sums of their squares overflow float64; "
                         "rescale x and y")
    if not stats.gram_xx[0, 0] > 0:
        raise ValueError(f"x has no spread: every value is {float(x[0]):g}, so there is no "
                         f"line to find; explore needs x that varies")
    refused = _standardize_refused(x)
    if standardize and refused is not None:
        raise ValueError(refused)
    shown = _points_shown(x, y)
    data = {
        "stats": _statistics_json(stats),
        "points": shown,
        "n": stats.n,
        "n_shown": len(shown["x"]),
        "x_name": str(x_name),
        "y_name": str(y_name),
        "start": list(start),
        "learning_rate": learning_rate,
        "max_iter": max_iter,
        "iterations_max": max(ITERATIONS_SLIDER, max_iter),
        "cost": cost,
        "standardize": standardize,
        # why standardize=True cannot scale x (gdfast.fit's ValueError), or None
        "standardize_refused": refused,
        "tol": TOL,
        "title": str(title) if title is not None else
                 f"gdfast explorer: {stats.n} points, y = {y_name}, x = {x_name}",
        "footer": _footer(),
    }
    page = _page(data, get_plotlyjs())
    explorer = Explorer(page)
    if path is not None:
        explorer.save(path)
    return explorer


def require_plotly():
    """plotly's function that returns plotly.js; an ImportError naming the extra without it."""
    try:
        from plotly.offline import get_plotlyjs
    except ImportError:
        raise ImportError('gdfast.explore needs plotly: pip install "gdfast[explore]"') from None
    return get_plotlyjs


def _statistics_json(stats):
    """The one-feature Statistics as plain numbers (JSON keeps every float64 bit)."""
    return {"n": int(stats.n), "weight_sum": float(stats.weight_sum),
            "mean_x": float(stats.mean_x[0]), "mean_y": float(stats.mean_y),
            "gram_xx": float(stats.gram_xx[0, 0]), "cross_xy": float(stats.cross_xy[0]),
            "sum_yy": float(stats.sum_yy)}


def _standardize_refused(x):
    """The ValueError's message gdfast.fit(x, y, standardize=True) gives on ``x``, or None.

    A spread below float64's normal range (x differing by 1e-160 at most) cannot be
    scaled; the page then offers no standardize switch, as fit refuses it.
    """
    try:
        learning_rate_limits(x, standardize=True)
    except ValueError as err:
        return str(err)
    return None


def _points_shown(x, y):
    """At most MAX_POINTS_SHOWN points, evenly spaced over the data, as float lists."""
    n = x.shape[0]
    if n > MAX_POINTS_SHOWN:
        index = np.unique(np.linspace(0, n - 1, MAX_POINTS_SHOWN).round().astype(np.intp))
        x, y = x[index], y[index]
    return {"x": np.asarray(x, dtype=np.float64).tolist(),
            "y": np.asarray(y, dtype=np.float64).tolist()}


def _footer():
    from ._version import __version__

    return (f"gdfast {__version__}: the page runs gdfast's descent itself, from the data's "
            f"sufficient statistics (n, the means, the centred sums of squares and products), "
            f"as gdfast.fit(method=\"stats\") does; drawn with Plotly.")


def _script(text):
    """JavaScript made safe to sit inside <script>...</script>."""
    return text.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")


def _page(data, plotly_js):
    """The HTML page: the template with its data and every script inlined."""
    template = (_HERE / "_explore_page.html").read_text(encoding="utf-8")
    # "<" escaped: no string in the data (a column name) can close the script element
    data_json = json.dumps(data, allow_nan=False).replace("<", "\\u003c")
    parts = {
        "__TITLE__": html.escape(data["title"]),
        "__DATA__": data_json,
        "__PLOTLY__": _script(plotly_js),
        "__ENGINE__": _script((_HERE / "_explore_engine.js").read_text(encoding="utf-8")),
        "__DIAGNOSIS__": _script((_HERE / "_explore_diagnosis.js").read_text(encoding="utf-8")),
        "__VIEWS__": _script((_HERE / "_explore_views.js").read_text(encoding="utf-8")),
    }
    # one pass over the template: text put in is never searched for placeholders
    return re.sub(r"__[A-Z]+__", lambda match: parts[match.group(0)], template)
