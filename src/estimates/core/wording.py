"""ICD 203 words of estimative probability.

One function, :func:`likelihood`, turns the probability of an *event* into its ICD 203 term. It is
never applied to a fraction of a force: "23% of the units are ineffective" is a share, not a likelihood.

Bands follow ICD 203 (2015), with each band's upper edge belonging to the band above, so that every
probability in [0, 1] has exactly one term: below 0.05 is "almost no chance", from 0.95 up is
"almost certain".
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Likelihood:
    """An ICD 203 term with its published numeric range (fractions)."""

    term: str
    synonym: str
    low: float
    high: float

    @property
    def range_label(self) -> str:
        return f"{round(self.low * 100)}-{round(self.high * 100)}%"

    @property
    def label(self) -> str:
        """The term with its range, e.g. ``unlikely (20-45%)``."""
        return f"{self.term} ({self.range_label})"


# Published ICD 203 ranges; the lowest and highest are 1-5% and 95-99% as published, while the
# classification below still gives 0 and 1 a term.
SCALE: tuple[Likelihood, ...] = (
    Likelihood("almost no chance", "remote", 0.01, 0.05),
    Likelihood("very unlikely", "highly improbable", 0.05, 0.20),
    Likelihood("unlikely", "improbable", 0.20, 0.45),
    Likelihood("roughly even chance", "roughly even odds", 0.45, 0.55),
    Likelihood("likely", "probable", 0.55, 0.80),
    Likelihood("very likely", "highly probable", 0.80, 0.95),
    Likelihood("almost certain", "nearly certain", 0.95, 0.99),
)
_LOWER_EDGES = [band.low for band in SCALE[1:]]


def likelihood(probability: float) -> Likelihood:
    """Return the ICD 203 term for the probability of an event.

    Examples
    --------
    >>> likelihood(0.23).label
    'unlikely (20-45%)'
    >>> likelihood(0.45).term
    'roughly even chance'
    """
    if isinstance(probability, bool) or not isinstance(probability, (int, float)):
        raise TypeError(f"probability must be a number in [0, 1], got {probability!r}")
    p = float(probability)
    if math.isnan(p) or not 0.0 <= p <= 1.0:
        raise ValueError(f"probability must be in [0, 1], got {probability!r}")
    return SCALE[bisect.bisect_right(_LOWER_EDGES, p)]


def long_date(date) -> str:
    """A date as written in prose: ``1 June 2022`` (no leading zero)."""
    return f"{date.day} {date:%B %Y}"


def percent(share: float, digits: int = 0) -> str:
    """A probability or share as a percentage: ``percent(0.276, 1)`` is ``'27.6%'``.

    >>> percent(0.276, 1), percent(0.05)
    ('27.6%', '5%')
    """
    return f"{100 * share:.{digits}f}%"


def points(delta: float, digits: int = 1) -> str:
    """A change in probability in percentage points, signed: ``points(0.031)`` is ``'+3.1 points'``."""
    return f"{100 * delta:+.{digits}f} points"


def opening(term: str) -> str:
    """How a judgment sentence starts before its ICD 203 term: "It is likely that ...", but
    "There is almost no chance that ..." ("It is almost no chance" is not English).

    >>> opening("likely"), opening("almost no chance"), opening("roughly even chance")
    ('It is', 'There is', 'There is')
    """
    return "There is" if term.endswith("chance") else "It is"
