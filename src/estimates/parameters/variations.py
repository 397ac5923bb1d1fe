"""Whether a judgment's words hold: the model recomputed with each uncertain input at its ends.

This varies parameters, so it lives with them: each input named is set to the low and the high end
of its plausible range for this run (:func:`plausible_range`), validated, and the model recomputed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Any, Callable, Iterable, Sequence

from estimates.core.judgments import Judgment, TermSensitivity, Variation
from estimates.parameters.schema import ParameterError, spec, validate


def plausible_range(name: str, params, ledger=None) -> tuple[Any, Any] | None:
    """The range a parameter is varied over in this run, or None if it has none.

    In order: the case's own range (``ranges:`` in ``case.yaml``); the interval the ledger's claim
    gives, when the parameter states that claim and the run uses a value inside it; else the
    declared range moved to the run's value. A declaration is a range about the default, so it is
    read relative to it: scaled by value / default for a number (``units_committed`` 120-130 about
    125 is 192-208 about 200), shifted for a default of zero, and in days for a date. The result is
    clipped to the parameter's allowed range; counts stay whole.

    >>> from estimates.parameters.schema import validate
    >>> plausible_range("units_committed", validate({"units_committed": 200, "units_ineffective": 61}))
    (192, 208)
    >>> plausible_range("units_ineffective", validate({"units_committed": 200, "units_ineffective": 61}))
    (53, 80)
    """
    row = spec(name)
    case = params.case_settings
    if name in case.ranges:
        return case.ranges[name]
    value = getattr(params, name)
    claim_id = params.claim_for(name)
    if ledger is not None and row.states_claim and claim_id in ledger:
        claim = ledger[claim_id]
        low, high = claim.quantity_low, claim.quantity_high
        if low is not None and high is not None and isinstance(value, (int, float)) and low <= value <= high:
            return _kind(value)(low), _kind(value)(high)
    if not row.plausible:
        return None
    low, high = row.plausible
    default = row.default
    if isinstance(value, dt.date):
        return value + dt.timedelta(days=int(low)), value + dt.timedelta(days=int(high))
    if default and value and low * default >= 0 and high * default >= 0:
        low, high = value * low / default, value * high / default
    else:
        low, high = value + (low - default), value + (high - default)
    if isinstance(value, int) and not isinstance(value, bool):
        low, high = math.floor(low + 0.5), math.floor(high + 0.5)
    clip_low = row.minimum if row.minimum is not None else -math.inf
    clip_high = row.maximum if row.maximum is not None else math.inf
    return max(low, clip_low), min(high, clip_high)


def _kind(value):
    return int if isinstance(value, int) and not isinstance(value, bool) else float


def with_term_sensitivity(
    judgments: Sequence[Judgment],
    params,
    recompute: Callable[[Any], Sequence[Judgment]],
    names: Iterable[str],
    ledger=None,
) -> tuple[Judgment, ...]:
    """Attach a :class:`TermSensitivity` to each judgment.

    Each parameter in ``names`` is set in turn to the low and the high end of its plausible range
    for this run (:func:`plausible_range`; ``ledger`` gives claims' own intervals), the other
    parameters keeping the run's values, and ``recompute``
    (validated :class:`~estimates.parameters.schema.Parameters` -> judgments) is called through the model.
    ``recompute`` must draw what the run drew (the same seed and the same number of draws: common
    random numbers), so that a variation differs from the run by the input alone: an input set to
    its own value then gives exactly the run's probability (``tests/test_sensitivity.py`` checks
    this for every registered model), and no ICD 203 term flips on Monte Carlo noise.

    Examples
    --------
    >>> from estimates.parameters.schema import validate
    >>> from estimates.core.quantities import ExactProbability
    >>> def toy(p):  # probability rises with the reported count: 29 / 60 is 0.48
    ...     return [Judgment("toy", "x", ExactProbability(p.units_ineffective / 60, "toy"), "toy")]
    >>> [j] = with_term_sensitivity(toy(validate({})), validate({}), toy, ["units_ineffective"])
    >>> j.sensitivity.term, j.sensitivity.changed_by
    ('roughly even chance', ('units_ineffective',))
    """
    base = params.model_dump()
    found: dict[str, list[Variation]] = {j.id: [] for j in judgments}
    skipped: list[tuple[str, Any, str]] = []
    for name in names:
        plausible = plausible_range(name, params, ledger)
        if not plausible:
            continue
        for value in plausible:
            try:
                varied = validate({**base, name: value})
            except ParameterError as error:
                skipped.append((name, value, str(error)))
                continue
            for judgment in recompute(varied):
                if judgment.id in found:
                    found[judgment.id].append(Variation(name, value, judgment.probability.probability))
    return tuple(
        dataclasses.replace(j, sensitivity=TermSensitivity(
            term=j.likelihood.term, probability=j.probability.probability,
            variations=tuple(found[j.id]), skipped=tuple(skipped),
        ))
        for j in judgments
    )
