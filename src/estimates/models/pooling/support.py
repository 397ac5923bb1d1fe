"""Where statements leave any posterior mass: the rows of p a fit has to compute.

A cell's likelihood is at most the chance of any one statement alone. Under the nested reading the
count at day t is Binomial(N, F(t)) on its own (each unit fails by t independently), and every
statement holding is a smaller event than one holding; under the independent reading the likelihood
is the product of those chances. Over the ways of dating the statements it is at most the best day
of each window. So

    bound(cell) = min over statements of max over its days of P(low <= Binomial(N, F(day)) <= high)

caps the likelihood of every dating. Chernoff's bound on each chance, exp(-N KL(low/N || F)) when
low is above the mean and the same with high when it is below, caps it again at the cost of a few
logarithms; F grows with the day, so over a window the largest bound is at its first or last day.
Rows of p whose prior mass times that cap is a negligible share of the whole are left out of the fit
(their likelihood is 0), and :func:`negligible` checks afterwards that what was left out is below
:data:`TOLERANCE` of the evidence the fit found; when it is not (statements in conflict leave little
evidence anywhere), the fit is redone on the whole grid.
With one statement well inside the prior, more than half the rows are left out.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from estimates.core.hazard import P_MAX, probability_from_cumulative_hazard
from estimates.inputs.statements import Statement
from estimates.models.pooling.transitions import cumulative_hazard

#: The most that the rows left out may carry, as a share of the bound's total over the grid.
LEFT_OUT = 1e-16
#: The most that the rows left out may carry at the end, as a share of the evidence (posterior
#: numbers then move by less than this, far inside the 1e-9 the stored runs are compared to).
TOLERANCE = 1e-13


def likelihood_bound(read: tuple[Statement, ...], days: list[set[int]], grid, as_of_day: int) -> np.ndarray:
    """The cap on every cell's likelihood, shape (P, K, N); ``days[i]`` the days statement ``i`` may
    describe in the datings the fit averages over."""
    n = grid.committed[None, None, :]
    bound = np.ones(grid.prior_mass.shape)
    for statement, its_days in zip(read, days):
        low, high = statement.bounds(grid.committed)
        earliest, latest = (probability_from_cumulative_hazard(cumulative_hazard(grid, day, as_of_day))
                            for day in (min(its_days), max(its_days)))
        np.minimum(bound, chernoff(low, high, n, earliest, latest), out=bound)
    return bound


def chernoff(low, high, n, earliest, latest) -> np.ndarray:
    """Chernoff's bound on P(low <= Binomial(n, F) <= high) for every F from ``earliest`` to
    ``latest``, elementwise: 1 when a mean is inside the range, 0
    when the range misses 0..n. ``low``, ``high`` and ``n`` vary with the force alone and the
    chances with the cell, so only the last steps run over the whole grid."""
    n = np.asarray(n, dtype=float)
    possible = (np.asarray(low) <= n) & (np.asarray(high) >= 0)
    above = np.clip(np.maximum(low, 0) / n, 0.0, 1.0)
    below = np.clip(np.asarray(high) / n, 0.0, 1.0)

    def divergence(share, failed):  # n KL(share || failed): entropy terms less the cross terms
        # Kept off 0 and 1 so that every logarithm is finite: the bound only gets tighter where
        # the chance is 0 anyway (a count above 0 when no unit can have failed yet).
        failed = np.clip(failed, 1e-300, P_MAX)
        return n * (special.xlogy(share, share) + special.xlogy(1.0 - share, 1.0 - share)) \
            - (n * share) * np.log(failed) - (n * (1.0 - share)) * np.log1p(-failed)

    exponent = np.where(above > latest, divergence(above, latest), 0.0)
    exponent = np.where(below < earliest, divergence(below, earliest), exponent)
    return np.where(possible, np.exp(-exponent), 0.0)


def informative_rows(capped_mass: np.ndarray) -> slice:
    """The rows of p (first axis) to compute: every row but the outermost ones that together carry
    at most :data:`LEFT_OUT` of ``capped_mass`` (prior mass times :func:`likelihood_bound`)."""
    per_row = capped_mass.sum(axis=tuple(range(1, capped_mass.ndim)))
    total = per_row.sum()
    if not total > 0.0:
        return slice(0, per_row.size)
    allowed = LEFT_OUT * total
    # Rows are dropped from whichever end carries less, so the kept block stays contiguous (a view
    # of every array on the grid) and the two tails share the allowance.
    start, stop, dropped = 0, per_row.size, 0.0
    while start < stop - 1:
        cheaper = start if per_row[start] <= per_row[stop - 1] else stop - 1
        if dropped + per_row[cheaper] > allowed:
            break
        dropped += per_row[cheaper]
        if cheaper == start:
            start += 1
        else:
            stop -= 1
    return slice(start, stop)


def negligible(capped_mass: np.ndarray, rows: slice, evidence: float) -> bool:
    """Whether the rows outside ``rows`` could carry at most :data:`TOLERANCE` of ``evidence``."""
    # Summed directly: the whole less what was kept would leave rounding errors the size of the check.
    left_out = float(capped_mass[:rows.start].sum() + capped_mass[rows.stop:].sum())
    return left_out <= TOLERANCE * evidence
