"""Days of a conflict: its first day is day 1. The first day is the case's ``conflict_start``."""

from __future__ import annotations

import datetime as dt


def day_number(date: dt.date, start: dt.date) -> int:
    """Day of the conflict for ``date`` when ``start`` is day 1.

    >>> day_number(dt.date(2024, 8, 3), start=dt.date(2024, 6, 15))
    50
    """
    return (date - start).days + 1


def date_of_day(day: int, start: dt.date) -> dt.date:
    """The date of day ``day`` when ``start`` is day 1.

    >>> date_of_day(50, start=dt.date(2024, 6, 15))
    datetime.date(2024, 8, 3)
    """
    return start + dt.timedelta(days=int(day) - 1)
