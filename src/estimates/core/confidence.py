"""Confidence in a key judgment: high, moderate or low, set by one stated rule.

ICD 203 keeps two things apart: how likely an event is (the ICD 203 term, from the probability) and
how much confidence the analysis deserves, which rests on the evidence and on how robust the
reasoning is. This module sets the second from what a run recorded, and never uses a likelihood
word, so that the confidence statement can stand in its own sentences.

The rule
--------
1. **Evidence sets the starting level.** The evidence is the claims that bear on the event (the
   judgment's ``claim_ids``) with their Admiralty grades. Claims that only set what is asked, a
   threshold or a date (``question_claim_ids``), are cited but never counted.

   Claims are grouped into *lines of evidence*: two claims are one line when they share an
   ``evidence_line`` (one briefing, one source network, one article) or an ``originator_id``, and
   the grouping is transitive (the connected components of that relation). Agreement within a
   line is re-reporting, not corroboration. Allied governments sharing one intelligence picture
   are one originator: the ledger must give them one ``originator_id``.

   - *high*: every claim is graded A or B for reliability and 1 or 2 for credibility, and the
     claims form at least two independent lines of evidence;
   - *moderate*: every claim is graded at least C3 (reliability A to C, credibility 1 to 3);
   - *low*: anything weaker, a judgment that names no claims, or one citing a claim missing from
     the ledger the run read (an analyst's own ledger may lack it): an ungraded claim is weak
     evidence.
2. **Robustness adjusts it.** Each uncertain input is set to either end of its plausible range
   and the probability recomputed through the model (the judgment's recorded ``sensitivity``). If
   the likelihood band changes anywhere, confidence drops one level (never below low). A judgment
   not tested this way is at most moderate.

Source rows from a ``results.json`` written before the ledger had id columns lack
``originator_id`` and ``evidence_line``. Their originator is then told apart by its text, made
comparable by :func:`originator_key` (case, punctuation and a plural "s" ignored), and each claim
is its own line unless such an originator joins it to another.

Examples
--------
>>> sources = {"a": {"claim_id": "a", "reliability": "B", "credibility": "2", "originator": "X",
...                  "originator_id": "x", "evidence_line": "briefing-1"},
...            "b": {"claim_id": "b", "reliability": "B", "credibility": "2", "originator": "Y",
...                  "originator_id": "y", "evidence_line": "briefing-2"}}
>>> judgment = {"id": "j", "claim_ids": ["a", "b"], "sensitivity": {"holds": True, "changed_by": [],
...             "parameters": ["n"], "probability_range": [0.2, 0.3]}}
>>> rate(judgment, sources).level
'high'
>>> sources["b"]["evidence_line"] = "briefing-1"   # one briefing: one line
>>> rate(judgment, sources).level
'moderate'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from estimates.core.wording import percent

LEVELS = ("low", "moderate", "high")
GOOD = ({"A", "B"}, {"1", "2"})
FAIR = ({"A", "B", "C"}, {"1", "2", "3"})
MIN_LINES_FOR_HIGH = 2

#: The rule in plain words, as the briefing's appendix prints it.
RULE = (
    ("Evidence sets the starting level. The evidence is the claims that bear on the event; claims that "
     "only set what is asked, such as a threshold or a date, are cited but not counted."),
    ("Claims that share a briefing, a source network or an article, or that share an originator, are "
     "one line of evidence however many outlets carried them: re-reporting is not corroboration. The "
     "claims ledger names each line and each originator with an id, and allied governments sharing "
     "one intelligence picture are one originator."),
    ("High: every claim is graded A or B for source reliability and 1 or 2 for credibility, and the "
     "claims form at least two independent lines of evidence. Moderate: every claim is graded at least "
     "C3. Low: anything weaker, a judgment resting on no graded claim, or one citing a claim missing "
     "from the ledger read for the run."),
    ("Robustness adjusts it. Each uncertain input is set to either end of its plausible range and the "
     "probability recomputed through the model; if the probability band changes anywhere, confidence "
     "drops one level (never below low). A judgment not tested this way is at most moderate."),
)


@dataclass(frozen=True)
class Evidence:
    """One graded claim a judgment rests on, with the ids that place it in a line of evidence."""

    claim_id: str
    grade: str
    originator: str
    outlet: str = ""
    #: The ledger's ``originator_id``, or :func:`originator_key` of the text for an older row.
    originator_id: str = ""
    #: The ledger's ``evidence_line``; empty for a row from before the column existed.
    evidence_line: str = ""

    @classmethod
    def of(cls, row: Mapping) -> Evidence:
        """From a ``results.json`` source row."""
        return cls(
            claim_id=row["claim_id"],
            grade=f"{row['reliability']}{row['credibility']}",
            originator=_display(row["originator"]),
            outlet=_display(row.get("outlet", "")),
            originator_id=row.get("originator_id") or originator_key(row["originator"]),
            evidence_line=row.get("evidence_line") or "",
        )


@dataclass(frozen=True)
class Line:
    """One line of evidence: claims joined by a shared ``evidence_line`` or ``originator_id``."""

    claims: tuple[Evidence, ...]

    @property
    def claim_ids(self) -> tuple[str, ...]:
        return tuple(e.claim_id for e in self.claims)

    @property
    def originators(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.originator for e in self.claims))

    @property
    def outlets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.outlet for e in self.claims if e.outlet))

    @property
    def name(self) -> str:
        """Who the line comes from and who carried it, e.g. ``Western officials (unnamed), in The Guardian``."""
        outlets = f", in {_join(self.outlets)}" if self.outlets else ""
        return f"{_join(self.originators)}{outlets}"

    @property
    def why_one(self) -> str:
        """Why its claims count once, naming each shared id and the claims that share it (empty
        for a single claim)."""
        if len(self.claims) < 2:
            return ""
        kinds = (("one briefing, network or article", lambda e: e.evidence_line),
                 ("one originator", lambda e: e.originator_id))
        together, apart = [], []
        for kind, key in kinds:
            ids = [key(e) for e in self.claims]
            for shared in dict.fromkeys(i for i in ids if i and ids.count(i) > 1):
                members = [e.claim_id for e in self.claims if key(e) == shared]
                if len(members) == len(self.claims):
                    together.append(f"{kind} ({shared})")
                else:
                    apart.append(f"{_join(members)} share {kind} ({shared})")
        reasons = ([f"they share {' and '.join(together)}"] if together else []) + apart
        return f"{_join(self.claim_ids)} count as one line: {'; '.join(reasons)}."


def lines_of_evidence(evidence: Sequence[Evidence]) -> tuple[Line, ...]:
    """Group claims into independent lines of evidence, in the order the claims are given.

    Two claims are in one line when they share an ``evidence_line`` or an ``originator_id``,
    directly or through other claims: the connected components of the bipartite graph of claims
    and the ids they carry.

    >>> e = [Evidence("a", "B2", "X", originator_id="x", evidence_line="l1"),
    ...      Evidence("b", "B2", "Y", originator_id="y", evidence_line="l1"),
    ...      Evidence("c", "B2", "Y", originator_id="y", evidence_line="l2"),
    ...      Evidence("d", "B2", "Z", originator_id="z", evidence_line="l3")]
    >>> [line.claim_ids for line in lines_of_evidence(e)]
    [('a', 'b', 'c'), ('d',)]
    """
    if not evidence:
        return ()
    keys: dict[str, int] = {}
    rows, cols = [], []
    for i, e in enumerate(evidence):
        for key in (f"originator:{e.originator_id}", f"line:{e.evidence_line}" if e.evidence_line else None):
            if key is not None:
                rows.append(i)
                cols.append(len(evidence) + keys.setdefault(key, len(keys)))
    size = len(evidence) + len(keys)
    graph = sparse.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(size, size))
    _, labels = csgraph.connected_components(graph, directed=False)
    groups: dict[int, list[Evidence]] = {}
    for e, label in zip(evidence, labels[: len(evidence)]):
        groups.setdefault(int(label), []).append(e)
    return tuple(Line(tuple(claims)) for claims in groups.values())


@dataclass(frozen=True)
class Confidence:
    """The confidence level of one judgment, with what set it."""

    level: str
    evidence_level: str
    evidence: tuple[Evidence, ...]
    lines: tuple[Line, ...]
    #: ``None`` when the judgment's term was not tested across the plausible ranges.
    term_holds: bool | None
    changed_by: tuple[str, ...] = ()
    #: How the sentences name each of ``changed_by`` (its label, when the caller gave labels).
    changed_by_labels: tuple[str, ...] = ()
    tested: tuple[str, ...] = ()
    probability_range: tuple[float, float] | None = None
    #: Claims the judgment cites that the run's sources table lacks (so they are ungraded).
    missing: tuple[str, ...] = ()
    #: Claims that only set what is asked: cited, never counted as evidence.
    question: tuple[str, ...] = ()

    @property
    def originators(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(name for line in self.lines for name in line.originators))

    @property
    def statement(self) -> str:
        """Plain sentences for the briefing; none of them contains a likelihood term."""
        return " ".join(self.sentences)

    @property
    def sentences(self) -> tuple[str, ...]:
        lines = [f"Confidence in this judgment is {self.level}."]
        lines.extend(self._evidence_sentences())
        lines.append(self._robustness_sentence())
        if self.level != self.evidence_level:
            lines.append(f"The sources alone would support {self.evidence_level} confidence; "
                         f"{self._why_lowered()} sets it at {self.level}.")
        return tuple(lines)

    def _evidence_sentences(self) -> list[str]:
        sentences = []
        if not self.evidence:
            sentences.append("It rests on no graded claim from the ledger.")
        else:
            grades = sorted({e.grade for e in self.evidence})
            rests = f"It rests on {_count(len(self.evidence), 'claim')}, graded {_join(grades)}, from "
            if len(self.lines) == 1:
                sentences.append(rests + "a single line of evidence, so nothing independent corroborates "
                                 f"it: {self.lines[0].name}.")
            else:
                named = "; ".join(f"({i}) {line.name}" for i, line in enumerate(self.lines, start=1))
                sentences.append(rests + f"{_count(len(self.lines), 'independent line')} of evidence: {named}.")
            sentences.extend(line.why_one for line in self.lines if line.why_one)
        if self.missing:
            sentences.append(f"It also cites {_join(self.missing)}, missing from the claims ledger read for "
                             "this run, so ungraded.")
        if self.question:
            which = "which only sets what is asked and is" if len(self.question) == 1 else \
                "which only set what is asked and are"
            sentences.append(f"It also cites {_join(self.question)}, {which} not counted as evidence.")
        return sentences

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
        named = self.changed_by_labels or self.changed_by
        return (f"Its probability band changes within the plausible range of {_join(named)}, "
                f"{len(self.changed_by)} of {inputs}{spread}.")

    def _why_lowered(self) -> str:
        return "the untested band" if self.term_holds is None else "the change of band"

    def to_dict(self) -> dict:
        return {
            "level": self.level,
            "evidence_level": self.evidence_level,
            "claims": [e.claim_id for e in self.evidence],
            "grades": [e.grade for e in self.evidence],
            "lines": [list(line.claim_ids) for line in self.lines],
            "originators": list(self.originators),
            "term_holds": self.term_holds,
            "changed_by": list(self.changed_by),
            "missing_claims": list(self.missing),
            "question_claims": list(self.question),
            "statement": self.statement,
        }


def evidence_level(evidence: Sequence[Evidence], missing: int = 0) -> str:
    """Step 1 of the rule: the level the graded claims alone support (``missing``: ungraded ones)."""
    if not evidence or missing:
        return "low"
    independent = len(lines_of_evidence(evidence))
    if all(_graded(e.grade, GOOD) for e in evidence) and independent >= MIN_LINES_FOR_HIGH:
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


def rate(judgment: Mapping, sources: Mapping[str, Mapping], *, labels: Mapping[str, str] | None = None) -> Confidence:
    """The confidence of a recorded judgment (a ``results.json`` judgment) against its sources.

    ``sources`` maps claim id to a ``results.json`` source row (``reliability``, ``credibility``,
    ``originator``, ``outlet`` and, from ledgers with id columns, ``originator_id`` and
    ``evidence_line``); a claim the judgment names that is not in it counts as ungraded. Only
    ``claim_ids`` count; ``question_claim_ids`` are listed in the statement and never counted.
    ``labels`` maps a parameter name to what a reader sees for it; the statement names the inputs
    that change the band by it (a name without a label, or every name without ``labels``, as is).
    """
    evidence, missing = [], []
    for claim_id in dict.fromkeys(judgment.get("claim_ids", [])):
        if claim_id in sources:
            evidence.append(Evidence.of(sources[claim_id]))
        else:
            missing.append(claim_id)
    counted = {e.claim_id for e in evidence} | set(missing)
    question = tuple(c for c in dict.fromkeys(judgment.get("question_claim_ids", [])) if c not in counted)
    sensitivity = judgment.get("sensitivity")
    holds = None if sensitivity is None else bool(sensitivity["holds"])
    start = evidence_level(evidence, len(missing))
    return Confidence(
        level=adjust_for_robustness(start, holds),
        evidence_level=start,
        evidence=tuple(evidence),
        lines=lines_of_evidence(evidence),
        term_holds=holds,
        changed_by=tuple(sensitivity["changed_by"]) if sensitivity else (),
        changed_by_labels=tuple((labels or {}).get(n, n) for n in sensitivity["changed_by"]) if sensitivity else (),
        tested=tuple(sensitivity["parameters"]) if sensitivity else (),
        probability_range=tuple(sensitivity["probability_range"]) if sensitivity else None,
        missing=tuple(missing),
        question=question,
    )


def originator_key(name: str) -> str:
    """An originator's text made comparable, for source rows without an ``originator_id``.

    Case, punctuation and spacing are ignored, and a final "s" is dropped from words of more than
    three letters, so that a plural and a singular name one originator. It errs towards joining
    two originators, which can only lower a confidence level.

    >>> originator_key("Western officials (unnamed)") == originator_key(" western  Official (Unnamed)")
    True
    """
    words = re.sub(r"[\W_]+", " ", name.casefold()).split()
    return "-".join(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words)


def _graded(grade: str, allowed: tuple[set[str], set[str]]) -> bool:
    reliability, credibility = grade[0], grade[1:]
    return reliability in allowed[0] and credibility in allowed[1]


def _display(name: str) -> str:
    return " ".join(str(name).split())


def _shared(ids) -> tuple[str, ...]:
    ids = list(ids)
    return tuple(i for i in dict.fromkeys(ids) if ids.count(i) > 1)


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
