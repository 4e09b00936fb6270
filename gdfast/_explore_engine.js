// The explorer's arithmetic: gdfast's one-feature descent, its learning-rate
// limits and Python's number formatting, in JavaScript, from the data's
// sufficient statistics (gdfast.Statistics: n, mean_x, mean_y, gram_xx,
// cross_xy, sum_yy).  The diagnosis in words is _explore_diagnosis.js.
//
// Each function transcribes the Python or Cython it names, operation for
// operation, so the page's numbers are gdfast.fit's: the descent, plain or
// standardized, is gdfast/_engine/passes.pyx's run_descent_stats (stats_sums,
// then gdfast/_engine/step.pxd's advance and norm),
// the limits gdfast/_learning_rate.py's (with its names: LearningRateLimits,
// from_hessian, rate, iterations, standardized).
// They agree to rounding, not bit for bit: the kernels are compiled per SIMD
// level, and the AVX2 and AVX-512 builds let the C compiler fuse a multiply
// and an add (one rounding where JavaScript makes two), and the statistics
// behind method="stats" and "batch" are summed in the kernels' order, not
// this file's.  The tests hold the two to 1e-12 relative.
(function (root) {
  "use strict";

  const STATUS = { RUNNING: "running", CONVERGED: "converged", MAX_ITER: "max_iter",
                   DIVERGED: "diverged" };
  // np.finfo(np.float64).eps
  const EPS = Math.pow(2, -52);

  // ---------------------------------------------------------------------
  // Python's number formatting: format(value, spec) for "g", ".{p}g", ".0f", ","
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

  /** format(n, ",") as Python writes it, for an integer n (|n| < 1e21). */
  function formatThousands(n) {
    const digits = String(Math.abs(n));
    return (n < 0 ? "-" : "") + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  /**
   * format(value, spec) as Python writes it, for the specs gdfast's messages
   * use: "g", ".{p}g", ".0f", and "," (integers).  Any other spec throws, so a
   * new one in gdfast/_diagnosis.py is ported, never written some other way.
   */
  function format(value, spec) {
    const g = /^(?:\.(\d+))?g$/.exec(spec);
    if (g) return formatG(value, g[1] === undefined ? 6 : Number(g[1]));
    if (spec === ".0f") return formatF0(value);
    if (spec === "," && Number.isInteger(value)) return formatThousands(value);
    throw new Error(`format spec ${JSON.stringify(spec)} of ${value} is not ported`);
  }

  // ---------------------------------------------------------------------
  // The learning-rate limits: gdfast/_learning_rate.py, with its names (and
  // gdfast/_standardize.py's feature_map), for one feature with an intercept.
  // A Hessian is [[h00, h01], [h01, h11]], as NumPy's.
  // ---------------------------------------------------------------------

  // gdfast/_standardize.py _TINY: a variance below it cannot be scaled
  const TINY = 2.2250738585072014e-308;

  /**
   * gdfast/_standardize.py feature_map for one column with an intercept:
   * { center, inv_scale }; null where standardize=True refuses the column
   * (Python raises a ValueError there).
   */
  function feature_map(stats, standardize) {
    if (!standardize) return { center: 0, inv_scale: 1 };
    // the diagonal of Moments.covariance, clipped at 0 as moments() does
    const variance = Math.max(stats.gram_xx / stats.weight_sum, 0);
    if (!Number.isFinite(variance) || !(variance >= TINY)) return null;
    return { center: stats.mean_x, inv_scale: 1 / Math.sqrt(variance) };
  }

  /**
   * gdfast/_learning_rate.py hessian (fit_intercept=True): H of the cost in the
   * descent's parameters for z = (x - center) * inv_scale.  With center 0 and
   * inv_scale 1 it is gdfast/_descent.py _line_limits' H, bit for bit.
   */
  function hessian(stats, map, cost) {
    const covariance = Math.max(stats.gram_xx / stats.weight_sum, 0);
    const offset = stats.mean_x - map.center;
    const mean_z = offset * map.inv_scale;
    const second_z = (covariance + offset * offset) * (map.inv_scale * map.inv_scale);
    const h = [[1, mean_z], [mean_z, second_z]];
    return cost === "mse" ? h.map((row) => row.map((v) => 2 * v)) : h;
  }

  /** gdfast/_learning_rate.py _eigenvalues: the closed form for 2x2, ascending. */
  function _eigenvalues(h) {
    const a = h[0][0];
    const b = h[0][1];
    const c = h[1][1];
    const mid = 0.5 * (a + c);
    const radius = Math.hypot(0.5 * (a - c), b);
    const big = mid + radius;
    // a*c - b*b = small * big; dividing avoids mid - radius's cancellation
    let small = big > 0 ? (a * c - b * b) / big : 0;
    if (!Number.isFinite(small)) small = (a / big) * c - (b / big) * b;
    return [Math.max(small, 0), big];
  }

  /** gdfast/_learning_rate.py LearningRateLimits: its fields, methods and names. */
  /** _learning_rate.py _difference: a - b, or 0 within a few roundings of a and b. */
  function _difference(a, b) {
    const diff = a - b;
    return Math.abs(diff) <= 16 * EPS * Math.max(Math.abs(a), Math.abs(b)) ? 0 : diff;
  }

  /** _learning_rate.py stable_factor: the stability limit with momentum over 2/lambda_max. */
  function stable_factor(momentum = 0.0, nesterov = false) {
    return nesterov ? (1 + momentum) / (1 + 2 * momentum) : 1 + momentum;
  }

  class LearningRateLimits {
    constructor(eigenvalues, max_stable, max_no_bounce, optimal, condition_number,
                _hessian = null, _fit_intercept = null, estimated = false) {
      Object.assign(this, { eigenvalues, max_stable, max_no_bounce, optimal,
                            condition_number, _hessian, _fit_intercept, estimated });
    }

    /** LearningRateLimits.from_hessian. */
    static from_hessian(h, fit_intercept = null) {
      if (!h.every((row) => row.every(Number.isFinite))) return LearningRateLimits.unknown(h.length);
      return LearningRateLimits.from_spectrum(_eigenvalues(h), h, fit_intercept);
    }

    /** LearningRateLimits.unknown: the squares of x overflow float64 (all NaN). */
    static unknown(size) {
      return new LearningRateLimits(new Array(size).fill(NaN), NaN, NaN, NaN, NaN);
    }

    /** LearningRateLimits.from_spectrum (the page's 2 x 2 Hessians: never estimated). */
    static from_spectrum(ev, h = null, fit_intercept = null, estimated = false) {
      const n = ev.length;
      const big = ev[n - 1];
      if (!(big > 0)) {
        return new LearningRateLimits(ev, Infinity, Infinity, 1, Infinity, null, null, estimated);
      }
      const zero = big * (n * EPS);
      const small = ev.filter((v) => v > zero)[0];
      const singular = ev[0] <= zero;
      const total = small + big;
      const optimal = Number.isFinite(total) ? 2 / total : 2 / big / (1 + small / big);
      return new LearningRateLimits(ev, 2 / big, 1 / big, optimal,
                                    singular ? Infinity : big / small, h, fit_intercept,
                                    estimated);
    }

    /** LearningRateLimits.standardized (worked out on first access, then kept). */
    get standardized() {
      if (!("_standardized" in this)) this._standardized = this._standardize();
      return this._standardized;
    }

    _standardize() {
      const h = this._hessian;
      if (h === null || this._fit_intercept === null) return null;
      let c = 1;          // kappa does not depend on the factor of the cost
      let cov = h;
      if (this._fit_intercept) {
        // H = c [[1, m], [m, S]]: the covariance is c (S - m m^T), the Schur
        // complement of the intercept's entry (its digits go when |m| >> sd)
        c = h[0][0];
        cov = h.slice(1).map((row, i) => row.slice(1).map(
          (v, j) => v - h[0][i + 1] * h[0][j + 1] / c));
      }
      const scale = cov.map((row, i) => Math.sqrt(row[i]));
      const corr = cov.map((row, i) => row.map((v, j) => v / (scale[i] * scale[j])));
      if (!(scale.every((s) => s > 0) && corr.every((row) => row.every(Number.isFinite)))) {
        return null;   // a constant column (standardize=True refuses it), or overflow
      }
      corr.forEach((row, i) => { row[i] = 1; });
      // with an intercept: [[1, 0], [0, corr]]
      const standard = !this._fit_intercept ? corr
        : [[1, ...corr.map(() => 0)], ...corr.map((row) => [0, ...row])];
      return LearningRateLimits.from_hessian(standard.map((row) => row.map((v) => c * v)));
    }

    /** LearningRateLimits._extremes: [lambda_min, lambda_max] over the non-zero curvatures. */
    _extremes() {
      const ev = this.eigenvalues;
      const big = ev[ev.length - 1];
      if (!(big > 0)) return [big, big];
      return [ev.filter((v) => v > big * (ev.length * EPS))[0], big];
    }

    /** LearningRateLimits.momentum_auto: [learning_rate, momentum] fastest with momentum. */
    momentum_auto(nesterov = false) {
      const [small, big] = this._extremes();
      if (!(big > 0)) return [this.optimal, 0.0];
      const kappa = big / small;
      if (nesterov) {
        const root = Math.sqrt(3 * kappa + 1);
        return [4 / (3 * big + small), (root - 2) / (root + 2)];
      }
      const root = Math.sqrt(kappa);
      return [4 / (Math.sqrt(big) + Math.sqrt(small)) ** 2, ((root - 1) / (root + 1)) ** 2];
    }

    /** LearningRateLimits.momentum_rate: the factor the error shrinks by with momentum. */
    momentum_rate(learning_rate = "auto", momentum = 0.0, nesterov = false) {
      [learning_rate, momentum] = this.with_momentum(learning_rate, momentum, nesterov);
      const ev = this.eigenvalues;
      const top = ev[ev.length - 1];
      if (Number.isNaN(top) || Number.isNaN(learning_rate)) return NaN;
      const positive = top > 0 ? ev.filter((v) => v > top * (ev.length * EPS)) : [top];
      const root_b = Math.sqrt(momentum);
      return Math.max(...positive.map((v) => {
        const step = learning_rate * v;
        const c = _difference(1, step);
        // the discriminant trace**2 - 4 det in factored form, a factor within rounding
        // of 0 taken as 0 (see the Python)
        const trace = nesterov ? (1 + momentum) * c : 1 + momentum - step;
        const det = nesterov ? momentum * c : momentum;
        const disc = nesterov ? c * _difference((1 - momentum) ** 2, (1 + momentum) ** 2 * step)
          : _difference((1 - root_b) ** 2, step) * _difference((1 + root_b) ** 2, step);
        // real roots: the larger |(trace +- sqrt(disc)) / 2|; complex: |z| = sqrt(det)
        return disc > 0 ? 0.5 * (Math.abs(trace) + Math.sqrt(Math.abs(disc)))
          : Math.sqrt(Math.abs(det));
      }));
    }

    /** LearningRateLimits.with_momentum: [learning_rate, momentum], "auto" resolved. */
    with_momentum(learning_rate, momentum, nesterov = false) {
      if (momentum === null || momentum === undefined) momentum = 0.0;
      if (momentum === "auto") {
        let rate;
        [rate, momentum] = this.momentum_auto(nesterov);
        if (learning_rate === null || learning_rate === "auto") learning_rate = rate;
      }
      if (learning_rate === null || learning_rate === "auto") {
        learning_rate = this.optimal * stable_factor(momentum, nesterov);
      }
      return [learning_rate, momentum];
    }

    /** LearningRateLimits._learning_rate: null and "auto" mean ``optimal``. */
    _learning_rate(learning_rate) {
      return learning_rate === null || learning_rate === undefined || learning_rate === "auto"
        ? this.optimal : learning_rate;
    }

    /** LearningRateLimits.rate: max |1 - learning_rate * lambda| over the non-zero curvatures. */
    rate(learning_rate = "auto") {
      return this._rate(this._learning_rate(learning_rate));
    }

    /** LearningRateLimits._rate. */
    _rate(learning_rate) {
      const ev = this.eigenvalues;
      const top = ev[ev.length - 1];
      if (Number.isNaN(top)) return NaN;
      const positive = top > 0 ? ev.filter((v) => v > top * (ev.length * EPS)) : [top];
      return Math.max(...positive.map((v) => Math.abs(1 - learning_rate * v)));
    }

    /** LearningRateLimits.iterations: those that shrink the error by ``reduction``. */
    iterations(learning_rate = null, reduction = 1e-6) {
      learning_rate = this._learning_rate(learning_rate);
      if (reduction >= 1) return 0;
      const rho = this._rate(learning_rate);
      if (Number.isNaN(rho)) return NaN;
      if (rho >= 1) return Infinity;
      if (rho === 0) return 1;
      return Math.ceil(Math.log(reduction) / Math.log(rho));
    }
  }

  /**
   * The LearningRateLimits of the cost on these statistics (those gdfast.fit
   * works out for one feature: gdfast/_descent.py _line_limits, or
   * limits_from_moments with standardize=True); null when standardize cannot
   * scale x.
   */
  function limits(stats, cost, standardize) {
    const map = feature_map(stats, standardize);
    return map === null ? null : LearningRateLimits.from_hessian(hessian(stats, map, cost), true);
  }

  // ---------------------------------------------------------------------
  // The descent (gdfast/_engine: passes.pyx's stats_sums, step.pxd's advance)
  // ---------------------------------------------------------------------

  /** cost_factors(cost, n): [cost_factor, grad_factor]. */
  function costFactors(cost, n) {
    return cost === "half_mse" ? [0.5 / n, 1 / n] : [1 / n, 2 / n];
  }

  /**
   * StatisticsSums.mapped: the statistics of z = (x - center) * inv_scale,
   * [gram_zz, cross_zy, mean_z].
   */
  function mapped(stats, map) {
    const inv = map.inv_scale;
    return [stats.gram_xx * (inv * inv), stats.cross_xy * inv, (stats.mean_x - map.center) * inv];
  }

  /**
   * passes.pyx stats_sums for one feature, with an intercept: the sums of a
   * pass at (beta0, beta1), [sum r, sum r*z, sum r**2], from the statistics of z.
   */
  function statsSums(stats, z, params) {
    const [gramZZ, crossZY, meanZ] = z;
    const b = params[1];
    let c = params[0] - stats.mean_y;
    c += meanZ * b;
    const wc = stats.weight_sum * c;
    const gb = gramZZ * b;
    const quad = 0 + b * (gb - 2 * crossZY);
    return [wc, (gb - crossZY) + meanZ * wc, Math.max(wc * c + quad + stats.sum_yy, 0)];
  }

  /** The cost of the line y = b0 + b1 x from the statistics (the contour's and slice's J). */
  function costAt(stats, b0, b1, cost) {
    const [costFactor] = costFactors(cost, stats.weight_sum);
    return costFactor * statsSums(stats, mapped(stats, { center: 0, inv_scale: 1 }), [b0, b1])[2];
  }

  /** step.pxd norm: hypot(hypot(g0, g1), ...). */
  function norm(g) {
    let h = Math.abs(g[0]);
    for (let j = 1; j < g.length; j++) h = Math.hypot(h, g[j]);
    return h;
  }

  /**
   * The descent of gdfast.fit(method="stats") on one feature: run_descent_stats,
   * each iteration passes.pyx's stats_sums then step.pxd's advance (every row
   * recorded).  ``riseFloor``: 0 at a rate at or above the stability limit
   * (a cost above twice the start's is divergence there), else Infinity.
   */
  function descendStatistics(stats, map, rate, start, maxIter, tol, cost, riseFloor,
                             momentum = 0) {
    const [costFactor, gradFactor] = costFactors(cost, stats.weight_sum);
    const clearlyAboveTol = tol < 0 ? -1 : (1e-290 < tol * tol && tol * tol < 1e290
      ? 4 * tol * tol : Infinity);
    const z = mapped(stats, map);
    const rows = { iteration: [], intercept: [], slope: [], cost: [] };
    // to_descent_units: beta = b * (1 / inv_scale), beta0 = b0 + b @ center
    let params = [start[0] + start[1] * map.center, start[1] / map.inv_scale];
    let g = [Infinity, 0];
    let prevG = [Infinity, 0];
    let velocity = [0, 0];     // the last step (momentum)
    let costLimit = Infinity;
    let k = 0;
    let status = STATUS.RUNNING;
    for (;;) {
      const sums = statsSums(stats, z, params);
      const J = costFactor * sums[2];
      const next = [gradFactor * sums[0], gradFactor * sums[1]];
      const sumG2 = next[0] * next[0] + next[1] * next[1];
      if (!(Number.isFinite(J) && next.every(Number.isFinite))) {
        status = STATUS.DIVERGED;    // every earlier point has its row (record_every=1)
        g = prevG;
        break;
      }
      g = next;
      if (k === 0) costLimit = 2 * J + riseFloor;
      if (sumG2 <= clearlyAboveTol && norm(g) <= tol) {
        status = STATUS.CONVERGED;
      } else if (J > costLimit) {
        status = STATUS.DIVERGED;
      } else if (k >= maxIter) {
        status = STATUS.MAX_ITER;
      }
      // to_reported_units (to_original_units): b = beta * inv_scale, b0 = beta0 - b * center
      const b1 = params[1] * map.inv_scale;
      push(rows, k, params[0] - b1 * map.center, b1, J);
      if (status !== STATUS.RUNNING) break;
      // step.pxd: plain params -= rate * g; heavy ball v = beta v - rate g, params += v
      let moved;
      if (momentum === 0) {
        moved = [params[0] - rate * g[0], params[1] - rate * g[1]];
      } else {
        velocity = [momentum * velocity[0] - rate * g[0], momentum * velocity[1] - rate * g[1]];
        moved = [params[0] + velocity[0], params[1] + velocity[1]];
      }
      if (!moved.every(Number.isFinite)) {
        status = STATUS.DIVERGED;
        break;
      }
      prevG = g;
      params = moved;
      k += 1;
    }
    return finish(rows, status, norm(g));
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
    const map = feature_map(stats, options.standardize);
    const lim = limits(stats, options.cost, options.standardize);
    const momentum = options.momentum || 0;   // the heavy ball's beta (no Nesterov here)
    // _descent.descend: the test of a rising cost is made at or above the limit only
    const riseFloor = lim !== null && options.rate >= lim.max_stable * stable_factor(momentum)
      ? 0 : Infinity;
    return descendStatistics(stats, map, options.rate, options.start, options.maxIter,
                             options.tol, options.cost, riseFloor, momentum);
  }

  /** The least-squares line (the bottom of the valley): [b0, b1]. */
  function minimum(stats) {
    const b1 = stats.cross_xy / stats.gram_xx;
    return [stats.mean_y - b1 * stats.mean_x, b1];
  }

  const engine = { STATUS, EPS, formatG, formatF0, format, powerOfTen, feature_map, hessian,
                   stable_factor, LearningRateLimits, limits, costAt, descend, minimum };
  if (typeof module === "object" && module.exports) {
    module.exports = engine;
  } else {
    root.GdfastEngine = engine;
  }
})(typeof window !== "undefined" ? window : this);
