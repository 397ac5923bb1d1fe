"""The resupply Monte Carlo against closed forms, its invariants, and its judgments."""

import datetime as dt
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estimates.core.distributions import lognormal_from_90
from estimates.core.randomness import model_rng
from estimates.inputs.transfers import Consignment, Holding
from estimates.models.resupply import assessment as resupply_analysis
from estimates.models.resupply.capability import ResupplyModel, build_model
from estimates.models.resupply.grading import LatentStructure
from estimates.models.resupply.simulation import simulate
from estimates.parameters.schema import validate

from .test_grading import claim

QUICK = {"n_samples": 4000}
ANTI_ARMOUR = Holding("anti_armour", "anti-armour launchers", "unit", "launcher", 30, 70, None, "assumption", "")
ARMOUR = Holding("armour", "tanks", "unit", "tank", 8, 13, None, "assumption", "")
AIR = Holding("strategic_air_defence", "batteries", "theatre", "battery", 1, 1, None, "definition", "")


def one_claim_model(p_true: float, quantity: float = 40.0, **overrides) -> ResupplyModel:
    params = validate({**QUICK, **overrides})
    consignment = Consignment("c", "a", "anti_armour", quantity, None, 0.1, 0.1, dt.date(2022, 3, 26))
    claims = (claim("a"),)
    return ResupplyModel(params, (consignment,), (ANTI_ARMOUR, ARMOUR), claims, np.array([p_true]),
                         LatentStructure.of(claims), np.array([0, 0, 0, 1.0]), np.arange(31, 99))


def draws(model: ResupplyModel, size: int, seed: int = 1) -> dict:
    return model.transform(model.uniforms(size, np.random.default_rng(seed)))


def test_mean_delivered_is_p_times_q():
    # One claim with P(true) = p and a fixed quantity q, delivered well before the horizon:
    # the mean delivered is p * q; the test allows 4 Monte Carlo standard errors, q sqrt(p(1-p)/n).
    p, q, n = 0.35, 40.0, 200_000
    model = one_claim_model(p, q)
    delivered = model.delivered(draws(model, n))["anti_armour"][:, -1]
    assert abs(delivered.mean() - p * q) < 4 * q * np.sqrt(p * (1 - p) / n)


def test_false_claims_deliver_nothing():
    model = one_claim_model(0.0)
    assert model.delivered(draws(model, 5000))["anti_armour"].max() == 0.0


def test_zero_capacity_delays_everything_past_the_horizon():
    model = one_claim_model(1.0)
    d = draws(model, 2000)
    d["carrier capacity"] = np.zeros(2000)
    assert model.delivered(d)["anti_armour"].max() == 0.0
    no_ships = one_claim_model(1.0, ship_count=0)
    assert no_ships.delivered(draws(no_ships, 2000))["anti_armour"].max() == 0.0


@settings(max_examples=25, deadline=None)
@given(st.floats(1.0, 50.0), st.integers(0, 2**16))
def test_more_capacity_never_delivers_less(factor, seed):
    params = validate(QUICK)
    data = resupply_analysis.load(params)
    model = build_model(params, data.ledger, data.consignments, data.holdings, data.grades, np.array([0, 5, 10.0]))
    d = draws(model, 300, seed)
    small = model.delivered(d)
    d["carrier capacity"] = d["carrier capacity"] * factor
    large = model.delivered(d)
    for category in small:
        assert np.all(large[category] >= small[category] - 1e-9)


def test_interval_input_reproduces_its_own_quantiles():
    low, high = 50.0, 500.0
    assert lognormal_from_90(low, high).ppf([0.05, 0.95]) == pytest.approx([low, high])
    params = validate(QUICK)
    model = resupply_analysis.resupply_model(params, resupply_analysis.load(params))
    names = [c.name for c in model.inputs()]
    u = np.full((2, len(names)), 0.5)
    u[:, names.index("rpg-launchers quantity")] = [0.05, 0.95]
    assert model.transform(u)["rpg-launchers quantity"] == pytest.approx(
        [params.rpg_launchers_low, params.rpg_launchers_high])


def test_deliveries_accumulate_over_time():
    model = one_claim_model(0.7)
    delivered = model.delivered(draws(model, 3000))["anti_armour"]
    assert np.all(np.diff(delivered, axis=1) >= 0)


@pytest.fixture(scope="module")
def baseline():
    params = validate(QUICK)
    data = resupply_analysis.load(params)
    model = resupply_analysis.resupply_model(params, data)
    return params, data, model, simulate(model, model_rng(params.seed, "resupply"))


def test_same_seed_same_numbers(baseline):
    params, _, model, result = baseline
    again = simulate(model, model_rng(params.seed, "resupply"))
    assert again.to_dict() == result.to_dict()
    other = simulate(model, model_rng(params.seed + 1, "resupply"))
    assert other.to_dict() != result.to_dict()


def test_air_defence_is_counted_in_batteries_without_a_loss_share(baseline):
    _, _, _, result = baseline
    air = result.outlook("strategic_air_defence")
    assert air.restored_unit == "batteries" and air.share_replaced is None
    # The case's words: the bundled case counts in BTG-equivalents.
    assert result.outlook("armour").restored_unit == "BTG-equivalents"


def test_binding_constraint_is_computed_from_the_numbers(baseline):
    params, data, model, result = baseline
    assert "armour" in result.binding  # the transfers bring no tanks
    tanks = Consignment("tanks", "rpg-atgm-shalamcheh-2022-03-26", "armour", 400.0, None, 40, 45,
                        dt.date(2022, 3, 26))
    more = build_model(params, data.ledger, data.consignments + (tanks,), data.holdings, data.grades,
                       model.ineffective_by_end)
    changed = simulate(more, model_rng(params.seed, "resupply"))
    assert "armour" not in changed.binding
    assert changed.outlook("armour").delivered["0.95"][-1] > 0


def test_judgments_carry_terms_probabilities_and_claims(baseline):
    _, _, _, result = baseline
    # No bundled transfer carries tanks, IFVs, tube artillery or personnel (data/transfers.csv), so
    # "at least one complete BTG-equivalent" cannot happen: it is a constraint, not a judgment.
    assert [j.id for j in result.judgments] == ["resupply-air-defence", "resupply-replacement"]
    for j in result.judgments:
        assert j.claim_ids and 0 <= j.probability.probability <= 1
        assert j.probability.n_samples == QUICK["n_samples"]
    [constraint] = result.constraints
    assert constraint.id == "resupply-complete-unit"
    assert set(constraint.binding) == {"armour", "ifv", "tube_artillery", "personnel"} == set(result.binding)
    assert constraint.sentence == (
        "No reported transfer carries tanks, infantry fighting vehicles, tube artillery pieces or personnel, so "
        "even if every transfer claim is true they restore no complete BTG-equivalent by 1 June 2022: a "
        "BTG-equivalent needs every category.")
    # The quantity is still computed: 0 complete BTG-equivalents in every quantile.
    assert set(result.complete_equivalents.values()) == {0.0}


def _with_categories(categories, **overrides):
    """One certainly true claim per category (10 items of 0.1 t each, leaving on 26 March) with the
    bundled holdings; the loss histogram puts 10 BTGs ineffective in every draw."""
    params = validate({**QUICK, "n_samples": 1000, **overrides})
    data = resupply_analysis.load(params)
    ids = [c.replace("_", "-") for c in categories]
    claims = tuple(claim(f"claim-{i}", grade="A1", originator=f"o-{i}") for i in ids)
    consignments = tuple(Consignment(f"c-{i}", f"claim-{i}", c, 10.0, None, 0.1, 0.1, dt.date(2022, 3, 26))
                         for i, c in zip(ids, categories))
    histogram = np.zeros(11)
    histogram[10] = 1.0
    return ResupplyModel(params, consignments, data.holdings, claims, np.full(len(claims), 1.0),
                         LatentStructure.of(claims), histogram, np.arange(31, 99))


UNIT = ("armour", "ifv", "anti_armour", "rocket_artillery", "tube_artillery", "personnel")


@settings(max_examples=20, deadline=None)
@given(st.sets(st.sampled_from(UNIT + ("strategic_air_defence",))))
def test_an_event_is_judged_exactly_when_the_counted_transfers_can_bring_it_about(carried):
    # Read from the holdings alone: the complete-unit event needs every unit category carried, the
    # replacement event one of them, the theatre event a theatre category.
    result = simulate(_with_categories(sorted(carried)), np.random.default_rng(3))
    judged = {j.id for j in result.judgments}
    stated = {c.id: c for c in result.constraints}
    assert judged.isdisjoint(stated) and judged | set(stated) == {
        "resupply-air-defence", "resupply-replacement", "resupply-complete-unit"}
    assert ("resupply-complete-unit" in judged) == (set(UNIT) <= carried)
    assert ("resupply-replacement" in judged) == bool(carried & set(UNIT))
    assert ("resupply-air-defence" in judged) == ("strategic_air_defence" in carried)
    for constraint in stated.values():
        # What binds is what no transfer carries; the sentence names it in the holdings' words.
        assert constraint.binding and not set(constraint.binding) & carried
        assert constraint.sentence.startswith("No reported transfer carries ")
    if "resupply-complete-unit" in stated:
        assert set(result.complete_equivalents.values()) == {0.0}


@pytest.mark.parametrize(("name", "low", "high", "judgment"), [
    # The air-defence claims are graded F4 and F5, below the base rate: trusting the grades less
    # (grade_confidence 0.5 rather than 1.5) brings them nearer it, so more likely true.
    ("grade_confidence", 1.5, 0.5, "resupply-air-defence"),
    ("rpg_launchers_high", 250, 1000, "resupply-replacement"),
])
def test_parameters_move_judgments_the_way_the_model_says(name, low, high, judgment):
    def probability(value):
        params = validate({**QUICK, name: value})
        model = resupply_analysis.resupply_model(params, resupply_analysis.load(params))
        found = simulate(model, model_rng(params.seed, "resupply"))
        return next(j for j in found.judgments if j.id == judgment).probability.probability

    assert probability(high) > probability(low)


def test_sensitivity_names_indicators_from_sobol_indices():
    params = validate({**QUICK, "n_samples": 2000})
    study = resupply_analysis.assess(params, resupply_analysis.load(params), model_rng(params.seed, "resupply"),
                                     sensitivity=True)
    section = study.to_dict()
    for judgment_id, indicators in section["indicators_to_watch"].items():
        table = study.sobol.indices[judgment_id]
        ranked = list(table.sort_values("ST", ascending=False).index[: len(indicators)])
        assert [i["group"] for i in indicators] == ranked
    # Every bundled transfer claim is on one line of evidence (data/claims.csv), so claim truth is one
    # group, named after it, and the indicator names the claim whose confirmation moves it most.
    top = section["indicators_to_watch"]["resupply-air-defence"][0]
    assert top["group"] == "claim truth: hashd-network-guardian-2022-04-11"
    assert {c["claim_id"] for c in top["claims"]} <= {"bavar373-donated", "s300-returned"}
    assert section["sensitivity"] == {"samples_per_recomputation": 2000, "common_random_numbers": True,
                                      "sobol": study.sobol.to_dict()}
    # The briefing names the claim and what its confirmation or denial would make of the judgment.
    from estimates.report.briefing import _environment

    figure = {"name": "f", "src": "f.png", "alt": "a figure", "file": "f.png"}
    html = str(_environment().get_template("resupply/section.html.j2").module.details(
        json.loads(json.dumps(section)), lambda name: figure))
    from estimates.core.wording import percent

    for c in top["claims"]:
        assert (f"if {c['claim_id']} were confirmed {percent(c['if_confirmed'])}, "
                f"if denied {percent(c['if_denied'])}") in html
    for judgment in study.judgments:
        assert judgment.sensitivity is not None and judgment.sensitivity.variations
        assert "horizon_days" not in judgment.sensitivity.parameters


def test_transfers_without_a_claim_in_the_ledger_are_left_out(tmp_path):
    from estimates.inputs.claims import load_ledger

    params = validate(QUICK)
    data = resupply_analysis.load(params)
    lines = data.ledger.path.read_text(encoding="utf-8").splitlines()
    kept = [lines[0]] + [line for line in lines[1:] if line.startswith("btg-ineffective-29,")]
    path = tmp_path / "claims.csv"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    model = build_model(params, load_ledger(path), data.consignments, data.holdings, data.grades,
                        np.array([0, 1.0]))
    assert model.consignments == () and len(model.unsupported) == len(data.consignments)
    result = simulate(model, model_rng(params.seed, "resupply"))
    # Nothing is counted, so nothing can be delivered: every event is a constraint, none a judgment.
    assert result.judgments == ()
    assert {c.id for c in result.constraints} == {"resupply-air-defence", "resupply-replacement",
                                                   "resupply-complete-unit"}
    assert result.evidence["claims"] == 0
    assert result.to_dict()["unsupported_transfers"] == [c.consignment_id for c in data.consignments]


def test_chunk_size_does_not_change_the_numbers(baseline, monkeypatch):
    # Chunks only bound memory: the uniforms come off one generator in the same order.
    from estimates.models.resupply import simulation as resupply

    params, _, model, result = baseline
    monkeypatch.setattr(resupply, "CHUNK", 700)
    assert simulate(model, model_rng(params.seed, "resupply")).to_dict() == result.to_dict()


def test_probabilities_count_every_draw_beyond_the_quantile_subsample(baseline, monkeypatch):
    from estimates.models.resupply import simulation as resupply

    params, _, model, result = baseline
    monkeypatch.setattr(resupply, "QUANTILE_DRAWS", 1000)
    small = simulate(model, model_rng(params.seed, "resupply"))
    # Same draws, so every count-based probability is unchanged; only quantiles may move.
    assert [j.probability for j in small.judgments] == [j.probability for j in result.judgments]
    assert small.outlook("anti_armour").at_least_one == result.outlook("anti_armour").at_least_one


def test_load_reads_every_file_once_with_its_hash():
    import hashlib

    from estimates.paths import DATA_DIR, HOLDINGS, TRANSFERS

    params = validate(QUICK)
    data = resupply_analysis.load(params)
    # The bundled case's files, named independently of the parameters' paths.
    ledger, grades = DATA_DIR / "claims.csv", DATA_DIR / "grade_probabilities.csv"
    assert data.files == {path: hashlib.sha256(path.read_bytes()).hexdigest()
                          for path in (ledger, TRANSFERS, HOLDINGS, grades)}
    assert (data.transfers_path, data.holdings_path) == (TRANSFERS, HOLDINGS)
    assert data.attrition.ledger is data.ledger


def test_a_bad_grade_table_is_an_input_error_naming_the_parameter(tmp_path):
    from estimates.errors import InputError

    table = tmp_path / "grades.csv"
    table.write_text("nothing useful\n")
    with pytest.raises(InputError, match="^parameter 'grades_path': "):
        resupply_analysis.load(validate({**QUICK, "grades_path": str(table)}))


def test_assess_without_sensitivity_is_the_simulation_and_its_judgments(baseline, monkeypatch):
    from estimates import storage
    from estimates.inputs import claims, files, grade_table, transfers
    from estimates.models.resupply import MODEL

    params, data, _, result = baseline
    # Everything was read by load: nothing is read again by assess, key_judgments or section.
    for module in (claims, files, transfers, grade_table):
        monkeypatch.setattr(module, "read_input", lambda *a, **k: pytest.fail("a file was read again"))
    monkeypatch.setattr(storage, "sha256_file", lambda *a, **k: pytest.fail("a file was hashed again"))
    study = MODEL.assess(params, data)  # the model's own stream, as the notebook passes it
    assert study.simulation.to_dict() == result.to_dict()
    assert study.judgments == study.simulation.judgments
    assert all(j.sensitivity is None for j in study.judgments)
    assert "sensitivity" not in study.to_dict() and "indicators_to_watch" not in study.to_dict()
    found = MODEL.key_judgments(params, data)
    assert [j.to_dict() for j in found] == [j.to_dict() for j in result.judgments]
    section = MODEL.section(params, data, study)
    assert set(section["data_files"]) == {"data/claims.csv", "data/transfers.csv", "data/btg_holdings.csv",
                                          "data/grade_probabilities.csv"}
    assert {s["claim_id"] for s in section["sources"]} >= {"bavar373-donated", "btg-ineffective-29"}


def test_the_study_shows_itself_like_every_result(baseline):
    import matplotlib

    matplotlib.use("Agg")
    from estimates.models.resupply import MODEL

    params, data, _, _ = baseline
    study = resupply_analysis.assess(params, data, model_rng(params.seed, "resupply"))
    assert len(study.summary()) == len(data.holdings)
    assert list(study.judgments_frame().index) == [j.id for j in study.judgments]
    assert "<table" in study._repr_html_()
    assert study.plot() is not None
    table = MODEL.tables(study.to_dict())["resupply_categories"]
    assert list(table["category"]) == [h.category for h in data.holdings]
