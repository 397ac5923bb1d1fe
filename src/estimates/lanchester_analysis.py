"""The Lanchester notebook's analysis in one call: the engine checked, history, then the tempo.

Three parts. First the engine is run on Engel's Iwo Jima case in all three methods, so a reader sees
it reproduce a published figure before it is used. Second, history: across the CDB90 battles,
which law's relation between force ratio and casualty exchange fits (:mod:`estimates.
lanchester_history`), over all battles and over those with small losses, where the relation holds
best. Then Russia's side of the war alone is fitted to
Ukraine's claimed daily personnel losses up to the as-of date: a constant absolute loss rate (square
law against an opponent of steady strength) against a constant per-capita hazard (logarithmic law,
which one-sided is the same as the linear law). The second is the shape the attrition model assumes
for BTGs, so the loss claims say whether that assumption looks right, and the fitted per-capita
hazard is set beside the BTG hazard the single report implies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from . import lanchester, lanchester_fit, lanchester_history
from .battles import load_battles
from .claims import load_ledger
from .distributions import prior_parameters
from .losses import load_personnel_losses
from .params import Parameters
from .paths import CDB90_DIR, project_path

#: Claims the one-sided fit rests on: the personnel loss claims and the initial strength.
CLAIMS = ("uags-personnel-losses", "reuters-btg-border-125")
CHECK_DAY = 35
#: Largest fractional loss of either side in the small-loss subset of the historical fit, where the
#: approximation behind the slope holds (it selects on casualties, which the briefing says).
SMALL_LOSS_CAP = 0.1


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
    #: SHA-256 of the personnel-loss file read.
    personnel_sha256: str
    #: The slope of casualty exchange on force ratio across CDB90, all battles and small losses.
    history: lanchester_history.LanchesterHistory
    history_small_losses: lanchester_history.LanchesterHistory
    #: SHA-256 of each CDB90 file read, by file name.
    battles_sha256: dict

    def iwo_jima_frame(self) -> pd.DataFrame:
        recorded = lanchester.IWO_JIMA.recorded_casualties_m[CHECK_DAY]
        rows = {method: {f"US casualties by day {CHECK_DAY}": t.at(CHECK_DAY)["US casualties"],
                         "relative to recorded": t.at(CHECK_DAY)["US casualties"] / recorded - 1.0,
                         "Japanese annihilated (day)": t.annihilated_n}
                for method, t in self.iwo_jima.items()}
        return pd.DataFrame(rows).T

    def tempo_frame(self) -> pd.DataFrame:
        if self.tempo is None:
            return pd.DataFrame()
        return pd.concat([fit.summary() for fit in self.tempo.fits]).join(
            self.tempo.summary()[["delta_aic", "akaike_weight"]])

    def plot(self):
        from . import plotting

        return plotting.lanchester_figures(self.to_dict())

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
    """The daily BTG hazard the single report implies, -log(1 - p) / t0, at the posterior's
    5%, 50% and 95% points (a monotone map of the Beta posterior, so exact)."""
    a, b = prior_parameters(params.prior)
    posterior = stats.beta(params.btg_ineffective + a, params.btg_committed - params.btg_ineffective + b)
    levels = (0.05, 0.5, 0.95)
    values = -np.log1p(-posterior.ppf(levels)) / params.days_elapsed
    return {f"{q:g}": float(v) for q, v in zip(levels, values)}


def _without_scatter(record: dict) -> dict:
    # The small-loss battles are a subset of the full scatter already recorded.
    return {key: value for key, value in record.items() if key != "scatter"}


def assess(params: Parameters) -> LanchesterAssessment:
    battles = load_battles(CDB90_DIR)
    frame = load_personnel_losses(project_path(params.personnel_losses_path), consistent=True)
    window = frame[frame["day"] <= params.days_elapsed]
    # The total published on a day's morning counts the losses to the end of the day before, so
    # day d's figure is the loss after d - 1 days of war.
    elapsed, claimed = window["day"].to_numpy() - 1, window["personnel"].to_numpy()
    enough = len(window) >= 3
    tempo = lanchester_fit.fit_one_sided(elapsed, claimed, initial_strength=params.russian_initial_strength) \
        if enough else None
    return LanchesterAssessment(
        iwo_jima={method: lanchester.iwo_jima(method) for method in lanchester.METHODS},
        tempo=tempo, btg_hazard=btg_hazard(params), as_of_day=params.days_elapsed,
        halves=tempo_by_half(elapsed, claimed) if enough else None,
        claimed_share=float(claimed[-1] / params.russian_initial_strength),
        personnel_sha256=frame.attrs["sha256"],
        history=lanchester_history.fit_history(battles),
        history_small_losses=lanchester_history.fit_history(battles, loss_cap=SMALL_LOSS_CAP),
        battles_sha256=dict(battles.attrs["sha256"]),
    )


def tempo_by_half(elapsed: np.ndarray, cumulative: np.ndarray) -> tuple[dict, dict]:
    """Mean claimed losses per day over each half of the window, from nothing lost at 0 days.

    ``elapsed`` is days of war behind each cumulative figure; the halves are reported in days of
    the war (day 1 is the first), so the first half starts on day 1.

    Examples
    --------
    >>> tempo_by_half(np.array([1, 2, 3, 4]), np.array([10, 15, 18, 20]))[1]["per_day"]
    2.5
    """
    days = np.concatenate([[0.0], np.asarray(elapsed, dtype=float)]) + 1.0
    cumulative = np.concatenate([[0.0], np.asarray(cumulative, dtype=float)])
    middle = len(days) // 2
    halves = []
    for first, last in ((0, middle), (middle, len(days) - 1)):
        span = days[last] - days[first]
        halves.append({"from_day": int(days[first]), "to_day": int(days[last]),
                       "per_day": float((cumulative[last] - cumulative[first]) / span)})
    return halves[0], halves[1]


def section(params: Parameters, assessment: LanchesterAssessment | None = None) -> dict:
    """The ``lanchester`` section of ``results.json``, as the notebook records it."""
    from .provenance import section_provenance
    from .record import jsonable

    assessment = assess(params) if assessment is None else assessment
    ledger = load_ledger(project_path(params.claims_path))
    files = {project_path(params.personnel_losses_path): assessment.personnel_sha256,
             **{CDB90_DIR / name: digest for name, digest in assessment.battles_sha256.items()}}
    provenance = section_provenance(params, "lanchester", ledger, extra_claims=CLAIMS, files=files)
    return jsonable(assessment.to_dict() | provenance)
