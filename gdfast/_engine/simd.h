/* Vectors of GDFAST_WIDTH doubles for gdfast's passes over the data.
 *
 * A sum is kept in several independent vector accumulators: the compiler may
 * not reassociate a floating-point sum, so a single running sum would neither
 * vectorize nor hide the latency of its additions.  The passes are written
 * with a vector type (GCC and Clang vector extensions: plain C operators on
 * vectors) rather than left to the auto-vectorizer, which kept lanes written
 * as plain arrays on the stack between a loop, its remainder and the final
 * sum (stores and reloads that cost most at small N).  Without vector
 * extensions a "vector" is one double and the same code is scalar.
 * GDFAST_WIDTH follows the instruction set the build targets: setup.py builds
 * passes.pyx for SSE2 (2 doubles), AVX2 + FMA (4) and AVX-512 (8).
 *
 * Only the type, loads, stores, masks and horizontal sums are here; the
 * arithmetic is in Cython (passes.pyx and the .pxd files it cimports).
 */
#ifndef GDFAST_SIMD_H
#define GDFAST_SIMD_H

#include <stdint.h>
#include <string.h>
#if defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#  include <xmmintrin.h>
#endif
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && defined(__SSE2__)
#  define GDFAST_X86 1
#endif

#if (defined(__GNUC__) && __GNUC__ >= 9) || defined(__clang__)
#  if defined(__AVX512F__)
#    define GDFAST_WIDTH 8
#  elif defined(__AVX__)
#    define GDFAST_WIDTH 4
#  else
#    define GDFAST_WIDTH 2
#  endif
typedef double gdfast_vec __attribute__((vector_size(8 * GDFAST_WIDTH)));
typedef long long gdfast_ivec __attribute__((vector_size(8 * GDFAST_WIDTH)));

/* v where the mask's bits are all ones, 0.0 where they are zeros */
static inline gdfast_vec gdfast_masked(gdfast_vec v, const long long* mask) {
    gdfast_ivec m;
    memcpy(&m, mask, sizeof m);
    return (gdfast_vec)((gdfast_ivec)v & m);
}

/* WIDTH floats widened to doubles */
#  ifdef GDFAST_X86
#    include <immintrin.h>
/* one instruction (GCC 12 splits __builtin_convertvector of 8 floats) */
static inline gdfast_vec gdfast_load_float(const float* p) {
#    if GDFAST_WIDTH == 8
    return (gdfast_vec)_mm512_cvtps_pd(_mm256_loadu_ps(p));
#    elif GDFAST_WIDTH == 4
    return (gdfast_vec)_mm256_cvtps_pd(_mm_loadu_ps(p));
#    else
    return (gdfast_vec)_mm_cvtps_pd(_mm_castpd_ps(_mm_load_sd((const double*)p)));
#    endif
}
#  else
typedef float gdfast_fvec __attribute__((vector_size(4 * GDFAST_WIDTH)));
static inline gdfast_vec gdfast_load_float(const float* p) {
    gdfast_fvec v;
    memcpy(&v, p, sizeof v);
    return __builtin_convertvector(v, gdfast_vec);
}
#  endif
#else
#  define GDFAST_WIDTH 1
typedef double gdfast_vec;
static inline gdfast_vec gdfast_masked(gdfast_vec v, const long long* mask) {
    long long bits;
    memcpy(&bits, &v, sizeof v);
    bits &= *mask;
    memcpy(&v, &bits, sizeof v);
    return v;
}
static inline gdfast_vec gdfast_load_float(const float* p) { return (double)*p; }
#endif

static inline gdfast_vec gdfast_zero(void) { gdfast_vec v; memset(&v, 0, sizeof v); return v; }

/* WIDTH copies of a */
static inline gdfast_vec gdfast_splat(double a) { return gdfast_zero() + a; }

/* Ask for the cache line GDFAST_PREFETCH bytes past p: a hint, which never
   faults (the address is an integer: a pointer past the end of an array is
   undefined).  -DGDFAST_PREFETCH=0 in CFLAGS builds without. */
#ifndef GDFAST_PREFETCH
#  define GDFAST_PREFETCH 4096
#endif
static inline void gdfast_prefetch_ahead(const void* p) {
#if GDFAST_PREFETCH > 0 && defined(__GNUC__)
    __builtin_prefetch((const void*)((uintptr_t)p + GDFAST_PREFETCH));
#elif GDFAST_PREFETCH > 0 && defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
    _mm_prefetch((const char*)((uintptr_t)p + GDFAST_PREFETCH), _MM_HINT_T0);
#else
    (void)p;
#endif
}

/* Ask for the cache line holding p (a hint that never faults). */
static inline void gdfast_prefetch(const void* p) {
#if defined(__GNUC__)
    __builtin_prefetch(p);
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
    _mm_prefetch((const char*)p, _MM_HINT_T0);
#else
    (void)p;
#endif
}

static inline gdfast_vec gdfast_load_double(const double* p) {
    gdfast_vec v;
    memcpy(&v, p, sizeof v);
#if GDFAST_WIDTH > 1 && defined(GDFAST_X86)
    /* the value must live in a register: else GCC folds the load of x into
       both instructions that use it, and reads x twice (a third more loads,
       each split across cache lines on unaligned data) */
    __asm__("" : "+v"(v));
#endif
    return v;
}

/* p[0], p[stride], ..., p[(WIDTH-1)*stride]: a column of WIDTH rows of a row-major
   block (AVX2 and AVX-512 gather instructions; element by element otherwise) */
static inline gdfast_vec gdfast_gather_double(const double* p, long long stride) {
#if GDFAST_WIDTH == 8 && defined(GDFAST_X86)
    __m512i idx = _mm512_set_epi64(7 * stride, 6 * stride, 5 * stride, 4 * stride,
                                   3 * stride, 2 * stride, stride, 0);
    return (gdfast_vec)_mm512_i64gather_pd(idx, p, 8);
#elif GDFAST_WIDTH == 4 && defined(GDFAST_X86) && defined(__AVX2__)
    __m256i idx = _mm256_set_epi64x(3 * stride, 2 * stride, stride, 0);
    return (gdfast_vec)_mm256_i64gather_pd(p, idx, 8);
#else
    double a[GDFAST_WIDTH];
    gdfast_vec v;
    int i;
    for (i = 0; i < GDFAST_WIDTH; i++)
        a[i] = p[i * stride];
    memcpy(&v, a, sizeof v);
    return v;
#endif
}

/* the same for floats, widened to doubles */
static inline gdfast_vec gdfast_gather_float(const float* p, long long stride) {
#if GDFAST_WIDTH == 8 && defined(GDFAST_X86)
    __m512i idx = _mm512_set_epi64(7 * stride, 6 * stride, 5 * stride, 4 * stride,
                                   3 * stride, 2 * stride, stride, 0);
    return (gdfast_vec)_mm512_cvtps_pd(_mm512_i64gather_ps(idx, p, 4));
#elif GDFAST_WIDTH == 4 && defined(GDFAST_X86) && defined(__AVX2__)
    __m256i idx = _mm256_set_epi64x(3 * stride, 2 * stride, stride, 0);
    return (gdfast_vec)_mm256_cvtps_pd(_mm256_i64gather_ps(p, idx, 4));
#else
    double a[GDFAST_WIDTH];
    gdfast_vec v;
    int i;
    for (i = 0; i < GDFAST_WIDTH; i++)
        a[i] = p[i * stride];
    memcpy(&v, a, sizeof v);
    return v;
#endif
}

/* p[:WIDTH] = v */
static inline void gdfast_store(double* p, gdfast_vec v) { memcpy(p, &v, sizeof v); }

/* the sum of the elements, as a pairwise tree (first half + second half) */
static inline double gdfast_total(gdfast_vec v) {
    double a[GDFAST_WIDTH];
    int i, w;
    memcpy(a, &v, sizeof v);
    for (w = GDFAST_WIDTH / 2; w >= 1; w /= 2)
        for (i = 0; i < w; i++)
            a[i] += a[i + w];
    return a[0];
}

/* Three sums of ACC accumulators, plus b0, b1 and temporaries, in the
   registers: 32 with AVX-512, 16 with AVX2 and SSE2 (where 4 each would
   spill to the stack inside the loop). */
#if GDFAST_WIDTH == 8
#  define GDFAST_ACC 4
#else
#  define GDFAST_ACC 3
#endif
/* the one-feature statistics pass keeps five sums: 4 accumulators each fit in
   AVX-512's 32 registers, 2 each in the 16 of AVX2 and SSE2 */
#if GDFAST_WIDTH == 8
#  define GDFAST_STATS_ACC 4
#else
#  define GDFAST_STATS_ACC 2
#endif
#define GDFAST_GROUP (GDFAST_ACC * GDFAST_WIDTH)
/* columns of the second side of a tile of the statistics pass (gram.pxd):
   4 x 4 accumulators and 8 loaded vectors fit AVX-512's 32 registers,
   4 x 2 and 6 the 16 of AVX2 and SSE2 */
#if GDFAST_WIDTH == 8
#  define GDFAST_TILE 4
#else
#  define GDFAST_TILE 2
#endif

/* gdfast_keep[:GROUP] all bits 0, gdfast_keep[GROUP:] all bits 1: gdfast_keep +
   GROUP - cut is the mask that zeroes the first `cut` points of a group (the
   one-feature passes re-read the last GROUP points with those already summed
   masked out) */
static long long gdfast_keep[2 * GDFAST_GROUP];
static inline void gdfast_keep_init(void) {
    int i;
    for (i = 0; i < 2 * GDFAST_GROUP; i++)
        gdfast_keep[i] = i >= GDFAST_GROUP ? -1 : 0;
}

#endif
