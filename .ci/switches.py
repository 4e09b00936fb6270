"""Print the values of a switch that this machine runs, for .ci/run's reruns of the bitwise tests.

    python .ci/switches.py GDFAST_KERNEL        each gdfast kernel build this CPU runs
    python .ci/switches.py OPENBLAS_CORETYPE    the kernel families of NumPy's OpenBLAS this
                                                CPU runs, other than the one it picks here:
                                                SkylakeX (AVX-512), Haswell (AVX2 and FMA),
                                                Prescott (SSE3, any x86-64 CPU)

A family is left out where it is the one OpenBLAS picks: the main test run
has run it.  The one it picks differs between CPUs (SkylakeX on an Intel
Sapphire Rapids, another family on many AMD CPUs), and results that agree
under one family may not under another (issue 15).

Run as a script: its folder, not the repository (whose gdfast is not the
installed one), comes first on sys.path.
"""
import platform
import sys

from gdfast._engine import _cpu_features, variants

# OpenBLAS's x86-64 kernel families, widest first, and the CPU features they need (as NumPy
# names them)
_OPENBLAS_FAMILIES = {"SkylakeX": ("AVX512_SKX",), "Haswell": ("AVX2", "FMA3"),
                      "Prescott": ("SSE3",)}


def _openblas_picks():
    """The kernel family NumPy's OpenBLAS runs here (lower case), or None without OpenBLAS."""
    import numpy  # noqa: F401 - loads OpenBLAS for threadpoolctl to find
    from threadpoolctl import threadpool_info

    cores = [i["architecture"] for i in threadpool_info() if i["internal_api"] == "openblas"]
    return cores[0].lower() if cores else None


def openblas_cores():
    """The kernel families this CPU runs, less the one OpenBLAS picks; none without OpenBLAS
    or on another architecture."""
    picked = _openblas_picks()
    if picked is None or platform.machine().lower() not in ("x86_64", "amd64"):
        return []
    features = _cpu_features()
    return [family for family, needs in _OPENBLAS_FAMILIES.items()
            if all(features.get(f) for f in needs) and family.lower() != picked]


if __name__ == "__main__":
    switch = sys.argv[1] if len(sys.argv) == 2 else None
    values = {"GDFAST_KERNEL": lambda: list(variants), "OPENBLAS_CORETYPE": openblas_cores}
    if switch not in values:
        sys.exit(f"usage: python .ci/switches.py {{{'|'.join(values)}}}")
    print(*values[switch]())
