"""The curvature of the cost (gdfast._curvature): each way of working out the Hessian's
eigenvalues against np.linalg.eigvalsh of the Hessian built here with NumPy.

- small d: the exact eigenvalues from the (d+1) x (d+1) Hessian (not estimated);
- N smaller than d + 1: the exact eigenvalues from the N x N side A A.T / N (dual);
- N and d both large: the Lanczos estimate, flagged ``estimated``, whose largest
  eigenvalue is a bound at or above the true one (so the rates derived from it
  are safe).
"""
import numpy as np
import pytest

import gdfast
from gdfast import _curvature, _sums


def numpy_hessian(x, fit_intercept=True, sample_weight=None, cost="half_mse"):
    """H = A.T @ diag(w) @ A / sum(w), A = [1, x] (x alone without intercept)."""
    a = np.column_stack([np.ones(len(x)), x]) if fit_intercept else np.asarray(x, float)
    w = np.ones(len(x)) if sample_weight is None else sample_weight
    h = (a * w[:, None]).T @ a / w.sum()
    return 2.0 * h if cost == "mse" else h


@pytest.fixture
def paths(monkeypatch):
    """Counts of the calls of the dual (N x N) path and of the Lanczos estimate."""
    calls = {"dual": 0, "lanczos": 0}
    dual, lanczos = _sums.DataSums.dual_gram, _curvature.lanczos

    def counted_dual(*args, **kwargs):
        calls["dual"] += 1
        return dual(*args, **kwargs)

    def counted_lanczos(*args, **kwargs):
        calls["lanczos"] += 1
        return lanczos(*args, **kwargs)

    monkeypatch.setattr(_sums.DataSums, "dual_gram", counted_dual)
    monkeypatch.setattr(_curvature, "lanczos", counted_lanczos)
    return calls


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("cost", ["half_mse", "mse"])
def test_small_d_takes_the_exact_hessian(paths, fit_intercept, cost):
    rng = np.random.default_rng(1)
    x = rng.normal(3.0, [0.5, 1.0, 2.0, 4.0], size=(400, 4))
    lim = gdfast.learning_rate_limits(x, fit_intercept=fit_intercept, cost=cost)
    expected = np.linalg.eigvalsh(numpy_hessian(x, fit_intercept, cost=cost))
    assert paths == {"dual": 0, "lanczos": 0}
    assert not lim.estimated
    # the same matrix up to the rounding of two different sums of products
    np.testing.assert_allclose(lim.eigenvalues, expected, rtol=1e-10)
    assert lim.max_stable == pytest.approx(2.0 / expected[-1], rel=1e-12)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_fewer_points_than_parameters_takes_the_n_by_n_side(paths, fit_intercept, weighted):
    # N = 30 points, d = 400 features: the Hessian (401 x 401, rank <= 30) has
    # the non-zero eigenvalues of the 30 x 30 matrix, and zeros
    rng = np.random.default_rng(2)
    x = rng.normal(0.5, 1.0, size=(30, 400))
    w = rng.uniform(0.5, 2.0, 30) if weighted else None
    lim = gdfast.learning_rate_limits(x, fit_intercept=fit_intercept, sample_weight=w)
    expected = np.linalg.eigvalsh(numpy_hessian(x, fit_intercept, w))
    assert paths == {"dual": 1, "lanczos": 0}
    assert not lim.estimated
    assert lim.eigenvalues.shape == expected.shape
    # the zeros of one side are rounding-sized on the other: an absolute
    # tolerance relative to the largest eigenvalue
    np.testing.assert_allclose(lim.eigenvalues, expected, rtol=1e-10,
                               atol=1e-10 * expected[-1])
    assert lim.max_stable == pytest.approx(2.0 / expected[-1], rel=1e-10)


def test_many_points_and_features_are_estimated_by_lanczos(paths):
    # N = 5000 and d = 500: the exact ways would cost over EXACT_WORK
    # multiply-adds; a common factor gives the Hessian one well-separated
    # large eigenvalue, the rest spread below it
    rng = np.random.default_rng(3)
    n, d = 5000, 500
    assert min(n, d + 1) > _curvature.EXACT_SIDE and n * (d + 1) ** 2 > _curvature.EXACT_WORK
    factor = rng.normal(size=(n, 1))
    x = factor * rng.uniform(0.5, 1.0, d) + rng.normal(size=(n, d)) * np.linspace(0.2, 1.0, d)
    lim = gdfast.learning_rate_limits(x)
    expected = np.linalg.eigvalsh(numpy_hessian(x))
    assert paths == {"dual": 0, "lanczos": 1}
    assert lim.estimated
    assert lim.standardized is None
    assert len(lim.eigenvalues) <= _curvature.LANCZOS_STEPS
    # the largest is raised to a bound: at or above lambda_max (to rounding),
    # and within 1e-6 of it for an eigenvalue this well separated
    assert expected[-1] * (1 - 1e-12) <= lim.eigenvalues[-1] <= expected[-1] * (1 + 1e-6)
    assert lim.max_stable <= 2.0 / expected[-1] * (1 + 1e-12)
    # Ritz values lie inside the spectrum
    assert np.all(lim.eigenvalues[:-1] >= expected[0] * (1 - 1e-9))
    assert np.all(lim.eigenvalues[:-1] <= expected[-1] * (1 + 1e-12))


def test_lanczos_on_a_known_operator_finds_its_extreme_eigenvalues():
    # a symmetric 300 x 300 matrix of known spectrum: 1..2 spread, and 10
    rng = np.random.default_rng(4)
    q, _ = np.linalg.qr(rng.normal(size=(300, 300)))
    spectrum = np.r_[np.linspace(1.0, 2.0, 299), 10.0]
    h = (q * spectrum) @ q.T
    ritz, bound = _curvature.lanczos(lambda v: h @ v, 300, 40)
    assert ritz[-1] == pytest.approx(10.0, rel=1e-12)
    assert 10.0 * (1 - 1e-12) <= bound <= 10.0 * (1 + 1e-9)
    assert np.all((ritz >= 1.0 - 1e-12) & (ritz <= 10.0 + 1e-9))


def test_an_estimated_auto_rate_converges(paths):
    # learning_rate="auto" with an estimated spectrum: the rate is below the
    # true limit 2/lambda_max, so the descent converges to least squares
    rng = np.random.default_rng(5)
    n, d = 5000, 500
    x = rng.normal(size=(n, d)) * np.linspace(0.5, 1.0, d)
    coef = rng.normal(size=d)
    y = 1.0 + x @ coef + rng.normal(0.0, 0.1, n)
    res = gdfast.fit(x, y, learning_rate="auto", tol=1e-8, max_iter=5000, record_every=0)
    assert paths["lanczos"] == 1
    assert res.converged
    expected = np.linalg.lstsq(np.column_stack([np.ones(n), x]), y, rcond=None)[0]
    np.testing.assert_allclose(res.coef, expected[1:], atol=1e-6)


# x of shape (5, 12000): 5 points, 12000 features.  A fixed learning rate below
# 2 / trace(H) needs no eigenvalue at all; "auto" needs those of the 5 x 5
# side.  Neither may build the 12001 x 12001 Hessian (1.1 GB) or take its
# eigenvalues (minutes).  Run in a child with a generous timeout, so that a
# regression fails instead of hanging the suite; the child reports the peak of
# traced memory (NumPy's arrays and the engine's buffers are traced) and which
# eigenvalue paths ran.
WIDE_CHILD = r"""
import json, sys, tracemalloc, warnings
import numpy as np
import gdfast
from gdfast import _curvature, _learning_rate, _sums

calls = []
for module, name in ((_sums.DataSums, "dual_gram"), (_curvature, "lanczos"),
                     (_learning_rate, "_eigenvalues")):
    def spy(*args, _f=getattr(module, name), _name=name, **kwargs):
        calls.append(_name)
        return _f(*args, **kwargs)
    setattr(module, name, spy)

rng = np.random.default_rng(6)
x = rng.normal(size=(5, 12000))
y = rng.normal(size=5)
rate = sys.argv[1] if sys.argv[1] == "auto" else float(sys.argv[1])
tracemalloc.start()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    res = gdfast.fit(x, y, learning_rate=rate, max_iter=200, tol=None)
peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({"peak": peak, "calls": calls, "n_iter": res.n_iter,
                  "cost": float(res.cost), "start_cost": float(0.5 * np.mean(y * y)),
                  "warnings": [str(w.message) for w in caught]}))
"""


@pytest.mark.parametrize("rate, paths_run", [(1e-5, []), ("auto", ["dual_gram"])])
def test_wide_x_fits_without_the_full_hessian(rate, paths_run, tmp_path):
    import json
    import subprocess
    import sys

    # run outside the source tree, which would shadow the installed gdfast
    done = subprocess.run([sys.executable, "-c", WIDE_CHILD, str(rate)], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    # 1e-5 is below 2 / trace(H) (trace about 12001 for unit normal columns)
    assert report["calls"] == paths_run
    assert report["n_iter"] == 200
    assert report["cost"] < report["start_cost"]
    assert report["peak"] < 200e6
    assert any("12000 features for 5 points" in w for w in report["warnings"])
