"""Each statement checked against the ones before it: how surprising was it?

A posterior predictive check, one step ahead: under the nested reading, the statements before one
predict its count; a reported value in a tail of that prediction says the sources, or the hazard's
form, disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from estimates.core.hazard import probability_from_cumulative_hazard
from estimates.core.quantities import quantile_dict
from estimates.inputs.statements import Statement
from estimates.models.pooling.posterior import (
    PoolingError,
    _in_range,
    cumulative_hazard,
    forward,
    make_grid,
)

#: A reported value whose predictive tail probability falls below this is called surprising.
SURPRISING_BELOW = 0.05
#: Most draws of a predicted count (its quantiles' precision, not the run's draw count, needs them).
PREDICTIVE_DRAWS = 50_000


@dataclass(frozen=True)
class Check:
    """How surprising a statement was given the statements before it (one-step-ahead, nested)."""

    statement: Statement
    earlier: tuple[str, ...]
    #: The fit's shape prior: ``(1, 1)`` for a constant hazard.
    shape_90: tuple[float, float]
    #: P(count >= the statement's smallest value | earlier statements), exact on the grid.
    at_least: float
    #: P(count <= its largest value | earlier statements).
    at_most: float
    #: Quantiles of the predicted count, from draws.
    quantiles: dict

    @property
    def tail_probability(self) -> float:
        """Two-sided tail probability of the reported value; one-sided for a lower bound."""
        if self.statement.is_lower_bound:
            return self.at_least
        return min(1.0, 2.0 * min(self.at_least, self.at_most))

    @property
    def surprising(self) -> bool:
        return self.tail_probability < SURPRISING_BELOW

    def to_dict(self) -> dict:
        return {"observation_id": self.statement.observation_id, "earlier": list(self.earlier),
                "shape_90": list(self.shape_90), "at_least": self.at_least, "at_most": self.at_most,
                "tail_probability": self.tail_probability, "surprising": self.surprising,
                "predicted": self.quantiles}


def check_next(earlier: tuple[Statement, ...], statement: Statement, *, as_of_day: int,
               committed_range: tuple[int, int], rng: np.random.Generator, size: int,
               prior: str = "jeffreys", shape_90: tuple[float, float] = (0.5, 2.0)) -> Check:
    """Predict ``statement``'s count from the ``earlier`` ones under the nested reading.

    The tail probabilities are exact sums over the grid and the latent count at the last earlier
    statement; the predicted count's quantiles come from ``size`` draws (at most
    :data:`PREDICTIVE_DRAWS`) of (cell, latent count, new losses).
    """
    grid = make_grid(prior=prior, shape_90=shape_90, committed_range=committed_range)
    ordered = sorted(earlier, key=lambda s: s.day)
    if ordered and ordered[-1].day > statement.day:
        raise ValueError(f"statement {statement.observation_id} must not precede the statements it is checked against")
    support, weight, hazard_before = forward(ordered, grid, as_of_day)
    cell_mass = grid.prior_mass * weight.sum(axis=0)
    evidence = float(cell_mass.sum())
    if not evidence > 0.0:
        raise PoolingError("the earlier statements cannot all hold under the nested reading")
    hazard = cumulative_hazard(grid, statement.day, as_of_day)
    low, high = statement.bounds(grid.committed)
    in_range = lambda lo, hi: float((grid.prior_mass * _in_range(  # noqa: E731
        support, weight, hazard_before, hazard, lo, hi, grid.committed)).sum() / evidence)
    at_least = in_range(low, grid.committed)
    at_most = in_range(np.zeros_like(high), high)

    flat = cell_mass.ravel() / evidence
    # Only quantiles of a count come from these draws, and they settle long before a million; the
    # latent counts' weights take support x draws floats, so the draws are capped.
    size = min(size, PREDICTIVE_DRAWS)
    i, j, m = np.unravel_index(rng.choice(flat.size, size=size, p=flat), cell_mass.shape)
    latent_mass = weight[:, i, j, m]
    cumulative = np.cumsum(latent_mass, axis=0) / latent_mass.sum(axis=0)
    latent = support[np.minimum((cumulative < rng.random(size)).sum(axis=0), support.size - 1)]
    newly = probability_from_cumulative_hazard(hazard[i, j, 0] - hazard_before[i, j, 0])
    counts = latent + rng.binomial(grid.committed[m] - latent, newly)
    return Check(statement, tuple(s.observation_id for s in ordered), tuple(shape_90),
                 at_least, at_most, quantile_dict(counts))
