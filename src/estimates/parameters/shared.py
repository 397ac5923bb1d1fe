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
        label="random seed",
        help="Seed of the one random generator; each model derives its own stream from it.",
    ),
    "n_samples": param(
        int,
        20000, ge=1000, le=2_000_000, unit="draws", source=ASSUMPTION,
        label="simulation draws per model",
        help="Monte Carlo draws per model; tests use a quick profile with fewer.",
    ),
    "as_of": param(
        dt.date,
        dt.date(2022, 4, 11), ge=dt.date(1900, 1, 1), le=dt.date(2100, 12, 31), unit="date",
        label="information cut-off",
        source=ASSUMPTION, strict=False,
        help="Information cut-off: claims and statements reported after it are not used.",
    ),
    "case": param(
        str,
        "", unit="folder", source=ASSUMPTION,
        label="case folder",
        help="Case folder (case.yaml and its data files); empty for the bundled case.",
    ),
    "likelihood_scale": param(
        Literal["icd203", "uk"],
        "icd203", unit="", source=ASSUMPTION,
        label="probability wording scale",
        help="Words of estimative probability printed: icd203 (US ICD 203) or uk (UK Probability Yardstick); "
             "bands, confidence and band changes follow ICD 203 either way.",
    ),
    # --- input files ---------------------------------------------------------------------------
    # Read, never written. A relative path in case.yaml is in the case folder; one typed on the
    # command line is taken from the current directory.
    "claims_path": param(
        str,
        "claims.csv", unit="path", source=ASSUMPTION,
        label="claims ledger file",
        help="Claims ledger to read (CSV, columns in data/claims.md); relative to the case folder.",
    ),
    "holdings_path": param(
        str,
        "btg_holdings.csv", unit="path", source=ASSUMPTION,
        label="file of equipment held per unit",
        help="What one unit holds per capability category (CSV, see data/README.md); relative to the case folder.",
    ),
    # --- the reported counts -------------------------------------------------------------------
    "units_committed": param(
        int,
        125, ge=1, le=100_000, unit="units", states_claim=True, source="claim:btg-committed-125",
        label="units committed at the start",
        plausible=(120, 130), help="Units committed at the start of the conflict.",
    ),
    "units_ineffective": param(
        int,
        29, ge=0, le=100_000, unit="units", states_claim=True, source="claim:btg-ineffective-29",
        label="units combat-ineffective at the count",
        plausible=(25, 38), help="Units reported combat-ineffective on count_date.",
    ),
    "count_date": param(
        dt.date,
        dt.date(2022, 4, 6), ge=dt.date(1900, 1, 1), le=dt.date(2100, 12, 31), unit="date",
        label="date the counts describe",
        states_claim=True, source="claim:btg-ineffective-29", strict=False, plausible=(-5, 5),
        help="The date the reported counts describe (the count's event date; never after as_of).",
    ),
    "count_uncertainty": param(
        int,
        4, ge=0, le=10_000, unit="units (+/-)", source=ASSUMPTION, plausible=(0, 9),
        label="error in the ineffective count",
        help="Spread of the ineffective count from what 'combat ineffective' is taken to mean.",
    ),
    "denominator_uncertainty": param(
        int,
        5, ge=0, le=10_000, unit="units (+/-)", source="claim:cnn-btg-out-of-action",
        label="error in the committed count",
        plausible=(0, 10), help="Spread of the committed count (statements said about 120 or 125).",
    ),
    # --- the process model ---------------------------------------------------------------------
    "prior": param(
        Literal["jeffreys", "uniform"],
        "jeffreys", unit="", source=ASSUMPTION,
        label="prior for the share made ineffective",
        help="Beta prior for the per-unit probability of becoming ineffective.",
    ),
    "overdispersion": param(
        float,
        0.0, ge=0.0, le=0.5, unit="correlation", source=ASSUMPTION,
        label="correlation of losses between units",
        plausible=(0.0, 0.05),
        help="Intra-class correlation of losses (beta-binomial); 0 treats units as independent.",
    ),
}


def _count_within_force(p) -> None:
    if p.units_ineffective > p.units_committed:
        raise ValueError(f"units_ineffective: must be at most units_committed ({p.units_committed}); "
                         f"got {p.units_ineffective}")


RULES = (_count_within_force,)

#: Old parameter names still accepted, each with its new name: parameter files, sweep grids and
#: runs made before the names lost the seed's unit.
RENAMED = {
    "btg_committed": "units_committed",
    "btg_ineffective": "units_ineffective",
    "btg_total_low": "units_total_low",
    "btg_total_high": "units_total_high",
    "loss_share_on_btgs_low": "loss_share_on_units_low",
    "loss_share_on_btgs_high": "loss_share_on_units_high",
    "russian_initial_strength": "initial_strength",
    "pooling_shape_low": "hazard_shape_low",
    "pooling_shape_high": "hazard_shape_high",
}

#: Parameters no longer taken, each with what replaced it: named in the error a run that gives one gets.
RETIRED = {
    "hazard_shape": "the hazard's Weibull shape is now estimated from every statement; to fix it, set "
                    "hazard_shape_low and hazard_shape_high to the same value",
}
