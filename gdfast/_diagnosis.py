"""FitResult.diagnosis: what happened in a descent, in words, from the curvature.

Built on first access from the LearningRateLimits of the data, so a fit pays
nothing for it unless it is read.  The advice it gives (the rate to use after
a divergence, what would make a slow descent converge) is worded here once:
the DivergenceWarning, the DivergenceError and the ConvergenceWarning quote it.

gdfast/_explore_diagnosis.js ports this module line for line, under the same
names, for the explorer's page: a change here is made there too
(tests/test_explore_port.py fails until it is).
"""
import math

import numpy as np

from ._engine import kernels as engine
from ._learning_rate import stable_factor
from ._validate import plural

# Beyond this condition number the Hessian's smallest curvature is below
# float64 rounding of its largest: no float64 descent can resolve it.
FLOAT64_LIMIT = 1.0 / np.finfo(np.float64).eps
# Condition numbers from which the diagnosis mentions the iterations a digit costs.
_SLOW = 1e3
# A converged descent this long is worth a word on standardize=True.
_LONG = 1000
# Standardizing is suggested when it needs this many times fewer iterations.
_GAIN = 10
# After a divergence, the iterations compared are those that shrink the error
# by this factor, a millionfold (LearningRateLimits.iterations' default).
_REDUCTION = 1e-6
# A learning rate within this relative distance of the optimal one is it
# (learning_rate="auto", or the same value computed by another eigensolver).
_SAME_RATE = 1e-9


def round_down(value, digits=3):
    """``value`` > 0 rounded *down* to ``digits`` significant digits (a safe bound to print)."""
    if not math.isfinite(value) or value <= 0:
        return value
    step = 10.0 ** (math.floor(math.log10(value)) - digits + 1)
    return math.floor(value / step) * step


def suggested_rate(limits, factor=1.0):
    """A round learning rate that converges: the optimal rate rounded down to 2 digits.

    Below the optimal rate 2/(lambda_min + lambda_max), itself below the
    stability limit 2/lambda_max, so it never diverges.  The one number the
    DivergenceWarning, the DivergenceError and the diagnosis all suggest.
    With momentum both are ``factor`` (stable_factor) times larger.
    """
    return round_down(limits.optimal * factor, 2)


def unstable_rate_warning(learning_rate, limits, momentum=0.0, nesterov=False):
    """The DivergenceWarning's text for a learning rate at or above the stability limit
    (2/lambda_max without momentum)."""
    factor = stable_factor(momentum, nesterov)
    return (f"learning_rate={learning_rate:g} will diverge on this data: it must be below "
            f"{round_down(limits.max_stable * factor):g} ({_limit_words(momentum, nesterov)}); "
            f"{_lower_rate(limits, factor)}")


def _limit_words(momentum, nesterov):
    """The stability limit as a formula."""
    if not momentum:
        return "2/lambda_max of the cost's curvature"
    if nesterov:
        return (f"2(1 + {momentum:.3g})/((1 + 2*{momentum:.3g}) lambda_max) of the cost's "
                f"curvature, with Nesterov momentum")
    return f"2(1 + {momentum:.3g})/lambda_max of the cost's curvature, with momentum"


def _lower_rate(limits, factor=1.0):
    """The advice after a learning rate that is too high (``factor``: stable_factor)."""
    return (f"use a smaller one, such as learning_rate={suggested_rate(limits, factor):g}, "
            f"or learning_rate='auto' ({limits.optimal * factor:.6g}, the fastest)")


def _is_optimal(learning_rate, limits):
    return abs(learning_rate - limits.optimal) <= _SAME_RATE * limits.optimal


def _iterations_per_digit(limits):
    """Iterations that one more correct digit costs at the optimal learning rate."""
    rho = limits.rate("auto")
    return math.inf if rho >= 1 else (math.log(10) / -math.log(rho) if rho > 0 else 1.0)


def _iterations_for(log_reduction, rho):
    """Iterations that shrink the error by exp(log_reduction) (< 1) at the factor rho."""
    if rho >= 1:
        return math.inf
    if rho == 0:
        return 1
    return max(1, math.ceil(log_reduction / math.log(rho)))


def _count(n):
    """An iteration count for a sentence: 1 iteration, 4,294, 2.1 million, 3.4e+14."""
    if n >= 1e6:
        # the unit follows the count as shown (two digits), so 999.7 million reads
        # "1 billion", never "1e+03 million"; past a thousand billion, powers of ten
        shown = float(f"{n:.2g}")
        if shown >= 1e12:
            return f"{n:.2g} iterations"
        if shown >= 1e9:
            return f"{shown / 1e9:g} billion iterations"
        return f"{shown / 1e6:g} million iterations"
    n = math.ceil(n)
    return f"{n:,} iteration{'' if n == 1 else 's'}"


def diagnose(limits, learning_rate, status, n_iter, max_iter, tol, gradient_norm,
             n_params, n_points, stopped_by=None, headline=True, momentum=0.0,
             nesterov=False):
    """The sentences of FitResult.diagnosis; ``limits`` may be a callable returning them.

    ``headline=False`` leaves out the first words that say what happened
    ("diverged: "), for a message that has said it already.  ``momentum``
    and ``nesterov``: the descent's beta (0: plain) and look-ahead.
    """
    if callable(limits):
        limits = limits()
    out = []
    rho = (limits.momentum_rate(learning_rate, momentum, nesterov) if momentum
           else limits.rate(learning_rate))
    factor = stable_factor(momentum, nesterov)
    kappa = limits.condition_number
    needed = None   # the iterations this descent needed (or would need) in all
    if status == engine.STATUS_CONVERGED:
        needed = n_iter
        out.append(f"converged in {plural(n_iter, 'iteration')}: the gradient norm "
                   f"{gradient_norm:.3g} is <= tol={tol:g}" + (
                       _at_optimal_rate(limits) if not momentum
                       and _overshoots(limits, learning_rate)
                       and _is_optimal(learning_rate, limits) else "."))
    elif status == engine.STATUS_DIVERGED:
        lead = "diverged: " if headline else ""
        if math.isnan(limits.max_stable):
            out.append(f"{lead}the squares of x overflow float64, so the cost's curvature "
                       f"cannot even be computed; rescale x and y.")
        elif learning_rate >= limits.max_stable * factor:
            out.append(f"{lead}learning_rate={learning_rate:g} is at or above this data's "
                       f"stability limit {limits.max_stable * factor:.6g} "
                       f"({_limit_words(momentum, nesterov)}), so the error grows by a factor "
                       f"{rho:.3g} per iteration; {_lower_rate(limits, factor)}.")
        else:
            out.append(f"{lead}learning_rate={learning_rate:g} is below the stability limit "
                       f"{limits.max_stable * factor:.6g}, but the squared residuals overflow "
                       f"float64; rescale x and y.")
    elif status == engine.STATUS_RUNNING:   # stopped from outside the kernel
        why = {"callback": "by the callback", "memory": "when the history ran out of memory"
               }.get(stopped_by, "by Ctrl-C")
        out.append(f"stopped {why} after {plural(n_iter, 'iteration')}, before converging: "
                   f"the gradient norm is {gradient_norm:.3g}.")
    elif tol is None:
        out.append(f"ran the {plural(n_iter, 'iteration')} asked for (tol=None); the gradient "
                   f"norm is {gradient_norm:.3g}.")
    else:
        # log(tol) - log(norm), not log(tol / norm): the ratio may underflow to 0
        needed = math.inf if rho >= 1 or gradient_norm <= 0 or tol <= 0 else (
            n_iter + (math.log(tol) - math.log(gradient_norm)) / math.log(rho) if rho > 0
            else n_iter + 1)
        more = ("at this learning rate it would never converge" if math.isinf(needed) else
                f"about {needed:.3g} iterations in all would be needed at this learning rate "
                f"(the error shrinks by a factor {_factor(rho)} per iteration)")
        out.append(f"stopped at max_iter={max_iter} before converging: the gradient norm is "
                   f"{gradient_norm:.3g}, above tol={tol:g}; {more}.")
    if (status != engine.STATUS_DIVERGED and not momentum
            and _overshoots(limits, learning_rate) and not _is_optimal(learning_rate, limits)):
        out.append(f"The parameters were bouncing: learning_rate={learning_rate:g} is above "
                   f"1/lambda_max = {limits.max_no_bounce:.6g}, so each step overshoots the "
                   f"minimum along the steepest direction (below 2/lambda_max = "
                   f"{limits.max_stable:.6g} the overshoots shrink); learning_rate='auto' "
                   f"({limits.optimal:.6g}) " + ("overshoots less and converges faster."
                                                 if learning_rate > limits.optimal else
                                                 "converges faster (and overshoots too, "
                                                 "which is harmless)."))
    if kappa >= FLOAT64_LIMIT:
        if n_params > n_points:
            out.append(f"The solution is not unique: {plural(n_params, 'parameter')} for "
                       f"{plural(n_points, 'point')}; the descent ends at the solution nearest "
                       f"its start.")
        else:
            out.append(f"Ill-conditioned beyond what gradient descent can finish in float64: "
                       f"the cost's curvature ranges over more than 1/eps = "
                       f"{FLOAT64_LIMIT:.2g} (condition number {_kappa_text(limits)}), so the "
                       f"flattest directions are lost in rounding and the coefficients along "
                       f"them are not determined; use a direct solver (np.linalg.lstsq on "
                       f"standardized columns) or fewer, less correlated features.")
    elif kappa >= _SLOW and status in (engine.STATUS_MAX_ITER, engine.STATUS_RUNNING):
        out.append(f"Ill-conditioned: condition number {kappa:.3g}; at best (learning_rate="
                   f"'auto') each further digit costs about {_iterations_per_digit(limits):.3g} "
                   f"iterations, and float64 rounding allows about "
                   f"{max(0.0, 16 - math.log10(kappa)):.0f} correct digits.")
    # what would converge (sooner) comes last
    if status == engine.STATUS_DIVERGED and learning_rate >= limits.max_stable * factor:
        # a rate below the limit converges, but on badly scaled columns slowly
        gain = _standardize_gain(limits, limits.rate("auto"),
                                 limits.iterations("auto", _REDUCTION), status,
                                 "at learning_rate='auto' (for a millionfold reduction of "
                                 "the error)")
    else:
        gain = _standardize_gain(limits, rho, needed, status)
    if gain:
        out.append(gain)
    elif status == engine.STATUS_MAX_ITER and tol is not None and needed is not None:
        out.append(_max_iter_advice(limits, learning_rate, rho, needed))
    faster = None if momentum else _momentum_gain(limits, rho, needed, status)
    if faster:
        out.append(faster)
    return " ".join(out)


def _iterations_per_e(rho):
    """Iterations that shrink the error by the factor e at the factor rho per iteration."""
    return math.inf if rho >= 1 else (-1.0 / math.log(rho) if rho > 0 else 1.0)


def _momentum_gain(limits, rho, needed, status):
    """A sentence saying momentum='auto' would converge far sooner, or None.

    Said, like _standardize_gain's, after a slow plain descent when the heavy
    ball at its own parameters needs ``_GAIN`` times fewer iterations for the
    same reduction of the error: about sqrt(kappa)/2 iterations per factor e
    against kappa/2.
    """
    if (needed is None or limits.condition_number < _SLOW or math.isinf(needed)
            or status == engine.STATUS_CONVERGED and needed < _LONG or not 0 < rho < 1):
        return None
    heavy = limits.momentum_rate("auto", "auto")
    if not 0 <= heavy < 1:
        return None
    fewer = _iterations_for(needed * math.log(rho), heavy)
    if fewer * _GAIN > needed:
        return None
    return (f"momentum='auto' (CLI: --momentum auto) would converge in about {_count(fewer)} "
            f"against {_count(needed)} here: with the condition number "
            f"{limits.condition_number:.3g}, plain descent needs about "
            f"{_iterations_per_e(limits.rate('auto')):.3g} iterations per factor e of the "
            f"error at best (about kappa/2), the heavy ball about "
            f"{_iterations_per_e(heavy):.3g} (about sqrt(kappa)/2).")


def _overshoots(limits, learning_rate):
    """Whether the rate is above 1/lambda_max (but below 2/lambda_max): steps overshoot."""
    # a rate computed as 1/lambda_max (by the user or from another eigen-
    # solver) may round a few ulps above ours: that is not overshooting
    return limits.max_no_bounce * (1 + _SAME_RATE) < learning_rate < limits.max_stable


def _at_optimal_rate(limits):
    """The end of 'converged in n iterations' at the optimal rate, which overshoots."""
    return (f" at the optimal rate 2/(lambda_min + lambda_max) = {limits.optimal:.6g} "
            f"(learning_rate='auto'); at that rate the parameters overshoot the minimum along "
            f"the steepest direction, which is expected and harmless: the overshoot shrinks "
            f"every step, and it buys the fastest progress along the flattest direction.")


def _standardize_gain(limits, rho, needed, status, here="here"):
    """A sentence saying standardize=True would converge far sooner, or None.

    Said when the descent was slow (stopped at max_iter, or converged after
    many iterations) and the standardized problem, at its own optimal rate,
    needs ``_GAIN`` times fewer iterations for the same reduction of the
    error.  Never said when standardize=True is on: the limits are then those
    of the standardized columns, whose standardization changes nothing.
    """
    if (needed is None or limits.condition_number < _SLOW
            or status == engine.STATUS_CONVERGED and needed < _LONG):
        return None
    standard = limits.standardized
    if standard is None or not 0 < rho < 1:
        return None
    if math.isinf(needed):
        return None
    log_reduction = needed * math.log(rho)
    fewer = _iterations_for(log_reduction, standard.rate("auto"))
    if fewer * _GAIN > needed:
        return None
    return (f"standardize=True (CLI: --standardize) would converge in about {_count(fewer)} "
            f"against {_count(needed)} {here}: centring and scaling the columns brings the "
            f"condition number from {limits.condition_number:.3g} to "
            f"{standard.condition_number:.3g}; the coefficients are still reported in the "
            f"units of x.")


def _max_iter_advice(limits, learning_rate, rho, needed):
    """What would let a descent stopped at max_iter converge (standardize aside)."""
    if math.isinf(needed):
        return ("Loosen tol or check the data: this descent cannot reach it." if rho < 1 else
                f"Use learning_rate='auto' ({limits.optimal:.6g}).")
    at_best = limits.rate("auto")
    if not _is_optimal(learning_rate, limits) and at_best < rho:
        log_reduction = needed * math.log(rho)
        best = _iterations_for(log_reduction, at_best)
        if best * 2 <= needed:
            return (f"learning_rate='auto' ({limits.optimal:.6g}) would need about "
                    f"{_count(best)}; or raise max_iter to about {_count(needed)}, or "
                    f"loosen tol.")
    return f"Raise max_iter to about {_count(needed)}, or loosen tol."


def _kappa_text(limits):
    """The condition number for a message; 'inf' cases say what was measured."""
    ev = limits.eigenvalues
    if math.isfinite(limits.condition_number):
        return f"{limits.condition_number:.3g}"
    return f"lambda_max / lambda_min = {ev[-1]:.3g} / {ev[0]:.3g}"


def _factor(rho):
    """rho for a message: close to 1 it reads as 1 - something."""
    return f"{rho:.6g}" if rho < 0.999 else f"1 - {1.0 - rho:.3g}"
