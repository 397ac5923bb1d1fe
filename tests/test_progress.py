"""Progress on a terminal: `estimates run` says what it is doing, line by line, only to a person."""

from __future__ import annotations

import io
import os
import pty
import re
import shutil
import subprocess
import threading

from estimates.run.execute import run_log
from estimates.run.progress import terminal_progress

from .conftest import ESTIMATES, quick_flags


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_each_line_with_the_time_since_the_start():
    stream = _Terminal()
    with terminal_progress(stream) as shown:
        run_log.info("attrition: executing (%s)", "no cache")
    run_log.info("after the block")
    assert shown
    assert re.fullmatch(r" +\d+\.\d s  attrition: executing \(no cache\)\n", stream.getvalue())


def test_a_pipe_or_a_file_gets_nothing():
    stream = io.StringIO()
    with terminal_progress(stream) as shown:
        run_log.info("attrition: executing")
    assert not shown and stream.getvalue() == ""


def test_lines_of_another_thread_are_not_echoed():
    stream = _Terminal()
    with terminal_progress(stream):
        other = threading.Thread(target=run_log.info, args=("another run's line",))
        other.start()
        other.join()
    assert stream.getvalue() == ""


def _run_with_stderr(args, stderr_fd):
    done = subprocess.run(args, stdout=subprocess.PIPE, stderr=stderr_fd, text=True, timeout=600)
    return done


def test_estimates_run_on_a_terminal_shows_every_notebook_and_in_cron_only_its_summary(baseline_root, tmp_path):
    root = tmp_path / "reports"
    shutil.copytree(baseline_root, root, symlinks=True)
    args = [ESTIMATES, "run", "--out", str(root), *quick_flags()]
    controller, terminal = pty.openpty()
    try:
        done = _run_with_stderr(args, terminal)
        os.close(terminal)
        chunks = []
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal's other end is closed: everything has been read
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(controller)
    shown = b"".join(chunks).decode()
    assert done.returncode == 0, shown
    lines = [line for line in shown.splitlines() if line.strip()]
    for model in ("attrition", "resupply", "pooling", "losses", "lanchester"):
        assert any(re.match(rf" *\d+\.\d s  {model}: (reused|executing|executed)", line) for line in lines), shown
    assert any("briefing:" in line for line in lines)
    assert done.stdout.startswith("succeeded: run ")
    # The same run from cron: standard error is not a terminal, and nothing but the summary is printed.
    quiet = _run_with_stderr(args, subprocess.PIPE)
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert quiet.stdout.count("\n") == 1 and quiet.stdout.startswith("succeeded: run ")
