"""The pictures of `gdfast demo`: the descent on the demo's data, from its bad start.

Needs matplotlib (and Pillow for the GIF); the caller checks for them.
"""
import warnings
from pathlib import Path

from ._png import write_pngs  # first: it sets the file-only backend before pyplot loads
from .. import plot  # noqa: I001
from ._demo import START, largest_curvature, make_points
from .._exceptions import DivergenceError, DivergenceWarning
from .._fit import fit
from .._landscape import CostSurface

# the cost curve over b1 with b0 = 0 (the MSE), on this range
SLICE_SPAN = (-10.0, 13.0)
# learning rates compared, as multiples of 1/lambda_max (lambda_max: the cost's largest
# curvature); below 2/lambda_max the cost falls on every step, above it the descent diverges
RATES = {"too low": 0.05, "good": 1.0, "overshoots, the cost still falls": 1.8,
         "blows up": 2.2}
OVERSHOOTING, DIVERGING = "overshoots, the cost still falls", "blows up"
COMPARED_ITERATIONS = 40


def _label(name):
    return f"{name} ({RATES[name]:g}/λmax)"


def _compared_fits(x, y, curvature):
    """The fits of RATES from the demo's start, each for COMPARED_ITERATIONS iterations."""
    fits = {}
    with warnings.catch_warnings():
        # the last rate is above the stability limit on purpose: the picture shows it
        warnings.simplefilter("ignore", DivergenceWarning)
        for name, k in RATES.items():
            try:
                fitted = fit(x, y, learning_rate=k / curvature, max_iter=COMPARED_ITERATIONS,
                             tol=None, init=START)
            except DivergenceError as err:   # its history up to where it stopped
                fitted = err.result
            fits[name] = fitted
    return fits


def write(folder, n=100, seed=0):
    """Draw the demo's pictures into ``folder`` (made if needed); return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    x, y = make_points(n, seed)
    curvature = largest_curvature(x)
    good = fit(x, y, learning_rate=1.0 / curvature, max_iter=100_000, tol=1e-10, init=START)
    compared = _compared_fits(x, y, curvature)
    below_limit = {_label(name): fitted for name, fitted in compared.items()
                   if name != DIVERGING}
    best_b1 = CostSurface(x, y).minimum[1]

    def cost_slice(ax):
        plot.plot_cost_slice(x, y, START, span=SLICE_SPAN, kind="mse", ax=ax)
        ax.set_title("The MSE over b1 with b0 = 0, from the bad start b1 = -5\n"
                     "(gdfast descends on the one-half MSE: same valley, half the height)",
                     fontsize="medium")

    def zigzag(ax):
        plot.plot_cost_contour(x, y, compared[OVERSHOOTING], ax=ax)
        ax.set_title(f"α = {RATES[OVERSHOOTING]:g}/λmax: each step overshoots the valley floor",
                     fontsize="medium")

    def overshoots(ax):
        plot.plot_parameter_history(below_limit, which=1, reference=best_b1, ax=ax)
        ax.set_title("b1 against the iteration: the overshoot is in the parameters",
                     fontsize="medium")

    drawings = {
        "1-data-and-line.png": lambda ax: plot.plot_fit(x, y, good, ax=ax),
        "2-cost-over-b1.png": cost_slice,
        "3-descent-on-the-cost.png": lambda ax: plot.plot_cost_contour(x, y, good, ax=ax),
        "4-learning-rates.png": lambda ax: plot.plot_cost_history(
            {_label(name): fitted for name, fitted in compared.items()}, ax=ax),
        "5-overshooting.png": (zigzag, overshoots),
    }
    paths = write_pngs(drawings, folder)
    animation = plot.animate_descent(x, y, good, frames=24)
    paths.append(plot.save_gif(animation, folder / "6-descent.gif", fps=6))
    return paths
