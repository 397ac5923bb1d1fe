"""The joint estimate of the attrition process: both readings weighted, counts read within their
spread, statements dated within their windows; and the attrition judgments that rest on it."""

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from estimates.core.hazard import P_MAX
from estimates.core.randomness import model_rng
from estimates.inputs.statements import Statement
from estimates.models.attrition import assessment as attrition
from estimates.models.attrition.evidence import FROM_PARAMETERS, evidence
from estimates.models.pooling import joint
from estimates.models.pooling import posterior as pooling
from estimates.parameters.schema import validate

from .strategies import counts

START = dt.date(2022, 2, 24)
QUICK = {"n_samples": 4000}


def on_day(day: int) -> dt.date:
    return START + dt.timedelta(days=day - 1)


def count(name: str, day: int, value: int, latest: int | None = None) -> Statement:
    return Statement.count(name, on_day(day), value, start=START,
                           date_latest=None if latest is None else on_day(latest))


def estimate(statements, *, committed=(125, 125), shape_90=(0.5, 2.0), uncertainty=0, weight=0.5, **grid):
    return joint.estimate(tuple(statements), as_of_day=42, committed_range=committed, prior="jeffreys",
                          shape_90=shape_90, count_uncertainty=uncertainty, reassessment_weight=weight, **grid)


# --- reductions ---------------------------------------------------------------------------------------

@settings(max_examples=15, deadline=None)
@given(counts(max_n=200), st.sampled_from([0.0, 0.5, 1.0]))
def test_one_statement_gives_the_single_report_beta_posterior_whatever_the_reading_weights(kn, weight):
    # With one count at t0 both readings have the same likelihood, Binomial(N, p): the average of
    # the two is the Jeffreys Beta(k + 1/2, n - k + 1/2) posterior (scipy), up to the grid.
    k, n = kn
    found = estimate([count("only", 42, k)], committed=(n, n), weight=weight)
    levels = [0.05, 0.5, 0.95]
    assert found.p_posterior.ppf(levels) == pytest.approx(stats.beta(k + 0.5, n - k + 0.5).ppf(levels), abs=3e-3)


def test_a_count_read_within_a_spread_is_the_range_it_allows():
    # "29, give or take 4" is exactly the statement "25 to 33": one likelihood, two spellings.
    spread = estimate([count("a", 42, 29), count("b", 47, 37)], uncertainty=4)
    ranged = estimate([Statement("a", on_day(42), 25, 33, start=START), Statement("b", on_day(47), 33, 41, start=START)])
    assert spread.posterior == pytest.approx(ranged.posterior, abs=1e-12)


def test_a_date_window_averages_the_likelihood_over_its_days():
    # The same two statements, the first one dated anywhere from day 42 to 44: the evidence is the
    # mean of the three evidences with the first statement fixed on each day.
    windowed = estimate([count("a", 42, 29, latest=44), count("b", 47, 37)], weight=0.0)
    each = [estimate([count("a", d, 29), count("b", 47, 37)], weight=0.0).fits["nested"].evidence for d in (42, 43, 44)]
    assert windowed.fits["nested"].evidence == pytest.approx(np.mean(each), rel=1e-6)


def test_thinned_windows_keep_uniform_weight_over_every_day():
    wide = count("a", 30, 20, latest=60)
    ways = pooling.datings((wide, count("b", 61, 40, latest=70)), limit=12)
    assert len(ways) <= 12 and sum(w.weight for w in ways) == pytest.approx(1.0)
    firsts = {}
    for way in ways:
        firsts[way.days[0]] = firsts.get(way.days[0], 0.0) + way.weight
    # Each kept day of the 31-day window stands for about its share of the days.
    assert max(firsts.values()) - min(firsts.values()) <= 1.0 / 31 + 1e-12


def test_the_broadcast_binomial_is_scipys():
    chance = np.linspace(0.0, 1.0, 41)[:, None, None]
    trials = np.arange(0, 30)[None, None, :]
    step = pooling.BinomialStep(chance)
    for x in (0, 1, 7, 29, 31):
        assert step.pmf(x, trials) == pytest.approx(stats.binom.pmf(x, trials, np.minimum(chance, P_MAX)),
                                                     abs=1e-12)
    for low, high in ((0, 5), (3, 9), (10, 40)):
        expected = stats.binom.cdf(high, trials, chance) - stats.binom.cdf(low - 1, trials, chance)
        assert step.in_range(low, high, trials) == pytest.approx(expected, abs=1e-10)


# --- the latent count the projection starts from -------------------------------------------------------

def test_the_count_drawn_on_a_statement_day_honours_the_statements():
    found = estimate([count("a", 42, 29), Statement("b", on_day(47), 37, 38, start=START)], weight=0.0)
    drawn = found.draw(3000, np.random.default_rng(1), 47)
    assert set(np.unique(drawn["count"])) <= {37, 38} and drawn["nested"].all()


def test_the_count_drawn_later_matches_the_exact_predictive_probability():
    # Nested reading, fixed shape: P(count on day 60 >= 45 | statements) from the grid (the
    # forward recursion with the event as a last statement, divided by the evidence) against the
    # share of draws.
    statements = [count("a", 42, 29), count("b", 47, 34)]
    found = estimate(statements, shape_90=(1.2, 1.2), weight=0.0)
    drawn = found.draw(20_000, np.random.default_rng(2), 60)
    grid = found.grid
    event = Statement("event", on_day(60), 45, None, start=START)
    exact = float((grid.prior_mass * pooling.likelihood((*statements, event), grid, 42, "nested")).sum()
                  / found.fits["nested"].evidence)
    share = float((drawn["count"] >= 45).mean())
    assert share == pytest.approx(exact, abs=4 * np.sqrt(exact * (1 - exact) / 20_000) + 2e-3)


# --- calibration ---------------------------------------------------------------------------------------

def test_ninety_percent_intervals_cover_prior_drawn_truths_in_85_to_95_percent_of_200_trials():
    """Simulation-based calibration of the joint model: 200 seeded truths drawn from its own prior
    (p from the Jeffreys Beta, the shape from its lognormal, the committed force uniform over its
    range, the reading nested or independent with equal weight, each statement's day uniform in its
    window and its count off by a uniform integer within the spread). The 90% posterior intervals
    of p and of the shape should each cover the truth in 85-95% of trials (about +/- 2.4 standard
    errors of 200 binomial trials)."""
    rng = np.random.default_rng(20221127)
    shape_prior = stats.lognorm(s=np.log(4) / (2 * stats.norm.ppf(0.95)), scale=1.0)  # 90%: 0.5 to 2
    windows, spread, committed_range = ((40, 42), (47, 47), (60, 61)), 2, (124, 126)
    covered_p = covered_shape = 0
    trials = 200
    for _ in range(trials):
        p, shape = rng.beta(0.5, 0.5), shape_prior.rvs(random_state=rng)
        n = int(rng.integers(committed_range[0], committed_range[1] + 1))
        h0 = -np.log1p(-min(p, P_MAX))
        days = [int(rng.integers(low, high + 1)) for low, high in windows]
        if rng.random() < 0.5:  # nested: one force, counted on each day
            times = 42 * (rng.exponential(size=n) / h0) ** (1 / shape)
            true_counts = [int((times <= d).sum()) for d in days]
        else:  # independent re-assessments
            true_counts = [int(rng.binomial(n, -np.expm1(-h0 * (d / 42) ** shape))) for d in days]
        statements = []
        for i, ((low, high), true) in enumerate(zip(windows, true_counts)):
            reported = max(true + int(rng.integers(-spread, spread + 1)), 0)
            statements.append(count(f"s{i}", low, reported, latest=high))
        found = estimate(statements, committed=committed_range, uncertainty=spread, p_cells=120, shape_cells=17)
        summary = found.to_dict()
        p_interval, shape_interval = summary["p_as_of"]["interval"], summary["shape"]["interval"]
        covered_p += p_interval["low"] <= p <= p_interval["high"]
        covered_shape += shape_interval["low"] <= shape <= shape_interval["high"]
    assert 170 <= covered_p <= 190, covered_p
    assert 170 <= covered_shape <= 190, covered_shape


# --- the bottom line rests on the joint estimate --------------------------------------------------------

def _statements_file(tmp_path, rows: list[tuple[str, str, int]]) -> str:
    path = tmp_path / "statements.csv"
    lines = ["observation_id,claim_ids,event_date,count_low,count_high,share_above,reading"]
    lines += [f"{name},{claim},{date},{value},{value},,test" for name, claim, date, value in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_the_threshold_judgment_rises_when_the_statements_imply_a_rising_hazard(tmp_path):
    # Same first count (29 of 125 on 6 April); five days later 31 (about the constant tempo) or 40
    # (a jump only a rising hazard explains). Read as counts of one force, the second raises
    # P(shape > 1) and with it the chance that effective units fall below half by 1 June.
    def threshold(later: int) -> tuple[float, float]:
        path = _statements_file(tmp_path, [("first", "btg-ineffective-29", "2022-04-06", 29),
                                           ("second", "bbc-btg-ineffective", "2022-04-11", later)])
        params = validate({**QUICK, "statements_path": path, "reassessment_weight": 0.0, "count_uncertainty": 0})
        result = attrition.assess(params, attrition.load(params), model_rng(params.seed, "attrition"))
        [judgment] = [j for j in result.judgments if j.id == "attrition-threshold"]
        return judgment.probability.probability, result.joint.probability_shape_above(1.0)

    steady_threshold, steady_rising = threshold(31)
    jump_threshold, jump_rising = threshold(40)
    assert jump_rising > steady_rising + 0.3
    assert jump_threshold > steady_threshold + 0.2


def test_the_run_s_own_count_takes_the_place_of_the_statement_citing_its_claim():
    params = validate({**QUICK, "units_ineffective": 33})
    data = attrition.load(params)
    found = evidence(params, data.ledger, data.statements)
    [anchor] = [s for s in found.used if "btg-ineffective-29" in s.claim_ids]
    assert (anchor.count_low, anchor.count_high, anchor.date) == (33, 33, params.count_as_of)
    assert any("this run uses 33" in note for note in found.notes)


def test_without_a_usable_statement_the_run_s_count_is_the_only_one(tmp_path):
    path = _statements_file(tmp_path, [("unknown", "no-such-claim", "2022-04-06", 29)])
    params = validate({**QUICK, "statements_path": path})
    data = attrition.load(params)
    found = evidence(params, data.ledger, data.statements)
    assert [s.observation_id for s in found.used] == [FROM_PARAMETERS]
    assert [row["why"] for row in found.left_out] == ["not_in_ledger"]
    result = attrition.assess(params, data, model_rng(params.seed, "attrition"))
    # One statement at t0: the joint estimate of p is the single report's Beta posterior.
    assert result.joint.p_posterior.ppf(0.5) == pytest.approx(stats.beta(29.5, 96.5).ppf(0.5), abs=0.01)


def test_the_projection_starts_on_the_last_day_a_statement_may_describe():
    params = validate(QUICK)
    result = attrition.assess(params, attrition.load(params), model_rng(params.seed, "attrition"))
    assert result.start_day == max(s.day_latest for s in result.evidence.used) == 47
    assert result.projection.dates[-1] == params.count_as_of + dt.timedelta(days=params.horizon_days)
    # Draws that read the statements as counts of one force honour BBC's 37-38 (+/- 4) on day 47;
    # re-assessments say nothing about the path beyond the hazard, so theirs spread wider.
    nested = result.draws["nested"]
    assert 0 < nested.mean() < 1
    assert result.draws["count"][nested].min() >= 33 and result.draws["count"][nested].max() <= 42
    assert np.ptp(result.draws["count"][~nested]) > np.ptp(result.draws["count"][nested])


def test_a_fixed_shape_is_two_equal_ends():
    params = validate({**QUICK, "hazard_shape_low": 1.3, "hazard_shape_high": 1.3})
    result = attrition.assess(params, attrition.load(params), model_rng(params.seed, "attrition"))
    assert np.all(result.draws["shape"] == 1.3)
    assert result.joint.shape_posterior is None and result.joint.probability_shape_above(1.0) == 1.0
