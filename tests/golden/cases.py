"""The parameter sets whose ``results.json`` is stored here: the baseline and one per model.

Each non-default set moves inputs of one model away from the seed's values, so a refactor that
changes how that model reads its parameters shows up as a changed number.
"""

CASES: dict[str, dict] = {
    "baseline": {},
    "attrition": {"hazard_shape_low": 1.2, "hazard_shape_high": 1.2, "reconstitution_per_week": 1.5, "units_ineffective": 33,
                  "count_uncertainty": 2},
    "resupply": {"ship_count": 2, "base_rate": 0.4, "grade_confidence": 1.3, "turnaround_days_low": 5,
                 "equipment_loss_share_low": 0.4},
    "pooling": {"hazard_shape_low": 0.6, "reassessment_weight": 0.3, "overdispersion": 0.02,
                "denominator_uncertainty": 3},
    "losses": {"loss_concentration": 3.0, "overcount_low": 1.3, "loss_threshold_high": 0.6},
    "lanchester": {"initial_strength": 180000, "count_date": "2022-04-01"},
}
