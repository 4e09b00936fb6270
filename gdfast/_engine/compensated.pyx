"""Compensated (double-double) sums for ``precision="compensated"``.

Called by ``gdfast._refine`` only: the residuals of each point, the centred
statistics, c - G @ b and the dot products of its iterative refinement,
each carried as an unevaluated pair hi + lo of float64 (about 32 significant
digits).  The inputs are float64 arrays the caller has validated; outputs
are allocated by the caller; nothing here raises or holds a Python object in
a loop.

Design: TwoSum (Knuth) and TwoProd (one fma) give the exact error of one
addition and of one product; the double-double operations below are built
from them as in Hida, Li & Bailey's QD library (the "accurate" addition).
The build compiles this module with ``-ffp-contract=off`` so that the
compiler cannot fuse the additions TwoSum depends on with products.
"""
from libc.math cimport fma


cdef struct dd:
    double hi
    double lo


# -- error-free transformations ----------------------------------------------
cdef inline dd two_sum(double a, double b) noexcept nogil:
    """(fl(a + b), the exact error): hi + lo == a + b."""
    cdef dd r
    cdef double s = a + b
    cdef double v = s - a
    r.hi = s
    r.lo = (a - (s - v)) + (b - v)
    return r


cdef inline dd fast_two_sum(double a, double b) noexcept nogil:
    """two_sum when |a| >= |b| (or a == 0)."""
    cdef dd r
    cdef double s = a + b
    r.hi = s
    r.lo = b - (s - a)
    return r


cdef inline dd two_prod(double a, double b) noexcept nogil:
    """(fl(a * b), the exact error): hi + lo == a * b (fma)."""
    cdef dd r
    r.hi = a * b
    r.lo = fma(a, b, -r.hi)
    return r


# -- double-double arithmetic --------------------------------------------------
cdef inline dd dd_of(double a) noexcept nogil:
    cdef dd r
    r.hi = a
    r.lo = 0.0
    return r


cdef inline dd dd_neg(dd a) noexcept nogil:
    cdef dd r
    r.hi = -a.hi
    r.lo = -a.lo
    return r


cdef inline dd dd_add(dd a, dd b) noexcept nogil:
    """a + b."""
    cdef dd s = two_sum(a.hi, b.hi)
    cdef dd t = two_sum(a.lo, b.lo)
    s.lo += t.hi
    s = fast_two_sum(s.hi, s.lo)
    s.lo += t.lo
    return fast_two_sum(s.hi, s.lo)


cdef inline dd dd_add_d(dd a, double b) noexcept nogil:
    """a + b, b a float64."""
    cdef dd s = two_sum(a.hi, b)
    s.lo += a.lo
    return fast_two_sum(s.hi, s.lo)


cdef inline dd dd_mul(dd a, dd b) noexcept nogil:
    """a * b."""
    cdef dd p = two_prod(a.hi, b.hi)
    p.lo += a.hi * b.lo + a.lo * b.hi
    return fast_two_sum(p.hi, p.lo)


cdef inline dd dd_mul_d(dd a, double b) noexcept nogil:
    """a * b, b a float64."""
    cdef dd p = two_prod(a.hi, b)
    p.lo += a.lo * b
    return fast_two_sum(p.hi, p.lo)


cdef inline dd dd_div(dd a, dd b) noexcept nogil:
    """a / b (two quotient digits)."""
    cdef double q1 = a.hi / b.hi
    cdef dd rest = dd_add(a, dd_neg(dd_mul_d(b, q1)))
    cdef double q2 = rest.hi / b.hi
    return fast_two_sum(q1, q2)


cdef inline dd dd_at(const double[::1] hi, const double[::1] lo, Py_ssize_t i) noexcept nogil:
    cdef dd r
    r.hi = hi[i]
    r.lo = lo[i]
    return r


cdef inline void _accumulate(double[::1] hi, double[::1] lo, Py_ssize_t k, dd v) noexcept nogil:
    """(hi[k], lo[k]) += v."""
    cdef dd s
    s.hi = hi[k]
    s.lo = lo[k]
    s = dd_add(s, v)
    hi[k] = s.hi
    lo[k] = s.lo


# -- the kernels ------------------------------------------------------------------
def residuals(const double[:, :] x, const double[::1] y, const double[::1] b_hi,
              const double[::1] b_lo, double[::1] r_hi, double[::1] r_lo):
    """r = y - b[0] - x @ b[1:], each point in double-double (b = b_hi + b_lo, (d + 1,))."""
    cdef Py_ssize_t n = x.shape[0], d = x.shape[1], i, j
    cdef dd acc, b0 = dd_neg(dd_at(b_hi, b_lo, 0))
    with nogil:
        for i in range(n):
            # y - b0 - sum_j x_ij * b_j, every product and sum carried exactly to ~2**-106
            acc = dd_add_d(b0, y[i])
            for j in range(d):
                acc = dd_add(acc, dd_neg(dd_mul_d(dd_at(b_hi, b_lo, j + 1), x[i, j])))
            r_hi[i] = acc.hi
            r_lo[i] = acc.lo


def centred_cross(const double[:, :] x, const double[::1] r_hi, const double[::1] r_lo,
                  const double[::1] w, const double[::1] shift, double[::1] out_hi,
                  double[::1] out_lo):
    """The statistics of the residuals r against x, in double-double; returns sum(w).

    out[0] = mean of r, out[1 + j] = sum w (x_j - shift_j)(r - mean r)
    (equal to the centred cross-product for any shift, since the centred r
    sums to 0), out[d + 1] = sum w (r - mean r)**2; ``w``: weights, or an
    empty array for none.
    """
    cdef Py_ssize_t n = x.shape[0], d = x.shape[1], i, j
    cdef bint weighted = w.shape[0] > 0
    cdef dd total = dd_of(0.0), weight = dd_of(0.0), mean, dev, wdev
    cdef double wi = 1.0
    with nogil:
        for i in range(n):
            if weighted:
                wi = w[i]
            weight = dd_add_d(weight, wi)
            total = dd_add(total, dd_mul_d(dd_at(r_hi, r_lo, i), wi))
        mean = dd_div(total, weight)
        for j in range(d + 2):
            out_hi[j] = 0.0
            out_lo[j] = 0.0
        for i in range(n):
            if weighted:
                wi = w[i]
            dev = dd_add(dd_at(r_hi, r_lo, i), dd_neg(mean))
            wdev = dd_mul_d(dev, wi)
            for j in range(d):
                # (x_ij - shift_j) is exact as a pair
                _accumulate(out_hi, out_lo, j + 1,
                            dd_mul(wdev, two_sum(x[i, j], -shift[j])))
            _accumulate(out_hi, out_lo, d + 1, dd_mul(wdev, dev))
        out_hi[0] = mean.hi
        out_lo[0] = mean.lo
    return weight.hi + weight.lo


def statistics(const double[:, :] v, const double[::1] w, double[::1] mean_hi,
               double[::1] mean_lo, double[:, ::1] gram_hi, double[:, ::1] gram_lo,
               double[::1] scratch_hi, double[::1] scratch_lo):
    """Weighted means and centred Gram matrix of the columns of v, in double-double.

    v is (N, k) (the columns of x, then y); mean = sum w v / sum w,
    gram[j, l] = sum w (v_j - mean_j)(v_l - mean_l), two passes.  ``w``:
    weights, or an empty array for none; ``scratch``: two arrays of k values
    (one centred row).  Returns sum(w).
    """
    cdef Py_ssize_t n = v.shape[0], k = v.shape[1], i, j, l
    cdef bint weighted = w.shape[0] > 0
    cdef dd weight = dd_of(0.0), m, wdev, dev
    cdef double wi = 1.0
    with nogil:
        for j in range(k):
            mean_hi[j] = 0.0
            mean_lo[j] = 0.0
            for l in range(k):
                gram_hi[j, l] = 0.0
                gram_lo[j, l] = 0.0
        for i in range(n):
            if weighted:
                wi = w[i]
            weight = dd_add_d(weight, wi)
            for j in range(k):
                _accumulate(mean_hi, mean_lo, j, two_prod(v[i, j], wi))
        for j in range(k):
            m.hi = mean_hi[j]
            m.lo = mean_lo[j]
            m = dd_div(m, weight)
            mean_hi[j] = m.hi
            mean_lo[j] = m.lo
        for i in range(n):
            if weighted:
                wi = w[i]
            for j in range(k):
                # v_ij - mean_j
                m.hi = -mean_hi[j]
                m.lo = -mean_lo[j]
                m = dd_add_d(m, v[i, j])
                scratch_hi[j] = m.hi
                scratch_lo[j] = m.lo
            for j in range(k):
                dev.hi = scratch_hi[j]
                dev.lo = scratch_lo[j]
                wdev = dd_mul_d(dev, wi)
                for l in range(j, k):
                    dev.hi = scratch_hi[l]
                    dev.lo = scratch_lo[l]
                    m.hi = gram_hi[j, l]
                    m.lo = gram_lo[j, l]
                    m = dd_add(m, dd_mul(wdev, dev))
                    gram_hi[j, l] = m.hi
                    gram_lo[j, l] = m.lo
        for j in range(k):
            for l in range(j):
                gram_hi[j, l] = gram_hi[l, j]
                gram_lo[j, l] = gram_lo[l, j]
    return weight.hi + weight.lo


def gram_residual(const double[:, ::1] g_hi, const double[:, ::1] g_lo,
                  const double[::1] c_hi, const double[::1] c_lo, const double[::1] b_hi,
                  const double[::1] b_lo, double[::1] out_hi, double[::1] out_lo):
    """c - G @ b in double-double (G (d, d), c and b (d,))."""
    cdef Py_ssize_t d = c_hi.shape[0], j, l
    cdef dd acc, g
    with nogil:
        for j in range(d):
            acc = dd_at(c_hi, c_lo, j)
            for l in range(d):
                g.hi = g_hi[j, l]
                g.lo = g_lo[j, l]
                acc = dd_add(acc, dd_neg(dd_mul(g, dd_at(b_hi, b_lo, l))))
            out_hi[j] = acc.hi
            out_lo[j] = acc.lo


def dot(const double[::1] a_hi, const double[::1] a_lo, const double[::1] v_hi,
        const double[::1] v_lo):
    """a @ v in double-double: (hi, lo)."""
    cdef Py_ssize_t i
    cdef dd acc = dd_of(0.0)
    with nogil:
        for i in range(a_hi.shape[0]):
            acc = dd_add(acc, dd_mul(dd_at(a_hi, a_lo, i), dd_at(v_hi, v_lo, i)))
    return acc.hi, acc.lo


def add(double[::1] b_hi, double[::1] b_lo, const double[::1] delta):
    """b += delta in double-double, in place (b = b_hi + b_lo)."""
    cdef Py_ssize_t i
    cdef dd s
    with nogil:
        for i in range(b_hi.shape[0]):
            s.hi = b_hi[i]
            s.lo = b_lo[i]
            s = dd_add_d(s, delta[i])
            b_hi[i] = s.hi
            b_lo[i] = s.lo
