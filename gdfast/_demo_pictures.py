"""The pictures of `gdfast demo`: the seed's story drawn on the demo's data.

Needs matplotlib (and Pillow for the GIF); the caller checks for them.
"""
import warnings
from pathlib import Path

from ._png import write_pngs  # first: it sets the file-only backend before pyplot loads
from . import plot  # noqa: I001
from ._demo import START, largest_curvature, make_points
from ._exceptions import DivergenceWarning
from ._fit import fit

# the seed's cost curve: MSE over b1 with b0 = 0, on this range
SEED_SPAN = (-10.0, 13.0)
# learning rates compared, as multiples of 1 / the cost's largest curvature
RATES = {"too low": 0.05, "good": 1.0, "too high: overshoots": 1.8, "far too high: blows up": 2.2}
COMPARED_ITERATIONS = 40


def write(folder, n=100, seed=0):
    """Draw the demo's pictures into ``folder`` (made if needed); return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    x, y = make_points(n, seed)
    curvature = largest_curvature(x)
    good = fit(x, y, learning_rate=1.0 / curvature, max_iter=100_000, tol=1e-10, init=START)
    with warnings.catch_warnings():
        # the last rate is above the stability limit on purpose: the picture shows it
        warnings.simplefilter("ignore", DivergenceWarning)
        compared = {f"{name} ({k:g}/curvature)": fit(x, y, learning_rate=k / curvature,
                                                       max_iter=COMPARED_ITERATIONS, tol=None,
                                                       init=START)
                    for name, k in RATES.items()}
    drawings = {
        "1-data-and-line.png": lambda ax: plot.plot_fit(x, y, good, ax=ax),
        "2-cost-over-b1.png": lambda ax: plot.plot_cost_slice(x, y, START, span=SEED_SPAN, ax=ax),
        "3-descent-on-the-cost.png": lambda ax: plot.plot_cost_contour(x, y, good, ax=ax),
        "4-learning-rates.png": lambda ax: plot.plot_cost_history(compared, ax=ax),
    }
    paths = write_pngs(drawings, folder)
    animation = plot.animate_descent(x, y, good, frames=24)
    animation._fig.tight_layout()
    paths.append(plot.save_gif(animation, folder / "5-descent.gif", fps=6))
    return paths
