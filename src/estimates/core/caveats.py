"""What an unusual but valid run means, in plain words for the briefing.

Some inputs are valid and still change what the numbers can say: no unit reported ineffective, or
every one of them; a Monte Carlo probability that no draw (or every draw) reached; an analyst's own
ledger (``claims_path``) that lacks claims the inputs cite; sources whose worth cannot be judged
(grade F6). Each note is a sentence or two computed from a ``results.json`` section alone, so the
briefing says what the case means instead of printing confident-looking numbers without comment.
"""

from __future__ import annotations

#: Grade meaning "reliability cannot be judged; truth cannot be judged" (STANAG 2511).
UNJUDGED = "F6"


def extreme_probabilities(judgments: list[dict]) -> list[str]:
    draws = sorted({j["probability"]["n_samples"] for j in judgments
                    if "n_samples" in j["probability"] and j["probability"]["probability"] in (0.0, 1.0)})
    if not draws:
        return []
    n = draws[0]
    # The "rule of three": with no event in n independent draws, 3/n is the one-sided 95% upper bound.
    bound = 3 / n
    return [
        f"A probability shown as 0.0% or 100.0% (Monte Carlo error ±0.0%) means that none, or all, of the "
        f"{n} simulated draws reached the event. That bounds the chance below about {bound:.3%} (or above "
        f"{1 - bound:.3%}); it does not make the event impossible (or certain)."
    ]


def missing_claims(section: dict) -> list[str]:
    present = {s["claim_id"] for s in section["sources"]}
    missing = []
    for row in section["parameters"]:
        if row["claim_id"] and row["claim_id"] not in present and row["claim_id"] not in missing:
            missing.append(row["claim_id"])
    if not missing:
        return []
    ledger = ", ".join(sorted(section["data_files"])) or "the claims ledger"
    total = len(missing) + len({r["claim_id"] for r in section["parameters"] if r["claim_id"] in present})
    if present:
        which = f"{len(missing)} of the {total} claims the inputs cite are not"
    else:
        which = "None of the claims the inputs cite is"
    return [
        f"{which} in the claims ledger read for this run ({ledger}): {', '.join(missing)}. The inputs that "
        "cite them keep the values shown, but no graded source in this ledger backs them."
    ]


def unjudged_sources(sources: list[dict]) -> list[str]:
    unjudged = [s["claim_id"] for s in sources if s["grade"] == UNJUDGED]
    if not unjudged:
        return []
    if len(unjudged) == len(sources):
        return [
            f"Every claim cited in this run is graded {UNJUDGED}: neither the reliability of its source "
            "nor the truth of the information can be judged. The attrition estimate takes the reported "
            "counts as given (grades do not enter its numbers), so every judgment here is conditional "
            "on reports whose worth is unknown."
        ]
    return [
        f"{len(unjudged)} of the {len(sources)} claims cited are graded {UNJUDGED} (reliability and truth "
        f"cannot be judged): {', '.join(unjudged)}. The attrition estimate takes them as given."
    ]
