"""Sobol groups pinned: which inputs the resupply "indicators to watch" name (claim truth by line of
evidence, and the claim on a line whose confirmation moves a judgment most, against closed forms), and
groups given out of sorted order keep their own indices (Ishigami's analytic values)."""

import datetime as dt

import numpy as np
import pytest

from estimates.core.sobol import sobol_indices
from estimates.inputs.claims import Claim
from estimates.inputs.transfers import Consignment, Holding
from estimates.models.resupply import assessment as resupply_analysis
from estimates.models.resupply.capability import ResupplyModel, build_model
from estimates.models.resupply.evidence import factor_claims, truth_groups
from estimates.models.resupply.grading import LatentStructure
from estimates.models.resupply.indicators import indicators
from estimates.models.resupply.simulation import count_events, simulate
from estimates.parameters.schema import validate

from .test_pinned_route import LAUNCHERS, MARCH_26, ROUTE, route_model

AIR = Holding("strategic_air_defence", "batteries", "theatre", "battery", 1, 1, None, "definition", "")

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
    # Every bundled transfer claim is on the line hashd-network-guardian-2022-04-11 (data/claims.csv):
    # all their truth factors are one group, named after that line.
    line = "claim truth: hashd-network-guardian-2022-04-11"
    truth = [n for n in groups if n.startswith("truth factor")]
    assert truth and {groups[n] for n in truth} == {line}
    # Every group has an indicator an analyst can watch, in the case's words.
    watch = model.indicators()
    assert set(groups.values()) == set(watch) and all(watch.values())
    assert "Bandar Anzali to Astrakhan" in watch["ship capacity and timing"]
    assert watch[line] == ("confirmation or denial of the transfer claims on the line of evidence "
                           "hashd-network-guardian-2022-04-11 (4 claims from 3 originators, carried by The Guardian)")


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


# --- claim truth by line of evidence -------------------------------------------------------------------
def ledger_claim(claim_id: str, originator: str, line: str, grade: str = "F3") -> Claim:
    return Claim(claim_id=claim_id, statement=f"Statement {claim_id}.", originator=f"Originator {originator}",
                 originator_id=originator, outlet="An outlet", outlet_id="an-outlet", carried_by="test",
                 evidence_line=line, reliability=grade[0], credibility=grade[1], grade_reason="r",
                 report_date=dt.date(2022, 4, 11))


def test_claims_tied_by_a_line_or_a_shared_factor_form_one_group():
    # a and b share line l1; c is on l2 but shares originator x with a, so its truth moves with a's:
    # l1 and l2 are one group. d (line l3, originator z) shares nothing: a group of its own.
    claims = (ledger_claim("a", "x", "l1"), ledger_claim("b", "y", "l1"), ledger_claim("c", "x", "l2"),
              ledger_claim("d", "z", "l3"))
    structure = LatentStructure.of(claims)
    groups, factor_group = truth_groups(claims, structure)
    assert [g.name for g in groups] == ["claim truth: l1 + l2", "claim truth: l3"]
    assert [[c.claim_id for c in g.claims] for g in groups] == [["a", "b", "c"], ["d"]]
    assert groups[0].where == "the correlated lines of evidence l1 and l2"
    # Each factor sits in the group of every claim it moves: no group shares a factor with another.
    assert len(factor_group) == structure.n_factors
    for moved, g in zip(factor_claims(structure), factor_group):
        assert moved and {claims[i].claim_id for i in moved} <= {c.claim_id for c in groups[g].claims}
    # Independently of the grouping: the latent correlation between groups is zero.
    normals = np.random.default_rng(4).standard_normal((40_000, structure.n_factors))
    latent = structure.latent(normals, 0.3, 0.3)
    corr = np.corrcoef(latent.T)
    assert np.abs(corr[:3, 3]).max() < 0.03 and corr[0, 1] > 0.2 and corr[0, 2] > 0.2


def test_the_indicator_names_the_line_and_the_claim_whose_confirmation_moves_the_judgment_most():
    # Two independent claims (own originator, own line), each moving half a battery, delivered long
    # before the horizon: one battery reaches the front exactly when both are true. With p1 = 0.2 and
    # p2 = 0.6, J = C1 C2, P(J) = 0.12, V = P(J)(1 - P(J)) = 0.1056. Total indices (independent
    # Bernoullis): ST1 = p2 p1 (1 - p1) / V = 0.909, ST2 = p1 p2 (1 - p2) / V = 0.4545. Confirming C1
    # moves P(J) to p2 = 0.6 (by 0.48), confirming C2 to p1 = 0.2 (by 0.08): C1 is named, and if it
    # were denied J could not happen (0).
    claims = (ledger_claim("rare", "x", "l1", "F5"), ledger_claim("common", "y", "l2", "F3"))
    halves = tuple(Consignment(f"half-{c.claim_id}", c.claim_id, "strategic_air_defence", 0.5, None, 1.0, 1.0,
                               MARCH_26) for c in claims)
    params = validate({**ROUTE, "n_samples": 20_000})
    histogram = np.zeros(11)
    histogram[10] = 1.0
    model = ResupplyModel(params, halves, (LAUNCHERS, AIR), claims, np.array([0.2, 0.6]),
                          LatentStructure.of(claims), histogram, np.arange(31, 100))
    result = simulate(model, np.random.default_rng(8))
    [judgment] = result.judgments
    assert judgment.id == "resupply-air-defence"
    assert judgment.probability.probability == pytest.approx(0.12, abs=4 * np.sqrt(0.12 * 0.88 / 20_000))
    groups = [c.group for c in model.inputs()]
    sobol = sobol_indices(lambda u: model.evaluate(u, result.replacement_category), groups, n_base=4096, seed=2)
    table = sobol.indices["resupply-air-defence"]
    assert table.loc["claim truth: l1", "ST"] == pytest.approx(0.909, abs=0.05)
    assert table.loc["claim truth: l2", "ST"] == pytest.approx(0.4545, abs=0.05)
    counts, true, joint = count_events(model, np.random.default_rng(8), result.replacement_category)
    assert counts.events["resupply-air-defence"] == round(judgment.probability.probability * 20_000)
    found = indicators(model, result.judgments, sobol, counts, true, joint)["resupply-air-defence"]
    assert [row["group"] for row in found] == ["claim truth: l1", "claim truth: l2"]
    [named] = found[0]["claims"]
    assert named["claim_id"] == "rare" and named["if_denied"] == 0.0
    assert named["if_confirmed"] == pytest.approx(0.6, abs=4 * np.sqrt(0.24 / (0.2 * 20_000)))
    assert found[0]["watch"] == ('confirmation or denial of claim rare, "Statement rare" (Originator x, graded F5); '
                                 "on the line of evidence l1")
    assert found[1]["claims"][0]["claim_id"] == "common"
    assert found[1]["claims"][0]["if_confirmed"] == pytest.approx(0.2, abs=4 * np.sqrt(0.16 / (0.6 * 20_000)))


def test_on_one_line_the_indicator_names_the_claim_whose_confirmation_moves_the_judgment_most():
    # As above, but both claims on one line of evidence (own originators): their latent truths are
    # correlated with rho = outlet_correlation = 0.3 (one shared line factor). J = C1 C2 with
    # P(J) = Phi2(z1, z2; rho), z = Phi^-1(p) (scipy's bivariate normal CDF). Confirming C1 gives
    # P(J | C1) = P(J) / p1, confirming C2 gives P(J) / p2: with p1 = 0.2 < p2 = 0.6 it is C1 that
    # moves J most, so C1 is the claim named for the line, the one Sobol group of claim truth.
    from scipy import stats

    claims = (ledger_claim("rare", "x", "l1", "F5"), ledger_claim("common", "y", "l1", "F3"))
    halves = tuple(Consignment(f"half-{c.claim_id}", c.claim_id, "strategic_air_defence", 0.5, None, 1.0, 1.0,
                               MARCH_26) for c in claims)
    n = 20_000
    params = validate({**ROUTE, "n_samples": n})
    histogram = np.zeros(11)
    histogram[10] = 1.0
    p1, p2 = 0.2, 0.6
    model = ResupplyModel(params, halves, (LAUNCHERS, AIR), claims, np.array([p1, p2]),
                          LatentStructure.of(claims), histogram, np.arange(31, 100))
    rho = params.outlet_correlation
    both = stats.multivariate_normal(cov=[[1, rho], [rho, 1]]).cdf(stats.norm.ppf([p1, p2]))
    result = simulate(model, np.random.default_rng(9))
    [judgment] = result.judgments
    assert judgment.probability.probability == pytest.approx(both, abs=4 * np.sqrt(both * (1 - both) / n))
    groups = [c.group for c in model.inputs()]
    assert {g for g in groups if g.startswith("claim truth")} == {"claim truth: l1"}
    sobol = sobol_indices(lambda u: model.evaluate(u, result.replacement_category), groups, n_base=1024, seed=2)
    counts, true, joint = count_events(model, np.random.default_rng(9), result.replacement_category)
    [row] = indicators(model, result.judgments, sobol, counts, true, joint)["resupply-air-defence"]
    assert row["group"] == "claim truth: l1" and row["total_index"] == pytest.approx(1.0, abs=0.1)
    [named] = row["claims"]
    assert named["claim_id"] == "rare" and named["if_denied"] == 0.0
    assert named["if_confirmed"] == pytest.approx(both / p1, abs=4 * np.sqrt(0.25 / (p1 * n)))
    assert row["watch"] == ('confirmation or denial of claim rare, "Statement rare" (Originator x, graded F5); '
                            "with 1 other transfer claim on the line of evidence l1")
