"""gdfast's imports run one way, and no module reaches into another folder's private names.

Read from the source (the AST of every module of the installed package), so
an import inside a function counts as much as one at the top: a cycle that a
lazy import only hides still fails here.  The direction wanted: the engine,
then validation, curvature and learning rate, the descent and its slice loop,
fit and Statistics, then the estimator, Dask and the command line.
"""
import ast
from pathlib import Path

import pytest

import gdfast

PACKAGE = Path(gdfast.__file__).resolve().parent


def _module_name(path):
    """gdfast.x.y for gdfast/x/y.py; gdfast.x for gdfast/x/__init__.py."""
    parts = ("gdfast",) + path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules():
    """{module name: (its path, is it a package's __init__)} of every module of gdfast."""
    return {_module_name(p): (p, p.name == "__init__.py") for p in sorted(PACKAGE.rglob("*.py"))}


MODULES = _modules()
# the engine's compiled modules (no Python source to walk; they import nothing of gdfast)
COMPILED = {_module_name(p) for p in PACKAGE.rglob("*.pyx")}


def _folder(name):
    """The package a module lives in (a package's __init__ lives in the package itself)."""
    return name if MODULES[name][1] else name.rpartition(".")[0]


def _imports(name):
    """[(target module, imported name or None, alias, line)] for every import in module
    ``name``, at any depth, relative ones resolved; the target is a gdfast module, or
    None for any other package."""
    path, _ = MODULES[name]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "gdfast":
                    found.append((alias.name, None, alias.asname or alias.name, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _folder(name).split(".")
                base = base[:len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module
            if source.split(".")[0] != "gdfast":
                continue
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                if submodule in MODULES or submodule in COMPILED:   # `from . import _sums`
                    found.append((submodule, None, alias.asname or alias.name, node.lineno))
                else:
                    found.append((source, alias.name, alias.asname or alias.name, node.lineno))
    return found


def _graph():
    """{module: set of the gdfast modules it imports}."""
    return {name: {target for target, _, _, _ in _imports(name) if target in MODULES}
            for name in MODULES}


def _cycles(graph):
    """The strongly connected components with more than one module, or a self-import
    (Tarjan's algorithm, iterative)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = [0]

    def visit(root):
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in graph[node]:
                        found.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return found


def test_the_walk_sees_every_module_and_the_lazy_imports():
    # the walk itself: a module found in each folder, and an import inside a function
    assert {"gdfast", "gdfast._fit", "gdfast._engine", "gdfast.cli", "gdfast.dask",
            "gdfast.dask._tasks", "gdfast.cli._table"} <= set(MODULES)
    graph = _graph()
    assert "gdfast.cli._fit" in graph["gdfast.cli"]           # imported in a function
    assert "gdfast._result_html" in graph["gdfast._result"]   # likewise
    assert "gdfast._fit" in graph["gdfast.cli._fit"]          # `from .._fit import fit`


def test_the_cycle_finder_finds_a_cycle():
    # the finder against small graphs whose answer is known
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"a"}}) == [["a"]]
    assert _cycles({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def test_gdfast_has_no_import_cycle():
    assert _cycles(_graph()) == []
    assert "gdfast._engine.passes" in COMPILED   # `from . import passes` is no self-import


@pytest.mark.parametrize("lower, upper", [
    ("gdfast._engine", "gdfast._validate"),
    ("gdfast._validate", "gdfast._curvature"),
    ("gdfast._curvature", "gdfast._descent"),
    ("gdfast._descent", "gdfast._fit"),
    ("gdfast._descent", "gdfast._statistics"),
    ("gdfast._statistics", "gdfast._refine"),
    ("gdfast._refine", "gdfast._fit"),
    ("gdfast._fit", "gdfast.estimator"),
    ("gdfast._descent", "gdfast.dask"),
    ("gdfast._statistics", "gdfast.dask"),
    ("gdfast._fit", "gdfast.cli"),
])
def test_imports_run_one_way(lower, upper):
    # the upper layer reaches the lower one, never the other way round
    graph = _graph()

    def reached(start):
        seen, todo = set(), [start]
        while todo:
            for child in graph[todo.pop()] - seen:
                seen.add(child)
                todo.append(child)
        return seen

    assert lower in reached(upper)
    assert upper not in reached(lower)


def _private_reaches(name):
    """["line: what"] where module ``name`` uses a _private name of a module in another
    folder: imported by name (``from .._validate import _check``) or read as an attribute
    of what it imported from there (``Statistics._from_checked``)."""
    folder = _folder(name)
    outside = {}   # local name -> where it came from, for imports from another folder
    reaches = []
    for target, imported, alias, line in _imports(name):
        if target not in MODULES or _folder(target) == folder or target == folder:
            continue
        if imported is not None and imported.startswith("_") and not imported.startswith("__"):
            reaches.append(f"{line}: {imported} from {target}")
        outside[alias] = f"{target}.{imported}" if imported else target
    path, _ = MODULES[name]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in outside and node.attr.startswith("_")
                and not node.attr.startswith("__")):
            reaches.append(f"{node.lineno}: {node.value.id}.{node.attr} "
                           f"({outside[node.value.id]})")
    return reaches


def test_the_private_name_check_sees_both_kinds(tmp_path, monkeypatch):
    # a module made for the check: a private name imported, and one read as an attribute
    source = ("from .._statistics import Statistics, _hidden\n"
              "def f():\n    return Statistics._from_checked\n")
    path = tmp_path / "probe.py"
    path.write_text(source)
    monkeypatch.setitem(MODULES, "gdfast.dask._probe", (path, False))
    assert _private_reaches("gdfast.dask._probe") == [
        "1: _hidden from gdfast._statistics",
        "3: Statistics._from_checked (gdfast._statistics.Statistics)"]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_reaches_into_another_folders_private_names(name):
    assert _private_reaches(name) == []
