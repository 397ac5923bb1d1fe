"""Reusable Hypothesis strategies for the suite's inputs."""

from hypothesis import strategies as st


@st.composite
def counts(draw, max_n: int = 1000):
    """(k, n) with 0 <= k <= n and n >= 1: a reported k of n."""
    n = draw(st.integers(min_value=1, max_value=max_n))
    k = draw(st.integers(min_value=0, max_value=n))
    return k, n


probabilities = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
levels = st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99])
seeds = st.integers(min_value=0, max_value=2**32 - 1)
