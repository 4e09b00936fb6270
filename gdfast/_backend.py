"""The compiled kernel module this CPU runs: the AVX2/FMA build or the baseline.

``kernels`` is ``gdfast._kernels_avx2`` when it was built and the CPU (and
the OS) support AVX2 and FMA, else ``gdfast._kernels``.  Both come from the
same ``_kernels.pyx``; they differ only in compiler flags, so results agree
to rounding (FMA rounds once where the baseline rounds twice).  Set
``GDFAST_KERNEL=baseline`` to force the baseline build.
"""
import os

from . import _kernels as baseline

try:
    from . import _kernels_avx2 as avx2
except ImportError:  # not built: not x86-64, no GCC-like compiler, or GDFAST_NATIVE
    avx2 = None


def _cpu_has_avx2_fma():
    """True if the CPU and the OS support AVX2 and FMA, as NumPy sees them."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:
        try:  # NumPy < 2
            from numpy.core._multiarray_umath import __cpu_features__
        except ImportError:
            return False
    return bool(__cpu_features__.get("AVX2") and __cpu_features__.get("FMA3"))


#: every build available here, by name (the tests run each)
variants = {"baseline": baseline}
if avx2 is not None and _cpu_has_avx2_fma():
    variants["avx2"] = avx2

kernels = variants.get(os.environ.get("GDFAST_KERNEL", "avx2"), baseline)
