"""The fastest each pass's instructions can run here: in L1, and streamed from L2/L3.

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

Then the same instructions streamed over N points of x and y placed as NumPy
places them, on all cores (OpenMP), each thread over its contiguous half as
the kernel's blocks are shared, with the kernel's prefetch (4 KiB ahead): the
fastest any code made of a pass's instructions can run over data in L2 (N =
1e5) or L3 (1e6), with no block sums, merges or remainders.  Timed two ways,
as the benchmarks time gdfast: many passes in one team with a barrier after
each (the batch iteration and the floor "all threads"), and one team started
per pass (the stats pass and the floor "one call", whose team start is on
both sides).  Each case is the minimum over STREAM_REPEATS rounds that time
every case once, so that a change of the host's memory speed meets them all.

Needs a C compiler with OpenMP and an x86-64 CPU with AVX-512 (exits with a
message otherwise).  bench/README.md quotes a run.
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
    "float64": "vmovupd {addr}, %%zmm{dst}",
    "float32": "vcvtps2pd {addr}, %%zmm{dst}",   # 8 floats widened to doubles
}
OFFSETS = (0, 16)   # bytes past a 64-byte boundary
COPIES = 4          # copies of the 8-point mix per loop iteration
FMA_REGISTERS = 26  # zmm6-zmm31
LOOPS = 10_000_000
REPEATS = 5
STREAM_SIZES = (100_000, 1_000_000)
STREAM_OFFSET = 16         # NumPy's placement
STREAM_REPEATS = 7
STREAM_SECONDS = 0.01      # per case and round
PREFETCH = 4096            # bytes ahead, as the kernel
STEP_BYTES = {"float64": 64, "float32": 32}   # bytes of 8 points


def _body(n_add, n_fma, load, address=lambda copy, i: f"{64 * (2 * copy + i)}(%0)"):
    """One loop iteration's asm: COPIES x (2 loads, n_add adds, n_fma fmas).

    address(copy, i) is where load i (x, then y) of a copy reads.
    """
    lines, fma = [], 0
    for copy in range(COPIES):
        for i in range(2):
            # loads and adds write registers that nothing reads back: no chains
            lines.append(load.format(addr=address(copy, i), dst=2 + i))
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


_COMMON_C = r'''#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}
/* 4 dependent 1-cycle integer additions per loop: cycles per second */
static double clock_ghz(void) {
    long i, a = 0;
    double t = now();
    for (i = 0; i < 10000000L; i++)
        __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(a));
    return 4.0 * 10000000L / (now() - t) / 1e9;
}'''
_CLOBBER = ", ".join(f'"xmm{i}"' for i in range(2, 32))


def _program():
    runs = []
    for dtype, offset, name, moved, body in _cases():
        runs.append(f'''
    best = 1e30;
    for (r = 0; r < {REPEATS}; r++) {{
        double ghz = clock_ghz(), t = now();
        for (i = 0; i < {LOOPS}; i++)
            __asm__ volatile("{body}" :: "r"(buf + {offset}) : {_CLOBBER}, "memory");
        t = (now() - t) * ghz * 1e9 / ({LOOPS} * {COPIES}.0);
        if (t < best) best = t;
    }}
    printf("%s\\t%d\\t%s\\t%d\\t%.4f\\n", "{dtype}", {offset}, "{name}", {moved}, best);''')
    return f'''{_COMMON_C}
static char buf[1024] __attribute__((aligned(64)));
int main(void) {{
    long i;
    int r;
    double best;
    printf("clock\\t0\\t-\\t0\\t%.4f\\n", clock_ghz());
    {"".join(runs)}
    return 0;
}}
'''


def _stream_cases():
    """(dtype, pass name, adds moved to fmas, asm body over COPIES steps of 8 points)."""
    for dtype, load in LOADS.items():
        step = STEP_BYTES[dtype]
        prefetch = [f"prefetcht0 {PREFETCH + line}(%{arg})"
                    for line in range(0, COPIES * step, 64) for arg in (0, 1)]
        for name, (n_add, n_fma) in PASSES.items():
            for moved in range(n_add + 1):
                body = _body(n_add - moved, n_fma + moved, load,
                             lambda copy, i: f"{step * copy}(%{i})")
                yield dtype, name, moved, "\\n\\t".join([body] + prefetch)


def _stream_program():
    sweeps, table = [], []
    for k, (dtype, name, moved, body) in enumerate(_stream_cases()):
        # points lo..hi of x and y, COPIES steps of 8 points at a time
        sweeps.append(f'''
static void sweep{k}(const char* x, const char* y, long lo, long hi) {{
    long i;
    for (i = lo; i < hi; i += {8 * COPIES})
        __asm__ volatile("{body}" :: "r"(x + i * {STEP_BYTES[dtype] // 8}),
                         "r"(y + i * {STEP_BYTES[dtype] // 8}) : {_CLOBBER}, "memory");
}}''')
        table.append(f'{{sweep{k}, "{dtype}", "{name}", {moved}, {STEP_BYTES[dtype] // 8}}}')
    sizes = ", ".join(str(n) for n in STREAM_SIZES)
    return f'''{_COMMON_C}
#include <omp.h>
typedef void (*sweep_fn)(const char*, const char*, long, long);
{"".join(sweeps)}
static const struct {{ sweep_fn sweep; const char* dtype; const char* name; int moved; int itemsize; }}
    cases[] = {{{", ".join(table)}}};
enum {{ N_CASES = sizeof cases / sizeof cases[0], N_SIZES = {len(STREAM_SIZES)} }};
static const long sizes[N_SIZES] = {{{sizes}}};

/* this thread's share of n points: contiguous, whole loop steps */
static void share(long n, long* lo, long* hi) {{
    int t = omp_get_thread_num(), team = omp_get_num_threads();
    *lo = n * t / team / {8 * COPIES} * {8 * COPIES};
    *hi = n * (t + 1) / team / {8 * COPIES} * {8 * COPIES};
}}

/* seconds per pass: reps passes in one team, a barrier after each (per_pass = 0),
   or one team started per pass (per_pass = 1) */
static double time_passes(sweep_fn sweep, const char* x, const char* y, long n,
                          long reps, int per_pass) {{
    long k, lo, hi;
    double t = now();
    if (per_pass) {{
        for (k = 0; k < reps; k++) {{
            #pragma omp parallel private(lo, hi)
            {{
                share(n, &lo, &hi);
                sweep(x, y, lo, hi);
            }}
        }}
    }} else {{
        #pragma omp parallel private(k, lo, hi)
        {{
            share(n, &lo, &hi);
            for (k = 0; k < reps; k++) {{
                sweep(x, y, lo, hi);
                #pragma omp barrier
            }}
        }}
    }}
    return (now() - t) / reps;
}}

int main(void) {{
    static double best[N_CASES][N_SIZES][2];
    static long reps[N_CASES][N_SIZES][2];
    long most = {max(STREAM_SIZES)}, i;
    int c, s, m, r;
    /* NumPy's placement: STREAM_OFFSET bytes past a cache line; room for the prefetch */
    char* mem[2][2];
    for (i = 0; i < 4; i++) {{
        mem[i / 2][i % 2] = (char*)aligned_alloc(64, most * 8 + {PREFETCH} + 128) + {STREAM_OFFSET};
    }}
    for (i = 0; i < most; i++) {{
        ((double*)mem[0][0])[i] = i % 7;  ((double*)mem[0][1])[i] = i % 5;
        ((float*)mem[1][0])[i] = i % 7;   ((float*)mem[1][1])[i] = i % 5;
    }}
    printf("clock\\t%.4f\\t%d\\n", clock_ghz(), omp_get_max_threads());
    for (r = 0; r < {STREAM_REPEATS}; r++)
        for (c = 0; c < N_CASES; c++)
            for (s = 0; s < N_SIZES; s++)
                for (m = 0; m < 2; m++) {{
                    char** xy = mem[cases[c].itemsize == 4];
                    double t;
                    if (r == 0) {{   /* passes per timing: about STREAM_SECONDS */
                        t = time_passes(cases[c].sweep, xy[0], xy[1], sizes[s], 3, m);
                        reps[c][s][m] = 3 + (long)({STREAM_SECONDS} / t);
                        best[c][s][m] = 1e30;
                    }}
                    t = time_passes(cases[c].sweep, xy[0], xy[1], sizes[s], reps[c][s][m], m);
                    if (t < best[c][s][m]) best[c][s][m] = t;
                }}
    for (c = 0; c < N_CASES; c++)
        for (s = 0; s < N_SIZES; s++)
            for (m = 0; m < 2; m++)
                printf("%s\\t%ld\\t%s\\t%s\\t%d\\t%.4f\\n", cases[c].dtype, sizes[s],
                       m ? "call" : "team", cases[c].name, cases[c].moved, 1e6 * best[c][s][m]);
    return 0;
}}
'''


def _build_and_run(source, flags, needs):
    """stdout of the C program `source` built with `flags`, as rows of fields."""
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(cc) is None:
        sys.exit(f"no C compiler ({cc})")
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = os.path.join(tmp, "cycles.c"), os.path.join(tmp, "cycles")
        with open(src, "w") as f:
            f.write(source)
        build = subprocess.run([cc, "-O1", *flags, src, "-o", exe],
                               capture_output=True, text=True)
        if build.returncode != 0:
            sys.exit(f"{cc} cannot build {needs} code here:\n{build.stderr}")
        run = subprocess.run([exe], capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"the timing program failed (exit status {run.returncode}; "
                     f"a CPU without AVX-512 stops it with SIGILL, -4)")
    return [line.split("\t") for line in run.stdout.strip().splitlines()]


def _run():
    """The L1 program's rows: (dtype, offset, pass, moved, cycles per 8 points)."""
    rows = _build_and_run(_program(), ["-mavx512f"], "AVX-512")
    return float(rows[0][4]), [(d, int(o), p, int(m), float(c)) for d, o, p, m, c in rows[1:]]


def _run_stream():
    """The streaming program's clock, threads and rows: (dtype, N, mode, pass, moved, µs)."""
    rows = _build_and_run(_stream_program(), ["-mavx512f", "-fopenmp"], "AVX-512 and OpenMP")
    (_, ghz, threads), rows = rows[0], rows[1:]
    return float(ghz), int(threads), [(d, int(n), mode, p, int(m), float(us))
                                      for d, n, mode, p, m, us in rows]


def _as_written_and_best(timings):
    """{key: time as written}, {key: (fewest time, adds moved)} from (key, moved, time)."""
    as_written, best = {}, {}
    for key, moved, time in timings:
        if moved == 0:
            as_written[key] = time
        if key not in best or time < best[key][0]:
            best[key] = (time, moved)
    return as_written, best


def main():
    ghz, rows = _run()
    as_written, best = _as_written_and_best(((offset, dtype, name), moved, cycles)
                                            for dtype, offset, name, moved, cycles in rows)
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
    print()
    _print_stream(*_run_stream())


def _print_stream(ghz, threads, rows):
    as_written, best = _as_written_and_best(((n, dtype, mode, name), moved, us)
                                            for dtype, n, mode, name, moved, us in rows)
    print(f"streamed, {threads} threads, data {STREAM_OFFSET} B past a cache line, prefetch "
          f"{PREFETCH} B ahead; clock about {ghz:.2f} GHz; µs per pass (minimum of "
          f"{STREAM_REPEATS} rounds); ratios to the read floor as written (as gdfast's "
          f"read_floor runs it), same N, dtype and timing")
    print("| N | dtype | pass | one team: as written | / floor | best split | / floor "
          "| team per pass: as written | / floor | best split | / floor |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for n, dtype in sorted({(n, d) for n, d, _, _ in as_written}, key=lambda k: (k[0], k[1])):
        for name in PASSES:
            cells = []
            for mode in ("team", "call"):
                floor = as_written[n, dtype, mode, "read floor"]
                us = as_written[n, dtype, mode, name]
                fewest, _ = best[n, dtype, mode, name]
                cells += [f"{us:.2f}", f"{us / floor:.2f}", f"{fewest:.2f}", f"{fewest / floor:.2f}"]
            print(f"| {n:.0e} | {dtype} | {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
