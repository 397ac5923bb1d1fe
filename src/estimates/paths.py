"""Where the project's files live. Every path the package uses comes from here."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# The package is installed in editable mode from a checkout, so the checkout's top level is two up.
PROJECT_DIR = Path(os.environ.get("ESTIMATES_PROJECT_DIR", PACKAGE_DIR.parents[1])).resolve()
DATA_DIR = PROJECT_DIR / "data"
NOTEBOOK_DIR = PROJECT_DIR / "notebooks"
DEFAULT_OUTPUT_ROOT = Path("reports")

CLAIMS_LEDGER = DATA_DIR / "claims.csv"
TEMPLATE_DIR = PACKAGE_DIR / "templates"
RESULTS_SCHEMA = PACKAGE_DIR / "schemas" / "results.schema.json"
