"""The judgments store under real processes: killed writers and concurrent ones leave it consistent."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sqlite3
import time
from pathlib import Path

from estimates.track.store import FILE, JudgmentStore


def _writer(root: str, run_dir: str, prefix: str, count: int) -> None:
    """Record ``count`` copies of one run under new ids, as fast as it can."""
    results = json.loads((Path(run_dir) / "results.json").read_text())
    manifest = json.loads((Path(run_dir) / "manifest.json").read_text())
    store = JudgmentStore(Path(root))
    for i in range(count):
        run_id = f"{prefix}-{i:04d}"
        store.record(Path(run_dir), results, manifest | {"run_id": run_id}, state="published")


def _reader(root: str, rounds: int) -> None:
    store = JudgmentStore(Path(root))
    for _ in range(rounds):
        store.judgments()


def _per_run(root: Path) -> dict[str, int]:
    with sqlite3.connect(root / FILE) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return dict(db.execute("SELECT r.run_id, COUNT(j.judgment_id) FROM runs r LEFT JOIN judgments j "
                               "USING (run_id) GROUP BY r.run_id").fetchall())


def _judgments_per_run(run_dir: Path) -> int:
    results = json.loads((run_dir / "results.json").read_text())
    return sum(len(s.get("judgments", [])) for s in results.values() if isinstance(s, dict))


def test_concurrent_writers_and_readers_lose_nothing(baseline_run, tmp_path):
    spawn = multiprocessing.get_context("spawn")
    workers = [spawn.Process(target=_writer, args=(str(tmp_path), str(baseline_run), f"w{k}", 15)) for k in range(3)]
    workers += [spawn.Process(target=_reader, args=(str(tmp_path), 30))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
        assert worker.exitcode == 0
    counts = _per_run(tmp_path)
    assert len(counts) == 45 and set(counts.values()) == {_judgments_per_run(baseline_run)}


def test_a_writer_killed_mid_transaction_leaves_whole_runs_only(baseline_run, tmp_path):
    spawn = multiprocessing.get_context("spawn")
    worker = spawn.Process(target=_writer, args=(str(tmp_path), str(baseline_run), "k", 10_000))
    worker.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (tmp_path / FILE).exists():
        time.sleep(0.05)
    time.sleep(1.0)  # well into its stream of transactions
    os.kill(worker.pid, signal.SIGKILL)
    worker.join()
    counts = _per_run(tmp_path)
    # Every run it recorded is whole; the one it was writing when killed is absent, never half there.
    assert counts and set(counts.values()) == {_judgments_per_run(baseline_run)}
    JudgmentStore(tmp_path).record(baseline_run, json.loads((baseline_run / "results.json").read_text()),
                                   json.loads((baseline_run / "manifest.json").read_text()))  # still writable
