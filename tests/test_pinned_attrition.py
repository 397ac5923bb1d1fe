"""First passage below the threshold is "by the date", pinned with reconstitution > 0 to the closed
forms of a two-state Markov chain."""

import numpy as np
import pytest
from hypothesis import example, given, settings

from estimates.models.attrition.assessment import project_effective

from .strategies import projections


def test_first_passage_with_reconstitution_is_by_the_date_not_on_it():
    # One effective BTG, threshold 1 (below = none effective). Constant hazard with p = 1 - 0.9**42
    # at day 42, so each day it is lost with probability q = 0.1; reconstitution 3.5 a week is a
    # Poisson(0.5) a day, so a lost BTG comes back that day with probability r = 1 - exp(-0.5). At
    # the end of a day it is down with probability a = q (1 - r) from up, and comes back with b = r.
    # Two-state Markov chain, closed forms after d days:
    #   by the date (absorbing):  1 - (1 - a)^d
    #   on the date:              a / (a + b) * (1 - (1 - a - b)^d)
    n, horizon = 20_000, 20
    q, r = 0.1, 1 - np.exp(-0.5)
    a, b = q * (1 - r), r
    projection = project_effective(np.ones(n, dtype=int), np.zeros(n, dtype=int), np.full(n, 1 - 0.9 ** 42),
                                   as_of_day=42, horizon_days=horizon, threshold=1,
                                   rng=np.random.default_rng(7), reconstitution_per_week=3.5)
    d = np.arange(horizon + 1)
    by_date = 1 - (1 - a) ** d
    on_date = a / (a + b) * (1 - (1 - a - b) ** d)
    found_by = np.array([p.probability for p in projection.first_passage()])
    found_on = projection.counts[:, 0] / n
    se = np.sqrt(0.25 / n)
    assert np.all(np.abs(found_by - by_date) < 5 * se)
    assert np.all(np.abs(found_on - on_date) < 5 * se)
    # By 20 days: 1 - 0.9393^20 = 0.714; on the day: 0.134.
    assert found_by[-1] == pytest.approx(0.714, abs=0.02)
    assert found_by[-1] > found_on[-1] + 0.5


@settings(max_examples=60, deadline=None)
@given(projections(reconstitution_min=0.5))
@example({"effective": 1, "ineffective": 0, "rate": 0.99, "as_of_day": 10, "horizon_days": 20,
          "threshold": 1, "shape": 1.0, "reconstitution_per_week": 7.0, "seed": 0})
def test_first_passage_never_falls_and_is_at_least_below_on_the_date(case):
    case = dict(case)
    n = 200
    projection = project_effective(
        np.full(n, case.pop("effective")), np.full(n, case.pop("ineffective")), np.full(n, case.pop("rate")),
        rng=np.random.default_rng(case.pop("seed")), **case)
    by_date = np.array([p.probability for p in projection.first_passage()])
    below = projection.counts[:, : int(np.ceil(projection.threshold))].sum(axis=1) / n
    assert np.all(np.diff(by_date) >= 0)
    assert np.all(by_date >= below)
