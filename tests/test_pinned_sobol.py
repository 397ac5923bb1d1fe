"""Sobol groups pinned: which inputs the resupply "indicators to watch" name, and groups given out of
sorted order keep their own indices (Ishigami's analytic values)."""

import numpy as np
import pytest

from estimates.core.sobol import sobol_indices
from estimates.inputs.transfers import Consignment
from estimates.models.resupply import assessment as resupply_analysis
from estimates.models.resupply.capability import build_model
from estimates.parameters.schema import validate

from .test_pinned_route import MARCH_26, route_model

# Ishigami function, a = 7, b = 0.1, inputs uniform on [-pi, pi]. Analytic indices (Ishigami and Homma
# 1990; Sobol' and Levitan 1999): S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437.
ISHIGAMI_S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ISHIGAMI_ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}


def ishigami_at(columns: tuple[int, int, int]):
    """Ishigami of the design's columns ``columns`` (x1, x2, x3); any other column is ignored."""
    def evaluate(u):
        x = -np.pi + 2 * np.pi * u[:, list(columns)]
        return {"y": np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])}
    return evaluate


def test_groups_out_of_sorted_order_keep_their_own_indices():
    # Groups named against alphabetical order: "z" is x1 and x3 together (ST = 1 - S1(x2) = 0.5576),
    # "a" is x2 (S1 = ST = 0.4424). Sorting the names but not the groups (or the reverse) swaps them.
    table = sobol_indices(ishigami_at((0, 1, 2)), ["z", "a", "z"], n_base=8192, seed=3).indices["y"]
    assert list(table.index) == ["z", "a"]
    assert table.loc["z", "ST"] == pytest.approx(1 - 0.4424, abs=0.03)
    assert table.loc["a", "S1"] == pytest.approx(0.4424, abs=0.03)
    assert table.loc["a", "ST"] == pytest.approx(0.4424, abs=0.03)


def test_many_inputs_in_scrambled_order_keep_their_own_indices():
    # Twelve inputs (so x10 and x11 sort before x2 as strings); Ishigami's x1, x2, x3 sit in columns
    # 11, 2 and 10 under names in reverse alphabetical order, the rest are inert (columns 0 and 5
    # as one group).
    groups = [f"inert {c}" for c in "lkjihgfedcba"]
    groups[11], groups[2], groups[10] = "q", "p", "o"  # Ishigami's x1, x2, x3
    groups[5] = groups[0]
    table = sobol_indices(ishigami_at((11, 2, 10)), groups, n_base=4096, seed=3).indices["y"]
    assert list(table.index) == list(dict.fromkeys(groups))
    for name, key in (("q", "x1"), ("p", "x2"), ("o", "x3")):
        assert table.loc[name, "S1"] == pytest.approx(ISHIGAMI_S1[key], abs=0.04), name
        assert table.loc[name, "ST"] == pytest.approx(ISHIGAMI_ST[key], abs=0.04), name
    inert = [g for g in groups if g.startswith("inert")]
    assert table.loc[inert, "ST"].abs().max() < 0.01


def test_each_resupply_input_is_in_its_own_sensitivity_group():
    # Hand-written from data/transfers.csv: the two unreported quantities are the analyst's
    # rpg_launchers and atgm_launchers intervals; every mass is an item mass; the two undated
    # systems (Bavar-373, S-300) have drawn departures.
    params = validate({"n_samples": 1000})
    data = resupply_analysis.load(params)
    model = build_model(params, data.ledger, data.consignments, data.holdings, data.grades, np.array([0, 1.0]))
    groups = {c.name: c.group for c in model.inputs()}
    assert groups["rpg-launchers quantity"] == "rpg_launchers quantity"
    assert groups["atgm-launchers quantity"] == "atgm_launchers quantity"
    for cid in ("rpg-launchers", "atgm-launchers", "astros-launchers", "bavar-373", "s-300"):
        assert groups[f"{cid} mass"] == "item masses"
    assert groups["bavar-373 departure"] == groups["s-300 departure"] == "undated departures"
    # The bundled route: road, then the sea leg served by ships, then road.
    assert {groups[n] for n in ("carrier capacity", "turnaround", "departure phase", "crossing")} == {
        "ship capacity and timing"}
    assert groups["transit to loading"] == "transit to the ships"
    assert groups["onward transit"] == "onward transit"
    assert groups["armour per unit"] == groups["personnel per unit"] == "BTG holdings"
    assert groups["equipment lost per ineffective unit"] == "equipment lost per ineffective BTG"
    assert groups["ineffective units by the horizon"] == "attrition"
    # Every group has an indicator an analyst can watch, in the case's words.
    watch = model.indicators()
    assert set(groups.values()) == set(watch) and all(watch.values())
    assert "Bandar Anzali to Astrakhan" in watch["ship capacity and timing"]
    assert "4 from 3 originators, carried by 1 outlet" in watch["claim truth"]


def test_an_uncertain_quantity_is_the_indicator_for_its_judgments():
    # One true consignment whose only uncertain input that matters is its quantity (the analyst's
    # rpg_launchers interval, 50-500, lognormal); the route, holdings (50 per BTG), share lost (0.4)
    # and ineffective BTGs (10) are fixed and delivery is long before the horizon. The replacement
    # judgment is then 1{q / (10 * 0.4 * 50) > 0.79}, i.e. q > 158 = sqrt(50 * 500), the median: all
    # of its variance, and all of the complete-BTG judgment's (q >= 50), is the quantity's group.
    rpg = Consignment("rpg", "a", "anti_armour", None, "rpg_launchers", 0.01, 0.01, MARCH_26)
    model = route_model(rpg, ineffective=10, replacement_share_threshold=0.79)
    result = sobol_indices(lambda u: model.evaluate(u, "anti_armour"), [c.group for c in model.inputs()],
                           n_base=512, seed=2)
    for judgment in ("resupply-replacement", "resupply-complete-unit"):
        table = result.indices[judgment]
        assert result.top(judgment) == ["rpg_launchers quantity"], judgment
        assert table.loc["rpg_launchers quantity", "ST"] == pytest.approx(1.0, abs=0.1)
        assert table.loc["item masses", "ST"] == pytest.approx(0.0, abs=0.02)
    assert model.indicators()[result.top("resupply-replacement")[0]] == (
        "how many launchers rpg actually moved (assumed 50 to 500)")
