"""The route reported transfers take, as the resupply model reads it from the case's legs.

A route (``case.yaml``: ``route``) is a list of legs, each a mode and a label; exactly one leg names a
``carrier`` ("ship", "train"): that leg is served by ``ship_count`` carriers, each carrying one load
at a time, so it is where consignments queue. The model draws one transit time for the legs before
it (``port_transit_days_*``; none when the carrier leg is the first), the carrier leg's capacity,
turnaround and crossing time, and one onward time for the legs after it (``onward_days_*``; none
when it is the last).

>>> from estimates.inputs.case import Leg
>>> route = Route.of([Leg("rail", "Depot to the railhead", "train"), Leg("rail", "Railhead to the front")], 2)
>>> route.before, route.carrier_leg.label, [leg.label for leg in route.after]
((), 'Depot to the railhead', ['Railhead to the front'])
>>> route.fleet
'2 trains'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from estimates.core.vocabulary import plural
from estimates.inputs.case import Leg


def legs_text(legs: Sequence[Leg]) -> str:
    """Legs in words, in order: "Depot to the railhead (rail); then Railhead to the front (rail)"."""
    return "; then ".join(f"{leg.label} ({leg.mode})" for leg in legs)


@dataclass(frozen=True)
class Route:
    """The legs, split at the carrier leg, and how many carriers serve it (``ship_count``)."""

    legs: tuple[Leg, ...]
    count: int

    @classmethod
    def of(cls, legs: Sequence[Leg], count: int) -> Route:
        """The route of ``legs``; ``ValueError`` unless exactly one leg names a carrier."""
        carriers = [i for i, leg in enumerate(legs) if leg.carrier]
        if len(carriers) != 1:
            raise ValueError(f"the resupply model needs exactly one route leg with a 'carrier' (the leg "
                             f"ship_count of them serve); got {len(carriers)}")
        return cls(tuple(legs), int(count))

    @property
    def _index(self) -> int:
        return next(i for i, leg in enumerate(self.legs) if leg.carrier)

    @property
    def carrier_leg(self) -> Leg:
        return self.legs[self._index]

    @property
    def before(self) -> tuple[Leg, ...]:
        return self.legs[: self._index]

    @property
    def after(self) -> tuple[Leg, ...]:
        return self.legs[self._index + 1:]

    @property
    def carrier(self) -> str:
        return str(self.carrier_leg.carrier)

    @property
    def carriers(self) -> str:
        return plural(self.carrier)

    @property
    def fleet(self) -> str:
        """The carriers assumed, with their number: "3 ships", "1 train"."""
        return f"{self.count} {self.carrier if self.count == 1 else self.carriers}"

    def to_dict(self) -> dict:
        return {
            "legs": [{"mode": leg.mode, "label": leg.label, "carrier": leg.carrier} for leg in self.legs],
            "carrier": self.carrier,
            "carriers": self.carriers,
            "carrier_count": self.count,
            "carrier_leg": self._index,
        }
