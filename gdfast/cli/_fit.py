"""`gdfast fit FILE`: check the outputs, read the columns, fit, report (text or JSON), save."""
import dataclasses
import json
import sys
import warnings
from pathlib import Path

import numpy as np

from . import _exit_codes
from ._outputs import check_folder, check_output_file
from ._data_file import load_xy
from .._exceptions import DivergenceError, FitInterrupted
from .._fit import fit
from .._parameters import parameter_names, parameter_path, parameters
from ._table import InputError

# the fit() options the command line passes on when given
FIT_OPTIONS = ("learning_rate", "max_iter", "tol", "cost", "init", "record_every", "progress",
               "standardize", "fit_intercept", "method", "n_threads", "momentum", "nesterov",
               "l2", "precision")


def run(args):
    """Run the fit command for parsed ``args``; return the exit code."""
    if args.plot is not None:
        try:
            from .. import plot  # noqa: F401 - checked before any work
        except ImportError as exc:
            raise InputError(f"--plot: {exc}") from None
        check_folder(args.plot, "--plot")
    if args.history is not None:
        check_output_file(args.history, "--history", args.file)
    data = load_xy(args.file, args.y, args.x, encoding=args.encoding,
                   delimiter=args.delimiter, header=args.header, dropna=args.dropna)
    options = {name: getattr(args, name) for name in FIT_OPTIONS if hasattr(args, name)}
    code, status, message = _exit_codes.DONE, None, None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = fit(data.x, data.y, **options)
        except (TypeError, ValueError) as exc:  # bad data or option: fit names which
            raise InputError(f"{args.file}: {exc}") from None
        except DivergenceError as exc:
            result, status, message = exc.result, "diverged", str(exc)
            code = _exit_codes.DIVERGED
        except FitInterrupted as exc:
            result, status, message = exc.result, "interrupted", str(exc)
            code = _exit_codes.INTERRUPTED
    warning = "; ".join(str(w.message) for w in caught) or None
    status = status or _status(result)

    # the result first: a file that then cannot be written loses nothing computed
    if args.json:
        print(json.dumps(_as_json(args, result, status, warning or message, data), indent=2))
    else:
        _print_text(args, result, status, data)
    sys.stdout.flush()
    for line in filter(None, [warning, message]):
        print(f"gdfast fit: {line}", file=sys.stderr)
    if args.history is not None:
        _write_history(args.history, result.history)
    if args.plot is not None:
        _write_pictures(args.plot, data.x, data.y, result, options.get("cost", "half_mse"),
                        data.y_name, data.x_names)
    return code


def _status(result):
    if result.stopped_by is not None:
        return f"stopped by {result.stopped_by}"
    return "converged" if result.converged else "max_iter reached"


def _jsonable(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _as_json(args, result, status, message, data):
    out = {"file": str(args.file), "y": data.y_name, "x": data.x_names,
           "n_points": len(data.y), "rows_dropped": data.dropped, "status": status}
    for field in dataclasses.fields(result):
        if field.name != "history" and not field.name.startswith("_"):
            out[field.name] = _jsonable(getattr(result, field.name))
    # the diagnosis text, where this version of FitResult has one
    out["diagnosis"] = _jsonable(getattr(result, "diagnosis", None))
    out["history_rows"] = len(result.history)
    out["message"] = message
    return out


def _plural(count, word):
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _print_text(args, result, status, data):
    values = parameters(result)
    # "- 1.5*b", never "+ -1.5*b"
    terms = f"{values[0]:.6g}" + "".join(f" {'-' if v < 0 else '+'} {abs(v):.6g}*{name}"
                                         for v, name in zip(values[1:], data.x_names))
    dropped = (f" ({_plural(data.dropped, 'row')} with missing cells dropped)"
               if data.dropped else "")
    print(f"{args.file}: {_plural(len(data.y), 'point')}{dropped}, y = {data.y_name}, "
          f"x = {', '.join(data.x_names)}")
    print(f"  {data.y_name} = {terms}")
    print(f"  {status} after {_plural(result.n_iter, 'iteration')}: cost {result.cost:.6g}, "
          f"gradient norm {result.gradient_norm:.3g}")
    diagnosis = getattr(result, "diagnosis", None)
    if diagnosis:
        print(f"  diagnosis: {diagnosis}")


def _write_history(path, history):
    """The recorded history as CSV: iteration, b0, b1 (..., bd), cost."""
    path_values = parameter_path(history)
    names = ["iteration", *parameter_names(path_values.shape[1]), "cost"]
    table = np.column_stack([history.iteration, path_values, history.cost])
    try:
        np.savetxt(path, table, delimiter=",", header=",".join(names), comments="",
                   fmt=["%d"] + ["%.17g"] * (len(names) - 1))
    except OSError as exc:
        raise InputError(f"--history: cannot write {path}: {exc.strerror}") from None


def _write_pictures(folder, x, y, result, cost, y_name, x_names):
    """Pictures of this fit into ``folder``: the line (one feature), the cost, the landscape."""
    from ._png import write_pngs  # first: it sets the file-only backend before pyplot loads
    from .. import plot  # noqa: I001

    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--plot: cannot make {folder}: {exc.strerror}") from None
    names = dict(feature_names=x_names, kind=cost)
    drawings = {"cost_history.png": lambda ax: plot.plot_cost_history(result, kind=cost, ax=ax),
                "cost_contour.png": lambda ax: plot.plot_cost_contour(x, y, result, ax=ax,
                                                                      **names)}
    if np.ndim(x) == 1:
        drawings["fit.png"] = lambda ax: plot.plot_fit(x, y, result, feature_name=x_names[0],
                                                       target_name=y_name, ax=ax)
        drawings["cost_slice.png"] = lambda ax: plot.plot_cost_slice(x, y, result, ax=ax,
                                                                     **names)
    try:
        write_pngs(drawings, folder, dpi=90)
    except OSError as exc:
        raise InputError(f"--plot: cannot write into {folder}: {exc.strerror or exc}") from None
