"""Parameters reach readers by their labels, never their identifiers: the schema's labels, the
lookup, the confidence sentence and the tornado chart."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estimates.core import confidence
from estimates.parameters import shared
from estimates.parameters.fields import LABEL_MAX, param
from estimates.parameters.schema import label, specs, specs_frame

NAMES = [row.name for row in specs()]
LABELS = {row.name: row.label for row in specs()}
#: Identifiers a reader must not see: every name that is not also a plain English word.
IDENTIFIERS = [name for name in NAMES if "_" in name]


# --- the schema ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_every_parameter_has_a_short_plain_label(name):
    text = LABELS[name]
    assert text and text == text.strip() and len(text) <= LABEL_MAX, text
    assert "_" not in text and "," not in text, text
    assert not any(re.search(rf"\b{i}\b", text) for i in IDENTIFIERS), text
    # Written for a reader, not the identifier with its underscores turned to spaces.
    assert text != name.replace("_", " ")
    # Lower case so it runs inside a sentence; only an acronym (RPG) keeps capitals.
    assert all(word.islower() or word.isupper() for word in re.findall(r"[A-Za-z]+", text)), text
    assert not text[0].isupper() or text.split()[0].isupper(), text


def test_labels_are_unique():
    seen: dict[str, str] = {}
    for name, text in LABELS.items():
        assert text not in seen, f"{name} and {seen.get(text)} share the label {text!r}"
        seen[text] = name


def test_the_seed_cases_inputs_read_as_written_for_the_reader():
    # Picked by hand from the issue: each is what a decision-maker would call it.
    assert label("units_committed") == "units committed at the start"
    assert label("grade_confidence") == "trust in the source grades"
    assert label("hazard_shape_low") == "low end of the hazard shape prior"
    assert label("count_uncertainty") == "error in the ineffective count"


def test_label_of_an_unknown_or_retired_name_is_the_name_and_an_old_name_takes_the_new_label():
    assert label("no_such_parameter") == "no_such_parameter"
    assert "hazard_shape" in shared.RETIRED and label("hazard_shape") == "hazard_shape"
    assert label("btg_committed") == label("units_committed")  # a version-1 run's name


def test_estimates_params_shows_each_label_beside_its_name():
    frame = specs_frame()
    assert list(frame.columns[:2]) == ["name", "label"]
    assert dict(zip(frame["name"], frame["label"])) == LABELS


@pytest.mark.parametrize(("text", "problem"), [
    ("units_committed", "underscore"), ("low end, of it", "comma"), ("x" * (LABEL_MAX + 1), "characters"),
    ("", "non-empty"), (" padded", "outer spaces"),
])
def test_a_bad_label_is_refused_where_it_is_declared(text, problem):
    with pytest.raises(ValueError, match=rf"^label: .*{problem}"):
        param(int, 1, label=text, help="h", unit="", source="assumption")


def test_a_parameter_cannot_be_declared_without_a_label():
    with pytest.raises(TypeError, match="label"):
        param(int, 1, help="h", unit="", source="assumption")


# --- the confidence sentence ---------------------------------------------------------------------

SOURCES = {"a": {"claim_id": "a", "reliability": "B", "credibility": "2", "originator": "X"}}


def _judgment(changed_by, tested):
    return {"id": "j", "claim_ids": ["a"], "sensitivity": {
        "holds": not changed_by, "changed_by": list(changed_by), "parameters": list(tested),
        "probability_range": [0.2, 0.6]}}


def test_the_robustness_sentence_names_labels_not_identifiers():
    judgment = _judgment(["units_committed", "hazard_shape_low"],
                         ["units_committed", "hazard_shape_low", "reassessment_weight"])
    rated = confidence.rate(judgment, SOURCES, labels=LABELS)
    # Written out by hand from the rule's wording.
    assert ("Its probability band changes within the plausible range of units committed at the start and "
            "low end of the hazard shape prior, 2 of three uncertain inputs (the probability runs from 20% "
            "to 60%).") in rated.statement
    assert not any(name in rated.statement for name in IDENTIFIERS)
    # The machine record keeps the names, so runs stay comparable whatever the wording.
    assert rated.to_dict()["changed_by"] == ["units_committed", "hazard_shape_low"]


def test_without_labels_the_sentence_keeps_the_names_and_an_unlabelled_name_stays_as_is():
    judgment = _judgment(["units_committed", "retired_input"], ["units_committed", "retired_input"])
    bare = confidence.rate(judgment, SOURCES).statement
    assert "plausible range of units_committed and retired_input, 2 of two" in bare
    labelled = confidence.rate(judgment, SOURCES, labels=LABELS).statement
    assert "plausible range of units committed at the start and retired_input, 2 of two" in labelled


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(NAMES), min_size=1, max_size=6, unique=True), st.data())
def test_no_identifier_survives_in_a_labelled_statement(changed, data):
    extra = data.draw(st.lists(st.sampled_from(NAMES), max_size=4, unique=True))
    statement = confidence.rate(_judgment(changed, dict.fromkeys(changed + extra)), SOURCES,
                                labels=LABELS).statement
    assert not any(re.search(rf"\b{name}\b", statement) for name in IDENTIFIERS), statement
    assert all(LABELS[name] in statement for name in changed)


# --- the tornado chart -----------------------------------------------------------------------------

def _variation(name, value, probability, term):
    return {"parameter": name, "value": value, "probability": probability, "term": term}


#: Two inputs that move a 0.40 judgment (0.40 is "unlikely": 20-45%) and one that does not.
SENSITIVITY = {
    "holds": False, "changed_by": ["hazard_shape_low"],
    "parameters": ["units_committed", "hazard_shape_low", "seed"], "probability_range": [0.30, 0.50],
    "variations": [
        _variation("units_committed", 120, 0.36, "unlikely"), _variation("units_committed", 130, 0.43, "unlikely"),
        # A range scaled to the run's value carries float noise: 0.1 + 0.2 is 0.30000000000000004.
        _variation("hazard_shape_low", 0.1 + 0.2, 0.30, "unlikely"),
        _variation("hazard_shape_low", 0.8, 0.50, "roughly even chance"),
        _variation("seed", 1, 0.40, "unlikely"), _variation("seed", 2, 0.40, "unlikely"),
    ],
}


def test_tornado_ticks_are_labels_widest_swing_first():
    import matplotlib.pyplot as plt

    from estimates.charts import term_sensitivity_chart

    ax = term_sensitivity_chart(SENSITIVITY, 0.40, labels=LABELS)
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    # Swings by hand: hazard_shape_low 0.30-0.50 (0.20), units_committed 0.36-0.43 (0.07); seed none.
    assert ticks == ["low end of the hazard shape prior (0.3 to 0.8)", "units committed at the start (120 to 130)"]
    assert "1 other input leaves it unchanged" in ax.get_xlabel()
    plt.close("all")


def test_tornado_alt_text_names_the_inputs_that_change_the_band_by_label():
    import matplotlib.pyplot as plt

    from estimates.charts import judgment_figures

    judgment = {"id": "j", "statement": "S.", "probability": {"probability": 0.40}, "sensitivity": SENSITIVITY}
    [(name, _, alt)] = judgment_figures([judgment], labels=LABELS)
    assert name == "sensitivity_j"
    assert alt.endswith("; the band changes with low end of the hazard shape prior.")
    [(_, figure, bare)] = judgment_figures([judgment])
    assert bare.endswith("; the band changes with hazard_shape_low.")
    assert figure.axes[0].get_yticklabels()[0].get_text().startswith("hazard_shape_low (")
    plt.close("all")
