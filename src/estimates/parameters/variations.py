"""Whether a judgment's words hold: the model recomputed with each uncertain input at its ends.

This varies parameters, so it lives with them: each input named is set to the low and the high end
of its plausible range (declared with the parameter), validated, and the model recomputed.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Iterable, Sequence

from estimates.core.judgments import Judgment, TermSensitivity, Variation
from estimates.parameters.schema import ParameterError, spec, validate


def with_term_sensitivity(
    judgments: Sequence[Judgment],
    params,
    recompute: Callable[[Any], Sequence[Judgment]],
    names: Iterable[str],
) -> tuple[Judgment, ...]:
    """Attach a :class:`TermSensitivity` to each judgment.

    Each parameter in ``names`` is set in turn to the low and the high end of its plausible range
    (``estimates.parameters.schema.specs()``), the other parameters keeping the run's values, and ``recompute``
    (validated :class:`~estimates.parameters.schema.Parameters` -> judgments) is called through the model.
    Use the same seed in ``recompute`` as in the run, so that the comparison is not blurred by
    Monte Carlo noise (common random numbers).

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
        plausible = spec(name).plausible
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
