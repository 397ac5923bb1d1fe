"""From Admiralty grades to probabilities that a claim is true, and correlated claim truth.

No published calibration maps Admiralty grades to probabilities, so the mapping is an explicit,
documented assumption, held in ``data/grade_probabilities.csv`` where analysts can override it, and
stated with a worked table in ``data/grades.md``:

- credibility (1-5) gives the claim's probability; credibility 6 ("cannot be judged") gives the
  ``base_rate`` parameter;
- reliability (A-E) then moves it, in log-odds, by half of the reliability's own move from the base
  rate: a source with a good record lifts a claim, one with a poor record lowers it; reliability F
  ("cannot be judged") moves nothing, so the credibility stands alone
  (:meth:`estimates.inputs.grade_table.GradeTable.probability`);
- ``grade_confidence`` stretches the result in log-odds about the base rate (1 keeps the table;
  below 1 trusts the grades less), so the mapping itself is varied in the sensitivity analysis;
- credibility 1 ("confirmed by other sources") is treated as 2 when another claim in play shares the
  claim's originator or line of evidence: agreement among correlated claims is not corroboration.

Claims that share an originator (``originator_id``) or a line of evidence (``evidence_line``: one
briefing, network or article) are correlated; a line, not an outlet, because anonymous sources of
one network quoted in one article stand or fall together even when their originators differ, while
two unrelated articles in one newspaper do not. Each claim's truth is a latent standard normal,
thresholded at its probability, built from one factor per originator, one per line of evidence and
its own noise: Z = sqrt(a) O + sqrt(b) L + sqrt(1 - a - b) e, with a = ``originator_correlation``
and b = ``outlet_correlation`` (the parameter's name predates lines of evidence; a + b <= 1), so
the implied correlation matrix is valid for any ledger.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from estimates.inputs.claims import Claim
from estimates.inputs.grade_table import RELIABILITY_WEIGHT, GradeTable


def effective_credibility(claim: Claim, others: Sequence[Claim]) -> str:
    """Credibility used for the mapping: 1 becomes 2 when a correlated claim is in play, one with
    the same ``originator_id`` or ``evidence_line``."""
    if claim.credibility != "1":
        return claim.credibility
    correlated = any(
        o.claim_id != claim.claim_id
        and (o.originator_id == claim.originator_id or o.evidence_line == claim.evidence_line)
        for o in others
    )
    return "2" if correlated else "1"


def truth_probabilities(claims: Sequence[Claim], table: GradeTable, *, base_rate: float,
                        grade_confidence: float = 1.0,
                        reliability_weight: float = RELIABILITY_WEIGHT) -> np.ndarray:
    """P(true) for each claim, applying the correlated-corroboration rule."""
    return np.array([
        table.probability(c.reliability, effective_credibility(c, claims),
                          base_rate=base_rate, grade_confidence=grade_confidence,
                          reliability_weight=reliability_weight)
        for c in claims
    ])


@dataclass(frozen=True)
class LatentStructure:
    """Which originator factor and which line-of-evidence factor each claim loads on."""

    originator_index: np.ndarray
    line_index: np.ndarray

    @classmethod
    def of(cls, claims: Sequence[Claim]) -> LatentStructure:
        originators = {key: i for i, key in enumerate(dict.fromkeys(c.originator_id for c in claims))}
        lines = {key: i for i, key in enumerate(dict.fromkeys(c.evidence_line for c in claims))}
        return cls(np.array([originators[c.originator_id] for c in claims], dtype=int),
                   np.array([lines[c.evidence_line] for c in claims], dtype=int))

    @property
    def n_claims(self) -> int:
        return self.originator_index.size

    @property
    def n_originators(self) -> int:
        return int(self.originator_index.max()) + 1 if self.n_claims else 0

    @property
    def n_lines(self) -> int:
        return int(self.line_index.max()) + 1 if self.n_claims else 0

    @property
    def n_factors(self) -> int:
        """Standard normals needed per draw: originators, lines of evidence, then one per claim."""
        return self.n_originators + self.n_lines + self.n_claims

    def correlation(self, originator_correlation: float, line_correlation: float) -> np.ndarray:
        """The implied correlation matrix of the latent truths."""
        same_originator = self.originator_index[:, None] == self.originator_index[None, :]
        same_line = self.line_index[:, None] == self.line_index[None, :]
        corr = originator_correlation * same_originator + line_correlation * same_line
        np.fill_diagonal(corr, 1.0)
        return corr

    def latent(self, normals: np.ndarray, originator_correlation: float,
               line_correlation: float) -> np.ndarray:
        """Latent truths (draws x claims) from standard normals (draws x ``n_factors``)."""
        check_weights(originator_correlation, line_correlation)
        o = normals[:, : self.n_originators]
        u = normals[:, self.n_originators: self.n_originators + self.n_lines]
        e = normals[:, self.n_originators + self.n_lines:]
        own = 1.0 - originator_correlation - line_correlation
        return (math.sqrt(originator_correlation) * o[:, self.originator_index]
                + math.sqrt(line_correlation) * u[:, self.line_index]
                + math.sqrt(max(own, 0.0)) * e)


def check_weights(originator_correlation: float, line_correlation: float) -> None:
    if originator_correlation < 0 or line_correlation < 0 or originator_correlation + line_correlation > 1:
        raise ValueError(
            "originator_correlation + outlet_correlation must lie in [0, 1] with both >= 0; got "
            f"{originator_correlation} + {line_correlation}"
        )


def claim_truth(latent: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """A claim is true in a draw when its latent standard normal falls below Phi^-1(p)."""
    return latent < stats.norm.ppf(probabilities)[None, :]
