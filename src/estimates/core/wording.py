"""Words of estimative probability: ICD 203, and the UK Probability Yardstick as an option.

One function, :func:`likelihood`, turns the probability of an *event* into its term. It is never
applied to a fraction of a force: "23% of the units are ineffective" is a share, not a likelihood.

ICD 203 (2015) is the record: every judgment's band, and the confidence and band-change rules, use
it. Its bands touch, each upper edge belonging to the band above, so every probability in [0, 1]
has exactly one term: below 0.05 is "almost no chance", from 0.95 up is "almost certain".

The UK Probability Yardstick (Defence Intelligence) may be printed instead (``likelihood_scale``).
Its bands leave deliberate gaps (5-10%, 20-25%, 35-40%, 50-55%, 75-80%, 90-95%) that its guidance
gives no term for. Here a probability in a gap takes the term of the nearer band, and one exactly
midway takes the less extreme of the two (the band whose middle is nearer 50%); the number is
always printed beside the term, so the reader sees where in the gap it fell.
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
        """The range in plain text, as the recorded sentence gives it: ``20-45%``, ``<=5%``, ``>=95%``."""
        return self._range("-", "<=", ">=", percent_on_both=False)

    @property
    def span(self) -> str:
        """The range as printed in a briefing: ``20%–45%``, ``≤5%``, ``≥95%``."""
        return self._range("–", "≤", "≥", percent_on_both=True)

    def _range(self, dash: str, at_most: str, at_least: str, *, percent_on_both: bool) -> str:
        low, high = round(self.low * 100), round(self.high * 100)
        if self.low == 0.0:
            return f"{at_most}{high}%"
        if self.high == 1.0:
            return f"{at_least}{low}%"
        return f"{low}{'%' if percent_on_both else ''}{dash}{high}%"

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

#: The UK Probability Yardstick as published: "remote chance" is at most 5%, "almost certain" at
#: least 95%; the gaps between bands are deliberate.
UK_YARDSTICK: tuple[Likelihood, ...] = (
    Likelihood("remote chance", "", 0.0, 0.05),
    Likelihood("highly unlikely", "", 0.10, 0.20),
    Likelihood("unlikely", "", 0.25, 0.35),
    Likelihood("realistic possibility", "", 0.40, 0.50),
    Likelihood("likely", "probable", 0.55, 0.75),
    Likelihood("highly likely", "", 0.80, 0.90),
    Likelihood("almost certain", "", 0.95, 1.0),
)

#: The scales a run may print (``likelihood_scale``), each with the name the briefing gives it.
SCALES: dict[str, tuple[Likelihood, ...]] = {"icd203": SCALE, "uk": UK_YARDSTICK}
SCALE_NAMES = {"icd203": "ICD 203", "uk": "the UK Probability Yardstick"}


def likelihood(probability: float, scale: str = "icd203") -> Likelihood:
    """Return the term of ``scale`` (``icd203`` or ``uk``) for the probability of an event.

    Examples
    --------
    >>> likelihood(0.23).label
    'unlikely (20-45%)'
    >>> likelihood(0.45).term
    'roughly even chance'
    >>> likelihood(0.23, "uk").term, likelihood(0.225, "uk").term, likelihood(0.52, "uk").term
    ('unlikely', 'unlikely', 'realistic possibility')
    """
    if isinstance(probability, bool) or not isinstance(probability, (int, float)):
        raise TypeError(f"probability must be a number in [0, 1], got {probability!r}")
    p = float(probability)
    if math.isnan(p) or not 0.0 <= p <= 1.0:
        raise ValueError(f"probability must be in [0, 1], got {probability!r}")
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}, got {scale!r}")
    if scale == "icd203":
        return SCALE[bisect.bisect_right(_LOWER_EDGES, p)]
    return _nearest_band(p, SCALES[scale])


def _nearest_band(p: float, bands: tuple[Likelihood, ...]) -> Likelihood:
    """The band holding ``p``, or in a gap the nearer one; midway, the one whose middle is nearer 50%."""
    def distance(band: Likelihood) -> float:
        return max(band.low - p, p - band.high, 0.0)

    def extremity(band: Likelihood) -> float:
        return abs(0.5 * (band.low + band.high) - 0.5)

    # Gap edges are round percentages: compare distances rounded well below any printed digit.
    return min(bands, key=lambda band: (round(distance(band), 12), extremity(band)))


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
    """How a judgment sentence starts before its term: "It is likely that ...", but "There is almost
    no chance that ..." ("It is almost no chance" is not English) and "There is a realistic
    possibility that ..." for the UK Yardstick's nouns.

    >>> opening("likely"), opening("almost no chance"), opening("roughly even chance")
    ('It is', 'There is', 'There is')
    >>> opening("realistic possibility"), opening("remote chance"), opening("highly unlikely")
    ('There is a', 'There is a', 'It is')
    """
    if term in ("realistic possibility", "remote chance"):
        return "There is a"
    return "There is" if term.endswith("chance") else "It is"
