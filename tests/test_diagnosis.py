"""gdfast._diagnosis: the numbers its sentences give, against the limits worked out here."""
import math

import numpy as np
import pytest

from gdfast._diagnosis import diagnose, round_down, suggested_rate, unstable_rate_warning
from gdfast._engine import kernels as engine
from gdfast._learning_rate import LearningRateLimits

# eigenvalues 1 and 100: max_stable 2/100, optimal 2/101, rate (kappa - 1)/(kappa + 1)
LIMITS = LearningRateLimits.from_hessian(np.diag([1.0, 100.0]))


def test_the_limits_used_are_those_of_the_eigenvalues():
    assert LIMITS.max_stable == pytest.approx(0.02, rel=1e-15)
    assert LIMITS.optimal == pytest.approx(2 / 101, rel=1e-15)
    assert LIMITS.condition_number == pytest.approx(100.0, rel=1e-12)


@pytest.mark.parametrize("value, digits, expected", [
    (0.0198019, 3, 0.0198), (0.0198019, 2, 0.019), (123456.0, 3, 123000.0), (1.0, 3, 1.0)])
def test_round_down_never_rounds_up(value, digits, expected):
    assert round_down(value, digits) == pytest.approx(expected, rel=1e-12)
    assert round_down(value, digits) <= value


def test_round_down_leaves_what_it_cannot_round():
    assert round_down(0.0) == 0.0 and round_down(-1.0) == -1.0
    assert math.isinf(round_down(math.inf))


def test_the_suggested_rate_is_below_the_optimal_one_and_converges():
    rate = suggested_rate(LIMITS)
    assert rate == pytest.approx(0.019, rel=1e-12)
    assert rate <= LIMITS.optimal < LIMITS.max_stable


def test_the_warning_names_the_limit_and_a_rate_below_it():
    text = unstable_rate_warning(0.05, LIMITS)
    assert "learning_rate=0.05 will diverge" in text and "must be below 0.02" in text
    assert "0.019" in text


def test_converged_says_in_how_many_iterations():
    text = diagnose(LIMITS, LIMITS.optimal, engine.STATUS_CONVERGED, 42, 100, 1e-6, 3e-7,
                    2, 10)
    assert text.startswith("converged in 42 iterations: the gradient norm 3e-07 is <= tol=1e-06")


def test_max_iter_says_how_many_iterations_were_needed():
    # error factor rho = (kappa - 1)/(kappa + 1) per iteration at the optimal rate: from a
    # gradient norm of 1e-3 to tol 1e-6 takes log(1e-3)/log(rho) more
    rho = 99 / 101
    text = diagnose(LIMITS, LIMITS.optimal, engine.STATUS_MAX_ITER, 100, 100, 1e-6, 1e-3, 2, 10)
    needed = 100 + math.log(1e-3) / math.log(rho)
    assert text.startswith("stopped at max_iter=100 before converging")
    assert f"about {needed:.3g} iterations in all" in text


def test_diverged_gives_the_stability_limit_and_the_growth():
    # at 0.05 the stiffest direction grows by |1 - 0.05 * 100| = 4 per iteration
    text = diagnose(LIMITS, 0.05, engine.STATUS_DIVERGED, 3, 100, 1e-6, 1e3, 2, 10)
    assert text.startswith("diverged: learning_rate=0.05 is at or above")
    assert "stability limit 0.02 (2/lambda_max" in text and "factor 4 per iteration" in text


def test_the_limits_may_be_worked_out_late():
    # a callable is called only when the sentences are made
    calls = []

    def limits():
        calls.append(1)
        return LIMITS

    text = diagnose(limits, LIMITS.optimal, engine.STATUS_CONVERGED, 1, 10, 1e-6, 0.0, 2, 10)
    assert calls == [1] and text.startswith("converged in 1 iteration:")
