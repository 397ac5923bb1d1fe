"""A stated share ("about 75%") read both ways the sources allow.

Reading 1, share of the army: the committed units are ``committed_share_of_army`` of the whole army,
implying a pool of committed / share units (a second source's ``committed_share_of_army_alt`` gives
another), to set beside the stated pre-conflict total (``units_total_low``-``units_total_high``).

Reading 2, combat power retained: the force retained ``combat_power_retained`` of its starting combat
power, so it lost (1 - retained) x committed unit-equivalents, to set beside the count of ineffective
units the run uses. Both readings are computed; neither is chosen silently. (In the bundled case: 125
committed at about 75% imply a pool of about 167, and 25% lost is about 31 equivalents beside 29.)

A case whose sources state no such share skips both (``share_readings``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from estimates.core.proportion import ProportionEstimate, ReportedRate
from estimates.core.quantities import Interval, MonteCarloProbability
from estimates.parameters.schema import Parameters


@dataclass(frozen=True)
class SeventyFiveReadings:
    """Both readings of the "75%", as 90% intervals from the stated roundings."""

    pool_from_share: Interval
    pool_from_alt_share: Interval
    stated_total: tuple[int, int]
    lost_equivalents: Interval
    reported_ineffective: int
    lost_exceeds_reported: MonteCarloProbability
    #: The shares the run uses: of the army, the second source's, and of combat power retained.
    shares: tuple[float, float, float] = (0.0, 0.0, 0.0)
    #: The case's words (:meth:`estimates.core.vocabulary.Vocabulary.to_dict`), for labels.
    words: dict = field(default_factory=dict, repr=False)

    @property
    def share_reading_consistent(self) -> bool:
        """Does the pool implied by the first share overlap the stated total?"""
        low, high = self.stated_total
        return self.pool_from_share.low <= high and low <= self.pool_from_share.high

    def summary(self) -> pd.DataFrame:
        unit = self.words.get("unit_short", "unit")
        share, alt, retained = self.shares
        rows = {
            f"{unit} pool implied by a share of {share:.0%}": self.pool_from_share,
            f"{unit} pool implied by the second share, {alt:.0%}": self.pool_from_alt_share,
            f"{unit}-equivalents lost if {retained:.0%} of combat power retained": self.lost_equivalents,
        }
        frame = pd.DataFrame(
            {"low": [r.low for r in rows.values()], "high": [r.high for r in rows.values()]},
            index=pd.Index(list(rows), name="reading"),
        )
        frame.loc["stated pre-conflict total"] = list(self.stated_total)
        frame.loc["ineffective (count used)"] = [self.reported_ineffective] * 2
        return frame

    def _repr_html_(self) -> str:
        return self.summary().to_html(float_format="{:.1f}".format)

    def plot(self, ax=None):
        from estimates import charts

        ax = charts.readings_chart(self.summary(), ax=ax)
        ax.set_xlabel(self.words.get("unit_plural", "units"))
        ax.set_title("The stated share read both ways: what each reading implies")
        return ax

    def to_dict(self) -> dict:
        share, alt, retained = self.shares
        return {
            "shares": {"share_of_army": share, "alt_share_of_army": alt, "combat_power_retained": retained},
            "share_of_army": {
                "pool_from_share": self.pool_from_share.to_dict(),
                "pool_from_alt_share": self.pool_from_alt_share.to_dict(),
                "stated_total": list(self.stated_total),
                "consistent_with_stated_total": self.share_reading_consistent,
            },
            "combat_power_retained": {
                "lost_equivalents": self.lost_equivalents.to_dict(),
                "reported_ineffective": self.reported_ineffective,
                "lost_exceeds_reported": self.lost_exceeds_reported.to_dict(),
            },
        }


def _interval(draws: np.ndarray, method: str, level: float = 0.9) -> Interval:
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(draws, [tail, 1.0 - tail])
    return Interval(float(low), float(high), level, method)


def share_draws(params: Parameters, reported: ReportedRate,
                rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per draw of ``reported``: the pool implied by each share of the army, and the unit-equivalents
    lost if the stated share of combat power was retained; "about N%" is uniform within +/-
    ``share_rounding`` of N."""
    size = reported.committed.size
    spread = params.share_rounding

    def drawn(centre: float) -> np.ndarray:
        return rng.uniform(centre - spread, centre + spread, size=size)

    committed = reported.committed
    pool = committed / drawn(params.committed_share_of_army)
    pool_alt = committed / drawn(params.committed_share_of_army_alt)
    retained = np.clip(drawn(params.combat_power_retained), 0.0, 1.0)
    return pool, pool_alt, (1.0 - retained) * committed


def readings_of(params: Parameters, proportion: ProportionEstimate,
                drawn: tuple[np.ndarray, np.ndarray, np.ndarray],
                lost_exceeds_reported: MonteCarloProbability) -> SeventyFiveReadings:
    """Both readings: intervals from ``drawn`` (:func:`share_draws`), and the probability that more
    were lost than reported, counted over however many draws the caller drew."""
    pool, pool_alt, lost = drawn
    return SeventyFiveReadings(
        pool_from_share=_interval(pool, "committed / share, uniform rounding"),
        pool_from_alt_share=_interval(pool_alt, "committed / share, uniform rounding"),
        stated_total=(params.units_total_low, params.units_total_high),
        lost_equivalents=_interval(lost, "(1 - retained) x committed, uniform rounding"),
        reported_ineffective=proportion.k,
        lost_exceeds_reported=lost_exceeds_reported,
        shares=(params.committed_share_of_army, params.committed_share_of_army_alt, params.combat_power_retained),
        words=params.words.to_dict(),
    )
