"""Attrition and pooling on a second case: another conflict start, another unit, its own ledger.

The case is scaffolded from the bundled one (``estimates case new``) and edited as an analyst would:
day 1 is 15 June 2024, 17 of 60 regiments are counted combat-ineffective on 3 August 2024 (day 50),
which is also the information cut-off; the ledger holds the one count claim, the statements file one
statement citing it. References are independent of the model: scipy's Beta quantiles and the closed
form of the constant hazard.
"""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from scipy import stats

from estimates.parameters.schema import with_case
from estimates.registry import MODELS
from estimates.run.scaffold import new_case

from .second_case import COUNT_DATE, START, write_csv
from .second_case import LEDGER_COLUMNS as LEDGER
from .second_case import SEED_WORDS as CASE_WORDS

#: Words of the bundled case that must not reach another case's text.
SEED_WORDS = (*CASE_WORDS, "battalion tactical")


def _claim(claim_id: str, statement: str, quantity, event: str, report: str) -> dict:
    return {"claim_id": claim_id, "statement": statement, "quantity": quantity, "quantity_low": "",
            "quantity_high": "", "unit": "regiment", "event_date": event, "report_date": report,
            "originator": "the southern defence ministry", "originator_id": "southern-defence-ministry",
            "outlet": "Daily bulletin", "outlet_id": "daily-bulletin", "carried_by": "test",
            "evidence_line": f"bulletin-{report}",
            "reliability": "B", "credibility": "2", "grade_reason": "An official count of the enemy's units.",
            "seed_text": ""}


@pytest.fixture(scope="module")
def case2(tmp_path_factory):
    """The second case's folder, as ``estimates case new`` writes it and an analyst edits it."""
    folder = new_case(tmp_path_factory.mktemp("cases") / "case2")
    settings = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8"))
    settings.update({
        "title": "The northern army's summer campaign, 2024", "conflict_start": START,
        "subject": "the northern army", "unit_singular": "regiment", "unit_plural": "regiments",
        "unit_short": "regt", "reporting": "the southern defence ministry", "models": ["attrition", "pooling"],
        "route": [{"mode": "rail", "label": "depot to the front"}],
        "claims": {"units_ineffective": "regiments-17", "units_committed": "regiments-committed-60",
                   "count_date": "regiments-17"},
    })
    settings["parameters"].update({"as_of": COUNT_DATE, "count_date": COUNT_DATE, "units_committed": 60,
                                   "units_ineffective": 17})
    (folder / "case.yaml").write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    write_csv(folder / "claims.csv", [
        _claim("regiments-17", "By 3 August, 17 of the 60 regiments were judged combat ineffective.", 17,
               "2024-08-03", "2024-08-03"),
        _claim("regiments-committed-60", "The northern army committed 60 regiments.", 60, "2024-06-15", "2024-06-20"),
        _claim("regiments-24", "By 20 August, 24 regiments were judged combat ineffective.", 24,
               "2024-08-20", "2024-08-21"),
    ], LEDGER)
    write_csv(folder / "btg_statements.csv", [
        {"observation_id": "ministry-17", "claim_ids": "regiments-17", "event_date": "2024-08-03", "count_low": 17,
         "count_high": 17, "share_above": "", "reading": "17 of the 60 committed."},
        {"observation_id": "ministry-24", "claim_ids": "regiments-24", "event_date": "2024-08-20", "count_low": 24,
         "count_high": 24, "share_above": "", "reading": "Reported after the cut-off."},
    ], ("observation_id", "claim_ids", "event_date", "count_low", "count_high", "share_above", "reading"))
    return folder


def _run(model_name: str, params):
    model = MODELS[model_name]
    data = model.load(params)
    return model, data, model.assess(params, data, model.rng(params))


@pytest.fixture(scope="module")
def params(case2):
    return with_case({"case": str(case2), "n_samples": 4000, "prior": "jeffreys", "count_uncertainty": 0,
                      "denominator_uncertainty": 0})


def test_the_count_date_is_day_50_of_the_case(params):
    assert params.count_as_of == COUNT_DATE
    assert params.days_elapsed == 50 == (COUNT_DATE - START).days + 1
    _, _, result = _run("attrition", params)
    assert result.as_of_day == 50 and result.projection.days[0] == 50
    assert result.projection.dates[0] == COUNT_DATE


def test_the_per_unit_interval_is_the_jeffreys_beta_posterior(params):
    _, _, result = _run("attrition", params)
    # Jeffreys prior Beta(0.5, 0.5) and 17 of 60: Beta(17.5, 43.5) (scipy.stats).
    reference = stats.beta(17.5, 43.5).ppf([0.05, 0.95])
    interval = result.proportion.interval(0.9)
    assert (interval.low, interval.high) == pytest.approx(tuple(reference), rel=1e-9)
    # With no spread on the count or the force, the reporting-uncertainty draws are the same
    # posterior: a Monte Carlo check against the same quantiles.
    wide = result.reported.interval(0.9)
    assert (wide.low, wide.high) == pytest.approx(tuple(reference), abs=0.01)


def test_the_hazard_is_taken_over_the_50_days(params):
    _, _, result = _run("attrition", params)
    hazard = result.hazard_quantiles()["per_day_process"]
    # Constant hazard (shape 1): lambda = -log(1 - p) / 50, a monotone map of p, so its median is
    # the map of the Beta(17.5, 43.5) median.
    median_p = stats.beta(17.5, 43.5).ppf(0.5)
    assert hazard["0.5"] == pytest.approx(-np.log1p(-median_p) / 50, rel=2e-3)
    # Over the bundled case's 42 days the same p would give a hazard 50/42 higher: not what is computed.
    assert hazard["0.5"] != pytest.approx(-np.log1p(-median_p) / 42, rel=2e-2)


def test_the_projection_loses_units_at_the_50_day_hazard(case2):
    # A constant hazard (shape fixed at 1) and no reconstitution: given a draw's p and its effective
    # units on day 50, those still effective on day 50 + h are Binomial(effective, exp(-lambda h))
    # with lambda = -log(1 - p) / 50; check the mean at the horizon against the draws.
    params = with_case({"case": str(case2), "n_samples": 20000, "count_uncertainty": 0,
                        "denominator_uncertainty": 0, "horizon_days": 28, "hazard_shape_low": 1.0,
                        "hazard_shape_high": 1.0})
    _, _, result = _run("attrition", params)
    assert result.start_day == 50
    draws = result.draws
    expected = np.mean((draws["committed"] - draws["count"]) * np.exp(np.log1p(-draws["p"]) / 50 * 28))
    assert result.projection.mean()[-1] == pytest.approx(expected, rel=0.01)


def test_the_section_speaks_the_case_words_and_cites_the_case_claims(params):
    model, data, result = _run("attrition", params)
    section = model.section(params, data, result)
    assert section["words"]["unit_plural"] == "regiments"
    assert section["as_of"] == "2024-08-03" and section["cut_off"] == "2024-08-03"
    assert section["conflict_start"] == "2024-06-15"
    row = section["claims"]["units_ineffective"]
    assert (row["claim_id"], row["reported"], row["agrees"], row["after_cut_off"]) == ("regiments-17", 17, True, False)
    # No claim in this ledger states a share of the army: the readings are skipped, and with them
    # the judgment that rests on them.
    assert section["seventy_five"] is None
    assert [j["id"] for j in section["judgments"]] == ["attrition-threshold"]
    assert section["judgments"][0]["claim_ids"] == ["regiments-17", "regiments-committed-60"]
    # Nor does the briefing ask for the readings' claims, which this run does not use.
    assert not [n for n in model.notes(section) if "share" in n or "combat-power" in n or "total" in n]
    text = repr([j["sentence"] for j in section["judgments"]] + [j["basis"] for j in section["judgments"]]
                + model.notes(section) + [section["hazard"]["unit"]])
    assert "regiments" in text
    assert not [w for w in SEED_WORDS if w in text]


def test_the_readings_can_be_forced_on_and_off(case2):
    on = with_case({"case": str(case2), "n_samples": 1000, "share_readings": "on"})
    _, _, result = _run("attrition", on)
    assert result.readings is not None and len(result.judgments) == 2
    off = with_case({"n_samples": 1000, "share_readings": "off"})  # the bundled case has the claims
    _, _, result = _run("attrition", off)
    assert result.readings is None and [j.id for j in result.judgments] == ["attrition-threshold"]


def test_the_figures_speak_the_case_words(params):
    import matplotlib.pyplot as plt

    model, data, result = _run("attrition", params)
    section = model.section(params, data, result)
    found = model.figures(section)
    assert [name for name, _, _ in found] == ["attrition_fan", "attrition_first_passage", "attrition_intervals"]
    labels = " ".join(ax.get_xlabel() + " " + ax.get_ylabel() for _, figure, _ in found for ax in figure.axes)
    alts = " ".join(alt for _, _, alt in found)
    assert "regiment" in labels and not [w for w in SEED_WORDS if w in labels + alts]
    plt.close("all")


def test_pooling_leaves_out_the_statement_reported_after_the_cut_off(params):
    model, data, result = _run("pooling", params)
    assert result.as_of_day == 50
    assert [s.observation_id for s in result.statements] == ["ministry-17"]
    assert [s.day for s in data.statements] == [50, 67]
    [late] = result.left_out
    assert (late["observation_id"], late["why"], late["report_date"]) == ("ministry-24", "after_cut_off", "2024-08-21")
    # One statement at the count date: the pooled p is the single-report Beta(17.5, 43.5), up to the grid.
    pooled = result.pooled.to_dict()["p_as_of"]["interval"]
    assert (pooled["low"], pooled["high"]) == pytest.approx(tuple(stats.beta(17.5, 43.5).ppf([0.05, 0.95])),
                                                           abs=2e-3)
    section = model.section(params, data, result)
    text = repr([j["sentence"] for j in section["judgments"]] + section["notes"])
    assert not [w for w in SEED_WORDS if w in text]


def test_a_later_cut_off_lets_the_later_statement_in(case2):
    params = with_case({"case": str(case2), "n_samples": 1000, "as_of": "2024-08-21"})
    _, _, result = _run("pooling", params)
    # The count still describes 3 August (count_date), the day p refers to; the 20 August count is pooled.
    assert result.as_of_day == 50 and result.left_out == ()
    assert [s.observation_id for s in result.statements] == ["ministry-17", "ministry-24"]
    assert any("after 3 August 2024" in note for note in result.notes)


# --- the templates ----------------------------------------------------------------------------------

def _render(model_name: str, section: dict) -> str:
    """Every macro of the model's briefing template, rendered as the briefing renders them."""
    from estimates.report.briefing import _environment

    env = _environment()
    env.globals["scenario"] = {}
    macros = env.get_template(f"{model_name}/section.html.j2").module

    def take(name: str) -> dict:
        return {"name": name, "alt": "", "src": "", "file": f"{name}.png"}

    parts = []
    for name in ("lead", "key_figures", "details", "crosscheck", "alternatives", "assumptions"):
        macro = getattr(macros, name, None)
        if macro is not None:
            parts.append(str(macro(section) if name in ("lead", "assumptions") else macro(section, take)))
    return "\n".join(parts)


@pytest.mark.parametrize("model_name", ["attrition", "pooling"])
def test_the_briefing_text_of_the_second_case_has_no_seed_words(params, model_name):
    model, data, result = _run(model_name, params)
    html = _render(model_name, model.section(params, data, result))
    assert "regiment" in html
    assert not [w for w in SEED_WORDS if w in html]


def test_the_lead_says_what_was_reported_apart_from_what_the_run_uses():
    # A scenario value: the run uses 35, the ledger's claim reports 29. No sentence calls 35 reported.
    params = with_case({"n_samples": 1000, "units_ineffective": 35})
    model, data, result = _run("attrition", params)
    html = _render("attrition", model.section(params, data, result))
    assert "The run counts 35 of the 125 committed" in html
    assert "reported 29" in html and "this run departs from it" in html
    assert "reported 35" not in html


def test_pooling_lists_the_statements_reported_after_the_cut_off():
    params = with_case({"n_samples": 1000})  # the bundled case: cut-off 11 April 2022
    model, data, result = _run("pooling", params)
    html = _render("pooling", model.section(params, data, result))
    assert "Reported after the cut-off of 11 April 2022" in html
    assert "ukmod-more-than-quarter" in html and "first reported 2 May 2022" in html
