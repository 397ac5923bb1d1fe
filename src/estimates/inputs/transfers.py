"""The transfer data a resupply assessment reads: consignments and what one BTG holds.

``data/transfers.csv`` lists each reported consignment (its claim, category, quantity or the
parameter pair giving it, mass per item, departure date); ``data/btg_holdings.csv`` what one BTG
holds per capability category, or for theatre-level categories what one battery is. Columns and
units are described in ``data/README.md``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from estimates.inputs.files import LedgerError, read_input

#: Level of categories measured in batteries at theatre level rather than per BTG.
THEATRE = "theatre"


@dataclass(frozen=True)
class Consignment:
    """One reported transfer: a claim, a category, a quantity and how heavy each item is."""

    consignment_id: str
    claim_id: str
    category: str
    quantity: float | None
    quantity_parameter: str | None
    mass_low_t: float
    mass_high_t: float
    departure: dt.date | None


@dataclass(frozen=True)
class Holding:
    """What one BTG holds of a category (or, at theatre level, one battery)."""

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


def load_transfers(path: Path) -> tuple[tuple[Consignment, ...], str]:
    """Read ``transfers.csv`` (see ``data/README.md``); returns consignments and the file's SHA-256."""
    columns = ("consignment_id", "claim_id", "category", "quantity", "quantity_parameter",
               "mass_low_t", "mass_high_t", "departure_date")
    rows, digest = _rows(path, columns)
    out = []
    for line, row in enumerate(rows, start=2):
        quantity = row["quantity"].strip()
        parameter = row["quantity_parameter"].strip() or None
        if bool(quantity) == bool(parameter):
            raise LedgerError(f"{path}: line {line}: give exactly one of 'quantity' and 'quantity_parameter'")
        low = _number(path, line, "mass_low_t", row["mass_low_t"])
        high = _number(path, line, "mass_high_t", row["mass_high_t"])
        if low > high:
            raise LedgerError(f"{path}: line {line}: field 'mass_low_t' must not exceed mass_high_t")
        departure = row["departure_date"].strip()
        out.append(Consignment(
            row["consignment_id"].strip(), row["claim_id"].strip(), row["category"].strip(),
            _number(path, line, "quantity", quantity) if quantity else None, parameter,
            low, high, dt.date.fromisoformat(departure) if departure else None,
        ))
    return tuple(out), digest


def load_holdings(path: Path) -> tuple[tuple[Holding, ...], str]:
    """Read ``btg_holdings.csv``; returns holdings and the file's SHA-256."""
    columns = ("category", "label", "level", "unit", "per_unit_low", "per_unit_high", "claim_id", "grade", "note")
    rows, digest = _rows(path, columns)
    out = []
    for line, row in enumerate(rows, start=2):
        low = _number(path, line, "per_unit_low", row["per_unit_low"])
        high = _number(path, line, "per_unit_high", row["per_unit_high"])
        if not 0 < low <= high:
            raise LedgerError(f"{path}: line {line}: need 0 < per_unit_low <= per_unit_high")
        out.append(Holding(row["category"].strip(), row["label"].strip(), row["level"].strip(),
                           row["unit"].strip(), low, high, row["claim_id"].strip() or None,
                           row["grade"].strip(), row["note"].strip()))
    return tuple(out), digest
