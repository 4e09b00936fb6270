# Combining the sums of fixed blocks in one fixed order: a pairwise tree.
#
# A pass over the data writes m sums per block (block_sums[m*blk + j], sum j
# of block blk).  The blocks depend on N (and d) alone, and their sums are
# added as one pairwise tree (left half n // 2 blocks, up to PAIRWISE_LEAF
# blocks left to right), so a pass gives the same bits on 1 or 64 threads,
# with an error that grows as O(log n) instead of O(n).
#
# A team combines on every thread, not on one after the barrier: thread t's
# share of the blocks is [t*n_blocks//team, (t+1)*n_blocks//team), and each
# thread combines the largest nodes of the tree that lie in its share
# (share_sums); what is left after the barrier is the top of the tree,
# O(team * log(n_blocks)) numbers, read from the other threads' caches
# (gather_sum).  Same tree, same additions: the same bits as on one thread.

cdef enum:
    # up to this many block sums are added left to right, more are split in
    # halves: pairwise accuracy without a function call per block
    PAIRWISE_LEAF = 8


cdef inline double pairwise_sum(const double* a, Py_ssize_t n, Py_ssize_t stride) noexcept nogil:
    """a[:n*stride:stride].sum() as the pairwise tree (left half n // 2 terms,
    up to PAIRWISE_LEAF terms added left to right)."""
    cdef Py_ssize_t i, half
    cdef double total
    if n <= 0:
        return 0.0
    if n <= PAIRWISE_LEAF:
        total = a[0]
        for i in range(1, n):
            total += a[i * stride]
        return total
    half = n // 2
    return pairwise_sum(a, half, stride) + pairwise_sum(a + half * stride, n - half, stride)


cdef inline Py_ssize_t share_first(Py_ssize_t n_blocks, int team, int tid) noexcept nogil:
    """The first block of thread tid's share."""
    return tid * n_blocks // team


cdef inline Py_ssize_t owner(Py_ssize_t blk, Py_ssize_t n_blocks, int team) noexcept nogil:
    """The thread whose share of the blocks holds block blk."""
    return ((blk + 1) * team + n_blocks - 1) // n_blocks - 1


cdef inline void share_sums(double* block_sums, Py_ssize_t m, Py_ssize_t lo, Py_ssize_t count,
                            Py_ssize_t n_blocks, int team, int tid) noexcept nogil:
    """Thread tid's part of the tree over blocks [lo, lo + count), a node of it, for
    the m sums of each block: each largest node in tid's share gets its sums in
    its first block's slots."""
    cdef Py_ssize_t first = owner(lo, n_blocks, team)
    cdef Py_ssize_t last = owner(lo + count - 1, n_blocks, team)
    cdef Py_ssize_t half, j
    if tid < first or tid > last:
        return
    if first == last:
        # sum j reads only slots j: each can be written as soon as it is made
        for j in range(m):
            block_sums[m * lo + j] = pairwise_sum(block_sums + m * lo + j, count, m)
        return
    if count <= PAIRWISE_LEAF:
        # a leaf across shares: added block by block after the barrier
        return
    half = count // 2
    share_sums(block_sums, m, lo, half, n_blocks, team, tid)
    share_sums(block_sums, m, lo + half, count - half, n_blocks, team, tid)


cdef inline double gather_sum(const double* block_sums, Py_ssize_t m, Py_ssize_t lo,
                              Py_ssize_t count, Py_ssize_t n_blocks, int team) noexcept nogil:
    """pairwise_sum(block_sums + m * lo, count, m) from what share_sums left (pass
    block_sums + j for sum j): a node in one thread's share is its first block's slot."""
    cdef Py_ssize_t half
    if owner(lo, n_blocks, team) == owner(lo + count - 1, n_blocks, team):
        return block_sums[m * lo]
    if count <= PAIRWISE_LEAF:
        # a leaf across shares, which share_sums left as it was
        return pairwise_sum(block_sums + m * lo, count, m)
    half = count // 2
    return (gather_sum(block_sums, m, lo, half, n_blocks, team)
            + gather_sum(block_sums, m, lo + half, count - half, n_blocks, team))
