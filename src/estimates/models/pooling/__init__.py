"""Pooling: every official statement of ineffective units fitted to one hazard, and each checked against the others."""

from estimates.model import Model
from estimates.models.pooling.parameters import PARAMETERS
from estimates.models.uses import FORCE, RUN
from estimates.paths import NOTEBOOK_DIR

MODEL = Model(
    name="pooling",
    title="All official statements, pooled",
    package=__name__,
    notebook=NOTEBOOK_DIR / "pooling.ipynb",
    parameters=PARAMETERS,
    uses=RUN + FORCE + ("count_uncertainty", "statements_path", "hazard_shape_low", "hazard_shape_high",
                        "reassessment_weight"),
    question_parameters=("as_of", "outlook_days", "outlook_share"),
    crosscheck=True,
    key_judgment_ranks={"pooling-rising-tempo": 5, "pooling-third-ineffective": 6, "pooling-outlook": 7},
    settleable={
        "pooling-third-ineffective": "a later count of the units ineffective on or after the last statement's date",
        "pooling-outlook": "a later count of the units ineffective on or around the outlook date",
    },
    page_figure="pooling_estimates",
    question="whether the official statements agree with one another",
)
