"""The pooling fit's shortcuts against their definitions: the factored forward step
(:mod:`estimates.models.pooling.transitions`) and the last statement's recurrence against scipy's
binomial, summed pair by pair, on small grids; the rows a fit leaves out (:mod:`.support`) against the
fit on every row. The speed-ups must not change the numbers."""

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from estimates.core.hazard import P_MAX
from estimates.inputs.statements import Statement
from estimates.models.pooling import posterior
from estimates.models.pooling.support import (
    LEFT_OUT,
    chernoff,
    informative_rows,
    negligible,
)
from estimates.models.pooling.transitions import (
    BinomialStep,
    new_losses,
    still_in_range,
)


def pairwise(support, weight, chance, trials, values, low, high):
    """sum_c weight[c] * Binomial(v - c; n - c, q), by scipy, for each value (the definition)."""
    q = np.minimum(chance, P_MAX)
    out = []
    for v in values:
        total = sum(w * stats.binom.pmf(v - c, np.maximum(trials - c, 0), q) for c, w in zip(support, weight) if v >= c)
        out.append(total * ((v >= low) & (v <= high)))
    return np.array(out)


@pytest.mark.parametrize("committed", [np.array([1, 7, 30]), np.array([120, 125, 130]), np.array([280, 300])])
def test_the_factored_step_is_the_pairwise_binomial_sum(committed):
    rng = np.random.default_rng(3)
    # Chances from none to certain, as the grid's logit cells reach.
    chance = np.concatenate([[0.0, 1e-9, 1e-4], rng.uniform(0, 1, 5), [1 - 1e-6, 1.0]])[:, None]
    trials = committed[None, :]
    support = np.array([0, 2, 3, 9])
    weight = rng.uniform(0.1, 1.0, (support.size, chance.size, committed.size))
    values = np.arange(2, min(int(committed.max()), 40) + 1)
    low, high = np.full(committed.shape, 4), np.minimum(committed, 35)
    found = np.array([f for _, f in new_losses(support, weight, chance, trials, values, low, high)])
    expected = pairwise(support, weight, chance, trials, values, low, high)
    # Relative to 1e-9 wherever the pmf is not negligible; the factored step drops terms below 1e-200.
    assert found == pytest.approx(expected, rel=1e-9, abs=1e-200)


def test_a_draw_per_cell_layout_gives_the_same_numbers():
    """joint.py runs the step with one cell per draw: chance and force given per draw."""
    rng = np.random.default_rng(4)
    chance = rng.uniform(0, 0.5, 6)
    trials = rng.integers(20, 40, 6)
    support = np.array([3, 5])
    weight = rng.uniform(0.1, 1.0, (2, 6))
    values = np.arange(5, 20)
    low, high = np.full(6, 6), np.full(6, 18)
    found = np.array([f for _, f in new_losses(support, weight, chance, trials, values, low, high)])
    assert found == pytest.approx(pairwise(support, weight, chance, trials, values, low, high), rel=1e-9, abs=1e-200)


def test_a_force_too_large_to_factor_is_summed_pair_by_pair():
    committed = np.array([800, 1200])
    rng = np.random.default_rng(5)
    chance = np.array([1e-4, 0.05, 0.3, 0.9])[:, None]
    support = np.array([0, 40])
    weight = rng.uniform(0.1, 1.0, (2, chance.size, committed.size))
    values, low, high = np.arange(40, 120), np.full(2, 45), np.full(2, 110)
    found = np.array([f for _, f in new_losses(support, weight, chance, committed[None, :], values, low, high)])
    expected = pairwise(support, weight, chance, committed[None, :], values, low, high)
    assert found == pytest.approx(expected, rel=1e-9, abs=1e-200)


# --- the last statement's step, and the rows a fit leaves out ------------------------------------------

def in_range_by_scipy(support, weight, chance, trials, low, high):
    """sum_c weight[c] * P(low <= c + Binomial(n - c, q) <= high), by scipy's CDF (the definition)."""
    q = np.minimum(chance, P_MAX)
    return sum(w * (stats.binom.cdf(high - c, np.maximum(trials - c, 0), q)
                    - stats.binom.cdf(low - 1 - c, np.maximum(trials - c, 0), q)) for c, w in zip(support, weight))


@pytest.mark.parametrize(("support", "low", "high"), [
    (np.array([25, 26, 27, 30, 33]), np.full(3, 33), np.full(3, 42)),  # counts, with a gap in the support
    (np.array([0, 2, 3, 9]), np.array([4, 5, 9]), np.array([10, 12, 30])),  # bounds varying with the force
    (np.array([5, 6]), np.full(3, 40), np.array([120, 125, 130])),  # a lower bound: up to the whole force
    (np.array([30, 40]), np.full(3, 35), np.full(3, 38)),  # support above the range
])
def test_the_last_step_is_scipys_binomial_range(support, low, high):
    rng = np.random.default_rng(6)
    committed = np.array([120, 125, 130])
    chance = np.concatenate([[0.0, 1e-9, 1e-4], rng.uniform(0, 1, 5), [1 - 1e-6, 1.0]])[:, None]
    weight = rng.uniform(0.1, 1.0, (support.size, chance.size, committed.size))
    found = still_in_range(support, weight, BinomialStep(chance), low, high, committed[None, :])
    expected = in_range_by_scipy(support, weight, chance, committed[None, :], low, high)
    assert found == pytest.approx(expected, rel=1e-9, abs=1e-12)


#: Chances of failure: none, or from 1e-12 up (scipy's binomial pmf overflows near the smallest floats).
chances = st.one_of(st.just(0.0), st.floats(1e-12, 1.0))


@settings(max_examples=300, deadline=None)
@given(n=st.integers(1, 400), low=st.integers(-3, 410), width=st.integers(0, 30),
       window=st.lists(chances, min_size=3, max_size=3))
def test_chernoffs_bound_is_above_the_binomial_chance_anywhere_in_the_window(n, low, width, window):
    earliest, failed, latest = sorted(window)
    high = low + width
    exact = stats.binom.pmf(np.arange(max(low, 0), min(high, n) + 1), n, failed).sum()
    assert exact <= chernoff(np.array(low), np.array(high), np.array(n), np.array(earliest), np.array(latest)) * (1 + 1e-9) + 1e-300


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=60), st.integers(0, 60))
def test_rows_left_out_are_outer_and_carry_at_most_their_share(masses, zeros):
    per_row = np.array(masses + [0.0] * zeros) ** 8  # heavy tails of tiny rows, as a likelihood has
    kept = informative_rows(per_row[:, None, None])
    left_out = per_row[:kept.start].sum() + per_row[kept.stop:].sum()
    assert kept.start < kept.stop and left_out <= LEFT_OUT * per_row.sum() + 1e-300
    assert per_row[kept].sum() > 0 or per_row.sum() == 0


def fit_on_every_row(monkeypatch, statements, **arguments):
    with monkeypatch.context() as patched:
        patched.setattr(posterior, "informative_rows", lambda capped: slice(0, capped.shape[0]))
        return posterior.fit(statements, **arguments)


@pytest.mark.parametrize("reading", ["nested", "independent"])
def test_leaving_rows_out_does_not_move_the_fit(monkeypatch, reading):
    start = dt.date(2022, 2, 24)
    statements = (Statement.count("a", dt.date(2022, 4, 5), 29, start=start, date_latest=dt.date(2022, 4, 10)),
                  Statement("b", dt.date(2022, 4, 12), 37, 38, start=start))
    arguments = dict(as_of_day=42, committed_range=(120, 130), reading=reading, count_uncertainty=4)
    pruned, whole = posterior.fit(statements, **arguments), fit_on_every_row(monkeypatch, statements, **arguments)
    assert pruned.evidence == pytest.approx(whole.evidence, rel=1e-12)
    assert np.abs(pruned.posterior - whole.posterior).max() <= 1e-13
    assert pruned.p_posterior.ppf(0.05) == pytest.approx(whole.p_posterior.ppf(0.05), rel=1e-12)
    assert pruned.p_posterior.ppf(0.95) == pytest.approx(whole.p_posterior.ppf(0.95), rel=1e-12)


def test_statements_in_tension_are_fitted_on_every_row(monkeypatch):
    # 25 of 125 on one day and 31 the next: each alone is likely, both together need six losses in a
    # day, so the evidence is far below what the bound allows and what it would leave out is not
    # negligible beside it: the fit must fall back to the whole grid.
    start = dt.date(2022, 2, 24)
    statements = (Statement.count("a", dt.date(2022, 4, 5), 25, start=start),
                  Statement.count("b", dt.date(2022, 4, 6), 31, start=start))
    arguments = dict(as_of_day=42, committed_range=(125, 125), reading="nested", shape_90=(1.0, 1.0))
    verdicts = []
    with monkeypatch.context() as patched:
        patched.setattr(posterior, "negligible", lambda *a: verdicts.append(negligible(*a)) or verdicts[-1])
        fitted = posterior.fit(statements, **arguments)
    assert verdicts == [False]
    whole = fit_on_every_row(monkeypatch, statements, **arguments)
    assert fitted.evidence == pytest.approx(whole.evidence, rel=1e-12)
    assert np.abs(fitted.posterior - whole.posterior).max() <= 1e-13
