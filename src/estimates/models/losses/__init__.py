"""Losses: claimed armour losses spread over the committed units, as a check on the count."""

from estimates.model import Model
from estimates.models.losses.parameters import PARAMETERS
from estimates.models.uses import RUN
from estimates.paths import NOTEBOOK_DIR

MODEL = Model(
    name="losses",
    title="Claimed equipment losses",
    package=__name__,
    notebook=NOTEBOOK_DIR / "losses.ipynb",
    parameters=PARAMETERS,
    uses=RUN + ("units_committed", "units_ineffective", "count_date", "denominator_uncertainty", "holdings_path"),
    question_parameters=("as_of", "count_date", "units_ineffective"),
    crosscheck=True,
    headline_rank=3,
    page_figure="losses_implied",
    question="whether the claimed equipment losses bear the count out",
)
