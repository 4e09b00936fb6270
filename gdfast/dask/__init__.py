"""gdfast on a Dask cluster: :func:`fit` for dask arrays chunked along rows.

Import it explicitly (``import gdfast.dask``); it needs the optional extra
``gdfast[dask]`` (``dask[array,distributed]``), which ``import gdfast``
never imports.  Every worker must have gdfast installed: the blocks' work
runs its compiled kernels there.

Who does what: this module validates the arguments and what can be known
of the data without reading it (types, shapes, chunks), then builds the
graph that checks each block as it is loaded (``gdfast.dask._tasks``); the
descent's sums come from ``_cluster_sums.ClusterSums`` (``method="batch"``)
or from the statistics (``method="stats"``), both run by
``gdfast._descent.descend``, the loop of :func:`gdfast.fit`.
"""
import math

import dask
import dask.array as da
import distributed
import numpy as np

from . import _tasks
from ._cluster_sums import ClusterSums
from .._descent import POINTS_PER_SLICE, Descent, descend
from .._statistics import fit_checked_statistics
from .._validate import (check_descent_options, check_method, check_params, kernel_dtype,
                         weights_dtype)

__all__ = ["fit"]


def fit(X, y, *, method="batch", learning_rate="auto", max_iter=100_000, tol=1e-6,
        cost="half_mse", sample_weight=None, init=None, record_every="auto",
        fit_intercept=True, standardize=False, progress=False, callback=None, client=None,
        momentum=None, nesterov=False, l2=0.0):
    """Fit ``y = b0 + X @ b`` by batch gradient descent on dask arrays, on a Dask cluster.

    The same descent as :func:`gdfast.fit`, with the passes over the data
    spread over the workers: same parameters, stopping rule, history,
    callback, warnings, errors and :class:`~gdfast.FitResult` (with its
    diagnosis); the iterates agree with ``gdfast.fit`` on the same data
    to 1e-10 relative (the sums are only added in another order).

    Parameters
    ----------
    X : dask.array.Array, shape (N,) or (N, d)
        The points, chunked along rows only: every row block must hold all
        d columns (``X.rechunk({1: -1})`` if not), with known chunk sizes.
        Real dtypes; float32 (with float32 ``y``) is used as float32, any
        other as float64.  NaN or infinite values are found by the first
        pass over the data and raise a ValueError naming the row, before
        any iteration.
    y : dask.array.Array or array_like, shape (N,)
        The targets; rechunked to X's row blocks when chunked differently
        (an in-memory array is wrapped in those blocks).
    method : {"batch", "stats"}, default "batch"
        ``"batch"``: X's row blocks are persisted on the workers once, then
        each iteration sends the current parameters to one task per block,
        which makes the kernel's one pass over its rows and returns d + 2
        partial sums (sum r, sum r*x_j, sum r**2); a tree of tasks adds
        them and the client updates the parameters.  One pass over the
        data and one round trip per iteration.  ``"stats"``: one pass
        builds each block's :class:`~gdfast.Statistics`, merged in a tree;
        the descent then runs on the client from them, O(d**2) per
        iteration, without the cluster (see ``gdfast.fit``'s
        ``method="stats"`` for how its iterates compare).
    learning_rate, max_iter, tol, cost, init, record_every, fit_intercept, standardize, \
progress, callback, momentum, nesterov, l2
        As for :func:`gdfast.fit`.  With ``"batch"`` Ctrl-C stops the fit
        after the iteration in flight (:class:`~gdfast.FitInterrupted`).
    sample_weight : dask.array.Array or array_like, shape (N,), optional
        One weight >= 0 per point, as for :func:`gdfast.fit`; chunked like
        ``y``.
    client : distributed.Client, optional
        The cluster to run on; default: the current client
        (``distributed.default_client()``).

    Returns
    -------
    FitResult

    Raises
    ------
    TypeError
        If X is not a dask array, or for a parameter of the wrong type.
    ValueError
        For bad shapes or chunks, a parameter out of range, no client, or
        (from the first pass, before iterating) data that are not finite
        or negative weights.
    DivergenceError, FitInterrupted
        As for :func:`gdfast.fit`, with the partial result.

    Warns
    -----
    ConvergenceWarning, DivergenceWarning
        As for :func:`gdfast.fit`.

    Examples
    --------
    >>> import dask.array as da, gdfast.dask                  # doctest: +SKIP
    >>> from distributed import Client                         # doctest: +SKIP
    >>> client = Client(n_workers=2, threads_per_worker=1)     # doctest: +SKIP
    >>> rng = da.random.default_rng(0)                         # doctest: +SKIP
    >>> X = rng.normal(size=(1_000_000, 3), chunks=(250_000, 3))  # doctest: +SKIP
    >>> y = 1.0 + X @ da.from_array([2.0, -1.0, 0.5])          # doctest: +SKIP
    >>> result = gdfast.dask.fit(X, y, learning_rate="auto")   # doctest: +SKIP
    >>> result.intercept, result.coef                          # doctest: +SKIP
    """
    method = check_method(method)
    options = check_descent_options(learning_rate, max_iter, tol, cost, record_every,
                                    fit_intercept, standardize, progress, callback, momentum,
                                    nesterov, l2)
    x, y, sample_weight = _check_arrays(X, y, sample_weight)
    start = check_params(init, x.shape[1], options.fit_intercept)   # before any cluster work
    client = _check_client(client)

    if method == "stats":
        blocks = _blocks(x, y, sample_weight, [a.to_delayed().ravel()
                                               for a in (x, y, sample_weight) if a is not None])
        stats = _statistics(blocks, dask.delayed(_tasks.block_statistics),
                            lambda f, *a: dask.delayed(f)(*a), client)
        _check_weight_sum(stats)
        return fit_checked_statistics(stats, options, init, stacklevel=4)

    sums = _cluster_sums(client, x, y, sample_weight)
    # one iteration per slice: an iteration is a round trip through the
    # cluster, so Ctrl-C, the bar and the callback get their turn after each
    descent = Descent(sums, start, options.fit_intercept, options.standardize,
                      iteration_points=POINTS_PER_SLICE, stacklevel=3, l2=options.l2)
    return descend(descent, options, sums.weight_sum, stacklevel=3)


def _cluster_sums(client, x, y, sample_weight):
    """Persist the checked blocks, make the statistics pass; the ClusterSums on them."""
    # persisted once, from the graph that loads and checks each block: a
    # block lost with its worker is recomputed from that graph
    persisted = client.persist([a for a in (x, y, sample_weight) if a is not None])
    blocks = _blocks(x, y, sample_weight, [_block_futures(a) for a in persisted])
    stats = _statistics(blocks, lambda *a: client.submit(_tasks.block_statistics, *a),
                        client.submit, client)
    _check_weight_sum(stats)
    weight_sum = float(x.shape[0]) if sample_weight is None else stats.weight_sum
    return ClusterSums(client, blocks, stats, weight_sum)


def _check_client(client):
    """``client``, or the current distributed Client; else raise."""
    if client is None:
        try:
            return distributed.default_client()
        except ValueError:
            raise ValueError("gdfast.dask.fit needs a dask.distributed Client: start one "
                             "(distributed.Client(...)) or pass client=") from None
    if not isinstance(client, distributed.Client):
        raise TypeError(f"client must be a distributed.Client or None, got {client!r} of type "
                        f"{type(client).__name__}")
    return client


def _check_arrays(X, y, sample_weight):
    """Validate what the graph says of the data; return (x, y, w), each block checked on load.

    x comes back 2-D (N, d), one column block; y and w (or None) 1-D in x's
    row blocks; all three in the kernel's dtype, each block passed through
    ``_tasks.checked_block`` (nothing is computed here).
    """
    if not isinstance(X, da.Array):
        raise TypeError(f"X must be a dask array (dask.array.Array), got "
                        f"{type(X).__name__}; use gdfast.fit for in-memory data, or wrap it: "
                        f"dask.array.from_array(X, chunks=(rows_per_block, -1))")
    _check_real_dtype(X.dtype, "X")
    if X.ndim not in (1, 2):
        raise ValueError(f"X must be a 1-D array (N,) of points or a 2-D array (N, d) of "
                         f"N points with d features, got shape {X.shape}")
    if any(math.isnan(c) for c in X.chunks[0]):
        raise ValueError("X has unknown chunk sizes (NaN rows per block); compute them first "
                         "with X.compute_chunk_sizes()")
    x = X if X.ndim == 2 else X[:, None]
    if x.numblocks[1] > 1:
        raise ValueError(f"X is chunked along its columns too (column chunks {x.chunks[1]}): "
                         f"each row block must hold all {x.shape[1]} columns; rechunk with "
                         f"X.rechunk({{1: -1}})")
    if x.shape[1] == 0:
        raise ValueError(f"X has 0 columns: at least one feature is needed, got shape {X.shape}")
    if x.shape[0] == 0:
        raise ValueError(f"X is empty: at least one point is needed, got shape {X.shape}")
    y = _as_row_blocks(y, "y", x)
    dtype = kernel_dtype(x.dtype, y.dtype)
    x, y = (a.map_blocks(_tasks.checked_block, name, dtype, dtype=dtype,
                         meta=np.empty((0,) * a.ndim, dtype)) for a, name in ((x, "x"), (y, "y")))
    if sample_weight is None:
        return x, y, None
    # weights are relative, as in gdfast.fit: checked in their own precision,
    # then all rescaled by a power of two set by the largest (exact), then cast
    w = _as_row_blocks(sample_weight, "sample_weight", x)
    own = weights_dtype(w.dtype, dtype)
    w = w.map_blocks(_tasks.checked_block, "sample_weight", own, dtype=own,
                     meta=np.empty((0,), own))
    w = da.map_blocks(_tasks.rescaled_weights, w, w.max(), dtype, dtype=dtype,
                      meta=np.empty((0,), dtype))
    return x, y, w


def _check_real_dtype(dtype, name):
    if dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers (float, int or bool), got dtype {dtype}")


def _as_row_blocks(a, name, x):
    """y or sample_weight as a 1-D dask array in x's row blocks."""
    if not isinstance(a, da.Array):
        a = np.asarray(a)
        if a.ndim == 1 and a.shape[0] == x.shape[0]:
            _check_real_dtype(a.dtype, name)
            return da.from_array(a, chunks=(x.chunks[0],))
    _check_real_dtype(a.dtype, name)
    if a.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of one value per point, got shape "
                         f"{a.shape}")
    if a.shape[0] != x.shape[0]:
        raise ValueError(f"X and {name} must have the same number of points (rows of X), got "
                         f"{x.shape[0]} and {a.shape[0]}")
    return a if a.chunks[0] == x.chunks[0] else a.rechunk({0: x.chunks[0]})


def _blocks(x, y, sample_weight, parts):
    """[(x, y, w)] per non-empty row block (w None when unweighted); empty blocks dropped."""
    if sample_weight is None:
        parts = [*parts, [None] * len(parts[0])]
    return [block for block, rows in zip(zip(*parts), x.chunks[0]) if rows > 0]


def _block_futures(persisted):
    """The futures of a persisted dask array's blocks, in row order."""
    by_key = {future.key: future for future in distributed.futures_of(persisted)}
    return [by_key[key] for key in dask.core.flatten(persisted.__dask_keys__())]


def _statistics(blocks, per_block, submit, client):
    """One pass: each block's Statistics, merged in a tree whose top level is merged here."""
    parts = [per_block(*block) for block in blocks]
    top = _tasks.tree_reduce(submit, parts, _tasks.merge_statistics)
    if not isinstance(top[0], distributed.Future):   # delayed values: run them
        top = client.compute(top)
    return _tasks.merge_statistics(*client.gather(top))


def _check_weight_sum(stats):
    if not stats.weight_sum > 0:
        raise ValueError("sample_weight is all zeros: at least one point needs a weight > 0")
    if math.isinf(stats.weight_sum):
        raise ValueError("sample_weight sums to more than float64 holds; rescale the weights")
