"""What the ledger says of the claims the attrition inputs come from, beside the values the run uses.

A parameter such as ``units_ineffective`` stands for a claim (the case's ``claims`` map in
``case.yaml``, else the schema's declared source). The run uses the parameter's value; what was
reported is the claim's quantity in the ledger, with its dates. The two differ in a scenario run, or
when the claim was reported after the information cut-off, and the briefing must say which is which:
a sentence naming who reported a count takes the count from here, never from the parameter.
"""

from __future__ import annotations

import math

from estimates.inputs.claims import Ledger
from estimates.parameters.schema import Parameters

#: Parameters whose claims the attrition section reports on: the count, the force, and the inputs
#: of the two readings of a stated share.
COUNT_PARAMETERS = ("units_ineffective", "units_committed")
READING_PARAMETERS = ("committed_share_of_army", "committed_share_of_army_alt", "units_total_low",
                      "combat_power_retained")


def claim_id(params: Parameters, name: str) -> str | None:
    """The ledger claim parameter ``name`` comes from in this case (``None`` for an assumption)."""
    return params.claim_for(name)


def claim_record(params: Parameters, ledger: Ledger, name: str) -> dict:
    """The value the run uses for ``name`` beside what its claim reports.

    ``reported`` is the claim's quantity (``reported_low``/``reported_high`` its range), ``None``
    when the claim is not in the ledger or states no number; ``after_cut_off`` is ``None`` when the
    claim has no report date; ``agrees`` whether the value used is what the claim reports (equal to
    its quantity, or within its range).

    Examples
    --------
    >>> from estimates.parameters.schema import validate
    >>> from estimates.inputs.claims import load_ledger
    >>> p = validate({"units_ineffective": 35})
    >>> row = claim_record(p, load_ledger(p.path("claims_path")), "units_ineffective")
    >>> row["value"], row["reported"], row["agrees"], row["after_cut_off"]
    (35, 29.0, False, False)
    """
    found = claim_id(params, name)
    value = getattr(params, name)
    row = {"parameter": name, "value": value, "claim_id": found, "in_ledger": False, "reported": None,
           "reported_low": None, "reported_high": None, "event_date": None, "report_date": None,
           "originator": None, "after_cut_off": None, "agrees": None}
    if found is None or found not in ledger:
        return row
    claim = ledger[found]
    row |= {"in_ledger": True, "reported": claim.quantity, "reported_low": claim.quantity_low,
            "reported_high": claim.quantity_high, "originator": claim.originator,
            "event_date": claim.event_date.isoformat() if claim.event_date else None,
            "report_date": claim.report_date.isoformat() if claim.report_date else None,
            "after_cut_off": None if claim.report_date is None else claim.report_date > params.as_of,
            "agrees": _agrees(value, claim.quantity, claim.quantity_low, claim.quantity_high)}
    return row


def _agrees(value: float, quantity: float | None, low: float | None, high: float | None) -> bool | None:
    if low is not None and high is not None:
        return bool(low <= value <= high)
    if quantity is None:
        return None
    return math.isclose(value, quantity, rel_tol=1e-9)


def claim_records(params: Parameters, ledger: Ledger, names: tuple[str, ...]) -> dict[str, dict]:
    """:func:`claim_record` for each of ``names``, keyed by parameter name."""
    return {name: claim_record(params, ledger, name) for name in names}
