"""ICD 203 words of estimative probability."""

import pytest
from hypothesis import given

from estimates.core.wording import SCALE, likelihood

from .strategies import probabilities


# Bands from ICD 203 (2015), as listed in data/README.md; each band's upper edge belongs to the
# band above.
@pytest.mark.parametrize(
    ("p", "term"),
    [
        (0.0, "almost no chance"),
        (0.049, "almost no chance"),
        (0.05, "very unlikely"),
        (0.1999, "very unlikely"),
        (0.20, "unlikely"),
        (0.23, "unlikely"),
        (0.45, "roughly even chance"),
        (0.5499, "roughly even chance"),
        (0.55, "likely"),
        (0.80, "very likely"),
        (0.95, "almost certain"),
        (1.0, "almost certain"),
    ],
)
def test_bands_and_edges(p, term):
    assert likelihood(p).term == term


def test_label_carries_published_range():
    assert likelihood(0.23).label == "unlikely (20-45%)"
    assert likelihood(0.97).label == "almost certain (95-99%)"


@pytest.mark.parametrize("bad", [-0.01, 1.01, float("nan")])
def test_rejects_values_outside_unit_interval(bad):
    with pytest.raises(ValueError, match="probability must be in"):
        likelihood(bad)


@pytest.mark.parametrize("bad", ["0.5", None, True])
def test_rejects_non_numbers(bad):
    with pytest.raises(TypeError, match="probability must be a number"):
        likelihood(bad)


@given(probabilities, probabilities)
def test_terms_are_monotone(a, b):
    order = [band.term for band in SCALE]
    lo, hi = sorted((a, b))
    assert order.index(likelihood(lo).term) <= order.index(likelihood(hi).term)


@given(probabilities)
def test_probability_lies_in_its_band_or_at_the_ends(p):
    band = likelihood(p)
    if band.term == "almost no chance":
        assert p < 0.05
    elif band.term == "almost certain":
        assert p >= 0.95
    else:
        assert band.low <= p < band.high
