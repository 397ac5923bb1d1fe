"""Attrition: what a count of combat-ineffective units implies for the per-unit hazard and the
force's path ahead, and a stated share (the bundled case's "75%") read both ways."""

from estimates.model import Model
from estimates.models.attrition.parameters import PARAMETERS, RULES
from estimates.models.uses import FORCE, RUN
from estimates.paths import NOTEBOOK_DIR

MODEL = Model(
    name="attrition",
    title="Attrition",
    package=__name__,
    notebook=NOTEBOOK_DIR / "attrition.ipynb",
    parameters=PARAMETERS,
    uses=RUN + FORCE + ("count_uncertainty",),
    rules=RULES,
    question_parameters=("horizon_days", "threshold_share"),
    key_judgment_ranks={"attrition-threshold": 1, "attrition-rate-above-implied-loss": 4},
    settleable={"attrition-threshold": "a later count of the units ineffective on or before the projection's last "
                                       "date (or on or after it, when no units are reconstituted)"},
    headline_rank=1,
    page_figure="attrition_fan",
    question="how many of the committed {unit_plural} were combat-ineffective, and how that may go on",
)
