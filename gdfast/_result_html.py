"""FitResult in a notebook: the fitted line, how the descent ended, the diagnosis and the
cost curve, as HTML with an inline SVG (no plotting library needed)."""
import html

import numpy as np

from ._parameters import parameters

# the cost curve's size in pixels, and the most points drawn (evenly spaced rows)
WIDTH, HEIGHT, PAD = 360, 110, 6
MAX_POINTS = 400
# log scale when the cost spans more than this factor (as gdfast.plot)
LOG_SCALE_SPAN = 100.0
_NAME_STYLE = "text-align:left;padding-right:1em;vertical-align:top;white-space:nowrap"
# what each cost kind is, for the labels (gdfast.plot's words; no matplotlib here)
_COST_NAMES = {"half_mse": "one-half MSE", "mse": "MSE"}


def result_html(result):
    """The HTML of FitResult._repr_html_."""
    history = result.history
    rows = [("line", _line(result)),
            ("stopped", _how_it_ended(result)),
            (f"cost J ({_COST_NAMES[result.cost_kind]})",
             f"{result.cost:.6g} (gradient norm {result.gradient_norm:.3g})"),
            ("learning rate", "?" if result.learning_rate is None
             else f"{result.learning_rate:.6g}"),
            ("diagnosis", result.diagnosis)]
    table = "".join(f'<tr><th style="{_NAME_STYLE}">{html.escape(name)}</th>'
                    f'<td style="text-align:left">{html.escape(text)}</td></tr>'
                    for name, text in rows)
    curve = (cost_curve_svg(history.iteration, history.cost, _COST_NAMES[result.cost_kind])
             if len(history) > 1 else "")
    return (f'<div class="gdfast-fit-result"><strong>gdfast FitResult</strong>'
            f'<table>{table}</table>{curve}</div>')


def _line(result):
    values = parameters(result)
    names = ["x"] if values.shape[0] == 2 else [f"x{j}" for j in range(1, values.shape[0])]
    terms = [f"{values[0]:.6g}"]
    for value, name in zip(values[1:], names):
        terms.append(f"{'-' if value < 0 else '+'} {abs(value):.6g}\u00b7{name}")
    return "y = " + " ".join(terms)


def _how_it_ended(result):
    if result.stopped_by is not None:
        return f"by the {result.stopped_by} after {result.n_iter} iterations"
    if result.converged:
        return f"converged after {result.n_iter} iterations"
    return f"after {result.n_iter} iterations, not converged"


def cost_curve_svg(iteration, cost, kind="cost"):
    """A small SVG of the cost against the iteration (log scale when it spans decades)."""
    iteration = np.asarray(iteration, dtype=np.float64)
    cost = np.asarray(cost, dtype=np.float64)
    if iteration.shape[0] > MAX_POINTS:
        keep = np.unique(np.linspace(0, iteration.shape[0] - 1, MAX_POINTS).round().astype(int))
        iteration, cost = iteration[keep], cost[keep]
    log = bool(cost.min() > 0 and cost.max() > LOG_SCALE_SPAN * cost.min())
    values = np.log10(cost) if log else cost
    x = _scale(iteration, PAD, WIDTH - PAD)
    y = _scale(values, HEIGHT - PAD, PAD)
    points = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(x, y))
    label = (f"{kind} {'(log scale) ' if log else ''}from {cost[0]:.3g} to {cost[-1]:.3g} over "
             f"iterations {iteration[0]:.0f} to {iteration[-1]:.0f}")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{html.escape(label)}">'
            f'<title>{html.escape(label)}</title>'
            f'<rect x="0.5" y="0.5" width="{WIDTH - 1}" height="{HEIGHT - 1}" fill="none" '
            f'stroke="#ccc"/>'
            f'<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="{points}"/>'
            f'<circle cx="{x[-1]:.1f}" cy="{y[-1]:.1f}" r="3" fill="#d62728"/></svg>'
            f'<div style="font-size:smaller;color:#666">{html.escape(label)}</div>')


def _scale(values, start, stop):
    """``values`` mapped linearly from their range onto [start, stop] (the middle if flat)."""
    lo, hi = float(values.min()), float(values.max())
    if not hi > lo:
        return np.full(values.shape[0], 0.5 * (start + stop))
    return start + (values - lo) * ((stop - start) / (hi - lo))
