"""Where a reported count falls in the distribution the claimed losses predict for it.

The loss cross-check is a model check, not an event: the reported count is set against the
predictive distribution of units past the loss threshold, and the answer is a place in that
distribution, read at a stated level. It carries no ICD 203 term.

- the *predictive percentile* is the mid-distribution value P(X < r) + P(X = r) / 2 (the counts are
  whole numbers, so half the mass at r goes to each side), what scipy's ``percentileofscore``
  gives with ``kind="mean"``;
- the *two-sided tail probability* is min(1, 2 min(P(X <= r), P(X >= r))), as the pooling model's
  one-step-ahead checks define it;
- the reading is *consistent* when that tail probability is at least :data:`TAIL_LEVEL` (the count
  is not in the outer 5% on either side: inside the 90% predictive range the section prints), else
  *in the lower tail* (the claimed losses imply more units past the threshold than reported) or *in
  the upper tail* (they imply fewer).

:func:`reading_ranges` turns a scan of the check over one input (the Dirichlet concentration) into
the ranges of that input over which each reading holds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from estimates.core.display import Table

#: Two-sided tail probability below which the reported count is read as in a tail of the predictive
#: distribution: the complement of the 90% intervals the suite reports everywhere.
TAIL_LEVEL = 0.10
#: The three readings, in the words the briefing uses.
READINGS = ("consistent", "in the lower tail", "in the upper tail")


@dataclass(frozen=True)
class CountCheck:
    """The reported count ``reported`` against ``n_samples`` predictive draws of the count.

    Examples
    --------
    >>> check = count_check(np.array([0, 1, 1, 2, 2, 2, 3, 3, 4, 9]), 2)
    >>> check.percentile, check.tail_probability, check.reading
    (45.0, 1.0, 'consistent')
    >>> count_check(np.arange(100), 99).reading
    'in the upper tail'
    """

    reported: int
    #: Draws below the reported count, and equal to it, of ``n_samples``.
    n_below: int
    n_at: int
    n_samples: int
    level: float = TAIL_LEVEL

    @property
    def at_most(self) -> float:
        """P(X <= r)."""
        return (self.n_below + self.n_at) / self.n_samples

    @property
    def at_least(self) -> float:
        """P(X >= r)."""
        return (self.n_samples - self.n_below) / self.n_samples

    @property
    def percentile(self) -> float:
        """Mid-distribution percentile of the reported count, 0-100: P(X < r) + P(X = r) / 2."""
        return 100.0 * (self.n_below + self.n_at / 2.0) / self.n_samples

    @property
    def tail_probability(self) -> float:
        """Two-sided: min(1, 2 min(P(X <= r), P(X >= r)))."""
        return min(1.0, 2.0 * min(self.at_most, self.at_least))

    @property
    def standard_error(self) -> float:
        """Monte Carlo error of the tail probability: twice the binomial error of the smaller side."""
        side = min(self.at_most, self.at_least)
        return 2.0 * math.sqrt(side * (1.0 - side) / self.n_samples)

    @property
    def reading(self) -> str:
        if self.tail_probability >= self.level:
            return READINGS[0]
        return READINGS[1] if self.at_most < self.at_least else READINGS[2]

    @property
    def consistent(self) -> bool:
        return self.reading == READINGS[0]

    def summary(self) -> pd.DataFrame:
        """The check as a one-column table."""
        return pd.DataFrame({"value": self.to_dict()}).rename_axis("quantity")

    def table(self) -> Table:
        """The check in words: where the count falls, both tails, and how it reads."""
        rows = {"count checked": f"{self.reported}",
                "percentile in the predicted counts": f"{self.percentile:.0f}",
                "predicted counts at most the count": f"{self.at_most:.1%}",
                "predicted counts at least the count": f"{self.at_least:.1%}",
                "two-sided tail probability": f"{self.tail_probability:.1%} (Monte Carlo error "
                                              f"±{100 * self.standard_error:.1f} points)",
                "reading": self.reading,
                "read as in a tail when": f"the tail probability is under {self.level:.0%}",
                "predictive draws": f"{self.n_samples:,}"}
        return Table(pd.DataFrame({"value": rows}).rename_axis("the check"), "Where the count falls")

    def _repr_html_(self) -> str:
        return self.table()._repr_html_()

    def to_dict(self) -> dict:
        return {"reported": self.reported, "percentile": self.percentile, "at_most": self.at_most,
                "at_least": self.at_least, "tail_probability": self.tail_probability,
                "standard_error": self.standard_error, "level": self.level, "reading": self.reading,
                "n_samples": self.n_samples}


def count_check(draws: np.ndarray, reported: int, level: float = TAIL_LEVEL) -> CountCheck:
    """Where ``reported`` falls among the predictive ``draws`` of a count (whole numbers, >= 0)."""
    return check_of_counts(np.bincount(np.asarray(draws, dtype=np.int64)), reported, level)


def check_of_counts(counts: np.ndarray, reported: int, level: float = TAIL_LEVEL) -> CountCheck:
    """:func:`count_check` from a frequency table of the draws: ``counts[v]`` draws equal ``v`` >= 0."""
    counts = np.asarray(counts, dtype=np.int64)
    n = int(counts.sum())
    if n == 0:
        raise ValueError("need at least one predictive draw")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1); got {level}")
    reported = int(reported)
    below = int(counts[:max(reported, 0)].sum())
    at = int(counts[reported]) if 0 <= reported < counts.size else 0
    return CountCheck(reported=reported, n_below=below, n_at=at, n_samples=n, level=level)


def reading_ranges(scan: pd.DataFrame, by: str = "concentration") -> list[dict]:
    """Runs of neighbouring scan rows (sorted by ``by``) with the same ``reading``.

    Each run is ``{"reading", "low", "high"}`` (the values of ``by`` at its first and last row) with
    ``below`` and ``above``: the scanned values just outside it (None at the grid's ends), between
    which the reading's edge lies.

    Examples
    --------
    >>> scan = pd.DataFrame({"concentration": [0.1, 1, 10, 100],
    ...                      "reading": ["in the upper tail", "consistent", "consistent", "consistent"]})
    >>> [(r["reading"], r["low"], r["high"], r["below"]) for r in reading_ranges(scan)]
    [('in the upper tail', 0.1, 0.1, None), ('consistent', 1.0, 100.0, 0.1)]
    """
    rows = scan.sort_values(by)
    values, readings = rows[by].to_numpy(dtype=float), rows["reading"].tolist()
    runs: list[dict] = []
    for i, (value, reading) in enumerate(zip(values, readings)):
        if runs and runs[-1]["reading"] == reading:
            runs[-1]["high"] = float(value)
            runs[-1]["above"] = float(values[i + 1]) if i + 1 < len(values) else None
            continue
        runs.append({"reading": reading, "low": float(value), "high": float(value),
                     "below": float(values[i - 1]) if i else None,
                     "above": float(values[i + 1]) if i + 1 < len(values) else None})
    return runs
