"""The pooling notebook's analysis in one call: every official statement against one hazard model.

It fits the statements (:mod:`estimates.inputs.statements`) under the nested reading with a free Weibull
shape (the headline), with a constant hazard, and under the independent reading; sets the pooled
estimate beside the single-report posterior the attrition section reports; and checks each
statement against the ones before it (:func:`estimates.models.pooling.checks.check_next`), with a free shape and
with a constant hazard, so the briefing can say whether the sources agree and whether the later
statements fit a constant hazard.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from estimates.core.display import Table
from estimates.core.hazard import daily_hazard_from_probability
from estimates.core.judgments import Judgment
from estimates.core.observables import Observable
from estimates.core.proportion import estimate_proportion
from estimates.core.quantities import (
    ExactProbability,
    MonteCarloProbability,
    quantile_dict,
)
from estimates.core.wording import long_date
from estimates.inputs.claims import Ledger, load_ledger
from estimates.inputs.files import load_parameter_file
from estimates.inputs.statements import Statement, load_statements, statements_table
from estimates.models.attrition.evidence import (  # noqa: F401  (LEFT_OUT, usable_statements re-exported)
    FROM_PARAMETERS,
    LEFT_OUT,
    check_statements,
    evidence,
    usable_statements,
)
from estimates.models.attrition.projection import CHUNK
from estimates.models.pooling import MODEL, joint, tables
from estimates.models.pooling import checks as statement_checks
from estimates.models.pooling import posterior as pooling
from estimates.models.pooling.joint import JointEstimate
from estimates.models.pooling.joint import estimate as joint_estimate
from estimates.parameters.schema import Parameters

#: Share of the committed force asked about in the judgment on the latest statement's date.
SHARE_ASKED = 1.0 / 3.0


@dataclass(frozen=True, eq=False)
class PoolingData:
    """Every file the pooling model reads: the claims ledger and the statements file."""

    ledger: Ledger
    statements: tuple[Statement, ...]
    #: Where the statements file is, and the SHA-256 of its bytes.
    statements_path: Path
    statements_sha256: str

    @property
    def files(self) -> dict[Path, str]:
        """``{path: SHA-256}`` of every file read, the ledger first."""
        return {self.ledger.path: self.ledger.sha256, self.statements_path: self.statements_sha256}


def load(params: Parameters) -> PoolingData:
    """Read the claims ledger and the statements file the parameters name, once."""
    ledger = load_parameter_file(params, "claims_path", load_ledger)
    # Day numbers and the earliest allowed event date come from the case's conflict start.
    statements = load_parameter_file(params, "statements_path",
                                     functools.partial(load_statements, start=params.conflict_start))
    found, digest = statements.value
    return PoolingData(ledger=ledger.value, statements=found, statements_path=statements.path,
                       statements_sha256=digest)


def check(params: Parameters, data: PoolingData) -> None:
    """A statement that needs more units ineffective than the most committed: InputError naming it."""
    check_statements(params, data.statements)


@dataclass(frozen=True, eq=False)
class PoolingAssessment:
    """Every fit and check of one run, and what was left out and why."""

    as_of_day: int
    #: The date p refers to (``params.count_as_of``, day ``as_of_day``) and the information cut-off.
    count_as_of: dt.date
    cut_off: dt.date
    committed_range: tuple[int, int]
    statements: tuple[Statement, ...]
    #: Statements not used, each ``{"observation_id", "claim_ids", "date", "reported", "reason",
    #: "why"}``; ``why`` is one of :data:`LEFT_OUT`.
    left_out: tuple[dict, ...]
    single: dict
    #: Both readings weighted: the estimate attrition's projection and judgments rest on.
    joint: JointEstimate | None
    #: ``None`` when no statement rests on claims in the ledger: nothing to pool.
    pooled: pooling.PooledFit | None
    constant: pooling.PooledFit | None
    independent: pooling.PooledFit | None
    checks_free: tuple[statement_checks.Check, ...]
    checks_constant: tuple[statement_checks.Check, ...]
    daily_hazard: dict | None
    share_by_last: dict | None
    judgments: tuple[Judgment, ...]
    notes: tuple[str, ...]

    @property
    def bayes_factor_rising(self) -> float | None:
        """Evidence for a free shape over a constant hazard (nested reading); > 1 favours the free shape."""
        if self.constant is None:
            return None
        return self.pooled.evidence / self.constant.evidence

    def statements_frame(self) -> pd.DataFrame:
        """The statements pooled, one row each (empty when none rests on the ledger)."""
        columns = ["observation_id", "claim_ids", "date", "day", "count_low", "count_high", "share_above",
                   "reported", "reading"]
        return pd.DataFrame([s.to_dict() for s in self.statements], columns=columns).set_index("observation_id")

    def estimates_frame(self) -> pd.DataFrame:
        """The probability that a unit was ineffective by the count date, under each fit."""
        rows = {"single report (attrition's first view)": self.single["p_as_of"]}
        if self.joint is not None:
            rows["every statement, both readings weighted (the estimate used)"] = self.joint.to_dict()["p_as_of"]
        for label, fit in self._fits().items():
            rows[label] = fit.to_dict()["p_as_of"]
        return pd.DataFrame({label: {"median": r["quantiles"]["0.5"], "5%": r["interval"]["low"],
                                     "95%": r["interval"]["high"]} for label, r in rows.items()}).T

    def judgments_frame(self) -> pd.DataFrame:
        from estimates.core.judgments import judgments_frame

        return judgments_frame(list(self.judgments))

    def left_out_table(self) -> Table:
        return tables.left_out_table(self.left_out)

    def statements_table(self) -> Table:
        return statements_table(self.statements)

    def estimates_table(self) -> Table:
        return tables.estimates_table(self.estimates_frame().to_dict(orient="index"))

    def checks_table(self) -> Table:
        return tables.checks_table([
            {"statement": free.statement.observation_id, "date": free.statement.date,
             "reported": free.statement.describe(), "free_range": _range(free.quantiles),
             "free_tail": free.tail_probability, "constant_range": _range(constant.quantiles),
             "constant_tail": constant.tail_probability}
            for free, constant in zip(self.checks_free, self.checks_constant)])

    def _fits(self) -> dict[str, pooling.PooledFit]:
        if self.pooled is None:
            return {}
        fits = {f"pooled, {self.pooled.reading}, free shape": self.pooled}
        if self.constant is not None:
            fits["pooled, nested, constant hazard"] = self.constant
        fits["pooled, independent readings, free shape"] = self.independent
        return fits

    def summary(self) -> pd.DataFrame:
        """The probability that a unit was ineffective by the count date, single report and pooled."""
        return self.estimates_frame()

    def _repr_html_(self) -> str:
        notes = "".join(f"<p>{html.escape(note)}</p>" for note in self.notes)
        return self.estimates_table()._repr_html_() + self.checks_table()._repr_html_() + notes

    def plot(self, ax=None):
        """The pooled estimates on ``ax``; without one, a figure with the statement checks below."""
        from estimates.models.pooling import charts

        section = self.to_dict()
        if ax is not None:
            return charts.pooled_estimates(section, ax=ax)
        figure = charts.overview(section)
        figure.suptitle(f"The probability that a unit was ineffective by {long_date(self.count_as_of)}, single "
                        "report and pooled; each statement against the ones before it")
        return figure

    def to_dict(self) -> dict:
        free = {c.statement.observation_id: c for c in self.checks_free}
        constant = {c.statement.observation_id: c for c in self.checks_constant}
        surprising_free = [k for k, c in free.items() if c.surprising]
        surprising_constant = [k for k, c in constant.items() if c.surprising]
        return {
            "as_of_day": self.as_of_day,
            "count_as_of": self.count_as_of.isoformat(),
            "cut_off": self.cut_off.isoformat(),
            "committed_range": list(self.committed_range),
            "statements": [s.to_dict() for s in self.statements],
            "left_out": list(self.left_out),
            "single_report": self.single,
            "joint": None if self.joint is None else self.joint.to_dict(),
            "pooled": None if self.pooled is None else self.pooled.to_dict(),
            "constant_hazard": None if self.constant is None else self.constant.to_dict(),
            "independent": None if self.independent is None else self.independent.to_dict(),
            "bayes_factor_rising_vs_constant": self.bayes_factor_rising,
            "daily_hazard": self.daily_hazard,
            "share_by_last_statement": self.share_by_last,
            "checks": {"free_shape": [c.to_dict() for c in self.checks_free],
                       "constant_hazard": [c.to_dict() for c in self.checks_constant],
                       "surprising_below": statement_checks.SURPRISING_BELOW},
            "agreement": {
                "checked": list(free),
                "surprising_free_shape": surprising_free,
                "surprising_constant_hazard": surprising_constant,
                "sources_agree": not surprising_free,
                "constant_hazard_fits": not surprising_constant,
            },
            "judgments": [j.to_dict() for j in self.judgments],
            "notes": list(self.notes),
        }


def _range(quantiles: dict) -> str:
    return f"{quantiles['0.05']:g}-{quantiles['0.95']:g}"


def assess(params: Parameters, data: PoolingData, rng: np.random.Generator, *,
           sensitivity: bool = False) -> PoolingAssessment:
    """Fit and check the statements in ``data`` against its claims ledger.

    With ``sensitivity``, each judgment carries its term sensitivity, recomputed through
    :func:`key_judgments` with ``data`` as read.
    """
    result = _assess(params, data, rng, checks=True)
    if not sensitivity or not result.judgments:
        return result
    # Varying an input the fits do not depend on (overdispersion, the readings' weights; the shape
    # prior for the constant-hazard fit) then reuses the run's own fits.
    own = [f for f in (*result.joint.fits.values(), result.constant) if f is not None]
    with joint.keeping(*own):
        return replace(result, judgments=MODEL.term_sensitivity(params, data, result.judgments))


def key_judgments(params: Parameters, data: PoolingData, rng: np.random.Generator) -> tuple[Judgment, ...]:
    """The judgments of :func:`assess` without the statement checks. Their draws come first from
    ``rng``, so they are the numbers :func:`assess` gives at the same parameters."""
    return _assess(params, data, rng, checks=False).judgments


def _assess(params: Parameters, data: PoolingData, rng: np.random.Generator, *, checks: bool) -> PoolingAssessment:
    found = evidence(params, data.ledger, data.statements)
    used = tuple(s for s in found.used if s.observation_id != FROM_PARAMETERS)
    t0 = params.days_elapsed
    words = params.words
    committed = params.committed_range
    # Attrition's first view, overdispersion included, so the two sections show one number.
    single = estimate_proportion(params.units_ineffective, params.units_committed, prior=params.prior,
                                 overdispersion=params.overdispersion)
    single_record = {"count": params.units_ineffective, "committed": params.units_committed, "prior": params.prior,
                     "overdispersion": params.overdispersion,
                     "p_as_of": pooling.posterior_summary(single.posterior, 0.9)}

    def not_pooled(note: str) -> PoolingAssessment:
        return PoolingAssessment(
            as_of_day=t0, count_as_of=params.count_as_of, cut_off=params.as_of, committed_range=committed,
            statements=used, left_out=found.left_out, single=single_record, joint=None, pooled=None,
            constant=None, independent=None, checks_free=(), checks_constant=(), daily_hazard=None,
            share_by_last=None, judgments=(), notes=(note,),
        )

    if not used:
        # An analyst's own ledger may lack every claim the statements rest on: nothing to pool, said so.
        return not_pooled("no statement in the statements file rests on claims in the ledger reported by the "
                          "cut-off, so nothing was pooled")
    shape_90 = (params.hazard_shape_low, params.hazard_shape_high)
    common = dict(as_of_day=t0, committed_range=committed, prior=params.prior,
                  count_uncertainty=params.count_uncertainty)
    notes = list(found.notes)
    # Every statement used was reported by the cut-off; some may count losses after the date p
    # refers to (count_as_of), so the pooled p for that date also draws on those later counts.
    later = [s.observation_id for s in found.used if s.date > params.count_as_of]
    if later:
        notes.append(f"statements of counts after {long_date(params.count_as_of)} ({', '.join(later)}) are "
                     f"pooled: the estimate for that date also draws on later counts, all reported by the "
                     f"cut-off of {long_date(params.as_of)}")
    try:
        estimate = joint_estimate(found.used, shape_90=shape_90, reassessment_weight=params.reassessment_weight,
                                  **common)
    except pooling.PoolingError as error:
        return not_pooled(f"{error}, so nothing was pooled")
    for reading, reason in estimate.impossible.items():
        other = next(iter(estimate.fits))
        notes.append(f"{reason}; the estimate rests on the {other} reading alone")

    def reading_fit(reading: str, shape=shape_90):
        if shape == shape_90 and reading in estimate.fits:
            return estimate.fits[reading]
        try:
            return joint.fit(found.used, shape_90=shape, reading=reading, **common)
        except pooling.PoolingError:
            return None

    nested, independent, constant = reading_fit("nested"), reading_fit("independent"), reading_fit("nested", (1.0, 1.0))
    last = max(found.used, key=lambda s: (s.day_latest, s.day))
    outlook_date = params.count_as_of + dt.timedelta(days=params.outlook_days)
    if params.day_number(outlook_date) < last.day_latest:
        # The projection starts from the last statement; an earlier day is asked about as that day.
        later = last.date_latest or last.date
        notes.append(f"the outlook date, {long_date(outlook_date)}, precedes the last statement used "
                     f"({last.observation_id}, {long_date(later)}); the outlook asks about {long_date(later)}")
        outlook_date = later
    outlook_day = params.day_number(outlook_date)
    hazard_draws, share_draws, above, above_outlook = None, None, 0, 0
    # Chunk by chunk, as attrition draws, so memory does not grow with the draws: probabilities count
    # every draw, quantiles come from the first chunk (a uniform subsample, the draws being
    # independent). A run of one chunk (both profiles) draws exactly what one call for every draw would.
    for start in range(0, params.n_samples, CHUNK):
        draws = estimate.draw(min(CHUNK, params.n_samples - start), rng, last.day_latest)
        shares = draws["count"] / draws["committed"]
        above += int((shares > SHARE_ASKED).sum())
        if hazard_draws is None:
            hazard_draws = draws["shape"] * daily_hazard_from_probability(draws["p"], 1) / t0
            share_draws = shares
    for start in range(0, params.n_samples, CHUNK):
        ahead = estimate.draw(min(CHUNK, params.n_samples - start), rng, outlook_day)
        above_outlook += int((ahead["count"] > params.outlook_share * ahead["committed"]).sum())
    ordered = tuple(sorted((s.read_with(params.count_uncertainty) for s in found.used), key=lambda s: s.day))
    checks_free, checks_constant = [], []
    if checks and constant is not None:
        for i in range(1, len(ordered)):
            for shape, out in ((shape_90, checks_free), ((1.0, 1.0), checks_constant)):
                out.append(statement_checks.check_next(ordered[:i], ordered[i], shape_90=shape, rng=rng,
                                              size=params.n_samples, as_of_day=t0, committed_range=committed,
                                              prior=params.prior))
    claim_ids = found.claim_ids
    last_date = last.date_latest or last.date
    weights = estimate.weights
    reading_words = (f"the statements read as counts of one force ({weights.get('nested', 0.0):.0%} after the "
                     f"evidence) or as independent re-assessments ({weights.get('independent', 0.0):.0%})")
    judgments = (
        Judgment(
            id="pooling-rising-tempo",
            statement=(f"the rate at which the committed {words.unit_plural} of {words.subject} became combat-ineffective rose "
                       f"over the conflict's first {last.day_latest} days, to {long_date(last_date)} (a Weibull hazard shape above 1)"),
            probability=ExactProbability(estimate.probability_shape_above(1.0),
                                         "grid posterior of the Weibull shape, both readings weighted"),
            basis=(f"{len(found.used)} statements, each count read within +/-{params.count_uncertainty} and dated "
                   f"within its window; {reading_words}; Weibull shape prior 90% {shape_90[0]:g}-{shape_90[1]:g}; "
                   f"{committed[0]}-{committed[1]} {words.unit_plural} committed"),
            claim_ids=claim_ids,
        ),
        Judgment(
            id="pooling-third-ineffective",
            statement=(f"more than a third of the committed {words.unit_plural} had become combat-ineffective by "
                       f"{long_date(last_date)}"),
            probability=MonteCarloProbability.from_count(above, params.n_samples),
            basis=(f"{params.n_samples} draws of the count on {long_date(last_date)} given every statement; "
                   f"{reading_words}"),
            claim_ids=claim_ids,
            observable=Observable(last_date, *committed, share_above=SHARE_ASKED),
        ),
        Judgment(
            id="pooling-outlook",
            statement=(f"more than {params.outlook_share:.0%} of the committed {words.unit_plural} are "
                       f"combat-ineffective on {long_date(outlook_date)}"),
            probability=MonteCarloProbability.from_count(above_outlook, params.n_samples),
            basis=(f"{params.n_samples} draws of the count on {long_date(outlook_date)} given every statement, "
                   f"the hazard carried on from the last; {reading_words}"),
            claim_ids=claim_ids,
            observable=Observable(outlook_date, *committed, share_above=params.outlook_share),
        ),
    )
    return PoolingAssessment(
        as_of_day=t0, count_as_of=params.count_as_of, cut_off=params.as_of, committed_range=committed,
        statements=found.used, left_out=found.left_out, single=single_record, joint=estimate,
        pooled=nested or independent, constant=constant, independent=independent,
        checks_free=tuple(checks_free), checks_constant=tuple(checks_constant),
        daily_hazard=quantile_dict(hazard_draws),
        share_by_last={"date": last_date.isoformat(), "day": last.day_latest, "quantiles": quantile_dict(share_draws)},
        judgments=judgments, notes=tuple(notes),
    )


def section(params: Parameters, data: PoolingData, result: PoolingAssessment) -> dict:
    """The ``pooling`` section of ``results.json``, as the notebook records it."""
    from estimates.report.provenance import section_provenance

    claim_ids = tuple(dict.fromkeys(c for s in result.statements for c in s.claim_ids))
    provenance = section_provenance(params, MODEL.name, data.ledger, extra_claims=claim_ids, files=data.files)
    return result.to_dict() | {"words": params.words.to_dict()} | provenance
