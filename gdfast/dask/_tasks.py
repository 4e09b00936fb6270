"""What gdfast.dask runs on the workers, and the tree that combines it.

The functions here are shipped to the Dask workers, which import gdfast
there (it must be installed on every worker).  ``checked_block`` is the
distributed form of gdfast's input validation: it runs inside the graph
that is persisted, so each block is checked (finite, weights >= 0) and laid
out for the kernel once, in the same pass that loads it, and again only if
a lost block is recomputed.  ``block_sums`` is one block's share of a batch
iteration: the engine's d-feature pass (``feature_sums``).
"""
import functools

import numpy as np

from .._engine import kernels as engine
from .._statistics import statistics_of_checked
from .._validate import check_nonnegative_weights, finite_for_kernel, weight_exponent

# Blocks (or partial results) combined per task of the tree.  Combining is
# trivially cheap (d + 2 numbers, or one Statistics), so a wide tree saves
# scheduler hops (its depth is log_8 of the blocks: 2 levels up to 64
# blocks, 3 up to 512) while no task waits on hundreds of inputs.
FAN_IN = 8


def checked_block(block, name, kernel_dtype, block_info=None):
    """One block of x, y or sample_weight, checked and laid out as the kernel reads it.

    ``block_info`` (filled in by ``dask.array.map_blocks``) gives the block's
    first row, so an error names the row of the whole data, as
    :func:`gdfast.fit` does.
    """
    first_row = block_info[0]["array-location"][0][0] if block_info else 0
    block = finite_for_kernel(np.asarray(block), name, kernel_dtype, first_row)
    if name == "sample_weight":
        check_nonnegative_weights(block, first_row)
    return block


def rescaled_weights(block, largest, kernel_dtype):
    """One block of checked weights, rescaled by the largest of all (as fit does) and cast."""
    exponent = weight_exponent(float(largest))
    if exponent:
        return np.ldexp(block, exponent, out=np.empty(block.shape, kernel_dtype),
                        casting="same_kind")
    return block.astype(kernel_dtype, copy=False)


def block_statistics(x, y, sample_weight):
    """The mergeable Statistics of one block, already checked by ``checked_block``."""
    return statistics_of_checked(x, y, sample_weight)


def merge_statistics(*parts):
    """The Statistics of the union of the parts' blocks (Chan et al.'s pairwise update)."""
    return functools.reduce(lambda a, b: a.merge(b), parts)


def block_sums(x, y, sample_weight, params, center, inv_scale, fit_intercept):
    """One block's partial sums at ``params``, in one pass of the kernel.

    Returns an array of d + 2 floats: sum w*r, sum w*r*z_1 .. sum w*r*z_d
    (the gradient sums, the first 0 without intercept) and sum w*r**2.
    """
    d = x.shape[1]
    sum_r2, grad_sums = engine.feature_sums(x, y, sample_weight, center, inv_scale, params,
                                            fit_intercept)
    out = np.empty(d + 2)
    out[:d + 1] = grad_sums
    out[d + 1] = sum_r2
    return out


def add(*parts):
    """parts[0] + parts[1] + ..., in this order (a fixed order: the same sums every run)."""
    total = parts[0].copy()
    for part in parts[1:]:
        total += part
    return total


def tree_reduce(submit, parts, combine):
    """Combine ``parts`` (futures or delayed values) FAN_IN at a time, up to the tree's top.

    Returns the top level: at most FAN_IN parts, which the caller gathers
    and combines on the client (``combine(*gathered)``): the root's task
    would cost one more scheduler round trip, the largest cost of an
    iteration on a small cluster, for adding at most FAN_IN small values.
    ``submit(combine, *group)`` makes the task combining one group: e.g.
    ``client.submit`` or ``dask.delayed(combine)``.  Adjacent parts are
    combined, in order, so the result does not depend on where or when the
    tasks run.
    """
    parts = list(parts)
    while len(parts) > FAN_IN:
        parts = [submit(combine, *parts[i:i + FAN_IN]) if len(parts[i:i + FAN_IN]) > 1
                 else parts[i] for i in range(0, len(parts), FAN_IN)]
    return parts
