"""What a notebook shows: tables whose text is whole and escaped, and numbers worded as they mean."""

from __future__ import annotations

import re

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from estimates.core.display import Prose, Table, percent
from estimates.core.judgments import Judgment, judgments_table
from estimates.core.quantities import ExactProbability, MonteCarloProbability
from estimates.parameters.schema import with_case
from estimates.registry import MODELS

LONG = "that the committed force has fallen below the threshold of effective units before the end of the horizon"


def test_long_text_is_whole_and_hostile_text_escaped():
    table = Table(pd.DataFrame({"text": [LONG, "<script>alert(1)</script> & more"]}), "A <b>caption</b>")
    html = table._repr_html_()
    assert LONG in html and LONG in repr(table)  # pandas alone cuts at 50 characters
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;caption" in html


def test_judgments_read_in_full_with_the_error_only_where_simulated():
    simulated = Judgment("a", LONG, MonteCarloProbability.from_count(830, 1000), "a simulation")
    exact = Judgment("b", LONG, ExactProbability(0.25, "grid"), "a grid posterior")
    frame = judgments_table([simulated, exact]).frame
    assert frame.loc["a", "judgment"] == simulated.sentence and frame.loc["b", "judgment"] == exact.sentence
    assert frame.loc["a", "probability"] == "83.0% (Monte Carlo error ±1.2 points)"
    assert frame.loc["b", "probability"] == "25.0%"


@given(st.floats(0, 1), st.floats(0, 0.5))
def test_percent_rounds_to_a_tenth_of_a_point(probability, error):
    text = percent(probability, error)
    shown = float(re.match(r"([\d.]+)%", text).group(1))
    assert abs(shown - 100 * probability) <= 0.05 + 1e-9
    assert ("Monte Carlo error" in text) == bool(error)


def test_prose_renders_as_markdown():
    prose = Prose(("First.", "Second."), "What this says")
    assert prose._repr_markdown_() == "## What this says\n\nFirst.\n\nSecond."


def test_no_table_a_notebook_shows_holds_a_raw_float():
    # Every worded table of the five results: cells are strings, none with six decimals.
    params = with_case({"n_samples": 1000})
    shown = []
    for name in MODELS:
        model = MODELS[name]
        data = model.load(params)
        result = model.assess(params, data)
        shown += [getattr(result, m)() for m in dir(result) if m.endswith("_table") and not m.startswith("_")]
    assert len(shown) >= 15
    for table in shown:
        cells = table.frame.to_numpy().ravel()
        assert all(isinstance(c, str) for c in cells), table.caption
        assert not any(re.search(r"\d\.\d{5,}", c) for c in cells), table.caption
