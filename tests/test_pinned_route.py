"""The resupply route pinned to hand-computed arrival days, and the loss share replaced to its closed form.

Every route input is fixed (a 90% interval with equal ends is that value), so a consignment's day at
the front follows from the route alone and is worked out by hand below:

- day of the war: 24 February 2022 is day 1, so 26 March 2022 is day 31 (28 days of February);
- sailings: with ``ship_count`` ships on a turnaround of T days there is a sailing every T / ships
  days, the first at (sailing phase) x that interval; a consignment takes the first sailing at or
  after it reaches the port, and ships fill first come, first served (a consignment that does not fit
  waits for the next sailing; it reaches the front when its last part does);
- a consignment reaches the front at its sailing + crossing + onward transit, and counts as
  delivered on a report day d when it arrives at or before d.
"""

import datetime as dt

import numpy as np
import pytest

from estimates.inputs.claims import Claim
from estimates.inputs.transfers import Consignment, Holding
from estimates.models.resupply.capability import ResupplyModel
from estimates.models.resupply.grading import LatentStructure
from estimates.models.resupply.simulation import simulate
from estimates.parameters.schema import validate

MARCH_26 = dt.date(2022, 3, 26)  # day 31 of the war
ROUTE = {
    "n_samples": 1000,
    "port_transit_days_low": 3, "port_transit_days_high": 3,
    "ship_count": 1,
    "turnaround_days_low": 10, "turnaround_days_high": 10,
    "crossing_days_low": 2, "crossing_days_high": 2,
    "onward_days_low": 5, "onward_days_high": 5,
    "ship_capacity_tonnes_low": 100, "ship_capacity_tonnes_high": 100,
    "equipment_loss_share_low": 0.4, "equipment_loss_share_high": 0.4,
}
#: Fifty launchers per BTG, fixed, so the loss denominator is hand-computable.
LAUNCHERS = Holding("anti_armour", "anti-armour launchers", "unit", "launcher", 50, 50, None, "assumption", "")
PHASE = 0.25  # the first sailing is a quarter of an interval after day 0


def claim(claim_id: str) -> Claim:
    return Claim(claim_id=claim_id, statement="s", originator="o", outlet="x", carried_by="test",
                 originator_id="o", outlet_id="x", evidence_line="o",
                 reliability="B", credibility="2", grade_reason="r", report_date=dt.date(2022, 4, 11))


def consignment(cid: str, tonnes: float, departure: dt.date, quantity: float = 1.0) -> Consignment:
    """A true consignment of ``quantity`` items weighing ``tonnes`` in all (mass per item fixed)."""
    return Consignment(cid, "a", "anti_armour", quantity, None, tonnes / quantity, tonnes / quantity, departure)


def route_model(*consignments: Consignment, ineffective: int = 10, **overrides) -> ResupplyModel:
    """A model whose claim is certainly true and whose route inputs are all fixed."""
    params = validate({**ROUTE, **overrides})
    claims = (claim("a"),)
    histogram = np.zeros(ineffective + 1)
    histogram[ineffective] = 1.0  # every draw has exactly ``ineffective`` ineffective BTGs
    return ResupplyModel(params, tuple(consignments), (LAUNCHERS,), claims, np.array([1.0]),
                         LatentStructure.of(claims), histogram, np.arange(31, 100))


def fixed_draws(model: ResupplyModel, size: int = 3, phase: float = PHASE) -> dict:
    u = np.full((size, len(model.inputs())), 0.5)
    u[:, [c.name for c in model.inputs()].index("departure phase")] = phase
    return model.transform(u)


def arrival_days(model: ResupplyModel, **draw_overrides) -> np.ndarray:
    draws = fixed_draws(model)
    draws.update({k: np.full(3, float(v)) for k, v in draw_overrides.items()})
    true, _, arrival = model.delivery(draws)
    assert true.all()
    assert np.all(arrival == arrival[0])  # identical draws, identical days
    return arrival[0]


def test_the_route_inputs_are_the_fixed_values():
    draws = fixed_draws(route_model(consignment("c", 10, MARCH_26)))
    for name, value in {"transit to loading": 3, "turnaround": 10, "crossing": 2, "onward transit": 5,
                        "carrier capacity": 100, "departure phase": PHASE}.items():
        assert draws[name] == pytest.approx(np.full(3, value)), name


def test_one_ship_exact_arrival_day():
    # Day 31 + 3 days of road = day 34 at the port. One ship, turnaround 10: sailings at
    # 2.5 + 10 k; the first at or after 34 is k = ceil((34 - 2.5) / 10) = 4, day 42.5; + 2 crossing
    # + 5 onward = day 49.5 at the front.
    assert arrival_days(route_model(consignment("c", 10, MARCH_26))) == pytest.approx([49.5])


@pytest.mark.parametrize(("turnaround", "expected"), [
    # One ship: sailings at 0.25 T + k T; the first at or after day 34, then + 7 days to the front.
    (4.0, 37.0 + 7),    # 1 + 4 k: k = ceil(33 / 4) = 9, day 37
    (20.0, 45.0 + 7),   # 5 + 20 k: k = ceil(29 / 20) = 2, day 45
    (28.0, 35.0 + 7),   # 7 + 28 k: k = ceil(27 / 28) = 1, day 35
])
def test_arrival_follows_the_turnaround(turnaround, expected):
    model = route_model(consignment("c", 10, MARCH_26),
                        turnaround_days_low=turnaround, turnaround_days_high=turnaround)
    assert arrival_days(model) == pytest.approx([expected])


def test_ships_share_the_turnaround():
    # Two ships, turnaround 10: a sailing every 5 days, the first at 0.25 * 5 = 1.25; the first at or
    # after day 34 is k = ceil(32.75 / 5) = 7, day 36.25; at the front on day 43.25.
    model = route_model(consignment("c", 10, MARCH_26), ship_count=2)
    assert arrival_days(model) == pytest.approx([43.25])


def test_delivered_counts_from_the_arrival_day():
    # Arrival on day 49.5: not delivered at the end of day 49 (13 April), delivered by day 50.
    model = route_model(consignment("c", 10, MARCH_26, quantity=40))
    delivered = model.delivered(fixed_draws(model))["anti_armour"]
    days = list(model.report_days)
    assert np.all(delivered[:, days.index(49)] == 0.0)
    assert np.all(delivered[:, days.index(50)] == 40.0)
    assert np.all(delivered[:, : days.index(50)] == 0.0)


def test_first_come_first_served_when_the_ship_is_short():
    # Capacity 100 t. "early" (60 t) leaves 26 March, at the port day 34; "late" (60 t) leaves 27
    # March, at the port day 35; both before the sailing of day 42.5. The early one loads first (room
    # left 40 t); the late one does not fit, so it waits one turnaround for the sailing of day 52.5.
    # Listed late-first: the order is of arrival at the port, not of the ledger.
    late = consignment("late", 60, MARCH_26 + dt.timedelta(days=1))
    early = consignment("early", 60, MARCH_26)
    assert list(arrival_days(route_model(late, early))) == pytest.approx([52.5 + 7, 42.5 + 7])
    # With room for both (150 t) they sail together.
    both = route_model(late, early, ship_capacity_tonnes_low=150, ship_capacity_tonnes_high=150)
    assert list(arrival_days(both)) == pytest.approx([49.5, 49.5])
    # The wait is one turnaround: 14 days instead of 10 puts the second sailing at 3.5 + 14 * 4.
    slow = route_model(late, early, turnaround_days_low=14, turnaround_days_high=14)
    # 0.25 * 14 = 3.5; first at or after day 34: k = ceil(30.5 / 14) = 3, day 45.5; next 59.5.
    assert list(arrival_days(slow)) == pytest.approx([59.5 + 7, 45.5 + 7])


def test_a_consignment_larger_than_a_ship_takes_consecutive_sailings():
    # 250 t on a 100 t ship: sailings of days 42.5, 52.5 and 62.5; the last part reaches the front
    # on day 62.5 + 7 = 69.5.
    assert arrival_days(route_model(consignment("c", 250, MARCH_26))) == pytest.approx([69.5])


# --- the loss share replaced: q / (I * s * h) ----------------------------------------------------------
def test_share_of_losses_replaced_is_quantity_over_ineffective_btgs_share_lost_and_holdings():
    # q = 120 launchers delivered, I = 10 ineffective BTGs, s = 0.4 of a BTG's equipment lost,
    # h = 50 launchers per BTG: 120 / (10 * 0.4 * 50) = 0.6.
    model = route_model(consignment("c", 12, MARCH_26, quantity=120), ineffective=10)
    draws = fixed_draws(model)
    assert draws["equipment lost per ineffective unit"] == pytest.approx([0.4] * 3)
    assert draws["ineffective units by the horizon"] == pytest.approx([10.0] * 3)
    share = model.loss_share_replaced(draws, {"anti_armour": np.full(3, 120.0)})["anti_armour"]
    assert share == pytest.approx([120 / (10 * 0.4 * 50)] * 3)
    # Hand-set draws, one set per row: (q, I, s, h) -> q / (I s h).
    draws["ineffective units by the horizon"] = np.array([10.0, 4.0, 25.0])
    draws["equipment lost per ineffective unit"] = np.array([0.4, 0.5, 0.2])
    draws["anti_armour per unit"] = np.array([50.0, 30.0, 60.0])
    q = np.array([120.0, 30.0, 600.0])
    share = model.loss_share_replaced(draws, {"anti_armour": q})["anti_armour"]
    assert share == pytest.approx([0.6, 0.5, 2.0])  # 120/200, 30/60, 600/300


def test_assessed_share_replaced_and_its_judgment_follow_the_closed_form():
    # Everything fixed: every quantile of the share is 120 / (10 * 0.4 * 50) = 0.6, so the judgment
    # "replace more than 50%" is certain and "more than 70%" impossible.
    goods = consignment("c", 12, MARCH_26, quantity=120)
    for threshold, probability in ((0.5, 1.0), (0.7, 0.0)):
        model = route_model(goods, ineffective=10, replacement_share_threshold=threshold)
        result = simulate(model, np.random.default_rng(5))
        assert result.outlook("anti_armour").share_replaced == pytest.approx(
            {k: 0.6 for k in ("0.05", "0.25", "0.5", "0.75", "0.95")})
        judgment = next(j for j in result.judgments if j.id == "resupply-replacement")
        assert judgment.probability.probability == probability
