"""The `gdfast` command line: demo, fit FILE, explore [FILE], bench."""
import argparse
import sys
import time
from pathlib import Path

from ._table import InputError


class _Parser(argparse.ArgumentParser):
    """argparse, with every error on one line (and exit code 2)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text}")
    return value


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


def _command(commands, name, summary, description, examples):
    """A sub-command whose --help ends with its examples, kept as written."""
    return commands.add_parser(
        name, help=summary, description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n" + "\n".join(f"  {example}" for example in examples))


def _add_demo(commands):
    demo = _command(
        commands, "demo", "walk through gradient descent on built-in random data",
        "Walk through batch gradient descent on random points around a line: "
                    "a bad start, a good learning rate, the least-squares answer, and "
                    "learning rates that bounce and blow up.  With matplotlib installed "
                    "(pip install \"gdfast[plot]\") it also draws the pictures (PNG) and "
                    "an animation (GIF) of the descent into a folder.",
        ["gdfast demo --n 200 --seed 42",
         "gdfast demo --out docs/demo       # the README's pictures",
         "gdfast demo --no-plots            # text only"])
    demo.add_argument("--n", type=_positive_int, default=100,
                      help="number of points (default 100)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument("--out", type=Path, default=None, metavar="DIR",
                      help="folder for the pictures (default: a new gdfast-demo-TIME folder "
                           "here)")
    demo.add_argument("--no-plots", action="store_true", help="text only, no pictures")


def _add_fit(commands):
    fit = _command(
        commands, "fit", "fit a line to the columns of a CSV, .npy, .npz or Parquet file",
        "Fit y = b0 + b1*x (+ b2*x2 ...) to columns of a data file by batch "
                    "gradient descent.  CSV (.csv, .txt; .tsv tab-separated) with or "
                    "without a header line; .npy holding a 2-D or structured array; .npz "
                    "holding one 1-D array per column; Parquet when pyarrow is installed.  "
                    "Columns are chosen by name or 0-based position.  Options not given "
                    "take gdfast.fit's defaults.  Exit codes: 0 done, 1 diverged, 2 bad "
                    "input or option, 130 interrupted (Ctrl-C; what was computed is "
                    "printed and saved first).",
        ["gdfast fit houses.csv --y price --x size",
         "gdfast fit data.npy --y 1 --x 0 --learning-rate 0.5 --max-iter 10000",
         "gdfast fit data.csv --json --history history.csv --plot pictures/",
         "gdfast fit big.npz --tol none --max-iter 1000000 --progress   # Ctrl-C keeps the result"])
    fit.add_argument("file", type=Path, help="the data file")
    fit.add_argument("--y", metavar="COL", help="the y column (default: the last one)")
    fit.add_argument("--x", metavar="COL", nargs="+",
                     help="the x column(s) (default: every column but y)")
    options = fit.add_argument_group("fit options (see help(gdfast.fit))")
    options.add_argument("--learning-rate", type=_number_or_word, default=argparse.SUPPRESS,
                         help="step size alpha > 0")
    options.add_argument("--max-iter", type=_count, default=argparse.SUPPRESS,
                         help="the most updates to make")
    options.add_argument("--tol", type=_tol, default=argparse.SUPPRESS,
                         help="stop when the gradient norm is <= TOL; 'none': run max-iter")
    options.add_argument("--cost", choices=["half_mse", "mse"], default=argparse.SUPPRESS,
                         help="the cost J (default half_mse)")
    options.add_argument("--init", type=_float, nargs="+", default=argparse.SUPPRESS,
                         metavar="B", help="starting parameters: b0 b1 (...)")
    options.add_argument("--record-every", type=_count_or_auto, default=argparse.SUPPRESS,
                         help="keep every k-th iteration in the history (0: first and last; "
                              "auto, the default: at most about 10^5 rows spread over the "
                              "descent)")
    options.add_argument("--progress", action="store_true", default=argparse.SUPPRESS,
                         help="show a progress bar (tqdm when installed)")
    options.add_argument("--standardize", action="store_true", default=argparse.SUPPRESS,
                         help="descend on centred, unit-variance columns (results in the "
                              "units of x)")
    options.add_argument("--no-intercept", dest="fit_intercept", action="store_false",
                         default=argparse.SUPPRESS, help="fit y = x @ b (b0 fixed at 0)")
    options.add_argument("--method", choices=["batch", "stats"], default=argparse.SUPPRESS,
                         help="batch: a pass over the data per iteration (default); stats: one "
                              "pass, then O(d^2) iterations")
    options.add_argument("--n-threads", type=_positive_int, default=argparse.SUPPRESS,
                         help="threads for the passes over the data (default: all cores when "
                              "the data is large enough)")
    output = fit.add_argument_group("output")
    output.add_argument("--json", action="store_true", help="print the result as JSON")
    output.add_argument("--history", type=Path, metavar="FILE",
                        help="write the recorded history as CSV: iteration, b0, b1, cost")
    output.add_argument("--plot", type=Path, metavar="DIR",
                        help="draw the fit, the cost and the landscape as PNGs into DIR")


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
                    "run the pytest-benchmark suites in bench/.",
        ["gdfast bench", "gdfast bench --sizes 1000 1000000 --iterations 50"])
    bench.add_argument("--sizes", type=_positive_int, nargs="+",
                       default=[1_000, 100_000, 1_000_000], metavar="N", help="numbers of points (default 1000 100000 1000000; at "
                                         "most 10000000)")
    bench.add_argument("--iterations", type=_positive_int, default=20,
                       help="iterations per timed fit (default 20; fewer at large N)")
    bench.add_argument("--repeat", type=_positive_int, default=3,
                       help="timings per size; the best is shown (default 3)")


def build_parser():
    parser = _Parser(
        prog="gdfast", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Batch gradient descent for linear regression.",
        epilog="examples:\n  gdfast demo --n 50 --seed 1\n  gdfast fit data.csv --y price\n"
               "  gdfast explore data.csv --y price\n  gdfast bench\n"
               "see gdfast COMMAND --help for each command")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_demo(commands)
    _add_fit(commands)
    _add_explore(commands)
    _add_bench(commands)
    return parser


def _demo(args):
    from . import _demo

    _demo.run(n=args.n, seed=args.seed)
    if args.no_plots:
        return 0
    try:
        from . import _demo_pictures
    except ImportError:
        print("\npictures: matplotlib is not installed; pip install \"gdfast[plot]\" and run "
              "gdfast demo again to get them (PNG and an animated GIF)")
        return 0
    folder = args.out or _new_folder()
    paths = _demo_pictures.write(folder, n=args.n, seed=args.seed)
    print(f"\npictures: wrote {len(paths)} files to {folder}{'/'}: "
          + ", ".join(p.name for p in paths))
    return 0


def _new_folder():
    """A folder name in the current one that does not exist yet."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder, k = Path(f"gdfast-demo-{stamp}"), 1
    while folder.exists():
        k += 1
        folder = Path(f"gdfast-demo-{stamp}-{k}")
    return folder


def _bench(args):
    from . import _bench

    if max(args.sizes) > _bench.MAX_POINTS:
        raise InputError(f"--sizes: at most {_bench.MAX_POINTS} points, got {max(args.sizes)}")
    _bench.run(args.sizes, args.iterations, args.repeat)
    return 0


def main(argv=None):
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            return _demo(args)
        if args.command == "bench":
            return _bench(args)
        if args.command == "explore":
            from . import _cli_explore

            return _cli_explore.run(args)
        from . import _cli_fit

        return _cli_fit.run(args)
    except InputError as exc:
        print(f"gdfast {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"gdfast {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
