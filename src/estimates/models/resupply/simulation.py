"""Running the resupply model: the chunked Monte Carlo of :class:`~estimates.models.resupply.capability.ResupplyModel`
and its result, :class:`ResupplySimulation` (deliveries and capability restored by category and date,
and the judgments that can go either way, without their sensitivity: see :mod:`estimates.models.resupply.assessment`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from estimates.core.display import Table
from estimates.core.judgments import Judgment, judgments_frame
from estimates.core.quantities import (
    DEFAULT_QUANTILES,
    MonteCarloProbability,
    quantile_dict,
)
from estimates.core.vocabulary import plural
from estimates.inputs.transfers import THEATRE
from estimates.models.resupply.capability import (
    COMPLETE_JUDGMENT,
    REPLACEMENT_JUDGMENT,
    THEATRE_JUDGMENT,
    ResupplyModel,
)
from estimates.models.resupply.draws import CommonDraws, chunks
from estimates.models.resupply.evidence import describe
from estimates.models.resupply.judgments import Constraint, Counts, build
from estimates.models.resupply.tables import summary_table, truth_table


@dataclass(frozen=True, eq=False)
class CategoryOutlook:
    """Deliveries and capability restored for one category, by report date.

    ``restored_unit`` is what capability restored is counted in: unit-equivalents (the case's words,
    "regt-equivalents") for a category a unit holds, the category's own units ("batteries") at
    theatre level.
    """

    category: str
    label: str
    level: str
    unit: str
    delivered: dict[str, list[float]]
    restored: dict[str, list[float]]
    at_least_one: tuple[MonteCarloProbability, ...]
    share_replaced: dict[str, float] | None
    restored_unit: str = "unit-equivalents"

    def to_dict(self) -> dict:
        return {
            "label": self.label,
            "level": self.level,
            "unit": self.unit,
            "restored_unit": self.restored_unit,
            "delivered_quantiles": self.delivered,
            "restored_quantiles": self.restored,
            "at_least_one_restored": [p.to_dict() for p in self.at_least_one],
            "share_of_losses_replaced": self.share_replaced,
        }


@dataclass(frozen=True, eq=False)
class ResupplySimulation:
    """One run of the resupply Monte Carlo: deliveries, capability restored and the judgments."""

    dates: tuple[dt.date, ...]
    outlooks: tuple[CategoryOutlook, ...]
    binding: tuple[str, ...]
    complete_equivalents: dict[str, float]
    truth: tuple[dict, ...]
    judgments: tuple[Judgment, ...]
    n_samples: int
    replacement_category: str | None
    unsupported: tuple[str, ...] = ()
    #: Consignments left out as after the information cut-off (:attr:`ResupplyModel.after_cutoff`).
    after_cutoff: tuple[dict, ...] = ()
    #: The route (:meth:`estimates.models.resupply.route.Route.to_dict`) and the case's words.
    route: dict = field(default_factory=dict)
    words: dict = field(default_factory=dict)
    #: Events the counted transfers cannot bring about, stated instead of judged.
    constraints: tuple[Constraint, ...] = ()
    #: The transfer claims as lines of evidence (:func:`~estimates.models.resupply.evidence.describe`).
    evidence: dict = field(default_factory=dict)

    def outlook(self, category: str) -> CategoryOutlook:
        return next(o for o in self.outlooks if o.category == category)

    def summary(self) -> pd.DataFrame:
        """Per category at the horizon end: median delivered, restored, P(>= 1), share replaced."""
        rows = []
        for o in self.outlooks:
            share = o.share_replaced or {}
            rows.append({
                "category": o.label,
                "delivered (median)": o.delivered["0.5"][-1],
                "delivered (90%)": f"{o.delivered['0.05'][-1]:.0f}-{o.delivered['0.95'][-1]:.0f}",
                "restored (median)": o.restored["0.5"][-1],
                "restored unit": o.restored_unit,
                "P(at least one restored)": o.at_least_one[-1].probability,
                "share of losses replaced (median)": share.get("0.5"),
                "share of losses replaced (90%)": (f"{share['0.05']:.1%}-{share['0.95']:.1%}" if share else "n/a"),
                "binding": o.category in self.binding,
            })
        return pd.DataFrame(rows).set_index("category")

    def judgments_frame(self) -> pd.DataFrame:
        return judgments_frame(list(self.judgments))

    def truth_table(self) -> Table:
        """Each transfer claim's grade and the chance it is true."""
        return truth_table(self.truth)

    def left_out(self) -> pd.DataFrame:
        """Consignments not counted: after the cut-off (with their claim's report date), or without
        a claim in the ledger read for the run."""
        rows = [dict(row) for row in self.after_cutoff]
        rows += [{"consignment_id": c, "claim_id": None, "report_date": None, "departure_date": None,
                  "reason": "claim not in the ledger"} for c in self.unsupported]
        columns = ["consignment_id", "claim_id", "report_date", "departure_date", "reason"]
        return pd.DataFrame(rows, columns=columns).set_index("consignment_id")

    def route_text(self) -> str:
        """The route in words, its carrier leg with the carriers assumed: "depot to the railhead
        (rail, 4 trains assumed); then railhead to the front (rail)"."""
        route = self.route
        parts = []
        for i, leg in enumerate(route.get("legs", [])):
            extra = ""
            if i == route["carrier_leg"]:
                n = route["carrier_count"]
                extra = f", {n} {route['carrier'] if n == 1 else route['carriers']} assumed"
            parts.append(f"{leg['label']} ({leg['mode']}{extra})")
        return "; then ".join(parts)

    def _repr_html_(self) -> str:
        return summary_table(self.outlooks, self.binding)._repr_html_()

    def plot(self, ax=None):
        from estimates.models.resupply import charts

        ax = charts.arrivals_fan(self.to_dict(), ax=ax)
        ax.set_title("Capability the reported transfers restore, by date (median and 90% interval)")
        return ax

    def plot_share_replaced(self, ax=None):
        from estimates.models.resupply import charts

        ax = charts.share_replaced_chart(self.to_dict(), ax=ax)
        ax.set_title("Share of the estimated losses the transfers replace, by category")
        return ax

    def to_dict(self) -> dict:
        return {
            "dates": [d.isoformat() for d in self.dates],
            "n_samples": self.n_samples,
            "categories": {o.category: o.to_dict() for o in self.outlooks},
            "binding_constraint": list(self.binding),
            "complete_equivalents": self.complete_equivalents,
            "claim_truth": list(self.truth),
            "replacement_category": self.replacement_category,
            "unsupported_transfers": list(self.unsupported),
            "after_cutoff": list(self.after_cutoff),
            "route": self.route,
            "words": self.words,
            "judgments": [j.to_dict() for j in self.judgments],
            "constraints": [c.to_dict() for c in self.constraints],
            "transfer_evidence": self.evidence,
        }


def _quantile_rows(values: np.ndarray) -> dict[str, list[float]]:
    """Quantiles over draws (axis 0) for every column, keyed by level."""
    if not values.any() and not np.signbit(values).any():
        # A category nothing counted carries: every quantile of all zeros is 0.0, without the sort.
        q = np.zeros((len(DEFAULT_QUANTILES), values.shape[1]))
    else:
        q = np.quantile(values, DEFAULT_QUANTILES, axis=0)
    return {f"{level:g}": [float(v) for v in row] for level, row in zip(DEFAULT_QUANTILES, q)}


#: Draws simulated at once: bounds memory whatever ``n_samples`` is. The uniforms are drawn chunk
#: after chunk from one generator, which yields the same stream as one large draw.
CHUNK = 20_000
#: Quantiles of continuous outputs come from the first ``QUANTILE_DRAWS`` draws: the draws are
#: independent, so these are a uniform random subsample, and a quantile from 50,000 draws carries
#: far less Monte Carlo error than its inputs' uncertainty. Probabilities count every draw.
QUANTILE_DRAWS = 50_000


@dataclass
class _Tally:
    """Counts over every draw, accumulated chunk by chunk."""

    at_least_one: dict[str, np.ndarray]
    share_above: dict[str, int]
    batteries: int = 0
    complete: int = 0


def _per_category(model: ResupplyModel, draws: dict[str, np.ndarray]):
    """Yield ``(category, delivered, restored, share or None)`` one category at a time.

    One category's draws x days arrays are alive at a time, which bounds memory.
    """
    delivery = model.delivery(draws)
    for category in model.categories:
        delivered = model.delivered(draws, categories=[category], delivery=delivery)
        restored = model.equivalents(draws, delivered)[category]
        share = None
        if category in model.unit_categories:
            share = model.loss_share_replaced(draws, {category: delivered[category][:, -1]}, [category])[category]
        yield category, delivered[category], restored, share


def _count(model: ResupplyModel, draws: dict[str, np.ndarray], threshold: float, tally: _Tally) -> None:
    """Add one chunk's draws to ``tally``.

    Only the horizon end and the day capability is first restored are needed here, not the
    draws x days arrays the quantiles need, which keeps a chunk's work small.
    """
    days, end = model.report_days, model.report_days[-1:]
    n = draws["turnaround"].size
    delivery = model.delivery(draws)
    batteries, complete = np.zeros(n), np.full(n, np.inf)
    for c in model.categories:
        # The first report day at or after the time one unit-equivalent is restored, per draw.
        first_day = np.searchsorted(days, model.restored_from(draws, c, delivery), side="left")
        tally.at_least_one[c] += np.cumsum(np.bincount(first_day, minlength=days.size + 1)[: days.size])
        delivered = model.delivered(draws, end, categories=[c], delivery=delivery)
        restored = model.equivalents(draws, delivered)[c][:, 0]
        if c not in model.unit_categories:
            batteries += restored
        else:
            share = model.loss_share_replaced(draws, {c: delivered[c][:, 0]}, [c])[c]
            tally.share_above[c] += int((share > threshold).sum())
            complete = np.minimum(complete, restored)
    tally.batteries += int((batteries >= 1.0).sum())
    tally.complete += int((complete >= 1.0).sum())


def simulate(model: ResupplyModel, rng: np.random.Generator) -> ResupplySimulation:
    """Run the resupply Monte Carlo for a built model with generator ``rng``.

    Draws are simulated in chunks of :data:`CHUNK`, so memory stays bounded as ``n_samples`` grows;
    probabilities count every draw, quantiles use the first :data:`QUANTILE_DRAWS` draws.
    """
    p = model.params
    size = p.n_samples
    threshold = p.replacement_share_threshold
    tally = _Tally({c: np.zeros(model.report_days.size, dtype=np.int64) for c in model.categories},
                   {c: 0 for c in model.unit_categories})
    kept: list[np.ndarray] = []
    for start, (uniforms, draws, _) in zip(range(0, size, CHUNK), chunks(model, rng, CHUNK)):
        if start < QUANTILE_DRAWS:
            kept.append(uniforms[: QUANTILE_DRAWS - start])
        _count(model, draws, threshold, tally)

    sample = model.transform(np.vstack(kept))
    words = p.words
    outlooks, favourable, shares = [], {}, {}
    complete = np.full(sum(k.shape[0] for k in kept), np.inf)
    for c, delivered, restored, share in _per_category(model, sample):
        h = model.holding(c)
        outlooks.append(CategoryOutlook(
            category=c, label=h.label, level=h.level, unit=h.unit,
            delivered=_quantile_rows(delivered), restored=_quantile_rows(restored),
            at_least_one=tuple(MonteCarloProbability.from_count(int(n), size) for n in tally.at_least_one[c]),
            share_replaced=quantile_dict(share, DEFAULT_QUANTILES) if share is not None else None,
            restored_unit=plural(h.unit) if h.level == THEATRE else words.equivalents,
        ))
        if share is not None:
            favourable[c] = float(np.quantile(restored[:, -1], 0.95))
            shares[c] = float(np.quantile(share, 0.95))
            complete = np.minimum(complete, restored[:, -1])
    outlooks = tuple(outlooks)
    # The binding constraint: the unit categories restored least even in favourable draws (their
    # 95th percentile at the horizon is lowest); a unit-equivalent needs every category.
    floor = min(favourable.values(), default=0.0)
    binding = tuple(c for c, m in favourable.items() if m <= floor + 1e-9)
    dates = tuple(p.date_of_day(int(d)) for d in model.report_days)
    end = dates[-1]
    # The category the transfers could replace most of: highest 95th-percentile share (the median
    # is 0 whenever a claim is more likely false than true, which would make the choice arbitrary).
    best = max(shares, key=shares.get) if shares else None
    truth_rows = tuple(
        {"claim_id": c.claim_id, "grade": c.grade, "probability_true": float(pt),
         "originator_id": c.originator_id, "evidence_line": c.evidence_line}
        for c, pt in zip(model.claims, model.truth_probability)
    )
    counts = Counts(size, {THEATRE_JUDGMENT: tally.batteries, REPLACEMENT_JUDGMENT: tally.share_above.get(best, 0),
                           COMPLETE_JUDGMENT: tally.complete})
    judgments, constraints = build(model, counts, best, binding, end)
    return ResupplySimulation(
        dates=dates, outlooks=outlooks, binding=binding,
        complete_equivalents=quantile_dict(complete, DEFAULT_QUANTILES), truth=truth_rows,
        judgments=judgments, n_samples=size, replacement_category=best, unsupported=model.unsupported,
        after_cutoff=model.after_cutoff, route=model.route.to_dict(), words=words.to_dict(), constraints=constraints,
        evidence=describe(model.claims, words.subject),
    )


def count_events(model: ResupplyModel, rng: np.random.Generator | CommonDraws,
                 replacement: str | None) -> tuple[Counts, np.ndarray, dict[str, np.ndarray]]:
    """Draw ``n_samples`` as :func:`simulate` does from ``rng`` and count the judgments' events only.

    Returns the counts (the event of the replacement judgment asked about ``replacement``), how many
    draws each claim is true in, and per judgment the draws where its event happens and each claim is
    true. With a generator in the state :func:`simulate` got, the counts are the simulation's own:
    this is how the term sensitivity recomputes a judgment on the base's draws (common random
    numbers), and how a claim's confirmation is weighed. Given :class:`CommonDraws` instead of a
    generator, the draws are theirs (the draws of a copy of their stream), mapped only where a
    recomputation's inputs differ from those already mapped.
    """
    size = model.params.n_samples
    events: dict[str, int] = {}
    true = np.zeros(len(model.claims), dtype=np.int64)
    joint: dict[str, np.ndarray] = {}
    source = rng.chunks(model, CHUNK) if isinstance(rng, CommonDraws) else chunks(model, rng, CHUNK)
    for _, draws, kept in source:
        claims = kept.get_or(model.truths_key(), lambda: model.claim_truths(draws))
        delivery = kept.get_or(model.delivery_key(), lambda: model.delivery(draws, claims))
        true += claims.sum(axis=0)
        for name, hit in model.events(draws, replacement, delivery).items():
            hit = hit.astype(bool)
            events[name] = events.get(name, 0) + int(hit.sum())
            joint[name] = joint.get(name, 0) + (claims & hit[:, None]).sum(axis=0)
    return Counts(size, events), true, joint
