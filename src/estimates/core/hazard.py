"""Hazards and probabilities of an event, written once: H = -log(1 - p) and p = 1 - exp(-H).

A unit that faces a cumulative hazard H over a period has the event (becomes
combat-ineffective) in it with probability p = 1 - exp(-H); a constant hazard per day that gives
probability p over ``days`` days is -log(1 - p) / days. With ``days`` 1 the same function gives the
cumulative hazard over the whole period, H = -log(1 - p).

``log1p`` and ``expm1`` keep both exact for small p and H, where ``log(1 - p)`` would lose digits.

Examples
--------
>>> import numpy as np
>>> h = daily_hazard_from_probability(0.232, 42)
>>> round(float(h), 6)
0.006285
>>> bool(np.isclose(probability_from_cumulative_hazard(h * 42), 0.232))
True
"""

from __future__ import annotations

import numpy as np

#: Largest probability kept below 1, so that -log(1 - p) stays finite (p = 1 would give infinity).
P_MAX = 1.0 - 1e-12


def daily_hazard_from_probability(p, days):
    """-log(1 - p) / ``days``: the constant hazard per day that gives probability ``p`` of the event
    within ``days`` days (``days`` 1: the cumulative hazard -log(1 - p) itself).

    ``p`` (a number or an array) is capped at :data:`P_MAX` so the result is finite; below the cap
    the cap changes nothing.
    """
    return -np.log1p(-np.minimum(np.asarray(p, dtype=float), P_MAX)) / days


def probability_from_cumulative_hazard(h):
    """1 - exp(-``h``): the probability of the event under cumulative hazard ``h`` (number or array)."""
    return -np.expm1(-np.asarray(h, dtype=float))
