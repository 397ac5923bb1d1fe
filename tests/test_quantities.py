"""Quantiles from a frequency table against numpy's own quantiles of the draws it counts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from estimates.core.quantities import DEFAULT_QUANTILES, quantiles_of_counts


@given(st.lists(st.integers(0, 40), min_size=1, max_size=300),
       st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6))
def test_quantiles_of_counts_are_numpys_quantiles_of_the_draws(draws, levels):
    expected = np.quantile(np.array(draws), levels)
    got = quantiles_of_counts(np.bincount(draws, minlength=45), tuple(levels))
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_a_single_value_and_zero_draws():
    assert list(quantiles_of_counts(np.array([0, 0, 7]))) == [2.0] * len(DEFAULT_QUANTILES)
    with pytest.raises(ValueError, match="zero draws"):
        quantiles_of_counts(np.zeros(3, dtype=int))
