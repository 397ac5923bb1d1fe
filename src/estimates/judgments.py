"""Key judgments: a statement about an event, its probability and the numbers behind it."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .quantities import ExactProbability, MonteCarloProbability
from .wording import Likelihood, likelihood


@dataclass(frozen=True)
class Judgment:
    """A judgment about an event. Only events get ICD 203 words; shares never do."""

    id: str
    statement: str
    probability: MonteCarloProbability | ExactProbability
    basis: str

    @property
    def likelihood(self) -> Likelihood:
        return likelihood(self.probability.probability)

    @property
    def sentence(self) -> str:
        """The judgment as a sentence, e.g. ``It is unlikely (20-45%) that ...``."""
        return f"It is {self.likelihood.label} that {self.statement}."

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "statement": self.statement,
            "sentence": self.sentence,
            "term": self.likelihood.term,
            "range": [self.likelihood.low, self.likelihood.high],
            "probability": self.probability.to_dict(),
            "basis": self.basis,
        }


def judgments_frame(judgments: list[Judgment]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "judgment": [j.sentence for j in judgments],
            "probability": [j.probability.probability for j in judgments],
            "monte carlo error": [j.probability.to_dict()["standard_error"] for j in judgments],
            "basis": [j.basis for j in judgments],
        },
        index=pd.Index([j.id for j in judgments], name="id"),
    )
