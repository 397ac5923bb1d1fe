"""The resupply model's parts of the briefing beyond its template: its key table (CSV)."""

from __future__ import annotations

import pandas as pd


def tables(section: dict) -> dict[str, pd.DataFrame]:
    last = len(section["dates"]) - 1
    rows = []
    for key, c in section["categories"].items():
        share = c["share_of_losses_replaced"] or {}
        rows.append({
            "category": key, "label": c["label"], "restored_unit": c["restored_unit"],
            "binding": key in section["binding_constraint"],
            **{f"delivered_q{q}": v[last] for q, v in c["delivered_quantiles"].items()},
            **{f"restored_q{q}": v[last] for q, v in c["restored_quantiles"].items()},
            "p_at_least_one_restored": c["at_least_one_restored"][last]["probability"],
            **{f"share_replaced_q{q}": v for q, v in share.items()},
        })
    return {"resupply_categories": pd.DataFrame(rows)}
