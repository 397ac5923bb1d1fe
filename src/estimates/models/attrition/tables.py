"""The attrition result's tables as a reader sees them in a notebook (:class:`~estimates.core.display.Table`):
probabilities as percentages, counts as whole numbers, dates as dates, no lists or raw floats."""

from __future__ import annotations

import pandas as pd

from estimates.core.display import Table, percent


def _value(value) -> str:
    if value is None:
        return "not given"
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def claims_table(claims: dict[str, dict]) -> Table:
    """Each input the run takes from a claim: the value used beside what the claim reports."""
    rows = {}
    for name, row in claims.items():
        low, high = row.get("reported_low"), row.get("reported_high")
        reported = _value(row.get("reported")) + (f" ({_value(low)} to {_value(high)})" if low is not None else "")
        rows[name] = {"value used": _value(row.get("value")), "claim": row.get("claim_id") or "none",
                      "reported": reported if row.get("in_ledger") else "not in the ledger read",
                      "reported on": _value(row.get("report_date")),
                      "the run": "uses what it reports" if row.get("agrees") else "departs from it (a scenario)",
                      "cut-off": "reported after it" if row.get("after_cut_off") else "reported by it"}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "input"
    return Table(frame, "What the run uses beside what each input's claim reports")


def readings_table(readings: dict[str, dict]) -> Table:
    """The two readings of the statements (nested counts, independent counts) and their weights."""
    rows = {name: {"weight before the statements": f"{r['prior_weight']:.0%}",
                   "weight after them": f"{r['weight']:.0%}", "log evidence": f"{r['log_evidence']:.2f}"}
            for name, r in readings.items()}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "reading"
    return Table(frame, "How the joint estimate reads the statements")


def summary_table(rows: dict[str, tuple[float, float]]) -> Table:
    """The per-unit probability's 90% intervals, as percentages."""
    frame = pd.DataFrame({"90% interval": [f"{percent(low)} to {percent(high)}" for low, high in rows.values()]},
                         index=pd.Index(list(rows), name="estimate"))
    return Table(frame, "The probability that a unit was ineffective by the count date")
