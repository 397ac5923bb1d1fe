"""Confidence in a key judgment: high, moderate or low, set by one stated rule.

ICD 203 keeps two things apart: how likely an event is (the ICD 203 term, from the probability) and
how much confidence the analysis deserves, which rests on the evidence and on how robust the
reasoning is. This module sets the second from what a run recorded, and never uses a likelihood
word, so that the confidence statement can stand in its own sentences.

The rule
--------
1. **Evidence sets the starting level.** Take the claims the judgment rests on (its ``claim_ids``)
   with their Admiralty grades from the sources table.

   - *high*: every claim is graded A or B for reliability and 1 or 2 for credibility, and they come
     from at least two independent originators;
   - *moderate*: every claim is graded at least C3 (reliability A to C, credibility 1 to 3);
   - *low*: anything weaker, a judgment that names no claims, or one citing a claim missing from
     the ledger the run read (an analyst's own ledger may lack it): an ungraded claim is weak
     evidence.

   An originator counts once however many outlets carried it or however many claims it made:
   re-reporting is not corroboration. Originators are told apart by the ledger's ``originator``
   field, so the ledger must name one originator the same way every time.
2. **Robustness adjusts it.** Each uncertain input is set to either end of its plausible range
   and the probability recomputed through the model (the judgment's recorded ``sensitivity``). If
   the likelihood band changes anywhere, confidence drops one level (never below low). A judgment
   not tested this way is at most moderate.

Examples
--------
>>> sources = {"a": {"claim_id": "a", "reliability": "B", "credibility": "2", "originator": "X"},
...            "b": {"claim_id": "b", "reliability": "B", "credibility": "2", "originator": "Y"}}
>>> judgment = {"id": "j", "claim_ids": ["a", "b"], "sensitivity": {"holds": True, "changed_by": [],
...             "parameters": ["n"], "probability_range": [0.2, 0.3]}}
>>> rate(judgment, sources).level
'high'
>>> judgment["sensitivity"] = dict(judgment["sensitivity"], holds=False, changed_by=["n"])
>>> rate(judgment, sources).level
'moderate'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from estimates.core.wording import percent

LEVELS = ("low", "moderate", "high")
GOOD = ({"A", "B"}, {"1", "2"})
FAIR = ({"A", "B", "C"}, {"1", "2", "3"})
MIN_ORIGINATORS_FOR_HIGH = 2

#: The rule in plain words, as the briefing's appendix prints it.
RULE = (
    "Evidence sets the starting level. High: every claim a judgment rests on is graded A or B for "
    "source reliability and 1 or 2 for credibility, and the claims come from at least two independent "
    "originators. Moderate: every claim is graded at least C3. Low: anything weaker, a judgment "
    "resting on no graded claim, or one citing a claim missing from the ledger read for the run.",
    "An originator counts once however many outlets carried it: re-reporting is not corroboration.",
    "Robustness adjusts it. Each uncertain input is set to either end of its plausible range and the "
    "probability recomputed through the model; if the probability band changes anywhere, confidence "
    "drops one level (never below low). A judgment not tested this way is at most moderate.",
)


@dataclass(frozen=True)
class Evidence:
    claim_id: str
    grade: str
    originator: str


@dataclass(frozen=True)
class Confidence:
    """The confidence level of one judgment, with what set it."""

    level: str
    evidence_level: str
    evidence: tuple[Evidence, ...]
    originators: tuple[str, ...]
    #: ``None`` when the judgment's term was not tested across the plausible ranges.
    term_holds: bool | None
    changed_by: tuple[str, ...] = ()
    tested: tuple[str, ...] = ()
    probability_range: tuple[float, float] | None = None
    #: Claims the judgment cites that the run's sources table lacks (so they are ungraded).
    missing: tuple[str, ...] = ()

    @property
    def statement(self) -> str:
        """Plain sentences for the briefing; none of them contains a likelihood term."""
        return " ".join(self.sentences)

    @property
    def sentences(self) -> tuple[str, ...]:
        lines = [f"Confidence in this judgment is {self.level}."]
        lines.append(self._evidence_sentence())
        lines.append(self._robustness_sentence())
        if self.level != self.evidence_level:
            lines.append(f"The sources alone would support {self.evidence_level} confidence; "
                         f"{self._why_lowered()} sets it at {self.level}.")
        return tuple(lines)

    def _evidence_sentence(self) -> str:
        absent = ""
        if self.missing:
            absent = (f" It also cites {_join(self.missing)}, missing from the claims ledger read for "
                      "this run, so ungraded.")
        if not self.evidence:
            return "It rests on no graded claim from the ledger." + absent
        grades = sorted({e.grade for e in self.evidence})
        count = _count(len(self.evidence), "claim")
        graded = f"graded {_join(grades)}"
        if len(self.originators) == 1:
            source = f"a single originator, {self.originators[0]}, so nothing independent corroborates it"
        else:
            source = f"{_count(len(self.originators), 'independent originator')}: {'; '.join(self.originators)}"
        return f"It rests on {count}, {graded}, from {source}." + absent

    def _robustness_sentence(self) -> str:
        if self.term_holds is None:
            return "Its probability band was not tested against the plausible ranges of its inputs."
        inputs = _count(len(self.tested), "uncertain input")
        spread = ""
        if self.probability_range is not None:
            low, high = self.probability_range
            spread = f" (the probability runs from {_percent(low)} to {_percent(high)})"
        if self.term_holds:
            return f"Its probability band holds with each of {inputs} at either end of its plausible range{spread}."
        return (f"Its probability band changes within the plausible range of {_join(self.changed_by)}, "
                f"{len(self.changed_by)} of {inputs}{spread}.")

    def _why_lowered(self) -> str:
        return "the untested band" if self.term_holds is None else "the change of band"

    def to_dict(self) -> dict:
        return {
            "level": self.level,
            "evidence_level": self.evidence_level,
            "claims": [e.claim_id for e in self.evidence],
            "grades": [e.grade for e in self.evidence],
            "originators": list(self.originators),
            "term_holds": self.term_holds,
            "changed_by": list(self.changed_by),
            "missing_claims": list(self.missing),
            "statement": self.statement,
        }


def evidence_level(evidence: tuple[Evidence, ...] | list[Evidence], missing: int = 0) -> str:
    """Step 1 of the rule: the level the graded claims alone support (``missing``: ungraded ones)."""
    if not evidence or missing:
        return "low"
    originators = {_originator_key(e.originator) for e in evidence}
    if all(_graded(e.grade, GOOD) for e in evidence) and len(originators) >= MIN_ORIGINATORS_FOR_HIGH:
        return "high"
    if all(_graded(e.grade, FAIR) for e in evidence):
        return "moderate"
    return "low"


def adjust_for_robustness(level: str, term_holds: bool | None) -> str:
    """Step 2 of the rule: one level down if the band changes; at most moderate if untested."""
    index = LEVELS.index(level)
    if term_holds is None:
        return LEVELS[min(index, LEVELS.index("moderate"))]
    if not term_holds:
        return LEVELS[max(index - 1, 0)]
    return level


def rate(judgment: Mapping, sources: Mapping[str, Mapping]) -> Confidence:
    """The confidence of a recorded judgment (a ``results.json`` judgment) against its sources.

    ``sources`` maps claim id to a ``results.json`` source row (``reliability``, ``credibility``,
    ``originator``); a claim the judgment names that is not in it counts as ungraded.
    """
    evidence, missing = [], []
    for claim_id in judgment.get("claim_ids", []):
        if claim_id not in sources:
            missing.append(claim_id)
            continue
        row = sources[claim_id]
        evidence.append(Evidence(claim_id, f"{row['reliability']}{row['credibility']}", row["originator"]))
    originators = _unique_by_key(tuple(_display(e.originator) for e in evidence))
    sensitivity = judgment.get("sensitivity")
    holds = None if sensitivity is None else bool(sensitivity["holds"])
    start = evidence_level(evidence, len(missing))
    return Confidence(
        level=adjust_for_robustness(start, holds),
        evidence_level=start,
        evidence=tuple(evidence),
        originators=originators,
        term_holds=holds,
        changed_by=tuple(sensitivity["changed_by"]) if sensitivity else (),
        tested=tuple(sensitivity["parameters"]) if sensitivity else (),
        probability_range=tuple(sensitivity["probability_range"]) if sensitivity else None,
        missing=tuple(missing),
    )


def _graded(grade: str, allowed: tuple[set[str], set[str]]) -> bool:
    reliability, credibility = grade[0], grade[1:]
    return reliability in allowed[0] and credibility in allowed[1]


def _originator_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _display(name: str) -> str:
    return " ".join(name.split())


def _unique_by_key(names: tuple[str, ...]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(_originator_key(name), name)
    return tuple(seen.values())


def _count(n: int, noun: str) -> str:
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}
    return f"{words.get(n, str(n))} {noun}{'' if n == 1 else 's'}"


def _join(items) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _percent(x: float) -> str:
    # Small probabilities keep a decimal, so 4% and 4.4% are told apart.
    return percent(x, 1 if x < 0.1 else 0)
