"""The grade mapping keeps the grades' information: F and 6 add none, and it is monotone in both.

The rule (data/grades.md; GradeTable.probability) in odds: odds(P) = odds(c) * (odds(r) / odds(b))^w
with c the credibility's table value, r the reliability's, b the base rate, w = 1/2, and c = b for
credibility 6, r = b for reliability F; grade_confidence k then stretches log-odds about b:
odds(P_k) = odds(b) * (odds(P) / odds(b))^k.
"""

import csv
import itertools
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from estimates.inputs.claims import load_ledger
from estimates.inputs.files import LedgerError
from estimates.inputs.grade_table import load_grade_table
from estimates.models.resupply.grading import truth_probabilities
from estimates.paths import CLAIMS_LEDGER, DATA_DIR, GRADE_TABLE

from .strategies import base_rates

TABLE = load_grade_table(GRADE_TABLE)
BEST_TO_WORST = {"reliability": "ABCDE", "credibility": "12345"}


def _csv_values() -> dict[str, float | None]:
    # Read with the csv module, apart from the loader: grade -> probability, None for "base_rate".
    with open(GRADE_TABLE, newline="", encoding="utf-8") as handle:
        return {r["grade"]: None if r["probability"] == "base_rate" else float(r["probability"])
                for r in csv.DictReader(handle)}


VALUES = _csv_values()


def odds(p: float) -> float:
    return p / (1 - p)


def by_hand(reliability: str, credibility: str, b: float, k: float = 1.0, w: float = 0.5) -> float:
    """The closed form in odds, from the table's values (module docstring)."""
    c = VALUES[credibility] if VALUES[credibility] is not None else b
    r = VALUES[reliability] if VALUES[reliability] is not None else b
    unstretched = odds(c) * (odds(r) / odds(b)) ** w
    o = odds(b) * (unstretched / odds(b)) ** k
    return o / (1 + o)


@pytest.mark.parametrize(("grade", "base", "expected"), [
    # Reliability F: the credibility's value alone, whatever the base rate.
    ("F5", 0.5, 0.10), ("F4", 0.5, 0.30), ("F5", 0.3, 0.10), ("F3", 0.8, 0.55),
    # F6: the base rate.
    ("F6", 0.5, 0.5), ("F6", 0.3, 0.3),
    # B6 at 0.5: odds 1 * (4 / 1)^(1/2) = 2 -> 2/3.
    ("B6", 0.5, 2 / 3),
    # B6 at 0.3: odds (3/7) * (4 / (3/7))^(1/2) = sqrt(12/7) = 1.309307 -> 0.566970.
    ("B6", 0.3, 0.566970),
    # B2 at 0.5: odds 4 * 4^(1/2) = 8 -> 8/9.
    ("B2", 0.5, 8 / 9),
    # E5 at 0.5: odds (1/9) * (1/4)^(1/2) = 1/18 -> 1/19.
    ("E5", 0.5, 1 / 19),
    # A5 at 0.5: odds (1/9) * 19^(1/2) = 0.484322 -> 0.326292: a reliable source lifts an improbable claim.
    ("A5", 0.5, 0.326292),
    # D4 at 0.5: odds (3/7) * (2/3)^(1/2) = 0.349927 -> 0.259219.
    ("D4", 0.5, 0.259219),
])
def test_grade_pairs_computed_by_hand(grade, base, expected):
    assert TABLE.probability(grade[0], grade[1], base_rate=base) == pytest.approx(expected, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(base_rates, st.floats(0.0, 3.0), st.sampled_from("ABCDEF"), st.sampled_from("123456"))
@example(0.3, 2.0, "B", "3")
def test_matches_the_closed_form(base, k, reliability, credibility):
    found = TABLE.probability(reliability, credibility, base_rate=base, grade_confidence=k)
    assert found == pytest.approx(by_hand(reliability, credibility, base, k), rel=1e-9, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(base_rates, st.floats(0.0, 3.0), st.floats(0.0, 1.0))
def test_cannot_be_judged_adds_no_information(base, k, w):
    for credibility in "12345":
        # F: the credibility alone (stretched about the base rate like any grade); at k = 1 its table value.
        f = TABLE.probability("F", credibility, base_rate=base, grade_confidence=k, reliability_weight=w)
        assert f == pytest.approx(by_hand("F", credibility, base, k, w), rel=1e-9)
        assert TABLE.probability("F", credibility, base_rate=base) == pytest.approx(VALUES[credibility])
    for reliability in "ABCDE":
        # 6: the base rate moved by the reliability only.
        six = TABLE.probability(reliability, "6", base_rate=base, grade_confidence=k, reliability_weight=w)
        r = VALUES[reliability]
        moved = odds(base) * (odds(r) / odds(base)) ** (w * k)
        assert six == pytest.approx(moved / (1 + moved), rel=1e-9)
        # ... and so on the reliability's side of the base rate.
        assert (six - base) * (r - base) >= -1e-12
    assert TABLE.probability("F", "6", base_rate=base, grade_confidence=k, reliability_weight=w) == pytest.approx(base)


@settings(max_examples=150, deadline=None)
@given(base_rates, st.floats(0.01, 3.0))
def test_monotone_in_each_grade(base, k):
    # Monotone: for a fixed other grade, P never rises from the best grade to the worst (A to E,
    # 1 to 5). F and 6 sit where the base rate sits among the table's values: P is monotone in a
    # grade's value with F and 6 valued at the base rate.
    def p(r, c):
        return TABLE.probability(r, c, base_rate=base, grade_confidence=k)

    for c in "123456":
        along = [p(r, c) for r in "ABCDE"]
        assert all(a >= b - 1e-12 for a, b in itertools.pairwise(along)), (c, along)
        by_value = sorted("ABCDEF", key=lambda r: VALUES[r] if VALUES[r] is not None else base)
        assert [p(r, c) for r in by_value] == sorted(p(r, c) for r in by_value)
    for r in "ABCDEF":
        along = [p(r, c) for c in "12345"]
        assert all(a >= b - 1e-12 for a, b in itertools.pairwise(along)), (r, along)
        by_value = sorted("123456", key=lambda c: VALUES[c] if VALUES[c] is not None else base)
        assert [p(r, c) for c in by_value] == sorted(p(r, c) for c in by_value)


def test_the_seed_transfer_claims_keep_their_credibility():
    # All four are reliability F: Bavar-373 F5 -> 0.10 (the old mean gave 0.30), S-300 F4 -> 0.30 (0.40).
    ledger = load_ledger(CLAIMS_LEDGER)
    ids = ["rpg-atgm-shalamcheh-2022-03-26", "astros-sajil60-to-iran-2022-04-01", "bavar373-donated", "s300-returned"]
    p = truth_probabilities([ledger[c] for c in ids], TABLE, base_rate=0.5)
    assert p == pytest.approx([0.55, 0.30, 0.10, 0.30])


# --- the worked table in data/grades.md -------------------------------------------------------------

def _worked_tables() -> dict[float, dict[str, list[float]]]:
    text = (DATA_DIR / "grades.md").read_text(encoding="utf-8")
    tables = {}
    for base, body in re.findall(r"base rate ([0-9.]+)\n\n\| reliability.*?\n\|[-| ]+\n((?:\|.*\n)+)", text):
        rows = {}
        for line in body.strip().splitlines():
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            rows[cells[0].strip("*")] = [float(x) for x in cells[1:]]
        tables[float(base)] = rows
    return tables


def test_the_documented_worked_table_is_the_mapping():
    tables = _worked_tables()
    assert set(tables) == {0.5, 0.3}
    for base, rows in tables.items():
        assert list(rows) == list("ABCDEF")
        for reliability, values in rows.items():
            assert values == pytest.approx([round(by_hand(reliability, c, base), 3) for c in "123456"], abs=5e-4)


# --- the loader keeps the rule's premises -----------------------------------------------------------

@pytest.mark.parametrize(("old", "new", "message"), [
    ("reliability,F,base_rate", "reliability,F,0.5",
     r"line 7: field 'probability' must be 'base_rate' for reliability F \('cannot be judged'\) and only for it; got '0.5'"),
    ("credibility,6,base_rate", "credibility,6,0.5",
     r"line 13: field 'probability' must be 'base_rate' for credibility 6"),
    ("reliability,D,0.40", "reliability,D,base_rate",
     r"line 5: field 'probability' must be 'base_rate' for reliability F .* got 'base_rate' for 'D'"),
    ("credibility,3,0.55", "credibility,3,0.85",
     r"credibility grade '3' has a higher probability \(0.85\) than '2' \(0.8\); probabilities must not rise from 1 to 5"),
    ("reliability,E,0.20", "reliability,E,0.45",
     r"reliability grade 'E' has a higher probability \(0.45\) than 'D' \(0.4\)"),
])
def test_a_table_breaking_the_rules_premises_is_refused(tmp_path, old, new, message):
    path = tmp_path / "grades.csv"
    text = GRADE_TABLE.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    with pytest.raises(LedgerError, match=message) as error:
        load_grade_table(path)
    assert "\n" not in str(error.value)


def test_worst_grades_may_tie(tmp_path):
    # "Not rising" allows equal values: an analyst may say D and E are alike.
    path = tmp_path / "grades.csv"
    path.write_text(GRADE_TABLE.read_text().replace("reliability,E,0.20", "reliability,E,0.40"))
    assert load_grade_table(path).reliability["E"] == 0.40
