"""The loss-data notebook's analysis in one call: claimed armour losses against "29 of 125".

Reads the claimed losses the parameters name (:mod:`estimates.inputs.loss_claims`), runs the threshold model
(:mod:`estimates.models.losses.crosscheck`) with the holdings in ``data/btg_holdings.csv``, and makes one
judgment: whether the claimed losses, spread over the committed BTGs, put at least the reported
number past the loss threshold. Its term sensitivity varies every uncertain input of the model.
Every file (the claimed losses, the Oryx snapshot, the holdings and the claims ledger) is read once,
by :func:`load`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from estimates.core.judgments import Judgment
from estimates.core.wording import long_date
from estimates.errors import InputError
from estimates.inputs.claims import Ledger, load_ledger
from estimates.inputs.files import load_parameter_file
from estimates.inputs.loss_claims import (
    claimed_losses,
    load_equipment_losses,
    load_oryx,
)
from estimates.inputs.transfers import load_holdings
from estimates.models.losses import MODEL
from estimates.models.losses.crosscheck import (
    LossCrossCheck,
    armour_per_btg,
    assess_losses,
    oryx_overcount_bound,
)
from estimates.parameters.schema import Parameters

#: Claims the judgment rests on: the loss claims, the Oryx bound behind the over-count, the
#: holdings per BTG and the count it is set beside.
CLAIMS = ("uags-armour-losses", "oryx-tanks-confirmed", "btg-size-tanks", "btg-size-ifv", "btg-ineffective-29")


#: Dates the undated Oryx snapshot may have been taken on (its contents match Oryx's totals of about
#: December 2022 to February 2023; data/ukraine_losses/README.md): the over-count bound at each.
ORYX_DATES = ("2022-12-31", "2023-02-24")


@dataclass(frozen=True, eq=False)
class LossesData:
    """Every file the losses model reads, read once."""

    ledger: Ledger
    #: The claimed equipment losses ``losses_path`` names, revision-consistent
    #: (:func:`~estimates.inputs.loss_claims.load_equipment_losses`); ``attrs`` hold path and SHA-256.
    equipment: pd.DataFrame
    equipment_path: Path
    #: Oryx's visually confirmed losses (the bundled, undated snapshot).
    oryx: pd.DataFrame
    #: ``tanks_per_btg`` and ``vehicles_per_btg``: 90% intervals from ``data/btg_holdings.csv``.
    holdings: dict
    holdings_sha256: str
    holdings_path: Path

    @property
    def files(self) -> dict[Path, str]:
        """``{path: SHA-256}`` of every file read, the ledger first."""
        return {self.ledger.path: self.ledger.sha256, self.equipment_path: self.equipment.attrs["sha256"],
                self.holdings_path: self.holdings_sha256, Path(self.oryx.attrs["path"]): self.oryx.attrs["sha256"]}


def load(params: Parameters) -> LossesData:
    """Read the claims ledger and the claimed losses the parameters name, the Oryx snapshot and the
    BTG holdings."""
    ledger = load_parameter_file(params, "claims_path", load_ledger)
    equipment = load_parameter_file(params, "losses_path", lambda path: load_equipment_losses(path, consistent=True))
    holdings = load_parameter_file(params, "holdings_path", load_holdings)
    (held, holdings_sha256) = holdings.value
    return LossesData(ledger=ledger.value, equipment=equipment.value, equipment_path=equipment.path,
                      oryx=load_oryx(), holdings=armour_per_btg(held), holdings_sha256=holdings_sha256,
                      holdings_path=holdings.path)


def check(params: Parameters, data: LossesData) -> None:
    """``as_of`` outside the claimed losses' dates: InputError naming it."""
    first, last = data.equipment.index[0], data.equipment.index[-1]
    if not first.date() <= params.as_of <= last.date():
        raise InputError(f"parameter 'as_of': the loss data run from {first.date()} to {last.date()}; "
                         f"got {params.as_of}")


@dataclass(frozen=True, eq=False)
class LossAssessment:
    check: LossCrossCheck
    judgments: tuple[Judgment, ...]
    #: Upper bounds on the over-count factor from Oryx's confirmed counts, by date and category
    #: (empty on the judgments-only path, :func:`key_judgments`).
    oryx_bound: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        return self.check.summary()

    def _repr_html_(self) -> str:
        return self.check._repr_html_()

    def judgments_frame(self) -> pd.DataFrame:
        from estimates.core.judgments import judgments_frame

        return judgments_frame(list(self.judgments))

    def plot(self, ax=None):
        """The implied count against the report on ``ax``; without one, a figure with the
        over-count x concentration grid below it."""
        if ax is not None:
            return self.check.plot(ax=ax)
        from estimates.models.losses import charts

        return charts.overview(self.to_dict())

    def to_dict(self) -> dict:
        return self.check.to_dict() | {"judgments": [j.to_dict() for j in self.judgments],
                                       "oryx_bound": self.oryx_bound.to_dict(orient="records")}


def assess(params: Parameters, data: LossesData, rng: np.random.Generator, *,
           sensitivity: bool = False) -> LossAssessment:
    """Cross-check ``params.units_ineffective`` against the losses claimed by ``params.as_of``.

    With ``sensitivity``, the judgment carries its term sensitivity, recomputed through
    :func:`key_judgments` with ``data`` as read.
    """
    result = _assess(params, data, rng, grid=True)
    if not sensitivity:
        return result

    return replace(result, judgments=MODEL.term_sensitivity(params, data, result.judgments))


def key_judgments(params: Parameters, data: LossesData, rng: np.random.Generator) -> tuple[Judgment, ...]:
    """The judgment of :func:`assess` without the over-count x concentration grid; its draws come
    first from ``rng`` either way, so it is the number :func:`assess` gives at the same parameters."""
    return _assess(params, data, rng, grid=False).judgments


def _assess(params: Parameters, data: LossesData, rng: np.random.Generator, *, grid: bool) -> LossAssessment:
    claimed = claimed_losses(params.as_of, data.equipment)
    oryx_bound = oryx_overcount_bound(data.equipment, data.oryx, ORYX_DATES) if grid else pd.DataFrame()
    low, high = params.committed_range
    extra = {} if grid else {"grid_overcount": (1.0,), "grid_concentration": (1.0,)}
    check = assess_losses(
        claimed, rng=rng, btg_committed_low=low, btg_committed_high=high,
        **data.holdings,
        overcount_90=(params.overcount_low, params.overcount_high),
        threshold_90=(params.loss_threshold_low, params.loss_threshold_high),
        concentration=params.loss_concentration,
        share_on_btgs=(params.loss_share_on_units_low, params.loss_share_on_units_high),
        n_samples=params.n_samples, reported_ineffective=params.units_ineffective,
        reported_committed=params.units_committed, **extra,
    )
    judgment = Judgment(
        id="losses-at-least-reported",
        statement=(f"Ukraine's claimed armour losses to {long_date(claimed.as_of)}, spread over the committed "
                   f"BTGs, put at least {params.units_ineffective} of them past the loss threshold of "
                   f"combat ineffectiveness"),
        probability=check.probability_at_least(),
        basis=(f"{check.n_samples} draws: {claimed.tank:,.0f} tanks and {claimed.apc:,.0f} fighting vehicles "
               f"claimed, over-count {params.overcount_low:g}-{params.overcount_high:g} (90%), loss "
               f"threshold {params.loss_threshold_low:.0%}-{params.loss_threshold_high:.0%}, Dirichlet "
               f"concentration {params.loss_concentration:g}"),
        claim_ids=CLAIMS,
    )
    return LossAssessment(check, (judgment,), oryx_bound)


def section(params: Parameters, data: LossesData, result: LossAssessment) -> dict:
    """The ``losses`` section of ``results.json``, as the notebook records it."""
    from estimates.report.provenance import section_provenance

    provenance = section_provenance(params, MODEL.name, data.ledger, extra_claims=CLAIMS, files=data.files)
    return result.to_dict() | provenance
