"""Input and parameter checks, run before any work starts.

The Cython kernel trusts its arguments (no bounds checks), so every value
that reaches it passes through here first.  Each failure is a TypeError
(wrong kind of thing) or ValueError (right kind, wrong value) whose message
names the argument and says what is wrong.

The two entries a fit goes through: :func:`check_fit_data` for the data
(a :class:`FitData`) and :func:`check_descent_options` for the options (a
:class:`DescentOptions`).  gdfast.dask checks each block of its data with
the same code (:func:`finite_for_kernel`, :func:`check_nonnegative_weights`).
"""
import math
import numbers
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Any, Optional, Union

import numpy as np

from . import _threads
from ._engine import kernels as engine

COSTS = ("half_mse", "mse")
METHODS = ("batch", "stats")

# The largest iteration count the kernel's Py_ssize_t counters hold.
_MAX_COUNT = np.iinfo(np.intp).max
# More threads than this is a mistake, not a machine (and fits a C int).
_MAX_THREADS = 4096


def plural(count, word, words=None):
    """``"1 point"``, ``"2 points"``: ``count`` and the word in the number it needs."""
    return f"{count} {word if count == 1 else (words or word + 's')}"


def unmasked(a, name):
    """The data of ``a`` if it is a masked array with no masked value; refuse a masked value.

    np.asarray drops a mask silently, so a masked value would be fitted as
    whatever number lies under it.  gdfast does not skip points: the caller
    says which to drop (or to weight 0).
    """
    if not isinstance(a, np.ma.MaskedArray):
        return a
    mask = np.ma.getmaskarray(a)
    n_masked = int(np.count_nonzero(mask))
    if n_masked == 0:
        return np.ma.getdata(a)
    first = ", ".join(str(int(i)) for i in np.argwhere(mask)[0])
    what = (f"{name} is a masked array with {plural(n_masked, 'masked value')} (the first: "
            f"{name}[{first}]), and gdfast does not skip masked values")
    if name == "sample_weight":
        raise ValueError(f"{what}: fill them with the weights meant, e.g. "
                         f"sample_weight.filled(0) to drop those points")
    if mask.ndim == 2:
        how = (f"drop those rows (keep = ~np.ma.getmaskarray({name}).any(axis=1), then "
               f"{name}.data[keep] and the other arrays [keep])")
    else:
        how = (f"drop those points (keep = ~np.ma.getmaskarray({name}), then {name}.data[keep] "
               f"and the other arrays [keep]; {name}.compressed() if only {name} is masked)")
    raise ValueError(f"{what}: {how}, or pass {name}.filled(0) with sample_weight=0 for them")


def _as_real_array(a, name):
    """np.asarray(a) if it is an array of real numbers, else raise."""
    a = unmasked(a, name)
    try:
        arr = np.asarray(a)
    except (ValueError, TypeError) as exc:  # ragged nested sequences
        raise ValueError(f"{name} could not be read as an array: {exc}") from None
    if arr.dtype.kind not in "biuf":
        what = {"c": "complex", "O": "object", "U": "string", "S": "bytes",
                "M": "datetime", "m": "timedelta", "V": "structured"}.get(
                    arr.dtype.kind, arr.dtype.kind)
        raise TypeError(f"{name} must hold real numbers (float, int or bool), "
                        f"got a {what} array of dtype {arr.dtype}")
    return arr


def _as_1d_array(a, name):
    """np.asarray(a) if it is a 1-D array of real numbers, else raise."""
    arr = _as_real_array(a, name)
    if arr.ndim != 1:
        if arr.ndim == 0:
            raise ValueError(f"{name} must be a 1-D array of points, got a scalar (0-d)")
        raise ValueError(f"{name} must be a 1-D array of points, got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: at least one point is needed")
    return arr


def kernel_dtype(x_dtype, y_dtype):
    """The dtype the kernels read x and y in: float32 if both are, else float64.

    float32 data stays float32 (half the bytes per pass, sums still in
    double); a mix is widened, never narrowed.
    """
    return np.float32 if (x_dtype == np.float32 and y_dtype == np.float32) else np.float64


def check_xy(x, y):
    """Validate the data and return it as the kernel takes it.

    Returns x and y as C-contiguous arrays of one dtype: float32 when both
    are float32, else float64 (ints, bools, float16 become float64).  An
    array that already has that dtype and layout is returned as is: read-only
    and memory-mapped arrays are not copied.
    """
    x = _as_1d_array(x, "x")
    y = _as_1d_array(y, "y")
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"x and y must have the same length, got {x.shape[0]} and {y.shape[0]}")
    dtype = kernel_dtype(x.dtype, y.dtype)
    return finite_for_kernel(x, "x", dtype), finite_for_kernel(y, "y", dtype)


def finite_for_kernel(arr, name, dtype, first_row=0):
    """``arr`` as a contiguous array of ``dtype`` (a copy only if needed), checked finite.

    ``first_row``: the row of the whole data where ``arr`` starts (a block of
    it, in gdfast.dask), so the message names the row of the whole data.

    A 2-D array of the right dtype keeps its order if it is C- or
    F-contiguous.  Any other layout (a strided view, a slice of columns) or
    dtype is copied, to F order: the faster layout for the d-feature kernel
    (1.4x to 2.3x per iteration, see bench/features.md).  A C-ordered
    array is not copied to F order: that copy would double the memory
    held for the data.
    """
    finite_by_type = arr.dtype.kind in "biu"
    given = arr
    # a wider float (long double) may hold values beyond the kernel's dtype:
    # they become inf in the cast, reported below with the value given
    with np.errstate(over="ignore"):
        # a copy only if the dtype or the layout (strides, byte order) differ
        if arr.ndim == 2 and (arr.dtype != dtype or not arr.flags.c_contiguous):
            arr = np.asfortranarray(arr, dtype=dtype)
        else:
            arr = np.ascontiguousarray(arr, dtype=dtype)
    if not finite_by_type:
        # ravel in memory order: a view of a C- or F-contiguous array
        flat = arr.ravel(order="K")
        bad = engine.first_nonfinite(flat)
        if bad >= 0:
            index = np.unravel_index(bad, arr.shape,
                                     order="C" if arr.flags.c_contiguous else "F")
            where = ", ".join(str(int(i) + first_row * (axis == 0))
                              for axis, i in enumerate(index))
            value = given[tuple(index)]
            if np.isfinite(value):
                shown = np.format_float_scientific(value, precision=3)
                raise ValueError(f"{name}[{where}] is {shown}, beyond the range of "
                                 f"{np.dtype(dtype).name} (+-{np.finfo(dtype).max:.4g}) that "
                                 f"the kernels compute in; rescale {name}")
            raise ValueError(f"{name} must be finite, but {name}[{where}] is {flat[bad]}")
    return arr


def _as_design(a):
    """``a`` as an array of real numbers of shape (N, d), N, d >= 1, else raise."""
    arr = _as_real_array(a, "x")
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"x must be a 1-D array (N,) of points or a 2-D array (N, d) of "
                         f"N points with d features, got shape {arr.shape}")
    if arr.shape[1] == 0:
        raise ValueError(f"x has 0 columns: at least one feature is needed, got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"x is empty: at least one point is needed, got shape {arr.shape}")
    return arr


def check_data(x, y):
    """Validate x, of shape (N,) or (N, d), and y, of shape (N,).

    A 1-D x goes through :func:`check_xy` unchanged.  A 2-D x and y come back
    as float32 when both are float32, else float64; x C- or F-contiguous
    (kept as given when it already is), y contiguous.
    """
    arr = x if isinstance(x, np.ndarray) else _as_real_array(x, "x")
    if arr.ndim != 2:
        if arr.ndim > 2:
            _as_design(arr)  # raises with the shape
        return check_xy(arr, y)
    arr = _as_real_array(arr, "x")
    arr = _as_design(arr)
    y = _as_1d_array(y, "y")
    if arr.shape[0] != y.shape[0]:
        raise ValueError(f"x and y must have the same number of points (rows of x), "
                         f"got {arr.shape[0]} and {y.shape[0]}")
    dtype = kernel_dtype(arr.dtype, y.dtype)
    return finite_for_kernel(arr, "x", dtype), finite_for_kernel(y, "y", dtype)


# Weights whose largest is outside [2**-64, 2**64] are rescaled by a power of
# two (exact) before use: only their ratios change a fit, and this keeps their
# sum and each weighted square clear of float64's (and float32's) limits.
_WEIGHT_RANGE = (2.0 ** -64, 2.0 ** 64)


def check_sample_weight(sample_weight, n, dtype, allow_zero_sum=False):
    """Validate the weights of the N points: (weights, their sum as a float), or (None, N).

    ``allow_zero_sum``: all-zero weights are accepted (a chunk of a stream,
    whose statistics merge with others', may hold only zero weights).

    Returned 1-D, contiguous, in the data's ``dtype`` (float32 weights for
    float32 data: the kernel reads both through one fused type, and each
    product is accumulated in float64), copied only when the dtype or
    layout differ or the weights are rescaled.  Each weight must be finite
    and >= 0, and their sum > 0.  Weights are relative: when the largest is
    beyond 2**64 or below 2**-64 all are multiplied by the power of two
    that brings it into [0.5, 1) (exact, and the fit is the same), so that
    uniform weights of 1e-310 or 1e300, or 1e39 with float32 data, give the
    unweighted fit.  See :func:`checked_weights` for the factor.
    """
    w, total, _ = checked_weights(sample_weight, n, dtype, allow_zero_sum)
    return w, total


def checked_weights(sample_weight, n, dtype, allow_zero_sum=False):
    """:func:`check_sample_weight`, and the exponent e of the rescaling: w = given * 2**e.

    (None, N, 0) without weights.
    """
    if sample_weight is None:
        return None, float(n), 0
    w = _as_real_array(sample_weight, "sample_weight")
    if w.ndim != 1:
        raise ValueError(f"sample_weight must be a 1-D array of one weight per point, got "
                         f"shape {w.shape}")
    if w.shape[0] != n:
        raise ValueError(f"sample_weight must hold one weight per point: got "
                         f"{plural(w.shape[0], 'weight')} for {plural(n, 'point')}")
    # checked in their own precision before the rescaling and the cast to the
    # data's dtype (float64 weights of 1e39 are fine for float32 data once
    # rescaled); ints and float16 go straight to the data's dtype
    own = weights_dtype(w.dtype, dtype)
    w = finite_for_kernel(w, "sample_weight", own)
    check_nonnegative_weights(w)
    largest = float(np.max(w))
    if largest == 0 and not allow_zero_sum:
        raise ValueError("sample_weight is all zeros: at least one point needs a weight > 0")
    exponent = weight_exponent(largest)
    if exponent:
        # ldexp is exact, and never overflows where 2.0**exponent itself
        # would (weights of 1e-310)
        w = np.ldexp(w, exponent, out=np.empty(n, dtype), casting="same_kind")
    elif w.dtype != dtype:
        w = w.astype(dtype)
    return w, float(np.sum(w, dtype=np.float64)), exponent


def check_nonnegative_weights(w, first_row=0):
    """Raise ValueError at the first weight below 0 of ``w`` (finite, 1-D), naming its row.

    ``first_row``: the row of the whole data where ``w`` starts (a block of
    it, in gdfast.dask).
    """
    negative = np.flatnonzero(w < 0)
    if negative.size:
        i = int(negative[0])
        raise ValueError(f"sample_weight must be >= 0, but sample_weight[{first_row + i}] "
                         f"is {w[i]}")


def weight_exponent(largest):
    """e such that weights whose largest is ``largest`` are used as w * 2**e (see
    :func:`check_sample_weight`): 0 inside the safe range, else largest * 2**e is in
    [0.5, 1)."""
    if largest > 0 and not _WEIGHT_RANGE[0] <= largest <= _WEIGHT_RANGE[1]:
        return -math.frexp(largest)[1]
    return 0


def weights_dtype(given, data_dtype):
    """The dtype weights of dtype ``given`` are checked in before their rescaling: their own
    float32/float64 (1e39 is fine for float32 data once rescaled), else the data's."""
    if given in (np.float32, np.float64):
        return np.dtype(given)
    return np.dtype(np.float64) if given.kind == "f" and given.itemsize > 8 else data_dtype


def check_points(x, d):
    """Validate the points to predict at: (N,) for one feature or (N, d); returned (N, d).

    Finite, float32 kept as float32 and other real dtypes as float64 (a copy
    only when needed, as for the data of a fit); N = 0 is allowed.
    """
    arr = _as_real_array(x, "x")
    if arr.ndim == 1 and d == 1:
        arr = arr[:, None]
    elif arr.ndim != 2:
        got = "a scalar" if arr.ndim == 0 else f"shape {arr.shape}"
        want = "a 1-D array (N,) or a 2-D array (N, 1)" if d == 1 else f"a 2-D array (N, {d})"
        hint = "" if arr.ndim != 1 else "; one point is x.reshape(1, -1)"
        raise ValueError(f"x must be {want} of points for a fit of {plural(d, 'feature')}, "
                         f"got {got}{hint}")
    if arr.shape[1] != d:
        raise ValueError(f"x has {plural(arr.shape[1], 'column')}, but the fit has "
                         f"{plural(d, 'feature')}: x must have shape (N, {d})")
    return finite_for_kernel(arr, "x", np.float32 if arr.dtype == np.float32 else np.float64)


def check_design(x):
    """Validate x alone (for the learning-rate limits): returned 2-D, (N, 1) for 1-D x.

    float32 stays float32, other real dtypes become float64.
    """
    arr = _as_design(x)
    dtype = np.float32 if arr.dtype == np.float32 else np.float64
    return finite_for_kernel(arr, "x", dtype)


def check_real(value, name, *, low=None, low_inclusive=True, allow_inf=False):
    """Return ``value`` as a float if it is a real number in range, else raise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} of type {type(value).__name__}")
    given = value
    try:
        with np.errstate(over="ignore"):  # a long double beyond float64: inf, reported below
            value = float(value)
        beyond = math.isinf(value) and isinstance(given, np.floating) and np.isfinite(given)
    except OverflowError:  # a Python int (or Fraction) beyond float64
        value, beyond = (-math.inf if given < 0 else math.inf), True
    # math's tests on a Python float: NumPy's ufuncs cost a microsecond each here
    if math.isnan(value) or (math.isinf(value) and not allow_inf):
        if beyond:
            raise ValueError(f"{name} must be a finite number, got {_short(given)}, beyond "
                             f"the float64 range (+-1.8e308)")
        raise ValueError(f"{name} must be a finite number, got {value}")
    if low is not None and (value < low or (value == low and not low_inclusive)):
        rel = ">=" if low_inclusive else ">"
        raise ValueError(f"{name} must be {rel} {low}, got {value}")
    return value


def _short(value):
    """A number beyond float64 (a long int, a long double), in a few characters."""
    if isinstance(value, np.floating):
        return np.format_float_scientific(value, precision=3)
    if isinstance(value, numbers.Integral):
        return f"{'-' if value < 0 else ''}about 1e{len(str(abs(int(value)))) - 1}"
    return f"a {type(value).__name__}"


def check_count(value, name):
    """Return ``value`` as an int if it is an integer >= 0, else raise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} of type {type(value).__name__}")
    value = int(value)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    if value > _MAX_COUNT:
        raise ValueError(f"{name} must be at most {_MAX_COUNT}, got {value}")
    return value


def check_record_every(value):
    """Return ``"auto"``, or ``value`` as an int if it is an integer >= 0; else raise."""
    if isinstance(value, str) and value == "auto":
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"record_every must be an integer >= 0 or 'auto', got {value!r} "
                        f"of type {type(value).__name__}")
    return check_count(value, "record_every")


def check_cost(cost, name="cost"):
    """Return the cost's name if it is one gdfast knows, else raise."""
    if not isinstance(cost, str):
        raise TypeError(f"{name} must be one of {COSTS}, got {cost!r} of type {type(cost).__name__}")
    if cost not in COSTS:
        raise ValueError(f"{name} must be one of {COSTS}, got {cost!r}")
    return cost


def _ordered_values(values, name, what):
    """``values`` as a list if it is an ordered sequence or 1-D array, else raise.

    A dict or a set would be read by its keys or in an arbitrary order, a
    string as its characters: each is refused, as is anything that is not a
    sequence (a generator, a number).
    """
    wanted = f"{name} must be an ordered sequence (a list, tuple or 1-D array) of {what}"
    if isinstance(values, (Mapping, Set)):
        raise TypeError(f"{wanted}, got a {type(values).__name__}, which has no order of "
                        f"parameters")
    if (isinstance(values, (str, bytes, bytearray))
            or not isinstance(values, (Sequence, np.ndarray)) and not hasattr(values, "__array__")):
        raise TypeError(f"{wanted}, got {values!r} of type {type(values).__name__}")
    if not isinstance(values, Sequence):   # an array, or an array-like (a pandas Series)
        values = np.asarray(unmasked(values, name))
        if values.ndim != 1:
            raise ValueError(f"{wanted}, got an array of shape {values.shape}")
    return list(values)


def check_init(init):
    """Return the starting (b0, b1) as two floats, else raise."""
    init = _ordered_values(init, "init", "two numbers (b0, b1)")
    if len(init) != 2:
        raise ValueError(f"init must be a pair of numbers (b0, b1), got "
                         f"{plural(len(init), 'value')}")
    b0 = check_real(init[0], "init[0] (the starting intercept b0)")
    b1 = check_real(init[1], "init[1] (the starting slope b1)")
    return b0, b1


def check_method(method):
    """Return the fitting method's name if it is one gdfast knows, else raise."""
    if not isinstance(method, str):
        raise TypeError(f"method must be one of {METHODS}, got {method!r} of type "
                        f"{type(method).__name__}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    return method


def check_n_threads(n_threads, n_points):
    """Return the thread count to use: ``n_threads`` (an int >= 1) capped at the cores
    this process may use, or the default (``_threads.default_threads``) if None."""
    if n_threads is None:
        return _threads.default_threads(n_points)
    if isinstance(n_threads, (bool, np.bool_)) or not isinstance(n_threads, numbers.Integral):
        raise TypeError(f"n_threads must be an integer >= 1 or None, got {n_threads!r} of "
                        f"type {type(n_threads).__name__}")
    if not 1 <= n_threads <= _MAX_THREADS:
        raise ValueError(f"n_threads must be between 1 and {_MAX_THREADS}, got {n_threads}")
    # more threads than cores only wait for each other at every iteration's barrier
    return _threads.capped_threads(int(n_threads))


def check_flag(value, name):
    """Return ``value`` as a bool if it is one, else raise."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r} of type {type(value).__name__}")
    return bool(value)


def check_learning_rate(value):
    """Return ``"auto"`` or the learning rate as a finite float > 0, else raise."""
    if isinstance(value, str):
        if value == "auto":
            return value
        raise TypeError(f"learning_rate must be a real number, got {value!r} of type str "
                        f"(the only string accepted is 'auto')")
    return check_real(value, "learning_rate", low=0.0, low_inclusive=False)


def check_l2(value):
    """Return the L2 penalty as a finite float >= 0, else raise."""
    return check_real(value, "l2", low=0.0)


def check_momentum(momentum, nesterov):
    """Return (momentum, nesterov): None, "auto" or a float in [0, 1); a bool; else raise."""
    nesterov = check_flag(nesterov, "nesterov")
    if momentum is None:
        return None, nesterov
    if isinstance(momentum, str):
        if momentum == "auto":
            return momentum, nesterov
        raise TypeError(f"momentum must be None, a real number in [0, 1) or 'auto', got "
                        f"{momentum!r} of type str (the only string accepted is 'auto')")
    momentum = check_real(momentum, "momentum", low=0.0)
    if not momentum < 1.0:
        raise ValueError(f"momentum must be below 1 (at 1 or above the descent never settles), "
                         f"got {momentum!r}")
    return momentum, nesterov


def check_params(init, d, fit_intercept, name="init"):
    """Return the starting parameters (b0, b1, ..., bd) as a float64 array, else raise.

    ``init`` holds b0..bd with an intercept and b1..bd without one (b0 is
    then 0); None starts from all zeros.
    """
    names = (["b0"] if fit_intercept else []) + [f"b{j}" for j in range(1, d + 1)]
    what = (f"{plural(len(names), 'number')} ({', '.join(names)}) for {plural(d, 'feature')} "
            f"{'with' if fit_intercept else 'without'} an intercept")
    if init is None:
        return np.zeros(d + 1)
    init = _ordered_values(init, name, what)
    if len(init) != len(names):
        raise ValueError(f"{name} must be {what}, got {plural(len(init), 'value')}")
    values = [check_real(v, f"{name}[{i}] ({param})") for i, (v, param) in enumerate(zip(init, names))]
    return np.array(([] if fit_intercept else [0.0]) + values)


def check_callback(callback):
    """Return ``callback`` if it is None or callable, else raise TypeError."""
    if callback is None or callable(callback):
        return callback
    raise TypeError(f"callback must be a callable or None, got {callback!r} "
                    f"of type {type(callback).__name__}")


@dataclass(frozen=True)
class FitData:
    """The data of a fit, checked (:func:`check_fit_data`).

    Attributes
    ----------
    x : ndarray, (N,) or (N, d)
        float32 or float64, C- or F-contiguous, finite.
    y : ndarray, (N,)
        Of x's dtype, contiguous, finite.
    sample_weight : ndarray (N,) or None
        In x's dtype, >= 0, rescaled by a power of two if needed
        (:func:`check_sample_weight`).
    weight_sum : float
        sum(sample_weight), or N without weights.
    n_threads : int
        The threads a pass over these N points gets.
    """

    x: np.ndarray
    y: np.ndarray
    sample_weight: Optional[np.ndarray]
    weight_sum: float
    n_threads: int

    @property
    def n_features(self):
        """d: 1 for 1-D x."""
        return 1 if self.x.ndim == 1 else self.x.shape[1]


def check_fit_data(x, y, sample_weight, n_threads):
    """The data of a fit, checked: :func:`check_data`, the weights, the threads: a FitData."""
    x, y = check_data(x, y)
    sample_weight, weight_sum = check_sample_weight(sample_weight, x.shape[0], x.dtype)
    return FitData(x, y, sample_weight, weight_sum, check_n_threads(n_threads, x.shape[0]))


@dataclass(frozen=True)
class DescentOptions:
    """The options every descent takes, checked (:func:`check_descent_options`).

    As :func:`gdfast.fit` takes them, plus ``kernel_tol``: ``tol`` as the
    compiled step reads it, -1 for ``tol=None`` (the step never stops on a
    gradient norm <= -1).
    """

    learning_rate: Union[float, str]
    max_iter: int
    tol: Optional[float]
    kernel_tol: float
    cost: str
    record_every: Union[int, str]
    fit_intercept: bool
    standardize: bool
    progress: bool
    callback: Any
    momentum: Union[None, float, str] = None
    nesterov: bool = False
    l2: float = 0.0


def check_descent_options(learning_rate, max_iter, tol, cost, record_every, fit_intercept,
                          standardize, progress, callback, momentum=None, nesterov=False,
                          l2=0.0):
    """The options every fit takes, validated in this order: a DescentOptions."""
    learning_rate = check_learning_rate(learning_rate)
    max_iter = check_count(max_iter, "max_iter")
    kernel_tol = -1.0 if tol is None else check_real(tol, "tol", low=0.0, allow_inf=True)
    tol = None if tol is None else kernel_tol  # a Python float (not np.float32) from here on
    cost = check_cost(cost)
    record_every = check_record_every(record_every)
    fit_intercept = check_flag(fit_intercept, "fit_intercept")
    standardize = check_flag(standardize, "standardize")
    progress = check_flag(progress, "progress")
    callback = check_callback(callback)
    momentum, nesterov = check_momentum(momentum, nesterov)
    return DescentOptions(learning_rate, max_iter, tol, kernel_tol, cost, record_every,
                          fit_intercept, standardize, progress, callback, momentum, nesterov,
                          check_l2(l2))
