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


# --- the UK Probability Yardstick (Defence Intelligence), as listed in data/README.md --------------

@pytest.mark.parametrize(
    ("p", "term"),
    [
        # Inside the published bands.
        (0.0, "remote chance"), (0.05, "remote chance"), (0.10, "highly unlikely"), (0.20, "highly unlikely"),
        (0.25, "unlikely"), (0.35, "unlikely"), (0.40, "realistic possibility"), (0.50, "realistic possibility"),
        (0.55, "likely"), (0.75, "likely"), (0.80, "highly likely"), (0.90, "highly likely"),
        (0.95, "almost certain"), (1.0, "almost certain"),
        # In the gaps: the nearer band's term.
        (0.06, "remote chance"), (0.09, "highly unlikely"), (0.21, "highly unlikely"), (0.24, "unlikely"),
        (0.36, "unlikely"), (0.39, "realistic possibility"), (0.51, "realistic possibility"), (0.54, "likely"),
        (0.76, "likely"), (0.79, "highly likely"), (0.91, "highly likely"), (0.94, "almost certain"),
        # Exactly midway: the less extreme term (the band whose middle is nearer 50%).
        (0.075, "highly unlikely"), (0.225, "unlikely"), (0.375, "realistic possibility"),
        (0.525, "realistic possibility"), (0.775, "likely"), (0.925, "highly likely"),
    ],
)
def test_yardstick_bands_gaps_and_midpoints(p, term):
    assert likelihood(p, "uk").term == term


@given(probabilities, probabilities)
def test_yardstick_terms_are_monotone(a, b):
    from estimates.core.wording import UK_YARDSTICK

    order = [band.term for band in UK_YARDSTICK]
    low, high = sorted((a, b))
    assert order.index(likelihood(low, "uk").term) <= order.index(likelihood(high, "uk").term)


@given(probabilities)
def test_a_yardstick_term_is_never_more_than_half_a_gap_from_its_band(p):
    band = likelihood(p, "uk")
    assert band.low - 0.025 - 1e-12 <= p <= band.high + 0.025 + 1e-12


def test_an_unknown_scale_is_refused_naming_the_choices():
    with pytest.raises(ValueError, match="scale must be one of icd203, uk"):
        likelihood(0.5, "nato")


@pytest.mark.parametrize(("term", "sentence"), [
    ("realistic possibility", "There is a realistic possibility that"),
    ("remote chance", "There is a remote chance that"),
    ("highly unlikely", "It is highly unlikely that"),
    ("almost no chance", "There is almost no chance that"),
    ("very likely", "It is very likely that"),
])
def test_every_term_opens_a_sentence_that_reads_right(term, sentence):
    from estimates.core.wording import opening

    assert f"{opening(term)} {term} that" == sentence
