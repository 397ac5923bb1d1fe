"""Proper scores against a maintained library (scoringrules), closed forms and their identities."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scoringrules
from hypothesis import given
from hypothesis import strategies as st

from estimates.core.scoring import FLOOR, score

forecasts = st.lists(st.tuples(st.floats(0.0, 1.0), st.booleans()), min_size=1, max_size=60)


@given(forecasts)
def test_brier_and_log_scores_are_scoringrules_own(pairs):
    f, o = (np.array(x) for x in zip(*pairs))
    result = score(f, o)
    assert result.brier == pytest.approx(float(np.mean(scoringrules.brier_score(o.astype(int), f))), abs=1e-12)
    clipped = np.clip(f, FLOOR, 1 - FLOOR)
    assert result.log == pytest.approx(float(np.mean(scoringrules.log_score(o.astype(int), clipped))), rel=1e-9)


@given(forecasts)
def test_the_decomposition_adds_up_to_the_brier_score(pairs):
    f, o = (np.array(x) for x in zip(*pairs))
    result = score(f, o)
    assert result.reliability - result.resolution + result.uncertainty + result.within_band == pytest.approx(
        result.brier, abs=1e-12)
    assert result.reliability >= 0 and result.resolution >= 0
    assert result.calibration["judgments"].sum() == len(f)


def test_references_by_hand():
    # Three of four happened: the base rate 0.75 scores 0.1875 = 0.75 x 0.25, and 50% scores 0.25 and ln 2.
    result = score([0.9, 0.8, 0.7, 0.2], [True, True, True, False])
    assert result.base_rate == 0.75 and result.brier_base_rate == pytest.approx(0.1875)
    assert (result.brier_half, result.log_half) == (0.25, pytest.approx(math.log(2)))
    assert result.brier == pytest.approx((0.01 + 0.04 + 0.09 + 0.04) / 4)
    assert result.uncertainty == pytest.approx(0.1875)


def test_a_calibrated_forecaster_falls_inside_the_intervals():
    # Outcomes drawn with the stated probabilities: each band's rate inside its 90% interval, bar chance.
    rng = np.random.default_rng(5)
    f = rng.uniform(0, 1, 4000)
    result = score(f, rng.uniform(size=f.size) < f)
    inside = (result.calibration["low"] <= result.calibration["mean probability"]) & (
        result.calibration["mean probability"] <= result.calibration["high"])
    assert inside.sum() >= len(inside) - 1
    assert result.reliability < 0.002 and result.brier < result.brier_half


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="as many outcomes"):
        score([0.5], [True, False])
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        score([1.5], [True])
