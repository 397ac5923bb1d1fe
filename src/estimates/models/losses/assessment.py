"""The loss-data notebook's analysis in one call: claimed armour losses against the reported count.

Reads the claimed losses ``losses_path`` names (:mod:`estimates.inputs.loss_claims`: the plain CSV
``date,category,cumulative`` or the bundled JSON format), up to the information cut-off, runs the
threshold model (:mod:`estimates.models.losses.crosscheck`) with the case's holdings file, and
checks the count the run uses against it: where that count falls in the predictive distribution of
units past the loss threshold, and over which range of the Dirichlet concentration
(``loss_concentration``, scanned across its whole allowed range) that reading holds
(:mod:`estimates.models.losses.predictive`). A check, not an event: the model makes no judgment.
Every file (the claimed losses, the confirmed losses where the case has them, the
holdings and the claims ledger) is read once, by :func:`load`; :func:`check` rules out, before any
kernel starts, a loss category the case does not map, a missing ``armour`` mapping or holdings
row, and a count date outside the loss data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from estimates.core.display import Table
from estimates.core.judgments import Judgment
from estimates.errors import InputError
from estimates.inputs.case import CASE_FILE
from estimates.inputs.claims import Ledger, load_ledger
from estimates.inputs.files import LedgerError, load_parameter_file
from estimates.inputs.loss_claims import (
    SeriesNotes,
    claimed_losses,
    count_columns,
    load_confirmed,
    load_loss_series,
    load_series_notes,
    revision_consistent,
    up_to,
)
from estimates.inputs.transfers import Holding, load_holdings
from estimates.models.losses import MODEL, tables
from estimates.models.losses.crosscheck import (
    LossCrossCheck,
    assess_losses,
    holdings_per_unit,
    log_grid,
    overcount_bound,
)
from estimates.parameters.schema import Parameters, spec
from estimates.parameters.variations import plausible_range

#: The holdings categories the threshold model counts: ``armour`` (required) and a second one.
ROLES = ("armour", "ifv")
#: Holdings levels that describe what one unit holds (the other, ``theatre``, does not).
THEATRE = "theatre"
#: The parameter the check is scanned over, and how finely (values a decade, log-spaced).
SCANNED = "loss_concentration"
SCAN_PER_DECADE = 4


@dataclass(frozen=True, eq=False)
class LossesData:
    """Every file the losses model reads, read once."""

    ledger: Ledger
    #: The claimed losses ``losses_path`` names up to the cut-off ``as_of``, revision-consistent
    #: (:func:`~estimates.inputs.loss_claims.revision_consistent`); ``attrs`` hold path and SHA-256.
    equipment: pd.DataFrame
    equipment_path: Path
    #: Loss column -> holdings category (the case's ``loss_categories``, else the series notes').
    categories: dict
    #: Where :attr:`categories` come from, for messages.
    categories_from: str
    #: The holdings file's rows, as read.
    held: tuple[Holding, ...]
    holdings_sha256: str
    holdings_path: Path
    #: The companion notes of a JSON series (empty for a CSV one).
    notes: SeriesNotes
    #: Visually confirmed losses (one undated snapshot), or None when the case has none.
    confirmed: pd.DataFrame | None = None
    #: The whole series, revision-consistent, for the hindsight over-count bound only (None without
    #: confirmed losses): its dates after the cut-off are never used for the estimate.
    equipment_all: pd.DataFrame | None = None

    @property
    def holdings(self) -> dict:
        """``armour_per_unit`` and ``ifv_per_unit``: 90% intervals of items per unit."""
        return holdings_per_unit(self.held)

    def columns(self, role: str) -> tuple[str, ...]:
        """The loss columns mapped to the holdings category ``role``."""
        return tuple(c for c, h in self.categories.items() if h == role)

    @property
    def labels(self) -> dict[str, str]:
        """The holdings labels of the categories the model counts ("tanks", ...)."""
        rows = {h.category: h.label for h in self.held}
        return {role: rows[role] for role in ROLES if role in rows}

    @property
    def files(self) -> dict[Path, str]:
        """``{path: SHA-256}`` of every file read, the ledger first."""
        files = {self.ledger.path: self.ledger.sha256, self.equipment_path: self.equipment.attrs["sha256"],
                 self.holdings_path: self.holdings_sha256}
        if self.notes.path is not None:
            files[self.notes.path] = self.notes.sha256
        if self.confirmed is not None:
            files[Path(self.confirmed.attrs["path"])] = self.confirmed.attrs["sha256"]
        return files


def load(params: Parameters) -> LossesData:
    """Read the claims ledger, the claimed losses the parameters name (to the cut-off), their notes
    and confirmed losses where there are any, and the holdings."""
    ledger = load_parameter_file(params, "claims_path", load_ledger)
    path = params.path("losses_path")
    case = params.case_settings
    notes = load_series_notes(path.parent) if path.suffix.lower() == ".json" else SeriesNotes()
    if case.loss_categories:
        categories, source = dict(case.loss_categories), f"{case.folder / CASE_FILE}: setting 'loss_categories'"
    else:
        categories, source = dict(notes.categories), (f"{notes.path}: field 'categories'" if notes.path else
                                                      f"{case.folder / CASE_FILE}: setting 'loss_categories'")
    if path.suffix.lower() == ".csv" and not case.loss_categories:
        raise InputError(f"{case.folder / CASE_FILE}: setting 'loss_categories' missing; a CSV loss series "
                         f"({path.name}) needs its categories mapped to holdings categories, e.g. {{tank: armour}}")
    series = load_parameter_file(params, "losses_path", lambda p: load_loss_series(
        p, start=params.conflict_start, categories=tuple(categories) if p.suffix.lower() == ".csv" else None,
        notes=notes))
    holdings = load_parameter_file(params, "holdings_path", load_holdings)
    (held, holdings_sha256) = holdings.value
    raw = series.value
    confirmed = equipment_all = None
    if notes.confirmed is not None:
        try:
            confirmed = load_confirmed(notes.confirmed)
        except LedgerError as error:
            raise InputError(f"{notes.path}: field 'confirmed': {error}") from None
        equipment_all = revision_consistent(raw)
    return LossesData(ledger=ledger.value, equipment=revision_consistent(up_to(raw, params.as_of)),
                      equipment_path=series.path, categories=categories, categories_from=source,
                      held=held, holdings_sha256=holdings_sha256, holdings_path=holdings.path, notes=notes,
                      confirmed=confirmed, equipment_all=equipment_all)


def check(params: Parameters, data: LossesData) -> None:
    """What the files allow, checked before any kernel starts; one InputError naming file, row
    (or setting) and field: every mapped loss category in the series and mapped to a holdings
    category the model counts, an ``armour`` mapping, the holdings rows it needs at unit level, and
    the count's date inside the loss data up to the cut-off."""
    where = data.categories_from
    columns = count_columns(data.equipment)
    for column, role in data.categories.items():
        if column not in columns:
            raise InputError(f"{where}: '{column}' is not a category of {data.equipment_path.name}; "
                             f"its categories: {', '.join(columns)}")
        if role not in ROLES:
            raise InputError(f"{where}: '{column}' maps to '{role}'; the loss model counts the holdings "
                             f"categories {' and '.join(ROLES)} only")
    if "armour" not in data.categories.values():
        raise InputError(f"{where}: no loss category maps to 'armour' (e.g. tank: armour); the loss model needs one")
    rows = {h.category: (line, h) for line, h in enumerate(data.held, start=2)}
    for role in ROLES:
        if not data.columns(role):
            continue
        if role not in rows:
            raise InputError(f"parameter 'holdings_path': {data.holdings_path}: no row with category '{role}'; "
                             f"the loss model needs what one {params.words.unit_singular} holds of it")
        line, holding = rows[role]
        if holding.level == THEATRE:
            raise InputError(f"parameter 'holdings_path': {data.holdings_path}: line {line}: field 'level' must "
                             f"be the unit level for '{role}', which the loss model spreads over units; got '{THEATRE}'")
    if data.equipment.empty:
        raise InputError(f"parameter 'as_of': the loss data {data.equipment_path.name} start after the cut-off "
                         f"{params.as_of}")
    first, last = data.equipment.index[0].date(), data.equipment.index[-1].date()
    if not first <= params.count_as_of <= last:
        name = "count_date" if params.count_date <= params.as_of else "as_of"
        raise InputError(f"parameter '{name}': the loss data run from {first} to {last} (to the cut-off); "
                         f"got {params.count_as_of}")


@dataclass(frozen=True, eq=False)
class LossAssessment:
    check: LossCrossCheck
    #: Always empty: the count is checked, not judged (kept for the one result interface).
    judgments: tuple[Judgment, ...]
    #: Upper bounds on the over-count factor from the confirmed losses, by date and category: a
    #: hindsight check (its claims may postdate the cut-off; nothing estimated uses them). Empty
    #: without confirmed losses.
    confirmed_bound: pd.DataFrame
    #: What the template needs beyond the check: words, labels, sources and claim ids.
    context: dict

    def summary(self) -> pd.DataFrame:
        return self.check.summary()

    def summary_table(self) -> Table:
        return tables.summary_table(self.check)

    def sensitivity_table(self) -> Table:
        return tables.sensitivity_table(self.check)

    def check_table(self) -> Table:
        return tables.check_table(self.check)

    def _repr_html_(self) -> str:
        return self.summary_table()._repr_html_() + self.check_table()._repr_html_()

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

    def plot_check(self, ax=None):
        """The count used against the predictive 90% range across the concentration scan."""
        from estimates.models.losses import charts

        scan = self.context.get("scan") or {}
        return charts.check_scan(self.check.concentration_scan, reported=self.check.reported_ineffective,
                                 concentration=self.check.inputs["concentration"], plausible=scan.get("plausible"),
                                 ax=ax, words=self.check.words.to_dict())

    def to_dict(self) -> dict:
        return self.check.to_dict() | {"judgments": [j.to_dict() for j in self.judgments],
                                       "confirmed_bound": self.confirmed_bound.to_dict(orient="records"),
                                       **self.context}


def assess(params: Parameters, data: LossesData, rng: np.random.Generator, *,
           sensitivity: bool = False) -> LossAssessment:
    """Check ``params.units_ineffective`` against the losses claimed by ``params.count_as_of``.

    The check is scanned over the concentration instead of rechecked term by term: it makes no
    judgment, so ``sensitivity`` is accepted for the one signature and changes nothing.
    """
    words, ctx = params.words, context(params, data)
    armour, ifv = data.columns("armour"), data.columns("ifv")
    claimed = claimed_losses(params.count_as_of, data.equipment, armour=armour, ifv=ifv, source=ctx["source"])
    bound = pd.DataFrame()
    if data.confirmed is not None:
        bound = overcount_bound(data.equipment_all, data.confirmed, data.notes.confirmed.dates, (*armour, *ifv))
        bound["after_cut_off"] = [pd.Timestamp(d).date() > params.as_of for d in bound["date"]]
    low, high = params.committed_range
    holdings = data.holdings if ifv else data.holdings | {"ifv_per_unit": None}
    check = assess_losses(
        claimed, rng=rng, units_committed_low=low, units_committed_high=high,
        **holdings,
        overcount_90=(params.overcount_low, params.overcount_high),
        threshold_90=(params.loss_threshold_low, params.loss_threshold_high),
        concentration=params.loss_concentration,
        share_on_units=(params.loss_share_on_units_low, params.loss_share_on_units_high),
        n_samples=params.n_samples, reported_ineffective=params.units_ineffective,
        reported_committed=params.units_committed, words=words, labels=data.labels,
        scan_concentration=scan_grid(params),
    )
    scan = scan_context(params)
    if scan["plausible"] is not None:
        bottom, top = scan["plausible"]
        inside = check.concentration_scan.query("@bottom <= concentration <= @top")
        scan["holds_over_plausible"] = bool((inside["reading"] == check.count_check().reading).all())
    return LossAssessment(check, (), bound, ctx | {"scan": scan})


def key_judgments(params: Parameters, data: LossesData, rng: np.random.Generator) -> tuple[Judgment, ...]:
    """None: where the reported count falls among the counts the claimed losses predict is a check
    of the model against the count, not an event, so it takes no likelihood term."""
    return ()


def scan_grid(params: Parameters) -> tuple[float, ...]:
    """Concentrations the check is redone at: log-spaced across the parameter's whole allowed range,
    with the run's own value and the ends of its plausible range."""
    row = spec(SCANNED)
    grid = log_grid(row.minimum, row.maximum, SCAN_PER_DECADE)
    return tuple(sorted({*grid, float(getattr(params, SCANNED)), *map(float, plausible_range(SCANNED, params) or ())}))


def scan_context(params: Parameters) -> dict:
    """The scanned parameter, its allowed range and the plausible range the run uses, for the words;
    :func:`assess` adds whether the run's reading holds over all of the plausible range."""
    row = spec(SCANNED)
    plausible = plausible_range(SCANNED, params)
    return {"parameter": SCANNED, "allowed": [row.minimum, row.maximum], "per_decade": SCAN_PER_DECADE,
            "plausible": None if plausible is None else [float(v) for v in plausible]}


def _source(ledger: Ledger, claim: str | None, fallback: str) -> str:
    """Who made a claim, from the ledger; ``fallback`` when the ledger lacks it."""
    return ledger[claim].originator if claim and claim in ledger else fallback


def context(params: Parameters, data: LossesData) -> dict:
    """The words, labels, sources and claim ids the section records for its template."""
    loss_claim = params.claim_for("losses_path")
    confirmed = data.notes.confirmed if data.confirmed is not None else None
    confirmed_claim = confirmed.claim if confirmed else None
    return {
        "words": params.words.to_dict(),
        "labels": data.labels,
        "cut_off": params.as_of.isoformat(),
        "source": _source(data.ledger, loss_claim, data.equipment_path.name),
        "source_is_file": not (loss_claim and loss_claim in data.ledger),
        "claims": {"losses": loss_claim if loss_claim in data.ledger else None,
                   "confirmed": confirmed_claim if confirmed_claim in data.ledger else None},
        "confirmed_source": None if confirmed is None else _source(data.ledger, confirmed_claim, confirmed.source),
    }


def claim_ids(params: Parameters, data: LossesData) -> tuple[str, ...]:
    """Claims the check rests on, those in the ledger: the loss claims, the confirmed losses
    behind the over-count, the holdings per unit and the count it is set beside."""
    holdings = {h.category: h.claim_id for h in data.held}
    wanted = [params.claim_for("losses_path"),
              data.notes.confirmed.claim if data.confirmed is not None else None,
              *(holdings.get(role) for role in ROLES if data.columns(role)),
              params.claim_for("units_ineffective")]
    return tuple(dict.fromkeys(c for c in wanted if c and c in data.ledger))


def section(params: Parameters, data: LossesData, result: LossAssessment) -> dict:
    """The ``losses`` section of ``results.json``, as the notebook records it."""
    from estimates.report.provenance import section_provenance

    provenance = section_provenance(params, MODEL.name, data.ledger, extra_claims=claim_ids(params, data),
                                    files=data.files)
    return result.to_dict() | provenance
