// gdfast/_diagnosis.py in JavaScript: FitResult.diagnosis, for the explorer's page.
//
// A line-for-line port.  Every function, constant and sentence of
// _diagnosis.py is here under its Python name, in the Python's order, with
// the Python's words: an f-string "...{x:.3g}..." is the template literal
// `...${format(x, ".3g")}...` (format: Python's format(), in
// _explore_engine.js), a plain "{x}" is `${x}`; `limits` is the engine's
// LearningRateLimits, whose fields and methods have the Python's names.  So
// a change to _diagnosis.py is mirrored here by the same edit, and
// tests/test_explore.py checks that every Python function, constant and
// string (each f-string's words and format specs) is here, and that no
// sentence here is missing from the Python.
(function (root) {
  "use strict";

  const E = typeof module === "object" && module.exports
    ? require("./_explore_engine.js") : root.GdfastEngine;
  const { format, powerOfTen, stable_factor } = E;

  // the Python names the port reads like (math, _kernels' statuses)
  const math = { inf: Infinity, isinf: (v) => v === Infinity || v === -Infinity,
                 isnan: Number.isNaN, isfinite: Number.isFinite, ceil: Math.ceil,
                 floor: Math.floor, log: Math.log, log10: Math.log10 };
  const _kernels = { STATUS_RUNNING: E.STATUS.RUNNING, STATUS_CONVERGED: E.STATUS.CONVERGED,
                     STATUS_MAX_ITER: E.STATUS.MAX_ITER, STATUS_DIVERGED: E.STATUS.DIVERGED };

  // Beyond this condition number the Hessian's smallest curvature is below
  // float64 rounding of its largest: no float64 descent can resolve it.
  const FLOAT64_LIMIT = 1.0 / E.EPS;
  // Condition numbers from which the diagnosis mentions the iterations a digit costs.
  const _SLOW = 1e3;
  // A converged descent this long is worth a word on standardize=True.
  const _LONG = 1000;
  // Standardizing is suggested when it needs this many times fewer iterations.
  const _GAIN = 10;
  // After a divergence, the iterations compared are those that shrink the error
  // by this factor, a millionfold (LearningRateLimits.iterations' default).
  const _REDUCTION = 1e-6;
  // A learning rate within this relative distance of the optimal one is it.
  const _SAME_RATE = 1e-9;

  /** gdfast/_validate.py plural: "1 point", "2 points". */
  function plural(count, word, words = null) {
    return `${count} ${count === 1 ? word : (words || word + "s")}`;
  }

  /** _diagnosis.py round_down: value > 0 rounded *down* to ``digits`` significant digits. */
  function round_down(value, digits = 3) {
    if (!math.isfinite(value) || value <= 0) return value;
    // 10.0 ** k, correctly rounded as Python's (JavaScript's ** may not be)
    const step = powerOfTen(math.floor(math.log10(value)) - digits + 1);
    return math.floor(value / step) * step;
  }

  /** _diagnosis.py suggested_rate: the optimal rate rounded down to 2 digits. */
  function suggested_rate(limits, factor = 1.0) {
    return round_down(limits.optimal * factor, 2);
  }

  /** _diagnosis.py unstable_rate_warning: the DivergenceWarning's text. */
  function unstable_rate_warning(learning_rate, limits, momentum = 0.0, nesterov = false) {
    const factor = stable_factor(momentum, nesterov);
    return (`learning_rate=${format(learning_rate, "g")} will diverge on this data: it must ` +
            `be below ${format(round_down(limits.max_stable * factor), "g")} ` +
            `(${_limit_words(momentum, nesterov)}); ${_lower_rate(limits, factor)}`);
  }

  /** _diagnosis.py _limit_words: the stability limit as a formula. */
  function _limit_words(momentum, nesterov) {
    if (!momentum) return "2/lambda_max of the cost's curvature";
    if (nesterov) {
      return `2(1 + ${format(momentum, ".3g")})/((1 + 2*${format(momentum, ".3g")}) ` +
        `lambda_max) of the cost's curvature, with Nesterov momentum`;
    }
    return `2(1 + ${format(momentum, ".3g")})/lambda_max of the cost's curvature, with momentum`;
  }

  /** _diagnosis.py _lower_rate: the advice after a learning rate that is too high. */
  function _lower_rate(limits, factor = 1.0) {
    return (`use a smaller one, such as learning_rate=` +
            `${format(suggested_rate(limits, factor), "g")}, ` +
            `or learning_rate='auto' (${format(limits.optimal * factor, ".6g")}, the fastest)`);
  }

  /** _diagnosis.py _is_optimal. */
  function _is_optimal(learning_rate, limits) {
    return Math.abs(learning_rate - limits.optimal) <= _SAME_RATE * limits.optimal;
  }

  /** _diagnosis.py _iterations_per_digit: what one more correct digit costs at 'auto'. */
  function _iterations_per_digit(limits) {
    const rho = limits.rate("auto");
    return rho >= 1 ? math.inf : (rho > 0 ? math.log(10) / -math.log(rho) : 1.0);
  }

  /** _diagnosis.py _iterations_for: iterations that shrink the error by exp(log_reduction). */
  function _iterations_for(log_reduction, rho) {
    if (rho >= 1) return math.inf;
    if (rho === 0) return 1;
    return Math.max(1, math.ceil(log_reduction / math.log(rho)));
  }

  /** _diagnosis.py _count: an iteration count for a sentence. */
  function _count(n) {
    if (n >= 1e6) {
      const shown = Number(`${format(n, ".2g")}`);
      if (shown >= 1e12) return `${format(n, ".2g")} iterations`;
      if (shown >= 1e9) return `${format(shown / 1e9, "g")} billion iterations`;
      return `${format(shown / 1e6, "g")} million iterations`;
    }
    n = math.ceil(n);
    return `${format(n, ",")} iteration${n === 1 ? "" : "s"}`;
  }

  /**
   * _diagnosis.py diagnose: the sentences of FitResult.diagnosis.  ``status``
   * is one of the engine's STATUS; ``tol`` null for Python's None.
   */
  function diagnose(limits, learning_rate, status, n_iter, max_iter, tol, gradient_norm,
                    n_params, n_points, stopped_by = null, headline = true, momentum = 0.0,
                    nesterov = false) {
    if (typeof limits === "function") limits = limits();
    const out = [];
    const rho = (momentum ? limits.momentum_rate(learning_rate, momentum, nesterov)
      : limits.rate(learning_rate));
    const factor = stable_factor(momentum, nesterov);
    const kappa = limits.condition_number;
    let needed = null;   // the iterations this descent needed (or would need) in all
    if (status === _kernels.STATUS_CONVERGED) {
      needed = n_iter;
      out.push(`converged in ${plural(n_iter, "iteration")}: the gradient norm ` +
               `${format(gradient_norm, ".3g")} is <= tol=${format(tol, "g")}` + (
                 !momentum && _overshoots(limits, learning_rate) &&
                   _is_optimal(learning_rate, limits) ? _at_optimal_rate(limits) : "."));
    } else if (status === _kernels.STATUS_DIVERGED) {
      const lead = headline ? "diverged: " : "";
      if (math.isnan(limits.max_stable)) {
        out.push(`${lead}the squares of x overflow float64, so the cost's curvature ` +
                 `cannot even be computed; rescale x and y.`);
      } else if (learning_rate >= limits.max_stable * factor) {
        out.push(`${lead}learning_rate=${format(learning_rate, "g")} is at or above this ` +
                 `data's stability limit ${format(limits.max_stable * factor, ".6g")} ` +
                 `(${_limit_words(momentum, nesterov)}), so the error grows by a ` +
                 `factor ${format(rho, ".3g")} per iteration; ${_lower_rate(limits, factor)}.`);
      } else {
        out.push(`${lead}learning_rate=${format(learning_rate, "g")} is below the stability ` +
                 `limit ${format(limits.max_stable * factor, ".6g")}, but the squared ` +
                 `residuals overflow float64; rescale x and y.`);
      }
    } else if (status === _kernels.STATUS_RUNNING) {   // stopped from outside the kernel
      const why = new Map([["callback", "by the callback"],
                           ["memory", "when the history ran out of memory"]]
                         ).get(stopped_by) ?? "by Ctrl-C";
      out.push(`stopped ${why} after ${plural(n_iter, "iteration")}, before converging: ` +
               `the gradient norm is ${format(gradient_norm, ".3g")}.`);
    } else if (tol === null) {
      out.push(`ran the ${plural(n_iter, "iteration")} asked for (tol=None); the gradient ` +
               `norm is ${format(gradient_norm, ".3g")}.`);
    } else {
      // log(tol) - log(norm), not log(tol / norm): the ratio may underflow to 0
      needed = rho >= 1 || gradient_norm <= 0 || tol <= 0 ? math.inf : (
        rho > 0 ? n_iter + (math.log(tol) - math.log(gradient_norm)) / math.log(rho)
          : n_iter + 1);
      const more = (math.isinf(needed) ? "at this learning rate it would never converge" :
                    `about ${format(needed, ".3g")} iterations in all would be needed at this ` +
                    `learning rate (the error shrinks by a factor ${_factor(rho)} per iteration)`);
      out.push(`stopped at max_iter=${max_iter} before converging: the gradient norm is ` +
               `${format(gradient_norm, ".3g")}, above tol=${format(tol, "g")}; ${more}.`);
    }
    if (status !== _kernels.STATUS_DIVERGED && !momentum &&
        _overshoots(limits, learning_rate) && !_is_optimal(learning_rate, limits)) {
      out.push(`The parameters were bouncing: learning_rate=${format(learning_rate, "g")} is ` +
               `above 1/lambda_max = ${format(limits.max_no_bounce, ".6g")}, so each step ` +
               `overshoots the minimum along the steepest direction (below 2/lambda_max = ` +
               `${format(limits.max_stable, ".6g")} the overshoots shrink); learning_rate='auto' ` +
               `(${format(limits.optimal, ".6g")}) ` + (learning_rate > limits.optimal
                 ? "overshoots less and converges faster."
                 : "converges faster (and overshoots too, " +
                   "which is harmless)."));
    }
    if (kappa >= FLOAT64_LIMIT) {
      if (n_params > n_points) {
        out.push(`The solution is not unique: ${plural(n_params, "parameter")} for ` +
                 `${plural(n_points, "point")}; the descent ends at the solution nearest ` +
                 `its start.`);
      } else {
        out.push(`Ill-conditioned beyond what gradient descent can finish in float64: ` +
                 `the cost's curvature ranges over more than 1/eps = ` +
                 `${format(FLOAT64_LIMIT, ".2g")} (condition number ${_kappa_text(limits)}), so ` +
                 `the flattest directions are lost in rounding and the coefficients along ` +
                 `them are not determined; use a direct solver (np.linalg.lstsq on ` +
                 `standardized columns) or fewer, less correlated features.`);
      }
    } else if (kappa >= _SLOW &&
               [_kernels.STATUS_MAX_ITER, _kernels.STATUS_RUNNING].includes(status)) {
      out.push(`Ill-conditioned: condition number ${format(kappa, ".3g")}; at best ` +
               `(learning_rate='auto') each further digit costs about ` +
               `${format(_iterations_per_digit(limits), ".3g")} iterations, and float64 ` +
               `rounding allows about ` +
               `${format(Math.max(0.0, 16 - math.log10(kappa)), ".0f")} correct digits.`);
    }
    // what would converge (sooner) comes last
    let gain;
    if (status === _kernels.STATUS_DIVERGED && learning_rate >= limits.max_stable * factor) {
      // a rate below the limit converges, but on badly scaled columns slowly
      gain = _standardize_gain(limits, limits.rate("auto"),
                               limits.iterations("auto", _REDUCTION), status,
                               "at learning_rate='auto' (for a millionfold reduction of " +
                               "the error)");
    } else {
      gain = _standardize_gain(limits, rho, needed, status);
    }
    if (gain) {
      out.push(gain);
    } else if (status === _kernels.STATUS_MAX_ITER && tol !== null && needed !== null) {
      out.push(_max_iter_advice(limits, learning_rate, rho, needed));
    }
    const faster = momentum ? null : _momentum_gain(limits, rho, needed, status);
    if (faster) out.push(faster);
    return out.join(" ");
  }

  /** _diagnosis.py _iterations_per_e: iterations per factor e at the factor rho. */
  function _iterations_per_e(rho) {
    return rho >= 1 ? math.inf : (rho > 0 ? -1.0 / math.log(rho) : 1.0);
  }

  /** _diagnosis.py _momentum_gain: momentum='auto' would converge far sooner, or null. */
  function _momentum_gain(limits, rho, needed, status) {
    if (needed === null || limits.condition_number < _SLOW || math.isinf(needed) ||
        (status === _kernels.STATUS_CONVERGED && needed < _LONG) || !(0 < rho && rho < 1)) {
      return null;
    }
    const heavy = limits.momentum_rate("auto", "auto");
    if (!(0 <= heavy && heavy < 1)) return null;
    const fewer = _iterations_for(needed * math.log(rho), heavy);
    if (fewer * _GAIN > needed) return null;
    return (`momentum='auto' (CLI: --momentum auto) would converge in about ${_count(fewer)} ` +
            `against ${_count(needed)} here: with the condition number ` +
            `${format(limits.condition_number, ".3g")}, plain descent needs about ` +
            `${format(_iterations_per_e(limits.rate('auto')), ".3g")} iterations per factor e of ` +
            `the error at best (about kappa/2), the heavy ball about ` +
            `${format(_iterations_per_e(heavy), ".3g")} (about sqrt(kappa)/2).`);
  }

  /** _diagnosis.py _overshoots: the rate is above 1/lambda_max (but below 2/lambda_max). */
  function _overshoots(limits, learning_rate) {
    return limits.max_no_bounce * (1 + _SAME_RATE) < learning_rate &&
      learning_rate < limits.max_stable;
  }

  /** _diagnosis.py _at_optimal_rate: the end of 'converged in n iterations' at 'auto'. */
  function _at_optimal_rate(limits) {
    return (` at the optimal rate 2/(lambda_min + lambda_max) = ${format(limits.optimal, ".6g")} ` +
            `(learning_rate='auto'); at that rate the parameters overshoot the minimum along ` +
            `the steepest direction, which is expected and harmless: the overshoot shrinks ` +
            `every step, and it buys the fastest progress along the flattest direction.`);
  }

  /** _diagnosis.py _standardize_gain: standardize=True would converge far sooner, or null. */
  function _standardize_gain(limits, rho, needed, status, here = "here") {
    if (needed === null || limits.condition_number < _SLOW ||
        (status === _kernels.STATUS_CONVERGED && needed < _LONG)) {
      return null;
    }
    const standard = limits.standardized;
    if (standard === null || !(0 < rho && rho < 1)) return null;
    if (math.isinf(needed)) return null;
    const log_reduction = needed * math.log(rho);
    const fewer = _iterations_for(log_reduction, standard.rate("auto"));
    if (fewer * _GAIN > needed) return null;
    return (`standardize=True (CLI: --standardize) would converge in about ${_count(fewer)} ` +
            `against ${_count(needed)} ${here}: centring and scaling the columns brings the ` +
            `condition number from ${format(limits.condition_number, ".3g")} to ` +
            `${format(standard.condition_number, ".3g")}; the coefficients are still reported ` +
            `in the units of x.`);
  }

  /** _diagnosis.py _max_iter_advice: what would let a descent stopped at max_iter converge. */
  function _max_iter_advice(limits, learning_rate, rho, needed) {
    if (math.isinf(needed)) {
      return (rho < 1 ? "Loosen tol or check the data: this descent cannot reach it." :
              `Use learning_rate='auto' (${format(limits.optimal, ".6g")}).`);
    }
    const at_best = limits.rate("auto");
    if (!_is_optimal(learning_rate, limits) && at_best < rho) {
      const log_reduction = needed * math.log(rho);
      const best = _iterations_for(log_reduction, at_best);
      if (best * 2 <= needed) {
        return (`learning_rate='auto' (${format(limits.optimal, ".6g")}) would need about ` +
                `${_count(best)}; or raise max_iter to about ${_count(needed)}, or ` +
                `loosen tol.`);
      }
    }
    return `Raise max_iter to about ${_count(needed)}, or loosen tol.`;
  }

  /** _diagnosis.py _kappa_text: the condition number; 'inf' cases say what was measured. */
  function _kappa_text(limits) {
    const ev = limits.eigenvalues;
    if (math.isfinite(limits.condition_number)) {
      return `${format(limits.condition_number, ".3g")}`;
    }
    return `lambda_max / lambda_min = ${format(ev[ev.length - 1], ".3g")} / ` +
      `${format(ev[0], ".3g")}`;
  }

  /** _diagnosis.py _factor: rho for a message; close to 1 it reads as 1 - something. */
  function _factor(rho) {
    return rho < 0.999 ? `${format(rho, ".6g")}` : `1 - ${format(1.0 - rho, ".3g")}`;
  }

  /**
   * The page's FitResult.diagnosis: diagnose() with the arguments gdfast/_fit.py
   * gives it, for the engine's descent of these statistics with these options.
   */
  function diagnosis(stats, options, result) {
    const limits = () => E.limits(stats, options.cost, options.standardize);
    return diagnose(limits, options.rate, result.status, result.nIter, options.maxIter,
                    options.tol, result.gradientNorm, 2, stats.n, null, true,
                    options.momentum || 0);
  }

  const port = { FLOAT64_LIMIT, _SLOW, _LONG, _GAIN, _REDUCTION, _SAME_RATE, plural,
                 round_down, suggested_rate, unstable_rate_warning, diagnose, diagnosis };
  if (typeof module === "object" && module.exports) {
    module.exports = port;
  } else {
    root.GdfastDiagnosis = port;
  }
})(typeof window !== "undefined" ? window : this);
