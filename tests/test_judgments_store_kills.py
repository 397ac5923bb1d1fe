"""The real ``estimates run`` SIGKILLed at each step of publishing, and the track-record commands
running beside a writer: the judgments store stays consistent (issue 17).

A run publishes in steps once its notebooks are done: ``results.json``, its judgments recorded as
pending, ``manifest.json`` marked succeeded, ``latest`` moved, the judgments marked published, then
alerts. The run is published exactly when ``latest`` has moved to it. Each case kills the command
(tests/fixtures/kill_at.py) just before or just after one step, on a copy of the session's baseline
root (the notebooks are reused from its cache, so a run gets to publishing in a few seconds), then
checks, from other processes: the store passes ``PRAGMA integrity_check``; ``estimates judgments``,
while the root's lock is held as by a run in progress, lists exactly the published runs, each with
every judgment its ``results.json`` holds; ``latest`` and its briefing are as they were unless the
kill came after ``latest`` moved; and after the next successful run (which settles the store under
the lock) no row is pending, the killed run is listed if and only if ``latest`` had reached it, and
"What changed" compares with the last run that was really published.

Last, ``estimates resolve`` and ``estimates score`` run again and again while real runs publish
into the same root: every resolution is kept, and the file stays whole.

The twelve cases run three at a time in one module-scoped fixture, since each is mostly waiting on
processes and disk; each test then reads its case.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import pkgutil
import shutil
import signal
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from estimates.run.locking import RootLock
from estimates.track.store import FILE, JudgmentStore

from .conftest import quick_flags, run_cli
from .fixtures import kill_at
from .fixtures.runs import run_dirs

#: The steps of publishing, in the order the runner takes them (kill_at.STEPS names the functions).
ORDER = ("results", "record", "manifest", "point_link", "publish", "alerts")
CASES = [(step, when) for step in ORDER for when in ("before", "after")]


def reached_latest(step: str, when: str) -> bool:
    """Whether ``latest`` had moved to the run when it was killed: then, and only then, it published."""
    moved = ORDER.index("point_link")
    return ORDER.index(step) > moved or (step, when) == ("point_link", "after")


def _states(root: Path) -> tuple[str, dict[str, str]]:
    """``PRAGMA integrity_check``'s answer and each run's state, read without settling anything."""
    db = sqlite3.connect(root / FILE)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0], dict(db.execute("SELECT run_id, state FROM runs"))
    finally:
        db.close()


def _recorded(run_dir: Path) -> list[tuple[str, float]]:
    results = json.loads((run_dir / "results.json").read_text())
    return sorted((j["id"], j["probability"]["probability"]) for section in results.values()
                  if isinstance(section, dict) for j in section.get("judgments", []))


def _listed(rows: list[dict]) -> dict[str, list[tuple[str, float]]]:
    runs: dict[str, list] = {}
    for row in rows:
        runs.setdefault(row["run_id"], []).append((row["judgment_id"], row["probability"]))
    return {run_id: sorted(judgments) for run_id, judgments in runs.items()}


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def forkserver():
    """A forkserver that has imported what a run imports: each command then starts in milliseconds
    instead of the seconds a new interpreter spends on imports, and is still a process of its own."""
    import estimates

    wanted = ("estimates.core", "estimates.inputs", "estimates.models", "estimates.parameters", "estimates.report",
              "estimates.run", "estimates.track")
    modules = [m.name for m in pkgutil.walk_packages(estimates.__path__, "estimates.") if m.name.startswith(wanted)
               and m.name not in ("estimates.report.pdf", "estimates.report.screenshots")]
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([kill_at.__name__, "estimates.cli", *modules, "matplotlib.pyplot", "seaborn",
                                    "jinja2", "jsonschema", "nbformat"])
    return context


def _estimates(context, folder: Path, argv: list[str], step: str | None = None, when: str | None = None) -> Done:
    """``estimates ARGV`` in a process of its own, killed at ``when`` ``step`` if given."""
    out, err = folder.with_suffix(".out"), folder.with_suffix(".err")
    process = context.Process(target=kill_at.command, args=(step, when, argv, str(out), str(err)))
    process.start()
    process.join(timeout=300)
    if process.exitcode is None:
        process.kill()
        process.join()
    return Done(process.exitcode, out.read_text(), err.read_text())


@dataclass
class Case:
    step: str
    when: str
    root: Path
    baseline: str
    killed: Done
    killed_run: str
    states_after_kill: tuple[str, dict]
    latest_after_kill: str
    briefing_after_kill: bytes
    listed_while_locked: Done
    following: Done
    following_run: str
    states_after: tuple[str, dict]
    listed_after: Done


def _kill_and_follow(context, baseline_root: Path, root: Path, step: str, when: str) -> Case:
    shutil.copytree(baseline_root, root, symlinks=True)
    baseline = os.readlink(root / "latest")
    killed = _estimates(context, root.with_name(f"{root.name}-killed"), ["run", "--out", str(root), *quick_flags()],
                        step, when)
    [killed_run] = run_dirs(root) - {baseline}
    states_after_kill = _states(root)
    latest_after_kill = os.readlink(root / "latest")
    briefing_after_kill = (root / "latest" / "briefing.html").read_bytes()
    # A reader while a run holds the lock: it may not drop pending rows, and must list published runs only.
    with RootLock(root):
        listed_while_locked = _estimates(context, root.with_name(f"{root.name}-locked"),
                                         ["judgments", "--out", str(root), "--format", "json"])
    following = _estimates(context, root.with_name(f"{root.name}-following"), ["run", "--out", str(root),
                                                                                 *quick_flags()])
    [following_run] = run_dirs(root) - {baseline, killed_run} or [None]
    states_after = _states(root)
    listed_after = _estimates(context, root.with_name(f"{root.name}-listed"),
                              ["judgments", "--out", str(root), "--format", "json"])
    return Case(step, when, root, baseline, killed, killed_run, states_after_kill, latest_after_kill,
                briefing_after_kill, listed_while_locked, following, following_run, states_after, listed_after)


@pytest.fixture(scope="module")
def cases(baseline_root, forkserver, tmp_path_factory) -> dict[tuple[str, str], Case]:
    folder, context = tmp_path_factory.mktemp("kills"), forkserver
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {(step, when): pool.submit(_kill_and_follow, context, baseline_root, folder / f"{step}-{when}",
                                             step, when)
                   for step, when in CASES}
        return {key: future.result() for key, future in futures.items()}


@pytest.mark.parametrize(("step", "when"), CASES, ids=[f"{when}-{step}" for step, when in CASES])
def test_a_run_killed_while_publishing_leaves_the_store_consistent(step, when, cases, baseline_root):
    case = cases[step, when]
    published = reached_latest(step, when)
    assert case.killed.returncode == -signal.SIGKILL, f"never killed at {when} {step}: {case.killed.stderr[-2000:]}"

    # Right after the kill: the file is whole, and `latest` moved only if the kill came after it did.
    integrity, states = case.states_after_kill
    assert integrity == "ok" and set(states) <= {case.baseline, case.killed_run}
    if published:
        assert case.latest_after_kill == case.killed_run
    else:
        assert case.latest_after_kill == case.baseline
        assert case.briefing_after_kill == (baseline_root / "latest" / "briefing.html").read_bytes()

    # A reader beside a run in progress lists the published runs, whole, and nothing else.
    assert case.listed_while_locked.returncode == 0, case.listed_while_locked.stderr
    listed = _listed(json.loads(case.listed_while_locked.stdout))
    assert set(listed) == {case.baseline} | ({case.killed_run} if published else set())
    for run_id, judgments in listed.items():
        assert judgments == _recorded(case.root / run_id), run_id

    # The next run settles what was left, under the lock: nothing pending, the killed run kept only
    # if it had published, and "What changed" compares with the run that really was published last.
    assert case.following.returncode == 0, case.following.stderr
    expected = {case.baseline, case.following_run} | ({case.killed_run} if published else set())
    assert case.states_after == ("ok", dict.fromkeys(expected, "published"))
    assert case.listed_after.returncode == 0, case.listed_after.stderr
    listed = _listed(json.loads(case.listed_after.stdout))
    assert set(listed) == expected
    for run_id, judgments in listed.items():
        assert judgments == _recorded(case.root / run_id), run_id
    assert os.readlink(case.root / "latest") == case.following_run
    following = json.loads((case.root / case.following_run / "manifest.json").read_text())
    assert following["compared_with"]["run_id"] == (case.killed_run if published else case.baseline)
    if not published:
        killed = json.loads((case.root / case.killed_run / "manifest.json").read_text())
        assert killed["status"] != "succeeded"


def test_resolve_and_score_beside_runs_publishing_keep_every_resolution(baseline_root, tmp_path):
    """tests/test_judgments_store_processes.py has writers and readers of the store's Python API;
    here the commands themselves, with the lock and the settling each does, share one root."""
    root = tmp_path / "reports"
    shutil.copytree(baseline_root, root, symlinks=True)
    ids = sorted({j for j, _ in _recorded(root / "latest")})
    rounds, runs = 3, 3

    def command(name: str, argv: list[str]) -> Done:
        # A new interpreter each: forkserver children started from several threads at once have
        # been seen to lose their exit status under load (multiprocessing then reports 255).
        done = run_cli(*argv)
        return Done(done.returncode, done.stdout, done.stderr)

    def resolver(share: list[str]) -> list[Done]:
        # Round by round, so each question's last answer is known: round-2's.
        return [command(f"resolve-{j}-{i}", ["resolve", "--out", str(root), j, "yes" if i % 2 else "no",
                                            "--on", "2022-06-02", "--source", f"round-{i}"])
                for i in range(rounds) for j in share]

    def writer() -> list[Done]:
        return [command(f"run-{k}", ["run", "--out", str(root), *quick_flags()]) for k in range(runs)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        resolvers = [pool.submit(resolver, ids[k::2]) for k in range(2)]
        written = pool.submit(writer)
        scored = []
        while not (written.done() and all(r.done() for r in resolvers)):
            scored.append(command(f"score-{len(scored)}", ["score", "--out", str(root), "--format", "json"]))
        resolved = [done for r in resolvers for done in r.result()]
    for done in written.result() + resolved + scored:
        assert done.returncode == 0, done.stderr
    assert len(scored) > 1 and all(isinstance(json.loads(done.stdout), list) for done in scored)

    integrity, states = _states(root)
    assert integrity == "ok" and len(states) == 1 + runs and set(states.values()) == {"published"}
    store = JudgmentStore(root)
    for run_id, judgments in _listed(store.judgments().to_dict("records")).items():
        assert judgments == _recorded(root / run_id), run_id
    with sqlite3.connect(root / FILE) as db:
        outcomes = dict(db.execute("SELECT judgment_id, source_claim FROM outcomes").fetchall())
    assert outcomes == dict.fromkeys(ids, f"round-{rounds - 1}")
    # Every stored judgment of every run asked each question in the same words: all are settled.
    final = json.loads(command("score-final", ["score", "--out", str(root), "--format", "json"]).stdout)
    assert next(s for s in final if s["case"] == "all")["n"] == len(ids) * (1 + runs)
