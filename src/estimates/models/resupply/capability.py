"""Resupply: graded transfer claims to capability restored, by category and date.

The model, per Monte Carlo draw (all draws at once, as numpy arrays):

1. each transfer claim is true or false: correlated latent truth thresholded at the probability its
   Admiralty grade maps to (:mod:`estimates.models.resupply.grading`);
2. each consignment of a true claim has a quantity (fixed when reported, else the analyst's 90%
   interval, lognormal) and a mass per item (an assumption, lognormal);
3. it leaves on its reported date (or a uniform day when undated), reaches the loading point of the
   route's carrier leg after the legs before it (:mod:`estimates.models.resupply.route`), waits for a
   departure (``ship_count`` carriers, one every turnaround / carriers days, each carrying up to one
   carrier's capacity, first come first served), crosses that leg and the legs after it;
4. delivered items per category by date become capability restored: unit-equivalents for categories
   a unit holds (items / what one unit holds), the category's own units (batteries, say) for
   categories measured at theatre level;
5. against attrition (computed through :mod:`estimates.models.attrition.assessment` with that model's
   own stream), the share of the category's estimated losses since day 1 that deliveries replace,
   with the share of its equipment an ineffective unit has lost as an assumption.

Consignments whose claim was reported after the information cut-off (``as_of``), or that depart
after it, are left out and listed (:attr:`ResupplyModel.after_cutoff`).

Every uncertain input is a column of one matrix of uniforms, so the same function serves plain Monte
Carlo and the Sobol design of :mod:`estimates.core.sobol` without nesting simulations. This module
holds the model (:class:`ResupplyModel`, :func:`build_model`); :mod:`estimates.models.resupply.simulation`
runs it (:func:`~estimates.models.resupply.simulation.simulate`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from estimates.core.vocabulary import plural
from estimates.inputs.claims import Claim, Ledger
from estimates.inputs.files import LedgerError
from estimates.inputs.transfers import THEATRE, Consignment, Holding
from estimates.models.resupply.evidence import TruthGroup, truth_groups
from estimates.models.resupply.grading import (
    GradeTable,
    LatentStructure,
    claim_truth,
    truth_probabilities,
)
from estimates.models.resupply.route import Route, legs_text
from estimates.models.resupply.uncertain import (
    STANDARD_NORMAL,
    UncertainInput,
    histogram,
    interval,
    share,
    uniform,
)
from estimates.parameters.schema import Parameters

# --- the model -----------------------------------------------------------------------------------
#: Judgment ids: at least one theatre-level item (a battery) delivered; a material share of a unit
#: category's losses replaced; at least one complete unit-equivalent restored.
THEATRE_JUDGMENT = "resupply-air-defence"
REPLACEMENT_JUDGMENT = "resupply-replacement"
COMPLETE_JUDGMENT = "resupply-complete-unit"


@dataclass(frozen=True, eq=False)
class ResupplyModel:
    """Everything fixed for one assessment; :meth:`evaluate` maps uniforms to outputs."""

    params: Parameters
    consignments: tuple[Consignment, ...]
    holdings: tuple[Holding, ...]
    claims: tuple[Claim, ...]
    truth_probability: np.ndarray = field(repr=False)
    structure: LatentStructure = field(repr=False)
    ineffective_by_end: np.ndarray = field(repr=False)
    report_days: np.ndarray = field(repr=False)
    #: Consignments left out because the ledger read for the run lacks their claims.
    unsupported: tuple[str, ...] = ()
    #: Consignments left out because their claim was reported, or they depart, after ``as_of``:
    #: ``{"consignment_id", "claim_id", "report_date", "departure_date", "reason"}``.
    after_cutoff: tuple[dict, ...] = ()

    @functools.cached_property
    def route(self) -> Route:
        """The case's route, split at its carrier leg, with ``ship_count`` carriers."""
        return Route.of(self.params.case_settings.route, self.params.ship_count)

    @functools.cached_property
    def line_groups(self) -> tuple[tuple[TruthGroup, ...], tuple[int, ...]]:
        """The claim-truth Sobol groups (one per line of evidence, or per correlated lines) and each
        latent factor's group (:func:`~estimates.models.resupply.evidence.truth_groups`)."""
        return truth_groups(self.claims, self.structure)

    # categories ---------------------------------------------------------------------------------
    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(h.category for h in self.holdings)

    @property
    def unit_categories(self) -> tuple[str, ...]:
        """Categories a unit holds: restored in unit-equivalents, with a loss estimate."""
        return tuple(h.category for h in self.holdings if h.level != THEATRE)

    @property
    def theatre_categories(self) -> tuple[str, ...]:
        return tuple(h.category for h in self.holdings if h.level == THEATRE)

    def holding(self, category: str) -> Holding:
        return next(h for h in self.holdings if h.category == category)

    @property
    def carried(self) -> tuple[str, ...]:
        """Categories at least one counted consignment carries: the others can never be delivered."""
        found = {c.category for c in self.consignments}
        return tuple(c for c in self.categories if c in found)

    # inputs --------------------------------------------------------------------------------------
    def inputs(self) -> list[UncertainInput]:
        """The columns of the input matrix, in order (built once: each holds a frozen distribution)."""
        return list(self._inputs)

    @functools.cached_property
    def _inputs(self) -> tuple[UncertainInput, ...]:
        p, words, route = self.params, self.params.words, self.route
        groups, factor_group = self.line_groups
        # Claim-truth factors by line of evidence: a group never splits correlated claims, so its
        # Sobol index is the line's, and the indicators can name it (and its most telling claim).
        cols: list[UncertainInput] = [
            UncertainInput(f"truth factor {i}", groups[g].name, watch=groups[g].watch, **STANDARD_NORMAL)
            for i, g in enumerate(factor_group)
        ]
        undated = ", ".join(c.consignment_id for c in self.consignments if c.departure is None)
        for c in self.consignments:
            if c.quantity_parameter:
                low = getattr(p, f"{c.quantity_parameter}_low")
                high = getattr(p, f"{c.quantity_parameter}_high")
                moved = ", ".join(k.consignment_id for k in self.consignments
                                  if k.quantity_parameter == c.quantity_parameter)
                cols.append(UncertainInput(
                    f"{c.consignment_id} quantity", f"{c.quantity_parameter} quantity",
                    watch=f"how many {plural(self.holding(c.category).unit)} {moved} actually moved "
                          f"(assumed {low:g} to {high:g})", **interval(low, high)))
            cols.append(UncertainInput(f"{c.consignment_id} mass", "item masses",
                                       watch="the size of the consignments (mass per item)",
                                       **interval(c.mass_low_t, c.mass_high_t)))
            if c.departure is None:
                lo, hi = p.undated_departure_day_low, p.undated_departure_day_high
                cols.append(UncertainInput(f"{c.consignment_id} departure", "undated departures",
                                           watch=f"when the undated consignments ({undated}) left, if they did",
                                           **uniform(lo, hi)))
        if route.before:
            cols.append(UncertainInput("transit to loading", f"transit to the {route.carriers}",
                                       watch=f"movements on {legs_text(route.before)}",
                                       **interval(p.port_transit_days_low, p.port_transit_days_high)))
        leg = f"{route.carrier} capacity and timing"
        watch = (f"{route.carrier} movements on {legs_text([route.carrier_leg])}: how many {route.carriers}, "
                 "their capacity and turnaround")
        cols += [
            UncertainInput("carrier capacity", leg, watch=watch,
                           **interval(p.ship_capacity_tonnes_low, p.ship_capacity_tonnes_high)),
            UncertainInput("turnaround", leg, watch=watch, **interval(p.turnaround_days_low, p.turnaround_days_high)),
            UncertainInput("departure phase", leg, watch=watch, **uniform(0.0, 1.0)),
            UncertainInput("crossing", leg, watch=watch, **interval(p.crossing_days_low, p.crossing_days_high)),
        ]
        if route.after:
            cols.append(UncertainInput("onward transit", "onward transit",
                                       watch=f"movements on {legs_text(route.after)}",
                                       **interval(p.onward_days_low, p.onward_days_high)))
        for h in self.holdings:
            if h.level != THEATRE:
                cols.append(UncertainInput(f"{h.category} per unit", f"{words.unit_short} holdings",
                                           watch=f"what {words.unit_plural} actually hold of each category",
                                           **interval(h.low, h.high)))
        lost = f"equipment lost per ineffective {words.unit_short}"
        cols += [
            UncertainInput("equipment lost per ineffective unit", lost,
                           watch=f"visually confirmed equipment losses per ineffective {words.unit_singular}",
                           **share(p.equipment_loss_share_low, p.equipment_loss_share_high)),
            UncertainInput("ineffective units by the horizon", "attrition",
                           watch=f"the pace at which {words.unit_plural} become combat-ineffective",
                           **histogram(self.ineffective_by_end)),
        ]
        return tuple(cols)

    def indicators(self) -> dict[str, str]:
        """What an analyst would watch, per sensitivity group of :meth:`inputs`."""
        return {c.group: c.watch for c in self.inputs()}

    def uniforms(self, size: int, rng: np.random.Generator) -> np.ndarray:
        # Open interval: a uniform of exactly 0 or 1 would map to an infinite normal.
        return np.clip(rng.random((size, len(self.inputs()))), 1e-12, 1 - 1e-12)

    def transform(self, uniforms: np.ndarray, cache: dict | None = None) -> dict[str, np.ndarray]:
        """The inputs' values for each row of ``uniforms``.

        ``cache`` (kept with ``uniforms`` by the caller) holds the values of each column already
        mapped by an input with the same key, so a model differing in a few inputs maps only those.
        """
        columns = self.inputs()
        if uniforms.shape[1] != len(columns):
            raise ValueError(f"expected {len(columns)} input columns, got {uniforms.shape[1]}")
        if cache is None:
            return {col.name: np.asarray(col.ppf(uniforms[:, j]), dtype=float) for j, col in enumerate(columns)}
        out = {}
        for j, col in enumerate(columns):
            if col.key is None:
                out[col.name] = np.asarray(col.ppf(uniforms[:, j]), dtype=float)
                continue
            found = cache.get((j, col.key))
            if found is None:
                found = cache[(j, col.key)] = np.asarray(col.ppf(uniforms[:, j]), dtype=float)
            out[col.name] = found
        return out

    # simulation ----------------------------------------------------------------------------------
    def delivery(self, draws: dict[str, np.ndarray],
                 true_claim: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per draw and consignment: true?, quantity, and the day it reaches the front (inf: never).

        ``true_claim`` reuses :meth:`claim_truths` of these draws."""
        p = self.params
        size = draws["turnaround"].size
        n = len(self.consignments)
        if n == 0:
            return np.zeros((size, 0), dtype=bool), np.zeros((size, 0)), np.full((size, 0), np.inf)
        true_claim = self.claim_truths(draws) if true_claim is None else true_claim
        claim_index = {c.claim_id: i for i, c in enumerate(self.claims)}
        true = np.column_stack([true_claim[:, claim_index[c.claim_id]] for c in self.consignments])
        quantity = np.column_stack([
            draws[f"{c.consignment_id} quantity"] if c.quantity_parameter else np.full(size, c.quantity)
            for c in self.consignments
        ])
        tonnes = np.where(true, quantity * np.column_stack([draws[f"{c.consignment_id} mass"]
                                                            for c in self.consignments]), 0.0)
        departure = np.column_stack([
            draws[f"{c.consignment_id} departure"] if c.departure is None
            else np.full(size, float(p.day_number(c.departure))) for c in self.consignments
        ])
        # No leg before the carrier leg: a consignment departs from its loading point.
        at_port = departure + draws.get("transit to loading", np.zeros(size))[:, None]

        interval = draws["turnaround"] / p.ship_count if p.ship_count else np.full(size, np.inf)
        first = draws["departure phase"] * interval
        capacity = draws["carrier capacity"]
        sailing = np.full((size, n), np.inf)
        current = np.full(size, -np.inf)  # index of the sailing now loading
        room = np.zeros(size)
        # First come, first served: consignments in order of arrival at the port, per draw.
        order = np.argsort(at_port, axis=1, kind="stable")
        rows = np.arange(size)
        with np.errstate(divide="ignore", invalid="ignore"):
            for step in range(n):
                i = order[:, step]
                need = tonnes[rows, i]
                earliest = np.ceil((at_port[rows, i] - first) / interval)
                fresh = earliest > current
                current = np.where(fresh, earliest, current)
                room = np.where(fresh, capacity, room)
                short = np.maximum(need - room, 0.0)
                extra = np.where(short > 0, np.ceil(short / capacity), 0.0)
                current = current + extra
                room = np.where(short > 0, extra * capacity - short, room - need)
                sailing[rows, i] = current
            onward = draws.get("onward transit", np.zeros(size))
            arrival = first[:, None] + sailing * interval[:, None] + (draws["crossing"] + onward)[:, None]
        # No carriers or no capacity: nothing ever sails (NaN arises from inf - inf on that path).
        arrival = np.where(np.isfinite(arrival), arrival, np.inf)
        return true, quantity, arrival

    def truths_key(self) -> tuple | None:
        """Everything :meth:`claim_truths` reads besides the uniforms (equal keys, equal truths), or
        None when an input it reads has no key."""
        p = self.params
        columns = self._keys_of(lambda name: name.startswith("truth factor "))
        return None if columns is None else (
            "claim truths", columns, self.structure.originator_index.tobytes(), self.structure.line_index.tobytes(),
            self.truth_probability.tobytes(), p.originator_correlation, p.outlet_correlation)

    def delivery_key(self) -> tuple | None:
        """Everything :meth:`delivery` reads besides the uniforms (equal keys, equal deliveries), or
        None when an input it reads has no key. Per-unit holdings and the loss denominator are not
        among them, so a variation of attrition's inputs finds the run's deliveries."""
        p = self.params
        truths, columns = self.truths_key(), self._keys_of(lambda name: name not in self._loss_columns)
        return None if truths is None or columns is None else (
            "delivery", truths, columns, self.consignments,
            tuple(p.day_number(c.departure) for c in self.consignments if c.departure is not None), p.ship_count)

    @property
    def _loss_columns(self) -> set[str]:
        """Inputs only capability restored and the loss denominator read, never :meth:`delivery`."""
        return {f"{c} per unit" for c in self.unit_categories} | {"equipment lost per ineffective unit",
                                                                    "ineffective units by the horizon"}

    def _keys_of(self, chosen) -> tuple | None:
        """``(column, name, key)`` of the inputs ``chosen`` picks by name; None if one has no key."""
        picked = tuple((j, c.name, c.key) for j, c in enumerate(self.inputs()) if chosen(c.name))
        return None if any(key is None for _, _, key in picked) else picked

    def claim_truths(self, draws: dict[str, np.ndarray]) -> np.ndarray:
        """Per draw and claim (draws x claims): is the claim true?"""
        p = self.params
        size = draws["turnaround"].size
        if not self.claims:
            return np.zeros((size, 0), dtype=bool)
        normals = np.column_stack([draws[f"truth factor {i}"] for i in range(self.structure.n_factors)])
        latent = self.structure.latent(normals, p.originator_correlation, p.outlet_correlation)
        return claim_truth(latent, self.truth_probability)

    def delivered(self, draws: dict[str, np.ndarray], days: np.ndarray | None = None,
                  categories: Sequence[str] | None = None, delivery=None) -> dict[str, np.ndarray]:
        """Items delivered per category (draws x days) by the end of each report day.

        ``delivery`` reuses the result of :meth:`delivery` for these draws; ``categories`` limits
        the work (and the memory: one draws x days array per category) to those named.
        """
        days = self.report_days if days is None else days
        true, quantity, arrival = self.delivery(draws) if delivery is None else delivery
        out = {}
        for category in self.categories if categories is None else categories:
            total = np.zeros((true.shape[0], days.size))
            for j, c in enumerate(self.consignments):
                if c.category == category:
                    landed = true[:, j, None] & (arrival[:, j, None] <= days[None, :])
                    total += np.where(landed, quantity[:, j, None], 0.0)
            out[category] = total
        return out

    def restored_from(self, draws: dict[str, np.ndarray], category: str, delivery) -> np.ndarray:
        """Per draw, the time from which at least one unit-equivalent of ``category`` (one of its
        own units at theatre level) is restored; inf when no arrival restores one.

        What is delivered changes only when a consignment arrives, so the restored amount is
        evaluated at each arrival, summed as :meth:`delivered` sums it (in consignment order, so the
        same floats), rather than on every report day: restored >= 1 on day ``d`` exactly when ``d``
        is at or after this time, since the restored amount never falls as arrivals add to it.
        """
        true, quantity, arrival = delivery
        carrying = [j for j, c in enumerate(self.consignments) if c.category == category]
        first = np.full(true.shape[0], np.inf)
        for m in carrying:
            at = arrival[:, m]
            total = np.zeros(true.shape[0])
            for j in carrying:
                total += np.where(true[:, j] & (arrival[:, j] <= at), quantity[:, j], 0.0)
            restored = self.equivalents(draws, {category: total[:, None]})[category][:, 0]
            first = np.where(restored >= 1.0, np.minimum(first, at), first)
        return first

    def equivalents(self, draws: dict[str, np.ndarray], delivered: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Capability restored: unit-equivalents per unit category, the category's own units (batteries,
        say) for theatre categories."""
        out = {}
        for category, items in delivered.items():
            h = self.holding(category)
            per_unit = draws[f"{category} per unit"][:, None] if h.level != THEATRE else h.low
            out[category] = items / per_unit
        return out

    def loss_share_replaced(self, draws: dict[str, np.ndarray], delivered_end: dict[str, np.ndarray],
                            categories: Sequence[str] | None = None) -> dict[str, np.ndarray]:
        """Share of each unit category's estimated losses since day 1 that deliveries replace."""
        lost_units = draws["ineffective units by the horizon"] * draws["equipment lost per ineffective unit"]
        out = {}
        for category in self.unit_categories if categories is None else categories:
            losses = lost_units * draws[f"{category} per unit"]
            with np.errstate(divide="ignore", invalid="ignore"):
                out[category] = np.where(losses > 0, delivered_end[category] / losses, 0.0)
        return out

    def evaluate(self, uniforms: np.ndarray, replacement_category: str) -> dict[str, np.ndarray]:
        """The judgments' events (as 0/1) at the horizon end for each row of uniforms.

        Keys are the judgment ids of
        :func:`estimates.models.resupply.simulation.simulate`; used by the Sobol analysis, where each row of
        the design is one draw.
        """
        return self.events(self.transform(uniforms), replacement_category)

    def events(self, draws: dict[str, np.ndarray], replacement_category: str,
               delivery=None) -> dict[str, np.ndarray]:
        """:meth:`evaluate` for draws already transformed (``delivery``: their :meth:`delivery`)."""
        size = draws["turnaround"].size
        end = self.report_days[-1:]
        delivered = self.delivered(draws, end, delivery=self.delivery(draws) if delivery is None else delivery)
        restored = {k: v[:, 0] for k, v in self.equivalents(draws, delivered).items()}
        asked = [replacement_category] if self.unit_categories else []
        shares = self.loss_share_replaced(draws, {k: v[:, 0] for k, v in delivered.items()}, asked)
        out = {}
        if self.theatre_categories:
            batteries = sum((restored[c] for c in self.theatre_categories), np.zeros(size))
            out[THEATRE_JUDGMENT] = (batteries >= 1.0).astype(float)
        if self.unit_categories:
            complete = np.min(np.column_stack([restored[c] for c in self.unit_categories]), axis=1)
            threshold = self.params.replacement_share_threshold
            out[REPLACEMENT_JUDGMENT] = (shares[replacement_category] > threshold).astype(float)
            out[COMPLETE_JUDGMENT] = (complete >= 1.0).astype(float)
        return out


def build_model(params: Parameters, ledger: Ledger, consignments: Sequence[Consignment],
                holdings: Sequence[Holding], grades: GradeTable, ineffective_by_end: np.ndarray) -> ResupplyModel:
    """Assemble a :class:`ResupplyModel`.

    A consignment whose claim is not in the ledger read for the run has no evidence behind it and
    is left out (see :attr:`ResupplyModel.unsupported`); one whose claim was reported after the
    information cut-off ``params.as_of``, or that departs after it, is left out too (see
    :attr:`ResupplyModel.after_cutoff`). An unknown category is an error. The report days run from
    the earliest departure to ``horizon_days`` past the day the counts describe
    (``params.days_elapsed``), which is where attrition's projection starts.
    """
    known = {h.category for h in holdings}
    unknown = [c.category for c in consignments if c.category not in known]
    if unknown:
        raise LedgerError(f"transfers: category '{unknown[0]}' has no row in the holdings table; known: {', '.join(sorted(known))}")
    supported = tuple(c for c in consignments if c.claim_id in ledger)
    unsupported = tuple(c.consignment_id for c in consignments if c.claim_id not in ledger)
    late = tuple(row for row in (_after_cutoff(c, ledger[c.claim_id], params.as_of) for c in supported) if row)
    left_out = {row["consignment_id"] for row in late}
    used = tuple(c for c in supported if c.consignment_id not in left_out)
    claims = tuple(ledger[c] for c in dict.fromkeys(c.claim_id for c in used))
    probability = truth_probabilities(claims, grades, base_rate=params.base_rate,
                                      grade_confidence=params.grade_confidence)
    dated = [params.day_number(c.departure) for c in used if c.departure is not None]
    start = min(dated + [params.undated_departure_day_low, params.days_elapsed])
    end = params.days_elapsed + params.horizon_days
    return ResupplyModel(params, used, tuple(holdings), claims, probability,
                         LatentStructure.of(claims), np.asarray(ineffective_by_end, dtype=float),
                         np.arange(int(start), int(end) + 1), unsupported, late)


def _after_cutoff(consignment: Consignment, claim: Claim, cutoff) -> dict | None:
    """Why ``consignment`` is past the cut-off (as a row of :attr:`ResupplyModel.after_cutoff`), or None."""
    if claim.report_date is not None and claim.report_date > cutoff:
        reason = "reported after the cut-off"
    elif consignment.departure is not None and consignment.departure > cutoff:
        reason = "departs after the cut-off"
    else:
        return None
    return {"consignment_id": consignment.consignment_id, "claim_id": claim.claim_id,
            "report_date": claim.report_date.isoformat() if claim.report_date else None,
            "departure_date": consignment.departure.isoformat() if consignment.departure else None,
            "reason": reason}
