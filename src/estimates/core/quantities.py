"""Records for uncertain numbers: intervals, quantiles and Monte Carlo probabilities.

Every estimate the suite reports is one of these, so that ``results.json`` always states the level
of an interval and the Monte Carlo error of a simulated probability.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

DEFAULT_QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True)
class Interval:
    """A two-sided interval at a stated level, with the method that produced it."""

    low: float
    high: float
    level: float
    method: str

    def __post_init__(self) -> None:
        if not self.low <= self.high:
            raise ValueError(f"interval low {self.low} exceeds high {self.high}")
        if not 0.0 < self.level < 1.0:
            raise ValueError(f"interval level must be in (0, 1), got {self.level}")

    def to_dict(self) -> dict:
        return {k: _plain(v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class MonteCarloProbability:
    """The probability of an event estimated from ``n`` Monte Carlo draws.

    ``standard_error`` is the binomial Monte Carlo error sqrt(p (1 - p) / n): it measures the
    simulation's noise, not the uncertainty of the model's inputs.
    """

    probability: float
    standard_error: float
    n_samples: int

    @classmethod
    def from_indicator(cls, hits: np.ndarray) -> MonteCarloProbability:
        hits = np.asarray(hits, dtype=bool)
        n = int(hits.size)
        if n == 0:
            raise ValueError("cannot estimate a probability from zero draws")
        return cls.from_count(int(hits.sum()), n)

    @classmethod
    def from_count(cls, hits: int, n: int) -> MonteCarloProbability:
        p = hits / n
        return cls(probability=p, standard_error=math.sqrt(p * (1.0 - p) / n), n_samples=n)

    def to_dict(self) -> dict:
        return {k: _plain(v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class ExactProbability:
    """The probability of an event computed in closed form from a fitted distribution."""

    probability: float
    method: str

    def to_dict(self) -> dict:
        return {"probability": _plain(self.probability), "standard_error": 0.0, "method": self.method}


def quantile_dict(samples: np.ndarray, levels: tuple[float, ...] = DEFAULT_QUANTILES) -> dict:
    """Quantiles of Monte Carlo draws keyed by level, e.g. ``{"0.05": ..., "0.5": ...}``."""
    values = np.quantile(np.asarray(samples, dtype=float), levels)
    return {level_key(q): _plain(v) for q, v in zip(levels, values)}


def quantiles_of_counts(counts: np.ndarray, levels: tuple[float, ...] = DEFAULT_QUANTILES) -> np.ndarray:
    """Quantiles of whole-number draws held as a frequency table: ``counts[v]`` draws equal ``v``.

    The same definition as ``np.quantile`` on the draws themselves (its default, linear
    interpolation between the order statistics at (n - 1) q), so a model can count its draws a chunk
    at a time and still report what holding every draw would have given.

    >>> quantiles_of_counts(np.bincount([0, 1, 1, 2, 2, 2, 3, 3, 4, 9]), (0.05, 0.5, 0.95))
    array([0.45, 2.  , 6.75])
    """
    counts = np.asarray(counts, dtype=np.int64)
    n = int(counts.sum())
    if n == 0:
        raise ValueError("cannot take quantiles of zero draws")
    position = (n - 1) * np.asarray(levels, dtype=float)
    below = np.floor(position).astype(np.int64)
    # The value at sorted index i is the smallest v with more than i draws at or below it.
    cumulative = np.cumsum(counts)
    low = np.searchsorted(cumulative, below, side="right")
    high = np.searchsorted(cumulative, np.minimum(below + 1, n - 1), side="right")
    return low + (high - low) * (position - below)


def level_key(level: float) -> str:
    """The key a quantile level gets in ``results.json``: ``0.05`` -> ``"0.05"``."""
    return f"{level:g}"


def _plain(value):
    """Turn numpy scalars into Python numbers so results serialise identically everywhere."""
    if isinstance(value, np.generic):
        return value.item()
    return value
