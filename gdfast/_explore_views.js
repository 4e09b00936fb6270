// The explorer's views and controls: four linked Plotly charts redrawn from
// GdfastEngine's descent whenever a control moves, and GdfastDiagnosis's words.
(function () {
  "use strict";
  const E = window.GdfastEngine;
  const D = window.GdfastDiagnosis;
  const DATA = JSON.parse(document.getElementById("gdfast-data").textContent);
  const stats = DATA.stats;
  const RED = "#d62728";
  const PATH = "#ff7f0e";
  const COST_NAMES = { half_mse: "\u00bd MSE", mse: "MSE" };
  const RATE_STEPS = 1000;
  // the cost is drawn on a log axis once it spans more than this factor (as gdfast.plot)
  const LOG_SCALE_SPAN = 100;
  const CONFIG = { displayModeBar: false, responsive: true };
  const $ = (id) => document.getElementById(id);

  const state = {
    rate: DATA.learning_rate,
    momentum: 0,
    start: DATA.start.slice(),
    maxIter: DATA.max_iter,
    cost: DATA.cost,
    standardize: DATA.standardize,
    tol: DATA.tol,
    playing: null,
  };
  let result = null;
  let box = null;        // the contour's fixed axis ranges, {b0: [lo, hi], b1: [lo, hi]}
  let sliceTop = null;   // the slice's fixed top
  let grid = null;       // the contour's grid {b0, b1, z}, per cost

  // -------------------------------------------------------------------
  // Fixed axis ranges: the views must not jump while the rate moves
  // -------------------------------------------------------------------

  /** Eigenvectors of the symmetric [[a, b], [b, c]], largest eigenvalue first. */
  function eigenvectors(a, b, c) {
    if (b === 0) return a >= c ? [[1, 0], [0, 1]] : [[0, 1], [1, 0]];
    const big = 0.5 * (a + c) + Math.hypot(0.5 * (a - c), b);
    const u = [b, big - a];
    const norm = Math.hypot(u[0], u[1]);
    const v = [u[0] / norm, u[1] / norm];
    return [v, [-v[1], v[0]]];
  }

  /**
   * Half-widths, in (b0, b1), of a region every stable descent from ``start`` stays in.
   * Along each eigenvector of H the distance to the minimum is multiplied by
   * 1 - rate * lambda per iteration, at most 1 in size below 2/lambda_max: the
   * path stays in the parallelogram of the start's eigen-components.  (With
   * standardize the curvature is the same in every direction, so the path is
   * the segment from the start to its mirror image through the minimum, which
   * that parallelogram holds.)
   */
  function envelope(start) {
    const best = E.minimum(stats);
    const d = [start[0] - best[0], start[1] - best[1]];
    const h = [1, stats.mean_x, stats.gram_xx / stats.weight_sum + stats.mean_x * stats.mean_x];
    const half = [0, 0];
    for (const u of eigenvectors(h[0], h[1], h[2])) {
      const c = Math.abs(u[0] * d[0] + u[1] * d[1]);
      half[0] += c * Math.abs(u[0]);
      half[1] += c * Math.abs(u[1]);
    }
    return half;
  }

  function fixBox() {
    const best = E.minimum(stats);
    const half = envelope(state.start);
    const range = (j) => {
      let h = 1.08 * half[j];
      if (!(h > 0) || !Number.isFinite(h)) h = Math.max(1, Math.abs(best[j]));
      return [best[j] - h, best[j] + h];
    };
    box = { b0: range(0), b1: range(1) };
    grid = {};
  }

  function contourGrid() {
    if (grid[state.cost]) return grid[state.cost];
    const size = 90;
    const b0 = [];
    const b1 = [];
    for (let i = 0; i < size; i++) {
      b0.push(box.b0[0] + (box.b0[1] - box.b0[0]) * i / (size - 1));
      b1.push(box.b1[0] + (box.b1[1] - box.b1[0]) * i / (size - 1));
    }
    const floor = 1e-12 * E.costAt(stats, box.b0[0], box.b1[0], state.cost);
    const z = b1.map((v) => b0.map((u) => Math.log10(Math.max(E.costAt(stats, u, v, state.cost),
                                                              floor))));
    grid[state.cost] = { b0, b1, z };
    return grid[state.cost];
  }

  function fixSliceTop() {
    let top = 0;
    for (const b0 of [state.start[0], E.minimum(stats)[0]]) {
      for (const b1 of [box.b1[0], box.b1[1], state.start[1]]) {
        top = Math.max(top, E.costAt(stats, b0, b1, state.cost));
      }
    }
    // room above the start for a few growing bounces before the dot leaves
    sliceTop = 1.5 * top;
  }

  // -------------------------------------------------------------------
  // The learning-rate slider, on a log scale, with its marks
  // -------------------------------------------------------------------

  function currentLimits() {
    return E.limits(stats, state.cost, state.standardize);
  }

  /** log10 of the slider's ends: from far below 1/lambda_max to past the stability
   *  limit, 2(1 + beta)/lambda_max with the momentum beta. */
  function rateRange() {
    const half = E.limits(stats, "half_mse", state.standardize);
    return [Math.log10(half.max_no_bounce / 2) - 1.5,
            Math.log10(half.max_stable * E.stable_factor(state.momentum)) + 0.2];
  }

  function rateAt(position) {
    const [lo, hi] = rateRange();
    return Math.pow(10, lo + (hi - lo) * position / RATE_STEPS);
  }

  function positionOf(rate) {
    const [lo, hi] = rateRange();
    const p = (Math.log10(rate) - lo) / (hi - lo);
    return Math.min(Math.max(p, 0), 1) * RATE_STEPS;
  }

  function drawRateMarks() {
    const lim = currentLimits();
    const marks = $("rate-marks");
    marks.textContent = "";
    const beta = state.momentum;
    // the heavy ball's limits (gdfast._learning_rate): along the steepest direction
    // (curvature lambda_max) each step z of the error solves z**2 - (1 + beta -
    // rate lambda_max) z + beta = 0: two positive roots (the ball rolls to the floor
    // without crossing it) up to (1 - sqrt(beta))**2/lambda_max, then it swings across
    // the floor from wall to wall; |z| >= 1 from 2(1 + beta)/lambda_max.  Both are the
    // plain limits at beta = 0.  learning_rate="auto" with momentum beta takes (1 + beta)
    // times the plain optimum.
    const entries = beta > 0 ? [
      ["(1\u2212\u221a\u03b2)\u00b2/\u03bbmax", lim.max_no_bounce * (1 - Math.sqrt(beta)) ** 2,
       "bounce", `with momentum ${beta}, the ball swings across the valley floor above ` +
       "(1 - sqrt(beta))**2/lambda_max"],
      ["2(1+\u03b2)/\u03bbmax", lim.max_stable * E.stable_factor(beta), "diverge",
       `with momentum ${beta}, the descent diverges at 2(1 + beta)/lambda_max and above`],
      ["optimal", lim.optimal * E.stable_factor(beta), "optimal",
       `learning_rate='auto' with momentum=${beta}: (1 + beta) * 2/(lambda_min + lambda_max)`],
    ] : [
      ["1/\u03bbmax", lim.max_no_bounce, "bounce", "bouncing starts above 1/lambda_max"],
      ["2/\u03bbmax", lim.max_stable, "diverge", "the descent diverges at 2/lambda_max and above"],
      ["optimal", lim.optimal, "optimal",
       "the fastest rate, 2/(lambda_min + lambda_max): learning_rate='auto'"],
    ];
    const slider = $("rate");
    for (const [label, value, kind, why] of entries) {
      const p = positionOf(value) / RATE_STEPS;
      const mark = document.createElement("button");
      mark.type = "button";
      mark.className = "mark " + kind;
      mark.id = "mark-" + kind;
      mark.style.left = (100 * p) + "%";
      mark.textContent = `${label} = ${E.formatG(value, 3)}`;
      mark.title = `${why}: ${E.formatG(value)} (click to use it)`;
      mark.dataset.value = String(value);
      mark.addEventListener("click", () => { setRate(value); });
      marks.appendChild(mark);
      // the thumb's centre runs from 8px to the width less 8px (a 16px thumb)
      if (kind !== "optimal") {
        slider.style.setProperty("--" + kind, `calc(8px + ${p} * (100% - 16px))`);
      }
    }
  }

  function setRate(rate) {
    state.rate = rate;
    $("rate").value = String(Math.round(positionOf(rate)));
    schedule();
  }

  // -------------------------------------------------------------------
  // The views
  // -------------------------------------------------------------------

  function axis(title, extra) {
    return Object.assign({ title: { text: title, standoff: 4 }, zeroline: false,
                           automargin: true }, extra || {});
  }

  function layout(title, xaxis, yaxis, extra) {
    return Object.assign({
      title: { text: title, font: { size: 13 }, x: 0.01, xanchor: "left" },
      margin: { l: 56, r: 12, t: 28, b: 38 }, xaxis, yaxis, showlegend: false,
      hovermode: "closest", dragmode: false, uirevision: "fixed",
    }, extra || {});
  }

  /**
   * The polyline (xs, ys) up to where it leaves a rectangle ``reach`` times the
   * size of the view (x range xr, y range yr), ending at that exit point.
   * A diverging descent's numbers grow to 1e300: SVG cannot draw them, and
   * beyond the view nothing of them is seen anyway.
   */
  function clipped(xs, ys, xr, yr, reach) {
    const r = reach || 20;
    const cx = 0.5 * (xr[0] + xr[1]);
    const cy = 0.5 * (yr[0] + yr[1]);
    const hx = 0.5 * r * Math.abs(xr[1] - xr[0]);
    const hy = 0.5 * r * Math.abs(yr[1] - yr[0]);
    const inside = (x, y) => Math.abs(x - cx) <= hx && Math.abs(y - cy) <= hy;
    const out = { x: [], y: [] };
    for (let i = 0; i < xs.length; i++) {
      if (inside(xs[i], ys[i])) {
        out.x.push(xs[i]);
        out.y.push(ys[i]);
        continue;
      }
      if (i > 0 && inside(xs[i - 1], ys[i - 1])) {
        // where the segment from the last point inside crosses the border
        const [px, py, qx, qy] = [xs[i - 1], ys[i - 1], xs[i], ys[i]];
        let t = 1;
        if (Math.abs(qx - cx) > hx) {
          t = Math.min(t, (cx + Math.sign(qx - cx) * hx - px) / (qx - px));
        }
        if (Math.abs(qy - cy) > hy) {
          t = Math.min(t, (cy + Math.sign(qy - cy) * hy - py) / (qy - py));
        }
        out.x.push(px + t * (qx - px));
        out.y.push(py + t * (qy - py));
      }
      break;
    }
    return out;
  }

  /**
   * At most about 2 * KEEP points of a long polyline: the first KEEP as they are (a bounce
   * alternates from one iteration to the next: striding them would hide it), then evenly
   * spaced ones and the last.  SVG draws 1e5 points slowly; they are not seen apart anyway.
   */
  function thinned(line) {
    const KEEP = 1000;
    const n = line.x.length;
    if (n <= 2 * KEEP) return line;
    const step = Math.ceil((n - KEEP) / KEEP);
    const out = { x: line.x.slice(0, KEEP), y: line.y.slice(0, KEEP) };
    for (let i = KEEP; i < n; i += step) {
      out.x.push(line.x[i]);
      out.y.push(line.y[i]);
    }
    if ((n - 1 - KEEP) % step !== 0) {
      out.x.push(line.x[n - 1]);
      out.y.push(line.y[n - 1]);
    }
    return out;
  }

  function inView(x, y, xr, yr) {
    return x >= Math.min(...xr) && x <= Math.max(...xr) && y >= Math.min(...yr) &&
      y <= Math.max(...yr);
  }

  /** A note at the top of a view saying where the point went, when it left the view. */
  function offChart(text) {
    return [{ text, xref: "paper", yref: "paper", x: 0.5, y: 0.98, xanchor: "center",
              yanchor: "top", showarrow: false, font: { color: RED, size: 12 },
              bgcolor: "rgba(255,255,255,0.85)" }];
  }

  let dataRange = null;
  function drawData(current) {
    const xs = DATA.points.x;
    const ys = DATA.points.y;
    if (dataRange === null) {
      const pad = (lo, hi, f) => [lo - f * (hi - lo || 1), hi + f * (hi - lo || 1)];
      dataRange = { x: pad(Math.min(...xs), Math.max(...xs), 0.04),
                    y: pad(Math.min(...ys), Math.max(...ys), 0.12) };
    }
    const ends = dataRange.x;
    const line = (b0, b1) => clipped(ends, ends.map((x) => b0 + b1 * x), dataRange.x,
                                     dataRange.y, 1e6);
    const startLine = line(state.start[0], state.start[1]);
    const nowLine = line(current.b0, current.b1);
    const traces = [
      { x: xs, y: ys, mode: "markers", type: "scatter", name: DATA.n_shown < DATA.n
          ? `${DATA.n_shown} of ${DATA.n} points` : `${DATA.n} points`,
        marker: { size: 5, color: "#1f77b4", opacity: 0.6 }, hoverinfo: "skip" },
      { x: startLine.x, y: startLine.y, mode: "lines", type: "scatter", name: "start",
        line: { color: "#888", dash: "dash", width: 1.5 }, hoverinfo: "skip" },
      { x: nowLine.x, y: nowLine.y, mode: "lines", type: "scatter",
        name: `after ${current.k} iterations`, line: { color: RED, width: 2.5 },
        hoverinfo: "skip" },
    ];
    Plotly.react("plot-data", traces, layout(
      `the points and the line y = b0 + b1\u00b7${DATA.x_name}`,
      axis(DATA.x_name, { range: dataRange.x }),
      axis(DATA.y_name, { range: dataRange.y }),
      { showlegend: true,
        legend: { x: 0.01, xanchor: "left", y: 0.99, bgcolor: "rgba(255,255,255,0.8)",
                  font: { size: 11 } } }), CONFIG);
  }

  function drawContour(current) {
    const g = contourGrid();
    const h = result.history;
    const path = thinned(clipped(h.intercept.slice(0, current.row + 1),
                                 h.slope.slice(0, current.row + 1), box.b0, box.b1));
    const seen = inView(current.b0, current.b1, box.b0, box.b1);
    const traces = [
      { type: "contour", x: g.b0, y: g.b1, z: g.z, ncontours: 22, showscale: false,
        colorscale: [[0, "#fffbe8"], [0.5, "#c6dbef"], [1, "#4a88c2"]],
        contours: { coloring: "fill", showlines: true },
        line: { color: "rgba(60,60,60,0.35)", width: 0.7 },
        hovertemplate: "b0 %{x:.4g}, b1 %{y:.4g}<br>click to start here<extra></extra>" },
      { type: "scatter", mode: path.x.length < 80 ? "lines+markers" : "lines",
        // thin: a diverging path goes back and forth along one line, many times
        x: path.x, y: path.y, line: { color: PATH, width: 1.3 }, marker: { size: 4, color: PATH },
        hoverinfo: "skip" },
      { type: "scatter", mode: "markers", x: [state.start[0]], y: [state.start[1]],
        marker: { size: 13, color: RED, line: { color: "white", width: 1.5 } },
        hoverinfo: "skip", cliponaxis: false },
      { type: "scatter", mode: "markers", x: seen ? [current.b0] : [], y: seen ? [current.b1] : [],
        marker: { size: 11, color: "black", symbol: "x-thin",
                  line: { color: "black", width: 2.5 } },
        hoverinfo: "skip", cliponaxis: false },
    ];
    const note = seen ? [] : offChart(`off the chart after ${current.k} iterations: ` +
      `b0 = ${E.formatG(current.b0, 3)}, b1 = ${E.formatG(current.b1, 3)}`);
    Plotly.react("plot-contour", traces, layout(
      `${COST_NAMES[state.cost]} over (b0, b1): red dot = start (click to move it), ` +
      "\u00d7 = now", axis("b0", { range: box.b0 }), axis("b1", { range: box.b1 }),
      { annotations: note }), CONFIG);
  }

  function drawSlice(current) {
    const size = 200;
    const b1 = [];
    const J = [];
    for (let i = 0; i < size; i++) {
      const v = box.b1[0] + (box.b1[1] - box.b1[0]) * i / (size - 1);
      b1.push(v);
      J.push(E.costAt(stats, current.b0, v, state.cost));
    }
    const h = result.history;
    const yRange = [0, sliceTop];
    const trail = thinned(clipped(h.slope.slice(0, current.row + 1),
                                  h.cost.slice(0, current.row + 1), box.b1, yRange));
    const seen = inView(current.b1, current.cost, box.b1, yRange);
    const curve = clipped(b1, J, box.b1, yRange, 1e6);
    const traces = [
      { type: "scatter", mode: "lines", x: curve.x, y: curve.y,
        line: { color: "#1f77b4", width: 2 }, hoverinfo: "skip" },
      { type: "scatter", mode: "lines+markers", x: trail.x, y: trail.y,
        line: { color: "rgba(214,39,40,0.35)", width: 1 },
        marker: { size: 4, color: "rgba(214,39,40,0.35)" }, hoverinfo: "skip" },
      { type: "scatter", mode: "markers", x: seen ? [current.b1] : [],
        y: seen ? [current.cost] : [],
        marker: { size: 13, color: RED, line: { color: "white", width: 1.5 } },
        hoverinfo: "skip", cliponaxis: false },
    ];
    const note = seen ? [] : offChart(`the red dot is off the chart after ${current.k} ` +
      `iterations: b1 = ${E.formatG(current.b1, 3)}, J = ${E.formatG(current.cost, 3)}`);
    Plotly.react("plot-slice", traces, layout(
      `${COST_NAMES[state.cost]} over b1 at the current b0 = ${E.formatG(current.b0, 4)}: ` +
      "red dot = now, faint = the way down",
      axis("b1", { range: box.b1 }), axis(COST_NAMES[state.cost], { range: yRange }),
      { annotations: note }), CONFIG);
  }

  function drawCost(current) {
    const h = result.history;
    const costs = h.cost.slice(0, current.row + 1);
    const drawn = thinned({ x: h.iteration.slice(0, current.row + 1), y: costs });
    const positive = costs.filter((c) => c > 0);
    const lo = Math.min(...positive);
    const hi = Math.max(...positive);
    const log = positive.length === costs.length && hi > LOG_SCALE_SPAN * lo;
    const traces = [
      { type: "scatter", mode: costs.length <= 60 ? "lines+markers" : "lines",
        x: drawn.x, y: drawn.y,
        line: { color: "#1f77b4", width: 2 }, marker: { size: 4 },
        hovertemplate: "iteration %{x}: J = %{y:.6g}<extra></extra>" },
      { type: "scatter", mode: "markers", x: [current.k], y: [current.cost],
        marker: { size: 11, color: RED }, hoverinfo: "skip", cliponaxis: false },
    ];
    Plotly.react("plot-cost", traces, layout(
      `${COST_NAMES[state.cost]} against the iteration` + (log ? " (log scale)" : ""),
      axis("iteration", { range: [0, Math.max(current.k, 1)] }),
      axis(COST_NAMES[state.cost], log
        // a tick every decade, or every few when the cost blew up over hundreds
        ? { type: "log", autorange: true, exponentformat: "power",
            dtick: Math.max(1, Math.ceil(Math.log10(hi / lo) / 6)) }
        : { type: "linear", autorange: true, rangemode: "tozero" })), CONFIG);
  }

  // -------------------------------------------------------------------
  // The readouts
  // -------------------------------------------------------------------

  /** Show ``value`` with 7 significant digits; the exact double in data-value. */
  function show(id, value, digits) {
    const el = $(id);
    el.textContent = typeof value === "number" ? E.formatG(value, digits || 7) : value;
    el.dataset.value = String(value);
  }

  function options() {
    return { rate: state.rate, start: state.start, maxIter: state.maxIter, tol: state.tol,
             cost: state.cost, standardize: state.standardize, momentum: state.momentum };
  }

  function update() {
    const opts = options();
    result = E.descend(stats, opts);
    const h = result.history;
    const row = h.iteration.length - 1;
    const current = row >= 0
      ? { row, k: h.iteration[row], b0: h.intercept[row], b1: h.slope[row], cost: h.cost[row] }
      : { row: -1, k: 0, b0: state.start[0], b1: state.start[1], cost: Infinity };
    show("rate-value", state.rate, 6);
    show("momentum-value", state.momentum, 3);
    show("iterations-value", state.maxIter);
    $("start").textContent = `(${E.formatG(state.start[0], 5)}, ${E.formatG(state.start[1], 5)})`;
    $("start").dataset.b0 = String(state.start[0]);
    $("start").dataset.b1 = String(state.start[1]);
    show("n-iter", current.k);
    show("b0", current.b0);
    show("b1", current.b1);
    show("cost", current.cost);
    show("gradient-norm", result.gradientNorm, 3);
    const words = { converged: "converged", max_iter: "stopped at max_iter",
                    diverged: "diverged" };
    $("status").textContent = words[result.status];
    $("status").dataset.value = result.status;
    $("status").className = result.status;
    $("diagnosis").textContent = "diagnosis: " + D.diagnosis(stats, opts, result);
    $("diagnosis").className = result.status;
    drawData(current);
    drawContour(current);
    drawSlice(current);
    drawCost(current);
    document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
  }

  // one redraw per animation frame, however many input events came
  let pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      update();
    });
  }

  // -------------------------------------------------------------------
  // The controls
  // -------------------------------------------------------------------

  function stopPlaying() {
    if (state.playing !== null) {
      clearInterval(state.playing);
      state.playing = null;
      $("play").textContent = "\u25b6 play";
    }
  }

  function setIterations(k) {
    state.maxIter = Math.max(0, Math.min(k, DATA.iterations_max));
    $("iterations").value = String(state.maxIter);
    schedule();
  }

  function play() {
    if (state.playing !== null) {
      stopPlaying();
      return;
    }
    setIterations(0);
    $("play").textContent = "\u275a\u275a pause";
    state.playing = setInterval(() => {
      const k = state.maxIter;
      if (k >= DATA.iterations_max || (result && result.status !== E.STATUS.MAX_ITER && k > 0)) {
        stopPlaying();
        return;
      }
      // one iteration at a time at first, then faster
      setIterations(k + Math.max(1, Math.floor(k / 12)));
    }, 90);
  }

  function clickContour(event) {
    const div = $("plot-contour");
    const full = div._fullLayout;
    if (!full) return;
    const size = full._size;
    const rect = div.getBoundingClientRect();
    const px = event.clientX - rect.left - size.l;
    const py = event.clientY - rect.top - size.t;
    if (px < 0 || py < 0 || px > size.w || py > size.h) return;
    const xr = full.xaxis.range;
    const yr = full.yaxis.range;
    state.start = [xr[0] + (xr[1] - xr[0]) * px / size.w, yr[1] - (yr[1] - yr[0]) * py / size.h];
    fixSliceTop();
    schedule();
  }

  function init() {
    $("title").textContent = DATA.title;
    $("footer").textContent = DATA.footer;
    $("settings-note").textContent =
      `tol = ${E.formatG(state.tol)} (stops when the gradient norm is at or below it)`;
    if (state.rate === null) state.rate = currentLimits().max_no_bounce;
    fixBox();
    fixSliceTop();
    $("iterations").max = String(DATA.iterations_max);
    $("iterations").value = String(state.maxIter);
    $("rate").value = String(Math.round(positionOf(state.rate)));
    drawRateMarks();
    for (const radio of document.querySelectorAll("input[name=cost]")) {
      radio.checked = radio.value === state.cost;
      radio.addEventListener("change", () => {
        state.cost = radio.value;
        fixSliceTop();
        drawRateMarks();
        schedule();
      });
    }
    $("standardize").checked = state.standardize;
    if (DATA.standardize_refused !== null) {
      // gdfast.fit(standardize=True) refuses this x: so does the page, saying why
      $("standardize").disabled = true;
      $("standardize").parentElement.title = DATA.standardize_refused;
    }
    $("standardize").addEventListener("change", () => {
      state.standardize = $("standardize").checked;
      drawRateMarks();
      $("rate").value = String(Math.round(positionOf(state.rate)));
      state.rate = Math.min(Math.max(state.rate, rateAt(0)), rateAt(RATE_STEPS));
      schedule();
    });
    $("rate").addEventListener("input", () => {
      state.rate = rateAt(Number($("rate").value));
      schedule();
    });
    $("momentum").value = String(Math.round(100 * state.momentum));
    $("momentum").addEventListener("input", () => {
      state.momentum = Number($("momentum").value) / 100;
      // the marks and the slider's end follow the momentum; the rate stays
      drawRateMarks();
      $("rate").value = String(Math.round(positionOf(state.rate)));
      schedule();
    });
    $("iterations").addEventListener("input", () => {
      stopPlaying();
      state.maxIter = Number($("iterations").value);
      schedule();
    });
    $("play").addEventListener("click", play);
    $("step").addEventListener("click", () => {
      stopPlaying();
      setIterations(state.maxIter + 1);
    });
    $("plot-contour").addEventListener("click", clickContour);
    update();
    // the tests read this; people need not
    window.gdfastExplorer = { engine: E, stats, state, update, result: () => result,
                              box: () => box, setRate, setIterations };
  }

  init();
})();
