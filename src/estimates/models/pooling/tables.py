"""The pooling result's tables as a reader sees them in a notebook: probabilities as percentages,
whole sentences, no lists or raw floats."""

from __future__ import annotations

import pandas as pd

from estimates.core.display import Table, percent


def left_out_table(left_out) -> Table:
    """Statements left out of the pooling, and why."""
    frame = pd.DataFrame([{"statement": row["observation_id"], "says": row["reported"],
                           "claims": ", ".join(row["claim_ids"]), "why it is left out": row["reason"]}
                          for row in left_out], columns=["statement", "says", "claims", "why it is left out"])
    frame = frame.set_index("statement")
    return Table(frame, "Statements left out" if len(frame) else "No statement left out")


def estimates_table(rows: dict[str, dict]) -> Table:
    """``{label: {"median", "5%", "95%"}}`` (probabilities) as percentages."""
    frame = pd.DataFrame({label: {"median": percent(r["median"]),
                                  "90% interval": f"{percent(r['5%'])} to {percent(r['95%'])}"}
                          for label, r in rows.items()}).T
    frame.index.name = "the probability that a unit was ineffective by the count date"
    return Table(frame, "Pooled against single-report")


def checks_table(checks: list[dict]) -> Table:
    """Each statement predicted from the ones before it: the 90% range and the tail probability."""
    frame = pd.DataFrame([{"statement": c["statement"], "date": f"{c['date']:%d %B %Y}", "reported": c["reported"],
                           "predicted 90% (free shape)": c["free_range"],
                           "tail probability (free shape)": f"{c['free_tail']:.1%}",
                           "predicted 90% (constant hazard)": c["constant_range"],
                           "tail probability (constant hazard)": f"{c['constant_tail']:.1%}"} for c in checks])
    if checks:
        frame = frame.set_index("statement")
    return Table(frame, "Do the sources agree? Each statement against the ones before it"
                 if checks else "Fewer than two statements: nothing to check one against another")
