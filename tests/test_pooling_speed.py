"""The factored forward step (:mod:`estimates.models.pooling.transitions`) against scipy's binomial pmf,
summed pair by pair, on small grids: the speed-up must not change the numbers."""

import numpy as np
import pytest
from scipy import stats

from estimates.core.hazard import P_MAX
from estimates.models.pooling.transitions import new_losses


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
