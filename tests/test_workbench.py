"""The workbench's working copy: the tracked notebooks never change, and no analyst edit is lost."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from estimates import workbench
from estimates.paths import NOTEBOOK_DIR

from .conftest import ESTIMATES


def _notebook(path: Path, text: str) -> None:
    path.write_text(json.dumps({"cells": [{"cell_type": "markdown", "metadata": {}, "source": text}],
                                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))


def _actions(source: Path, work: Path) -> dict[str, str]:
    return {s.name: s.action for s in workbench.sync(source, work)}


def test_copies_follow_the_tracked_notebooks_unless_edited(tmp_path):
    source, work = tmp_path / "notebooks", tmp_path / "lab"
    source.mkdir()
    _notebook(source / "a.ipynb", "a1")
    _notebook(source / "b.ipynb", "b1")
    assert _actions(source, work) == {"a.ipynb": "copied", "b.ipynb": "copied"}
    assert (work / "a.ipynb").read_bytes() == (source / "a.ipynb").read_bytes()
    assert _actions(source, work) == {"a.ipynb": "unchanged", "b.ipynb": "unchanged"}

    _notebook(work / "a.ipynb", "a1, with the analyst's outputs")  # JupyterLab saved the copy
    assert _actions(source, work)["a.ipynb"] == "unchanged"  # nothing new to bring in
    _notebook(source / "a.ipynb", "a2")
    _notebook(source / "b.ipynb", "b2")
    synced = {s.name: s for s in workbench.sync(source, work)}
    assert (synced["a.ipynb"].action, synced["b.ipynb"].action) == ("kept", "updated")
    assert "a.updated.ipynb" in synced["a.ipynb"].note
    assert "analyst's outputs" in (work / "a.ipynb").read_text()  # the edit survives
    assert (work / "a.updated.ipynb").read_bytes() == (source / "a.ipynb").read_bytes()
    assert (work / "b.ipynb").read_bytes() == (source / "b.ipynb").read_bytes()

    (work / "a.ipynb").unlink()  # the analyst takes the new version
    assert _actions(source, work)["a.ipynb"] == "copied"
    assert _actions(source, work)["a.ipynb"] == "unchanged"


def test_an_unreadable_record_costs_no_edit(tmp_path):
    source, work = tmp_path / "notebooks", tmp_path / "lab"
    source.mkdir()
    _notebook(source / "a.ipynb", "a1")
    workbench.sync(source, work)
    _notebook(work / "a.ipynb", "edited")
    (work / workbench.RECORD).write_text("{half")
    assert _actions(source, work)["a.ipynb"] == "kept"
    assert "edited" in (work / "a.ipynb").read_text()


def test_lab_serves_the_working_copy_and_runs_as_root(monkeypatch, tmp_path):
    monkeypatch.setattr(workbench.os, "geteuid", lambda: 0)
    command = workbench.lab_command(tmp_path, port=8899, browser=False)
    assert command[1:3] == ["lab", f"--ServerApp.root_dir={tmp_path}"]
    assert {"--allow-root", "--port=8899", "--no-browser"} <= set(command)
    monkeypatch.setattr(workbench.os, "geteuid", lambda: 1000)
    assert "--allow-root" not in workbench.lab_command(tmp_path)


def test_the_working_copy_is_ignored_by_git():
    done = subprocess.run(["git", "check-ignore", "-q", str(workbench.WORK_DIR / "attrition.ipynb")],
                          cwd=NOTEBOOK_DIR.parent, capture_output=True)
    assert done.returncode == 0


def test_lab_rejects_a_bad_port_in_one_line():
    done = subprocess.run([ESTIMATES, "lab", "--port", "zero"], capture_output=True, text=True)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1 and "--port" in done.stderr
