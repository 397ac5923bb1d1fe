"""How a parameter is declared: type, default, allowed and plausible ranges, unit, source, help.

Declarations live beside what uses them (each model's ``parameters.py``, and
:mod:`estimates.parameters.shared`); :mod:`estimates.parameters.schema` assembles them into the one
validated schema.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from estimates.errors import OneLineError

#: Source of a parameter no claim reports: the analyst's own assumption.
ASSUMPTION = "assumption"


class ParameterError(OneLineError, ValueError):
    """A parameter failed validation; the message is one line naming it and what is allowed."""


#: Longest label a reader sees: it must fit a tornado chart's tick and run inside a sentence.
LABEL_MAX = 42


def param(kind: Any, default: Any, *, label: str, help: str, unit: str, source: str, ge: float | None = None,
          le: float | None = None, plausible: tuple[Any, Any] | None = None,
          strict: bool | None = None, states_claim: bool = False) -> tuple[Any, Any]:
    """One parameter: ``(type, pydantic field)``.

    ``label`` is the short plain-English name a reader sees wherever the parameter is shown
    (sentences, charts, tables): lower case unless a word is an acronym, so it reads inside a
    sentence; no identifier; no comma, since labels are listed with commas ("low end of X" names
    one end of an interval); at most :data:`LABEL_MAX` characters. A count of the case's units says
    "units" and one of its carriers "carriers", so the briefing can put the case's own words in.
    ``source`` is ``"claim:<id>"`` for a reported value (a row of the claims ledger) or
    :data:`ASSUMPTION`; ``plausible`` is the range the term sensitivity varies it over.
    ``states_claim``: the value is what that claim reports (its quantity, or within its range), so
    a run with another value is a scenario, not reporting; otherwise the claim is only the context
    the value was set from.

    >>> kind, field = param(int, 3, label="carriers serving the crossing", unit="carriers",
    ...                     source="claim:caspian-three-ships", help="Ships.", ge=0)
    >>> kind, field.default, field.json_schema_extra["label"]
    (<class 'int'>, 3, 'carriers serving the crossing')
    """
    if states_claim and not source.startswith("claim:"):
        raise ValueError("states_claim needs a claim as the source")
    _check_label(label)
    extra = {"label": label, "unit": unit, "source": source, "plausible": plausible, "states_claim": states_claim}
    return kind, Field(default, ge=ge, le=le, description=help, json_schema_extra=extra, strict=strict)


def _check_label(label: str) -> None:
    # Declarations are code, so a bad label is the programmer's error, caught at import.
    if not isinstance(label, str) or not label.strip() or label != label.strip():
        raise ValueError(f"label: must be a non-empty string without outer spaces; got {label!r}")
    if "_" in label or "," in label or len(label) > LABEL_MAX:
        raise ValueError(f"label: must have no underscore or comma and at most {LABEL_MAX} characters; got {label!r}")


def ordered_pairs(names) -> list[str]:
    """Stems of the ``<stem>_low`` / ``<stem>_high`` pairs among ``names`` (90% intervals, ranges).

    >>> ordered_pairs(["a_low", "a_high", "b_low", "c"])
    ['a']
    """
    names = list(names)
    return [n.removesuffix("_low") for n in names if n.endswith("_low") and n.removesuffix("_low") + "_high" in names]
