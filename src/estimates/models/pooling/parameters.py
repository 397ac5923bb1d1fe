"""The pooling model's own parameters: what its outlook judgment asks. The joint estimate's inputs
(statements, shape prior, reading weight) it takes from attrition, whose bottom line rests on the
same estimate."""

from __future__ import annotations

from estimates.parameters.fields import ASSUMPTION, param

PARAMETERS = {
    "outlook_days": param(
        int,
        26, ge=1, le=730, unit="days", source=ASSUMPTION,
        label="days ahead the outlook asks about",
        help="The outlook judgment asks how many units are ineffective this many days after the cut-off: "
             "a question the next official count can settle.",
    ),
    "outlook_share": param(
        float,
        0.4, ge=0.0, le=1.0, unit="fraction of committed", source=ASSUMPTION,
        label="share the outlook asks about",
        help="The outlook judgment asks whether more than this share of the committed units are ineffective "
             "by then.",
    ),
}
