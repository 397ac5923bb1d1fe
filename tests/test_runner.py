"""The runner end to end: run directories, latest, manifest, results.json and failures."""

import json
import os
from pathlib import Path

import jsonschema
import pytest
from scipy import stats

from estimates import errors
from estimates.parameters.schema import validate
from estimates.report.results_schema import results_schema
from estimates.run import plan
from estimates.run import suite as runner

from .conftest import QUICK

FIXTURES = Path(__file__).parent / "fixtures"


def test_baseline_run_layout(baseline_root, baseline_run):
    assert (baseline_root / "latest").is_symlink()
    for name in ("attrition.ipynb", "results.json", "manifest.json", "briefing.html"):
        assert (baseline_run / name).is_file(), name
    manifest = json.loads((baseline_run / "manifest.json").read_text())
    assert manifest["status"] == "succeeded"
    assert all(n["status"] == "succeeded" for n in manifest["notebooks"])
    assert manifest["parameters"]["n_samples"] == QUICK["n_samples"]
    assert set(manifest["data_files"]) == {"data/claims.csv", "data/transfers.csv",
                                           "data/btg_holdings.csv", "data/grade_probabilities.csv",
                                           "data/btg_statements.csv",
                                           "data/ukraine_losses/russia_losses_equipment.json",
                                           "data/ukraine_losses/russia_losses_personnel.json",
                                           "data/cdb90/battles.csv", "data/cdb90/belligerents.csv",
                                           "data/cdb90/battle_durations.csv",
                                           "data/ukraine_losses/russia_losses_equipment_oryx.json",
                                           "data/ukraine_losses/series.yaml"}
    assert [n["name"] for n in manifest["notebooks"]] == ["attrition", "resupply", "pooling", "losses", "lanchester"]
    assert len(manifest["package"]["source_sha256"]) == 64


def test_results_match_their_schema(baseline_results):
    jsonschema.validate(baseline_results, results_schema())


def test_results_are_what_the_notebook_recorded(baseline_run, baseline_results):
    import nbformat

    from estimates.report.record import read_records

    recorded = read_records(nbformat.read(baseline_run / "attrition.ipynb", as_version=4))
    assert baseline_results["attrition"] == recorded["attrition"]


def test_every_mc_probability_has_its_error(baseline_results):
    for judgment in baseline_results["attrition"]["judgments"]:
        assert "standard_error" in judgment["probability"]
    for point in baseline_results["attrition"]["projection"]["first_passage"]:
        assert point["n_samples"] == QUICK["n_samples"]


def test_parameters_reach_the_results(larger_force_run):
    # `estimates run -p units_committed 200 -p units_ineffective 61` gives intervals for 61 of 200.
    done, run_dir = larger_force_run
    assert done.stdout.strip().endswith(str(run_dir / "briefing.html"))
    results = json.loads((run_dir / "results.json").read_text())
    intervals = {(i["method"], i["level"]): i for i in results["attrition"]["proportion"]["intervals"]}
    cp = intervals[("Clopper-Pearson", 0.95)]
    ref = stats.binomtest(61, 200).proportion_ci(confidence_level=0.95, method="exact")
    assert (cp["low"], cp["high"]) == pytest.approx((ref.low, ref.high), abs=1e-9)
    jeffreys = intervals[("jeffreys posterior", 0.9)]
    assert (jeffreys["low"], jeffreys["high"]) == pytest.approx(
        tuple(stats.beta(61.5, 139.5).ppf([0.05, 0.95])), abs=1e-9
    )


def _suite(name: str) -> tuple:
    return (plan.NotebookSpec(name, FIXTURES / f"{name}.ipynb"),)


@pytest.mark.parametrize(("fixture", "reason"), [("failing", "deliberate failure"),
                                                  ("silent", "recorded no results")])
def test_failed_run_keeps_latest_and_the_evidence(tmp_path, baseline_run, fixture, reason):
    root = tmp_path / "reports"
    root.mkdir()
    good = root / baseline_run.name
    good.mkdir()
    (good / "briefing.html").write_bytes((baseline_run / "briefing.html").read_bytes())
    os.symlink(good.name, root / "latest")
    before = (root / "latest" / "briefing.html").read_bytes()

    outcome = runner.run_suite(validate(QUICK), root, suite=_suite(fixture))

    assert outcome.exit_code == errors.EXIT_FAILED
    assert reason in outcome.message
    assert os.readlink(root / "latest") == good.name
    assert (root / "latest" / "briefing.html").read_bytes() == before
    manifest = json.loads((outcome.run_dir / "manifest.json").read_text())
    assert manifest["status"] == "failed" and reason in manifest["error"]
    assert (outcome.run_dir / f"{fixture}.ipynb").is_file()
    assert not (outcome.run_dir / "briefing.html").exists()


def test_failed_notebook_exits_1_from_cli(tmp_path, monkeypatch):
    monkeypatch.setattr(plan, "SUITE", _suite("failing"))
    from estimates import cli

    code = cli.main(["run", "--out", str(tmp_path / "r"), "-p", "n_samples", "1000"])
    assert code == errors.EXIT_FAILED
    assert not (tmp_path / "r" / "latest").exists()


def test_missing_notebook_is_invalid_input(tmp_path):
    suite = (plan.NotebookSpec("ghost", tmp_path / "ghost.ipynb"),)
    with pytest.raises(errors.InputError, match="notebook 'ghost' not found"):
        runner.run_suite(validate(QUICK), tmp_path / "reports", suite=suite)
    assert not (tmp_path / "reports").exists()


def test_the_runner_keeps_jsonschemas_iri_grammar_out_and_notebooks_still_validate():
    # rfc3987-syntax compiles a grammar when jsonschema imports it (about a second of every run);
    # the runner keeps it out, and nbformat still reads and validates the suite's notebooks.
    import subprocess
    import sys

    code = ("import sys, estimates.run.execute, nbformat\n"
            "from estimates.run import plan\n"
            "for spec in plan.SUITE:\n"
            "    nbformat.validate(nbformat.read(spec.path, as_version=4))\n"
            "print(sys.modules.get('rfc3987_syntax', 'absent'))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "None"
