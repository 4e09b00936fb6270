"""`gdfast demo`: a walk-through of batch gradient descent on random points, in text.

Random points around a line, the deliberately bad start b0 = 0, b1 = -5, the
descent with a good learning rate, the answer next to np.linalg.lstsq, and
the same start with learning rates that make b1 bounce and the cost blow up.
"""
import warnings

import numpy as np

from .._cost import cost
from .._exceptions import DivergenceError
from .._fit import fit
from .._curvature import learning_rate_limits

TRUE_INTERCEPT = 2.0
TRUE_SLOPE = 1.5
NOISE = 0.5
START = (0.0, -5.0)


def make_points(n, seed):
    """n points around y = 2 + 1.5 x, x uniform on [0, 2], Gaussian noise 0.5."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 2.0, n)
    y = TRUE_INTERCEPT + TRUE_SLOPE * x + rng.normal(0.0, NOISE, n)
    return x, y


def largest_curvature(x):
    """Largest eigenvalue of the Hessian of the one-half MSE, [[1, mean x], [mean x, mean x^2]].

    Gradient descent on the one-half MSE is stable for learning rates below
    2 / largest_curvature and does not overshoot below 1 / largest_curvature
    (``learning_rate_limits(x).max_stable`` and ``.max_no_bounce``).
    """
    return 1.0 / learning_rate_limits(x).max_no_bounce


def _table_rows(n_iter):
    """Iterations worth printing: 0, 1, 2, 5, 10, 20, 50, ... and the last."""
    picks, step = {0, n_iter}, 1
    while step <= n_iter:
        picks.update(k for k in (step, 2 * step, 5 * step) if k <= n_iter)
        step *= 10
    return sorted(picks)


def _print_table(history, out):
    out("    iteration  cost (one-half MSE)          b0          b1")
    index = {int(k): i for i, k in enumerate(history.iteration)}
    for k in _table_rows(int(history.iteration[-1])):
        i = index[k]
        out(f"    {k:9d}  {history.cost[i]:20.10g}  {history.intercept[i]:10.6f}  "
            f"{history.slope[i]:10.6f}")


def run(n=100, seed=0, out=print):
    """Print the walk-through for ``n`` points drawn with ``seed``."""
    x, y = make_points(n, seed)
    out("gdfast demo: batch gradient descent for the line y = b0 + b1*x")
    out(f"\n1. The data: {n} random points around y = {TRUE_INTERCEPT} + {TRUE_SLOPE}*x "
        f"(x uniform on [0, 2], noise sd {NOISE}), seed {seed}")
    for xi, yi in list(zip(x, y))[:5]:
        out(f"    x = {xi:7.4f}   y = {yi:7.4f}")
    if n > 5:
        out(f"    ... ({n - 5} more)")

    b0, b1 = START
    out(f"\n2. A bad first guess: b0 = {b0:g}, b1 = {b1:g}; "
        f"its MSE is {cost(x, y, b0, b1, kind='mse'):.4f}\n"
        f"   (gradient descent minimises the one-half MSE, here {cost(x, y, b0, b1):.4f}: "
        f"the same valley, half as high)")

    curvature = largest_curvature(x)
    good = 1.0 / curvature
    out(f"\n3. Gradient descent on the one-half MSE with learning rate {good:.4f}\n"
        f"   (1 / the cost's largest curvature, {curvature:.4f}: the largest step that never "
        f"overshoots the valley floor)")
    res = fit(x, y, learning_rate=good, max_iter=100_000, tol=1e-10, init=START)
    _print_table(res.history, out)
    out(f"   converged: {res.converged} after {res.n_iter} iterations "
        f"(gradient norm {res.gradient_norm:.2e})")
    out(f"   diagnosis: {res.diagnosis}")

    A = np.column_stack([np.ones_like(x), x])
    (ls_b0, ls_b1), *_ = np.linalg.lstsq(A, y, rcond=None)
    out("\n4. The fitted line next to the least-squares answer")
    out(f"    gradient descent:  y = {res.intercept:.6f} + {res.slope:.6f}*x   "
        f"MSE {cost(x, y, res.intercept, res.slope, kind='mse'):.6f}")
    out(f"    np.linalg.lstsq:   y = {ls_b0:.6f} + {ls_b1:.6f}*x   "
        f"MSE {cost(x, y, ls_b0, ls_b1, kind='mse'):.6f}")
    out(f"    largest difference: {max(abs(res.intercept - ls_b0), abs(res.slope - ls_b1)):.2e}")

    bouncing = 1.8 / curvature
    out(f"\n5. Too high a learning rate, {bouncing:.4f} (above 1/curvature): "
        f"b1 overshoots the valley floor on every step, bouncing from side to side")
    res = fit(x, y, learning_rate=bouncing, max_iter=100_000, tol=1e-10, init=START)
    slopes = ", ".join(f"{s:.3f}" for s in res.history.slope[:8])
    costs = ", ".join(f"{c:.4g}" for c in res.history.cost[:8])
    out(f"    b1: {slopes}, ...")
    # rounding may leave the cost a few units in its last place up near the floor
    falls = bool(np.all(np.diff(res.history.cost) <= 1e-12 * res.history.cost[:-1]))
    out(f"    cost (one-half MSE): {costs}, ...: "
        + ("it falls on every step; the overshoot is in the parameters, not the cost"
           if falls else "it rises on some steps"))
    out(f"   it still converges, in {res.n_iter} iterations: the steps shrink")
    out(f"   diagnosis: {res.diagnosis}")

    blowing_up = 2.5 / curvature
    out(f"\n6. Far too high, {blowing_up:.4f} (above 2/curvature = {2 / curvature:.4f}, "
        f"the stability limit): the cost blows up")
    try:
        with warnings.catch_warnings(record=True) as caught:  # the DivergenceWarning, printed below
            warnings.simplefilter("always")
            fit(x, y, learning_rate=blowing_up, max_iter=100_000, init=START)
    except DivergenceError as err:
        h = err.result.history
        costs = ", ".join(f"{c:.3g}" for c in h.cost[:6])
        out(f"    cost: {costs}, ... {h.cost[-1]:.3g} at iteration {h.iteration[-1]}")
        out(f"    DivergenceWarning before the first iteration: {caught[0].message}")
        out(f"    DivergenceError: {err}")
        out(f"    diagnosis: {err.result.diagnosis}")
