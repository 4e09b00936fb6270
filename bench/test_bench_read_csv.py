"""Reading a CSV file: the whole `gdfast fit FILE --method stats` against pandas.read_csv.

The file: ROWS rows x 4 columns of float64 written at full precision (about
78 bytes a row: 5 M rows make the issue's 390 MB), ROWS = 1 000 000 unless
GDFAST_BENCH_CSV_ROWS says otherwise:

    GDFAST_BENCH_CSV_ROWS=5000000 pytest bench/test_bench_read_csv.py --benchmark-json=csv.json

- **gdfast fit, whole command**: `python -m gdfast fit FILE --method stats` in a
  child process, as a user runs it (interpreter start, imports, reading, the fit,
  the report). Each round is preceded, untimed by pytest-benchmark, by one
  in-process `pandas.read_csv(FILE)` timed here: the two alternate, so the load of
  the machine weighs on both alike, and ``extra_info`` holds the pandas median and
  the ratio of the medians (the issue's target: at most 1.5); ``python
  bench/report.py csv.json`` prints them.
- **pandas.read_csv** in this process (pandas imported), and **gdfast's reader**
  (``load_xy``) in this process: the parts, for the table.

No assertion here is about time.
"""
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import pytest
from peers import quick

ROWS = int(os.environ.get("GDFAST_BENCH_CSV_ROWS", 20_000 if quick() else 1_000_000))
ROUNDS = 5
GROUP = f"read CSV, {ROWS} rows x 4"
COMMAND = ["--method", "stats", "--learning-rate", "auto", "--tol", "1e-10"]


@pytest.fixture(scope="module")
def csv_file(tmp_path_factory):
    """The file, written by pyarrow when installed (much faster than np.savetxt)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(ROWS, 3))
    y = 1.0 + x @ [2.0, -1.0, 0.5] + rng.normal(0.0, 0.1, ROWS)
    path = tmp_path_factory.mktemp("csv") / "big.csv"
    try:
        import pyarrow as pa
        import pyarrow.csv as pa_csv
    except ImportError:
        np.savetxt(path, np.column_stack([x, y]), delimiter=",", header="a,b,c,y",
                   comments="", fmt="%.17g")
    else:
        pa_csv.write_csv(pa.table({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "y": y}), path)
    return path


def _pandas():
    return pytest.importorskip("pandas")


def test_gdfast_fit_command_against_pandas_read_csv(benchmark, csv_file):
    pandas = _pandas()
    pandas.read_csv(csv_file)  # the file in the page cache, pandas warmed up
    pandas_times = []

    def pandas_round():  # pytest-benchmark's untimed setup of each round
        start = time.perf_counter()
        pandas.read_csv(csv_file)
        pandas_times.append(time.perf_counter() - start)

    command = [sys.executable, "-m", "gdfast", "fit", str(csv_file), *COMMAND]
    benchmark.group = GROUP
    proc = benchmark.pedantic(subprocess.run, args=(command,),
                              kwargs=dict(capture_output=True, text=True, cwd=csv_file.parent),
                              setup=pandas_round, rounds=ROUNDS)
    assert proc.returncode == 0, proc.stderr
    assert f"{ROWS} points, y = y, x = a, b, c" in proc.stdout
    if benchmark.disabled:  # `pytest bench --benchmark-disable`: run once, untimed
        return
    ours = statistics.median(benchmark.stats.stats.data)
    theirs = statistics.median(pandas_times)
    benchmark.extra_info.update(rows=ROWS, bytes=csv_file.stat().st_size,
                                pandas_read_csv_median_s=theirs, ratio_to_pandas=ours / theirs)


def test_pandas_read_csv(benchmark, csv_file):
    pandas = _pandas()
    benchmark.group = GROUP
    frame = benchmark.pedantic(pandas.read_csv, args=(csv_file,), rounds=ROUNDS)
    assert frame.shape == (ROWS, 4)


def test_gdfast_reader(benchmark, csv_file):
    from gdfast.cli._data_file import load_xy

    benchmark.group = GROUP
    data = benchmark.pedantic(load_xy, args=(csv_file,), rounds=ROUNDS)
    assert data.x.shape == (ROWS, 3)
