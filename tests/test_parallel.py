"""The parallel suite: independent notebooks at once, dependents after, identical numbers for any --jobs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from estimates import errors
from estimates.parameters.schema import validate
from estimates.run import execute, plan
from estimates.run import suite as runner

from .conftest import QUICK

FIXTURES = Path(__file__).parent / "fixtures"


def test_suite_dir_reads_notebooks_and_their_dependencies(monkeypatch):
    monkeypatch.setenv(plan.SUITE_DIR_ENV, str(FIXTURES / "parallel"))
    suite = plan.default_suite()
    assert [(s.name, s.depends) for s in suite] == [("after", ("left", "right")), ("left", ()), ("right", ())]


def test_independent_notebooks_run_at_once_and_dependents_after(tmp_path, monkeypatch):
    # 'left' and 'right' each wait for the other to start, so they finish only if run concurrently;
    # 'after' fails unless both have finished before it starts (fixtures/parallel).
    monkeypatch.setenv(plan.SUITE_DIR_ENV, str(FIXTURES / "parallel"))
    records, failure = execute.execute_notebooks(plan.default_suite(), validate(QUICK), tmp_path, jobs=2)
    assert failure is None
    assert records == {name: {"value": name} for name in ("after", "left", "right")}


def test_parallel_notebooks_never_change_the_process_directory(tmp_path, monkeypatch):
    # papermill's cwd= would os.chdir() the whole process, which races between threads (a kernel
    # once started in the project directory instead of its run directory); kernels get their own.
    import os

    home, chdir = os.getcwd(), os.chdir

    def refuse(path):
        # papermill always "returns" to the directory it found, which is harmless; moving is not.
        if os.path.realpath(path) != os.path.realpath(home):
            raise AssertionError(f"os.chdir({path!r}) during a run")
        chdir(path)

    monkeypatch.setenv(plan.SUITE_DIR_ENV, str(FIXTURES / "parallel"))
    monkeypatch.setattr(os, "chdir", refuse)
    records, failure = execute.execute_notebooks(plan.default_suite(), validate(QUICK), tmp_path, jobs=2)
    assert failure is None and set(records) == {"after", "left", "right"}


def test_kernels_talk_over_their_own_unix_sockets(tmp_path, monkeypatch):
    # Over TCP the client picks a free port and the kernel binds it later; in between another
    # kernel could take it, and CI once saw a kernel die with "Address already in use".
    import glob
    import os

    started = []
    manager_class = execute._Kernels.manager_class

    def recording(kernels):
        cls = manager_class(kernels)

        class Recording(cls):
            async def _async_launch_kernel(self, kernel_cmd, **kw):
                started.append((self.transport, self.ip))
                await super()._async_launch_kernel(kernel_cmd, **kw)

        return Recording

    monkeypatch.setattr(execute._Kernels, "manager_class", recording)
    monkeypatch.setenv(plan.SUITE_DIR_ENV, str(FIXTURES / "parallel"))
    records, failure = execute.execute_notebooks(plan.default_suite(), validate(QUICK), tmp_path, jobs=2)
    assert failure is None and len(started) == 3
    assert {transport for transport, _ in started} == {"ipc"}
    paths = [ip for _, ip in started]
    assert all(os.path.isabs(path) for path in paths) and len(set(paths)) == 3
    assert not [f for path in paths for f in glob.glob(path + "-*")], "socket files left behind"


def test_dependents_of_a_failed_notebook_are_skipped(tmp_path):
    suite = (plan.NotebookSpec("failing", FIXTURES / "failing.ipynb"),
             plan.NotebookSpec("after", FIXTURES / "parallel" / "after.ipynb", depends=("failing",)))
    entries = {s.name: {"name": s.name, "status": "pending"} for s in suite}
    records, failure = execute.execute_notebooks(suite, validate(QUICK), tmp_path, entries, jobs=2)
    assert records == {}
    assert failure.startswith("notebook 'failing' failed: RuntimeError: deliberate failure")
    assert [entries[s.name]["status"] for s in suite] == ["failed", "skipped"]
    assert not (tmp_path / "after.ipynb").exists()


@pytest.mark.parametrize(("depends", "message"), [
    ({"a": ("ghost",)}, "notebook 'a' depends on 'ghost', which is not in the suite"),
    ({"a": ("b",), "b": ("a",)}, "notebooks depend on each other in a cycle: a, b"),
])
def test_bad_dependencies_are_invalid_input(tmp_path, depends, message):
    suite = tuple(plan.NotebookSpec(name, FIXTURES / "silent.ipynb", deps) for name, deps in depends.items())
    with pytest.raises(errors.InputError, match=re.escape(message)):
        runner.run_suite(validate(QUICK), tmp_path / "reports", suite=suite)
    assert not (tmp_path / "reports").exists()


def test_results_are_identical_whatever_jobs(baseline_run, second_baseline_run):
    """Byte-identical results.json for --jobs 1 and the baseline's --jobs (the cores, here 2)."""
    baseline = json.loads((baseline_run / "manifest.json").read_text())
    if baseline["jobs"] < 2 or len(baseline["notebooks"]) < 2:
        pytest.skip("needs a baseline run with two notebooks at once (a machine with 2+ cores)")
    serial = second_baseline_run
    manifest = json.loads((serial / "manifest.json").read_text())
    assert manifest["jobs"] == 1 and {n["status"] for n in manifest["notebooks"]} == {"succeeded"}
    assert (serial / "results.json").read_bytes() == (baseline_run / "results.json").read_bytes()


def test_results_json_holds_no_timestamps(baseline_run):
    # Timestamps live in manifest.json; results.json depends only on parameters, seed and inputs.
    text = (baseline_run / "results.json").read_text()
    assert not re.search(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d", text)
    assert "_utc" not in text
