"""Memory-mapped data is fitted in place: no copy, measured in a fresh process.

Each fit runs in its own subprocess on a 256 MB memory-mapped file, and that
process reports three measures of what it held:

* the peak resident set, above the one after ``import gdfast``: VmHWM from
  /proc, the figure ``getrusage(RUSAGE_SELF).ru_maxrss`` gives, except that
  ru_maxrss also keeps the peak of the parent process across fork and exec
  (here pytest's, which wrote the files), which would hide the child's.
  Mapped file pages the fit reads count in it, so a pass over the data
  raises it by up to the file's size; a copy would add the file's size
  again, as anonymous memory.  The test asks for less than 1.25x the file:
  the data at most once.
* the peak of ``RssAnon`` (resident anonymous memory, from /proc, sampled
  every millisecond while the fit runs): a copy of the data is anonymous
  and lives as long as the kernel runs on it.  The test asks for less than
  1/16 of the file.
* tracemalloc's peak (NumPy's buffers and the kernels' PyMem allocations,
  exactly): less than 1/16 of the file.

A control run that copies the data first fails all three, so the measures
can see a copy.
"""
import json
import subprocess
import sys

import numpy as np
import pytest

ROWS = 1 << 23           # 8 Mi rows
FEATURES = 3             # x float64: 192 MiB, y: 64 MiB; float32: half of that

CHILD = r"""
import json, resource, sys, threading, time, tracemalloc
import numpy as np
import gdfast

def status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])

def rss_anon_kib():
    return status_kib("RssAnon")

kind, method, x_path, y_path, dtype, rows = sys.argv[1:7]
rows = int(rows)
baseline_rss = status_kib("VmHWM")
baseline_anon = rss_anon_kib()
if kind == "np.load":
    x = np.load(x_path, mmap_mode="r")
    y = np.load(y_path, mmap_mode="r")
else:
    x = np.memmap(x_path, dtype=dtype, mode="r", shape=(rows, 3))
    y = np.memmap(y_path, dtype=dtype, mode="r", shape=(rows,))
peak_anon = [baseline_anon]
done = threading.Event()

def sample():
    while not done.is_set():
        peak_anon[0] = max(peak_anon[0], rss_anon_kib())
        time.sleep(0.001)

sampler = threading.Thread(target=sample)
sampler.start()
tracemalloc.start()
try:
    if method == "copy":      # the control: what a copy looks like
        res = gdfast.fit(np.array(x), np.array(y), max_iter=1, tol=None, learning_rate=0.01)
    else:
        res = gdfast.fit(x, y, max_iter=1, tol=None, learning_rate=0.01, method=method)
    traced = tracemalloc.get_traced_memory()[1]
finally:
    tracemalloc.stop()
    done.set()
    sampler.join()
peak_anon[0] = max(peak_anon[0], rss_anon_kib())
print(json.dumps(dict(
    maxrss=1024 * (status_kib("VmHWM") - baseline_rss),
    ru_maxrss=1024 * resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    anon=1024 * (peak_anon[0] - baseline_anon), traced=traced, coef=res.coef.tolist(),
    dtype=str(x.dtype), is_memmap=isinstance(x, np.memmap))))
"""


def _write(path, dtype, shape, fill):
    """Write an .npy file block by block (never the whole array in memory)."""
    out = np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=shape)
    step = 1 << 20
    for start in range(0, shape[0], step):
        fill(out, slice(start, min(start + step, shape[0])))
    out.flush()
    del out


@pytest.fixture(scope="module", params=[np.float64, np.float32])
def mapped_files(request, tmp_path_factory):
    dtype = request.param
    folder = tmp_path_factory.mktemp(np.dtype(dtype).name)
    rng = np.random.default_rng(0)
    coef = np.array([1.0, -2.0, 0.5])

    def fill_x(out, rows):
        out[rows] = rng.normal(size=(rows.stop - rows.start, FEATURES))

    x_path, y_path = folder / "x.npy", folder / "y.npy"
    _write(x_path, dtype, (ROWS, FEATURES), fill_x)
    x = np.load(x_path, mmap_mode="r")

    def fill_y(out, rows):
        out[rows] = 3.0 + np.asarray(x[rows], dtype=np.float64) @ coef

    _write(y_path, dtype, (ROWS,), fill_y)
    del x
    return x_path, y_path, np.dtype(dtype)


def _run_child(kind, method, x_path, y_path, dtype):
    if kind == "np.memmap":
        # the raw data after the .npy header, as np.memmap files usually are
        raw = []
        for path in (x_path, y_path):
            with open(path, "rb") as f:
                np.lib.format.read_magic(f)
                np.lib.format.read_array_header_1_0(f)
                offset = f.tell()
            raw_path = path.with_suffix(".raw")
            if not raw_path.exists():
                with open(path, "rb") as src, open(raw_path, "wb") as dst:
                    src.seek(offset)
                    while chunk := src.read(1 << 24):
                        dst.write(chunk)
            raw.append(raw_path)
        x_path, y_path = raw
    out = subprocess.run(
        [sys.executable, "-c", CHILD, kind, method, str(x_path), str(y_path), dtype.name,
         str(ROWS)], cwd=x_path.parent, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.parametrize("kind", ["np.load", "np.memmap"])
@pytest.mark.parametrize("method", ["stats", "batch"])
def test_memory_mapped_data_is_fitted_without_a_copy(mapped_files, kind, method):
    x_path, y_path, dtype = mapped_files
    size = x_path.stat().st_size + y_path.stat().st_size
    got = _run_child(kind, method, x_path, y_path, dtype)
    assert got["is_memmap"] and got["dtype"] == dtype.name
    assert got["maxrss"] < 1.25 * size, got          # the file's pages once, no copy
    assert got["anon"] < size / 16, got
    assert got["traced"] < size / 16, got
    # one update from zero moves every coefficient towards the truth (1, -2, 0.5)
    assert np.all(np.sign(got["coef"]) == [1, -1, 1])


def test_the_measures_see_a_copy(mapped_files):
    x_path, y_path, dtype = mapped_files
    size = x_path.stat().st_size + y_path.stat().st_size
    got = _run_child("np.load", "copy", x_path, y_path, dtype)
    assert got["maxrss"] > 1.5 * size, got
    assert got["anon"] > 0.9 * size, got
    assert got["traced"] > 0.9 * size, got


TRUNCATED = r"""
import os, sys
import numpy as np
import gdfast

path, reader = sys.argv[1], sys.argv[2]
np.save(path, np.arange(1 << 20, dtype=np.float64))         # 8 MiB: many pages
x = np.load(path, mmap_mode="r")
y = np.load(path, mmap_mode="r")
os.truncate(path, 4096)                                       # another program cuts the file
print("truncated", flush=True)
if reader == "numpy":
    float(x.sum())
else:
    gdfast.fit(x, y, learning_rate=0.1, max_iter=3, method="batch")
print("read past the end", flush=True)
"""


@pytest.mark.parametrize("reader", ["numpy", "gdfast"])
def test_a_memory_map_truncated_under_a_fit_ends_the_process_with_sigbus(tmp_path, reader):
    """README, "Memory maps are read in place": a file cut while it is mapped ends the
    process with SIGBUS when a page past the new end is read, in gdfast as in NumPy."""
    import signal

    child = subprocess.run([sys.executable, "-c", TRUNCATED, str(tmp_path / "x.npy"), reader],
                           capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert child.stdout == "truncated\n", (child.stdout, child.stderr[-2000:])
    assert child.returncode == -signal.SIGBUS, (child.returncode, child.stderr[-2000:])
