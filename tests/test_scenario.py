"""A scenario run never calls an assumed value reported.

``units_ineffective`` states claim ``btg-ineffective-29``: a run with 35 is a scenario. Its briefing
opens with a banner saying what it assumes and what was reported, lists the value among the
assumptions, and no sentence, label or alt text calls 35 reported. The baseline has no banner.
"""

from __future__ import annotations

import html
import json
import re

import pytest

from estimates.parameters.schema import label, specs
from estimates.report.case_words import in_case_words
from estimates.report.scenario import agrees, scenario_inputs

from .conftest import quick_flags, run_cli
from .test_diff import changed_run_for

#: The bundled case's words for its units (data/case.yaml).
CASE_WORDS = {"unit_plural": "battalion tactical groups", "unit_singular": "battalion tactical group"}


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
    shown = in_case_words(label("units_ineffective"), CASE_WORDS)
    assert f"{shown} = 35 battalion tactical groups (reported: 29, claim btg-ineffective-29)" in text
    # On the first screen: before the bottom line.
    assert scenario_html.index('class="scenario-banner"') < scenario_html.index('id="bottom-line"')


def test_no_sentence_calls_the_assumed_value_reported(scenario_html):
    text = " ".join(visible_and_alt_text(scenario_html).split())
    for claim in (r"reported\W+35\b", r"\b35 reported", r"\b35 BTGs reported", r"reported: 35\b"):
        assert not re.search(claim, text), claim
    assert "The run counts 35 of the 125 committed battalion tactical groups" in text
    assert "Western officials reported 29 for 6 April 2022" in text


def test_the_assumed_value_is_listed_with_the_assumptions(scenario_html):
    facts = scenario_html[scenario_html.index("Inputs taken from reporting"):scenario_html.index("Analyst assumptions")]
    assumptions = scenario_html[scenario_html.index("Analyst assumptions"):]
    assert 'id="input-units_ineffective"' not in facts and 'id="input-units_ineffective"' in assumptions
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


def test_the_banner_is_repeated_at_the_top_of_every_printed_page(scenario_html):
    # A page margin box (@page @top-center) shows --scenario, set on the html element, on every
    # printed page; the text is a CSS string (hex escapes) inside an HTML attribute.
    assert re.search(r"@page \{\s*@top-center \{ content: var\(--scenario\)", scenario_html)
    [value] = re.findall(r'<html lang="en" style="--marking: [^"]*?; --scenario: ([^"]*)"', scenario_html)
    rule = html.unescape(value)
    text = re.sub(r"\\([0-9a-f]+) ", lambda m: chr(int(m.group(1), 16)), rule.strip('"'))
    assert text.startswith("SCENARIO: assumes units_ineffective = 35 (reported: 29)")


@pytest.fixture(scope="module")
def larger_force_results(larger_force_run) -> dict:
    return json.loads((larger_force_run[1] / "results.json").read_text())


def test_sensitivity_varies_the_counts_about_the_runs_values(larger_force_results):
    seen = {"units_committed": [], "units_ineffective": []}
    for section in larger_force_results.values():
        for judgment in section.get("judgments", []) if isinstance(section, dict) else []:
            for variation in (judgment.get("sensitivity") or {}).get("variations", []):
                if variation["parameter"] in seen:
                    seen[variation["parameter"]].append(variation["value"])
    assert seen["units_committed"] and seen["units_ineffective"]
    assert min(seen["units_committed"]) < 200 < max(seen["units_committed"])
    assert min(seen["units_ineffective"]) < 61 < max(seen["units_ineffective"])
    assert all(150 < v < 250 for v in seen["units_committed"])  # not the seed's 120-130


@pytest.fixture(scope="module")
def early_cutoff(tmp_path_factory) -> tuple[dict, str]:
    root = tmp_path_factory.mktemp("early")
    done = run_cli("run", "--out", str(root), *quick_flags(as_of="2022-03-15"))
    assert done.returncode == 0, done.stderr
    run = (root / "latest").resolve()
    return json.loads((run / "results.json").read_text()), (run / "briefing.html").read_text()


def test_an_early_cut_off_leaves_out_what_was_reported_later(early_cutoff):
    results, page = early_cutoff
    text = " ".join(visible_and_alt_text(page).split())
    left_out = json.dumps(results["resupply"])
    for consignment in ("rpg-launchers", "atgm-launchers", "astros-launchers"):  # 26 March, 1 April
        assert consignment in left_out
    assert "after the cut-off" in text
    [banner] = re.findall(r'<p class="scenario-banner".*?</p>', page, re.S)
    banner = " ".join(html.unescape(re.sub(r"<[^>]+>", "", banner)).split())
    shown = in_case_words(label("units_ineffective"), CASE_WORDS)
    assert f"{shown} = 29" in banner and "after the cut-off" in banner
    # The count describes no date after the cut-off: 15 March 2022 is day 20.
    assert results["case"]["count_date"] == "2022-03-15" and results["case"]["count_day"] == 20
