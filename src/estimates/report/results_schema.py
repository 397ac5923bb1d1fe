"""The JSON Schema of ``results.json``: the shared definitions, and each registered model's piece.

``report/schemas/results.schema.json`` holds what every section shares (judgments, intervals,
sources, parameter rows); each model's folder holds its own section's schema (``schema.json``). This
module puts them together, so adding a model adds its section to the schema without editing this one.
"""

from __future__ import annotations

import json

from estimates.paths import RESULTS_SCHEMA
from estimates.registry import MODELS

#: 2: parameters lost the seed's unit (``units_*``) and the case is recorded. Version 1 is still
#: read (:func:`upgrade`).
SCHEMA_VERSION = 2
READABLE_VERSIONS = (1, 2)
#: Judgments whose id named the seed's unit in version 1.
RENAMED_JUDGMENTS = {"resupply-complete-btg": "resupply-complete-unit"}


def upgrade(results: dict, manifest: dict) -> tuple[dict, dict]:
    """An older run's ``results.json`` and ``manifest.json`` in today's names (copies).

    Version 1 named parameters after the seed's unit (``btg_committed``); their rows and values
    take the new names, so a comparison pairs ``units_committed`` with its old self.
    """
    from estimates.parameters.shared import RENAMED

    version = results.get("schema_version")
    if version == SCHEMA_VERSION:
        return results, manifest
    if version not in READABLE_VERSIONS:
        raise ValueError(f"results.json has schema_version {version!r}; this version of estimates reads "
                         f"{', '.join(map(str, READABLE_VERSIONS))}")
    manifest = {**manifest, "parameters": {RENAMED.get(k, k): v for k, v in manifest.get("parameters", {}).items()}}
    upgraded = {"schema_version": SCHEMA_VERSION}
    for name, section in results.items():
        if isinstance(section, dict) and isinstance(section.get("parameters"), list):
            rows = [{**row, "name": RENAMED.get(row.get("name"), row.get("name"))} for row in section["parameters"]]
            section = {**section, "parameters": rows}
        if isinstance(section, dict) and isinstance(section.get("judgments"), list):
            judgments = [{**j, "id": RENAMED_JUDGMENTS.get(j.get("id"), j.get("id"))} for j in section["judgments"]]
            section = {**section, "judgments": judgments}
        if name != "schema_version":
            upgraded[name] = section
    return upgraded, manifest


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
