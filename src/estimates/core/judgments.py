"""Key judgments: a statement about an event, its probability and the numbers behind it.

A judgment also names the claims it rests on (``claim_ids``, ids in the claims ledger) and may carry
its *term sensitivity*: the probability recomputed, through the model, with each uncertain input set
to either end of its plausible range (:func:`with_term_sensitivity`). Both feed the confidence rule
(:mod:`estimates.core.confidence`), which is kept apart from the likelihood, as ICD 203 asks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from estimates.core.display import Table, percent
from estimates.core.observables import Observable
from estimates.core.quantities import ExactProbability, MonteCarloProbability
from estimates.core.wording import Likelihood, likelihood, opening


@dataclass(frozen=True)
class Variation:
    """The judgment's probability with one input set to one end of its plausible range."""

    parameter: str
    value: Any
    probability: float

    @property
    def term(self) -> str:
        return likelihood(self.probability).term

    def to_dict(self) -> dict:
        value = self.value.isoformat() if isinstance(self.value, dt.date) else self.value
        return {"parameter": self.parameter, "value": value, "probability": self.probability, "term": self.term}


@dataclass(frozen=True)
class TermSensitivity:
    """Does a judgment's ICD 203 term hold when each uncertain input takes its plausible extremes?

    ``term`` is the judgment's own term; ``variations`` the recomputed probabilities; ``skipped``
    lists ``(parameter, value, reason)`` for variations the parameter schema rejects in combination
    with the run's other values (e.g. more units ineffective than committed).
    """

    term: str
    probability: float
    variations: tuple[Variation, ...]
    skipped: tuple[tuple[str, Any, str], ...] = ()

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.parameter for v in self.variations))

    @property
    def changed_by(self) -> tuple[str, ...]:
        """Inputs at one of whose plausible extremes the term differs, in schema order."""
        return tuple(dict.fromkeys(v.parameter for v in self.variations if v.term != self.term))

    @property
    def holds(self) -> bool:
        return not self.changed_by

    @property
    def probability_range(self) -> tuple[float, float]:
        values = [self.probability, *(v.probability for v in self.variations)]
        return min(values), max(values)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [{"parameter": v.parameter, "value": v.value, "probability": v.probability, "term": v.term,
              "term changes": v.term != self.term} for v in self.variations]
        )

    def to_dict(self) -> dict:
        low, high = self.probability_range
        return {
            "holds": self.holds,
            "parameters": list(self.parameters),
            "changed_by": list(self.changed_by),
            "probability_range": [low, high],
            "variations": [v.to_dict() for v in self.variations],
            "skipped": [{"parameter": name, "value": _plain(value), "reason": reason}
                        for name, value, reason in self.skipped],
        }


@dataclass(frozen=True)
class Judgment:
    """A judgment about an event. Only events get ICD 203 words; shares never do."""

    id: str
    statement: str
    probability: MonteCarloProbability | ExactProbability
    basis: str
    #: Claim ids (``data/claims.csv``) whose reported values bear on the event: its evidence.
    claim_ids: tuple[str, ...] = ()
    sensitivity: TermSensitivity | None = None
    #: Claims that only set what is asked (a threshold, a date): cited, never counted as evidence.
    question_claim_ids: tuple[str, ...] = ()
    #: What a later statement must show to settle it, for a judgment about an official count.
    observable: Observable | None = None

    @property
    def likelihood(self) -> Likelihood:
        return likelihood(self.probability.probability)

    @property
    def sentence(self) -> str:
        """The judgment as a sentence, e.g. ``It is unlikely (20-45%) that ...``."""
        return f"{opening(self.likelihood.term)} {self.likelihood.label} that {self.statement}."

    def to_dict(self) -> dict:
        record = {
            "id": self.id,
            "statement": self.statement,
            "sentence": self.sentence,
            "term": self.likelihood.term,
            "range": [self.likelihood.low, self.likelihood.high],
            "probability": self.probability.to_dict(),
            "basis": self.basis,
            "claim_ids": list(self.claim_ids),
            "question_claim_ids": list(self.question_claim_ids),
        }
        if self.sensitivity is not None:
            record["sensitivity"] = self.sensitivity.to_dict()
        if self.observable is not None:
            record["observable"] = self.observable.to_dict()
        return record


def judgments_frame(judgments: list[Judgment]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "judgment": [j.sentence for j in judgments],
            "probability": [j.probability.probability for j in judgments],
            "monte carlo error": [j.probability.to_dict()["standard_error"] for j in judgments],
            "basis": [j.basis for j in judgments],
            "claims": [", ".join(j.claim_ids) for j in judgments],
        },
        index=pd.Index([j.id for j in judgments], name="id"),
    )
    if any(j.sensitivity is not None for j in judgments):
        frame["term holds across plausible inputs"] = [
            None if j.sensitivity is None else j.sensitivity.holds for j in judgments
        ]
        frame["probability across plausible inputs"] = [
            None if j.sensitivity is None else
            "{:.1%} to {:.1%}".format(*j.sensitivity.probability_range) for j in judgments
        ]
    return frame


def judgments_table(judgments: list[Judgment] | tuple[Judgment, ...], caption: str = "Key judgments") -> Table:
    """The judgments as a reader should see them in a notebook: each sentence whole, its probability
    as a percentage (with the Monte Carlo error where it was simulated), its basis and claims, and,
    where computed, how far its probability moves across the inputs' plausible ranges."""
    rows = []
    for j in judgments:
        error = j.probability.standard_error if isinstance(j.probability, MonteCarloProbability) else None
        row = {"judgment": j.sentence, "probability": percent(j.probability.probability, error),
               "basis": j.basis, "claims": ", ".join(j.claim_ids) or "none"}
        if j.sensitivity is not None:
            low, high = j.sensitivity.probability_range
            row["across plausible inputs"] = (f"{100 * low:.1f}% to {100 * high:.1f}%; the term "
                                              + ("holds" if j.sensitivity.holds else "changes"))
        rows.append(row)
    return Table(pd.DataFrame(rows, index=pd.Index([j.id for j in judgments], name="id")), caption)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value
