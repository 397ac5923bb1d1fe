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
import signal
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .params import Parameters
from .paths import NOTEBOOK_DIR, PACKAGE_DIR, PROJECT_DIR, RESULTS_SCHEMA
from .storage import dump_json, point_link, write_json

KERNEL = "python3"
SCHEMA_VERSION = 1

# Exit codes of ``estimates run``.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2
EXIT_BUSY = 75  # another run holds the output root's lock and --no-wait was given (EX_TEMPFAIL)
# Interrupted by a signal: 128 + its number, 130 for SIGINT, 143 for SIGTERM (see estimates.locking).


class InputError(ValueError):
    """A run cannot start: bad input or environment. Nothing has been created on disk."""


@dataclass(frozen=True)
class NotebookSpec:
    name: str
    path: Path
    depends: tuple[str, ...] = ()


SUITE: tuple[NotebookSpec, ...] = (
    NotebookSpec("attrition", NOTEBOOK_DIR / "attrition.ipynb"),
    # Resupply computes attrition through the package itself, so it can run beside attrition.
    NotebookSpec("resupply", NOTEBOOK_DIR / "resupply.ipynb"),
    NotebookSpec("pooling", NOTEBOOK_DIR / "pooling.ipynb"),
    NotebookSpec("losses", NOTEBOOK_DIR / "losses.ipynb"),
    NotebookSpec("lanchester", NOTEBOOK_DIR / "lanchester.ipynb"),
)


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


def preflight(out_root: Path, suite: tuple[NotebookSpec, ...] | None = None,
              params: Parameters | None = None) -> None:
    """Check everything that can be checked before anything is created or any kernel starts.

    With ``params``, the data files they name are read and validated too (the claims ledger), so a
    bad ledger is invalid input (exit 2) rather than a notebook failure.
    """
    suite = suite or default_suite()
    for spec in suite:
        if not spec.path.is_file():
            raise InputError(f"notebook '{spec.name}' not found at {spec.path}")
    check_dependencies(suite)
    out_root = Path(out_root)
    probe = out_root
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if not probe.is_dir():
        raise InputError(f"--out {out_root}: {probe} is not a directory; give a writable directory")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise InputError(f"--out {out_root}: {probe} is not writable; give a writable directory")
    if params is not None:
        check_ledger(params)


def input_loaders() -> dict:
    """The loader of each path parameter's file: ``{parameter name: function(path)}``."""
    from .claims import load_ledger
    from .grading import load_grade_table
    from .losses import load_equipment_losses, load_personnel_losses
    from .statements import load_statements

    return {"claims_path": load_ledger, "grades_path": load_grade_table, "statements_path": load_statements,
            "losses_path": load_equipment_losses, "personnel_losses_path": load_personnel_losses}


def check_ledger(params: Parameters) -> None:
    """Load and validate the input files the path parameters name; InputError if one is bad."""
    from .claims import LedgerError
    from .paths import project_path

    loaded = {}
    for name, load in input_loaders().items():
        try:
            loaded[name] = load(project_path(getattr(params, name)))
        except LedgerError as error:
            raise InputError(f"parameter '{name}': {error}") from None
    first = max(loaded[name].index[0] for name in ("losses_path", "personnel_losses_path"))
    last = min(loaded[name].index[-1] for name in ("losses_path", "personnel_losses_path"))
    if not first.date() <= params.as_of <= last.date():
        raise InputError(f"parameter 'as_of': the loss data run from {first.date()} to {last.date()}; "
                         f"got {params.as_of}")
    check_combinations(params, loaded)


def check_combinations(params: Parameters, loaded: dict) -> None:
    """Parameters that are valid alone but not with the data files read: InputError naming them."""
    statements, _ = loaded["statements_path"]
    top = params.committed_range[1]
    for line, statement in enumerate(statements, start=2):
        smallest = statement.bounds([top])[0][0]
        if smallest > top:
            raise InputError(f"parameter 'statements_path': {params.statements_path}: line {line}: "
                             f"statement '{statement.observation_id}' needs at least {smallest} BTGs "
                             f"ineffective, more than the {top} committed at most (btg_committed + "
                             f"denominator_uncertainty)")
    personnel = loaded["personnel_losses_path"]
    claimed = float(personnel.loc[personnel.index <= str(params.as_of), "personnel"].iloc[-1])
    if not params.russian_initial_strength > claimed:
        raise InputError(f"parameter 'russian_initial_strength': must exceed the {claimed:,.0f} personnel "
                         f"losses claimed by {params.as_of}; got {params.russian_initial_strength:g}")


def source_hash() -> str:
    """SHA-256 over the package's source files: changes whenever the code does, unlike the version."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".j2", ".json", ".css"}:
            digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def parameters_hash(params: Parameters) -> str:
    return hashlib.sha256(dump_json(params.model_dump(mode="json"))).hexdigest()


def new_run_dir(out_root: Path, now: dt.datetime) -> Path:
    run_id = f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
    run_dir = out_root / run_id
    run_dir.mkdir(parents=True)
    return run_dir


def assemble_results(records: dict[str, dict]) -> dict:
    """``results.json``: the schema version and one section per model, exactly as recorded."""
    import jsonschema  # here, not at the top: it costs ~1 s (its format checkers) on every CLI start

    results = {"schema_version": SCHEMA_VERSION, **records}
    schema = json.loads(RESULTS_SCHEMA.read_text())
    jsonschema.validate(results, schema)
    return results


def execute(spec: NotebookSpec, params: Parameters, run_dir: Path, kernels: _Kernels | None = None) -> Path:
    """Execute one notebook with papermill; returns the executed notebook's path.

    With ``kernels``, the kernel is registered there so an interruption can kill it from the main
    thread. The kernel is shut down at once when the notebook is done (its outputs are already in
    the executed notebook): a graceful shutdown costs ~0.5 s and prints noise to a cron log.
    """
    import papermill

    output = run_dir / f"{spec.name}.ipynb"
    tracking = {} if kernels is None else {"kernel_manager_class": kernels.manager_class()}
    papermill.execute_notebook(
        str(spec.path), str(output), parameters=params.for_model(spec.name),
        kernel_name=KERNEL, progress_bar=False,
        # The kernel starts in the run directory. Not papermill's `cwd=`: that os.chdir()s the whole
        # process, which races when notebooks run in threads side by side.
        resources={"metadata": {"path": str(run_dir)}},
        # The kernel's own start-up warnings (e.g. about local TCP) are noise to a cron log.
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
        shutdown_kernel="immediate", **tracking,
    )
    return output


def run_suite(params: Parameters, out_root: Path, *, suite: tuple[NotebookSpec, ...] | None = None,
              jobs: int | None = None, force: bool = False, keep: int | None = None, wait: bool = True,
              on_wait=None) -> RunOutcome:
    """Execute the suite for validated ``params`` and write one run directory under ``out_root``.

    Holds the lock on ``out_root`` throughout (``wait=False``: raise
    :class:`~estimates.locking.LockBusy` at once if another run holds it; ``on_wait(pid)`` is called
    before waiting). Runs up to ``jobs`` notebooks at a time (default: the number of cores), each
    after those it depends on; reuses a notebook's earlier executed copy when its inputs are unchanged
    (:mod:`estimates.cache`), unless ``force``. With ``keep``, deletes all but the newest ``keep``
    runs afterwards, never the one ``latest`` points to. A ``KeyboardInterrupt`` (SIGINT, or SIGTERM
    through :func:`estimates.locking.signals_raise`) kills the kernels, marks the run interrupted in
    its manifest and propagates; ``latest`` does not move.
    """
    from .cache import Cache
    from .locking import RootLock
    from .storage import prune_runs

    if jobs is not None and jobs < 1:
        raise InputError(f"--jobs must be at least 1, got {jobs}")
    if keep is not None and keep < 1:
        raise InputError(f"--keep must be at least 1, got {keep}")
    out_root = Path(out_root)
    suite = tuple(suite or default_suite())
    preflight(out_root, suite, params)
    out_root.mkdir(parents=True, exist_ok=True)
    run = _Run(jobs=jobs or os.cpu_count() or 1, force=force, cache=Cache(out_root))
    with RootLock(out_root, wait=wait, on_wait=on_wait):
        try:
            outcome = _run_locked(params, out_root, suite=suite, run=run)
        except KeyboardInterrupt as error:
            run.interrupted(error)
            raise
        finally:
            run.close()
        if keep is not None:
            outcome.removed = prune_runs(out_root, keep, protect=(outcome.run_dir.name,))
            run.cache.forget(outcome.removed)
    return outcome


def _run_locked(params: Parameters, out_root: Path, *, suite: tuple[NotebookSpec, ...], run: _Run) -> RunOutcome:
    """The body of :func:`run_suite`, with the output root's lock held."""
    preflight(out_root, suite, params)
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
        results = assemble_results(records)
    except jsonschema.ValidationError as error:
        where = "/".join(str(p) for p in error.absolute_path)
        return _fail(manifest, run_dir, f"results.json does not match its schema at '{where}': {error.message}")
    from .briefing import render_briefing
    from .diff import compare_with_previous

    # A failed write (a full disk) or a failed rendering must leave the run marked failed and
    # `latest` where it was, like a failed notebook.
    try:
        write_json(run_dir / "results.json", results)
        manifest["status"] = "succeeded"
        manifest["finished_utc"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        # Compared with the previous successful run (`latest` has not moved yet): a comparison
        # between runs, so it goes into the briefing and the manifest, never into results.json.
        changes = compare_with_previous(out_root, run_dir, results, manifest)
        if changes is not None:
            manifest["compared_with"] = changes.to_dict()
        render_briefing(results, manifest, run_dir, changes=changes)
        write_json(run_dir / "manifest.json", manifest)
        point_link(out_root / "latest", run_dir.name)
    except OSError as error:
        return _fail(manifest, run_dir, _write_error(error))
    except Exception as error:
        return _fail(manifest, run_dir, f"writing the briefing failed: {_one_line_error(error)}")
    return RunOutcome(run_dir, EXIT_OK, run.summary(run_dir / "briefing.html"), manifest["notebooks"])


def _fail(manifest: dict, run_dir: Path, message: str) -> RunOutcome:
    _log.error("run failed: %s", message)
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


def _one_line_error(error: Exception) -> str:
    ename = getattr(error, "ename", type(error).__name__)
    evalue = getattr(error, "evalue", str(error))
    text = f"{ename}: {evalue}".strip()
    return " ".join(text.split())[:500]


def load_results(run_dir: Path) -> dict:
    return json.loads((Path(run_dir) / "results.json").read_text())


# --- the execution loop: parallel, incremental, interruptible -----------------------------------

#: For tests: a directory of notebooks to run instead of :data:`SUITE`, each named by its file
#: stem, with the notebooks it depends on in its metadata (``{"estimates": {"depends": [...]}}``).
SUITE_DIR_ENV = "ESTIMATES_SUITE_DIR"
LOG_NAME = "run.log"
#: Statuses after which a notebook's record is available to the notebooks that depend on it.
DONE = ("succeeded", "reused")

_log = logging.getLogger("estimates.run")
_log.setLevel(logging.INFO)
_log.propagate = False  # the run's own log file is where these go; stderr keeps its one line
_log.addHandler(logging.NullHandler())  # outside a run (execute_notebooks alone), nowhere


def default_suite() -> tuple[NotebookSpec, ...]:
    """:data:`SUITE`, or the notebooks in ``$ESTIMATES_SUITE_DIR`` (for tests run as a subprocess)."""
    folder = os.environ.get(SUITE_DIR_ENV)
    if not folder:
        return SUITE
    specs = []
    for path in sorted(Path(folder).glob("*.ipynb")):
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("estimates", {})
        specs.append(NotebookSpec(path.stem, path, tuple(meta.get("depends", ()))))
    if not specs:
        raise InputError(f"{SUITE_DIR_ENV}={folder}: no notebooks there")
    return tuple(specs)


def check_dependencies(suite: tuple[NotebookSpec, ...]) -> None:
    """Every name once, every dependency in the suite, and no cycle; InputError otherwise."""
    names = [spec.name for spec in suite]
    for name in names:
        if names.count(name) > 1:
            raise InputError(f"notebook '{name}' appears twice in the suite")
    for spec in suite:
        for dep in spec.depends:
            if dep not in names:
                raise InputError(f"notebook '{spec.name}' depends on '{dep}', which is not in the suite")
    placed: set[str] = set()
    remaining = list(suite)
    while remaining:
        ready = [spec for spec in remaining if set(spec.depends) <= placed]
        if not ready:
            raise InputError("notebooks depend on each other in a cycle: "
                             + ", ".join(sorted(spec.name for spec in remaining)))
        placed.update(spec.name for spec in ready)
        remaining = [spec for spec in remaining if spec.name not in placed]


class _Kernels:
    """The kernels a run starts, so an interruption can end them from the main thread.

    Kernels run in their own session (jupyter_client starts them so), so a signal to the CLI never
    reaches them: on interruption the runner kills each one's process group. nbclient, in the worker
    thread, then finds its kernel dead, removes the connection file and returns.
    """

    def __init__(self) -> None:
        self._managers: list = []
        self._lock = threading.Lock()
        self.stopping = False

    def manager_class(self):
        from jupyter_client.manager import AsyncKernelManager

        kernels = self

        class TrackedKernelManager(AsyncKernelManager):
            async def _async_launch_kernel(self, kernel_cmd, **kw):
                with kernels._lock:
                    if kernels.stopping:
                        raise RuntimeError("the run was interrupted before this kernel started")
                    kernels._managers.append(self)
                await super()._async_launch_kernel(kernel_cmd, **kw)

        return TrackedKernelManager

    def kill(self) -> None:
        """Stop new kernels from starting and SIGKILL every kernel started so far (and its children)."""
        with self._lock:
            self.stopping = True
            managers = list(self._managers)
        for manager in managers:
            provisioner = getattr(manager, "provisioner", None)
            pgid, pid = getattr(provisioner, "pgid", None), getattr(provisioner, "pid", None)
            try:
                if pgid:
                    os.killpg(pgid, signal.SIGKILL)
                elif pid:
                    os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass  # already gone


@dataclass
class _Run:
    """One run's settings and bookkeeping: manifest entries, the log file, the cache."""

    jobs: int
    force: bool
    cache: object
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
        _log.addHandler(handler)
        self._handler = handler
        _log.info("run %s started: parameters %s, seed %s, package source %s, jobs %d%s",
                  run_dir.name, manifest["parameters_sha256"][:12], manifest["seed"],
                  manifest["package"]["source_sha256"][:12], self.jobs, ", --force" if self.force else "")

    def interrupted(self, error: BaseException) -> None:
        """Mark the run interrupted in its manifest (if it got as far as having one)."""
        from .locking import describe

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
        _log.warning("run interrupted by %s; kernels killed, latest not moved", describe(error))
        try:
            write_json(self.run_dir / "manifest.json", self.manifest)
        except OSError:
            pass

    def close(self) -> None:
        if self._handler is not None:
            if self.manifest is not None and self.manifest.get("status") == "succeeded":
                _log.info("run succeeded in %.1f s", time.perf_counter() - self.started)
            _log.removeHandler(self._handler)
            self._handler.close()
            self._handler = None

    def summary(self, briefing: Path) -> str:
        """The one line printed on success; it ends with the briefing's path."""
        statuses = [entry["status"] for entry in self.entries.values()]
        return (f"succeeded: run {self.run_dir.name}, notebooks {statuses.count('succeeded')} executed "
                f"{statuses.count('reused')} reused, {time.perf_counter() - self.started:.1f} s; "
                f"briefing: {briefing}")


def execute_notebooks(suite: tuple[NotebookSpec, ...], params: Parameters, run_dir: Path,
                      entries: dict[str, dict] | None = None, *, jobs: int = 1, cache=None,
                      force: bool = False, source_sha256: str | None = None) -> tuple[dict[str, dict], str | None]:
    """Execute or reuse every notebook of ``suite`` into ``run_dir``; returns (records, failure).

    Up to ``jobs`` notebooks run at once, in threads (papermill's in-process API; the work is in the
    kernels), each once the notebooks it depends on have succeeded. With a ``cache``
    (:class:`estimates.cache.Cache`) a notebook whose inputs are unchanged is not executed: its earlier
    executed copy is copied in and marked ``reused`` (``force`` re-executes and refreshes the cache).
    ``entries`` (name -> manifest entry) are updated in place. After a failure no new notebook
    starts, those already running finish, and the rest are marked ``skipped``. ``failure`` is the
    first failure's one-line message, or None. Records are keyed by notebook name, so results do not
    depend on ``jobs`` or on which notebook finished first.
    """
    from .cache import Inputs, section_sha256
    from .storage import sha256_file

    entries = entries if entries is not None else {
        spec.name: {"name": spec.name, "notebook": f"{spec.name}.ipynb", "status": "pending"} for spec in suite}
    if cache is not None and source_sha256 is None:
        source_sha256 = source_hash()
    records: dict[str, dict] = {}
    failure: str | None = None
    pending = list(suite)
    running: dict[Future, tuple[NotebookSpec, object, float]] = {}
    kernels = _Kernels()
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="estimates-notebook")
    _warm_briefing_imports()

    def inputs_of(spec: NotebookSpec):
        if cache is None:
            return None
        return Inputs(model=spec.name, notebook_sha256=sha256_file(spec.path),
                      parameters=params.for_model(spec.name), source_sha256=source_sha256,
                      dependencies={dep: section_sha256(records[dep]) for dep in spec.depends})

    def finish(spec: NotebookSpec, inputs, executed: Path, tick: float, status: str, **extra) -> str | None:
        entry = entries[spec.name]
        entry.update(duration_s=round(time.perf_counter() - tick, 3))
        found = _read_records(executed)
        if spec.name not in found:
            entry.update(status="failed", error="the notebook recorded no results")
            _log.error("%s: recorded no results", spec.name)
            return f"notebook '{spec.name}' recorded no results"
        entry.update(status=status, **extra)
        records[spec.name] = found[spec.name]
        if cache is not None:
            cache.store(inputs, run_dir, executed, found[spec.name].get("data_files", {}))
        return None

    try:
        while pending or running:
            progressed = True
            while progressed:  # a reuse can make its dependents ready at once
                progressed = False
                for spec in list(pending):
                    states = [entries[dep]["status"] for dep in spec.depends]
                    if failure is not None or any(s not in DONE + ("pending", "running") for s in states):
                        pending.remove(spec)
                        entries[spec.name]["status"] = "skipped"
                        _log.info("%s: skipped (%s)", spec.name, "after a failure" if failure else "a dependency failed")
                        continue
                    if any(s not in DONE for s in states) or len(running) >= jobs:
                        continue
                    pending.remove(spec)
                    tick = time.perf_counter()
                    inputs = inputs_of(spec)
                    hit, why = (None, "--force") if cache is None or force else cache.lookup(inputs)
                    if hit is not None:
                        target = run_dir / f"{spec.name}.ipynb"
                        atomic_copy(hit.path, target)
                        failure = finish(spec, inputs, target, tick, "reused", reused_from=hit.reused_from)
                        _log.info("%s: reused %s (inputs unchanged)", spec.name, hit.reused_from)
                        progressed = True
                        continue
                    if cache is not None:
                        _log.info("%s: executing (%s)", spec.name, why)
                    entries[spec.name]["status"] = "running"
                    running[pool.submit(execute, spec, params, run_dir, kernels)] = (spec, inputs, tick)
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: suite.index(running[f][0])):
                spec, inputs, tick = running.pop(future)
                try:
                    executed = future.result()
                except Exception as error:  # papermill raises its own error type with the cell's traceback
                    entries[spec.name].update(status="failed", duration_s=round(time.perf_counter() - tick, 3),
                                              error=_one_line_error(error))
                    _log.error("%s: failed: %s", spec.name, entries[spec.name]["error"])
                    failure = failure or f"notebook '{spec.name}' failed: {entries[spec.name]['error']}"
                    continue
                failed = finish(spec, inputs, executed, tick, "succeeded")
                failure = failure or failed
                if failed is None:
                    _log.info("%s: executed in %.1f s", spec.name, entries[spec.name]["duration_s"])
    except BaseException:
        _stop(kernels, running)
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return records, failure


def _stop(kernels: _Kernels, running: dict, timeout_s: float = 30.0) -> None:
    """Kill the run's kernels until every worker thread has returned (or ``timeout_s`` passes)."""
    deadline = time.monotonic() + timeout_s
    while running and time.monotonic() < deadline:
        kernels.kill()  # again each round: a kernel may have started since the last
        done, _ = wait(list(running), timeout=0.5)
        for future in done:
            running.pop(future)
    kernels.kill()


def _read_records(executed: Path) -> dict[str, dict]:
    import nbformat

    from .record import read_records

    return read_records(nbformat.read(executed, as_version=4))


def atomic_copy(source: Path, target: Path) -> None:
    from .storage import atomic_write

    atomic_write(target, Path(source).read_bytes())


def _warm_briefing_imports() -> None:
    """Import the briefing's plotting stack in the background while the kernels work.

    The CLI process is idle while notebooks run, and importing matplotlib and seaborn costs ~1 s
    that the briefing would otherwise pay after the last notebook.
    """
    def warm() -> None:
        try:
            import estimates.briefing  # noqa: F401
            import estimates.plotting  # noqa: F401
        except Exception:  # the briefing will report any real problem itself
            pass

    threading.Thread(target=warm, name="estimates-warm-imports", daemon=True).start()
