"""The confidence rule, its inputs (claim ids, term sensitivity) and what the baseline run recorded."""

import re

import pytest

from estimates.core import confidence
from estimates.core.judgments import Judgment
from estimates.core.quantities import ExactProbability
from estimates.core.wording import SCALE
from estimates.parameters.schema import validate
from estimates.parameters.variations import with_term_sensitivity
from estimates.registry import MODELS

from .conftest import QUICK

TERMS = [band.term for band in SCALE] + [band.synonym for band in SCALE]


def _source(claim_id, grade, originator):
    return {"claim_id": claim_id, "reliability": grade[0], "credibility": grade[1:], "originator": originator}


def _judgment(claim_ids, holds=True, tested=True):
    judgment = {"id": "j", "claim_ids": list(claim_ids)}
    if tested:
        judgment["sensitivity"] = {"holds": holds, "changed_by": [] if holds else ["units_ineffective"],
                                   "parameters": ["units_ineffective", "hazard_shape"],
                                   "probability_range": [0.2, 0.6 if not holds else 0.4]}
    return judgment


def _level(grades_and_originators, holds=True, tested=True):
    sources = {f"c{i}": _source(f"c{i}", grade, who) for i, (grade, who) in enumerate(grades_and_originators)}
    return confidence.rate(_judgment(sources, holds, tested), sources).level


@pytest.mark.parametrize(("claims", "holds", "tested", "expected"), [
    # Two independent originators, all graded A-B / 1-2, term holds: high.
    ([("B2", "X"), ("B2", "Y")], True, True, "high"),
    ([("A1", "X"), ("B2", "Y"), ("B1", "Z")], True, True, "high"),
    # One originator, however many claims: moderate at best.
    ([("B2", "X"), ("B2", "X")], True, True, "moderate"),
    # A C3 claim keeps it at moderate; a D4 or an F claim makes it low.
    ([("B2", "X"), ("C3", "Y")], True, True, "moderate"),
    ([("B2", "X"), ("D4", "Y")], True, True, "low"),
    ([("F3", "X"), ("F4", "Y")], True, True, "low"),
    ([("B4", "X"), ("B2", "Y")], True, True, "low"),
    # Robustness: the term changing within the plausible ranges costs one level.
    ([("B2", "X"), ("B2", "Y")], False, True, "moderate"),
    ([("B2", "X"), ("B2", "X")], False, True, "low"),
    ([("D4", "X")], False, True, "low"),
    # Untested: at most moderate.
    ([("B2", "X"), ("B2", "Y")], True, False, "moderate"),
    ([("C3", "X")], True, False, "moderate"),
    # No claims at all: low.
    ([], True, True, "low"),
])
def test_rule(claims, holds, tested, expected):
    assert _level(claims, holds, tested) == expected


def test_changing_one_grade_changes_the_level():
    good = [("B2", "Western officials"), ("B2", "US official")]
    assert _level(good) == "high"
    assert _level([("B2", "Western officials"), ("C3", "US official")]) == "moderate"
    assert _level([("B2", "Western officials"), ("E5", "US official")]) == "low"


def test_an_originator_counts_once_however_it_is_spaced_or_cased():
    # Re-reporting is not corroboration: the same originator twice is one originator.
    assert _level([("B2", "Western officials (unnamed)"), ("B2", " western  officials (unnamed)")]) == "moderate"


def test_a_claim_missing_from_the_ledger_is_ungraded():
    sources = {"a": _source("a", "B2", "X"), "b": _source("b", "B2", "Y")}
    result = confidence.rate(_judgment(["a", "b", "ghost"]), sources)
    assert result.level == "low" and result.missing == ("ghost",)
    assert "ghost" in result.statement


@pytest.mark.parametrize("claims", [[("B2", "X"), ("B2", "Y")], [("B2", "X")], [("F6", "X")], []])
@pytest.mark.parametrize(("holds", "tested"), [(True, True), (False, True), (True, False)])
def test_statement_never_uses_a_likelihood_term(claims, holds, tested):
    sources = {f"c{i}": _source(f"c{i}", grade, who) for i, (grade, who) in enumerate(claims)}
    result = confidence.rate(_judgment(sources, holds, tested), sources)
    assert result.statement.startswith(f"Confidence in this judgment is {result.level}.")
    for term in TERMS:
        assert not re.search(rf"\b{re.escape(term)}\b", result.statement, re.I), term


def test_rule_text_matches_the_constants():
    # The appendix prints RULE; it must state the thresholds the code uses.
    text = " ".join(confidence.RULE)
    assert "A or B" in text and "1 or 2" in text and "C3" in text and "two independent" in text
    assert confidence.GOOD == ({"A", "B"}, {"1", "2"}) and confidence.MIN_ORIGINATORS_FOR_HIGH == 2


# --- term sensitivity ---------------------------------------------------------------------------------

def _toy(params):
    # A deterministic stand-in for a model: probability = reported count / 60 (29 -> 0.483).
    return [Judgment("toy", "x happens", ExactProbability(params.units_ineffective / 60, "toy"), "toy")]


def test_term_sensitivity_of_a_toy_model():
    params = validate({})
    [judgment] = with_term_sensitivity(_toy(params), params, _toy, ["units_ineffective", "hazard_shape"])
    s = judgment.sensitivity
    # units_ineffective plausible 25..38: 25/60 = 0.417 (unlikely), 38/60 = 0.633 (likely); hazard_shape no effect.
    assert [(v.parameter, v.value) for v in s.variations] == [
        ("units_ineffective", 25), ("units_ineffective", 38), ("hazard_shape", 0.7), ("hazard_shape", 1.3)]
    assert s.changed_by == ("units_ineffective",) and not s.holds
    assert s.probability_range == pytest.approx((25 / 60, 38 / 60))
    assert judgment.to_dict()["sensitivity"]["changed_by"] == ["units_ineffective"]


def test_term_sensitivity_skips_combinations_the_schema_rejects():
    params = validate({"units_committed": 30, "units_ineffective": 29})
    [judgment] = with_term_sensitivity(_toy(params), params, _toy, ["units_ineffective"])
    # 38 ineffective of 30 committed is invalid: skipped and said so, not silently dropped.
    assert [v.value for v in judgment.sensitivity.variations] == [25]
    [(name, value, reason)] = judgment.sensitivity.skipped
    assert (name, value) == ("units_ineffective", 38) and "units_committed" in reason


def test_attrition_varies_uncertain_inputs_not_the_question():
    names = MODELS["attrition"].sensitivity_inputs()
    assert "units_ineffective" in names and "hazard_shape" in names and "combat_power_retained" in names
    assert not set(names) & {"horizon_days", "threshold_share", "seed", "n_samples"}


def test_attrition_judgments_name_their_claims():
    judgments = {j.id: j for j in MODELS["attrition"].key_judgments(validate(QUICK))}
    assert judgments["attrition-threshold"].claim_ids == ("btg-ineffective-29", "btg-committed-125")
    assert judgments["attrition-rate-above-implied-loss"].claim_ids == (
        "btg-ineffective-29", "btg-committed-125", "us-combat-power-retained-75")


# --- what the baseline run recorded ---------------------------------------------------------------------

def test_recorded_sensitivity_is_the_package_recomputation(baseline_results):
    # The notebook records; the numbers must be what the package gives for the same inputs.
    recorded = {j["id"]: j for j in baseline_results["attrition"]["judgments"]}
    varied = validate({**QUICK, "units_ineffective": 38})
    for judgment in MODELS["attrition"].key_judgments(varied):
        [row] = [v for v in recorded[judgment.id]["sensitivity"]["variations"]
                 if v["parameter"] == "units_ineffective" and v["value"] == 38]
        assert row["probability"] == judgment.probability.probability


def test_baseline_confidence_levels(baseline_results):
    section = baseline_results["attrition"]
    sources = {s["claim_id"]: s for s in section["sources"]}
    levels = {j["id"]: confidence.rate(j, sources) for j in section["judgments"]}
    # Both rest on B2 claims; the threshold judgment has one originator (Western officials), the
    # other adds the US official. Across the plausible count (25-38 BTGs) both change band.
    threshold, rate = levels["attrition-threshold"], levels["attrition-rate-above-implied-loss"]
    assert (threshold.evidence_level, threshold.term_holds, threshold.level) == ("moderate", False, "low")
    assert (rate.evidence_level, rate.term_holds, rate.level) == ("high", False, "moderate")
    assert "units_ineffective" in threshold.changed_by and "units_ineffective" in rate.changed_by
