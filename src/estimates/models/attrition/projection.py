"""Effective units by day after a start day: each draw's force followed day by day.

Each committed unit still effective on a day becomes ineffective on it with probability
1 - exp(-dH), dH the day's increment of the cumulative hazard H(t) = H0 (t / t0) ** shape;
optionally ineffective units are regenerated at a Poisson rate (never more than are ineffective)
and rejoin the force. Per-day counts are kept over all draws, so memory does not grow with them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from estimates.core.hazard import (
    daily_hazard_from_probability,
    probability_from_cumulative_hazard,
)
from estimates.core.quantities import (
    DEFAULT_QUANTILES,
    MonteCarloProbability,
    level_key,
)

#: Draws simulated at once, here and by the whole model (:mod:`~estimates.models.attrition.simulation`);
#: bounds memory whatever ``n_samples`` is. Fixed, so that results do not depend on it changing
#: between machines.
CHUNK = 50_000


@dataclass(frozen=True, eq=False)
class Projection:
    """Effective units by day after the count date, from exact per-day counts over all draws.

    ``counts[i, v]`` is how many draws had ``v`` effective units on day ``days[i]``; quantiles are
    read off these counts (the inverted-CDF definition), so memory does not grow with draws.
    """

    days: np.ndarray = field(repr=False)
    dates: tuple[dt.date, ...] = field(repr=False)
    counts: np.ndarray = field(repr=False)
    crossed: np.ndarray = field(repr=False)
    threshold: float
    n_samples: int
    #: ``ever_lost[v]``: draws in which ``v`` units had become ineffective by the last day, counting
    #: a regenerated unit that is lost again twice (what resupply must make good).
    ever_lost: np.ndarray = field(repr=False)

    def quantiles(self, levels: tuple[float, ...] = DEFAULT_QUANTILES) -> pd.DataFrame:
        cdf = np.cumsum(self.counts, axis=1) / self.n_samples
        table = {level_key(q): (cdf < q - 1e-12).sum(axis=1) for q in levels}
        return pd.DataFrame(table, index=pd.Index(self.dates, name="date"))

    def mean(self) -> np.ndarray:
        values = np.arange(self.counts.shape[1])
        return (self.counts * values).sum(axis=1) / self.n_samples

    def first_passage(self) -> list[MonteCarloProbability]:
        """P(effective units have fallen below the threshold at or before each day)."""
        return [MonteCarloProbability.from_count(int(c), self.n_samples) for c in self.crossed]

    def summary(self) -> pd.DataFrame:
        table = self.quantiles()
        table["mean"] = self.mean()
        table["P(below threshold by date)"] = [p.probability for p in self.first_passage()]
        return table

    def _repr_html_(self) -> str:
        return self.summary().to_html(float_format="{:.3f}".format)

    def plot(self, ax=None):
        from estimates import charts

        return charts.fan_chart(self.quantiles(), threshold=self.threshold, ax=ax)

    def to_dict(self) -> dict:
        quantiles = self.quantiles()
        return {
            "days": [int(d) for d in self.days],
            "dates": [d.isoformat() for d in self.dates],
            "threshold": float(self.threshold),
            "quantiles": {k: [int(v) for v in quantiles[k]] for k in quantiles.columns},
            "mean": [float(v) for v in self.mean()],
            "first_passage": [p.to_dict() for p in self.first_passage()],
        }


def combined(first: Projection, second: Projection) -> Projection:
    """One projection from two over the same days and threshold for disjoint sets of draws: the
    per-day counts, crossings and losses of both, added."""
    def padded(values: np.ndarray, width: int) -> np.ndarray:
        return np.pad(values, [(0, 0)] * (values.ndim - 1) + [(0, width - values.shape[-1])])

    top = max(first.counts.shape[1], second.counts.shape[1])
    lost = max(first.ever_lost.size, second.ever_lost.size)
    return Projection(first.days, first.dates, padded(first.counts, top) + padded(second.counts, top),
                      first.crossed + second.crossed, first.threshold, first.n_samples + second.n_samples,
                      padded(first.ever_lost, lost) + padded(second.ever_lost, lost))


def project_effective(
    effective: np.ndarray,
    ineffective: np.ndarray,
    rate: np.ndarray,
    *,
    as_of_day: int,
    horizon_days: int,
    threshold: float,
    rng: np.random.Generator,
    shape: float | np.ndarray = 1.0,
    reconstitution_per_week: float = 0.0,
    as_of: dt.date | None = None,
) -> Projection:
    """Simulate effective units for ``horizon_days`` after the count's day, one draw per array entry.

    ``effective``, ``ineffective`` and ``rate`` are per-draw arrays of equal length: units effective
    and ineffective at day ``as_of_day`` (t0) and the per-unit probability p of being ineffective by
    then; ``shape``, the Weibull shape, is one number or one per draw. With a fixed rate, shape 1 and no reconstitution, effective units on day t are exactly
    Binomial(effective, exp(-lambda (t - t0))) with lambda = -log(1 - p) / t0. ``as_of`` is the
    date of day t0; without it the dates count from ``datetime.date.min`` as day 1 (only the day
    numbers then mean anything).
    """
    effective = np.asarray(effective, dtype=np.int64)
    ineffective = np.asarray(ineffective, dtype=np.int64)
    rate = np.asarray(rate, dtype=float)
    shape = np.broadcast_to(np.asarray(shape, dtype=float), rate.shape)
    if not effective.shape == ineffective.shape == rate.shape:
        raise ValueError("effective, ineffective and rate must have the same length")
    if as_of_day < 1 or horizon_days < 0:
        raise ValueError(f"need as_of_day >= 1 and horizon_days >= 0, got {as_of_day}, {horizon_days}")
    size = effective.size
    top = int((effective + ineffective).max()) + 1
    days = np.arange(as_of_day, as_of_day + horizon_days + 1)
    counts = np.zeros((days.size, top), dtype=np.int64)
    crossed_by_day = np.zeros(days.size, dtype=np.int64)
    ever_lost = np.zeros(top, dtype=np.int64)
    regen_per_day = reconstitution_per_week / 7.0

    for start in range(0, size, CHUNK):
        stop = min(start + CHUNK, size)
        alive = effective[start:stop].copy()
        down = ineffective[start:stop].copy()
        # The cumulative hazard H0 at the as-of day: the hazard over the t0 days as one period.
        h0 = daily_hazard_from_probability(rate[start:stop], 1)
        # Increment of the cumulative hazard per day and draw, relative to H0: (d/t0)^k - ((d-1)/t0)^k.
        growth = np.diff((days[:, None] / as_of_day) ** shape[None, start:stop], axis=0)
        lost_total = down.copy()
        crossed = alive < threshold
        counts[0] += np.bincount(alive, minlength=top)
        crossed_by_day[0] += crossed.sum()
        for i, g in enumerate(growth, start=1):
            lost = rng.binomial(alive, probability_from_cumulative_hazard(h0 * g))  # g: this day, per draw
            alive -= lost
            down += lost
            lost_total += lost
            if regen_per_day > 0.0:
                back = np.minimum(rng.poisson(regen_per_day, size=alive.size), down)
                alive += back
                down -= back
            crossed |= alive < threshold
            counts[i] += np.bincount(alive, minlength=top)
            crossed_by_day[i] += crossed.sum()
        chunk_lost = np.bincount(lost_total)
        if chunk_lost.size > ever_lost.size:
            ever_lost = np.pad(ever_lost, (0, chunk_lost.size - ever_lost.size))
        ever_lost[: chunk_lost.size] += chunk_lost

    start_date = as_of or dt.date.min + dt.timedelta(days=as_of_day - 1)
    dates = tuple(start_date + dt.timedelta(days=int(d - as_of_day)) for d in days)
    return Projection(days, dates, counts, crossed_by_day, float(threshold), size, ever_lost)
