"""gdfast.dask's batch descent: the kernel's iteration, with its pass spread over Dask workers.

``DaskFeatureDescent`` is a :class:`gdfast._descent.FeatureDescent` whose
data are persisted row blocks on a Dask cluster.  It keeps the local
descent's state layout, history rows and feature map, so
``gdfast._fit.descend`` runs it exactly as it runs the local kernel (same
stopping rule, history, callback, Ctrl-C, warnings, errors and diagnosis).
Only two things differ: the moments of x come from the statistics of the
distributed validation pass, and ``run`` is the kernel's iteration loop
(``_multi_kernels.run_descent``) transcribed in Python, whose one pass over
the data per iteration is a task per block plus a tree sum.
"""
import math

import numpy as np

from . import _dask_tasks
from ._backend import kernels as _kernels
from ._descent import FeatureDescent

# _multi_kernels.run_descent's state slots (gradient norm, previous cost,
# previous point recorded, then the current and the previous parameters)
_S_GRAD_NORM, _S_PREV_COST, _S_PREV_RECORDED, _S_PARAMS = 0, 1, 2, 3


class DaskFeatureDescent(FeatureDescent):
    """y = b0 + x @ b on persisted dask blocks; one distributed pass per iteration.

    Parameters
    ----------
    client : distributed.Client
    blocks : list of (x, y, sample_weight) futures, one per non-empty row block
        (sample_weight None when unweighted).
    shape : (N, d)
    moments : gdfast._moments.Moments
        Of x, weighted like the fit, from the distributed pass.
    init, fit_intercept, standardize, weight_sum
        As for FeatureDescent.
    """

    def __init__(self, client, blocks, shape, moments, init, fit_intercept, standardize,
                 weighted, weight_sum):
        # FeatureDescent reads only the shape of x, and the weights' presence
        super().__init__(_Shape(shape), None, init, fit_intercept, standardize,
                         True if weighted else None, weight_sum)
        self.client = client
        self.blocks = blocks
        self._x_moments = moments

    def moments(self):
        return self._x_moments

    def _sums(self, params):
        """The d + 2 sums of one pass at ``params``: a task per block, a tree sum."""
        # a copy: the tasks' arguments are serialised later, in the client's
        # event loop, while this descent goes on updating its state
        params = params.copy()
        submit = self.client.submit
        parts = [submit(_dask_tasks.block_sums, x, y, w, params, self.center, self.inv_scale,
                        self.fit_intercept, pure=False) for x, y, w in self.blocks]
        top = _dask_tasks.tree_reduce(lambda f, *a: submit(f, *a, pure=False), parts,
                                      _dask_tasks.add)
        return _dask_tasks.add(*self.client.gather(top))

    def run(self, iteration, stop_at, learning_rate, grad_factor, cost_factor, max_iter, tol,
            record_every, rows, row_iteration):
        """_multi_kernels.run_descent, line for line, with the pass made by the cluster."""
        state = self.state
        p = self.n_columns - 1
        params = state[_S_PARAMS:_S_PARAMS + p]
        prev = state[_S_PARAMS + p:_S_PARAMS + 2 * p]
        prev_cost, prev_grad_norm = state[_S_PREV_COST], state[_S_GRAD_NORM]
        prev_recorded = state[_S_PREV_RECORDED] != 0.0
        capacity, n_rows, k = rows.shape[0], 0, iteration
        status = _kernels.STATUS_RUNNING
        grad_norm = prev_grad_norm

        def record(k, point, cost):
            rows[n_rows, :p] = point
            rows[n_rows, p] = cost
            row_iteration[n_rows] = k
            return n_rows + 1

        while True:
            sums = self._sums(params)
            cost = cost_factor * sums[p]
            g = grad_factor * sums[:p]
            if not (math.isfinite(cost) and np.all(np.isfinite(g))):
                if not prev_recorded:
                    n_rows = record(k - 1, prev, prev_cost)
                status = _kernels.STATUS_DIVERGED
                grad_norm = prev_grad_norm
                break
            grad_norm = _norm(g)
            if grad_norm <= tol:
                status = _kernels.STATUS_CONVERGED
            elif k >= max_iter:
                status = _kernels.STATUS_MAX_ITER
            recorded = (status != _kernels.STATUS_RUNNING or k == 0
                        or (record_every > 0 and k % record_every == 0))
            if recorded:
                n_rows = record(k, params, cost)
            if status != _kernels.STATUS_RUNNING:
                break
            # the simultaneous update; the current point becomes the previous one
            prev[:] = params
            params -= learning_rate * g
            if not np.all(np.isfinite(params)):
                params[:] = prev
                if not recorded:
                    n_rows = record(k, params, cost)
                status = _kernels.STATUS_DIVERGED
                break
            prev_cost, prev_grad_norm, prev_recorded = cost, grad_norm, recorded
            k += 1
            if n_rows == capacity or k >= stop_at:
                break

        state[_S_GRAD_NORM] = grad_norm
        state[_S_PREV_COST] = prev_cost
        state[_S_PREV_RECORDED] = prev_recorded
        return status, k, n_rows


def _norm(g):
    """np.linalg.norm(g), scaled by max|g| so it cannot overflow (the kernel's _norm)."""
    big = float(np.max(np.abs(g)))
    if big == 0.0 or not math.isfinite(big):
        return big
    return big * math.sqrt(float(np.sum((g / big) ** 2)))


class _Shape:
    """Stands for x where FeatureDescent only reads its shape and ndim."""

    def __init__(self, shape):
        self.shape = tuple(shape)
        self.ndim = len(self.shape)
