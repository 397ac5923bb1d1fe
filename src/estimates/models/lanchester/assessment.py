"""The Lanchester notebook's analysis in one call: the engine checked, history, then the tempo.

Three parts. First the engine is run on Engel's Iwo Jima case in all three methods, so a reader sees
it reproduce a published figure before it is used. Second, history: across the CDB90 battles,
which law's relation between force ratio and casualty exchange fits (:mod:`estimates.models.
lanchester.history`), over all battles and over those with small losses, where the relation holds
best. Then the subject's side alone is fitted to the claimed daily personnel losses
(``personnel_losses_path``) up to the count's date: a constant absolute loss rate (square law
against an opponent of steady strength) against a constant per-capita hazard (logarithmic law,
which one-sided is the same as the linear law). The second is the shape the attrition model assumes
for units, so the loss claims speak to the shape of a loss tempo. The fitted per-capita hazard of
being claimed killed is recorded beside the unit hazard the single report implies, but not compared
with it in size: one is a soldier's daily chance of being claimed killed, the other a unit's daily
chance of crossing a threshold of accumulated losses, and no figure here links the two. Day 1 is the
case's ``conflict_start`` and a cumulative figure dated day d covers d days of fighting, as in every
model; claims after the cut-off ``as_of`` are not read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from estimates.core.display import Table
from estimates.core.distributions import prior_parameters
from estimates.core.hazard import daily_hazard_from_probability
from estimates.core.vocabulary import Vocabulary
from estimates.errors import InputError
from estimates.inputs.battles import load_battles
from estimates.inputs.claims import Ledger, load_ledger
from estimates.inputs.files import load_parameter_file
from estimates.inputs.loss_claims import (
    load_personnel_series,
    revision_consistent,
    up_to,
)
from estimates.models.lanchester import MODEL, reading
from estimates.models.lanchester import equations as lanchester
from estimates.models.lanchester import fitting as lanchester_fit
from estimates.models.lanchester import history as lanchester_history
from estimates.parameters.schema import Parameters
from estimates.paths import CDB90_DIR

#: Parameters whose claims the one-sided fit rests on: the personnel loss claims and the initial strength.
CLAIMED_BY = ("personnel_losses_path", "initial_strength")
CHECK_DAY = 35
#: Largest fractional loss of either side in the small-loss subset of the historical fit, where the
#: approximation behind the slope holds (it selects on casualties, which the briefing says).
SMALL_LOSS_CAP = 0.1
#: Words for an assessment made outside a case.
GENERIC = Vocabulary("the force", "unit", "units", "unit", "the reporting source")


@dataclass(frozen=True, eq=False)
class LanchesterData:
    """Every file the Lanchester model reads, read once."""

    ledger: Ledger
    #: Claimed personnel losses as published (``personnel_losses_path``) to the cut-off ``as_of``;
    #: ``attrs`` hold path and SHA-256.
    personnel_claimed: pd.DataFrame
    #: The same, revision-consistent (:func:`~estimates.inputs.loss_claims.revision_consistent`): what is fitted.
    personnel: pd.DataFrame
    personnel_path: Path
    #: CDB90, one row per battle; ``attrs["sha256"]`` maps each file name to its SHA-256.
    battles: pd.DataFrame

    @property
    def files(self) -> dict[Path, str]:
        """``{path: SHA-256}`` of every file read, the ledger first."""
        return {self.ledger.path: self.ledger.sha256, self.personnel_path: self.personnel.attrs["sha256"],
                **{CDB90_DIR / name: digest for name, digest in self.battles.attrs["sha256"].items()}}


def load(params: Parameters) -> LanchesterData:
    """Read the claims ledger, the personnel losses the parameters name (to the cut-off; a CSV
    ``date,category,cumulative`` with category ``personnel`` or the bundled JSON format) and CDB90."""
    ledger = load_parameter_file(params, "claims_path", load_ledger)
    personnel = load_parameter_file(params, "personnel_losses_path",
                                    lambda path: load_personnel_series(path, start=params.conflict_start))
    claimed = up_to(personnel.value, params.as_of)
    return LanchesterData(ledger=ledger.value, personnel_claimed=claimed,
                          personnel=revision_consistent(claimed), personnel_path=personnel.path,
                          battles=load_battles(CDB90_DIR))


def check(params: Parameters, data: LanchesterData) -> None:
    """The count's date outside the personnel losses' dates (to the cut-off), or an initial strength
    no larger than the losses claimed by then: InputError naming the parameter."""
    claims = data.personnel_claimed
    when = params.count_as_of
    if claims.empty:
        raise InputError(f"parameter 'as_of': the personnel loss data {data.personnel_path.name} start after "
                         f"the cut-off {params.as_of}")
    first, last = claims.index[0], claims.index[-1]
    if not first.date() <= when <= last.date():
        name = "count_date" if params.count_date <= params.as_of else "as_of"
        raise InputError(f"parameter '{name}': the loss data run from {first.date()} to {last.date()} "
                         f"(to the cut-off); got {when}")
    claimed = float(claims.loc[claims.index <= str(when), "personnel"].dropna().iloc[-1])
    if not params.initial_strength > claimed:
        raise InputError(f"parameter 'initial_strength': must exceed the {claimed:,.0f} personnel "
                         f"losses claimed by {when}; got {params.initial_strength:g}")


@dataclass(frozen=True, eq=False)
class LanchesterAssessment:
    iwo_jima: dict[str, lanchester.Trajectory]
    #: ``None`` before three days of claims exist (as-of dates in the war's first days).
    tempo: lanchester_fit.LawComparison | None
    btg_hazard: dict
    as_of_day: int
    #: Mean claimed losses per day in the first and the second half of the window: neither fitted
    #: shape can fall faster than the force shrinks, so a steep fall here is a misfit of both.
    halves: tuple[dict, dict] | None
    #: Claimed personnel losses at the as-of date as a share of the initial strength.
    claimed_share: float
    #: The slope of casualty exchange on force ratio across CDB90, all battles and small losses.
    history: lanchester_history.LanchesterHistory
    history_small_losses: lanchester_history.LanchesterHistory
    #: The case's words (:class:`~estimates.core.vocabulary.Vocabulary`).
    words: Vocabulary = GENERIC

    def iwo_jima_table(self) -> Table:
        return reading.iwo_jima_table(self, CHECK_DAY, lanchester.IWO_JIMA.recorded_casualties_m[CHECK_DAY])

    def tempo_table(self) -> Table:
        return reading.tempo_table(self)

    def history_table(self) -> Table:
        return reading.history_table(self)

    def summary(self) -> pd.DataFrame:
        """The key numbers, each with its 90% interval where it has one."""
        case, iwo = lanchester.IWO_JIMA, self.iwo_jima["landings-first"]
        recorded = case.recorded_casualties_m[CHECK_DAY]
        rows = {f"Iwo Jima: US casualties by day {CHECK_DAY}, Engel's daily steps":
                (iwo.at(CHECK_DAY)["US casualties"], np.nan, np.nan, f"recorded: about {recorded:,.0f}")}
        laws = "square -1, linear 0, logarithmic +1"
        for label, history in (("all battles", self.history), ("small losses", self.history_small_losses)):
            interval = history.interval()
            rows[f"history: casualty-exchange slope, {label} (n = {history.n_used})"] = (
                history.slope, interval.low, interval.high, laws)
        if self.tempo is not None:
            hazard = {fit.shape: fit for fit in self.tempo.fits}["constant-hazard"]
            weights = self.tempo.summary()["akaike_weight"]
            rows["tempo: per-capita hazard of being claimed killed, per day"] = (
                hazard.coefficient, hazard.interval.low, hazard.interval.high,
                "Akaike weights: " + ", ".join(f"{shape} {w:.0%}" for shape, w in weights.items()))
        rows[f"single report: hazard of a {self.words.unit_short} becoming ineffective, per day"] = (
            self.btg_hazard["0.5"], self.btg_hazard["0.05"], self.btg_hazard["0.95"],
            "median of the Beta posterior; another quantity than the per-capita hazard, not comparable in size")
        rows["claimed personnel losses / initial strength"] = (self.claimed_share, np.nan, np.nan, "")
        table = pd.DataFrame.from_dict(rows, orient="index", columns=["estimate", "low", "high", "note"])
        table.index.name = "quantity (90% intervals)"
        return table

    def summary_table(self) -> Table:
        """:meth:`summary` as a reader sees it: every figure rounded to what it means."""
        return reading.summary_table(self, CHECK_DAY, lanchester.IWO_JIMA.recorded_casualties_m[CHECK_DAY])

    def _repr_html_(self) -> str:
        return self.summary_table()._repr_html_()

    def plot_iwo_jima(self, ax=None):
        from estimates.models.lanchester import charts

        ax = charts.iwo_jima_chart(self.to_dict()["iwo_jima"], ax=ax)
        ax.set_title("Iwo Jima under Engel's coefficients: strengths by day, three ways")
        return ax

    def plot_tempo(self, ax=None):
        """The claimed losses with the fitted shapes (nothing before three days of claims)."""
        from estimates.models.lanchester import charts

        tempo = self.to_dict()["tempo"]
        if tempo is None:
            return None
        ax = charts.tempo_chart(tempo, ax=ax)
        ax.set_title(f"Claimed personnel losses of {self.words.subject} and the two fitted shapes")
        return ax

    def plot(self, ax=None):
        """The tempo fits (the historical scatter before three days of claims) on ``ax``; without
        one, a figure with Iwo Jima, history and the tempo, one panel each."""
        from estimates.models.lanchester import charts

        section = self.to_dict()
        if ax is None:
            return charts.overview(section)
        if section["tempo"] is None:
            return charts.history_chart(section["history"], ax=ax)
        return charts.tempo_chart(section["tempo"], ax=ax)

    def to_dict(self) -> dict:
        recorded = lanchester.IWO_JIMA.recorded_casualties_m[CHECK_DAY]
        case = lanchester.IWO_JIMA
        return {
            "iwo_jima": {
                "source": case.source, "a": case.a, "b": case.b, "labels": list(case.labels),
                "check_day": CHECK_DAY, "recorded_casualties_m": recorded,
                "methods": {method: {"casualties_m": float(t.at(CHECK_DAY)["US casualties"]),
                                     "relative_to_recorded": float(t.at(CHECK_DAY)["US casualties"] / recorded - 1),
                                     "annihilated_n": t.annihilated_n,
                                     "days": [float(d) for d in t.days], "m": [float(v) for v in t.m],
                                     "n": [float(v) for v in t.n]}
                            for method, t in self.iwo_jima.items()},
            },
            **self._tempo_record(),
            "btg_hazard_per_day": self.btg_hazard,
            "claimed_share_of_strength": self.claimed_share,
            "claimed_per_day_by_half": None if self.halves is None else list(self.halves),
            "history": self.history.to_dict(),
            "history_small_losses": _without_scatter(self.history_small_losses.to_dict()),
            "as_of_day": self.as_of_day,
            "words": self.words.to_dict(),
        }

    def _tempo_record(self) -> dict:
        if self.tempo is None:
            return {"tempo": None, "personnel_hazard_per_day": None}
        fits = {fit.shape: fit for fit in self.tempo.fits}
        hazard_fit = fits["constant-hazard"]
        return {
            "tempo": self.tempo.to_dict() | {
                "initial_strength": hazard_fit.initial_strength,
                "days": [float(d) for d in hazard_fit.days],
                "observed": [float(v) for v in hazard_fit.observed],
                "fitted": {shape: [float(v) for v in fit.fitted] for shape, fit in fits.items()},
            },
            "personnel_hazard_per_day": hazard_fit.interval.to_dict() | {"estimate": hazard_fit.coefficient},
        }


def btg_hazard(params: Parameters) -> dict:
    """The daily unit hazard the single report implies, -log(1 - p) / t0, at the posterior's
    5%, 50% and 95% points (a monotone map of the Beta posterior, so exact)."""
    a, b = prior_parameters(params.prior)
    posterior = stats.beta(params.units_ineffective + a, params.units_committed - params.units_ineffective + b)
    levels = (0.05, 0.5, 0.95)
    values = daily_hazard_from_probability(posterior.ppf(levels), params.days_elapsed)
    return {f"{q:g}": float(v) for q, v in zip(levels, values)}


def _without_scatter(record: dict) -> dict:
    # The small-loss battles are a subset of the full scatter already recorded.
    return {key: value for key, value in record.items() if key != "scatter"}


def assess(params: Parameters, data: LanchesterData, rng=None, *, sensitivity: bool = False) -> LanchesterAssessment:
    """Iwo Jima, the CDB90 slope and the one-sided fit to the claimed personnel losses by
    ``params.count_as_of`` (claims after the cut-off are not read). It draws no random numbers and makes no judgments: ``rng`` and
    ``sensitivity`` are accepted for the one signature and ignored."""
    frame = data.personnel
    window = frame[frame["day"] <= params.days_elapsed].dropna(subset=["personnel"])
    # One day convention for every model: a cumulative figure dated day d (day 1 = conflict_start)
    # covers d days of fighting, as attrition's t0 is the day number of the count's date. (A figure
    # published on a morning may count to the end of the day before; reading it so here alone would
    # set the tempo against a hazard measured over one day more.)
    elapsed, claimed = window["day"].to_numpy(), window["personnel"].to_numpy()
    enough = len(window) >= 3
    tempo = lanchester_fit.fit_one_sided(elapsed, claimed, initial_strength=params.initial_strength) \
        if enough else None
    return LanchesterAssessment(
        iwo_jima={method: lanchester.iwo_jima(method) for method in lanchester.METHODS},
        tempo=tempo, btg_hazard=btg_hazard(params), as_of_day=params.days_elapsed,
        halves=tempo_by_half(elapsed, claimed) if enough else None,
        claimed_share=float(claimed[-1] / params.initial_strength),
        history=lanchester_history.fit_history(data.battles),
        history_small_losses=lanchester_history.fit_history(data.battles, loss_cap=SMALL_LOSS_CAP),
        words=params.words,
    )


def key_judgments(params: Parameters, data: LanchesterData, rng=None) -> tuple:
    """None: the Lanchester model informs the others' judgments but makes none of its own."""
    return ()


def tempo_by_half(elapsed: np.ndarray, cumulative: np.ndarray) -> tuple[dict, dict]:
    """Mean claimed losses per day over each half of the window, from nothing lost at 0 days.

    ``elapsed`` is the days of fighting each cumulative figure covers (its day number: day 1 is
    the first); each half runs from the day after the figure it starts from to the day of the
    figure it ends on, so the first starts on day 1 and the second on the day after the first ends.

    Examples
    --------
    >>> first, second = tempo_by_half(np.array([1, 2, 3, 4]), np.array([10, 15, 18, 20]))
    >>> (first["from_day"], first["to_day"], second["from_day"], second["to_day"]), second["per_day"]
    ((1, 2, 3, 4), 2.5)
    """
    days = np.concatenate([[0.0], np.asarray(elapsed, dtype=float)])
    cumulative = np.concatenate([[0.0], np.asarray(cumulative, dtype=float)])
    middle = len(days) // 2
    halves = []
    for first, last in ((0, middle), (middle, len(days) - 1)):
        span = days[last] - days[first]
        halves.append({"from_day": int(days[first]) + 1, "to_day": int(days[last]),
                       "per_day": float((cumulative[last] - cumulative[first]) / span)})
    return halves[0], halves[1]


def section(params: Parameters, data: LanchesterData, result: LanchesterAssessment) -> dict:
    """The ``lanchester`` section of ``results.json``, as the notebook records it."""
    from estimates.report.provenance import section_provenance

    claims = tuple(c for c in (params.claim_for(name) for name in CLAIMED_BY) if c)
    provenance = section_provenance(params, MODEL.name, data.ledger, extra_claims=claims, files=data.files)
    personnel = params.claim_for("personnel_losses_path")
    known = personnel if personnel and personnel in data.ledger else None
    sourcing = {"claims": {"personnel": known},
                "source": data.ledger[known].originator if known else data.personnel_path.name,
                "source_is_file": known is None}
    return result.to_dict() | sourcing | provenance
