"""Collection priorities across a run's models: per judgment, the claims whose confirmation or
refutation would move it most (:mod:`estimates.core.value_of_information`), for the briefing's
annex and ``estimates judgments --voi``.

A model offers them through its ``report.collection_priorities(section)``
(:meth:`~estimates.model.Model.collection_priorities`); one that draws no claim true or false per
draw has none, and says so in :data:`NONE`. Nothing here names a model.
"""

from __future__ import annotations

from estimates.core.wording import percent
from estimates.registry import MODELS

#: Claims shown per judgment.
TOP = 3
#: What a model without collection priorities says.
NONE = "draws no claim true or false per draw, so it has no collection priorities"
#: What a model that has them says when its run recorded none (a run from before they existed, or no
#: judgment that can go either way).
NOTHING_RECORDED = "no judgment of this run has collection priorities recorded"


def gather(results: dict, models: list[str], *, top: int = TOP) -> list[dict]:
    """Per model section, in order: ``{"model", "title", "drawn", "judgments"}``. ``drawn`` is False
    for a model that draws no claim truth (``judgments`` then empty); each judgment is
    ``{"id", "statement", "probability", "claims"}``, its ``top`` claims ranked, each a recorded row
    with the claim's ``statement`` from the run's sources (None if no section lists the claim)."""
    statements: dict[str, str] = {}
    for model in models:
        for row in results[model].get("sources", []):
            statements.setdefault(row["claim_id"], row.get("statement"))
    found = []
    for model in models:
        section, described = results[model], MODELS.get(model)
        recorded = described.collection_priorities(section) if described else None
        entry = {"model": model, "title": described.title if described else model, "drawn": recorded is not None,
                 "judgments": []}
        judged = {j["id"]: j for j in section.get("judgments", [])}
        for judgment_id, claims in (recorded or {}).items():
            judgment = judged.get(judgment_id, {})
            entry["judgments"].append({
                "id": judgment_id, "statement": judgment.get("statement", judgment_id),
                "probability": (judgment.get("probability") or {}).get("probability"),
                "claims": [{**c, "statement": statements.get(c["claim_id"])} for c in claims[:top]]})
        found.append(entry)
    return found


def claim_line(claim: dict) -> str:
    """One claim's numbers in words, as percentages (the change in percentage points).

    >>> print(claim_line({"claim_id": "c", "p_true": 0.3, "p_if_confirmed": 1.0, "p_if_refuted": 0.04,
    ...                   "expected_change": 0.4}))
    c: chance it is true 30%; the judgment's probability 100% if confirmed, 4% if refuted; expected change 40 percentage points
    """
    return (f"{claim['claim_id']}: chance it is true {percent(claim['p_true'])}; the judgment's probability "
            f"{percent(claim['p_if_confirmed'])} if confirmed, {percent(claim['p_if_refuted'])} if refuted; "
            f"expected change {100 * claim['expected_change']:.0f} percentage points")
