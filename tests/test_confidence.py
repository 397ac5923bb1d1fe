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
    # A row without id columns (an older results.json): originators are told apart by their text.
    return {"claim_id": claim_id, "reliability": grade[0], "credibility": grade[1:], "originator": originator}


def _judgment(claim_ids, holds=True, tested=True):
    judgment = {"id": "j", "claim_ids": list(claim_ids)}
    if tested:
        judgment["sensitivity"] = {"holds": holds, "changed_by": [] if holds else ["units_ineffective"],
                                   "parameters": ["units_ineffective", "reconstitution_per_week"],
                                   "probability_range": [0.2, 0.6 if not holds else 0.4]}
    return judgment


def _level(grades_and_originators, holds=True, tested=True):
    sources = {f"c{i}": _source(f"c{i}", grade, who) for i, (grade, who) in enumerate(grades_and_originators)}
    return confidence.rate(_judgment(sources, holds, tested), sources).level


@pytest.mark.parametrize(("claims", "holds", "tested", "expected"), [
    # Two independent lines of evidence, all graded A-B / 1-2, term holds: high.
    ([("B2", "X"), ("B2", "Y")], True, True, "high"),
    ([("A1", "X"), ("B2", "Y"), ("B1", "Z")], True, True, "high"),
    # One originator, so one line, however many claims: moderate at best.
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
        assert not re.search(rf"\b{re.escape(term)}\b", result.statement, re.IGNORECASE), term


def test_rule_text_matches_the_constants():
    # The appendix prints RULE; it must state the thresholds the code uses and what counts.
    text = " ".join(confidence.RULE)
    assert "A or B" in text and "1 or 2" in text and "C3" in text and "two independent lines" in text
    assert "only set what is asked" in text and "share a briefing, a source network or an article" in text
    assert confidence.GOOD == ({"A", "B"}, {"1", "2"}) and confidence.MIN_LINES_FOR_HIGH == 2


# --- term sensitivity ---------------------------------------------------------------------------------

def _toy(params):
    # A deterministic stand-in for a model: probability = reported count / 60 (29 -> 0.483).
    return [Judgment("toy", "x happens", ExactProbability(params.units_ineffective / 60, "toy"), "toy")]


def test_term_sensitivity_of_a_toy_model():
    params = validate({})
    [judgment] = with_term_sensitivity(_toy(params), params, _toy, ["units_ineffective", "reconstitution_per_week"])
    s = judgment.sensitivity
    # units_ineffective plausible 25..38: 25/60 = 0.417 (unlikely), 38/60 = 0.633 (likely);
    # reconstitution_per_week (plausible 0..3) has no effect on the toy.
    assert [(v.parameter, v.value) for v in s.variations] == [
        ("units_ineffective", 25), ("units_ineffective", 38), ("reconstitution_per_week", 0.0),
        ("reconstitution_per_week", 3.0)]
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
    assert "units_ineffective" in names and "reconstitution_per_week" in names and "combat_power_retained" in names
    assert not set(names) & {"horizon_days", "threshold_share", "seed", "n_samples"}


def test_attrition_judgments_name_their_claims():
    judgments = {j.id: j for j in MODELS["attrition"].key_judgments(validate(QUICK))}
    threshold, rate = judgments["attrition-threshold"], judgments["attrition-rate-above-implied-loss"]
    assert {"btg-ineffective-29", "btg-committed-125"} <= set(threshold.claim_ids)
    # The retained-power claim only sets the second judgment's threshold: cited, never evidence.
    assert rate.question_claim_ids == ("us-combat-power-retained-75",)
    assert "us-combat-power-retained-75" not in rate.claim_ids


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
    sources = {s["claim_id"]: s for section in baseline_results.values() if isinstance(section, dict)
               for s in section.get("sources", [])}
    judgments = {j["id"]: j for section in baseline_results.values() if isinstance(section, dict)
                 for j in section.get("judgments", [])}
    levels = {name: confidence.rate(j, sources) for name, j in judgments.items()}
    # The recorded sources carry the ledger's ids, so the rule groups by them, not by text.
    assert all("originator_id" in row and "evidence_line" in row for row in sources.values())
    # The threshold judgment rests on one briefing (the 29 and the 125): one line, moderate at best;
    # across the plausible count (25-38 BTGs) its band changes, so low.
    threshold = levels["attrition-threshold"]
    assert (len(threshold.lines), threshold.evidence_level, threshold.term_holds, threshold.level) == (
        1, "moderate", False, "low")
    assert "units_ineffective" in threshold.changed_by
    # The pooled statements (Guardian, CNN, BBC) are one originator's: one line, never high.
    for name in ("pooling-rising-tempo", "pooling-third-ineffective"):
        if name in levels:
            assert len(levels[name].lines) == 1 and levels[name].evidence_level == "moderate", name
    # No baseline judgment counts a claim that only sets its question.
    for name, judgment in judgments.items():
        assert not set(judgment.get("question_claim_ids", [])) & {e.claim_id for e in levels[name].evidence}, name
