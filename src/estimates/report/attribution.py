"""Which changed inputs moved each judgment: the sequential attribution of :mod:`estimates.report.diff`.

Starting from the newer run's inputs, the changed inputs are put back to the older run's one step at
a time, each on top of those before it, in the order :data:`~estimates.report.changes.ORDER` states;
each step is credited with the move it makes, recomputed through the registry with the same seed, so
the credits and the remainder add up to the move and nothing is counted twice.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from estimates.core.wording import likelihood
from estimates.report.changes import PRINTED, Cause, InputChange, Side, noise

if TYPE_CHECKING:
    from estimates.report.diff import Run

#: Manifest key mapping each data file the run read (as ``data_files`` records it) to its copy.
KEPT = "inputs_kept"

@dataclass(frozen=True)
class _Step:
    """Inputs put back at one step of the attribution, and every judgment's probability after it."""

    inputs: tuple[InputChange, ...]
    probabilities: dict[str, float]

    def cause(self, effect: float) -> Cause:
        if len(self.inputs) > 1:
            names = ", ".join(i.name for i in self.inputs)
            text = " and ".join(_wording(i) for i in self.inputs) + ", put back together"
            return Cause("together", names, effect, text)
        [change] = self.inputs
        return Cause(change.kind, change.name, effect, _wording(change))


@dataclass(frozen=True)
class _Sequence:
    """One model's attribution: its judgments recomputed from the newer run's inputs, each step,
    and the changed inputs it could not put back."""

    base: dict[str, float]
    steps: tuple[_Step, ...]
    stuck: tuple[InputChange, ...]


class Attribution:
    """Puts the changed inputs back in order, recomputing each model once per step, lazily."""

    def __init__(self, old: Run, new: Run, inputs: list[InputChange], recompute: dict, notes: list[str],
                 scratch: Path):
        self.old, self.new, self.recompute, self.notes, self.scratch = old, new, recompute, notes, scratch
        self.parameters = [i for i in inputs if i.kind == "parameter"]
        self.data = [i for i in inputs if i.kind == "data"]
        self.code = any(i.kind == "code" for i in inputs)
        # The newer run's data as it read it, whatever has happened to the files since.
        self.now = {key: path for key in new.manifest.get(KEPT, {}) if (path := new.kept(key)) is not None}
        self._sequences: dict[str, _Sequence | None] = {}
        self._views = 0

    def causes(self, model: str, judgment_id: str, before: Side, after: Side) -> tuple[Cause, ...]:
        delta = after.probability - before.probability
        if model not in self._sequences:
            self._sequences[model] = self._sequence(model)
        sequence = self._sequences[model]
        previous = sequence.base.get(judgment_id) if sequence is not None else None
        if previous is None:
            return (Cause("remainder", "not attributed", delta, "not attributed (see the notes)"),)
        threshold = noise(before, after)
        causes, credited, minor = [], 0.0, 0.0
        for step in sequence.steps:
            now = step.probabilities.get(judgment_id, previous)
            effect = previous - now
            if abs(effect) >= threshold or likelihood(previous).term != likelihood(now).term:
                causes.append(step.cause(effect))
            else:
                minor += effect
            credited, previous = credited + effect, now
        if abs(minor) >= PRINTED:
            causes.append(Cause("minor", "within noise", minor, "other changed inputs, each within Monte Carlo noise"))
        rest = delta - credited
        if abs(rest) >= PRINTED:
            label = self._remainder(sequence.stuck)
            causes.append(Cause("remainder", label, rest, label))
        return tuple(causes)

    def _remainder(self, stuck: tuple[InputChange, ...]) -> str:
        parts = (["package code"] if self.code else []) + (
            [f"inputs that could not be put back ({', '.join(i.shown for i in stuck)})"] if stuck else [])
        return f"{', '.join(parts)} or Monte Carlo noise" if parts else "Monte Carlo noise"

    def _sequence(self, model: str) -> _Sequence | None:
        from estimates.errors import InputError
        from estimates.parameters.schema import ParameterError

        if model not in self.recompute:
            self.notes.append(f"no recomputation is registered for model '{model}'; its moves are not attributed")
            return None
        values = dict(self.new.manifest.get("parameters", {}))
        try:
            base = self._evaluate(model, values, {})
        except (InputError, ValueError, OSError) as error:
            self.notes.append(f"model '{model}' cannot be recomputed with the newer run's inputs "
                              f"({one_line(error)}); its moves are not attributed")
            return None
        steps, stuck, pending, reverted = [], [], [], {}
        for change in self._parameters(model):
            pending.append(change)
            trial = {**values, **{c.name: c.old for c in pending}}
            try:
                probabilities = self._evaluate(model, trial, reverted)
            except ParameterError:
                continue  # e.g. a low put back above its high: put it back with the next one
            except (InputError, ValueError, OSError) as error:
                self._cannot(pending, error)
                stuck, pending = stuck + pending, []
                continue
            steps.append(_Step(tuple(pending), probabilities))
            values, pending = trial, []
        if pending:
            self.notes.append(f"{', '.join(c.name for c in pending)} cannot be put back to the earlier values "
                              "(they do not validate with this version); counted in the remainder")
            stuck += pending
        for change in self._data(model):
            trial = {**reverted, change.name: self.old.kept(change.name)}
            try:
                if change.old is not None and trial[change.name] is None:
                    raise _CannotRevert("the earlier run kept no copy of it")
                probabilities = self._evaluate(model, values, trial, require=change.name)
            except (_CannotRevert, InputError, ValueError, OSError) as error:
                self._cannot([change], error)
                stuck.append(change)
                continue
            steps.append(_Step((change,), probabilities))
            reverted = trial
        return _Sequence(base, tuple(steps), tuple(stuck))

    def _cannot(self, changes: list[InputChange], error: Exception) -> None:
        self.notes.append(f"{', '.join(c.shown for c in changes)} could not be put back ({one_line(error)}); "
                          "its effect is in the remainder")

    @property
    def revertible(self) -> list[InputChange]:
        """Changed parameters that can be put back: known to this version, and set in the older run."""
        from estimates.parameters.schema import Parameters

        return [c for c in self.parameters if c.name in Parameters.model_fields and c.old is not None]

    def _parameters(self, model: str) -> list[InputChange]:
        from estimates.parameters.schema import spec

        return [c for c in self.revertible if model in spec(c.name).models]

    def _data(self, model: str) -> list[InputChange]:
        read = [set(run.sections().get(model, {}).get("data_files", {})) for run in (self.old, self.new)]
        if not any(read):  # a section that does not say what it read: every file may matter
            return list(self.data)
        return [c for c in self.data if c.name in read[0] | read[1]]

    def _evaluate(self, model: str, values: dict, reverted: dict[str, Path | None], *,
                  require: str | None = None) -> dict[str, float]:
        """Every judgment of ``model`` for parameter ``values``, with each data file the newer run
        kept read from its copy and each ``reverted`` one from the older run's (``None``: absent)."""
        from estimates.parameters.schema import validate

        params = validate(values)
        self._views += 1
        view, placed = _data_view(params, {**self.now, **reverted}, self.scratch / str(self._views))
        if require is not None and require not in placed:
            raise _CannotRevert("no path parameter names a file in its folder")
        if view:
            params = validate({**values, **view})
        return _probabilities(self.recompute[model](params))


class _CannotRevert(Exception):
    """A data file cannot be put back to the older run's copy."""


def _data_view(params, files: dict[str, Path | None], scratch: Path) -> tuple[dict[str, str], set[str]]:
    """Path parameter values reading ``files`` (recorded path -> the copy to read, or ``None``: no
    such file) in place of the files on disk, and the recorded paths so placed.

    Each folder a path parameter points into is mirrored by symbolic links, so a file read beside
    the one named (``series.yaml`` beside a loss series) is swapped too; files in sub-folders and
    files no path parameter's folder holds are read where they are.
    """
    from estimates.parameters.schema import specs
    from estimates.paths import project_path

    wanted = {project_path(key).resolve(): (key, copy) for key, copy in files.items()}
    targets = {row.name: params.path(row.name).resolve() for row in specs() if row.unit == "path"}
    folders = {path.parent for path in targets.values()}
    values, placed = {}, set()
    for number, folder in enumerate(sorted(folders)):
        swapped = {path: entry for path, entry in wanted.items() if path.parent == folder}
        if not swapped or not folder.is_dir():
            continue
        view = scratch / str(number)
        view.mkdir(parents=True)
        for name in sorted({*os.listdir(folder), *(p.name for p in swapped)}):
            key, copy = swapped.get(folder / name, (None, folder / name))
            if key is not None:
                placed.add(key)
            if copy is not None and copy.exists():
                (view / name).symlink_to(Path(copy).resolve())
        values.update({name: str(view / path.name) for name, path in targets.items() if path.parent == folder})
    return values, placed


def _wording(change: InputChange) -> str:
    """An input as a cause reads: ``count_uncertainty 4 -> 6``, ``row `x` added to data/a.csv``."""
    from estimates.report.changes import _value

    if change.kind == "parameter":
        return f"{change.shown} {_value(change.old)} -> {_value(change.new)}"
    if change.rows is not None and change.old is not None and change.new is not None:
        return change.rows.summary(change.shown)
    if change.old is None:
        return f"data file {change.shown}, read for the first time"
    if change.new is None:
        return f"data file {change.shown}, no longer read"
    return f"data file {change.shown} changed"


def _probabilities(judgments) -> dict[str, float]:
    return {j.id: j.probability.probability for j in judgments}


def one_line(error: Exception) -> str:
    return " ".join(str(error).split())[:200] or type(error).__name__
