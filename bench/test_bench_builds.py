"""One batch iteration on one thread, for every build of the one-feature kernel
this CPU runs (bench/README.md, "SIMD builds and -march=native").

setup.py compiles gdfast/_kernels.pyx as a portable x86-64 baseline (SSE2),
with AVX2 + FMA and with AVX-512; gdfast._engine.variants holds those this
CPU can run.  Built with GDFAST_NATIVE=1 there is one build, the baseline
compiled with -march=native.  bench/report.py prints the table.
"""
import os

import numpy as np
import pytest
from peers import gdfast_batch, iterations_for, make_data

from gdfast import _engine

CASES = [(1_000, "float64"), (1_000, "float32"), (100_000, "float64"), (100_000, "float32"),
         (1_000_000, "float64"), (10_000_000, "float64"), (10_000_000, "float32")]


@pytest.mark.parametrize("build", sorted(_engine.variants))
@pytest.mark.parametrize("n, dtype", CASES, ids=[f"n={n}-{d}" for n, d in CASES])
def test_build_batch_iteration(benchmark, build, n, dtype):
    kernels = _engine.variants[build]
    x, y = make_data(n, np.dtype(dtype))
    iterations = iterations_for(n)
    benchmark.group = f"builds n={n} {dtype}"
    # the environment of the run that built gdfast: GDFAST_NATIVE=1 labels the build native
    label = f"{build} (-march=native)" if os.environ.get("GDFAST_NATIVE") == "1" else build
    benchmark.extra_info.update(build=label, n=n, dtype=dtype, iterations=iterations)
    status, k, _ = benchmark.pedantic(gdfast_batch, args=(kernels, x, y, iterations, 1),
                                      rounds=9, warmup_rounds=1)
    assert k == iterations
