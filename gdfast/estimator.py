"""GDRegressor: :func:`gdfast.fit` as a scikit-learn estimator.

This module needs scikit-learn (``pip install "gdfast[sklearn]"``).  ``import
gdfast`` does not import it: ``gdfast.GDRegressor`` is looked up lazily (the
package's module ``__getattr__``), so only code that uses the estimator pays
for scikit-learn, and the class is always a real ``BaseEstimator`` (never a
look-alike that changes with what happens to be installed).
"""
import inspect
import warnings
from numbers import Integral, Real

import numpy as np

try:
    from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
    from sklearn.exceptions import ConvergenceWarning as _SklearnConvergenceWarning
    from sklearn.utils._param_validation import Interval, StrOptions
    from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data
except ImportError as exc:  # pragma: no cover - the CI installs the extra
    raise ImportError("gdfast.GDRegressor needs scikit-learn >= 1.6: "
                      "pip install \"gdfast[sklearn]\"") from exc

from ._exceptions import ConvergenceWarning
from ._fit import fit
from ._result import History
from ._validate import COSTS, finite_for_kernel, unmasked

__all__ = ["GDRegressor", "GDRegressorConvergenceWarning"]

# all-zero weights are left to gdfast's check, whose message names sample_weight
# (scikit-learn's says "Sample weights"); the option is recent in scikit-learn
_ALLOW_ZERO = ({"allow_all_zero_weights": True}
               if "allow_all_zero_weights" in inspect.signature(_check_sample_weight).parameters
               else {})


class GDRegressorConvergenceWarning(ConvergenceWarning, _SklearnConvergenceWarning):
    """GDRegressor stopped at ``max_iter``: both gdfast's and scikit-learn's ConvergenceWarning.

    So ``warnings.filterwarnings("ignore", category=...)`` with either class
    (as scikit-learn's tools and users do) silences it.
    """


class GDRegressor(RegressorMixin, BaseEstimator):
    """Linear regression by batch gradient descent, as a scikit-learn estimator.

    Fits ``y = intercept_ + X @ coef_`` by minimising the (weighted) mean
    squared error with :func:`gdfast.fit`: every iteration is one pass of the
    compiled kernel over all the samples.  Works in Pipelines, GridSearchCV,
    ``clone``; ``score`` is R².

    Parameters
    ----------
    learning_rate : float or "auto", default="auto"
        The step size; ``"auto"`` uses the fastest rate for the data,
        2/(lambda_min + lambda_max) of the cost's (weighted) curvature (see
        :func:`gdfast.learning_rate_limits`).
    max_iter : int, default=100000
        The most updates per call to ``fit``.  An update is one pass of the
        compiled kernel over the samples (microseconds on small data); the
        default lets data with condition numbers up to about 1e4 (iris, for
        one) converge with ``learning_rate="auto"``.  Worse conditioned X
        (e.g. columns far from zero mean) needs ``standardize=True`` or a
        StandardScaler: see the warning's diagnosis.
    tol : float or None, default=1e-6
        Stop when the Euclidean norm of the cost's gradient is ``<= tol``
        (see :func:`gdfast.fit`); None always makes ``max_iter`` updates.
    cost : {"half_mse", "mse"}, default="half_mse"
        J = sum w_i r_i**2 / (2 sum w_i), or twice that (w_i = 1 without
        sample weights).  The minimum is the same; the gradient, so the
        meaning of ``tol`` and of a numeric ``learning_rate``, doubles.
    fit_intercept : bool, default=True
        False fits ``y = X @ coef_`` (``intercept_`` is 0.0).
    standardize : bool, default=False
        Descend on centred, unit-variance columns (weighted moments with
        sample weights) without copying X; ``coef_`` and ``history_`` stay
        in the units of X.  Much faster on badly scaled or correlated
        features.  A constant column is then an error.
    warm_start : bool, default=False
        True: a new ``fit`` starts from the previous ``coef_`` and
        ``intercept_`` (when the number of features is the same), ``n_iter_``
        keeps counting and ``history_`` and ``loss_curve_`` are extended
        (the new fit's starting row, the previous last row, is not repeated).
    record_every : int or "auto", default="auto"
        Which iterations ``history_`` keeps, as for :func:`gdfast.fit`:
        ``"auto"`` at most about 10**5 rows spread over the descent (every
        iteration of a fit that short); k every k-th iteration (and always
        the first and last); 0 only those two.
    momentum : None, float in [0, 1) or "auto", default=None
        The heavy ball's momentum beta, as for :func:`gdfast.fit`:
        ``"auto"`` sets it (and ``learning_rate="auto"``'s step) from the
        curvature, about sqrt(kappa) iterations per factor e instead of
        kappa.  With ``warm_start`` each fit starts at rest (no velocity).
    nesterov : bool, default=False
        Nesterov's look-ahead, as for :func:`gdfast.fit`.
    l2 : float >= 0, default=0.0
        The L2 penalty 0.5 * l2 * ||coef_||**2 added to the one-half MSE
        (the intercept is not penalised), as for :func:`gdfast.fit`: the
        same fit as scikit-learn's ``Ridge(alpha=l2 * n_samples)``
        (``alpha=l2 * sample_weight.sum()`` with weights).
    precision : {"float64", "compensated"}, default="float64"
        As for :func:`gdfast.fit`: ``"compensated"`` refines the descent's
        result with double-double residuals (iterative refinement), for the
        digits float64 rounding caps on ill-conditioned data.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        The coefficients.
    intercept_ : float
        The intercept (0.0 with ``fit_intercept=False``).
    n_iter_ : int
        Updates made (summed over the calls to ``fit`` with ``warm_start``).
    history_ : gdfast.History
        The recorded descent: ``iteration``, ``intercept``, ``coef``, ``cost``.
    loss_curve_ : ndarray of shape (n_rows,)
        The recorded costs, ``history_.cost``.
    result_ : gdfast.FitResult
        The last call's result: ``learning_rate`` used, ``converged``,
        ``diagnosis`` in words.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        The column names of X, when X is a DataFrame with string column names.

    Warns
    -----
    GDRegressorConvergenceWarning
        When ``max_iter`` updates were made before the gradient norm reached
        ``tol`` (both :class:`gdfast.ConvergenceWarning` and scikit-learn's
        ``ConvergenceWarning``); its message says how many iterations were
        needed.

    Examples
    --------
    >>> import numpy as np
    >>> from gdfast import GDRegressor
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]])
    >>> y = 1.0 + X @ [2.0, -1.0]
    >>> reg = GDRegressor(tol=1e-10).fit(X, y)
    >>> np.round(reg.coef_, 6), round(reg.intercept_, 6), reg.score(X, y)
    (array([ 2., -1.]), 1.0, 1.0)
    """

    # checked by scikit-learn at fit (InvalidParameterError, a ValueError and
    # TypeError), as its own estimators' are; gdfast.fit checks again what
    # these cannot say (a finite learning rate)
    _parameter_constraints: dict = {
        "learning_rate": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "cost": [StrOptions(set(COSTS))],
        "fit_intercept": ["boolean"],
        "standardize": ["boolean"],
        "warm_start": ["boolean"],
        "record_every": [Interval(Integral, 0, None, closed="left"), StrOptions({"auto"})],
        "momentum": [Interval(Real, 0, 1, closed="left"), StrOptions({"auto"}), None],
        "nesterov": ["boolean"],
        "l2": [Interval(Real, 0, None, closed="left")],
        "precision": [StrOptions({"float64", "compensated"})],
    }

    def __init__(self, learning_rate="auto", max_iter=100_000, tol=1e-6, cost="half_mse",
                 fit_intercept=True, standardize=False, warm_start=False,
                 record_every="auto", momentum=None, nesterov=False, l2=0.0,
                 precision="float64"):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.cost = cost
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.warm_start = warm_start
        self.record_every = record_every
        self.momentum = momentum
        self.nesterov = nesterov
        self.l2 = l2
        self.precision = precision

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False       # the kernel reads dense arrays
        tags.input_tags.allow_nan = False
        tags.target_tags.multi_output = False
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the linear model by batch gradient descent.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            float32 X is descended on in float32 (y is then cast to float32);
            C- or F-ordered X is used without a copy.
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            A weight >= 0 per sample (not all zero): the cost is the weighted
            mean, computed in the kernel (an integer weight is the same as
            repeating the sample).

        Returns
        -------
        self : GDRegressor
        """
        # scikit-learn's checks would drop a mask silently: refuse masked values
        X, y = unmasked(X, "X"), unmasked(y, "y")
        # its finiteness check sums X: +inf and -inf raise, without NumPy's warning too
        with np.errstate(invalid="ignore", over="ignore"):
            X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], y_numeric=True)
        # y in X's dtype, so float32 X stays float32 (a copy of y only); a y beyond
        # float32 is refused by name, not cast to inf
        y = finite_for_kernel(np.asarray(y), "y", X.dtype)
        if self.standardize and X.shape[0] == 1:
            raise ValueError("standardize=True needs at least 2 samples to scale the columns, "
                             "got n_samples = 1")
        if sample_weight is not None:
            # float64 weights stay float64 here: gdfast.fit rescales weights
            # beyond float32's range (only their ratios matter) before the cast
            with np.errstate(invalid="ignore", over="ignore"):
                sample_weight = _check_sample_weight(
                    unmasked(sample_weight, "sample_weight"), X, ensure_non_negative=True,
                    **_ALLOW_ZERO)
        warm = (self.warm_start and hasattr(self, "coef_")
                and self.coef_.shape == (X.shape[1],))
        init = None
        if warm:
            init = ([self.intercept_] if self.fit_intercept else []) + list(self.coef_)
        with warnings.catch_warnings():
            # re-issued below as a warning scikit-learn's tools recognise
            warnings.simplefilter("ignore", ConvergenceWarning)
            result = fit(X, y, sample_weight=sample_weight, learning_rate=self.learning_rate,
                         max_iter=self.max_iter, tol=self.tol, cost=self.cost, init=init,
                         record_every=self.record_every, fit_intercept=self.fit_intercept,
                         standardize=self.standardize, momentum=self.momentum,
                         nesterov=self.nesterov, l2=self.l2, precision=self.precision)
        if not result.converged and self.tol is not None:
            # the diagnosis says what would converge (standardize=True among them)
            warnings.warn(f"GDRegressor stopped at max_iter={self.max_iter} before the "
                          f"gradient norm reached tol={self.tol:g}: {result.diagnosis}",
                          GDRegressorConvergenceWarning, stacklevel=2)
        self.result_ = result
        self.coef_ = result.coef
        self.intercept_ = result.intercept
        if warm:
            self.history_ = _extend(self.history_, result.history)
            self.n_iter_ += result.n_iter
        else:
            self.history_ = result.history
            self.n_iter_ = result.n_iter
        self.loss_curve_ = self.history_.cost
        return self

    def predict(self, X):
        """Predict ``intercept_ + X @ coef_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        with np.errstate(invalid="ignore", over="ignore"):
            X = validate_data(self, unmasked(X, "X"), reset=False,
                              dtype=[np.float64, np.float32])
        return X @ self.coef_ + self.intercept_


def _extend(before, after):
    """``before``'s rows, then ``after``'s without its starting row (before's last
    point), its iterations counted on from before's last one."""
    offset = before.iteration[-1]
    coef = np.concatenate([before.coef, after.coef[1:]])
    return History(iteration=np.concatenate([before.iteration, after.iteration[1:] + offset]),
                   intercept=np.concatenate([before.intercept, after.intercept[1:]]),
                   slope=coef[:, 0] if coef.shape[1] == 1 else None,
                   cost=np.concatenate([before.cost, after.cost[1:]]), coef=coef)
