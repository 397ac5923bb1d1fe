"""The models of the suite: one line each. Everything else iterates over :data:`MODELS`.

Adding a model is a folder under ``estimates/models/`` (see :mod:`estimates.model`) and one line
here. The order is the order of the briefing, of ``results.json`` and of the parameter schema.
"""

from __future__ import annotations

import importlib

from estimates.model import Model

_PACKAGES = (
    "estimates.models.attrition",
    "estimates.models.resupply",
    "estimates.models.pooling",
    "estimates.models.losses",
    "estimates.models.lanchester",
)

MODELS: dict[str, Model] = {m.name: m for m in (importlib.import_module(p).MODEL for p in _PACKAGES)}


def model(name: str) -> Model:
    """The registered model called ``name``; ``KeyError`` naming the known ones otherwise."""
    try:
        return MODELS[name]
    except KeyError:
        raise KeyError(f"no model '{name}'; known: {', '.join(MODELS)}") from None
