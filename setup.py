"""Build the Cython kernel.  All metadata lives in pyproject.toml.

Environment switches
--------------------
GDFAST_BOUNDSCHECK=1
    Compile the kernel with bounds and initialisation checks on, so an
    out-of-bounds index raises instead of reading past an array (debugging).
"""
import os

from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

CHECKED = os.environ.get("GDFAST_BOUNDSCHECK", "0") == "1"

DIRECTIVES = {
    "language_level": 3,
    "boundscheck": CHECKED,
    "wraparound": False,
    "cdivision": True,
    "initializedcheck": CHECKED,
    "embedsignature": True,
}


class BuildExt(build_ext):
    """Pick optimisation flags per compiler (MSVC does not take GCC's)."""

    def build_extensions(self):
        if self.compiler.compiler_type == "unix":
            for ext in self.extensions:
                ext.extra_compile_args += ["-O3"]
        super().build_extensions()


extensions = [
    Extension("gdfast._kernels", ["gdfast/_kernels.pyx"]),
    Extension("gdfast._multi_kernels", ["gdfast/_multi_kernels.pyx"]),
]

setup(
    ext_modules=cythonize(extensions, compiler_directives=DIRECTIVES),
    cmdclass={"build_ext": BuildExt},
)
