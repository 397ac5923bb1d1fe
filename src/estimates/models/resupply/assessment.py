"""Resupply: the entry points of the model (:mod:`estimates.model`), so the notebook stays thin.

:func:`assess` computes attrition through the package with attrition's own seed-derived stream (so
its numbers match the attrition section exactly), simulates the transfers
(:mod:`estimates.models.resupply.simulation`) and, with ``sensitivity``, checks whether each
judgment's term holds across every parameter's plausible range and ranks the inputs that would most
change each judgment by their Sobol total indices ("indicators to watch").
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from estimates.core.display import Table
from estimates.core.judgments import Judgment, judgments_frame
from estimates.core.randomness import model_rng
from estimates.core.sobol import SobolResult, sobol_indices
from estimates.core.value_of_information import CollectionPriorities
from estimates.errors import InputError
from estimates.inputs.case import CASE_FILE
from estimates.inputs.claims import Ledger, load_ledger
from estimates.inputs.files import LedgerError, load_parameter_file
from estimates.inputs.grade_table import GradeTable, load_grade_table
from estimates.inputs.transfers import (
    THEATRE,
    Consignment,
    Holding,
    check_transfers,
    load_holdings,
    load_transfers,
)
from estimates.models.attrition import assessment as attrition
from estimates.models.attrition.projection import CHUNK
from estimates.models.attrition.simulation import Reuse
from estimates.models.resupply.capability import ResupplyModel, build_model
from estimates.models.resupply.draws import CommonDraws
from estimates.models.resupply.indicators import collection_priorities, indicators
from estimates.models.resupply.judgments import Constraint, settled
from estimates.models.resupply.parameters import QUANTITY_PARAMETERS
from estimates.models.resupply.route import Route
from estimates.models.resupply.simulation import (
    ResupplySimulation,
    count_events,
    simulate,
)
from estimates.models.resupply.tables import (
    constraints_table,
    indicators_table,
    left_out_table,
    summary_table,
)
from estimates.parameters.schema import Parameters, names_for
from estimates.parameters.variations import with_term_sensitivity

#: Base sample size of the Saltelli design: (inputs' groups + 2) x 1024 rows, one draw each.
SOBOL_BASE = 1024


@dataclass(frozen=True)
class ResupplyData:
    """Everything a resupply assessment reads: the claims ledger, grade table, transfers and
    holdings the parameters name, and ``files``, each file read with its SHA-256 (the transfers and
    holdings files also by name, for error messages)."""

    ledger: Ledger
    consignments: tuple[Consignment, ...]
    holdings: tuple[Holding, ...]
    grades: GradeTable
    files: dict[Path, str]
    transfers_path: Path | None = None
    holdings_path: Path | None = None

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
    return ResupplyData(ledger.value, consignments, held, grades.value, files, transfers.path, holdings.path)


def check(params: Parameters, data: ResupplyData) -> None:
    """Refuse, before any kernel starts, what the case's files and route rule out: a route without
    exactly one carrier leg, a holdings file without a unit-level category, a transfer whose
    category the holdings lack, whose ``quantity_parameter`` names no declared parameter pair
    (:data:`~estimates.models.resupply.parameters.QUANTITY_PARAMETERS`), or that departs before the
    conflict's day 1 (:class:`InputError`, one line naming file, line and field). Transfers whose
    claims the ledger lacks, or that come after the cut-off, are left out and listed in the
    results, not refused."""
    try:
        Route.of(params.case_settings.route, params.ship_count)
    except ValueError as error:
        raise InputError(f"{params.case_settings.folder / CASE_FILE}: setting 'route': {error}") from None
    holdings = data.holdings_path or params.path("holdings_path")
    if not any(h.level != THEATRE for h in data.holdings):
        raise InputError(f"parameter 'holdings_path': {holdings}: field 'level': no category at level 'unit'; "
                         "capability restored is counted in unit-equivalents of those")
    try:
        check_transfers(data.consignments, data.transfers_path or params.path("transfers_path"),
                        categories=[h.category for h in data.holdings], quantity_pairs=QUANTITY_PARAMETERS,
                        conflict_start=params.conflict_start, holdings=Path(holdings).name)
    except LedgerError as error:
        raise InputError(f"parameter 'transfers_path': {error}") from None


def resupply_model(params: Parameters, data: ResupplyData, *, losses: dict | None = None,
                   stages: Reuse | None = None) -> ResupplyModel:
    """Attrition through the package (its own stream), then the resupply model built on it.

    ``losses`` memoises attrition's loss histogram by the attrition parameters' values: most of a
    sensitivity analysis varies resupply inputs only and need not rerun attrition. ``stages`` are
    attrition's own (:class:`~estimates.models.attrition.simulation.Reuse`): a variation of one of
    its inputs redraws only the stages that input reaches.
    """
    key = tuple(params.model_dump(mode="json")[name] for name in names_for("attrition"))
    if losses is None or key not in losses:
        inputs = data.attrition if stages is None else replace(data.attrition, reuse=stages)
        found = attrition.assess(params, inputs, model_rng(params.seed, "attrition")).projection.ever_lost
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
    #: Judgments the term sensitivity found settled (0 or 1 in every draw and every variation).
    settled: tuple[Constraint, ...] = ()
    #: Per judgment, the transfer claims ranked by the expected change in its probability if each
    #: were confirmed or refuted, from the judgment's own draws.
    priorities: dict[str, CollectionPriorities] = field(default_factory=dict)

    @property
    def constraints(self) -> tuple[Constraint, ...]:
        """Events stated instead of judged: those no counted transfer can bring about, then those settled."""
        return self.simulation.constraints + self.settled

    def constraints_frame(self) -> pd.DataFrame:
        return pd.DataFrame([c.to_dict() for c in self.constraints],
                            columns=["id", "statement", "sentence", "binding"]).set_index("id")

    def summary(self) -> pd.DataFrame:
        return self.simulation.summary()

    def judgments_frame(self) -> pd.DataFrame:
        return judgments_frame(list(self.judgments))

    def summary_table(self) -> Table:
        return summary_table(self.simulation.outlooks, self.simulation.binding)

    def constraints_table(self) -> Table:
        return constraints_table(self.constraints)

    def left_out_table(self) -> Table:
        return left_out_table(self.simulation.left_out())

    def indicators_table(self) -> Table:
        """The indicators to watch, judgment by judgment (empty without sensitivity)."""
        return indicators_table(self.indicators, {j.id: j.statement for j in self.judgments})

    def _repr_html_(self) -> str:
        return self.simulation._repr_html_()

    def plot(self, ax=None):
        return self.simulation.plot(ax=ax)

    def to_dict(self) -> dict:
        section = self.simulation.to_dict()
        section["judgments"] = [j.to_dict() for j in self.judgments]
        section["constraints"] = [c.to_dict() for c in self.constraints]
        section["collection_priorities"] = {j: [c.to_dict() for c in p.claims] for j, p in self.priorities.items()}
        if self.sobol is not None:
            section["sensitivity"] = {
                "samples_per_recomputation": self.simulation.n_samples,
                "common_random_numbers": True,
                "sobol": self.sobol.to_dict(),
            }
            section["indicators_to_watch"] = self.indicators
        return section


def key_judgments(params: Parameters, data: ResupplyData, rng: np.random.Generator) -> tuple[Judgment, ...]:
    """The judgments of :func:`assess` without their sensitivity, for the resupply stream ``rng``."""
    return simulate(resupply_model(params, data), rng).judgments


def assess(params: Parameters, data: ResupplyData, rng: np.random.Generator, *,
           sensitivity: bool = False) -> ResupplyStudy:
    """Everything the resupply notebook shows and records, for validated ``params``.

    ``rng`` is the resupply stream (``model_rng(params.seed, "resupply")``); attrition draws from its
    own. With ``sensitivity``, the judgments carry their term sensitivity, each recomputed on the
    base's own ``n_samples`` draws (common random numbers: an input set to its own value changes
    nothing), with the question each asks held fixed (the replacement judgment keeps its category);
    a judgment that is then 0 or 1 in every draw and every variation becomes a constraint; and the
    Sobol indices name the indicators to watch (:mod:`estimates.models.resupply.indicators`).
    """
    from estimates.models.resupply import MODEL

    losses: dict = {}
    # Only a run of one chunk keeps attrition's stages, as attrition's own sensitivity does.
    recorded = Reuse(recording=sensitivity and params.n_samples <= CHUNK)
    model = resupply_model(params, data, losses=losses, stages=recorded)
    replayed = recorded.replaying()
    # The stream as the simulation receives it: every recomputation draws its uniforms, so a varied
    # input meets the base's own draws (common random numbers) and an unchanged one the same result.
    common = CommonDraws(rng)
    result = simulate(model, rng)
    if not sensitivity:
        counts, true, joint = count_events(model, common, result.replacement_category)
        return ResupplyStudy(result, result.judgments,
                             priorities=collection_priorities(model, result.judgments, counts, true, joint))
    asked = result.replacement_category

    def recompute(varied: Parameters) -> tuple[Judgment, ...]:
        counts, _, _ = count_events(resupply_model(varied, data, losses=losses, stages=replayed), common, asked)
        return tuple(replace(j, probability=counts.probability(j.id)) for j in result.judgments)

    judgments = with_term_sensitivity(result.judgments, params, recompute, MODEL.sensitivity_inputs(),
                                      ledger=data.ledger)
    judgments, settled_constraints = settled(judgments)
    sobol = sobol_indices(lambda u: model.evaluate(u, asked), [c.group for c in model.inputs()],
                          n_base=SOBOL_BASE, seed=params.seed)
    counts, true, joint = count_events(model, common, asked)
    watch = indicators(model, judgments, sobol, counts, true, joint)
    return ResupplyStudy(result, judgments, sobol, watch, settled_constraints,
                         collection_priorities(model, judgments, counts, true, joint))


def section(params: Parameters, data: ResupplyData, result: ResupplyStudy) -> dict:
    """The ``resupply`` section of ``results.json``: the study plus where every input came from."""
    from estimates.report.provenance import section_provenance

    return result.to_dict() | section_provenance(params, "resupply", data.ledger,
                                                 extra_claims=data.claim_ids, files=data.files)
