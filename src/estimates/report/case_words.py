"""A case's own words in what the briefing prints: its units for "units", its carrier for "carriers".

Parameter units and labels are declared once, generically ("units committed at the start"); each case
names its units (``unit_plural``, ``unit_singular``) and its route's carrier in ``case.yaml``.
"""

from __future__ import annotations

import re

from estimates.core.vocabulary import plural


def in_case_words(text: str, case: dict) -> str:
    """A parameter's unit or label in the case's words: its units for "unit(s)", its carrier for
    "carrier(s)", as whole words.

    >>> in_case_words("units committed at the start", {"unit_plural": "regiments", "unit_singular": "regiment"})
    'regiments committed at the start'
    >>> in_case_words("cargo per carrier trip", {"route": [{"carrier": "barge"}]}), in_case_words("draws", {})
    ('cargo per barge trip', 'draws')
    """
    label = str(text or "")
    words = {"units": case.get("unit_plural"), "unit": case.get("unit_singular")}
    carrier = next((leg["carrier"] for leg in case.get("route", []) if leg.get("carrier")), None)
    if carrier:
        words |= {"carriers": plural(carrier), "carrier": carrier}
    found = {word: said for word, said in words.items() if said}
    if not found:
        return label
    return re.sub(r"\b(" + "|".join(sorted(found, key=len, reverse=True)) + r")\b", lambda m: found[m.group(1)], label)


# --- inside ---------------------------------------------------------------------------------------
