"""The fit entry points: fit (validate, pick the source of the sums, run the descent,
gdfast._descent), fit_statistics and fit_stream (the descent from Statistics)."""
from ._descent import Descent, descend
from ._refine import check_precision, first_descent, refine_on_data, refined
from ._statistics import (Statistics, check_statistics, descend_from_statistics,
                          fit_checked_statistics, statistics_of_chunks, stats_iteration_points)
from ._sums import DataSums, LineStatistics, StatisticsSums
from ._validate import (check_descent_options, check_fit_data, check_init, check_method,
                        check_params)


def fit(x, y, *, learning_rate="auto", max_iter=100_000, tol=1e-6, cost="half_mse",
        sample_weight=None,
        init=None, record_every="auto", fit_intercept=True, standardize=False, progress=False,
        callback=None, method="batch", n_threads=None, momentum=None, nesterov=False, l2=0.0,
        precision="float64"):
    """Fit ``y = b0 + b1 * x`` (or ``y = b0 + x @ b`` for d features) by batch gradient descent.

    Each iteration makes one pass over all N points at the current
    parameters, giving the residuals r_i = b0 + b1 * x_i - y_i (with d
    features r_i = b0 + x_i @ b - y_i), then updates all parameters
    together from those same residuals::

        b0 <- b0 - learning_rate * dJ/db0
        bj <- bj - learning_rate * dJ/dbj

    Parameters
    ----------
    x : array_like, shape (N,) or (N, d)
        The points, N >= 1, all finite: one feature (1-D) or d >= 1 features
        (2-D, C- or F-ordered; both are used as they are, without a copy;
        F order is the faster, see bench/features.md; any other layout,
        such as a strided view, is copied, to F order, since the kernel
        reads each column of a block of rows contiguously).
    y : array_like, shape (N,)
        The targets, all finite.  float32 data (x and y) is used as float32
        and float64 as float64, without a copy when contiguous; other real
        dtypes (int, bool, float16) are converted to float64.  Sums are
        always accumulated in float64.
    sample_weight : array_like, shape (N,), optional
        A weight w_i >= 0 per point (finite, not all zero): the costs become
        J = sum w_i r_i**2 / (2 sum w_i) (``"half_mse"``) and
        sum w_i r_i**2 / sum w_i (``"mse"``), so an integer weight counts
        a point that many times and a zero weight drops it.  The kernel
        weights its sums directly (no repeated rows).  Used in the dtype of
        the data (float32 weights with float32 data are not copied; others
        are converted).  The learning-rate limits, ``"auto"``,
        ``standardize`` and the diagnosis use the weighted curvature
        H = A.T @ diag(w) @ A / sum w.
    learning_rate : float or "auto", default "auto"
        The step size alpha.  ``"auto"``: the fastest rate for this data,
        2/(lambda_min + lambda_max) of the cost's curvature (see
        :func:`learning_rate_limits`), worked out before the first
        iteration.  Or a finite number > 0: above 1/lambda_max the
        parameters overshoot the minimum along the steepest direction (the
        overshoots shrink, the cost still falls); at or above the
        stability limit 2/lambda_max the descent diverges
        (:class:`DivergenceWarning` before the first iteration, then
        :class:`DivergenceError`); far below it the descent crawls.
    max_iter : int, default 100000
        The most updates to make (0 returns the starting point).  At
        ``"auto"`` a descent needs about kappa/2 * ln(1/r) iterations to
        shrink the gradient by the factor r (kappa: the condition number of
        the cost's curvature, see :func:`learning_rate_limits`): the default
        covers kappa up to about 1e4 for r = 1e-8, which standardized data
        (``standardize=True``) nearly always have.  Columns far from zero
        mean or of very different scales can give kappa of 1e5 to 1e10:
        the :class:`ConvergenceWarning` then says how many iterations
        ``standardize=True`` would need instead.
    tol : float or None, default 1e-6
        The descent stops, before updating, at the first iteration where the
        Euclidean norm of the gradient of J, ``hypot(dJ/db0, dJ/db1)``
        (with d features the norm of all d + 1 partial derivatives; with
        ``standardize=True`` those of the standardized coefficients), is
        ``<= tol`` (``converged=True``).  ``None`` disables the test: exactly
        ``max_iter`` updates are made, ``converged`` is False and nothing is
        warned (for timing a fixed number of iterations).
    cost : {"half_mse", "mse"}, default "half_mse"
        ``"half_mse"``: J = 1/(2N) sum r_i**2, gradient (1/N)(sum r_i,
        sum r_i x_i).  ``"mse"``: J = 1/N sum r_i**2, gradient twice that.
    init : sequence of float, optional
        The starting (b0, b1) (with d features b0, b1, ..., bd; without
        intercept b1, ..., bd), in the units of x.  Default: all zeros.
    record_every : int or "auto", default "auto"
        Which iterations the history keeps.  ``"auto"``: at most 100 002
        rows, spread over the whole descent: every
        iteration while they fit; when they are full, every other row is
        dropped and from then on every 2nd iteration is kept, then every
        4th, ... (rows 0, s, 2s, ... at the final stride s, and always the
        first and the last).  So a fit of up to 100 000 iterations keeps
        them all, and any fit's history fits in a fixed memory: rows x
        (d + 2) x 8 bytes + 8 bytes per row, 3.2 MB for one feature (d is
        the number of features).  An integer k: every k-th iteration, and
        always the first and the last (1: every iteration; 0: only the
        first and the last); memory then grows with max_iter / k, and a
        history that does not fit in memory stops the fit with a
        :class:`HistoryMemoryError`.
    fit_intercept : bool, default True
        False fits ``y = x @ b`` (b0 fixed at 0).
    standardize : bool, default False
        Descend on centred, unit-variance columns (without intercept:
        unit root-mean-square columns, not centred), which makes the
        valley round and the descent far faster on badly scaled or
        correlated features; the data are not copied (the kernel maps
        each value on the fly).  Coefficients and history are reported in
        the units of x.  A constant column cannot be scaled (ValueError).
    progress : bool, default False
        Show a progress bar on stderr with the iterations per second and the
        current cost: tqdm's when it is installed (``gdfast[progress]``),
        else a plain line.  It is updated between slices of iterations, at
        no measurable cost.
    callback : callable or None, default None
        Called as ``callback(step)`` with a :class:`gdfast.Step` (its
        ``iteration``, ``intercept``, ``slope`` and ``cost``) for each history
        row as soon as it is recorded: every ``record_every`` iterations, the
        first and the last (not on divergence).  With ``record_every="auto"``
        that is every row recorded at the stride of the moment (every
        iteration at first, then every 2nd, 4th, ...); rows seen early may
        later be dropped from the history when it is thinned.  A step holds
        the same values as the history's row, bit for bit: each row is
        converted to the units of x once, and the callback, the progress bar
        and the History read that one conversion.  Returning ``False`` (not
        just a falsy value) stops the descent there: the result reports that
        point, with ``stopped_by="callback"`` and ``converged=False``.  An
        exception the callback raises stops the fit and propagates
        unchanged (same object), with the partial result attached: as its
        attribute ``gdfast_result`` (a :class:`FitResult` at the last point
        computed, with the rows recorded up to it; ``stopped_by="callback"``
        unless the descent had already ended) and, on Python >= 3.11, a
        note saying so.
    method : {"batch", "stats"}, default "batch"
        ``"batch"``: each iteration makes a pass over the N points, as
        described above.  ``"stats"``: one pass computes the sufficient
        statistics (the weight sum, the means and the centred second moments
        of x and y: the Gram matrix of the centred data and its
        cross-products with y, see :class:`gdfast.Statistics`), then each
        iteration gets the same sums from them in O(d**2) (O(1) for 1-D x),
        whatever N.  Every option works with it (several features,
        ``fit_intercept``, ``standardize``, ``sample_weight``).  Same
        history, stopping rules, warnings and errors.  The iterates agree
        with ``"batch"`` to 1e-10 relative or better on well-conditioned
        data.  They can differ more under extreme conditioning: when the fit
        is nearly exact (residuals tiny against the spread of y: the cost is
        then a difference of nearly equal quadratic forms, so near the
        optimum it keeps only the digits that survive that cancellation, and
        a rounded negative total is clamped to 0), when the Gram matrix is
        nearly singular (nearly collinear columns: the gradient G @ b - c is
        a difference of large nearly equal terms), or when x's mean is huge
        against its spread.  Data too large for memory: see
        :func:`gdfast.fit_stream`.
    n_threads : int or None, default None
        Threads for the passes over the data (``"batch"`` on 1-D x: every
        iteration; ``"stats"``: the one pass; ``"batch"`` on 2-D x or with
        options runs on one thread).  None: every core this process
        may use when N is large enough for threads to pay, else one.  The
        results are the same bit for bit for any value: the data is cut into
        fixed blocks whose sums are combined in a fixed order.  The threads
        meet at a barrier every iteration, so on a machine whose cores are
        busy with other work the team waits for its slowest thread: pass 1
        there.

    momentum : None, float in [0, 1) or "auto", default None
        The heavy ball: each step keeps ``momentum`` (beta) times the step
        before it, ``v <- beta * v - learning_rate * g``, ``b <- b + v``
        (None or 0: plain descent, bit for bit).  Along a narrow valley the
        steps that zig-zag across it cancel and those along it add up, so
        on a quadratic cost the error shrinks by about 1 - 2/sqrt(kappa)
        per iteration instead of 1 - 2/kappa: about sqrt(kappa)/2
        iterations per factor e instead of kappa/2 (kappa: the condition
        number, see :func:`learning_rate_limits`).  ``"auto"``: beta =
        ((sqrt(kappa) - 1)/(sqrt(kappa) + 1))**2 and, with
        ``learning_rate="auto"``, learning_rate = 4/(sqrt(lambda_max) +
        sqrt(lambda_min))**2 (Polyak's values; see
        :meth:`LearningRateLimits.momentum_auto`), worked out before the
        first iteration.  A number with ``learning_rate="auto"`` takes
        learning_rate = (1 + beta) * 2/(lambda_min + lambda_max).  The
        descent is stable below 2(1 + beta)/lambda_max.  With momentum the
        cost may rise for a while before it falls again: that is not
        divergence (only at or above the stability limit is a cost above
        twice the start's taken as one).  ``FitResult.momentum`` is the beta
        used.
    nesterov : bool, default False
        Nesterov's look-ahead: the gradient is taken at b + beta * v, the
        point the momentum is carrying the parameters to (``v <- beta * v -
        learning_rate * g``; ``b <- b + beta * v - learning_rate * g``, b
        being the look-ahead point itself, as in PyTorch).  The history, the
        cost and the result are those of the look-ahead points.  Stable
        below 2(1 + beta)/((1 + 2 beta) lambda_max); ``momentum="auto"``
        then takes learning_rate = 4/(3 lambda_max + lambda_min) and beta =
        (sqrt(3 kappa + 1) - 2)/(sqrt(3 kappa + 1) + 2) (Lessard, Recht and
        Packard).  No effect without momentum.
    l2 : float >= 0, default 0.0
        An L2 (ridge) penalty on the coefficients, not on the intercept:
        the cost becomes J + 0.5 * l2 * ||b||**2 with the one-half MSE
        (J + l2 * ||b||**2 with the MSE, so that it stays twice the one-half
        MSE, with the same minimum), b = (b1..bd) in the units of x (also
        with ``standardize=True``).  Its minimum is scikit-learn's
        ``Ridge(alpha=l2 * N)`` (``alpha=l2 * sum(sample_weight)`` with
        weights): Ridge minimises ||y - X b||**2 + alpha ||b||**2, which is
        2N times the penalised one-half MSE.  The cost in the history and
        the result includes the penalty; the curvature (the learning-rate
        limits, ``"auto"``, the diagnosis) gains l2 on each coefficient's
        diagonal, so the penalty also makes the descent faster.
    precision : {"float64", "compensated"}, default "float64"
        ``"compensated"``: after the descent, iterative refinement with
        double-double arithmetic (gdfast._refine): the residual of each point
        and their sums against x are computed in double-double, a descent
        on the correction from 0 (same learning rate and momentum) is added
        to the parameters, and this repeats (at most 4 rounds) until a
        correction is below sqrt(eps) of each parameter.  It lifts the
        digits that float64 rounding caps on ill-conditioned data (NIST's
        Wampler1-5: 13 to 15 digits, docs/nist.md).  The history gains one
        row per round, ``n_iter`` counts every descent (each round runs at
        most as many iterations as the first descent, so up to 5 times
        ``max_iter`` in all), and the ConvergenceWarning and the diagnosis
        are the refined result's.  Costs: one
        double-double pass per round and a float64 copy of (x, y) for it
        (float32 data, too).  ``"float64"``: the descent alone.

    Returns
    -------
    FitResult

    Raises
    ------
    FitInterrupted
        On Ctrl-C (SIGINT) during the fit.  A subclass of KeyboardInterrupt,
        so an uncaught Ctrl-C still stops a script; its ``result`` is the
        partial :class:`FitResult` (``stopped_by="interrupt"``) at the last
        iteration whose cost was computed, with the whole history up to it.
        The descent stops within one slice of iterations (a few tens of
        milliseconds), whatever the size of the history: it is returned as
        it is, never copied.  A fit small enough to end within its first
        slice does not set up this handling: a Ctrl-C there is a plain
        KeyboardInterrupt, at most one slice later.
    HistoryMemoryError
        A MemoryError: the history could not grow (only with an integer
        ``record_every`` on a long fit).  The fit stops there; its
        ``result`` is the partial :class:`FitResult`
        (``stopped_by="memory"``) at the last point computed, with every
        row recorded up to it.
    DivergenceError
        If a cost, gradient or parameter becomes NaN or infinite.  Its
        ``result`` is the partial :class:`FitResult` at the last finite
        iteration, with the history up to it.

    Warns
    -----
    ConvergenceWarning
        If ``max_iter`` updates were made before the gradient norm reached
        ``tol``; the result then has ``converged=False``.  Its message is
        the diagnosis: the iterations needed, and what would converge
        sooner (``standardize=True``, ``"auto"``).
    DivergenceWarning
        Before the first iteration, if ``learning_rate`` is at or above the
        stability limit 2/lambda_max; it suggests a rate below it.
    UserWarning
        If x is 2-D with more parameters than points (the solution is not
        unique; the descent ends at the one nearest ``init``).

    Examples
    --------
    >>> import numpy as np, gdfast
    >>> x = np.array([0.0, 1.0, 2.0, 3.0])
    >>> res = gdfast.fit(x, 1.0 + 2.0 * x, learning_rate=0.2, max_iter=2000,
    ...                  tol=1e-10, init=(0.0, -5.0))
    >>> round(res.intercept, 6), round(res.slope, 6), res.converged
    (1.0, 2.0, True)
    """
    data = check_fit_data(x, y, sample_weight, n_threads)
    options = check_descent_options(learning_rate, max_iter, tol, cost, record_every,
                                    fit_intercept, standardize, progress, callback, momentum,
                                    nesterov, l2)
    method = check_method(method)
    precision = check_precision(precision)
    x, d, fit_intercept = data.x, data.n_features, options.fit_intercept
    # 1-D x with an intercept takes a pair (b0, b1), any other x its d + 1 values
    start = (check_params(None if init is None else check_init(init), 1, True)
             if x.ndim == 1 and fit_intercept
             else check_params(init, d, fit_intercept))
    if method == "stats":
        # one pass for the statistics, then O(d**2) per iteration (O(1) for one feature)
        if x.ndim == 1 and data.sample_weight is None:
            stats = LineStatistics.of(x, data.y, data.n_threads)   # the tuned one-feature pass
        else:
            stats = Statistics._from_checked(x, data.y, data.sample_weight, data.n_threads)
        source, iteration_points = StatisticsSums(stats), stats_iteration_points(d)
    else:
        source = DataSums(x, data.y, data.sample_weight, data.weight_sum, data.n_threads)
        iteration_points = None
    descent = Descent(source, start, fit_intercept, options.standardize,
                      warn_underdetermined=x.ndim == 2, iteration_points=iteration_points,
                      l2=options.l2)
    with first_descent(precision):
        result = descend(descent, options, data.weight_sum)
    if precision == "compensated":
        result = refine_on_data(result, x, data.y, data.sample_weight, options, method)
    return result


def fit_statistics(stats, *, learning_rate="auto", max_iter=100_000, tol=1e-6,
                   cost="half_mse", init=None, record_every="auto", fit_intercept=True,
                   standardize=False, progress=False, callback=None, momentum=None,
                   nesterov=False, l2=0.0, precision="float64"):
    """Batch gradient descent for y = b0 + x @ b from the data's :class:`Statistics` alone.

    Same parameters (less the data), history, stopping rules, warnings,
    errors and result as :func:`gdfast.fit`; each iteration costs O(d**2)
    whatever the number of points.  ``fit(x, y, method="stats")`` is
    ``fit_statistics(Statistics.from_arrays(x, y, w), ...)``; see its
    ``method`` for when the iterates can differ from ``method="batch"``.

    Parameters
    ----------
    stats : Statistics
        Of data with a weight sum > 0.
    learning_rate, max_iter, tol, cost, init, record_every, fit_intercept, standardize, \
progress, callback, momentum, nesterov, l2, precision
        As for :func:`gdfast.fit` (``init`` has d + 1 values, d without
        intercept; ``l2`` matches ``Ridge(alpha=l2 * stats.weight_sum)``;
        ``precision="compensated"`` takes the statistics' float64 values as
        exact and computes c - G @ b from them in double-double).

    Returns
    -------
    FitResult
        Its ``diagnosis`` counts ``stats.n`` points.

    Raises
    ------
    TypeError, ValueError
        For a ``stats`` that is not a Statistics or has no weight, and for
        the parameters ``fit`` rejects, before any iteration.
    DivergenceError, FitInterrupted
        As for :func:`gdfast.fit`.
    """
    check_statistics(stats)
    options = check_descent_options(learning_rate, max_iter, tol, cost, record_every,
                                    fit_intercept, standardize, progress, callback, momentum,
                                    nesterov, l2)
    precision = check_precision(precision)
    with first_descent(precision):
        result = fit_checked_statistics(stats, options, init)
    # refine <- _refined <- here <- the user
    return refined(result, stats, options, precision, stacklevel=4)


def fit_stream(chunks, *, learning_rate="auto", max_iter=100_000, tol=1e-6,
               cost="half_mse", init=None, record_every="auto", fit_intercept=True,
               standardize=False, progress=False, callback=None, momentum=None,
               nesterov=False, l2=0.0, precision="float64"):
    """Fit ``y = b0 + x @ b`` by gradient descent on data read chunk by chunk, in one pass.

    Each chunk is summarized by its sufficient statistics (weight sum,
    means, centred second moments of x and y: O(d**2) numbers, see
    :class:`gdfast.Statistics`), which are merged as they come; no chunk is
    kept.  The descent then runs from the merged statistics, as
    ``fit(x, y, method="stats")`` would on all the chunks concatenated:
    same history (to rounding, about 1e-10 relative on well-conditioned
    data), stopping rules, warnings and errors.  Memory: one chunk at a
    time.  For data larger than memory (a CSV or Parquet file, a
    memory-mapped array) this reads the data once, where
    ``fit(method="batch")`` reads it once per iteration.

    Parameters
    ----------
    chunks : iterable of tuples
        Each ``(x, y)`` or ``(x, y, sample_weight)``, with x of shape (n,)
        or (n, d), validated like :func:`gdfast.fit`'s data; every chunk
        has the same d (a 1-D x is one feature).  Chunks may differ in
        size and in dtype; a chunk's weights may be all zero; a chunk of
        0 points (every array of it empty) is skipped.  Iterated once: a
        generator is fine.
    learning_rate, max_iter, tol, cost, init, record_every, fit_intercept, standardize, \
progress, callback, momentum, nesterov, l2, precision
        As for :func:`gdfast.fit`.

    Returns
    -------
    FitResult

    Raises
    ------
    ValueError, TypeError
        For no chunk at all (or only empty ones), a chunk that is not a 2-
        or 3-tuple, a chunk
        whose data ``fit`` would reject (the message names ``chunks[i]``),
        chunks of different numbers of features, or weights summing to 0
        over all chunks.  Raised during the pass, before any descent.
    DivergenceError, FitInterrupted
        As for :func:`gdfast.fit`.

    Examples
    --------
    A CSV file read 100 000 rows at a time with pandas::

        import pandas as pd, gdfast
        chunks = ((c[["x1", "x2"]].to_numpy(), c["y"].to_numpy())
                  for c in pd.read_csv("big.csv", chunksize=100_000))
        result = gdfast.fit_stream(chunks, learning_rate="auto")

    With NumPy, a memory-mapped file cut into row blocks:

    >>> import numpy as np, gdfast
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(1000, 2))
    >>> y = 1.0 + x @ [2.0, -3.0] + 0.01 * rng.normal(size=1000)
    >>> chunks = ((x[i:i + 300], y[i:i + 300]) for i in range(0, 1000, 300))
    >>> res = gdfast.fit_stream(chunks, learning_rate="auto", tol=1e-9)
    >>> np.round(res.intercept, 2), np.round(res.coef, 2)
    (np.float64(1.0), array([ 2., -3.]))
    """
    options = check_descent_options(learning_rate, max_iter, tol, cost, record_every,
                                    fit_intercept, standardize, progress, callback, momentum,
                                    nesterov, l2)
    precision = check_precision(precision)
    stats = statistics_of_chunks(chunks)
    with first_descent(precision):
        result = descend_from_statistics(stats, init, options, stacklevel=4)
    # refine <- _refined <- fit_stream <- the user
    return refined(result, stats, options, precision, stacklevel=4)
