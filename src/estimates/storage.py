"""Writing run outputs so that a failure never leaves a half-written file behind."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

_UMASK = os.umask(0)
os.umask(_UMASK)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename in the same directory.

    Every output file of a run goes through here, so readers see the old file or the new one,
    never a torn one.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are meant to be shared
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as error:
        Path(tmp).unlink(missing_ok=True)
        if error.filename is None or error.filename == tmp:  # name the file meant, not the temporary
            raise OSError(error.errno, error.strerror, str(path)) from error
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def dump_json(value) -> bytes:
    """Canonical JSON: sorted keys, fixed indent, no NaN, so equal results give equal bytes."""
    return (json.dumps(value, sort_keys=True, indent=2, allow_nan=False, ensure_ascii=False) + "\n").encode()


def write_json(path: Path, value) -> None:
    atomic_write(path, dump_json(value))


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def point_link(link: Path, target_name: str) -> None:
    """Make ``link`` a symlink to ``target_name`` (a sibling), replacing any old link atomically."""
    tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    os.symlink(target_name, tmp)
    try:
        os.replace(tmp, link)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


#: A run directory's name: ``<UTC timestamp>-<6 hex digits>``, as ``estimates.run.suite.new_run_dir`` makes it.
RUN_NAME = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{6}$")


def run_dirs(root: Path) -> list[Path]:
    """The run directories under ``root``, oldest first (names start with their UTC start time)."""
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if RUN_NAME.match(p.name) and p.is_dir() and not p.is_symlink())


def prune_runs(root: Path, keep: int, *, protect: tuple[str, ...] = ()) -> list[str]:
    """Delete all but the newest ``keep`` run directories; returns the names deleted, oldest first.

    The run ``root/latest`` points to is never deleted, nor any named in ``protect``, and neither
    counts against ``keep``'s newest runs unless it is one of them. Only directories named like a
    run are touched; anything else in ``root`` is left alone.
    """
    if keep < 1:
        raise ValueError(f"keep must be at least 1, got {keep}")
    root = Path(root)
    latest = root / "latest"
    spared = set(protect)
    if latest.is_symlink():
        spared.add(Path(os.readlink(latest)).name)
    runs = run_dirs(root)
    doomed = [p for p in runs[: max(len(runs) - keep, 0)] if p.name not in spared]
    for path in doomed:
        shutil.rmtree(path)
    return [p.name for p in doomed]


#: Characters that make a spreadsheet read a cell as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_bytes(frame, *, index: bool = False) -> bytes:
    """A table as CSV for people who open it in a spreadsheet.

    Text cells that a spreadsheet would run as a formula (``=HYPERLINK(...)`` in a claim's text,
    say) get a leading apostrophe, the usual neutraliser; numbers are untouched.
    """
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or str(safe[column].dtype).startswith(("string", "str")):
            safe[column] = safe[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v)
    return safe.to_csv(index=index).encode("utf-8")
