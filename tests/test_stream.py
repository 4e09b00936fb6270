"""gdfast.fit_stream: one pass over chunks, the same descent as fit(method="stats")."""
import numpy as np
import pytest

import gdfast


@pytest.fixture
def data(weighted_points):
    return weighted_points(1001, [1.0, -1.0, 2.0], seed=21)


def _cut(n, sizes):
    """Slices of consecutive rows with the given sizes (the last takes the rest)."""
    edges = np.concatenate([[0], np.cumsum(sizes)])
    edges = np.append(edges[edges < n], n)
    return [slice(a, b) for a, b in zip(edges[:-1], edges[1:])]


KWARGS = dict(learning_rate=0.02, max_iter=200, tol=None)


@pytest.mark.parametrize("sizes", [[1001], [1, 1000], [300, 1, 257, 100], [500, 500, 1]])
@pytest.mark.parametrize("weighted", [False, True])
def test_stream_history_matches_stats_on_the_concatenation(data, sizes, weighted):
    x, y, w = data
    cuts = _cut(len(y), sizes)
    if weighted:
        chunks = ((x[c], y[c], w[c]) for c in cuts)     # a generator: iterated once
    else:
        chunks = [(x[c], y[c]) for c in cuts]
    streamed = gdfast.fit_stream(chunks, **KWARGS)
    whole = gdfast.fit(x, y, method="stats", sample_weight=w if weighted else None, **KWARGS)
    batch = gdfast.fit(x, y, sample_weight=w if weighted else None, **KWARGS)
    for reference in (whole, batch):
        np.testing.assert_array_equal(streamed.history.iteration, reference.history.iteration)
        np.testing.assert_allclose(streamed.history.coef, reference.history.coef, rtol=1e-10)
        np.testing.assert_allclose(streamed.history.intercept, reference.history.intercept,
                                   rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(streamed.history.cost, reference.history.cost, rtol=1e-10)


def test_stream_options_and_one_feature(data):
    x, y, w = data
    kwargs = dict(learning_rate="auto", max_iter=500, tol=1e-9, standardize=True,
                  fit_intercept=False, cost="mse")
    streamed = gdfast.fit_stream(((x[i:i + 99, 0], y[i:i + 99]) for i in range(0, 1001, 99)),
                                 **kwargs)
    whole = gdfast.fit(x[:, 0], y, method="stats", **kwargs)
    assert streamed.slope == pytest.approx(whole.slope, rel=1e-10)
    # the same stopping iteration although the merged statistics differ by rounding: one
    # step at the optimal rate of a one-parameter fit lands within rounding of the
    # minimum, its gradient norm 1e9 times above tol before and far below it after
    assert streamed.n_iter == whole.n_iter and streamed.converged == whole.converged
    assert streamed.intercept == 0.0


def test_stream_mixed_dtypes_and_zero_weight_chunk(data):
    x, y, w = data
    w = w.copy()
    w[:100] = 0.0
    chunks = [(x[:100], y[:100], w[:100]),                      # all weights zero
              (x[100:600].astype(np.float32), y[100:600].astype(np.float32), w[100:600]),
              (x[600:].tolist(), y[600:].tolist(), w[600:])]
    streamed = gdfast.fit_stream(chunks, **KWARGS)
    x32 = np.concatenate([x[:100], x[100:600].astype(np.float32).astype(np.float64), x[600:]])
    y32 = np.concatenate([y[:100], y[100:600].astype(np.float32).astype(np.float64), y[600:]])
    # a float32 chunk's weights are used in float32, as fit does with float32 data
    w32 = np.concatenate([w[:100], w[100:600].astype(np.float32).astype(np.float64), w[600:]])
    whole = gdfast.fit(x32, y32, sample_weight=w32, **KWARGS)
    np.testing.assert_allclose(streamed.history.coef, whole.history.coef, rtol=1e-10)


def test_stream_reads_chunks_of_a_csv_with_pandas(tmp_path, data):
    import pandas as pd   # in the test extra
    x, y, _ = data
    path = tmp_path / "points.csv"
    frame = pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "x3": x[:, 2], "y": y})
    frame.to_csv(path, index=False, float_format="%.17g")
    chunks = ((c[["x1", "x2", "x3"]].to_numpy(), c["y"].to_numpy())
              for c in pd.read_csv(path, chunksize=128))
    streamed = gdfast.fit_stream(chunks, **KWARGS)
    whole = gdfast.fit(x, y, method="stats", **KWARGS)
    np.testing.assert_allclose(streamed.history.coef, whole.history.coef, rtol=1e-10)


@pytest.mark.parametrize("chunks, exc, match", [
    ([], ValueError, "chunks is empty"),
    (iter(()), ValueError, "chunks is empty"),
    (5, TypeError, "chunks must be an iterable"),
    ([(np.ones(3),)], ValueError, r"chunks\[0\] must be a tuple \(x, y\).* of length 1"),
    ([np.ones((3, 2))], ValueError, r"chunks\[0\] must be a tuple .* got a ndarray"),
    ([(np.ones((3, 2)), np.ones(3)), (np.ones((3, 3)), np.ones(3))], ValueError,
     r"chunks\[1\] has 3 features .* before it have 2"),
    ([(np.ones(3), np.ones(3)), (np.ones((3, 2)), np.ones(3))], ValueError,
     r"chunks\[1\] has 2 features"),
    ([(np.ones((3, 2)), np.ones(3)), (np.ones((2, 2)), np.ones(3))], ValueError,
     r"chunks\[1\]: x and y must have the same number of points"),
    ([(np.ones((2, 2)), np.ones(2)), (np.ones((2, 2, 2)), np.ones(2))], ValueError,
     r"chunks\[1\]: x must be a 1-D array"),
    ([(np.ones((2, 1)), np.array(["a", "b"]))], TypeError, r"chunks\[0\]: y must hold real"),
    ([(np.ones((0, 2)), np.ones(0))], ValueError, r"chunks holds no point: its one chunk is "
                                                   r"empty"),
    ([(np.ones(0), np.ones(0))] * 3, ValueError, r"chunks holds no point: all its 3 chunks are "
                                                  r"empty"),
    ([(np.ones((0, 2)), np.ones(2))], ValueError, r"chunks\[0\]: x is empty"),
    ([(np.ones(2), np.ones(2), [1.0, -1.0])], ValueError, r"chunks\[0\]: sample_weight must be >= 0"),
    ([(np.ones(2), np.ones(2), [0.0, 0.0])], ValueError, "weight_sum == 0"),
])
def test_stream_bad_chunks(chunks, exc, match):
    with pytest.raises(exc, match=match):
        gdfast.fit_stream(chunks)


def test_stream_checks_parameters_before_reading_the_chunks():
    def never():
        raise AssertionError("a chunk was read")
        yield

    with pytest.raises(ValueError, match="max_iter"):
        gdfast.fit_stream(never(), max_iter=-1)
    with pytest.raises(ValueError, match="cost"):
        gdfast.fit_stream(never(), cost="mae")


def test_empty_chunks_are_skipped(data):
    # a reader's last chunk is often empty: it adds nothing and stops nothing
    x, y, w = data
    empty = (x[:0], y[:0], w[:0])
    chunks = [empty, (x[:500], y[:500], w[:500]), empty, (x[500:, 0:3], y[500:], w[500:]),
              (np.empty((0, 7)), np.empty(0), np.empty(0)), ([], [], [])]
    streamed = gdfast.fit_stream(iter(chunks), **KWARGS)
    whole = gdfast.fit(x, y, sample_weight=w, method="stats", **KWARGS)
    np.testing.assert_allclose(streamed.history.coef, whole.history.coef, rtol=1e-10)
    np.testing.assert_allclose(streamed.history.cost, whole.history.cost, rtol=1e-10)
