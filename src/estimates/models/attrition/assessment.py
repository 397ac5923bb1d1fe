"""Attrition: from a count of ineffective units to a hazard and a projection.

Model, stated once:

- each committed unit becomes combat-ineffective at a random time; the cumulative hazard at day t of
  the conflict is H(t) = H0 (t / t0) ** shape (Weibull; shape 1 is constant tempo), where t0 is the
  count's day and H0 = -log(1 - p) for p, the per-unit probability of becoming ineffective by t0
  (:mod:`estimates.core.hazard`);
- p is uncertain: its posterior comes from the count the run uses (:mod:`estimates.core.proportion`),
  with the reporting uncertainty of count and denominator integrated over;
- after t0, each effective unit is lost on a day with probability 1 - exp(-dH); optionally ineffective
  units are regenerated at a Poisson rate (never more than are ineffective) and rejoin the force.

Day 1 is the case's ``conflict_start``; t0 is the day number of ``params.count_as_of`` (the date the
counts describe: ``count_date``, never after the cut-off ``as_of``), so exposure by then is t0 days.

The entry points are those of every model (:mod:`estimates.model`): :func:`load`, :func:`check`,
:func:`assess`, :func:`key_judgments` and :func:`section`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from estimates.core.hazard import (
    daily_hazard_from_probability,
    probability_from_cumulative_hazard,
)
from estimates.core.judgments import Judgment, judgments_frame
from estimates.core.proportion import (
    ProportionEstimate,
    ReportedRate,
    estimate_proportion,
    propagate_reporting,
)
from estimates.core.quantities import (
    DEFAULT_QUANTILES,
    MonteCarloProbability,
    level_key,
    quantile_dict,
)
from estimates.core.wording import long_date
from estimates.inputs.claims import Ledger, load_ledger
from estimates.inputs.files import load_parameter_file
from estimates.models.attrition import MODEL
from estimates.models.attrition.readings import SeventyFiveReadings, read_seventy_five
from estimates.models.attrition.sources import (
    COUNT_PARAMETERS,
    READING_PARAMETERS,
    claim_id,
    claim_records,
)
from estimates.parameters.schema import Parameters

#: Draws simulated at once; bounds memory whatever ``n_samples`` is. Fixed, so that results do
#: not depend on it changing between machines.
CHUNK = 50_000


def daily_hazard(rate: np.ndarray, as_of_day: int, shape: float = 1.0) -> np.ndarray:
    """Instantaneous hazard per unit per day at the count's day t0: shape * H0 / t0 (Weibull; shape 1
    is the constant hazard -log(1 - p) / t0).

    >>> round(float(daily_hazard(np.array(0.25), 50)), 6), round(float(-np.log(0.75) / 50), 6)
    (0.005754, 0.005754)
    """
    return shape * daily_hazard_from_probability(rate, as_of_day)


@dataclass(frozen=True, eq=False)
class Projection:
    """Effective units by day after the count date, from exact per-day counts over all draws.

    ``counts[i, v]`` is how many draws had ``v`` effective units on day ``days[i]``; quantiles are
    read off these counts (the inverted-CDF definition), so memory does not grow with draws.
    """

    days: np.ndarray = field(repr=False)
    dates: tuple[dt.date, ...] = field(repr=False)
    counts: np.ndarray = field(repr=False)
    crossed: np.ndarray = field(repr=False)
    threshold: float
    n_samples: int
    #: ``ever_lost[v]``: draws in which ``v`` units had become ineffective by the last day, counting
    #: a regenerated unit that is lost again twice (what resupply must make good).
    ever_lost: np.ndarray = field(repr=False)

    def quantiles(self, levels: tuple[float, ...] = DEFAULT_QUANTILES) -> pd.DataFrame:
        cdf = np.cumsum(self.counts, axis=1) / self.n_samples
        table = {level_key(q): (cdf < q - 1e-12).sum(axis=1) for q in levels}
        return pd.DataFrame(table, index=pd.Index(self.dates, name="date"))

    def mean(self) -> np.ndarray:
        values = np.arange(self.counts.shape[1])
        return (self.counts * values).sum(axis=1) / self.n_samples

    def first_passage(self) -> list[MonteCarloProbability]:
        """P(effective units have fallen below the threshold at or before each day)."""
        return [MonteCarloProbability.from_count(int(c), self.n_samples) for c in self.crossed]

    def summary(self) -> pd.DataFrame:
        table = self.quantiles()
        table["mean"] = self.mean()
        table["P(below threshold by date)"] = [p.probability for p in self.first_passage()]
        return table

    def _repr_html_(self) -> str:
        return self.summary().to_html(float_format="{:.3f}".format)

    def plot(self, ax=None):
        from estimates import charts

        return charts.fan_chart(self.quantiles(), threshold=self.threshold, ax=ax)

    def to_dict(self) -> dict:
        quantiles = self.quantiles()
        return {
            "days": [int(d) for d in self.days],
            "dates": [d.isoformat() for d in self.dates],
            "threshold": float(self.threshold),
            "quantiles": {k: [int(v) for v in quantiles[k]] for k in quantiles.columns},
            "mean": [float(v) for v in self.mean()],
            "first_passage": [p.to_dict() for p in self.first_passage()],
        }


def project_effective(
    effective: np.ndarray,
    ineffective: np.ndarray,
    rate: np.ndarray,
    *,
    as_of_day: int,
    horizon_days: int,
    threshold: float,
    rng: np.random.Generator,
    shape: float = 1.0,
    reconstitution_per_week: float = 0.0,
    as_of: dt.date | None = None,
) -> Projection:
    """Simulate effective units for ``horizon_days`` after the count's day, one draw per array entry.

    ``effective``, ``ineffective`` and ``rate`` are per-draw arrays of equal length: units effective
    and ineffective at day ``as_of_day`` (t0) and the per-unit probability p of being ineffective by
    then. With a fixed rate, shape 1 and no reconstitution, effective units on day t are exactly
    Binomial(effective, exp(-lambda (t - t0))) with lambda = -log(1 - p) / t0. ``as_of`` is the
    date of day t0; without it the dates count from ``datetime.date.min`` as day 1 (only the day
    numbers then mean anything).
    """
    effective = np.asarray(effective, dtype=np.int64)
    ineffective = np.asarray(ineffective, dtype=np.int64)
    rate = np.asarray(rate, dtype=float)
    if not effective.shape == ineffective.shape == rate.shape:
        raise ValueError("effective, ineffective and rate must have the same length")
    if as_of_day < 1 or horizon_days < 0:
        raise ValueError(f"need as_of_day >= 1 and horizon_days >= 0, got {as_of_day}, {horizon_days}")
    size = effective.size
    top = int((effective + ineffective).max()) + 1
    days = np.arange(as_of_day, as_of_day + horizon_days + 1)
    # Increment of the cumulative hazard per day, relative to H0: ((d/t0)^k - ((d-1)/t0)^k).
    growth = np.diff((days / as_of_day) ** shape)
    counts = np.zeros((days.size, top), dtype=np.int64)
    crossed_by_day = np.zeros(days.size, dtype=np.int64)
    ever_lost = np.zeros(top, dtype=np.int64)
    regen_per_day = reconstitution_per_week / 7.0

    for start in range(0, size, CHUNK):
        stop = min(start + CHUNK, size)
        alive = effective[start:stop].copy()
        down = ineffective[start:stop].copy()
        # The cumulative hazard H0 at the as-of day: the hazard over the t0 days as one period.
        h0 = daily_hazard_from_probability(rate[start:stop], 1)
        lost_total = down.copy()
        crossed = alive < threshold
        counts[0] += np.bincount(alive, minlength=top)
        crossed_by_day[0] += crossed.sum()
        for i, g in enumerate(growth, start=1):
            lost = rng.binomial(alive, probability_from_cumulative_hazard(h0 * g))
            alive -= lost
            down += lost
            lost_total += lost
            if regen_per_day > 0.0:
                back = np.minimum(rng.poisson(regen_per_day, size=alive.size), down)
                alive += back
                down -= back
            crossed |= alive < threshold
            counts[i] += np.bincount(alive, minlength=top)
            crossed_by_day[i] += crossed.sum()
        chunk_lost = np.bincount(lost_total)
        if chunk_lost.size > ever_lost.size:
            ever_lost = np.pad(ever_lost, (0, chunk_lost.size - ever_lost.size))
        ever_lost[: chunk_lost.size] += chunk_lost

    start_date = as_of or dt.date.min + dt.timedelta(days=as_of_day - 1)
    dates = tuple(start_date + dt.timedelta(days=int(d - as_of_day)) for d in days)
    return Projection(days, dates, counts, crossed_by_day, float(threshold), size, ever_lost)


@dataclass(frozen=True)
class AttritionData:
    """What the attrition model reads from files: the claims ledger (``claims_path``), for the
    provenance of its section and what the claims behind its inputs report; the counts the run uses
    are parameters."""

    ledger: Ledger

    @property
    def files(self) -> dict[Path, str]:
        """Every file read, with its SHA-256."""
        return {self.ledger.path: self.ledger.sha256}


@dataclass(frozen=True, eq=False)
class AttritionAssessment:
    """Everything the attrition notebook reports, as one frozen result."""

    #: The date the counts describe (``params.count_as_of``) and its day number t0.
    as_of: dt.date
    as_of_day: int
    hazard_shape: float
    proportion: ProportionEstimate
    reported: ReportedRate = field(repr=False)
    projection: Projection = field(repr=False)
    #: ``None`` when the stated share is not read (``share_readings``).
    readings: SeventyFiveReadings | None
    judgments: tuple[Judgment, ...]
    #: The information cut-off (``params.as_of``) and day 1 (``params.conflict_start``).
    cut_off: dt.date | None = None
    conflict_start: dt.date | None = None
    #: The case's words (:meth:`estimates.core.vocabulary.Vocabulary.to_dict`).
    words: dict = field(default_factory=dict, repr=False)
    #: What the ledger reports for each claim-backed input, beside the value used
    #: (:func:`estimates.models.attrition.sources.claim_record`).
    claims: dict = field(default_factory=dict, repr=False)

    def hazard_quantiles(self) -> dict:
        process = self.proportion.posterior.ppf(np.linspace(0.0005, 0.9995, 1000))
        return {
            "per_day_process": quantile_dict(daily_hazard(process, self.as_of_day, self.hazard_shape)),
            "per_day_with_reporting": quantile_dict(
                daily_hazard(self.reported.rate, self.as_of_day, self.hazard_shape)
            ),
            "shape": self.hazard_shape,
            "unit": f"per {self._unit} per day",
        }

    @property
    def _unit(self) -> str:
        return self.words.get("unit_singular", "unit")

    def summary(self) -> pd.DataFrame:
        rows = {
            f"per-{self._unit} probability, 90% (process)": self.proportion.interval(0.9),
            f"per-{self._unit} probability, 90% (with reporting)": self.reported.interval(0.9),
        }
        return pd.DataFrame(
            {"low": [r.low for r in rows.values()], "high": [r.high for r in rows.values()]},
            index=pd.Index(list(rows), name="estimate"),
        )

    def judgments_frame(self) -> pd.DataFrame:
        return judgments_frame(list(self.judgments))

    def _repr_html_(self) -> str:
        return self.summary().to_html(float_format="{:.4f}".format) + self.judgments_frame().to_html()

    def plot(self, ax=None):
        """The projection's fan chart, labelled in the case's words."""
        ax = self.projection.plot(ax=ax)
        ax.set_ylabel(f"effective {self.words.get('unit_plural', 'units')}")
        return ax

    def plot_posterior(self, ax=None):
        """The posterior of the per-unit probability with its intervals, labelled in the case's words."""
        ax = self.proportion.plot(ax=ax)
        ax.set_xlabel(f"per-{self._unit} probability of becoming combat-ineffective by {long_date(self.as_of)}")
        return ax

    def to_dict(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "as_of_day": self.as_of_day,
            "cut_off": (self.cut_off or self.as_of).isoformat(),
            "conflict_start": None if self.conflict_start is None else self.conflict_start.isoformat(),
            "words": self.words,
            "claims": self.claims,
            # The values the run uses (parameters), whatever the ledger reports: see "claims".
            "reported": {
                "ineffective": self.proportion.k,
                "committed": self.proportion.n,
                "ineffective_share": self.proportion.observed_share,
            },
            "proportion": self.proportion.to_dict(),
            "with_reporting_uncertainty": self.reported.to_dict(),
            "hazard": self.hazard_quantiles(),
            "projection": self.projection.to_dict(),
            "seventy_five": None if self.readings is None else self.readings.to_dict(),
            "judgments": [j.to_dict() for j in self.judgments],
        }


def load(params: Parameters) -> AttritionData:
    """Read the claims ledger ``params.claims_path`` names (once: every other entry point takes the
    result)."""
    return AttritionData(load_parameter_file(params, "claims_path", load_ledger).value)


def check(params: Parameters, data: AttritionData) -> None:
    """Nothing in the ledger can rule out a valid attrition parameter set: a ledger lacking the
    claims the parameters cite is noted in the briefing, not refused."""


def assess(params: Parameters, data: AttritionData, rng: np.random.Generator, *,
           sensitivity: bool = False) -> AttritionAssessment:
    """Run the whole attrition model for validated ``params`` with generator ``rng``.

    With ``sensitivity``, each judgment also carries its term sensitivity: the model rerun with
    every uncertain input (``MODEL.sensitivity_inputs()``) at either end of its plausible range (see
    :meth:`estimates.model.Model.term_sensitivity`); about 30 more runs of the model, with the run's ``n_samples``.
    """
    t0 = params.days_elapsed
    count_date = params.count_as_of
    words = params.words
    proportion = estimate_proportion(
        params.units_ineffective, params.units_committed,
        prior=params.prior, overdispersion=params.overdispersion,
    )
    reported = propagate_reporting(
        params.units_ineffective, params.units_committed,
        count_uncertainty=params.count_uncertainty,
        denominator_uncertainty=params.denominator_uncertainty,
        prior=params.prior, overdispersion=params.overdispersion,
        size=params.n_samples, rng=rng,
    )
    threshold = params.threshold_share * params.units_committed
    projection = project_effective(
        reported.committed - reported.ineffective, reported.ineffective, reported.rate,
        as_of_day=t0, horizon_days=params.horizon_days, threshold=threshold, rng=rng,
        shape=params.hazard_shape, reconstitution_per_week=params.reconstitution_per_week,
        as_of=count_date,
    )
    reading = reads_shares(params, data.ledger)
    readings = read_seventy_five(params, proportion, reported, rng) if reading else None
    count_claims = tuple(c for c in (claim_id(params, n) for n in ("units_ineffective", "units_committed")) if c)
    end = projection.first_passage()[-1]
    judgments = (
        Judgment(
            id="attrition-threshold",
            statement=(
                f"effective {words.unit_plural} of {words.subject} fall below {threshold:g} "
                f"({params.threshold_share:.0%} of the {params.units_committed} committed) by "
                f"{long_date(projection.dates[-1])}"
            ),
            probability=end,
            basis=(
                f"{end.n_samples} simulated paths from {long_date(count_date)}; hazard shape "
                f"{params.hazard_shape:g}; reconstitution {params.reconstitution_per_week:g} "
                f"{words.unit_plural} a week"
            ),
            claim_ids=count_claims,
        ),
    )
    if readings is not None:
        implied_loss = 1.0 - params.combat_power_retained
        power_claim = claim_id(params, "combat_power_retained")
        judgments += (
            Judgment(
                id="attrition-rate-above-implied-loss",
                statement=(
                    f"the rate at which committed {words.unit_plural} became combat-ineffective by "
                    f"{long_date(count_date)} exceeds {implied_loss:.0%}, the loss implied if "
                    f"{params.combat_power_retained:.0%} of the starting combat power was retained"
                ),
                probability=MonteCarloProbability.from_indicator(reported.rate > implied_loss),
                basis=(
                    f"posterior for {params.units_ineffective} of {params.units_committed} "
                    f"{words.unit_plural} (the values this run uses) with +/-{params.count_uncertainty} on "
                    f"the count and +/-{params.denominator_uncertainty} on the denominator"
                ),
                claim_ids=count_claims + ((power_claim,) if power_claim else ()),
            ),
        )
    if sensitivity:
        judgments = MODEL.term_sensitivity(params, data, judgments)
    names = COUNT_PARAMETERS + (READING_PARAMETERS if readings is not None else ())
    return AttritionAssessment(
        as_of=count_date, as_of_day=t0, hazard_shape=params.hazard_shape,
        proportion=proportion, reported=reported, projection=projection,
        readings=readings, judgments=judgments, cut_off=params.as_of,
        conflict_start=params.conflict_start, words=words.to_dict(),
        claims=claim_records(params, data.ledger, names),
    )


def reads_shares(params: Parameters, ledger: Ledger) -> bool:
    """Whether to read a stated share both ways (``share_readings``): always with ``on``, never with
    ``off``; with ``auto``, when the ledger holds the claims both readings rest on
    (``committed_share_of_army`` and ``combat_power_retained``), so a case whose sources state no
    such share skips them.

    >>> from estimates.parameters.schema import validate
    >>> p = validate({})
    >>> ledger = load_ledger(p.path("claims_path"))
    >>> reads_shares(p, ledger), reads_shares(validate({"share_readings": "off"}), ledger)
    (True, False)
    """
    if params.share_readings != "auto":
        return params.share_readings == "on"
    needed = [claim_id(params, n) for n in ("committed_share_of_army", "combat_power_retained")]
    return all(c is not None and c in ledger for c in needed)


def key_judgments(params: Parameters, data: AttritionData, rng: np.random.Generator) -> tuple[Judgment, ...]:
    """The judgments of :func:`assess` without their term sensitivity, for generator ``rng``."""
    return assess(params, data, rng).judgments




def section(params: Parameters, data: AttritionData, result: AttritionAssessment) -> dict:
    """The ``attrition`` section of ``results.json``: the result and where its inputs came from.

    Examples
    --------
    >>> from estimates.parameters.schema import validate
    >>> from estimates.core.randomness import model_rng
    >>> p = validate({"n_samples": 1000})
    >>> data = load(p)
    >>> section(p, data, assess(p, data, model_rng(p.seed, "attrition")))["reported"]["ineffective"]
    29
    """
    from estimates.report.provenance import section_provenance

    # The claims this case maps the inputs to (case.yaml), so the sources table shows what they report.
    cited = tuple(r["claim_id"] for r in result.claims.values() if r["claim_id"])
    return result.to_dict() | section_provenance(params, "attrition", data.ledger, extra_claims=cited,
                                                 files=data.files)
