"""Indicators to watch: the inputs that would most change each resupply judgment.

Inputs are ranked by their Sobol total index (:mod:`estimates.core.sobol`). Claim truth enters as one
group per line of evidence (:mod:`estimates.models.resupply.evidence`); when such a group is among a
judgment's top inputs, the indicator names the claim on that line whose confirmation would move the
judgment most: the one whose truth shifts the judgment's probability furthest from its value, read
from the simulation's own draws as P(event | claim true) against P(event).

Collection priorities rank every transfer claim, whatever the Sobol indices say, by the expected
change in a judgment's probability if it were confirmed or refuted, from the same counts
(:mod:`estimates.core.value_of_information`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from estimates.core.judgments import Judgment
from estimates.core.sobol import SobolResult
from estimates.core.value_of_information import CollectionPriorities, from_counts
from estimates.core.value_of_information import conditionals as confirmation
from estimates.models.resupply.capability import ResupplyModel
from estimates.models.resupply.judgments import Counts

#: Confirmation moves closer than this are a tie (the same count over the same draws, in practice).
TIE = 1e-9


def indicators(model: ResupplyModel, judgments: Sequence[Judgment], sobol: SobolResult, counts: Counts,
               true: np.ndarray, joint: dict[str, np.ndarray]) -> dict[str, list[dict]]:
    """``{judgment id: [indicator, ...]}``, each ``{"group", "total_index", "watch"}``; a claim-truth
    group's indicator adds ``claims``: the claim (or tied claims) it names, each with the judgment's
    probability if that claim is confirmed (``if_confirmed``) or denied (``if_denied``)."""
    watch = model.indicators()
    groups = {g.name: g for g in model.line_groups[0]}
    index = {c.claim_id: i for i, c in enumerate(model.claims)}
    found: dict[str, list[dict]] = {}
    for j in judgments:
        p = counts.probability(j.id).probability
        if_true, if_false = confirmation(true, joint[j.id], counts.events[j.id], counts.n)
        rows = []
        for name in sobol.top(j.id):
            row = {"group": name, "total_index": float(sobol.indices[j.id].loc[name, "ST"]),
                   "watch": watch.get(name, name)}
            group = groups.get(name)
            if group is not None:
                members = [index[c.claim_id] for c in group.claims]
                moves = np.abs(if_true[members] - p)
                if np.isfinite(moves).any():
                    # Ties (each claim alone making the event certain, say) are all named.
                    top = np.nanmax(moves)
                    named = [k for k, move in zip(members, moves) if move >= top - TIE]
                    row |= {"watch": group.confirmation([model.claims[k] for k in named]),
                            "claims": [{"claim_id": model.claims[k].claim_id,
                                        "if_confirmed": float(if_true[k]),
                                        "if_denied": None if np.isnan(if_false[k]) else float(if_false[k])}
                                       for k in named]}
            rows.append(row)
        found[j.id] = rows
    return found


def collection_priorities(model: ResupplyModel, judgments: Sequence[Judgment], counts: Counts, true: np.ndarray,
                          joint: dict[str, np.ndarray]) -> dict[str, CollectionPriorities]:
    """``{judgment id: the transfer claims ranked by the expected change in its probability}``, from
    the counts :func:`~estimates.models.resupply.simulation.count_events` makes over the judgments'
    own draws (:mod:`estimates.core.value_of_information`)."""
    ids = [c.claim_id for c in model.claims]
    return {j.id: from_counts(ids, true, joint[j.id], counts.events[j.id], counts.n) for j in judgments}
