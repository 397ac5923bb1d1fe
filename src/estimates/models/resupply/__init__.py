"""Resupply: the reported transfers, graded, moved along the case's route and set against the losses
they would replace."""

from estimates.model import Model
from estimates.models.resupply.parameters import PARAMETERS, RULES
from estimates.models.uses import RUN
from estimates.paths import NOTEBOOK_DIR

MODEL = Model(
    name="resupply",
    title="Resupply along the reported route",
    package=__name__,
    notebook=NOTEBOOK_DIR / "resupply.ipynb",
    parameters=PARAMETERS,
    uses=RUN + ("holdings_path",),
    includes=("attrition",),
    question_parameters=("horizon_days", "threshold_share", "replacement_share_threshold"),
    rules=RULES,
    key_judgment_ranks={"resupply-replacement": 2, "resupply-air-defence": 3},
    headline_rank=2,
    page_figure="resupply_share_replaced",
    question="what the reported transfers could restore",
)
