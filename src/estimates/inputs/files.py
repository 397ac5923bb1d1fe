"""Reading input files: one reader for every loader, and one shape for what a model loaded.

Every loader in :mod:`estimates.inputs` reads its file through :func:`read_input`, so a missing
file, a directory, a device that never ends or text that is not UTF-8 gives the same one-line
:class:`LedgerError`. A model's ``load`` reads each file a path parameter names through
:func:`load_parameter_file`, which turns that error into an :class:`~estimates.errors.InputError`
naming the parameter (exit 2 before any kernel starts) and returns a :class:`Loaded`: the value
(which carries the file's SHA-256) and the path.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Generic, TypeVar

from estimates.errors import InputError, OneLineError

T = TypeVar("T")


class LedgerError(OneLineError, ValueError):
    """An input file cannot be used; the message is one line naming the file, row and field."""


def read_input(path: Path, what: str) -> tuple[bytes, str]:
    """The bytes of an input file and their UTF-8 text (a byte-order mark is dropped)."""
    path = Path(path)
    if path.exists() and not path.is_file():
        raise LedgerError(f"{path}: not a regular file; give the path of a CSV file")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise LedgerError(f"{path}: {what} not found") from None
    except OSError as error:
        raise LedgerError(f"{path}: cannot read {what} ({error.strerror})") from None
    try:
        return raw, raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise LedgerError(f"{path}: not UTF-8 text (byte {error.start})") from None


def check_columns(path: Path, header: list[str], columns, error: type[LedgerError] = LedgerError) -> None:
    """A CSV header names exactly ``columns`` (in any order); ``error`` naming the first it lacks or
    the first it should not have."""
    missing = [c for c in columns if c not in header]
    if missing:
        raise error(f"{path}: missing column '{missing[0]}'; required columns: {', '.join(columns)}")
    extra = [c for c in header if c not in columns]
    if extra:
        raise error(f"{path}: unknown column '{extra[0]}'; allowed columns: {', '.join(columns)}")


@dataclass(frozen=True)
class Loaded(Generic[T]):
    """What a loader returned for one file, and where the file is. The file's SHA-256 is in the
    value (``Ledger.sha256``, ``GradeTable.sha256``, ``attrs["sha256"]``): each loader hashes the
    bytes it read, so no file is read twice."""

    value: T
    path: Path


def load_parameter_file(params: Any, name: str, loader: Callable[[Path], T]) -> Loaded[T]:
    """Load the file path parameter ``name`` points to; :class:`InputError` naming it if it is bad.

    A relative path is taken from the case folder (``params.path``).
    """
    path = params.path(name)
    try:
        value = loader(path)
    except LedgerError as error:
        raise InputError(f"parameter '{name}': {error}") from None
    return Loaded(value, path)
