"""Inputs stated the way analysts think about them, as scipy distributions.

- a 90% interval for a positive quantity ("5 to 10") is a lognormal whose 5% and 95% quantiles are
  the two ends, as in Squiggle and Guesstimate;
- "k of n" is a Beta posterior for the underlying per-unit probability.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from scipy import stats

PriorName = Literal["jeffreys", "uniform"]

#: Beta prior pseudo-counts (alpha, beta).
PRIORS: dict[str, tuple[float, float]] = {"jeffreys": (0.5, 0.5), "uniform": (1.0, 1.0)}

_Z95 = stats.norm.ppf(0.95)


def lognormal_from_90(low: float, high: float):
    """A frozen lognormal whose 5% and 95% quantiles are ``low`` and ``high``.

    Examples
    --------
    >>> d = lognormal_from_90(5, 10)
    >>> round(float(d.ppf(0.05)), 6), round(float(d.ppf(0.95)), 6)
    (5.0, 10.0)
    >>> [float(q) for q in lognormal_from_90(7, 7).ppf([0.05, 0.5, 0.95])]
    [7.0, 7.0, 7.0]
    """
    if not 0 < low <= high:
        raise ValueError(f"a lognormal 90% interval needs 0 < low <= high, got {low} to {high}")
    mu = 0.5 * (math.log(low) + math.log(high))
    sigma = (math.log(high) - math.log(low)) / (2.0 * _Z95)
    if sigma == 0.0:
        # A known value stated as an interval of zero width: a point mass (every quantile is it).
        return stats.rv_discrete(values=([low], [1.0]))
    return stats.lognorm(s=sigma, scale=math.exp(mu))


def prior_parameters(prior: PriorName) -> tuple[float, float]:
    try:
        return PRIORS[prior]
    except KeyError:
        raise ValueError(f"prior must be one of {sorted(PRIORS)}, got {prior!r}") from None


def beta_posterior(k: int, n: int, prior: PriorName = "jeffreys"):
    """Posterior of a per-unit probability after ``k`` events among ``n`` units (binomial)."""
    a, b = prior_parameters(prior)
    return stats.beta(k + a, n - k + b)


def beta_binomial_posterior(k: int, n: int, prior: PriorName, overdispersion: float, grid: int = 4000):
    """Posterior of the mean per-unit probability when events cluster (beta-binomial likelihood).

    ``overdispersion`` is the intra-class correlation rho of the beta-binomial: the variance of the
    count is n p (1 - p) (1 + (n - 1) rho). With rho = 0 this is the ordinary Beta posterior. The
    posterior has no closed form, so it is evaluated on a grid and returned as
    ``scipy.stats.rv_histogram``.
    """
    if overdispersion == 0.0:
        return beta_posterior(k, n, prior)
    if not 0.0 < overdispersion < 1.0:
        raise ValueError(f"overdispersion must be in [0, 1), got {overdispersion}")
    edges = np.linspace(0.0, 1.0, grid + 1)
    p = 0.5 * (edges[:-1] + edges[1:])
    concentration = (1.0 - overdispersion) / overdispersion
    a, b = prior_parameters(prior)
    log_post = stats.beta.logpdf(p, a, b) + stats.betabinom.logpmf(
        k, n, p * concentration, (1.0 - p) * concentration
    )
    weights = np.exp(log_post - log_post.max())
    return stats.rv_histogram((weights, edges), density=False)


def logitnormal_from_90(low: float, high: float):
    """A distribution on (0, 1) whose 5% and 95% quantiles are ``low`` and ``high``.

    The log-odds are normal; returned as a frozen normal on the logit scale together with the
    transform, so ``expit(d.ppf(u))`` gives quantiles. Used for shares, which a lognormal could push
    past 1.
    """
    if not 0 < low <= high < 1:
        raise ValueError(f"a share's 90% interval needs 0 < low <= high < 1, got {low} to {high}")
    from scipy import special

    a, b = special.logit(low), special.logit(high)
    return stats.norm(loc=0.5 * (a + b), scale=max((b - a) / (2.0 * _Z95), 1e-12))
