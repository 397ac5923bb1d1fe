"""What changed between two runs, and which inputs caused it.

:func:`compare` matches key judgments by id across every model section of two runs and reports each
one's probability before and after. It then attributes each move by recomputing through the
package, starting from the newer run's parameters:

- each changed parameter is reverted *alone* to its old value and the model rerun
  (each registered model's ``key_judgments``); the parameter is named as a cause only if that moves the judgment by more
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

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from estimates.core.wording import likelihood
from estimates.report.changes import (
    Cause,
    Comparison,
    InputChange,
    JudgmentChange,
    Side,
    noise,
)


def recompute_from_registry() -> dict[str, Callable[[Any], Sequence]]:
    """How to recompute each model's judgments from validated parameters, exactly as its notebook
    does (same generator for the same seed): ``{model: function(Parameters) -> judgments}``. Data
    files are read as they are now; a change in them since the older run shows as an unexplained
    residual, named after the data file."""
    from estimates.registry import MODELS

    return {name: model.key_judgments for name, model in MODELS.items()}


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
    from estimates.report.results_schema import upgrade

    try:
        results, manifest = upgrade(results, manifest)
    except ValueError as error:
        raise DiffError(f"{path}: {error}") from None
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






def compare(old: Run, new: Run, *, recompute: dict[str, Callable] | None = None) -> Comparison:
    """Compare two runs (``old`` first); see the module docstring for the attribution."""
    recompute = recompute_from_registry() if recompute is None else recompute
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
        from estimates.parameters.schema import ParameterError, Parameters, validate

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
    from estimates.parameters.schema import spec

    return model in spec(name).models


def _probabilities(judgments) -> dict[str, float]:
    return {j.id: j.probability.probability for j in judgments}


def _input_changes(old: Run, new: Run) -> list[InputChange]:
    from estimates.parameters.schema import Parameters

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
    from estimates.core.confidence import rate

    sources = run.sources()
    sides = {}
    for judgment_id, (model, judgment) in run.judgments().items():
        # A run from before judgments named their claims has no confidence to compare.
        confidence = rate(judgment, sources).level if "claim_ids" in judgment else None
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


