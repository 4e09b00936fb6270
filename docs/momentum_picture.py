"""docs/momentum.png: plain descent against the heavy ball on one cost landscape.

    python docs/momentum_picture.py

Points whose x is away from zero mean (a narrow valley), two descents from
a start across the valley, (b0, b1) = (-6, 4), at the same learning rate (the
plain descent's "auto", 2/(lambda_min + lambda_max), above 1/lambda_max so it
bounces from wall to wall) for the same few iterations: plain descent
zig-zags across the valley, the heavy ball (momentum 0.5) damps the
bouncing and rolls along the valley floor towards the minimum.  Left: both
paths on the cost's contours (the minimum's star drawn above the paths' end
markers); right: the cost against the iteration.
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


START = (-6.0, 4.0)
MOMENTUM = 0.5


def main(path=OUT):
    x, y = points()
    rate = gdfast.learning_rate_limits(x).optimal   # what learning_rate="auto" takes
    kw = dict(max_iter=ITERATIONS, tol=None, init=START, learning_rate=rate)
    fits = {f"plain descent, learning_rate={rate:.3g} ('auto')": gdfast.fit(x, y, **kw),
            f"heavy ball, same rate, momentum={MOMENTUM}": gdfast.fit(x, y, momentum=MOMENTUM,
                                                                     **kw)}
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 5.5), layout="constrained")
    plot.plot_cost_contour(x, y, fits, ax=left)
    for line in left.get_lines():
        if line.get_marker() == plot.MINIMUM_STYLE["marker"]:
            line.set_zorder(plot.END_STYLE["zorder"] + 1)   # never hidden by an end marker
    left.set_title("one-half MSE over (b0, b1): zig-zag against the rolling ball")
    right.set_prop_cycle(color=plot.PATH_COLOURS)   # the paths' colours
    plot.plot_cost_history(fits, ax=right)
    right.set_title(f"cost against iteration ({ITERATIONS} iterations each)")
    figure.savefig(path, dpi=90)
    return path


if __name__ == "__main__":
    print(main())
