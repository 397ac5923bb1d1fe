"""Run the notebook suite through papermill: one directory per run, ``latest`` only on success.

A run directory ``ROOT/<UTC timestamp>-<id>/`` holds the executed notebooks, ``results.json``
(assembled only from what the notebooks recorded), ``briefing.html`` with its figures and tables,
and ``manifest.json`` (parameters, seed, versions, data hashes, per-notebook status and duration).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema

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


class InputError(ValueError):
    """A run cannot start: bad input or environment. Nothing has been created on disk."""


@dataclass(frozen=True)
class NotebookSpec:
    name: str
    path: Path
    depends: tuple[str, ...] = ()


SUITE: tuple[NotebookSpec, ...] = (NotebookSpec("attrition", NOTEBOOK_DIR / "attrition.ipynb"),)


@dataclass
class RunOutcome:
    run_dir: Path
    exit_code: int
    message: str
    notebooks: list[dict] = field(default_factory=list)

    @property
    def briefing(self) -> Path:
        return self.run_dir / "briefing.html"


def preflight(out_root: Path, suite: tuple[NotebookSpec, ...] | None = None) -> None:
    """Check everything that can be checked before anything is created or any kernel starts."""
    for spec in suite or SUITE:
        if not spec.path.is_file():
            raise InputError(f"notebook '{spec.name}' not found at {spec.path}")
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
    results = {"schema_version": SCHEMA_VERSION, **records}
    schema = json.loads(RESULTS_SCHEMA.read_text())
    jsonschema.validate(results, schema)
    return results


def execute(spec: NotebookSpec, params: Parameters, run_dir: Path) -> Path:
    """Execute one notebook with papermill; returns the executed notebook's path."""
    import papermill

    output = run_dir / f"{spec.name}.ipynb"
    papermill.execute_notebook(
        str(spec.path), str(output), parameters=params.for_model(spec.name),
        kernel_name=KERNEL, progress_bar=False, cwd=str(run_dir),
        # The kernel's own start-up warnings (e.g. about local TCP) are noise to a cron log.
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
    )
    return output


def run_suite(params: Parameters, out_root: Path, *, suite: tuple[NotebookSpec, ...] | None = None) -> RunOutcome:
    """Execute the suite for validated ``params`` and write one run directory under ``out_root``."""
    import nbformat

    from .record import read_records

    out_root = Path(out_root)
    suite = suite or SUITE
    preflight(out_root, suite)
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
    write_json(run_dir / "manifest.json", manifest)
    records: dict[str, dict] = {}
    for spec in suite:
        entry = {"name": spec.name, "notebook": f"{spec.name}.ipynb", "status": "running"}
        manifest["notebooks"].append(entry)
        tick = time.perf_counter()
        try:
            executed = execute(spec, params, run_dir)
        except Exception as error:  # papermill raises its own error type with the cell's traceback
            entry.update(status="failed", duration_s=round(time.perf_counter() - tick, 3),
                         error=_one_line_error(error))
            return _fail(manifest, run_dir, f"notebook '{spec.name}' failed: {entry['error']}")
        entry.update(status="succeeded", duration_s=round(time.perf_counter() - tick, 3))
        found = read_records(nbformat.read(executed, as_version=4))
        if spec.name not in found:
            entry["status"] = "failed"
            entry["error"] = "the notebook recorded no results"
            return _fail(manifest, run_dir, f"notebook '{spec.name}' recorded no results")
        records.update(found)
        manifest["data_files"].update(found[spec.name].get("data_files", {}))
    try:
        results = assemble_results(records)
    except jsonschema.ValidationError as error:
        where = "/".join(str(p) for p in error.absolute_path)
        return _fail(manifest, run_dir, f"results.json does not match its schema at '{where}': {error.message}")
    write_json(run_dir / "results.json", results)
    from .briefing import render_briefing

    manifest["status"] = "succeeded"
    manifest["finished_utc"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    render_briefing(results, manifest, run_dir)
    write_json(run_dir / "manifest.json", manifest)
    point_link(out_root / "latest", run_dir.name)
    return RunOutcome(run_dir, EXIT_OK, f"briefing: {run_dir / 'briefing.html'}", manifest["notebooks"])


def _fail(manifest: dict, run_dir: Path, message: str) -> RunOutcome:
    manifest["status"] = "failed"
    manifest["error"] = message
    manifest["finished_utc"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    write_json(run_dir / "manifest.json", manifest)
    return RunOutcome(run_dir, EXIT_FAILED, message, manifest["notebooks"])


def _one_line_error(error: Exception) -> str:
    ename = getattr(error, "ename", type(error).__name__)
    evalue = getattr(error, "evalue", str(error))
    text = f"{ename}: {evalue}".strip()
    return " ".join(text.split())[:500]


def load_results(run_dir: Path) -> dict:
    return json.loads((Path(run_dir) / "results.json").read_text())
