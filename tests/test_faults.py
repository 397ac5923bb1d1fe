"""Faults a run must survive: a cell that raises, a kernel killed with SIGKILL, a full disk, SIGTERM
or Ctrl-C, and two runs started on one output root at once.

Each starts from an output root holding a real, good run (a copy of the session's baseline root)
and checks what issue 6 promises: the previous ``latest`` briefing is byte-for-byte intact and
``latest`` still points at it; the failed run's directory is marked failed (or interrupted) in its
``manifest.json``, with the executed notebook and the error kept; the exit code and message say
what happened; and no kernel of the run is left running.

Notebook faults use tiny fixture notebooks (tests/fixtures/). The full-disk case injects ENOSPC
into :func:`estimates.storage.atomic_write`, through which every output file is written, at its
``fsync``, as a full disk would fail it. Signal and lock cases run the real command with
``ESTIMATES_SUITE_DIR`` pointing at stand-in notebooks that wait at a gate the test opens, so the
test, not a clock, decides when a run is in the middle of its work.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from estimates import cli, errors
from estimates.run import plan

from .conftest import quick_flags
from .fixtures.runs import (
    FIXTURES,
    changes,
    children,
    latest_briefing,
    live,
    manifest,
    root_with_previous_run,
    run_dirs,
    snapshot,
)

EXIT_FAILED = 1


@pytest.fixture
def root(baseline_root, tmp_path) -> Path:
    """An output root with one good run, ``latest`` pointing at it, and its cache index."""
    return root_with_previous_run(baseline_root, tmp_path / "reports")


class Before:
    """What must not change: the latest link, the latest briefing, and every earlier run."""

    def __init__(self, root: Path):
        self.root = root
        self.link = os.readlink(root / "latest")
        self.briefing = latest_briefing(root)
        self.runs = {name: snapshot(root / name) for name in run_dirs(root)}

    def assert_intact(self) -> None:
        assert os.readlink(self.root / "latest") == self.link
        assert latest_briefing(self.root) == self.briefing
        for name, before in self.runs.items():
            assert changes(before, snapshot(self.root / name)) == [], name

    def new_runs(self) -> list[Path]:
        return sorted(self.root / name for name in run_dirs(self.root) - set(self.runs))


def main(argv: list[str]) -> int:
    try:
        return cli.main(argv)
    except SystemExit as done:
        return done.code


def failure_line(stderr: str) -> str:
    # nbclient may log a line of its own ("Kernel died ..."); the CLI's is the one that matters.
    lines = [line for line in stderr.splitlines() if line.startswith("estimates: ")]
    assert len(lines) == 1, stderr
    return lines[0]


# --- notebook faults ---------------------------------------------------------------------------

NOTEBOOK_FAULTS = {
    "cell-raises": ("failing", r"RuntimeError: deliberate failure for the runner test"),
    "kernel-sigkill": ("killed", r"DeadKernelError: Kernel died"),
}


@pytest.mark.parametrize("fault", list(NOTEBOOK_FAULTS))
def test_notebook_fault_leaves_latest_and_keeps_the_evidence(fault, root, capsys, monkeypatch):
    fixture, error = NOTEBOOK_FAULTS[fault]
    monkeypatch.setattr(plan, "SUITE", (plan.NotebookSpec(fixture, FIXTURES / f"{fixture}.ipynb"),))
    before, kernels_before = Before(root), children()

    code = main(["run", "--out", str(root), *quick_flags()])

    line = failure_line(capsys.readouterr().err)
    assert code == EXIT_FAILED
    [run_dir] = before.new_runs()
    assert line.startswith(f"estimates: run failed: notebook '{fixture}' failed: ")
    assert line.endswith(f"(kept in {run_dir})") and _search(error, line)
    before.assert_intact()
    recorded = manifest(run_dir)
    assert recorded["status"] == "failed" and _search(error, recorded["error"])
    [entry] = recorded["notebooks"]
    assert entry["status"] == "failed" and _search(error, entry["error"])
    assert (run_dir / f"{fixture}.ipynb").is_file()  # the executed copy, for debugging
    assert not (run_dir / "briefing.html").exists() and not (run_dir / "results.json").exists()
    assert children() - kernels_before == set()  # no kernel left running


def test_raising_cell_keeps_its_traceback_in_the_executed_notebook(root, monkeypatch, capsys):
    monkeypatch.setattr(plan, "SUITE", (plan.NotebookSpec("failing", FIXTURES / "failing.ipynb"),))
    before = Before(root)
    assert main(["run", "--out", str(root), *quick_flags()]) == EXIT_FAILED
    [run_dir] = before.new_runs()
    executed = nbformat.read(run_dir / "failing.ipynb", as_version=4)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert [(e["ename"], e["evalue"]) for e in errors] == [("RuntimeError", "deliberate failure for the runner test")]


def _search(pattern: str, text: str) -> bool:
    import re

    return re.search(pattern, text) is not None


# --- a full disk ---------------------------------------------------------------------------------------

def _fail_fsync(monkeypatch, should_fail) -> list[str]:
    """Make ``os.fsync`` raise ENOSPC for an atomic_write temporary that ``should_fail(name, data)``.

    atomic_write writes to ``.<name>.<random>.tmp`` and fsyncs before renaming, so the failure
    comes from inside it, as a full disk's would. Returns the names that failed.
    """
    real_fsync = os.fsync
    failed: list[str] = []

    def fsync(fd):
        temporary = Path(os.readlink(f"/proc/self/fd/{fd}")).name
        if temporary.startswith(".") and temporary.endswith(".tmp"):
            name = temporary[1:].rsplit(".", 2)[0]
            if should_fail(name, Path(f"/proc/self/fd/{fd}").read_bytes()):
                failed.append(name)
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return failed


def _final_manifest(name: str, data: bytes) -> bool:
    return name == "manifest.json" and json.loads(data)["status"] == "succeeded"


# name -> (which writes fail, the file named in the message, files the failed run must not have)
FULL_DISK = {
    "results-json": (lambda name, data: name == "results.json", "results.json", ["results.json", "briefing.html"]),
    "a-figure": (lambda name, data: name.endswith(".png"), ".png", ["briefing.html"]),
    "briefing-html": (lambda name, data: name == "briefing.html", "briefing.html", ["briefing.html"]),
    "final-manifest": (_final_manifest, "manifest.json", []),
}


@pytest.mark.parametrize("case", list(FULL_DISK))
def test_full_disk_mid_run_leaves_latest_and_marks_the_run_failed(case, root, capsys, monkeypatch):
    should_fail, named, absent = FULL_DISK[case]
    before = Before(root)
    failed = _fail_fsync(monkeypatch, should_fail)

    # Same parameters as the baseline: the notebooks are reused from the cache, and the run gets
    # as far as writing its outputs in a second or two.
    code = main(["run", "--out", str(root), *quick_flags()])

    line = failure_line(capsys.readouterr().err)
    assert failed, "the injected failure never fired"
    assert code == EXIT_FAILED
    [run_dir] = before.new_runs()
    assert _search(rf"^estimates: run failed: could not write \S*{named}: No space left on device \(kept in ", line)
    before.assert_intact()
    recorded = manifest(run_dir)
    assert recorded["status"] == "failed" and "No space left on device" in recorded["error"]
    assert {e["status"] for e in recorded["notebooks"]} <= {"succeeded", "reused"}
    for entry in recorded["notebooks"]:
        assert (run_dir / entry["notebook"]).is_file()
    for name in absent:
        assert not (run_dir / name).exists(), name
    assert list(run_dir.glob(".*.tmp")) == []  # no torn or temporary file left behind


def test_disk_that_stays_full_says_the_manifest_could_not_be_updated(root, capsys, monkeypatch):
    # Every write from results.json on fails, including marking the run failed: the message says so,
    # the manifest still says "running" (never "succeeded"), and latest does not move.
    state = {"full": False}

    def should_fail(name, data):
        state["full"] = state["full"] or name == "results.json"
        return state["full"]

    before = Before(root)
    failed = _fail_fsync(monkeypatch, should_fail)
    code = main(["run", "--out", str(root), *quick_flags()])
    line = failure_line(capsys.readouterr().err)
    assert code == EXIT_FAILED and failed[:2] == ["results.json", "manifest.json"]
    assert "could not write results.json: No space left on device" in line
    assert "manifest.json could not be marked failed either (No space left on device)" in line
    [run_dir] = before.new_runs()
    assert manifest(run_dir)["status"] == "running"
    before.assert_intact()


# --- signals and the lock: the real command, with gated stand-in notebooks ------------------------------

def _wait_for(condition, what: str, deadline_s: float = 120.0):
    """Poll until ``condition()`` is truthy. The deadline only stops a broken run hanging the suite."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


class GatedSuite:
    """Stand-ins for the suite's notebooks that record the baseline's results once a gate opens.

    Each writes ``<kernel pid>.pid`` (holding its run directory) into ``started`` when it begins,
    then waits for ``gate``. Runs get ``--jobs`` = the number of notebooks, so all start at once.
    """

    def __init__(self, folder: Path, results: dict):
        self.notebooks = folder / "suite"
        self.started = folder / "started"
        self.gate = folder / "gate"
        self.notebooks.mkdir(parents=True)
        self.started.mkdir()
        replay = (FIXTURES / "gated_replay.ipynb").read_bytes()
        for model in results:
            if model != "schema_version":
                (self.notebooks / f"{model}.ipynb").write_bytes(replay)
        self.count = len(list(self.notebooks.glob("*.ipynb")))
        (folder / "results.json").write_text(json.dumps(results))
        self.env = {**os.environ, plan.SUITE_DIR_ENV: str(self.notebooks),
                    "ESTIMATES_TEST_STARTED": str(self.started), "ESTIMATES_TEST_GATE": str(self.gate),
                    "ESTIMATES_TEST_RESULTS": str(folder / "results.json")}

    def start(self, root: Path, *extra: str, stderr) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "estimates.cli", "run", "--out", str(root), *extra,
                                 "--jobs", str(self.count), *quick_flags()],
                                env=self.env, stdout=subprocess.PIPE, stderr=stderr, text=True)

    def kernels(self) -> dict[int, str]:
        """The kernels started so far: pid -> name of the run directory it ran in."""
        return {int(p.stem): Path(p.read_text()).name for p in self.started.glob("*.pid") if p.read_text()}

    def open(self) -> None:
        self.gate.write_text("open\n")


@pytest.fixture
def gated(tmp_path, baseline_results) -> GatedSuite:
    return GatedSuite(tmp_path / "gated", baseline_results)


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)],
                         ids=["SIGTERM", "SIGINT"])
def test_signal_during_a_run_leaves_latest_and_kills_the_kernels(signum, status, root, gated):
    before = Before(root)
    run = gated.start(root, stderr=subprocess.PIPE)
    try:
        _wait_for(gated.kernels, "a notebook to start")
        run.send_signal(signum)
        _, stderr = run.communicate(timeout=120)
    finally:
        run.kill()
    assert run.returncode == status, stderr
    name = signal.Signals(signum).name
    assert failure_line(stderr) == f"estimates: interrupted by {name}"
    before.assert_intact()
    [run_dir] = before.new_runs()
    recorded = manifest(run_dir)
    assert recorded["status"] == "interrupted" and name in recorded["error"]
    assert not (run_dir / "briefing.html").exists()
    assert any((run_dir / e["notebook"]).is_file() for e in recorded["notebooks"])  # kept for debugging
    assert live(gated.kernels()) == []  # the kernels were killed, not orphaned


def test_two_runs_on_one_root_are_serialised_and_neither_corrupts_the_other(root, gated, tmp_path):
    before = Before(root)
    first = gated.start(root, "--force", stderr=subprocess.PIPE)
    waiter_log = tmp_path / "second.stderr"
    second = busy = None
    try:
        _wait_for(lambda: len(gated.kernels()) == gated.count, "the first run's notebooks to start")
        [first_dir] = before.new_runs()
        assert set(gated.kernels().values()) == {first_dir.name}

        # A run that will not wait is turned away at once, touching nothing.
        busy = subprocess.run([sys.executable, "-m", "estimates.cli", "run", "--out", str(root), "--no-wait",
                               *quick_flags()], env=gated.env, capture_output=True, text=True, timeout=120)
        assert busy.returncode == errors.EXIT_BUSY, busy.stderr
        line = failure_line(busy.stderr)
        assert f"another run holds the lock on {root} (pid {first.pid})" in line and "--no-wait" in line
        assert len(before.new_runs()) == 1  # only the first run's directory

        # A run that waits says so, and starts only when the first is done.
        with open(waiter_log, "w") as log:
            second = gated.start(root, "--force", stderr=log)
        _wait_for(lambda: "waiting for the run holding" in waiter_log.read_text(), "the second run to wait")
        assert set(gated.kernels().values()) == {first_dir.name}  # the second run has started no kernel
        assert before.new_runs() == [first_dir]  # nor made its run directory
        gated.open()
        out_first, err_first = first.communicate(timeout=120)
        out_second, _ = second.communicate(timeout=120)
    finally:
        for process in (first, second):
            if process is not None:
                process.kill()
    assert first.returncode == 0, err_first
    assert second.returncode == 0, waiter_log.read_text()
    assert f"(pid {first.pid})" in waiter_log.read_text()

    [second_dir] = [d for d in before.new_runs() if d != first_dir]
    assert set(gated.kernels().values()) == {first_dir.name, second_dir.name}
    assert out_first.strip().endswith(str(first_dir / "briefing.html"))
    assert out_second.strip().endswith(str(second_dir / "briefing.html"))
    for run_dir in (first_dir, second_dir):
        recorded = manifest(run_dir)
        assert recorded["status"] == "succeeded"
        assert {e["status"] for e in recorded["notebooks"]} == {"succeeded"}
        assert (run_dir / "briefing.html").is_file()
    assert (first_dir / "results.json").read_bytes() == (second_dir / "results.json").read_bytes()
    assert os.readlink(root / "latest") == second_dir.name  # the run that finished last
    assert json.loads((root / ".cache" / "index.json").read_text())["entries"]  # the index is whole
    for name, earlier in before.runs.items():  # the earlier run is untouched
        assert changes(earlier, snapshot(root / name)) == [], name
    assert live(gated.kernels()) == []
