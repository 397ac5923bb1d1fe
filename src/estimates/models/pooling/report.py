"""The pooling model's parts of the briefing beyond its template: its key table (CSV)."""

from __future__ import annotations

import pandas as pd


def tables(section: dict) -> dict[str, pd.DataFrame]:
    checks = {c["observation_id"]: c for c in section["checks"]["free_shape"]}
    constant = {c["observation_id"]: c for c in section["checks"]["constant_hazard"]}
    rows = []
    for s in section["statements"]:
        row = {"observation_id": s["observation_id"], "claim_ids": ";".join(s["claim_ids"]), "date": s["date"],
               "reported": s["reported"]}
        for label, found in (("free_shape", checks), ("constant_hazard", constant)):
            c = found.get(s["observation_id"])
            row[f"predicted_q05_{label}"] = c["predicted"]["0.05"] if c else None
            row[f"predicted_q95_{label}"] = c["predicted"]["0.95"] if c else None
            row[f"tail_probability_{label}"] = c["tail_probability"] if c else None
        rows.append(row)
    return {"pooling_statements": pd.DataFrame(rows)}
