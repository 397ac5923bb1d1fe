"""The losses model's own parameters, and the rules that tie several of them together."""

from __future__ import annotations

from estimates.parameters.fields import ASSUMPTION, param

PARAMETERS = {
    # --- the loss-data cross-check ------------------------------------------------------------------
    "losses_path": param(
        str,
        "ukraine_losses/russia_losses_equipment.json", unit="path", source="claim:uags-armour-losses",
        label="claimed equipment losses file",
        help="Claimed equipment losses, cumulative: a CSV (date,category,cumulative; categories mapped by loss_categories in case.yaml) or the bundled JSON format; relative to the case folder.",
    ),
    "overcount_low": param(
        float,
        1.1, ge=0.2, le=10.0, unit="claimed / true", source=ASSUMPTION,
        label="low end of the over-count of losses",
        plausible=(0.9, 1.3),
        help="Over-count of the claimed losses, low end of a 90% interval: an assumption, which visually confirmed losses bound from above only at their own date (the bundled case's in early 2023, after its cut-off).",
    ),
    "overcount_high": param(
        float,
        2.0, ge=0.2, le=10.0, unit="claimed / true", source=ASSUMPTION,
        label="high end of the over-count of losses",
        plausible=(1.6, 2.5), help="Over-count of the claimed losses, high end of a 90% interval: an assumption, as overcount_low.",
    ),
    "loss_threshold_low": param(
        float,
        0.3, ge=0.01, le=0.99, unit="fraction of armour", source=ASSUMPTION,
        label="low end of armour lost to be ineffective",
        plausible=(0.2, 0.4),
        help="Share of its armour a unit loses before it is combat-ineffective: low end of a 90% interval.",
    ),
    "loss_threshold_high": param(
        float,
        0.5, ge=0.01, le=0.99, unit="fraction of armour", source=ASSUMPTION,
        label="high end of armour lost to be ineffective",
        plausible=(0.4, 0.7),
        help="Share of its armour a unit loses before it is combat-ineffective: high end of a 90% interval.",
    ),
    "loss_concentration": param(
        float,
        1.0, ge=0.01, le=1000.0, unit="Dirichlet alpha", source=ASSUMPTION,
        label="how evenly losses spread over units",
        plausible=(0.3, 10.0),
        help="How evenly losses spread over units: large is even, 1 puts ~60% of losses on a quarter of units; the check of the count is also scanned over its whole allowed range.",
    ),
    "loss_share_on_units_low": param(
        float,
        0.7, ge=0.01, le=0.99, unit="fraction", source=ASSUMPTION, plausible=(0.5, 0.8),
        label="low end of losses on committed units",
        help="Share of the armour lost that belonged to the committed units: low end of a 90% interval.",
    ),
    "loss_share_on_units_high": param(
        float,
        0.95, ge=0.01, le=0.99, unit="fraction", source=ASSUMPTION, plausible=(0.85, 0.99),
        label="high end of losses on committed units",
        help="Share of the armour lost that belonged to the committed units: high end of a 90% interval.",
    ),
}
