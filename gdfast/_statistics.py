"""Mergeable sufficient statistics of the least-squares cost, and the descent from them.

For y = b0 + x @ b the cost and its gradient depend on the data only through
the weight sum, the means and the centred second moments of (x, y).
:class:`Statistics` holds them; it is built in one compiled pass over an
array (``gdfast._engine``'s ``centred_statistics``) and two of them merge exactly
(Chan, Golub & LeVeque's parallel update), so chunks of a file, or blocks of
a distributed array, can be summarized separately and combined.
:func:`fit_checked_statistics` runs the descent from them, O(d**2) per
iteration, whatever the number of points: ``gdfast.fit_statistics``,
``gdfast.fit_stream`` (``gdfast._fit``), ``fit(..., method="stats")``
and ``gdfast.dask.fit`` use it.
"""
import numbers
from dataclasses import dataclass

import numpy as np

from ._descent import Descent, descend
from ._engine import kernels as engine
from ._moments import Moments
from ._sums import StatisticsSums
from ._validate import (check_data, check_n_threads, check_params, check_real, checked_weights,
                        plural)

# Statistics keep the weights' absolute size (they merge with others'), so
# weights near the float64 limit can make their sums overflow.
_HEAVY_WEIGHTS = ("sample_weight: the weighted sums overflow float64 (beyond 1.8e308); "
                  "statistics keep the weights' absolute size, to merge with others': divide "
                  "every chunk's weights by one constant (only their ratios change a fit)")

# gram_xx may differ from its transpose by rounding (X.T @ X from a BLAS that
# does not use syrk): up to this fraction of its largest diagonal entry.
_SYMMETRY_TOL = 1e-8


@dataclass(frozen=True)
class Statistics:
    """Mergeable sufficient statistics of (x, y[, w]) for the least-squares cost.

    The cost of y = b0 + x @ b and its gradient depend on the data only
    through these numbers (O(d**2) of them, whatever N), so
    :func:`fit_statistics` descends from them as ``fit`` does from the data.
    Build them with :meth:`from_arrays` (one compiled pass, sums in float64,
    each block of rows summed about one of its rows, so a mean far from 0
    costs no digits) and combine the statistics of separate pieces of data
    with :meth:`merge`.  Frozen, picklable, holds no data.

    Built by hand, the fields are checked (a TypeError or ValueError naming
    the field): shapes (d,), (d, d) and (d,) for ``mean_x``, ``gram_xx``
    and ``cross_xy`` with d >= 1, all finite; ``n`` an integer >= 1;
    ``weight_sum``, ``sum_yy`` and the diagonal of ``gram_xx`` >= 0;
    ``gram_xx`` symmetric (to 1e-8 of its largest diagonal entry).  Arrays
    are stored as float64 copies.

    Attributes
    ----------
    n : int
        The number of points.
    weight_sum : float
        The sum of the weights (``n`` without weights); 0 for points that
        all weigh zero (such statistics change nothing when merged, and
        :func:`fit_statistics` refuses them).
    mean_x : ndarray, shape (d,)
        The weighted column means of x, float64.
    mean_y : float
        The weighted mean of y.
    gram_xx : ndarray, shape (d, d)
        sum w (x - mean_x)(x - mean_x)^T, symmetric.
    cross_xy : ndarray, shape (d,)
        sum w (x - mean_x)(y - mean_y).
    sum_yy : float
        sum w (y - mean_y)**2.

    Examples
    --------
    >>> import numpy as np, gdfast
    >>> x = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]])
    >>> y = 1.0 + x @ [2.0, -1.0]
    >>> s = gdfast.Statistics.from_arrays(x[:1], y[:1]).merge(
    ...     gdfast.Statistics.from_arrays(x[1:], y[1:]))
    >>> s.n, s.mean_x.tolist(), float(s.sum_yy)
    (4, [1.5, 1.0], 18.0)
    >>> res = gdfast.fit_statistics(s, learning_rate="auto", tol=1e-12, max_iter=10**4)
    >>> round(res.intercept, 9), np.round(res.coef, 9).tolist()
    (1.0, [2.0, -1.0])
    """

    n: int                    # number of points
    weight_sum: float         # sum of weights (== n without weights)
    mean_x: np.ndarray        # (d,) weighted column means, float64
    mean_y: float
    gram_xx: np.ndarray       # (d, d) sum w (x - mean_x)(x - mean_x)^T
    cross_xy: np.ndarray      # (d,)  sum w (x - mean_x)(y - mean_y)
    sum_yy: float             # sum w (y - mean_y)^2

    def __post_init__(self):
        """Check the fields (statistics built by hand too); arrays become float64 copies."""
        n = self.n
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral):
            raise TypeError(f"Statistics: n (the number of points) must be an integer, got "
                            f"{n!r} of type {type(n).__name__}")
        if n < 1:
            raise ValueError(f"Statistics: n (the number of points) must be >= 1, got {n}")
        fields = {"n": int(n)}
        # weight_sum 0: the statistics of points that all weigh zero (from_arrays
        # makes them for such a chunk), which change nothing when merged
        fields["weight_sum"] = check_real(self.weight_sum, "Statistics: weight_sum", low=0.0)
        fields["mean_y"] = check_real(self.mean_y, "Statistics: mean_y")
        fields["sum_yy"] = check_real(self.sum_yy, "Statistics: sum_yy", low=0.0)
        mean_x = _field_array(self.mean_x, "mean_x", 1)
        d = mean_x.shape[0]
        if d == 0:
            raise ValueError("Statistics: mean_x is empty: at least one feature is needed")
        gram = _field_array(self.gram_xx, "gram_xx", 2, (d, d))
        fields.update(mean_x=mean_x, gram_xx=gram,
                      cross_xy=_field_array(self.cross_xy, "cross_xy", 1, (d,)))
        diag = np.diag(gram)
        if np.any(diag < 0):
            j = int(np.flatnonzero(diag < 0)[0])
            raise ValueError(f"Statistics: gram_xx[{j}, {j}] is {diag[j]:g}, but a sum of "
                             f"squares is >= 0")
        asymmetry = np.abs(gram - gram.T)
        if np.any(asymmetry > _SYMMETRY_TOL * diag.max()):
            i, j = np.unravel_index(int(np.argmax(asymmetry)), gram.shape)
            raise ValueError(f"Statistics: gram_xx must be symmetric, but gram_xx[{i}, {j}] = "
                             f"{gram[i, j]:.6g} and gram_xx[{j}, {i}] = {gram[j, i]:.6g}")
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    @property
    def n_features(self):
        """d, the number of columns of x."""
        return self.mean_x.shape[0]

    @classmethod
    def from_arrays(cls, x, y, sample_weight=None, *, n_threads=1):
        """The statistics of the points (x, y), optionally weighted, in one compiled pass.

        Parameters
        ----------
        x : array_like, shape (N,) or (N, d)
            As for :func:`gdfast.fit` (validated the same way; C- or
            F-ordered, read-only and memory-mapped arrays are read in place).
        y : array_like, shape (N,)
        sample_weight : array_like, shape (N,), optional
            Weights >= 0, as for :func:`gdfast.fit`, except that all zeros
            is accepted (such statistics change nothing when merged).
        n_threads : int or None, default 1
            Threads for the pass; None: as :func:`gdfast.fit` chooses.  The
            result is the same bit for bit for any value.

        Returns
        -------
        Statistics
        """
        x, y = check_data(x, y)
        sample_weight, _, exponent = checked_weights(sample_weight, x.shape[0], x.dtype,
                                                     allow_zero_sum=True)
        n_threads = check_n_threads(n_threads, x.shape[0])
        return cls._from_checked(x, y, sample_weight, n_threads, weight_exponent=-exponent)

    @classmethod
    def _from_checked(cls, x, y, sample_weight, n_threads=1, weight_exponent=0):
        """from_arrays on data that check_data and check_sample_weight returned.

        ``weight_exponent``: the weighted sums are multiplied by
        2**weight_exponent (exactly), undoing a rescaling of the weights:
        statistics that will be merged keep their weights' absolute size.
        """
        x2 = x if x.ndim == 2 else x[:, None]   # a view, never a copy
        d = x2.shape[1]
        mean = np.empty(d + 1)
        gram = np.empty((d + 1, d + 1))
        weight_sum = engine.centred_statistics(x2, y, mean, gram, sample_weight, n_threads)
        if weight_exponent:
            finite = np.all(np.isfinite(gram))
            with np.errstate(over="ignore"):
                gram = np.ldexp(gram, weight_exponent)
                weight_sum = float(np.ldexp(weight_sum, weight_exponent))
            if finite and not (np.all(np.isfinite(gram)) and np.isfinite(weight_sum)):
                raise ValueError(_HEAVY_WEIGHTS)
        return cls._unchecked(n=int(x2.shape[0]), weight_sum=float(weight_sum),
                              mean_x=mean[:d].copy(), mean_y=float(mean[d]),
                              gram_xx=gram[:d, :d].copy(), cross_xy=gram[:d, d].copy(),
                              sum_yy=float(gram[d, d]))

    @classmethod
    def _unchecked(cls, **fields):
        """Statistics of fields computed here (by the kernel, or by merge), not checked.

        Their sums may overflow float64 (data near its limit): such statistics
        go on to the descent, which reports them as ``fit`` reports the same
        data (a DivergenceError at the start, or "auto" refused), so
        ``method="stats"`` and ``"batch"`` fail alike.
        """
        stats = object.__new__(cls)
        for name, value in fields.items():
            object.__setattr__(stats, name, value)
        return stats

    def merge(self, other):
        """The statistics of the union of both sets of points (parallel-update formulas).

        Exact in exact arithmetic; associative and commutative up to rounding.
        """
        if not isinstance(other, Statistics):
            raise TypeError(f"other must be a Statistics, got {type(other).__name__}")
        if other.n_features != self.n_features:
            raise ValueError(f"cannot merge statistics of {plural(self.n_features, 'feature')} "
                             f"with statistics of {plural(other.n_features, 'feature')}")
        w_a, w_b = self.weight_sum, other.weight_sum
        if w_b == 0.0 or w_a == 0.0:
            # no weight on one side: its means say nothing; only n adds up
            keep = self if w_b == 0.0 else other
            return Statistics._unchecked(
                n=self.n + other.n, weight_sum=keep.weight_sum, mean_x=keep.mean_x,
                mean_y=keep.mean_y, gram_xx=keep.gram_xx, cross_xy=keep.cross_xy,
                sum_yy=keep.sum_yy)
        w = w_a + w_b
        if w == np.inf:
            raise ValueError(_HEAVY_WEIGHTS)
        share = w_b / w
        f = w_a * share                          # Wa * Wb / W
        # sums near the float64 limit overflow to inf: see _unchecked
        with np.errstate(over="ignore", invalid="ignore"):
            dx = other.mean_x - self.mean_x
            dy = other.mean_y - self.mean_y
            return Statistics._unchecked(
                n=self.n + other.n, weight_sum=w,
                mean_x=self.mean_x + dx * share,
                mean_y=self.mean_y + dy * share,
                gram_xx=self.gram_xx + other.gram_xx + f * np.outer(dx, dx),
                cross_xy=self.cross_xy + other.cross_xy + f * dx * dy,
                sum_yy=self.sum_yy + other.sum_yy + f * dy * dy)

    def moments(self):
        """The Moments (weight sum, means, population covariance) of x."""
        # sums that overflow (or overflowed): inf or NaN, then NaN limits
        with np.errstate(over="ignore", invalid="ignore"):
            covariance = self.gram_xx / self.weight_sum
        np.fill_diagonal(covariance, np.maximum(np.diag(covariance), 0.0))
        return Moments(self.weight_sum, self.mean_x, np.diag(covariance).copy(), covariance)


def _field_array(value, name, ndim, shape=None):
    """A field of Statistics as a float64 array of ``ndim`` (and ``shape``), finite, else raise."""
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"Statistics: {name} must be an array of real numbers: {exc}") from None
    if arr.ndim != ndim or (shape is not None and arr.shape != shape):
        want = f"shape {shape}" if shape is not None else f"{ndim} dimension"
        raise ValueError(f"Statistics: {name} must have {want} (d = the number of features, "
                         f"from mean_x), got shape {arr.shape}")
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        where = ", ".join(str(int(i)) for i in np.unravel_index(bad[0], arr.shape))
        raise ValueError(f"Statistics: {name} must be finite, but {name}[{where}] is "
                         f"{arr.flat[bad[0]]}")
    return arr


# A statistics iteration costs about as much as visiting this many points.
_STATS_ITERATION_POINTS = 16


def stats_iteration_points(d):
    """The point-visits one iteration from the statistics of d features costs about.

    O(d**2) work (G @ b): as much as a batch iteration over about d points
    of d features, and never less than the O(1) one-feature iteration.
    """
    return max(_STATS_ITERATION_POINTS, d)


def fit_checked_statistics(stats, options, init, stacklevel=4):
    """fit_statistics with checked ``options`` (a DescentOptions); ``stacklevel`` points
    the warnings at the user's call."""
    check_statistics(stats)
    return descend_from_statistics(stats, init, options, stacklevel + 1)


def check_statistics(stats):
    """Raise TypeError unless ``stats`` is a :class:`Statistics`."""
    if not isinstance(stats, Statistics):
        raise TypeError(f"stats must be a gdfast Statistics, got {type(stats).__name__}")


def statistics_of_checked(x, y, sample_weight, n_threads=1):
    """The Statistics of data that gdfast's validation already checked (no second check)."""
    return Statistics._from_checked(x, y, sample_weight, n_threads)


def descend_from_statistics(stats, init, options, stacklevel):
    """The descent from validated statistics and options."""
    if not stats.weight_sum > 0:
        raise ValueError("stats has no weight (weight_sum == 0): at least one point needs "
                         "a weight > 0")
    start = check_params(init, stats.n_features, options.fit_intercept)
    descent = Descent(StatisticsSums(stats), start, options.fit_intercept, options.standardize,
                      iteration_points=stats_iteration_points(stats.n_features),
                      stacklevel=stacklevel, l2=options.l2)
    return descend(descent, options, stats.weight_sum, stacklevel=stacklevel)


def statistics_of_chunks(chunks):
    """Statistics of an iterable of (x, y) or (x, y, w) chunks, in one pass, merged in order."""
    try:
        iterator = iter(chunks)
    except TypeError:
        raise TypeError(f"chunks must be an iterable of (x, y) or (x, y, sample_weight) "
                        f"tuples, got {type(chunks).__name__}") from None
    total = None
    n_chunks = 0
    for i, chunk in enumerate(iterator):
        n_chunks += 1
        if not isinstance(chunk, (tuple, list)) or len(chunk) not in (2, 3):
            what = (f"a {type(chunk).__name__} of length {len(chunk)}"
                    if isinstance(chunk, (tuple, list)) else f"a {type(chunk).__name__}")
            raise ValueError(f"chunks[{i}] must be a tuple (x, y) or (x, y, sample_weight), "
                             f"got {what}")
        if _holds_no_point(chunk):
            continue   # the last chunk of a reader is often empty: nothing to add
        try:
            part = Statistics.from_arrays(*chunk)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"chunks[{i}]: {exc}") from None
        if total is not None and part.n_features != total.n_features:
            raise ValueError(f"chunks[{i}] has {plural(part.n_features, 'feature')} (columns "
                             f"of x), but the chunks before it have {total.n_features}")
        try:
            total = part if total is None else total.merge(part)
        except ValueError as exc:   # the weight sums overflow
            raise ValueError(f"chunks[{i}]: {exc}") from None
    if total is None:
        if n_chunks:
            which = "its one chunk is" if n_chunks == 1 else f"all its {n_chunks} chunks are"
            raise ValueError(f"chunks holds no point: {which} empty")
        raise ValueError("chunks is empty: at least one chunk of points is needed")
    return total


def _holds_no_point(chunk):
    """True if every array of the chunk has 0 rows (an empty chunk, skipped)."""
    try:
        return all(np.shape(a)[:1] == (0,) for a in chunk)
    except (TypeError, ValueError):   # not array-like: from_arrays says what is wrong
        return False
