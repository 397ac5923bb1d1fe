"""The resupply judgments, and what the inputs settle without them.

A key judgment is about an event that can go either way. When the counted transfers cannot make an
event happen at all (no consignment carries a category it needs), there is nothing to judge: the
event's probability is 0 in every draw and under every variation of the inputs, whatever the
claims' truth. Such an event is stated as a :class:`Constraint`, a plain sentence naming what binds,
in the case's words, and takes no key-judgment slot. :func:`settled` applies the same rule to what the
term sensitivity finds: an event that is 0 (or 1) in every draw and at both ends of every input's
plausible range.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from estimates.core.judgments import Judgment
from estimates.core.quantities import MonteCarloProbability
from estimates.core.wording import long_date
from estimates.models.resupply.capability import (
    COMPLETE_JUDGMENT,
    REPLACEMENT_JUDGMENT,
    THEATRE_JUDGMENT,
    ResupplyModel,
)
from estimates.models.resupply.evidence import listed


@dataclass(frozen=True)
class Constraint:
    """An event the inputs settle, said plainly instead of as a judgment.

    ``id`` is the judgment it stands in for; ``binding`` the categories no counted transfer carries
    (empty when the rule is the empirical one of :func:`settled`).
    """

    id: str
    statement: str
    sentence: str
    binding: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"id": self.id, "statement": self.statement, "sentence": self.sentence,
                "binding": list(self.binding)}


@dataclass(frozen=True)
class Counts:
    """Draws in which each judgment's event happens, out of ``n``."""

    n: int
    events: dict[str, int]

    def probability(self, judgment_id: str) -> MonteCarloProbability:
        return MonteCarloProbability.from_count(self.events[judgment_id], self.n)


def _labels(model: ResupplyModel, categories: Sequence[str]) -> str:
    return listed([model.holding(c).label for c in categories], last="or")


def build(model: ResupplyModel, counts: Counts, replacement: str | None, binding: Sequence[str],
          end: dt.date) -> tuple[tuple[Judgment, ...], tuple[Constraint, ...]]:
    """The judgments whose events the counted transfers can bring about, and constraints for the rest."""
    p, words, route = model.params, model.params.words, model.route
    carried = set(model.carried)
    judgments: list[Judgment] = []
    constraints: list[Constraint] = []
    theatre, units = model.theatre_categories, model.unit_categories
    if theatre:
        held = [model.holding(c) for c in theatre]
        unit_names = " or ".join(dict.fromkeys(h.unit for h in held))
        statement = (f"at least one {unit_names} of theatre-level equipment ({', '.join(h.label for h in held)}) "
                     f"from the reported transfers reaches {words.subject} by {long_date(end)}")
        if carried & set(theatre):
            judgments.append(Judgment(
                id=THEATRE_JUDGMENT, statement=statement, probability=counts.probability(THEATRE_JUDGMENT),
                basis=(f"{counts.n} draws of claim truth (correlated, from Admiralty grades), route timing "
                       f"and {route.carrier} capacity"),
                claim_ids=tuple(dict.fromkeys(c.claim_id for c in model.consignments if c.category in theatre)),
            ))
        else:
            constraints.append(Constraint(
                THEATRE_JUDGMENT, statement,
                f"No reported transfer carries {_labels(model, theatre)}, so even if every transfer claim is "
                f"true none reaches {words.subject} by {long_date(end)}.", tuple(theatre)))
    if not units:
        return tuple(judgments), tuple(constraints)
    unit = f"{words.unit_short}-equivalent"
    if carried & set(units):
        judgments.append(Judgment(
            id=REPLACEMENT_JUDGMENT,
            statement=(f"the reported transfers replace more than {p.replacement_share_threshold:.0%} of the "
                       f"{model.holding(replacement).label} {words.subject} are estimated to have lost by "
                       f"{long_date(end)}"),
            probability=counts.probability(REPLACEMENT_JUDGMENT),
            basis=(f"{model.holding(replacement).label} is the category the transfers replace most of; losses are "
                   f"ineffective {words.unit_plural} x holdings {words.per_unit} x share of equipment lost"),
            claim_ids=tuple(dict.fromkeys(c.claim_id for c in model.consignments if c.category == replacement)),
        ))
    else:
        constraints.append(Constraint(
            REPLACEMENT_JUDGMENT,
            f"the reported transfers replace more than {p.replacement_share_threshold:.0%} of the losses of any "
            f"category a {words.unit_singular} holds by {long_date(end)}",
            f"No reported transfer carries {_labels(model, units)}, so even if every transfer claim is true "
            f"they replace none of the equipment {words.subject} are estimated to have lost.", tuple(units)))
    statement = f"the reported transfers restore at least one complete {unit} by {long_date(end)}"
    missing = tuple(c for c in units if c not in carried)
    if missing:
        constraints.append(Constraint(
            COMPLETE_JUDGMENT, statement,
            f"No reported transfer carries {_labels(model, missing)}, so even if every transfer claim is true "
            f"they restore no complete {unit} by {long_date(end)}: a {unit} needs every category.", missing))
    else:
        judgments.append(Judgment(
            id=COMPLETE_JUDGMENT, statement=statement, probability=counts.probability(COMPLETE_JUDGMENT),
            basis=f"a {unit} needs every category; binding: " + ", ".join(model.holding(c).label for c in binding),
            claim_ids=tuple(c.claim_id for c in model.claims),
        ))
    return tuple(judgments), tuple(constraints)


def settled(judgments: Sequence[Judgment]) -> tuple[tuple[Judgment, ...], tuple[Constraint, ...]]:
    """Split judgments with their term sensitivity into those that go either way and constraints:
    an event with the same probability, 0 or 1, in every draw and at both ends of every input's
    plausible range is not a judgment."""
    kept, constraints = [], []
    for j in judgments:
        s = j.sensitivity
        p = j.probability.probability
        if s is None or not s.variations or p not in (0.0, 1.0) or s.probability_range != (p, p):
            kept.append(j)
            continue
        n = getattr(j.probability, "n_samples", None)
        draws = f"{n:,} draws" if n else "draws"
        where = (f"in every one of the {draws}, and with every uncertain input at either end of its plausible "
                 "range," if p == 1.0 else
                 f"in none of the {draws}, nor with any uncertain input at either end of its plausible range,")
        constraints.append(Constraint(j.id, j.statement, f"It happens {where} that {j.statement}."))
    return tuple(kept), tuple(constraints)
