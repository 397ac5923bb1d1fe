"""What changed between two runs, as data: the inputs that differ and each judgment's move.

:mod:`estimates.report.diff` finds these and :mod:`estimates.report.attribution` attributes each move
to its causes; this module holds and words them (for the briefing, the manifest and
``estimates diff``). A data table's rows are compared in :mod:`estimates.report.row_changes`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, Callable

from estimates.core.wording import percent, points
from estimates.report.row_changes import RowDiff

#: Smallest move in probability reported as a move, whatever the Monte Carlo error (half a point).
MIN_MOVE = 0.005
#: Half the last digit the briefing prints of a move (a tenth of a point): a remainder smaller than
#: this would print as zero, so it is left out of a judgment's causes.
PRINTED = 0.0005


# --- inputs and causes ----------------------------------------------------------------------------

@dataclass(frozen=True)
class InputChange:
    """One input that differs between the runs: a parameter, a data file or the package code.

    A data file's ``old`` and ``new`` are its SHA-256 digests; ``rows`` says which rows differ when
    it is a table and both runs kept a copy of it; ``label`` is how the briefing names it.
    """

    kind: str  # "parameter", "data" or "code"
    name: str
    old: Any
    new: Any
    rows: RowDiff | None = None
    label: str = ""

    @property
    def shown(self) -> str:
        return self.label or self.name

    def describe(self) -> str:
        if self.kind == "parameter":
            return f"{self.name}: {_value(self.old)} -> {_value(self.new)}"
        if self.kind == "data":
            if self.old is None:
                return f"data file {self.shown}: new in this run (SHA-256 {self.new[:12]})"
            if self.new is None:
                return f"data file {self.shown}: no longer read (was SHA-256 {self.old[:12]})"
            if self.rows is not None:
                return self.rows.summary(f"data file {self.shown}")
            return f"data file {self.shown} changed: SHA-256 {self.old[:12]} -> {self.new[:12]}"
        return f"package code changed: source SHA-256 {self.old[:12]} -> {self.new[:12]}"

    def to_dict(self) -> dict:
        found = {"kind": self.kind, "name": self.name, "old": self.old, "new": self.new}
        if self.label and self.label != self.name:
            found["label"] = self.label
        if self.rows is not None:
            found["rows"] = self.rows.to_dict()
        return found


@dataclass(frozen=True)
class Cause:
    """What accounts for part of a judgment's move (probability, new - old).

    ``kind`` is ``"parameter"`` or ``"data"`` (one input put back), ``"together"`` (inputs that
    could only be put back together), ``"minor"`` (inputs each moving the judgment by less than
    Monte Carlo noise, summed) or ``"remainder"`` (what is left once every input that can be put
    back was: ``name`` says what it may be, package code or Monte Carlo noise). ``text`` is how a
    reader sees it (``count_uncertainty 4 -> 6``, ``row `x` added to data/a.csv``).
    """

    kind: str
    name: str
    effect: float
    text: str = ""

    def describe(self) -> str:
        label = self.text or {"parameter": self.name, "data": f"data file {self.name}", "code": "package code",
                              "together": f"{self.name} put back together"}.get(self.kind, self.name)
        return f"{label} ({points(self.effect)})"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "name": self.name, "effect": self.effect, "text": self.text}


@dataclass(frozen=True)
class Side:
    """A judgment as one run recorded it."""

    statement: str
    probability: float
    standard_error: float
    term: str
    range: tuple[float, float]
    confidence: str | None

    @property
    def label(self) -> str:
        return f"{percent(self.probability, 1)} ({self.term})"


@dataclass(frozen=True)
class JudgmentChange:
    id: str
    model: str
    old: Side | None
    new: Side | None
    moved: bool
    causes: tuple[Cause, ...] = ()

    @property
    def delta(self) -> float | None:
        return None if self.old is None or self.new is None else self.new.probability - self.old.probability

    @property
    def status(self) -> str:
        if self.old is None:
            return "new"
        if self.new is None:
            return "dropped"
        return "moved" if self.moved else "steady"

    @property
    def term_changed(self) -> bool:
        return self.old is not None and self.new is not None and self.old.term != self.new.term

    @property
    def confidence_changed(self) -> bool:
        return (self.old is not None and self.new is not None and None not in (self.old.confidence, self.new.confidence)
                and self.old.confidence != self.new.confidence)

    @property
    def statement(self) -> str:
        return (self.new or self.old).statement

    @property
    def question_changed(self) -> bool:
        return self.old is not None and self.new is not None and self.old.statement != self.new.statement

    def to_dict(self) -> dict:
        side = lambda s: None if s is None else {  # noqa: E731
            "statement": s.statement, "probability": s.probability, "term": s.term, "confidence": s.confidence}
        return {"id": self.id, "model": self.model, "status": self.status, "delta": self.delta,
                "term_changed": self.term_changed, "old": side(self.old), "new": side(self.new),
                "causes": [c.to_dict() for c in self.causes]}


#: How the attribution orders the inputs it puts back, in the briefing's words.
ORDER = ("changed parameters in the order of the parameter list, then changed data files by path; "
         "package code cannot be put back")


@dataclass(frozen=True)
class Comparison:
    """Everything that differs between an older and a newer run, judgment by judgment.

    ``order`` names the inputs in the order the attribution put them back (:data:`ORDER`); each
    judgment's causes add up to its move.
    """

    old_run: str
    old_started: str
    new_run: str
    new_started: str
    inputs: tuple[InputChange, ...]
    judgments: tuple[JudgmentChange, ...]
    notes: tuple[str, ...] = field(default=())
    order: tuple[str, ...] = field(default=())
    #: Why this run was compared with (``"--since"``, or the rule that chose it).
    chosen: str = ""

    @property
    def moved(self) -> tuple[JudgmentChange, ...]:
        return tuple(j for j in self.judgments if j.status in ("moved", "new", "dropped"))

    @property
    def parameters(self) -> tuple[InputChange, ...]:
        return tuple(i for i in self.inputs if i.kind == "parameter")

    @property
    def data_files(self) -> tuple[InputChange, ...]:
        return tuple(i for i in self.inputs if i.kind == "data")

    @property
    def idle_parameters(self) -> tuple[str, ...]:
        """Changed parameters that moved no judgment."""
        named = {c.name for j in self.judgments for c in j.causes if c.kind == "parameter"}
        named |= {n for j in self.judgments for c in j.causes if c.kind == "together" for n in c.name.split(", ")}
        return tuple(i.name for i in self.parameters if i.name not in named)

    def judgment(self, judgment_id: str) -> JudgmentChange | None:
        return next((j for j in self.judgments if j.id == judgment_id), None)

    def why_moved(self, judgment_id: str, term: Callable[[float], str] | None = None) -> str | None:
        """One line on why a judgment changed band, for the front page; ``None`` if it kept its band
        (or is new, dropped or unknown). ``term`` words a probability (default: the ICD 203 term the
        comparison recorded). Causes come largest first; inputs each within Monte Carlo noise are
        left out (the "What changed" annex lists them).

        >>> old = Side("q", 0.32, 0.0, "unlikely", (0.2, 0.45), None)
        >>> new = Side("q", 0.52, 0.0, "roughly even chance", (0.45, 0.55), None)
        >>> causes = (Cause("parameter", "count_uncertainty", 0.02, "count_uncertainty 4 -> 6"),
        ...           Cause("data", "data/s.csv", 0.18, "row `u-2` added to data/s.csv"))
        >>> Comparison("a", "", "b", "", (), (JudgmentChange("j", "m", old, new, True, causes),)).why_moved("j")
        'Up from unlikely (32%) to roughly even chance (52%): row `u-2` added to data/s.csv (+18.0 points); count_uncertainty 4 -> 6 (+2.0 points).'
        """
        move = self.judgment(judgment_id)
        if move is None or move.status != "moved" or not move.term_changed:
            return None
        before, after = move.old.probability, move.new.probability
        was, now = (term(before), term(after)) if term else (move.old.term, move.new.term)
        head = f"{'Up' if after > before else 'Down'} from {was} ({percent(before)}) to {now} ({percent(after)})"
        threshold = noise(move.old, move.new)
        named = sorted((c for c in move.causes if c.kind in ("parameter", "data", "together")
                        or c.kind == "remainder" and abs(c.effect) >= threshold), key=lambda c: -abs(c.effect))
        if not named:
            return f"{head}: no one input accounts for it beyond Monte Carlo noise."
        return f"{head}: {'; '.join(c.describe() for c in named)}."

    def to_dict(self) -> dict:
        return {
            "run_id": self.old_run, "started_utc": self.old_started, "chosen": self.chosen,
            "inputs": [i.to_dict() for i in self.inputs],
            "order": list(self.order),
            "judgments": [j.to_dict() for j in self.judgments],
            "notes": list(self.notes),
        }

    def text(self) -> str:
        """The comparison as plain text for a terminal (no colour, no markup)."""
        lines = [f"What changed from run {self.old_run} ({_when(self.old_started)})",
                 f"             to run {self.new_run} ({_when(self.new_started)})", ""]
        if self.inputs:
            lines.append("Inputs that changed:")
            for i in self.inputs:
                lines.append(f"  {i.describe()}")
                rows = i.rows.rows if i.rows else ()
                if len(rows) > 1 or any(row.fields for row in rows):  # one row added is said in full above
                    lines += [f"    {row.describe()}" for row in rows]
        else:
            lines.append("No input changed: same parameters, data files and package code.")
        lines += ["", "Key judgments:"]
        for j in self.judgments:
            if j.status == "new":
                lines.append(f"  {j.id}: new, {j.new.label}")
            elif j.status == "dropped":
                lines.append(f"  {j.id}: no longer made (was {j.old.label})")
            elif j.moved:
                band = "; band changed" if j.term_changed else ""
                lines.append(f"  {j.id}: moved {points(j.delta)}, from {j.old.label} to {j.new.label}{band}")
            else:
                lines.append(f"  {j.id}: steady at {j.new.label} ({points(j.delta)}, within Monte Carlo noise)")
            if j.question_changed:
                lines.append(f"    the question changed; now: {j.new.statement}")
            if j.causes:
                lines.append("    caused by: " + "; ".join(c.describe() for c in j.causes))
            if j.confidence_changed:
                lines.append(f"    confidence: {j.old.confidence} -> {j.new.confidence}")
        if self.idle_parameters:
            lines += ["", "Changed but moved no judgment: " + ", ".join(self.idle_parameters)]
        if self.order:
            lines += ["", f"Causes found by putting inputs back one at a time, in this order ({ORDER}): "
                      + ", ".join(self.order) + "."]
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines) + "\n"


def noise(old: Side, new: Side) -> float:
    """The smallest move that counts: two combined Monte Carlo standard errors, at least MIN_MOVE."""
    return max(MIN_MOVE, 2.0 * math.hypot(old.standard_error, new.standard_error))


def _value(value: Any) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _when(started: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(started)
    except ValueError:
        return started or "time unknown"
    return f"{moment:%d %B %Y %H:%M} UTC"
