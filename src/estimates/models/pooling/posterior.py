"""Pooling official statements of ineffective units: one hazard model fitted to every reported count at once.

The hazard model is attrition's (:mod:`estimates.models.attrition.assessment`): a unit's cumulative hazard of becoming
combat-ineffective at day t is H(t) = H0 (t / t0) ** k, with t0 the as-of day, H0 = -log(1 - p),
p the probability that a unit is ineffective by t0 and k the Weibull shape (1 is a constant hazard).
The committed force N is uncertain, uniform over the integers of ``committed_range``.

Statements (:mod:`estimates.inputs.statements`) are counts, ranges or lower bounds at their dates. How they
relate is itself a judgment, so there are two readings:

- ``nested`` (the headline): every statement counts the same force, so a later count is the earlier
  one plus new losses among the units still effective, K(t_j) - K(t_i) | K(t_i) ~ Binomial(N - K(t_i),
  1 - S(t_j) / S(t_i)), S = exp(-H). The likelihood is a forward recursion over the latent counts
  each statement allows; the last step needs only binomial CDFs;
- ``independent``: each statement is its own reading of the share at its date, K(t_i) ~ Binomial(N,
  F(t_i)), F = 1 - S; this is what follows if officials re-assessed with changing definitions.

The posterior is computed on a grid: cells of p in [0, 1] carrying the Beta prior's exact mass, cells
of log k carrying a lognormal prior's mass, and every N. With a single statement at t0 the likelihood
does not depend on k and the posterior of p is the single-report Beta posterior of
:func:`estimates.core.distributions.beta_posterior`, up to the grid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy import special, stats

from estimates.core.distributions import lognormal_from_90, prior_parameters
from estimates.core.hazard import (
    daily_hazard_from_probability,
    probability_from_cumulative_hazard,
)
from estimates.core.quantities import DEFAULT_QUANTILES, Interval, quantile_dict
from estimates.inputs.statements import Statement

Reading = Literal["nested", "independent"]
READINGS: tuple[str, ...] = ("nested", "independent")

#: Cells of the grid. Enough that intervals of p are exact to about 1e-3 (tests compare with scipy's
#: Beta), few enough that a fit to three statements over eleven denominators takes well under a second.
P_CELLS = 800
SHAPE_CELLS = 49
#: The log-odds cells of p run from -LOGIT_SPAN to LOGIT_SPAN (p from about 1e-7 to 1 - 1e-7).
LOGIT_SPAN = 16.0
#: Most values of the committed force N on the grid (a uniform range wider than this is thinned).
COMMITTED_POINTS = 21
#: The shape grid always spans at least this range, whatever the prior, so the data can pull k there.
SHAPE_SPAN = (0.2, 6.0)


class PoolingError(ValueError):
    """The statements cannot all hold under the model; the message is one line saying which reading."""


@dataclass(frozen=True, eq=False)
class PosteriorGrid:
    """Cells of (p, k, N) with their prior masses, outer product in that axis order."""

    p_edges: np.ndarray = field(repr=False)
    shape_edges: np.ndarray = field(repr=False)
    committed: np.ndarray = field(repr=False)
    prior_mass: np.ndarray = field(repr=False)

    @property
    def p(self) -> np.ndarray:
        return 0.5 * (self.p_edges[1:] + self.p_edges[:-1])

    @property
    def shape(self) -> np.ndarray:
        if self.shape_edges[0] == self.shape_edges[-1]:
            return self.shape_edges[:1]
        return np.sqrt(self.shape_edges[1:] * self.shape_edges[:-1])

    @property
    def shape_fixed(self) -> bool:
        return bool(self.shape_edges[0] == self.shape_edges[-1])


def make_grid(*, prior: str, shape_90: tuple[float, float], committed_range: tuple[int, int],
              p_cells: int = P_CELLS, shape_cells: int = SHAPE_CELLS) -> PosteriorGrid:
    """The prior on the grid: Beta(prior) on p, lognormal with 90% interval ``shape_90`` on k (a
    fixed k when the two ends are equal), uniform on the integers of ``committed_range`` (at most
    :data:`COMMITTED_POINTS` of them, evenly spaced, when the range is wider)."""
    low_n, high_n = committed_range
    if not 1 <= low_n <= high_n:
        raise ValueError(f"committed_range must satisfy 1 <= low <= high, got {committed_range}")
    a, b = prior_parameters(prior)
    # Even cells resolve p in the middle; cells even in log-odds resolve it near 0 and 1, where an
    # early as-of date puts it (a few per thousand by day 2).
    p_edges = np.unique(np.concatenate([np.linspace(0.0, 1.0, p_cells + 1),
                                        special.expit(np.linspace(-LOGIT_SPAN, LOGIT_SPAN, p_cells + 1))]))
    p_mass = np.diff(stats.beta(a, b).cdf(p_edges))
    low_k, high_k = shape_90
    if not 0 < low_k <= high_k:
        raise ValueError(f"shape_90 must satisfy 0 < low <= high, got {shape_90}")
    if low_k == high_k:
        shape_edges = np.array([low_k, low_k])
        shape_mass = np.ones(1)
    else:
        shape_prior = lognormal_from_90(low_k, high_k)
        span = (min(SHAPE_SPAN[0], shape_prior.ppf(1e-4)), max(SHAPE_SPAN[1], shape_prior.ppf(1 - 1e-4)))
        shape_edges = np.geomspace(*span, shape_cells + 1)
        shape_mass = np.diff(shape_prior.cdf(shape_edges))
    # A wide range is represented by evenly spaced integers, each standing for its neighbours, so
    # the grid (and the time and memory of a fit) stays bounded however uncertain the force is.
    committed = np.unique(np.round(np.linspace(low_n, high_n, min(high_n - low_n + 1, COMMITTED_POINTS)))).astype(np.int64)
    # Each value carries the integers nearer to it than to its neighbours (all 1 when none is thinned).
    bounds = np.concatenate([[low_n - 0.5], 0.5 * (committed[1:] + committed[:-1]), [high_n + 0.5]])
    n_mass = np.diff(np.floor(bounds + 0.5))
    mass = p_mass[:, None, None] * shape_mass[None, :, None] * n_mass[None, None, :]
    return PosteriorGrid(p_edges, shape_edges, committed, mass / mass.sum())


def cumulative_hazard(grid: PosteriorGrid, day: float, as_of_day: int) -> np.ndarray:
    """H(day) on the grid, shape (P, K, 1)."""
    h0 = daily_hazard_from_probability(grid.p, 1)  # the cumulative hazard by the as-of day
    return h0[:, None, None] * (day / as_of_day) ** grid.shape[None, :, None]


def likelihood(statements: tuple[Statement, ...], grid: PosteriorGrid, as_of_day: int, reading: Reading) -> np.ndarray:
    """P(every statement | p, k, N) on the grid, shape (P, K, N)."""
    if not statements:
        raise ValueError("need at least one statement to pool")
    if reading not in READINGS:
        raise ValueError(f"reading must be one of {', '.join(READINGS)}, got {reading!r}")
    ordered = sorted(statements, key=lambda s: s.day)
    n = grid.committed[None, None, :]
    if reading == "independent":
        total = np.ones(grid.prior_mass.shape)
        for s in ordered:
            failed = probability_from_cumulative_hazard(cumulative_hazard(grid, s.day, as_of_day))
            low, high = s.bounds(grid.committed)
            total = total * (stats.binom.cdf(high, n, failed) - stats.binom.cdf(low - 1, n, failed))
        return total
    return _nested_likelihood(ordered, grid, as_of_day)


def _nested_likelihood(ordered: list[Statement], grid: PosteriorGrid, as_of_day: int) -> np.ndarray:
    support, weight, hazard_before = forward(ordered[:-1], grid, as_of_day)
    low, high = ordered[-1].bounds(grid.committed)
    # The last statement needs only the probability that its count falls in range: binomial CDFs.
    return _in_range(support, weight, hazard_before, cumulative_hazard(grid, ordered[-1].day, as_of_day),
                     low, high, grid.committed)


def forward(ordered: list[Statement], grid: PosteriorGrid, as_of_day: int):
    """The forward recursion over latent counts under the nested reading.

    Returns ``(support, weight, hazard)``: ``weight[i]`` is, per grid cell, the joint probability
    that ``support[i]`` units were ineffective at the last statement's date and that every statement
    holds; ``hazard`` the cumulative hazard at that date. Before any statement, no unit is
    ineffective at day 0.
    """
    support = np.zeros(1, dtype=np.int64)
    weight = np.ones((1, *grid.prior_mass.shape))
    hazard_before = np.zeros((grid.p.size, grid.shape.size, 1))
    n = grid.committed[None, None, :]
    for s in ordered:
        hazard = cumulative_hazard(grid, s.day, as_of_day)
        newly = probability_from_cumulative_hazard(hazard - hazard_before)
        low, high = s.bounds(grid.committed)
        values = np.arange(int(low.min()), int(high.max()) + 1)
        following = np.zeros((values.size, *grid.prior_mass.shape))
        for j, value in enumerate(values):
            for count, w in zip(support, weight):
                if value >= count:
                    following[j] += w * stats.binom.pmf(value - count, np.maximum(n - count, 0), newly)
            following[j] *= (value >= low) & (value <= high)
        keep = following.reshape(values.size, -1).any(axis=1)
        support, weight, hazard_before = values[keep], following[keep], hazard
    return support, weight, hazard_before


def _in_range(support, weight, hazard_before, hazard, low, high, committed) -> np.ndarray:
    """Per grid cell: P(earlier statements and low <= count <= high at the next date)."""
    n = committed[None, None, :]
    newly = probability_from_cumulative_hazard(hazard - hazard_before)
    total = np.zeros(weight.shape[1:])
    for count, w in zip(support, weight):
        at_risk = np.maximum(n - count, 0)
        total += w * (stats.binom.cdf(high - count, at_risk, newly)
                      - stats.binom.cdf(low - count - 1, at_risk, newly))
    return total


@dataclass(frozen=True, eq=False)
class PooledFit:
    """The posterior of (p, k, N) given some statements, under one reading."""

    reading: str
    statements: tuple[Statement, ...]
    as_of_day: int
    grid: PosteriorGrid = field(repr=False)
    posterior: np.ndarray = field(repr=False)
    #: P(statements) under the prior: the ratio of two fits' evidence is their Bayes factor.
    evidence: float

    @property
    def p_posterior(self):
        """Posterior of p as a scipy distribution (piecewise uniform within cells)."""
        return stats.rv_histogram((self.posterior.sum(axis=(1, 2)), self.grid.p_edges), density=False)

    @property
    def shape_posterior(self):
        """Posterior of k as a scipy distribution, or ``None`` when k was fixed."""
        if self.grid.shape_fixed:
            return None
        return stats.rv_histogram((self.posterior.sum(axis=(0, 2)), self.grid.shape_edges), density=False)

    def probability_shape_above(self, value: float = 1.0) -> float:
        posterior = self.shape_posterior
        if posterior is None:
            return float(self.grid.shape[0] > value)
        return float(posterior.sf(value))

    def sample(self, size: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Draws of (p, k, N) from the posterior, spread uniformly within each p cell and
        log-uniformly within each k cell."""
        flat = self.posterior.ravel()
        cells = rng.choice(flat.size, size=size, p=flat / flat.sum())
        i, j, m = np.unravel_index(cells, self.posterior.shape)
        p = rng.uniform(self.grid.p_edges[i], self.grid.p_edges[i + 1])
        if self.grid.shape_fixed:
            shape = np.full(size, self.grid.shape[0])
        else:
            log_edges = np.log(self.grid.shape_edges)
            shape = np.exp(rng.uniform(log_edges[j], log_edges[j + 1]))
        return {"p": p, "shape": shape, "committed": self.grid.committed[m]}

    def to_dict(self, level: float = 0.9) -> dict:
        posterior = self.p_posterior
        record = {
            "reading": self.reading,
            "statements": [s.observation_id for s in self.statements],
            "p_as_of": posterior_summary(posterior, level),
            "shape": None if self.grid.shape_fixed else posterior_summary(self.shape_posterior, level),
            "shape_fixed": float(self.grid.shape[0]) if self.grid.shape_fixed else None,
            "probability_shape_above_1": self.probability_shape_above(1.0),
            "log_evidence": float(np.log(self.evidence)),
        }
        return record


def posterior_summary(distribution, level: float) -> dict:
    tail = (1.0 - level) / 2.0
    return {
        "mean": float(distribution.mean()),
        "quantiles": {f"{q:g}": float(distribution.ppf(q)) for q in DEFAULT_QUANTILES},
        "interval": Interval(float(distribution.ppf(tail)), float(distribution.ppf(1.0 - tail)), level,
                             "equal-tailed posterior interval (grid)").to_dict(),
    }


def fit(statements: tuple[Statement, ...], *, as_of_day: int, committed_range: tuple[int, int],
        prior: str = "jeffreys", shape_90: tuple[float, float] = (0.5, 2.0),
        reading: Reading = "nested", p_cells: int = P_CELLS, shape_cells: int = SHAPE_CELLS) -> PooledFit:
    """Fit the hazard model to ``statements`` (a tuple of :class:`~estimates.inputs.statements.Statement`).

    ``as_of_day`` is t0, the day p refers to; ``committed_range`` the integers N may take;
    ``shape_90`` a 90% prior interval for the Weibull shape (equal ends fix it: ``(1, 1)`` is a
    constant hazard).

    Examples
    --------
    >>> from estimates.inputs.statements import Statement
    >>> import datetime as dt
    >>> one = Statement.count("day-42", dt.date(2024, 7, 26), 29, start=dt.date(2024, 6, 15))
    >>> f = fit((one,), as_of_day=one.day, committed_range=(125, 125))
    >>> round(float(f.p_posterior.ppf(0.5)), 3), round(float(stats.beta(29.5, 96.5).ppf(0.5)), 3)
    (0.233, 0.233)
    """
    if as_of_day < 1:
        raise ValueError(f"as_of_day must be at least 1, got {as_of_day}")
    grid = make_grid(prior=prior, shape_90=shape_90, committed_range=committed_range,
                     p_cells=p_cells, shape_cells=shape_cells)
    joint = grid.prior_mass * likelihood(tuple(statements), grid, as_of_day, reading)
    evidence = float(joint.sum())
    if not evidence > 0.0 or not np.isfinite(evidence):
        ids = ", ".join(s.observation_id for s in statements)
        raise PoolingError(f"statements {ids} cannot all hold under the {reading} reading "
                           f"with {committed_range[0]}-{committed_range[1]} committed")
    return PooledFit(reading, tuple(statements), as_of_day, grid, joint / evidence, evidence)


#: A reported value whose predictive tail probability falls below this is called surprising.
SURPRISING_BELOW = 0.05


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
    statement; the predicted count's quantiles come from ``size`` draws of (cell, latent count,
    new losses).
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
    i, j, m = np.unravel_index(rng.choice(flat.size, size=size, p=flat), cell_mass.shape)
    latent_mass = weight[:, i, j, m]
    cumulative = np.cumsum(latent_mass, axis=0) / latent_mass.sum(axis=0)
    latent = support[np.minimum((cumulative < rng.random(size)).sum(axis=0), support.size - 1)]
    newly = probability_from_cumulative_hazard(hazard[i, j, 0] - hazard_before[i, j, 0])
    counts = latent + rng.binomial(grid.committed[m] - latent, newly)
    return Check(statement, tuple(s.observation_id for s in ordered), tuple(shape_90),
                 at_least, at_most, quantile_dict(counts))


def last_count_draws(fit_: PooledFit, rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Draws of (ineffective count, committed force) at the last statement's date, given every
    statement: the count itself, not the hazard's expected share.

    Nested: a cell from the posterior, then the latent count at the statement before the last (from
    the forward recursion, weighted by how well each leaves room for the last statement), then the
    new losses as a binomial truncated to the last statement's range. Independent: a cell, then the
    count as a binomial truncated to the last statement's range. Truncated draws are inverse CDFs.
    """
    grid = fit_.grid
    ordered = sorted(fit_.statements, key=lambda s: s.day)
    last = ordered[-1]
    flat = fit_.posterior.ravel()
    i, j, m = np.unravel_index(rng.choice(flat.size, size=size, p=flat / flat.sum()), fit_.posterior.shape)
    committed = grid.committed[m]
    low, high = last.bounds(committed)
    hazard = cumulative_hazard(grid, last.day, fit_.as_of_day)[i, j, 0]
    if fit_.reading == "nested":
        support, weight, before = forward(ordered[:-1], grid, fit_.as_of_day)
        newly = probability_from_cumulative_hazard(hazard - before[i, j, 0])
        at_risk = np.maximum(committed[None, :] - support[:, None], 0)
        room = (stats.binom.cdf(high[None, :] - support[:, None], at_risk, newly[None, :])
                - stats.binom.cdf(low[None, :] - support[:, None] - 1, at_risk, newly[None, :]))
        latent_mass = weight[:, i, j, m] * room
        cumulative = np.cumsum(latent_mass, axis=0) / latent_mass.sum(axis=0)
        latent = support[np.minimum((cumulative < rng.random(size)).sum(axis=0), support.size - 1)]
        trials, chance, floor = committed - latent, newly, latent
    else:
        trials, chance, floor = committed, probability_from_cumulative_hazard(hazard), np.zeros(size, dtype=np.int64)
    below = stats.binom.cdf(low - floor - 1, trials, chance)
    upto = stats.binom.cdf(high - floor, trials, chance)
    u = below + rng.random(size) * (upto - below)
    extra = stats.binom.ppf(u, trials, chance)
    counts = np.clip(floor + np.nan_to_num(extra, nan=0.0).astype(np.int64), low, high)
    return counts, committed


def daily_hazard(fit_: PooledFit, rng: np.random.Generator, size: int) -> np.ndarray:
    """Draws of the instantaneous hazard per unit per day at the as-of day, k H0 / t0."""
    draws = fit_.sample(size, rng)
    return draws["shape"] * daily_hazard_from_probability(draws["p"], 1) / fit_.as_of_day
