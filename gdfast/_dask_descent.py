"""gdfast.dask's batch descent: the kernel's iteration, with its pass spread over Dask workers.

``DaskFeatureDescent`` is a :class:`gdfast._descent.FeatureDescent` whose
data are persisted row blocks on a Dask cluster.  It keeps the local
descent's state layout, history rows and feature map, so
``gdfast._fit.descend`` runs it exactly as it runs the local kernel (same
stopping rule, history, callback, Ctrl-C, warnings, errors and diagnosis).
Only two things differ: the moments of x come from the statistics of the
distributed validation pass, and ``run`` makes each iteration's one pass
over the data as a task per block plus a tree sum, then takes the kernel's
own iteration step (``_multi_kernels.advance``) on the sums.
"""
from . import _dask_tasks, _multi_kernels
from ._descent import FeatureDescent


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
        # stacklevel 5: the warnings point at the user's gdfast.dask.fit call
        # (through this __init__, dask._batch_descent and dask.fit)
        super().__init__(_Shape(shape), None, init, fit_intercept, standardize,
                         True if weighted else None, weight_sum, stacklevel=5)
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
        """_multi_kernels.run_descent with its pass made by the cluster.

        Each iteration: the distributed pass at the current parameters, then
        the kernel's own iteration step (``_multi_kernels.advance``, the
        _advance run_descent uses) records, tests and updates in ``state``.
        """
        p = self.n_columns - 1
        params = self.state[self._PARAMS:self._PARAMS + p]   # a view: advance updates it
        n_rows, k = 0, iteration
        while True:
            sums = self._sums(params)
            done, status, k, written = _multi_kernels.advance(
                self.state, sums[:p].copy(), cost_factor * sums[p], k, stop_at,
                learning_rate, grad_factor, max_iter, tol, record_every, rows[n_rows:],
                row_iteration[n_rows:])
            n_rows += written
            if done:
                return status, k, n_rows


class _Shape:
    """Stands for x where FeatureDescent only reads its shape and ndim."""

    def __init__(self, shape):
        self.shape = tuple(shape)
        self.ndim = len(self.shape)
