"""The pooled daily hazard pinned to its closed form, k * -log(1 - p) / t0, with p the single-report
Beta posterior."""

import datetime as dt

import numpy as np
import pytest
from scipy import stats

from estimates.inputs.statements import Statement
from estimates.models.pooling import joint


@pytest.mark.parametrize("shape", [1.0, 2.0])
def test_pooled_daily_hazard_is_shape_times_h0_over_the_as_of_day(shape):
    # One statement, 29 of 125 on 6 April 2022 (day 42), the as-of day: the likelihood does not
    # depend on the shape, so p | data is the Jeffreys Beta(29.5, 96.5) (scipy) and the hazard at
    # day 42 is k * -log(1 - p) / 42, a monotone map: its quantiles are the Beta's, mapped.
    one = Statement.count("six-weeks", dt.date(2022, 4, 6), 29, start=dt.date(2022, 2, 24))
    estimate = joint.estimate((one,), as_of_day=42, committed_range=(125, 125), prior="jeffreys",
                              shape_90=(shape, shape), count_uncertainty=0, reassessment_weight=0.0)
    drawn = estimate.draw(40_000, np.random.default_rng(11), 42)
    draws = drawn["shape"] * -np.log1p(-drawn["p"]) / 42
    levels = np.array([0.1, 0.5, 0.9])
    expected = shape * -np.log1p(-stats.beta(29.5, 96.5).ppf(levels)) / 42
    assert np.quantile(draws, levels) == pytest.approx(expected, rel=6e-3)
    # The median by hand: Beta(29.5, 96.5) median 0.2329 (scipy), -log(1 - 0.2329) / 42 = 0.006313.
    assert np.median(draws) == pytest.approx(shape * 0.006313, rel=6e-3)
