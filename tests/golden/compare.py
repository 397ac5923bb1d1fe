"""Compare two ``results.json`` values: every number within a relative tolerance, every string equal.

Lists of records that each carry a unique ``name`` (parameter rows) are compared by name, not by
position: the order parameters are listed in is presentation, not a result.
"""

from __future__ import annotations

import math
from typing import Any


def differences(expected: Any, actual: Any, *, rel: float = 1e-9, path: str = "") -> list[str]:
    """Every place where ``actual`` differs from ``expected``, as ``"path: why"`` lines.

    >>> differences({"a": [1.0, "x"]}, {"a": [1.0 + 1e-12, "x"]})
    []
    >>> differences({"a": 1.0}, {"a": 1.1})
    ['a: 1.0 != 1.1']
    """
    where = path or "(top)"
    if isinstance(expected, bool) or isinstance(actual, bool):
        return [] if expected is actual else [f"{where}: {expected!r} != {actual!r}"]
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        if math.isclose(expected, actual, rel_tol=rel, abs_tol=1e-300):
            return []
        return [f"{where}: {expected!r} != {actual!r}"]
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = [f"{path}.{key}: missing" for key in expected if key not in actual]
        out += [f"{path}.{key}: unexpected" for key in actual if key not in expected]
        for key in expected:
            if key in actual:
                out += differences(expected[key], actual[key], rel=rel, path=f"{path}.{key}" if path else str(key))
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        if _named(expected) and _named(actual):
            return differences({r["name"]: r for r in expected}, {r["name"]: r for r in actual}, rel=rel, path=path)
        if len(expected) != len(actual):
            return [f"{where}: {len(expected)} items != {len(actual)}"]
        out = []
        for i, (e, a) in enumerate(zip(expected, actual)):
            out += differences(e, a, rel=rel, path=f"{path}[{i}]")
        return out
    return [] if expected == actual else [f"{where}: {expected!r} != {actual!r}"]


def _named(rows: list) -> bool:
    names = [r.get("name") for r in rows if isinstance(r, dict)]
    return len(names) == len(rows) > 0 and all(isinstance(n, str) for n in names) and len(set(names)) == len(names)
