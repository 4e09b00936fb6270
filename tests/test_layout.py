"""The package's layout is what docs/guide.md ("Layout") says it is.

The command line in gdfast/cli/, Dask in gdfast/dask/, the compiled engine in
gdfast/_engine/, the rest at the top; each folder holds only what is used
from within it or from above; nothing of the tests ships; every module has
the test module that tests it.
"""
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import gdfast

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "gdfast"


def _tests_module(name):
    spec = importlib.util.spec_from_file_location(f"gdfast_tests_{name}",
                                                  Path(__file__).parent / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


imports = _tests_module("test_imports")

# module -> the test modules that test it (tests/test_<module>.py where one module has one)
TESTED_BY = {
    "gdfast": ["test_build.py", "test_estimator.py"],
    "gdfast.__main__": ["test_cli.py"],
    "gdfast._cost": ["test_cost.py"],
    "gdfast._curvature": ["test_curvature.py"],
    "gdfast._descent": ["test_descent.py"],
    "gdfast._diagnosis": ["test_diagnosis.py"],
    "gdfast._engine": ["test_kernel_passes.py", "test_switches.py", "test_build.py"],
    "gdfast._exceptions": ["test_fit.py", "test_interrupt.py"],
    "gdfast._explore": ["test_explore.py", "test_explore_port.py", "test_explore_browser.py"],
    "gdfast._fit": ["test_fit.py", "test_features.py", "test_sample_weight.py",
                    "test_statistics.py", "test_stream.py"],
    "gdfast._history_buffer": ["test_history_buffer.py"],
    "gdfast._landscape": ["test_plot.py"],
    "gdfast._learning_rate": ["test_learning_rate.py"],
    "gdfast._moments": ["test_moments.py"],
    "gdfast._parameters": ["test_plot.py", "test_result_html.py"],
    "gdfast._progress": ["test_watch.py"],
    "gdfast._result": ["test_fit.py", "test_result_html.py"],
    "gdfast._result_html": ["test_result_html.py"],
    "gdfast._standardize": ["test_standardize.py"],
    "gdfast._statistics": ["test_statistics.py", "test_method_stats.py", "test_stream.py"],
    "gdfast._refine": ["test_compensated.py"],
    "gdfast._sums": ["test_sums.py"],
    "gdfast._threads": ["test_threads.py"],
    "gdfast._validate": ["test_validate.py", "test_validate_features.py"],
    "gdfast._version": ["test_build.py"],
    "gdfast._watch": ["test_watch.py", "test_features_watch.py"],
    "gdfast.estimator": ["test_estimator.py", "test_estimator_checks.py"],
    "gdfast.plot": ["test_plot.py"],
    "gdfast.cli": ["test_cli.py"],
    "gdfast.cli._bench": ["test_cli.py"],
    "gdfast.cli._csv_checked": ["test_csv_reader.py", "test_readers_fuzz.py"],
    "gdfast.cli._csv_file": ["test_csv_reader.py", "test_readers_fuzz.py"],
    "gdfast.cli._csv_format": ["test_csv_reader.py"],
    "gdfast.cli._data_file": ["test_binary_readers.py"],
    "gdfast.cli._demo": ["test_demo.py"],
    "gdfast.cli._demo_pictures": ["test_demo.py"],
    "gdfast.cli._exit_codes": ["test_cli.py"],
    "gdfast.cli._explore": ["test_explore.py"],
    "gdfast.cli._fit": ["test_cli.py"],
    "gdfast.cli._numpy_files": ["test_binary_readers.py"],
    "gdfast.cli._outputs": ["test_cli.py"],
    "gdfast.cli._parquet_file": ["test_binary_readers.py"],
    "gdfast.cli._png": ["test_demo.py"],
    "gdfast.cli._table": ["test_binary_readers.py", "test_csv_reader.py"],
    "gdfast.dask": ["test_dask.py"],
    "gdfast.dask._cluster_sums": ["test_dask.py"],
    "gdfast.dask._tasks": ["test_dask.py"],
}


def test_every_module_has_its_tests():
    assert set(TESTED_BY) == set(imports.MODULES)
    for module, tests in TESTED_BY.items():
        for name in tests:
            assert (Path(__file__).parent / name).is_file(), (module, name)


def test_a_module_of_its_own_has_a_test_module_of_its_own():
    # the modules the layout gives one job each are tested by tests/test_<name>.py
    for name in ("_descent", "_diagnosis", "_moments", "_standardize", "_sums", "_curvature",
                 "_learning_rate", "_history_buffer", "_validate", "_cost", "_threads"):
        assert f"test_{name[1:]}.py" in TESTED_BY[f"gdfast.{name}"]


def test_the_top_folder_holds_about_half_the_files_it_did():
    # 45 Python modules sat in gdfast/ before the command line and Dask got their folders
    top = sorted(p.name for p in SOURCE.glob("*.py"))
    assert len(top) <= 27, top
    assert {p.name for p in SOURCE.iterdir() if p.is_dir() and (p / "__init__.py").exists()} \
        == {"_engine", "cli", "dask"}


@pytest.mark.parametrize("folder", ["gdfast.cli", "gdfast.dask"])
def test_a_folder_holds_what_only_it_uses(folder):
    # nothing outside the folder imports one of its private modules; the folder itself is
    # imported from outside only by the package's entry points
    graph = imports._graph()
    for name, targets in graph.items():
        if imports._folder(name) == folder:
            continue
        for target in targets:
            if target.startswith(folder + "."):
                pytest.fail(f"{name} imports {target}: it belongs outside {folder}")
    users = sorted(name for name, targets in graph.items()
                   if folder in targets and imports._folder(name) != folder)
    assert users == (["gdfast.__main__"] if folder == "gdfast.cli" else [])


def test_the_top_level_modules_do_not_import_the_command_line_or_dask():
    graph = imports._graph()
    for name, targets in graph.items():
        if imports._folder(name) == "gdfast" and name != "gdfast.__main__":
            assert not {t for t in targets if t.split(".")[:2] in (["gdfast", "cli"],
                                                                  ["gdfast", "dask"])}, name


def test_no_test_support_in_the_package():
    # the NIST reader is tests/nist.py; nothing under gdfast/ reads tests' data
    assert (ROOT / "tests" / "nist.py").is_file()
    assert not list(SOURCE.rglob("*nist*"))
    for path in SOURCE.rglob("*.py"):
        assert "tests/data" not in path.read_text(), path


def test_pyproject_ships_every_package_folder_and_the_explorers_files():
    tomllib = pytest.importorskip("tomllib")   # Python >= 3.11

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    setuptools = project["tool"]["setuptools"]
    folders = {"gdfast." + ".".join(p.parent.relative_to(SOURCE).parts)
               for p in SOURCE.rglob("__init__.py") if p.parent != SOURCE}
    assert set(setuptools["packages"]) == {"gdfast"} | folders
    data = setuptools["package-data"]["gdfast"]
    shipped = {p.name for pattern in data for p in SOURCE.glob(pattern)}
    assert shipped == {p.name for p in SOURCE.glob("_explore*") if p.suffix in (".js", ".html")}
    assert project["project"]["scripts"]["gdfast"] == "gdfast.cli:main"
    assert project["project"]["version"] == gdfast.__version__


def test_the_entry_points_still_run(tmp_path):
    # python -m gdfast and the module the console script names, run outside the repository
    # (from its root, python -m would import the source tree, whose kernels are not built
    # after a plain pip install)
    for code in (["-m", "gdfast", "--version"],
                 ["-c", "import sys, gdfast.cli; sys.argv = ['gdfast', '--version']; "
                        "gdfast.cli.main()"]):
        proc = subprocess.run([sys.executable, *code], capture_output=True, text=True,
                              timeout=120, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith("gdfast 0.")
