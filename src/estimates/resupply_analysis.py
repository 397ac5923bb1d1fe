"""The resupply notebook's whole analysis in one call, so the notebook stays thin.

It computes attrition through the package with attrition's own seed-derived stream (so its numbers
match the attrition section exactly), assesses the transfers, checks whether each judgment's term
holds across every parameter's plausible range, and ranks the inputs that would most change each
judgment by their Sobol total indices ("indicators to watch").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import attrition
from .claims import Ledger, load_ledger
from .grading import GradeTable, load_grade_table
from .judgments import Judgment, with_term_sensitivity
from .params import Parameters, names_for, spec
from .provenance import relative_path, section_provenance
from .paths import HOLDINGS, TRANSFERS, project_path
from .randomness import model_rng
from .resupply import ResupplyAssessment, ResupplyModel, assess, build_model
from .sensitivity import SobolResult, sobol_indices
from .transfers import Consignment, Holding, load_holdings, load_transfers

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
    """The files a resupply assessment reads, with their SHA-256."""

    ledger: Ledger
    consignments: tuple[Consignment, ...]
    holdings: tuple[Holding, ...]
    grades: GradeTable
    hashes: dict[str, str]

    @property
    def claim_ids(self) -> tuple[str, ...]:
        """Claims the transfers and holdings rest on, for the sources table."""
        ids = [c.claim_id for c in self.consignments] + [h.claim_id for h in self.holdings if h.claim_id]
        return tuple(dict.fromkeys(ids))


def load_data(params: Parameters, transfers_path: Path = TRANSFERS, holdings_path: Path = HOLDINGS) -> ResupplyData:
    """Read the ledger and grade table the parameters name, and the bundled transfers and holdings."""
    ledger_path = project_path(params.claims_path)
    grades_path = project_path(params.grades_path)
    ledger = load_ledger(ledger_path)
    consignments, transfers_hash = load_transfers(transfers_path)
    holdings, holdings_hash = load_holdings(holdings_path)
    grades = load_grade_table(grades_path)
    hashes = {relative_path(ledger_path): ledger.sha256, relative_path(transfers_path): transfers_hash,
              relative_path(holdings_path): holdings_hash, relative_path(grades_path): grades.sha256}
    return ResupplyData(ledger, consignments, holdings, grades, hashes)


def model_for(params: Parameters, data: ResupplyData, losses: dict | None = None) -> ResupplyModel:
    """Attrition through the package (its own stream), then the resupply model built on it.

    ``losses`` memoises attrition's loss histogram by the attrition parameters' values: most of a
    sensitivity analysis varies resupply inputs only and need not rerun attrition.
    """
    key = tuple(params.model_dump(mode="json")[name] for name in names_for("attrition"))
    if losses is None or key not in losses:
        found = attrition.assess(params, model_rng(params.seed, "attrition")).projection.ever_lost
        if losses is None:
            return build_model(params, data.ledger, data.consignments, data.holdings, data.grades, found)
        losses[key] = found
    return build_model(params, data.ledger, data.consignments, data.holdings, data.grades, losses[key])


@dataclass(frozen=True, eq=False)
class ResupplyStudy:
    """The assessment with its judgments' term sensitivity (the tornado), Sobol indices and indicators."""

    assessment: ResupplyAssessment
    judgments: tuple[Judgment, ...]
    sobol: SobolResult = field(repr=False)
    indicators: dict[str, list[dict]]

    def summary(self) -> pd.DataFrame:
        return self.assessment.summary()

    def _repr_html_(self) -> str:
        return self.assessment._repr_html_()

    def plot(self, ax=None):
        return self.assessment.plot(ax=ax)

    def to_dict(self) -> dict:
        section = self.assessment.to_dict()
        section["judgments"] = [j.to_dict() for j in self.judgments]
        section["sensitivity"] = {
            "samples_per_recomputation": SENSITIVITY_SAMPLES,
            "sobol": self.sobol.to_dict(),
        }
        section["indicators_to_watch"] = self.indicators
        return section


def study(params: Parameters, data: ResupplyData) -> ResupplyStudy:
    """Everything the resupply notebook shows and records, for validated ``params``."""
    model = model_for(params, data)
    result = assess(model, model_rng(params.seed, "resupply"))
    quick = Parameters.model_validate({**params.model_dump(), "n_samples": min(params.n_samples, SENSITIVITY_SAMPLES)})

    losses: dict = {}

    def recompute(varied: Parameters):
        varied = Parameters.model_validate({**varied.model_dump(), "n_samples": quick.n_samples})
        return assess(model_for(varied, data, losses), model_rng(varied.seed, "resupply")).judgments

    judgments = with_term_sensitivity(result.judgments, quick, recompute, sensitivity_inputs())
    columns = model.inputs()
    sobol = sobol_indices(lambda u: model.evaluate(u, result.replacement_category),
                          [c.group for c in columns], n_base=SOBOL_BASE, seed=params.seed)
    indicators = {
        j.id: [{"group": g, "total_index": float(sobol.indices[j.id].loc[g, "ST"]), "watch": INDICATORS.get(g, g)}
               for g in sobol.top(j.id)]
        for j in judgments
    }
    return ResupplyStudy(result, judgments, sobol, indicators)


#: Parameters that define what a judgment asks rather than what is known (as in attrition).
QUESTION_PARAMETERS = attrition.QUESTION_PARAMETERS + ("replacement_share_threshold",)


def sensitivity_inputs() -> tuple[str, ...]:
    """Every resupply parameter with a plausible range, less those that define the question."""
    return tuple(n for n in names_for("resupply") if spec(n).plausible and n not in QUESTION_PARAMETERS)


def section(params: Parameters, data: ResupplyData, result: ResupplyStudy) -> dict:
    """The ``resupply`` section of ``results.json``: the study plus where every input came from."""
    part = section_provenance(params, "resupply", data.ledger, extra_claims=data.claim_ids)
    part["data_files"] = dict(data.hashes)
    return result.to_dict() | part
