"""Ukraine's General Staff daily claims of Russian losses, read and checked.

The files in ``data/ukraine_losses/`` (see its ``README.md``) are PetroIvaniuk's structured copy of
the General Staff's daily statements: one JSON record a day of *cumulative* claimed losses since
24 February 2022. They are one side's wartime claims, not counts. The loaders here, like lifelines'
``datasets``, return plain DataFrames with snake_case columns, documented below, and reject a file
they cannot vouch for with a one-line :class:`LossDataError` naming the file, the record's date (or
position) and the field.

Quirks handled here, and why:

- **Revisions.** A cumulative total cannot fall, yet it sometimes does: the General Staff corrects an
  earlier over-statement and the next total is lower. :func:`revision_consistent` takes the reverse
  cumulative minimum (each day's value is the least total claimed on that day or later): a later,
  lower figure is read as saying the earlier, higher ones were over-stated. It is the smallest change
  that makes every series non-decreasing without raising any claim.
- **Categories start, stop and merge.** A category is NaN before it was first reported and after it
  was dropped. ``military auto`` and ``fuel tank`` stop on 2022-04-30 and are reported together as
  ``vehicles and fuel tanks`` from 2022-05-01; ``vehicles_and_fuel_tanks_continuous`` joins them into
  one series (the sum before the merge, the merged figure after).
- **Corrections.** ``russia_losses_equipment_correction.json`` lists revisions by date; the daily
  totals already include them (the drop of 14 APCs on 2022-10-13 is its -25 APC correction less that
  day's new claims), so nothing is re-applied. :func:`load_corrections` exposes them. The first is on
  2022-10-13, well after the first weeks the cross-check reads.

Day 1 is 24 February 2022 (:func:`estimates.core.calendar.day_number`); the first record is 2022-02-25,
day 2.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from estimates.core.calendar import WAR_START, day_number
from estimates.inputs.files import LedgerError, read_input

#: The data set's field name -> our column, for the equipment file, in the order columns appear.
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

#: The merged category and the two it replaced on :data:`MERGE_DATE`.
MERGED = "vehicles_and_fuel_tanks"
MERGED_FROM = ("military_auto", "fuel_tank")
MERGE_DATE = dt.date(2022, 5, 1)
CONTINUOUS = "vehicles_and_fuel_tanks_continuous"

#: Oryx's grouping (the data set's ``equipment_ua``) -> the equipment column it corresponds to.
ORYX_CATEGORIES: dict[str, str] = {
    "Tanks": "tank",
    "Armoured Personnel Carriers": "apc",
    "Artillery Systems": "field_artillery",
    "Multiple Rocket Launchers": "mrl",
    "Aircrafts": "aircraft",
    "Helicopters": "helicopter",
    "Unmanned Aerial Vehicles": "drone",
    "Warships, Boats": "naval_ship",
    "Anti-aircraft Warfare Systems": "anti_aircraft",
    "Special Equipment": "special_equipment",
    "Vehicle and Fuel Tank": "vehicles_and_fuel_tanks",
}
_ORYX_TEXT = ("equipment_oryx", "model", "manufacturer", "equipment_ua")

EQUIPMENT_FILE = "russia_losses_equipment.json"
PERSONNEL_FILE = "russia_losses_personnel.json"
CORRECTION_FILE = "russia_losses_equipment_correction.json"
ORYX_FILE = "russia_losses_equipment_oryx.json"


class LossDataError(LedgerError):
    """A loss file cannot be used; the message is one line naming the file, record and field.

    A :class:`~estimates.inputs.claims.LedgerError` (so a ``ValueError``), so callers that report bad
    input files report this one the same way.
    """


def _default(name: str, path) -> Path:
    from estimates.paths import LOSSES_DIR

    return Path(path) if path is not None else LOSSES_DIR / name


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


def _date_of(path, index: int, record: dict, previous: str | None) -> dt.date:
    where = f"record {index + 1}" + (f" (after {previous})" if previous else "")
    if "date" not in record:
        raise LossDataError(f"{path}: {where}: field 'date' missing; every record needs an ISO date such as 2022-02-25")
    value = record["date"]
    try:
        date = dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise LossDataError(f"{path}: {where}: field 'date' must be an ISO date such as 2022-02-25; "
                            f"got {value!r}") from None
    if date < WAR_START:
        raise LossDataError(f"{path}: {date}: field 'date' must be on or after {WAR_START} (day 1)")
    return date


def _frame(path: Path, numeric: dict[str, str], text: dict[str, str], *, daily: bool,
           signed: bool = False) -> pd.DataFrame:
    """Validate every record and build the frame; ``daily`` files must run one day after another."""
    records, digest = _records(path)
    allowed = {"date", "day", *numeric, *text}
    rows: list[dict] = []
    previous: dt.date | None = None
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise LossDataError(f"{path}: record {index + 1}: must be a JSON object; got {type(record).__name__}")
        date = _date_of(path, index, record, previous and previous.isoformat())
        unknown = sorted(set(record) - allowed)
        if unknown:
            raise LossDataError(f"{path}: {date}: unknown field '{unknown[0]}'; allowed: {', '.join(sorted(allowed))}")
        if previous is not None:
            step = "the next day after" if daily else "a later date than"
            bad = (date - previous).days != 1 if daily else date <= previous
            if bad:
                raise LossDataError(f"{path}: {date}: field 'date' must be {step} the previous record's {previous} "
                                    "(dates unique, increasing" + (", no gaps)" if daily else ")"))
        expected = day_number(date)
        if daily:
            # The correction file's own day numbers are off twice (see the README); there the day is
            # recomputed from the date, here a disagreement means the record cannot be placed.
            day = record.get("day")
            if isinstance(day, bool) or not isinstance(day, int) or day != expected:
                raise LossDataError(f"{path}: {date}: field 'day' must be {expected} (day 1 = {WAR_START}); "
                                    f"got {day!r}")
        row = {"date": pd.Timestamp(date), "day": expected}
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
    frame.attrs.update(path=str(path), sha256=digest)
    return frame


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


def load_equipment_losses(path: str | Path | None = None, *, consistent: bool = False) -> pd.DataFrame:
    """Russian equipment losses claimed by Ukraine's General Staff, cumulative, one row a day.

    Index ``date`` (datetime, 2022-02-25 onwards, one row per day without gaps). Columns, all counts
    of items claimed destroyed or captured since 24 February 2022 (float, NaN when the category was
    not reported that day):

    ``day`` (int; day 1 = 2022-02-24), ``aircraft``, ``helicopter``, ``tank``, ``apc`` (the source's
    "APC": all armoured fighting vehicles other than tanks, IFVs and APCs alike),
    ``field_artillery``, ``mrl`` (multiple rocket launchers), ``military_auto`` and ``fuel_tank``
    (to 2022-04-30), ``vehicles_and_fuel_tanks`` (from 2022-05-01), ``drone``, ``naval_ship``,
    ``submarines`` (from 2023-09-14), ``anti_aircraft``, ``special_equipment`` (from 2022-03-16),
    ``mobile_srbm`` (2022-03-26 to 2022-04-30), ``cruise_missiles`` (from 2022-05-01),
    ``ground_robotic_systems`` (from 2026-05-03); ``greatest_losses_direction`` (text, 2022-04-25 to
    2023-01-02); and ``vehicles_and_fuel_tanks_continuous``, military vehicles and fuel tanks as one
    series across the 2022-05-01 merge (derived here).

    With ``consistent``, counts are passed through :func:`revision_consistent`. ``frame.attrs``
    holds the file's ``path`` and ``sha256``. Source: PetroIvaniuk/2022-Ukraine-Russia-War-Dataset
    (MIT), from the General Staff of the Armed Forces of Ukraine; about 1,600 rows.

    Examples
    --------
    >>> int(load_equipment_losses().loc["2022-04-06", "tank"])
    684
    """
    path = _default(EQUIPMENT_FILE, path)
    frame = _frame(path, EQUIPMENT_FIELDS, EQUIPMENT_TEXT_FIELDS, daily=True)
    before = frame.index < pd.Timestamp(MERGE_DATE)
    frame[CONTINUOUS] = frame[MERGED].where(~before, frame[list(MERGED_FROM)].sum(axis=1, min_count=2))
    if frame.loc[before, MERGED].notna().any() or frame.loc[~before, list(MERGED_FROM)].notna().any().any():
        raise LossDataError(f"{path}: field '{MERGED}' must start, and 'military auto' and 'fuel tank' stop, "
                            f"on {MERGE_DATE}")
    return revision_consistent(frame) if consistent else frame


def load_personnel_losses(path: str | Path | None = None, *, consistent: bool = False) -> pd.DataFrame:
    """Russian personnel losses claimed by Ukraine's General Staff, cumulative, one row a day.

    Index ``date`` as :func:`load_equipment_losses`. Columns: ``day`` (int), ``personnel`` (people
    claimed killed, float; the statements say "about"), ``personnel_qualifier`` (the source's
    ``personnel*``: ``about`` or ``more``), ``pow`` (prisoners of war, to 2022-04-27 only).
    Source as :func:`load_equipment_losses`.
    """
    path = _default(PERSONNEL_FILE, path)
    frame = _frame(path, PERSONNEL_FIELDS, PERSONNEL_TEXT_FIELDS, daily=True)
    return revision_consistent(frame) if consistent else frame


def load_corrections(path: str | Path | None = None) -> pd.DataFrame:
    """Revisions the General Staff made to its totals, by date (already inside the daily totals).

    Index ``date``; ``day`` recomputed from the date (the file's own ``day`` is off by one on
    2022-10-13 and 2024-06-23); one signed count column per corrected category, named as in
    :func:`load_equipment_losses`, plus ``personnel``.
    """
    path = _default(CORRECTION_FILE, path)
    return _frame(path, CORRECTION_FIELDS, {}, daily=False, signed=True)


def load_oryx(path: str | Path | None = None) -> pd.DataFrame:
    """Russian losses visually confirmed by Oryx, by model: one undated snapshot.

    Columns: ``equipment_oryx`` (Oryx's category), ``model``, ``manufacturer``, ``losses_total``
    (items with photographic or video evidence: destroyed, damaged, abandoned or captured; int),
    ``equipment_ua`` (the data set's mapping onto the General Staff's categories) and ``category``
    (that mapping as an equipment column name). The file carries no date; see ``data/ukraine_losses/
    README.md`` for what can be said about when it was taken. About 340 rows.
    """
    path = _default(ORYX_FILE, path)
    records, digest = _records(path)
    rows = []
    for index, record in enumerate(records):
        where = f"record {index + 1}"
        if not isinstance(record, dict):
            raise LossDataError(f"{path}: {where}: must be a JSON object; got {type(record).__name__}")
        for name in _ORYX_TEXT:
            if not isinstance(record.get(name), str):
                raise LossDataError(f"{path}: {where}: field '{name}' must be text; got {record.get(name)!r}")
        if record["equipment_ua"] not in ORYX_CATEGORIES:
            raise LossDataError(f"{path}: {where}: field 'equipment_ua' must be one of {', '.join(ORYX_CATEGORIES)}; "
                                f"got {record['equipment_ua']!r}")
        if "losses_total" not in record:
            raise LossDataError(f"{path}: {where}: field 'losses_total' missing; a whole number >= 0 is required")
        total = _count(path, where, "losses_total", record["losses_total"])
        rows.append({name: record[name] for name in _ORYX_TEXT}
                    | {"losses_total": int(total), "category": ORYX_CATEGORIES[record["equipment_ua"]]})
    frame = pd.DataFrame(rows, columns=[*_ORYX_TEXT[:3], "losses_total", "equipment_ua", "category"])
    frame.attrs.update(path=str(path), sha256=digest)
    return frame


def oryx_totals(oryx: pd.DataFrame) -> pd.Series:
    """Visually confirmed losses per equipment column (``tank``, ``apc``, ...)."""
    return oryx.groupby("category")["losses_total"].sum().astype(int)


def _day(when: int | dt.date | str) -> int:
    if isinstance(when, (int, np.integer)) and not isinstance(when, bool):
        return int(when)
    if isinstance(when, str):
        when = dt.date.fromisoformat(when)
    if isinstance(when, dt.datetime):
        when = when.date()
    if isinstance(when, dt.date):
        return day_number(when)
    raise ValueError(f"give a day of the war (int, day 1 = {WAR_START}) or a date; got {when!r}")


def claimed_by(when: int | dt.date | str, category: str, frame: pd.DataFrame | None = None) -> float:
    """The cumulative total of ``category`` claimed by day ``when`` (a day number or a date).

    ``frame`` defaults to the bundled equipment losses, revision-consistent.

    Examples
    --------
    >>> claimed_by(42, "tank"), claimed_by("2022-03-31", "tank")
    (684.0, 614.0)
    """
    frame = load_equipment_losses(consistent=True) if frame is None else frame
    if category not in count_columns(frame):
        raise ValueError(f"category must be one of {', '.join(count_columns(frame))}; got {category!r}")
    day = _day(when)
    rows = frame.index[frame["day"].to_numpy() == day]
    first, last = frame.iloc[0], frame.iloc[-1]
    if rows.empty:
        raise ValueError(f"day {day} has no record; the data run from day {first['day']} "
                         f"({frame.index[0].date()}) to day {last['day']} ({frame.index[-1].date()})")
    value = frame.at[rows[0], category]
    if np.isnan(value):
        seen = frame[category].dropna().index
        span = f"{seen[0].date()} to {seen[-1].date()}" if len(seen) else "never"
        raise ValueError(f"'{category}' was not reported on {rows[0].date()} (reported {span})")
    return float(value)


@dataclass(frozen=True)
class ClaimedLosses:
    """Armour claimed lost by one day: the input of :func:`estimates.models.losses.crosscheck.assess_losses`."""

    as_of: dt.date | None
    day: int | None
    tank: float
    apc: float
    source: str = "General Staff of the Armed Forces of Ukraine, via PetroIvaniuk/2022-Ukraine-Russia-War-Dataset"
    sha256: str = ""
    revisions: str = "reverse cumulative minimum"

    def to_dict(self) -> dict:
        return asdict(self) | {"as_of": self.as_of.isoformat() if self.as_of else None}


def claimed_losses(as_of: int | dt.date | str = 42, frame: pd.DataFrame | None = None) -> ClaimedLosses:
    """Tanks and armoured fighting vehicles claimed by ``as_of`` (default day 42, 2022-04-06)."""
    frame = load_equipment_losses(consistent=True) if frame is None else frame
    day = _day(as_of)
    return ClaimedLosses(
        as_of=WAR_START + dt.timedelta(days=day - 1), day=day,
        tank=claimed_by(day, "tank", frame), apc=claimed_by(day, "apc", frame),
        sha256=frame.attrs.get("sha256", ""),
        revisions=frame.attrs.get("revisions", "none (raw totals)"),
    )
