"""One batch iteration on one thread, for every build of the engine this CPU runs
(bench/README.md, "SIMD builds and -march=native"): the one-feature pass, and the
d-feature pass at d = 5.

setup.py compiles gdfast/_engine/passes.pyx as a portable x86-64 baseline (SSE2),
with AVX2 + FMA (passes_avx2) and with AVX-512 (passes_avx512);
gdfast._engine.variants holds those this CPU can run.  Built with GDFAST_NATIVE=1
there is one build, the baseline compiled with -march=native.  bench/report.py prints the table.
"""
import os

import numpy as np
import pytest
from peers import engine_batch, gdfast_batch, iterations_for, make_data, make_features, quick

from gdfast import _engine

CASES = [(1_000, "float64"), (1_000, "float32"), (100_000, "float64"), (100_000, "float32")]
if not quick():
    CASES += [(1_000_000, "float64"), (10_000_000, "float64"), (10_000_000, "float32")]


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


@pytest.mark.parametrize("build", sorted(_engine.variants))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_build_features_iteration(benchmark, build, dtype):
    kernels = _engine.variants[build]
    n, d = (1_000 if quick() else 100_000), 5
    x, y = make_features(n, d, dtype, "F")
    iterations = iterations_for(n * d)
    benchmark.group = f"builds features n={n} d={d} {dtype}"
    label = f"{build} (-march=native)" if os.environ.get("GDFAST_NATIVE") == "1" else build
    benchmark.extra_info.update(build=label, n=n, d=d, dtype=dtype, iterations=iterations)
    status, k, _ = benchmark.pedantic(engine_batch, args=(kernels, x, y, iterations, 1),
                                      rounds=9, warmup_rounds=1)
    assert k == iterations
