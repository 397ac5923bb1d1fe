"""New losses between two statements, for every cell at once, with one exponential per count.

The nested reading's forward recursion needs, for each count v at the next date and each cell,

    sum over earlier counts c of  w[c] * Binomial(v - c; n - c, q),

with q the cell's chance of a new loss and n its committed force. Evaluating the pmf for every pair
(c, v) costs an exponential over the whole grid per pair. The pmf splits instead into a factor of c,
a factor of v - c and a factor of v (r = 1 - q; s a scale near n, m a reference count),

    C(n - c, v - c) q^(v-c) r^(n-v) = [(n - c)! s^c / K] * [(s q)^(v-c) / (v-c)!] * [K r^(n-v) / ((n - v)! s^v)],

    K = (n - m)! s^m,

so each pair costs one multiply-add and the exponentials are taken once per count (the powers of
q and r once per chance, in tables). The falling factorial (n - c)! / (n - v)! is about s^(v-c),
so the scale keeps each factor within float range. The sum over c for one v is a contraction
(``numpy.einsum``), without a temporary the size of the grid times the counts.
``tests/test_pooling_speed.py`` checks the result against ``scipy.stats.binom.pmf``.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from scipy import special, stats

from estimates.core.hazard import P_MAX, daily_hazard_from_probability

#: Largest committed force the factored sums are exact for (checked to 1e-12 relative against
#: scipy up to 400); beyond it the scaled factors leave float range and the pairs are summed one by one.
LARGEST_FORCE = 400


def new_losses(support: np.ndarray, weight: np.ndarray, chance: np.ndarray, trials: np.ndarray,
               values: np.ndarray, low: np.ndarray, high: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(value, sum_c weight[c] * Binomial(value - support[c]; trials - support[c], chance))``
    for each of ``values`` (ascending), per cell, and 0 where ``value`` is outside ``low``-``high``.

    ``support`` is ascending; ``weight`` has one row per support count and the cells after it;
    ``chance``, ``trials``, ``low`` and ``high`` broadcast against a row (the bounds and ``trials``
    vary with the committed force alone). A count beyond ``trials`` has probability 0.
    """
    support = np.asarray(support, dtype=np.int64)
    trials = np.asarray(trials, dtype=np.int64)
    cells = np.broadcast_shapes(weight.shape[1:], np.shape(chance), trials.shape)
    if support.size == 0 or len(values) == 0:
        for value in values:
            yield int(value), np.zeros(cells)
        return
    # A certain loss (hazard beyond float range) is kept just below 1, as BinomialStep does.
    chance = np.minimum(chance, P_MAX)
    if trials.max() > LARGEST_FORCE:
        yield from _pairwise(support, weight, chance, trials, values, low, high)
        return
    # Counts never fall: support above the largest value adds nothing.
    used = int(np.searchsorted(support, values[-1], side="right"))
    support, weight = support[:used], weight[:used]
    if used == 0:
        for value in values:
            yield int(value), np.zeros(cells)
        return
    # Scale: the falling factorial (n - c)! / (n - v)! is about scale^(v - c), so dividing it out
    # of the first and last factors and into the middle one keeps each within float range.
    log_scale = np.log(0.5 * (trials.min() + trials.max()))
    reference = int(support[support.size // 2])
    log_reference = special.gammaln(np.maximum(trials - reference, 0) + 1) + reference * log_scale
    # The factor of c, zero where c exceeds the force (no weight can be there).
    start = np.empty(weight.shape)
    for row, count in enumerate(support):
        scale = np.where(trials >= count, np.exp(special.gammaln(np.maximum(trials - count, 0) + 1)
                                                 + count * log_scale - log_reference), 0.0)
        np.multiply(weight[row], scale, out=start[row])
    # The factor of v - c, (scale q)^(v-c) / (v-c)!: xlogy keeps q^0 = 1 where q is 0 (two
    # statements on one day).
    narrowest = max(int(values[0]) - int(support[-1]), 0)
    gaps = np.arange(narrowest, max(int(values[-1]) - int(support[0]), narrowest) + 1)
    gap_shape = (gaps.size,) + (1,) * np.ndim(chance)
    spread = _exp(special.xlogy(gaps.reshape(gap_shape), chance)
                  + (gaps * log_scale - special.gammaln(gaps + 1)).reshape(gap_shape))
    # The factor of v: r^(n-v) read from a table of powers of r, one exponential per power and
    # chance rather than per count and cell, times a factor of n alone.
    fewest = max(int(trials.min()) - int(values[-1]), 0)
    powers = _exp(np.arange(fewest, max(int(trials.max()) - int(values[0]), fewest) + 1) * np.log1p(-chance)[..., None])
    for value in values:
        value = int(value)
        below = int(np.searchsorted(support, value, side="right"))
        if below == 0 or value > trials.max():
            yield value, np.zeros(cells)
            continue
        room = np.maximum(trials - value, 0)
        # The bounds and (n - m)! / (n - v)! depend on the force alone: one small array.
        ratio = np.where((trials >= value) & (value >= low) & (value <= high),
                         np.exp(log_reference - special.gammaln(room + 1) - value * log_scale), 0.0)
        found = _powers_at(powers, room - fewest)
        found *= ratio
        found *= np.einsum("c...,c...->...", start[:below], spread[value - support[:below] - narrowest])
        yield value, found


def _pairwise(support, weight, chance, trials, values, low, high) -> Iterator[tuple[int, np.ndarray]]:
    """The same sums pair by pair with scipy's pmf: the slow way, for forces too large to factor."""
    for value in values:
        value = int(value)
        found = np.zeros(np.broadcast_shapes(weight.shape[1:], np.shape(chance), trials.shape))
        for count, w in zip(support, weight):
            if value >= count:
                found += w * stats.binom.pmf(value - count, np.maximum(trials - count, 0), chance)
        yield value, found * ((value >= low) & (value <= high))


#: Below this exponent exp is subnormal, where numpy's exp is about ten times slower; a table entry
#: that small leaves a term below 1e-150 for forces up to LARGEST_FORCE (the other factors are
#: scaled to stay moderate), nothing beside a probability, so it is taken as zero.
SMALLEST_EXPONENT = -708.0


def _exp(exponent: np.ndarray) -> np.ndarray:
    out = np.zeros(np.shape(exponent))
    return np.exp(exponent, out=out, where=exponent > SMALLEST_EXPONENT)


def _powers_at(powers: np.ndarray, room: np.ndarray) -> np.ndarray:
    """``powers[..., room]`` cell by cell: ``powers`` holds r^j along its last axis for each chance,
    ``room`` the power wanted for each cell."""
    if powers.ndim >= 2 and powers.shape[-2] == 1 and room.ndim == powers.ndim - 1 and all(d == 1 for d in room.shape[:-1]):
        # The grid: the force varies along the last axis only, the chance along the others, so
        # one slice of the table per force (a gather over the whole grid is several times slower).
        return powers[..., 0, :][..., room.reshape(-1)]
    shape = np.broadcast_shapes(powers.shape[:-1], room.shape)
    return np.take_along_axis(np.broadcast_to(powers, shape + powers.shape[-1:]),
                              np.broadcast_to(room, shape)[..., None], axis=-1)[..., 0]


def cumulative_hazard(grid, day: float, as_of_day: int) -> np.ndarray:
    """H(day) on a :class:`~estimates.models.pooling.posterior.PosteriorGrid`, shape (P, K, 1)."""
    h0 = daily_hazard_from_probability(grid.p, 1)  # the cumulative hazard by the as-of day
    return h0[:, None, None] * (day / as_of_day) ** grid.shape[None, :, None]


class BinomialStep:
    """Binomial probabilities of new losses over one step, for every grid cell at once.

    The probability of a new loss depends on the cell's (p, k) and the units at risk on N and the
    count so far, so the binomial pmf is written as log C(n, x) + x log q + (n - x) log(1 - q) and
    the two parts are combined by broadcasting: about twenty times faster than calling
    ``scipy.stats.binom.pmf`` on the whole grid, which the tests check it against to 1e-12.
    """

    #: A range of counts wider than this is summed through scipy's binomial CDF instead.
    WIDEST_SUM = 24

    def __init__(self, chance: np.ndarray):
        # A certain loss (hazard beyond float range) is kept just below 1, so that log(1 - q) and the
        # odds stay finite; the probabilities change by less than 1e-12.
        chance = np.minimum(chance, P_MAX)
        self.chance = chance
        with np.errstate(divide="ignore"):
            self.log_q = np.log(chance)
        self.log_r = np.log1p(-chance)

    def pmf(self, x: int, trials: np.ndarray) -> np.ndarray:
        """P(x new losses | ``trials`` at risk) per cell; ``trials`` broadcasts against the cells."""
        trials = np.asarray(trials)
        fits = trials >= x
        room = np.where(fits, trials - x, 0)
        log = special.gammaln(room + x + 1) - special.gammaln(x + 1) - special.gammaln(room + 1) + room * self.log_r
        if x:
            log = log + x * self.log_q
        return np.where(fits, np.exp(log), 0.0)

    def pmf_each(self, x: np.ndarray, trials: np.ndarray) -> np.ndarray:
        """As :meth:`pmf` with ``x`` varying too (with the force, like ``trials``); 0 where ``x`` is
        negative or above ``trials``."""
        x, trials = np.asarray(x), np.asarray(trials)
        fits = (x >= 0) & (trials >= x)
        x, room = np.where(fits, x, 0), np.where(fits, trials - x, 0)
        # log q is -inf where q is 0: a large finite stand-in keeps 0 * log q at 0 and exp at 0 otherwise.
        log = (special.gammaln(room + x + 1) - special.gammaln(x + 1) - special.gammaln(room + 1)
               + room * self.log_r + x * np.maximum(self.log_q, -1e300))
        return np.where(fits, np.exp(log), 0.0)

    def in_range(self, low, high, trials: np.ndarray) -> np.ndarray:
        """P(low <= new losses <= high | ``trials`` at risk) per cell (``low``, ``high`` broadcast too)."""
        low, high = np.maximum(np.asarray(low), 0), np.asarray(high)
        smallest, largest = int(low.min()), int(high.max())
        trials = np.asarray(trials)
        if largest < smallest:
            return np.zeros(np.broadcast_shapes(self.chance.shape, trials.shape))
        if largest - smallest > self.WIDEST_SUM:
            return stats.binom.cdf(high, trials, self.chance) - stats.binom.cdf(low - 1, trials, self.chance)
        # Consecutive terms by the pmf's ratio, pmf(x + 1) = pmf(x) (n - x) / (x + 1) q / (1 - q):
        # one product per term instead of a sum of logs.
        with np.errstate(divide="ignore", invalid="ignore"):
            odds = np.exp(self.log_q - self.log_r)
        term = self.pmf(smallest, trials)
        total = np.zeros(term.shape)
        for x in range(smallest, largest + 1):
            if x > smallest:
                term *= np.maximum(trials - x + 1, 0) / x
                term *= odds
            inside = (x >= low) & (x <= high)
            if np.all(inside):
                total += term
            elif np.any(inside):
                total += term * inside
        return total


def still_in_range(support: np.ndarray, weight: np.ndarray, step: BinomialStep, low, high, trials) -> np.ndarray:
    """``sum_c weight[c] * P(low <= c + Binomial(trials - c, q) <= high)`` per cell: the last
    statement's step, where only the chance that the count lands in range matters.

    With D(c) that chance, one unit more at risk (which held) gives the recurrence

        D(c) = D(c + 1) + (1 - q) [pmf(high - c; trials - c - 1) - pmf(low - 1 - c; trials - c - 1)],

    so walking down from the largest support count costs two pmfs per count instead of a sum over
    the range for each. Each pmf is the previous one times (n - c - 1) / (x) q, with x = bound - c,
    once x is at least 1 for every force; before that it is computed afresh. ``support`` is
    ascending; ``low``, ``high`` and ``trials`` vary with the force.
    """
    support = np.asarray(support, dtype=np.int64)
    if support.size == 0:  # the earlier statements cannot all hold under this dating: no chance at all
        return np.zeros(np.shape(weight)[1:])
    low, high, trials = np.maximum(np.asarray(low), 0), np.asarray(high), np.asarray(trials)
    top = int(support[-1])
    chance = step.in_range(low - top, high - top, np.maximum(trials - top, 0))
    held = np.exp(step.log_r)
    rows = dict(zip(support.tolist(), weight))
    total = rows[top] * chance
    edges = {"high": high, "low": low - 1}
    pmfs: dict[str, np.ndarray] = {}
    for count in range(top - 1, int(support[0]) - 1, -1):
        at_risk = trials - count - 1
        for name, edge in edges.items():
            x = edge - count
            if name in pmfs and x.min() >= 1:
                pmfs[name] = pmfs[name] * (np.maximum(at_risk, 0) / x) * step.chance
            else:
                pmfs[name] = step.pmf_each(x, at_risk)
        chance = chance + held * (pmfs["high"] - pmfs["low"])
        if count in rows:
            total += rows[count] * chance
    # Rounding in the differences can leave a cell a hair below 0 where the chance is 0.
    return np.maximum(total, 0.0)
