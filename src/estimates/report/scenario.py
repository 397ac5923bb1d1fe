"""Scenario values: inputs that stand for a claim but are set to something the claim does not report.

A parameter declared with ``states_claim`` carries a reported value (``units_ineffective`` is the 29
of claim ``btg-ineffective-29``). A run that sets it to anything else is a scenario: the briefing
must say what it assumes and what was reported, and never call the assumed value reported.
"""

from __future__ import annotations

import math
from typing import Mapping

from estimates.parameters.schema import Parameters, spec


def reported_value(claim: Mapping, value=None) -> str | None:
    """What a claim reports, as text: its quantity, or its range when it gives one (its event
    date, for a date ``value``)."""
    if isinstance(value, str):
        return claim.get("event_date")
    low, high, quantity = claim.get("quantity_low"), claim.get("quantity_high"), claim.get("quantity")
    if low is not None and high is not None:
        return f"{low:g} to {high:g}"
    return None if quantity is None else f"{quantity:g}"


def agrees(value, claim: Mapping) -> bool:
    """Whether a parameter value is what the claim reports (inside its range, or equal to it).

    >>> agrees(29, {"quantity": 29.0}), agrees(35, {"quantity": 29.0}), agrees(0.72, {"quantity_low": 0.7,
    ...     "quantity_high": 0.8, "quantity": 0.75})
    (True, False, True)
    """
    if isinstance(value, str):  # a date: the day the claim's event happened
        return not claim.get("event_date") or value == claim["event_date"]
    low, high, quantity = claim.get("quantity_low"), claim.get("quantity_high"), claim.get("quantity")
    if low is not None and high is not None:
        return low <= value <= high
    return quantity is None or math.isclose(value, quantity, rel_tol=1e-9)


def scenario_inputs(parameters: list[dict], sources: Mapping[str, Mapping], cutoff: str | None = None) -> list[dict]:
    """The parameter rows (from ``results.json``) that state a claim but are scenario values: set
    to something the claim does not report, or resting on a claim reported after the information
    ``cutoff`` (ISO date). Each gets ``reported`` (what the claim says), ``report_date`` and
    ``after_cutoff``. Rows of parameters this code does not know are left out.

    >>> rows = [{"name": "units_ineffective", "value": 29, "claim_id": "c"}]
    >>> claim = {"quantity": 29.0, "report_date": "2022-04-11"}
    >>> [r["after_cutoff"] for r in scenario_inputs(rows, {"c": claim}, cutoff="2022-03-15")]
    [True]
    >>> scenario_inputs(rows, {"c": claim}, cutoff="2022-04-11")
    []
    """
    found = []
    for row in parameters:
        claim = sources.get(row.get("claim_id") or "")
        if claim is None or row["name"] not in Parameters.model_fields or not spec(row["name"]).states_claim:
            continue
        if not isinstance(row["value"], (int, float, str)):
            continue
        after = bool(cutoff and claim.get("report_date") and claim["report_date"] > cutoff)
        if after or not agrees(row["value"], claim):
            found.append({**row, "reported": reported_value(claim, row["value"]),
                          "report_date": claim.get("report_date"), "after_cutoff": after})
    return found
