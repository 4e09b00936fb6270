"""Hypothesis strategies for everything a user can pass gdfast, and the contract each input must meet.

Shared by the in-process property tests (``tests/test_properties.py``, through the
``inputs`` fixture of ``tests/conftest.py``) and by the crash hunt, which runs the
same checks in a child process (``tests/stress/crash_hunt.py``) so that a segfault
is reported instead of ending the test run.

The contract (README, "Errors and warnings"; docs/guarantees.md):

- bad data or a bad parameter: ``TypeError`` (wrong kind of thing) or ``ValueError``
  (right kind, wrong value) whose message starts with the argument's name;
- otherwise ``fit`` returns a :class:`gdfast.FitResult` whose parameters, cost,
  gradient norm and whole history are finite and agree with the NumPy oracle, or
  raises the documented :class:`gdfast.DivergenceError` (finite partial history),
  or a ``ValueError`` for the two data-dependent refusals: ``learning_rate="auto"``
  on data whose squares overflow float64, ``standardize=True`` on a column it
  cannot scale;
- the only warnings are the documented ``ConvergenceWarning``,
  ``DivergenceWarning`` and the more-parameters-than-points ``UserWarning``;
  a NumPy ``RuntimeWarning`` (overflow, invalid value) escaping is a bug.

To add an entity (the estimator ``GDRegressor``): a ``check_estimator(x, y, params)``
next to :func:`check_fit`, reusing :func:`data_problems`, :func:`parameter_problems`
and :func:`check_valid_outcome`, and one more target in ``TARGETS``.
"""
import contextlib
import inspect
import io
import math
import re
import warnings

import numpy as np
from hypothesis import strategies as st

import gdfast

# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------
TINY = 5e-324                      # the smallest subnormal
SPECIAL = [0.0, -0.0, 1.0, -1.0, TINY, -TINY, 1e-310, 2.2250738585072014e-308, 1e-300,
           1e-150, 1e150, 1e300, -1e300, 1.7976931348623157e308, -1.7976931348623157e308]
NON_FINITE = [math.nan, math.inf, -math.inf]

REAL_DTYPES = ["float64", "float32", "float16", "int8", "int64", "uint8", "uint64", "bool",
               ">f8", ">f4"]
OTHER_DTYPES = ["complex128", "object", "U3", "S3", "datetime64[s]"]

# Row counts either side of the kernels' block sizes (2048 one-feature, 256 d-feature)
BLOCK_EDGES = [255, 256, 257, 2047, 2048, 2049, 4097]

moderate = st.floats(-100.0, 100.0, allow_nan=False, allow_infinity=False)
extreme = st.one_of(st.sampled_from(SPECIAL), st.floats(allow_nan=False, allow_infinity=False))
anything = st.one_of(extreme, st.sampled_from(NON_FINITE))


@st.composite
def real_arrays(draw, shape, values=moderate):
    """A float64 array of ``shape`` (large ones tiled from a few drawn values)."""
    size = int(np.prod(shape))
    drawn = draw(st.lists(values, min_size=min(size, 1), max_size=min(size, 8) or 1))
    if size and len(drawn) < size:
        pattern = np.array(drawn)
        # a cheap, deterministic spread of the drawn values over the array
        drawn = pattern[(np.arange(size) * 7919) % len(pattern)]
    return np.asarray(drawn, dtype=np.float64)[:size].reshape(shape)


def as_dtype(values, dtype):
    """``values`` (float64) as an array of ``dtype``, as a user would build it."""
    dtype = np.dtype(dtype)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if dtype.kind in "iu":
            info = np.iinfo(dtype)
            return np.clip(np.nan_to_num(values), info.min, info.max).astype(dtype)
        if dtype.kind == "b":
            return values != 0
        if dtype.kind == "O":
            return values.astype(object)
        if dtype.kind in "US":
            return values.astype("U3").astype(dtype)
        if dtype.kind == "M":
            return np.nan_to_num(values, posinf=0, neginf=0).astype("int64").astype(dtype)
        return values.astype(dtype)


LAYOUTS = ["C", "F", "strided", "transposed", "read-only", "list", "read-only F"]


def with_layout(a, layout):
    """The same values in another memory layout (or as nested lists)."""
    if layout == "F":
        return np.asfortranarray(a)
    if layout == "strided":        # every other element of a twice-as-long array
        big = np.repeat(a, 2, axis=0) if a.ndim else a
        return big[::2] if a.ndim else big
    if layout == "transposed" and a.ndim == 2:
        return np.ascontiguousarray(a.T).T
    if layout in ("read-only", "read-only F"):     # as np.load(..., mmap_mode="r") gives
        a = np.array(a, order="F" if layout == "read-only F" else "C")
        a.flags.writeable = False
        return a
    if layout == "list" and a.dtype.kind in "biuf" and a.size <= 64:
        return a.tolist()
    return a


@st.composite
def data(draw, *, kinds=("valid", "extreme", "bad"), max_rows=6, real_only=False):
    """(x, y): any shapes, dtypes, layouts and values fit and cost may be given."""
    kind = draw(st.sampled_from(kinds))
    ndim = draw(st.sampled_from([1, 1, 2, 2] + ([0, 3] if kind == "bad" else [])))
    rows = draw(st.one_of(st.integers(1, max_rows), st.sampled_from(BLOCK_EDGES)))
    if kind == "bad" and draw(st.booleans()):
        rows = draw(st.sampled_from([0, rows]))
    cols = draw(st.integers(1, 4))
    if kind == "bad" and ndim == 2 and draw(st.booleans()):
        cols = 0
    shape = {0: (), 1: (rows,), 2: (rows, cols), 3: (rows, cols, 2)}[ndim]
    y_rows = rows
    if kind == "bad" and draw(st.booleans()):
        y_rows = draw(st.integers(0, rows + 2))
    values = {"valid": moderate, "extreme": extreme, "bad": anything}[kind]
    x = draw(real_arrays(shape, values))
    y = draw(real_arrays((y_rows,), values))
    dtypes = REAL_DTYPES + ([] if real_only or kind != "bad" else OTHER_DTYPES)
    x = with_layout(as_dtype(x, draw(st.sampled_from(dtypes))), draw(st.sampled_from(LAYOUTS)))
    y = with_layout(as_dtype(y, draw(st.sampled_from(dtypes))), draw(st.sampled_from(LAYOUTS)))
    return x, y


# ---------------------------------------------------------------------------
# Parameters: valid values, and bad ones with the error they must raise
# ---------------------------------------------------------------------------
VALID = {
    "learning_rate": st.one_of(st.floats(1e-6, 2.0), st.sampled_from(
        ["auto", 1, np.float32(0.5), np.float64(0.01), 1e-300, 1e300])),
    "max_iter": st.one_of(st.integers(0, 30), st.sampled_from([np.int64(3), np.uint8(2)])),
    "tol": st.sampled_from([None, 0.0, 1e-300, 1e-6, 1.0, math.inf, 0, np.float32(1e-3)]),
    "cost": st.sampled_from(["half_mse", "mse"]),
    "record_every": st.one_of(st.integers(0, 5), st.just(np.int32(2))),
    "fit_intercept": st.sampled_from([True, False, np.True_]),
    "standardize": st.sampled_from([False, False, True, np.False_]),
    "method": st.sampled_from(["batch", "batch", "stats"]),
    "n_threads": st.sampled_from([None, 1, 2, 3]),
}

BAD = {  # name: [(value, exception), ...]
    "learning_rate": [(0.0, ValueError), (-0.1, ValueError), (math.nan, ValueError),
                      (math.inf, ValueError), ("fast", TypeError), (None, TypeError),
                      (True, TypeError), (1j, TypeError), ([0.1], TypeError)],
    "max_iter": [(-1, ValueError), (2 ** 70, ValueError), (1.0, TypeError), (None, TypeError),
                 (True, TypeError), ("10", TypeError), (np.float64(3), TypeError)],
    "tol": [(-1e-9, ValueError), (math.nan, ValueError), ("1e-6", TypeError),
            (False, TypeError), (1j, TypeError)],
    "cost": [("MSE", ValueError), ("", ValueError), (None, TypeError), (2, TypeError)],
    "record_every": [(-2, ValueError), (2 ** 64, ValueError), (0.5, TypeError),
                     (None, TypeError)],
    "fit_intercept": [(1, TypeError), ("yes", TypeError), (None, TypeError)],
    "standardize": [(0, TypeError), ("no", TypeError)],
    "progress": [(1, TypeError), ("yes", TypeError)],
    "callback": [(3, TypeError), ("print", TypeError)],
    "method": [("newton", ValueError), (None, TypeError)],
    "n_threads": [(0, ValueError), (-1, ValueError), (1.5, TypeError), (True, TypeError)],
    "init": [("ab", TypeError), (1.0, TypeError), ("length", ValueError),
             ("nan", ValueError), ("inf", ValueError), ("word", TypeError)],
    "sample_weight": [("negative", ValueError), ("nan", ValueError), ("zeros", ValueError),
                      ("length", ValueError), ("2-D", ValueError), ("words", TypeError)],
}
SPLIT = ("init", "sample_weight")   # bad values that depend on the data's shape


@st.composite
def fit_params(draw, *, bad=True):
    """(params, bad_name, bad_exception): valid fit() keywords with at most one bad one."""
    params = {name: draw(s) for name, s in VALID.items() if draw(st.booleans())}
    # fit's default of 100 000 would make the NumPy oracle's replay of an
    # ill-conditioned draw slow; the contract does not depend on it
    params.setdefault("max_iter", 1000)
    bad_name = draw(st.sampled_from([None] * len(BAD) + sorted(BAD))) if bad else None
    bad_exc = None
    if bad_name is not None and bad_name not in SPLIT:
        params[bad_name], bad_exc = draw(st.sampled_from(BAD[bad_name]))
    params["_init"] = draw(st.sampled_from([None, "zeros", "values", "extreme"]))
    params["_bad_init"] = draw(st.sampled_from(BAD["init"]))
    params["_weights"] = draw(st.sampled_from([None, None, "ones", "values"]))
    params["_bad_weights"] = draw(st.sampled_from(BAD["sample_weight"]))
    params["_init_values"] = draw(st.lists(extreme, min_size=8, max_size=8))
    params["_init_moderate"] = draw(st.lists(moderate, min_size=8, max_size=8))
    return params, bad_name, bad_exc


def n_params(x, fit_intercept):
    """How many numbers init must hold for this x."""
    shape = np.shape(x)
    d = shape[1] if len(shape) >= 2 else 1
    return d + bool(fit_intercept)


def resolve_init(params, x, bad_name):
    """Turn the drawn init recipe into fit()'s ``init`` (and its expected error)."""
    params = dict(params)
    recipe, (bad_value, bad_exc) = params.pop("_init"), params.pop("_bad_init")
    values, moderate_values = params.pop("_init_values"), params.pop("_init_moderate")
    weights, (bad_weights, bad_weights_exc) = params.pop("_weights"), params.pop("_bad_weights")
    n = len(x) if np.ndim(x) >= 1 else 1
    if bad_name == "sample_weight":
        params["sample_weight"] = {
            "negative": [-1.0] + [1.0] * (n - 1), "nan": [math.nan] * n, "zeros": [0.0] * n,
            "length": [1.0] * (n + 1), "2-D": [[1.0]] * n, "words": ["a"] * n}[bad_weights]
        return params, bad_weights_exc
    if weights is not None:
        params["sample_weight"] = ([1.0] * n if weights == "ones"
                                   else [1.0 + abs(v) % 3 for v in moderate_values] * n)[:n]
    p = n_params(x, params.get("fit_intercept", True))
    if bad_name == "init":
        init = {"length": [0.0] * (p + 1), "nan": [0.0] * (p - 1) + [math.nan],
                "inf": [math.inf] + [0.0] * (p - 1), "word": ["a"] * p}.get(bad_value, bad_value)
        params["init"] = init
        return params, bad_exc
    if recipe is not None:
        params["init"] = {"zeros": [0] * p, "values": moderate_values[:p],
                          "extreme": values[:p]}[recipe]
    return params, None


# ---------------------------------------------------------------------------
# What the data must raise
# ---------------------------------------------------------------------------
def data_problems(x, y):
    """The (exception, argument) pairs bad data may raise; empty for valid data."""
    problems = []
    arrays = {}
    for name, a in (("x", x), ("y", y)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                arr = np.asarray(a)
        except (ValueError, TypeError):
            problems.append((ValueError, name))
            continue
        arrays[name] = arr
        if arr.dtype.kind not in "biuf":
            problems.append((TypeError, name))
        allowed = (1, 2) if name == "x" else (1,)
        if arr.ndim not in allowed or 0 in arr.shape:
            problems.append((ValueError, name))
        elif arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
            problems.append((ValueError, name))
    if len(arrays) == 2 and np.ndim(arrays["y"]) >= 1 and np.ndim(arrays["x"]) >= 1:
        if arrays["x"].shape[0] != arrays["y"].shape[0]:
            problems.append((ValueError, "x and y"))
    return problems


def _raised_one_of(exc, problems):
    """True if ``exc`` is one of the (type, argument) problems, its message starting with the name."""
    message = str(exc)
    return any(type(exc) is kind and message.startswith(name) for kind, name in problems)


# ---------------------------------------------------------------------------
# Valid input: what a result must be
# ---------------------------------------------------------------------------
DOCUMENTED_WARNINGS = (gdfast.ConvergenceWarning, gdfast.DivergenceWarning)
DEFAULT_LEARNING_RATE = inspect.signature(gdfast.fit).parameters["learning_rate"].default
DEFAULT_MAX_ITER = inspect.signature(gdfast.fit).parameters["max_iter"].default


def _check_warnings(caught, x, params):
    for w in caught:
        if issubclass(w.category, DOCUMENTED_WARNINGS):
            continue
        more_params = (w.category is UserWarning and np.ndim(x) == 2
                       and "least-squares solution is not unique" in str(w.message)
                       and n_params(x, params.get("fit_intercept", True)) > np.shape(x)[0])
        assert more_params, f"undocumented warning {w.category.__name__}: {w.message}"


def _finite_history(history):
    arrays = [history.intercept, history.cost, history.coef]
    return all(np.all(np.isfinite(a)) for a in arrays)


def check_valid_outcome(result, error, x, y, params, oracle=None):
    """The contract of a fit on valid input; returns the outcome's name."""
    max_iter = int(params.get("max_iter", DEFAULT_MAX_ITER))
    if isinstance(error, gdfast.DivergenceError):
        partial = error.result
        assert _finite_history(partial.history), "a diverged fit's history must be finite"
        assert isinstance(partial.diagnosis, str)
        if len(partial.history):
            assert math.isfinite(partial.cost) and partial.n_iter <= max_iter
            assert partial.history.iteration[-1] == partial.n_iter
            if oracle is not None:
                oracle(partial, x, y, params)
        else:
            assert "not finite at the starting point" in str(error)
        return "diverged"
    if isinstance(error, ValueError):
        message = str(error)
        if message.startswith("learning_rate='auto'"):
            assert params.get("learning_rate", DEFAULT_LEARNING_RATE) == "auto"
            assert np.max(np.abs(np.asarray(x, dtype=np.float64))) > 1e150, message
            return "refused: auto"
        assert message.startswith("standardize=True cannot scale column"), message
        assert params.get("standardize"), message
        return "refused: standardize"
    assert error is None, f"undocumented {type(error).__name__}: {error}"
    values = [result.intercept, result.cost, result.gradient_norm, *result.coef]
    assert all(math.isfinite(v) for v in values), f"non-finite result {values}"
    assert _finite_history(result.history), "non-finite history"
    assert result.history.iteration[0] == 0 and result.history.iteration[-1] == result.n_iter
    assert result.n_iter <= max_iter
    assert isinstance(result.diagnosis, str)
    if oracle is not None:
        oracle(result, x, y, params)
    return "converged" if result.converged else "max_iter"


def check_fit(x, y, params, bad_name=None, bad_exc=None, oracle=None):
    """Call gdfast.fit on drawn input and assert the contract; returns the outcome's name."""
    kwargs, init_exc = resolve_init(params, x, bad_name) if "_init" in params else (params, None)
    bad_exc = init_exc if bad_name in SPLIT else bad_exc
    problems = data_problems(x, y)
    result = error = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = gdfast.fit(x, y, **kwargs)
            diagnosis = result.diagnosis        # worked out on first access
        except (TypeError, ValueError, gdfast.DivergenceError) as exc:
            error = exc
            if isinstance(exc, gdfast.DivergenceError):
                diagnosis = exc.result.diagnosis
        else:
            assert isinstance(diagnosis, str)
    if problems or bad_name is not None:
        expected = problems + ([(bad_exc, bad_name)] if bad_name is not None else [])
        if bad_name in SPLIT and problems:
            expected = problems          # the data are checked first
        assert error is not None and _raised_one_of(error, expected), (
            f"expected one of {expected}, got {error!r}")
        return "rejected"
    _check_warnings(caught, x, kwargs)
    return check_valid_outcome(result, error, x, y, kwargs, oracle)


# ---------------------------------------------------------------------------
# cost()
# ---------------------------------------------------------------------------
def check_cost(x, y, intercept, slope, kind):
    """gdfast.cost: the documented error, or NumPy's float64 value of J."""
    problems = data_problems(x, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value, error = gdfast.cost(x, y, intercept, slope, kind), None
        except (TypeError, ValueError) as exc:
            value, error = None, exc
    assert not caught, [str(w.message) for w in caught]
    if problems:
        assert error is not None and _raised_one_of(error, problems), (problems, error)
        return "rejected"
    if kind not in ("mse", "half_mse"):
        assert _raised_one_of(error, [(ValueError, "kind"), (TypeError, "kind")]), error
        return "rejected"
    xf = np.asarray(x, dtype=np.float64)
    xf = xf[:, None] if xf.ndim == 1 else xf
    b = np.atleast_1d(np.asarray(slope, dtype=np.float64))
    yf = np.asarray(y, dtype=np.float64)
    with np.errstate(all="ignore"):
        terms = np.column_stack([xf * b, np.full(len(yf), float(intercept)), -yf])
        r = intercept + xf @ b - yf
        expected = np.mean(r * r) * (0.5 if kind == "half_mse" else 1.0)
    if error is not None:
        # documented for 2-D x: the line's terms overflow with both signs (inf - inf),
        # even scaled by 2**-64 (gdfast/_cost.py's message, tests/test_robustness.py)
        assert str(error).startswith("slope: the line's value at x[") and np.ndim(x) == 2, error
        with np.errstate(all="ignore"):   # some order of the terms' sum overflows
            assert not np.all(np.isfinite(np.sum(np.abs(terms), axis=1))), error
        return "rejected: overflow"
    assert not math.isnan(value), "cost() returned NaN"
    # the order of the residual's terms is free: the error bound is relative to
    # their size, |intercept| + |x| @ |slope| + |y|, not to the residual (cancellation)
    with np.errstate(all="ignore"):
        size = abs(intercept) + np.abs(xf) @ np.abs(b) + np.abs(yf)
        bound = 1e-12 * np.mean(size * size) * (0.5 if kind == "half_mse" else 1.0)
    if math.isfinite(expected):
        assert abs(value - expected) <= 1e-9 * expected + bound + 1e-300, (value, expected)
    elif math.isfinite(bound):
        assert value > 1e300, (value, expected)   # NumPy overflows: so must J be huge
    return "finite" if math.isfinite(value) else "inf"


# ---------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------
CELLS = ["1", "-2.5", "0", "1e300", "-1e300", "1e-320", "nan", "inf", "", "abc", "1,2", '"3"',
         " 4 ", "0x10", "1e999", "true", "1_000"]


@st.composite
def cli_files(draw):
    """(file name, file bytes): a CSV of random cells, or an .npy/.npz of random arrays."""
    kind = draw(st.sampled_from(["csv", "csv", "tsv", "npy", "npz", "txt", "json"]))
    if kind in ("csv", "tsv", "txt", "json"):
        sep = "\t" if kind == "tsv" else ","
        rows = draw(st.integers(0, 6))
        cols = draw(st.integers(1, 3))
        lines = [sep.join(["a", "b", "c"][:cols])] if draw(st.booleans()) else []
        clean = draw(st.booleans())     # numbers only, or any cells
        cells = st.sampled_from(CELLS[:3]) if clean else st.sampled_from(CELLS)
        for _ in range(rows):
            n = cols if clean or draw(st.integers(0, 4)) else draw(st.integers(0, cols + 1))
            lines.append(sep.join(draw(cells) for _ in range(n)))
        return f"data.{kind}", ("\n".join(lines) + "\n").encode()
    x, y = draw(data(max_rows=5))
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "npy":
            table = np.asarray(x) if np.ndim(x) == 2 else np.asarray(y)
            np.save(buffer, table, allow_pickle=False) if table.dtype.kind != "O" else None
        else:
            np.savez(buffer, x=np.asarray(x).astype("float64", copy=False)
                     if np.asarray(x).dtype.kind == "O" else np.asarray(x),
                     y=np.asarray(y).astype("float64", copy=False)
                     if np.asarray(y).dtype.kind == "O" else np.asarray(y))
    return f"data.{kind}", buffer.getvalue()


OPTION_VALUES = ["0.1", "auto", "-1", "0", "nan", "inf", "1e-300", "abc", "3", "none", "2.5",
                 "1e400", "-0", "99999999999999999999999"]
OPTIONS = ["--learning-rate", "--max-iter", "--tol", "--cost", "--init", "--record-every",
           "--y", "--x"]


@st.composite
def cli_argv(draw):
    """Options for `gdfast fit FILE`, good and bad."""
    argv = []
    for option in draw(st.lists(st.sampled_from(OPTIONS), max_size=2, unique=True)):
        count = draw(st.integers(1, 3)) if option in ("--init", "--x") else 1
        argv += [option] + [draw(st.sampled_from(OPTION_VALUES + ["a", "b", "mse"]))
                            for _ in range(count)]
    if "--max-iter" not in argv:
        argv += ["--max-iter", "50"]      # keep each run short
    argv += draw(st.sampled_from([[], ["--json"], ["--progress"]]))
    return argv


def check_cli(folder, name, content, argv):
    """`gdfast fit` on a drawn file: exit 0, 1 (diverged) or 2 with one line on stderr, never a traceback."""
    from gdfast.cli import main

    path = folder / name
    path.write_bytes(content)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
            warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            code = main(["fit", str(path), *argv])
        except SystemExit as exc:          # argparse's usage errors
            code = exc.code
    out, err = out.getvalue(), err.getvalue()
    assert "Traceback" not in err, err
    assert code in (0, 1, 2), (code, err)
    if code == 2:
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and ("error:" in lines[0]), err
        return "rejected"
    if "--json" in argv and code == 0:
        import json
        record = json.loads(out)
        assert all(math.isfinite(v) for v in [record["intercept"], record["cost"], *record["coef"]])
    elif "--json" not in argv:
        assert re.search(r": \d+ points?( \(\d+ rows? with missing cells dropped\))?, y = ",
                         out), out
    return "fitted" if code == 0 else "diverged"


# ---------------------------------------------------------------------------
# The scikit-learn estimator
# ---------------------------------------------------------------------------
ESTIMATOR_PARAMS = {
    "learning_rate": st.sampled_from(["auto", 0.01, 0.5, 1e-300, 1e300, 0.0, -1.0, "fast"]),
    "max_iter": st.sampled_from([0, 1, 20, 200, -1]),
    "tol": st.sampled_from([None, 0.0, 1e-6, -1.0]),
    "cost": st.sampled_from(["half_mse", "mse", "l1"]),
    "fit_intercept": st.booleans(),
    "standardize": st.booleans(),
}


@st.composite
def estimator_params(draw):
    return {name: draw(s) for name, s in ESTIMATOR_PARAMS.items() if draw(st.booleans())}


def check_estimator(x, y, params, weights=None):
    """GDRegressor(**params).fit(x, y): a TypeError/ValueError (scikit-learn's validation words
    its own messages), a DivergenceError, or a fitted model whose predictions are finite and
    equal intercept_ + X @ coef_; no warning but the documented ones."""
    from gdfast import GDRegressor

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = GDRegressor(**params).fit(x, y, sample_weight=weights)
        except (TypeError, ValueError) as exc:
            assert str(exc), f"an error without a message: {exc!r}"
            return "rejected"
        except gdfast.DivergenceError as exc:
            assert _finite_history(exc.result.history)
            return "diverged"
        xf = np.asarray(x, dtype=np.float64)
        xf = xf[:, None] if xf.ndim == 1 else xf
        predicted = model.predict(x)
    for w in caught:
        assert issubclass(w.category, (gdfast.ConvergenceWarning, gdfast.DivergenceWarning,
                                       UserWarning)) and w.category is not RuntimeWarning, (
            f"undocumented warning {w.category.__name__}: {w.message}")
    assert np.all(np.isfinite(model.coef_)) and math.isfinite(model.intercept_)
    with np.errstate(all="ignore"):
        expected = model.intercept_ + xf @ model.coef_
    finite = np.isfinite(expected)
    assert np.array_equal(np.isfinite(predicted), finite)
    np.testing.assert_allclose(predicted[finite], expected[finite], rtol=1e-12, atol=1e-300)
    return "fitted"
