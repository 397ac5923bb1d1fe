"""Incremental runs: reuse a notebook's executed copy when none of its inputs has changed.

A notebook's inputs are its own content, the parameters it declares (resolved), the package source
(:func:`estimates.run.suite.source_hash`, not the version string), the recorded results of the notebooks
it depends on, and the data files it reads. The first four are known before it runs and make its
*key*. Which data files it reads is known only from what it recorded (``data_files``: path ->
SHA-256), so the index keeps them with the entry and every lookup hashes each file again: any
change, or a missing file, is a miss. (make's dependency files and ccache's direct mode treat
headers the same way.)

The index, ``ROOT/.cache/index.json``, maps each key to the newest run directory holding that
executed notebook, with the notebook's SHA-256 so a copy that was edited or truncated is never
reused. It is written through :func:`estimates.storage.atomic_write` while the root's lock is held.
A missing or unreadable index is an empty one: the cost is a re-run, never a wrong result.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable

from estimates.paths import PACKAGE_DIR, PROJECT_DIR
from estimates.storage import dump_json, sha256_file, write_json

INDEX_VERSION = 1
CACHE_DIR = ".cache"
INDEX_NAME = "index.json"


def section_sha256(section: dict) -> str:
    """Digest of a recorded ``results.json`` section, as its dependents' keys see it."""
    return hashlib.sha256(dump_json(section)).hexdigest()


def environment_versions() -> dict[str, str]:
    """Versions of Python and of the packages whose upgrade could change a notebook's numbers."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in ("numpy", "scipy", "pandas", "salib", "papermill", "ipykernel"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "absent"
    return found


@dataclass(frozen=True)
class Inputs:
    """What a notebook's result depends on, known before it runs (data files come from the index)."""

    model: str
    notebook_sha256: str
    parameters: dict
    source_sha256: str
    dependencies: dict[str, str]
    #: Python and the numerical libraries: an upgrade can change numbers without any source change.
    environment: dict[str, str] = field(default_factory=lambda: environment_versions())

    def key(self) -> str:
        return hashlib.sha256(dump_json(asdict(self))).hexdigest()


@dataclass(frozen=True)
class Hit:
    """A reusable executed notebook: ``run``'s copy at ``path``."""

    key: str
    run: str
    path: Path

    @property
    def reused_from(self) -> str:
        return f"{self.run}/{self.path.name}"


class Cache:
    """The index of one output root. Not thread-safe: the runner calls it from its main thread."""

    def __init__(self, root: Path, *, project_dir: Path = PROJECT_DIR):
        self.root = Path(root)
        self.project_dir = Path(project_dir)
        self.path = self.root / CACHE_DIR / INDEX_NAME
        self._entries: dict[str, dict] | None = None
        self._hashes: dict[Path, str | None] = {}

    @property
    def entries(self) -> dict[str, dict]:
        if self._entries is None:
            self._entries = self._load()
        return self._entries

    def _load(self) -> dict[str, dict]:
        try:
            index = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        if not isinstance(index, dict) or index.get("version") != INDEX_VERSION:
            return {}
        entries = index.get("entries")
        return entries if isinstance(entries, dict) else {}

    def _save(self) -> None:
        self.path.parent.mkdir(exist_ok=True)
        write_json(self.path, {"version": INDEX_VERSION, "entries": self.entries})

    def _hash(self, path: Path) -> str | None:
        if path not in self._hashes:
            try:
                self._hashes[path] = sha256_file(path)
            except OSError:
                self._hashes[path] = None
        return self._hashes[path]

    def data_path(self, recorded: str) -> Path:
        """A recorded data-file path: relative ones are relative to the project directory."""
        path = Path(recorded)
        return path if path.is_absolute() else self.project_dir / path

    def lookup(self, inputs: Inputs) -> tuple[Hit | None, str]:
        """The reusable notebook for ``inputs``, or None with the reason it is a miss."""
        key = inputs.key()
        entry = self.entries.get(key)
        if entry is None:
            return None, "no earlier run with these inputs"
        path = self.root / entry["run"] / entry["notebook"]
        if self._hash(path) != entry["notebook_sha256"]:
            return None, f"the earlier executed notebook {entry['run']}/{entry['notebook']} is gone or changed"
        for recorded, digest in sorted(entry.get("data_files", {}).items()):
            if self._hash(self.data_path(recorded)) != digest:
                return None, f"data file {recorded} changed"
        return Hit(key, entry["run"], path), "inputs unchanged"

    def store(self, inputs: Inputs, run_dir: Path, notebook: Path, data_files: dict[str, str]) -> None:
        """Remember that ``notebook`` (in ``run_dir``, under this root) is the result for ``inputs``."""
        notebook = Path(notebook)
        self._hashes.pop(notebook, None)
        self.entries[inputs.key()] = {
            "model": inputs.model,
            "run": Path(run_dir).name,
            "notebook": notebook.name,
            "notebook_sha256": self._hash(notebook),
            "data_files": dict(sorted(data_files.items())),
        }
        self._save()

    def forget(self, runs: Iterable[str]) -> None:
        """Drop the entries pointing into ``runs`` (run directory names), e.g. after retention."""
        gone = set(runs)
        stale = [key for key, entry in self.entries.items() if entry.get("run") in gone]
        for key in stale:
            del self.entries[key]
        if stale:
            self._save()


def source_hash() -> str:
    """SHA-256 over the package's source files: changes whenever the code does, unlike the version."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".j2", ".json", ".css"}:
            digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
