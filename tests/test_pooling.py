"""Pooling official statements: reduction to the single report, coverage, and independent checks."""

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from estimates.errors import InputError
from estimates.inputs.files import LedgerError
from estimates.inputs.statements import Statement, load_statements
from estimates.models.pooling import checks
from estimates.models.pooling import posterior as pooling
from estimates.parameters.schema import validate
from estimates.paths import project_path
from estimates.registry import MODELS

from .strategies import counts

START = dt.date(2022, 2, 24)  # the bundled case's conflict_start (day 1)
AS_OF = dt.date(2022, 4, 6)  # day 42 of the bundled case


def on_day(day: int) -> dt.date:
    return START + dt.timedelta(days=day - 1)


def count(observation_id: str, date: dt.date, value: int, **kw) -> Statement:
    return Statement.count(observation_id, date, value, start=START, **kw)


def statement(*args, **kw) -> Statement:
    return Statement(*args, start=START, **kw)


def one_cell_grid(p: float, shape: float, committed: int) -> pooling.PosteriorGrid:
    """A grid of a single (p, k, N) point, to evaluate the likelihood there."""
    return pooling.PosteriorGrid(np.array([p - 1e-9, p + 1e-9]), np.array([shape, shape]), np.array([committed]),
                        np.ones((1, 1, 1)))


# --- reduction to the single report ------------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(counts(max_n=300), st.sampled_from(["jeffreys", "uniform"]))
def test_one_report_at_the_as_of_date_is_the_single_report_beta_posterior(kn, prior):
    k, n = kn
    fit = pooling.fit((count("only", AS_OF, k),), as_of_day=42, committed_range=(n, n), prior=prior)
    a, b = {"jeffreys": (0.5, 0.5), "uniform": (1.0, 1.0)}[prior]
    levels = [0.05, 0.25, 0.5, 0.75, 0.95]
    assert fit.p_posterior.ppf(levels) == pytest.approx(stats.beta(k + a, n - k + b).ppf(levels), abs=2e-3)


def test_one_report_leaves_the_shape_at_its_prior():
    fit = pooling.fit((count("only", AS_OF, 29),), as_of_day=42, committed_range=(125, 125),
                      shape_90=(0.5, 2.0))
    prior = stats.lognorm(s=np.log(4) / (2 * stats.norm.ppf(0.95)), scale=1.0)  # 90%: 0.5 to 2
    for value in (0.5, 1.0, 2.0):
        assert fit.shape_posterior.cdf(value) == pytest.approx(prior.cdf(value), abs=5e-3)


# --- the nested likelihood against simulated forces ---------------------------------------------------

def test_nested_likelihood_matches_simulated_failure_times():
    """Joint frequencies of (K at day 20, K at day 35) among 6 BTGs with Weibull failure times drawn
    by scipy agree with the forward recursion's probabilities."""
    p, shape, n, t0 = 0.3, 1.6, 6, 20
    h0 = -np.log1p(-p)
    # H(t) = h0 (t / t0)^shape is a Weibull with scale t0 * h0^(-1 / shape).
    times = stats.weibull_min(shape, scale=t0 * h0 ** (-1 / shape)).rvs(size=(200_000, n), random_state=7)
    k1 = (times <= 20).sum(axis=1)
    k2 = (times <= 35).sum(axis=1)
    grid = one_cell_grid(p, shape, n)
    for a in range(0, n + 1, 2):
        for b in range(a, n + 1):
            statements = (count("first", on_day(20), a), count("second", on_day(35), b))
            expected = float(pooling.likelihood(statements, grid, t0, "nested").item())
            observed = np.mean((k1 == a) & (k2 == b))
            se = np.sqrt(expected * (1 - expected) / k1.size)
            assert abs(observed - expected) < 5 * se + 1e-5, (a, b, observed, expected)


def test_independent_reading_is_a_product_of_binomials():
    grid = one_cell_grid(0.25, 1.0, 120)
    statements = (count("a", AS_OF, 29), statement("b", on_day(47), 37, 38))
    f1 = 0.25
    f2 = 1 - np.exp(np.log1p(-0.25) * 47 / 42)
    expected = stats.binom.pmf(29, 120, f1) * (stats.binom.cdf(38, 120, f2) - stats.binom.cdf(36, 120, f2))
    assert pooling.likelihood(statements, grid, 42, "independent").item() == pytest.approx(expected, rel=1e-9)


@given(st.floats(0.01, 0.99), st.integers(1, 400))
def test_more_than_a_share_is_the_smallest_count_strictly_above_it(share, committed):
    low, high = statement("bound", AS_OF, share_above=share).bounds(np.array([committed]))
    brute = min(c for c in range(committed + 2) if c > share * committed + 1e-9)
    assert low[0] == brute and high[0] == committed


# --- checks -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("reported", [30, 34, 40])
def test_check_tails_agree_with_the_evidence_ratio(reported):
    """P(count >= c) + P(count <= c) = 1 + P(count = c), and P(count = c | earlier) is the ratio of
    the evidence with and without the statement."""
    earlier = (count("first", AS_OF, 29),)
    later = count("later", on_day(47), reported)
    common = dict(as_of_day=42, committed_range=(120, 126), shape_90=(0.7, 1.5))
    check = checks.check_next(earlier, later, rng=np.random.default_rng(0), size=2000, **common)
    point = pooling.fit((*earlier, later), **common).evidence / pooling.fit(earlier, **common).evidence
    assert check.at_least + check.at_most == pytest.approx(1 + point, rel=1e-6)


def test_a_jump_of_eight_in_five_days_surprises_a_constant_hazard_but_not_a_free_shape():
    statements, _ = load_statements("data/btg_statements.csv", START)
    common = dict(as_of_day=42, committed_range=(120, 130), rng=np.random.default_rng(1), size=4000)
    constant = checks.check_next(statements[:1], statements[1], shape_90=(1, 1), **common)
    free = checks.check_next(statements[:1], statements[1], shape_90=(0.5, 2.0), **common)
    assert constant.surprising and not free.surprising


def test_counts_that_fall_cannot_be_nested():
    falling = (count("a", AS_OF, 38), count("b", on_day(60), 29))
    with pytest.raises(pooling.PoolingError, match="nested reading"):
        pooling.fit(falling, as_of_day=42, committed_range=(125, 125))
    assert pooling.fit(falling, as_of_day=42, committed_range=(125, 125), reading="independent").evidence > 0


# --- coverage -----------------------------------------------------------------------------------------

def test_ninety_percent_intervals_cover_a_known_hazard_in_85_to_95_percent_of_trials():
    """Synthetic forces of 125 BTGs with a known Weibull hazard (p = 0.23 by day 42, shape 1.3),
    counted at days 42, 47 and 68; the pooled 90% interval for p should cover 0.23 about 90% of the
    time (200 seeded trials: 85-95% is about +/- 2.4 standard errors)."""
    p, shape, n, days = 0.23, 1.3, 125, (42, 47, 68)
    h0 = -np.log1p(-p)
    covered = 0
    for trial in range(200):
        rng = np.random.default_rng(trial)
        times = 42 * (rng.exponential(size=n) / h0) ** (1 / shape)
        statements = tuple(count(f"d{d}", on_day(d), int((times <= d).sum())) for d in days)
        interval = pooling.fit(statements, as_of_day=42, committed_range=(n, n), p_cells=400,
                               shape_cells=33).to_dict()["p_as_of"]["interval"]
        covered += interval["low"] <= p <= interval["high"]
    assert 170 <= covered <= 190, covered


# --- the statements file ------------------------------------------------------------------------------

def test_bundled_statements_read_the_seed_and_cnn_as_one_observation():
    statements, digest = load_statements("data/btg_statements.csv", START)
    first = statements[0]
    assert set(first.claim_ids) == {"btg-ineffective-29", "cnn-btg-out-of-action"}
    assert (first.day, first.day_latest, first.count_low, first.count_high) == (42, 47, 29, 29)
    assert [s.describe() for s in statements[1:]] == ["37-38", "more than 25% and at most 35% of those committed"]
    assert len(digest) == 64


GOOD = ("observation_id,claim_ids,event_date,count_low,count_high,share_above,reading\n"
        "a,btg-ineffective-29,2022-04-06,29,29,,x\n")


@pytest.mark.parametrize("row, field", [
    ("a,btg-ineffective-29,2022-04-06,29,29,,dup", "observation_id"),
    ("b,,2022-04-06,29,29,,x", "claim_ids"),
    ("b,c,2021-04-06,29,29,,x", "event_date"),
    ("b,c,April,29,29,,x", "event_date"),
    ("b,c,2022-04-06,-1,29,,x", "count_low"),
    ("b,c,2022-04-06,30,29,,x", "count_low"),
    ("b,c,2022-04-06,3.5,,,x", "count_low"),
    ("b,c,2022-04-06,,,1.5,x", "share_above"),
    ("b,c,2022-04-06,,,,x", "count_low"),
])
def test_a_malformed_row_is_one_line_naming_the_field(tmp_path, row, field):
    path = tmp_path / "statements.csv"
    path.write_text(GOOD + row + "\n")
    with pytest.raises(LedgerError) as error:
        load_statements(path, START)
    message = str(error.value)
    assert "\n" not in message and f"field '{field}'" in message and "line 3" in message


def test_a_missing_statements_file_is_one_line(tmp_path):
    with pytest.raises(LedgerError, match="statements file not found"):
        load_statements(tmp_path / "absent.csv", START)


def test_a_wide_committed_range_is_thinned_but_keeps_its_ends():
    grid = pooling.make_grid(prior="jeffreys", shape_90=(0.5, 2.0), committed_range=(800, 1200))
    assert grid.committed.size == pooling.COMMITTED_POINTS
    assert (grid.committed[0], grid.committed[-1]) == (800, 1200)
    narrow = pooling.make_grid(prior="jeffreys", shape_90=(0.5, 2.0), committed_range=(120, 130))
    assert list(narrow.committed) == list(range(120, 131))


# --- the model's entry points -------------------------------------------------------------------------

def test_load_reads_the_ledger_and_the_statements_once_and_assess_reads_nothing(monkeypatch):
    model = MODELS["pooling"]
    params = validate({"n_samples": 1000})
    data = model.load(params)
    assert set(data.files) == {project_path("data/claims.csv"), project_path("data/btg_statements.csv")}
    assert all(len(digest) == 64 for digest in data.files.values())

    def no_reading(self, *args, **kwargs):
        raise AssertionError(f"{self} read after load")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    monkeypatch.setattr(Path, "read_text", no_reading)
    result = model.assess(params, data)
    again = model.key_judgments(params, data)
    # The judgments-only path skips the checks but draws the judgments' numbers first: the same.
    assert [j.probability.probability for j in again] == [j.probability.probability for j in result.judgments]
    section = model.section(params, data, result)
    assert set(section["data_files"]) == {"data/claims.csv", "data/btg_statements.csv"}
    assert not result.summary().empty and "<table" in result._repr_html_()


def test_a_statement_above_the_committed_force_is_an_input_error_naming_the_file():
    params = validate({"units_committed": 30})
    model = MODELS["pooling"]
    data = model.load(params, check=False)
    with pytest.raises(InputError, match=r"^parameter 'statements_path': btg_statements\.csv: line 3: statement "
                                         r"'bbc-37-38' needs at least 37 battalion tactical groups ineffective, "
                                         r"more than the 35 committed at most \(units_committed \+ denominator_uncertainty\)$"):
        model.implementation.check(params, data)


def test_a_missing_statements_file_is_an_input_error_naming_the_parameter(tmp_path):
    params = validate({"statements_path": str(tmp_path / "absent.csv")})
    with pytest.raises(InputError, match=r"^parameter 'statements_path': .*statements file not found$"):
        MODELS["pooling"].load(params)


def test_plot_draws_the_estimates_and_the_checks():
    import matplotlib.pyplot as plt

    model = MODELS["pooling"]
    params = validate({"n_samples": 1000})
    result = model.assess(params, model.load(params))
    figure = result.plot()
    assert len(figure.axes) == 2 and "by the count date" in figure.axes[0].get_xlabel()
    _, ax = plt.subplots()
    assert result.plot(ax=ax) is ax and len(ax.get_yticklabels()) == 5  # single report, joint, three readings
    plt.close("all")


# --- the information cut-off ----------------------------------------------------------------------

def _pooled(**values):
    from estimates.parameters.schema import with_case

    params = with_case({"n_samples": 1000, **values})
    model = MODELS["pooling"]
    return model.assess(params, model.load(params))


def test_the_bundled_cut_off_leaves_the_statement_of_2_may_out():
    # as_of is the bundled case's 11 April 2022: the UK MoD's "more than a quarter" was reported on 2 May.
    result = _pooled()
    assert [s.observation_id for s in result.statements] == ["six-weeks-29", "bbc-37-38"]
    [late] = result.left_out
    assert (late["observation_id"], late["why"], late["report_date"]) == (
        "ukmod-more-than-quarter", "after_cut_off", "2022-05-02")
    assert result.as_of_day == 42 and result.cut_off == dt.date(2022, 4, 11)
    # The later count of 11 April is used for p on 6 April, and said so.
    assert result.notes == ("statements of counts after 6 April 2022 (bbc-37-38) are pooled: the estimate for "
                            "that date also draws on later counts, all reported by the cut-off of 11 April 2022",)


def test_a_later_cut_off_pools_every_statement_and_an_earlier_one_fewer():
    later = _pooled(as_of="2022-05-02")
    assert later.left_out == () and len(later.statements) == 3
    assert later.as_of_day == 42  # p still refers to count_date, 6 April
    earlier = _pooled(as_of="2022-04-10")
    # The seed's claim was reported on 11 April, CNN's on 6 April: the statement is known by then.
    assert [s.observation_id for s in earlier.statements] == ["six-weeks-29"]
    assert {o["observation_id"]: o["why"] for o in earlier.left_out} == {
        "bbc-37-38": "after_cut_off", "ukmod-more-than-quarter": "after_cut_off"}


def test_a_statement_whose_claims_have_no_report_date_is_left_out_with_that_reason(tmp_path):
    from estimates.inputs.claims import load_ledger

    ledger = load_ledger(project_path("data/claims.csv"))
    undated = ledger.claims[0].model_copy(update={"claim_id": "undated", "report_date": None})
    ledger = type(ledger)(ledger.path, ledger.sha256, (*ledger.claims, undated))
    statements = (count("a", AS_OF, 29, claim_ids=("undated",)), count("b", AS_OF, 29, claim_ids=("undated", "btg-ineffective-29")))
    from estimates.models.pooling.assessment import usable_statements

    used, out = usable_statements(statements, ledger, dt.date(2022, 4, 11))
    assert [s.observation_id for s in used] == ["b"]  # known by the cut-off through its dated claim
    assert [(o["observation_id"], o["why"]) for o in out] == [("a", "no_report_date")]
    assert "has no report date" in out[0]["reason"]


def test_statements_count_their_days_from_the_case_start(tmp_path):
    path = tmp_path / "statements.csv"
    path.write_text("observation_id,claim_ids,event_date,count_low,count_high,share_above,reading\n"
                    "a,c,2024-08-03,17,17,,x\n")
    [statement], _ = load_statements(path, dt.date(2024, 6, 15))
    assert statement.day == 50
    with pytest.raises(LedgerError, match=r"line 2: field 'event_date' must be an ISO date on or after 2024-08-04 "
                                          r"\(the conflict start\)"):
        load_statements(path, dt.date(2024, 8, 4))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 40), min_size=1, max_size=3), min_size=1, max_size=6),
       st.integers(0, 40))
def test_every_statement_is_used_or_left_out_by_its_first_report(report_days, cut_off_day):
    """Each statement is either used or left out, never both; used exactly when one of its claims was
    reported by the cut-off (a brute-force reference over random report dates)."""
    from estimates.inputs.claims import Claim, Ledger
    from estimates.models.pooling.assessment import usable_statements

    day0 = dt.date(2024, 6, 15)
    claims, statements = [], []
    for i, days in enumerate(report_days):
        ids = tuple(f"c{i}-{j}" for j in range(len(days)))
        claims += [Claim(claim_id=c, statement="x", report_date=day0 + dt.timedelta(days=d), originator="o",
                         outlet="o", carried_by="o", originator_id="o", outlet_id="o", evidence_line="o", reliability="B", credibility="2", grade_reason="r")
                   for c, d in zip(ids, days)]
        statements.append(Statement.count(f"s{i}", day0, 1, claim_ids=ids, start=day0))
    used, out = usable_statements(tuple(statements), Ledger(None, "", tuple(claims)),
                                  day0 + dt.timedelta(days=cut_off_day))
    assert sorted([s.observation_id for s in used] + [o["observation_id"] for o in out]) == sorted(
        s.observation_id for s in statements)
    expected = {f"s{i}" for i, days in enumerate(report_days) if min(days) <= cut_off_day}
    assert {s.observation_id for s in used} == expected
    assert all(o["why"] == "after_cut_off" for o in out)


def test_drawing_in_chunks_gives_the_same_distribution(monkeypatch):
    # The joint draws are made CHUNK at a time (memory flat in the draws); a run of one chunk
    # is the draws made at once, and more chunks draw the same distribution in another order.
    from estimates.models.pooling import assessment

    params = validate({"n_samples": 6000})
    model = MODELS["pooling"]
    data = model.load(params)
    whole = model.assess(params, data)
    monkeypatch.setattr(assessment, "CHUNK", 1000)
    chunked = model.assess(params, data)
    for one, other in zip(whole.judgments, chunked.judgments):
        a, b = one.probability, other.probability
        if hasattr(a, "standard_error"):
            assert abs(a.probability - b.probability) <= 3 * np.hypot(a.standard_error, b.standard_error) + 1e-12
            assert a.n_samples == b.n_samples == 6000
        else:  # exact on the grid: no draws involved
            assert a.probability == b.probability
    assert chunked.share_by_last["quantiles"]["0.5"] == pytest.approx(whole.share_by_last["quantiles"]["0.5"], abs=0.02)
    monkeypatch.setattr(assessment, "CHUNK", 6000)
    assert model.assess(params, data).to_dict() == whole.to_dict()
