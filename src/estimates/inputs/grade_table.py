"""The grade table: the analyst's mapping from Admiralty grades to probabilities.

``data/grade_probabilities.csv`` (columns scale, grade, probability, meaning, reason) gives a
probability for each reliability letter A-F and credibility digit 1-6; F and 6 ("cannot be judged")
say ``base_rate`` and take the run's ``base_rate`` parameter. How the resupply model uses it is in
:mod:`estimates.models.resupply.grading`.
"""

from __future__ import annotations

import csv
import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

from scipy import special

from estimates.inputs.files import LedgerError, read_input

BASE_RATE = "base_rate"


@dataclass(frozen=True)
class GradeTable:
    """Probabilities for each reliability letter and credibility digit; ``None`` is the base rate."""

    reliability: dict[str, float | None]
    credibility: dict[str, float | None]
    sha256: str = ""
    path: str = ""

    def probability(self, reliability: str, credibility: str, *, base_rate: float,
                    grade_confidence: float = 1.0) -> float:
        """P(claim true) for a grade, e.g. ``probability("B", "2", base_rate=0.5)``."""
        r = self.reliability[reliability]
        c = self.credibility[credibility]
        mean = 0.5 * ((base_rate if r is None else r) + (base_rate if c is None else c))
        anchor = special.logit(base_rate)
        stretched = anchor + grade_confidence * (special.logit(mean) - anchor)
        return float(special.expit(stretched))


def load_grade_table(path: str | Path) -> GradeTable:
    """Read ``grade_probabilities.csv``: columns scale, grade, probability, meaning, reason."""
    path = Path(path)
    raw, text = read_input(path, "grade table")
    rows = list(csv.DictReader(text.splitlines()))
    missing = [c for c in ("scale", "grade", "probability") if rows and c not in rows[0]]
    if not rows or missing:
        raise LedgerError(f"{path}: needs columns scale, grade, probability and one row per grade")
    table: dict[str, dict[str, float | None]] = {"reliability": {}, "credibility": {}}
    for line, row in enumerate(rows, start=2):
        scale, grade, value = row.get("scale"), row.get("grade"), (row.get("probability") or "").strip()
        if scale not in table:
            raise LedgerError(f"{path}: line {line}: field 'scale' must be reliability or credibility; got {scale!r}")
        if value == BASE_RATE:
            table[scale][grade] = None
            continue
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not 0.0 < number < 1.0:
            raise LedgerError(
                f"{path}: line {line}: field 'probability' must be a number strictly between 0 and 1 "
                f"or 'base_rate'; got {value!r}"
            )
        table[scale][grade] = number
    for scale, grades in (("reliability", "ABCDEF"), ("credibility", "123456")):
        missing = [g for g in grades if g not in table[scale]]
        if missing:
            raise LedgerError(f"{path}: {scale} grade '{missing[0]}' has no row; every grade {', '.join(grades)} needs one")
    return GradeTable(table["reliability"], table["credibility"],
                      hashlib.sha256(raw).hexdigest(), str(path))
