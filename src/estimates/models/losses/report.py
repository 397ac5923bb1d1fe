"""The losses model's parts of the briefing beyond its template: its key table (CSV)."""

from __future__ import annotations

import pandas as pd


def tables(section: dict) -> dict[str, pd.DataFrame]:
    return {"losses_sensitivity": pd.DataFrame(section["sensitivity"])}
