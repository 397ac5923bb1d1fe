"""What a judgment asks about, when a later statement can settle it.

Most judgments are about quantities nobody will ever count (a hazard's shape, a rate). Some are
about what an official count will show: "more than a quarter of the committed units are ineffective
by 2 May". Such a judgment carries an :class:`Observable`, and a statement of the count, reported
after the run's cut-off, settles it one way or the other, or not at all (:meth:`Observable.settled_by`).

The quantity is the number of committed units combat-ineffective on a date, compared with a limit
that is either a share of the committed force ("more than a quarter") or what leaves fewer than a
number of units effective ("fewer than 62.5 still effective"). A statement gives the count as a
range for each committed force size the run allows, and a window of dates it may describe. The count
is taken as cumulative: units do not come back unless ``may_fall`` says the run lets them
(reconstitution), and then a low count after the date says nothing about a high one on it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

#: The one quantity a statement of ineffective units can settle.
INEFFECTIVE_COUNT = "committed units combat-ineffective"


@dataclass(frozen=True)
class Observable:
    """The event "on ``date``, more of the committed units are combat-ineffective than the limit":
    ``share_above`` of the committed force, or as many as leave fewer than ``effective_below``
    effective. The force is of ``committed_low`` to ``committed_high`` units."""

    date: dt.date
    committed_low: int
    committed_high: int
    share_above: float | None = None
    effective_below: float | None = None
    #: Whether the count can fall again (units reconstituted), so that a count after ``date``
    #: cannot rule out one above the limit on it.
    may_fall: bool = False
    quantity: str = INEFFECTIVE_COUNT

    def __post_init__(self) -> None:
        if (self.share_above is None) == (self.effective_below is None):
            raise ValueError("an observable takes one of share_above and effective_below")
        if self.share_above is not None and not 0.0 <= self.share_above <= 1.0:
            raise ValueError(f"share_above: a share from 0 to 1; got {self.share_above!r}")
        if not 0 < self.committed_low <= self.committed_high:
            raise ValueError(f"committed: 0 < low <= high; got {self.committed_low}-{self.committed_high}")

    @property
    def committed(self) -> np.ndarray:
        return np.arange(self.committed_low, self.committed_high + 1)

    def limit(self, committed: np.ndarray) -> np.ndarray:
        """The count the ineffective units must exceed, for each committed force size."""
        committed = np.asarray(committed, dtype=float)
        if self.share_above is not None:
            return self.share_above * committed
        return committed - self.effective_below

    def settled_by(self, low: np.ndarray, high: np.ndarray, first: dt.date, last: dt.date) -> bool | None:
        """What a statement settles: ``True`` (the event happened), ``False`` (it did not) or
        ``None`` (neither). The statement allows from ``low[i]`` to ``high[i]`` ineffective units
        of ``committed[i]`` committed (:attr:`committed`), on some day from ``first`` to ``last``.

        >>> asked = Observable(dt.date(2022, 5, 2), 120, 130, share_above=0.25)
        >>> n = asked.committed
        >>> asked.settled_by(np.floor(0.25 * n) + 1, 0.35 * n, dt.date(2022, 5, 2), dt.date(2022, 5, 2))
        True
        >>> asked.settled_by(29 + 0 * n, 29 + 0 * n, dt.date(2022, 5, 9), dt.date(2022, 5, 9))
        False
        >>> asked.settled_by(29 + 0 * n, 29 + 0 * n, dt.date(2022, 4, 6), dt.date(2022, 4, 11)) is None
        True
        """
        limit = self.limit(self.committed)
        if np.all(np.asarray(low) > limit) and last <= self.date:
            return True  # already above the limit on a day no later than the date asked
        if np.all(np.asarray(high) <= limit) and first >= self.date and not self.may_fall:
            return False  # not above it even on a day no earlier than the date asked
        return None

    def to_dict(self) -> dict:
        return {"quantity": self.quantity, "date": self.date.isoformat(), "share_above": self.share_above,
                "effective_below": self.effective_below, "committed": [self.committed_low, self.committed_high],
                "may_fall": self.may_fall}

    @classmethod
    def from_dict(cls, record: dict) -> Observable:
        low, high = record["committed"]
        return cls(dt.date.fromisoformat(record["date"]), int(low), int(high), record.get("share_above"),
                   record.get("effective_below"), bool(record.get("may_fall", False)),
                   record.get("quantity", INEFFECTIVE_COUNT))
