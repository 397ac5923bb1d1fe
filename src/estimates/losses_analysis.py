"""The loss-data notebook's analysis in one call: claimed armour losses against "29 of 125".

Reads the claimed losses the parameters name (:mod:`estimates.losses`), runs the threshold model
(:mod:`estimates.equipment_losses`) with the holdings in ``data/btg_holdings.csv``, and makes one
judgment: whether the claimed losses, spread over the committed BTGs, put at least the reported
number past the loss threshold. Its term sensitivity varies every uncertain input of the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .claims import load_ledger
from .equipment_losses import LossCrossCheck, assess_losses, holdings_90, oryx_overcount_bound
from .judgments import Judgment, with_term_sensitivity
from .losses import claimed_losses, load_equipment_losses, load_oryx
from .params import Parameters, names_for, spec
from .paths import HOLDINGS, project_path
from .wording import long_date

#: Claims the judgment rests on: the loss claims, the Oryx bound behind the over-count, the
#: holdings per BTG and the count it is set beside.
CLAIMS = ("uags-armour-losses", "oryx-tanks-confirmed", "btg-size-tanks", "btg-size-ifv", "btg-ineffective-29")
#: Inputs that define the question (which date, which count) rather than what is known.
QUESTION_PARAMETERS = ("as_of", "btg_ineffective")


#: Dates the undated Oryx snapshot may have been taken on (its contents match Oryx's totals of about
#: December 2022 to February 2023; data/ukraine_losses/README.md): the over-count bound at each.
ORYX_DATES = ("2022-12-31", "2023-02-24")


@dataclass(frozen=True, eq=False)
class LossAssessment:
    check: LossCrossCheck
    judgments: tuple[Judgment, ...]
    #: Upper bounds on the over-count factor from Oryx's confirmed counts, by date and category.
    oryx_bound: pd.DataFrame
    #: The Oryx file read for them: ``{path: SHA-256}`` (empty when not read).
    oryx_file: dict

    def summary(self) -> pd.DataFrame:
        return self.check.summary()

    def judgments_frame(self) -> pd.DataFrame:
        from .judgments import judgments_frame

        return judgments_frame(list(self.judgments))

    def plot(self):
        from . import plotting

        return plotting.losses_figures(self.to_dict())

    def to_dict(self) -> dict:
        return self.check.to_dict() | {"judgments": [j.to_dict() for j in self.judgments],
                                       "oryx_bound": self.oryx_bound.to_dict(orient="records")}


def assess(params: Parameters, rng: np.random.Generator, *, sensitivity: bool = False,
           grid: bool = True) -> LossAssessment:
    """Cross-check ``params.btg_ineffective`` against the losses claimed by ``params.as_of``.

    ``grid=False`` skips the over-count x concentration table (the term sensitivity needs only
    the judgment); the judgment's draws come first from ``rng`` either way.
    """
    frame = load_equipment_losses(project_path(params.losses_path), consistent=True)
    claimed = claimed_losses(params.as_of, frame)
    oryx = load_oryx() if grid else None
    oryx_bound = oryx_overcount_bound(frame, oryx, ORYX_DATES) if grid else pd.DataFrame()
    oryx_file = {Path(oryx.attrs["path"]): oryx.attrs["sha256"]} if grid else {}
    holdings = holdings_90(HOLDINGS)
    low, high = params.committed_range
    extra = {} if grid else {"grid_overcount": (1.0,), "grid_concentration": (1.0,)}
    check = assess_losses(
        claimed, rng=rng, btg_committed_low=low, btg_committed_high=high,
        **holdings,
        overcount_90=(params.overcount_low, params.overcount_high),
        threshold_90=(params.loss_threshold_low, params.loss_threshold_high),
        concentration=params.loss_concentration,
        share_on_btgs=(params.loss_share_on_btgs_low, params.loss_share_on_btgs_high),
        n_samples=params.n_samples, reported_ineffective=params.btg_ineffective,
        reported_committed=params.btg_committed, **extra,
    )
    judgment = Judgment(
        id="losses-at-least-reported",
        statement=(f"Ukraine's claimed armour losses to {long_date(claimed.as_of)}, spread over the committed "
                   f"BTGs, put at least {params.btg_ineffective} of them past the loss threshold of "
                   f"combat ineffectiveness"),
        probability=check.probability_at_least(),
        basis=(f"{check.n_samples} draws: {claimed.tank:,.0f} tanks and {claimed.apc:,.0f} fighting vehicles "
               f"claimed, over-count {params.overcount_low:g}-{params.overcount_high:g} (90%), loss "
               f"threshold {params.loss_threshold_low:.0%}-{params.loss_threshold_high:.0%}, Dirichlet "
               f"concentration {params.loss_concentration:g}"),
        claim_ids=CLAIMS,
    )
    judgments = (judgment,)
    if sensitivity:
        judgments = with_term_sensitivity(judgments, params, key_judgments, sensitivity_inputs())
    return LossAssessment(check, judgments, oryx_bound, oryx_file)


def sensitivity_inputs() -> tuple[str, ...]:
    return tuple(n for n in names_for("losses") if spec(n).plausible and n not in QUESTION_PARAMETERS)


def key_judgments(params: Parameters) -> tuple[Judgment, ...]:
    """The judgments of :func:`assess`, with the generator the notebook uses for ``params.seed``."""
    from .randomness import model_rng

    return assess(params, model_rng(params.seed, "losses"), grid=False).judgments


def section(params: Parameters, rng: np.random.Generator | None = None, *,
            assessment: LossAssessment | None = None) -> dict:
    """The ``losses`` section of ``results.json``, as the notebook records it."""
    from .provenance import section_provenance
    from .record import jsonable
    from .storage import sha256_file

    if (rng is None) == (assessment is None):
        raise ValueError("pass either rng (to assess here) or the assessment already made")
    if assessment is None:
        assessment = assess(params, rng, sensitivity=True)
    ledger = load_ledger(project_path(params.claims_path))
    files = {project_path(params.losses_path): assessment.check.claimed.sha256, HOLDINGS: sha256_file(HOLDINGS),
             **assessment.oryx_file}
    provenance = section_provenance(params, "losses", ledger, extra_claims=CLAIMS, files=files)
    return jsonable(assessment.to_dict() | provenance)

