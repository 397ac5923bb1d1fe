"""grade_confidence stretches log-odds about the base rate, pinned to the closed form of the grade
mapping (data/grades.md) for base rates other than 0.5."""

import csv

import numpy as np
import pytest
from hypothesis import example, given, settings

from estimates.inputs.grade_table import load_grade_table
from estimates.paths import GRADE_TABLE

from .strategies import admiralty_grades, base_rates, grade_confidences

TABLE = load_grade_table(GRADE_TABLE)


def _csv_table() -> dict[str, str]:
    # Read independently of estimates.models.resupply.grading: grade -> probability text ("base_rate" or a number).
    with open(GRADE_TABLE, newline="", encoding="utf-8") as handle:
        return {row["grade"]: row["probability"] for row in csv.DictReader(handle)}


CSV_TABLE = _csv_table()


def stretched(reliability: str, credibility: str, base: float, c: float) -> float:
    """logit^-1(logit(b) + c [(logit(v_c) - logit(b)) + (logit(v_r) - logit(b)) / 2]), v the grades'
    probabilities, F and 6 standing for the base rate b (data/grades.md; data/grade_probabilities.csv)."""
    v_r, v_c = (base if CSV_TABLE[g] == "base_rate" else float(CSV_TABLE[g]) for g in (reliability, credibility))
    anchor = np.log(base / (1 - base))
    move = (np.log(v_c / (1 - v_c)) - anchor) + (np.log(v_r / (1 - v_r)) - anchor) / 2
    return float(1 / (1 + np.exp(-(anchor + c * move))))


@pytest.mark.parametrize(("base", "c", "expected"), [
    # B3 (0.80 and 0.55 in data/grade_probabilities.csv). logit(0.3) = -0.847298, logit(0.55) =
    # 0.200671, logit(0.8) = 1.386294: move = 1.047969 + 2.233592 / 2 = 2.164765;
    # -0.847298 + 2 * 2.164765 = 3.482231, logistic -> 0.970178.
    (0.3, 2.0, 0.970178),
    # logit(0.8) = 1.386294: move = (0.200671 - 1.386294) + 0 / 2 = -1.185623;
    # 1.386294 + 0.5 * -1.185623 = 0.793483, logistic -> 0.688579.
    (0.8, 0.5, 0.688579),
    # c = 0 keeps the base rate, whatever the grade.
    (0.2, 0.0, 0.2),
])
def test_grade_confidence_stretches_about_the_base_rate(base, c, expected):
    assert TABLE.probability("B", "3", base_rate=base, grade_confidence=c) == pytest.approx(expected, abs=1e-6)
    assert stretched("B", "3", base, c) == pytest.approx(expected, abs=1e-6)


def test_cannot_be_judged_stays_at_the_base_rate_whatever_the_stretch():
    for base in (0.1, 0.3, 0.7):
        for c in (0.5, 2.0, 3.0):
            assert TABLE.probability("F", "6", base_rate=base, grade_confidence=c) == pytest.approx(base)


@settings(max_examples=200, deadline=None)
@given(base_rates, grade_confidences, admiralty_grades)
@example(0.3, 2.0, ("B", "3"))
def test_stretch_matches_the_closed_form_for_any_base_rate(base, c, grade):
    reliability, credibility = grade
    found = TABLE.probability(reliability, credibility, base_rate=base, grade_confidence=c)
    assert found == pytest.approx(stretched(reliability, credibility, base, c), abs=1e-9)
    # The base rate is the fixed point: no stretch, or a grade that says nothing, returns it.
    assert TABLE.probability(reliability, credibility, base_rate=base, grade_confidence=0.0) == pytest.approx(base)
    assert TABLE.probability("F", "6", base_rate=base, grade_confidence=c) == pytest.approx(base)
