"""The judgments store: every key judgment of every published run, kept where it can be queried.

One SQLite file per output root, ``ROOT/judgments.sqlite`` (the standard library's ``sqlite3``; WAL
journal, so readers never wait for a writer). Its schema version is SQLite's ``user_version``, and
:data:`MIGRATIONS` brings an older file up to date when it is opened.

Publishing a run is file writes and then moving ``latest``, which cannot share a transaction with
the database. So a run's judgments are written as *pending* before its manifest says it succeeded
and ``latest`` moves, and marked *published* after; :meth:`JudgmentStore.reconcile` settles whatever
a killed run left: a pending run that ``latest`` points to did publish (the kill came between the
move and the mark), any other pending run never will and is dropped (its manifest, if it already
said succeeded, is marked interrupted, so that nothing takes it for published), and a succeeded run
the store lacks (an older store, a deleted file) is read again from its ``results.json``. Only
published rows are ever listed.
"""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd

from estimates.core import confidence
from estimates.core.wording import likelihood

FILE = "judgments.sqlite"
#: Schema changes, in order; the file's ``user_version`` is how many have been applied.
MIGRATIONS = (
    """
    CREATE TABLE runs (
        run_id TEXT PRIMARY KEY,
        case_folder TEXT NOT NULL,
        cut_off TEXT,
        parameters_sha256 TEXT,
        scenario INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'published')),
        started_utc TEXT
    );
    CREATE TABLE judgments (
        run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        judgment_id TEXT NOT NULL,
        model TEXT NOT NULL,
        statement TEXT NOT NULL,
        event_date TEXT,
        probability REAL NOT NULL,
        standard_error REAL,
        band TEXT NOT NULL,
        confidence TEXT NOT NULL,
        claim_ids TEXT NOT NULL,
        PRIMARY KEY (run_id, judgment_id)
    );
    """,
    # What happened: one outcome per question (a judgment id asked in the same words), with the claim
    # that shows it.
    """
    CREATE TABLE outcomes (
        judgment_id TEXT NOT NULL,
        statement TEXT NOT NULL,
        happened INTEGER NOT NULL,
        on_date TEXT NOT NULL,
        source_claim TEXT NOT NULL,
        recorded_utc TEXT NOT NULL,
        PRIMARY KEY (judgment_id, statement)
    );
    """,
    # Judgments a later statement can settle carry what it must show; an outcome a statement settled
    # says which and when it was reported, so a run that already knew it is not scored against it.
    """
    ALTER TABLE judgments ADD COLUMN observable TEXT;
    ALTER TABLE outcomes ADD COLUMN observation_id TEXT;
    ALTER TABLE outcomes ADD COLUMN reported TEXT;
    """,
)
COLUMNS = ("run_id", "case_folder", "cut_off", "scenario", "model", "judgment_id", "statement", "event_date",
           "probability", "standard_error", "band", "confidence", "claim_ids", "parameters_sha256", "observable")


def rows_of(run_dir: Path, results: dict, manifest: dict) -> tuple[dict, list[dict]]:
    """The store's run row and judgment rows for a run, from what it recorded."""
    from estimates.report.briefing import gather_sources
    from estimates.report.diff import Run

    run = Run(Path(run_dir), manifest, results)
    models = [model for model, section in results.items() if isinstance(section, dict) and model != "case"]
    sources = {row["claim_id"]: row for row in gather_sources(results, models)}
    judgments = []
    for model in models:
        for judgment in results[model].get("judgments", []):
            probability = judgment["probability"]
            observable = judgment.get("observable")
            judgments.append({
                "judgment_id": judgment["id"], "model": model, "statement": judgment["statement"],
                "event_date": observable["date"] if observable else None,
                "observable": json.dumps(observable) if observable else None,
                "probability": probability["probability"],
                "standard_error": probability.get("standard_error"),
                "band": judgment.get("term") or likelihood(probability["probability"]).term,
                "confidence": confidence.rate(judgment, sources).level,
                "claim_ids": json.dumps(judgment.get("claim_ids", []))})
    cut_off = (results.get("case") or {}).get("as_of") or manifest.get("parameters", {}).get("as_of")
    return ({"run_id": manifest["run_id"], "case_folder": run.case_folder(), "cut_off": cut_off,
             "parameters_sha256": manifest.get("parameters_sha256"), "scenario": int(run.is_scenario()),
             "started_utc": manifest.get("started_utc")}, judgments)


def _never_published(run_dir: Path) -> None:
    """Mark a run killed before ``latest`` moved to it as the runner marks a run it stops, so that
    neither :meth:`JudgmentStore.reconcile` nor "What changed" takes it for published."""
    from estimates.storage import write_json

    manifest = json.loads((run_dir / "manifest.json").read_text())
    write_json(run_dir / "manifest.json", manifest | {
        "status": "interrupted", "error": "killed before latest moved to it; its judgments were dropped"})


class JudgmentStore:
    """The store of one output root."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.path = self.root / FILE

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.root.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            self._migrate(db)
            yield db
        finally:
            db.close()

    @staticmethod
    def _migrate(db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version >= len(MIGRATIONS):
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]  # another process may have migrated
            for script in MIGRATIONS[version:]:
                for statement in filter(str.strip, script.split(";")):
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def record(self, run_dir: Path, results: dict, manifest: dict, *, state: str = "pending") -> None:
        """Write a run's judgments (replacing any earlier rows of the same run), in one transaction."""
        run, judgments = rows_of(run_dir, results, manifest)
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("DELETE FROM runs WHERE run_id = ?", (run["run_id"],))
                db.execute("INSERT INTO runs VALUES (:run_id, :case_folder, :cut_off, :parameters_sha256, "
                           ":scenario, :state, :started_utc)", run | {"state": state})
                db.executemany("INSERT INTO judgments (run_id, judgment_id, model, statement, event_date, "
                               "probability, standard_error, band, confidence, claim_ids, observable) VALUES "
                               "(:run_id, :judgment_id, :model, :statement, :event_date, :probability, "
                               ":standard_error, :band, :confidence, :claim_ids, :observable)",
                               [j | {"run_id": run["run_id"]} for j in judgments])
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def publish(self, run_id: str) -> None:
        with self._connect() as db:
            db.execute("UPDATE runs SET state = 'published' WHERE run_id = ?", (run_id,))

    def reconcile(self, *, drop_pending: bool = True) -> dict[str, list[str]]:
        """Settle what killed runs left (see the module's docstring). ``drop_pending=False`` when a
        run may be publishing right now (the caller does not hold the root's lock)."""
        from estimates.report.diff import DiffError, load_run

        done: dict[str, list[str]] = {"published": [], "dropped": [], "added": []}
        with self._connect() as db:
            states = dict(db.execute("SELECT run_id, state FROM runs").fetchall())
        published = {}
        for path in self.root.iterdir() if self.root.is_dir() else ():
            # A run directory is named by its run id; published rows need no second look.
            if states.get(path.name) == "published" or path.is_symlink() or not (path / "manifest.json").is_file():
                continue
            try:
                run = load_run(path)
            except (DiffError, OSError, ValueError):
                continue
            if run.manifest.get("status") == "succeeded" and (path / "briefing.html").is_file():
                published[run.manifest["run_id"]] = run
        latest = self.root / "latest"
        current = os.readlink(latest) if latest.is_symlink() else None
        for run_id, state in states.items():
            if state == "pending" and run_id in published and run_id == current:
                self.publish(run_id)
                done["published"].append(run_id)
            elif state == "pending" and drop_pending:
                with self._connect() as db:
                    db.execute("DELETE FROM runs WHERE run_id = ?", (run_id,))
                if run_id in published:  # killed after its manifest said succeeded, before `latest` moved
                    _never_published(published.pop(run_id).path)
                done["dropped"].append(run_id)
        for run_id, run in published.items():
            if run_id not in states:
                self.record(run.path, run.results, run.manifest, state="published")
                done["added"].append(run_id)
        return done

    def judgments(self, *, case_folder: str | None = None) -> pd.DataFrame:
        """Every judgment of every published run, oldest run first; ``case_folder`` filters."""
        query = ("SELECT r.run_id, r.case_folder, r.cut_off, r.scenario, j.model, j.judgment_id, j.statement, "
                 "j.event_date, j.probability, j.standard_error, j.band, j.confidence, j.claim_ids, "
                 "r.parameters_sha256, j.observable FROM judgments j JOIN runs r USING (run_id) WHERE r.state = 'published'")
        arguments: tuple = ()
        if case_folder is not None:
            query += " AND r.case_folder = ?"
            arguments = (case_folder,)
        with self._connect() as db:
            rows = db.execute(query + " ORDER BY r.started_utc, r.run_id, j.model, j.judgment_id", arguments).fetchall()
        frame = pd.DataFrame(rows, columns=list(COLUMNS))
        frame["claim_ids"] = [", ".join(json.loads(c)) for c in frame["claim_ids"]]
        frame["scenario"] = frame["scenario"].astype(bool)
        return frame

    def resolve(self, judgment_id: str, happened: bool, on_date: str, source_claim: str) -> tuple[str, int]:
        """Record what happened to ``judgment_id`` as its newest published run asked it; returns that
        statement and how many stored judgments (of every run that asked it so) it settles."""
        import datetime as dt

        with self._connect() as db:
            found = db.execute("SELECT j.statement FROM judgments j JOIN runs r USING (run_id) WHERE "
                               "r.state = 'published' AND j.judgment_id = ? ORDER BY r.started_utc DESC, "
                               "r.run_id DESC LIMIT 1", (judgment_id,)).fetchone()
            if found is None:
                known = [row[0] for row in db.execute("SELECT DISTINCT judgment_id FROM judgments ORDER BY 1")]
                raise KeyError(f"no published judgment '{judgment_id}'; stored: {', '.join(known) or 'none'}")
            statement = found[0]
            db.execute("INSERT OR REPLACE INTO outcomes (judgment_id, statement, happened, on_date, source_claim, "
                       "recorded_utc) VALUES (?, ?, ?, ?, ?, ?)",
                       (judgment_id, statement, int(happened), on_date, source_claim,
                        dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")))
            settled = db.execute("SELECT COUNT(*) FROM judgments j JOIN runs r USING (run_id) WHERE r.state = "
                                 "'published' AND j.judgment_id = ? AND j.statement = ?",
                                 (judgment_id, statement)).fetchone()[0]
        return statement, settled

    def settle(self, found) -> int:
        """Record outcomes that statements settled (:class:`estimates.track.settle.Settlement`), each
        unless its question already has one (an analyst's ``resolve`` is never overwritten); returns
        how many were new."""
        import datetime as dt

        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                added = db.executemany("INSERT OR IGNORE INTO outcomes (judgment_id, statement, happened, on_date, "
                               "source_claim, recorded_utc, observation_id, reported) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                               [(s.judgment_id, s.statement, int(s.happened), s.on_date, s.source_claim, now,
                                 s.observation_id, s.reported) for s in found]).rowcount  # ignored rows count 0
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return added

    def resolved(self, *, scenarios: bool = False) -> pd.DataFrame:
        """Published judgments whose question has an outcome, each with it. Scenario runs are left
        out (they judge a hypothetical, not what was known), and so is a run whose cut-off was on or
        after the day the settling statement was reported (it already knew the answer)."""
        frame = self.judgments()
        names = ["judgment_id", "statement", "happened", "on_date", "source_claim", "observation_id", "reported"]
        with self._connect() as db:
            outcomes = pd.DataFrame(db.execute(f"SELECT {', '.join(names)} FROM outcomes").fetchall(), columns=names)
        joined = frame.merge(outcomes, on=["judgment_id", "statement"], how="inner")
        joined["happened"] = joined["happened"].astype(bool)
        unknown = joined["reported"].isna() | joined["cut_off"].isna()
        joined = joined[unknown | (joined["reported"] > joined["cut_off"])]
        return joined if scenarios else joined[~joined["scenario"]]

