# The statistics pass of d features: for each block of rows, the column sums
# and the upper triangle of the Gram matrix of its columns (the data shifted
# by the block's first row, in double), by a register-blocked kernel: a tile
# of 4 x TILE columns is summed in 4 * TILE vector accumulators while the
# block is in cache, so each loaded vector serves several products (the
# O(N d**2) work of the pass runs at the speed of a matrix product, not of
# dot products one pair of columns at a time).
from gdfast._engine.simd cimport TILE, WIDTH, load_double, total, vec, zero


cdef inline double dot(const double* a, const double* b, Py_ssize_t n) noexcept nogil:
    """a[:n] @ b[:n], two vector accumulators."""
    cdef vec s = zero(), t = zero()
    cdef Py_ssize_t i, i_v, whole = n - n % (2 * WIDTH)
    cdef double total_ab
    for i_v in range(whole // (2 * WIDTH)):
        i = i_v * (2 * WIDTH)
        s += load_double(a + i) * load_double(b + i)
        t += load_double(a + i + WIDTH) * load_double(b + i + WIDTH)
    total_ab = total(s + t)
    for i in range(whole, n):
        total_ab += a[i] * b[i]
    return total_ab


cdef inline double column_sum(const double* a, Py_ssize_t n) noexcept nogil:
    """a[:n].sum(), two vector accumulators."""
    cdef vec s = zero(), t = zero()
    cdef Py_ssize_t i, i_v, whole = n - n % (2 * WIDTH)
    cdef double total_a
    for i_v in range(whole // (2 * WIDTH)):
        i = i_v * (2 * WIDTH)
        s += load_double(a + i)
        t += load_double(a + i + WIDTH)
    total_a = total(s + t)
    for i in range(whole, n):
        total_a += a[i]
    return total_a


cdef inline void tile(const double* a, const double* b, Py_ssize_t ld, Py_ssize_t rows,
                      Py_ssize_t p, double* out) noexcept nogil:
    """out[j*p + k] = a[:, j] @ b[:, k] for j < 4, k < TILE (column j of a at a + j*ld)."""
    cdef vec acc[4 * TILE]
    cdef vec av[4]
    cdef vec bv
    cdef Py_ssize_t i, i_v, j, k, whole = rows - rows % WIDTH
    cdef double rest
    for j in range(4 * TILE):
        acc[j] = zero()
    for i_v in range(whole // (WIDTH)):
        i = i_v * (WIDTH)
        for j in range(4):
            av[j] = load_double(a + j * ld + i)
        for k in range(TILE):
            bv = load_double(b + k * ld + i)
            for j in range(4):
                acc[j * TILE + k] += av[j] * bv
    for j in range(4):
        for k in range(TILE):
            rest = total(acc[j * TILE + k])
            for i in range(whole, rows):
                rest += a[j * ld + i] * b[k * ld + i]
            out[j * p + k] = rest


cdef inline void gram_upper(const double* a, const double* u, Py_ssize_t ld, Py_ssize_t rows,
                            Py_ssize_t p, double* gram) noexcept nogil:
    """gram[j*p + k] = a[:, j] @ u[:, k] for k >= j (a = u, or the weighted u), with p
    columns of ``rows`` values, column j at a + j*ld.

    Tiles of 4 x TILE columns where both sides are whole; the products a tile
    computes below the diagonal are left where they fall (the caller reads the
    upper triangle only); what no tile covers, a dot product per pair.
    """
    cdef Py_ssize_t j, k, j4 = p - p % 4
    for j in range(0, j4, 4):
        k = j
        while k + TILE <= p:
            tile(a + j * ld, u + k * ld, ld, rows, p, gram + j * p + k)
            k += TILE
        while k < p:    # the last columns, fewer than a tile
            gram[j * p + k] = dot(a + j * ld, u + k * ld, rows)
            gram[(j + 1) * p + k] = dot(a + (j + 1) * ld, u + k * ld, rows)
            gram[(j + 2) * p + k] = dot(a + (j + 2) * ld, u + k * ld, rows)
            gram[(j + 3) * p + k] = dot(a + (j + 3) * ld, u + k * ld, rows)
            k += 1
    for j in range(j4, p):      # the last rows of the triangle, fewer than 4
        for k in range(j, p):
            gram[j * p + k] = dot(a + j * ld, u + k * ld, rows)
