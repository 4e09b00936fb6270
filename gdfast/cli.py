"""The `gdfast` command line."""
import argparse
import sys


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text}")
    return value


def build_parser():
    parser = argparse.ArgumentParser(
        prog="gdfast",
        description="Batch gradient descent for linear regression.",
        epilog="example: gdfast demo --n 50 --seed 1")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser(
        "demo", help="walk through gradient descent on built-in random data",
        description="Walk through batch gradient descent on random points around a line: "
                    "a bad start, a good learning rate, the least-squares answer, and "
                    "learning rates that bounce and blow up.",
        epilog="example: gdfast demo --n 200 --seed 42")
    demo.add_argument("--n", type=_positive_int, default=100, help="number of points (default 100)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        from . import _demo

        _demo.run(n=args.n, seed=args.seed)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
