"""Losses: Ukraine's claimed armour losses spread over the committed BTGs, as a check on the count."""

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
    uses=RUN + ("btg_committed", "btg_ineffective", "denominator_uncertainty"),
    question_parameters=("as_of", "btg_ineffective"),
    crosscheck=True,
)
