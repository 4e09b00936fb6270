"""Run the stress children and print the figures of docs/guarantees.md, as Markdown.

    python tests/stress/report.py [--examples N]

Runs the crash hunt (N inputs per target, default 1500, as in the tests), the
soak and the threads child in turn -- the same scripts, with the same
arguments, that tests/test_stress.py runs and asserts on -- and prints what
they measured and on what machine.  Takes about half a minute.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent


def child(script, *args):
    out = subprocess.run([sys.executable, str(HERE / script), *map(str, args)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine():
    import numpy as np

    import gdfast

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            model = next(line.split(":", 1)[1].strip() for line in info
                         if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        with open("/proc/loadavg") as load:
            load = load.read().split()[0]
    except OSError:
        load = "?"
    return (f"{model}, {cpus} CPUs (load average {load} at the start), {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}, NumPy {np.__version__}, "
            f"gdfast {gdfast.__version__}")


def mib(n):
    return f"{n / 2 ** 20:.1f} MiB"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1500)
    examples = parser.parse_args().examples
    print(f"Machine: {machine()}\n")
    with tempfile.TemporaryDirectory() as folder:
        hunt = child("crash_hunt.py", examples, Path(folder) / "log.txt")
    print(f"Crash hunt ({hunt['seconds']} s, in a child process, no crash):")
    for target, count in hunt["inputs"].items():
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(hunt["outcomes"][target].items()))
        print(f"- {target}: {count} inputs ({outcomes})")

    soak = child("soak.py", 10_000, 10 ** 8)
    long_fit, loop = soak["long_fit"], soak["loop"]
    print(f"\nSoak:\n- one fit of {long_fit['iterations']:.0e} iterations (N = 4, record_every=0) "
          f"in {long_fit['seconds']} s: {long_fit['history_rows']} history rows, peak resident "
          f"memory {mib(long_fit['peak_rss_before'])} before, {mib(long_fit['peak_rss_after'])} "
          f"after")
    print(f"- {loop['fits']} fits of every kind: resident memory {mib(loop['rss_start'])} after "
          f"the first {loop['fits'] - loop['measured_fits']}, {mib(loop['rss_end'])} after "
          f"{loop['measured_fits']} more ({(loop['rss_end'] - loop['rss_start']) / loop['measured_fits']:.1f} "
          f"bytes per fit); Python-traced memory {loop['traced_growth']:+d} bytes over "
          f"{loop['traced_fits']} more fits")

    threads = child("threads.py", 600)
    par, share = threads["parallel"], threads["gil_share"]
    print(f"\nThreads ({threads['cpus']} CPUs):\n- {par['threads']} fits in {par['threads']} "
          f"threads on shared read-only arrays, {par['rounds']} rounds: results and histories "
          f"bit-identical to sequential: {par['identical']}")
    print(f"- wall time (medians): sequential {par['sequential_wall']} s, threaded "
          f"{par['parallel_wall']} s (CPU {par['parallel_cpu']} s): speedup {par['speedup']}, "
          f"hashlib.sha256 reference {par['reference_speedup']}")
    print(f"- a Python thread's share of its solo speed during one kernel call: "
          f"{share['fit']} (controls: hashlib.sha256 {share['hashlib.sha256']}, "
          f"sum(range()) holding the GIL {share['sum(range(...))']})")


if __name__ == "__main__":
    main()
