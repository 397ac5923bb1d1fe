"""Parameters several models share: run control, the claims ledger, the reported counts.

A model takes the ones it needs by naming them in ``Model.uses``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from estimates.parameters.fields import ASSUMPTION, param

SHARED = {
    # --- run control -------------------------------------------------------------------------
    "seed": param(
        int,
        20220406, ge=0, le=2**32 - 1, unit="", source=ASSUMPTION,
        help="Seed of the one random generator; each model derives its own stream from it.",
    ),
    "n_samples": param(
        int,
        20000, ge=1000, le=2_000_000, unit="draws", source=ASSUMPTION,
        help="Monte Carlo draws per model; tests use a quick profile with fewer.",
    ),
    "as_of": param(
        dt.date,
        dt.date(2022, 4, 6), ge=dt.date(2022, 2, 25), le=dt.date(2030, 12, 31), unit="date",
        source="claim:campaign-six-weeks", strict=False,
        plausible=(dt.date(2022, 4, 1), dt.date(2022, 4, 11)),
        help="Information cut-off: the date the reported counts describe (day 1 is 2022-02-24).",
    ),
    # --- input files ---------------------------------------------------------------------------
    # Read, never written. The default is the bundled ledger in the project directory; a relative
    # path given to `estimates run` is taken from the current directory (the CLI makes it absolute).
    "claims_path": param(
        str,
        "data/claims.csv", unit="path", source=ASSUMPTION,
        help="Claims ledger to read (CSV, columns in data/claims.md); the default is the bundled one.",
    ),
    # --- the reported counts -------------------------------------------------------------------
    "btg_committed": param(
        int,
        125, ge=1, le=1000, unit="BTG", states_claim=True, source="claim:btg-committed-125",
        plausible=(120, 130), help="Battalion tactical groups committed at the start of the invasion.",
    ),
    "btg_ineffective": param(
        int,
        29, ge=0, le=1000, unit="BTG", states_claim=True, source="claim:btg-ineffective-29",
       
        plausible=(25, 38), help="BTGs reported combat-ineffective at the as-of date.",
    ),
    "count_uncertainty": param(
        int,
        4, ge=0, le=100, unit="BTG (+/-)", source=ASSUMPTION, plausible=(0, 9),
        help="Spread of the ineffective count from what 'combat ineffective' is taken to mean.",
    ),
    "denominator_uncertainty": param(
        int,
        5, ge=0, le=200, unit="BTG (+/-)", source="claim:cnn-btg-out-of-action",
        plausible=(0, 10), help="Spread of the committed count (statements said about 120 or 125).",
    ),
    # --- the process model ---------------------------------------------------------------------
    "prior": param(
        Literal["jeffreys", "uniform"],
        "jeffreys", unit="", source=ASSUMPTION,
        help="Beta prior for the per-BTG probability of becoming ineffective.",
    ),
    "overdispersion": param(
        float,
        0.0, ge=0.0, le=0.5, unit="correlation", source=ASSUMPTION,
        plausible=(0.0, 0.05),
        help="Intra-class correlation of losses (beta-binomial); 0 treats BTGs as independent.",
    ),
}


def _count_within_force(p) -> None:
    if p.btg_ineffective > p.btg_committed:
        raise ValueError(f"btg_ineffective: must be at most btg_committed ({p.btg_committed}); "
                         f"got {p.btg_ineffective}")


RULES = (_count_within_force,)
