"""Unattended runs: the output root's lock, signals, retention, the run log and the README's timers.

Runs that must succeed reuse the session's baseline run through the cache (a copy of its output
root), so they start no kernel; runs that must be interrupted use a fixture suite whose notebook
sleeps (``tests/fixtures/sleep_suite``, selected with ``ESTIMATES_SUITE_DIR``).
"""

from __future__ import annotations

import getpass
import json
import os
import re
import select
import shlex
import shutil
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from estimates import cli, errors
from estimates.paths import PROJECT_DIR
from estimates.run import plan
from estimates.run.cache import Cache
from estimates.run.locking import LockBusy, RootLock
from estimates.storage import prune_runs, run_dirs

from .conftest import ESTIMATES, quick_flags

FIXTURES = Path(__file__).parent / "fixtures"
README = PROJECT_DIR / "README.md"


def _copy_root(baseline_root: Path, tmp_path: Path) -> Path:
    """A private output root holding the baseline run and its cache index."""
    root = tmp_path / "reports"
    shutil.copytree(baseline_root, root, symlinks=True, ignore=shutil.ignore_patterns(".lock"))
    return root


def _readline(stream, timeout_s: float = 120.0) -> str:
    """One line from a subprocess pipe, or '' if none comes (so a bug fails the test, never hangs it)."""
    ready, _, _ = select.select([stream], [], [], timeout_s)
    return stream.readline() if ready else ""


def _wait_for(predicate, timeout_s: float = 120.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _fake_run(root: Path, name: str) -> Path:
    path = root / name
    path.mkdir(parents=True)
    (path / "briefing.html").write_text(f"<p>{name}</p>")
    return path


# --- the lock ------------------------------------------------------------------------------------

def test_lock_is_exclusive_and_released_on_exit(tmp_path):
    with RootLock(tmp_path) as held:
        assert held.holder() == os.getpid()
        with pytest.raises(LockBusy, match=rf"another run holds the lock on {re.escape(str(tmp_path))} \(pid {os.getpid()}\)"):
            RootLock(tmp_path, wait=False).acquire()
    RootLock(tmp_path, wait=False).acquire().release()  # free again


def test_no_wait_exits_75_at_once_and_creates_nothing(tmp_path):
    root = tmp_path / "reports"
    root.mkdir()
    with RootLock(root):
        done = subprocess.run([ESTIMATES, "run", "--no-wait", "--out", str(root), *quick_flags()],
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == errors.EXIT_BUSY == 75
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"estimates: another run holds the lock on {root} (pid {os.getpid()}); not waiting (--no-wait)"]
    assert sorted(p.name for p in root.iterdir()) == [".lock"]


def test_second_run_waits_for_the_first(baseline_root, tmp_path):
    root = _copy_root(baseline_root, tmp_path)
    before = os.readlink(root / "latest")
    lock = RootLock(root).acquire()
    try:
        waiting = subprocess.Popen([ESTIMATES, "run", "--out", str(root), *quick_flags()],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = _readline(waiting.stderr)
        assert line == f"estimates: waiting for the run holding {root} (pid {os.getpid()}) to finish\n"
        assert [p.name for p in run_dirs(root)] == [before]  # it has not started a run
        assert waiting.poll() is None
    finally:
        lock.release()
    stdout, stderr = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, stderr
    # One line on stdout: what happened, ending with the briefing's path.
    assert re.fullmatch(r"succeeded: run \S+, notebooks 0 executed \d+ reused, [\d.]+ s; briefing: \S+briefing\.html\n",
                        stdout), stdout
    new = os.readlink(root / "latest")
    assert new != before and stdout.rstrip().endswith(str(root / new / "briefing.html"))
    log = (root / new / "run.log").read_text()
    assert f"run {new} started" in log and "attrition: reused" in log


# --- signals --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_kills_the_kernel_and_marks_the_run_interrupted(tmp_path, signum, code):
    root = tmp_path / "reports"
    good = _fake_run(root, "20220101T000000Z-000001")
    os.symlink(good.name, root / "latest")
    env = {**os.environ, plan.SUITE_DIR_ENV: str(FIXTURES / "sleep_suite")}
    first = subprocess.Popen([ESTIMATES, "run", "--out", str(root)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    kernel = None
    try:
        _wait_for(lambda: any((d / "sleeping").exists() for d in run_dirs(root)) or first.poll() is not None,
                  what="the fixture notebook to start sleeping")
        assert first.poll() is None, first.communicate()
        run_dir = next(d for d in run_dirs(root) if (d / "sleeping").exists())
        kernel = psutil.Process(int((run_dir / "sleeping").read_text()))
        connection = next(arg for arg in kernel.cmdline() if arg.endswith(".json"))
        assert kernel.ppid() == first.pid

        # Two runs never interleave: a second one with --no-wait gives up at once.
        second = subprocess.run([ESTIMATES, "run", "--no-wait", "--out", str(root)], env=env,
                                capture_output=True, text=True, timeout=120)
        assert second.returncode == 75, second.stderr
        assert f"(pid {first.pid})" in second.stderr

        first.send_signal(signum)
        stdout, stderr = first.communicate(timeout=120)
    finally:
        if first.poll() is None:  # the test failed midway: leave no sleeping kernel behind either
            first.kill()
            if kernel is not None and kernel.is_running():
                kernel.kill()
    assert first.returncode == code, stderr
    assert stderr.splitlines()[-1] == f"estimates: interrupted by {signal.Signals(signum).name}"
    assert stdout == ""
    # The kernel (its own session, so the signal never reached it) was killed, and cleaned up after.
    _wait_for(lambda: not kernel.is_running() or kernel.status() == psutil.STATUS_ZOMBIE, 30, "the kernel to die")
    assert not Path(connection).exists()
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and manifest["signal"] == signal.Signals(signum).name
    assert [n["status"] for n in manifest["notebooks"]] == ["interrupted"]
    assert "interrupted by" in (run_dir / "run.log").read_text()
    assert os.readlink(root / "latest") == good.name
    assert not (run_dir / "briefing.html").exists() and not (run_dir / "results.json").exists()
    assert [p for p in root.rglob("*") if p.name.endswith(".tmp")] == []
    RootLock(root, wait=False).acquire().release()  # the lock went with the process


# --- retention ------------------------------------------------------------------------------------

def test_prune_keeps_the_newest_and_never_latest(tmp_path):
    names = [f"2022010{i}T000000Z-00000{i}" for i in range(1, 6)]
    for name in names:
        _fake_run(tmp_path, name)
    (tmp_path / "notes").mkdir()  # not a run: never touched
    os.symlink(names[0], tmp_path / "latest")  # latest is the oldest, e.g. after failed runs

    removed = prune_runs(tmp_path, 2)

    assert removed == names[1:3]
    assert sorted(p.name for p in run_dirs(tmp_path)) == [names[0], names[3], names[4]]
    assert (tmp_path / "notes").is_dir() and (tmp_path / "latest" / "briefing.html").is_file()
    assert prune_runs(tmp_path, 2) == []
    with pytest.raises(ValueError, match="keep must be at least 1"):
        prune_runs(tmp_path, 0)


def test_keep_through_the_cli(baseline_root, tmp_path):
    root = _copy_root(baseline_root, tmp_path)
    baseline = os.readlink(root / "latest")
    old = [_fake_run(root, f"2022010{i}T000000Z-00000{i}").name for i in range(1, 4)]
    done = subprocess.run([ESTIMATES, "run", "--keep", "2", "--out", str(root), *quick_flags()],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    latest = os.readlink(root / "latest")
    assert [p.name for p in run_dirs(root)] == sorted([baseline, latest])
    assert not any((root / name).exists() for name in old)
    # The cache now points at the newest copies, never at a deleted run.
    assert {entry["run"] for entry in Cache(root).entries.values()} <= {baseline, latest}


@pytest.mark.parametrize("flag", ["--keep", "--jobs"])
@pytest.mark.parametrize("value", ["0", "two"])
def test_keep_and_jobs_must_be_positive_whole_numbers(tmp_path, capsys, flag, value):
    with pytest.raises(SystemExit) as exited:
        cli.main(["run", flag, value, "--out", str(tmp_path / "r")])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and f"argument {flag}" in err
    assert not (tmp_path / "r").exists()


# --- the README's timers work as written ----------------------------------------------------------

def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, flags=re.S | re.M)
    assert match, f"README.md has no '## {title}' section"
    return match.group(1)


def _blocks(text: str) -> dict[str, str]:
    """Fenced blocks that start with a '# FILE' comment line, by file name."""
    blocks = {}
    for body in re.findall(r"^```[^\n]*\n(.*?)^```", text, flags=re.S | re.M):
        first, _, rest = body.partition("\n")
        if first.startswith("# "):
            blocks[first[2:].strip()] = rest
    return blocks


def _estimates_args(command: str) -> list[str]:
    words = shlex.split(command)
    start = next(i for i, w in enumerate(words) if w.endswith("bin/estimates") or w == "estimates")
    end = next((i for i, w in enumerate(words[start:], start) if w in ("&&", ";", "||", ">>", ">", "2>&1")),
               len(words))
    return words[start + 1:end]


def test_readme_crontab_line_parses():
    crontab = _blocks(_section("Scheduled runs"))["crontab"]
    lines = [line for line in crontab.splitlines() if line.strip() and not line.startswith("#")]
    assert len(lines) == 1
    fields = lines[0].split(None, 5)
    assert all(re.fullmatch(r"[\d*/,-]+", f) for f in fields[:5]), fields
    args = cli._parser().parse_args(_estimates_args(fields[5]))
    assert args.command == "run" and args.no_wait and args.keep


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_readme_systemd_units_verify(tmp_path):
    blocks = _blocks(_section("Scheduled runs"))
    service, timer = blocks["/etc/systemd/system/estimates.service"], blocks["/etc/systemd/system/estimates.timer"]
    exec_start = re.search(r"^ExecStart=(.*)$", service, flags=re.M).group(1)
    assert cli._parser().parse_args(_estimates_args(exec_start)).command == "run"
    # The README's checkout is /srv/estimates run by user 'analyst'; here, this checkout and this user.
    service = service.replace("/srv/estimates", str(PROJECT_DIR))
    service = re.sub(r"^User=.*$", f"User={getpass.getuser()}", service, flags=re.M)
    (tmp_path / "estimates.service").write_text(service)
    (tmp_path / "estimates.timer").write_text(timer)
    done = subprocess.run(["systemd-analyze", "verify", "estimates.service", "estimates.timer"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == "", done.stderr
