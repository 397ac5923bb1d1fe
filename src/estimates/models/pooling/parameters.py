"""The pooling model's own parameters, and the rules that tie several of them together."""

from __future__ import annotations

from estimates.parameters.fields import ASSUMPTION, param

PARAMETERS = {
    # --- pooling the official statements --------------------------------------------------------
    "statements_path": param(
        str,
        "btg_statements.csv", unit="path", source=ASSUMPTION,
        help="Official statements of ineffective units read as observations (CSV, see data/README.md); edit to re-read them.",
    ),
    "pooling_shape_low": param(
        float,
        0.5, ge=0.05, le=20.0, unit="", source=ASSUMPTION, plausible=(0.3, 0.8),
        help="Prior 90% interval of the hazard's Weibull shape when pooling statements: low end.",
    ),
    "pooling_shape_high": param(
        float,
        2.0, ge=0.05, le=20.0, unit="", source=ASSUMPTION, plausible=(1.5, 3.0),
        help="Prior 90% interval of the hazard's Weibull shape when pooling statements: high end.",
    ),
}
