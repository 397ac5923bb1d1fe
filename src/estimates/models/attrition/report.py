"""The attrition model's parts of the briefing beyond its template: its key table (CSV) and notes on unusual inputs."""

from __future__ import annotations

import pandas as pd

from estimates.core.caveats import (
    extreme_probabilities,
    missing_claims,
    unjudged_sources,
)


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
    'None of the 125 committed BTGs was repor'
    """
    found = []
    k, n = section["reported"]["ineffective"], section["reported"]["committed"]
    if k == 0:
        found.append(
            f"None of the {n} committed BTGs was reported combat-ineffective. The per-BTG probability "
            "then rests on the prior and on the absence of losses: the intervals bound it from above, "
            "but cannot show that it is zero, and the projection extends a tempo that has not been observed."
        )
    if k == n:
        found.append(
            f"All {n} committed BTGs were reported combat-ineffective. The count cannot bound the per-BTG "
            "probability or the daily hazard from above (the upper ends shown come from the prior and the "
            "reporting spreads), and the projection starts from a force with next to nothing left, so "
            "falling below the threshold follows from the report itself, not from the projected tempo."
        )
    found += extreme_probabilities(section["judgments"])
    found += missing_claims(section)
    found += unjudged_sources(section["sources"])
    return found
