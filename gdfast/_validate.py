"""Input and parameter checks, run before any work starts.

The Cython kernel trusts its arguments (no bounds checks), so every value
that reaches it passes through here first.  Each failure is a TypeError
(wrong kind of thing) or ValueError (right kind, wrong value) whose message
names the argument and says what is wrong.
"""
import numbers

import numpy as np

from . import _kernels, _threads

COSTS = ("half_mse", "mse")
METHODS = ("batch", "stats")

# The largest iteration count the kernel's Py_ssize_t counters hold.
_MAX_COUNT = np.iinfo(np.intp).max
# More threads than this is a mistake, not a machine (and fits a C int).
_MAX_THREADS = 4096


def _as_1d_array(a, name):
    """np.asarray(a) if it is a 1-D array of real numbers, else raise."""
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
    if arr.ndim != 1:
        if arr.ndim == 0:
            raise ValueError(f"{name} must be a 1-D array of points, got a scalar (0-d)")
        raise ValueError(f"{name} must be a 1-D array of points, got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: at least one point is needed")
    return arr


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
    dtype = np.float32 if (x.dtype == np.float32 and y.dtype == np.float32) else np.float64
    checked = []
    for arr, name in ((x, "x"), (y, "y")):
        finite_by_type = arr.dtype.kind in "biu"
        # a copy only if the dtype or the layout (strides, byte order) differ
        arr = np.ascontiguousarray(arr, dtype=dtype)
        if not finite_by_type:
            bad = _kernels.first_nonfinite(arr)
            if bad >= 0:
                raise ValueError(f"{name} must be finite, but {name}[{bad}] is {arr[bad]}")
        checked.append(arr)
    return checked[0], checked[1]


def check_real(value, name, *, low=None, low_inclusive=True, allow_inf=False):
    """Return ``value`` as a float if it is a real number in range, else raise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} of type {type(value).__name__}")
    value = float(value)
    if np.isnan(value) or (np.isinf(value) and not allow_inf):
        raise ValueError(f"{name} must be a finite number, got {value}")
    if low is not None and (value < low or (value == low and not low_inclusive)):
        rel = ">=" if low_inclusive else ">"
        raise ValueError(f"{name} must be {rel} {low}, got {value}")
    return value


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


def check_cost(cost, name="cost"):
    """Return the cost's name if it is one gdfast knows, else raise."""
    if not isinstance(cost, str):
        raise TypeError(f"{name} must be one of {COSTS}, got {cost!r} of type {type(cost).__name__}")
    if cost not in COSTS:
        raise ValueError(f"{name} must be one of {COSTS}, got {cost!r}")
    return cost


def check_init(init):
    """Return the starting (b0, b1) as two floats, else raise."""
    if isinstance(init, (str, bytes)) or not np.iterable(init):
        raise TypeError(f"init must be a pair of numbers (b0, b1), got {init!r}")
    init = list(init)
    if len(init) != 2:
        raise ValueError(f"init must be a pair of numbers (b0, b1), got {len(init)} values")
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
    """Return the thread count to use: ``n_threads`` if an int >= 1, the default if None."""
    if n_threads is None:
        return _threads.default_threads(n_points)
    if isinstance(n_threads, (bool, np.bool_)) or not isinstance(n_threads, numbers.Integral):
        raise TypeError(f"n_threads must be an integer >= 1 or None, got {n_threads!r} of "
                        f"type {type(n_threads).__name__}")
    if not 1 <= n_threads <= _MAX_THREADS:
        raise ValueError(f"n_threads must be between 1 and {_MAX_THREADS}, got {n_threads}")
    return int(n_threads)
