"""The JSON Schema of ``results.json``: the shared definitions, and each registered model's piece.

``report/schemas/results.schema.json`` holds what every section shares (judgments, intervals,
sources, parameter rows); each model's folder holds its own section's schema (``schema.json``). This
module puts them together, so adding a model adds its section to the schema without editing this one.
"""

from __future__ import annotations

import json

from estimates.paths import RESULTS_SCHEMA
from estimates.registry import MODELS


def results_schema() -> dict:
    """The whole schema: one optional top-level property per registered model."""
    schema = json.loads(RESULTS_SCHEMA.read_text(encoding="utf-8"))
    for model in MODELS.values():
        piece = model.results_schema()
        clash = set(piece["$defs"]) & set(schema["$defs"])
        if clash:
            raise ValueError(f"model '{model.name}': schema.json redefines {', '.join(sorted(clash))}")
        if model.name not in piece["$defs"]:
            raise ValueError(f"model '{model.name}': schema.json has no definition named '{model.name}'")
        schema["$defs"].update(piece["$defs"])
        schema["properties"][model.name] = {"$ref": f"#/$defs/{model.name}"}
    return schema


def validate_results(results: dict) -> None:
    """Raise ``jsonschema.ValidationError`` if ``results`` does not follow :func:`results_schema`."""
    import jsonschema  # here, not at the top: it costs ~1 s (its format checkers) on every CLI start

    jsonschema.validate(results, results_schema())
