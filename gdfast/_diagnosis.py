"""FitResult.diagnosis: what happened in a descent, in words, from the curvature.

Built on first access from the LearningRateLimits of the data, so a fit pays
nothing for it unless it is read.
"""
import math

import numpy as np

from . import _kernels

# Beyond this condition number the Hessian's smallest curvature is below
# float64 rounding of its largest: no float64 descent can resolve it.
FLOAT64_LIMIT = 1.0 / np.finfo(np.float64).eps
# Condition numbers from which the diagnosis mentions the iterations a digit costs.
_SLOW = 1e3


def round_down(value, digits=3):
    """``value`` > 0 rounded *down* to ``digits`` significant digits (a safe bound to print)."""
    if not math.isfinite(value) or value <= 0:
        return value
    step = 10.0 ** (math.floor(math.log10(value)) - digits + 1)
    return math.floor(value / step) * step


def _iterations_per_digit(limits):
    """Iterations that one more correct digit costs at the optimal learning rate."""
    rho = limits.rate(limits.optimal)
    return math.inf if rho >= 1 else (math.log(10) / -math.log(rho) if rho > 0 else 1.0)


def diagnose(limits, learning_rate, status, n_iter, max_iter, tol, gradient_norm,
             n_params, n_points, stopped_by=None):
    """The sentences of FitResult.diagnosis; ``limits`` may be a callable returning them."""
    if callable(limits):
        limits = limits()
    out = []
    rho = limits.rate(learning_rate)
    kappa = limits.condition_number
    if status == _kernels.STATUS_CONVERGED:
        out.append(f"converged in {n_iter} iterations: the gradient norm {gradient_norm:.3g} "
                   f"is <= tol={tol:g}.")
    elif status == _kernels.STATUS_DIVERGED:
        if math.isnan(limits.max_stable):
            out.append("diverged: the squares of x overflow float64, so the cost's curvature "
                       "cannot even be computed; rescale x and y.")
        elif learning_rate >= limits.max_stable:
            out.append(f"diverged: learning_rate={learning_rate:g} is at or above this data's "
                       f"stability limit 2/lambda_max = {limits.max_stable:.6g}, so the error "
                       f"grows by a factor {rho:.3g} per iteration; use a learning rate below "
                       f"{round_down(limits.max_stable):g}, e.g. learning_rate='auto' "
                       f"({limits.optimal:.6g}).")
        else:
            out.append(f"diverged although learning_rate={learning_rate:g} is below the "
                       f"stability limit {limits.max_stable:.6g}: the squared residuals overflow "
                       f"float64; rescale x and y.")
    elif status == _kernels.STATUS_RUNNING:   # stopped from outside the kernel
        why = {"callback": "by the callback", "memory": "when the history ran out of memory"
               }.get(stopped_by, "by Ctrl-C")
        out.append(f"stopped {why} after {n_iter} iterations, before converging: the gradient "
                   f"norm is {gradient_norm:.3g}.")
    elif tol is None:
        out.append(f"ran the {n_iter} iterations asked for (tol=None); the gradient norm is "
                   f"{gradient_norm:.3g}.")
    else:
        # log(tol) - log(norm), not log(tol / norm): the ratio may underflow to 0
        needed = math.inf if rho >= 1 or gradient_norm <= 0 or tol <= 0 else (
            n_iter + (math.log(tol) - math.log(gradient_norm)) / math.log(rho) if rho > 0
            else n_iter + 1)
        more = ("at this learning rate it would never converge" if math.isinf(needed) else
                f"about {needed:.3g} iterations in all would be needed at this learning rate "
                f"(the error shrinks by a factor {_factor(rho)} per iteration)")
        out.append(f"stopped at max_iter={max_iter} before converging: the gradient norm "
                   f"{gradient_norm:.3g} is above tol={tol:g}; {more}.")
    # a rate computed as 1/lambda_max (by the user or from another eigen-
    # solver) may round a few ulps above ours: that is not bouncing
    if status != _kernels.STATUS_DIVERGED and limits.max_no_bounce * (1 + 1e-9) < \
            learning_rate < limits.max_stable:
        out.append(f"The parameters were bouncing: learning_rate={learning_rate:g} is above "
                   f"1/lambda_max = {limits.max_no_bounce:.6g}, so each step overshoots the "
                   f"valley floor along the steepest direction (below 2/lambda_max = "
                   f"{limits.max_stable:.6g} the bounces shrink)" + (
                       "; the optimal rate ('auto') bounces too, trading this for speed along "
                       "the flattest direction." if learning_rate <= limits.optimal * (1 + 1e-12)
                       else f"; learning_rate='auto' ({limits.optimal:.6g}) bounces less and "
                            f"converges faster."))
    if kappa >= FLOAT64_LIMIT:
        if n_params > n_points:
            out.append(f"The solution is not unique: {n_params} parameters for {n_points} "
                       f"points; the descent ends at the solution nearest its start.")
        else:
            out.append(f"Ill-conditioned beyond what gradient descent can finish in float64: "
                       f"the cost's curvature ranges over more than 1/eps = "
                       f"{FLOAT64_LIMIT:.2g} (condition number {_kappa_text(limits)}), so the "
                       f"flattest directions are lost in rounding and the coefficients along "
                       f"them are not determined; use a direct solver (np.linalg.lstsq on "
                       f"standardized columns) or fewer, less correlated features.")
    elif kappa >= _SLOW and status != _kernels.STATUS_CONVERGED:
        out.append(f"Ill-conditioned: condition number {kappa:.3g}; at best (learning_rate="
                   f"'auto') each further digit costs about {_iterations_per_digit(limits):.3g} "
                   f"iterations, and float64 rounding allows about "
                   f"{max(0.0, 16 - math.log10(kappa)):.0f} correct digits.")
    return " ".join(out)


def _kappa_text(limits):
    """The condition number for a message; 'inf' cases say what was measured."""
    ev = limits.eigenvalues
    if math.isfinite(limits.condition_number):
        return f"{limits.condition_number:.3g}"
    return f"lambda_max / lambda_min = {ev[-1]:.3g} / {ev[0]:.3g}"


def _factor(rho):
    """rho for a message: close to 1 it reads as 1 - something."""
    return f"{rho:.6g}" if rho < 0.999 else f"1 - {1.0 - rho:.3g}"
