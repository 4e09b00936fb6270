"""The switches .ci/run reruns the bitwise tests under reach what they switch.

``GDFAST_KERNEL`` picks gdfast's kernel build, ``OPENBLAS_CORETYPE`` the
kernels of NumPy's OpenBLAS: a rerun under a switch that is silently
ignored would test the default kernels again and prove nothing.
"""
import os
import platform
import subprocess
import sys

import pytest

from gdfast import _engine

# the kernels NumPy's OpenBLAS runs, as OpenBLAS names them, lower case
OPENBLAS_CORE = ("import numpy\n"
                 "from threadpoolctl import threadpool_info\n"
                 "print(*[i['architecture'].lower() for i in threadpool_info()\n"
                 "        if i['internal_api'] == 'openblas'])\n")
# OpenBLAS reports a table of kernels by the first core in its list that uses
# it: in a build without the oldest cores' own tables (NumPy's), Prescott's
# kernels are reported as Katmai's
SAME_KERNELS = {"prescott": {"prescott", "katmai"}}


def _in_child(folder, code, **environment):
    """What ``python -c code`` prints, run in ``folder`` (outside the repository, whose
    gdfast is not the installed one) with ``environment`` added to this one's."""
    done = subprocess.run([sys.executable, "-c", code], cwd=folder,
                          env={**os.environ, **environment}, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.bitwise
def test_gdfast_kernel_picks_the_build_it_names_else_the_fastest(tmp_path):
    named = os.environ.get("GDFAST_KERNEL")
    if named is not None:   # a rerun of .ci/run's: this process runs the build named
        assert named in _engine.variants, (
            f"GDFAST_KERNEL={named!r} is not a build this CPU runs: {list(_engine.variants)}")
        assert _engine.kernels is _engine.variants[named]
        return
    assert _engine.kernels is list(_engine.variants.values())[-1]
    # and a process started with GDFAST_KERNEL runs the build it names
    code = "from gdfast import _engine; print(_engine.kernels.__name__)"
    for name, module in _engine.variants.items():
        assert _in_child(tmp_path, code, GDFAST_KERNEL=name) == module.__name__


@pytest.mark.bitwise
@pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"),
                    reason="the OpenBLAS kernel families .ci/run forces are x86-64's")
def test_openblas_coretype_picks_the_kernels_of_numpys_openblas(tmp_path):
    forced = os.environ.get("OPENBLAS_CORETYPE", "Prescott")   # SSE3: any x86-64 CPU runs it
    # in a process started with it: this one's, in a rerun of .ci/run's
    core = _in_child(tmp_path, OPENBLAS_CORE, OPENBLAS_CORETYPE=forced)
    assert core in SAME_KERNELS.get(forced.lower(), {forced.lower()}), (
        f"OPENBLAS_CORETYPE={forced}, but NumPy's OpenBLAS runs {core or 'no OpenBLAS'}")


def test_gdfast_kernel_naming_no_build_is_an_error_at_import(tmp_path):
    """A typo in GDFAST_KERNEL must not silently run (and test) the default build."""
    done = subprocess.run([sys.executable, "-c", "import gdfast"], cwd=tmp_path,
                          env={**os.environ, "GDFAST_KERNEL": "avx3"}, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ValueError: GDFAST_KERNEL='avx3' is not a kernel build"), last
    assert "baseline, avx2, avx512" in last
