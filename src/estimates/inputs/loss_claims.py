"""Claimed losses of one side, cumulative over time, in the bundled JSON format: read and checked.

One record a day of cumulative claims, as in ``data/ukraine_losses/`` (see its ``README.md``), with
the companion ``series.yaml`` of :mod:`estimates.inputs.loss_series`, which also reads the plain CSV
format any case can supply; :func:`load_loss_series` and :func:`load_personnel_series` choose the
format by the file's suffix. These are one side's wartime claims, not counts. Loaders return plain
DataFrames (columns below) and reject a file with a one-line :class:`LossDataError` naming the file,
the record and the field. Day numbers count from the case's conflict start (``start``): day 1.

Quirks handled here, and why:

- **Revisions.** A cumulative total cannot fall, yet it sometimes does: the claimant corrects an
  earlier over-statement and the next total is lower. :func:`revision_consistent` takes the reverse
  cumulative minimum (each day's value is the least total claimed on that day or later): a later,
  lower figure is read as saying the earlier, higher ones were over-stated. It is the smallest change
  that makes every series non-decreasing without raising any claim. Pass it only the claims up to
  the information cut-off, so no later revision reaches back.
- **Categories start, stop and merge.** A category is NaN before it was first reported and after it
  was dropped. Where ``series.yaml`` names a merge (two categories reported as one from a date on),
  ``<into>_continuous`` joins them into one series (the sum before the merge, the merged figure after).
- **Corrections.** A corrections file (named in ``series.yaml``) lists revisions by date; the daily
  totals already include them, so nothing is re-applied. :func:`load_corrections` exposes them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from estimates.core.calendar import day_number
from estimates.inputs.files import LedgerError, read_input
from estimates.inputs.loss_series import (  # noqa: F401  (re-exported: one module for callers)
    CSV_COLUMNS,
    PERSONNEL,
    SERIES_FILE,
    Confirmed,
    LossDataError,
    Merge,
    SeriesNotes,
    load_loss_csv,
    load_series_notes,
)

#: The JSON format's field name -> our column, for the equipment file, in the order columns appear.
EQUIPMENT_FIELDS: dict[str, str] = {
    "aircraft": "aircraft",
    "helicopter": "helicopter",
    "tank": "tank",
    "APC": "apc",
    "field artillery": "field_artillery",
    "MRL": "mrl",
    "military auto": "military_auto",
    "fuel tank": "fuel_tank",
    "vehicles and fuel tanks": "vehicles_and_fuel_tanks",
    "drone": "drone",
    "naval ship": "naval_ship",
    "submarines": "submarines",
    "anti-aircraft warfare": "anti_aircraft",
    "special equipment": "special_equipment",
    "mobile SRBM system": "mobile_srbm",
    "cruise missiles": "cruise_missiles",
    "ground robotic systems": "ground_robotic_systems",
}
EQUIPMENT_TEXT_FIELDS: dict[str, str] = {"greatest losses direction": "greatest_losses_direction"}
PERSONNEL_FIELDS: dict[str, str] = {"personnel": "personnel", "POW": "pow"}
PERSONNEL_TEXT_FIELDS: dict[str, str] = {"personnel*": "personnel_qualifier"}
CORRECTION_FIELDS: dict[str, str] = {
    k: v for k, v in EQUIPMENT_FIELDS.items()
    if v not in ("military_auto", "fuel_tank", "mobile_srbm", "ground_robotic_systems")
} | {"personnel": "personnel"}



def _default(name: str, path) -> Path:
    from estimates.paths import LOSSES_DIR

    return Path(path) if path is not None else LOSSES_DIR / name


# --- the JSON format ---------------------------------------------------------------------------
def _records(path: Path) -> tuple[list, str]:
    try:
        raw, text = read_input(path, "loss data file")
    except LedgerError as error:
        raise LossDataError(str(error).replace("give the path of a CSV file", "give the path of a JSON file")) from None
    try:
        records = json.loads(text)
    except json.JSONDecodeError as error:
        raise LossDataError(f"{path}: not JSON ({error.msg} at line {error.lineno} column {error.colno})") from None
    if not isinstance(records, list):
        raise LossDataError(f"{path}: expected a JSON list of records; got {type(records).__name__}")
    if not records:
        raise LossDataError(f"{path}: no records")
    return records, hashlib.sha256(raw).hexdigest()


def _count(path, where, name, value, *, signed: bool = False) -> float:
    allowed = "a whole number" if signed else "a whole number >= 0"
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value != int(value) or (not signed and value < 0):
        raise LossDataError(f"{path}: {where}: field '{name}' must be {allowed} or absent; got {value!r}")
    return float(value)


def _date_of(path, index: int, record: dict, previous: str | None, start: dt.date) -> dt.date:
    where = f"record {index + 1}" + (f" (after {previous})" if previous else "")
    if "date" not in record:
        raise LossDataError(f"{path}: {where}: field 'date' missing; every record needs an ISO date such as 2024-06-15")
    value = record["date"]
    try:
        date = dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise LossDataError(f"{path}: {where}: field 'date' must be an ISO date such as 2024-06-15; "
                            f"got {value!r}") from None
    if date < start:
        raise LossDataError(f"{path}: {date}: field 'date' must be on or after {start} (day 1 of the conflict)")
    return date


def _frame(path: Path, numeric: dict[str, str], text: dict[str, str], *, daily: bool, start: dt.date,
           day_one: dt.date | None = None, signed: bool = False) -> pd.DataFrame:
    """Validate every record and build the frame; ``daily`` files must run one day after another and
    carry a ``day`` field counted from ``day_one`` (their own convention; default ``start``). The
    frame's ``day`` counts from ``start``."""
    records, digest = _records(path)
    day_one = start if day_one is None else day_one
    allowed = {"date", "day", *numeric, *text}
    rows: list[dict] = []
    previous: dt.date | None = None
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise LossDataError(f"{path}: record {index + 1}: must be a JSON object; got {type(record).__name__}")
        date = _date_of(path, index, record, previous and previous.isoformat(), start)
        unknown = sorted(set(record) - allowed)
        if unknown:
            raise LossDataError(f"{path}: {date}: unknown field '{unknown[0]}'; allowed: {', '.join(sorted(allowed))}")
        if previous is not None:
            step = "the next day after" if daily else "a later date than"
            bad = (date - previous).days != 1 if daily else date <= previous
            if bad:
                raise LossDataError(f"{path}: {date}: field 'date' must be {step} the previous record's {previous} "
                                    "(dates unique, increasing" + (", no gaps)" if daily else ")"))
        if daily:
            # The correction file's own day numbers are off twice (see the README); there the day is
            # recomputed from the date, here a disagreement means the record cannot be placed.
            expected = day_number(date, day_one)
            day = record.get("day")
            if isinstance(day, bool) or not isinstance(day, int) or day != expected:
                raise LossDataError(f"{path}: {date}: field 'day' must be {expected} (day 1 = {day_one}); "
                                    f"got {day!r}")
        row = {"date": pd.Timestamp(date), "day": day_number(date, start)}
        for name, column in numeric.items():
            value = record.get(name)
            row[column] = np.nan if value is None else _count(path, date, name, value, signed=signed)
        for name, column in text.items():
            value = record.get(name)
            if value is not None and not isinstance(value, str):
                raise LossDataError(f"{path}: {date}: field '{name}' must be text or absent; got {value!r}")
            row[column] = value
        rows.append(row)
        previous = date
    frame = pd.DataFrame(rows).set_index("date")
    frame["day"] = frame["day"].astype("int64")
    frame.attrs.update(path=str(path), sha256=digest, start=start.isoformat())
    return frame


def _start(path: Path, start, notes: SeriesNotes) -> tuple[dt.date, dt.date | None]:
    """The conflict start (the ``start`` given, else the notes' ``day_one``) and the records' own day one."""
    if start is None:
        start = notes.day_one
    if start is None:
        raise LossDataError(f"{path}: no start date: give the conflict start, or day_one in {SERIES_FILE} beside it")
    if isinstance(start, str):
        start = dt.date.fromisoformat(start)
    return start, notes.day_one


def count_columns(frame: pd.DataFrame) -> list[str]:
    """The cumulative-count columns of a loaded frame (not ``day``, not text)."""
    return [c for c in frame.columns if c != "day" and pd.api.types.is_float_dtype(frame[c])]


def revision_consistent(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every count made non-decreasing by the reverse cumulative minimum.

    Each day's total becomes the least total claimed on that day or any later day, so a downward
    revision lowers the earlier figures it corrects and nothing is ever raised. NaN (not reported)
    stays NaN.

    Examples
    --------
    >>> f = pd.DataFrame({"day": [2, 3, 4], "tank": [10.0, 14.0, 12.0]})
    >>> revision_consistent(f)["tank"].tolist()
    [10.0, 12.0, 12.0]
    """
    out = frame.copy()
    for column in count_columns(frame):
        out[column] = frame[column].iloc[::-1].cummin().iloc[::-1]
    out.attrs = dict(frame.attrs, revisions="reverse cumulative minimum")
    return out


def up_to(frame: pd.DataFrame, cut_off: dt.date) -> pd.DataFrame:
    """The rows of ``frame`` dated on or before ``cut_off`` (the information cut-off)."""
    out = frame.loc[frame.index <= pd.Timestamp(cut_off)].copy()
    out.attrs = dict(frame.attrs, cut_off=pd.Timestamp(cut_off).date().isoformat())
    return out


def decreases(frame: pd.DataFrame) -> pd.DataFrame:
    """Every day a cumulative total fell: date, column, the previous and the new total."""
    rows = []
    for column in count_columns(frame):
        series = frame[column].dropna()
        fell = series.diff() < 0
        for date in series.index[fell]:
            at = series.index.get_loc(date)
            rows.append({"date": date, "column": column, "before": series.iloc[at - 1], "after": series.iloc[at]})
    return pd.DataFrame(rows, columns=["date", "column", "before", "after"])


def load_equipment_losses(path: str | Path | None = None, *, start: dt.date | str | None = None,
                          consistent: bool = False, notes: SeriesNotes | None = None) -> pd.DataFrame:
    """Equipment losses claimed in the bundled JSON format, cumulative, one row a day.

    Index ``date`` (datetime, one row per day without gaps, none before ``start``). Columns, all
    counts of items claimed destroyed or captured since the conflict began (float, NaN when the
    category was not reported that day): ``day`` (int; day 1 = ``start``, by default the companion
    ``series.yaml``'s ``day_one``) and one column per category of :data:`EQUIPMENT_FIELDS`
    (the bundled file's ``apc`` is the source's "APC": all armoured fighting vehicles other than
    tanks); ``greatest_losses_direction`` (text); and, where ``series.yaml`` names a merge,
    ``<into>_continuous``, the merged categories as one series across it (derived here).

    With ``consistent``, counts are passed through :func:`revision_consistent`. ``frame.attrs``
    holds the file's ``path`` and ``sha256``. The bundled file: PetroIvaniuk/2022-Ukraine-Russia-War-Dataset
    (MIT), about 1,600 rows (see ``data/ukraine_losses/README.md``).

    Examples
    --------
    The bundled case's file, on its day 42:

    >>> int(load_equipment_losses().loc["2022-04-06", "tank"])
    684
    """
    path = _default("russia_losses_equipment.json", path)
    notes = load_series_notes(path.parent) if notes is None else notes
    start, day_one = _start(path, start, notes)
    frame = _frame(path, EQUIPMENT_FIELDS, EQUIPMENT_TEXT_FIELDS, daily=True, start=start, day_one=day_one)
    merge = notes.merge
    if merge is not None:
        parts = list(merge.from_)
        missing = [c for c in (*parts, merge.into) if c not in frame.columns]
        if missing:
            raise LossDataError(f"{notes.path}: field 'merge': '{missing[0]}' is not a column of {path.name}")
        before = frame.index < pd.Timestamp(merge.date)
        frame[merge.continuous] = frame[merge.into].where(~before, frame[parts].sum(axis=1, min_count=len(parts)))
        if frame.loc[before, merge.into].notna().any() or frame.loc[~before, parts].notna().any().any():
            raise LossDataError(f"{path}: field '{merge.into}' must start, and {' and '.join(map(repr, parts))} "
                                f"stop, on {merge.date} (the merge in {SERIES_FILE})")
    return revision_consistent(frame) if consistent else frame


def load_personnel_losses(path: str | Path | None = None, *, start: dt.date | str | None = None,
                          consistent: bool = False, notes: SeriesNotes | None = None) -> pd.DataFrame:
    """Personnel losses claimed in the bundled JSON format, cumulative, one row a day.

    Index ``date`` as :func:`load_equipment_losses`. Columns: ``day`` (int), ``personnel`` (people
    claimed killed, float; the bundled statements say "about"), ``personnel_qualifier`` (the
    source's ``personnel*``: ``about`` or ``more``), ``pow`` (prisoners of war, where reported).
    """
    path = _default("russia_losses_personnel.json", path)
    notes = load_series_notes(path.parent) if notes is None else notes
    start, day_one = _start(path, start, notes)
    frame = _frame(path, PERSONNEL_FIELDS, PERSONNEL_TEXT_FIELDS, daily=True, start=start, day_one=day_one)
    return revision_consistent(frame) if consistent else frame


def load_corrections(path: str | Path | None = None, *, start: dt.date | str | None = None) -> pd.DataFrame:
    """Revisions made to the totals, by date (already inside the daily totals).

    Index ``date``; ``day`` recomputed from the date (the bundled file's own ``day`` is off by one
    twice); one signed count column per corrected category, named as in
    :func:`load_equipment_losses`, plus ``personnel``.
    """
    path = _default("russia_losses_equipment_correction.json", path)
    start, _ = _start(path, start, load_series_notes(path.parent))
    return _frame(path, CORRECTION_FIELDS, {}, daily=False, signed=True, start=start)


def load_confirmed(confirmed: Confirmed | None = None) -> pd.DataFrame:
    """Losses visually confirmed, by model: one undated snapshot (the file ``confirmed`` names).

    Columns: the ``text_fields`` the notes name, ``losses_total`` (items with photographic or video
    evidence; int), the file's category (``category_field``) and ``category`` (that category as an
    equipment column name, by the notes' ``categories``). Default: the bundled snapshot.
    """
    if confirmed is None:
        confirmed = load_series_notes(_default("", None)).confirmed
    path = confirmed.path
    records, digest = _records(path)
    text = (*confirmed.text_fields, confirmed.category_field)
    rows = []
    for index, record in enumerate(records):
        where = f"record {index + 1}"
        if not isinstance(record, dict):
            raise LossDataError(f"{path}: {where}: must be a JSON object; got {type(record).__name__}")
        for name in text:
            if not isinstance(record.get(name), str):
                raise LossDataError(f"{path}: {where}: field '{name}' must be text; got {record.get(name)!r}")
        if record[confirmed.category_field] not in confirmed.categories:
            raise LossDataError(f"{path}: {where}: field '{confirmed.category_field}' must be one of "
                                f"{', '.join(confirmed.categories)}; got {record[confirmed.category_field]!r}")
        if "losses_total" not in record:
            raise LossDataError(f"{path}: {where}: field 'losses_total' missing; a whole number >= 0 is required")
        total = _count(path, where, "losses_total", record["losses_total"])
        rows.append({name: record[name] for name in text}
                    | {"losses_total": int(total), "category": confirmed.categories[record[confirmed.category_field]]})
    frame = pd.DataFrame(rows, columns=[*confirmed.text_fields, "losses_total", confirmed.category_field, "category"])
    frame.attrs.update(path=str(path), sha256=digest)
    return frame


def confirmed_totals(confirmed: pd.DataFrame) -> pd.Series:
    """Visually confirmed losses per equipment column (``tank``, ``apc``, ...)."""
    return confirmed.groupby("category")["losses_total"].sum().astype(int)


# --- either format ---------------------------------------------------------------------------
def load_loss_series(path: str | Path, *, start: dt.date | str, categories: Collection[str] | None = None,
                     notes: SeriesNotes | None = None) -> pd.DataFrame:
    """Claimed equipment losses from a ``.csv`` (:func:`load_loss_csv`) or a ``.json`` file in the
    bundled format (:func:`load_equipment_losses`), chosen by the file's suffix; raw totals."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return load_loss_csv(path, start=start, categories=categories)
    if suffix == ".json":
        return load_equipment_losses(path, start=start, notes=notes)
    raise LossDataError(f"{path}: unknown format '{path.suffix}'; give a .csv (date,category,cumulative) "
                        "or a .json file")


def load_personnel_series(path: str | Path, *, start: dt.date | str) -> pd.DataFrame:
    """Claimed personnel losses from a ``.csv`` (category ``personnel`` only) or a ``.json`` file in
    the bundled format, chosen by the suffix; raw totals with a ``personnel`` column."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return load_loss_csv(path, start=start, categories=(PERSONNEL,), mapped_in="personnel series")
    if suffix == ".json":
        return load_personnel_losses(path, start=start)
    raise LossDataError(f"{path}: unknown format '{path.suffix}'; give a .csv (date,category,cumulative) "
                        "or a .json file")


# --- reading a series ----------------------------------------------------------------------------
def _row_for(when, frame: pd.DataFrame):
    """The last row on or before ``when`` (a day number or a date), and the day number asked for."""
    first_day, last_day = int(frame["day"].iloc[0]), int(frame["day"].iloc[-1])
    if isinstance(when, (int, np.integer)) and not isinstance(when, bool):
        day = int(when)
    else:
        if isinstance(when, str):
            when = dt.date.fromisoformat(when)
        if isinstance(when, pd.Timestamp | dt.datetime):
            when = when.date()
        if not isinstance(when, dt.date):
            raise ValueError(f"give a day of the conflict (int) or a date; got {when!r}")
        day = first_day + (when - frame.index[0].date()).days
    if not first_day <= day <= last_day:
        raise ValueError(f"day {day} has no record; the data run from day {first_day} "
                         f"({frame.index[0].date()}) to day {last_day} ({frame.index[-1].date()})")
    position = int(np.searchsorted(frame["day"].to_numpy(), day, side="right")) - 1
    return frame.index[position], day


def claimed_by(when: int | dt.date | str, category: str, frame: pd.DataFrame | None = None) -> float:
    """The cumulative total of ``category`` claimed by day ``when`` (a day number or a date): the last
    record on or before it.

    ``frame`` defaults to the bundled equipment losses, revision-consistent.

    Examples
    --------
    The bundled case's tanks on its day 42 and on 31 March 2022:

    >>> claimed_by(42, "tank"), claimed_by("2022-03-31", "tank")
    (684.0, 614.0)
    """
    frame = load_equipment_losses(consistent=True) if frame is None else frame
    if category not in count_columns(frame):
        raise ValueError(f"category must be one of {', '.join(count_columns(frame))}; got {category!r}")
    row, _ = _row_for(when, frame)
    value = frame.at[row, category]
    if np.isnan(value):
        seen = frame[category].dropna().index
        span = f"{seen[0].date()} to {seen[-1].date()}" if len(seen) else "never"
        raise ValueError(f"'{category}' was not reported on {row.date()} (reported {span})")
    return float(value)


@dataclass(frozen=True)
class ClaimedLosses:
    """Armour claimed lost by one day: the input of :func:`estimates.models.losses.crosscheck.assess_losses`.

    ``tank`` is the total of the loss categories mapped to the holdings category ``armour``, ``apc``
    that of those mapped to ``ifv`` (0 when none is); ``categories`` says which.
    """

    as_of: dt.date | None
    day: int | None
    tank: float
    apc: float
    source: str = "given"
    sha256: str = ""
    revisions: str = "reverse cumulative minimum"
    categories: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self) | {"as_of": self.as_of.isoformat() if self.as_of else None}


def claimed_losses(as_of: int | dt.date | str = 42, frame: pd.DataFrame | None = None, *,
                   armour: tuple[str, ...] = ("tank",), ifv: tuple[str, ...] = ("apc",),
                   source: str = "claimed losses") -> ClaimedLosses:
    """The loss categories ``armour`` and ``ifv`` claimed by ``as_of`` (a day number or a date), summed.

    ``frame`` defaults to the bundled equipment losses, revision-consistent (whose day 42 is 2022-04-06).
    """
    frame = load_equipment_losses(consistent=True) if frame is None else frame
    row, day = _row_for(as_of, frame)
    date = (frame.index[0] + pd.Timedelta(days=day - int(frame["day"].iloc[0]))).date()
    return ClaimedLosses(
        as_of=date, day=day,
        tank=float(sum(claimed_by(day, c, frame) for c in armour)),
        apc=float(sum(claimed_by(day, c, frame) for c in ifv)),
        source=source, sha256=frame.attrs.get("sha256", ""),
        revisions=frame.attrs.get("revisions", "none (raw totals)"),
        categories={"armour": list(armour), "ifv": list(ifv)},
    )
