"""The losses model's parts of the briefing beyond its template: its key tables (CSV) and its
sentence for the bottom line."""

from __future__ import annotations

import pandas as pd


def tables(section: dict) -> dict[str, pd.DataFrame]:
    """The over-count x concentration grid, and the check of the count across the concentration scan."""
    return {"losses_sensitivity": pd.DataFrame(section["sensitivity"]),
            "losses_check": pd.DataFrame(section.get("concentration_scan") or [])}


def headline(section: dict) -> str:
    """The loss cross-check's sentence for the bottom line: what the claimed losses imply, set
    against the run's count.

    >>> print(headline({"words": {"unit_plural": "BTGs"}, "reported": {"ineffective": 29},
    ...     "ineffective": {"quantiles": {"0.05": 10, "0.5": 26, "0.95": 47}},
    ...     "check": {"reading": "consistent", "percentile": 61.2}}))
    Claimed equipment losses, corrected for over-counting, imply 10 to 47 combat-ineffective BTGs (90% interval): the run's count of 29 sits at percentile 61 of that distribution, consistent with it but not confirmed by so wide a range.
    """
    words = section.get("words") or {}
    q = section["ineffective"]["quantiles"]
    count, check = section["reported"]["ineffective"], section["check"]
    implied = (f"Claimed equipment losses, corrected for over-counting, imply {q['0.05']:.0f} to {q['0.95']:.0f} "
               f"combat-ineffective {words.get('unit_plural', 'units')} (90% interval): the run's count of {count} "
               f"sits at percentile {check['percentile']:.0f} of that distribution")
    if check["reading"] != "consistent":
        return f"{implied}, {check['reading']}, so the loss claims and the count disagree."
    wide = q["0.95"] - q["0.05"] > count
    return implied + (", consistent with it but not confirmed by so wide a range." if wide else ", consistent with it.")
