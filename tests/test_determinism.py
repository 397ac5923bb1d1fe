"""Determinism: the same parameters and seed give a byte-identical ``results.json``, run after run.

The session's baseline run is compared with one more run of the same parameters, made with
``--force`` (so every notebook really executes again, none is reused from a cache), into another
output root and from another working directory (``second_baseline_run`` in conftest.py, which the
``--jobs`` test shares: it also runs one notebook at a time). Timestamps and run ids live in the
manifest, never in ``results.json``.
"""

from __future__ import annotations

import json

import pytest


@pytest.fixture(scope="module")
def second_run(second_baseline_run):
    return second_baseline_run


def test_results_json_is_byte_identical_run_after_run(baseline_run, second_run):
    assert second_run.name != baseline_run.name
    first, second = (json.loads((d / "manifest.json").read_text()) for d in (baseline_run, second_run))
    assert first["parameters_sha256"] == second["parameters_sha256"]
    assert {e["status"] for e in second["notebooks"]} == {"succeeded"}  # executed, not reused
    assert (second_run / "results.json").read_bytes() == (baseline_run / "results.json").read_bytes()


def test_key_tables_are_byte_identical_too(baseline_run, second_run):
    tables = sorted(p.name for p in baseline_run.glob("*.csv"))
    assert tables and tables == sorted(p.name for p in second_run.glob("*.csv"))
    for name in tables:
        assert (second_run / name).read_bytes() == (baseline_run / name).read_bytes(), name


def test_results_json_holds_no_timestamp_or_run_id(baseline_run):
    manifest = json.loads((baseline_run / "manifest.json").read_text())
    text = (baseline_run / "results.json").read_text()
    for value in (manifest["run_id"], manifest["started_utc"], str(baseline_run)):
        assert value not in text, value
