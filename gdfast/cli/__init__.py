"""The `gdfast` command line: demo, fit FILE, explore [FILE], bench."""
import argparse
import codecs
import functools
import inspect
import os
import sys
import textwrap
import time
import traceback
from pathlib import Path

from . import _exit_codes
from ._outputs import check_folder
from .._fit import fit
from ._table import InputError, one_line

# the demo's largest data (its pictures draw every point)
MAX_DEMO_POINTS = 1_000_000


class _Parser(argparse.ArgumentParser):
    """argparse, with every error on one line (and exit code 2)."""

    def error(self, message):
        self.exit(_exit_codes.USAGE, f"{self.prog}: error: {one_line(message)} (see "
                                     f"{self.prog} --help)\n")


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions and examples kept as written; each option's default shown after its help
    (as argparse's ArgumentDefaultsHelpFormatter does), unless the help says it already."""

    def _get_help_string(self, action):
        text = action.help or ""
        if "default" in text or action.default is argparse.SUPPRESS or not action.option_strings:
            return text
        if action.nargs == 0 and action.default is False:  # a flag
            return text + " (default: off)"
        return text + " (default: %(default)s)"


def _fit_default(name):
    """gdfast.fit's default for ``name``, as the help shows it."""
    value = inspect.signature(fit).parameters[name].default
    return repr(value) if isinstance(value, str) else value


class _VersionAction(argparse.Action):
    """--version: the installed distribution's version, looked up only when asked for."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help="print gdfast's version and exit"):
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from importlib import metadata

        try:
            version = metadata.version("gdfast")
        except metadata.PackageNotFoundError:  # run from a source tree that is not installed
            from .._version import __version__ as version
        print(f"gdfast {version}")
        parser.exit()


def _integer_between(low, high=None):
    """An argparse type: an integer from ``low`` to ``high`` (no upper bound if None)."""
    bounds = f">= {low}" if high is None else f"from {low} to {high}"

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer {bounds}, got "
                                             f"{text!r}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"must be an integer {bounds}, got {text}")
        return value

    return parse


_positive_int = _integer_between(1)


def _encoding(text):
    try:
        return codecs.lookup(text).name
    except LookupError:
        raise argparse.ArgumentTypeError(f"unknown encoding {text!r} (e.g. utf-8, latin-1, "
                                         f"cp1252, utf-16)") from None


def _delimiter(text):
    text = {"\\t": "\t", "tab": "\t", "TAB": "\t"}.get(text, text)
    if len(text) != 1 or text in "\"\r\n":
        raise argparse.ArgumentTypeError(f"must be one character other than a quote or a "
                                         f"newline ('\\t' or 'tab' for a tab), got {text!r}")
    return text


def _number_or_word(text):
    """A float, or the word as given (fit() says whether it takes it, e.g. "auto")."""
    try:
        return float(text)
    except ValueError:
        return text


def _count(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None


def _count_or_auto(text):
    return "auto" if text.strip().lower() == "auto" else _count(text)


def _tol(text):
    if text.lower() == "none":
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number or 'none', got {text!r}") from None


def _float(text):
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None


def _paragraphs(text):
    """``text``'s paragraphs (separated by blank lines) wrapped for a terminal."""
    return "\n\n".join(textwrap.fill(" ".join(p.split()), 79) for p in text.split("\n\n"))


def _command(commands, name, summary, description, examples):
    """A sub-command whose --help shows every default and ends with its examples."""
    return commands.add_parser(
        name, help=summary, description=_paragraphs(description),
        formatter_class=_HelpFormatter,
        epilog="examples:\n" + "\n".join(f"  {example}" for example in examples))


def _add_demo(commands):
    demo = _command(
        commands, "demo", "walk through gradient descent on built-in random data",
        "Walk through batch gradient descent on random points around a line: "
        "a bad start, a good learning rate, the least-squares answer, and "
        "learning rates that bounce and blow up.  With matplotlib installed "
        "(pip install \"gdfast[plot]\") it also draws the pictures (PNG) and "
        "an animation (GIF) of the descent into a folder, checked writable first.  "
        "Exit codes: 0 done, 2 a bad option, 3 a bug.",
        ["gdfast demo --n 200 --seed 42",
         "gdfast demo --out docs/demo       # the README's pictures",
         "gdfast demo --no-plots            # text only"])
    demo.add_argument("--n", type=_integer_between(1, MAX_DEMO_POINTS), default=100,
                      help=f"number of points, at most {MAX_DEMO_POINTS}")
    demo.add_argument("--seed", type=_integer_between(0), default=0,
                      help="random seed, an integer >= 0")
    demo.add_argument("--out", type=Path, default=None, metavar="DIR",
                      help="folder for the pictures (default: a new gdfast-demo-TIME folder "
                           "here)")
    demo.add_argument("--no-plots", action="store_true",
                      help="text only, no pictures (default: pictures when matplotlib is "
                           "installed)")


def _add_fit(commands):
    fit_command = _command(
        commands, "fit", "fit a line to the columns of a CSV, .npy, .npz or Parquet file",
        "Fit y = b0 + b1*x (+ b2*x2 ...) to columns of a data file by batch gradient "
        "descent.  CSV (.csv, .txt, .tsv): UTF-8 (a byte-order mark is skipped) unless "
        "--encoding says otherwise; the delimiter is the first of tab, ';' and ',' that "
        "splits the first rows evenly (.tsv: tab); the first row is a header unless all its "
        "cells are numbers, and headerless columns are named x0, x1, ..., y; empty cells and "
        "NA, nan, null ... are missing values.  .npy: a 2-D or structured array (a sub-array "
        "field gives one column per element, field[0], field[1], ...).  .npz: one 1-D array "
        "per column.  Parquet when pyarrow is installed.  Columns are chosen by name or "
        "0-based position.  The fit options not given take gdfast.fit's defaults.\n\n"
        + _exit_codes.HELP,
        ["gdfast fit houses.csv --y price --x size",
         "gdfast fit data.npy --y 1 --x 0 --learning-rate 0.5 --max-iter 10000",
         "gdfast fit export.csv --delimiter ';' --encoding latin-1 --dropna",
         "gdfast fit data.csv --json --history history.csv --plot pictures/",
         "gdfast fit big.npz --tol none --max-iter 1000000 --progress   # Ctrl-C keeps the result"])
    fit_command.add_argument("file", type=Path, help="the data file")
    fit_command.add_argument("--y", metavar="COL", help="the y column (default: the last one)")
    fit_command.add_argument("--x", metavar="COL", nargs="+",
                             help="the x column(s) (default: every column but y)")
    reading = fit_command.add_argument_group("reading the file")
    reading.add_argument("--encoding", type=_encoding, default=None,
                         help="the text encoding of a CSV file (default: what its byte-order "
                              "mark says, else utf-8)")
    reading.add_argument("--delimiter", type=_delimiter, default=None, metavar="CHAR",
                         help="the cell delimiter of a CSV file, 'tab' for a tab (default: "
                              "found from the first rows; tab for .tsv)")
    reading.add_argument("--header", dest="header", action="store_const", const=True,
                         default=None, help="the first row of a CSV file names the columns "
                                            "(default: it does unless all its cells are "
                                            "numbers)")
    reading.add_argument("--no-header", dest="header", action="store_const", const=False,
                         help="the first row of a CSV file is data; columns are named x0, x1, "
                              "..., y (default: see --header)")
    reading.add_argument("--dropna", action="store_true",
                         help="drop the rows where a chosen cell is missing (empty, NA, nan, "
                              "a null), and count them; default: such a cell is an error "
                              "naming its line")
    options = fit_command.add_argument_group("fit options (see help(gdfast.fit))")
    options.add_argument("--learning-rate", type=_number_or_word, default=argparse.SUPPRESS,
                         help=f"step size alpha > 0, or 'auto' (the fastest rate for the "
                              f"data) (default: {_fit_default('learning_rate')})")
    options.add_argument("--max-iter", type=_count, default=argparse.SUPPRESS,
                         help=f"the most updates to make (default: {_fit_default('max_iter')})")
    options.add_argument("--tol", type=_tol, default=argparse.SUPPRESS,
                         help=f"stop when the gradient norm is <= TOL; 'none': run max-iter "
                              f"(default: {_fit_default('tol')})")
    options.add_argument("--cost", choices=["half_mse", "mse"], default=argparse.SUPPRESS,
                         help=f"the cost J (default: {_fit_default('cost')})")
    options.add_argument("--init", type=_float, nargs="+", default=argparse.SUPPRESS,
                         metavar="B", help="starting parameters: b0 b1 (...) (default: all 0)")
    options.add_argument("--record-every", type=_count_or_auto, default=argparse.SUPPRESS,
                         help=f"keep every k-th iteration in the history (0: first and last; "
                              f"auto: at most about 10^5 rows spread over the descent) "
                              f"(default: {_fit_default('record_every')})")
    options.add_argument("--progress", action="store_true", default=argparse.SUPPRESS,
                         help="show a progress bar (tqdm when installed) (default: off)")
    options.add_argument("--standardize", action="store_true", default=argparse.SUPPRESS,
                         help="descend on centred, unit-variance columns (results in the "
                              "units of x) (default: off)")
    options.add_argument("--no-intercept", dest="fit_intercept", action="store_false",
                         default=argparse.SUPPRESS,
                         help="fit y = x @ b, b0 fixed at 0 (default: off, b0 is fitted)")
    options.add_argument("--method", choices=["batch", "stats"], default=argparse.SUPPRESS,
                         help=f"batch: a pass over the data per iteration; stats: one pass, "
                              f"then O(d^2) iterations (default: {_fit_default('method')})")
    options.add_argument("--momentum", type=_number_or_word, default=argparse.SUPPRESS,
                         help="the heavy ball's momentum beta in [0, 1), or 'auto' (set from "
                              "the data: about sqrt(kappa) iterations per factor e instead "
                              "of kappa) (default: none)")
    options.add_argument("--nesterov", action="store_true", default=argparse.SUPPRESS,
                         help="Nesterov's look-ahead with --momentum (default: off)")
    options.add_argument("--l2", type=_float, default=argparse.SUPPRESS,
                         help="L2 penalty 0.5 * L2 * ||b||^2 on the coefficients (not b0); "
                              "scikit-learn's Ridge(alpha=L2 * N) (default: 0)")
    options.add_argument("--precision", choices=["float64", "compensated"],
                         default=argparse.SUPPRESS,
                         help="compensated: refine the result with double-double residuals, "
                              "for ill-conditioned data (default: "
                              f"{_fit_default('precision')})")
    options.add_argument("--n-threads", type=_positive_int, default=argparse.SUPPRESS,
                         help="threads for the passes over the data (default: all cores "
                              "when the data is large enough)")
    output = fit_command.add_argument_group("output (folders and files checked writable "
                                            "before the fit)")
    output.add_argument("--json", action="store_true",
                        help="print the result as JSON (default: a few lines of text)")
    output.add_argument("--history", type=Path, metavar="FILE",
                        help="write the recorded history as CSV: iteration, b0, b1, cost "
                             "(never over the input file) (default: not written)")
    output.add_argument("--plot", type=Path, metavar="DIR",
                        help="draw the fit, the cost and the landscape as PNGs into DIR "
                             "(default: no pictures)")


def _add_explore(commands):
    explore = _command(
        commands, "explore", "write an interactive page of the descent (HTML, works offline)",
        "Write one self-contained HTML page (Plotly inside, no network needed) "
                    "where the descent runs as you move its controls: the learning rate on "
                    "a log scale marked at 1/lambda_max (bouncing) and 2/lambda_max "
                    "(divergence), the iterations, MSE or one-half MSE, standardize; the "
                    "start is placed by clicking the contour.  Without FILE it uses the "
                    "demo's data.  FILE is read as by gdfast fit; the page serves one x "
                    "column.  Needs plotly: pip install \"gdfast[explore]\".",
        ["gdfast explore                          # the demo's points, gdfast-explore.html",
         "gdfast explore houses.csv --y price --x size --out houses.html",
         "gdfast explore data.npy --y 1 --x 0 --learning-rate 0.5 --init 0 -5"])
    explore.add_argument("file", type=Path, nargs="?", help="the data file (default: the "
                         "demo's random points)")
    explore.add_argument("--y", metavar="COL", help="the y column (default: the last one)")
    explore.add_argument("--x", metavar="COL", nargs="+",
                         help="the x column (default: the column that is not y)")
    explore.add_argument("--out", type=Path, metavar="PATH", default=None,
                         help="the page to write (default: gdfast-explore.html, or FILE's "
                              "name with -explore.html, here)")
    start = explore.add_argument_group("what the page opens with")
    start.add_argument("--learning-rate", type=_float, default=None,
                       help="step size alpha > 0 (default 1/lambda_max)")
    start.add_argument("--init", type=_float, nargs=2, default=None, metavar=("B0", "B1"),
                       help="the starting point (default: 0 0; the demo's: 0 -5)")
    start.add_argument("--max-iter", type=_count, default=1000,
                       help="iterations (default 1000)")
    start.add_argument("--cost", choices=["half_mse", "mse"], default="half_mse",
                       help="the cost J (default half_mse)")
    start.add_argument("--standardize", action="store_true", help="standardize x")


def _add_bench(commands):
    bench = _command(
        commands, "bench", "quick timing: gdfast against the NumPy loop on this machine",
        "Time gdfast.fit and the equivalent vectorized NumPy loop on random "
        "data, a few seconds in all, and print a table.  For careful numbers, "
        "run the pytest-benchmark suites in bench/.  Exit codes: 0 done, 2 a bad option, "
        "3 a bug.",
        ["gdfast bench", "gdfast bench --sizes 1000 1000000 --iterations 50"])
    bench.add_argument("--sizes", type=_positive_int, nargs="+",
                       default=[1_000, 100_000, 1_000_000], metavar="N",
                       help="numbers of points, each at most 10000000")
    bench.add_argument("--iterations", type=_positive_int, default=20,
                       help="iterations per timed fit (fewer at large N)")
    bench.add_argument("--repeat", type=_positive_int, default=3,
                       help="timings per size; the best is shown")


@functools.lru_cache(maxsize=None)
def build_parser():
    """The parser of the whole command line (built once: parsing does not change it)."""
    parser = _Parser(
        prog="gdfast", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Batch gradient descent for linear regression.",
        epilog="examples:\n  gdfast demo --n 50 --seed 1\n  gdfast fit data.csv --y price\n"
               "  gdfast explore data.csv --y price\n  gdfast bench\n"
               "see gdfast COMMAND --help for each command\n\n"
               + _paragraphs(_exit_codes.HELP))
    parser.add_argument("--version", action=_VersionAction)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_demo(commands)
    _add_fit(commands)
    _add_explore(commands)
    _add_bench(commands)
    return parser


def _run_demo(args):
    from . import _demo

    folder = None
    if not args.no_plots:
        try:
            from . import _demo_pictures
        except ImportError:
            _demo_pictures = None
        else:
            folder = args.out or _new_folder()
            check_folder(folder, "--out")  # before the walk-through, not after it
    _demo.run(n=args.n, seed=args.seed)
    if args.no_plots:
        return _exit_codes.DONE
    if folder is None:
        print("\npictures: matplotlib is not installed; pip install \"gdfast[plot]\" and run "
              "gdfast demo again to get them (PNG and an animated GIF)")
        return _exit_codes.DONE
    paths = _demo_pictures.write(folder, n=args.n, seed=args.seed)
    print(f"\npictures: wrote {len(paths)} files to {folder}{'/'}: "
          + ", ".join(p.name for p in paths))
    return _exit_codes.DONE


def _new_folder():
    """A folder name in the current one that does not exist yet."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder, k = Path(f"gdfast-demo-{stamp}"), 1
    while folder.exists():
        k += 1
        folder = Path(f"gdfast-demo-{stamp}-{k}")
    return folder


def _run_bench(args):
    from . import _bench

    if max(args.sizes) > _bench.MAX_POINTS:
        raise InputError(f"--sizes: at most {_bench.MAX_POINTS} points, got {max(args.sizes)}")
    _bench.run(args.sizes, args.iterations, args.repeat)
    return _exit_codes.DONE


def _run(args):
    if args.command == "demo":
        return _run_demo(args)
    if args.command == "bench":
        return _run_bench(args)
    if args.command == "explore":
        from . import _explore

        return _explore.run(args)
    from . import _fit

    return _fit.run(args)


def main(argv=None):
    """Run the command line; return the exit code (see ``gdfast --help``)."""
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except InputError as exc:
        print(f"gdfast {args.command}: error: {one_line(exc, limit=2000)}", file=sys.stderr)
        return _exit_codes.USAGE
    except KeyboardInterrupt:
        print(f"gdfast {args.command}: interrupted", file=sys.stderr)
        return _exit_codes.INTERRUPTED
    except BrokenPipeError:  # `gdfast ... | head`: whoever read the output has gone
        _silence_stdout()
        return _exit_codes.BROKEN_PIPE
    except Exception as exc:  # noqa: BLE001 - anything else is a bug: say so, in one line
        print(f"gdfast {args.command}: internal error (a bug in gdfast, please report it with "
              f"the command): {type(exc).__name__}: {one_line(exc)}", file=sys.stderr)
        if os.environ.get("GDFAST_TRACEBACK"):
            traceback.print_exc()
        return _exit_codes.BUG


def _silence_stdout():
    """Point stdout at /dev/null, so Python's flush at exit does not fail again."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
