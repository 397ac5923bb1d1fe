"""The grade table: the analyst's mapping from Admiralty grades to probabilities.

``data/grade_probabilities.csv`` (columns scale, grade, probability, meaning, reason; 12 rows) gives
a probability for each reliability letter A-E and credibility digit 1-5, and says ``base_rate`` for
F and 6 ("cannot be judged"), which carry no number of their own. The rule that combines the two
grades is :meth:`GradeTable.probability`; ``data/grades.md`` states it with a worked table, and
:mod:`estimates.models.resupply.grading` applies it to the ledger.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import math
from dataclasses import dataclass
from pathlib import Path

from scipy import special

from estimates.inputs.files import LedgerError, read_input

BASE_RATE = "base_rate"
#: Grades that cannot be judged: they must say ``base_rate`` and add no information.
NOT_JUDGED = {"reliability": "F", "credibility": "6"}
#: The grades in order from best to worst; the table must not rise along them.
ORDER = {"reliability": "ABCDE", "credibility": "12345"}
#: Share of the reliability's own log-odds move that a claim takes on top of its credibility's.
#: Half, because an analyst's credibility grade already weighs part of what the source's record
#: says; 1 would count the two grades as fully independent evidence.
RELIABILITY_WEIGHT = 0.5


@dataclass(frozen=True)
class GradeTable:
    """Probabilities for each reliability letter and credibility digit; ``None`` for F and 6."""

    reliability: dict[str, float | None]
    credibility: dict[str, float | None]
    sha256: str = ""
    path: str = ""

    def probability(self, reliability: str, credibility: str, *, base_rate: float,
                    grade_confidence: float = 1.0, reliability_weight: float = RELIABILITY_WEIGHT) -> float:
        """P(claim true) for a grade.

        In log-odds about the base rate b, with c the credibility's table value (b for 6) and r
        the reliability's (b for F, so that F moves nothing)::

            logit P = logit b + k * [(logit c - logit b) + w * (logit r - logit b)]

        with w = ``reliability_weight`` and k = ``grade_confidence``. So with reliability F the
        claim's probability is its credibility's alone (at k = 1), with credibility 6 it is the base
        rate moved by reliability only, and F6 is the base rate whatever k is. P rises with each
        grade's table value, so it never falls as a grade improves.

        >>> table = GradeTable({"B": 0.8, "F": None}, {"5": 0.1, "6": None})
        >>> round(table.probability("F", "5", base_rate=0.5), 6)
        0.1
        >>> round(table.probability("B", "6", base_rate=0.5), 6)   # logit 0.8 / 2 = 0.693147
        0.666667
        """
        anchor = special.logit(base_rate)
        credibility_move = _move(self.credibility[credibility], anchor)
        reliability_move = _move(self.reliability[reliability], anchor)
        stretched = anchor + grade_confidence * (credibility_move + reliability_weight * reliability_move)
        return float(special.expit(stretched))


def _move(value: float | None, anchor: float) -> float:
    """A grade's log-odds move from the base rate; a grade that cannot be judged moves nothing."""
    return 0.0 if value is None else float(special.logit(value)) - anchor


def load_grade_table(path: str | Path) -> GradeTable:
    """Read ``grade_probabilities.csv``: columns scale, grade, probability, meaning, reason.

    One row per grade: reliability A-F, credibility 1-6. A-E and 1-5 take a probability strictly
    between 0 and 1, not rising from the best grade to the worst; F and 6 say ``base_rate``.
    """
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
        if grade == NOT_JUDGED[scale] or value == BASE_RATE:
            if grade != NOT_JUDGED[scale] or value != BASE_RATE:
                raise LedgerError(
                    f"{path}: line {line}: field 'probability' must be 'base_rate' for {scale} "
                    f"{NOT_JUDGED[scale]} ('cannot be judged') and only for it; got {value!r} for {grade!r}"
                )
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
        order = ORDER[scale]
        for better, worse in itertools.pairwise(order):
            if table[scale][better] < table[scale][worse]:
                raise LedgerError(
                    f"{path}: {scale} grade '{worse}' has a higher probability ({table[scale][worse]:g}) than "
                    f"'{better}' ({table[scale][better]:g}); probabilities must not rise from {order[0]} to {order[-1]}"
                )
    return GradeTable(table["reliability"], table["credibility"],
                      hashlib.sha256(raw).hexdigest(), str(path))
