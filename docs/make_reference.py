"""Write docs/reference.md, the API reference, from the public docstrings.

    python docs/make_reference.py            # rewrites docs/reference.md
    python docs/make_reference.py --check    # exit 1 if docs/reference.md is out of date

The docstrings are the one source: this page only gathers them, in the order
below, under each object's signature.  tests/test_readme.py fails when the
page differs from what this script writes, and runs the examples in it.
Needs the extras whose API it documents (plot, sklearn, dask).
"""
import argparse
import inspect
import sys
from pathlib import Path

PAGE = Path(__file__).resolve().parent / "reference.md"

HEADER = """\
# gdfast: API reference

Every public function and class, with the docstring it carries (`help(gdfast.fit)` shows the
same). Written by `python docs/make_reference.py` from the docstrings: edit those, not this page
(`tests/test_readme.py` fails when it is out of date). For a tour see the
[README](../README.md); for how the pieces fit together, [guide.md](guide.md).
"""


def _public_api():
    """[(section title, [(qualified name, object)])] in the order the page gives them."""
    import gdfast
    import gdfast.dask
    import gdfast.plot
    from gdfast.estimator import GDRegressorConvergenceWarning

    def named(module, names):
        return [(f"{module.__name__}.{n}", getattr(module, n)) for n in names]

    return [
        ("Fitting", named(gdfast, ["fit", "fit_statistics", "fit_stream", "Statistics"])),
        ("Results", named(gdfast, ["FitResult", "History", "Step"])),
        ("The cost and the learning rate", named(gdfast, ["cost", "learning_rate_limits",
                                                          "LearningRateLimits"])),
        ("Warnings and errors", named(gdfast, ["ConvergenceWarning", "DivergenceWarning",
                                               "DivergenceError", "FitInterrupted",
                                               "HistoryMemoryError"])),
        ("scikit-learn", named(gdfast, ["GDRegressor"])
         + [("gdfast.estimator.GDRegressorConvergenceWarning", GDRegressorConvergenceWarning)]),
        ("Dask", named(gdfast.dask, ["fit"])),
        ("Pictures", named(gdfast.plot, ["plot_fit", "plot_cost_history",
                                         "plot_parameter_history", "plot_cost_slice",
                                         "plot_cost_contour", "animate_descent", "save_gif"])
         + named(gdfast, ["explore"])),
    ]


def _signature(name, obj):
    """``name(parameters)``, less the private fields of a dataclass (``_diagnose``)."""
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):   # a class whose __init__ says nothing
        return name
    public = [p for p in signature.parameters.values() if not p.name.startswith("_")]
    shown = signature.replace(parameters=public, return_annotation=inspect.Signature.empty)
    return f"{name}{shown}"


def _members(cls):
    """The public methods and properties a class defines itself, in source order."""
    out = []
    for attr, value in vars(cls).items():
        if attr.startswith("_") or not (inspect.getdoc(getattr(cls, attr, None)) or ""):
            continue
        if isinstance(value, (property, classmethod, staticmethod)) or inspect.isfunction(value):
            out.append(attr)
        elif type(value).__name__ == "cached_property":
            out.append(attr)
    return out


def _entry(name, obj, level="###"):
    doc = inspect.getdoc(obj) or ""
    lines = [f"{level} `{_signature(name, obj)}`", ""]
    if doc:
        lines += ["```text", doc, "```", ""]
    return lines


def render():
    lines = [HEADER]
    for title, objects in _public_api():
        lines += [f"## {title}", ""]
        for name, obj in objects:
            lines += _entry(name, obj)
            if inspect.isclass(obj) and not issubclass(obj, BaseException):
                for attr in _members(obj):
                    member = getattr(obj, attr)
                    target = member.fget if isinstance(member, property) else member
                    if isinstance(inspect.getattr_static(obj, attr), (property,)) or \
                            type(inspect.getattr_static(obj, attr)).__name__ == "cached_property":
                        doc = inspect.getdoc(inspect.getattr_static(obj, attr)) or ""
                        lines += [f"#### `{name}.{attr}`", "", "```text", doc, "```", ""]
                    else:
                        lines += _entry(f"{name}.{attr}", target, "####")
    return "\n".join(lines).rstrip() + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if docs/reference.md is not what this script writes")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if PAGE.read_text() != text:
            print(f"{PAGE} is out of date: run python docs/make_reference.py", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(text)
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
