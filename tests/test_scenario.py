"""A scenario run never calls an assumed value reported.

``units_ineffective`` states claim ``btg-ineffective-29``: a run with 35 is a scenario. Its briefing
opens with a banner saying what it assumes and what was reported, lists the value among the
assumptions, and no sentence, label or alt text calls 35 reported. The baseline has no banner.
"""

from __future__ import annotations

import html
import re

import pytest

from estimates.parameters.schema import specs
from estimates.report.scenario import agrees, scenario_inputs

from .test_diff import changed_run_for


@pytest.fixture(scope="module")
def scenario_html(baseline_run, tmp_path_factory) -> str:
    return (changed_run_for(baseline_run, tmp_path_factory) / "briefing.html").read_text()


def visible_and_alt_text(page: str) -> str:
    alts = " ".join(re.findall(r'alt="([^"]*)"', page))
    return html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + alts)


def test_the_banner_says_what_is_assumed_and_what_was_reported(scenario_html):
    [banner] = re.findall(r'<p class="scenario-banner".*?</p>', scenario_html, re.S)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", banner)).split())
    assert text.startswith("SCENARIO")
    assert "units_ineffective = 35 BTG (reported: 29, claim btg-ineffective-29)" in text
    # On the first screen: before the bottom line.
    assert scenario_html.index('class="scenario-banner"') < scenario_html.index('id="bottom-line"')


def test_no_sentence_calls_the_assumed_value_reported(scenario_html):
    text = " ".join(visible_and_alt_text(scenario_html).split())
    for claim in (r"reported\W+35\b", r"\b35 reported", r"\b35 BTGs reported", r"reported: 35\b"):
        assert not re.search(claim, text), claim
    assert "This scenario assumes 35 of 125" in text and "Western officials reported 29 of 125" in text


def test_the_assumed_value_is_listed_with_the_assumptions(scenario_html):
    facts = scenario_html[scenario_html.index("Inputs taken from reporting"):scenario_html.index("Analyst assumptions")]
    assumptions = scenario_html[scenario_html.index("Analyst assumptions"):]
    assert "<code>units_ineffective</code>" not in facts
    assert "assumed for this scenario; reported: 29" in assumptions


def test_the_baseline_has_no_banner(baseline_run):
    assert 'class="scenario-banner"' not in (baseline_run / "briefing.html").read_text()


def test_a_value_inside_the_claims_range_is_reporting():
    rows = [{"name": "committed_share_of_army", "value": 0.72, "claim_id": "c"},
            {"name": "units_total_low", "value": 160, "claim_id": "t"},
            {"name": "denominator_uncertainty", "value": 9, "claim_id": "d"}]
    sources = {"c": {"quantity": 0.75, "quantity_low": 0.7, "quantity_high": 0.8},
               "t": {"quantity": None, "quantity_low": 168.0, "quantity_high": 170.0},
               "d": {"quantity": 29.0, "quantity_low": 26.0, "quantity_high": 32.0}}
    # 0.72 is inside 0.70-0.80; 160 is outside 168-170; denominator_uncertainty only cites its
    # claim for context (it does not state it), so its value is never compared.
    assert [(r["name"], r["reported"]) for r in scenario_inputs(rows, sources)] == [("units_total_low", "168 to 170")]
    assert agrees(29, {"quantity": 29.0}) and not agrees(30, {"quantity": 29.0})


def test_only_parameters_that_carry_a_claims_value_state_it():
    stating = {s.name for s in specs() if s.states_claim}
    assert {"units_ineffective", "units_committed", "ship_count"} <= stating
    assert not stating & {"denominator_uncertainty", "initial_strength", "overcount_low", "as_of"}
    assert all(s.source.startswith("claim:") for s in specs() if s.states_claim)
