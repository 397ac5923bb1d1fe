"""Incremental runs: a notebook is reused exactly when none of its inputs changed.

Inputs: the notebook's content, its resolved parameters, the package source, the recorded results of
the notebooks it depends on, and the data files it read. The cache index is tested directly (fast),
then through real runs: the baseline suite, and two fixture notebooks (``reader`` reads a data file
named by ``$ESTIMATES_TEST_DATA``; ``echo`` depends on it).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from estimates.parameters.schema import validate
from estimates.run import cache, execute, plan
from estimates.run.cache import Cache, Inputs

from .conftest import ESTIMATES, QUICK, quick_flags

FIXTURES = Path(__file__).parent / "fixtures"


# --- the index ------------------------------------------------------------------------------------

@pytest.fixture
def stored(tmp_path):
    """A root with one run holding an executed notebook that read ``data.csv``, stored in the index."""
    root = tmp_path / "reports"
    (root / "run1").mkdir(parents=True)
    executed = root / "run1" / "m.ipynb"
    executed.write_text("executed")
    data = tmp_path / "data.csv"
    data.write_text("a,b\n1,2\n")
    inputs = Inputs(model="m", notebook_sha256="n" * 64, parameters={"seed": 1}, source_sha256="s" * 64,
                    dependencies={"other": "d" * 64})
    Cache(root).store(inputs, root / "run1", executed, {str(data): hashlib.sha256(data.read_bytes()).hexdigest()})
    return root, inputs, executed, data


def test_unchanged_inputs_hit(stored):
    root, inputs, executed, _ = stored
    hit, why = Cache(root).lookup(inputs)  # a fresh instance: the index was written to disk
    assert (hit.path, hit.reused_from, why) == (executed, "run1/m.ipynb", "inputs unchanged")


@pytest.mark.parametrize(("field", "value"), [
    ("notebook_sha256", "x" * 64),        # the notebook was edited
    ("parameters", {"seed": 2}),          # a parameter changed
    ("source_sha256", "t" * 64),          # the package source changed
    ("dependencies", {"other": "e" * 64}),  # a notebook it depends on recorded other results
    ("model", "other"),
    ("environment", {"numpy": "0.0"}),    # a numerical library was upgraded
])
def test_changed_input_misses(stored, field, value):
    root, inputs, _, _ = stored
    hit, why = Cache(root).lookup(dataclasses.replace(inputs, **{field: value}))
    assert hit is None and why == "no earlier run with these inputs"


def test_changed_or_missing_data_file_misses(stored):
    root, inputs, _, data = stored
    data.write_text("a,b\n1,3\n")
    hit, why = Cache(root).lookup(inputs)
    assert hit is None and why == f"data file {data} changed"
    data.unlink()
    assert Cache(root).lookup(inputs)[0] is None


def test_edited_or_deleted_executed_copy_misses(stored):
    root, inputs, executed, _ = stored
    executed.write_text("tampered")
    hit, why = Cache(root).lookup(inputs)
    assert hit is None and why == "the earlier executed notebook run1/m.ipynb is gone or changed"
    shutil.rmtree(root / "run1")
    assert Cache(root).lookup(inputs)[0] is None


def test_relative_data_paths_are_in_the_project(tmp_path):
    (tmp_path / "data").mkdir()
    assert Cache(tmp_path, project_dir=tmp_path).data_path("data/x.csv") == tmp_path / "data" / "x.csv"


def test_unreadable_index_is_empty_and_forget_drops_entries(stored):
    root, inputs, _, _ = stored
    cache = Cache(root)
    cache.forget(["run1"])
    assert Cache(root).lookup(inputs)[0] is None
    cache.path.write_text("{not json")
    assert Cache(root).entries == {}


# --- through real runs ----------------------------------------------------------------------------

def test_unchanged_run_reuses_every_notebook(baseline_root, baseline_run, tmp_path):
    root = tmp_path / "reports"
    shutil.copytree(baseline_root, root, symlinks=True)
    done = subprocess.run([ESTIMATES, "run", "--out", str(root), *quick_flags()],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    again = (root / "latest").resolve()
    assert again.name != baseline_run.name
    manifest = json.loads((again / "manifest.json").read_text())
    assert {(n["name"], n["status"], n["reused_from"]) for n in manifest["notebooks"]} == {
        (n["name"], "reused", f"{baseline_run.name}/{n['notebook']}") for n in manifest["notebooks"]}
    assert (again / "results.json").read_bytes() == (baseline_run / "results.json").read_bytes()
    for entry in manifest["notebooks"]:
        assert (again / entry["notebook"]).read_bytes() == (baseline_run / entry["notebook"]).read_bytes()
    assert (again / "briefing.html").is_file()
    # Every section as before, so every figure comes from the store, byte for byte what was drawn.
    assert "briefing: 0 figure sets drawn" in (again / "run.log").read_text()
    pngs = sorted(p.name for p in baseline_run.glob("*.png"))
    assert pngs and pngs == sorted(p.name for p in again.glob("*.png"))
    assert all((again / name).read_bytes() == (baseline_run / name).read_bytes() for name in pngs)


def test_parameter_change_executes_and_force_re_executes(baseline_root, baseline_run, tmp_path):
    root = tmp_path / "reports"
    shutil.copytree(baseline_root, root, symlinks=True)
    attrition = tuple(s for s in plan.SUITE if s.name == "attrition")
    source = cache.source_hash()

    def run(name: str, values: dict, force: bool = False) -> dict:
        (root / name).mkdir()
        entries = {"attrition": {"name": "attrition", "status": "pending"}}
        records, failure = execute.execute_notebooks(attrition, validate(values), root / name, entries,
                                                    cache=Cache(root), force=force, source_sha256=source)
        assert failure is None
        return entries["attrition"] | {"record": records["attrition"]}

    changed = run("changed", {**QUICK, "units_ineffective": 35})
    assert changed["status"] == "succeeded" and changed["record"]["reported"]["ineffective"] == 35
    same = run("same", QUICK)
    assert (same["status"], same["reused_from"]) == ("reused", f"{baseline_run.name}/attrition.ipynb")
    forced = run("forced", QUICK, force=True)
    assert forced["status"] == "succeeded"
    assert forced["record"] == json.loads((baseline_run / "results.json").read_text())["attrition"]
    assert run("after", QUICK)["reused_from"] == "forced/attrition.ipynb"  # the newest executed copy


def test_data_notebook_source_and_dependency_changes(tmp_path, monkeypatch):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name in ("reader", "echo"):
        shutil.copy(FIXTURES / f"{name}.ipynb", notebooks / f"{name}.ipynb")
    suite = (plan.NotebookSpec("reader", notebooks / "reader.ipynb"),
             plan.NotebookSpec("echo", notebooks / "echo.ipynb", depends=("reader",)))
    data = tmp_path / "data.txt"
    data.write_text("first")
    monkeypatch.setenv("ESTIMATES_TEST_DATA", str(data))
    root = tmp_path / "reports"
    params = validate(QUICK)
    runs = iter(range(1, 100))

    def run(source: str = "s1") -> dict[str, str]:
        run_dir = root / f"run{next(runs)}"
        run_dir.mkdir(parents=True)
        entries = {s.name: {"name": s.name, "status": "pending"} for s in suite}
        records, failure = execute.execute_notebooks(suite, params, run_dir, entries, jobs=2,
                                                    cache=Cache(root), source_sha256=source)
        assert failure is None
        return {name: entry["status"] for name, entry in entries.items()}

    assert run() == {"reader": "succeeded", "echo": "succeeded"}
    assert run() == {"reader": "reused", "echo": "reused"}
    data.write_text("second")  # reader's data changed, so its record did, so echo's input did
    assert run() == {"reader": "succeeded", "echo": "succeeded"}
    nb = nbformat.read(notebooks / "echo.ipynb", as_version=4)
    nb.cells[0].source += " (edited)"
    nbformat.write(nb, notebooks / "echo.ipynb")
    assert run() == {"reader": "reused", "echo": "succeeded"}
    assert run(source="s2") == {"reader": "succeeded", "echo": "succeeded"}
    assert run(source="s2") == {"reader": "reused", "echo": "reused"}
