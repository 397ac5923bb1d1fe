"""The loss cross-check's tables as a reader sees them in a notebook: counts as whole numbers (or
halves, where a quantile falls between two draws), shares as percentages, factors to two places."""

from __future__ import annotations

import pandas as pd

from estimates.core.display import Table, percent
from estimates.core.quantities import DEFAULT_QUANTILES, quantiles_of_counts

COLUMNS = {0.05: "5%", 0.25: "25%", 0.5: "median", 0.75: "75%", 0.95: "95%"}


def _number(value: float) -> str:
    return f"{value:,.1f}".removesuffix(".0")


def summary_table(check) -> Table:
    """Quantiles and mean of each quantity the cross-check draws."""
    w = check.words
    rows = {}
    for name, values in check._rows().items():
        share = name.startswith(("mean share", "ineffective share"))
        factor = name == "over-count factor"
        if name == f"ineffective {w.unit_plural}":
            quantiles, mean = quantiles_of_counts(check.counts, DEFAULT_QUANTILES), check.mean_ineffective()
        else:
            quantiles, mean = pd.Series(values).quantile(list(DEFAULT_QUANTILES)).to_numpy(), float(values.mean())
        word = percent if share else (lambda v: f"{v:.2f}") if factor else _number
        rows[name] = {COLUMNS[q]: word(v) for q, v in zip(DEFAULT_QUANTILES, quantiles)} | {"mean": word(mean)}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = f"quantity ({check.n_samples:,} draws)"
    return Table(frame, "What the claimed losses imply")


def sensitivity_table(check) -> Table:
    """Median (90% interval) of units past the threshold, by over-count factor and concentration."""
    grid = check.sensitivity
    if grid.empty:
        return Table(grid, "No sensitivity grid in this run")
    cells = grid.assign(cell=[f"{_number(r.median)} ({_number(r.low_90)} to {_number(r.high_90)})"
                              for r in grid.itertuples()])
    frame = cells.pivot(index="overcount", columns="concentration", values="cell")
    frame.index = [f"{v:g}" for v in frame.index]
    frame.index.name = "over-count factor"
    frame.columns = [f"concentration {v:g}" for v in frame.columns]
    return Table(frame, f"Median (90% interval) of {check.words.unit_plural} past the threshold")


def check_table(check) -> Table:
    """The count used against the predicted counts at each concentration of the scan."""
    scan = check.concentration_scan
    if scan.empty:
        return Table(pd.DataFrame(), "No concentration scan in this run")
    rows = {f"{r.concentration:g}": {"predicted median (90% range)": f"{_number(r.median)} ({_number(r.low_90)} "
                                                                     f"to {_number(r.high_90)})",
                                     "percentile of the count": f"{r.percentile:.0f}",
                                     "tail probability": percent(r.tail_probability), "reading": r.reading}
            for r in scan.itertuples()}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "concentration"
    return Table(frame, f"The count of {check.reported_ineffective} across the concentration scan")
