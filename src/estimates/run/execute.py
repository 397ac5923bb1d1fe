"""Executing notebooks: in parallel, incrementally, and interruptibly.

Each notebook runs in its own kernel through papermill's Python API, in a worker thread; a notebook
whose inputs are unchanged is reused from the cache; an interruption kills every kernel started.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path

from estimates.parameters.schema import Parameters
from estimates.run.plan import NotebookSpec

# papermill and nbformat import jsonschema, which compiles an IRI grammar at import when the optional
# rfc3987-syntax is installed (jupyter-events, a JupyterLab dependency, pulls it in): about 1.1 s of
# every run for a check no notebook schema makes. jsonschema skips that check when the import fails,
# so it is made to fail, unless something in this process has imported the module already.
sys.modules.setdefault("rfc3987_syntax", None)

KERNEL = "python3"
#: Statuses after which a notebook's record is available to the notebooks that depend on it.
DONE = ("succeeded", "reused")

run_log = logging.getLogger("estimates.run")
run_log.setLevel(logging.INFO)
run_log.propagate = False  # the run's own log file is where these go; stderr keeps its one line
run_log.addHandler(logging.NullHandler())  # outside a run (execute_notebooks alone), nowhere


def execute(spec: NotebookSpec, params: Parameters, run_dir: Path, kernels: _Kernels | None = None) -> Path:
    """Execute one notebook with papermill; returns the executed notebook's path.

    With ``kernels``, the kernel is registered there so an interruption can kill it from the main
    thread. The kernel is shut down at once when the notebook is done (its outputs are already in
    the executed notebook): a graceful shutdown costs ~0.5 s and prints noise to a cron log.
    """
    import papermill

    output = run_dir / f"{spec.name}.ipynb"
    manager = (kernels or _Kernels()).manager_class()
    papermill.execute_notebook(
        str(spec.path), str(output), parameters=params.for_model(spec.name),
        kernel_name=KERNEL, progress_bar=False,
        # The kernel starts in the run directory. Not papermill's `cwd=`: that os.chdir()s the whole
        # process, which races when notebooks run in threads side by side.
        resources={"metadata": {"path": str(run_dir)}},
        # The kernel's own start-up warnings are noise to a cron log.
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
        shutdown_kernel="immediate", kernel_manager_class=manager,
    )
    return output


def one_line_error(error: Exception) -> str:
    ename = getattr(error, "ename", type(error).__name__)
    evalue = getattr(error, "evalue", str(error))
    text = f"{ename}: {evalue}".strip()
    return " ".join(text.split())[:500]


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
        from traitlets import default

        kernels = self

        class TrackedKernelManager(AsyncKernelManager):
            # Unix sockets, not TCP: a TCP port is picked free by the client and bound later by
            # the kernel, and in between another kernel (or anything on the machine) can take it;
            # the kernel then dies with "Address already in use". Each kernel's socket paths are
            # absolute and its own (jupyter_client's default is relative to the working directory,
            # which the kernel does not share with this process).
            @default("transport")
            def _transport_default(self):
                return "ipc"

            @default("ip")
            def _ip_default(self):
                return os.path.join(tempfile.gettempdir(), f"estimates-kernel-{uuid.uuid4().hex}")

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


def execute_notebooks(suite: tuple[NotebookSpec, ...], params: Parameters, run_dir: Path,
                      entries: dict[str, dict] | None = None, *, jobs: int = 1, cache=None,
                      force: bool = False, source_sha256: str | None = None) -> tuple[dict[str, dict], str | None]:
    """Execute or reuse every notebook of ``suite`` into ``run_dir``; returns (records, failure).

    Up to ``jobs`` notebooks run at once, in threads (papermill's in-process API; the work is in the
    kernels), each once the notebooks it depends on have succeeded. With a ``cache``
    (:class:`estimates.run.cache.Cache`) a notebook whose inputs are unchanged is not executed: its earlier
    executed copy is copied in and marked ``reused`` (``force`` re-executes and refreshes the cache).
    ``entries`` (name -> manifest entry) are updated in place. After a failure no new notebook
    starts, those already running finish, and the rest are marked ``skipped``. ``failure`` is the
    first failure's one-line message, or None. Records are keyed by notebook name, so results do not
    depend on ``jobs`` or on which notebook finished first.
    """
    from estimates.run.cache import Inputs, section_sha256
    from estimates.storage import sha256_file

    entries = entries if entries is not None else {
        spec.name: {"name": spec.name, "notebook": f"{spec.name}.ipynb", "status": "pending"} for spec in suite}
    if cache is not None and source_sha256 is None:
        from estimates.run.cache import source_hash

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
            run_log.error("%s: recorded no results", spec.name)
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
                        run_log.info("%s: skipped (%s)", spec.name, "after a failure" if failure else "a dependency failed")
                        continue
                    if any(s not in DONE for s in states) or len(running) >= jobs:
                        continue
                    pending.remove(spec)
                    tick = time.perf_counter()
                    inputs = inputs_of(spec)
                    hit, why = (None, "--force" if force else "no cache") if cache is None or force else cache.lookup(inputs)
                    if hit is not None:
                        target = run_dir / f"{spec.name}.ipynb"
                        atomic_copy(hit.path, target)
                        failure = finish(spec, inputs, target, tick, "reused", reused_from=hit.reused_from)
                        run_log.info("%s: reused %s (inputs unchanged)", spec.name, hit.reused_from)
                        progressed = True
                        continue
                    run_log.info("%s: executing (%s)", spec.name, why)
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
                                              error=one_line_error(error))
                    run_log.error("%s: failed: %s", spec.name, entries[spec.name]["error"])
                    failure = failure or f"notebook '{spec.name}' failed: {entries[spec.name]['error']}"
                    continue
                failed = finish(spec, inputs, executed, tick, "succeeded")
                failure = failure or failed
                if failed is None:
                    run_log.info("%s: executed in %.1f s", spec.name, entries[spec.name]["duration_s"])
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

    from estimates.report.record import read_records

    return read_records(nbformat.read(executed, as_version=4))


def atomic_copy(source: Path, target: Path) -> None:
    from estimates.storage import atomic_write

    atomic_write(target, Path(source).read_bytes())


def _warm_briefing_imports() -> None:
    """Import the briefing's plotting stack in the background while the kernels work.

    The CLI process is idle while notebooks run, and importing matplotlib and seaborn costs ~1 s
    that the briefing would otherwise pay after the last notebook.
    """
    def warm() -> None:
        try:
            import estimates.charts  # noqa: F401
            import estimates.report.briefing  # noqa: F401
        except Exception:  # the briefing will report any real problem itself
            pass

    threading.Thread(target=warm, name="estimates-warm-imports", daemon=True).start()
