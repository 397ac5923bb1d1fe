"""The attrition model's draws, chunk by chunk, and a term-sensitivity variation's reuse of the run's.

For each chunk of :data:`CHUNK` draws, one generator gives in turn: the reported count and force with
their reporting uncertainty (:func:`~estimates.core.proportion.propagate_reporting`), joint draws of
p, hazard shape, committed force and count on the start day (the joint estimate), the projection, and
the readings of a stated share. A run of at most one chunk (both profiles) draws exactly what the
model drew before it was chunked; a longer run draws the same distribution in another order.
Probabilities and the projection count every draw; quantiles and intervals come from the first chunk
(the draws are independent, so a uniform random subsample of :data:`CHUNK`), so memory does not grow
with draws.

Term sensitivity recomputes the judgments with one input moved and the same seed: most stages then
see the same inputs and the same generator state as the run, and would draw what it drew.
:class:`Reuse` keeps the run's stages, each with the generator state it began and ended in, and
gives a variation the run's output (and end state) in place of drawing it again: exact, because a
stage's output is a function of its inputs and its starting state alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from estimates.core.hazard import (
    daily_hazard_from_probability,
    probability_from_cumulative_hazard,
)
from estimates.core.proportion import (
    ProportionEstimate,
    ReportedRate,
    propagate_reporting,
)
from estimates.core.quantities import MonteCarloProbability
from estimates.models.attrition.evidence import Evidence
from estimates.models.attrition.projection import (
    CHUNK,
    Projection,
    combined,
    project_effective,
)
from estimates.models.attrition.readings import (
    SeventyFiveReadings,
    readings_of,
    share_draws,
)
from estimates.models.pooling import joint
from estimates.models.pooling.joint import JointEstimate
from estimates.parameters.schema import Parameters


class Reuse:
    """Stage outputs of a run, by stage, inputs and starting generator state (see the module note).

    ``recording`` keeps what is computed; a variation's copy (:meth:`replaying`) only looks up, so
    what is kept is the run's alone, whatever the number of variations.
    """

    def __init__(self, recording: bool = True):
        self.recording = recording
        self._stages: dict[tuple, tuple[Any, dict | None]] = {}

    def replaying(self) -> Reuse:
        found = Reuse(recording=False)
        found._stages = self._stages
        return found

    def stage(self, name: str, inputs: tuple, rng: np.random.Generator | None,
              compute: Callable[[], Any]) -> tuple[Any, tuple]:
        """``compute()``'s output, or the kept one and its end state; with the stage's key, which a
        later stage fed by this output names among its inputs."""
        key = (name, inputs, None if rng is None else repr(rng.bit_generator.state))
        if key in self._stages:
            output, after = self._stages[key]
            if after is not None:
                rng.bit_generator.state = after
            return output, key
        output = compute()
        if self.recording:
            self._stages[key] = (output, None if rng is None else rng.bit_generator.state)
        return output, key


@dataclass(frozen=True, eq=False)
class Simulation:
    """What the draws give: the first chunk's draws (for quantiles), and counts over every draw."""

    estimate: JointEstimate
    reported: ReportedRate
    draws: dict
    start_day: int
    start_date: dt.date
    projection: Projection
    readings: SeventyFiveReadings | None
    #: P(p > the loss implied by the retained share), over every draw; None without the readings.
    above_implied_loss: MonteCarloProbability | None


def simulate(params: Parameters, proportion: ProportionEstimate, found: Evidence, estimate_args: dict,
             rng: np.random.Generator, reuse: Reuse, *, reading: bool) -> Simulation:
    """Draw ``params.n_samples`` chunk by chunk from ``rng``; ``estimate_args`` are the joint
    estimate's (:func:`estimates.models.pooling.joint.estimate`), ``reading`` whether to read the
    stated share both ways."""
    t0 = params.days_elapsed
    start_day = max(t0, found.last_day)
    start_date = params.count_as_of + dt.timedelta(days=start_day - t0)
    end_date = params.count_as_of + dt.timedelta(days=params.horizon_days)
    projecting = dict(as_of_day=start_day, horizon_days=max((end_date - start_date).days, 0),
                      threshold=params.threshold_share * params.units_committed,
                      reconstitution_per_week=params.reconstitution_per_week, as_of=start_date)
    reporting = dict(k=params.units_ineffective, n=params.units_committed, count_uncertainty=params.count_uncertainty,
                     denominator_uncertainty=params.denominator_uncertainty, prior=params.prior,
                     overdispersion=params.overdispersion)
    estimate_key = tuple(sorted(estimate_args.items()))
    estimate, _ = reuse.stage("estimate", estimate_key, None, lambda: joint.estimate(**estimate_args))
    implied_loss = 1.0 - params.combat_power_retained
    size = params.n_samples
    first: tuple | None = None
    projection: Projection | None = None
    above = lost_above = 0
    for start in range(0, size, CHUNK):
        m = min(CHUNK, size - start)
        reported, _ = reuse.stage("reporting", (start, m, tuple(sorted(reporting.items()))), rng,
                                  lambda: propagate_reporting(**reporting, size=m, rng=rng))
        draws, drawn = reuse.stage("draws", (start, m, estimate_key, start_day), rng,
                                   lambda: estimate.draw(m, rng, start_day))
        part, _ = reuse.stage("projection", (drawn, t0, tuple(sorted(projecting.items()))), rng,
                              lambda: _project(draws, t0, rng, projecting))
        projection = part if projection is None else combined(projection, part)
        shares = None
        if reading:
            shares = share_draws(params, reported, rng)
            lost_above += int((shares[2] > reported.ineffective).sum())
            above += int((draws["p"] > implied_loss).sum())
        if first is None:
            first = (reported, draws, shares)
    reported, draws, shares = first
    readings = None if not reading else readings_of(params, proportion, shares,
                                                    MonteCarloProbability.from_count(lost_above, size))
    return Simulation(estimate, reported, draws, start_day, start_date, projection, readings,
                      MonteCarloProbability.from_count(above, size) if reading else None)


def _project(draws: dict, t0: int, rng: np.random.Generator, projecting: dict) -> Projection:
    """The projection of one chunk of joint draws, from the latent count on the start day."""
    start_day = projecting["as_of_day"]
    hazard_at_start = daily_hazard_from_probability(draws["p"], 1) * (start_day / t0) ** draws["shape"]
    return project_effective(draws["committed"] - draws["count"], draws["count"],
                             probability_from_cumulative_hazard(hazard_at_start), rng=rng, shape=draws["shape"],
                             **projecting)
