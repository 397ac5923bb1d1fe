"""Every registered model answers the same protocol, and its top-level result shows itself the same way.

The registry is the only list of models; this checks each entry against what the runner, sweep,
diff and briefing call (``estimates.model``), so a model that drifts from the protocol fails here
rather than deep inside a run.
"""

from __future__ import annotations

import dataclasses
import inspect
import json

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from estimates.model import Model
from estimates.parameters.schema import validate
from estimates.registry import MODELS
from estimates.report.results_schema import SCHEMA_VERSION, results_schema

matplotlib.use("Agg")
PROTOCOL = {"load": ["params"], "check": ["params", "data"], "key_judgments": ["params", "data", "rng"],
            "assess": ["params", "data", "rng", "sensitivity"], "section": ["params", "data", "result"]}


@pytest.fixture(scope="module")
def assessed():
    params = validate({"n_samples": 1000})
    found = {}
    for name, model in MODELS.items():
        data = model.load(params)
        found[name] = (params, data, model.assess(params, data))
    return found


@pytest.mark.parametrize("name", list(MODELS))
def test_entry_points_have_one_signature(name):
    module = MODELS[name].implementation
    for function, arguments in PROTOCOL.items():
        assert list(inspect.signature(getattr(module, function)).parameters) == arguments, (name, function)
    assert inspect.signature(module.assess).parameters["sensitivity"].kind is inspect.Parameter.KEYWORD_ONLY


@pytest.mark.parametrize("name", list(MODELS))
def test_the_result_summarises_plots_and_renders_itself(name, assessed):
    params, data, result = assessed[name]
    assert dataclasses.is_dataclass(result) and type(result).__dataclass_params__.frozen
    assert isinstance(result.summary(), pd.DataFrame) and len(result.summary())
    assert "<table" in result._repr_html_()
    json.dumps(MODELS[name].section(params, data, result))  # plain JSON
    _, ax = plt.subplots()
    drawn = result.plot(ax=ax)
    assert drawn is ax or getattr(drawn, "figure", None) is ax.figure
    alone = result.plot()
    assert isinstance(alone, (plt.Axes, plt.Figure))
    plt.close("all")
    if result.to_dict().get("judgments"):
        frame = result.judgments_frame()
        assert list(frame.index if frame.index.name == "id" else frame["id"]) == [
            j["id"] for j in result.to_dict()["judgments"]]


@pytest.mark.parametrize("name", list(MODELS))
def test_its_recorded_section_follows_its_schema_piece(name, baseline_results):
    import jsonschema

    section = baseline_results[name]
    schema = results_schema()
    jsonschema.validate({"schema_version": SCHEMA_VERSION, name: section}, schema)
    required = MODELS[name].results_schema()["$defs"][name]["required"]
    broken = {key: value for key, value in section.items() if key != required[0]}
    with pytest.raises(jsonschema.ValidationError, match=required[0]):
        jsonschema.validate({"schema_version": SCHEMA_VERSION, name: broken}, schema)


def test_each_model_declares_what_the_infrastructure_needs():
    for name, model in MODELS.items():
        assert isinstance(model, Model) and model.name == name
        assert model.notebook.is_file() and model.template is not None
        assert set(model.question_parameters) <= set(model.parameter_names())
        assert set(model.depends) <= set(MODELS) and set(model.includes) <= set(MODELS)
        assert model.title and name in model.results_schema()["$defs"]
