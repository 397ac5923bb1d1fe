"""Days of the war: day 1 is the first day of the invasion."""

from __future__ import annotations

import datetime as dt

#: Day 1 of the war, as in the daily loss data set: 24 February 2022.
WAR_START = dt.date(2022, 2, 24)


def day_number(date: dt.date) -> int:
    """Day of the war for ``date``; 2022-02-24 is day 1, so 2022-04-06 is day 42.

    >>> day_number(dt.date(2022, 4, 6))
    42
    """
    return (date - WAR_START).days + 1
