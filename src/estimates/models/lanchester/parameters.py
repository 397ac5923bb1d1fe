"""The lanchester model's own parameters, and the rules that tie several of them together."""

from __future__ import annotations

from estimates.parameters.fields import param

PARAMETERS = {
    # --- Lanchester: the tempo of the claimed personnel losses -----------------------------------
    "personnel_losses_path": param(
        str,
        "ukraine_losses/russia_losses_personnel.json", unit="path", source="claim:uags-personnel-losses",
        label="claimed personnel losses file",
        help="Claimed personnel losses, cumulative: a CSV (date,category,cumulative; category personnel) or the bundled JSON format; relative to the case folder.",
    ),
    "initial_strength": param(
        float,
        150_000, ge=1000, le=5_000_000, unit="troops", source="claim:reuters-btg-border-125",
        label="troops committed at the start",
        plausible=(120_000, 190_000),
        help="Troops the subject committed at the start, the base of the per-capita loss hazard.",
    ),
}
