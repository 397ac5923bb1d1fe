"""The seed's "about 75%", read both ways the sources allow.

Reading 1, share of the army: the 125 committed BTGs are about 75% of Russia's army, implying a pool
of about 125 / 0.75 = 167 BTGs; the UK Ministry of Defence's "about 65%" implies about 185-192;
about 168-170 BTGs were stated as the late-2021 total.

Reading 2, combat power retained: a US official said Russia retained about 75% of its starting
combat power, i.e. about 25% lost, about 31 BTG-equivalents of 125, beside the 29 reported
ineffective. Both readings are computed; neither is chosen silently.
"""

from __future__ import annotations

from dataclasses import dataclass

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

    @property
    def share_reading_consistent(self) -> bool:
        """Does the pool implied by the seed's share overlap the stated total?"""
        low, high = self.stated_total
        return self.pool_from_share.low <= high and low <= self.pool_from_share.high

    def summary(self) -> pd.DataFrame:
        rows = {
            "BTG pool implied by the seed's share": self.pool_from_share,
            "BTG pool implied by the UK MoD share": self.pool_from_alt_share,
            "BTG-equivalents lost if combat power retained": self.lost_equivalents,
        }
        frame = pd.DataFrame(
            {"low": [r.low for r in rows.values()], "high": [r.high for r in rows.values()]},
            index=pd.Index(list(rows), name="reading"),
        )
        frame.loc["stated late-2021 total"] = list(self.stated_total)
        frame.loc["reported ineffective"] = [self.reported_ineffective] * 2
        return frame

    def _repr_html_(self) -> str:
        return self.summary().to_html(float_format="{:.1f}".format)

    def plot(self, ax=None):
        from estimates import charts

        return charts.readings_chart(self.summary(), ax=ax)

    def to_dict(self) -> dict:
        return {
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


def read_seventy_five(
    params: Parameters,
    proportion: ProportionEstimate,
    reported: ReportedRate,
    rng: np.random.Generator,
) -> SeventyFiveReadings:
    """Compute both readings; "about N%" is uniform within +/- ``share_rounding`` of N."""
    size = reported.committed.size
    spread = params.share_rounding

    def share_draws(centre: float) -> np.ndarray:
        return rng.uniform(centre - spread, centre + spread, size=size)

    committed = reported.committed
    pool = committed / share_draws(params.committed_share_of_army)
    pool_alt = committed / share_draws(params.committed_share_of_army_alt)
    retained = np.clip(share_draws(params.combat_power_retained), 0.0, 1.0)
    lost = (1.0 - retained) * committed
    return SeventyFiveReadings(
        pool_from_share=_interval(pool, "committed / share, uniform rounding"),
        pool_from_alt_share=_interval(pool_alt, "committed / share, uniform rounding"),
        stated_total=(params.units_total_low, params.units_total_high),
        lost_equivalents=_interval(lost, "(1 - retained) x committed, uniform rounding"),
        reported_ineffective=proportion.k,
        lost_exceeds_reported=MonteCarloProbability.from_indicator(lost > reported.ineffective),
    )
