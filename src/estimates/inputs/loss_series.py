"""A loss series any case can supply, and the notes that go beside one in the bundled JSON format.

The plain CSV format (:func:`load_loss_csv`): columns ``date``, ``category`` and ``cumulative``, one
row per date and category, the cumulative count of items of that category claimed lost since the
conflict began (day 1 is the case's ``conflict_start``). A series in the bundled JSON format
(:mod:`estimates.inputs.loss_claims`) has a companion ``series.yaml`` (:func:`load_series_notes`)
saying what its records do not: the date their own ``day`` field counts as day 1, categories that
merge, the holdings category of each loss column, and an optional file of visually confirmed losses.
Every date of the bundled data set lives there, none in code. Errors are one line naming the file,
the row and the field (:class:`LossDataError`).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import math
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from estimates.core.calendar import day_number
from estimates.inputs.files import LedgerError, check_columns, read_input

#: The companion file of a JSON series, in the same folder.
SERIES_FILE = "series.yaml"
#: The columns of a CSV loss series.
CSV_COLUMNS = ("date", "category", "cumulative")
#: The category a CSV personnel series must use.
PERSONNEL = "personnel"


class LossDataError(LedgerError):
    """A loss file cannot be used; the message is one line naming the file, record and field.

    A :class:`~estimates.inputs.files.LedgerError` (so a ``ValueError``), so callers that report bad
    input files report this one the same way.
    """


# --- the companion file ------------------------------------------------------------------------
@dataclass(frozen=True)
class Merge:
    """Categories ``from_`` stop and ``into`` starts on ``date``."""

    date: dt.date
    from_: tuple[str, ...]
    into: str

    @property
    def continuous(self) -> str:
        return f"{self.into}_continuous"


@dataclass(frozen=True)
class Confirmed:
    """A file of visually confirmed losses (one undated snapshot) and the dates it may describe."""

    path: Path
    dates: tuple[dt.date, ...]
    category_field: str
    categories: dict[str, str]
    text_fields: tuple[str, ...] = ()
    claim: str | None = None
    source: str = "visually confirmed losses"


@dataclass(frozen=True)
class SeriesNotes:
    """What a JSON series' ``series.yaml`` says (all empty when there is none)."""

    path: Path | None = None
    sha256: str = ""
    day_one: dt.date | None = None
    merge: Merge | None = None
    #: Loss column -> holdings category.
    categories: dict[str, str] = field(default_factory=dict)
    corrections: Path | None = None
    confirmed: Confirmed | None = None


def _date(where: str, name: str, value) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise LossDataError(f"{where}: field '{name}' must be an ISO date such as 2024-06-15; got {value!r}") from None


def load_series_notes(folder: str | Path) -> SeriesNotes:
    """Read ``series.yaml`` in ``folder`` (:data:`SERIES_FILE`); empty notes when there is none."""
    path = Path(folder) / SERIES_FILE
    if not path.is_file():
        return SeriesNotes()
    raw, text = read_input(path, "series notes")
    try:
        notes = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise LossDataError(f"{path}: not YAML ({' '.join(str(error).split())[:160]})") from None
    allowed = {"day_one", "merge", "categories", "corrections", "confirmed"}
    if not isinstance(notes, dict):
        raise LossDataError(f"{path}: expected a mapping; got {type(notes).__name__}")
    unknown = sorted(set(notes) - allowed)
    if unknown:
        raise LossDataError(f"{path}: unknown field '{unknown[0]}'; allowed: {', '.join(sorted(allowed))}")
    day_one = _date(str(path), "day_one", notes["day_one"]) if "day_one" in notes else None
    merge = None
    if notes.get("merge") is not None:
        m = notes["merge"]
        if not (isinstance(m, dict) and {"date", "from", "into"} <= set(m) and isinstance(m["from"], list)):
            raise LossDataError(f"{path}: field 'merge' needs date, from (a list) and into; got {m!r}")
        merge = Merge(_date(str(path), "merge.date", m["date"]), tuple(str(c) for c in m["from"]), str(m["into"]))
    categories = notes.get("categories") or {}
    if not isinstance(categories, dict):
        raise LossDataError(f"{path}: field 'categories' must map loss columns to holdings categories")
    confirmed = None
    if notes.get("confirmed") is not None:
        c = notes["confirmed"]
        need = {"file", "dates", "category_field", "categories"}
        if not (isinstance(c, dict) and need <= set(c)):
            raise LossDataError(f"{path}: field 'confirmed' needs {', '.join(sorted(need))}; got {c!r}")
        confirmed = Confirmed(
            path=path.parent / str(c["file"]),
            dates=tuple(_date(str(path), "confirmed.dates", d) for d in c["dates"]),
            category_field=str(c["category_field"]),
            categories={str(k): str(v) for k, v in c["categories"].items()},
            text_fields=tuple(str(t) for t in c.get("text_fields", ())),
            claim=c.get("claim"), source=str(c.get("source", "visually confirmed losses")))
    corrections = path.parent / str(notes["corrections"]) if notes.get("corrections") else None
    return SeriesNotes(path=path, sha256=hashlib.sha256(raw).hexdigest(), day_one=day_one, merge=merge,
                       categories={str(k): str(v) for k, v in categories.items()},
                       corrections=corrections, confirmed=confirmed)


# --- the CSV format ----------------------------------------------------------------------------
def load_loss_csv(path: str | Path, *, start: dt.date | str, categories: Collection[str] | None = None,
                  mapped_in: str = "loss_categories") -> pd.DataFrame:
    """A loss series in the plain CSV format: ``date,category,cumulative``, one row per date and category.

    ``cumulative`` is the whole number of items of ``category`` claimed lost from ``start`` (day 1)
    to ``date``. With ``categories``, every row's category must be one of them (``mapped_in`` names
    where they are listed, for the message). Returns a frame shaped as :func:`load_equipment_losses`:
    index ``date`` (the dates of the file, sorted), ``day`` (int, day 1 = ``start``) and one float
    column per category, each carried forward from its last report (NaN before its first).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "l.csv").write_text("date,category,cumulative\\n2024-06-20,tank,4\\n"
    ...                                  "2024-06-25,tank,9\\n2024-06-25,ifv,12\\n")
    >>> frame = load_loss_csv(folder / "l.csv", start="2024-06-15")
    >>> frame["day"].tolist(), frame["tank"].tolist()
    ([6, 11], [4.0, 9.0])
    """
    path = Path(path)
    start = dt.date.fromisoformat(start) if isinstance(start, str) else start
    raw, text = read_input(path, "loss data file")
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    check_columns(path, header, CSV_COLUMNS, LossDataError)
    seen: dict[tuple[dt.date, str], int] = {}
    rows = []
    for line, row in enumerate(reader, start=2):
        value = (row["date"] or "").strip()
        try:
            date = dt.date.fromisoformat(value)
        except ValueError:
            raise LossDataError(f"{path}: line {line}: field 'date' must be an ISO date such as 2024-06-15; "
                                f"got {value!r}") from None
        if date < start:
            raise LossDataError(f"{path}: line {line}: field 'date' must be on or after {start} "
                                f"(day 1 of the conflict); got {value!r}")
        category = (row["category"] or "").strip()
        if not category:
            raise LossDataError(f"{path}: line {line}: field 'category' must be given; got ''")
        if categories is not None and category not in categories:
            known = ", ".join(sorted(categories)) or "none"
            raise LossDataError(f"{path}: line {line}: field 'category': '{category}' is not in the case's "
                                f"{mapped_in} (mapped: {known})")
        cumulative = (row["cumulative"] or "").strip()
        try:
            count = float(cumulative)
        except ValueError:
            count = math.nan
        if not (math.isfinite(count) and count >= 0 and count == int(count)):
            raise LossDataError(f"{path}: line {line}: field 'cumulative' must be a whole number >= 0; "
                                f"got {cumulative!r}")
        if (date, category) in seen:
            raise LossDataError(f"{path}: line {line}: field 'date': {date} and category '{category}' "
                                f"repeat line {seen[date, category]}")
        seen[date, category] = line
        rows.append((pd.Timestamp(date), category, count))
    if not rows:
        raise LossDataError(f"{path}: no rows")
    long = pd.DataFrame(rows, columns=["date", "category", "cumulative"])
    frame = long.pivot(index="date", columns="category", values="cumulative").sort_index().ffill()
    frame.columns.name = None
    frame = frame.astype(float)
    frame.insert(0, "day", [day_number(d.date(), start) for d in frame.index])
    frame["day"] = frame["day"].astype("int64")
    frame.attrs.update(path=str(path), sha256=hashlib.sha256(raw).hexdigest(), start=start.isoformat())
    return frame
