"""Print bench/README.md's tables from pytest-benchmark JSON files.

    python bench/report.py run1.json [run2.json ...]

Times are medians per iteration (per call for the stats pass and the
one-call read floor, each one pass), in µs; with
several runs, the median over the runs of each benchmark's median.
"""
import json
import statistics
import sys

COLUMNS = [  # (benchmark name, column title)
    ("test_gdfast_batch[1thread]", "gdfast batch 1 thr"),
    ("test_gdfast_batch[allthreads]", "gdfast batch all thr"),
    ("test_gdfast_stats_pass", "gdfast stats pass"),
    ("test_read_floor[1thread]", "read floor 1 thr"),
    ("test_read_floor[allthreads]", "read floor all thr"),
    ("test_read_floor_one_call", "read floor one call"),
    ("test_numba_fastmath", "Numba fastmath 1 thr"),
    ("test_numba_parallel", "Numba parallel all thr"),
    ("test_numpy_loop", "NumPy loop"),
    ("test_python_loop", "pure Python"),
]


def load(paths):
    """{(n, dtype): {column name: median µs per iteration}}, and the other benchmarks."""
    runs = []
    for path in paths:
        with open(path) as f:
            runs.append(json.load(f))
    run = runs[-1]
    medians = {}
    for r in runs:
        for b in r["benchmarks"]:
            medians.setdefault(b["name"], []).append(b["stats"]["median"])
    table, other, builds = {}, [], {}
    for b in run["benchmarks"]:
        info = b["extra_info"]
        name = b["name"].split("[")[0]
        param = b["name"][len(name):]
        key = name + ("[1thread]" if "1thread" in param else
                      "[allthreads]" if "allthreads" in param else "")
        median = statistics.median(medians[b["name"]])
        per_iteration = median / info.get("iterations", 1) * 1e6
        if "build" in info:
            builds.setdefault((info["n"], info["dtype"]), {})[info["build"]] = per_iteration
        elif "dtype" in info and info.get("n"):
            table.setdefault((info["n"], info["dtype"]), {})[key] = per_iteration
        else:
            other.append((b["group"], b["name"], per_iteration, info))
    return run, table, other, builds


def ratio(row, a, b):
    return f"{row[a] / row[b]:.2f}" if a in row and b in row else "—"


def main(paths):
    run, table, other, builds = load(paths)
    print(f"Machine: {run['machine_info'].get('cpu', {}).get('brand_raw', '?')}, "
          f"{run['machine_info'].get('cpu', {}).get('count', '?')} cores; "
          f"{run['datetime']}; median of {len(paths)} run(s)\n")
    print("Median µs per iteration:\n")
    print("| N | dtype | " + " | ".join(t for _, t in COLUMNS) + " |")
    print("|---|---|" + "---|" * len(COLUMNS))
    for (n, dtype), row in sorted(table.items()):
        cells = [f"{row[k]:.4g}" if k in row else "—" for k, _ in COLUMNS]
        print(f"| {n:.0e} | {dtype} | " + " | ".join(cells) + " |")
    print("\nRatios (lower is better for gdfast; targets in brackets):\n")
    # issue 3's targets are for the batch on all threads; one thread against
    # Numba's one-thread loop is shown as well, without a target
    print("| N | dtype | batch all / floor all [≤1.15 at N≥1e6] | batch all / Numba parallel [≤1] "
          "| batch all / Numba fastmath 1 [≤1.2 at 1e3] | batch 1 / Numba fastmath 1 "
          "| stats pass / floor one call [≤1.2] | stats pass / floor all |")
    print("|---|---|---|---|---|---|---|---|")
    for (n, dtype), row in sorted(table.items()):
        print(f"| {n:.0e} | {dtype} | "
              f"{ratio(row, 'test_gdfast_batch[allthreads]', 'test_read_floor[allthreads]')} | "
              f"{ratio(row, 'test_gdfast_batch[allthreads]', 'test_numba_parallel')} | "
              f"{ratio(row, 'test_gdfast_batch[allthreads]', 'test_numba_fastmath')} | "
              f"{ratio(row, 'test_gdfast_batch[1thread]', 'test_numba_fastmath')} | "
              f"{ratio(row, 'test_gdfast_stats_pass', 'test_read_floor_one_call')} | "
              f"{ratio(row, 'test_gdfast_stats_pass', 'test_read_floor[allthreads]')} |")
    f64, f32 = table.get((10**7, "float64"), {}), table.get((10**7, "float32"), {})
    key = "test_gdfast_batch[allthreads]"
    if key in f64 and key in f32:
        print(f"\nfloat32 / float64 at N=1e7, batch all threads: {f32[key] / f64[key]:.2f} "
              f"[≤0.6]")
    if builds:
        names = sorted({b for row in builds.values() for b in row})
        print("\nOne thread, µs per iteration, by kernel build:\n")
        print("| N | dtype | " + " | ".join(names) + " |")
        print("|---|---|" + "---|" * len(names))
        for (n, dtype), row in sorted(builds.items()):
            print(f"| {n:.0e} | {dtype} | "
                  + " | ".join(f"{row[b]:.4g}" if b in row else "—" for b in names) + " |")
    print("\nOther benchmarks (median):\n")
    print("| group | benchmark | time | notes |")
    print("|---|---|---|---|")
    for group, name, per_iteration, info in other:
        iterations = info.get("iterations", 1)
        total_ms = per_iteration * iterations / 1e3
        notes = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                          for k, v in info.items() if k not in ("dtype", "threads"))
        print(f"| {group} | {name} | {total_ms:.4g} ms | {notes} |")


if __name__ == "__main__":
    main(sys.argv[1:])
