"""Run the benchmarks and print bench/README.md's tables.

    python bench/report.py [--runs R] [--out DIR] [SUITE ...]
    python bench/report.py --from FILE.json [FILE.json ...]

SUITE is one of features, stats, concurrency, iteration, builds (default:
features stats concurrency iteration).  The suites run R times (default 3),
one after the other in each round, so that a change of the machine's load
meets every suite; the pytest-benchmark JSON of each run goes to DIR (default
a new folder under /tmp).  With --from, the tables are printed from JSON files
of earlier runs (several files of the same suite: several runs).

Every ratio is worked out within one run (both sides measured minutes apart at
most); the tables give the median over the runs and, in brackets, the lowest
and highest of the runs.  Times are medians of each benchmark's rounds.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
SUITES = {"features": "test_bench_features.py", "stats": "test_bench_stats.py",
          "concurrency": "test_bench_concurrency.py", "iteration": "test_bench_iteration.py",
          "builds": "test_bench_builds.py"}
DEFAULT_SUITES = ["features", "stats", "concurrency", "iteration"]


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------
def cpu_model():
    """lscpu's model name, or the platform's processor string."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return platform.processor() or "?"
    for line in out.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return "?"


def run_suites(suites, runs, out):
    """Run each suite ``runs`` times; return {suite: [json paths]} and the loads seen."""
    paths, loads = {s: [] for s in suites}, []
    for r in range(runs):
        for suite in suites:
            path = out / f"{suite}-{r + 1}.json"
            before = os.getloadavg()
            started = time.strftime("%H:%M:%S", time.gmtime())
            # pytest's own script: `python -m pytest` would put the source tree,
            # without the compiled engine, ahead of the installed gdfast
            subprocess.run([str(Path(sys.executable).with_name("pytest")),
                            str(HERE / SUITES[suite]), "-q", "-p", "no:cacheprovider",
                            f"--benchmark-json={path}"], check=True, cwd=HERE.parent)
            loads.append((suite, r + 1, started, before[0], os.getloadavg()[0]))
            paths[suite].append(path)
    return paths, loads


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------
def load(paths):
    """The runs' JSON, in order."""
    runs = []
    for path in paths:
        with open(path) as f:
            runs.append(json.load(f))
    return runs


def test_name(bench):
    """The test function's name with its parameters other than the data's: test_gdfast[2]."""
    name = bench["name"].split("[")[0]
    params = bench.get("params") or {}
    kept = [str(v) for k, v in params.items() if k not in ("data",)]
    return name + (f"[{'-'.join(kept)}]" if kept else "")


def per_iteration_us(bench):
    return bench["stats"]["median"] / bench["extra_info"].get("iterations", 1) * 1e6


def num(value):
    """A time to three significant digits, without an exponent."""
    return f"{value:.0f}" if value >= 100 else f"{value:.3g}"


def spread(values, fmt="{:.2f}".format):
    """'median [min–max]' of the runs' values ('—' when none)."""
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    text = fmt(statistics.median(values))
    if len(values) > 1:
        text += f" [{fmt(min(values))}–{fmt(max(values))}]"
    return text


def mark(values, limit):
    """'yes' if the median of the runs is within the limit, else 'no'."""
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    return "yes" if statistics.median(values) <= limit else "no"


def header(runs):
    info = runs[-1]["machine_info"]
    cpu = info.get("cpu", {})
    return (f"{cpu.get('brand_raw', '?')}, {cpu.get('count', '?')} cores; "
            f"{len(runs)} run(s), the last at {runs[-1]['datetime']}")


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------
FEATURE_COLUMNS = [("test_read_floor", "read floor"),
                   (None, "gdfast"),   # filled with the all-threads name
                   ("test_gdfast[1]", "gdfast 1 thread"),
                   ("test_numpy_loop", "NumPy loop"), ("test_numba_fused", "Numba fused"),
                   ("test_torch", "torch")]


def features_table(runs):
    cases = {}   # (d, dtype, order) -> [ {column: µs} per run ]
    for r in runs:
        rows = {}
        for b in r["benchmarks"]:
            info = b["extra_info"]
            key = (info["d"], info["dtype"], info["order"])
            name = test_name(b)
            if name.startswith("test_gdfast[") and name != "test_gdfast[1]":
                name = "gdfast"
            rows.setdefault(key, {})[name] = per_iteration_us(b)
        for key, row in rows.items():
            cases.setdefault(key, []).append(row)
    order = {"F": 0, "C": 1}
    keys = sorted(cases, key=lambda k: (k[1] != "float64", order[k[2]], k[0]))
    cols = [(c or "gdfast", t) for c, t in FEATURE_COLUMNS]
    print("ms per batch iteration, N = "
          f"{runs[-1]['benchmarks'][0]['extra_info']['n']:.0e}, median over the runs:\n")
    print("| d | dtype, order | " + " | ".join(t for _, t in cols) + " |")
    print("|---|---|" + "---|" * len(cols))
    for key in keys:
        cells = [spread([row[c] / 1e3 for row in cases[key] if c in row], num)
                 for c, _ in cols]
        print(f"| {key[0]} | {short(key[1])} {key[2]} | " + " | ".join(cells) + " |")
    print("\nRatios, gdfast (all threads) to each, within each run "
          "(targets in brackets; below 1: gdfast is faster):\n")
    peers = [("test_read_floor", "read floor [≤1.25]", 1.25),
             ("test_numpy_loop", "NumPy [<1]", 1), ("test_numba_fused", "Numba [<1]", 1),
             ("test_torch", "torch [<1]", 1)]
    print("| d | dtype, order | " + " | ".join(t for _, t, _ in peers) + " | all met? |")
    print("|---|---|" + "---|" * (len(peers) + 1))
    for key in keys:
        cells, met = [], []
        for c, _, limit in peers:
            values = [row["gdfast"] / row[c] for row in cases[key] if "gdfast" in row and c in row]
            cells.append(spread(values))
            if values:
                met.append(mark(values, limit) == "yes" if limit != 1 else
                           statistics.median(values) < 1)
        print(f"| {key[0]} | {short(key[1])} {key[2]} | " + " | ".join(cells)
              + f" | {'yes' if met and all(met) else 'no'} |")


def short(dtype):
    return {"float64": "f64", "float32": "f32"}.get(dtype, dtype)


def stats_table(runs):
    cases = {}
    for r in runs:
        rows = {}
        for b in r["benchmarks"]:
            info = b["extra_info"]
            rows.setdefault(info["d"], {})[info["contender"]] = b["stats"]["median"] * 1e3
            if "n_iter" in info:
                rows[info["d"]]["n_iter"] = info["n_iter"]
        for d, row in rows.items():
            cases.setdefault(d, []).append(row)
    names = ["scikit-learn", "sklearnex", "gdfast"]
    print(f"Whole fits, ms (N = {runs[-1]['benchmarks'][0]['extra_info']['n']:.0e}, "
          "median over the runs):\n")
    print("| d | scikit-learn LinearRegression | sklearnex LinearRegression | gdfast "
          "`method=\"stats\"` | gdfast iterations | gdfast / sklearnex [≤1] | "
          "gdfast / scikit-learn |")
    print("|---|---|---|---|---|---|---|")
    for d in sorted(cases):
        rows = cases[d]
        cells = [spread([row.get(n) for row in rows], num) for n in names]
        iters = spread([row.get("n_iter") for row in rows], "{:.0f}".format)
        ratio_x = spread([row["gdfast"] / row["sklearnex"] for row in rows
                          if "gdfast" in row and "sklearnex" in row])
        ratio_s = spread([row["gdfast"] / row["scikit-learn"] for row in rows
                          if "gdfast" in row and "scikit-learn" in row])
        print(f"| {d} | " + " | ".join(cells) + f" | {iters} | {ratio_x} | {ratio_s} |")


def concurrency_table(runs):
    per_run = []
    for r in runs:
        per_run.append({b["extra_info"]["scenario"]: b["extra_info"] for b in r["benchmarks"]})
    first = per_run[-1][next(iter(per_run[-1]))]
    cores = first["cores"]
    print(f"ms per iteration of each process (N = {first['n']:.0e} float64, one feature, "
          f"fits of {first['iterations']} iterations, {cores} cores); t1 = alone on one "
          "thread; the fair share of P processes is t1 × P / cores:\n")
    print("| scenario | threads per process | ms per iteration, median [fastest–slowest "
          "process], each run | slowest / t1 | slowest / fair share [≤1.5 with default threads] "
          "| load average (1 min) before |")
    print("|---|---|---|---|---|---|")
    for scenario in per_run[-1]:
        infos = [run[scenario] for run in per_run if scenario in run]
        p = infos[-1]["processes"]
        times = " / ".join(f"{num(i['us_per_iteration'] / 1e3)} "
                           f"[{num(i['us_min'] / 1e3)}–{num(i['us_max'] / 1e3)}]" for i in infos)
        fair, one = [], []
        for run in per_run:
            if scenario in run and "alone-1thread" in run:
                t1 = run["alone-1thread"]["us_per_iteration"]
                fair.append(run[scenario]["us_max"] / (t1 * p / cores))
                one.append(run[scenario]["us_max"] / t1)
        omp = infos[-1]["omp_num_threads"] == "1"
        loads = ", ".join(f"{i['load_before']:.1f}" for i in infos)
        threads = ",".join(str(t) for t in infos[-1]["threads_used"])
        one_text = spread(one) + (" [≤1.2]" if omp and p <= cores else "")
        if scenario == "alone-1thread":
            one_text = "1"
        print(f"| {scenario} | {threads} | {times} | {one_text} | "
              f"{spread(fair) if p > 1 else '—'} | {loads} |")


ITERATION_COLUMNS = [  # (benchmark name, column title)
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


def iteration_table(runs):
    medians = {}
    for r in runs:
        for b in r["benchmarks"]:
            medians.setdefault(b["name"], []).append(b["stats"]["median"])
    table, other = {}, []
    for b in runs[-1]["benchmarks"]:
        info = b["extra_info"]
        name = b["name"].split("[")[0]
        param = b["name"][len(name):]
        key = name + ("[1thread]" if "1thread" in param else
                      "[allthreads]" if "allthreads" in param else "")
        us = statistics.median(medians[b["name"]]) / info.get("iterations", 1) * 1e6
        if info.get("n"):
            table.setdefault((info["n"], info["dtype"]), {})[key] = us
        else:
            other.append((b["name"], us * info.get("iterations", 1) / 1e3))
    print("One feature (1-D x), µs per iteration (per call for the stats pass and the one-call "
          "floor), median over the runs:\n")
    print("| N | dtype | " + " | ".join(t for _, t in ITERATION_COLUMNS) + " |")
    print("|---|---|" + "---|" * len(ITERATION_COLUMNS))
    for (n, dtype), row in sorted(table.items()):
        cells = [f"{row[k]:.4g}" if k in row else "—" for k, _ in ITERATION_COLUMNS]
        print(f"| {n:.0e} | {dtype} | " + " | ".join(cells) + " |")
    print("\n| N | dtype | batch all / floor all | batch all / Numba parallel | "
          "batch all / NumPy loop | stats pass / floor one call |")
    print("|---|---|---|---|---|---|")
    for (n, dtype), row in sorted(table.items()):
        print(f"| {n:.0e} | {dtype} | "
              f"{ratio(row, 'test_gdfast_batch[allthreads]', 'test_read_floor[allthreads]')} | "
              f"{ratio(row, 'test_gdfast_batch[allthreads]', 'test_numba_parallel')} | "
              f"{ratio(row, 'test_gdfast_batch[allthreads]', 'test_numpy_loop')} | "
              f"{ratio(row, 'test_gdfast_stats_pass', 'test_read_floor_one_call')} |")
    for name, ms in other:
        print(f"\n{name}: {ms:.4g} ms per call")


def ratio(row, a, b):
    return f"{row[a] / row[b]:.2f}" if a in row and b in row else "—"


def builds_table(runs):
    rows = {}
    for b in runs[-1]["benchmarks"]:
        info = b["extra_info"]
        key = (info["n"], info.get("d", 1), info["dtype"])
        rows.setdefault(key, {})[info["build"]] = per_iteration_us(b)
    names = sorted({b for row in rows.values() for b in row})
    print("One thread, µs per iteration, by engine build:\n")
    print("| N | d | dtype | " + " | ".join(names) + " |")
    print("|---|---|---|" + "---|" * len(names))
    for (n, d, dtype), row in sorted(rows.items()):
        print(f"| {n:.0e} | {d} | {dtype} | "
              + " | ".join(f"{row[b]:.4g}" if b in row else "—" for b in names) + " |")


def other_table(runs):
    """Any other module's benchmarks (Dask, CSV, whole fits, the progress bar): median time
    and extra_info, from the last run."""
    print("| group | benchmark | median | notes |")
    print("|---|---|---|---|")
    for b in runs[-1]["benchmarks"]:
        notes = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                          for k, v in b["extra_info"].items())
        print(f"| {b['group']} | {b['name']} | {b['stats']['median'] * 1e3:.4g} ms | {notes} |")


TABLES = {"features": features_table, "stats": stats_table, "concurrency": concurrency_table,
          "iteration": iteration_table, "builds": builds_table, "other": other_table}


def suite_of(run):
    """The suite a JSON run is of, from its benchmarks' file ("other" for the rest)."""
    for suite, file in SUITES.items():
        if any(b["fullname"].split("::")[0].endswith(file) for b in run["benchmarks"]):
            return suite
    return "other"


def print_tables(paths_by_suite):
    for suite, paths in paths_by_suite.items():
        runs = load(paths)
        print(f"\n### {suite}\n\n{header(runs)}\n")
        TABLES[suite](runs)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # no `choices`: argparse would check the empty default against them
    parser.add_argument("suites", nargs="*", metavar="SUITE",
                        help=f"one of {', '.join(SUITES)}")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--from", dest="files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    unknown = [s for s in args.suites if s not in SUITES]
    if unknown:
        parser.error(f"unknown suite {unknown[0]!r}: choose from {', '.join(SUITES)}")
    if args.files:
        by_suite = {}
        for path in args.files:
            by_suite.setdefault(suite_of(load([path])[0]), []).append(path)
        print_tables(by_suite)
        return
    out = args.out or Path(tempfile.mkdtemp(prefix="gdfast-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    suites = args.suites or DEFAULT_SUITES
    started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    paths, loads = run_suites(suites, args.runs, out)
    print(f"Machine: {cpu_model()}, {os.cpu_count()} logical CPUs; runs from {started} UTC; "
          f"JSON in {out}")
    print("Load average (1 min) before each suite run: " + ", ".join(
        f"{s} #{r} at {t}: {a:.1f}" for s, r, t, a, _ in loads))
    print_tables(paths)


if __name__ == "__main__":
    main(sys.argv[1:])
