"""The package works installed as a wheel, not only from the checkout.

Templates and schema pieces live in the model folders; a wheel built without them would import and
then fail at the briefing. This builds the package non-editable into a fresh virtual environment
(its dependencies borrowed from the test environment through a ``.pth`` file, so nothing is
downloaded), then runs one notebook from the installed copy with plain papermill.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest

from estimates.report.record import read_records

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    venv = tmp_path_factory.mktemp("installed") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    wheels, source = venv.parent / "wheels", venv.parent / "source"
    # A copy of what the wheel is built from, so the build leaves nothing in the checkout.
    source.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md", "LICENSE"):
        shutil.copy(PROJECT / name, source / name)
    shutil.copytree(PROJECT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copytree(PROJECT / "data", source / "data")
    quiet = ["--quiet", "--no-deps", "--disable-pip-version-check"]
    # Built with the test environment's setuptools: nothing is downloaded.
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", *quiet, "--no-build-isolation", "-w", str(wheels),
                            str(source)], capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    [wheel] = wheels.glob("estimates-*.whl")
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", *quiet, str(wheel)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    # Dependencies from the test environment; its editable-install hook is in a .pth file there,
    # which a path added this way does not run, so `estimates` resolves to the installed copy.
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def run(python: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"ESTIMATES_PROJECT_DIR": str(PROJECT)}
    return subprocess.run([str(python), *args], capture_output=True, text=True, env=env, timeout=600, **kw)


def test_the_wheel_carries_every_template_and_schema_piece(installed):
    done = run(installed, "-c", "import estimates, json; from estimates.registry import MODELS; "
               "from estimates.report.results_schema import results_schema; "
               "print(json.dumps([estimates.__file__, sorted(results_schema()['properties']), "
               "[str(m.template) for m in MODELS.values()]]))")
    assert done.returncode == 0, done.stderr
    location, properties, templates = json.loads(done.stdout)
    assert "site-packages" in location and str(PROJECT / "src") not in location
    assert properties == sorted(["schema_version", "case", "attrition", "resupply", "pooling", "losses", "lanchester"])
    assert all(t != "None" and Path(t).is_file() and "site-packages" in t for t in templates)
    assert (Path(location).parent / "report" / "templates" / "briefing.html.j2").is_file()


def test_a_notebook_runs_from_the_installed_package(installed, tmp_path):
    output = tmp_path / "attrition.ipynb"
    done = run(installed, "-m", "papermill", str(PROJECT / "notebooks" / "attrition.ipynb"), str(output),
               "-p", "n_samples", "1000", "--no-progress-bar", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    section = read_records(nbformat.read(output, as_version=4))["attrition"]
    assert section["reported"] == {**section["reported"], "ineffective": 29, "committed": 125}


def test_the_wheel_carries_the_bundled_case(installed, tmp_path):
    # No checkout to fall back on: the case comes from the installed package itself.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ESTIMATES_PROJECT_DIR")}
    estimates = installed.parent / "estimates"
    done = subprocess.run([str(estimates), "case", "new", str(tmp_path / "mine")], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "mine" / "case.yaml").read_bytes() == (PROJECT / "data" / "case.yaml").read_bytes()
    check = subprocess.run([str(installed), "-c", "from estimates.paths import BUNDLED_CASE; "
                            "from estimates.parameters.files import resolve; "
                            "print(BUNDLED_CASE); print(resolve().path('claims_path').is_file())"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert check.returncode == 0, check.stderr
    location, found = check.stdout.split()
    assert "site-packages" in location and found == "True"
