"""Shared fixtures: one baseline run of the real suite for the whole session.

Tests use a quick Monte Carlo profile (``QUICK``); the CLI's full profile is what analysts run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

#: The quick profile: fewer draws, same model.
QUICK = {"n_samples": 4000}
ESTIMATES = str(Path(sys.executable).with_name("estimates"))


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([ESTIMATES, *args], capture_output=True, text=True, cwd=cwd, timeout=600)


def quick_flags(**overrides) -> list[str]:
    flags = []
    for name, value in {**QUICK, **overrides}.items():
        flags += ["-p", name, str(value)]
    return flags


@pytest.fixture(scope="session")
def baseline_root(tmp_path_factory) -> Path:
    """An output root holding one successful baseline run (quick profile)."""
    root = tmp_path_factory.mktemp("reports")
    done = run_cli("run", "--out", str(root), *quick_flags())
    assert done.returncode == 0, done.stderr
    return root


@pytest.fixture(scope="session")
def baseline_run(baseline_root) -> Path:
    return (baseline_root / "latest").resolve()


@pytest.fixture(scope="session")
def baseline_results(baseline_run) -> dict:
    return json.loads((baseline_run / "results.json").read_text())


@pytest.fixture(scope="session")
def larger_force_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """``estimates run -p units_committed 200 -p units_ineffective 61`` (quick profile), shared by the
    tests that need a run away from the seed's counts: the finished command and the run directory."""
    root = tmp_path_factory.mktemp("larger")
    done = run_cli("run", "--out", str(root), *quick_flags(units_committed=200, units_ineffective=61))
    assert done.returncode == 0, done.stderr
    return done, (root / "latest").resolve()


@pytest.fixture(scope="session")
def second_baseline_run(tmp_path_factory) -> Path:
    """The baseline parameters run once more with ``--force --jobs 1``, into another output root
    and from another working directory: every notebook executes again, one at a time. The
    determinism and ``--jobs`` tests compare it with :func:`baseline_run` byte for byte."""
    cwd = tmp_path_factory.mktemp("elsewhere")
    root = tmp_path_factory.mktemp("again")
    done = run_cli("run", "--out", str(root), "--force", "--jobs", "1", *quick_flags(), cwd=cwd)
    assert done.returncode == 0, done.stderr
    return (root / "latest").resolve()
