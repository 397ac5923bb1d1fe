"""What changed between two runs, and which inputs caused it.

:func:`compare` matches key judgments by id across every model section of two runs and reports each
one's probability before and after. It then attributes each move by recomputing through the
package, starting from the newer run's parameters:

- each changed parameter is reverted *alone* to its old value and the model rerun
  (:data:`RECOMPUTE`); the parameter is named as a cause only if that moves the judgment by more
  than Monte Carlo noise (:func:`noise`) or changes its ICD 203 term;
- every changed parameter is reverted *at once*; what then still separates the recomputed
  probability from the older run's recorded one comes from inputs no parameter can revert: a data
  file whose SHA-256 differs in ``manifest.json`` (named by its path) or changed package code;
- what the single reverts do not add up to is reported as the changed parameters acting together.

Runs are compared as recorded: nothing here writes to either run. The runner calls
:func:`compare_with_previous` after the notebooks, so the comparison goes into the briefing and the
manifest, never into ``results.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from .wording import likelihood

#: Smallest move in probability reported as a move, whatever the Monte Carlo error (half a point).
MIN_MOVE = 0.005


def _attrition(params) -> Sequence:
    from .attrition import key_judgments

    return key_judgments(params)


def _resupply(params) -> Sequence:
    from .randomness import model_rng
    from .resupply import assess
    from .resupply_analysis import load_data, model_for

    return assess(model_for(params, load_data(params)), model_rng(params.seed, "resupply")).judgments


def _pooling(params) -> Sequence:
    from .pooling_analysis import key_judgments

    return key_judgments(params)


def _losses(params) -> Sequence:
    from .losses_analysis import key_judgments

    return key_judgments(params)


#: How to recompute each model's judgments from validated parameters, exactly as its notebook does
#: (same generator for the same seed): ``{model: function(Parameters) -> judgments}``. Data files
#: are read as they are now; a change in them since the older run shows as an unexplained residual,
#: named after the data file.
RECOMPUTE: dict[str, Callable[[Any], Sequence]] = {
    "attrition": _attrition,
    "resupply": _resupply,
    "pooling": _pooling,
    "losses": _losses,
}


class DiffError(ValueError):
    """A run directory cannot be compared; the message is one line naming it and why."""


@dataclass(frozen=True)
class Run:
    """A finished run as recorded on disk: its ``manifest.json`` and ``results.json``."""

    path: Path
    manifest: dict
    results: dict

    @property
    def run_id(self) -> str:
        return self.manifest.get("run_id", self.path.name)

    @property
    def started(self) -> str:
        return self.manifest.get("started_utc", "")

    def judgments(self) -> dict[str, tuple[str, dict]]:
        """``{judgment id: (model, recorded judgment)}`` over every model section, in order."""
        found: dict[str, tuple[str, dict]] = {}
        for model, section in self.results.items():
            if isinstance(section, dict):
                for judgment in section.get("judgments", []):
                    found.setdefault(judgment["id"], (model, judgment))
        return found

    def sources(self) -> dict[str, dict]:
        """Every source row of every model section, by claim id (first occurrence kept)."""
        rows: dict[str, dict] = {}
        for section in self.results.values():
            if isinstance(section, dict):
                for row in section.get("sources", []):
                    rows.setdefault(row["claim_id"], row)
        return rows


def _read_json(run_dir: Path, name: str, missing_hint: str = "") -> dict:
    try:
        return json.loads((run_dir / name).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DiffError(f"{run_dir}: no {name}{missing_hint}") from None
    except (OSError, ValueError) as error:
        raise DiffError(f"{run_dir}: cannot read {name} ({error})") from None


def load_run(path: str | Path) -> Run:
    """Read a successful run directory; raises :class:`DiffError` with one line otherwise."""
    path = Path(path)
    if not path.is_dir():
        raise DiffError(f"{path}: not a run directory")
    manifest = _read_json(path, "manifest.json", "; not a run directory")
    if manifest.get("status") != "succeeded":
        raise DiffError(f"{path}: the run did not succeed (status {manifest.get('status')!r}); "
                        "only successful runs have results to compare")
    results = _read_json(path, "results.json")
    return Run(path.resolve(), manifest, results)


def previous_run(out_root: str | Path, current: str | Path) -> Path | None:
    """The run to compare ``current`` with: ``out_root/latest`` if it names another successful
    run, otherwise the newest other successful run directory under ``out_root``; ``None`` if none."""
    out_root, current = Path(out_root), Path(current).resolve()
    latest = out_root / "latest"
    if latest.is_dir() and latest.resolve() != current and _succeeded(latest):
        return latest.resolve()
    candidates = []
    for path in out_root.iterdir() if out_root.is_dir() else ():
        if path.name == "latest" or path.is_symlink() or not path.is_dir() or path.resolve() == current:
            continue
        manifest = _manifest(path)
        if manifest and manifest.get("status") == "succeeded" and (path / "results.json").is_file():
            candidates.append((manifest.get("started_utc", ""), path.name, path))
    return max(candidates)[2].resolve() if candidates else None


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
        return f"{label} ({_points(self.effect)})"

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
        return f"{_percent(self.probability)} ({self.term})"


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
                lines.append(f"  {j.id}: moved {_points(j.delta)}, from {j.old.label} to {j.new.label}{band}")
            else:
                lines.append(f"  {j.id}: steady at {j.new.label} ({_points(j.delta)}, within Monte Carlo noise)")
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


def compare(old: Run, new: Run, *, recompute: dict[str, Callable] | None = None) -> Comparison:
    """Compare two runs (``old`` first); see the module docstring for the attribution."""
    recompute = RECOMPUTE if recompute is None else recompute
    inputs = _input_changes(old, new)
    old_sides, new_sides = _sides(old), _sides(new)
    notes: list[str] = []
    attribution = _Attribution(old, new, inputs, recompute, notes)
    changes = []
    for judgment_id in list(new_sides) + [i for i in old_sides if i not in new_sides]:
        model, before = old_sides.get(judgment_id, (None, None))
        model_new, after = new_sides.get(judgment_id, (model, None))
        model = model_new or model
        if before is None or after is None:
            changes.append(JudgmentChange(judgment_id, model, before, after, moved=True))
            continue
        moved = before.term != after.term or abs(after.probability - before.probability) >= noise(before, after)
        causes = attribution.causes(model, judgment_id, before, after) if moved else ()
        changes.append(JudgmentChange(judgment_id, model, before, after, moved, causes))
    return Comparison(old.run_id, old.started, new.run_id, new.started, tuple(inputs), tuple(changes),
                      tuple(notes))


def compare_with_previous(out_root: Path, run_dir: Path, results: dict, manifest: dict) -> Comparison | None:
    """The comparison of a run being finished with the previous successful run under ``out_root``.

    ``None`` when there is no earlier run; an earlier run that cannot be read gives a comparison
    with no judgments and a note saying why, so the briefing can say so.
    """
    previous = previous_run(out_root, run_dir)
    if previous is None:
        return None
    current = Run(Path(run_dir).resolve(), manifest, results)
    try:
        return compare(load_run(previous), current)
    # An earlier run on disk is outside input (another version may have written it): a record this
    # code cannot read is reported in the briefing, and never fails the run being finished.
    except (DiffError, KeyError, TypeError, ValueError) as error:
        reason = str(error) if isinstance(error, DiffError) else f"its records are not as expected ({error!r})"
        return Comparison(previous.name, "", current.run_id, current.started, (), (),
                          (f"the earlier run could not be compared: {reason}",))


# --- inside ---------------------------------------------------------------------------------------

class _Attribution:
    """Recomputes each model once per changed parameter, lazily, and names the causes of a move."""

    def __init__(self, old: Run, new: Run, inputs: list[InputChange], recompute: dict, notes: list[str]):
        self.old, self.new, self.recompute, self.notes = old, new, recompute, notes
        self.parameters = [i for i in inputs if i.kind == "parameter"]
        self.data = [i for i in inputs if i.kind == "data"]
        self.code = [i for i in inputs if i.kind == "code"]
        self._cache: dict[str, dict | None] = {}

    def causes(self, model: str, judgment_id: str, before: Side, after: Side) -> tuple[Cause, ...]:
        runs = self._model_runs(model)
        if runs is None:
            return self._unattributed(after.probability - before.probability)
        base = runs["base"].get(judgment_id)
        if base is None:
            return ()
        threshold = noise(before, after)
        causes = []
        singles = 0.0
        for name, probabilities in runs["single"].items():
            reverted = probabilities.get(judgment_id)
            if reverted is None:
                continue
            effect = base - reverted
            singles += effect
            if abs(effect) >= threshold or likelihood(base).term != likelihood(reverted).term:
                causes.append(Cause("parameter", name, effect))
        everything = runs["all"].get(judgment_id) if runs["all"] is not None else None
        if everything is not None:
            joint = base - everything
            together = joint - singles
            if self.parameters and (abs(together) >= threshold or not causes and abs(joint) >= threshold):
                causes.append(Cause("together", "parameters", together if causes else joint))
            residual = everything - before.probability
            if abs(residual) >= threshold:
                causes += self._unattributed(residual)
        elif not causes:
            causes += self._unattributed(after.probability - before.probability)
        return tuple(causes)

    def _unattributed(self, effect: float) -> list[Cause]:
        if self.data:
            return [Cause("data", d.name, effect) for d in self.data]
        if self.code:
            return [Cause("code", "package", effect)]
        return []

    def _model_runs(self, model: str) -> dict | None:
        if model not in self._cache:
            self._cache[model] = self._run_model(model)
        return self._cache[model]

    def _run_model(self, model: str) -> dict | None:
        from .params import ParameterError, Parameters, validate

        if model not in self.recompute:
            self.notes.append(f"no recomputation is registered for model '{model}'; its moves are not attributed")
            return None
        new_values = dict(self.new.manifest.get("parameters", {}))
        try:
            new_params = validate(new_values)
        except ParameterError as error:
            self.notes.append(f"the newer run's parameters no longer validate ({error}); moves are not attributed")
            return None
        relevant = [c for c in self.parameters
                    if c.name in Parameters.model_fields and c.old is not None and _uses(model, c.name)]
        base = _probabilities(self.recompute[model](new_params))
        single = {}
        for change in relevant:
            try:
                reverted = validate({**new_values, change.name: change.old})
            except ParameterError as error:
                self.notes.append(f"{change.name} cannot be reverted alone ({error}); its effect is counted "
                                  "with the parameters acting together")
                continue
            single[change.name] = _probabilities(self.recompute[model](reverted))
        every = None
        olds = {c.name: c.old for c in self.parameters if c.name in Parameters.model_fields and c.old is not None}
        try:
            every = _probabilities(self.recompute[model](validate({**new_values, **olds})))
        except ParameterError as error:
            self.notes.append(f"the older run's parameters no longer validate ({error})")
        return {"base": base, "single": single, "all": every}


def _uses(model: str, name: str) -> bool:
    from .params import spec

    return model in spec(name).models


def _probabilities(judgments) -> dict[str, float]:
    return {j.id: j.probability.probability for j in judgments}


def _input_changes(old: Run, new: Run) -> list[InputChange]:
    from .params import Parameters

    changes = []
    old_p, new_p = old.manifest.get("parameters", {}), new.manifest.get("parameters", {})
    names = [n for n in Parameters.model_fields if n in old_p or n in new_p]
    names += sorted(n for n in {*old_p, *new_p} if n not in Parameters.model_fields)
    for name in names:
        if old_p.get(name) != new_p.get(name):
            changes.append(InputChange("parameter", name, old_p.get(name), new_p.get(name)))
    old_d, new_d = old.manifest.get("data_files", {}), new.manifest.get("data_files", {})
    for path in sorted({*old_d, *new_d}):
        if old_d.get(path) != new_d.get(path):
            changes.append(InputChange("data", path, old_d.get(path), new_d.get(path)))
    old_code = old.manifest.get("package", {}).get("source_sha256")
    new_code = new.manifest.get("package", {}).get("source_sha256")
    if old_code and new_code and old_code != new_code:
        changes.append(InputChange("code", "package", old_code, new_code))
    return changes


def _sides(run: Run) -> dict[str, tuple[str, Side]]:
    from .confidence import assess

    sources = run.sources()
    sides = {}
    for judgment_id, (model, judgment) in run.judgments().items():
        # A run from before judgments named their claims has no confidence to compare.
        confidence = assess(judgment, sources).level if "claim_ids" in judgment else None
        probability = judgment["probability"]
        band = likelihood(probability["probability"])
        sides[judgment_id] = (model, Side(
            statement=judgment["statement"], probability=probability["probability"],
            standard_error=probability.get("standard_error", 0.0), term=band.term,
            range=(band.low, band.high), confidence=confidence,
        ))
    return sides


def _manifest(path: Path) -> dict | None:
    try:
        return json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _succeeded(path: Path) -> bool:
    manifest = _manifest(path)
    return bool(manifest) and manifest.get("status") == "succeeded" and (path / "results.json").is_file()


def _value(value: Any) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _points(delta: float) -> str:
    return f"{100 * delta:+.1f} points"


def _percent(p: float) -> str:
    return f"{100 * p:.1f}%"


def _when(started: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(started)
    except ValueError:
        return started or "time unknown"
    return f"{moment:%d %B %Y %H:%M} UTC"
