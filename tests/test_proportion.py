"""The per-BTG probability behind "k of n": reference intervals and invariants."""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from estimates.core.proportion import estimate_proportion, propagate_reporting

from .strategies import counts, levels

# 29 of 125, 95% intervals, computed independently of the package:
#   Clopper-Pearson: statsmodels proportion_confint(29, 125, method="beta") and R binom.test
#   Wilson:          statsmodels proportion_confint(29, 125, method="wilson")
#   Jeffreys:        scipy.stats.beta(29.5, 96.5).ppf([0.025, 0.975])
REFERENCE_29_OF_125 = {
    "clopper_pearson": (0.161212, 0.315903),
    "wilson": (0.166668, 0.313313),
    "jeffreys": (0.164680, 0.311564),
}


@pytest.mark.parametrize("method", sorted(REFERENCE_29_OF_125))
def test_reference_intervals_29_of_125(method):
    interval = getattr(estimate_proportion(29, 125), method)(0.95)
    assert (interval.low, interval.high) == pytest.approx(REFERENCE_29_OF_125[method], abs=5e-7)


def test_headline_posterior_is_jeffreys_by_default():
    est = estimate_proportion(29, 125)
    assert (est.interval(0.95).low, est.interval(0.95).high) == pytest.approx((0.164680, 0.311564), abs=5e-7)


def test_uniform_prior_is_beta_k_plus_one():
    est = estimate_proportion(29, 125, prior="uniform")
    expected = stats.beta(30, 97).ppf([0.05, 0.95])  # Beta(k + 1, n - k + 1)
    assert [est.interval(0.9).low, est.interval(0.9).high] == pytest.approx(list(expected))


@settings(max_examples=60, deadline=None)
@given(counts(max_n=400), levels)
@example((0, 1), 0.5)  # found by Hypothesis: statsmodels has no boundary rule for Jeffreys
def test_agrees_with_statsmodels(kn, level):
    k, n = kn
    est = estimate_proportion(k, n)
    alpha = 1 - level
    pairs = [(est.clopper_pearson(level), "beta"), (est.wilson(level), "wilson")]
    if 0 < k < n:
        pairs.append((est.jeffreys(level), "jeffreys"))
    for ours, method in pairs:
        low, high = proportion_confint(k, n, alpha=alpha, method=method)
        assert (ours.low, ours.high) == pytest.approx((low, high), abs=1e-6)


@pytest.mark.parametrize(("k", "n"), [(0, 1), (0, 125), (125, 125)])
def test_jeffreys_boundary_convention(k, n):
    # Brown, Cai and DasGupta (2001), Statistical Science 16(2), section 4.1.2: the Jeffreys
    # interval's lower end is 0 when k = 0 and its upper end is 1 when k = n; otherwise Beta quantiles.
    interval = estimate_proportion(k, n).jeffreys(0.95)
    beta_low, beta_high = stats.beta(k + 0.5, n - k + 0.5).ppf([0.025, 0.975])
    assert interval.low == (0.0 if k == 0 else pytest.approx(beta_low))
    assert interval.high == (1.0 if k == n else pytest.approx(beta_high))


@settings(max_examples=80, deadline=None)
@given(counts(), levels)
def test_intervals_are_ordered_and_inside_unit_interval(kn, level):
    est = estimate_proportion(*kn)
    for interval in (est.interval(level), est.clopper_pearson(level), est.wilson(level), est.jeffreys(level)):
        assert 0.0 <= interval.low <= interval.high <= 1.0


@settings(max_examples=60, deadline=None)
@given(counts(max_n=500))
def test_more_ineffective_means_higher_posterior(kn):
    k, n = kn
    if k == n:
        k -= 1
    if k < 0:
        return
    lower, higher = estimate_proportion(k, n), estimate_proportion(k + 1, n)
    assert higher.posterior.median() > lower.posterior.median()


def test_overdispersion_zero_is_the_beta_posterior():
    assert estimate_proportion(29, 125, overdispersion=0.0).posterior.dist.name == "beta"


def test_overdispersion_widens_the_interval():
    plain = estimate_proportion(29, 125).interval(0.9)
    clustered = estimate_proportion(29, 125, overdispersion=0.05).interval(0.9)
    assert clustered.high - clustered.low > plain.high - plain.low


def test_beta_binomial_posterior_matches_importance_sampling():
    # Independent method: draw p from the Jeffreys prior and weight by the beta-binomial likelihood.
    rho, k, n = 0.05, 29, 125
    rng = np.random.default_rng(7)
    p = rng.beta(0.5, 0.5, size=400_000)
    c = (1 - rho) / rho
    w = stats.betabinom.pmf(k, n, p * c, (1 - p) * c)
    mean_is = np.sum(w * p) / np.sum(w)
    est = estimate_proportion(k, n, overdispersion=rho)
    assert est.posterior.mean() == pytest.approx(mean_is, abs=2e-3)


def test_observed_share_is_not_a_probability_of_an_event():
    est = estimate_proportion(29, 125)
    assert est.observed_share == pytest.approx(0.232)


@pytest.mark.parametrize(("k", "n"), [(5, 3), (-1, 10), (0, 0)])
def test_rejects_impossible_counts(k, n):
    with pytest.raises(ValueError, match="0 <= k <= n"):
        estimate_proportion(k, n)


def test_reporting_uncertainty_widens_and_respects_bounds():
    rng = np.random.default_rng(11)
    wide = propagate_reporting(29, 125, count_uncertainty=6, denominator_uncertainty=5,
                               prior="jeffreys", overdispersion=0.0, size=50_000, rng=rng)
    narrow = estimate_proportion(29, 125).interval(0.9)
    interval = wide.interval(0.9)
    assert interval.high - interval.low > narrow.high - narrow.low
    assert wide.ineffective.min() >= 23 and wide.ineffective.max() <= 35
    assert wide.committed.min() >= 120 and wide.committed.max() <= 130
    assert np.all(wide.ineffective <= wide.committed)


def test_zero_reporting_uncertainty_reproduces_the_posterior():
    rng = np.random.default_rng(3)
    draws = propagate_reporting(29, 125, count_uncertainty=0, denominator_uncertainty=0,
                                prior="jeffreys", overdispersion=0.0, size=200_000, rng=rng)
    # Kolmogorov-Smirnov against the closed-form Beta(29.5, 96.5).
    assert stats.kstest(draws.rate, stats.beta(29.5, 96.5).cdf).pvalue > 0.001


# --- from a probability to a hazard and back (estimates.core.hazard) -------------------------------

@settings(max_examples=50, deadline=None)
@given(st.floats(min_value=0.0, max_value=0.999), st.integers(min_value=1, max_value=400))
def test_hazard_and_probability_are_inverse(p, days):
    from estimates.core.hazard import (
        daily_hazard_from_probability,
        probability_from_cumulative_hazard,
    )

    rate = daily_hazard_from_probability(p, days)
    # A constant daily hazard -log(1 - p) / t gives the event within t days with probability p.
    assert float(probability_from_cumulative_hazard(rate * days)) == pytest.approx(p, rel=1e-12, abs=1e-15)
    assert float(rate) == pytest.approx(-np.log(1.0 - p) / days, rel=1e-9, abs=1e-15)


def test_hazard_is_exact_for_small_probabilities_and_finite_at_one():
    from estimates.core.hazard import (
        daily_hazard_from_probability,
        probability_from_cumulative_hazard,
    )

    # -log(1 - p) = p + p^2/2 + ...: for p = 1e-12, log(1 - p) in floating point is off by about 1e-4.
    assert float(daily_hazard_from_probability(1e-12, 1)) == pytest.approx(1e-12 + 5e-25, rel=1e-15)
    assert float(probability_from_cumulative_hazard(1e-12)) == pytest.approx(1e-12 - 5e-25, rel=1e-15)
    at_one = daily_hazard_from_probability(np.array([0.5, 1.0]), 42)
    assert np.all(np.isfinite(at_one)) and at_one[1] > at_one[0]
    assert daily_hazard_from_probability(0.0, 42) == 0.0
