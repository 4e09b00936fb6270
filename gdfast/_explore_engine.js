// The explorer's arithmetic: gdfast's one-feature descent, its learning-rate
// limits and its diagnosis, in JavaScript, from the data's sufficient
// statistics (gdfast.Statistics: n, mean_x, mean_y, gram_xx, cross_xy, sum_yy).
//
// Each function transcribes the Python or Cython it names, operation for
// operation, so the page's numbers are gdfast.fit's: the plain descent is
// gdfast/_kernels.pyx's run_descent_stats (_sums_from_stats, _advance), the
// standardized one gdfast/_multi_kernels.pyx's (_stats_sums, _advance, _norm),
// the limits gdfast/_learning_rate.py's and the words gdfast/_diagnosis.py's.
// They agree to rounding, not bit for bit: the kernels are compiled per SIMD
// level, and the AVX2 and AVX-512 builds let the C compiler fuse a multiply
// and an add (one rounding where JavaScript makes two), and the statistics
// behind method="stats" and "batch" are summed in the kernels' order, not
// this file's.  The tests hold the two to 1e-12 relative.
(function (root) {
  "use strict";

  const STATUS = { RUNNING: "running", CONVERGED: "converged", MAX_ITER: "max_iter",
                   DIVERGED: "diverged" };
  const EPS = Math.pow(2, -52);
  const FLOAT64_LIMIT = 1 / EPS;
  const SLOW = 1e3;

  // ---------------------------------------------------------------------
  // Python's number formatting: format(value, ".{p}g") and ".0f"
  // ---------------------------------------------------------------------

  // toExponential rounds a tie away from zero, Python to even; a tie is
  // exact only when the decimal expansion stops at the digit after the last
  // kept one, which 25 more digits show.
  function significantDigits(magnitude, p) {
    let text = magnitude.toExponential(p - 1);
    const longer = magnitude.toExponential(Math.min(p + 25, 100));
    const digits = longer.slice(0, longer.indexOf("e")).replace(".", "");
    const tail = digits.slice(p);
    if (/^50*$/.test(tail) && Number(digits[p - 1]) % 2 === 0) {
      // an exact tie whose kept digit is even: Python keeps it
      const exponent = longer.slice(longer.indexOf("e") + 1);
      const kept = digits.slice(0, p);
      text = (p > 1 ? kept[0] + "." + kept.slice(1) : kept) + "e" + exponent;
    }
    const at = text.indexOf("e");
    return { digits: text.slice(0, at).replace(".", ""), exponent: Number(text.slice(at + 1)) };
  }

  function stripZeros(text) {
    return text.indexOf(".") < 0 ? text : text.replace(/0+$/, "").replace(/\.$/, "");
  }

  /** format(value, f".{precision}g") as Python writes it. */
  function formatG(value, precision) {
    const p = precision === undefined ? 6 : Math.max(precision, 1);
    if (Number.isNaN(value)) return "nan";
    if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
    const sign = value < 0 || Object.is(value, -0) ? "-" : "";
    if (value === 0) return sign + "0";
    const { digits, exponent } = significantDigits(Math.abs(value), p);
    if (exponent >= -4 && exponent < p) {
      let body;
      if (exponent >= 0) {
        body = digits.slice(0, exponent + 1) + "." + digits.slice(exponent + 1);
      } else {
        body = "0." + "0".repeat(-exponent - 1) + digits;
      }
      return sign + stripZeros(body);
    }
    const mantissa = stripZeros(digits[0] + "." + digits.slice(1));
    const e = Math.abs(exponent);
    return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (e < 10 ? "0" : "") + e;
  }

  /** format(value, ".0f") as Python writes it (a tie rounds to even), for |value| < 2**53. */
  function formatF0(value) {
    if (!Number.isFinite(value)) return formatG(value);
    let n = Math.round(value);
    if (Math.abs(value - Math.trunc(value)) === 0.5) {
      const low = Math.floor(value);
      n = low % 2 === 0 ? low : low + 1;
    }
    return (n === 0 && (value < 0 || Object.is(value, -0)) ? "-" : "") + String(n);
  }

  /** 10**k for an integer k, correctly rounded (as Python's 10.0 ** k). */
  function powerOfTen(k) {
    return Number("1e" + k);
  }

  /** gdfast._diagnosis.round_down: value > 0 rounded down to 3 significant digits. */
  function roundDown(value, digits) {
    const d = digits === undefined ? 3 : digits;
    if (!Number.isFinite(value) || value <= 0) return value;
    const step = powerOfTen(Math.floor(Math.log10(value)) - d + 1);
    return Math.floor(value / step) * step;
  }

  // ---------------------------------------------------------------------
  // The learning-rate limits (gdfast/_learning_rate.py)
  // ---------------------------------------------------------------------

  /** The feature map of standardize=True, fit_intercept=True (gdfast/_standardize.py). */
  function featureMap(stats, standardize) {
    if (!standardize) return { center: 0, invScale: 1 };
    const variance = Math.max(stats.gram_xx / stats.weight_sum, 0);
    const scale = Math.sqrt(variance);
    if (!(scale > 0) || !Number.isFinite(scale)) return null;
    return { center: stats.mean_x, invScale: 1 / scale };
  }

  /** H of the cost in the descent's parameters, [[a, b], [b, c]] (hessian()). */
  function hessian(stats, map, cost) {
    const variance = Math.max(stats.gram_xx / stats.weight_sum, 0);
    const offset = stats.mean_x - map.center;
    const meanZ = offset * map.invScale;
    const secondZ = (variance + offset * offset) * (map.invScale * map.invScale);
    const factor = cost === "mse" ? 2 : 1;
    return factor === 1 ? [1, meanZ, secondZ] : [2 * 1, 2 * meanZ, 2 * secondZ];
  }

  /** LearningRateLimits.from_hessian for a 2x2 H given as [a, b, c]. */
  function limitsFromHessian(h) {
    const [a, b, c] = h;
    if (![a, b, c].every(Number.isFinite)) {
      return { eigenvalues: [NaN, NaN], maxStable: NaN, maxNoBounce: NaN, optimal: NaN,
               conditionNumber: NaN };
    }
    const mid = 0.5 * (a + c);
    const radius = Math.hypot(0.5 * (a - c), b);
    const big = mid + radius;
    const small = big > 0 ? (a * c - b * b) / big : 0;
    const ev = [Math.max(small, 0), big];
    if (!(big > 0)) {
      return { eigenvalues: ev, maxStable: Infinity, maxNoBounce: Infinity, optimal: 1,
               conditionNumber: Infinity };
    }
    const threshold = big * 2 * EPS;
    const smallest = ev[0] > threshold ? ev[0] : big;
    const singular = ev[0] <= threshold;
    return { eigenvalues: ev, maxStable: 2 / big, maxNoBounce: 1 / big,
             optimal: 2 / (smallest + big), conditionNumber: singular ? Infinity : big / smallest };
  }

  /** LearningRateLimits.rate: max |1 - rate * lambda| over the non-zero curvatures. */
  function contraction(limits, rate) {
    const ev = limits.eigenvalues;
    const positive = ev[1] > 0 ? ev.filter((v) => v > ev[1] * 2 * EPS) : [ev[1]];
    return Math.max(...positive.map((v) => Math.abs(1 - rate * v)));
  }

  /** The limits of the cost on these statistics; null when standardize cannot scale x. */
  function limits(stats, cost, standardize) {
    const map = featureMap(stats, standardize);
    return map === null ? null : limitsFromHessian(hessian(stats, map, cost));
  }

  // ---------------------------------------------------------------------
  // The descent (gdfast/_kernels.pyx and gdfast/_multi_kernels.pyx)
  // ---------------------------------------------------------------------

  /** cost_factors(cost, n): [cost_factor, grad_factor]. */
  function costFactors(cost, n) {
    return cost === "half_mse" ? [0.5 / n, 1 / n] : [1 / n, 2 / n];
  }

  /** _kernels._sums_from_stats: [sum r, sum r*x, sum r**2] at (b0, b1). */
  function lineSums(stats, b0, b1) {
    const w0 = b1;
    const w1 = -1;
    let c = b0;
    c += w0 * stats.mean_x;
    c += w1 * stats.mean_y;
    let g0 = 0;
    g0 += stats.gram_xx * w0;
    g0 += stats.cross_xy * w1;
    let g1 = 0;
    g1 += stats.cross_xy * w0;
    g1 += stats.sum_yy * w1;
    let quad = 0;
    quad += w0 * g0;
    quad += w1 * g1;
    const sumR = stats.n * c;
    return [sumR, stats.mean_x * sumR + g0, stats.n * c * c + quad];
  }

  /** The cost of the line y = b0 + b1 x from the statistics (the contour's and slice's J). */
  function costAt(stats, b0, b1, cost) {
    const [costFactor] = costFactors(cost, stats.n);
    return costFactor * Math.max(lineSums(stats, b0, b1)[2], 0);
  }

  /** run_descent_stats of gdfast/_kernels.pyx: y = b0 + b1 x, not standardized. */
  function descendLine(stats, rate, start, maxIter, tol, cost) {
    const [costFactor, gradFactor] = costFactors(cost, stats.n);
    const clearlyAboveTol = tol < 0 ? -1 : (1e-290 < tol * tol && tol * tol < 1e290
      ? 4 * tol * tol : Infinity);
    const rows = { iteration: [], intercept: [], slope: [], cost: [] };
    let [b0, b1] = start;
    let k = 0;
    let status = STATUS.RUNNING;
    // before the first iteration the kernel holds the gradient (inf, 0)
    let g0 = Infinity;
    let g1 = 0;
    let prevG0 = Infinity;
    let prevG1 = 0;
    for (;;) {
      const sums = lineSums(stats, b0, b1);
      const J = costFactor * sums[2];
      const newG0 = gradFactor * sums[0];
      const newG1 = gradFactor * sums[1];
      if (!(Number.isFinite(J) && Number.isFinite(newG0) && Number.isFinite(newG1))) {
        status = STATUS.DIVERGED;    // every earlier point has its row (record_every=1)
        g0 = prevG0;
        g1 = prevG1;
        break;
      }
      g0 = newG0;
      g1 = newG1;
      if (g0 * g0 + g1 * g1 <= clearlyAboveTol && Math.hypot(g0, g1) <= tol) {
        status = STATUS.CONVERGED;
      } else if (k >= maxIter) {
        status = STATUS.MAX_ITER;
      }
      push(rows, k, b0, b1, J);
      if (status !== STATUS.RUNNING) break;
      const newB0 = b0 - rate * g0;
      const newB1 = b1 - rate * g1;
      if (!(Number.isFinite(newB0) && Number.isFinite(newB1))) {
        status = STATUS.DIVERGED;
        break;
      }
      prevG0 = g0;
      prevG1 = g1;
      b0 = newB0;
      b1 = newB1;
      k += 1;
    }
    return finish(rows, status, Math.hypot(g0, g1));
  }

  /** _multi_kernels._norm: the Euclidean norm, scaled by the largest |g|. */
  function scaledNorm(g) {
    let big = 0;
    for (const v of g) if (Math.abs(v) > big) big = Math.abs(v);
    if (big === 0 || !Number.isFinite(big)) return big;
    let s = 0;
    for (const v of g) {
      const t = v / big;
      s += t * t;
    }
    return big * Math.sqrt(s);
  }

  /** run_descent_stats of gdfast/_multi_kernels.pyx for d = 1 on standardized x. */
  function descendStandardized(stats, rate, start, maxIter, tol, cost) {
    const map = featureMap(stats, true);
    const [costFactor, gradFactor] = costFactors(cost, stats.weight_sum);
    const inv = map.invScale;
    const center = map.center;
    // the statistics of z = (x - center) * inv (StatsFeatureDescent.limits)
    const meanZ = (stats.mean_x - center) * inv;
    const gramZZ = stats.gram_xx * (inv * inv);
    const crossZY = stats.cross_xy * inv;
    // to_descent_units: beta = b / inv, beta0 = b0 + b @ center
    let beta = [start[0] + start[1] * center, start[1] / inv];
    const rows = { iteration: [], intercept: [], slope: [], cost: [] };
    let k = 0;
    let status = STATUS.RUNNING;
    let gradNorm = Infinity;
    let prevGradNorm = Infinity;
    for (;;) {
      // _stats_sums
      let c = beta[0] - stats.mean_y;
      c += meanZ * beta[1];
      const wc = stats.weight_sum * c;
      const gb = gramZZ * beta[1];
      const quad = 0 + beta[1] * (gb - 2 * crossZY);
      const g = [wc, (gb - crossZY) + meanZ * wc];
      const J = costFactor * Math.max(wc * c + quad + stats.sum_yy, 0);
      // _advance
      let finite = Number.isFinite(J);
      for (let j = 0; j < 2; j++) {
        g[j] *= gradFactor;
        finite = finite && Number.isFinite(g[j]);
      }
      if (!finite) {
        status = STATUS.DIVERGED;
        gradNorm = prevGradNorm;
        break;
      }
      gradNorm = scaledNorm(g);
      if (gradNorm <= tol) {
        status = STATUS.CONVERGED;
      } else if (k >= maxIter) {
        status = STATUS.MAX_ITER;
      }
      // to_original_units: b = beta * inv, b0 = beta0 - b @ center
      const b1 = beta[1] * inv;
      push(rows, k, beta[0] - b1 * center, b1, J);
      if (status !== STATUS.RUNNING) break;
      const next = [beta[0] - rate * g[0], beta[1] - rate * g[1]];
      if (!(Number.isFinite(next[0]) && Number.isFinite(next[1]))) {
        status = STATUS.DIVERGED;
        break;
      }
      prevGradNorm = gradNorm;
      beta = next;
      k += 1;
    }
    return finish(rows, status, gradNorm);
  }

  function push(rows, k, b0, b1, J) {
    rows.iteration.push(k);
    rows.intercept.push(b0);
    rows.slope.push(b1);
    rows.cost.push(J);
  }

  function finish(rows, status, gradientNorm) {
    const last = rows.iteration.length - 1;
    return {
      history: rows, status, gradientNorm,
      nIter: last >= 0 ? rows.iteration[last] : 0,
      intercept: last >= 0 ? rows.intercept[last] : NaN,
      slope: last >= 0 ? rows.slope[last] : NaN,
      cost: last >= 0 ? rows.cost[last] : Infinity,
    };
  }

  /**
   * gdfast.fit(x, y, learning_rate=rate, init=start, max_iter, tol, cost, standardize)
   * from the statistics: { history, status, nIter, intercept, slope, cost, gradientNorm }.
   */
  function descend(stats, options) {
    const run = options.standardize ? descendStandardized : descendLine;
    return run(stats, options.rate, options.start, options.maxIter, options.tol, options.cost);
  }

  /** The least-squares line (the bottom of the valley): [b0, b1]. */
  function minimum(stats) {
    const b1 = stats.cross_xy / stats.gram_xx;
    return [stats.mean_y - b1 * stats.mean_x, b1];
  }

  // ---------------------------------------------------------------------
  // The diagnosis (gdfast/_diagnosis.py's diagnose, for the statuses the
  // page's descent can end in)
  // ---------------------------------------------------------------------

  function iterationsPerDigit(lim) {
    const rho = contraction(lim, lim.optimal);
    return rho >= 1 ? Infinity : (rho > 0 ? Math.log(10) / -Math.log(rho) : 1);
  }

  function factorText(rho) {
    return rho < 0.999 ? formatG(rho, 6) : "1 - " + formatG(1 - rho, 3);
  }

  function kappaText(lim) {
    if (Number.isFinite(lim.conditionNumber)) return formatG(lim.conditionNumber, 3);
    const ev = lim.eigenvalues;
    return "lambda_max / lambda_min = " + formatG(ev[1], 3) + " / " + formatG(ev[0], 3);
  }

  /** FitResult.diagnosis for a descent that ended with ``status``. */
  function diagnose(lim, rate, status, nIter, maxIter, tol, gradientNorm, nParams, nPoints) {
    const g = formatG;
    const out = [];
    const rho = contraction(lim, rate);
    const kappa = lim.conditionNumber;
    if (status === STATUS.CONVERGED) {
      out.push(`converged in ${nIter} iterations: the gradient norm ${g(gradientNorm, 3)} ` +
               `is <= tol=${g(tol)}.`);
    } else if (status === STATUS.DIVERGED) {
      if (Number.isNaN(lim.maxStable)) {
        out.push("diverged: the squares of x overflow float64, so the cost's curvature " +
                 "cannot even be computed; rescale x and y.");
      } else if (rate >= lim.maxStable) {
        out.push(`diverged: learning_rate=${g(rate)} is at or above this data's ` +
                 `stability limit 2/lambda_max = ${g(lim.maxStable, 6)}, so the error ` +
                 `grows by a factor ${g(rho, 3)} per iteration; use a learning rate below ` +
                 `${g(roundDown(lim.maxStable))}, e.g. learning_rate='auto' ` +
                 `(${g(lim.optimal, 6)}).`);
      } else {
        out.push(`diverged although learning_rate=${g(rate)} is below the ` +
                 `stability limit ${g(lim.maxStable, 6)}: the squared residuals overflow ` +
                 "float64; rescale x and y.");
      }
    } else {
      let needed;
      if (rho >= 1 || gradientNorm <= 0 || tol <= 0) {
        needed = Infinity;
      } else if (rho > 0) {
        needed = nIter + (Math.log(tol) - Math.log(gradientNorm)) / Math.log(rho);
      } else {
        needed = nIter + 1;
      }
      const more = !Number.isFinite(needed)
        ? "at this learning rate it would never converge"
        : `about ${g(needed, 3)} iterations in all would be needed at this learning rate ` +
          `(the error shrinks by a factor ${factorText(rho)} per iteration)`;
      out.push(`stopped at max_iter=${maxIter} before converging: the gradient norm ` +
               `${g(gradientNorm, 3)} is above tol=${g(tol)}; ${more}.`);
    }
    if (status !== STATUS.DIVERGED && lim.maxNoBounce * (1 + 1e-9) < rate &&
        rate < lim.maxStable) {
      out.push(`The parameters were bouncing: learning_rate=${g(rate)} is above ` +
               `1/lambda_max = ${g(lim.maxNoBounce, 6)}, so each step overshoots the ` +
               `valley floor along the steepest direction (below 2/lambda_max = ` +
               `${g(lim.maxStable, 6)} the bounces shrink)` + (
                 rate <= lim.optimal * (1 + 1e-12)
                   ? "; the optimal rate ('auto') bounces too, trading this for speed along " +
                     "the flattest direction."
                   : `; learning_rate='auto' (${g(lim.optimal, 6)}) bounces less and ` +
                     "converges faster."));
    }
    if (kappa >= FLOAT64_LIMIT) {
      if (nParams > nPoints) {
        out.push(`The solution is not unique: ${nParams} parameters for ${nPoints} ` +
                 "points; the descent ends at the solution nearest its start.");
      } else {
        out.push("Ill-conditioned beyond what gradient descent can finish in float64: " +
                 "the cost's curvature ranges over more than 1/eps = " +
                 `${g(FLOAT64_LIMIT, 2)} (condition number ${kappaText(lim)}), so the ` +
                 "flattest directions are lost in rounding and the coefficients along " +
                 "them are not determined; use a direct solver (np.linalg.lstsq on " +
                 "standardized columns) or fewer, less correlated features.");
      }
    } else if (kappa >= SLOW && status !== STATUS.CONVERGED) {
      out.push(`Ill-conditioned: condition number ${g(kappa, 3)}; at best (learning_rate=` +
               `'auto') each further digit costs about ${g(iterationsPerDigit(lim), 3)} ` +
               "iterations, and float64 rounding allows about " +
               `${formatF0(Math.max(0, 16 - Math.log10(kappa)))} correct digits.`);
    }
    return out.join(" ");
  }

  /** The diagnosis of a descent's result (as FitResult.diagnosis; a not-finite start too). */
  function diagnosis(stats, options, result) {
    const lim = limits(stats, options.cost, options.standardize);
    if (result.history.iteration.length === 0) {
      return "the cost is not finite at the starting point: the squared residuals overflow " +
             "float64; rescale x and y (or the starting point).";
    }
    return diagnose(lim, options.rate, result.status, result.nIter, options.maxIter,
                    options.tol, result.gradientNorm, 2, stats.n);
  }

  const engine = { STATUS, formatG, formatF0, roundDown, limits, contraction, costAt,
                   descend, minimum, diagnose, diagnosis };
  if (typeof module === "object" && module.exports) {
    module.exports = engine;
  } else {
    root.GdfastEngine = engine;
  }
})(typeof window !== "undefined" ? window : this);
