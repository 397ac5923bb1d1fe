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
