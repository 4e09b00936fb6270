"""The explorer page in a real browser (headless Chromium driven by Selenium).

The page's JavaScript descent, limits and diagnosis against gdfast.fit's; the
controls moved and the contour clicked with the mouse, the numbers shown read
back and checked against gdfast.fit; no console error and no network request;
screenshots at the start, at a bouncing rate and at a diverging one.

The tolerance, 1e-12 relative: the page's descent transcribes the kernel's
arithmetic from the same statistics, but is not bit for bit the kernel's.  The
AVX2 and AVX-512 builds of gdfast's kernels (the ones these machines run) are
compiled with FMA, so the C compiler may fuse a multiply and an add into one
rounding where JavaScript rounds twice; fit(method="stats") on one feature sums
its statistics in its own kernel, an ulp away from gdfast.Statistics', which
the page carries; and method="batch" sums the residuals point by point.  Those
last-bit differences stay last-bit through a stable descent (each iteration
shrinks them) and stay relative through a diverging one (they grow as the
iterates do).  The gradient near the minimum is a difference of nearly equal
terms, so it is compared to the start's gradient norm, not to itself.

Locally the module is skipped when Chromium or chromedriver is missing;
.ci/run sets GDFAST_REQUIRE_BROWSER=1, which turns that skip into a failure.
Screenshots go to pytest's temporary folder, or to $GDFAST_SCREENSHOTS.
"""
import itertools
import math
import os
import re
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

import gdfast
from gdfast.cli import _demo

RTOL = 1e-12
WINDOW = (1280, 1120)   # the viewport is about 140 px shorter: the whole page


def _browser_paths():
    """(chromium, chromedriver): their paths, None where missing."""
    chromium = next(filter(None, map(shutil.which, ("chromium", "chromium-browser",
                                                   "google-chrome"))), None)
    driver = shutil.which("chromedriver")
    return chromium, driver


@pytest.fixture(scope="module")
def browser():
    chromium, driver_path = _browser_paths()
    if chromium is None or driver_path is None:
        message = ("Chromium and chromedriver are needed for the explorer's browser tests "
                   "(Debian: apt-get install chromium chromium-driver; .ci/run installs them)")
        if os.environ.get("GDFAST_REQUIRE_BROWSER") == "1":
            pytest.fail(message + ", and GDFAST_REQUIRE_BROWSER=1 forbids skipping")
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     f"--window-size={WINDOW[0]},{WINDOW[1]}", "--hide-scrollbars",
                     "--force-device-scale-factor=1", "--disable-gpu"):
        options.add_argument(argument)
    # the console (errors) and the network (requests) as the browser logs them
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    # the system's chromedriver, named: Selenium looks nothing up and downloads nothing
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def demo_page(tmp_path_factory):
    """The page `gdfast explore` writes (the demo's data, from (0, -5)): (path, x, y)."""
    from gdfast.cli import main

    path = tmp_path_factory.mktemp("explore") / "explore.html"
    assert main(["explore", "--out", str(path)]) == 0
    x, y = _demo.make_points(100, 0)
    return path, x, y


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = os.environ.get("GDFAST_SCREENSHOTS")
    folder = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _open(driver, path):
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(path.as_uri())
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script("return Number(document.body.dataset.updates || 0) > 0"))
    driver.get_log("browser")       # start each test's logs from here
    driver.get_log("performance")


def _changes(driver, action):
    """Do ``action`` (mouse, keys) and wait until the page has redrawn after it."""
    from selenium.webdriver.support.ui import WebDriverWait

    before = driver.execute_script("return document.body.dataset.updates")
    action()
    WebDriverWait(driver, 20).until(
        lambda d: d.execute_script("return document.body.dataset.updates") != before)


def _shown(driver):
    """The numbers the page shows: its readouts' exact values (data-value) and texts."""
    return driver.execute_script("""
        const v = (id) => document.getElementById(id).dataset.value;
        const s = document.getElementById('start').dataset;
        return {rate: v('rate-value'), iterations: v('iterations-value'), n_iter: v('n-iter'),
                b0: v('b0'), b1: v('b1'), cost: v('cost'), gradient_norm: v('gradient-norm'),
                status: v('status'), start: [s.b0, s.b1],
                diagnosis: document.getElementById('diagnosis').textContent,
                b0_text: document.getElementById('b0').textContent};""")


def _console_errors(driver):
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def _requests(driver):
    """URLs the page asked the network for (Chrome's performance log)."""
    import json

    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _fit(x, y, **options):
    """gdfast.fit with the warnings it gives recorded: (result, how it ended, warnings)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = gdfast.fit(x, y, tol=1e-6, **options)
            ended = "converged" if result.converged else "max_iter"
        except gdfast.DivergenceError as err:
            result, ended = err.result, "diverged"
    return result, ended, [type(w.message) for w in caught]


def _expected_warnings(ended, rate, limits, momentum=0.0):
    """The warnings gdfast.fit gives for a descent that ended so, at this rate."""
    expected = []
    if rate >= limits.max_stable * (1.0 + momentum):   # the heavy ball's limit
        expected.append(gdfast.DivergenceWarning)
    if ended == "max_iter":
        expected.append(gdfast.ConvergenceWarning)
    return expected


# ---------------------------------------------------------------------------
# The page's arithmetic against gdfast's
# ---------------------------------------------------------------------------
def _page_descent(driver, options):
    """Run the page's descent (GdfastEngine.descend) with ``options``, and its diagnosis
    (GdfastDiagnosis.diagnosis); numbers as floats."""
    out = driver.execute_script("""
        const E = window.GdfastEngine, D = window.GdfastDiagnosis;
        const stats = window.gdfastExplorer.stats;
        const opts = arguments[0];
        const r = E.descend(stats, opts);
        const h = r.history;
        return {iteration: h.iteration, intercept: h.intercept.map(String),
                slope: h.slope.map(String), cost: h.cost.map(String), status: r.status,
                n_iter: r.nIter, gradient_norm: String(r.gradientNorm),
                diagnosis: D.diagnosis(stats, opts, r)};""", options)
    for key in ("intercept", "slope", "cost"):
        out[key] = np.array([float(v) for v in out[key]])
    out["gradient_norm"] = float(out["gradient_norm"])
    return out


def _agree(page, result, ended):
    """The page's descent equals gdfast.fit's result, row by row, to RTOL."""
    h = result.history
    assert page["status"] == ended
    assert page["n_iter"] == result.n_iter
    assert page["iteration"] == h.iteration.tolist()
    # each row's parameters to RTOL of the row's size (b0 or b1 alone may cross zero)
    size = np.maximum(np.hypot(h.intercept, h.slope), 1e-300)
    assert np.all(np.abs(page["intercept"] - h.intercept) <= RTOL * size)
    assert np.all(np.abs(page["slope"] - h.slope) <= RTOL * size)
    np.testing.assert_allclose(page["cost"], h.cost, rtol=RTOL, atol=0)
    start_gradient = max(abs(page["gradient_norm"]), 1.0)
    assert abs(page["gradient_norm"] - result.gradient_norm) <= RTOL * max(
        start_gradient, abs(result.gradient_norm))


def _expected_diagnosis(result, page):
    """The words the page must write: gdfast's, exactly ...

    ... but for a gradient at the rounding floor (a standardized descent lands on the
    minimum in a few steps), whose digits are noise: summed in another order (batch), or
    with the compiled engine's fused multiply-adds (stats): the page's there.
    """
    expected = result.diagnosis
    if result.gradient_norm < 1e-12 * result.history.cost[0]:
        expected = re.sub(r"gradient norm \S+ ", "gradient norm {} ", expected).format(
            re.search(r"gradient norm (\S+) ", page["diagnosis"]).group(1))
    return expected


CASES = [  # (cost, standardize, rate in units of 1/lambda_max or "optimal", start, max_iter)
    ("half_mse", False, 0.05, (0.0, -5.0), 1000),     # crawls: stops at max_iter
    ("half_mse", False, 1.0, (0.0, -5.0), 1000),      # rolls down, converges
    ("half_mse", False, 1.6, (0.0, -5.0), 1000),      # bounces, converges
    ("half_mse", False, "optimal", (3.0, 4.0), 1000),
    ("half_mse", False, 1.98, (0.0, -5.0), 1000),     # bounces for long
    ("half_mse", False, 2.3, (0.0, -5.0), 2000),      # diverges
    ("half_mse", False, 1.6, (-2.0, 8.0), 7),         # stopped early while bouncing
    ("mse", False, 0.5, (0.0, -5.0), 1000),
    ("mse", False, 1.5, (1.0, 1.0), 1000),
    ("mse", False, 2.5, (0.0, -5.0), 2000),
    ("half_mse", True, 0.3, (0.0, -5.0), 1000),
    ("half_mse", True, 1.0, (0.0, -5.0), 1000),
    ("half_mse", True, 1.7, (0.0, -5.0), 1000),
    ("mse", True, 2.2, (0.0, -5.0), 2000),
    ("mse", True, 0.9, (5.0, 5.0), 3),
    # the heavy ball (momentum beta last): the page's slider
    ("half_mse", False, 1.0, (0.0, -5.0), 1000, 0.5),      # converges
    ("half_mse", False, 0.05, (0.0, -5.0), 1000, 0.9),     # a crawling rate, sped up
    ("half_mse", False, 2.5, (0.0, -5.0), 1000, 0.5),      # above 2/lambda_max, stable
    ("half_mse", False, 3.2, (0.0, -5.0), 2000, 0.5),      # above 2(1 + beta)/lambda_max
    ("mse", True, 1.0, (0.0, -5.0), 1000, 0.8),
    ("half_mse", False, 0.3, (0.0, -5.0), 7, 0.95),        # stopped early
]


@pytest.mark.parametrize("method", ["stats", "batch"])
def test_the_pages_descent_and_diagnosis_are_gdfasts(browser, demo_page, method):
    path, x, y = demo_page
    _open(browser, path)
    for cost, standardize, rate, start, max_iter, *momentum in CASES:
        momentum = momentum[0] if momentum else 0.0
        limits = gdfast.learning_rate_limits(x, cost=cost, standardize=standardize)
        rate = limits.optimal if rate == "optimal" else rate * limits.max_no_bounce
        options = dict(learning_rate=rate, init=start, max_iter=max_iter, cost=cost,
                       standardize=standardize, momentum=momentum)
        result, ended, given = _fit(x, y, method=method, **options)
        assert given == _expected_warnings(ended, rate, limits, momentum)
        page = _page_descent(browser, {"rate": rate, "start": list(start), "maxIter": max_iter,
                                       "tol": 1e-6, "cost": cost, "standardize": standardize,
                                       "momentum": momentum})
        _agree(page, result, ended)
        assert page["diagnosis"] == _expected_diagnosis(result, page), (cost, standardize, rate,
                                                                        momentum)
    assert _console_errors(browser) == []


# Hessians of one feature with an intercept, [[1, m], [m, v + m**2]] (times 2 for "mse"):
# well and badly conditioned, past 1/eps, singular, and one whose squares overflow
_HESSIANS = [[[f, f * m], [f * m, f * (v + m * m)]] for m, v in
             [(0.5, 1.0), (30.0, 1.0), (2000.0, 0.75), (1e9, 1.0)] for f in (1.0, 2.0)] + [
    [[1.0, 1.0], [1.0, 1.0]], [[1.0, 1e200], [1e200, math.inf]]]


def _diagnose_cases():
    """Arguments of _diagnosis.diagnose reaching each of its branches, as lists of floats."""
    from gdfast._engine import kernels as _kernels

    statuses = [_kernels.STATUS_CONVERGED, _kernels.STATUS_MAX_ITER, _kernels.STATUS_DIVERGED,
                _kernels.STATUS_RUNNING]
    for h, status in itertools.product(_HESSIANS, statuses):
        limits = gdfast.LearningRateLimits.from_hessian(np.array(h), True)
        step = limits.max_no_bounce if math.isfinite(limits.max_no_bounce) else 1.0
        rates = [rate for rate in [limits.optimal, step, 0.01 * step, 1.5 * step, 1.99 * step,
                                   2.5 * step, (1 + 1e-10) * step] if math.isfinite(rate)]
        stops = [None, "callback", "memory"] if status == _kernels.STATUS_RUNNING else [None]
        tols = [1e-6, None, 0.0] if status == _kernels.STATUS_MAX_ITER else [1e-6]
        headlines = [True, False] if status == _kernels.STATUS_DIVERGED else [True]
        for rate, n_iter, tol, norm, points, stopped_by, headline in itertools.product(
                rates, [1, 40, 1500, 100_000], tols, [3.2e-4, 0.0, math.inf, 5e300], [100, 1],
                stops, headlines):
            yield h, rate, status, n_iter, 1000, tol, norm, 2, points, stopped_by, headline


def test_the_diagnosis_port_is_diagnose_on_every_branch(browser, demo_page):
    """GdfastDiagnosis.diagnose and unstable_rate_warning, and the engine's
    LearningRateLimits, against gdfast's on each branch of _diagnosis.py (statuses,
    stops, tol=None, headline=False, more parameters than points, overflow) — those the
    page's own descents never reach too."""
    from gdfast import _diagnosis
    from gdfast._engine import kernels as _kernels

    names = {_kernels.STATUS_RUNNING: "running", _kernels.STATUS_CONVERGED: "converged",
             _kernels.STATUS_MAX_ITER: "max_iter", _kernels.STATUS_DIVERGED: "diverged"}
    cases = list(_diagnose_cases())
    expected = [_diagnosis.diagnose(gdfast.LearningRateLimits.from_hessian(np.array(h), True),
                                    *rest) for h, *rest in cases]
    _open(browser, demo_page[0])
    got = browser.execute_script("""
        const E = window.GdfastEngine, D = window.GdfastDiagnosis;
        const number = (v) => (v === null ? null : Number(v));
        const limits = (h) => E.LearningRateLimits.from_hessian(h.map((row) => row.map(Number)),
                                                                true);
        const fields = (lim) => [lim.eigenvalues, lim.max_stable, lim.max_no_bounce,
                                 lim.optimal, lim.condition_number, lim.rate(), lim.rate(0.1),
                                 lim.iterations(), lim.iterations(0.1, 1e-3)].flat().map(String);
        return {
          diagnoses: arguments[0].map(([h, rate, status, nIter, maxIter, tol, norm, nParams,
                                        nPoints, stoppedBy, headline]) =>
            D.diagnose(limits(h), number(rate), status, nIter, maxIter, number(tol),
                       number(norm), nParams, nPoints, stoppedBy, headline)),
          warnings: arguments[1].map((h) => D.unstable_rate_warning(
            2.5 * limits(h).max_no_bounce, limits(h))),
          limits: arguments[1].map((h) => fields(limits(h))),
          standardized: arguments[1].map((h) => {
            const s = limits(h).standardized;
            return s === null ? null : fields(s);
          }),
          constants: Object.fromEntries(arguments[2].map((name) => [name, String(D[name])])),
        };""",
        [[[[_js_number(v) for v in row] for row in h], _js_number(rate), names[status], n_iter,
          max_iter, None if tol is None else _js_number(tol), _js_number(norm), n_params,
          n_points, stopped_by, headline]
         for h, rate, status, n_iter, max_iter, tol, norm, n_params, n_points, stopped_by,
         headline in cases],
        [[[_js_number(v) for v in row] for row in h] for h in _HESSIANS],
        [name for name in _diagnosis_constants()])

    # the words, exactly, case by case
    for case, page, text in zip(cases, got["diagnoses"], expected):
        assert page == text, case
    for h, page in zip(_HESSIANS, got["warnings"]):
        limits = gdfast.LearningRateLimits.from_hessian(np.array(h), True)
        assert page == _diagnosis.unstable_rate_warning(2.5 * limits.max_no_bounce, limits)

    # the limits, to a few ulps: the eigenvalues' closed form calls hypot, which Python
    # and JavaScript may round differently in the last bit
    def fields(limits):
        return [*limits.eigenvalues, limits.max_stable, limits.max_no_bounce, limits.optimal,
                limits.condition_number, limits.rate(), limits.rate(0.1), limits.iterations(),
                limits.iterations(0.1, 1e-3)]

    for h, page, standard in zip(_HESSIANS, got["limits"], got["standardized"]):
        limits = gdfast.LearningRateLimits.from_hessian(np.array(h), True)
        np.testing.assert_allclose([float(v) for v in page], fields(limits), rtol=4e-16, atol=0)
        if limits.standardized is None:
            assert standard is None, h
        else:
            np.testing.assert_allclose([float(v) for v in standard], fields(limits.standardized),
                                       rtol=4e-16, atol=0)
    # the constants, the same numbers
    assert {name: float(v) for name, v in got["constants"].items()} == _diagnosis_constants()
    # and the cases reached every branch: each sentence's opening words are said somewhere
    said = " ".join(expected)
    for words in ["converged in 1 iteration:", "at the optimal rate", "diverged: the squares",
                  "is at or above this data's", "is below the stability limit",
                  "stopped by the callback", "ran out of memory", "stopped by Ctrl-C",
                  "(tol=None)", "would never converge", "overshoots less", "which is harmless",
                  "The solution is not unique", "Ill-conditioned beyond",
                  "Ill-conditioned: condition", "(for a millionfold", "lambda_max / lambda_min",
                  "Loosen tol", "Use learning_rate='auto'", "would need about",
                  "Raise max_iter", "million iterations", "billion iterations", "1,500"]:
        assert words in said, words
    assert any(text.startswith("learning_rate=") for text in expected)   # headline=False


def _diagnosis_constants():
    """_diagnosis.py's module-level numbers, by name."""
    from gdfast import _diagnosis

    return {name: float(value) for name, value in vars(_diagnosis).items()
            if name.lstrip("_").isupper() and isinstance(value, (int, float))}


ILL_CONDITIONED = {  # name: (x's offset, x's spread, rates in 1/lambda_max or "optimal", max_iter)
    # years near 2000: condition number ~1e13, at max_iter long before converging
    "years": (2000.0, 3.0, (0.5, 1.0, 1.5, 2.1), (40,)),
    # x near 3: condition number ~1e3, converges in thousands of iterations
    "offset": (2.5, 1.0, ("optimal", 1.5, 2.1), (500, 20_000)),
}


@pytest.mark.parametrize("name", ILL_CONDITIONED)
def test_the_diagnosis_of_ill_conditioned_data_is_gdfasts(browser, tmp_path, name):
    """The 'Ill-conditioned' sentence, and standardize=True's gain after a slow descent, a
    stopped one and a divergence, as gdfast writes them."""
    offset, spread, rates, max_iters = ILL_CONDITIONED[name]
    rng = np.random.default_rng(7)
    x = offset + rng.uniform(0, spread, 60)
    y = 0.5 * (x - offset) + rng.normal(0, 0.2, 60)
    path = tmp_path / f"{name}.html"
    gdfast.explore(x, y, path)
    _open(browser, path)
    limits = gdfast.learning_rate_limits(x)
    assert limits.condition_number > 1e3
    said = []
    for rate, max_iter in itertools.product(rates, max_iters):
        rate = limits.optimal if rate == "optimal" else rate * limits.max_no_bounce
        result, ended, _ = _fit(x, y, method="stats", learning_rate=rate, max_iter=max_iter)
        page = _page_descent(browser, {"rate": rate, "start": [0.0, 0.0], "maxIter": max_iter,
                                       "tol": 1e-6, "cost": "half_mse", "standardize": False})
        assert page["status"] == ended and page["n_iter"] == result.n_iter
        assert page["diagnosis"] == result.diagnosis
        if ended == "max_iter":
            assert "Ill-conditioned: condition number" in page["diagnosis"]
        said.append((ended, page["diagnosis"]))
    # the cases said what they are here to check: standardize=True's gain after each ending
    gain = "standardize=True (CLI: --standardize) would converge in about 1 iteration against"
    endings = {"years": {"max_iter", "diverged"},
               "offset": {"converged", "max_iter", "diverged"}}
    assert {ended for ended, text in said if gain in text} == endings[name]


FORMAT_VALUES = [0.0, -0.0, 1.0, -1.0, 0.5, 1.5, -0.5, -1.5, 3.5, 4.5, 0.125, 0.375, 2.5,
                 12.34375, 12.34625, 1e-4,
                 9.9999e-5, 0.0001234567, 123456.5, 1234567.0, 999999.5, 9.9999995,
                 1e16, 1.5e-300, 5e-324, 1.7976931348623157e308, math.inf, -math.inf,
                 math.nan, 1 / 3, 2 / 3, 0.1, 100.0, 1e21, 123.456e-10]


def _js_number(value):
    """``value`` as JavaScript's Number() reads it back exactly."""
    return {"inf": "Infinity", "-inf": "-Infinity", "nan": "NaN"}.get(repr(value), repr(value))


def test_numbers_are_written_as_python_writes_them(browser, demo_page):
    """GdfastEngine.format(value, spec) is Python's format() for every spec the diagnosis
    uses, and GdfastDiagnosis.round_down is _diagnosis.round_down."""
    rng = np.random.default_rng(11)
    values = FORMAT_VALUES + (rng.standard_normal(200) * 10.0 ** rng.integers(-12, 12, 200)
                              ).tolist()
    specs = ["g", ".1g", ".2g", ".3g", ".6g", ".17g"]
    # the iteration counts _count writes with ",": whole numbers, a few past a million
    counts = [0, 1, 7, 999, 1000, 4294, 99_999, 123_456, 999_999, 1_000_000, 2**53] + \
        np.ceil(10.0 ** rng.uniform(0, 6, 100)).tolist()
    _open(browser, demo_page[0])
    got = browser.execute_script("""
        const E = window.GdfastEngine, D = window.GdfastDiagnosis;
        const values = arguments[0].map(Number), specs = arguments[1];
        let refused = null;
        try { E.format(1.5, ".2f"); } catch (err) { refused = err.message; }
        return {g: values.map((v) => specs.map((spec) => E.format(v, spec))),
                f: values.map((v) => E.format(v, ".0f")),
                thousands: arguments[2].map((v) => E.format(v, ",")),
                down: values.map((v) => [String(D.round_down(v)), String(D.round_down(v, 2))]),
                refused};""", [_js_number(v) for v in values], specs, counts)
    for value, texts in zip(values, got["g"]):
        assert texts == [format(value, spec) for spec in specs], value
    # ".0f" writes the digits the diagnosis allows (0 to 16): whole numbers below 2**53
    for value, text in zip(values, got["f"]):
        if abs(value) < 2.0 ** 53:
            assert text == format(value, ".0f"), value
    assert got["thousands"] == [format(int(n), ",") for n in counts]
    # a spec the port does not write is refused, not written some other way
    assert got["refused"] == 'format spec ".2f" of 1.5 is not ported'
    from gdfast._diagnosis import round_down

    for value, down in zip(values, got["down"]):
        # (round_down's step underflows to 0 on subnormals, which no limit it rounds reaches)
        if 1e-300 < value < math.inf:
            assert [float(d) for d in down] == [round_down(value), round_down(value, 2)], value


# ---------------------------------------------------------------------------
# The page, worked with the mouse
# ---------------------------------------------------------------------------
def _slider_fraction(x, rate, limits_half):
    """Where ``rate`` sits on the page's learning-rate slider (its log scale), 0..1."""
    lo = math.log10(limits_half.max_no_bounce / 2) - 1.5
    hi = math.log10(limits_half.max_stable) + 0.2
    return (math.log10(rate) - lo) / (hi - lo)


def _drag_rate_slider(driver, fraction):
    """Drag the learning-rate slider's thumb to ``fraction`` of its track, with the mouse."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    slider = driver.find_element(By.ID, "rate")
    width = slider.size["width"]
    value = int(slider.get_attribute("value")) / 1000
    thumb = 8 + value * (width - 16) - width / 2     # from the centre; the thumb is 16px
    target = 8 + fraction * (width - 16) - width / 2
    _changes(driver, lambda: ActionChains(driver).move_to_element_with_offset(
        slider, round(thumb), 0).click_and_hold().move_by_offset(
        round(target - thumb), 0).release().perform())


def _check_against_fit(shown, x, y, *, cost="half_mse", standardize=False):
    """The page's readouts are gdfast.fit's for the rate, start and iterations it shows."""
    rate = float(shown["rate"])
    start = tuple(float(v) for v in shown["start"])
    max_iter = int(shown["iterations"])
    for method in ("stats", "batch"):
        result, ended, _ = _fit(x, y, method=method, learning_rate=rate, init=start,
                                max_iter=max_iter, cost=cost, standardize=standardize)
        assert shown["status"] == ended
        assert int(shown["n_iter"]) == result.n_iter
        size = math.hypot(result.intercept, result.slope)
        assert abs(float(shown["b0"]) - result.intercept) <= RTOL * size
        assert abs(float(shown["b1"]) - result.slope) <= RTOL * size
        assert float(shown["cost"]) == pytest.approx(result.cost, rel=RTOL, abs=0)
        assert shown["diagnosis"] == "diagnosis: " + result.diagnosis
    return result


def test_moving_the_slider_clicking_the_contour_and_the_numbers_shown(browser, demo_page,
                                                                      shots):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    path, x, y = demo_page
    _open(browser, path)
    limits = gdfast.learning_rate_limits(x)

    # the start: 1/lambda_max, from (0, -5): the red dot rolls down and converges
    shown = _shown(browser)
    assert float(shown["rate"]) == limits.max_no_bounce
    assert [float(v) for v in shown["start"]] == [0.0, -5.0]
    result = _check_against_fit(shown, x, y)
    assert result.converged and shown["b0_text"] == format(result.intercept, ".7g")
    browser.save_screenshot(str(shots / "explore-start.png"))

    # the slider to a bouncing rate, by dragging its thumb
    _drag_rate_slider(browser, _slider_fraction(x, 1.7 * limits.max_no_bounce, limits))
    shown = _shown(browser)
    rate = float(shown["rate"])
    assert limits.max_no_bounce < rate < limits.max_stable
    assert rate == pytest.approx(1.7 * limits.max_no_bounce, rel=0.02)   # a pixel's worth
    result = _check_against_fit(shown, x, y)
    assert result.converged and "The parameters were bouncing" in shown["diagnosis"]
    browser.save_screenshot(str(shots / "explore-bouncing.png"))

    # a diverging rate; 30 iterations, so the growing bounces are on the charts
    _drag_rate_slider(browser, _slider_fraction(x, 2.1 * limits.max_no_bounce, limits))
    iterations = browser.find_element(By.ID, "iterations")
    _changes(browser, lambda: ActionChains(browser).move_to_element_with_offset(
        iterations, round(8 + 0.03 * (iterations.size["width"] - 16)
                          - iterations.size["width"] / 2), 0).click().perform())
    shown = _shown(browser)
    assert float(shown["rate"]) > limits.max_stable
    assert 20 <= int(shown["iterations"]) <= 40
    result = _check_against_fit(shown, x, y)
    # above the limit the cost rises: the descent stops where it has doubled, as fit does
    assert shown["status"] == "diverged" and shown["diagnosis"].startswith(
        "diagnosis: diverged: learning_rate=")
    assert result.history.cost[-1] > 2 * result.history.cost[0]
    assert 1 <= result.n_iter <= int(shown["iterations"])
    browser.save_screenshot(str(shots / "explore-diverging.png"))

    # all the iterations (the End key): the same divergence, at the same iteration
    stopped_at = result.n_iter
    _changes(browser, lambda: iterations.send_keys(Keys.END))
    shown = _shown(browser)
    result = _check_against_fit(shown, x, y)
    assert int(shown["iterations"]) == 1000 and result.n_iter == stopped_at
    # ... and at the top of the slider's range: diverged, as fit says
    _changes(browser, lambda: browser.find_element(By.ID, "rate").send_keys(Keys.END))
    shown = _shown(browser)
    _check_against_fit(shown, x, y)
    assert shown["status"] == "diverged" and shown["diagnosis"].startswith(
        "diagnosis: diverged: learning_rate=")

    # back to a good rate, then click the contour: the start moves where the click was
    _drag_rate_slider(browser, _slider_fraction(x, 0.9 * limits.max_no_bounce, limits))
    contour = browser.find_element(By.ID, "plot-contour")
    left, top, width, height, x_range, y_range = browser.execute_script("""
        const full = document.getElementById('plot-contour')._fullLayout;
        return [full._size.l, full._size.t, full._size.w, full._size.h, full.xaxis.range,
                full.yaxis.range];""")
    px, py = left + round(0.8 * width), top + round(0.3 * height)
    _changes(browser, lambda: ActionChains(browser).move_to_element_with_offset(
        contour, px - contour.size["width"] // 2, py - contour.size["height"] // 2
    ).click().perform())
    shown = _shown(browser)
    b0, b1 = (float(v) for v in shown["start"])
    pixel = ((x_range[1] - x_range[0]) / width, (y_range[1] - y_range[0]) / height)
    assert abs(b0 - (x_range[0] + 0.8 * (x_range[1] - x_range[0]))) <= 1.5 * pixel[0]
    assert abs(b1 - (y_range[1] - 0.3 * (y_range[1] - y_range[0]))) <= 1.5 * pixel[1]
    _check_against_fit(shown, x, y)
    browser.save_screenshot(str(shots / "explore-clicked-start.png"))

    # the cost and standardize controls, clicked
    _changes(browser, lambda: browser.find_element(
        By.CSS_SELECTOR, "input[name=cost][value=mse]").click())
    _check_against_fit(_shown(browser), x, y, cost="mse")
    _changes(browser, lambda: browser.find_element(By.ID, "standardize").click())
    _check_against_fit(_shown(browser), x, y, cost="mse", standardize=True)

    assert _console_errors(browser) == []
    assert [url for url in _requests(browser) if not url.startswith(("file:", "data:"))] == []
    for name in ("start", "bouncing", "diverging", "clicked-start"):
        assert (shots / f"explore-{name}.png").stat().st_size > 10_000


def test_the_marks_play_and_step(browser, demo_page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    path, x, y = demo_page
    _open(browser, path)
    limits = gdfast.learning_rate_limits(x)
    marks = {kind: float(browser.find_element(By.ID, f"mark-{kind}").get_attribute("data-value"))
             for kind in ("bounce", "diverge", "optimal")}
    assert marks["bounce"] == pytest.approx(limits.max_no_bounce, rel=1e-14)
    assert marks["diverge"] == pytest.approx(limits.max_stable, rel=1e-14)
    assert marks["optimal"] == pytest.approx(limits.optimal, rel=1e-14)
    # a mark is ordered left to right on the slider as its rate
    lefts = {kind: browser.find_element(By.ID, f"mark-{kind}").location["x"] for kind in marks}
    assert lefts["bounce"] < lefts["optimal"] < lefts["diverge"]

    # click the optimal mark: the rate is exactly learning_rate='auto''s
    _changes(browser, lambda: browser.find_element(By.ID, "mark-optimal").click())
    shown = _shown(browser)
    assert float(shown["rate"]) == marks["optimal"]
    auto = _check_against_fit(shown, x, y)

    # play: from 0 iterations up until the descent has converged
    browser.find_element(By.ID, "play").click()
    WebDriverWait(browser, 60).until(
        lambda d: d.find_element(By.ID, "play").text.endswith("play"))
    shown = _shown(browser)
    assert shown["status"] == "converged" and int(shown["n_iter"]) == auto.n_iter
    # step: one more iteration asked for; it had converged, so nothing changes
    _changes(browser, lambda: browser.find_element(By.ID, "step").click())
    assert int(_shown(browser)["iterations"]) == int(shown["iterations"]) + 1
    assert _shown(browser)["n_iter"] == shown["n_iter"]
    assert _console_errors(browser) == []


def test_a_long_descent_is_drawn_thinned_and_shown_exactly(browser, tmp_path):
    """20 000 iterations at a crawling rate: the charts draw about 2000 points of each line
    (the first 1000 all), the readouts are still gdfast.fit's."""
    x, y = _demo.make_points(100, 0)
    rate = 0.02 * gdfast.learning_rate_limits(x).max_no_bounce
    path = tmp_path / "long.html"
    gdfast.explore(x, y, path, init=(0.0, -5.0), learning_rate=rate, max_iter=20_000)
    _open(browser, path)
    shown = _shown(browser)
    assert float(shown["rate"]) == rate and int(shown["iterations"]) == 20_000
    result = _check_against_fit(shown, x, y)
    assert result.n_iter > 5000
    drawn = browser.execute_script("""
        const cost = document.getElementById('plot-cost').data[0];
        const path = document.getElementById('plot-contour').data[1];
        return [cost.x.length, cost.x.slice(0, 1001), cost.x[cost.x.length - 1],
                path.x.length];""")
    assert 1000 < drawn[0] <= 2002 and 1000 < drawn[3] <= 2002
    assert drawn[1] == list(range(1001)) and drawn[2] == result.n_iter
    assert _console_errors(browser) == []


def test_x_that_standardize_cannot_scale_has_no_standardize_switch(browser, tmp_path):
    """As gdfast.fit(standardize=True) refuses x whose variance is below float64's normal
    range, the page's switch is off and says why; the rest of the page is fit's."""
    from selenium.webdriver.common.by import By

    x, y = np.array([0.0, 1e-160, 2e-160]), np.array([1.0, 2.0, 3.0])
    path = tmp_path / "tiny.html"
    gdfast.explore(x, y, path, learning_rate=0.5, max_iter=10)
    _open(browser, path)
    switch = browser.find_element(By.ID, "standardize")
    assert not switch.is_enabled() and not switch.is_selected()
    reason = switch.find_element(By.XPATH, "..").get_attribute("title")
    assert reason.startswith("standardize=True cannot scale column x[:, 0]")
    _check_against_fit(_shown(browser), x, y)
    assert _console_errors(browser) == []


def test_the_notebook_frame_shows_the_page(browser, tmp_path):
    x, y = _demo.make_points(50, 3)
    explorer = gdfast.explore(x, y, init=(1.0, -2.0))
    notebook = tmp_path / "notebook.html"
    notebook.write_text(f"<!DOCTYPE html><html><body>{explorer._repr_html_()}</body></html>",
                        encoding="utf-8")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(notebook.as_uri())
    browser.switch_to.frame(browser.find_element(By.TAG_NAME, "iframe"))
    try:
        WebDriverWait(browser, 30).until(
            lambda d: d.execute_script("return Number(document.body.dataset.updates || 0) > 0"))
        shown = _shown(browser)
        assert [float(v) for v in shown["start"]] == [1.0, -2.0]
        _check_against_fit(shown, x, y)
        assert len(browser.find_elements(By.CSS_SELECTOR, ".plot .main-svg")) >= 4
    finally:
        browser.switch_to.default_content()
    assert _console_errors(browser) == []


def test_ci_installs_chromium_and_forbids_skipping():
    """.ci/run installs the browser and the extra, and sets the switch that fails a skip."""
    root = Path(__file__).resolve().parents[1]
    ci = (root / ".ci" / "run").read_text()
    before_tests = ci.split("&& pytest", 1)[0]
    assert "apt-get install -y -qq --no-install-recommends chromium chromium-driver" in ci
    assert "export GDFAST_REQUIRE_BROWSER=1" in before_tests
    assert re.search(r'pip install "\.\[test,[a-z,]*explore[a-z,]*\]" && pytest', ci)
    readme = (root / "README.md").read_text()
    assert re.search(r'pip install "\.\[test,[a-z,]*explore[a-z,]*\]" && pytest', readme)


def test_the_momentum_slider(browser, demo_page, shots):
    from selenium.webdriver.common.by import By

    path, x, y = demo_page
    _open(browser, path)
    slider = browser.find_element(By.ID, "momentum")
    assert slider.get_attribute("value") == "0"

    def move_to(position):
        browser.execute_script("const s = arguments[0]; s.value = arguments[1]; "
                               "s.dispatchEvent(new Event('input'));", slider, str(position))

    _changes(browser, lambda: move_to(80))
    shown = _shown(browser)
    momentum = float(browser.find_element(By.ID, "momentum-value").get_attribute("data-value"))
    assert momentum == 0.8
    result, ended, _ = _fit(x, y, method="stats", learning_rate=float(shown["rate"]),
                            momentum=momentum, init=[float(v) for v in shown["start"]],
                            max_iter=int(shown["iterations"]))
    assert shown["status"] == ended and int(shown["n_iter"]) == result.n_iter
    assert float(shown["b1"]) == pytest.approx(result.slope, rel=RTOL, abs=RTOL)
    assert shown["diagnosis"] == "diagnosis: " + result.diagnosis
    browser.save_screenshot(str(shots / "explore-momentum.png"))
    assert _console_errors(browser) == []


def test_the_rate_marks_follow_the_momentum(browser, demo_page, shots):
    from selenium.webdriver.common.by import By

    path, x, y = demo_page
    _open(browser, path)
    limits = gdfast.learning_rate_limits(x)
    slider = browser.find_element(By.ID, "momentum")
    rate_before = float(_shown(browser)["rate"])

    def marks():
        return {kind: float(browser.find_element(By.ID, f"mark-{kind}").get_attribute(
            "data-value")) for kind in ("bounce", "diverge", "optimal")}

    def move_to(position):
        browser.execute_script("const s = arguments[0]; s.value = arguments[1]; "
                               "s.dispatchEvent(new Event('input'));", slider, str(position))

    _changes(browser, lambda: move_to(60))
    beta = 0.6
    shown = marks()
    # the stability limit: the heavy ball's error stops shrinking there (gdfast's own
    # rate of convergence, from the eigenvalues: an independent computation)
    assert shown["diverge"] == pytest.approx(2 * (1 + beta) / limits.eigenvalues[-1],
                                             rel=1e-14)
    assert limits.momentum_rate(0.999 * shown["diverge"], beta) < 1.0
    assert limits.momentum_rate(1.001 * shown["diverge"], beta) > 1.0
    # below the bounce mark the ball rolls to the floor without crossing it: along
    # lambda_max both roots of z**2 - (1 + beta - rate lambda) z + beta are real and
    # positive; above it, they are not (it swings across the floor)
    lam = limits.eigenvalues[-1]
    for factor, rolls in ((0.99, True), (1.01, False)):
        roots = np.roots([1.0, -(1 + beta - factor * shown["bounce"] * lam), beta])
        assert bool(np.all(np.isreal(roots)) and np.all(roots.real > 0)) == rolls, factor
    # the optimal mark is what learning_rate="auto" takes with this momentum in gdfast
    assert shown["optimal"] == pytest.approx(limits.with_momentum("auto", beta)[0], rel=1e-14)
    browser.save_screenshot(str(shots / "explore-momentum-marks.png"))
    # each mark is centred on its rate (its labels differ in width)
    centres = {}
    for kind in shown:
        mark = browser.find_element(By.ID, f"mark-{kind}")
        centres[kind] = mark.location["x"] + mark.size["width"] / 2
    assert centres["bounce"] < centres["optimal"] < centres["diverge"]
    labels = browser.find_element(By.ID, "rate-marks").text
    assert "2(1+\u03b2)/\u03bbmax" in labels and "(1\u2212\u221a\u03b2)\u00b2/\u03bbmax" in labels
    assert "1/\u03bbmax" not in labels.replace("\u00b2/\u03bbmax", "")
    # the rate itself did not move with the marks
    assert float(_shown(browser)["rate"]) == rate_before
    # clicking the optimal mark: the page's descent is gdfast's with that momentum
    _changes(browser, lambda: browser.find_element(By.ID, "mark-optimal").click())
    page = _shown(browser)
    assert float(page["rate"]) == shown["optimal"]
    result, ended, _ = _fit(x, y, method="stats", learning_rate=float(page["rate"]),
                            momentum=beta, init=[float(v) for v in page["start"]],
                            max_iter=int(page["iterations"]))
    assert page["status"] == ended and int(page["n_iter"]) == result.n_iter
    # back to no momentum: the plain marks again
    _changes(browser, lambda: move_to(0))
    assert marks()["diverge"] == pytest.approx(limits.max_stable, rel=1e-14)
    assert marks()["bounce"] == pytest.approx(limits.max_no_bounce, rel=1e-14)
    assert _console_errors(browser) == []
