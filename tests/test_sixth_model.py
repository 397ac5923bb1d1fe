"""A sixth model is one folder and one line: the suite validates, runs, records and briefs it.

The test copies the package into a temporary directory, writes a small model ("readiness": k of n
units ready, a Jeffreys Beta posterior) into its own folder there, with its parameters, schema
piece, template, figures and notebook, adds one line to the copied registry, and runs the
``estimates`` command against the copy. Nothing else in the copy is edited, and the test checks so.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from scipy import stats

FIXTURE = Path(__file__).parent / "fixtures" / "sixth_model"
PROJECT = Path(__file__).resolve().parents[1]
PACKAGE = PROJECT / "src" / "estimates"
REGISTRY_LINE = '    "estimates.models.lanchester",\n'

PARAMETERS_CELL = """seed: int = 20220406  # seed of the one generator
n_samples: int = 20000  # Monte Carlo draws
claims_path: str = 'data/claims.csv'  # claims ledger
readiness_ready: int = 7  # units reported ready
readiness_units: int = 10  # units inspected
readiness_threshold: float = 0.5  # share that counts as most"""

BODY_CELL = """from estimates.registry import MODELS

model = MODELS["readiness"]
p = model.validate(globals())
data = model.load(p)
result = model.assess(p, data, sensitivity=True)
result.summary()"""


def notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# Readiness of the reserve"),
                nbformat.v4.new_code_cell(PARAMETERS_CELL, metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(BODY_CELL),
                nbformat.v4.new_code_cell("recorded = model.record(p, data, result)")]
    return nb


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    """The package copied, with the readiness model added: its folder and one registry line."""
    root = tmp_path_factory.mktemp("sixth")
    package = root / "src" / "estimates"
    shutil.copytree(PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    folder = package / "models" / "readiness"
    folder.mkdir()
    for template in FIXTURE.glob("*.txt"):
        (folder / template.name.removesuffix(".txt")).write_text(template.read_text())
    nbformat.write(notebook(), folder / "readiness.ipynb")
    registry = package / "registry.py"
    text = registry.read_text()
    assert REGISTRY_LINE in text
    registry.write_text(text.replace(REGISTRY_LINE, REGISTRY_LINE + '    "estimates.models.readiness",\n'))
    return root


def estimates(copy: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(copy / "src"), "ESTIMATES_PROJECT_DIR": str(PROJECT)}
    return subprocess.run([sys.executable, "-m", "estimates.cli", *args], capture_output=True, text=True,
                          env=env, cwd=copy, timeout=900)


def test_only_the_model_folder_and_one_registry_line_were_added(copy):
    compared = filecmp.dircmp(PACKAGE, copy / "src" / "estimates", ignore=["__pycache__"])

    def differing(cmp, where=""):
        found = [f"{where}{name}" for name in cmp.diff_files + cmp.left_only]
        found += [f"{where}{name}/" for name in cmp.right_only]
        for name, sub in cmp.subdirs.items():
            found += differing(sub, f"{where}{name}/")
        return found

    assert sorted(differing(compared)) == ["models/readiness/", "registry.py"]
    added = set((copy / "src/estimates/registry.py").read_text().splitlines()) - set(
        (PACKAGE / "registry.py").read_text().splitlines())
    assert added == {'    "estimates.models.readiness",'}


def test_its_parameters_are_listed_and_validated(copy):
    listed = estimates(copy, "params")
    assert listed.returncode == 0, listed.stderr
    assert "readiness_threshold" in listed.stdout
    for args, named in ((["-p", "readiness_threshold", "1.5"], "readiness_threshold"),
                        (["-p", "readiness_ready", "11"], "readiness_ready"),
                        (["-p", "readiness_bogus", "1"], "readiness_bogus")):
        done = estimates(copy, "run", "--out", str(copy / "bad"), *args)
        assert done.returncode == 2, done.stderr
        assert named in done.stderr and len(done.stderr.strip().splitlines()) == 1
        assert not (copy / "bad").exists()


def test_the_suite_runs_records_and_briefs_it(copy):
    out = copy / "reports"
    done = estimates(copy, "run", "--out", str(out), "-p", "n_samples", "2000", "-p", "readiness_ready", "8")
    assert done.returncode == 0, done.stderr
    run = (out / "latest").resolve()
    results = json.loads((run / "results.json").read_text())
    section = results["readiness"]
    # Jeffreys posterior of 8 of 10: Beta(8.5, 2.5), mean 8.5 / 11.
    assert section["posterior_mean"] == pytest.approx(stats.beta(8.5, 2.5).mean(), rel=1e-12)
    [judgment] = section["judgments"]
    assert judgment["probability"]["probability"] == pytest.approx(stats.beta(8.5, 2.5).sf(0.5), abs=0.03)
    assert {row["name"] for row in section["parameters"]} >= {"readiness_ready", "readiness_units"}
    assert {"attrition", "resupply", "pooling", "losses", "lanchester"} <= set(results)
    html = (run / "briefing.html").read_text()
    assert "Readiness of the reserve" in html and 'class="readiness"' in html
    assert (run / "readiness_mean.png").is_file()
    assert "more than 50% of the reserve is ready" in html
