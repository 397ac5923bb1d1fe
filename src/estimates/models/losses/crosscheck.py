"""Loss-data cross-check: how many units could the claimed armour losses have broken?

A second line of evidence for a reported count of combat-ineffective units ("29 of 125" in the
bundled case) that uses none of the statements behind it. The model, per Monte Carlo draw (all
draws as numpy arrays):

1. true losses = claimed / over-count factor, the factor a lognormal from a 90% interval (one factor
   for every armour category alike: one source, one incentive). A file of visually confirmed losses,
   where the case has one, bounds it from above: confirmed losses cannot exceed true ones, so the
   factor is at most claimed / confirmed at the same date (:func:`overcount_bound`). The bound
   informs the interval an analyst gives (the parameters' default); it is not imposed on the draws,
   because the snapshot's date, and so the bound, is itself uncertain;
2. a share of true losses falls on the committed units rather than others (a fixed share or a 90%
   interval on (0, 1), logit-normal);
3. unit-equivalents = losses on the units / what one unit holds (the holdings categories ``armour``
   and, optionally, ``ifv`` as 90% intervals, lognormal, from the case's holdings file);
4. threshold model: N committed units (integer uniform); the armour lost (both categories, each item
   counted once) is spread over them in proportions drawn from a symmetric Dirichlet with
   ``concentration`` alpha (large alpha: even spread; small: a few units take most of it); a unit is
   ineffective when the share of its armour lost reaches a threshold (a 90% interval on (0, 1)).

The spread is Dirichlet, not Dirichlet-multinomial: a unit loses its share of the total as a real
number. That keeps the count of ineffective units monotone in the losses under common random numbers
(the sensitivity grid compares like with like); the vehicle-by-vehicle multinomial noise it leaves
out is equivalent to a somewhat smaller concentration. Losses beyond a unit's holdings are not passed
on to other units, so very uneven spreads slightly understate the count.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from estimates.core.distributions import logitnormal_from_90, lognormal_from_90
from estimates.core.quantities import (
    DEFAULT_QUANTILES,
    Interval,
    MonteCarloProbability,
    level_key,
    quantile_dict,
    quantiles_of_counts,
)
from estimates.core.vocabulary import Vocabulary
from estimates.inputs.loss_claims import ClaimedLosses, claimed_by, confirmed_totals
from estimates.models.losses.predictive import (
    CountCheck,
    check_of_counts,
    reading_ranges,
)
from estimates.models.losses.spread import CHUNK, count_ineffective

#: Words for a cross-check made outside a case.
GENERIC = Vocabulary("the force", "unit", "units", "unit", "the reporting source")
#: Holdings labels of the two armour categories when none are given.
LABELS = {"armour": "armour", "ifv": "other armoured vehicles"}
#: Draws whose inputs are made at once, a whole number of chunks. Memory is flat in draws beyond it.
BLOCK = 50 * CHUNK
#: Draws whose per-draw inputs and counts the result keeps: the most a run's parameters allow.
KEPT_DRAWS = 2_000_000
#: Default sensitivity grid: over-count factors (1 = claims exact) and Dirichlet concentrations.
GRID_OVERCOUNT = (1.0, 1.25, 1.5, 2.0, 3.0)
GRID_CONCENTRATION = (0.3, 1.0, 3.0, 10.0, 100.0)
#: Columns of :attr:`LossCrossCheck.concentration_scan`.
SCAN_COLUMNS = ("concentration", "median", "low_90", "high_90", "p_at_least_reported", "percentile",
                "tail_probability", "reading")


def log_grid(low: float, high: float, per_decade: int = 4) -> tuple[float, ...]:
    """Log-spaced values from ``low`` to ``high`` (both included), ``per_decade`` a decade, kept to
    four significant digits so that whole powers of ten come out exact.

    >>> log_grid(0.1, 10, per_decade=2)
    (0.1, 0.3162, 1.0, 3.162, 10.0)
    """
    if not 0 < low < high:
        raise ValueError(f"need 0 < low < high; got {low} and {high}")
    count = max(2, round(np.log10(high / low) * per_decade) + 1)
    return tuple(float(f"{v:.4g}") for v in np.geomspace(low, high, count))


def overcount_bound(equipment: pd.DataFrame, confirmed: pd.DataFrame, dates,
                    categories=("tank", "apc")) -> pd.DataFrame:
    """Upper bounds on the over-count factor: claimed by each date / the confirmed total.

    Visually confirmed losses have photographic or video evidence, so true losses are at least the
    confirmed count and claimed / true (the factor) is at most claimed / confirmed, *if* the
    snapshot was taken on that date. The snapshot is undated, so pass the dates it may have been
    taken on; a later date gives a looser bound. Categories the snapshot lacks are left out.
    """
    totals = confirmed_totals(confirmed)
    rows = []
    for date in dates:
        for category in categories:
            if category not in totals.index or not totals[category]:
                continue
            claimed = claimed_by(pd.Timestamp(date).date(), category, equipment)
            rows.append({"date": pd.Timestamp(date).date().isoformat(), "category": category, "claimed": claimed,
                         "confirmed": int(totals[category]), "bound": claimed / totals[category]})
    return pd.DataFrame(rows, columns=["date", "category", "claimed", "confirmed", "bound"])


def holdings_per_unit(holdings) -> dict[str, tuple[float, float] | None]:
    """``armour_per_unit`` and ``ifv_per_unit`` for :func:`assess_losses`, from the holdings
    :func:`estimates.inputs.transfers.load_holdings` read (rows ``armour`` and, when present,
    ``ifv``: 90% intervals of items per unit). A missing ``armour`` row is a ``KeyError``; the model's
    ``check`` reports it first, as an input error naming the file."""
    rows = {h.category: (h.low, h.high) for h in holdings}
    return {"armour_per_unit": rows["armour"], "ifv_per_unit": rows.get("ifv")}


def _share(value, name: str):
    """A share as a quantile function: a fixed value, or a 90% interval (logit-normal)."""
    if np.ndim(value) == 0:
        if not 0.0 < float(value) <= 1.0:
            raise ValueError(f"{name} must be in (0, 1]; got {value}")
        return lambda u: np.full(np.shape(u), float(value))
    low, high = value
    if not 0.0 < low <= high < 1.0:
        raise ValueError(f"{name} as a 90% interval needs 0 < low <= high < 1; got {low} to {high}")
    d = logitnormal_from_90(low, high)
    return lambda u: special.expit(d.ppf(u))


def _positive(value, name: str):
    """A positive quantity's 90% interval as a quantile function (lognormal; fixed when low == high)."""
    low, high = value
    try:
        d = lognormal_from_90(low, high)
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None
    if low == high:
        # A fixed value: skip the distribution's generic quantile function on every draw.
        return lambda u: np.full(np.shape(u), float(low))
    return d.ppf


@dataclass(frozen=True, eq=False)
class LossCrossCheck:
    """What the loss-data cross-check reports, with its draws.

    Counts of ineffective units cover every draw (``counts``, ``share_hits``); the per-draw arrays
    hold the first :data:`KEPT_DRAWS` draws, which is every draw a run's parameters allow, and give
    the quantiles of the continuous quantities (a uniform subsample beyond that: draws are i.i.d.).
    """

    claimed: ClaimedLosses
    inputs: dict
    reported_ineffective: int
    reported_committed: int
    n_samples: int
    #: ``counts[v]``: draws with ``v`` units past the threshold, over all ``n_samples`` draws.
    counts: np.ndarray = field(repr=False)
    #: Draws whose ineffective share reached the reported share, over all draws.
    share_hits: int
    overcount: np.ndarray = field(repr=False)
    unit_equivalents_tank: np.ndarray = field(repr=False)
    unit_equivalents_apc: np.ndarray = field(repr=False)
    #: Armour (both categories) lost on the committed units per committed unit's armour.
    mean_loss_fraction: np.ndarray = field(repr=False)
    committed: np.ndarray = field(repr=False)
    ineffective: np.ndarray = field(repr=False)
    #: Median, 90% interval, P(>= reported) and the check's percentile, tail probability and reading
    #: of ineffective units per (overcount, concentration).
    sensitivity: pd.DataFrame = field(repr=False)
    #: The check at the run's own draws for each concentration of the scan (:data:`SCAN_COLUMNS`).
    concentration_scan: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SCAN_COLUMNS), repr=False)
    #: The case's words and the holdings labels of ``armour`` and ``ifv``, for tables.
    words: Vocabulary = field(default=GENERIC, repr=False)
    labels: dict = field(default_factory=lambda: dict(LABELS), repr=False)

    @property
    def has_ifv(self) -> bool:
        return self.inputs.get("ifv_per_unit") is not None

    @property
    def unit_equivalents_armour(self) -> np.ndarray:
        """Both armour categories together, in units' worth of both."""
        return self.mean_loss_fraction * self.committed

    def interval(self, level: float = 0.9) -> Interval:
        """Equal-tailed interval of the number of ineffective units."""
        low, high = quantiles_of_counts(self.counts, ((1 - level) / 2, (1 + level) / 2))
        return Interval(float(low), float(high), level, "Monte Carlo quantiles")

    def probability_at_least(self, count: int | None = None) -> MonteCarloProbability:
        """P(ineffective units >= ``count``), by default the count the run uses."""
        count = self.reported_ineffective if count is None else count
        return MonteCarloProbability.from_count(int(self.counts[max(count, 0):].sum()), self.n_samples)

    def count_check(self) -> CountCheck:
        """Where the count the run uses falls in the predictive distribution of ineffective units."""
        return check_of_counts(self.counts, self.reported_ineffective)

    def check_ranges(self) -> list[dict]:
        """Ranges of the concentration scan over which each reading of the check holds."""
        return reading_ranges(self.concentration_scan) if not self.concentration_scan.empty else []

    def probability_share_at_least_reported(self) -> MonteCarloProbability:
        """P(ineffective / committed >= 29 / 125): the reported share, whatever N was drawn."""
        return MonteCarloProbability.from_count(self.share_hits, self.n_samples)

    def mean_ineffective(self) -> float:
        return float(np.arange(self.counts.size) @ self.counts / self.n_samples)

    def _rows(self) -> dict[str, np.ndarray]:
        w, labels = self.words, self.labels
        return {
            "over-count factor": self.overcount,
            f"{w.equivalents} of {labels['armour']} lost": self.unit_equivalents_tank,
            **({f"{w.equivalents} of {labels['ifv']} lost": self.unit_equivalents_apc} if self.has_ifv else {}),
            f"{w.equivalents} of armour lost": self.unit_equivalents_armour,
            f"mean share of a committed {w.unit_singular}'s armour lost": self.mean_loss_fraction,
            f"ineffective {w.unit_plural}": self.ineffective,
            f"ineffective share of committed {w.unit_plural}": self.ineffective / self.committed,
        }

    def summary(self) -> pd.DataFrame:
        rows = self._rows()
        table = pd.DataFrame({name: np.quantile(v, DEFAULT_QUANTILES) for name, v in rows.items()},
                             index=[f"{q:g}" for q in DEFAULT_QUANTILES]).T
        table["mean"] = [float(np.mean(v)) for v in rows.values()]
        # The count itself from every draw, not the kept ones.
        table.loc[f"ineffective {self.words.unit_plural}"] = [*quantiles_of_counts(self.counts),
                                                              self.mean_ineffective()]
        table.index.name = "quantity"
        return table

    def _repr_html_(self) -> str:
        return self.summary().to_html(float_format="{:.3f}".format) + self.sensitivity.to_html(index=False)

    def plot(self, ax=None):
        from estimates.models.losses import charts

        return charts.loss_crosscheck(
            self.counts,
            reported=self.reported_ineffective, interval=self.interval(0.9), as_of=self.claimed.as_of, ax=ax,
            words=self.words.to_dict(),
        )

    def to_dict(self) -> dict:
        interval = self.interval(0.9)
        return {
            "as_of": self.claimed.as_of.isoformat() if self.claimed.as_of else None,
            "as_of_day": self.claimed.day,
            "claimed": self.claimed.to_dict(),
            "inputs": self.inputs,
            "n_samples": self.n_samples,
            "reported": {"ineffective": self.reported_ineffective, "committed": self.reported_committed,
                         "share": self.reported_ineffective / self.reported_committed},
            "overcount_factor": quantile_dict(self.overcount),
            "btg_equivalents": {"tank": quantile_dict(self.unit_equivalents_tank),
                                "apc": quantile_dict(self.unit_equivalents_apc),
                                "armour": quantile_dict(self.unit_equivalents_armour)},
            "mean_loss_fraction": quantile_dict(self.mean_loss_fraction),
            "ineffective": {"quantiles": {level_key(q): float(v) for q, v in
                                          zip(DEFAULT_QUANTILES, quantiles_of_counts(self.counts))},
                            "interval": interval.to_dict(), "mean": self.mean_ineffective(),
                            # draws per count (index = units ineffective), so figures need no draws
                            "counts": np.trim_zeros(self.counts, "b").tolist()},
            "ineffective_share": quantile_dict(self.ineffective / self.committed),
            "p_at_least_reported": self.probability_at_least().to_dict(),
            "p_share_at_least_reported": self.probability_share_at_least_reported().to_dict(),
            "sensitivity": _records(self.sensitivity),
            "check": self.count_check().to_dict() | {"concentration": self.inputs["concentration"]},
            "concentration_scan": _records(self.concentration_scan),
            "check_ranges": self.check_ranges(),
        }


def _records(table: pd.DataFrame) -> list[dict]:
    return [{k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
            for row in table.to_dict(orient="records")]


def assess_losses(
    claimed: ClaimedLosses | tuple[float, float],
    *,
    rng: np.random.Generator,
    units_committed_low: int = 120,
    units_committed_high: int = 130,
    armour_per_unit: tuple[float, float] = (8.0, 13.0),
    ifv_per_unit: tuple[float, float] | None = (30.0, 45.0),
    overcount_90: tuple[float, float] = (1.1, 2.0),
    threshold_90: tuple[float, float] = (0.3, 0.5),
    concentration: float = 1.0,
    share_on_units: float | tuple[float, float] = (0.7, 0.95),
    n_samples: int = 20_000,
    reported_ineffective: int = 29,
    reported_committed: int = 125,
    words: Vocabulary = GENERIC,
    labels: dict | None = None,
    grid_overcount: tuple[float, ...] = GRID_OVERCOUNT,
    grid_concentration: tuple[float, ...] = GRID_CONCENTRATION,
    scan_concentration: tuple[float, ...] = (),
) -> LossCrossCheck:
    """Cross-check a count of ineffective units against claimed armour losses.

    ``claimed`` is a :class:`~estimates.inputs.loss_claims.ClaimedLosses` (from
    :func:`estimates.inputs.loss_claims.claimed_losses`) or a pair (armour, second category) claimed. Intervals
    are 90% intervals: lognormal for the positive ``armour_per_unit``, ``ifv_per_unit`` (items per
    unit; ``None``: no second category) and ``overcount_90`` (claimed / true), logit-normal for the shares ``threshold_90`` and
    ``share_on_units`` (which may also be a fixed share). ``concentration`` is the Dirichlet alpha of
    the spread of losses over units. Every random number comes from ``rng``.
    ``scan_concentration`` lists concentrations at which the check of the reported count is redone
    on the run's own draws (:attr:`LossCrossCheck.concentration_scan`); empty: no scan.

    Examples
    --------
    >>> r = assess_losses((684, 1861), rng=np.random.default_rng(1), n_samples=2000,
    ...                   grid_overcount=(1.0,), grid_concentration=(1.0,))
    >>> 0 <= r.interval().low <= r.interval().high <= 130
    True
    """
    if isinstance(claimed, ClaimedLosses):
        record = claimed
    else:
        tank, apc = (float(v) for v in claimed)
        record = ClaimedLosses(as_of=None, day=None, tank=tank, apc=apc, source="given", revisions="as given")
    if not (record.tank >= 0 and record.apc >= 0):
        raise ValueError(f"claimed losses must be >= 0; got {record.tank} and {record.apc}")
    if not 1 <= units_committed_low <= units_committed_high:
        raise ValueError("need 1 <= units_committed_low <= units_committed_high; "
                         f"got {units_committed_low}, {units_committed_high}")
    if not concentration > 0 or not all(c > 0 for c in (*grid_concentration, *scan_concentration)):
        raise ValueError("concentration must be > 0")
    if not all(f > 0 for f in grid_overcount):
        raise ValueError("over-count factors must be > 0")
    if n_samples < 1:
        raise ValueError(f"n_samples must be >= 1; got {n_samples}")
    overcount_ppf = _positive(overcount_90, "overcount_90")
    tanks_ppf = _positive(armour_per_unit, "armour_per_unit")
    if ifv_per_unit is None and record.apc:
        raise ValueError(f"claimed losses of a second category ({record.apc:g}) need ifv_per_unit")
    # No second category: it holds nothing, and its draws (column 3) go unused.
    vehicles_ppf = (lambda u: np.zeros(np.shape(u))) if ifv_per_unit is None else _positive(ifv_per_unit,
                                                                                           "ifv_per_unit")
    threshold_ppf = _share(tuple(threshold_90), "threshold_90")
    share_ppf = _share(share_on_units, "share_on_units")

    # Inputs are columns of one uniform matrix and the spread has one stream per chunk, both fixed
    # by rng alone: every scenario of the grid reuses them (common random numbers). The matrix is
    # drawn a block at a time from a copy of rng; rng itself skips past it, drawing (and dropping) the
    # same numbers, so the chunk seeds and every draw are what one matrix of all draws gives.
    inputs_rng = copy.deepcopy(rng)
    blocks = [(start, min(start + BLOCK, n_samples)) for start in range(0, n_samples, BLOCK)]
    for start, stop in blocks:
        rng.random((stop - start, 6))
    seeds = np.random.SeedSequence(rng.integers(2**63, size=4)).spawn(-(-n_samples // CHUNK))
    span = units_committed_high - units_committed_low + 1
    alphas = dict.fromkeys((float(concentration), *map(float, grid_concentration), *map(float, scan_concentration)))
    # One pass per concentration: every scenario that spreads losses with it shares its gammas. Each
    # scenario keeps only its frequency table of counts.
    tables: dict[tuple, np.ndarray] = {}
    share_hits, kept = 0, []
    for start, stop in blocks:
        u = inputs_rng.random((stop - start, 6))
        overcount = overcount_ppf(u[:, 0])
        share = share_ppf(u[:, 1])
        tanks_held, vehicles_held = tanks_ppf(u[:, 2]), vehicles_ppf(u[:, 3])
        threshold = threshold_ppf(u[:, 4])
        committed = units_committed_low + np.minimum((u[:, 5] * span).astype(np.int64), span - 1)
        on_units = share * (record.tank + record.apc)
        held = committed * (tanks_held + vehicles_held)
        for alpha in alphas:
            keys = [("run", alpha)] if alpha == concentration or alpha in scan_concentration else []
            keys += [("grid", alpha, f) for f in grid_overcount] if alpha in grid_concentration else []
            factors = [overcount if key[0] == "run" else key[2] for key in keys]
            counted = count_ineffective(on_units, held, factors, committed, threshold, alpha,
                                        seeds[start // CHUNK:], units_committed_high)
            for key, counts in zip(keys, counted):
                tables[key] = tables.get(key, 0) + np.bincount(counts, minlength=units_committed_high + 1)
                if key == ("run", float(concentration)):
                    ineffective = counts.astype(np.int64)
        share_hits += int(np.count_nonzero(
            ineffective >= reported_ineffective / reported_committed * committed - 1e-9))
        if start < KEPT_DRAWS:
            keep = slice(0, KEPT_DRAWS - start)
            kept.append({
                "overcount": overcount[keep], "committed": committed[keep], "ineffective": ineffective[keep],
                "unit_equivalents_tank": (share * record.tank / (overcount * tanks_held))[keep],
                "unit_equivalents_apc": (share * record.apc / (overcount * vehicles_held) if ifv_per_unit is not None
                                         else np.zeros_like(overcount))[keep],
                "mean_loss_fraction": (on_units / overcount / held)[keep]})
    spreads = {key: _spread(table, reported_ineffective) for key, table in tables.items()}
    rows = [{"overcount": float(factor), "concentration": float(alpha), **spreads["grid", float(alpha), factor]}
            for alpha in grid_concentration for factor in grid_overcount]
    scan = pd.DataFrame([{"concentration": float(alpha), **spreads["run", float(alpha)]}
                         for alpha in scan_concentration], columns=SCAN_COLUMNS)
    inputs = {
        "units_committed_low": int(units_committed_low), "units_committed_high": int(units_committed_high),
        "armour_per_unit": [float(v) for v in armour_per_unit], "ifv_per_unit": None if ifv_per_unit is None else [float(v) for v in ifv_per_unit],
        "overcount_90": [float(v) for v in overcount_90], "threshold_90": [float(v) for v in threshold_90],
        "concentration": float(concentration),
        "share_on_units": float(share_on_units) if np.ndim(share_on_units) == 0 else [float(v) for v in share_on_units],
        "armour_measure": "both categories, each item counted once",
    }
    return LossCrossCheck(
        claimed=record, inputs=inputs,
        reported_ineffective=int(reported_ineffective), reported_committed=int(reported_committed),
        n_samples=int(n_samples), counts=tables["run", float(concentration)], share_hits=share_hits,
        **{name: np.concatenate([part[name] for part in kept]) for name in kept[0]},
        sensitivity=pd.DataFrame(rows), concentration_scan=scan, words=words,
        labels=dict(LABELS) | dict(labels or {}),
    )


def _spread(table: np.ndarray, reported: int) -> dict:
    """Median and 90% interval of one scenario's ineffective units (``table[v]``: draws with ``v``),
    and the reported count's place."""
    low, median, high = quantiles_of_counts(table, (0.05, 0.5, 0.95))
    check = check_of_counts(table, reported)
    return {"median": float(median), "low_90": float(low), "high_90": float(high),
            "p_at_least_reported": check.at_least, "percentile": check.percentile,
            "tail_probability": check.tail_probability, "reading": check.reading}
