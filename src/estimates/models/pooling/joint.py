"""One estimate of the attrition process from every statement, whichever way they relate.

Officials' statements may be counts of the same force over time (``nested``) or re-assessments made
with changing definitions (``independent``); nothing in them says which. The joint estimate keeps
both: each reading's grid posterior (:func:`estimates.models.pooling.posterior.fit`, with every
statement's count read within ``count_uncertainty`` and dated anywhere in its window), weighted by its
prior weight times its evidence (Bayesian model averaging). Projections draw from it:

- a reading, then a cell of (p, k, N) from that reading's posterior, then a way of dating the
  statements given the cell;
- under the nested reading, the latent count on a later day given every statement: forward
  filtering over the counts each statement allows, for each draw's own p, k and N (exact);
- under the independent reading the statements say nothing about the path beyond (p, k, N): the
  count on that day is Binomial(N, F(day)).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from estimates.core.hazard import (
    daily_hazard_from_probability,
    probability_from_cumulative_hazard,
)
from estimates.core.quantities import quantile_dict
from estimates.inputs.statements import Statement
from estimates.models.pooling import posterior as pooling


@dataclass(frozen=True, eq=False)
class JointEstimate(pooling.GridMarginals):
    """The readings' posteriors on one grid and their weights."""

    fits: dict[str, pooling.PooledFit] = field(repr=False)
    #: Prior weight of each reading (they sum to 1).
    prior_weights: dict[str, float]
    #: Why a reading has no fit (the statements cannot hold under it), by reading.
    impossible: dict[str, str] = field(default_factory=dict)

    @property
    def weights(self) -> dict[str, float]:
        """Posterior weight of each reading: prior weight times evidence, normalised."""
        raw = {r: self.prior_weights[r] * f.evidence for r, f in self.fits.items()}
        total = sum(raw.values())
        return {r: w / total for r, w in raw.items()}

    @property
    def grid(self) -> pooling.PosteriorGrid:
        return next(iter(self.fits.values())).grid

    @property
    def as_of_day(self) -> int:
        return next(iter(self.fits.values())).as_of_day

    @property
    def posterior(self) -> np.ndarray:
        """The averaged posterior over the (p, k, N) cells."""
        return sum(w * self.fits[r].posterior for r, w in self.weights.items())

    def draw(self, size: int, rng: np.random.Generator, day: int) -> dict[str, np.ndarray]:
        """``size`` joint draws of p, shape, committed force, reading (``nested`` True/False) and the
        number of units ineffective on ``day`` (at or after every statement's last day)."""
        readings = list(self.weights)
        chosen = rng.choice(len(readings), size=size, p=np.array([self.weights[r] for r in readings]))
        out = {"p": np.empty(size), "shape": np.empty(size), "committed": np.empty(size, dtype=np.int64),
               "count": np.empty(size, dtype=np.int64), "nested": np.zeros(size, dtype=bool)}
        for index, reading in enumerate(readings):
            where = np.flatnonzero(chosen == index)
            if where.size == 0:
                continue
            found = latent_counts(self.fits[reading], rng, where.size, day)
            for key, value in found.items():
                out[key][where] = value
            out["nested"][where] = reading == "nested"
        return out

    def to_dict(self, level: float = 0.9) -> dict:
        shape = self.shape_posterior
        return {
            "readings": {r: {"prior_weight": self.prior_weights[r], "weight": w,
                             "log_evidence": float(np.log(self.fits[r].evidence))}
                         for r, w in self.weights.items()},
            "impossible": dict(self.impossible),
            "p_as_of": pooling.posterior_summary(self.p_posterior, level),
            "shape": None if shape is None else pooling.posterior_summary(shape, level),
            "probability_shape_above_1": self.probability_shape_above(1.0),
        }


def estimate(statements: tuple[Statement, ...], *, as_of_day: int, committed_range: tuple[int, int],
             prior: str, shape_90: tuple[float, float], count_uncertainty: int,
             reassessment_weight: float, **grid) -> JointEstimate:
    """Both readings fitted to ``statements`` and weighted, the independent reading with prior
    weight ``reassessment_weight``. A reading under which the statements cannot hold (counts that
    fall cannot be nested) drops out with its reason; when neither can hold,
    :class:`~estimates.models.pooling.posterior.PoolingError`.

    The last few estimates are kept: a sensitivity analysis varies many inputs that leave the
    estimate as it is (a threshold, a horizon), and attrition and pooling ask for the same one.
    """
    return _estimate(tuple(statements), as_of_day, tuple(committed_range), prior, tuple(shape_90),
                     int(count_uncertainty), float(reassessment_weight), tuple(sorted(grid.items())))


@functools.lru_cache(maxsize=4)
def _estimate(statements, as_of_day, committed_range, prior, shape_90, count_uncertainty,
              reassessment_weight, grid) -> JointEstimate:
    grid = dict(grid)
    prior_weights = {"nested": 1.0 - reassessment_weight, "independent": reassessment_weight}
    fits, impossible = {}, {}
    for reading, weight in prior_weights.items():
        if weight <= 0.0:
            continue
        try:
            fits[reading] = pooling.fit(statements, as_of_day=as_of_day, committed_range=committed_range,
                                        prior=prior, shape_90=shape_90, reading=reading,
                                        count_uncertainty=count_uncertainty, **grid)
        except pooling.PoolingError as error:
            impossible[reading] = str(error)
    if not fits:
        raise pooling.PoolingError("; ".join(impossible.values()))
    return JointEstimate(fits, prior_weights, impossible)


def latent_counts(fit: pooling.PooledFit, rng: np.random.Generator, size: int, day: int) -> dict[str, np.ndarray]:
    """Draws of (p, shape, committed, count on ``day``) from one reading's posterior.

    ``day`` must not precede any day a statement may describe: the count there is conditioned on
    every statement (nested) or on none beyond the hazard (independent).
    """
    latest = max(s.day_latest for s in fit.read)
    if day < latest:
        raise ValueError(f"day {day} precedes the last day a statement may describe ({latest})")
    drawn = fit.sample(size, rng)
    p, shape, committed = drawn["p"], drawn["shape"], drawn["committed"]
    i, j, m = drawn["cells"]
    h0 = daily_hazard_from_probability(p, 1)
    if fit.reading != "nested":
        count = rng.binomial(committed, probability_from_cumulative_hazard(h0 * (day / fit.as_of_day) ** shape))
        return {"p": p, "shape": shape, "committed": committed, "count": count}
    weights = np.array([w.weight for w in fit.dating])[:, None] * fit.dating_likelihood[:, i, j, m]
    cumulative = np.cumsum(weights, axis=0) / weights.sum(axis=0)
    which = np.minimum((cumulative < rng.random(size)).sum(axis=0), len(fit.dating) - 1)
    count = np.empty(size, dtype=np.int64)
    for index, way in enumerate(fit.dating):
        where = np.flatnonzero(which == index)
        if where.size:
            ordered = tuple(sorted(way.apply(fit.read), key=lambda s: s.day))
            count[where] = _conditioned_counts(ordered, h0[where], shape[where], committed[where], day,
                                               fit.as_of_day, rng)
    return {"p": p, "shape": shape, "committed": committed, "count": count}


def _conditioned_counts(ordered: tuple[Statement, ...], h0: np.ndarray, shape: np.ndarray,
                        committed: np.ndarray, day: int, as_of_day: int, rng: np.random.Generator) -> np.ndarray:
    """Count on ``day`` for each draw given that every statement held: forward filtering over the
    counts each statement allows gives P(count at the last statement, every statement) for each
    draw's own p, k and N; a count drawn from it, plus the new losses to ``day``, is exact."""
    size = h0.size
    support = np.zeros(1, dtype=np.int64)
    weight = np.ones((1, size))
    before = np.zeros(size)
    for statement in ordered:
        hazard = h0 * (statement.day / as_of_day) ** shape
        step = pooling.BinomialStep(probability_from_cumulative_hazard(hazard - before))
        low, high = statement.bounds(committed)
        values = np.arange(int(low.min()), int(high.max()) + 1)
        following = np.zeros((values.size, size))
        for j, value in enumerate(values):
            for count, w in zip(support, weight):
                if value >= count:
                    following[j] += w * step.pmf(int(value - count), np.maximum(committed - count, 0))
            following[j] *= (value >= low) & (value <= high)
        keep = following.any(axis=1)
        support, weight, before = values[keep], following[keep], hazard
    counts = support[_categorical(weight, rng)]
    hazard = h0 * (day / as_of_day) ** shape
    return counts + rng.binomial(committed - counts, probability_from_cumulative_hazard(hazard - before))


def _categorical(weight: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One row index per column, drawn in proportion to the column's weights."""
    cumulative = np.cumsum(weight, axis=0)
    total = cumulative[-1]
    chosen = (cumulative < rng.random(weight.shape[1]) * total).sum(axis=0)
    return np.minimum(chosen, weight.shape[0] - 1)


def summary_of_counts(count: np.ndarray, committed: np.ndarray) -> dict:
    """Quantiles of a drawn count and of its share of the committed force."""
    return {"count": quantile_dict(count), "share": quantile_dict(count / committed)}
