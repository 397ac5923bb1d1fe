"""Resupply: the entry points of the model (:mod:`estimates.model`), so the notebook stays thin.

:func:`assess` computes attrition through the package with attrition's own seed-derived stream (so
its numbers match the attrition section exactly), simulates the transfers
(:mod:`estimates.models.resupply.simulation`) and, with ``sensitivity``, checks whether each
judgment's term holds across every parameter's plausible range and ranks the inputs that would most
change each judgment by their Sobol total indices ("indicators to watch").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from estimates.core.judgments import Judgment, judgments_frame
from estimates.core.randomness import model_rng
from estimates.core.sobol import SobolResult, sobol_indices
from estimates.inputs.claims import Ledger, load_ledger
from estimates.inputs.files import load_parameter_file
from estimates.inputs.grade_table import GradeTable, load_grade_table
from estimates.inputs.transfers import (
    Consignment,
    Holding,
    load_holdings,
    load_transfers,
)
from estimates.models.attrition import assessment as attrition
from estimates.models.resupply.capability import ResupplyModel, build_model
from estimates.models.resupply.simulation import ResupplySimulation, simulate
from estimates.parameters.schema import Parameters, names_for
from estimates.parameters.variations import with_term_sensitivity

#: Draws per recomputation in the sensitivity analyses: enough to place a probability in its ICD
#: 203 band, few enough that ~70 recomputations take seconds.
SENSITIVITY_SAMPLES = 4000
SOBOL_BASE = 1024

#: What an analyst would watch for, per sensitivity group of inputs.
INDICATORS = {
    "claim truth": "independent corroboration or denial of the transfer claims (they rest on anonymous "
                   "Hashd al-Shaabi sources carried by one article)",
    "rpg_launchers quantity": "how many RPG launchers were actually moved",
    "atgm_launchers quantity": "how many anti-tank missile launchers were actually moved",
    "item masses": "the size of the consignments (mass per item)",
    "undated departures": "when the Bavar-373 and S-300 left Iran, if they did",
    "road transit to port": "road movements from Shalamcheh to Bandar Anzali",
    "Caspian shipping": "Caspian sailings Bandar Anzali to Astrakhan (ship tracking, AIS gaps)",
    "onward transit to the front": "rail movements from Astrakhan toward the front",
    "BTG holdings": "what BTGs actually hold of each category",
    "equipment lost per ineffective BTG": "visually confirmed equipment losses per ineffective BTG",
    "attrition": "the pace at which BTGs become combat-ineffective",
}


@dataclass(frozen=True)
class ResupplyData:
    """Everything a resupply assessment reads: the claims ledger and grade table the parameters name,
    the bundled transfers and holdings, and ``files``, each file read with its SHA-256."""

    ledger: Ledger
    consignments: tuple[Consignment, ...]
    holdings: tuple[Holding, ...]
    grades: GradeTable
    files: dict[Path, str]

    @property
    def claim_ids(self) -> tuple[str, ...]:
        """Claims the transfers and holdings rest on, for the sources table."""
        ids = [c.claim_id for c in self.consignments] + [h.claim_id for h in self.holdings if h.claim_id]
        return tuple(dict.fromkeys(ids))

    @property
    def attrition(self) -> attrition.AttritionData:
        """What attrition, computed through the package, reads: the same ledger, not read again."""
        return attrition.AttritionData(self.ledger)


def load(params: Parameters) -> ResupplyData:
    """Read the files the parameters name: the ledger (``claims_path``), grade table
    (``grades_path``), transfers (``transfers_path``) and holdings (``holdings_path``)."""
    ledger = load_parameter_file(params, "claims_path", load_ledger)
    grades = load_parameter_file(params, "grades_path", load_grade_table)
    transfers = load_parameter_file(params, "transfers_path", load_transfers)
    holdings = load_parameter_file(params, "holdings_path", load_holdings)
    (consignments, transfers_hash), (held, holdings_hash) = transfers.value, holdings.value
    # Each loader hashes the bytes it read: no file is read a second time for its hash.
    files = {ledger.path: ledger.value.sha256, transfers.path: transfers_hash, holdings.path: holdings_hash,
             grades.path: grades.value.sha256}
    return ResupplyData(ledger.value, consignments, held, grades.value, files)


def check(params: Parameters, data: ResupplyData) -> None:
    """Nothing in the files read rules out a valid resupply parameter set: transfers whose claims the
    ledger lacks are left out and listed (``unsupported_transfers``), not refused."""


def resupply_model(params: Parameters, data: ResupplyData, *, losses: dict | None = None) -> ResupplyModel:
    """Attrition through the package (its own stream), then the resupply model built on it.

    ``losses`` memoises attrition's loss histogram by the attrition parameters' values: most of a
    sensitivity analysis varies resupply inputs only and need not rerun attrition.
    """
    key = tuple(params.model_dump(mode="json")[name] for name in names_for("attrition"))
    if losses is None or key not in losses:
        found = attrition.assess(params, data.attrition, model_rng(params.seed, "attrition")).projection.ever_lost
        if losses is None:
            return build_model(params, data.ledger, data.consignments, data.holdings, data.grades, found)
        losses[key] = found
    return build_model(params, data.ledger, data.consignments, data.holdings, data.grades, losses[key])


@dataclass(frozen=True, eq=False)
class ResupplyStudy:
    """The simulation with its judgments and, when assessed with sensitivity, their term sensitivity
    (the tornado), the Sobol indices and the indicators to watch."""

    simulation: ResupplySimulation
    judgments: tuple[Judgment, ...]
    sobol: SobolResult | None = field(default=None, repr=False)
    indicators: dict[str, list[dict]] = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        return self.simulation.summary()

    def judgments_frame(self) -> pd.DataFrame:
        return judgments_frame(list(self.judgments))

    def _repr_html_(self) -> str:
        return self.simulation._repr_html_()

    def plot(self, ax=None):
        return self.simulation.plot(ax=ax)

    def to_dict(self) -> dict:
        section = self.simulation.to_dict()
        section["judgments"] = [j.to_dict() for j in self.judgments]
        if self.sobol is not None:
            section["sensitivity"] = {
                "samples_per_recomputation": SENSITIVITY_SAMPLES,
                "sobol": self.sobol.to_dict(),
            }
            section["indicators_to_watch"] = self.indicators
        return section


def _judgments(params: Parameters, data: ResupplyData, rng: np.random.Generator,
               losses: dict | None = None) -> tuple[Judgment, ...]:
    return simulate(resupply_model(params, data, losses=losses), rng).judgments


def key_judgments(params: Parameters, data: ResupplyData, rng: np.random.Generator) -> tuple[Judgment, ...]:
    """The judgments of :func:`assess` without their sensitivity, for the resupply stream ``rng``."""
    return _judgments(params, data, rng)


def assess(params: Parameters, data: ResupplyData, rng: np.random.Generator, *,
           sensitivity: bool = False) -> ResupplyStudy:
    """Everything the resupply notebook shows and records, for validated ``params``.

    ``rng`` is the resupply stream (``model_rng(params.seed, "resupply")``); attrition draws from its
    own. With ``sensitivity``, the judgments carry their term sensitivity (each recomputed with
    :data:`SENSITIVITY_SAMPLES` draws at most) and the Sobol indices name the indicators to watch.
    """
    from estimates.models.resupply import MODEL

    losses: dict = {}
    model = resupply_model(params, data, losses=losses)
    result = simulate(model, rng)
    if not sensitivity:
        return ResupplyStudy(result, result.judgments)
    quick = Parameters.model_validate({**params.model_dump(), "n_samples": min(params.n_samples, SENSITIVITY_SAMPLES)})

    def recompute(varied: Parameters) -> tuple[Judgment, ...]:
        varied = Parameters.model_validate({**varied.model_dump(), "n_samples": quick.n_samples})
        return _judgments(varied, data, model_rng(varied.seed, "resupply"), losses)

    judgments = with_term_sensitivity(result.judgments, quick, recompute, MODEL.sensitivity_inputs())
    sobol = sobol_indices(lambda u: model.evaluate(u, result.replacement_category),
                          [c.group for c in model.inputs()], n_base=SOBOL_BASE, seed=params.seed)
    indicators = {
        j.id: [{"group": g, "total_index": float(sobol.indices[j.id].loc[g, "ST"]), "watch": INDICATORS.get(g, g)}
               for g in sobol.top(j.id)]
        for j in judgments
    }
    return ResupplyStudy(result, judgments, sobol, indicators)


def section(params: Parameters, data: ResupplyData, result: ResupplyStudy) -> dict:
    """The ``resupply`` section of ``results.json``: the study plus where every input came from."""
    from estimates.report.provenance import section_provenance

    return result.to_dict() | section_provenance(params, "resupply", data.ledger,
                                                 extra_claims=data.claim_ids, files=data.files)
