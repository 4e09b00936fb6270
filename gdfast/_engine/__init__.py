"""The compiled engine: the SIMD build this CPU runs, and the threads a pass gets.

All builds come from the same ``passes.pyx`` and differ only in compiler
flags (setup.py): ``passes`` (any x86-64 or other CPU), ``passes_avx2``
(AVX2 + FMA), ``passes_avx512`` (AVX-512 F/VL/DQ, 512-bit vectors).  Their
results agree to rounding: FMA rounds once where the baseline rounds twice.
Set ``GDFAST_KERNEL`` to ``baseline``, ``avx2`` or ``avx512`` to force one:
any other value is a ``ValueError`` at import, and a build this CPU cannot run
(or that was not compiled here) a ``RuntimeWarning`` and the widest it can.
"""
import importlib
import os
import warnings

from . import passes as baseline

# build name -> the CPU features it needs, as NumPy names them (NumPy checks
# that the OS saves the wide registers too); widest last
_NEEDS = {"avx2": ("AVX2", "FMA3"), "avx512": ("AVX2", "FMA3", "AVX512_SKX")}


def _cpu_features():
    """NumPy's table of the CPU features it detected at run time."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:
        try:  # NumPy < 2
            from numpy.core._multiarray_umath import __cpu_features__
        except ImportError:
            return {}
    return __cpu_features__


def _runnable_builds():
    """{name: module} of the builds that exist here and that this CPU runs."""
    features = _cpu_features()
    builds = {"baseline": baseline}
    for name, needs in _NEEDS.items():
        if all(features.get(f) for f in needs):
            try:
                builds[name] = importlib.import_module(f".passes_{name}", __package__)
            except ImportError:  # not built: not x86-64, no GCC-like compiler, GDFAST_NATIVE
                pass
    return builds


#: every build this CPU can run, by name (the tests run each)
variants = _runnable_builds()



def _chosen_build(named):
    """The build GDFAST_KERNEL names (``named``), checked; else the widest this CPU runs."""
    if not named:
        return list(variants.values())[-1]
    known = ("baseline", *_NEEDS)
    if named not in known:
        # a typo must not silently test or time the default build instead
        raise ValueError(f"GDFAST_KERNEL={named!r} is not a kernel build: set it to one of "
                         f"{', '.join(known)}, or unset it for the widest this CPU runs")
    if named not in variants:
        widest = list(variants)[-1]
        warnings.warn(f"GDFAST_KERNEL={named!r}: this CPU cannot run that build (or it was "
                      f"not compiled here); using {widest!r}", RuntimeWarning, stacklevel=2)
    return variants.get(named, list(variants.values())[-1])


#: the build gdfast uses: GDFAST_KERNEL's if it names one, else the widest
kernels = _chosen_build(os.environ.get("GDFAST_KERNEL", ""))
