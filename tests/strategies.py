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

#: Base rates a grade of F or 6 can stand for (the parameter's range is 0.01-0.99).
base_rates = st.floats(min_value=0.01, max_value=0.99, allow_nan=False)
#: Stretch of the grade table's log-odds (the parameter's range is 0-3).
grade_confidences = st.floats(min_value=0.0, max_value=3.0, allow_nan=False)
#: An Admiralty grade as (reliability letter, credibility digit).
admiralty_grades = st.tuples(st.sampled_from("ABCDEF"), st.sampled_from("123456"))


@st.composite
def projections(draw, reconstitution_min: float = 0.0):
    """Keyword arguments for ``attrition.project_effective`` with one scenario for every draw:
    a small force, a fixed per-BTG rate and, when ``reconstitution_min`` > 0, regeneration."""
    effective = draw(st.integers(min_value=1, max_value=30))
    return {
        "effective": effective,
        "ineffective": draw(st.integers(min_value=0, max_value=30)),
        "rate": draw(st.floats(min_value=0.05, max_value=0.99)),
        "as_of_day": draw(st.integers(min_value=1, max_value=60)),
        "horizon_days": draw(st.integers(min_value=1, max_value=40)),
        "threshold": draw(st.integers(min_value=1, max_value=effective + 5)),
        "shape": draw(st.sampled_from([0.7, 1.0, 1.5])),
        "reconstitution_per_week": draw(st.floats(min_value=reconstitution_min, max_value=21.0)),
        "seed": draw(seeds),
    }
