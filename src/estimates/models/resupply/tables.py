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


def summary_table(outlooks, binding: tuple[str, ...]) -> Table:
    """Per category at the horizon's end: delivered, restored, the chance of any, the share replaced."""
    rows = {}
    for o in outlooks:
        share = o.share_replaced or {}
        rows[o.label] = {
            "delivered, median (90%)": f"{o.delivered['0.5'][-1]:.0f} ({o.delivered['0.05'][-1]:.0f} to "
                                       f"{o.delivered['0.95'][-1]:.0f})",
            "restored, median": f"{o.restored['0.5'][-1]:.1f} {o.restored_unit}",
            "chance at least one is restored": percent(o.at_least_one[-1].probability,
                                                       o.at_least_one[-1].standard_error),
            "share of losses replaced, median (90%)": (f"{share['0.5']:.1%} ({share['0.05']:.1%} to "
                                                       f"{share['0.95']:.1%})" if share else "not a unit category"),
            "binds the outcome": "yes" if o.category in binding else "no"}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "category"
    return Table(frame, "Capability restored by the horizon's end")


def constraints_table(constraints) -> Table:
    """Events stated instead of judged, each with the sentence that says why."""
    frame = pd.DataFrame([{"event": c.id, "what the inputs settle": c.sentence} for c in constraints])
    return Table(frame.set_index("event") if len(frame) else frame,
                 "What the inputs settle" if len(frame) else "Nothing settled: every event is judged")


def left_out_table(frame: pd.DataFrame) -> Table:
    """Consignments not counted, and why."""
    shown = frame.fillna("not given").astype(str)
    return Table(shown, "Consignments left out" if len(shown) else "No consignment left out")

