"""The resupply model's own parameters, and the rules that tie several of them together."""

from __future__ import annotations

from estimates.parameters.fields import ASSUMPTION, param

PARAMETERS = {
    # --- input files ---------------------------------------------------------------------------
    # Read, never written. A relative path in case.yaml is in the case folder; one typed on the
    # command line is taken from the current directory.
    "transfers_path": param(
        str,
        "transfers.csv", unit="path", source=ASSUMPTION,
        label="reported transfers file",
        help="Reported consignments (CSV, see data/README.md); relative to the case folder.",
    ),
    "grades_path": param(
        str,
        "grade_probabilities.csv", unit="path", source=ASSUMPTION,
        label="grade-to-probability table file",
        help="Mapping from Admiralty grades to probabilities (CSV, see data/README.md); override to test it.",
    ),
    # --- resupply: from grades to probabilities ------------------------------------------------
    "base_rate": param(
        float,
        0.5, ge=0.01, le=0.99, unit="probability", source=ASSUMPTION,
        label="chance true when grade cannot be judged",
        plausible=(0.3, 0.7),
        help="P(true) standing in for grades F and 6 ('cannot be judged') in the grade table.",
    ),
    "grade_confidence": param(
        float,
        1.0, ge=0.0, le=3.0, unit="", source=ASSUMPTION, plausible=(0.5, 1.5),
        label="trust in the source grades",
        help="Stretch of the log-odds in the grade table away from the base rate (1 keeps the table).",
    ),
    "originator_correlation": param(
        float,
        0.3, ge=0.0, le=1.0, unit="correlation", source=ASSUMPTION,
        label="correlation of claims by one originator",
        plausible=(0.1, 0.5), help="Latent correlation of claims sharing an originator.",
    ),
    "outlet_correlation": param(
        float,
        0.3, ge=0.0, le=1.0, unit="correlation", source=ASSUMPTION,
        label="correlation within a line of evidence",
        plausible=(0.1, 0.5),
        help="Latent correlation added for claims on one line of evidence (one briefing, network or article).",
    ),
    # --- resupply: quantities the report does not give (90% intervals, lognormal) ---------------
    "rpg_launchers_low": param(
        float,
        50, ge=0, le=1e6, unit="launchers", source=ASSUMPTION, plausible=(20, 100),
        label="low end of RPG launchers moved",
        help="RPG launchers moved (a transfers row's quantity_parameter): low end of a 90% interval (not reported).",
    ),
    "rpg_launchers_high": param(
        float,
        500, ge=0, le=1e6, unit="launchers", source=ASSUMPTION, plausible=(250, 1000),
        label="high end of RPG launchers moved",
        help="RPG launchers moved (a transfers row's quantity_parameter): high end of a 90% interval (not reported).",
    ),
    "atgm_launchers_low": param(
        float,
        10, ge=0, le=1e6, unit="launchers", source=ASSUMPTION, plausible=(5, 20),
        label="low end of anti-tank launchers moved",
        help="Anti-tank missile launchers moved: low end of a 90% interval (not reported).",
    ),
    "atgm_launchers_high": param(
        float,
        100, ge=0, le=1e6, unit="launchers", source=ASSUMPTION, plausible=(50, 200),
        label="high end of anti-tank launchers moved",
        help="Anti-tank missile launchers moved: high end of a 90% interval (not reported).",
    ),
    # --- resupply: the route (case.yaml's legs; one leg has the carrier ship_count counts) ---------
    "undated_departure_day_low": param(
        int,
        20, ge=1, le=3650, unit="day of the conflict", source=ASSUMPTION, plausible=(10, 30),
        label="earliest day an undated transfer left",
        help="Earliest departure of an undated transfer (uniform between low and high).",
    ),
    "undated_departure_day_high": param(
        int,
        47, ge=1, le=3650, unit="day of the conflict", source="claim:bavar373-donated",
        label="latest day an undated transfer left",
        plausible=(40, 60), help="Latest departure of an undated transfer: the date its claim was reported (day 47 in the bundled case).",
    ),
    "port_transit_days_low": param(
        float,
        2, ge=0.1, le=365, unit="days", source=ASSUMPTION, plausible=(1, 4),
        label="low end of days to the loading point",
        help="Transit over the route's legs before its carrier leg, to where the carriers load: low end of a 90% interval.",
    ),
    "port_transit_days_high": param(
        float,
        7, ge=0.1, le=365, unit="days", source=ASSUMPTION, plausible=(5, 14),
        label="high end of days to the loading point",
        help="Transit over the route's legs before its carrier leg: high end of a 90% interval.",
    ),
    "ship_count": param(
        int,
        3, ge=0, le=100, unit="carriers", states_claim=True, source="claim:caspian-three-ships",
        label="carriers serving the crossing",
        plausible=(1, 5), help="Carriers (the route's carrier: ships, trains) serving its carrier leg.",
    ),
    "ship_capacity_tonnes_low": param(
        float,
        1500, ge=1, le=1e6, unit="tonnes", source=ASSUMPTION, plausible=(500, 3000),
        label="low end of cargo per carrier trip",
        help="Cargo one carrier can take on one trip: low end of a 90% interval.",
    ),
    "ship_capacity_tonnes_high": param(
        float,
        5000, ge=1, le=1e6, unit="tonnes", source=ASSUMPTION, plausible=(3000, 7000),
        label="high end of cargo per carrier trip",
        help="Cargo one carrier can take on one trip: high end of a 90% interval.",
    ),
    "turnaround_days_low": param(
        float,
        7, ge=0.5, le=365, unit="days", source=ASSUMPTION, plausible=(4, 10),
        label="low end of carrier round-trip days",
        help="Round trip of one carrier including loading: low end of a 90% interval.",
    ),
    "turnaround_days_high": param(
        float,
        14, ge=0.5, le=365, unit="days", source=ASSUMPTION, plausible=(10, 28),
        label="high end of carrier round-trip days",
        help="Round trip of one carrier including loading: high end of a 90% interval.",
    ),
    "crossing_days_low": param(
        float,
        2, ge=0.1, le=60, unit="days", source=ASSUMPTION, plausible=(1, 3),
        label="low end of days to make the crossing",
        help="Time to cross the carrier leg: low end of a 90% interval.",
    ),
    "crossing_days_high": param(
        float,
        4, ge=0.1, le=60, unit="days", source=ASSUMPTION, plausible=(3, 7),
        label="high end of days to make the crossing",
        help="Time to cross the carrier leg: high end of a 90% interval.",
    ),
    "onward_days_low": param(
        float,
        3, ge=0.1, le=365, unit="days", source=ASSUMPTION, plausible=(2, 7),
        label="low end of days onward to the front",
        help="Onward over the route's legs after its carrier leg, to units at the front: low end of a 90% interval.",
    ),
    "onward_days_high": param(
        float,
        14, ge=0.1, le=365, unit="days", source=ASSUMPTION, plausible=(7, 30),
        label="high end of days onward to the front",
        help="Onward over the route's legs after its carrier leg: high end of a 90% interval.",
    ),
    # --- resupply: the loss denominator ------------------------------------------------------------
    "equipment_loss_share_low": param(
        float,
        0.3, ge=0.01, le=0.99, unit="fraction", source=ASSUMPTION, plausible=(0.2, 0.4),
        label="low end of equipment lost if ineffective",
        help="Share of its equipment an ineffective unit has lost: low end of a 90% interval.",
    ),
    "equipment_loss_share_high": param(
        float,
        0.7, ge=0.01, le=0.99, unit="fraction", source=ASSUMPTION, plausible=(0.6, 0.9),
        label="high end of equipment lost if ineffective",
        help="Share of its equipment an ineffective unit has lost: high end of a 90% interval.",
    ),
    "replacement_share_threshold": param(
        float,
        0.1, ge=0.0, le=10.0, unit="fraction", source=ASSUMPTION,
        label="replacement share counted as material",
        help="Share of a category's losses that counts as a material replacement in the judgments.",
    ),
}


#: Stems ``s`` of the parameter pairs ``s_low``, ``s_high`` a transfers row may name as its
#: ``quantity_parameter``: the 90% interval of a quantity the report does not give.
QUANTITY_PARAMETERS = ("rpg_launchers", "atgm_launchers")


def _correlations_sum_to_at_most_one(p) -> None:
    if p.originator_correlation + p.outlet_correlation > 1.0:
        raise ValueError(
            "originator_correlation: originator_correlation + outlet_correlation must be at most 1 "
            f"(so the correlation matrix is valid); got {p.originator_correlation} + {p.outlet_correlation}")


RULES = (_correlations_sum_to_at_most_one,)
