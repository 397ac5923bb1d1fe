"""A case's own words in what the briefing prints: its units for "units", its carrier for "carriers".

Parameter units and labels are declared once, generically ("units committed at the start"); each case
names its units (``unit_plural``, ``unit_singular``) and its route's carrier in ``case.yaml``.
"""

from __future__ import annotations

import re

from estimates.core.vocabulary import plural


def in_case_words(unit: str, case: dict) -> str:
    """A declared unit in the case's words: "units" is its units, "carriers" its carrier.

    >>> in_case_words("units (+/-)", {"unit_plural": "regiments"}), in_case_words("draws", {})
    ('regiments (+/-)', 'draws')
    """
    unit = str(unit or "")
    if unit.startswith("units") and case.get("unit_plural"):
        return case["unit_plural"] + unit.removeprefix("units")
    carrier = next((leg["carrier"] for leg in case.get("route", []) if leg.get("carrier")), None)
    if unit == "carriers" and carrier:
        return plural(carrier)
    return unit


def in_case_label(label: str, case: dict) -> str:
    """A parameter's label in the case's words: its unit for "unit(s)", its carrier for "carrier(s)".

    >>> in_case_label("units committed at the start", {"unit_plural": "regiments", "unit_singular": "regiment"})
    'regiments committed at the start'
    >>> in_case_label("cargo per carrier trip", {"route": [{"carrier": "barge"}]})
    'cargo per barge trip'
    """
    words = {"units": case.get("unit_plural"), "unit": case.get("unit_singular")}
    carrier = next((leg["carrier"] for leg in case.get("route", []) if leg.get("carrier")), None)
    if carrier:
        words |= {"carriers": plural(carrier), "carrier": carrier}
    found = {word: said for word, said in words.items() if said}
    if not found:
        return label
    return re.sub(r"\b(" + "|".join(sorted(found, key=len, reverse=True)) + r")\b", lambda m: found[m.group(1)], label)


# --- inside ---------------------------------------------------------------------------------------
