"""Run the notebook suite through papermill: one directory per run, ``latest`` only on success.

A run directory ``ROOT/<UTC timestamp>-<id>/`` holds the executed notebooks, ``results.json``
(assembled only from what the notebooks recorded), ``briefing.html`` with its figures and tables,
and ``manifest.json`` (parameters, seed, versions, data hashes, per-notebook status and duration).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from estimates import __version__
from estimates.errors import EXIT_FAILED, EXIT_OK, InputError
from estimates.parameters.schema import Parameters
from estimates.paths import PROJECT_DIR
from estimates.report.results_schema import SCHEMA_VERSION
from estimates.run.cache import CACHE_DIR, source_hash
from estimates.run.execute import execute_notebooks, one_line_error, run_log
from estimates.run.plan import NotebookSpec, default_suite, preflight
from estimates.storage import dump_json, point_link, write_json

LOG_NAME = "run.log"


@dataclass
class RunOutcome:
    run_dir: Path
    exit_code: int
    message: str
    notebooks: list[dict] = field(default_factory=list)
    #: Run directories deleted by ``--keep`` retention after this run.
    removed: list[str] = field(default_factory=list)

    @property
    def briefing(self) -> Path:
        return self.run_dir / "briefing.html"


def parameters_hash(params: Parameters) -> str:
    return hashlib.sha256(dump_json(params.model_dump(mode="json"))).hexdigest()


def new_run_dir(out_root: Path, now: dt.datetime) -> Path:
    run_id = f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
    run_dir = out_root / run_id
    run_dir.mkdir(parents=True)
    return run_dir


def assemble_results(records: dict[str, dict], case: dict | None = None) -> dict:
    """``results.json``: the schema version, the case (what it is about, in its own words) and one
    section per model, exactly as recorded."""
    from estimates.report.results_schema import validate_results

    results = {"schema_version": SCHEMA_VERSION, **({"case": case} if case else {}), **records}
    validate_results(results)
    return results


def case_summary(params: Parameters) -> dict:
    """The case a run is of, as ``results.json`` records it: no folder (machine-specific)."""
    summary = params.case_settings.to_dict()
    summary.pop("folder")
    summary["models"] = list(params.models)
    return {**summary, "as_of": params.as_of.isoformat(), "count_date": params.count_as_of.isoformat(),
            "count_day": params.days_elapsed}


@dataclass
class _Run:
    """One run's settings and bookkeeping: manifest entries, the log file, the cache."""

    jobs: int
    force: bool
    cache: object
    #: Run with each alert as JSON on its standard input (:mod:`estimates.track.watch`).
    alert_command: str | None = None
    entries: dict[str, dict] = field(default_factory=dict)
    run_dir: Path | None = None
    manifest: dict | None = None
    started: float = field(default_factory=time.perf_counter)
    _handler: logging.Handler | None = None

    def begin(self, run_dir: Path, manifest: dict, suite: tuple[NotebookSpec, ...]) -> None:
        self.run_dir, self.manifest = run_dir, manifest
        self.entries = {spec.name: {"name": spec.name, "notebook": f"{spec.name}.ipynb", "status": "pending"}
                        for spec in suite}
        manifest["notebooks"] = list(self.entries.values())
        manifest.update(jobs=self.jobs, force=self.force, log=LOG_NAME)
        handler = logging.FileHandler(run_dir / LOG_NAME, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        caller = threading.get_ident()
        handler.addFilter(lambda record: record.thread == caller)  # another run in this process
        run_log.addHandler(handler)
        self._handler = handler
        run_log.info("run %s started: parameters %s, seed %s, package source %s, jobs %d%s",
                  run_dir.name, manifest["parameters_sha256"][:12], manifest["seed"],
                  manifest["package"]["source_sha256"][:12], self.jobs, ", --force" if self.force else "")

    def interrupted(self, error: BaseException) -> None:
        """Mark the run interrupted in its manifest (if it got as far as having one)."""
        from estimates.run.locking import describe

        if self.manifest is None:
            return
        latest = self.run_dir.parent / "latest"
        if latest.is_symlink() and os.readlink(latest) == self.run_dir.name:
            return  # it had finished: `latest` moves last
        for entry in self.entries.values():
            if entry["status"] in ("pending", "running"):
                entry["status"] = "interrupted"
        self.manifest.update(status="interrupted", signal=describe(error), error=f"interrupted by {describe(error)}",
                             finished_utc=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
        run_log.warning("run interrupted by %s; kernels killed, latest not moved", describe(error))
        try:
            write_json(self.run_dir / "manifest.json", self.manifest)
        except OSError:
            pass

    def close(self) -> None:
        if self._handler is not None:
            if self.manifest is not None and self.manifest.get("status") == "succeeded":
                run_log.info("run succeeded in %.1f s", time.perf_counter() - self.started)
            run_log.removeHandler(self._handler)
            self._handler.close()
            self._handler = None

    def summary(self, briefing: Path) -> str:
        """The one line printed on success; it ends with the briefing's path."""
        statuses = [entry["status"] for entry in self.entries.values()]
        return (f"succeeded: run {self.run_dir.name}, notebooks {statuses.count('succeeded')} executed "
                f"{statuses.count('reused')} reused, {time.perf_counter() - self.started:.1f} s; "
                f"briefing: {briefing}")


def run_suite(params: Parameters, out_root: Path, *, suite: tuple[NotebookSpec, ...] | None = None,
              jobs: int | None = None, force: bool = False, keep: int | None = None, wait: bool = True,
              on_wait=None, since: str | Path | None = None, inputs_checked: bool = False,
              alert_command: str | None = None) -> RunOutcome:
    """Execute the suite for validated ``params`` and write one run directory under ``out_root``.

    Holds the lock on ``out_root`` throughout (``wait=False``: raise
    :class:`~estimates.run.locking.LockBusy` at once if another run holds it; ``on_wait(pid)`` is called
    before waiting). Runs up to ``jobs`` notebooks at a time (default: the number of cores), each
    after those it depends on; reuses a notebook's earlier executed copy when its inputs are unchanged
    (:mod:`estimates.run.cache`), unless ``force``. With ``keep``, deletes all but the newest ``keep``
    runs afterwards, never the one ``latest`` points to. ``since`` (a run id under ``out_root`` or a
    run directory) is the run "What changed" compares with; by default, the last published run of
    the same case that is not a scenario (:func:`estimates.report.diff.previous_published`). A
    ``KeyboardInterrupt`` (SIGINT, or SIGTERM through :func:`estimates.run.locking.signals_raise`)
    kills the kernels, marks the run interrupted in its manifest and propagates; ``latest`` does not
    move. ``inputs_checked``: the caller has just read and checked the input files (the CLI, to exit
    2 before anything starts), so they are read again only if the run waits for the lock.
    """
    from estimates.run.cache import Cache
    from estimates.run.locking import RootLock
    from estimates.storage import prune_runs

    if jobs is not None and jobs < 1:
        raise InputError(f"--jobs must be at least 1, got {jobs}")
    if keep is not None and keep < 1:
        raise InputError(f"--keep must be at least 1, got {keep}")
    out_root = Path(out_root)
    since = check_since(out_root, since)
    suite = tuple(suite or default_suite(params))
    # Reading every input file takes a tenth of a second, and the first time several seconds of imports.
    preflight(out_root, suite, None if inputs_checked else params)
    out_root.mkdir(parents=True, exist_ok=True)
    run = _Run(jobs=jobs or os.cpu_count() or 1, force=force, cache=Cache(out_root), alert_command=alert_command)
    waited: list = []

    def waiting(pid: int | None) -> None:
        waited.append(pid)
        if on_wait is not None:
            on_wait(pid)

    with RootLock(out_root, wait=wait, on_wait=waiting):
        try:
            outcome = _run_locked(params, out_root, suite=suite, run=run, since=since, recheck=bool(waited))
        except KeyboardInterrupt as error:
            run.interrupted(error)
            raise
        finally:
            run.close()
        if keep is not None:
            outcome.removed = prune_runs(out_root, keep, protect=(outcome.run_dir.name,))
            run.cache.forget(outcome.removed)
    return outcome


def check_since(out_root: Path, since: str | Path | None) -> Path | None:
    """The run directory ``--since`` names, checked before anything runs: :class:`InputError` (exit 2)
    naming ``--since`` and what it allows when it is no successful run."""
    from estimates.report.diff import DiffError, resolve_since

    if since is None:
        return None
    try:
        return resolve_since(out_root, since)
    except DiffError as error:
        raise InputError(str(error)) from None


def _run_locked(params: Parameters, out_root: Path, *, suite: tuple[NotebookSpec, ...], run: _Run,
                since: Path | None = None, recheck: bool = False) -> RunOutcome:
    """The body of :func:`run_suite`, with the output root's lock held. The input files were checked
    just before the lock was taken; ``recheck`` (the run waited for another) reads them again."""
    preflight(out_root, suite, params if recheck else None)
    from estimates.track.store import JudgmentStore

    settled = JudgmentStore(out_root).reconcile()  # the lock is held: no other run is publishing
    if any(settled.values()):
        run_log.info("judgments store settled: %s", {k: v for k, v in settled.items() if v})
    started = dt.datetime.now(dt.timezone.utc)
    run_dir = new_run_dir(out_root, started)
    manifest = {
        "run_id": run_dir.name,
        "status": "running",
        "started_utc": started.isoformat(timespec="seconds"),
        "parameters": params.model_dump(mode="json"),
        "parameters_sha256": parameters_hash(params),
        "seed": params.seed,
        "package": {"name": "estimates", "version": __version__, "source_sha256": source_hash()},
        "project_dir": str(PROJECT_DIR),
        "notebooks": [],
        "data_files": {},
    }
    run.begin(run_dir, manifest, suite)
    try:
        write_json(run_dir / "manifest.json", manifest)
    except OSError as error:
        return _fail(manifest, run_dir, _write_error(error))
    except sqlite3.Error as error:
        return _fail(manifest, run_dir, f"the judgments store {out_root / 'judgments.sqlite'} could not be "
                                        f"written: {error}")
    records, failure = execute_notebooks(
        suite, params, run_dir, run.entries, jobs=run.jobs, cache=run.cache, force=run.force,
        source_sha256=manifest["package"]["source_sha256"],
    )
    for spec in suite:
        manifest["data_files"].update(records.get(spec.name, {}).get("data_files", {}))
    if failure is not None:
        return _fail(manifest, run_dir, failure)
    import jsonschema

    try:
        results = assemble_results(records, case_summary(params))
    except jsonschema.ValidationError as error:
        where = "/".join(str(p) for p in error.absolute_path)
        return _fail(manifest, run_dir, f"results.json does not match its schema at '{where}': {error.message}")
    from estimates.report.briefing import render_briefing
    from estimates.report.diff import KEPT, compare_with_previous, keep_inputs
    from estimates.report.figure_store import FIGURES_DIR, FigureStore
    from estimates.track.store import JudgmentStore

    # A failed write (a full disk) or a failed rendering must leave the run marked failed and
    # `latest` where it was, like a failed notebook.
    try:
        write_json(run_dir / "results.json", results)
        # A copy of each data file as read, so a later run can say which rows changed and
        # recompute with the file as it was.
        manifest[KEPT] = keep_inputs(run_dir, manifest["data_files"])
        manifest["status"] = "succeeded"
        manifest["finished_utc"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        # Compared with `since`, else the last published non-scenario run of this case (this run is
        # not published yet): a comparison between runs, so it goes into the briefing and the
        # manifest, never into results.json.
        run_log.info("briefing: comparing with the earlier run and rendering")
        changes = compare_with_previous(out_root, run_dir, results, manifest, since=since)
        if changes is not None:
            manifest["compared_with"] = changes.to_dict()
        # Figures whose sections did not change are re-used, unless --force asks for all afresh.
        store = FigureStore(out_root / CACHE_DIR / FIGURES_DIR, manifest["package"]["source_sha256"],
                            read=not run.force)
        render_briefing(results, manifest, run_dir, changes=changes, store=store)
        store.prune()
        run_log.info("briefing: %d figure sets drawn, %d re-used", store.misses, store.hits)
        # Pending until `latest` has moved; a kill in between is settled by the next reconcile. Recorded
        # before the manifest says succeeded, so that a succeeded run the store lacks is one that
        # published before the store knew it, never one killed before `latest` moved.
        judgments = JudgmentStore(out_root)
        judgments.record(run_dir, results, manifest)
        write_json(run_dir / "manifest.json", manifest)
        point_link(out_root / "latest", run_dir.name)
        try:
            judgments.publish(manifest["run_id"])
        except sqlite3.Error as error:
            run_log.warning("judgments store: run left pending until the next run settles it: %s", error)
        _watch(out_root, run_dir, results, manifest, changes, run.alert_command)
    except OSError as error:
        return _fail(manifest, run_dir, _write_error(error))
    except sqlite3.Error as error:
        return _fail(manifest, run_dir, f"the judgments store {out_root / 'judgments.sqlite'} could not be "
                                        f"written: {error}")
    except Exception as error:
        return _fail(manifest, run_dir, f"writing the briefing failed: {one_line_error(error)}")
    return RunOutcome(run_dir, EXIT_OK, run.summary(run_dir / "briefing.html"), manifest["notebooks"])


def _watch(out_root: Path, run_dir: Path, results: dict, manifest: dict, changes, command: str | None) -> None:
    """Alerts for judgments that changed band or confidence; the run has published whatever happens here."""
    from estimates.report.diff import Run
    from estimates.track.watch import alerts, deliver

    current = Run(run_dir, manifest, results)
    try:
        found = alerts(changes, manifest, case=current.case_folder(), scenario=current.is_scenario())
        deliver(out_root, found, command, run_log)
    except (OSError, ValueError) as error:
        run_log.warning("alerts could not be written or sent: %s", error)
        return
    for alert in found:
        run_log.info("alert: %s changed %s (%s -> %s)", alert["judgment_id"], " and ".join(alert["changed"]),
                     alert["old"]["band"], alert["new"]["band"])


def _fail(manifest: dict, run_dir: Path, message: str) -> RunOutcome:
    run_log.error("run failed: %s", message)
    manifest["status"] = "failed"
    manifest["error"] = message
    manifest["finished_utc"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    try:
        write_json(run_dir / "manifest.json", manifest)
    except OSError as error:  # e.g. the disk is still full: say so rather than lose the first error
        message = f"{message}; manifest.json could not be marked failed either ({error.strerror or error})"
    return RunOutcome(run_dir, EXIT_FAILED, message, manifest["notebooks"])


def _write_error(error: OSError) -> str:
    where = Path(error.filename).name if error.filename else "an output file"
    return f"could not write {where}: {error.strerror or error}"


def load_results(run_dir: Path) -> dict:
    return json.loads((Path(run_dir) / "results.json").read_text())
