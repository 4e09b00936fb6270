"""scikit-learn's own estimator checks, all of them, over GDRegressor.

Nothing is skipped or expected to fail.  Two warnings that GDRegressor gives
on purpose on some of the checks' data are let through (scikit-learn's own
test_common.py ignores every ConvergenceWarning and UserWarning); any other
warning is an error (the project's pytest settings):

- the d > N warning of gdfast.fit (several checks fit 30 features on 15 or 27
  points: the least-squares solution is then not unique);
- for the default GDRegressor() only, the ConvergenceWarning on the checks'
  X = normal(loc=100, size=(100, 2)): columns far from zero mean give a
  condition number near 4e8, which plain gradient descent would need about
  3e9 iterations to finish.  GDRegressor(standardize=True) runs every check
  with no ConvergenceWarning allowed: it converges on all of their data.
"""
import warnings

from sklearn.utils.estimator_checks import parametrize_with_checks

from gdfast import GDRegressor
from gdfast.estimator import GDRegressorConvergenceWarning


@parametrize_with_checks([GDRegressor(), GDRegressor(standardize=True)])
def test_sklearn_check(estimator, check):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"x has \d+ features for \d+ points",
                                category=UserWarning)
        if not estimator.standardize:
            warnings.filterwarnings("ignore", category=GDRegressorConvergenceWarning)
        check(estimator)
