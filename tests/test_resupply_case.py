"""The resupply model as a case sets it: the information cut-off, the checks made before any kernel
starts, and a second case (another conflict, regiments, a rail route whose first leg has the
carrier) that must read in its own words."""

import csv
import datetime as dt
import json
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estimates.core.randomness import model_rng
from estimates.errors import InputError
from estimates.inputs.transfers import Consignment, load_holdings
from estimates.models.resupply import MODEL
from estimates.models.resupply import assessment as resupply_analysis
from estimates.models.resupply.capability import build_model
from estimates.models.resupply.simulation import simulate
from estimates.parameters.schema import validate, with_case
from estimates.paths import DATA_DIR, HOLDINGS, TRANSFERS

from .second_case import SEED_WORDS, START, write_second_case

QUICK = {"n_samples": 2000}
COLUMNS = ("consignment_id", "claim_id", "category", "quantity", "quantity_parameter", "mass_low_t",
           "mass_high_t", "departure_date", "note")


def _csv_rows(path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _after(cutoff: str) -> list[tuple[str, str, str]]:
    """Read without the package: (consignment, claim, report date) of every transfer whose claim
    ``claims.csv`` says was reported after ``cutoff`` (ISO dates compare as text)."""
    reported = {row["claim_id"]: row["report_date"] for row in _csv_rows(DATA_DIR / "claims.csv")}
    return [(row["consignment_id"], row["claim_id"], reported[row["claim_id"]])
            for row in _csv_rows(TRANSFERS) if reported[row["claim_id"]] > cutoff]


def _model(**overrides):
    params = validate({**QUICK, **overrides})
    data = resupply_analysis.load(params)
    return params, data, resupply_analysis.resupply_model(params, data)


# --- the cut-off -------------------------------------------------------------------------------
def test_transfers_reported_after_the_cutoff_are_left_out_and_listed():
    params, _, model = _model(as_of="2022-03-15")
    expected = _after("2022-03-15")
    listed = [(r["consignment_id"], r["claim_id"], r["report_date"]) for r in model.after_cutoff]
    assert listed == expected
    # The 26 March and 1 April transfers are among them (reported 11 April).
    assert {"rpg-launchers", "atgm-launchers", "astros-launchers"} <= {r[0] for r in listed}
    assert all(r["reason"] == "reported after the cut-off" for r in model.after_cutoff)
    assert not {c.consignment_id for c in model.consignments} & {r[0] for r in listed}
    result = simulate(model, model_rng(params.seed, "resupply"))
    section = result.to_dict()
    assert [(r["consignment_id"], r["claim_id"], r["report_date"]) for r in section["after_cutoff"]] == expected
    assert "reported after the cut-off" in set(result.left_out()["reason"])
    if len(expected) == len(_csv_rows(TRANSFERS)):  # nothing left to deliver: nothing is delivered
        assert all(j.probability.probability == 0.0 for j in result.judgments)


def test_the_default_cutoff_keeps_transfers_reported_on_it():
    # The bundled transfer claims are reported on 11 April 2022, the default cut-off itself.
    params, data, model = _model()
    assert params.as_of == dt.date(2022, 4, 11) and _after(params.as_of.isoformat()) == []
    assert model.after_cutoff == () and len(model.consignments) == len(data.consignments)


def test_a_departure_after_the_cutoff_is_left_out():
    params, data, model = _model(as_of="2022-04-11")
    later = Consignment("later", "rpg-atgm-shalamcheh-2022-03-26", "anti_armour", 10.0, None, 0.05, 0.05,
                        dt.date(2022, 4, 12))
    more = build_model(params, data.ledger, data.consignments + (later,), data.holdings, data.grades,
                       model.ineffective_by_end)
    assert [r["consignment_id"] for r in more.after_cutoff] == ["later"]
    assert more.after_cutoff[0]["reason"] == "departs after the cut-off"
    assert more.after_cutoff[0]["departure_date"] == "2022-04-12"
    assert [c.consignment_id for c in more.consignments] == [c.consignment_id for c in data.consignments]


@settings(max_examples=30, deadline=None)
@given(st.dates(dt.date(2022, 2, 24), dt.date(2022, 6, 1)), st.dates(dt.date(2022, 2, 24), dt.date(2022, 6, 1)))
def test_the_cutoff_splits_the_transfers_and_a_later_one_never_leaves_out_more(first, second):
    early, late = sorted((first, second))
    params = validate({**QUICK, "as_of": early.isoformat()})
    data = resupply_analysis.load(params)

    def split(cutoff):
        p = validate({**QUICK, "as_of": cutoff.isoformat()})
        m = build_model(p, data.ledger, data.consignments, data.holdings, data.grades, np.array([0, 1.0]))
        return {c.consignment_id for c in m.consignments}, {r["consignment_id"]: r for r in m.after_cutoff}

    for cutoff in (early, late):
        used, left = split(cutoff)
        assert used | set(left) == {c.consignment_id for c in data.consignments} and not used & set(left)
        for c in data.consignments:
            reported = data.ledger[c.claim_id].report_date
            past = reported > cutoff or (c.departure is not None and c.departure > cutoff)
            assert (c.consignment_id in left) == past
    assert set(split(late)[1]) <= set(split(early)[1])


@pytest.mark.parametrize(("as_of", "count_day"), [
    # Day 1 is 24 February 2022: 6 April is day 42 (4 + 31 + 6 + 1), 15 March is day 20.
    ("2022-04-11", 42),  # the counts describe 6 April (count_date), before the cut-off
    ("2022-03-15", 20),  # a cut-off before the count: the counts can describe no later day
])
def test_the_window_ends_horizon_days_after_the_day_the_counts_describe(as_of, count_day):
    params, _, model = _model(as_of=as_of)
    assert model.report_days[-1] == count_day + params.horizon_days
    result = simulate(model, model_rng(params.seed, "resupply"))
    assert result.dates[-1] == dt.date(2022, 2, 24) + dt.timedelta(days=count_day + params.horizon_days - 1)


def test_the_briefing_lists_what_the_cutoff_left_out():
    from estimates.report.briefing import _environment

    params, _, model = _model(as_of="2022-03-15")
    section = json.loads(json.dumps(simulate(model, model_rng(params.seed, "resupply")).to_dict()))
    html = _environment().get_template("resupply/section.html.j2").module.lead(section)
    assert "Left out: reported after the cut-off." in html
    for consignment_id, claim_id, _ in _after("2022-03-15"):
        assert f"<code>{consignment_id}</code>" in html and f"#claim-{claim_id}" in html
    assert "reported 11 April 2022" in html
    assert "Left out" not in _environment().get_template("resupply/section.html.j2").module.lead(
        json.loads(json.dumps(simulate(_model()[2], model_rng(params.seed, "resupply")).to_dict())))


# --- checked before any kernel starts -----------------------------------------------------------
def _transfers(tmp_path, **changes) -> str:
    rows = _csv_rows(TRANSFERS)
    rows[0].update(changes)
    path = tmp_path / "transfers.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


@pytest.mark.parametrize(("changes", "message"), [
    ({"category": "hovercraft"}, "line 2: field 'category': 'hovercraft' has no row in btg_holdings.csv; known: "),
    ({"quantity_parameter": "drones"},
     "line 2: field 'quantity_parameter': no parameters 'drones_low' and 'drones_high' are declared"),
    ({"quantity_parameter": "crossing_days"},  # declared, but not a quantity moved
     "line 2: field 'quantity_parameter': no parameters 'crossing_days_low' and 'crossing_days_high'"),
    ({"departure_date": "2022-02-23"},
     "line 2: field 'departure_date': 2022-02-23 is before the conflict's day 1 (2022-02-24)"),
    ({"departure_date": "26 March"}, "line 2: field 'departure_date' must be an ISO date"),
    ({"consignment_id": "s-300"}, "line 6: field 'consignment_id': 's-300' is already used on line 2"),
])
def test_a_transfer_the_case_cannot_use_is_refused_naming_file_line_and_field(tmp_path, changes, message):
    path = _transfers(tmp_path, **changes)
    with pytest.raises(InputError, match="^parameter 'transfers_path': " + re.escape(f"{path}: {message}")):
        MODEL.load(validate({**QUICK, "transfers_path": path}))


def test_a_departure_on_day_one_is_accepted(tmp_path):
    path = _transfers(tmp_path, departure_date="2022-02-24")
    data = MODEL.load(validate({**QUICK, "transfers_path": path}))
    assert data.consignments[0].departure == dt.date(2022, 2, 24) and data.consignments[0].line == 2


@pytest.mark.parametrize("level", ["brigade", "BTG", ""])
def test_a_holdings_level_the_results_schema_does_not_allow_is_refused_at_load(tmp_path, level):
    rows = _csv_rows(HOLDINGS)
    rows[1]["level"] = level
    path = tmp_path / "holdings.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(InputError, match=re.escape(f"parameter 'holdings_path': {path}: line 3: field 'level' "
                                                   f"must be 'unit' or 'theatre' ('btg' is read as 'unit'); "
                                                   f"got {level!r}")):
        resupply_analysis.load(validate({**QUICK, "holdings_path": str(path)}))


def test_every_level_read_is_one_the_results_schema_allows():
    allowed = set(MODEL.results_schema()["$defs"]["resupply_category"]["properties"]["level"]["enum"])
    assert allowed == {"unit", "theatre"}
    raw = {row["level"] for row in _csv_rows(HOLDINGS)}
    assert "btg" in raw  # the bundled file's spelling, read as "unit"
    assert {h.level for h in load_holdings(HOLDINGS)[0]} == {"unit", "theatre"}


def test_holdings_without_a_unit_level_category_are_refused(tmp_path):
    params = validate(QUICK)
    data = resupply_analysis.load(params)
    theatre_only = type(data)(data.ledger, (), tuple(h for h in data.holdings if h.level == "theatre"),
                              data.grades, data.files, data.transfers_path, data.holdings_path)
    with pytest.raises(InputError, match="field 'level': no category at level 'unit'"):
        resupply_analysis.check(params, theatre_only)


def test_a_route_without_one_carrier_leg_is_refused(tmp_path):
    text = (DATA_DIR / "case.yaml").read_text(encoding="utf-8")
    (tmp_path / "case.yaml").write_text(text.replace("    carrier: ship\n", ""), encoding="utf-8")
    params = validate({**QUICK, "case": str(tmp_path)})
    data = resupply_analysis.load(validate(QUICK))
    with pytest.raises(InputError, match=re.escape(f"{tmp_path / 'case.yaml'}: setting 'route': the resupply "
                                                   "model needs exactly one route leg with a 'carrier'")):
        resupply_analysis.check(params, data)


# --- a second case: regiments on a rail route ------------------------------------------------------
@pytest.fixture(scope="module")
def second(tmp_path_factory):
    folder = write_second_case(tmp_path_factory.mktemp("case"))
    params = with_case({**QUICK, "case": str(folder)})
    data = MODEL.load(params)
    return params, data, resupply_analysis.assess(params, data, model_rng(params.seed, "resupply"), sensitivity=True)


def test_the_second_case_runs_on_its_own_route_and_calendar(second):
    params, data, study = second
    sim = study.simulation
    assert sim.route["carrier"] == "train" and sim.route["carrier_leg"] == 0
    assert [leg["label"] for leg in sim.route["legs"]] == ["depot to the railhead", "railhead to the front"]
    # 3 August 2024 is day 50 when 15 June 2024 is day 1; the window ends horizon_days later.
    assert params.days_elapsed == (dt.date(2024, 8, 3) - START).days + 1 == 50
    assert sim.dates[-1] == dt.date(2024, 8, 3) + dt.timedelta(days=params.horizon_days)
    assert sim.route_text() == "depot to the railhead (rail, 4 trains assumed); then railhead to the front (rail)"
    # No theatre-level category, and the only transfer carries rocket launchers, not tanks: one
    # judgment, and the complete regiment-equivalent stated as a constraint, in the case's words.
    assert [j.id for j in sim.judgments] == ["resupply-replacement"]
    assert "the northern army are estimated to have lost" in sim.judgments[0].statement
    [constraint] = sim.constraints
    assert constraint.id == "resupply-complete-unit" and constraint.binding == ("armour",)
    assert constraint.sentence == ("No reported transfer carries tanks, so even if every transfer claim is true "
                                   "they restore no complete regt-equivalent by 28 September 2024: a "
                                   "regt-equivalent needs every category.")
    assert {o.restored_unit for o in sim.outlooks} == {"regt-equivalents"}


def test_a_first_leg_carrier_has_no_transit_before_it(second):
    # All route inputs fixed. The launchers leave on 10 July 2024, day 26. One train, turnaround 10:
    # departures at 2.5 + 10 k; the first at or after day 26 is k = ceil(23.5 / 10) = 3, day 32.5;
    # + 2 days on the leg + 5 onward = day 39.5. A transit of 7 days before the train leg (which this
    # route does not have) would move it to k = ceil(30.5 / 10) = 4, day 49.5.
    params, data, _ = second
    fixed = validate({**params.model_dump(), "ship_count": 1, "port_transit_days_low": 7, "port_transit_days_high": 7,
                      "turnaround_days_low": 10, "turnaround_days_high": 10, "crossing_days_low": 2,
                      "crossing_days_high": 2, "onward_days_low": 5, "onward_days_high": 5,
                      "ship_capacity_tonnes_low": 500, "ship_capacity_tonnes_high": 500})
    model = build_model(fixed, data.ledger, data.consignments, data.holdings, data.grades, np.array([0, 1.0]))
    names = [c.name for c in model.inputs()]
    assert "transit to loading" not in names and "onward transit" in names
    u = np.full((2, len(names)), 0.5)
    u[:, names.index("departure phase")] = 0.25
    _, _, arrival = model.delivery(model.transform(u))
    assert arrival[:, 0] == pytest.approx([39.5, 39.5])


def test_the_second_case_reads_in_its_own_words(second):
    from estimates.report.briefing import _environment

    params, data, study = second
    section = json.loads(json.dumps(study.to_dict()))
    # The indicators the run found, then every group's, so that every watch text is read.
    watch = resupply_analysis.resupply_model(params, data).indicators()
    section["indicators_to_watch"] = {
        j.id: section["indicators_to_watch"][j.id] + [{"group": g, "total_index": 0.5, "watch": w}
                                                      for g, w in watch.items()]
        for j in study.judgments}
    assert study.indicators["resupply-replacement"]
    module = _environment().get_template("resupply/section.html.j2").module
    figure = {"name": "f", "src": "f.png", "alt": "a figure", "file": "f.png"}
    text = " ".join(str(part) for part in (module.lead(section), module.key_figures(section, lambda name: figure),
                                            module.details(section, lambda name: figure),
                                            module.assumptions(section)))
    text += json.dumps(section)
    found = [word for word in SEED_WORDS if word.lower() in text.lower()]
    assert not found, found
    assert "4 trains assumed" in text and "depot to the railhead (rail" in text
    assert "A regt-equivalent needs every category" in text
    assert "movements on railhead to the front (rail)" in text
    assert "No reported transfer carries tanks" in str(module.key_figures(section, lambda name: figure))


def _lead(section: dict) -> str:
    from estimates.report.briefing import _environment

    return str(_environment().get_template("resupply/section.html.j2").module.lead(json.loads(json.dumps(section))))


def test_the_lead_describes_the_ledger_it_was_given(second):
    # Built by hand from tests/second_case.py: one transfer claim (rocket-launchers-moved), graded C3,
    # from the southern defence ministry, reported on 12 July 2024, carried by the daily bulletin.
    _, _, study = second
    lead = _lead(study.to_dict())
    assert ("The reported transfers to the northern army rest on 1 claim from 1 originator (Defence ministry "
            "of the southern state), on 1 line of evidence (bulletin-2024-07-12), carried by Daily bulletin, "
            "graded C3.") in lead
    for word in ("anonymous", "militia", "article", "not independent"):
        assert word not in lead.lower(), word


def test_an_a1_ledger_is_not_described_in_the_seeds_words(tmp_path):
    # The bundled transfers, but each claim graded A1 and named to its own ministry on its own line
    # of evidence: the lead must say so, and nothing of anonymous sources or one line.
    rows = _csv_rows(DATA_DIR / "claims.csv")
    transfer_claims = {row["claim_id"] for row in _csv_rows(TRANSFERS)}
    for i, row in enumerate(r for r in rows if r["claim_id"] in transfer_claims):
        row.update(reliability="A", credibility="1", originator=f"Ministry {i}", originator_id=f"ministry-{i}",
                   outlet=f"Gazette {i}", outlet_id=f"gazette-{i}", evidence_line=f"gazette-{i}-notice")
    path = tmp_path / "claims.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    params = validate({**QUICK, "claims_path": str(path)})
    data = resupply_analysis.load(params)
    model = build_model(params, data.ledger, data.consignments, data.holdings, data.grades, np.array([0, 1.0]))
    section = simulate(model, model_rng(params.seed, "resupply")).to_dict()
    n = len(transfer_claims)
    assert section["transfer_evidence"] | {"sentence": None} == {
        "claims": n, "originators": n, "lines": n, "outlets": n, "grades": {"A1": n}, "sentence": None}
    lead = _lead(section)
    assert f"rest on {n} claims from {n} originators (Ministry 0; " in lead
    assert f"on {n} lines of evidence (gazette-0-notice, " in lead and f"graded A1 ({n} claims)." in lead
    for word in ("anonymous", "militia", "Hashd", "Guardian", "article", "not independent"):
        assert word not in lead, word
