"""The fastest each pass's instructions can run on this core, data in L1.

    python bench/pass_cycles.py

For every pass of the one-feature kernel (read floor, batch, stats) and both
dtypes, time a loop of exactly the AVX-512 instructions the pass spends on 8
points: the loads (float32: loads that convert to double) and the additions
and fused multiply-adds, in 4 independent copies so that no latency is on the
way, data in L1.  That is the pass's throughput bound from the execution
ports alone; printed in cycles per 8 points (clock measured with a chain of
dependent integer additions, 1 cycle each) and as a ratio to the read floor
of the same dtype.  No pass can run faster than its bound, whatever the
compiler, so in cache a ratio above 1 is the arithmetic, not the memory.

Needs a C compiler and an x86-64 CPU with AVX-512 (exits with a message
otherwise).  bench/README.md quotes a run.
"""
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile

# per 8 points: (loads of x and y, additions, fused multiply-adds)
#   read floor: x + y, then into the sum                      -> 2 adds
#   batch:      r = b0 + b1*x (fma) - y; sum r; r*x, r*r (2 fma) -> 2 adds, 3 fma
#   stats:      x - x0, y - y0; sums of both; dx*dx, dx*dy, dy*dy -> 4 adds, 3 fma
PASSES = {
    "read floor": (2, 0),
    "batch": (2, 3),
    "stats": (4, 3),
}
LOADS = {
    "float64": "vmovupd {off}(%0), %%zmm{dst}",
    "float32": "vcvtps2pd {off}(%0), %%zmm{dst}",   # 8 floats widened to doubles
}
COPIES = 4        # independent copies of the 8-point mix per loop iteration
LOOPS = 50_000_000


def _body(n_add, n_fma, load):
    """The asm of one loop iteration: COPIES x (2 loads, n_add adds, n_fma fmas)."""
    lines, fma_reg = [], 0
    for copy in range(COPIES):
        for i in range(2):
            # loads and adds write registers no instruction reads back: no chains
            lines.append(load.format(off=64 * (2 * copy + i), dst=2 + i))
        for i in range(n_add):
            lines.append(f"vaddpd %%zmm2, %%zmm3, %%zmm{4 + i % 2}")
        for i in range(n_fma):
            # an fma reads its destination: each copy gets its own registers,
            # so one chain advances once per loop iteration
            lines.append(f"vfmadd231pd %%zmm2, %%zmm3, %%zmm{6 + fma_reg % 26}")
            fma_reg += 1
    return "\\n\\t".join(lines)


def _program():
    clobber = ", ".join(f'"xmm{i}"' for i in range(2, 32))
    cases = []
    for dtype, load in LOADS.items():
        for name, (n_add, n_fma) in PASSES.items():
            # an addition a + b can also run as the fma a*1 + b (same bits):
            # try every split between the two kinds of port
            for moved in range(n_add + 1):
                body = _body(n_add - moved, n_fma + moved, load)
                cases.append(f'''
    t = now();
    for (i = 0; i < {LOOPS}; i++)
        __asm__ volatile("{body}" :: "r"(buf) : {clobber}, "memory");
    printf("%s\\t%s\\t%d\\t%.4f\\n", "{dtype}", "{name}", {moved}, (now() - t) / {LOOPS} / {COPIES} * ghz * 1e9);''')
    return f'''#include <stdio.h>
#include <time.h>
static double buf[64] __attribute__((aligned(64)));
static double now(void) {{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}}
int main(void) {{
    long i, a = 0;
    double t = now(), ghz;
    /* 4 dependent 1-cycle additions per loop: the clock */
    for (i = 0; i < 500000000L; i++)
        __asm__ volatile("add $1, %0\\n\\tadd $1, %0\\n\\tadd $1, %0\\n\\tadd $1, %0" : "+r"(a));
    ghz = 4.0 * 500000000L / (now() - t) / 1e9;
    printf("clock\\t\\t%.3f\\n", ghz);
    {"".join(cases)}
    return a == 1;
}}
'''


def main():
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(cc) is None:
        sys.exit(f"no C compiler ({cc})")
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = os.path.join(tmp, "cycles.c"), os.path.join(tmp, "cycles")
        with open(src, "w") as f:
            f.write(_program())
        build = subprocess.run([cc, "-O1", "-mavx512f", src, "-o", exe],
                               capture_output=True, text=True)
        if build.returncode != 0:
            sys.exit(f"{cc} cannot build AVX-512 code here:\n{build.stderr}")
        try:
            out = subprocess.run([exe], capture_output=True, text=True, check=True).stdout
        except (subprocess.CalledProcessError, OSError) as exc:
            sys.exit(f"this CPU cannot run AVX-512 code ({exc})")
    lines = out.strip().splitlines()
    ghz = float(lines[0].split("\t")[2])
    best = {}   # (dtype, pass) -> (cycles as written, fewest cycles, additions moved)
    for line in lines[1:]:
        dtype, name, moved, cycles = line.split("\t")
        moved, cycles = int(moved), float(cycles)
        as_written, fewest, best_moved = best.get((dtype, name), (cycles, cycles, 0))
        if cycles < fewest:
            fewest, best_moved = cycles, moved
        best[dtype, name] = (as_written, fewest, best_moved)
    print(f"clock about {ghz:.2f} GHz; cycles per 8 points, data in L1; ratio to the "
          "read floor of the same dtype")
    print("| dtype | pass | cycles per 8 points | / read floor | best split of adds and fmas "
          "| / read floor |")
    print("|---|---|---|---|---|---|")
    for (dtype, name), (as_written, fewest, moved) in best.items():
        floor_as_written, floor_fewest, _ = best[dtype, "read floor"]
        print(f"| {dtype} | {name} | {as_written:.2f} | {as_written / floor_as_written:.2f} "
              f"| {fewest:.2f} ({moved} adds as fmas) | {fewest / floor_fewest:.2f} |")


if __name__ == "__main__":
    main()
