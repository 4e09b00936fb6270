# Declarations of simd.h and barrier.h, the C that must be C: the vector type,
# its loads, masks and sums, the prefetch, and the team's barrier.
from cython cimport floating

cdef extern from "simd.h" nogil:
    ctypedef double vec "gdfast_vec"
    enum:
        WIDTH "GDFAST_WIDTH"   # doubles per vector
        ACC "GDFAST_ACC"       # vector accumulators per sum
        GROUP "GDFAST_GROUP"   # points per step of a one-feature pass: ACC vectors
        STATS_ACC "GDFAST_STATS_ACC"  # accumulators per sum of the one-feature stats pass
        TILE "GDFAST_TILE"     # columns of the second side of a tile of the Gram kernel
    const Py_ssize_t PREFETCH "GDFAST_PREFETCH"   # bytes ahead
    vec zero "gdfast_zero"() noexcept
    vec splat "gdfast_splat"(double a) noexcept
    void prefetch_ahead "gdfast_prefetch_ahead"(const void* p) noexcept
    void prefetch "gdfast_prefetch"(const void* p) noexcept
    vec load_double "gdfast_load_double"(const double* p) noexcept
    vec load_float "gdfast_load_float"(const float* p) noexcept
    void store "gdfast_store"(double* p, vec v) noexcept
    vec gather_double "gdfast_gather_double"(const double* p, long long stride) noexcept
    vec gather_float "gdfast_gather_float"(const float* p, long long stride) noexcept
    double total "gdfast_total"(vec v) noexcept
    vec masked "gdfast_masked"(vec v, const long long* mask) noexcept
    long long* keep_table "gdfast_keep"
    void keep_init "gdfast_keep_init"() noexcept

cdef extern from "barrier.h" nogil:
    ctypedef struct barrier "gdfast_barrier":
        pass
    const int GDFAST_OPENMP
    void barrier_init "gdfast_barrier_init"(barrier* b, int team) noexcept
    void barrier_wait "gdfast_barrier_wait"(barrier* b) noexcept
    void omp_barrier "gdfast_omp_barrier"() noexcept
    int team_size "gdfast_team_size"() noexcept
    int max_threads "gdfast_max_threads"() noexcept


cdef inline vec vload(const floating* p) noexcept nogil:
    """p[:WIDTH] as a vector of doubles."""
    if floating is double:
        return load_double(p)
    else:
        return load_float(p)


cdef inline vec vgather(const floating* p, Py_ssize_t stride) noexcept nogil:
    """p[0], p[stride], ..., p[(WIDTH - 1) * stride] as a vector of doubles."""
    if floating is double:
        return gather_double(p, stride)
    else:
        return gather_float(p, stride)
