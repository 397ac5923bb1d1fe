"""The transfer data a resupply assessment reads: consignments and what one unit holds.

``transfers.csv`` lists each reported consignment (its claim, category, quantity or the parameter
pair giving it, mass per item, departure date); the holdings file (``holdings_path``) what one unit
holds per capability category or, for theatre-level categories, what one of that category's own
units is (a battery, say). Columns and units are described in ``data/README.md``.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "holdings.csv"
>>> _ = path.write_text("category,label,level,unit,per_unit_low,per_unit_high,claim_id,grade,note\\n"
...                     "armour,tanks,unit,tank,8,13,,assumption,\\n")
>>> [(h.category, h.level, h.low, h.high) for h in load_holdings(path)[0]]
[('armour', 'unit', 8.0, 13.0)]
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from estimates.inputs.files import LedgerError, read_input

#: Level of categories a unit holds: capability restored is counted in unit-equivalents.
UNIT = "unit"
#: Level of categories measured at theatre level, in the category's own units (batteries, say).
THEATRE = "theatre"
#: Level values a holdings file may give, and what each stands for. ``btg`` is the bundled case's
#: older spelling of ``unit``, still accepted.
LEVELS = {UNIT: UNIT, THEATRE: THEATRE, "btg": UNIT}


@dataclass(frozen=True)
class Consignment:
    """One reported transfer: a claim, a category, a quantity and how heavy each item is.

    ``line`` is its line in the transfers file (0 when made in code), for error messages.
    """

    consignment_id: str
    claim_id: str
    category: str
    quantity: float | None
    quantity_parameter: str | None
    mass_low_t: float
    mass_high_t: float
    departure: dt.date | None
    line: int = 0


@dataclass(frozen=True)
class Holding:
    """What one unit holds of a category (or, at theatre level, what one of its own units is)."""

    category: str
    label: str
    level: str
    unit: str
    low: float
    high: float
    claim_id: str | None
    grade: str
    note: str


def _rows(path: Path, required: Sequence[str]) -> tuple[list[dict], str]:
    raw, text = read_input(Path(path), "data file")
    rows = list(csv.DictReader(text.splitlines()))
    if not rows:
        raise LedgerError(f"{path}: no rows")
    missing = [c for c in required if c not in rows[0]]
    if missing:
        raise LedgerError(f"{path}: missing column '{missing[0]}'; required: {', '.join(required)}")
    return rows, hashlib.sha256(raw).hexdigest()


def _number(path, line, name, value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise LedgerError(f"{path}: line {line}: field '{name}' must be a number >= 0; got {value!r}") from None
    if not number >= 0:
        raise LedgerError(f"{path}: line {line}: field '{name}' must be a number >= 0; got {value!r}")
    return number


def _text(path, line, row, name) -> str:
    value = (row[name] or "").strip()
    if not value:
        raise LedgerError(f"{path}: line {line}: field '{name}' is empty")
    return value


def _date(path, line, name, value) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise LedgerError(f"{path}: line {line}: field '{name}' must be an ISO date YYYY-MM-DD or empty; "
                          f"got {value!r}") from None


def load_transfers(path: Path) -> tuple[tuple[Consignment, ...], str]:
    """Read ``transfers.csv`` (see ``data/README.md``); returns consignments and the file's SHA-256.

    What only the case can rule out (a category the holdings lack, a quantity parameter the schema
    does not declare, a departure before day 1) is checked by :func:`check_transfers`.
    """
    columns = ("consignment_id", "claim_id", "category", "quantity", "quantity_parameter",
               "mass_low_t", "mass_high_t", "departure_date")
    rows, digest = _rows(path, columns)
    out, seen = [], {}
    for line, row in enumerate(rows, start=2):
        consignment_id = _text(path, line, row, "consignment_id")
        if consignment_id in seen:
            raise LedgerError(f"{path}: line {line}: field 'consignment_id': {consignment_id!r} is already "
                              f"used on line {seen[consignment_id]}")
        seen[consignment_id] = line
        quantity = (row["quantity"] or "").strip()
        parameter = (row["quantity_parameter"] or "").strip() or None
        if bool(quantity) == bool(parameter):
            raise LedgerError(f"{path}: line {line}: give exactly one of 'quantity' and 'quantity_parameter'")
        low = _number(path, line, "mass_low_t", row["mass_low_t"])
        high = _number(path, line, "mass_high_t", row["mass_high_t"])
        if low > high:
            raise LedgerError(f"{path}: line {line}: field 'mass_low_t' must not exceed mass_high_t")
        out.append(Consignment(
            consignment_id, _text(path, line, row, "claim_id"), _text(path, line, row, "category"),
            _number(path, line, "quantity", quantity) if quantity else None, parameter,
            low, high, _date(path, line, "departure_date", row["departure_date"]), line,
        ))
    return tuple(out), digest


def check_transfers(consignments: Sequence[Consignment], path: Path | str, *, categories: Collection[str],
                    quantity_pairs: Collection[str], conflict_start: dt.date, holdings: str = "the holdings file") -> None:
    """Refuse, with one line naming file, line and field, a consignment the case cannot use.

    ``categories`` are the holdings file's (named ``holdings`` in the message), ``quantity_pairs``
    the stems ``s`` whose ``s_low`` and ``s_high`` parameters are declared, ``conflict_start`` day 1.

    >>> c = Consignment("c", "a", "tanks", 4.0, None, 1.0, 2.0, dt.date(2024, 6, 1), line=2)
    >>> check_transfers([c], "t.csv", categories={"tanks"}, quantity_pairs=(), conflict_start=dt.date(2024, 6, 15))
    Traceback (most recent call last):
    ...
    estimates.inputs.files.LedgerError: t.csv: line 2: field 'departure_date': 2024-06-01 is before the conflict's day 1 (2024-06-15)
    """
    for c in consignments:
        if c.category not in categories:
            raise LedgerError(f"{path}: line {c.line}: field 'category': {c.category!r} has no row in {holdings}; "
                              f"known: {', '.join(sorted(categories))}")
        if c.quantity_parameter and c.quantity_parameter not in quantity_pairs:
            known = ", ".join(sorted(quantity_pairs)) or "none"
            raise LedgerError(f"{path}: line {c.line}: field 'quantity_parameter': no parameters "
                              f"'{c.quantity_parameter}_low' and '{c.quantity_parameter}_high' are declared; "
                              f"declared quantity pairs: {known}")
        if c.departure is not None and c.departure < conflict_start:
            raise LedgerError(f"{path}: line {c.line}: field 'departure_date': {c.departure.isoformat()} is before "
                              f"the conflict's day 1 ({conflict_start.isoformat()})")


def load_holdings(path: Path) -> tuple[tuple[Holding, ...], str]:
    """Read the holdings file (``holdings_path``); returns holdings and the file's SHA-256.

    ``level`` is ``unit`` (``btg`` is accepted for it) or ``theatre``; any other value is refused
    here, not when the results are checked at the end of a run.
    """
    columns = ("category", "label", "level", "unit", "per_unit_low", "per_unit_high", "claim_id", "grade", "note")
    rows, digest = _rows(path, columns)
    out, seen = [], {}
    for line, row in enumerate(rows, start=2):
        category = _text(path, line, row, "category")
        if category in seen:
            raise LedgerError(f"{path}: line {line}: field 'category': {category!r} is already on line {seen[category]}")
        seen[category] = line
        level = (row["level"] or "").strip()
        if level not in LEVELS:
            raise LedgerError(f"{path}: line {line}: field 'level' must be '{UNIT}' or '{THEATRE}' "
                              f"('btg' is read as '{UNIT}'); got {level!r}")
        low = _number(path, line, "per_unit_low", row["per_unit_low"])
        high = _number(path, line, "per_unit_high", row["per_unit_high"])
        if not 0 < low <= high:
            raise LedgerError(f"{path}: line {line}: need 0 < per_unit_low <= per_unit_high")
        out.append(Holding(category, (row["label"] or "").strip() or category, LEVELS[level],
                           _text(path, line, row, "unit"), low, high, (row["claim_id"] or "").strip() or None,
                           (row["grade"] or "").strip(), (row["note"] or "").strip()))
    return tuple(out), digest
