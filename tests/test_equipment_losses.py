"""The loss-data cross-check against closed forms, and its invariants under common random numbers."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from estimates.core.distributions import lognormal_from_90
from estimates.errors import InputError
from estimates.inputs import loss_claims as losses
from estimates.inputs.transfers import load_holdings
from estimates.models.losses import crosscheck as el
from estimates.models.losses import predictive
from estimates.parameters.schema import validate
from estimates.paths import HOLDINGS
from estimates.registry import MODELS
from estimates.report.provenance import relative_path

#: Everything fixed but what a test varies: no over-count, all losses on the units, 10 tanks and 40
#: vehicles per unit, 125 units, threshold 0.4 (a zero-width interval is a point mass).
FIXED = dict(units_committed_low=125, units_committed_high=125, armour_per_unit=(10, 10), ifv_per_unit=(40, 40),
             overcount_90=(1, 1), threshold_90=(0.4, 0.4), share_on_units=1.0,
             grid_overcount=(1.0,), grid_concentration=(1.0,))
ARMOUR = 125 * 50  # vehicles the committed units hold under FIXED


def _run(claimed, seed=7, n=2000, **changes):
    return el.assess_losses(claimed, rng=np.random.default_rng(seed), n_samples=n, **(FIXED | changes))


@pytest.mark.parametrize("fraction, expected", [(0.41, 125), (0.39, 0), (0.0, 0)])
def test_even_spread_is_all_or_none(fraction, expected):
    # Huge concentration spreads losses evenly: every unit loses `fraction` of its armour, so all
    # 125 pass the 0.4 threshold or none does (closed form: 125 * [fraction >= 0.4]).
    tanks = fraction * ARMOUR / 5
    result = _run((tanks, fraction * ARMOUR - tanks), concentration=1e7)
    assert (result.ineffective == expected).all()
    assert result.mean_loss_fraction == pytest.approx(fraction)


@pytest.mark.parametrize("alpha, fraction", [(1.5, 0.25), (0.5, 0.3), (5.0, 0.35)])
def test_mean_matches_beta_marginal(alpha, fraction):
    # A symmetric Dirichlet(alpha) weight has marginal Beta(alpha, (N - 1) alpha); unit i is
    # ineffective when N w_i rho >= theta, so E[count] = N * beta.sf(theta / (N rho)).
    n = 20_000
    result = _run((0.0, fraction * ARMOUR), n=n, concentration=alpha)
    expected = 125 * stats.beta.sf(0.4 / (125 * fraction), alpha, 124 * alpha)
    se = result.ineffective.std() / np.sqrt(n)
    assert abs(result.ineffective.mean() - expected) < 4 * se + 1e-9


def test_unit_equivalents_are_lognormal():
    # With holdings and share fixed, tanks' unit-equivalents = 0.8 * 684 / (10 f), f lognormal: its
    # q-quantile is 0.8 * 684 / (10 * f.ppf(1 - q)) (scipy's lognormal).
    result = _run((684, 1861), n=20_000, overcount_90=(1.2, 2.0), share_on_units=0.8)
    factor = lognormal_from_90(1.2, 2.0)
    for q in (0.05, 0.5, 0.95):
        expected = 0.8 * 684 / (10 * factor.ppf(1 - q))
        assert np.quantile(result.unit_equivalents_tank, q) == pytest.approx(expected, rel=0.02)
        expected = 0.8 * 1861 / (40 * factor.ppf(1 - q))
        assert np.quantile(result.unit_equivalents_apc, q) == pytest.approx(expected, rel=0.02)


def test_holdings_come_from_the_data_file():
    holdings, _ = load_holdings(HOLDINGS)
    assert el.holdings_per_unit(holdings) == {"armour_per_unit": (8.0, 13.0), "ifv_per_unit": (30.0, 45.0)}


def test_confirmed_bound_at_end_of_2022():
    equipment = losses.load_equipment_losses(consistent=True)
    table = el.overcount_bound(equipment, losses.load_confirmed(), ["2022-12-31"]).set_index("category")
    # 3,029 tanks claimed by 2022-12-31 over 1,673 visually confirmed; 6,075 over 3,787 APCs.
    assert table.loc["tank", "bound"] == pytest.approx(3029 / 1673)
    assert table.loc["apc", "bound"] == pytest.approx(6075 / 3787)


# --- invariants under common random numbers ----------------------------------------------------------
QUICK = dict(n_samples=600, grid_overcount=(1.0, 2.0), grid_concentration=(0.5, 5.0))
claims = st.tuples(st.floats(0, 3000), st.floats(0, 8000))


@settings(max_examples=15, deadline=None)
@given(claims, st.floats(0.05, 1.0), st.integers(0, 2**32 - 1))
def test_monotone_in_claimed_losses(claimed, scale, seed):
    smaller = (claimed[0] * scale, claimed[1] * scale)
    big = el.assess_losses(claimed, rng=np.random.default_rng(seed), **QUICK)
    small = el.assess_losses(smaller, rng=np.random.default_rng(seed), **QUICK)
    assert (small.ineffective <= big.ineffective).all()


@settings(max_examples=15, deadline=None)
@given(st.floats(0.5, 3.0), st.floats(1.0, 2.0), st.floats(0.2, 20.0), st.integers(0, 2**32 - 1))
def test_more_overcount_fewer_ineffective(factor, ratio, alpha, seed):
    def run(f):
        return el.assess_losses((684, 1861), rng=np.random.default_rng(seed), overcount_90=(f, f),
                                concentration=alpha, **QUICK)

    assert (run(factor * ratio).ineffective <= run(factor).ineffective).all()


@settings(max_examples=15, deadline=None)
@given(claims, st.integers(1, 140), st.integers(0, 30), st.integers(0, 2**32 - 1))
def test_counts_within_committed(claimed, low, extra, seed):
    result = el.assess_losses(claimed, rng=np.random.default_rng(seed), units_committed_low=low,
                              units_committed_high=low + extra, **QUICK)
    assert ((low <= result.committed) & (result.committed <= low + extra)).all()
    assert ((0 <= result.ineffective) & (result.ineffective <= result.committed)).all()
    assert set(np.unique(result.committed)) <= set(range(low, low + extra + 1))


def test_sensitivity_grid_is_monotone_in_overcount():
    result = el.assess_losses((684, 1861), rng=np.random.default_rng(3), n_samples=4000)
    table = result.sensitivity
    assert len(table) == len(el.GRID_OVERCOUNT) * len(el.GRID_CONCENTRATION)
    for _, group in table.groupby("concentration"):
        ordered = group.sort_values("overcount")
        for column in ("median", "low_90", "high_90", "p_at_least_reported"):
            assert (np.diff(ordered[column].to_numpy()) <= 0).all(), column
        # fewer units broken, so the count used sits higher among them
        assert (np.diff(ordered["percentile"].to_numpy()) >= 0).all()


def test_same_seed_same_numbers_and_json():
    claimed = losses.claimed_losses(42)
    first = el.assess_losses(claimed, rng=np.random.default_rng(11), n_samples=3000).to_dict()
    second = el.assess_losses(claimed, rng=np.random.default_rng(11), n_samples=3000).to_dict()
    other = el.assess_losses(claimed, rng=np.random.default_rng(12), n_samples=3000).to_dict()
    assert json.dumps(first) == json.dumps(second) != json.dumps(other)
    assert first["claimed"]["tank"] == 684 and first["as_of"] == "2022-04-06"
    assert {"quantiles", "interval", "mean"} <= set(first["ineffective"])
    assert first["p_at_least_reported"]["n_samples"] == 3000
    assert len(first["sensitivity"]) == 25 and set(first["sensitivity"][0]) == {
        "overcount", "concentration", "median", "low_90", "high_90", "p_at_least_reported", "percentile",
        "tail_probability", "reading"}
    assert first["concentration_scan"] == [] and first["check_ranges"] == []  # no scan asked for


def test_each_chunk_has_its_own_spread():
    # Two chunks of draws with everything but the spread fixed: if the second chunk reused the
    # first one's stream, draw i and draw CHUNK + i would give the same count.
    result = _run((0.0, 0.3 * ARMOUR), n=el.CHUNK + 500, concentration=1.0)
    first, second = result.ineffective[:500], result.ineffective[el.CHUNK:]
    assert second.size == 500 and not np.array_equal(first, second)
    assert abs(first.mean() - second.mean()) < 6 * result.ineffective.std() / np.sqrt(500)


@pytest.mark.parametrize("changes, pattern", [
    (dict(units_committed_low=130, units_committed_high=120), "units_committed_low <= units_committed_high"),
    (dict(overcount_90=(0, 2)), "overcount_90: a lognormal 90% interval needs 0 < low"),
    (dict(threshold_90=(0.3, 1.2)), "threshold_90 as a 90% interval needs 0 < low <= high < 1"),
    (dict(share_on_units=1.5), r"share_on_units must be in \(0, 1\]"),
    (dict(concentration=0.0), "concentration must be > 0"),
])
def test_bad_arguments(changes, pattern):
    with pytest.raises(ValueError, match=pattern):
        el.assess_losses((684, 1861), rng=np.random.default_rng(0), n_samples=10, **changes)


# --- the model's entry points -------------------------------------------------------------------------

def test_load_reads_every_file_once_and_the_sensitivity_reads_none(monkeypatch):
    """Everything, the concentration scan included, comes from the data loaded, not from reading
    the 700 KB loss file again."""
    model = MODELS["losses"]
    params = validate({"n_samples": 1000})
    data = model.load(params)
    assert {p.name for p in data.files} == {"claims.csv", "russia_losses_equipment.json", "btg_holdings.csv",
                                            "russia_losses_equipment_oryx.json", "series.yaml"}
    assert data.holdings == {"armour_per_unit": (8.0, 13.0), "ifv_per_unit": (30.0, 45.0)}

    def no_reading(self, *args, **kwargs):
        raise AssertionError(f"{self} read after load")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    monkeypatch.setattr(Path, "read_text", no_reading)
    result = model.assess(params, data, sensitivity=True)
    # The count is checked, not judged: no judgment to recheck, so nothing is recomputed either.
    assert result.judgments == () and model.key_judgments(params, data) == ()
    section = model.section(params, data, result)
    assert set(section["data_files"]) == {relative_path(p) for p in data.files}


@pytest.mark.parametrize("values, message", [
    # The count's date (never after the cut-off) must be inside the loss data up to the cut-off.
    ({"as_of": "2027-01-01", "count_date": "2027-01-01"},
     r"^parameter 'count_date': the loss data run from 2022-02-25 to 2026-08-08 \(to the cut-off\); got 2027-01-01$"),
    ({"as_of": "2022-02-24", "count_date": "2022-02-24"},
     r"^parameter 'as_of': the loss data russia_losses_equipment.json start after the cut-off 2022-02-24$"),
])
def test_a_count_date_outside_the_loss_data_is_an_input_error_naming_it(values, message):
    params = validate(values)
    model = MODELS["losses"]
    with pytest.raises(InputError, match=message):
        model.implementation.check(params, model.load(params, check=False))


def test_a_later_cut_off_does_not_move_the_count_date():
    # as_of is the information cut-off only: the losses are still read at count_date (day 42).
    params = validate({"as_of": "2027-01-01", "n_samples": 1000})
    model = MODELS["losses"]
    data = model.load(params)
    assert model.assess(params, data).check.claimed.tank == 684
    assert data.equipment.index[-1] == pd.Timestamp("2026-08-08")


def test_plot_draws_the_implied_count_and_its_grid():
    import matplotlib.pyplot as plt

    model = MODELS["losses"]
    params = validate({"n_samples": 1000})
    result = model.assess(params, model.load(params))
    figure = result.plot()
    assert len([ax for ax in figure.axes if ax.get_label() != "<colorbar>"]) == 2
    _, ax = plt.subplots()
    assert result.plot(ax=ax) is ax and "count used: 29" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert not result.summary().empty and "<table" in result._repr_html_()
    ax = result.plot_check()
    assert ax.get_xscale() == "log" and "count used: 29" in [t.get_text() for t in ax.get_legend().get_texts()]
    names = [name for name, _, _ in model.figures(result.to_dict())]
    assert names == ["losses_implied", "losses_check", "losses_sensitivity"]
    plt.close("all")


# --- the check: where the count used falls in the predictive distribution ---------------------------
@pytest.mark.parametrize("reported, tail, reading", [
    # Draws 0..99 once each: P(X <= 4) = 5/100, so the two-sided tail is 0.10, on the level (consistent);
    # at 3 it is 0.08. P(X >= 95) = 5/100 likewise at the top.
    (4, 0.10, "consistent"), (3, 0.08, "in the lower tail"), (95, 0.10, "consistent"),
    (96, 0.08, "in the upper tail"), (50, 1.0, "consistent"), (-1, 0.0, "in the lower tail"),
    (200, 0.0, "in the upper tail"),
])
def test_check_on_a_uniform_count_by_hand(reported, tail, reading):
    check = predictive.count_check(np.arange(100), reported)
    assert check.tail_probability == pytest.approx(tail) and check.reading == reading
    # Mid-distribution percentile by hand: the values below, plus half the one equal to it.
    expected = 100 * (np.clip(reported, 0, 100) + (0.5 if 0 <= reported < 100 else 0)) / 100
    assert check.percentile == pytest.approx(expected)


@pytest.mark.parametrize("reported", [10, 20, 25, 35, 40])
def test_check_matches_the_binomial_tails(reported):
    # Draws at the binomial's quantiles of an even grid of probabilities have its distribution to
    # within 1/n, so the check must give the closed form: 2 min(cdf(r), sf(r - 1)), capped at 1.
    n, law = 100_000, stats.binom(125, 0.2)
    draws = law.ppf((np.arange(n) + 0.5) / n).astype(int)
    check = predictive.count_check(draws, reported)
    assert check.at_most == pytest.approx(law.cdf(reported), abs=2 / n)
    assert check.at_least == pytest.approx(law.sf(reported - 1), abs=2 / n)
    assert check.tail_probability == pytest.approx(min(1.0, 2 * min(law.cdf(reported), law.sf(reported - 1))),
                                                   abs=4 / n)
    assert check.reading == ("consistent" if check.tail_probability >= 0.10 else
                             "in the lower tail" if reported < 25 else "in the upper tail")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 60), min_size=1, max_size=80), st.integers(-2, 62))
def test_check_properties(draws, reported):
    draws = np.asarray(draws)
    check = predictive.count_check(draws, reported)
    # scipy's mid-distribution percentile is the independent reference for ours
    assert check.percentile == pytest.approx(stats.percentileofscore(draws, reported, kind="mean"))
    assert 0.0 <= check.tail_probability <= 1.0 and check.at_most + check.at_least >= 1.0
    # Reflecting the draws and the count swaps the tails and keeps the tail probability.
    mirror = predictive.count_check(60 - draws, 60 - reported)
    assert mirror.tail_probability == pytest.approx(check.tail_probability)
    swap = {"consistent": "consistent", "in the lower tail": "in the upper tail", "in the upper tail": "in the lower tail"}
    assert mirror.reading == swap[check.reading]
    assert check.consistent == (check.tail_probability >= predictive.TAIL_LEVEL)
    # The same check from a frequency table of the draws, as the model keeps them.
    assert predictive.check_of_counts(np.bincount(draws, minlength=64), reported) == check


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(predictive.READINGS), min_size=1, max_size=30))
def test_reading_ranges_partition_the_scan(readings):
    scan = pd.DataFrame({"concentration": 10.0 ** np.arange(len(readings))[::-1], "reading": readings[::-1]})
    runs = predictive.reading_ranges(scan)
    values = sorted(scan["concentration"])
    assert sum(values.index(r["high"]) - values.index(r["low"]) + 1 for r in runs) == len(values)
    assert all(a["reading"] != b["reading"] and a["above"] == b["low"] and b["below"] == a["high"]
               for a, b in itertools.pairwise(runs))
    assert runs[0]["below"] is None and runs[-1]["above"] is None
    assert [r["reading"] for r in runs for _ in range(values.index(r["high"]) - values.index(r["low"]) + 1)] == readings


def test_bad_check_input():
    with pytest.raises(ValueError, match="need at least one predictive draw"):
        predictive.count_check(np.array([], dtype=int), 3)
    with pytest.raises(ValueError, match=r"level must be in \(0, 1\); got 1.5"):
        predictive.count_check(np.arange(5), 3, level=1.5)


@pytest.mark.parametrize("fraction, reading", [(0.41, "in the lower tail"), (0.39, "in the upper tail")])
def test_all_or_none_spread_puts_the_count_in_a_tail(fraction, reading):
    # An even spread breaks all 125 units or none (closed form above), so 29 is below every draw
    # (lower tail: the losses imply more) or above every draw (upper tail: they imply fewer).
    tanks = fraction * ARMOUR / 5
    result = _run((tanks, fraction * ARMOUR - tanks), concentration=1e7)
    check = result.count_check()
    assert check.reading == reading and check.tail_probability == 0.0
    assert check.percentile == (0.0 if fraction > 0.4 else 100.0)


def test_the_scan_is_the_run_redone_at_each_concentration_on_the_same_draws():
    # Common random numbers: the scan's row at concentration a is what a run at a gives with the
    # same seed, and the run's own check is its row at the run's concentration.
    scan = (0.1, 1.0, 10.0)
    result = el.assess_losses((684, 1861), rng=np.random.default_rng(5), n_samples=3000,
                              grid_overcount=(1.5,), grid_concentration=(1.0,), scan_concentration=scan)
    table = result.concentration_scan.set_index("concentration")
    assert list(table.index) == list(scan)
    for alpha in scan:
        alone = el.assess_losses((684, 1861), rng=np.random.default_rng(5), n_samples=3000, concentration=alpha,
                                 grid_overcount=(1.5,), grid_concentration=(1.0,)).count_check()
        assert table.loc[alpha, "percentile"] == alone.percentile
        assert table.loc[alpha, "tail_probability"] == alone.tail_probability
    own = result.count_check()
    assert table.loc[1.0, "percentile"] == own.percentile and table.loc[1.0, "reading"] == own.reading
    ranges = result.check_ranges()
    assert ranges[0]["low"] == 0.1 and ranges[-1]["high"] == 10.0


def test_log_grid_spans_the_range_with_exact_decades():
    grid = el.log_grid(0.01, 1000.0, per_decade=4)
    assert len(grid) == 21 and grid[0] == 0.01 and grid[-1] == 1000.0
    assert {0.01, 0.1, 1.0, 10.0, 100.0, 1000.0} <= set(grid)
    ratios = np.diff(np.log10(grid))
    assert ratios == pytest.approx(np.full(20, 0.25), abs=1e-3)
    with pytest.raises(ValueError, match="need 0 < low < high"):
        el.log_grid(0.0, 10.0)
