"""The package under test is the installed, compiled one."""
import importlib.machinery

import numpy as np

import gdfast
from gdfast import _kernels


def test_kernel_is_a_compiled_extension():
    assert isinstance(_kernels.__loader__, importlib.machinery.ExtensionFileLoader)
    assert _kernels.__file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


def test_kernel_has_both_float_specialisations():
    x64 = np.array([1.0, 2.0])
    x32 = x64.astype(np.float32)
    assert _kernels.residual_sums(x64, x64, 0.0, 1.0) == (0.0, 0.0, 0.0)
    assert _kernels.residual_sums(x32, x32, 1.0, 1.0) == (2.0, 3.0, 2.0)


def test_version():
    assert isinstance(gdfast.__version__, str) and gdfast.__version__.count(".") == 2
