"""The judgments store: what a published run judged is kept, and a killed run leaves it consistent."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from estimates.track.store import FILE, MIGRATIONS, JudgmentStore

from .conftest import run_cli


def _recorded(run) -> list[tuple[str, float]]:
    results = json.loads((run / "results.json").read_text())
    return sorted((j["id"], j["probability"]["probability"]) for section in results.values()
                  if isinstance(section, dict) for j in section.get("judgments", []))


@pytest.fixture
def root(baseline_root, tmp_path):
    """A copy of the baseline's output root: one published run, its judgments in the store."""
    copy = tmp_path / "reports"
    shutil.copytree(baseline_root, copy, symlinks=True)
    return copy


def test_a_published_run_keeps_every_judgment(root, baseline_run):
    frame = JudgmentStore(root).judgments()
    assert sorted(zip(frame["judgment_id"], frame["probability"])) == _recorded(baseline_run)
    assert set(frame["run_id"]) == {baseline_run.name} and not frame["scenario"].any()
    assert set(frame["band"]) <= {"almost no chance", "very unlikely", "unlikely", "roughly even chance", "likely",
                                  "very likely", "almost certain"}
    assert set(frame["confidence"]) <= {"low", "moderate", "high"}
    with sqlite3.connect(root / FILE) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_a_run_killed_before_or_after_latest_moved_is_settled(root, baseline_run):
    store = JudgmentStore(root)
    results = json.loads((baseline_run / "results.json").read_text())
    manifest = json.loads((baseline_run / "manifest.json").read_text())
    # Killed after `latest` moved, before the mark: its manifest says it succeeded.
    store.record(baseline_run, results, manifest)  # pending again
    assert store.judgments().empty
    # Killed before publishing: a run directory whose manifest never reached "succeeded".
    failed = root / "20990101T000000Z-dead00"
    failed.mkdir()
    (failed / "manifest.json").write_text(json.dumps(manifest | {"run_id": failed.name, "status": "failed"}))
    store.record(failed, results, manifest | {"run_id": failed.name})
    settled = store.reconcile()
    assert settled == {"published": [baseline_run.name], "dropped": [failed.name], "added": []}
    assert set(store.judgments()["run_id"]) == {baseline_run.name}
    # A pending run is left alone while a run may be publishing (the lock is held elsewhere).
    store.record(failed, results, manifest | {"run_id": failed.name})
    assert store.reconcile(drop_pending=False)["dropped"] == []


def test_a_lost_store_is_read_again_from_the_published_runs(root, baseline_run):
    (root / FILE).unlink()
    assert JudgmentStore(root).reconcile()["added"] == [baseline_run.name]
    assert sorted(zip(*JudgmentStore(root).judgments()[["judgment_id", "probability"]].to_dict("list").values())) \
        == _recorded(baseline_run)


def test_the_cli_lists_and_filters(root, baseline_run, tmp_path):
    done = run_cli("judgments", "--out", str(root), "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert sorted((r["judgment_id"], r["probability"]) for r in rows) == _recorded(baseline_run)
    other = run_cli("judgments", "--out", str(root), "--case", str(tmp_path), "--format", "csv")
    assert other.returncode == 0 and other.stdout.strip().count("\n") == 0  # the header alone
    bad = run_cli("judgments", "--out", str(root), "--format", "xml")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1 and "--format" in bad.stderr


def test_two_runs_a_resolution_and_the_brier_score_by_hand(root):
    from .conftest import quick_flags

    done = run_cli("run", "--out", str(root), *quick_flags(), "--seed", "7")
    assert done.returncode == 0, done.stderr
    rows = json.loads(run_cli("judgments", "--out", str(root), "--format", "json").stdout)
    assert len({r["run_id"] for r in rows}) == 2
    asked = rows[0]["judgment_id"]
    resolved = run_cli("resolve", "--out", str(root), asked, "no", "--on", "2022-06-02", "--source", "btg-committed-125")
    assert resolved.returncode == 0, resolved.stderr
    # The question was asked in the same words in both runs: both judgments are settled.
    stored = [r["probability"] for r in rows if r["judgment_id"] == asked and r["statement"] in resolved.stdout]
    assert len(stored) == 2 and f"{len(stored)} stored judgment(s)" in resolved.stdout
    figure = root / "calibration.png"
    scored = run_cli("score", "--out", str(root), "--format", "json", "--figure", str(figure))
    assert scored.returncode == 0, scored.stderr
    assert figure.read_bytes().startswith(b"\x89PNG")
    scores = json.loads(scored.stdout)
    overall = next(s for s in scores if s["case"] == "all")
    assert overall["n"] == 2 and overall["brier"] == pytest.approx(sum(p ** 2 for p in stored) / 2, abs=1e-12)


def test_resolve_refuses_what_it_cannot_settle_in_one_line(root):
    for args, word in ((["no-such-judgment", "yes", "--on", "2022-06-02", "--source", "x"], "no published judgment"),
                       (["anything", "yes", "--on", "June", "--source", "x"], "--on"),
                       (["anything", "maybe", "--on", "2022-06-02", "--source", "x"], "answer")):
        done = run_cli("resolve", "--out", str(root), *args)
        assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1 and word in done.stderr, done.stderr
