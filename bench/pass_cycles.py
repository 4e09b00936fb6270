"""The fastest each pass's instructions can run on this core, data in L1.

    python bench/pass_cycles.py

For every pass of the one-feature kernel (read floor, batch, stats) and both
dtypes, time a loop of exactly the AVX-512 instructions the pass spends on 8
points: the two loads (float32: loads that convert to double), the additions
and the fused multiply-adds, in COPIES independent copies, so that no
dependency between instructions holds them up; the data stays in L1.  That is
the throughput bound of the core's execution ports on the pass.  It is
printed in cycles per 8 points (the clock measured, next to each case, with a
chain of dependent integer additions, 1 cycle each; the minimum of REPEATS
runs) and as a ratio to the read floor of the same dtype.

Two placements of the data: 64-byte aligned, and 16 bytes past a cache line,
as NumPy places arrays (16-byte alignment): a 64-byte load then spans two
lines.  An addition a + b can also be written as the fused multiply-add
a*1 + b (same bits), which runs on the other ports; "best split" is the
fastest of those rewritings of each pass.

Needs a C compiler and an x86-64 CPU with AVX-512 (exits with a message
otherwise).  bench/README.md quotes a run.
"""
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile

# per 8 points: (additions, fused multiply-adds) besides the two loads
#   read floor: x + y, then into the sum                          -> 2 adds
#   batch:      r = b0 + b1*x (fma) - y; sum r; r*x, r*r (2 fmas)  -> 2 adds, 3 fmas
#   stats:      x - x0, y - y0; their sums; dx*dx, dx*dy, dy*dy    -> 4 adds, 3 fmas
PASSES = {
    "read floor": (2, 0),
    "batch": (2, 3),
    "stats": (4, 3),
}
LOADS = {
    "float64": "vmovupd {off}(%0), %%zmm{dst}",
    "float32": "vcvtps2pd {off}(%0), %%zmm{dst}",   # 8 floats widened to doubles
}
OFFSETS = (0, 16)   # bytes past a 64-byte boundary
COPIES = 4          # copies of the 8-point mix per loop iteration
FMA_REGISTERS = 26  # zmm6-zmm31
LOOPS = 10_000_000
REPEATS = 5


def _body(n_add, n_fma, load):
    """One loop iteration's asm: COPIES x (2 loads, n_add adds, n_fma fmas)."""
    lines, fma = [], 0
    for copy in range(COPIES):
        for i in range(2):
            # loads and adds write registers that nothing reads back: no chains
            lines.append(load.format(off=64 * (2 * copy + i), dst=2 + i))
        for i in range(n_add):
            lines.append(f"vaddpd %%zmm2, %%zmm3, %%zmm{4 + i % 2}")
        for i in range(n_fma):
            # an fma reads its destination: each gets its own register, so a
            # chain advances once per loop iteration, longer than an fma's
            # latency (only the 7-fma rewriting of stats puts 2 fmas on 2 registers)
            lines.append(f"vfmadd231pd %%zmm2, %%zmm3, %%zmm{6 + fma % FMA_REGISTERS}")
            fma += 1
    return "\\n\\t".join(lines)


def _cases():
    """(dtype, offset, pass name, adds moved to fmas, asm body) for every case."""
    for offset in OFFSETS:
        for dtype, load in LOADS.items():
            for name, (n_add, n_fma) in PASSES.items():
                for moved in range(n_add + 1):
                    yield dtype, offset, name, moved, _body(n_add - moved, n_fma + moved, load)


def _program():
    clobber = ", ".join(f'"xmm{i}"' for i in range(2, 32))
    runs = []
    for dtype, offset, name, moved, body in _cases():
        runs.append(f'''
    best = 1e30;
    for (r = 0; r < {REPEATS}; r++) {{
        double ghz = clock_ghz(), t = now();
        for (i = 0; i < {LOOPS}; i++)
            __asm__ volatile("{body}" :: "r"(buf + {offset}) : {clobber}, "memory");
        t = (now() - t) * ghz * 1e9 / ({LOOPS} * {COPIES}.0);
        if (t < best) best = t;
    }}
    printf("%s\\t%d\\t%s\\t%d\\t%.4f\\n", "{dtype}", {offset}, "{name}", {moved}, best);''')
    return f'''#include <stdio.h>
#include <time.h>
static char buf[1024] __attribute__((aligned(64)));
static double now(void) {{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}}
/* 4 dependent 1-cycle integer additions per loop: cycles per second */
static double clock_ghz(void) {{
    long i, a = 0;
    double t = now();
    for (i = 0; i < 10000000L; i++)
        __asm__ volatile("add $1, %0\\n\\tadd $1, %0\\n\\tadd $1, %0\\n\\tadd $1, %0" : "+r"(a));
    return 4.0 * 10000000L / (now() - t) / 1e9;
}}
int main(void) {{
    long i;
    int r;
    double best;
    printf("clock\\t0\\t-\\t0\\t%.4f\\n", clock_ghz());
    {"".join(runs)}
    return 0;
}}
'''


def _run():
    """The program's rows: (dtype, offset, pass, moved, cycles per 8 points)."""
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
        run = subprocess.run([exe], capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"the timing program failed (exit status {run.returncode}; "
                     f"a CPU without AVX-512 stops it with SIGILL, -4)")
    rows = [line.split("\t") for line in run.stdout.strip().splitlines()]
    return float(rows[0][4]), [(d, int(o), p, int(m), float(c)) for d, o, p, m, c in rows[1:]]


def main():
    ghz, rows = _run()
    as_written, best = {}, {}
    for dtype, offset, name, moved, cycles in rows:
        key = (offset, dtype, name)
        if moved == 0:
            as_written[key] = cycles
        if key not in best or cycles < best[key][0]:
            best[key] = (cycles, moved)
    print(f"clock about {ghz:.2f} GHz; cycles per 8 points, data in L1 (minimum of {REPEATS} "
          f"runs); ratios to the read floor of the same dtype and placement, as written and "
          f"best split each")
    print("| data | dtype | pass | cycles, as written | / read floor | best split "
          "| / read floor |")
    print("|---|---|---|---|---|---|---|")
    for (offset, dtype, name), cycles in as_written.items():
        floor = as_written[offset, dtype, "read floor"]
        fewest, moved = best[offset, dtype, name]
        best_floor = best[offset, dtype, "read floor"][0]
        place = "aligned" if offset == 0 else f"+{offset} B"
        print(f"| {place} | {dtype} | {name} | {cycles:.2f} | {cycles / floor:.2f} "
              f"| {fewest:.2f} ({moved} adds as fmas) | {fewest / best_floor:.2f} |")


if __name__ == "__main__":
    main()
