"""gdfast.explore and `gdfast explore`: the page as a file (the browser tests are in
test_explore_browser.py)."""
import html
import json
import re

import numpy as np
import pytest

import gdfast
from gdfast.cli import _demo
from gdfast.cli import main


def _page_data(page):
    """The JSON the page carries (its data script)."""
    text = re.search(r'<script type="application/json" id="gdfast-data">(.*?)</script>', page,
                     re.S).group(1)
    return json.loads(text)


@pytest.fixture
def demo_points():
    return _demo.make_points(100, 0)


def test_the_page_is_one_file_with_every_script_inside(tmp_path, demo_points):
    path = tmp_path / "page.html"
    explorer = gdfast.explore(*demo_points, path)
    page = path.read_text(encoding="utf-8")
    assert page == explorer.html and explorer.path == path
    # no element loads anything: no src= or href= at all, no <link>, no url() in styles
    assert re.search(r"<(script|img|iframe|link)[^>]*\b(src|href)\s*=", page, re.I) is None
    assert "<link" not in page.lower()
    assert "url(http" not in page.lower()
    # every script is inline: plotly.js (as the installed plotly ships it) and gdfast's two
    from plotly.offline import get_plotlyjs

    assert get_plotlyjs()[:2000] in page
    assert "window.GdfastEngine" in page or "root.GdfastEngine" in page
    assert 'getElementById("gdfast-data")' in page
    # the policy forbids any request: the browser refuses it, and says so in the console
    assert "default-src 'none'" in page


def test_the_page_carries_gdfasts_own_statistics_bit_for_bit(demo_points):
    x, y = demo_points
    data = _page_data(gdfast.explore(x, y).html)
    stats = gdfast.Statistics.from_arrays(x, y)
    assert data["stats"] == {"n": 100, "weight_sum": stats.weight_sum,
                             "mean_x": stats.mean_x[0], "mean_y": stats.mean_y,
                             "gram_xx": stats.gram_xx[0, 0], "cross_xy": stats.cross_xy[0],
                             "sum_yy": stats.sum_yy}
    assert data["points"] == {"x": x.tolist(), "y": y.tolist()}
    assert (data["start"], data["tol"], data["cost"], data["standardize"]) == \
        ([0.0, 0.0], 1e-6, "half_mse", False)


def test_options_reach_the_page(demo_points):
    data = _page_data(gdfast.explore(*demo_points, init=(0, -5), learning_rate=0.3,
                                     max_iter=50, cost="mse", standardize=True, x_name="size",
                                     y_name="price", title="houses").html)
    assert (data["start"], data["learning_rate"], data["max_iter"], data["cost"],
            data["standardize"], data["x_name"], data["y_name"], data["title"]) == \
        ([0.0, -5.0], 0.3, 50, "mse", True, "size", "price", "houses")
    assert data["iterations_max"] == 1000


def test_large_data_shows_a_sample_but_descends_on_all_of_it():
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 2, 20_000)
    y = 2 + 1.5 * x + rng.normal(0, 0.5, 20_000)
    data = _page_data(gdfast.explore(x, y).html)
    assert data["n"] == 20_000 and data["n_shown"] == len(data["points"]["x"]) == 5000
    # the points shown are points of the data, first and last included
    assert data["points"]["x"][0] == x[0] and data["points"]["x"][-1] == x[-1]
    assert set(data["points"]["x"]) <= set(x.tolist())
    assert data["stats"]["mean_x"] == gdfast.Statistics.from_arrays(x, y).mean_x[0]


def test_a_column_name_cannot_end_the_script(demo_points):
    page = gdfast.explore(*demo_points, x_name="</script><script>alert(1)</script>").html
    data_script = page.split('id="gdfast-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data_script
    assert _page_data(page)["x_name"] == "</script><script>alert(1)</script>"


def test_in_a_notebook_it_shows_the_page_in_a_frame_of_its_own(demo_points):
    explorer = gdfast.explore(*demo_points)
    shown = explorer._repr_html_()
    assert shown.startswith("<iframe srcdoc=\"") and shown.endswith("</iframe>")
    srcdoc = shown.split('srcdoc="', 1)[1].split('" style=', 1)[0]
    assert '"' not in srcdoc and html.unescape(srcdoc) == explorer.html
    assert 'sandbox="allow-scripts"' in shown
    assert "MB HTML page" in repr(explorer)


def test_one_feature_only_said_plainly(demo_points):
    x, y = demo_points
    gdfast.explore(x[:, None], y)   # (N, 1) is one feature
    with pytest.raises(ValueError, match=r"explore serves one feature: x has shape \(100, 2\)"):
        gdfast.explore(np.column_stack([x, x ** 2]), y)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(learning_rate=0), ValueError, "learning_rate must be > 0"),
    (dict(learning_rate="auto"), TypeError, "learning_rate must be a real number"),
    (dict(init=(1, 2, 3)), ValueError, "init must be a pair"),
    (dict(max_iter=-1), ValueError, "max_iter must be >= 0"),
    (dict(max_iter=10**6), ValueError, "max_iter must be at most 100000"),
    (dict(cost="mae"), ValueError, "cost must be one of"),
    (dict(standardize=1), TypeError, "standardize must be True or False"),
])
def test_bad_options_are_named(demo_points, kwargs, error, match):
    with pytest.raises(error, match=match):
        gdfast.explore(*demo_points, **kwargs)


def test_bad_data_is_named_as_fit_names_it():
    with pytest.raises(ValueError, match=r"x must be finite, but x\[1\] is nan"):
        gdfast.explore([0.0, np.nan, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="x or y is too large: the sums of their squares "
                                         "overflow float64"):
        gdfast.explore([0.0, 1e200, -1e200], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="same length"):
        gdfast.explore([0.0, 1.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="x has no spread: every value is 3"):
        gdfast.explore([3.0, 3.0, 3.0], [1.0, 2.0, 3.0])


def test_x_that_standardize_cannot_scale_is_refused_as_fit_refuses_it():
    """x differing by 1e-160: its variance is below float64's normal range.  The page then
    carries fit's reason and offers no standardize switch; standardize=True is refused."""
    x, y = [0.0, 1e-160, 2e-160], [1.0, 2.0, 3.0]
    with pytest.raises(ValueError) as refused:
        gdfast.fit(x, y, standardize=True)
    assert str(refused.value).startswith("standardize=True cannot scale column x[:, 0]")
    assert _page_data(gdfast.explore(x, y).html)["standardize_refused"] == str(refused.value)
    with pytest.raises(ValueError, match=re.escape(str(refused.value))):
        gdfast.explore(x, y, standardize=True)
    assert _page_data(gdfast.explore([0.0, 1.0, 2.0], y).html)["standardize_refused"] is None


def test_without_plotly_the_error_names_the_extra(run_python):
    code = (
        "import sys; sys.modules['plotly'] = None\n"   # as if it were not installed
        "import gdfast\n"
        "try:\n"
        "    gdfast.explore([0.0, 1.0, 2.0], [1.0, 2.0, 4.0])\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
        "from gdfast.cli import main\n"
        "print('exit', main(['explore', '--out', 'page.html']))\n")
    done = run_python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ['gdfast.explore needs plotly: pip install '
                                        '"gdfast[explore]"', "exit 2"]
    assert done.stderr.strip() == ('gdfast explore: error: gdfast.explore needs plotly: '
                                   'pip install "gdfast[explore]"')


def test_import_gdfast_does_not_import_plotly(run_python):
    done = run_python("import sys, gdfast; gdfast.explore; print('plotly' in sys.modules)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


# ---------------------------------------------------------------------------
# gdfast explore [FILE]
# ---------------------------------------------------------------------------
def _explore(capsys, *argv):
    code = main(["explore", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_without_a_file_uses_the_demos_data(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = _explore(capsys)
    assert code == 0 and err == ""
    assert out.startswith("wrote gdfast-explore.html (") and "100 points" in out
    data = _page_data((tmp_path / "gdfast-explore.html").read_text(encoding="utf-8"))
    x, y = _demo.make_points(100, 0)
    assert data["points"] == {"x": x.tolist(), "y": y.tolist()}
    assert data["start"] == list(_demo.START)
    assert "the demo's 100 random points" in data["title"]


def test_cli_reads_columns_as_fit_does(capsys, tmp_path):
    rng = np.random.default_rng(3)
    size = rng.uniform(0, 2, 40)
    price = 1 + 2 * size + rng.normal(0, 0.1, 40)
    path = tmp_path / "houses.csv"
    rows = zip(size.tolist(), price.tolist())
    path.write_text("size,rooms,price\n" + "".join(
        f"{a!r},{k % 5},{b!r}\n" for k, (a, b) in enumerate(rows)))
    out_path = tmp_path / "out" / "houses.html"
    out_path.parent.mkdir()
    code, out, err = _explore(capsys, path, "--y", "price", "--x", "size", "--out", out_path,
                              "--learning-rate", "0.25", "--init", "1", "-2", "--max-iter",
                              "30", "--cost", "mse", "--standardize")
    assert code == 0 and err == "", err
    assert f"wrote {out_path}" in out and "40 points, y = price, x = size" in out
    data = _page_data(out_path.read_text(encoding="utf-8"))
    assert data["points"] == {"x": size.tolist(), "y": price.tolist()}
    assert (data["x_name"], data["y_name"], data["learning_rate"], data["start"],
            data["max_iter"], data["cost"], data["standardize"]) == \
        ("size", "price", 0.25, [1.0, -2.0], 30, "mse", True)
    assert data["stats"]["mean_x"] == gdfast.Statistics.from_arrays(size, price).mean_x[0]


def test_cli_default_out_is_named_after_the_file(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data.csv").write_text("x,y\n0,1\n1,3\n2,4\n")
    code, out, _ = _explore(capsys, "data.csv")
    assert code == 0 and (tmp_path / "data-explore.html").is_file()


@pytest.mark.parametrize("argv, fragments", [
    (["--x", "a"], ["--y and --x name columns of FILE"]),
    (["{csv}"], ["the explorer serves one x column, got 2 (a, b); pick one with --x"]),
    (["{csv}", "--x", "a", "b"], ["serves one x column"]),
    (["{csv}", "--x", "nope"], ["unknown column 'nope'"]),
    (["{csv}", "--x", "a", "--learning-rate", "-1"], ["learning_rate must be > 0"]),
    (["{csv}", "--x", "a", "--out", "{tmp}/missing/page.html"], ["--out: cannot write"]),
    (["{tmp}/none.csv"], ["no such file"]),
])
def test_cli_errors_are_one_line_and_exit_2(capsys, tmp_path, argv, fragments):
    csv_path = tmp_path / "three.csv"
    csv_path.write_text("a,b,c\n1,2,3\n2,3,5\n4,1,2\n")
    argv = [a.format(csv=csv_path, tmp=tmp_path) for a in argv]
    code, out, err = _explore(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("gdfast explore: error: "), err
    for fragment in fragments:
        assert fragment in err
