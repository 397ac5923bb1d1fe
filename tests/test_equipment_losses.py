"""The loss-data cross-check against closed forms, and its invariants under common random numbers."""

from __future__ import annotations

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
        "overcount", "concentration", "median", "low_90", "high_90", "p_at_least_reported"}


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
    """The term sensitivity recomputes the judgment about twenty times: from the data loaded, not
    by reading the 700 KB loss file again."""
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
    [judgment] = result.judgments
    assert {"overcount_low", "loss_concentration"} <= set(judgment.sensitivity.parameters)
    assert "as_of" not in judgment.sensitivity.parameters
    [again] = model.key_judgments(params, data)
    assert again.probability == judgment.probability
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
    plt.close("all")
