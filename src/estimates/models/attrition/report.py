"""The attrition model's parts of the briefing beyond its template: its key table (CSV), notes on
unusual inputs and its sentence for the bottom line."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from estimates.core.caveats import (
    extreme_probabilities,
    missing_claims,
    unjudged_sources,
)
from estimates.core.wording import likelihood, long_date, opening, percent
from estimates.models.attrition.sources import READING_PARAMETERS
from estimates.parameters.schema import label


def tables(section: dict) -> dict[str, pd.DataFrame]:
    projection = section["projection"]
    fan = pd.DataFrame({"date": projection["dates"], "day": projection["days"]})
    for level, values in projection["quantiles"].items():
        fan[f"q{level}"] = values
    fan["mean"] = projection["mean"]
    fan["p_below_threshold"] = [p["probability"] for p in projection["first_passage"]]
    fan["p_below_threshold_se"] = [p["standard_error"] for p in projection["first_passage"]]
    return {"attrition_projection": fan}


def notes(section: dict) -> list[str]:
    """Notes for the attrition section of ``results.json``, in the order a reader needs them.

    Examples
    --------
    >>> notes({"reported": {"ineffective": 0, "committed": 125}, "judgments": [],
    ...        "parameters": [], "sources": [], "data_files": {}})[0][:40]
    'The run counts none of the 125 committed'
    """
    found = []
    words = section.get("words") or {"unit_singular": "unit", "unit_plural": "units"}
    unit, units = words["unit_singular"], words["unit_plural"]
    k, n = section["reported"]["ineffective"], section["reported"]["committed"]
    # The count is the run's value (a parameter): said as what the run uses, never as reported.
    if k == 0:
        found.append(
            f"The run counts none of the {n} committed {units} as combat-ineffective. The per-{unit} "
            "probability then rests on the prior and on the absence of losses: the intervals bound it from "
            "above, but cannot show that it is zero, and the projection extends a tempo that has not been observed."
        )
    if k == n:
        found.append(
            f"The run counts all {n} committed {units} as combat-ineffective. The count cannot bound the "
            f"per-{unit} probability or the daily hazard from above (the upper ends shown come from the prior "
            "and the reporting spreads), and the projection starts from a force with next to nothing left, so "
            "falling below the threshold follows from the count itself, not from the projected tempo."
        )
    found += _claim_notes(section)
    found += extreme_probabilities(section["judgments"])
    found += missing_claims(_used_inputs(section))
    found += unjudged_sources(section["sources"])
    return found


def _long(value: str | None) -> str:
    return long_date(dt.date.fromisoformat(value)) if value else "not recorded"


def _used_inputs(section: dict) -> dict:
    """The section with only the parameter rows its numbers rest on: without the readings of a stated
    share (``seventy_five`` is ``None``), their inputs' claims are not needed."""
    if "seventy_five" not in section or section["seventy_five"] is not None or "parameters" not in section:
        return section
    unused = set(READING_PARAMETERS) | {"committed_share_of_army_alt", "units_total_high", "share_rounding"}
    return {**section, "parameters": [r for r in section["parameters"] if r.get("name") not in unused]}


def _claim_notes(section: dict) -> list[str]:
    """Inputs whose claim was reported after the cut-off, or cannot be placed against it."""
    found = []
    cut_off = section.get("cut_off")
    for row in (section.get("claims") or {}).values():
        if not row["in_ledger"]:
            continue
        name = label(row["parameter"])
        if row["after_cut_off"]:
            found.append(
                f"Claim {row['claim_id']}, the source of the {name}, was reported on "
                f"{_long(row['report_date'])}, after the information cut-off ({_long(cut_off)}): the run takes "
                f"the {name} = {row['value']:g} as an assumption, not as something known by then."
            )
        elif row["after_cut_off"] is None:
            found.append(
                f"Claim {row['claim_id']}, the source of the {name}, has no report date in the ledger, "
                f"so it cannot be placed before or after the cut-off ({_long(cut_off)})."
            )
    return found


def headline(section: dict) -> str:
    """The attrition model's sentence for the bottom line: how much of the force the statements put
    out of action, and whether the threshold judgment turns on inputs no statement pins down.

    >>> print(headline({"words": {"unit_plural": "regiments"}, "as_of": "2022-04-06",
    ...     "reported": {"committed": 40}, "joint": {"p_as_of": {"interval": {"low": 0.2, "high": 0.3}}},
    ...     "projection": {"threshold": 20, "dates": ["2022-06-01"]},
    ...     "judgments": [{"id": "attrition-threshold", "probability": {"probability": 0.5},
    ...                    "sensitivity": {"holds": False, "probability_range": [0.2, 0.8],
    ...                                    "changed_by": ["hazard_shape_high"]}}]}))
    An estimated 20% to 30% of the 40 committed regiments (90% interval) were combat-ineffective by 6 April 2022; whether fewer than 20 are still effective by 1 June 2022 turns on inputs the statements do not pin down, such as how the pace of losses changes: with each at either end of its plausible range, the chance runs from 20% to 80%.
    """
    words = section.get("words") or {}
    share = section["joint"]["p_as_of"]["interval"]
    first = (f"An estimated {percent(share['low'])} to {percent(share['high'])} of the "
             f"{section['reported']['committed']} committed {words.get('unit_plural', 'units')} (90% interval) "
             f"were combat-ineffective by {_long(section['as_of'])}")
    threshold = next((j for j in section.get("judgments", []) if j["id"] == "attrition-threshold"), None)
    if threshold is None:
        return first + "."
    projection = section["projection"]
    event = f"fewer than {projection['threshold']:g} are still effective by {_long(projection['dates'][-1])}"
    sensitivity = threshold.get("sensitivity")
    if sensitivity and not sensitivity["holds"]:
        low, high = sensitivity["probability_range"]
        pace = ", such as how the pace of losses changes" if any(
            name.startswith("hazard_shape") for name in sensitivity.get("changed_by", ())) else ""
        return (f"{first}; whether {event} turns on inputs the statements do not pin down{pace}: "
                f"with each at either end of its plausible range, the chance runs from {percent(low)} to "
                f"{percent(high)}.")
    term = likelihood(threshold["probability"]["probability"])
    return f"{first}; {opening(term.term).lower()} {term.term} ({term.span}) that {event}."
