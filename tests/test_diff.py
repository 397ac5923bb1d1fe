"""What changed between runs: the comparison, its attribution, the CLI and the briefing section."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from estimates.parameters.schema import Parameters, validate
from estimates.registry import MODELS
from estimates.report import diff

from .conftest import QUICK, quick_flags, run_cli

#: The second run of the real suite: the baseline with more BTGs reported ineffective.
CHANGED = {"units_ineffective": 35}
_RUNS: dict[Path, Path] = {}


def changed_run_for(baseline_run: Path, tmp_path_factory) -> Path:
    """A root holding a copy of the baseline run and, after it, a run with CHANGED (made once).

    Shared with tests/test_browser.py, which calls this too: one extra run for the session.
    """
    if baseline_run not in _RUNS:
        root = tmp_path_factory.mktemp("changed")
        shutil.copytree(baseline_run, root / baseline_run.name)
        os.symlink(baseline_run.name, root / "latest")
        done = run_cli("run", "--out", str(root), *quick_flags(**CHANGED))
        assert done.returncode == 0, done.stderr
        _RUNS[baseline_run] = (root / "latest").resolve()
    return _RUNS[baseline_run]


@pytest.fixture(scope="module")
def changed_run(baseline_run, tmp_path_factory) -> Path:
    return changed_run_for(baseline_run, tmp_path_factory)


# --- two real runs -------------------------------------------------------------------------------------

def test_the_runner_compares_with_the_previous_run(baseline_run, changed_run):
    manifest = json.loads((changed_run / "manifest.json").read_text())
    compared = manifest["compared_with"]
    assert compared["run_id"] == baseline_run.name
    assert [(i["kind"], i["name"], i["old"], i["new"]) for i in compared["inputs"]
            if i["kind"] != "code"] == [("parameter", "units_ineffective", 29, 35)]
    # The comparison is not a result of this run: results.json holds no trace of it.
    assert "compared_with" not in (changed_run / "results.json").read_text()


def test_more_losses_move_the_attrition_judgments_and_name_the_count(baseline_run, changed_run):
    comparison = diff.compare(diff.load_run(baseline_run), diff.load_run(changed_run))
    moves = {j.id: j for j in comparison.judgments}
    for judgment_id in ("attrition-threshold", "attrition-rate-above-implied-loss"):
        move = moves[judgment_id]
        # 35 rather than 29 of 125 ineffective; the BBC's 37-38 five days later holds the joint
        # estimate, so one count moves it less than it moved the single-report view (0.05, not 0.2).
        assert move.moved and move.delta > 0.03
        assert [c.name for c in move.causes] == ["units_ineffective"]
        # With one parameter changed, reverting it accounts for the whole move.
        assert move.causes[0].effect == pytest.approx(move.delta, abs=1e-12)
    # Judgments that did not move name no cause, and no cause is ever a parameter that did not change.
    changed = {i.name for i in comparison.parameters}
    for move in comparison.judgments:
        assert move.moved or not move.causes
        assert {c.name for c in move.causes if c.kind == "parameter"} <= changed


def test_estimates_diff_prints_the_same_comparison(baseline_run, changed_run):
    done = run_cli("diff", str(baseline_run), str(changed_run))
    assert done.returncode == 0, done.stderr
    expected = diff.compare(diff.load_run(baseline_run), diff.load_run(changed_run)).text()
    assert done.stdout == expected
    assert "units_ineffective: 29 -> 35" in done.stdout
    threshold = re.search(r"^  attrition-threshold: moved \+[\d.]+ points.*\n(    .*\n)*", done.stdout, re.M)
    # A cause reads as the parameter's label with its old and new values.
    assert threshold and f"caused by: {diff.label('units_ineffective')} 29 -> 35" in threshold.group(0)
    assert "\x1b[" not in done.stdout


def test_estimates_diff_rejects_a_directory_that_is_not_a_run(tmp_path, baseline_run):
    done = run_cli("diff", str(tmp_path), str(baseline_run))
    assert done.returncode == 2
    assert "no manifest.json" in done.stderr and "Traceback" not in done.stderr


def test_briefing_shows_what_changed(baseline_run, changed_run):
    html = (changed_run / "briefing.html").read_text()
    section = html[html.index('<section id="what-changed">'):]
    section = section[: section.index("</section>")]
    assert "What changed since" in section and baseline_run.name in section
    row = re.search(r'<tr id="change-attrition-threshold".*?</tr>', section, re.S).group(0)
    # A cause is named by the parameter's label, with its old and new values.
    assert f"{diff.label('units_ineffective')} 29 → 35" in row and "points" in row
    # The parameters that did not change are named nowhere in the section.
    assert "reconstitution_per_week" not in section and "<code>seed</code>" not in section
    assert (changed_run / "changes.csv").is_file()


def test_first_run_in_a_root_has_no_comparison(baseline_run):
    html = (baseline_run / "briefing.html").read_text()
    assert 'id="what-changed"' not in html
    assert "compared_with" not in json.loads((baseline_run / "manifest.json").read_text())


# --- attribution on runs recorded in memory ---------------------------------------------------------------

def _attrition_run(path: Path, values: dict, manifest: dict, section: dict) -> diff.Run:
    """A run record for ``values``, its judgments recomputed through the package (as the notebook does)."""
    params = validate({**QUICK, **values})
    manifest = {**copy.deepcopy(manifest), "parameters": params.model_dump(mode="json"), "run_id": path.name}
    section = {**copy.deepcopy(section), "judgments": [j.to_dict() for j in MODELS["attrition"].key_judgments(params)]}
    return diff.Run(path, manifest, {"schema_version": 1, "attrition": section})


@pytest.fixture(scope="module")
def record(baseline_run):
    manifest = json.loads((baseline_run / "manifest.json").read_text())
    section = json.loads((baseline_run / "results.json").read_text())["attrition"]
    return lambda name, **values: _attrition_run(baseline_run.parent / name, values, manifest, section)


def test_each_judgment_names_only_the_parameters_that_moved_it(record):
    # reconstitution_per_week only enters the projection; combat_power_retained only the second
    # judgment's threshold; share_rounding neither.
    old = record("old", reconstitution_per_week=2.0, combat_power_retained=0.7, share_rounding=0.04)
    new = record("new")
    comparison = diff.compare(old, new)
    causes = {j.id: [c.name for c in j.causes if c.kind == "parameter"] for j in comparison.judgments}
    assert causes == {"attrition-threshold": ["reconstitution_per_week"],
                      "attrition-rate-above-implied-loss": ["combat_power_retained"]}
    assert comparison.idle_parameters == ("share_rounding",)
    assert "share_rounding" not in "".join(c.describe() for j in comparison.judgments for c in j.causes)


def test_two_parameters_are_credited_in_turn_and_add_up_to_the_move(record):
    # Sequential attribution: each parameter is put back on top of those before it (schema order),
    # so their interaction (about 0.06 here, well above the noise) goes to the later one, not to a
    # third "together" line, and the credits add up to the whole move (same code and data).
    old = record("old", units_ineffective=20, hazard_shape_low=1.0)
    new = record("new")
    comparison = diff.compare(old, new)
    [threshold] = [j for j in comparison.judgments if j.id == "attrition-threshold"]
    named = {c.name: c.effect for c in threshold.causes}
    assert set(named) <= {"units_ineffective", "hazard_shape_low", "within noise", "Monte Carlo noise"}
    assert {"units_ineffective", "hazard_shape_low"} <= set(named)
    assert sum(named.values()) == pytest.approx(threshold.delta, abs=1e-12)
    fields = list(Parameters.model_fields)
    first, second = sorted(("units_ineffective", "hazard_shape_low"), key=fields.index)
    assert list(comparison.order) == [diff.label(first), diff.label(second)]
    # The first in the order is credited what putting it back alone does (computed here directly).
    values = {**QUICK, **{"units_ineffective": 20, "hazard_shape_low": 1.0}}
    values.pop(second)  # step one: the new inputs with only `first` put back
    probability = {j.id: j.probability.probability for j in MODELS["attrition"].key_judgments(validate(values))}
    assert named[first] == pytest.approx(threshold.new.probability - probability["attrition-threshold"], abs=1e-12)


def test_changed_data_files_without_copies_are_not_credited_twice(record):
    old = record("old")
    new = record("new")
    old.manifest["data_files"] = {path: "0" * 64 for path in new.manifest["data_files"]}
    # The older run recorded other numbers for the same parameters: only the data can explain it.
    # Neither run kept copies, so no file can be put back: the move is one remainder naming them,
    # counted once (the earlier version credited every file with the whole move).
    for judgment in old.results["attrition"]["judgments"]:
        judgment["probability"]["probability"] = max(0.0, judgment["probability"]["probability"] - 0.1)
    comparison = diff.compare(old, new)
    assert {i.name for i in comparison.data_files} == set(new.manifest["data_files"])
    for move in comparison.judgments:
        assert move.moved
        [cause] = move.causes
        assert cause.kind == "remainder" and cause.effect == pytest.approx(move.delta, abs=1e-12)
        read = sorted(new.results["attrition"]["data_files"])  # only what the model read is named
        assert cause.name == f"inputs that could not be put back ({', '.join(read)}) or Monte Carlo noise"
    assert "data file data/claims.csv changed" in comparison.text()
    assert any("the earlier run kept no copy of it" in note for note in comparison.notes)


def test_nothing_changed(record):
    comparison = diff.compare(record("a"), record("b"))
    assert comparison.inputs == () and comparison.moved == ()
    assert "No input changed" in comparison.text()


def test_new_and_dropped_judgments(record):
    old, new = record("old"), record("new")
    new.results["attrition"]["judgments"] = new.results["attrition"]["judgments"][:1]
    statuses = {j.id: j.status for j in diff.compare(old, new).judgments}
    assert statuses == {"attrition-threshold": "steady", "attrition-rate-above-implied-loss": "dropped"}
    statuses = {j.id: j.status for j in diff.compare(new, old).judgments}
    assert statuses["attrition-rate-above-implied-loss"] == "new"


# --- which run is "previous" ------------------------------------------------------------------------------

def _fake_run(root: Path, name: str, status: str = "succeeded", started: str = "", *, case: str = "",
              units_ineffective: int = 29, briefing: bool = True) -> Path:
    """A run record with one parameter row that states claim ``c`` (which reports 29)."""
    path = root / name
    path.mkdir()
    (path / "manifest.json").write_text(json.dumps({"run_id": name, "status": status, "started_utc": started,
                                                    "parameters": {"case": case}}))
    section = {"judgments": [], "data_files": {},
               "parameters": [{"name": "units_ineffective", "value": units_ineffective, "claim_id": "c"}],
               "sources": [{"claim_id": "c", "quantity": 29.0, "report_date": "2022-04-01"}]}
    (path / "results.json").write_text(json.dumps({"schema_version": 2, "case": {"as_of": "2022-04-11"},
                                                   "attrition": section}))
    if briefing:
        (path / "briefing.html").write_text("<html></html>")
    return path


def test_previous_published_is_the_newest_published_non_scenario_run_of_the_case(tmp_path):
    day = "2022-01-0{}T00:00:00+00:00".format
    first = _fake_run(tmp_path, "20220101T000000Z-aaaaaa", started=day(1))
    second = _fake_run(tmp_path, "20220102T000000Z-bbbbbb", started=day(2))
    _fake_run(tmp_path, "20220103T000000Z-cccccc", status="failed", started=day(3))
    _fake_run(tmp_path, "20220104T000000Z-dddddd", started=day(4), units_ineffective=35)  # a scenario
    _fake_run(tmp_path, "20220105T000000Z-eeeeee", started=day(5), case=str(tmp_path))  # another case
    _fake_run(tmp_path, "20220106T000000Z-ffffff", started=day(6), briefing=False)  # never published
    (tmp_path / "notes").mkdir()
    current = _fake_run(tmp_path, "20220107T000000Z-gggggg", status="running", started=day(7))
    os.symlink(first.name, tmp_path / "latest")  # `latest` has no say: the rule decides
    manifest = json.loads((current / "manifest.json").read_text())
    results = json.loads((current / "results.json").read_text())
    assert diff.previous_published(tmp_path, results, manifest, exclude=current) == second.resolve()
    # Of the other case, only its own run qualifies.
    other = {**manifest, "parameters": {"case": str(tmp_path)}}
    assert diff.previous_published(tmp_path, results, other, exclude=current).name == "20220105T000000Z-eeeeee"
    assert diff.previous_published(tmp_path / "missing", results, manifest) is None


def test_since_must_name_a_successful_run(tmp_path):
    good = _fake_run(tmp_path, "20220101T000000Z-aaaaaa")
    _fake_run(tmp_path, "20220103T000000Z-cccccc", status="failed")
    assert diff.resolve_since(tmp_path, good.name) == good.resolve()
    assert diff.resolve_since(tmp_path / "elsewhere", good) == good.resolve()
    with pytest.raises(diff.DiffError, match=r"^--since: no run 'nosuch' in .*; give the id of a successful run"):
        diff.resolve_since(tmp_path, "nosuch")
    with pytest.raises(diff.DiffError, match=r"^--since: .*did not succeed.*; give the id of a successful run"):
        diff.resolve_since(tmp_path, "20220103T000000Z-cccccc")


def test_run_since_a_run_that_does_not_exist_stops_before_anything_runs(tmp_path):
    root = tmp_path / "reports"
    done = run_cli("run", "--out", str(root), "--since", "nosuch", *quick_flags())
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "--since: no run 'nosuch'" in done.stderr
    assert not root.exists()


def test_load_run_refuses_a_failed_run(tmp_path):
    failed = _fake_run(tmp_path, "20220103T000000Z-cccccc", status="failed")
    with pytest.raises(diff.DiffError, match="did not succeed"):
        diff.load_run(failed)
    with pytest.raises(diff.DiffError, match="not a run directory"):
        diff.load_run(tmp_path / "nowhere")


def test_an_unreadable_earlier_run_is_reported_not_fatal(tmp_path, baseline_run):
    earlier = _fake_run(tmp_path, "20220101T000000Z-aaaaaa", started="2022-01-01T00:00:00+00:00")
    (earlier / "results.json").write_text(json.dumps({"attrition": {"judgments": [{"id": "x"}]}}))
    manifest = json.loads((baseline_run / "manifest.json").read_text())
    results = json.loads((baseline_run / "results.json").read_text())
    current = tmp_path / baseline_run.name
    current.mkdir()
    # By default a run this version cannot read is not one to compare with; named with --since, the
    # briefing says why it could not be compared.
    assert diff.compare_with_previous(tmp_path, current, results, manifest) is None
    comparison = diff.compare_with_previous(tmp_path, current, results, manifest, since=earlier)
    assert comparison.old_run == earlier.name and comparison.judgments == ()
    assert "could not be compared" in comparison.notes[0]


def _as_version_1(run_dir, target):
    """A copy of a run as version 1 wrote it: parameters named after the seed's unit, no case."""
    from estimates.parameters.shared import RENAMED

    old_name = {new: old for old, new in RENAMED.items()}
    target.mkdir()
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["parameters"] = {old_name.get(k, k): v for k, v in manifest["parameters"].items()}
    results = json.loads((run_dir / "results.json").read_text())
    results.pop("case")
    results["schema_version"] = 1
    # Version 1 recorded a judgment that later runs state as a constraint, under its old id.
    results["resupply"]["judgments"].append({**results["resupply"]["judgments"][0], "id": "resupply-complete-btg"})
    for section in results.values():
        if isinstance(section, dict):
            for row in section.get("parameters", []):
                row["name"] = old_name.get(row["name"], row["name"])
    (target / "manifest.json").write_text(json.dumps(manifest))
    (target / "results.json").write_text(json.dumps(results))
    return target


def test_a_run_written_before_the_rename_compares_parameter_by_parameter(tmp_path, baseline_run):
    old = diff.load_run(_as_version_1(baseline_run, tmp_path / "v1"))
    assert "units_committed" in old.manifest["parameters"] and "btg_committed" not in old.manifest["parameters"]
    comparison = diff.compare(old, diff.load_run(baseline_run))
    assert [c.name for c in comparison.inputs if c.kind == "parameter"] == []
    # Only the judgment later runs state as a constraint moves: it is gone from the new run.
    assert comparison.judgments and [j.id for j in comparison.moved] == ["resupply-complete-unit"]
    # The old id is read under its new name (a judgment the new run no longer makes).
    assert "resupply-complete-unit" in {j["id"] for j in old.results["resupply"]["judgments"]}
    assert "resupply-complete-btg" not in {j["id"] for j in old.results["resupply"]["judgments"]}


def test_a_run_from_a_newer_version_is_refused_with_one_line(tmp_path, baseline_run):
    newer = _as_version_1(baseline_run, tmp_path / "v99")
    results = json.loads((newer / "results.json").read_text())
    results["schema_version"] = 99
    (newer / "results.json").write_text(json.dumps(results))
    with pytest.raises(diff.DiffError, match=r"schema_version 99; this version of estimates reads 1, 2"):
        diff.load_run(newer)
