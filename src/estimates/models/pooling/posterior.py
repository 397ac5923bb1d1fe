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

Each statement is read as a reading of the true count (off by at most ``count_uncertainty`` either
way) and may describe any day of its window (between its event date and its first report): the
likelihood averages over the ways of dating every statement (:func:`datings`), each day of a window
equally likely.

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
    probability_from_cumulative_hazard,
)
from estimates.core.quantities import DEFAULT_QUANTILES, Interval
from estimates.inputs.statements import Statement
from estimates.models.pooling.support import (
    informative_rows,
    likelihood_bound,
    negligible,
)
from estimates.models.pooling.transitions import (
    BinomialStep,
    cumulative_hazard,
    new_losses,
    still_in_range,
)

Reading = Literal["nested", "independent"]
READINGS: tuple[str, ...] = ("nested", "independent")

#: Cells of the grid. Enough that intervals of p are exact to about 1e-3 (tests compare with scipy's
#: Beta), few enough that a fit to three statements over eleven denominators takes well under a second.
P_CELLS = 400
SHAPE_CELLS = 33
#: The log-odds cells of p run from -LOGIT_SPAN to LOGIT_SPAN (p from about 1e-7 to 1 - 1e-7).
LOGIT_SPAN = 16.0
#: Most values of the committed force N on the grid (a uniform range wider than this is thinned).
COMMITTED_POINTS = 21
#: The shape grid always spans at least this range, whatever the prior, so the data can pull k there.
SHAPE_SPAN = (0.2, 6.0)
#: Most ways of dating the statements the likelihood averages over; wider windows are thinned to
#: evenly spaced days, each standing for its neighbours.
MAX_DATINGS = 12


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

    def rows(self, kept: slice) -> PosteriorGrid:
        """The grid restricted to the rows ``kept`` of p (views, not copies)."""
        return PosteriorGrid(self.p_edges[kept.start:kept.stop + 1], self.shape_edges, self.committed,
                             self.prior_mass[kept])


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


def likelihood(statements: tuple[Statement, ...], grid: PosteriorGrid, as_of_day: int, reading: Reading,
               steps: dict | None = None) -> np.ndarray:
    """P(every statement | p, k, N) on the grid, shape (P, K, N). ``steps`` keeps work between calls
    on the same grid: the forward recursion's steps under the nested reading (datings that date the
    first statements alike share them), each dated statement's chance under the independent one."""
    if not statements:
        raise ValueError("need at least one statement to pool")
    if reading not in READINGS:
        raise ValueError(f"reading must be one of {', '.join(READINGS)}, got {reading!r}")
    ordered = sorted(statements, key=lambda s: s.day)
    n = grid.committed[None, None, :]
    if reading == "independent":
        # Datings differ in a statement's day, not in the chance it holds on a given day.
        chances = {} if steps is None else steps
        total = np.ones(grid.prior_mass.shape)
        for s in ordered:
            if s not in chances:
                failed = probability_from_cumulative_hazard(cumulative_hazard(grid, s.day, as_of_day))
                chances[s] = BinomialStep(failed).in_range(*s.bounds(grid.committed), n)
            total = total * chances[s]
        return total
    return _nested_likelihood(ordered, grid, as_of_day, steps)


def _nested_likelihood(ordered: list[Statement], grid: PosteriorGrid, as_of_day: int, steps: dict | None = None) -> np.ndarray:
    support, weight, hazard_before = forward(ordered[:-1], grid, as_of_day, steps)
    low, high = ordered[-1].bounds(grid.committed)
    # The last statement needs only the probability that its count falls in range.
    return _in_range(support, weight, hazard_before, cumulative_hazard(grid, ordered[-1].day, as_of_day),
                     low, high, grid.committed)


def forward(ordered: list[Statement], grid: PosteriorGrid, as_of_day: int, steps: dict | None = None):
    """The forward recursion over latent counts under the nested reading.

    Returns ``(support, weight, hazard)``: ``weight[i]`` is, per grid cell, the joint probability
    that ``support[i]`` units were ineffective at the last statement's date and that every statement
    holds; ``hazard`` the cumulative hazard at that date. Before any statement, no unit is
    ineffective at day 0. ``steps`` maps a depth to the statements up to it and the recursion's
    state after them; a call whose first statements match reuses that state (a lower bound first
    has a hundred counts to carry, the same in every dating of the later statements).
    """
    support = np.zeros(1, dtype=np.int64)
    weight = np.ones((1, *grid.prior_mass.shape))
    hazard_before = np.zeros((grid.p.size, grid.shape.size, 1))
    n = grid.committed[None, None, :]
    for depth, s in enumerate(ordered):
        done = tuple(ordered[:depth + 1])
        if steps is not None and steps.get(depth, (None,))[0] == done:
            support, weight, hazard_before = steps[depth][1]
            continue
        hazard = cumulative_hazard(grid, s.day, as_of_day)
        chance = probability_from_cumulative_hazard(hazard - hazard_before)
        low, high = s.bounds(grid.committed)
        values = np.arange(int(low.min()), int(high.max()) + 1)
        following = np.zeros((values.size, *grid.prior_mass.shape))
        for j, (_, found) in enumerate(new_losses(support, weight, chance, n, values, low, high)):
            following[j] = found
        keep = following.reshape(values.size, -1).any(axis=1)
        support, weight, hazard_before = values[keep], following[keep], hazard
        if steps is not None:
            # One state per depth, the latest: memory stays that of one recursion.
            steps[depth] = (done, (support, weight, hazard_before))
    return support, weight, hazard_before


def _in_range(support, weight, hazard_before, hazard, low, high, committed) -> np.ndarray:
    """Per grid cell: P(earlier statements and low <= count <= high at the next date)."""
    step = BinomialStep(probability_from_cumulative_hazard(hazard - hazard_before))
    return still_in_range(support, weight, step, low, high, committed[None, None, :])


@dataclass(frozen=True)
class Dating:
    """One way of dating every statement: the day each describes, and the share of all ways it stands for."""

    days: tuple[int, ...]
    weight: float

    def apply(self, statements: tuple[Statement, ...]) -> tuple[Statement, ...]:
        return tuple(s.on_day(d) for s, d in zip(statements, self.days))


def datings(statements: tuple[Statement, ...], limit: int = MAX_DATINGS) -> tuple[Dating, ...]:
    """Every way of dating ``statements`` within their windows, with uniform weights; when there are
    more than ``limit``, the widest windows are thinned to evenly spaced days, each weighted by the
    days it stands for.

    >>> import datetime as dt
    >>> start = dt.date(2024, 6, 15)
    >>> a = Statement.count("a", dt.date(2024, 7, 1), 5, start=start, date_latest=dt.date(2024, 7, 3))
    >>> b = Statement.count("b", dt.date(2024, 7, 9), 8, start=start)
    >>> [(d.days, round(d.weight, 3)) for d in datings((a, b))]
    [((17, 25), 0.333), ((18, 25), 0.333), ((19, 25), 0.333)]
    """
    windows = [list(s.days) for s in statements]
    kept = [list(w) for w in windows]
    while np.prod([len(k) for k in kept]) > limit:
        widest = max(range(len(kept)), key=lambda i: len(kept[i]))
        if len(kept[widest]) == 1:
            break
        size = len(kept[widest]) - 1
        # The centres of equal parts of the window, so each kept day stands for about as many days.
        first, last = windows[widest][0], windows[widest][-1]
        centres = np.linspace(first - 0.5, last + 0.5, 2 * size + 1)[1::2]
        kept[widest] = sorted({int(np.floor(x + 0.5)) for x in centres})
    shares = []
    for window, chosen in zip(windows, kept):
        # Each chosen day carries the window's days nearest to it.
        nearest = np.abs(np.subtract.outer(np.array(window), np.array(chosen))).argmin(axis=1)
        shares.append(np.bincount(nearest, minlength=len(chosen)) / len(window))
    out = []
    for index in np.ndindex(*[len(k) for k in kept]):
        weight = float(np.prod([shares[i][j] for i, j in enumerate(index)]))
        out.append(Dating(tuple(kept[i][j] for i, j in enumerate(index)), weight))
    return tuple(out)


class GridMarginals:
    """Marginal posteriors of p and of the shape, for anything with a ``grid`` and a ``posterior``
    over its (p, k, N) cells."""

    grid: PosteriorGrid
    posterior: np.ndarray

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
        log-uniformly within each k cell; ``cells`` holds each draw's (p, k, N) cell indices."""
        flat = self.posterior.ravel()
        i, j, m = np.unravel_index(rng.choice(flat.size, size=size, p=flat / flat.sum()), self.posterior.shape)
        p = rng.uniform(self.grid.p_edges[i], self.grid.p_edges[i + 1])
        if self.grid.shape_fixed:
            shape = np.full(size, self.grid.shape[0])
        else:
            log_edges = np.log(self.grid.shape_edges)
            shape = np.exp(rng.uniform(log_edges[j], log_edges[j + 1]))
        return {"p": p, "shape": shape, "committed": self.grid.committed[m], "cells": (i, j, m)}


@dataclass(frozen=True, eq=False)
class PooledFit(GridMarginals):
    """The posterior of (p, k, N) given some statements, under one reading."""

    reading: str
    statements: tuple[Statement, ...]
    as_of_day: int
    grid: PosteriorGrid = field(repr=False)
    posterior: np.ndarray = field(repr=False)
    #: P(statements) under the prior: the ratio of two fits' evidence is their Bayes factor.
    evidence: float
    #: The statements as read (widened by ``count_uncertainty``), the ways of dating them, and each
    #: dating's likelihood on the grid (float32, to bound memory), for drawing latent counts.
    read: tuple[Statement, ...] = ()
    dating: tuple[Dating, ...] = ()
    dating_likelihood: np.ndarray | None = field(default=None, repr=False)
    count_uncertainty: int = 0

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
            "count_uncertainty": self.count_uncertainty,
            "datings": len(self.dating),
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
        reading: Reading = "nested", count_uncertainty: int = 0, p_cells: int = P_CELLS,
        shape_cells: int = SHAPE_CELLS) -> PooledFit:
    """Fit the hazard model to ``statements`` (a tuple of :class:`~estimates.inputs.statements.Statement`).

    ``as_of_day`` is t0, the day p refers to; ``committed_range`` the integers N may take;
    ``shape_90`` a 90% prior interval for the Weibull shape (equal ends fix it: ``(1, 1)`` is a
    constant hazard); ``count_uncertainty`` how far each stated count may be from the true one.
    A statement with a date window (``date_latest``) is averaged over its days.

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
    read = tuple(s.read_with(count_uncertainty) for s in statements)
    ways = datings(read)
    # Rows of p the statements leave no mass in are skipped (:mod:`.support`): the bound costs a
    # few passes over the grid, each dating's likelihood many.
    capped = grid.prior_mass * likelihood_bound(read, [{w.days[i] for w in ways} for i in range(len(read))],
                                                grid, as_of_day)
    kept, everything = informative_rows(capped), slice(0, grid.p.size)
    per_dating, total = _likelihoods(read, ways, grid, kept, as_of_day, reading)
    joint = grid.prior_mass * total
    evidence = float(joint.sum())
    if kept != everything and not negligible(capped, kept, evidence):
        per_dating, total = _likelihoods(read, ways, grid, everything, as_of_day, reading)
        joint = grid.prior_mass * total
        evidence = float(joint.sum())
    if not evidence > 0.0 or not np.isfinite(evidence):
        ids = ", ".join(s.observation_id for s in statements)
        raise PoolingError(f"statements {ids} cannot all hold under the {reading} reading "
                           f"with {committed_range[0]}-{committed_range[1]} committed")
    return PooledFit(reading, tuple(statements), as_of_day, grid, joint / evidence, evidence,
                     read=read, dating=ways, dating_likelihood=per_dating, count_uncertainty=count_uncertainty)


def _likelihoods(read, ways, grid: PosteriorGrid, kept: slice, as_of_day: int, reading: str):
    """Each dating's likelihood (float32) and their weighted sum on the rows ``kept``; 0 elsewhere."""
    per_dating = np.zeros((len(ways), *grid.prior_mass.shape), dtype=np.float32)
    total = np.zeros(grid.prior_mass.shape)
    part, steps = grid.rows(kept), {}
    for i, way in enumerate(ways):
        if _orderable(way, read, reading):
            found = likelihood(way.apply(read), part, as_of_day, reading, steps)
            per_dating[i, kept] = found
            total[kept] += way.weight * found
    return per_dating, total


def _orderable(way: Dating, read: tuple[Statement, ...], reading: str) -> bool:
    """Nested counts of one force never fall: a dating that puts a smaller count after a larger one
    on the same force is impossible, and skipping it saves a recursion that would give zero."""
    if reading != "nested":
        return True
    dated = sorted(zip(way.days, read), key=lambda pair: pair[0])
    for (_, earlier), (_, later) in zip(dated, dated[1:]):
        if earlier.count_low is not None and later.count_high is not None and earlier.count_low > later.count_high:
            return False
    return True
