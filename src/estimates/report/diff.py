"""What changed between two runs, and which inputs caused it.

:func:`compare` matches key judgments by id across every model section of two runs and reports each
one's probability before and after, the parameters that differ, the data files that differ (row by
row for a table both runs kept a copy of: :func:`keep_inputs`) and whether the package code differs.

Each move is attributed **sequentially**, so that no move is counted twice. Starting from the newer
run's inputs, the changed inputs are put back to the older run's, one at a time and each on top of
those before it, in a fixed order (:data:`~estimates.report.changes.ORDER`): parameters in the order
of the parameter list, then data files by path (a file is put back by pointing its path parameter at
a view of its folder holding the older run's copy). Step *k* is credited with the move it makes
(probability before the step minus after it), recomputed through the registry with the same seed.
What is left once everything that can be put back was is the remainder: package code (which cannot
be put back), any input that could not be put back, or Monte Carlo noise, and it is named as such.
The credits and the remainder add up to the move. An input is named when its step moves the
judgment by more than Monte Carlo noise (:func:`~estimates.report.changes.noise`) or changes its
ICD 203 term; the others are summed in one line. Parameters that only validate together (a low and
its high) are put back together and credited together.

Runs are compared as recorded: nothing here writes to either run. The runner calls
:func:`compare_with_previous` after the notebooks, so the comparison goes into the briefing and the
manifest, never into ``results.json``.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from estimates.core.wording import likelihood
from estimates.parameters.schema import label
from estimates.report.attribution import KEPT, Attribution
from estimates.report.changes import (
    Comparison,
    InputChange,
    JudgmentChange,
    Side,
    noise,
)
from estimates.report.row_changes import table_rows

#: Folder of a run directory holding a copy of every data file the run read.
INPUTS_DIR = "inputs"
#: Why a run is compared with the one :func:`previous_published` finds.
DEFAULT_CHOICE = "the last published run of this case that is not a scenario"


def recompute_from_registry() -> dict[str, Callable[[Any], Sequence]]:
    """How to recompute each model's judgments from validated parameters, exactly as its notebook
    does (same generator for the same seed): ``{model: function(Parameters) -> judgments}``. The
    data files are those the parameters' paths point to."""
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
        for model, section in self.sections().items():
            for judgment in section.get("judgments", []):
                found.setdefault(judgment["id"], (model, judgment))
        return found

    def sections(self) -> dict[str, dict]:
        return {name: s for name, s in self.results.items() if isinstance(s, dict) and name != "case"}

    def sources(self) -> dict[str, dict]:
        """Every source row of every model section, by claim id (first occurrence kept)."""
        rows: dict[str, dict] = {}
        for section in self.sections().values():
            for row in section.get("sources", []):
                rows.setdefault(row["claim_id"], row)
        return rows

    def kept(self, recorded: str) -> Path | None:
        """This run's copy of a data file it read (``None``: it kept none, e.g. an older version)."""
        relative = self.manifest.get(KEPT, {}).get(recorded)
        path = self.path / relative if relative else None
        return path if path is not None and path.is_file() else None

    def case_folder(self) -> str:
        """The case folder the run is of, absolute; runs from before cases only had the bundled one."""
        from estimates.paths import BUNDLED_CASE

        folder = self.manifest.get("parameters", {}).get("case") or ""
        return str(Path(folder).resolve() if folder else BUNDLED_CASE.resolve())

    def is_scenario(self) -> bool:
        """Whether a parameter departs from what its claim reports (or rests on a claim reported
        after the cut-off): :func:`estimates.report.scenario.scenario_inputs` over its own record."""
        from estimates.report.scenario import scenario_inputs

        parameters: dict[str, dict] = {}
        for section in self.sections().values():
            for row in section.get("parameters", []):
                parameters.setdefault(row["name"], row)
        cutoff = (self.results.get("case") or {}).get("as_of")
        return bool(scenario_inputs(list(parameters.values()), self.sources(), cutoff=cutoff))


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


def keep_inputs(run_dir: Path, data_files: dict[str, str]) -> dict[str, str]:
    """Copy every data file a run read into ``run_dir/inputs/`` and return ``{recorded path: copy}``
    (the copy's path relative to ``run_dir``), for the manifest's ``inputs_kept``.

    Copies rather than per-row digests: a later run can then show a changed row's old fields and
    recompute with the file as it was (about 1.6 MB for the bundled case). A file whose bytes no
    longer match the SHA-256 its loader recorded changed after it was read; it is not kept, so no
    copy ever claims to be what a run read when it is not.
    """
    from estimates.paths import project_path
    from estimates.storage import atomic_write

    kept = {}
    for recorded, digest in sorted(data_files.items()):
        try:
            raw = project_path(recorded).read_bytes()
        except OSError:
            continue
        if hashlib.sha256(raw).hexdigest() != digest:
            continue
        relative = Path(INPUTS_DIR) / _kept_name(recorded)
        (run_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        atomic_write(run_dir / relative, raw)
        kept[recorded] = relative.as_posix()
    return kept


def previous_published(out_root: str | Path, results: dict, manifest: dict, *,
                       exclude: str | Path | None = None) -> Path | None:
    """The run a new run is compared with by default: the newest run under ``out_root`` that

    - was **published**: it succeeded, so its briefing was written and ``latest`` pointed at it
      (status ``succeeded`` in its manifest, ``briefing.html`` and ``results.json`` present);
    - is **not a scenario**: no parameter departs from what its claim reports
      (:meth:`Run.is_scenario`, the rule of the briefing's SCENARIO banner);
    - is of the **same case**: the same case folder as the new run's ``results``/``manifest``
      record (``-p case``; a run from before cases is of the bundled case).

    ``exclude`` is the new run's own directory. ``None`` when no run qualifies. The track-record
    issue reuses this definition of "the last published run": change it here only.
    """
    out_root = Path(out_root)
    case = Run(Path("."), manifest, results).case_folder()
    own = Path(exclude).resolve() if exclude is not None else None
    candidates = []
    for path in out_root.iterdir() if out_root.is_dir() else ():
        if path.is_symlink() or not path.is_dir() or path.resolve() == own:
            continue
        recorded = _manifest(path)
        if (recorded and recorded.get("status") == "succeeded" and (path / "briefing.html").is_file()
                and (path / "results.json").is_file()):
            candidates.append((recorded.get("started_utc", ""), path.name, path))
    for _, _, path in sorted(candidates, reverse=True):
        try:
            run = load_run(path)
            if run.case_folder() == case and not run.is_scenario():
                return run.path
        # A run this version cannot read (or with records not as expected) is not one to compare with.
        except (DiffError, KeyError, TypeError, ValueError):
            continue
    return None


def resolve_since(out_root: str | Path, since: str | Path) -> Path:
    """The run ``--since`` names: a run id under ``out_root`` or a run directory, which must have
    succeeded. :class:`DiffError` with one line naming ``--since`` otherwise."""
    allowed = f"give the id of a successful run under {out_root} or the path of a successful run's directory"
    found = next((p for p in (Path(out_root) / str(since), Path(since)) if p.is_dir()), None)
    if found is None:
        raise DiffError(f"--since: no run '{since}' in {out_root}; {allowed}")
    try:
        return load_run(found).path
    except DiffError as error:
        raise DiffError(f"--since: {error}; {allowed}") from None


def compare(old: Run, new: Run, *, recompute: dict[str, Callable] | None = None, chosen: str = "") -> Comparison:
    """Compare two runs (``old`` first); see the module docstring for the attribution."""
    recompute = recompute_from_registry() if recompute is None else recompute
    inputs = _input_changes(old, new)
    old_sides, new_sides = _sides(old), _sides(new)
    notes: list[str] = []
    changes = []
    with tempfile.TemporaryDirectory(prefix="estimates-diff-") as scratch:
        attribution = Attribution(old, new, inputs, recompute, notes, Path(scratch))
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
    order = tuple(i.shown for i in inputs if i.kind == "data" or i in attribution.revertible) + (
        ("package code",) if attribution.code else ())
    return Comparison(old.run_id, old.started, new.run_id, new.started, tuple(inputs), tuple(changes),
                      tuple(dict.fromkeys(notes)), order, chosen)


def compare_with_previous(out_root: Path, run_dir: Path, results: dict, manifest: dict, *,
                          since: str | Path | None = None) -> Comparison | None:
    """The comparison of a run being finished with ``since`` (a run directory) or, without it, with
    :func:`previous_published` under ``out_root``.

    ``None`` when there is no run to compare with; one that cannot be read gives a comparison with
    no judgments and a note saying why, so the briefing can say so.
    """
    previous = Path(since) if since is not None else previous_published(out_root, results, manifest, exclude=run_dir)
    if previous is None:
        return None
    chosen = "--since" if since is not None else DEFAULT_CHOICE
    current = Run(Path(run_dir).resolve(), manifest, results)
    try:
        return compare(load_run(previous), current, chosen=chosen)
    # An earlier run on disk is outside input (another version may have written it): a record this
    # code cannot read is reported in the briefing, and never fails the run being finished.
    except (DiffError, KeyError, TypeError, ValueError) as error:
        reason = str(error) if isinstance(error, DiffError) else f"its records are not as expected ({error!r})"
        return Comparison(previous.name, "", current.run_id, current.started, (), (),
                          (f"the earlier run could not be compared: {reason}",), chosen=chosen)


# --- inside ---------------------------------------------------------------------------------------

def _input_changes(old: Run, new: Run) -> list[InputChange]:
    from estimates.parameters.schema import Parameters

    changes = []
    old_p, new_p = old.manifest.get("parameters", {}), new.manifest.get("parameters", {})
    names = [n for n in Parameters.model_fields if n in old_p or n in new_p]
    names += sorted(n for n in {*old_p, *new_p} if n not in Parameters.model_fields)
    for name in names:
        if old_p.get(name) != new_p.get(name):
            changes.append(InputChange("parameter", name, old_p.get(name), new_p.get(name), label=label(name)))
    old_d, new_d = old.manifest.get("data_files", {}), new.manifest.get("data_files", {})
    case = Path(new.case_folder())
    for path in sorted({*old_d, *new_d}):
        if old_d.get(path) != new_d.get(path):
            changes.append(InputChange("data", path, old_d.get(path), new_d.get(path), _rows(old, new, path),
                                       _shown(path, case)))
    old_code = old.manifest.get("package", {}).get("source_sha256")
    new_code = new.manifest.get("package", {}).get("source_sha256")
    if old_code and new_code and old_code != new_code:
        changes.append(InputChange("code", "package", old_code, new_code))
    return changes


def _rows(old: Run, new: Run, recorded: str):
    """The rows of a changed table, when both runs kept a copy of it (JSON and YAML: ``None``)."""
    before, after = old.kept(recorded), new.kept(recorded)
    if before is None or after is None or Path(recorded).suffix.lower() != ".csv":
        return None
    try:
        return table_rows(before.read_text(encoding="utf-8-sig"), after.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return None


def _shown(recorded: str, case: Path) -> str:
    """A data file as the briefing names it: as recorded (relative to the project), or from the
    case folder's name for a case kept elsewhere (no machine-specific prefix)."""
    path = Path(recorded)
    if path.is_absolute() and path.is_relative_to(case):
        return f"{case.name}/{path.relative_to(case).as_posix()}"
    return recorded


def _kept_name(recorded: str) -> Path:
    """Where a recorded data file's copy goes under ``inputs/``: its project-relative path, or
    ``outside/`` and its absolute path for a file outside the project."""
    path = Path(recorded)
    parts = [p for p in path.parts if p not in ("/", "..", ".", "") and not p.endswith(":\\")]
    return Path("outside", *parts) if path.is_absolute() else Path(*parts)


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


def _read_json(run_dir: Path, name: str, missing_hint: str = "") -> dict:
    try:
        return json.loads((run_dir / name).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DiffError(f"{run_dir}: no {name}{missing_hint}") from None
    except (OSError, ValueError) as error:
        raise DiffError(f"{run_dir}: cannot read {name} ({error})") from None


def _manifest(path: Path) -> dict | None:
    try:
        return json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
