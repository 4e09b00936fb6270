"""gdfast.dask's batch descent: the engine's step, with its pass spread over Dask workers.

:class:`ClusterSums` is a source of sums (see ``gdfast._sums``) whose data
are persisted row blocks on a Dask cluster, so :class:`gdfast._descent.Descent`
and ``gdfast._descent.descend`` run it exactly as they run a local fit (same
step, stopping rules, history, callback, Ctrl-C, warnings, errors and
diagnosis).  Only two things differ: the moments of x come from the
statistics of the distributed validation pass, and ``run`` makes each
iteration's one pass over the data as a task per block plus a tree sum, then
takes the engine's own step (``advance``) on the sums.
"""
from . import _tasks
from .._engine import kernels as engine
from .._sums import StatisticsSums


class ClusterSums:
    """The sums of y = b0 + x @ b over persisted dask blocks: one distributed pass per
    iteration.

    Parameters
    ----------
    client : distributed.Client
    blocks : list of (x, y, sample_weight) futures, one per non-empty row block
        (sample_weight None when unweighted).
    stats : gdfast.Statistics
        Of the whole data, weighted like the fit, from the distributed pass:
        the curvature reads its moments.
    weight_sum : float
        sum(sample_weight), or N without weights.
    """

    def __init__(self, client, blocks, stats, weight_sum):
        self.client = client
        self.blocks = blocks
        self.stats = stats
        self.weight_sum = weight_sum
        self.n_points = stats.n
        self.n_features = stats.mean_x.shape[0]

    def column_moments(self):
        return self.stats.moments()

    def moments(self):
        return self.stats.moments()

    def hessian_product(self, v, center, inv_scale, fit_intercept):
        return StatisticsSums(self.stats).hessian_product(v, center, inv_scale, fit_intercept)

    def _sums(self, params, center, inv_scale, fit_intercept):
        """The d + 2 sums of one pass at ``params``: a task per block, a tree sum."""
        # a copy: the tasks' arguments are serialised later, in the client's
        # event loop, while the descent goes on updating its state
        params = params.copy()
        submit = self.client.submit
        parts = [submit(_tasks.block_sums, x, y, w, params, center, inv_scale,
                        fit_intercept, pure=False) for x, y, w in self.blocks]
        top = _tasks.tree_reduce(lambda f, *a: submit(f, *a, pure=False), parts,
                                      _tasks.add)
        return _tasks.add(*self.client.gather(top))

    def run(self, state, center, inv_scale, fit_intercept, iteration, stop_at, learning_rate,
            grad_factor, cost_factor, max_iter, tol, rise_floor, record_every, rows,
            row_iteration, momentum=0.0, nesterov=False, penalty=None):
        """The engine's run_descent with its pass made by the cluster: each iteration, the
        distributed pass at the current parameters, then the engine's own step
        (``advance``) records, tests and updates in ``state``."""
        p = self.n_features + 1
        first = engine.STATE_VECTORS
        n_rows, k = 0, iteration
        while True:
            sums = self._sums(state[first:first + p], center, inv_scale, fit_intercept)
            done, status, k, written = engine.advance(
                state, sums, k, stop_at, learning_rate, grad_factor, cost_factor, max_iter,
                tol, rise_floor, record_every, rows[n_rows:], row_iteration[n_rows:],
                momentum, nesterov, penalty)
            n_rows += written
            if done:
                return status, k, n_rows
