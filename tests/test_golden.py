"""The numbers of stored runs, reproduced: a move of code must not move a number.

``tests/golden/*.json`` are ``results.json`` files written before the package was reorganised into
model folders (``tests/golden/capture.py``, quick profile): the baseline, and one parameter set per
model away from the seed's values. The baseline is compared with the session's real run of the
notebooks; each other set with the section of the model it was chosen for, computed through the
registry as the notebook computes it (``tests/test_sweep.py`` keeps that path equal to the
notebooks'). Every number must agree within 1e-9 relative, every string exactly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from estimates.parameters.schema import names_for, with_case
from estimates.registry import MODELS
from tests.conftest import QUICK
from tests.golden.cases import CASES
from tests.golden.compare import differences

HERE = Path(__file__).parent / "golden"


def stored(case: str) -> dict:
    return json.loads((HERE / f"{case}.json").read_text())


def test_the_baseline_run_records_the_stored_numbers(baseline_results):
    found = differences(stored("baseline"), baseline_results)
    assert not found, "\n".join(found[:20])


@pytest.mark.parametrize("case", [c for c in CASES if c != "baseline"])
def test_each_model_reproduces_its_stored_non_default_run(case):
    overrides = CASES[case]
    params = with_case({**QUICK, **overrides})  # the bundled case's values, as the stored run had them
    assert set(overrides) <= set(names_for(case))  # each set moves its own model's inputs
    found = differences(stored(case)[case], MODELS[case].compute_section(params), path=case)
    assert not found, "\n".join(found[:20])


def test_the_comparison_catches_a_changed_number_and_a_changed_word():
    section = stored("baseline")["attrition"]
    moved = json.loads(json.dumps(section))
    moved["judgments"][0]["probability"]["probability"] *= 1 + 1e-8
    reworded = json.loads(json.dumps(section))
    reworded["judgments"][0]["term"] = "even chance"
    assert differences(section, moved) and differences(section, reworded)
    assert differences(section, section) == []
