"""The attrition model's own parameters, and the rules that tie several of them together."""

from __future__ import annotations

from typing import Literal

from estimates.parameters.fields import ASSUMPTION, param

PARAMETERS = {
    # --- the process model ---------------------------------------------------------------------
    # --- the joint estimate from every official statement ---------------------------------------
    "statements_path": param(
        str,
        "btg_statements.csv", unit="path", source=ASSUMPTION,
        label="official statements file",
        help="Official statements of ineffective units read as observations (CSV, see data/README.md); edit to re-read them.",
    ),
    "hazard_shape_low": param(
        float,
        0.5, ge=0.05, le=20.0, unit="", source=ASSUMPTION, plausible=(0.3, 0.8),
        label="low end of the hazard shape prior",
        help="Prior 90% interval of the hazard's Weibull shape (1 constant tempo, <1 falling, >1 rising): "
             "low end; equal ends fix the shape.",
    ),
    "hazard_shape_high": param(
        float,
        2.0, ge=0.05, le=20.0, unit="", source=ASSUMPTION, plausible=(1.5, 3.0),
        label="high end of the hazard shape prior",
        help="Prior 90% interval of the hazard's Weibull shape: high end.",
    ),
    "reassessment_weight": param(
        float,
        0.5, ge=0.0, le=1.0, unit="probability", source=ASSUMPTION, plausible=(0.2, 0.8),
        label="weight on statements as re-assessments",
        help="Prior weight of reading the statements as independent re-assessments rather than counts "
             "of the same force over time.",
    ),
    "reconstitution_per_week": param(
        float,
        0.0, ge=0.0, le=50.0, unit="units/week", source=ASSUMPTION,
        label="units regenerated per week",
        plausible=(0.0, 3.0),
        help="Ineffective units regenerated per week (never more than are ineffective).",
    ),
    "horizon_days": param(
        int,
        56, ge=1, le=730, unit="days", source=ASSUMPTION, plausible=(28, 84),
        label="days projected ahead",
        help="How far past count_date to project effective units.",
    ),
    "threshold_share": param(
        float,
        0.5, ge=0.0, le=1.0, unit="fraction of committed", source=ASSUMPTION,
        label="threshold share of units still effective",
        plausible=(0.4, 0.6),
        help="Effective units below this share of those committed count as a crossing.",
    ),
    # --- a stated share read both ways (the bundled case's "75%") -------------------------------
    "share_readings": param(
        Literal["auto", "on", "off"],
        "auto", unit="", source=ASSUMPTION,
        label="read a stated share both ways",
        help="Read a stated share both ways (share of the army, combat power retained): auto when the "
             "ledger holds the claims of committed_share_of_army and combat_power_retained; on; off.",
    ),
    "committed_share_of_army": param(
        float,
        0.75, ge=0.01, le=1.0, unit="fraction", states_claim=True, source="claim:btg-committed-share-75",
        label="share of the army committed",
        plausible=(0.65, 0.8),
        help="Reading 1 of a stated share: the committed force's share of the whole army.",
    ),
    "committed_share_of_army_alt": param(
        float,
        # Not stating its claim: a comparison reading set from a statement made after the bundled
        # cut-off (2 May 2022), so the baseline lists it as an assumption rather than as reporting.
        0.65, ge=0.01, le=1.0, unit="fraction", source="claim:ukmod-committed-share-65",
        label="second source's share committed",
        plausible=(0.6, 0.7),
        help="A second source's share of ground combat strength committed, for comparison.",
    ),
    "share_rounding": param(
        float,
        0.025, ge=0.0, le=0.2, unit="fraction (+/-)", source=ASSUMPTION,
        label="rounding of a stated share",
        plausible=(0.0, 0.05), help="How far an 'about N%' share may be from N.",
    ),
    "units_total_low": param(
        int,
        168, ge=1, le=5000, unit="units", states_claim=True, source="claim:btg-total-2021",
        label="low end of pre-war units in the army",
        help="Lower end of the stated total of units the army had before the conflict.",
    ),
    "units_total_high": param(
        int,
        170, ge=1, le=5000, unit="units", states_claim=True, source="claim:btg-total-2021",
        label="high end of pre-war units in the army",
        help="Upper end of the stated total of units the army had before the conflict.",
    ),
    "combat_power_retained": param(
        float,
        # As above: a reading taken from a statement of mid-April 2022, after the bundled cut-off.
        0.75, ge=0.0, le=1.0, unit="fraction", source="claim:us-combat-power-retained-75",
        label="share of combat power retained",
        plausible=(0.7, 0.8),
        help="Reading 2 of a stated share: the share of its starting combat power the force retained.",
    ),
}


def _rounding_below_shares(p) -> None:
    if p.share_rounding >= min(p.committed_share_of_army, p.committed_share_of_army_alt):
        raise ValueError("share_rounding: must be smaller than both committed shares "
                         f"({p.committed_share_of_army}, {p.committed_share_of_army_alt}); got {p.share_rounding}")


RULES = (_rounding_below_shares,)
