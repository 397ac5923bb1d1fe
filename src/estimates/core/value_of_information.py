"""Value of information: which claim, if confirmed or refuted, would move a judgment most.

A model that draws each claim true or false in every Monte Carlo draw already holds, for every
judgment, the draws where its event happens. Conditioning those same draws on a claim's truth gives
the judgment's probability if the claim were confirmed, P(E | T), or refuted, P(E | not T), with no
nested simulation. Before the claim is settled, the analyst expects it to be confirmed with
probability P(T), so the expected absolute change in the judgment's probability is

    P(T) |P(E | T) - P(E)| + P(not T) |P(E | not T) - P(E)|,

which is also 2 P(T) P(not T) |P(E | T) - P(E | not T)| (the two moves balance: their weighted sum
is 0 by the law of total probability). It is at most 2 P(E) (1 - P(E)). Claims are ranked by it:
the top ones are the collection priorities.

A claim drawn true in every draw, or in none, is settled: there is nothing to learn from it, and
one of its conditionals has no draws to stand on. It is listed apart, never ranked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class ClaimValue:
    """What settling one claim would do to a judgment's probability (all in [0, 1])."""

    claim_id: str
    #: P(T): the share of draws in which the claim is true.
    p_true: float
    #: P(E | T): the judgment's probability over the draws in which the claim is true.
    p_if_confirmed: float
    #: P(E | not T): over the draws in which it is false.
    p_if_refuted: float
    #: P(T) |P(E | T) - P(E)| + P(not T) |P(E | not T) - P(E)|.
    expected_change: float

    def to_dict(self) -> dict:
        return {"claim_id": self.claim_id, "p_true": self.p_true, "p_if_confirmed": self.p_if_confirmed,
                "p_if_refuted": self.p_if_refuted, "expected_change": self.expected_change}


@dataclass(frozen=True)
class CollectionPriorities:
    """The unsettled claims ranked by the expected change in one judgment's probability."""

    #: P(E) over all draws.
    probability: float
    n_samples: int
    #: Ranked, the largest expected change first (ties keep the claims' order).
    claims: tuple[ClaimValue, ...]
    #: Claims true in every draw or in none: nothing to learn, not ranked.
    settled: tuple[str, ...] = ()

    def top(self, k: int = 3) -> tuple[ClaimValue, ...]:
        return self.claims[:k]

    def summary(self) -> pd.DataFrame:
        columns = ["claim_id", "p_true", "p_if_confirmed", "p_if_refuted", "expected_change"]
        return pd.DataFrame([c.to_dict() for c in self.claims], columns=columns).set_index("claim_id")

    def _repr_html_(self) -> str:
        # Every column is a probability or a change in one: shown as percentages.
        return self.summary().to_html(float_format=lambda v: f"{100 * v:.1f}%")

    def to_dict(self) -> dict:
        return {"probability": self.probability, "n_samples": self.n_samples,
                "claims": [c.to_dict() for c in self.claims], "settled": list(self.settled)}


def collection_priorities(truth: np.ndarray, event: np.ndarray, claim_ids: Sequence[str]) -> CollectionPriorities:
    """Rank claims by the expected absolute change in P(event) if each were confirmed or refuted.

    Parameters
    ----------
    truth : array of bool, draws x claims
        Whether each claim is true in each draw (one column per claim; a 1-D array is one claim).
    event : array of bool, draws
        Whether the judgment's event happens in each draw, the same draws as ``truth``.
    claim_ids : sequence of str
        One id per column of ``truth``.

    Examples
    --------
    Four draws; the claim is true in the first two, the event happens in the first three:
    P(E) = 3/4, P(E | T) = 1, P(E | not T) = 1/2, expected change 1/2 x 1/4 + 1/2 x 1/4 = 1/4.

    >>> found = collection_priorities([[True], [True], [False], [False]], [True, True, True, False], ["c"])
    >>> found.claims[0]
    ClaimValue(claim_id='c', p_true=0.5, p_if_confirmed=1.0, p_if_refuted=0.5, expected_change=0.25)
    """
    truth, event = _checked(truth, event, claim_ids)
    counts = truth.sum(axis=0)
    joint = (truth & event[:, None]).sum(axis=0)
    return from_counts(claim_ids, counts, joint, int(event.sum()), event.size)


def from_counts(claim_ids: Sequence[str], true: np.ndarray, joint: np.ndarray, events: int,
                n: int) -> CollectionPriorities:
    """:func:`collection_priorities` from counts over ``n`` draws: per claim the draws it is true in
    (``true``) and those where it is true and the event happens (``joint``); ``events`` draws where
    the event happens. A simulation that runs in chunks accumulates these instead of the draws."""
    true, joint = np.asarray(true, dtype=np.int64), np.asarray(joint, dtype=np.int64)
    _check_counts(claim_ids, true, joint, events, n)
    p_event = events / n
    p_true = true / n
    if_true, if_false = conditionals(true, joint, events, n)
    with np.errstate(invalid="ignore"):
        change = p_true * np.abs(if_true - p_event) + (1 - p_true) * np.abs(if_false - p_event)
    ranked, settled = [], []
    for k, claim_id in enumerate(claim_ids):
        if true[k] in (0, n):
            settled.append(str(claim_id))
            continue
        ranked.append(ClaimValue(str(claim_id), float(p_true[k]), float(if_true[k]), float(if_false[k]),
                                 float(change[k])))
    ranked.sort(key=lambda c: -c.expected_change)  # stable: ties keep the claims' order
    return CollectionPriorities(float(p_event), int(n), tuple(ranked), tuple(settled))


def conditionals(true, joint, events: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """P(event | claim true) and P(event | claim false) per claim from counts over ``n`` draws (as in
    :func:`from_counts`), NaN where a claim is true in no draw (the first) or in every draw (the second).

    >>> conditionals([2, 4], [2, 3], 3, 4)
    (array([1.  , 0.75]), array([0.5, nan]))
    """
    true = np.asarray(true, dtype=float)
    joint = np.asarray(joint, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if_true = np.where(true > 0, joint / true, np.nan)
        if_false = np.where(true < n, (events - joint) / (n - true), np.nan)
    return if_true, if_false


def _checked(truth, event, claim_ids) -> tuple[np.ndarray, np.ndarray]:
    truth, event = np.asarray(truth), np.asarray(event)
    if truth.ndim == 1:
        truth = truth[:, None]
    if truth.dtype != bool or truth.ndim != 2:
        raise ValueError(f"truth: a boolean array of draws x claims; got {truth.dtype} with shape {truth.shape}")
    if event.dtype != bool or event.ndim != 1:
        raise ValueError(f"event: a boolean array with one value per draw; got {event.dtype} with shape {event.shape}")
    if event.size != truth.shape[0]:
        raise ValueError(f"event: one value per draw of truth ({truth.shape[0]}); got {event.size}")
    return truth, event


def _check_counts(claim_ids, true: np.ndarray, joint: np.ndarray, events: int, n: int) -> None:
    if n < 1:
        raise ValueError(f"n: at least one draw; got {n}")
    if len(claim_ids) != true.size or true.shape != joint.shape or true.ndim != 1:
        raise ValueError(f"claim_ids: one per claim counted ({true.size}); got {len(claim_ids)}")
    if len(set(claim_ids)) != len(claim_ids):
        raise ValueError("claim_ids: each claim once; got a repeated id")
    if not 0 <= events <= n:
        raise ValueError(f"events: between 0 and n ({n}); got {events}")
    if ((true < 0) | (true > n)).any():
        raise ValueError(f"true: each count between 0 and n ({n})")
    if ((joint < 0) | (joint > true) | (joint > events) | (events - joint > n - true)).any():
        raise ValueError("joint: each count at most the claim's and the event's counts, and consistent with n")
