# The d-feature pass: for a block of rows, r = b0 + z @ b - y, then
# sum w*r, z.T @ (w*r) and sum w*r**2 while the block is in cache, so x and y
# are read from memory once per iteration.
#
# x (N, d) is read in place in any order: x[i, j] = x[i*row_stride +
# j*col_stride].  Each feature is mapped on the fly to z[:, j] = (x[:, j] -
# center[j]) * inv_scale[j] (center 0 and inv_scale 1, the identity, give
# z = x exactly), so standardize=True needs no standardized copy of the data
# and no cancellation from shifting the sums afterwards.  float64 data in F
# order under the identity map, and float32 data in F order under it, are
# read in place; every other block is first written to a column-major block
# of doubles (z, in cache), transposed, widened and mapped on the way.
# Every sum is accumulated in double precision, in vectors of WIDTH doubles,
# four columns at a time.
from cython cimport floating

from gdfast._engine.simd cimport (WIDTH, load_double, prefetch, splat, store, total, vec,
                                  vgather, vload, zero)

# bytes ahead within a column of x that the first sweep of a block asks for
cdef enum:
    PREFETCH_COLUMN = 1024
    # up to this many columns, a block is summed in one sweep (narrow_sweep)
    NARROW = 8

# the columns a sweep reads: the data's own dtype (x read in place) or the
# block of doubles it was loaded into
ctypedef fused column:
    float
    double


ctypedef struct Design:
    # the shape of a d-feature pass, fixed during a descent
    Py_ssize_t n, d, row_stride, col_stride
    const double* center      # (d,) the feature map
    const double* inv_scale   # (d,)
    bint identity             # center 0 and inv_scale 1
    bint in_place             # F order under the identity map: z is x itself
    bint fit_intercept
    Py_ssize_t block          # rows per block (block_rows(d))


cdef inline Py_ssize_t block_rows(Py_ssize_t d) noexcept nogil:
    """Rows per block of the d-feature pass: about 256 KiB of doubles (d columns), in L2
    between the residual sweep and the gradient sweep, with runs of x's columns long
    enough for the prefetchers; a multiple of 64 rows in [64, 4096].  Depends on d
    alone, so a descent's blocks, and its sums, are the same whatever the number of
    threads or the memory order of x."""
    cdef Py_ssize_t rows = (32768 // d) // 64 * 64
    return min(max(rows, <Py_ssize_t>64), <Py_ssize_t>4096)


cdef inline bint is_narrow(const Design* D) noexcept nogil:
    """True if a block is summed by narrow_sweep, straight from x (no scratch)."""
    return D.d <= NARROW and (D.row_stride == 1 or D.col_stride == 1)


cdef inline Py_ssize_t block_scratch(const Design* D) noexcept nogil:
    """Doubles of one thread's scratch for the pass: none (narrow_sweep), a block of r
    (x read in place), or a block of z and of r."""
    if is_narrow(D):
        return 0
    if D.in_place:
        return D.block
    return (D.d + 1) * D.block


cdef inline bint is_identity(const double* center, const double* inv_scale,
                             Py_ssize_t d) noexcept nogil:
    """np.all(center == 0) and np.all(inv_scale == 1)."""
    cdef Py_ssize_t j
    for j in range(d):
        if center[j] != 0.0 or inv_scale[j] != 1.0:
            return False
    return True


cdef inline Design design(Py_ssize_t n, Py_ssize_t d, Py_ssize_t row_stride,
                          Py_ssize_t col_stride, const double* center, const double* inv_scale,
                          bint fit_intercept) noexcept nogil:
    cdef Design D
    D.n = n
    D.d = d
    D.row_stride = row_stride
    D.col_stride = col_stride
    D.center = center
    D.inv_scale = inv_scale
    D.identity = is_identity(center, inv_scale, d)
    D.in_place = D.identity and row_stride == 1
    D.fit_intercept = fit_intercept
    D.block = block_rows(d)
    return D


# ---------------------------------------------------------------------------
# Loading a block of z (when x cannot be read in place)
# ---------------------------------------------------------------------------
cdef inline void load_block(const floating* x, const Design* D, Py_ssize_t rows,
                            double* z) noexcept nogil:
    """z[j*rows + i] = (x[i, j] - center[j]) * inv_scale[j] for the block of rows at x.

    x is read in its memory order, a few rows or a column at a time.
    """
    cdef Py_ssize_t i, i_v, j, d = D.d, rs = D.row_stride, cs = D.col_stride
    cdef Py_ssize_t whole = rows - rows % WIDTH
    cdef double c, s
    cdef vec v
    cdef const floating* row
    cdef const floating* col
    if cs == 1:              # C order: a row of x is contiguous; z is its transpose
        # WIDTH rows at a time, column by column: a gather reads a column of them
        # (their lines stay in L1 while the d columns are read)
        for i_v in range(whole // WIDTH):
            i = i_v * WIDTH
            row = x + i * rs
            if D.identity:
                for j in range(d):
                    store(z + j * rows + i, vgather(row + j, rs))
            else:
                for j in range(d):
                    v = vgather(row + j, rs)
                    store(z + j * rows + i, (v - D.center[j]) * D.inv_scale[j])
        for i in range(whole, rows):
            row = x + i * rs
            for j in range(d):
                z[j * rows + i] = (row[j] - D.center[j]) * D.inv_scale[j]
    else:                    # F order (or any other strides): column by column
        for j in range(d):
            col = x + j * cs
            c = D.center[j]
            s = D.inv_scale[j]
            if rs == 1:
                for i in range(rows):
                    z[j * rows + i] = (col[i] - c) * s
            else:
                for i in range(rows):
                    z[j * rows + i] = (col[i * rs] - c) * s


# ---------------------------------------------------------------------------
# The column moments of a block (the feature map of standardize=True)
# ---------------------------------------------------------------------------
cdef inline void block_moments(const floating* x, const floating* w, const Design* D,
                               Py_ssize_t blk, const double* shift, double* out) noexcept nogil:
    """out[j] = (w * (x[:, j] - shift[j])).sum(), out[d + j] = (w * (x[:, j] - shift[j])**2).sum()
    over block blk of the rows (w NULL: w = 1), in x's memory order."""
    cdef Py_ssize_t start = blk * D.block
    cdef Py_ssize_t rows = min(D.block, D.n - start)
    cdef Py_ssize_t i, i_v, j, d = D.d, rs = D.row_stride, cs = D.col_stride
    cdef Py_ssize_t whole = rows - rows % WIDTH
    cdef const floating* col
    cdef const floating* row
    cdef vec sv, qv, u, c
    cdef double a, q, uu, wi
    x += start * rs
    if w != NULL:
        w += start
    if rs == 1:                  # F order: each column of the block is contiguous
        for j in range(d):
            col = x + j * cs
            c = splat(shift[j])
            sv = zero()
            qv = zero()
            for i_v in range(whole // WIDTH):
                i = i_v * WIDTH
                u = vload(col + i) - c
                if w != NULL:
                    sv += vload(w + i) * u
                    qv += (vload(w + i) * u) * u
                else:
                    sv += u
                    qv += u * u
            a = total(sv)
            q = total(qv)
            for i in range(whole, rows):
                uu = col[i] - shift[j]
                wi = 1.0 if w == NULL else <double>w[i]
                a += wi * uu
                q += (wi * uu) * uu
            out[j] = a
            out[d + j] = q
    else:                        # C order (or any strides): row by row, the columns side by side
        for j in range(2 * d):
            out[j] = 0.0
        for i in range(rows):
            row = x + i * rs
            wi = 1.0 if w == NULL else <double>w[i]
            for j in range(d):
                uu = row[j * cs] - shift[j]
                out[j] += wi * uu
                out[d + j] += (wi * uu) * uu


# ---------------------------------------------------------------------------
# The two sweeps over a block: r, then the gradient sums
# ---------------------------------------------------------------------------
cdef inline void axpy4(double* r, const floating* z, Py_ssize_t ld, const double* b,
                       Py_ssize_t rows, bint ahead) noexcept nogil:
    """r[:rows] += z[:, :4] @ b[:4], column k at z + k*ld.

    ``ahead``: x is read in place, and its columns go on past the block (the
    block is not the last): each column's line PREFETCH_COLUMN bytes ahead is
    asked for on the way, since x read in place has d streams, more than the
    hardware prefetchers follow."""
    cdef vec b0 = splat(b[0]), b1 = splat(b[1]), b2 = splat(b[2]), b3 = splat(b[3])
    cdef const floating* z0 = z
    cdef const floating* z1 = z + ld
    cdef const floating* z2 = z + 2 * ld
    cdef const floating* z3 = z + 3 * ld
    cdef Py_ssize_t i, i_v, whole = rows - rows % WIDTH
    cdef Py_ssize_t distance = PREFETCH_COLUMN // sizeof(floating)
    for i_v in range(whole // (WIDTH)):
        i = i_v * (WIDTH)
        if ahead and (i * sizeof(floating)) % 64 == 0:
            prefetch(z0 + i + distance)
            prefetch(z1 + i + distance)
            prefetch(z2 + i + distance)
            prefetch(z3 + i + distance)
        store(r + i, load_double(r + i) + ((b0 * vload(z0 + i) + b1 * vload(z1 + i))
                                           + (b2 * vload(z2 + i) + b3 * vload(z3 + i))))
    for i in range(whole, rows):
        r[i] += ((b[0] * z0[i] + b[1] * z1[i]) + (b[2] * z2[i] + b[3] * z3[i]))


cdef inline void axpy1(double* r, const floating* z, double b, Py_ssize_t rows,
                       bint ahead) noexcept nogil:
    """r[:rows] += b * z[:rows] (``ahead``: as axpy4's)."""
    cdef vec bv = splat(b)
    cdef Py_ssize_t i, i_v, whole = rows - rows % WIDTH
    cdef Py_ssize_t distance = PREFETCH_COLUMN // sizeof(floating)
    for i_v in range(whole // (WIDTH)):
        i = i_v * (WIDTH)
        if ahead and (i * sizeof(floating)) % 64 == 0:
            prefetch(z + i + distance)
        store(r + i, load_double(r + i) + bv * vload(z + i))
    for i in range(whole, rows):
        r[i] += b * z[i]


cdef inline void dot4(const double* r, const floating* z, Py_ssize_t ld, Py_ssize_t rows,
                      double* out) noexcept nogil:
    """out[:4] = z[:, :4].T @ r[:rows], column k at z + k*ld; r read once."""
    cdef vec s0 = zero(), s1 = zero(), s2 = zero(), s3 = zero()
    cdef vec t0 = zero(), t1 = zero(), t2 = zero(), t3 = zero()
    cdef vec rv
    cdef const floating* z0 = z
    cdef const floating* z1 = z + ld
    cdef const floating* z2 = z + 2 * ld
    cdef const floating* z3 = z + 3 * ld
    cdef Py_ssize_t i, i_v, k, whole = rows - rows % (2 * WIDTH)
    cdef double a0, a1, a2, a3
    # two accumulators per column (even and odd vectors): independent chains
    for i_v in range(whole // (2 * WIDTH)):
        i = i_v * (2 * WIDTH)
        rv = load_double(r + i)
        s0 += rv * vload(z0 + i)
        s1 += rv * vload(z1 + i)
        s2 += rv * vload(z2 + i)
        s3 += rv * vload(z3 + i)
        rv = load_double(r + i + WIDTH)
        t0 += rv * vload(z0 + i + WIDTH)
        t1 += rv * vload(z1 + i + WIDTH)
        t2 += rv * vload(z2 + i + WIDTH)
        t3 += rv * vload(z3 + i + WIDTH)
    a0 = total(s0 + t0)
    a1 = total(s1 + t1)
    a2 = total(s2 + t2)
    a3 = total(s3 + t3)
    for i in range(whole, rows):
        a0 += r[i] * z0[i]
        a1 += r[i] * z1[i]
        a2 += r[i] * z2[i]
        a3 += r[i] * z3[i]
    out[0] = a0
    out[1] = a1
    out[2] = a2
    out[3] = a3


cdef inline double dot1(const double* r, const floating* z, Py_ssize_t rows) noexcept nogil:
    """z[:rows] @ r[:rows]."""
    cdef vec s = zero(), t = zero()
    cdef Py_ssize_t i, i_v, whole = rows - rows % (2 * WIDTH)
    cdef double a
    for i_v in range(whole // (2 * WIDTH)):
        i = i_v * (2 * WIDTH)
        s += load_double(r + i) * vload(z + i)
        t += load_double(r + i + WIDTH) * vload(z + i + WIDTH)
    a = total(s + t)
    for i in range(whole, rows):
        a += r[i] * z[i]
    return a


cdef inline double sum_and_squares(double* r, const floating* w, Py_ssize_t rows,
                                   double* sum_r) noexcept nogil:
    """Return (w * r**2).sum() and set sum_r[0] = (w * r).sum(); with weights, r *= w
    in place (w NULL: w = 1)."""
    cdef vec s0 = zero(), s1 = zero(), q0 = zero(), q1 = zero(), rv, wr
    cdef Py_ssize_t i, i_v, whole = rows - rows % (2 * WIDTH)
    cdef double a, q, t
    if w == NULL:
        for i_v in range(whole // (2 * WIDTH)):
            i = i_v * (2 * WIDTH)
            rv = load_double(r + i)
            s0 += rv
            q0 += rv * rv
            rv = load_double(r + i + WIDTH)
            s1 += rv
            q1 += rv * rv
        a = total(s0 + s1)
        q = total(q0 + q1)
        for i in range(whole, rows):
            a += r[i]
            q += r[i] * r[i]
    else:
        for i_v in range(whole // (2 * WIDTH)):
            i = i_v * (2 * WIDTH)
            rv = load_double(r + i)
            wr = vload(w + i) * rv
            s0 += wr
            q0 += wr * rv
            store(r + i, wr)
            rv = load_double(r + i + WIDTH)
            wr = vload(w + i + WIDTH) * rv
            s1 += wr
            q1 += wr * rv
            store(r + i + WIDTH, wr)
        a = total(s0 + s1)
        q = total(q0 + q1)
        for i in range(whole, rows):
            t = <double>w[i] * r[i]
            a += t
            q += t * r[i]
            r[i] = t
    sum_r[0] = a
    return q


cdef inline void narrow_sweep(const floating* z, Py_ssize_t ld, Py_ssize_t row_stride,
                              bint apply_map, const floating* y, const floating* w,
                              const Design* D, Py_ssize_t rows, const double* params,
                              double* out) noexcept nogil:
    """The sums of a block of d <= NARROW columns in one sweep, r kept in registers.

    With so few columns every column of a vector of rows is loaded at once:
    r = b0 - y + z @ b, then the sums, without writing r (the data's few
    streams are read together, as the one-feature pass reads x and y).  The
    columns are read where they are: contiguous columns ld apart (row_stride
    0), or the rows of a row-major block row_stride apart, a column of
    WIDTH rows by a gather (no transposed copy).  ``apply_map``: z = (x -
    center) * inv_scale on the way.  The NARROW - d missing columns are
    column 0 again with coefficient 0, whose sums are dropped: r + 0 * z is r.
    """
    cdef Py_ssize_t i, i_v, j, d = D.d, whole = rows - rows % WIDTH
    cdef double b0 = params[0] if D.fit_intercept else 0.0
    cdef double coef[NARROW]
    cdef double center[NARROW]
    cdef double scale[NARROW]
    cdef Py_ssize_t offset[NARROW]    # of column j from z: j*ld, or j in a row-major block
    cdef vec bv[NARROW]
    cdef vec cv[NARROW]
    cdef vec sv[NARROW]
    cdef vec zv[NARROW]
    cdef vec g[NARROW]
    cdef vec rv, wr, s = zero(), q = zero()
    cdef double rs, ws, zs[NARROW], sum_r, sum_q, sums[NARROW]
    for j in range(NARROW):
        coef[j] = params[1 + j] if j < d else 0.0
        center[j] = D.center[j] if j < d else 0.0
        scale[j] = D.inv_scale[j] if j < d else 1.0
        offset[j] = (j if j < d else 0) * (ld if row_stride == 0 else 1)
        bv[j] = splat(coef[j])
        cv[j] = splat(center[j])
        sv[j] = splat(scale[j])
        g[j] = zero()
    for i_v in range(whole // WIDTH):
        i = i_v * WIDTH
        for j in range(NARROW):
            if row_stride == 0:
                zv[j] = vload(z + offset[j] + i)
            else:
                zv[j] = vgather(z + i * row_stride + offset[j], row_stride)
            if apply_map:
                zv[j] = (zv[j] - cv[j]) * sv[j]
        rv = splat(b0) if y == NULL else b0 - vload(y + i)
        rv = rv + (((bv[0] * zv[0] + bv[1] * zv[1]) + (bv[2] * zv[2] + bv[3] * zv[3]))
                   + ((bv[4] * zv[4] + bv[5] * zv[5]) + (bv[6] * zv[6] + bv[7] * zv[7])))
        wr = rv if w == NULL else vload(w + i) * rv
        s += wr
        q += wr * rv
        for j in range(NARROW):
            g[j] += wr * zv[j]
    sum_r = total(s)
    sum_q = total(q)
    for j in range(NARROW):
        sums[j] = total(g[j])
    for i in range(whole, rows):
        for j in range(NARROW):
            zs[j] = z[offset[j] + (i if row_stride == 0 else i * row_stride)]
            if apply_map:
                zs[j] = (zs[j] - center[j]) * scale[j]
        rs = b0 if y == NULL else b0 - <double>y[i]
        rs = rs + (((coef[0] * zs[0] + coef[1] * zs[1]) + (coef[2] * zs[2] + coef[3] * zs[3]))
                   + ((coef[4] * zs[4] + coef[5] * zs[5]) + (coef[6] * zs[6] + coef[7] * zs[7])))
        ws = rs if w == NULL else <double>w[i] * rs
        sum_r += ws
        sum_q += ws * rs
        for j in range(NARROW):
            sums[j] += ws * zs[j]
    out[0] = sum_r if D.fit_intercept else 0.0
    for j in range(d):
        out[1 + j] = sums[j]
    out[d + 1] = sum_q


cdef inline void sweeps(const column* z, Py_ssize_t ld, bint ahead,
                        const floating* y, const floating* w, const Design* D,
                        Py_ssize_t rows, const double* params, double* r,
                        double* out) noexcept nogil:
    """out[:d+2] = (sum w*r, z.T @ (w*r), sum w*r**2) for r = b0 + z @ b - y over the
    block whose column j is z[j*ld : j*ld + rows]."""
    cdef Py_ssize_t i, i_v, j, d = D.d
    cdef double b0 = params[0] if D.fit_intercept else 0.0
    cdef const double* b = params + 1
    # r = b0 - y + z @ b (y NULL: r = b0 + z @ b, a product with the design), four
    # columns per sweep of r
    if y == NULL:
        for i in range(rows):
            r[i] = b0
    else:
        for i in range(rows):
            r[i] = b0 - <double>y[i]
    j = 0
    while j + 4 <= d:
        axpy4(r, z + j * ld, ld, b + j, rows, ahead)
        j += 4
    while j < d:
        axpy1(r, z + j * ld, b[j], rows, ahead)
        j += 1
    # sum w*r**2, sum w*r; r becomes w*r, so the gradient sums are weighted
    out[d + 1] = sum_and_squares(r, w, rows, out)
    if not D.fit_intercept:
        out[0] = 0.0
    j = 0
    while j + 4 <= d:
        dot4(r, z + j * ld, ld, rows, out + 1 + j)
        j += 4
    while j < d:
        out[1 + j] = dot1(r, z + j * ld, rows)
        j += 1


cdef inline void block_sums(const floating* x, const floating* y, const floating* w,
                            const Design* D, Py_ssize_t blk, const double* params,
                            double* scratch, double* out) noexcept nogil:
    """out[:d+2] = (sum w*r, z.T @ (w*r), sum w*r**2) over block blk of the rows
    (w NULL: unweighted; y NULL: r = b0 + z @ b).  ``scratch``: block_scratch(D) doubles."""
    cdef Py_ssize_t start = blk * D.block
    cdef Py_ssize_t rows = min(D.block, D.n - start)
    cdef double* r = scratch if D.in_place else scratch + D.d * D.block
    cdef bint ahead = False
    cdef const floating* y_block = NULL
    cdef const floating* w_block = NULL
    if y != NULL:
        y_block = y + start
    if w != NULL:
        w_block = w + start
    if is_narrow(D):
        # a few columns, read where they are (columns, or rows by gathers)
        if D.row_stride == 1:
            narrow_sweep(x + start, D.col_stride, 0, not D.identity, y_block, w_block, D, rows,
                         params, out)
        else:
            narrow_sweep(x + start * D.row_stride, 0, D.row_stride, not D.identity, y_block,
                         w_block, D, rows, params, out)
    elif D.in_place:
        # the lines ahead are x's (the next block's) unless this is the last block
        ahead = start + 2 * D.block <= D.n
        sweeps(x + start, D.col_stride, ahead, y_block, w_block, D, rows, params, r, out)
    else:
        load_block(x + start * D.row_stride, D, rows, scratch)
        sweeps(<const double*>scratch, rows, False, y_block, w_block, D, rows,
               params, r, out)