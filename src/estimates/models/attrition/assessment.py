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
import functools
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from estimates.core.display import Table
from estimates.core.hazard import daily_hazard_from_probability
from estimates.core.judgments import Judgment, judgments_frame, judgments_table
from estimates.core.observables import Observable
from estimates.core.proportion import (
    ProportionEstimate,
    ReportedRate,
    estimate_proportion,
)
from estimates.core.quantities import (
    DEFAULT_QUANTILES,
    quantile_dict,
)
from estimates.core.wording import long_date
from estimates.inputs.claims import Ledger, load_ledger
from estimates.inputs.files import load_parameter_file
from estimates.inputs.statements import Statement, load_statements, statements_table
from estimates.models.attrition import MODEL, tables
from estimates.models.attrition.evidence import Evidence, check_statements, evidence
from estimates.models.attrition.projection import CHUNK, Projection, project_effective  # noqa: F401  (re-exported)
from estimates.models.attrition.readings import SeventyFiveReadings
from estimates.models.attrition.simulation import Reuse, simulate
from estimates.models.attrition.sources import (
    COUNT_PARAMETERS,
    READING_PARAMETERS,
    claim_id,
    claim_records,
)
from estimates.models.pooling import joint
from estimates.models.pooling.joint import JointEstimate, summary_of_counts
from estimates.parameters.schema import Parameters


def daily_hazard(rate: np.ndarray, as_of_day: int, shape: float = 1.0) -> np.ndarray:
    """Instantaneous hazard per unit per day at the count's day t0: shape * H0 / t0 (Weibull; shape 1
    is the constant hazard -log(1 - p) / t0).

    >>> round(float(daily_hazard(np.array(0.25), 50)), 6), round(float(-np.log(0.75) / 50), 6)
    (0.005754, 0.005754)
    """
    return shape * daily_hazard_from_probability(rate, as_of_day)


@dataclass(frozen=True)
class AttritionData:
    """What the attrition model reads from files: the claims ledger (``claims_path``), for the
    claims behind its inputs and the statements' report dates, and the official statements
    (``statements_path``) the joint estimate rests on."""

    ledger: Ledger
    statements: tuple[Statement, ...] = ()
    statements_file: tuple[Path, str] | None = None
    #: During term sensitivity, the run's stages for the recomputations to reuse (not read from files).
    reuse: Reuse | None = field(default=None, compare=False, repr=False)

    @property
    def files(self) -> dict[Path, str]:
        """Every file read, with its SHA-256."""
        found = {self.ledger.path: self.ledger.sha256}
        if self.statements_file is not None:
            found[self.statements_file[0]] = self.statements_file[1]
        return found


@dataclass(frozen=True, eq=False)
class AttritionAssessment:
    """Everything the attrition notebook reports, as one frozen result."""

    #: The date the counts describe (``params.count_as_of``) and its day number t0.
    as_of: dt.date
    as_of_day: int
    #: The first view: the single report's posterior, without and with reporting uncertainty.
    proportion: ProportionEstimate
    reported: ReportedRate = field(repr=False)
    #: The joint estimate from every statement, the statements it used, and its draws (the first
    #: chunk's: quantiles come from them, probabilities count every draw; see ``simulation``).
    joint: JointEstimate = field(repr=False)
    evidence: Evidence = field(repr=False)
    draws: dict = field(repr=False)
    #: The day the projection starts from: the last day a statement may describe, or t0 if later.
    start_day: int
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

    @property
    def start_date(self) -> dt.date:
        return self.as_of + dt.timedelta(days=self.start_day - self.as_of_day)

    def hazard_quantiles(self) -> dict:
        process = self.proportion.posterior.ppf(np.linspace(0.0005, 0.9995, 1000))
        shape = self.joint.shape_posterior
        return {
            "per_day_process": quantile_dict(daily_hazard(process, self.as_of_day)),
            "per_day_with_reporting": quantile_dict(daily_hazard(self.reported.rate, self.as_of_day)),
            "per_day_joint": quantile_dict(daily_hazard(self.draws["p"], self.as_of_day, self.draws["shape"])),
            "shape": (quantile_dict(shape.ppf(np.linspace(0.0005, 0.9995, 1000))) if shape is not None
                      else {f"{q:g}": float(self.joint.grid.shape[0]) for q in DEFAULT_QUANTILES}),
            "probability_shape_above_1": self.joint.probability_shape_above(1.0),
            "unit": f"per {self._unit} per day",
        }

    @property
    def _unit(self) -> str:
        return self.words.get("unit_singular", "unit")

    def summary(self) -> pd.DataFrame:
        joint = self.joint.p_posterior
        rows = {
            f"per-{self._unit} probability, 90% (one report)": self.proportion.interval(0.9),
            f"per-{self._unit} probability, 90% (one report, with reporting)": self.reported.interval(0.9),
        }
        frame = pd.DataFrame(
            {"low": [r.low for r in rows.values()], "high": [r.high for r in rows.values()]},
            index=pd.Index(list(rows), name="estimate"),
        )
        frame.loc[f"per-{self._unit} probability, 90% (every statement)"] = [joint.ppf(0.05), joint.ppf(0.95)]
        return frame

    def judgments_frame(self) -> pd.DataFrame:
        return judgments_frame(list(self.judgments))

    def summary_table(self) -> Table:
        return tables.summary_table({name: tuple(row) for name, row in self.summary().iterrows()})

    def claims_table(self) -> Table:
        return tables.claims_table(self.claims)

    def statements_table(self) -> Table:
        return statements_table(self.evidence.used)

    def readings_table(self) -> Table:
        return tables.readings_table(self.to_dict()["joint"]["readings"])

    def _repr_html_(self) -> str:
        return self.summary_table()._repr_html_() + judgments_table(self.judgments)._repr_html_()

    def plot(self, ax=None):
        """The projection's fan chart, labelled in the case's words."""
        ax = self.projection.plot(ax=ax)
        units = self.words.get("unit_plural", "units")
        ax.set_ylabel(f"effective {units}")
        ax.set_title(f"Effective {units} projected by date from the joint estimate")
        return ax

    def plot_first_passage(self, ax=None):
        """The chance that effective units have fallen below the threshold by each date (± 2 s.e.)."""
        from estimates import charts

        passage = self.projection.first_passage()
        ax = charts.first_passage_chart(self.projection.dates, [x.probability for x in passage],
                                        [x.standard_error for x in passage], ax=ax)
        ax.set_title(f"The chance that effective {self.words.get('unit_plural', 'units')} have fallen below "
                     f"{self.projection.threshold:g} by each date")
        return ax

    def plot_posterior(self, ax=None):
        """The posterior of the per-unit probability with its intervals, labelled in the case's words."""
        ax = self.proportion.plot(ax=ax)
        ax.set_xlabel(f"per-{self._unit} probability of becoming combat-ineffective by {long_date(self.as_of)}")
        ax.set_title(f"What the count implies for the per-{self._unit} probability: posterior and intervals")
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
            "joint": self.joint.to_dict() | {
                "statements": [s.to_dict() for s in self.evidence.used],
                "left_out": list(self.evidence.left_out),
                "notes": list(self.evidence.notes),
                "start": {"date": self.start_date.isoformat(), "day": self.start_day,
                          **summary_of_counts(self.draws["count"], self.draws["committed"])},
            },
            "hazard": self.hazard_quantiles(),
            "projection": self.projection.to_dict(),
            "seventy_five": None if self.readings is None else self.readings.to_dict(),
            "judgments": [j.to_dict() for j in self.judgments],
        }


def load(params: Parameters) -> AttritionData:
    """Read the claims ledger and the statements file the parameters name (once: every other entry
    point takes the result)."""
    ledger = load_parameter_file(params, "claims_path", load_ledger).value
    found = load_parameter_file(params, "statements_path",
                                functools.partial(load_statements, start=params.conflict_start))
    statements, digest = found.value
    return AttritionData(ledger, statements, (found.path, digest))


def check(params: Parameters, data: AttritionData) -> None:
    """A statement that needs more units ineffective than the most committed: InputError naming it.
    A ledger lacking the claims the parameters cite is noted in the briefing, not refused."""
    check_statements(params, data.statements)


def estimate_args(params: Parameters, found: Evidence) -> dict:
    """The arguments of the joint estimate (:func:`estimates.models.pooling.joint.estimate`) from
    the statements ``found`` (both readings, weighted)."""
    return dict(statements=found.used, as_of_day=params.days_elapsed, committed_range=params.committed_range,
                prior=params.prior, shape_90=(params.hazard_shape_low, params.hazard_shape_high),
                count_uncertainty=params.count_uncertainty, reassessment_weight=params.reassessment_weight)


def joint_estimate(params: Parameters, data: AttritionData) -> tuple[Evidence, JointEstimate]:
    """The statements the run uses and the joint estimate from them (both readings, weighted)."""
    found = evidence(params, data.ledger, data.statements)
    return found, joint.estimate(**estimate_args(params, found))


def assess(params: Parameters, data: AttritionData, rng: np.random.Generator, *,
           sensitivity: bool = False) -> AttritionAssessment:
    """Run the whole attrition model for validated ``params`` with generator ``rng``.

    The single report's posterior is the first view; the projection and the judgments come from the
    joint estimate of every statement (:mod:`estimates.models.pooling.joint`), starting on the last
    day a statement may describe from the latent count there. With ``sensitivity``, each judgment
    also carries its term sensitivity (see :meth:`estimates.model.Model.term_sensitivity`), whose
    recomputations reuse this run's draws wherever the input moved leaves them as they are
    (:class:`~estimates.models.attrition.simulation.Reuse`).
    """
    t0 = params.days_elapsed
    count_date = params.count_as_of
    words = params.words
    proportion = estimate_proportion(
        params.units_ineffective, params.units_committed,
        prior=params.prior, overdispersion=params.overdispersion,
    )
    found = evidence(params, data.ledger, data.statements)
    # Only a run of one chunk keeps its stages: keeping more would hold every draw in memory.
    reuse = data.reuse if data.reuse is not None else Reuse(recording=sensitivity and params.n_samples <= CHUNK)
    reading = reads_shares(params, data.ledger)
    drawn = simulate(params, proportion, found, estimate_args(params, found), rng, reuse, reading=reading)
    estimate, reported, draws, projection = drawn.estimate, drawn.reported, drawn.draws, drawn.projection
    start_day, start_date, readings = drawn.start_day, drawn.start_date, drawn.readings
    threshold = params.threshold_share * params.units_committed
    committed_claim = tuple(c for c in (claim_id(params, "units_committed"),) if c)
    evidence_claims = tuple(dict.fromkeys(found.claim_ids + committed_claim))
    end = projection.first_passage()[-1]
    shape_median = float(np.median(draws["shape"]))
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
                f"{end.n_samples} simulated paths from {long_date(start_date)}, drawn from the joint estimate "
                f"of {len(found.used)} statement{'s' if len(found.used) != 1 else ''} (hazard shape estimated, "
                f"median {shape_median:.2f}; the statements read as counts of one force or as re-assessments, "
                f"weighted by the evidence); reconstitution {params.reconstitution_per_week:g} "
                f"{words.unit_plural} a week"
            ),
            claim_ids=evidence_claims,
            observable=Observable(projection.dates[-1], *params.committed_range, effective_below=threshold,
                                  may_fall=params.reconstitution_per_week > 0),
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
                probability=drawn.above_implied_loss,
                basis=(
                    f"joint estimate of the per-{words.unit_singular} probability by {long_date(count_date)} from "
                    f"{len(found.used)} statement{'s' if len(found.used) != 1 else ''}, each count read within "
                    f"+/-{params.count_uncertainty} and the committed force within +/-{params.denominator_uncertainty}"
                ),
                claim_ids=evidence_claims,
                # The retained share only sets the level asked about: it is not evidence of the rate.
                question_claim_ids=(power_claim,) if power_claim else (),
            ),
        )
    if sensitivity:
        # The run's fits held: a variation of the readings' prior weights comes back to them after
        # variations that fit others.
        with joint.keeping(*estimate.fits.values()):
            judgments = MODEL.term_sensitivity(params, replace(data, reuse=reuse.replaying()), judgments)
    names = COUNT_PARAMETERS + (READING_PARAMETERS if readings is not None else ())
    return AttritionAssessment(
        as_of=count_date, as_of_day=t0, proportion=proportion, reported=reported, joint=estimate,
        evidence=found, draws=draws, start_day=start_day, projection=projection,
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
