"""`gdfast explore [FILE]`: the explorer page for a data file's columns, or for the demo's data."""
from pathlib import Path

from ._data_file import load_xy
from ._table import InputError

DEMO_POINTS = 100
DEMO_SEED = 0


def run(args):
    """Run the explore command for parsed ``args``; return the exit code."""
    from .. import _explore

    try:
        _explore.require_plotly()   # before reading anything
    except ImportError as exc:
        raise InputError(str(exc)) from None
    init = args.init
    if args.file is None:
        if args.y is not None or args.x is not None:
            raise InputError("--y and --x name columns of FILE; without FILE the page uses "
                             "the demo's data")
        from ._demo import START, TRUE_INTERCEPT, TRUE_SLOPE, make_points

        x, y = make_points(DEMO_POINTS, DEMO_SEED)
        y_name, x_name = "y", "x"
        init = START if init is None else init
        title = (f"gdfast explorer: the demo's {DEMO_POINTS} random points around "
                 f"y = {TRUE_INTERCEPT:g} + {TRUE_SLOPE:g}x")
        out = args.out or Path("gdfast-explore.html")
    else:
        data = load_xy(args.file, args.y, args.x)
        x, y, y_name, x_names = data.x, data.y, data.y_name, data.x_names
        if len(x_names) != 1:
            raise InputError(f"{args.file}: the explorer serves one x column, got "
                             f"{len(x_names)} ({', '.join(x_names)}); pick one with --x")
        x_name = x_names[0]
        title = (f"gdfast explorer: {args.file.name}, {len(y)} points, y = {y_name}, "
                 f"x = {x_name}")
        out = args.out or Path(f"{args.file.stem}-explore.html")
    try:
        explorer = _explore.explore(x, y, init=init, learning_rate=args.learning_rate,
                                    max_iter=args.max_iter, cost=args.cost,
                                    standardize=args.standardize, x_name=x_name,
                                    y_name=y_name, title=title)
    except (TypeError, ValueError) as exc:   # the data or an option: explore names it
        raise InputError(str(exc)) from None
    try:
        explorer.save(out)
    except OSError as exc:
        raise InputError(f"--out: cannot write {out}: {exc.strerror}") from None
    print(f"wrote {out} ({len(explorer.html) / 1e6:.1f} MB, {len(y)} points, y = {y_name}, "
          f"x = {x_name}): open it in a browser; it needs no network")
    return 0
