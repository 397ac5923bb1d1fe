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

import contextlib
from collections import OrderedDict
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

    Each reading's fit comes through :func:`fit`, which keeps the last few: a sensitivity analysis
    varies many inputs that leave the fits as they are (a threshold, a horizon, the readings'
    prior weights), and attrition and pooling ask for the same ones.
    """
    prior_weights = {"nested": 1.0 - reassessment_weight, "independent": reassessment_weight}
    fits, impossible = {}, {}
    for reading, weight in prior_weights.items():
        if weight <= 0.0:
            continue
        try:
            fits[reading] = fit(statements, as_of_day=as_of_day, committed_range=committed_range, prior=prior,
                                shape_90=shape_90, reading=reading, count_uncertainty=count_uncertainty, **grid)
        except pooling.PoolingError as error:
            impossible[reading] = str(error)
    if not fits:
        raise pooling.PoolingError("; ".join(impossible.values()))
    return JointEstimate(fits, prior_weights, impossible)


#: Fits kept, most recently used last (each holds its per-dating likelihoods, about 15 MB on the
#: full grid), and the fits :func:`keeping` holds whatever else is asked for.
KEPT_FITS = 6
_recent: OrderedDict = OrderedDict()
_held: dict = {}


def fit(statements: tuple[Statement, ...], **arguments) -> pooling.PooledFit:
    """:func:`estimates.models.pooling.posterior.fit`, kept: the same arguments give the same fit
    (or raise the same :class:`~estimates.models.pooling.posterior.PoolingError`) without refitting."""
    key = _key(statements, arguments)
    found = _held.get(key)
    if found is None:
        found = _recent.pop(key, None)
    if found is None:
        try:
            found = pooling.fit(tuple(statements), **arguments)
        except pooling.PoolingError as error:
            found = error
    _recent[key] = found
    while len(_recent) > KEPT_FITS:
        _recent.popitem(last=False)
    if isinstance(found, pooling.PoolingError):
        raise found
    return found


@contextlib.contextmanager
def keeping(*fits: pooling.PooledFit):
    """Hold ``fits`` (a run's own) while the block runs, however many others are fitted meanwhile:
    a term-sensitivity analysis fits many varied inputs, then comes back to inputs that leave the
    run's fits as they are."""
    keys = [key for key, value in _recent.items() if any(value is f for f in fits)]
    _held.update((key, _recent[key]) for key in keys)
    try:
        yield
    finally:
        for key in keys:
            _held.pop(key, None)


def _key(statements, arguments: dict) -> tuple:
    def frozen(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value

    return tuple(statements), tuple(sorted((name, frozen(value)) for name, value in arguments.items()))


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
    which = _dating_drawn(fit, (i, j, m), rng.random(size))
    count = np.empty(size, dtype=np.int64)
    for index, way in enumerate(fit.dating):
        where = np.flatnonzero(which == index)
        if where.size:
            ordered = tuple(sorted(way.apply(fit.read), key=lambda s: s.day))
            count[where] = _conditioned_counts(ordered, h0[where], shape[where], committed[where], day,
                                               fit.as_of_day, rng)
    return {"p": p, "shape": shape, "committed": committed, "count": count}


#: Draws whose datings are chosen at once: the weights of every dating for every draw would
#: otherwise take about 200 bytes a draw (twelve datings, their weights and running sums).
DRAWS_AT_ONCE = 500_000


def _dating_drawn(fit: pooling.PooledFit, cells: tuple[np.ndarray, ...], uniform: np.ndarray) -> np.ndarray:
    """Each draw's dating, in proportion to its cell's likelihood under each dating, from ``uniform``."""
    shares = np.array([w.weight for w in fit.dating])[:, None]
    which = np.empty(uniform.size, dtype=np.int64)
    for first in range(0, uniform.size, DRAWS_AT_ONCE):
        part = slice(first, first + DRAWS_AT_ONCE)
        weights = shares * fit.dating_likelihood[(slice(None), *(c[part] for c in cells))]
        cumulative = np.cumsum(weights, axis=0) / weights.sum(axis=0)
        which[part] = np.minimum((cumulative < uniform[part]).sum(axis=0), len(fit.dating) - 1)
    return which


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
