"""Build the compiled engine.  All metadata lives in pyproject.toml.

The engine ``gdfast/_engine/passes.pyx`` (with the ``.pxd`` and ``.h`` files
beside it) is built three times on x86-64 with a GCC-like compiler:
``gdfast._engine.passes`` for any x86-64 CPU, and, from the same source
(through ``passes_avx2.pyx`` and ``passes_avx512.pyx``),
``gdfast._engine.passes_avx2`` compiled for AVX2 and FMA and
``gdfast._engine.passes_avx512`` for AVX-512 (F, VL, DQ) with 512-bit vectors.
``gdfast._engine`` picks one at import time from what the CPU supports.
``gdfast._engine.compensated`` (the double-double sums of
``precision="compensated"``) is built once, with ``-ffp-contract=off``.

Environment switches
--------------------
GDFAST_BOUNDSCHECK=1
    Compile the engine with bounds and initialisation checks on, so an
    out-of-bounds index raises instead of reading past an array (debugging).
GDFAST_NO_OPENMP=1
    Build without OpenMP: ``n_threads`` is then accepted but the engine runs
    on one thread.  Without the switch, OpenMP is used when a test program
    compiles and links with it, else the build goes on without it.
GDFAST_NATIVE=1
    Compile for this machine's CPU (``-march=native``) instead of a portable
    x86-64 baseline; no separate AVX2 or AVX-512 build then.  The result may not run on
    another CPU.
"""
import os
import platform
import shutil
import subprocess
import sys
import tempfile

from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

CHECKED = os.environ.get("GDFAST_BOUNDSCHECK", "0") == "1"
NO_OPENMP = os.environ.get("GDFAST_NO_OPENMP", "0") == "1"
NATIVE = os.environ.get("GDFAST_NATIVE", "0") == "1"

DIRECTIVES = {
    "language_level": 3,
    "boundscheck": CHECKED,
    "wraparound": False,
    "cdivision": True,
    "initializedcheck": CHECKED,
    "embedsignature": True,
}

OPENMP_TEST = "#include <omp.h>\nint main(void) { return omp_get_max_threads() < 1; }\n"
# the extra builds: name suffix -> (flags, a program that needs them)
SIMD_BUILDS = {
    "_avx2": (["-mavx2", "-mfma"],
              "#include <immintrin.h>\nint main(void) { __m256d a = _mm256_set1_pd(1.0);\n"
              "a = _mm256_fmadd_pd(a, a, a); return (int)_mm256_cvtsd_f64(a) != 2; }\n"),
    "_avx512": (["-mavx512f", "-mavx512vl", "-mavx512dq", "-mavx2", "-mfma",
                 "-mprefer-vector-width=512"],
                "#include <immintrin.h>\nint main(void) { __m512d a = _mm512_set1_pd(1.0);\n"
                "a = _mm512_fmadd_pd(a, a, a); return (int)_mm512_reduce_add_pd(a) != 16; }\n"),
}


class BuildExt(build_ext):
    """Pick flags per compiler: optimisation, OpenMP if it works, AVX2 build."""

    def _compiles(self, source, flags):
        """True if ``source`` compiles and links with ``flags``."""
        tmp = tempfile.mkdtemp()
        try:
            path = os.path.join(tmp, "test.c")
            with open(path, "w") as f:
                f.write(source)
            objects = self.compiler.compile([path], output_dir=tmp, extra_postargs=flags)
            self.compiler.link_executable(objects, os.path.join(tmp, "test"),
                                          extra_postargs=flags)
            return True
        except Exception:  # any compile or link error means "no"
            return False
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def build_extensions(self):
        unix = self.compiler.compiler_type == "unix"
        openmp = []
        if not NO_OPENMP:
            candidates = [["-fopenmp"]] if unix else [["/openmp"]]
            openmp = next((f for f in candidates if self._compiles(OPENMP_TEST, f)), [])
            if not openmp:
                print("gdfast: no OpenMP, building the serial engine", file=sys.stderr)
        x86 = platform.machine().lower() in ("x86_64", "amd64")
        simd = {}  # extension name -> its extra flags, for the builds that compile here
        for suffix, (flags, test) in SIMD_BUILDS.items():
            if unix and x86 and not NATIVE and self._compiles(test, flags):
                simd[ENGINE + suffix] = flags
        # every extension, less the SIMD builds this compiler cannot make
        kept = [e for e in self.extensions
                if not e.name.endswith(tuple(SIMD_BUILDS)) or e.name in simd]
        for ext in self.extensions:
            stale = self.get_ext_fullpath(ext.name)
            if ext not in kept and os.path.exists(stale):
                os.remove(stale)  # left in build/ by an earlier build: must not ship
        self.extensions = kept
        # the flags depend on environment switches that setuptools' timestamp
        # check cannot see: always compile
        self.force = True
        for ext in self.extensions:
            if unix:
                ext.extra_compile_args += ["-O3"] + simd.get(ext.name, [])
                if ext.name == COMPENSATED:
                    # TwoSum's additions must not be fused with products
                    ext.extra_compile_args += ["-ffp-contract=off"]
                if NATIVE:
                    ext.extra_compile_args += ["-march=native"]
            else:
                ext.extra_compile_args += ["/O2"]
            ext.extra_compile_args += openmp
            ext.extra_link_args += openmp
        super().build_extensions()


ENGINE = "gdfast._engine.passes"
ENGINE_DIR = "gdfast/_engine"   # its .pxd and .h files
extensions = [
    Extension(ENGINE + suffix, [f"{ENGINE_DIR}/passes{suffix}.pyx"], include_dirs=[ENGINE_DIR])
    for suffix in ("",) + tuple(SIMD_BUILDS)]
# the double-double sums of precision="compensated": one build, no SIMD
COMPENSATED = "gdfast._engine.compensated"
extensions.append(Extension(COMPENSATED, [f"{ENGINE_DIR}/compensated.pyx"]))

setup(
    ext_modules=cythonize(extensions, compiler_directives=DIRECTIVES),
    cmdclass={"build_ext": BuildExt},
)
