"""The losses model's parts of the briefing beyond its template: its key tables (CSV)."""

from __future__ import annotations

import pandas as pd


def tables(section: dict) -> dict[str, pd.DataFrame]:
    """The over-count x concentration grid, and the check of the count across the concentration scan."""
    return {"losses_sensitivity": pd.DataFrame(section["sensitivity"]),
            "losses_check": pd.DataFrame(section.get("concentration_scan") or [])}
