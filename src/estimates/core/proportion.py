"""What "k of n" says about the per-unit probability behind it.

A reported count such as the bundled case's 29 of 125 is a count of the whole committed force, not a sample from it. The
uncertainty modelled here is about the *process*: the probability that a unit like these becomes
combat-ineffective within the elapsed time, of which the 29 is one realisation. The classical
Clopper-Pearson and Wilson intervals (from scipy) are shown beside the Bayesian posterior.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from estimates.core.distributions import (
    PriorName,
    beta_binomial_posterior,
    prior_parameters,
)
from estimates.core.quantities import Interval, quantile_dict


@dataclass(frozen=True, eq=False)
class ProportionEstimate:
    """Posterior of the per-unit probability after ``k`` events among ``n`` units."""

    k: int
    n: int
    prior: PriorName
    overdispersion: float
    posterior: Any = field(repr=False)

    def interval(self, level: float = 0.9) -> Interval:
        """Equal-tailed posterior (credible) interval."""
        tail = (1.0 - level) / 2.0
        low, high = self.posterior.ppf([tail, 1.0 - tail])
        method = f"{self.prior} posterior" + (
            f", beta-binomial rho={self.overdispersion:g}" if self.overdispersion else ""
        )
        return Interval(float(low), float(high), level, method)

    def clopper_pearson(self, level: float = 0.95) -> Interval:
        ci = stats.binomtest(self.k, self.n).proportion_ci(confidence_level=level, method="exact")
        return Interval(float(ci.low), float(ci.high), level, "Clopper-Pearson")

    def wilson(self, level: float = 0.95) -> Interval:
        ci = stats.binomtest(self.k, self.n).proportion_ci(confidence_level=level, method="wilson")
        return Interval(float(ci.low), float(ci.high), level, "Wilson")

    def jeffreys(self, level: float = 0.95) -> Interval:
        """The Jeffreys interval (Brown, Cai and DasGupta 2001), binomial likelihood."""
        tail = (1.0 - level) / 2.0
        low, high = stats.beta(self.k + 0.5, self.n - self.k + 0.5).ppf([tail, 1.0 - tail])
        # By convention the interval reaches 0 or 1 when nothing or everything was observed.
        low = 0.0 if self.k == 0 else float(low)
        high = 1.0 if self.k == self.n else float(high)
        return Interval(low, high, level, "Jeffreys")

    def sample(self, size: int, rng: np.random.Generator) -> np.ndarray:
        return np.asarray(self.posterior.rvs(size=size, random_state=rng), dtype=float)

    @property
    def observed_share(self) -> float:
        """k / n: a share of the force, not a probability of anything."""
        return self.k / self.n

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        rows = [self.interval(level), self.clopper_pearson(level), self.wilson(level), self.jeffreys(level)]
        return pd.DataFrame(
            {"low": [r.low for r in rows], "high": [r.high for r in rows], "level": [r.level for r in rows]},
            index=pd.Index([r.method for r in rows], name="method"),
        )

    def _repr_html_(self) -> str:
        # Interval ends and levels are all probabilities: shown as percentages.
        return self.summary().to_html(float_format=lambda v: f"{100 * v:.1f}%")

    def plot(self, ax=None):
        from estimates import (
            charts,  # drawing lives apart; the model does not import it eagerly
        )

        grid = np.linspace(0.0, 1.0, 801)
        return charts.posterior_density(grid, self.posterior.pdf(grid), self.summary(), ax=ax)

    def to_dict(self) -> dict:
        draws = self.posterior.ppf(np.linspace(0.0005, 0.9995, 1000))
        return {
            "k": self.k,
            "n": self.n,
            "prior": self.prior,
            "prior_parameters": list(prior_parameters(self.prior)),
            "overdispersion": self.overdispersion,
            "posterior_mean": float(self.posterior.mean()),
            "posterior_quantiles": quantile_dict(draws),
            "intervals": [
                self.interval(0.9).to_dict(),
                self.interval(0.95).to_dict(),
                self.clopper_pearson(0.95).to_dict(),
                self.wilson(0.95).to_dict(),
                self.jeffreys(0.95).to_dict(),
            ],
        }


def estimate_proportion(
    k: int, n: int, *, prior: PriorName = "jeffreys", overdispersion: float = 0.0
) -> ProportionEstimate:
    """Posterior of the per-unit probability behind ``k`` events among ``n`` units.

    Parameters
    ----------
    k, n : int
        Events and units, ``0 <= k <= n``, ``n >= 1``.
    prior : {"jeffreys", "uniform"}
        Beta(0.5, 0.5) or Beta(1, 1).
    overdispersion : float
        Intra-class correlation rho in [0, 1) of a beta-binomial likelihood; 0 is binomial.

    Examples
    --------
    >>> est = estimate_proportion(29, 125)
    >>> round(est.clopper_pearson(0.95).low, 6)
    0.161212
    """
    if isinstance(k, bool) or isinstance(n, bool) or int(k) != k or int(n) != n:
        raise TypeError(f"k and n must be integers, got k={k!r}, n={n!r}")
    if not (n >= 1 and 0 <= k <= n):
        raise ValueError(f"need 0 <= k <= n and n >= 1, got k={k}, n={n}")
    posterior = beta_binomial_posterior(int(k), int(n), prior, float(overdispersion))
    return ProportionEstimate(int(k), int(n), prior, float(overdispersion), posterior)


@dataclass(frozen=True, eq=False)
class ReportedRate:
    """Draws of the per-unit probability with the reported counts themselves uncertain.

    Each draw first perturbs the reported count and denominator (uniformly within +/- the stated
    spreads, relative to the reported numbers), then draws from that pair's posterior.
    """

    rate: np.ndarray = field(repr=False)
    ineffective: np.ndarray = field(repr=False)
    committed: np.ndarray = field(repr=False)

    def interval(self, level: float = 0.9) -> Interval:
        tail = (1.0 - level) / 2.0
        low, high = np.quantile(self.rate, [tail, 1.0 - tail])
        return Interval(float(low), float(high), level, "posterior with reporting uncertainty")

    def to_dict(self) -> dict:
        return {
            "quantiles": quantile_dict(self.rate),
            "intervals": [self.interval(0.9).to_dict(), self.interval(0.95).to_dict()],
        }


def propagate_reporting(
    k: int,
    n: int,
    *,
    count_uncertainty: int,
    denominator_uncertainty: int,
    prior: PriorName,
    overdispersion: float,
    size: int,
    rng: np.random.Generator,
) -> ReportedRate:
    """Draw the per-unit probability while integrating over errors in the reported k and n."""
    committed = n + rng.integers(-denominator_uncertainty, denominator_uncertainty + 1, size=size)
    committed = np.maximum(committed, 1)
    ineffective = k + rng.integers(-count_uncertainty, count_uncertainty + 1, size=size)
    ineffective = np.clip(ineffective, 0, committed)
    if overdispersion == 0.0:
        a, b = prior_parameters(prior)
        rate = rng.beta(ineffective + a, committed - ineffective + b)
    else:
        # The grid posterior differs per (k, n) pair; there are few distinct pairs, so draw per pair.
        rate = np.empty(size)
        pairs, inverse = np.unique(np.stack([ineffective, committed]), axis=1, return_inverse=True)
        for index, (kk, nn) in enumerate(pairs.T):
            chosen = np.flatnonzero(inverse.ravel() == index)
            post = beta_binomial_posterior(int(kk), int(nn), prior, overdispersion)
            rate[chosen] = post.rvs(size=chosen.size, random_state=rng)
    return ReportedRate(rate=rate, ineffective=ineffective, committed=committed)
