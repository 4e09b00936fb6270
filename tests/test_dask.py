"""gdfast.dask.fit on a real dask.distributed LocalCluster of 2 worker processes.

References: gdfast.fit on the same (computed) data, and the NumPy
transcription of the update rules (conftest's numpy_descent_features).
Data are small (20 000 x 3 in 4 row blocks) and fits short: a batch
iteration is a round trip through the cluster.
"""
import os
import signal

import dask.array as da
import distributed
import numpy as np
import pytest

import gdfast
import gdfast.dask

N, D, ROWS = 20_000, 3, 5_000
RTOL = 1e-10


def _cluster():
    return distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                    dashboard_address=":0")


@pytest.fixture(scope="module")
def client():
    with _cluster() as cluster, distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(N, D))
    x[:, 2] += 0.5 * x[:, 0]
    y = 1.0 + x @ np.array([2.0, -1.0, 0.5]) + rng.normal(0.0, 0.3, N)
    w = rng.uniform(0.0, 2.0, N)
    return x, y, w


def _dask(a):
    return da.from_array(a, chunks=(ROWS,) + (-1,) * (a.ndim - 1))


def _assert_same_fit(got, want, rtol=RTOL):
    """Same path, point, status and diagnosis as the local fit, to rtol.

    The iterations recorded and the one stopped at are the same exactly although the
    values differ by rounding: where the fits here stop on tol, the gradient norms cross
    it at least 2 % away from it; where they diverge, the largest value of the last finite
    iteration is over 1 % below the float64 limit, the next one's 50 times above it.
    """
    np.testing.assert_array_equal(got.history.iteration, want.history.iteration)
    for name in ("intercept", "cost"):
        np.testing.assert_allclose(getattr(got.history, name), getattr(want.history, name),
                                   rtol=rtol, atol=0)
    np.testing.assert_allclose(got.history.coef, want.history.coef, rtol=rtol, atol=0)
    np.testing.assert_allclose(got.coef, want.coef, rtol=rtol, atol=0)
    # near the optimum the gradient is a difference of nearly equal sums: its
    # rounding is absolute (the gradients here start near 1)
    np.testing.assert_allclose(got.gradient_norm, want.gradient_norm, rtol=1e-8, atol=1e-12)
    assert (got.n_iter, got.converged, got.stopped_by) == (want.n_iter, want.converged,
                                                          want.stopped_by)
    assert (got.slope is None) == (want.slope is None)
    assert got.learning_rate == pytest.approx(want.learning_rate, rel=RTOL)
    # the same words; the numbers in them may differ in the last printed digit
    # where they are rounding noise (a converged gradient norm of 1e-16)
    assert got.diagnosis.split(":")[0] == want.diagnosis.split(":")[0]


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no-intercept"])
@pytest.mark.parametrize("d", [1, 3])
def test_batch_agrees_with_local_fit_and_numpy_oracle(client, data, oracle_features, d,
                                                      fit_intercept, weighted):
    x, y, w = data
    x = x[:, 0] if d == 1 else x
    w = w if weighted else None
    kw = dict(learning_rate=0.3, max_iter=25, tol=None, fit_intercept=fit_intercept,
              sample_weight=w)
    got = gdfast.dask.fit(_dask(x), _dask(y), **{**kw, "sample_weight": (
        None if w is None else _dask(w))}, client=client)
    _assert_same_fit(got, gdfast.fit(x, y, **kw))
    want = oracle_features(x.reshape(N, -1), y, 0.3, 25, fit_intercept=fit_intercept,
                           sample_weight=w)
    np.testing.assert_allclose(got.history.intercept, want[:, 1], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(got.history.coef, want[:, 2:-1], rtol=1e-10)
    np.testing.assert_allclose(got.history.cost, want[:, -1], rtol=1e-10)
    if d == 1:
        assert got.slope == got.coef[0]


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no-intercept"])
@pytest.mark.parametrize("d", [1, 3])
def test_stats_agrees_with_local_fit(client, data, d, fit_intercept, weighted):
    x, y, w = data
    x = x[:, 0] if d == 1 else x
    w = w if weighted else None
    kw = dict(learning_rate="auto", max_iter=200, tol=1e-9, fit_intercept=fit_intercept,
              sample_weight=w)
    got = gdfast.dask.fit(_dask(x), _dask(y), method="stats", client=client, **{
        **kw, "sample_weight": None if w is None else _dask(w)})
    assert got.converged
    _assert_same_fit(got, gdfast.fit(x, y, method="stats", **kw))
    # and the least-squares solution, independently
    a = np.column_stack([np.ones(N), x.reshape(N, -1)]) if fit_intercept else x.reshape(N, -1)
    sw = np.sqrt(np.ones(N) if w is None else w)
    solution = np.linalg.lstsq(a * sw[:, None], y * sw, rcond=None)[0]
    np.testing.assert_allclose(got.coef, solution[-d:], rtol=1e-7)


def test_batch_converges_like_local_fit_with_standardize_and_record_every(client, data):
    x, y, _ = data
    x = x * np.array([1.0, 100.0, 0.01]) + np.array([0.0, 50.0, -3.0])
    kw = dict(learning_rate="auto", max_iter=300, tol=1e-8, standardize=True,
              record_every=7)
    got = gdfast.dask.fit(_dask(x), _dask(y), client=client, **kw)
    want = gdfast.fit(x, y, **kw)
    assert got.converged and got.n_iter < 300
    _assert_same_fit(got, want, rtol=1e-9)


def test_float32_data_agree_with_local_float32_fit(client, data):
    x, y, _ = (a.astype(np.float32) for a in data)
    kw = dict(learning_rate=0.3, max_iter=10, tol=None)
    got = gdfast.dask.fit(_dask(x), _dask(y), client=client, **kw)
    want = gdfast.fit(x, y, **kw)
    _assert_same_fit(got, want)


def test_max_iter_warns_at_the_callers_line_and_diagnoses(client, data):
    x, y, _ = data
    with pytest.warns(gdfast.ConvergenceWarning, match="max_iter=5") as record:
        got = gdfast.dask.fit(_dask(x), _dask(y), learning_rate=0.1, max_iter=5,
                              client=client)
    assert record[0].filename == __file__
    assert not got.converged and got.n_iter == 5
    assert got.diagnosis.startswith("stopped at max_iter=5 before converging")


def test_divergence_raises_with_the_partial_result_of_local_fit(client, data):
    x, y, _ = data
    kw = dict(learning_rate=5.0, max_iter=2000)
    with pytest.warns(gdfast.DivergenceWarning) as record, \
            pytest.raises(gdfast.DivergenceError) as got:
        gdfast.dask.fit(_dask(x), _dask(y), client=client, **kw)
    assert record[0].filename == __file__
    with pytest.warns(gdfast.DivergenceWarning), pytest.raises(gdfast.DivergenceError) as want:
        gdfast.fit(x, y, **kw)
    _assert_same_fit(got.value.result, want.value.result, rtol=1e-9)
    assert got.value.result.diagnosis.startswith("diverged")


def test_callback_sees_each_row_and_stops_the_fit(client, data):
    x, y, _ = data
    seen = []

    def callback(step):
        seen.append(step.iteration)
        return step.iteration < 4

    got = gdfast.dask.fit(_dask(x), _dask(y), learning_rate=0.1, max_iter=100,
                          callback=callback, client=client)
    assert seen == [0, 1, 2, 3, 4]
    assert got.stopped_by == "callback" and got.n_iter == 4


def test_blocks_of_any_sizes_and_rechunked_targets(client, data):
    x, y, w = data
    X = da.from_array(x, chunks=((7000, 0, 1, 12_999), (D,)))
    # y and the weights chunked otherwise, or in memory: put in X's row blocks
    got = gdfast.dask.fit(X, da.from_array(y, chunks=3000), sample_weight=w,
                          learning_rate=0.3, max_iter=5, tol=None, client=client)
    _assert_same_fit(got, gdfast.fit(x, y, sample_weight=w, learning_rate=0.3, max_iter=5,
                                     tol=None))


def test_a_worker_killed_during_a_batch_fit_is_recovered(data):
    # blocks from a source graph (seeded random chunks), so Dask can
    # recompute those the killed worker held
    rng = da.random.default_rng(11)
    X = rng.normal(size=(N, D), chunks=(ROWS, D))
    y = 1.0 + X @ da.from_array(np.array([2.0, -1.0, 0.5])) + 0.1 * rng.normal(
        size=N, chunks=ROWS)
    x_local, y_local = X.compute(), y.compute()
    kw = dict(learning_rate=0.3, max_iter=20, tol=None)
    killed = {}

    with _cluster() as cluster, distributed.Client(cluster) as client:
        def kill_a_worker_at_iteration_3(step):
            if step.iteration == 3:
                holders = [worker for key, workers in client.who_has().items()
                           if "checked_block" in str(key) for worker in workers]
                victim = max(set(holders), key=holders.count)
                killed["address"] = victim
                killed["pid"] = client.run(os.getpid, workers=[victim])[victim]
                os.kill(killed["pid"], signal.SIGKILL)
                killed["blocks held"] = holders.count(victim)

        got = gdfast.dask.fit(X, y, callback=kill_a_worker_at_iteration_3, client=client,
                              **kw)
        workers_after = set(client.scheduler_info()["workers"])

    assert killed["blocks held"] >= 1
    assert killed["address"] not in workers_after
    assert got.n_iter == 20 and len(got.history) == 21
    _assert_same_fit(got, gdfast.fit(x_local, y_local, **kw))


def test_bad_input_is_refused_before_iterating(client, data):
    x, y, w = data
    X, Y = _dask(x), _dask(y)
    with pytest.raises(TypeError, match="X must be a dask array.*gdfast.fit"):
        gdfast.dask.fit(x, Y, client=client)
    with pytest.raises(ValueError, match=r"chunked along its columns.*rechunk"):
        gdfast.dask.fit(da.from_array(x, chunks=(ROWS, 2)), Y, client=client)
    with pytest.raises(ValueError, match="same number of points.*20000 and 19999"):
        gdfast.dask.fit(X, Y[1:], client=client)
    with pytest.raises(ValueError, match="unknown chunk sizes"):
        gdfast.dask.fit(X[X[:, 0] > 0], Y, client=client)
    with pytest.raises(TypeError, match="real numbers"):
        gdfast.dask.fit(X.astype(complex), Y, client=client)
    with pytest.raises(TypeError, match="client must be"):
        gdfast.dask.fit(X, Y, client="tcp://nowhere")
    with pytest.raises(ValueError, match="method must be one of"):
        gdfast.dask.fit(X, Y, method="sgd", client=client)
    with pytest.raises(ValueError, match=r"init must be 4 numbers \(b0, b1, b2, b3\)"):
        gdfast.dask.fit(X, Y, init=(0.0, 1.0), client=client)
    # found by the first pass, named by their row in the whole data
    bad = x.copy()
    bad[12_345, 1] = np.nan
    for method in ("batch", "stats"):
        with pytest.raises(ValueError, match=r"x must be finite, but x\[12345, 1\] is nan"):
            gdfast.dask.fit(_dask(bad), Y, method=method, client=client)
    bad_w = w.copy()
    bad_w[17_000] = -1.0
    with pytest.raises(ValueError, match=r"sample_weight\[17000\] is -1.0"):
        gdfast.dask.fit(X, Y, sample_weight=_dask(bad_w), client=client)
    with pytest.raises(ValueError, match="all zeros"):
        gdfast.dask.fit(X, Y, sample_weight=np.zeros(N), client=client)


def test_import_gdfast_does_not_import_dask(run_python):
    done = run_python("import sys, gdfast; gdfast.fit([0.0, 1.0], [1.0, 3.0], max_iter=3); "
                      "print(sorted(m for m in ('dask', 'distributed') if m in sys.modules)); "
                      "import gdfast.dask; print(gdfast.dask.fit.__module__, "
                      "'distributed' in sys.modules)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["[]", "gdfast.dask True"]


def test_more_parameters_than_points_warns_at_the_callers_line(client):
    # the "not unique" warning of a batch fit points at the user's call, as fit's does
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(3, 5)), rng.normal(size=3)
    with pytest.warns(UserWarning, match="not unique") as record:
        gdfast.dask.fit(_dask(x), _dask(y), learning_rate=0.05, max_iter=3, tol=None,
                        client=client)
    assert [w.filename for w in record if "not unique" in str(w.message)] == [__file__]


@pytest.mark.parametrize("method", ["batch", "stats"])
@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_and_l2_agree_with_local_fit(client, data, method, nesterov):
    # the velocity is carried in the state between the cluster's iterations
    x, y, w = data
    kw = dict(momentum="auto", nesterov=nesterov, l2=0.01, max_iter=4, tol=None)
    got = gdfast.dask.fit(_dask(x), _dask(y), sample_weight=_dask(w), method=method,
                          client=client, **kw)
    want = gdfast.fit(x, y, sample_weight=w, method=method, **kw)
    _assert_same_fit(got, want, rtol=1e-9)
    assert got.momentum == pytest.approx(want.momentum, rel=1e-12) and got.momentum > 0


@pytest.mark.parametrize("method", ["batch", "stats"])
@pytest.mark.parametrize("dtype, weight", [(np.float64, 1e-310), (np.float64, 1e300),
                                           (np.float32, 1e39), (np.float32, 1e-46)])
def test_weights_are_relative_as_in_fit(client, data, method, dtype, weight):
    """Uniform weights of any positive size give the unweighted fit, as gdfast.fit's do
    (rescaled by a power of two set by the largest, across all blocks)."""
    x, y, w = data
    x, y = x.astype(dtype), y.astype(dtype)
    kw = dict(learning_rate=0.3, max_iter=10, tol=None, method=method)
    unweighted = gdfast.fit(x, y, **kw)
    got = gdfast.dask.fit(_dask(x), _dask(y), sample_weight=_dask(np.full(N, weight)),
                          client=client, **kw)
    _assert_same_fit(got, unweighted, rtol=1e-10 if dtype == np.float64 else 1e-5)
    # and non-uniform weights scaled by 2**1020 (their sum beyond float64): the weighted fit
    if dtype == np.float64:
        got = gdfast.dask.fit(_dask(x), _dask(y), sample_weight=_dask(np.ldexp(w, 1020)),
                              client=client, **kw)
        _assert_same_fit(got, gdfast.fit(x, y, sample_weight=w, **kw))
