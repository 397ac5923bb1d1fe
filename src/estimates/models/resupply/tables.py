"""The resupply result's tables as a reader sees them in a notebook (:class:`~estimates.core.display.Table`)."""

from __future__ import annotations

import pandas as pd

from estimates.core.display import Table, percent


def truth_table(truth: tuple[dict, ...]) -> Table:
    """Each transfer claim's grade and the chance it is true, by originator and line of evidence."""
    rows = [{"claim": row["claim_id"], "grade": row["grade"], "chance it is true": percent(row["probability_true"]),
             "originator": row["originator_id"] or "not given", "line of evidence": row["evidence_line"]}
            for row in truth]
    return Table(pd.DataFrame(rows).set_index("claim") if rows else pd.DataFrame(),
                 "Transfer claims: Admiralty grade and the chance each is true")


def indicators_table(indicators: dict[str, list[dict]], statements: dict[str, str]) -> Table:
    """Per judgment, the inputs that would change it most (Sobol total index) and what to watch;
    a line of evidence names the claim whose confirmation or denial moves the judgment furthest."""
    rows = []
    for judgment_id, found in indicators.items():
        for rank, row in enumerate(found, start=1):
            moves = "; ".join(
                f"{claim['claim_id']}: {percent(claim['if_confirmed'])} if confirmed"
                + (f", {percent(claim['if_denied'])} if denied" if claim["if_denied"] is not None else "")
                for claim in row.get("claims", ()))
            rows.append({"judgment": statements.get(judgment_id, judgment_id), "rank": rank,
                         "input": row["group"], "share of variance (total index)": f"{row['total_index']:.2f}",
                         "watch": row["watch"], "the judgment's probability": moves or "n/a"})
    frame = pd.DataFrame(rows)
    return Table(frame.set_index(["judgment", "rank"]) if rows else frame, "Indicators to watch")
