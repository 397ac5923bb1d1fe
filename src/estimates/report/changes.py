"""What changed between two runs, as data: the inputs that differ and each judgment's move.

:mod:`estimates.report.diff` finds these and attributes each move to its causes; this module only
holds and words them (for the briefing, the manifest and ``estimates diff``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from estimates.core.wording import percent, points

#: Smallest move in probability reported as a move, whatever the Monte Carlo error (half a point).
MIN_MOVE = 0.005


@dataclass(frozen=True)
class InputChange:
    """One input that differs between the runs: a parameter, a data file or the package code."""

    kind: str  # "parameter", "data" or "code"
    name: str
    old: Any
    new: Any

    def describe(self) -> str:
        if self.kind == "parameter":
            return f"{self.name}: {_value(self.old)} -> {_value(self.new)}"
        if self.kind == "data":
            if self.old is None:
                return f"data file {self.name}: new in this run (SHA-256 {self.new[:12]})"
            if self.new is None:
                return f"data file {self.name}: no longer read (was SHA-256 {self.old[:12]})"
            return f"data file {self.name} changed: SHA-256 {self.old[:12]} -> {self.new[:12]}"
        return f"package code changed: source SHA-256 {self.old[:12]} -> {self.new[:12]}"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "name": self.name, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class Cause:
    """An input named as moving a judgment, with the move it accounts for (probability, new - old)."""

    kind: str  # "parameter", "data", "code" or "together"
    name: str
    effect: float

    def describe(self) -> str:
        label = {"parameter": self.name, "data": f"data file {self.name}", "code": "package code",
                 "together": "the changed parameters acting together"}[self.kind]
        return f"{label} ({points(self.effect)})"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "name": self.name, "effect": self.effect}


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


@dataclass(frozen=True)
class Comparison:
    """Everything that differs between an older and a newer run, judgment by judgment."""

    old_run: str
    old_started: str
    new_run: str
    new_started: str
    inputs: tuple[InputChange, ...]
    judgments: tuple[JudgmentChange, ...]
    notes: tuple[str, ...] = field(default=())

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
        return tuple(i.name for i in self.parameters if i.name not in named)

    def to_dict(self) -> dict:
        return {
            "run_id": self.old_run, "started_utc": self.old_started,
            "inputs": [i.to_dict() for i in self.inputs],
            "judgments": [j.to_dict() for j in self.judgments],
            "notes": list(self.notes),
        }

    def text(self) -> str:
        """The comparison as plain text for a terminal (no colour, no markup)."""
        lines = [f"What changed from run {self.old_run} ({_when(self.old_started)})",
                 f"             to run {self.new_run} ({_when(self.new_started)})", ""]
        if self.inputs:
            lines.append("Inputs that changed:")
            lines += [f"  {i.describe()}" for i in self.inputs]
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
