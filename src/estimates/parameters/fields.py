"""How a parameter is declared: type, default, allowed and plausible ranges, unit, source, help.

Declarations live beside what uses them (each model's ``parameters.py``, and
:mod:`estimates.parameters.shared`); :mod:`estimates.parameters.schema` assembles them into the one
validated schema.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

#: Source of a parameter no claim reports: the analyst's own assumption.
ASSUMPTION = "assumption"


class ParameterError(ValueError):
    """A parameter failed validation; the message is one line naming it and what is allowed."""


def param(kind: Any, default: Any, *, help: str, unit: str, source: str, ge: float | None = None,
          le: float | None = None, plausible: tuple[Any, Any] | None = None,
          strict: bool | None = None, states_claim: bool = False) -> tuple[Any, Any]:
    """One parameter: ``(type, pydantic field)``.

    ``source`` is ``"claim:<id>"`` for a reported value (a row of the claims ledger) or
    :data:`ASSUMPTION`; ``plausible`` is the range the term sensitivity varies it over.
    ``states_claim``: the value is what that claim reports (its quantity, or within its range), so
    a run with another value is a scenario, not reporting; otherwise the claim is only the context
    the value was set from.

    >>> kind, field = param(int, 3, unit="ships", source="claim:caspian-three-ships", help="Ships.", ge=0)
    >>> kind, field.default, field.json_schema_extra["unit"]
    (<class 'int'>, 3, 'ships')
    """
    if states_claim and not source.startswith("claim:"):
        raise ValueError("states_claim needs a claim as the source")
    extra = {"unit": unit, "source": source, "plausible": plausible, "states_claim": states_claim}
    return kind, Field(default, ge=ge, le=le, description=help, json_schema_extra=extra, strict=strict)


def ordered_pairs(names) -> list[str]:
    """Stems of the ``<stem>_low`` / ``<stem>_high`` pairs among ``names`` (90% intervals, ranges).

    >>> ordered_pairs(["a_low", "a_high", "b_low", "c"])
    ['a']
    """
    names = list(names)
    return [n.removesuffix("_low") for n in names if n.endswith("_low") and n.removesuffix("_low") + "_high" in names]
