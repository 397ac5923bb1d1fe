"""The resupply model's uncertain inputs: each a column of one matrix of uniforms, mapped through a
quantile function (scipy's, from :mod:`estimates.core.distributions`).

Each input carries a ``key`` naming its distribution and parameters: two inputs with the same key map
a column of uniforms to the same values, which is what lets a sensitivity analysis map only the
inputs a variation changes (:mod:`estimates.models.resupply.draws`). The helpers below return the
``ppf`` and ``key`` of an :class:`UncertainInput` together, so the two cannot disagree.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from estimates.core.distributions import logitnormal_from_90, lognormal_from_90


@dataclass(frozen=True)
class UncertainInput:
    """One column of the input matrix: a name, a sensitivity group and a quantile function, and
    what an analyst would watch to learn more about the group."""

    name: str
    group: str
    ppf: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    watch: str = ""
    #: What fixes ``ppf`` (a distribution and its parameters), or None: two inputs with the same key
    #: map a column of uniforms to the same values, so a recomputation reuses them.
    key: tuple | None = None


# Cached: freezing a scipy distribution costs about a millisecond, and a sensitivity analysis builds
# the model dozens of times with mostly the same intervals.
@functools.lru_cache(maxsize=1024)
def _interval_ppf(low: float, high: float) -> Callable[[np.ndarray], np.ndarray]:
    if low == high:
        return lambda u: np.full(np.shape(u), float(low))
    return lognormal_from_90(low, high).ppf


@functools.lru_cache(maxsize=1024)
def _share_ppf(low: float, high: float) -> Callable[[np.ndarray], np.ndarray]:
    if low == high:
        return lambda u: np.full(np.shape(u), float(low))
    logit = logitnormal_from_90(low, high)
    return lambda u: special.expit(logit.ppf(u))


def _identity(u: np.ndarray) -> np.ndarray:
    return u


def interval(low: float, high: float) -> dict:
    """A positive quantity stated as a 90% interval (lognormal)."""
    return {"ppf": _interval_ppf(low, high), "key": ("lognormal 90%", low, high)}


def share(low: float, high: float) -> dict:
    """A share in (0, 1) stated as a 90% interval (logit-normal)."""
    return {"ppf": _share_ppf(low, high), "key": ("logit-normal 90%", low, high)}


def uniform(low: float, high: float) -> dict:
    """Uniform between ``low`` and ``high``."""
    if (low, high) == (0.0, 1.0):
        return {"ppf": _identity, "key": ("uniform", 0.0, 1.0)}
    return {"ppf": lambda u: low + u * (high - low), "key": ("uniform", low, high)}


#: A standard normal: scipy's quantile (``stats.norm.ppf`` computes it with ``ndtri``), without the
#: frozen-distribution bookkeeping that costs as much again per draw.
STANDARD_NORMAL = {"ppf": special.ndtri, "key": ("standard normal",)}


def histogram(counts: np.ndarray) -> dict:
    """The integer ``v`` with probability ``counts[v] / counts.sum()``."""
    cdf = np.cumsum(counts) / counts.sum()
    return {"ppf": lambda u: np.minimum(np.searchsorted(cdf, u, side="left"), counts.size - 1).astype(float),
            "key": ("histogram", counts.dtype.str, counts.tobytes())}
