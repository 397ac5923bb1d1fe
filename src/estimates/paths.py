"""Where the project's files live. Every path the package uses comes from here."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# The package is installed in editable mode from a checkout, so the checkout's top level is two up.
PROJECT_DIR = Path(os.environ.get("ESTIMATES_PROJECT_DIR", PACKAGE_DIR.parents[1])).resolve()
# A wheel carries data/ inside the package (setup.py); a checkout has it at the top level.
DATA_DIR = PROJECT_DIR / "data" if (PROJECT_DIR / "data").is_dir() else PACKAGE_DIR / "data"
NOTEBOOK_DIR = PROJECT_DIR / "notebooks"
DEFAULT_OUTPUT_ROOT = Path("reports")

#: The bundled case (the seed's spring-2022 report): ``case.yaml`` and the files it names.
BUNDLED_CASE = DATA_DIR
CLAIMS_LEDGER = DATA_DIR / "claims.csv"
TEMPLATE_DIR = PACKAGE_DIR / "report" / "templates"
RESULTS_SCHEMA = PACKAGE_DIR / "report" / "schemas" / "results.schema.json"
TRANSFERS = DATA_DIR / "transfers.csv"
HOLDINGS = DATA_DIR / "btg_holdings.csv"
STATEMENTS = DATA_DIR / "btg_statements.csv"
GRADE_TABLE = DATA_DIR / "grade_probabilities.csv"
LOSSES_DIR = DATA_DIR / "ukraine_losses"
CDB90_DIR = DATA_DIR / "cdb90"


def project_path(value: str | os.PathLike) -> Path:
    """A path parameter as a path: absolute as given, relative to the project directory.

    ``estimates run`` makes a relative path the user typed absolute (from the current directory)
    before any notebook sees it, so this rule only places the defaults, such as the bundled
    ``data/claims.csv``, and values given to a notebook run on its own.
    """
    path = Path(value)
    return path if path.is_absolute() else PROJECT_DIR / path

