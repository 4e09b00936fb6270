"""docs/momentum.png: plain descent against the heavy ball on one cost landscape.

    python docs/momentum_picture.py

Points whose x is away from zero mean (a narrow valley), both descents from
the bad start (0, -5) at their "auto" settings for the same few
iterations: the contour with both paths, and the cost against the iteration.
"""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import gdfast  # noqa: E402
from gdfast import plot  # noqa: E402

OUT = Path(__file__).resolve().parent / "momentum.png"


ITERATIONS = 40


def points():
    """200 noisy points around y = 2 + 1.5 x with x in [1, 3]: away from zero mean, so
    the valley is narrow (condition number about 80)."""
    rng = np.random.default_rng(12345)
    x = rng.uniform(1.0, 3.0, 200)
    return x, 2.0 + 1.5 * x + rng.normal(0.0, 0.5, 200)


def main(path=OUT):
    x, y = points()
    kw = dict(max_iter=ITERATIONS, tol=None, init=(0.0, -5.0))
    fits = {"plain, learning_rate='auto'": gdfast.fit(x, y, **kw),
            "heavy ball, momentum='auto'": gdfast.fit(x, y, momentum="auto", **kw),
            "Nesterov, momentum='auto'": gdfast.fit(x, y, momentum="auto", nesterov=True,
                                                    **kw)}
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 5.5), layout="constrained")
    plot.plot_cost_contour(x, y, fits, ax=left)
    right.set_prop_cycle(color=plot.PATH_COLOURS)   # the paths' colours
    plot.plot_cost_history(fits, ax=right)
    right.set_title(f"cost against iteration ({ITERATIONS} iterations each)")
    figure.savefig(path, dpi=90)
    return path


if __name__ == "__main__":
    print(main())
