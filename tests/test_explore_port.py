"""The explorer's JavaScript port of the diagnosis keeps up with gdfast/_diagnosis.py.

The page writes FitResult.diagnosis itself (gdfast/_explore_diagnosis.js, a port of
gdfast/_diagnosis.py under the same names).  These tests read both sources, with no
browser: every function and constant of _diagnosis.py has its namesake in the port, every
string of _diagnosis.py (each f-string's words and format specs, each plain string) is a
string of the port, and every sentence of the port is one of _diagnosis.py's.  A sentence
reworded in Python, or a new one, fails here until the port has it.  What the port computes
is checked in a real browser against diagnose() itself (test_explore_browser.py).
"""
import ast
import dataclasses
import inspect
import re
from pathlib import Path

import pytest

import gdfast
from gdfast import _diagnosis, _learning_rate, _validate

_PORT = Path(gdfast.__file__).resolve().parent / "_explore_diagnosis.js"
_ENGINE = Path(gdfast.__file__).resolve().parent / "_explore_engine.js"
# the port's functions that are not _diagnosis.py's: _validate.plural, which _diagnosis.py
# imports, and the page's entry point
_PORT_ONLY = {"plural", "diagnosis"}


# ---------------------------------------------------------------------------
# Strings as templates: literal words and the format specs between them
# ---------------------------------------------------------------------------
# A template is a tuple (words, spec, words, spec, ..., words): f"a {x:.3g} b {y}" is
# ("a ", ".3g", " b ", "", ""), a plain "a b" is ("a b",).  In the port the same string is
# `a ${format(x, ".3g")} b ${y}`, or pieces of it joined by +.

def python_templates(source):
    """Every string of Python code as a template; docstrings left out."""
    tree = ast.parse(source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    found = set()

    def visit(node):
        if isinstance(node, ast.JoinedStr):
            template = [""]
            for value in node.values:
                if isinstance(value, ast.Constant):
                    template[-1] += value.value
                    continue
                spec = value.format_spec
                assert spec is None or all(isinstance(v, ast.Constant) for v in spec.values), \
                    "a computed format spec: teach this test and format() in the engine"
                conversion = "" if value.conversion == -1 else "!" + chr(value.conversion)
                template += [conversion + ("".join(v.value for v in spec.values) if spec
                                           else ""), ""]
                visit(value.value)
            found.add(tuple(template))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings:
                found.add((node.value,))
        else:
            for child in ast.iter_child_nodes(node):
                visit(child)

    visit(tree)
    return found


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}
_FORMAT_CALL = re.compile(r'\s*format\((.*),\s*"([^"]*)"\)\s*', re.S)


class _JavaScript:
    """The strings of JavaScript source as templates, read by a small scanner.

    It knows what the port is written with: comments, "..." and '...' strings,
    `...${...}...` template literals (their placeholders scanned in turn), and +.
    Strings joined by + are one template.  (No regular-expression literals: the port
    has none, and the scanner would misread one holding a quote.)
    """

    def __init__(self, source):
        self.source = source
        self.found = set()
        self._scan(0, None)

    def _scan(self, i, closing):
        """Scan code from i to the unmatched ``closing`` brace (None: the end); its index."""
        src, tokens, depth = self.source, [], 0
        while i < len(src):
            c = src[i]
            if src.startswith("//", i):
                i = src.find("\n", i)
                i = len(src) if i < 0 else i
                continue
            if src.startswith("/*", i):
                i = src.index("*/", i) + 2
                continue
            if c in "\"'`":
                template, i = self._string(i)
                tokens.append(template)
                continue
            if c == "+" and src[i + 1] not in "+=" and src[i - 1] != "+":
                tokens.append("+")
            elif not c.isspace():
                if c == "{":
                    depth += 1
                elif c == "}":
                    if depth == 0 and closing == "}":
                        break
                    depth -= 1
                tokens.append(None)
            i += 1
        self._join(tokens)
        return i

    def _string(self, i):
        """The string or template literal opening at i: (template, the index after it)."""
        src, quote = self.source, self.source[i]
        template, i = [""], i + 1
        while src[i] != quote:
            if src[i] == "\\":
                c = src[i + 1]
                if c == "u":
                    template[-1] += chr(int(src[i + 2:i + 6], 16))
                    i += 6
                else:
                    template[-1] += _ESCAPES.get(c, c)
                    i += 2
            elif quote == "`" and src.startswith("${", i):
                end = self._scan(i + 2, "}")
                call = _FORMAT_CALL.fullmatch(src[i + 2:end])
                template += [call.group(2) if call else "", ""]
                i = end + 1
            else:
                template[-1] += src[i]
                i += 1
        return tuple(template), i + 1

    def _join(self, tokens):
        """Record the templates among ``tokens``, those with + between them as one."""
        joined = None
        for k, token in enumerate(tokens):
            if isinstance(token, tuple):
                if joined is not None and tokens[k - 1] == "+" and isinstance(tokens[k - 2],
                                                                              tuple):
                    joined = joined[:-1] + (joined[-1] + token[0],) + token[1:]
                else:
                    if joined is not None:
                        self.found.add(joined)
                    joined = token
            elif token != "+" or not isinstance(tokens[k - 1], tuple):
                if joined is not None:
                    self.found.add(joined)
                joined = None
        if joined is not None:
            self.found.add(joined)


def _show(template):
    """A template as f-string-like text, for a message."""
    return "".join(part if k % 2 == 0 else "{" + (":" + part if part else "") + "}"
                   for k, part in enumerate(template))


def _sentences(templates):
    """The templates that are words of a message: two words or more ("use strict" is not)."""
    return {t for t in templates if re.search(r"[A-Za-z]+ [A-Za-z]+", "".join(t[::2]))
            and t != ("use strict",)}


@pytest.fixture(scope="module")
def port_source():
    return _PORT.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def python_strings():
    return (python_templates(inspect.getsource(_diagnosis))
            | python_templates(inspect.getsource(_validate.plural)))


def test_every_string_of_the_diagnosis_is_in_the_port(port_source, python_strings):
    port = _JavaScript(port_source).found
    missing = sorted(_show(t) for t in python_strings - port)
    assert missing == [], ("strings of gdfast/_diagnosis.py that _explore_diagnosis.js "
                           "lacks (port them, with format(x, spec) for each {x:spec}):\n"
                           + "\n".join(missing))


def test_every_sentence_of_the_port_is_the_diagnosis(port_source, python_strings):
    stale = sorted(_show(t) for t in _sentences(_JavaScript(port_source).found) - python_strings)
    assert stale == [], ("sentences of _explore_diagnosis.js that gdfast/_diagnosis.py no "
                         "longer writes:\n" + "\n".join(stale))


def test_every_function_and_constant_of_the_diagnosis_is_in_the_port(port_source):
    tree = ast.parse(inspect.getsource(_diagnosis))
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    constants = {target.id for node in tree.body if isinstance(node, ast.Assign)
                 for target in node.targets}
    ported = set(re.findall(r"^  function (\w+)\(", port_source, re.M))
    assert functions - ported == set(), "functions not ported, by their Python names"
    assert ported - functions == _PORT_ONLY, "functions of the port that Python no longer has"
    declared = set(re.findall(r"^  const (\w+) =", port_source, re.M))
    assert constants - declared == set(), "constants not ported, by their Python names"
    # each function's comment names the Python it ports
    for name in functions:
        at = port_source.index(f"\n  function {name}(")
        comment = port_source[port_source.rindex("/**", 0, at):at]
        assert f"_diagnosis.py {name}:" in comment or f"_diagnosis.py {name}." in comment, name


def test_the_engines_limits_have_every_field_and_method_of_python(port_source):
    """The port reads LearningRateLimits by its Python names: the engine's has them all."""
    engine = _ENGINE.read_text(encoding="utf-8")
    start = engine.index("class LearningRateLimits {")
    body = engine[start:engine.index("\n  }\n", start)]
    constructor = re.search(r"constructor\(([^)]*)\)", body).group(1)
    fields = {f.name for f in dataclasses.fields(_learning_rate.LearningRateLimits)}
    assert fields <= {p.split("=")[0].strip() for p in constructor.split(",")}
    methods = {name for name, _ in inspect.getmembers(_learning_rate.LearningRateLimits)
               if not name.startswith("__") and name not in fields}
    ported = set(re.findall(r"^    (?:static |get )?(\w+)\(", body, re.M))
    assert methods - ported == set()
    for name in ("hessian", "_eigenvalues"):
        assert f"\n  function {name}(" in engine
    # and the port uses no field of theirs the engine lacks
    used = set(re.findall(r"\blimits\.(\w+)", port_source))
    assert used <= fields | methods, used - fields - methods


@pytest.mark.parametrize("code, expected", [
    ('f"a {x:.3g} b {y}"', {("a ", ".3g", " b ", "", ""), }),
    ('f"a" f"b {x}" "{y}" + ("c" if y else "d")', {("ab ", "", "{y}"), ("c",), ("d",)}),
    ('def f():\n    """doc"""\n    return plural(n, \'point\')', {("point",)}),
])
def test_python_strings_are_read_as_templates(code, expected):
    assert python_templates(code) == expected


@pytest.mark.parametrize("code, expected", [
    ('`a ${format(x, ".3g")} b ${y}`', {("a ", ".3g", " b ", "", ""), (".3g",)}),
    ('`a` + "b ${x}" + `${c ? "d" : "e"}f` + g + "h"',
     {("ab ${x}", "", "f"), ("d",), ("e",), ("h",)}),
    ('x++ + "a"; // "not" \n /* `no` */ f("it\\u0027s", \'q\\\'\')',
     {("a",), ("it's",), ("q'",)}),
    ('{ a: `${ {b: 1}.b } x` }', {("", "", " x")}),
])
def test_javascript_strings_are_read_as_templates(code, expected):
    assert _JavaScript(code).found == expected
