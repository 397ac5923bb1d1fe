"""Admiralty grades to probabilities, and correlated claim truth."""

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats

from estimates.inputs.claims import Claim
from estimates.inputs.files import LedgerError
from estimates.inputs.grade_table import load_grade_table
from estimates.models.resupply.grading import (
    LatentStructure,
    claim_truth,
    effective_credibility,
    truth_probabilities,
)
from estimates.paths import GRADE_TABLE

TABLE = load_grade_table(GRADE_TABLE)


def _id(text: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text.casefold()).split()) or "x"


def claim(claim_id, grade="B2", originator="o", outlet="x", report_date=dt.date(2022, 4, 11), line=None):
    """A claim reported on ``report_date`` (the bundled case's cut-off by default); its line of
    evidence is its originator's unless ``line`` says otherwise."""
    return Claim(claim_id=claim_id, statement="s", originator=originator, outlet=outlet,
                 originator_id=_id(originator), outlet_id=_id(outlet), evidence_line=_id(line or originator),
                 carried_by="test", reliability=grade[0], credibility=grade[1], grade_reason="r",
                 report_date=report_date)


def test_cannot_be_judged_adds_nothing():
    for base in (0.2, 0.5, 0.8):
        assert TABLE.probability("F", "6", base_rate=base) == pytest.approx(base)
        # F3 is the table's value for 3 (0.55 in data/grade_probabilities.csv), not a mean with the base rate.
        assert TABLE.probability("F", "3", base_rate=base) == pytest.approx(0.55)


def test_grade_confidence_stretches_log_odds_from_the_base_rate():
    plain = TABLE.probability("B", "2", base_rate=0.5)  # odds 4 * 4^(1/2) = 8 (data/grades.md)
    assert plain == pytest.approx(8 / 9)
    doubled = TABLE.probability("B", "2", base_rate=0.5, grade_confidence=2.0)
    assert special.logit(doubled) == pytest.approx(2 * special.logit(8 / 9))
    assert TABLE.probability("B", "2", base_rate=0.5, grade_confidence=0.0) == pytest.approx(0.5)


def test_better_grades_never_give_lower_probabilities():
    for base in (0.3, 0.5, 0.7):
        rel = [TABLE.probability(r, "3", base_rate=base) for r in "ABCDE"]
        cred = [TABLE.probability("C", c, base_rate=base) for c in "12345"]
        assert rel == sorted(rel, reverse=True) and cred == sorted(cred, reverse=True)


def test_confirmation_by_a_correlated_claim_is_not_corroboration():
    a = claim("a", "B1", originator="same")
    b = claim("b", "B2", originator="same")
    lone = claim("c", "B1", originator="alone", outlet="elsewhere")
    assert effective_credibility(a, [a, b]) == "2"
    assert effective_credibility(lone, [lone, b]) == "1"
    p = truth_probabilities([a, b], TABLE, base_rate=0.5)
    assert p[0] == pytest.approx(p[1])


def test_correlation_is_by_id_and_line_not_by_text():
    # One originator worded two ways (one id) and two sources in one article (one line) are
    # correlated; one outlet carrying two unrelated lines is not.
    plural = claim("a", "B1", originator="Western officials").model_copy(update={"originator_id": "west"})
    singular = claim("b", "B2", originator="Western official").model_copy(update={"originator_id": "west"})
    assert effective_credibility(plural, [plural, singular]) == "2"
    first = claim("c", "B1", originator="source one", line="article")
    second = claim("d", "B2", originator="source two", line="article")
    assert effective_credibility(first, [first, second]) == "2"
    elsewhere = claim("e", "B2", originator="someone else", outlet="x", line="another-article")
    assert effective_credibility(first, [first, elsewhere]) == "1"
    structure = LatentStructure.of([plural, singular, first, second, elsewhere])
    assert structure.originator_index.tolist() == [0, 0, 1, 2, 3]
    assert structure.line_index.tolist() == [0, 1, 2, 2, 3]


def test_override_table_is_validated(tmp_path):
    bad = tmp_path / "grades.csv"
    bad.write_text(GRADE_TABLE.read_text().replace("reliability,B,0.80", "reliability,B,1.7"))
    with pytest.raises(LedgerError, match=r"line 3: field 'probability' must be a number strictly between 0 and 1"):
        load_grade_table(bad)
    missing = tmp_path / "missing.csv"
    missing.write_text("\n".join(GRADE_TABLE.read_text().splitlines()[:-1]) + "\n")
    with pytest.raises(LedgerError, match="credibility grade '6' has no row"):
        load_grade_table(missing)


@pytest.mark.parametrize("rho", [0.0, 0.3, 0.6, 0.9])
def test_two_claims_jointly_true_matches_bivariate_normal(rho):
    # Two claims with P(true) = 0.6 sharing an originator (latent correlation rho):
    # P(both true) = Phi2(z, z; rho) with z = Phi^-1(0.6), from scipy.stats.multivariate_normal.
    claims = [claim("a", originator="o", line="x"), claim("b", originator="o", line="y")]
    structure = LatentStructure.of(claims)
    rng = np.random.default_rng(20)
    n = 400_000
    latent = structure.latent(rng.standard_normal((n, structure.n_factors)), rho, 0.0)
    truth = claim_truth(latent, np.array([0.6, 0.6]))
    z = stats.norm.ppf(0.6)
    expected = stats.multivariate_normal(mean=[0, 0], cov=[[1, rho], [rho, 1]]).cdf([z, z])
    both = truth.all(axis=1).mean()
    assert abs(both - expected) < 4 * np.sqrt(expected * (1 - expected) / n)
    assert truth[:, 0].mean() == pytest.approx(0.6, abs=4 * np.sqrt(0.24 / n))


@st.composite
def ledgers(draw):
    n = draw(st.integers(1, 12))
    originators = draw(st.lists(st.sampled_from("abc"), min_size=n, max_size=n))
    lines = draw(st.lists(st.sampled_from("xyz"), min_size=n, max_size=n))
    return [claim(f"c{i}", originator=o, line=u) for i, (o, u) in enumerate(zip(originators, lines))]


@settings(max_examples=60, deadline=None)
@given(ledgers(), st.floats(0, 1), st.floats(0, 1))
def test_correlation_matrix_is_valid_for_any_ledger(claims, a, b):
    if a + b > 1:
        a, b = a / (a + b), b / (a + b)
    corr = LatentStructure.of(claims).correlation(a, b)
    assert np.allclose(corr, corr.T) and np.allclose(np.diag(corr), 1.0)
    assert np.linalg.eigvalsh(corr).min() > -1e-9


def test_latent_draws_have_the_implied_correlation():
    claims = [claim("a", originator="o", line="x"), claim("b", originator="o", line="x"),
              claim("c", originator="p", line="x"), claim("d", originator="q", line="w")]
    structure = LatentStructure.of(claims)
    rng = np.random.default_rng(5)
    latent = structure.latent(rng.standard_normal((300_000, structure.n_factors)), 0.3, 0.2)
    assert np.corrcoef(latent.T) == pytest.approx(structure.correlation(0.3, 0.2), abs=0.01)


def test_weights_above_one_are_rejected():
    structure = LatentStructure.of([claim("a")])
    with pytest.raises(ValueError, match="must lie in"):
        structure.latent(np.zeros((1, structure.n_factors)), 0.7, 0.5)


def test_an_analyst_grade_table_reaches_the_model(tmp_path):
    from estimates.models.resupply import assessment as resupply_analysis
    from estimates.parameters.schema import validate

    table = tmp_path / "grades.csv"
    table.write_text(GRADE_TABLE.read_text().replace("credibility,3,0.55", "credibility,3,0.70"))
    base = resupply_analysis.load(validate({}))
    mine = resupply_analysis.load(validate({"grades_path": str(table)}))
    assert mine.grades.credibility["3"] == 0.70 and base.grades.credibility["3"] == 0.55
    assert table in mine.files and table not in base.files


def test_a_bad_grade_table_is_refused_before_any_kernel(tmp_path, capsys):
    from estimates import cli

    table = tmp_path / "grades.csv"
    table.write_text("nothing useful\n")
    code = cli.main(["run", "--out", str(tmp_path / "reports"), "-p", "grades_path", str(table)])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("estimates: error: parameter 'grades_path':") and "\n" not in err
    assert not (tmp_path / "reports").exists()
