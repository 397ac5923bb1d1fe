"""Lanchester: which attrition law history supports, and the tempo of the claimed personnel losses."""

from estimates.model import Model
from estimates.models.lanchester.parameters import PARAMETERS
from estimates.paths import NOTEBOOK_DIR

MODEL = Model(
    name="lanchester",
    title="Lanchester's equations",
    package=__name__,
    notebook=NOTEBOOK_DIR / "lanchester.ipynb",
    parameters=PARAMETERS,
    uses=("as_of", "case", "claims_path", "units_committed", "units_ineffective", "count_date", "prior"),
    crosscheck=True,
    page_figure="lanchester_tempo",
    question="how the claimed tempo compares with Lanchester's equations and past battles",
)
