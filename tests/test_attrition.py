"""Attrition: hazard, projection and the assembled assessment."""

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from estimates.core.hazard import daily_hazard_from_probability
from estimates.core.randomness import model_rng
from estimates.models.attrition import assessment as attrition
from estimates.models.attrition import projection
from estimates.models.attrition.assessment import daily_hazard, project_effective
from estimates.parameters.schema import validate

from .strategies import counts, seeds

QUICK = {"n_samples": 4000}


def assess(params, rng, **kw):
    """The attrition model for ``params``, through its entry points (the ledger read once)."""
    return attrition.assess(params, attrition.load(params), rng, **kw)


def _project(rate, effective=96, ineffective=29, size=20_000, seed=1, **kw):
    defaults = dict(as_of_day=42, horizon_days=30, threshold=60, rng=np.random.default_rng(seed))
    defaults.update(kw)
    return project_effective(
        np.full(size, effective), np.full(size, ineffective), np.full(size, rate), **defaults
    )


def test_hazard_closed_form():
    # p = 1 - exp(-lambda t0)  <=>  lambda = -log(1 - p) / t0
    assert daily_hazard(np.array([0.232]), 42)[0] == pytest.approx(-np.log(1 - 0.232) / 42)
    assert daily_hazard(np.array([0.232]), 42, shape=1.5)[0] == pytest.approx(-1.5 * np.log(1 - 0.232) / 42)
    assert daily_hazard_from_probability(np.array([0.0]), 1)[0] == 0.0


@pytest.mark.parametrize("day_offset", [1, 10, 30])
def test_projection_matches_binomial_closed_form(day_offset):
    # With the hazard fixed and no reconstitution, effective BTGs at t are
    # Binomial(n - k, exp(-lambda (t - t0))). Chi-square goodness of fit over all values.
    p, effective, size = 29 / 125, 96, 40_000
    proj = _project(p, effective=effective, size=size)
    lam = -np.log1p(-p) / 42
    expected = stats.binom(effective, np.exp(-lam * day_offset)).pmf(np.arange(effective + 1)) * size
    observed = proj.counts[day_offset, : effective + 1]
    keep = expected > 5  # pool sparse tails into one bin
    obs = np.append(observed[keep], observed[~keep].sum())
    exp = np.append(expected[keep], expected[~keep].sum())
    assert stats.chisquare(obs, exp * obs.sum() / exp.sum()).pvalue > 1e-3


def test_projection_mean_matches_closed_form():
    p = 0.232
    proj = _project(p, size=50_000)
    lam = -np.log1p(-p) / 42
    expected = 96 * np.exp(-lam * np.arange(31))
    # Monte Carlo error of the mean: sd / sqrt(n), sd of the binomial at most sqrt(96 / 4)
    assert np.max(np.abs(proj.mean() - expected)) < 5 * np.sqrt(24 / 50_000)


@settings(max_examples=25, deadline=None)
@given(counts(max_n=200), seeds)
def test_without_reconstitution_projection_never_rises(kn, seed):
    k, n = kn
    rng = np.random.default_rng(seed)
    size = 300
    rate = rng.beta(k + 0.5, n - k + 0.5, size=size)
    proj = project_effective(np.full(size, n - k), np.full(size, k), rate, as_of_day=42,
                             horizon_days=20, threshold=n / 2, rng=rng)
    q = proj.quantiles()
    assert (q.diff().dropna() <= 0).all().all()
    assert np.all(np.diff(proj.mean()) <= 1e-12)
    passage = [x.probability for x in proj.first_passage()]
    assert np.all(np.diff(passage) >= 0)


def test_reconstitution_never_exceeds_ineffective():
    proj = _project(0.3, effective=10, ineffective=5, reconstitution_per_week=70.0, horizon_days=60)
    # However high the regeneration rate, effective BTGs never exceed the 15 committed ...
    values = np.arange(proj.counts.shape[1])
    assert values[proj.counts.sum(axis=0) > 0].max() == 15
    # ... and a rate of 10 a day keeps most draws at full strength most days.
    assert proj.counts[1:, 15].sum() > 0.5 * proj.counts[1:].sum()


def test_reconstitution_raises_effective_force():
    without = _project(0.232, seed=5)
    with_regen = _project(0.232, seed=5, reconstitution_per_week=3.0)
    assert with_regen.mean()[-1] > without.mean()[-1]


def test_rising_tempo_loses_more_than_constant():
    constant = _project(0.232, seed=2, shape=1.0)
    rising = _project(0.232, seed=2, shape=1.5)
    assert rising.mean()[-1] < constant.mean()[-1]


def test_first_passage_at_start_when_already_below():
    proj = _project(0.1, effective=50, threshold=60)
    assert proj.first_passage()[0].probability == 1.0


def test_quantiles_from_counts_match_numpy_inverted_cdf():
    rng = np.random.default_rng(4)
    size = 5000
    proj = project_effective(np.full(size, 96), np.full(size, 29), rng.beta(29.5, 96.5, size),
                             as_of_day=42, horizon_days=5, threshold=60, rng=rng)
    values = np.repeat(np.arange(proj.counts.shape[1]), proj.counts[-1])
    for level in (0.05, 0.5, 0.95):
        assert proj.quantiles()[f"{level:g}"].iloc[-1] == np.quantile(values, level, method="inverted_cdf")


def test_chunking_does_not_change_the_distribution(monkeypatch):
    # Chunk size only bounds memory: totals over all draws are kept exactly.
    monkeypatch.setattr(projection, "CHUNK", 700)
    proj = _project(0.232, size=2000)
    assert proj.counts.sum(axis=1).tolist() == [2000] * 31


@settings(max_examples=15, deadline=None)
@given(st.integers(min_value=0, max_value=100))
def test_more_ineffective_means_higher_hazard(k):
    low = validate({"units_ineffective": k, **QUICK, "count_uncertainty": 0, "denominator_uncertainty": 0})
    high = validate({"units_ineffective": k + 10, **QUICK, "count_uncertainty": 0, "denominator_uncertainty": 0})
    a = assess(low, model_rng(1, "attrition")).hazard_quantiles()["per_day_process"]["0.5"]
    b = assess(high, model_rng(1, "attrition")).hazard_quantiles()["per_day_process"]["0.5"]
    assert b > a


def test_same_seed_same_numbers_different_seed_different_numbers():
    params = validate(QUICK)
    first = assess(params, model_rng(params.seed, "attrition")).to_dict()
    again = assess(params, model_rng(params.seed, "attrition")).to_dict()
    other = assess(params, model_rng(params.seed + 1, "attrition")).to_dict()
    assert first == again
    assert first["projection"]["mean"] != other["projection"]["mean"]


def test_assessment_uses_the_parameters_given():
    params = validate({**QUICK, "units_committed": 200, "units_ineffective": 61, "count_date": dt.date(2022, 4, 11)})
    result = assess(params, model_rng(params.seed, "attrition"))
    assert result.as_of_day == 47  # 11 April 2022 is day 47 of the bundled case (day 1: 24 February)
    cp = result.proportion.clopper_pearson(0.95)
    # scipy.stats.binomtest(61, 200).proportion_ci(method="exact")
    ref = stats.binomtest(61, 200).proportion_ci(confidence_level=0.95, method="exact")
    assert (cp.low, cp.high) == pytest.approx((ref.low, ref.high))
    assert result.projection.dates[0] == dt.date(2022, 4, 11)


def test_judgments_use_events_and_mc_errors():
    result = assess(validate(QUICK), model_rng(1, "attrition"))
    for judgment in result.judgments:
        d = judgment.to_dict()
        assert d["range"][0] <= max(d["probability"]["probability"], 0.01)
        opening = "There is" if judgment.likelihood.term.endswith("chance") else "It is"
        assert d["sentence"].startswith(f"{opening} {judgment.likelihood.label} that")
    threshold = result.judgments[0]
    assert threshold.probability.probability == result.projection.first_passage()[-1].probability


def test_all_ineffective_and_none_ineffective_run():
    for k in (0, 125):
        params = validate({**QUICK, "units_ineffective": k})
        result = assess(params, model_rng(1, "attrition")).to_dict()
        assert 0.0 <= result["judgments"][0]["probability"]["probability"] <= 1.0


def test_ever_lost_is_the_ineffective_count_when_nothing_is_regenerated():
    # Without reconstitution every loss stays lost: the BTGs ever lost by the last day are exactly
    # the committed minus the effective, draw for draw, so the two histograms mirror each other.
    proj = _project(0.232, effective=96, ineffective=29, size=5000)
    assert proj.ever_lost.sum() == 5000
    assert np.array_equal(proj.ever_lost[::-1][: proj.counts.shape[1]], proj.counts[-1])


def test_regenerated_btgs_lost_again_count_twice():
    proj = _project(0.5, effective=10, ineffective=5, reconstitution_per_week=14.0, horizon_days=60, size=2000)
    values = np.arange(proj.ever_lost.size)
    assert (proj.ever_lost * values).sum() / 2000 > 15  # more losses than BTGs committed


def test_load_reads_the_ledger_once_and_section_does_not_read_it_again(tmp_path, monkeypatch):
    import shutil

    from estimates.inputs import claims
    from estimates.paths import project_path

    ledger = tmp_path / "claims.csv"
    shutil.copy(project_path("data/claims.csv"), ledger)
    params = validate({**QUICK, "claims_path": str(ledger)})
    data = attrition.load(params)
    statements = project_path("data/btg_statements.csv")
    assert data.files == {ledger: data.ledger.sha256, statements: data.statements_file[1]}
    result = attrition.assess(params, data, model_rng(params.seed, "attrition"))
    ledger.unlink()
    monkeypatch.setattr(claims, "read_input", lambda *a: pytest.fail("ledger read again"))
    section = attrition.section(params, data, result)
    assert str(ledger) in section["data_files"] and section["sources"]
    assert section["reported"] == result.to_dict()["reported"]


def test_a_missing_ledger_is_an_input_error_naming_the_parameter(tmp_path):
    from estimates.errors import InputError

    with pytest.raises(InputError, match="^parameter 'claims_path': .*not found"):
        attrition.load(validate({**QUICK, "claims_path": str(tmp_path / "none.csv")}))


def test_key_judgments_are_the_judgments_of_assess_without_sensitivity():
    params = validate(QUICK)
    data = attrition.load(params)
    found = attrition.key_judgments(params, data, model_rng(params.seed, "attrition"))
    made = attrition.assess(params, data, model_rng(params.seed, "attrition")).judgments
    assert [j.to_dict() for j in found] == [j.to_dict() for j in made]
    assert all(j.sensitivity is None for j in found)


def test_term_sensitivity_varies_the_uncertain_inputs_only():
    from estimates.models.attrition import MODEL

    params = validate({**QUICK, "n_samples": 1000})
    result = attrition.assess(params, attrition.load(params), model_rng(params.seed, "attrition"),
                              sensitivity=True)
    for judgment in result.judgments:
        assert judgment.sensitivity.parameters == MODEL.sensitivity_inputs()
        assert "horizon_days" not in judgment.sensitivity.parameters
        assert "threshold_share" not in judgment.sensitivity.parameters


def test_result_shows_itself_and_its_section_feeds_the_briefing():
    import matplotlib

    matplotlib.use("Agg")
    from estimates.models.attrition import MODEL

    params = validate({**QUICK, "n_samples": 1000})
    data = MODEL.load(params)
    result = MODEL.assess(params, data)
    assert set(result.summary().columns) == {"low", "high"}
    assert "attrition-threshold" in result._repr_html_()
    assert list(result.judgments_frame().index) == [j.id for j in result.judgments]
    assert result.plot() is not None
    section = MODEL.section(params, data, result)
    assert list(MODEL.tables(section)["attrition_projection"]["day"]) == section["projection"]["days"]
    # The bundled inputs are unremarkable but for claims reported after the cut-off or undated.
    late = [r["claim_id"] for r in section["claims"].values() if r["in_ledger"] and r["after_cut_off"] is not False]
    assert len(MODEL.notes(section)) == len(late)
    assert all(any(c in note for note in MODEL.notes(section)) for c in late)
    none = MODEL.section(validate({**QUICK, "n_samples": 1000, "units_ineffective": 0}), data,
                         MODEL.assess(validate({**QUICK, "n_samples": 1000, "units_ineffective": 0}), data))
    assert MODEL.notes(none)[0].startswith("The run counts none of the 125 committed battalion tactical groups")
