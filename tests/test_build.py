"""The package under test is the installed, compiled one (with bounds checks or without)."""
import importlib.machinery
import os

import numpy as np
import pytest

import gdfast
from gdfast._engine import kernels as _kernels


def test_kernel_is_a_compiled_extension():
    assert isinstance(_kernels.__loader__, importlib.machinery.ExtensionFileLoader)
    assert _kernels.__file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


@pytest.mark.bitwise
def test_kernel_has_both_float_specialisations():
    x64 = np.array([1.0, 2.0])
    x32 = x64.astype(np.float32)
    # small integers: exact in any order of summation, with FMA or without
    assert _kernels.residual_sums(x64, x64, 0.0, 1.0) == (0.0, 0.0, 0.0)
    assert _kernels.residual_sums(x32, x32, 1.0, 1.0) == (2.0, 3.0, 2.0)


def test_version():
    assert isinstance(gdfast.__version__, str) and gdfast.__version__.count(".") == 2


# GDFAST_BOUNDSCHECK=1 builds the kernels with bounds checks on; .ci/run runs the whole
# suite a second time against that build, with the variable set for pytest too.
BOUNDS_CHECKED = os.environ.get("GDFAST_BOUNDSCHECK", "0") == "1"


def _index_past_the_end():
    """Engine calls through the private API that index element 0 of an empty array, in every
    build this CPU runs: the one-feature pass (x has a point, y none: its one block takes the
    address of y[0]) and the d-feature pass (x has no row: the design takes &x[0, 0]).  Only the
    checked build may run the first: the normal one would read past y's end."""
    from gdfast import _engine

    empty = np.empty(0)
    return [
        call
        for kernels in _engine.variants.values()
        for call in (
            lambda k=kernels: k.residual_sums(np.ones(1), empty, 0.0, 0.0),
            lambda k=kernels: k.feature_sums(np.empty((0, 1)), empty, None, np.zeros(1),
                                             np.ones(1), np.zeros(2), True),
        )
    ]


def _address_past_the_end():
    """The d-feature pass on x with no row takes the address &x[0, 0] but reads nothing: safe
    in the normal build, where nothing checks the index."""
    from gdfast import _engine

    return [
        lambda k=kernels: k.feature_sums(np.empty((0, 1)), np.empty(0), None, np.zeros(1),
                                         np.ones(1), np.zeros(2), True)
        for kernels in _engine.variants.values()
    ]


def test_bounds_checks_are_on_exactly_in_the_checked_build():
    """The switch really works: in the checked build an out-of-range index raises IndexError;
    in the normal build nothing checks the index (taking &x[0, 0] of an empty x passes)."""
    if BOUNDS_CHECKED:
        for call in _index_past_the_end():
            with pytest.raises(IndexError, match="Out of bounds"):
                call()
    else:
        for call in _address_past_the_end():
            assert call() == (0.0, [0.0, 0.0])
