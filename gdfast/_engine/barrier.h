/* The barrier a team of OpenMP threads meets at once per iteration.
 *
 * OpenMP's own barrier (GCC's libgomp) spins for a long time before it sleeps
 * (GOMP_SPINCOUNT, 300 000 rounds by default): when other processes hold the
 * cores, a thread that arrives first burns the time slice the thread it waits
 * for needs, and an iteration of a few hundred microseconds takes
 * milliseconds.  This barrier spins briefly (long enough for a team on idle
 * cores, where the threads arrive within microseconds of each other), then
 * yields the core: it sleeps on a futex on Linux, and calls sched_yield
 * elsewhere.
 *
 * A central counter with a generation number: the last thread to arrive
 * resets the counter and starts the next generation; the others wait for the
 * generation to change.  Reusable at once: a thread cannot arrive at the next
 * barrier before the generation it waits for has changed.
 *
 * Without OpenMP the team is one thread and a barrier is nothing.
 */
#ifndef GDFAST_BARRIER_H
#define GDFAST_BARRIER_H

#ifdef _OPENMP
#include <omp.h>
#define GDFAST_OPENMP 1
#else
#define GDFAST_OPENMP 0
#endif

#if defined(__GNUC__) || defined(__clang__)
#  define GDFAST_ATOMICS 1
#endif

#if defined(__linux__) && GDFAST_ATOMICS
#  include <linux/futex.h>
#  include <sys/syscall.h>
#  include <unistd.h>
#  include <limits.h>
#  define GDFAST_FUTEX 1
#elif GDFAST_ATOMICS
#  include <sched.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#  include <immintrin.h>
#  define gdfast_pause() _mm_pause()
#else
#  define gdfast_pause() ((void)0)
#endif

/* rounds of spinning before a waiting thread yields its core: a few
   microseconds (a pause is tens to hundreds of cycles, by CPU) */
#ifndef GDFAST_SPIN_ROUNDS
#  define GDFAST_SPIN_ROUNDS 1000
#endif

typedef struct {
    int count;        /* threads arrived in this generation */
    int generation;   /* changes when the last thread arrives */
    int sleepers;     /* threads asleep (or about to be) on generation */
    int team;         /* threads that meet here */
} gdfast_barrier;

static inline void gdfast_barrier_init(gdfast_barrier* b, int team) {
    b->count = 0;
    b->generation = 0;
    b->sleepers = 0;
    b->team = team;
}

#if GDFAST_ATOMICS && GDFAST_OPENMP
static inline void gdfast_barrier_wait(gdfast_barrier* b) {
    int gen = __atomic_load_n(&b->generation, __ATOMIC_ACQUIRE);
    int i;
    if (b->team <= 1)
        return;
    if (__atomic_add_fetch(&b->count, 1, __ATOMIC_ACQ_REL) == b->team) {
        /* the last to arrive: no one reads count until the generation moves */
        __atomic_store_n(&b->count, 0, __ATOMIC_RELAXED);
        __atomic_add_fetch(&b->generation, 1, __ATOMIC_SEQ_CST);
#ifdef GDFAST_FUTEX
        if (__atomic_load_n(&b->sleepers, __ATOMIC_SEQ_CST) > 0)
            syscall(SYS_futex, &b->generation, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
#endif
        return;
    }
    for (i = 0; i < GDFAST_SPIN_ROUNDS; i++) {
        if (__atomic_load_n(&b->generation, __ATOMIC_ACQUIRE) != gen)
            return;
        gdfast_pause();
    }
#ifdef GDFAST_FUTEX
    __atomic_add_fetch(&b->sleepers, 1, __ATOMIC_SEQ_CST);
    /* the kernel sleeps only while generation still equals gen: a wake-up
       that came before the sleep is not lost */
    while (__atomic_load_n(&b->generation, __ATOMIC_SEQ_CST) == gen)
        syscall(SYS_futex, &b->generation, FUTEX_WAIT_PRIVATE, gen, NULL, NULL, 0);
    __atomic_sub_fetch(&b->sleepers, 1, __ATOMIC_SEQ_CST);
#else
    while (__atomic_load_n(&b->generation, __ATOMIC_ACQUIRE) == gen)
        sched_yield();
#endif
}
#elif GDFAST_OPENMP
/* a compiler without GCC's atomics: OpenMP's own barrier */
static inline void gdfast_barrier_wait(gdfast_barrier* b) {
    (void)b;
    #pragma omp barrier
}
#else
static inline void gdfast_barrier_wait(gdfast_barrier* b) { (void)b; }
#endif

/* OpenMP's barrier, once per team start: it binds to the enclosing region */
static inline void gdfast_omp_barrier(void) {
#if GDFAST_OPENMP
    #pragma omp barrier
#endif
}

/* the size of the enclosing team, and the most threads a team may get */
#if GDFAST_OPENMP
static inline int gdfast_team_size(void) { return omp_get_num_threads(); }
static inline int gdfast_max_threads(void) { return omp_get_max_threads(); }
#else
static inline int gdfast_team_size(void) { return 1; }
static inline int gdfast_max_threads(void) { return 1; }
#endif

#endif
