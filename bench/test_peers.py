"""The peers of the d-feature benchmarks do the work gdfast does: after a few iterations
from 0 at the same learning rate, every one of them is at the same parameters as
gdfast's engine (a test of the peers, so that the ratios compare like with like)."""
import numpy as np
import pytest
from peers import (LEARNING_RATE, engine_batch, make_features, numpy_features_loop,
                   torch_features_loop)

from gdfast._engine import kernels as K

ITERATIONS = 4
# float64: sums in different orders agree to ~1e-15 relative, a few iterations
# keep that; float32 loops (NumPy's, torch's) round every sum to float32
RTOL = {"float64": 1e-11, "float32": 1e-4}


@pytest.fixture(params=[(3, "float64", "F"), (7, "float64", "C"), (5, "float32", "F")],
                ids=lambda c: f"d={c[0]}-{c[1]}-{c[2]}")
def case(request):
    d, dtype, order = request.param
    x, y = make_features(3_000, d, dtype, order)
    state = np.empty(K.state_size(d + 1))
    status, k, _ = engine_batch(K, x, y, ITERATIONS, 2, state)
    assert (status, k) == (K.STATUS_MAX_ITER, ITERATIONS)
    params = state[K.STATE_VECTORS:K.STATE_VECTORS + d + 1]
    return x, y, params, RTOL[dtype]


def test_numpy_loop_reaches_gdfasts_parameters(case):
    x, y, params, rtol = case
    b0, b = numpy_features_loop(x, y, LEARNING_RATE, ITERATIONS)
    np.testing.assert_allclose(np.r_[b0, b], params, rtol=rtol)


def test_numba_fused_loop_reaches_gdfasts_parameters(case, numba_features):
    x, y, params, rtol = case
    _, features = numba_features
    costs = np.empty(ITERATIONS)
    b0, b = features(x, y, LEARNING_RATE, ITERATIONS, costs)
    np.testing.assert_allclose(np.r_[b0, b], params, rtol=1e-11)   # sums in double
    assert np.all(np.diff(costs) < 0)


def test_torch_loop_reaches_gdfasts_parameters(case):
    torch = pytest.importorskip("torch", reason="torch is not installed "
                                "(pip install torch==2.13.0: bench/README.md)")
    x, y, params, rtol = case
    b0, b = torch_features_loop(torch, x, y, LEARNING_RATE, ITERATIONS)
    np.testing.assert_allclose(np.r_[b0.item(), b.numpy()], params, rtol=rtol)
