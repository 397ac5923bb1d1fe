"""``latest`` moves while the output root's lock is held, so a second run never sees a half-finished
root. No kernel runs: the notebooks, results and briefing are stood in for, and the check sits in the
function that moves ``latest``."""

import fcntl
import os
from pathlib import Path

import jsonschema  # noqa: F401  the runner imports it mid-run; loading it here keeps the test quick
import pytest

from estimates import errors, storage
from estimates.parameters.schema import validate
from estimates.report import briefing, diff
from estimates.run import plan
from estimates.run import suite as runner
from estimates.run.locking import LOCK_NAME

from .fixtures.runs import FIXTURES


def lock_is_free(root: Path) -> bool:
    """Whether an exclusive, non-blocking ``flock`` on ``root/.lock`` succeeds from a descriptor of
    our own (a separate open file description, so it conflicts even within this process)."""
    fd = os.open(root / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


@pytest.fixture
def stand_ins(monkeypatch):
    """A run that succeeds without kernels: notebooks 'executed', results and briefing written."""
    def execute(suite, params, run_dir, entries=None, **kw):
        for entry in (entries or {}).values():
            entry["status"] = "succeeded"
        return {}, None

    def render(results, manifest, run_dir, *, changes=None, store=None):
        path = Path(run_dir) / "briefing.html"
        path.write_text("<html></html>")
        return path

    monkeypatch.setattr(runner, "execute_notebooks", execute)
    monkeypatch.setattr(runner, "assemble_results", lambda records, case=None: {"schema_version": runner.SCHEMA_VERSION})
    monkeypatch.setattr(briefing, "render_briefing", render)
    monkeypatch.setattr(diff, "compare_with_previous", lambda *a, **kw: None)


def test_latest_moves_while_the_lock_is_held(tmp_path, stand_ins, monkeypatch):
    root = tmp_path / "reports"
    moves = []
    real_point_link = storage.point_link

    def point_link(link, target_name):
        moves.append((Path(link).name, target_name, lock_is_free(root)))
        real_point_link(link, target_name)

    monkeypatch.setattr(runner, "point_link", point_link)
    monkeypatch.setattr(storage, "point_link", point_link)
    suite = (plan.NotebookSpec("echo", FIXTURES / "echo.ipynb"),)
    outcome = runner.run_suite(validate({"n_samples": 1000}), root, suite=suite, jobs=1)
    assert outcome.exit_code == errors.EXIT_OK, outcome.message
    # Exactly one move of `latest`, to this run, and the lock was not free at that moment.
    assert moves == [("latest", outcome.run_dir.name, False)]
    assert os.readlink(root / "latest") == outcome.run_dir.name
    # The probe itself works: once the run is over the lock is free.
    assert lock_is_free(root)
