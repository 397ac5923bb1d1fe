"""From Admiralty grades to probabilities that a claim is true, and correlated claim truth.

No published calibration maps Admiralty grades to probabilities, so the mapping is an explicit,
documented assumption, held in ``data/grade_probabilities.csv`` where analysts can override it:

- reliability (A-F) and credibility (1-6) each map to a probability; F and 6 ("cannot be judged")
  map to the ``base_rate`` parameter, never to a fixed number;
- a claim's probability of being true is the mean of the two, stretched in log-odds away from the
  base rate by ``grade_confidence`` (1 keeps the table; below 1 trusts the grades less), so the
  mapping itself can be varied in the sensitivity analysis;
- credibility 1 ("confirmed by other sources") is treated as 2 when another claim in play shares the
  claim's originator or outlet: agreement among correlated claims is not corroboration.

Claims that share an originator or an outlet are correlated. Each claim's truth is a latent standard
normal, thresholded at its probability, built from one factor per originator, one per outlet and
its own noise: Z = sqrt(a) O + sqrt(b) U + sqrt(1 - a - b) e, with a = ``originator_correlation``
and b = ``outlet_correlation`` (a + b <= 1), so the implied correlation matrix is valid for any
ledger.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from estimates.inputs.claims import Claim
from estimates.inputs.grade_table import GradeTable


def effective_credibility(claim: Claim, others: Sequence[Claim]) -> str:
    """Credibility used for the mapping: 1 becomes 2 when a correlated claim is in play."""
    if claim.credibility != "1":
        return claim.credibility
    correlated = any(
        o.claim_id != claim.claim_id and (o.originator == claim.originator or o.outlet == claim.outlet)
        for o in others
    )
    return "2" if correlated else "1"


def truth_probabilities(claims: Sequence[Claim], table: GradeTable, *, base_rate: float,
                        grade_confidence: float = 1.0) -> np.ndarray:
    """P(true) for each claim, applying the correlated-corroboration rule."""
    return np.array([
        table.probability(c.reliability, effective_credibility(c, claims),
                          base_rate=base_rate, grade_confidence=grade_confidence)
        for c in claims
    ])


@dataclass(frozen=True)
class LatentStructure:
    """Which originator and outlet factor each claim loads on."""

    originator_index: np.ndarray
    outlet_index: np.ndarray

    @classmethod
    def of(cls, claims: Sequence[Claim]) -> LatentStructure:
        originators = {name: i for i, name in enumerate(dict.fromkeys(c.originator for c in claims))}
        outlets = {name: i for i, name in enumerate(dict.fromkeys(c.outlet for c in claims))}
        return cls(np.array([originators[c.originator] for c in claims], dtype=int),
                   np.array([outlets[c.outlet] for c in claims], dtype=int))

    @property
    def n_claims(self) -> int:
        return self.originator_index.size

    @property
    def n_originators(self) -> int:
        return int(self.originator_index.max()) + 1 if self.n_claims else 0

    @property
    def n_outlets(self) -> int:
        return int(self.outlet_index.max()) + 1 if self.n_claims else 0

    @property
    def n_factors(self) -> int:
        """Standard normals needed per draw: originators, outlets, then one per claim."""
        return self.n_originators + self.n_outlets + self.n_claims

    def correlation(self, originator_correlation: float, outlet_correlation: float) -> np.ndarray:
        """The implied correlation matrix of the latent truths."""
        same_orig = self.originator_index[:, None] == self.originator_index[None, :]
        same_outlet = self.outlet_index[:, None] == self.outlet_index[None, :]
        corr = originator_correlation * same_orig + outlet_correlation * same_outlet
        np.fill_diagonal(corr, 1.0)
        return corr

    def latent(self, normals: np.ndarray, originator_correlation: float,
               outlet_correlation: float) -> np.ndarray:
        """Latent truths (draws x claims) from standard normals (draws x ``n_factors``)."""
        check_weights(originator_correlation, outlet_correlation)
        o = normals[:, : self.n_originators]
        u = normals[:, self.n_originators: self.n_originators + self.n_outlets]
        e = normals[:, self.n_originators + self.n_outlets:]
        own = 1.0 - originator_correlation - outlet_correlation
        return (math.sqrt(originator_correlation) * o[:, self.originator_index]
                + math.sqrt(outlet_correlation) * u[:, self.outlet_index]
                + math.sqrt(max(own, 0.0)) * e)


def check_weights(originator_correlation: float, outlet_correlation: float) -> None:
    if originator_correlation < 0 or outlet_correlation < 0 or originator_correlation + outlet_correlation > 1:
        raise ValueError(
            "originator_correlation + outlet_correlation must lie in [0, 1] with both >= 0; got "
            f"{originator_correlation} + {outlet_correlation}"
        )


def claim_truth(latent: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """A claim is true in a draw when its latent standard normal falls below Phi^-1(p)."""
    return latent < stats.norm.ppf(probabilities)[None, :]
