"""Official statements of how many units were combat-ineffective, as observations a model can fit.

A case's statements file (``statements_path``) turns ledger claims into observations. It is where the
analyst says which reports are one statement repeated (one row citing both claim ids), what a range
means (37-38) and what is only a bound ("more than a quarter" is a count above a share of the
committed force, whatever that force is). Columns:

- ``observation_id``: unique name of the observation;
- ``claim_ids``: the ledger claims it rests on, separated by ``;``;
- ``event_date``: the date the count describes (ISO; on or after the case's ``conflict_start``, which
  is day 1);
- ``count_low``, ``count_high``: smallest and largest count the statement allows (integers; empty
  for no bound);
- ``share_above``: the count is more than this share of the committed force (0-1; empty if none);
- ``reading``: one line saying how the statement was read.

Two columns may be left out of older files:

- ``event_date_latest``: the latest date the count may describe, when its date is uncertain
  ("six weeks in", published five days later). Empty: from ``event_date`` to the first report of its
  claims (the models resolve it with the ledger), so a count is never dated after it was published;
- ``share_below``: the count is at most this share of the committed force (0-1; empty if none): the
  upper end of a reading such as "more than a quarter", read as 0.25-0.35.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from estimates.core.calendar import day_number
from estimates.core.display import Table
from estimates.inputs.files import LedgerError, read_input

COLUMNS = ("observation_id", "claim_ids", "event_date", "count_low", "count_high", "share_above", "reading")
OPTIONAL_COLUMNS = ("event_date_latest", "share_below")


@dataclass(frozen=True)
class Statement:
    """A reported count of ineffective units at a date: exact, a range, or a lower bound.

    ``start`` is the case's conflict start (day 1), which :attr:`day` counts from.

    >>> s = Statement.count("a", dt.date(2024, 8, 3), 17, start=dt.date(2024, 6, 15))
    >>> s.day, s.describe()
    (50, '17')
    """

    observation_id: str
    date: dt.date
    count_low: int | None = None
    count_high: int | None = None
    share_above: float | None = None
    claim_ids: tuple[str, ...] = ()
    reading: str = ""
    #: Day 1 of the conflict the statement is about (the case's ``conflict_start``).
    start: dt.date = field(kw_only=True)
    #: The latest date the count may describe (``None``: not yet resolved, read as ``date``).
    date_latest: dt.date | None = field(default=None, kw_only=True)
    #: The count is at most this share of the committed force.
    share_below: float | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        if self.count_low is None and self.count_high is None and self.share_above is None:
            raise ValueError(f"statement {self.observation_id}: give a count, a range or share_above")
        if self.count_low is not None and self.count_high is not None and self.count_low > self.count_high:
            raise ValueError(f"statement {self.observation_id}: count_low exceeds count_high")
        if self.date < self.start:
            raise ValueError(f"statement {self.observation_id}: event_date {self.date} is before the "
                             f"conflict start {self.start}")
        if self.date_latest is not None and self.date_latest < self.date:
            raise ValueError(f"statement {self.observation_id}: event_date_latest is before event_date")
        if self.share_above is not None and self.share_below is not None and self.share_below <= self.share_above:
            raise ValueError(f"statement {self.observation_id}: share_below must exceed share_above")

    @classmethod
    def count(cls, observation_id: str, date: dt.date, value: int, **kw) -> Statement:
        return cls(observation_id, date, value, value, **kw)

    @property
    def day(self) -> int:
        return day_number(self.date, self.start)

    @property
    def day_latest(self) -> int:
        """The last day the count may describe (its own day when its date is certain)."""
        return day_number(self.date_latest or self.date, self.start)

    @property
    def days(self) -> range:
        """Every day the count may describe."""
        return range(self.day, self.day_latest + 1)

    def on_day(self, day: int) -> Statement:
        """The statement dated on one day of its window."""
        if day not in self.days:
            raise ValueError(f"statement {self.observation_id}: day {day} is outside days {self.day}-{self.day_latest}")
        return replace(self, date=self.start + dt.timedelta(days=day - 1), date_latest=None)

    def dated_by(self, latest: dt.date) -> Statement:
        """The statement with an unresolved window closed at ``latest`` (never before its own date)."""
        if self.date_latest is not None:
            return self
        return replace(self, date_latest=max(self.date, latest))

    def read_with(self, count_uncertainty: int) -> Statement:
        """The statement as a reading of the true count, off by at most ``count_uncertainty`` either
        way: a stated count or range widens by that much (a share bound is left as stated)."""
        if count_uncertainty <= 0 or (self.count_low is None and self.count_high is None):
            return self
        low = None if self.count_low is None else max(self.count_low - count_uncertainty, 0)
        high = None if self.count_high is None else self.count_high + count_uncertainty
        return replace(self, count_low=low, count_high=high)

    @property
    def is_lower_bound(self) -> bool:
        return self.count_high is None and self.share_below is None

    def bounds(self, committed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Smallest and largest count the statement allows, for each committed force size."""
        committed = np.asarray(committed, dtype=np.int64)
        low = np.full(committed.shape, self.count_low or 0, dtype=np.int64)
        if self.share_above is not None:
            # "More than a quarter of N": the smallest integer strictly above share * N.
            low = np.maximum(low, np.floor(self.share_above * committed + 1e-9).astype(np.int64) + 1)
        high = committed if self.count_high is None else np.minimum(committed, self.count_high)
        if self.share_below is not None:
            # "At most 35% of N": the largest integer not above share * N.
            high = np.minimum(high, np.floor(self.share_below * committed + 1e-9).astype(np.int64))
        return low, high

    def describe(self) -> str:
        if self.share_above is not None and self.share_below is not None:
            return f"more than {self.share_above:.0%} and at most {self.share_below:.0%} of those committed"
        if self.share_above is not None and self.count_high is None:
            return f"more than {self.share_above:.0%} of those committed"
        if self.count_high is None:
            return f"at least {self.count_low}"
        if self.count_low == self.count_high:
            return f"{self.count_low}"
        return f"{self.count_low or 0}-{self.count_high}"

    def to_dict(self) -> dict:
        return {"observation_id": self.observation_id, "claim_ids": list(self.claim_ids),
                "date": self.date.isoformat(), "day": self.day, "count_low": self.count_low,
                "count_high": self.count_high, "share_above": self.share_above,
                "share_below": self.share_below, "date_latest": (self.date_latest or self.date).isoformat(),
                "reported": self.describe(), "reading": self.reading}


def load_statements(path: Path, start: dt.date) -> tuple[tuple[Statement, ...], str]:
    """Read a statements file; returns the statements and the file's SHA-256.

    ``start`` is the case's conflict start: every ``event_date`` must be on or after it, and the
    statements' day numbers count from it (day 1).

    Raises :class:`~estimates.inputs.claims.LedgerError` with one line naming the line and field.
    """
    path = Path(path)
    raw, text = read_input(path, "statements file")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    if not rows:
        raise LedgerError(f"{path}: no rows; columns: {', '.join(COLUMNS)}")
    missing = [c for c in COLUMNS if c not in rows[0]]
    if missing:
        raise LedgerError(f"{path}: missing column '{missing[0]}'; required: {', '.join(COLUMNS)}")
    seen: set[str] = set()
    out = []
    for line, row in enumerate(rows, start=2):
        def fail(name: str, allowed: str) -> LedgerError:
            return LedgerError(f"{path}: line {line}: field '{name}' must be {allowed}; got {row.get(name)!r}")

        key = (row["observation_id"] or "").strip()
        if not key or key in seen:
            raise fail("observation_id", "a unique non-empty name")
        seen.add(key)
        claims = tuple(c.strip() for c in (row["claim_ids"] or "").split(";") if c.strip())
        if not claims:
            raise fail("claim_ids", "one or more ledger claim ids separated by ';'")
        try:
            date = dt.date.fromisoformat((row["event_date"] or "").strip())
        except ValueError:
            raise fail("event_date", f"an ISO date on or after {start.isoformat()} (the conflict start)") from None
        if date < start:
            raise fail("event_date", f"an ISO date on or after {start.isoformat()} (the conflict start)")
        low = _integer(row["count_low"], lambda: fail("count_low", "a whole number >= 0 or empty"))
        high = _integer(row["count_high"], lambda: fail("count_high", "a whole number >= 0 or empty"))
        if low is not None and high is not None and low > high:
            raise fail("count_low", f"at most count_high ({high})")
        share_value = _share(row.get("share_above"), lambda: fail("share_above", "a number from 0 to 1 (exclusive of 1) or empty"))
        below = _share(row.get("share_below"), lambda: fail("share_below", "a number from 0 to 1 (exclusive of 0) or empty"),
                       upper=True)
        if share_value is not None and below is not None and below <= share_value:
            raise fail("share_below", f"more than share_above ({share_value:g})")
        if low is None and high is None and share_value is None and below is None:
            raise fail("count_low", "given (or count_high, share_above or share_below): the row states no count")
        latest_text = (row.get("event_date_latest") or "").strip()
        latest = None
        if latest_text:
            try:
                latest = dt.date.fromisoformat(latest_text)
            except ValueError:
                raise fail("event_date_latest", f"an ISO date on or after event_date ({date.isoformat()}) or empty") from None
            if latest < date:
                raise fail("event_date_latest", f"an ISO date on or after event_date ({date.isoformat()}) or empty")
        out.append(Statement(key, date, low, high, share_value, claims, (row["reading"] or "").strip(),
                             start=start, date_latest=latest, share_below=below))
    return tuple(out), hashlib.sha256(raw).hexdigest()


def _share(value: str | None, error, *, upper: bool = False) -> float | None:
    """A share of the committed force: 0 <= share < 1 for a lower bound, 0 < share <= 1 for an upper."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise error() from None
    if not (0.0 < number <= 1.0 if upper else 0.0 <= number < 1.0):
        raise error()
    return number


def _integer(value: str | None, error) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        number = int(text)
    except ValueError:
        raise error() from None
    if number < 0:
        raise error()
    return number


def statements_table(statements) -> Table:
    """The official statements the joint estimate reads: what each says, and when it may describe."""
    rows = {}
    for s in statements:
        if s.count_low is not None:
            said = f"{s.count_low}" if s.count_low == s.count_high else f"{s.count_low} to {s.count_high}"
        elif s.share_above is not None:
            said = f"more than {s.share_above:.0%}"
        else:
            said = f"fewer than {s.share_below:.0%}" if s.share_below is not None else "no count"
        latest = s.date_latest or s.date
        rows[s.observation_id] = {"says": said, "describes a day from": f"{s.date:%d %B %Y}",
                                  "to": f"{latest:%d %B %Y}", "claims": ", ".join(s.claim_ids)}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "statement"
    return Table(frame, "The statements the joint estimate reads")
