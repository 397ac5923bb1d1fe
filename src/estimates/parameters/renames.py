"""Old parameter names: still taken, replaced by their new ones, with a notice once per process.

The notice is printed only by a validation that succeeds (:func:`notices_once_valid`): a refused
input gets its one-line error and nothing else.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from typing import Any

from estimates.parameters import shared
from estimates.parameters.fields import ParameterError

#: Old names met by :func:`renamed` since the last validation, noticed once one succeeds.
_PENDING: list[tuple[str, str]] = []


def renamed(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with old parameter names replaced by their new ones (a one-line notice each, printed
    by the validation that accepts them)."""
    out = {}
    for name, value in values.items():
        new = shared.RENAMED.get(name) if isinstance(name, str) else None
        if new is None:
            out[name] = value
            continue
        if new in values:
            raise ParameterError(f"parameter '{name}' is the old name of '{new}'; give only one of them")
        _PENDING.append((name, new))
        out[new] = value
    return out


@contextlib.contextmanager
def notices_once_valid():
    """Around a validation: on success, the notices of the old names met since the last one."""
    try:
        yield
    except BaseException:
        _PENDING.clear()
        raise
    pending = list(_PENDING)
    _PENDING.clear()
    for old, new in pending:
        _notice(old, new)


@functools.cache
def _notice(old: str, new: str) -> None:
    print(f"estimates: parameter '{old}' is now called '{new}'; the old name still works for now",
          file=sys.stderr)
