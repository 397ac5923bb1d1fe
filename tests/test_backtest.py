"""Backtests: the bundled case at weekly cut-offs from 1 March to 15 May 2022, as the issue asks.

One real backtest (the quick profile) is shared by the file: its runs used only claims reported by
their cut-offs, later statements settle at least three of their judgments, the scores are those of
the stored probabilities, the figure is drawn, and a repeat re-uses every cut-off from the cache.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from estimates.paths import BUNDLED_CASE
from estimates.track.store import JudgmentStore

from .conftest import quick_flags, run_cli

WEEKLY = ("--from", "2022-03-01", "--to", "2022-05-15", "--every", "7d")


@pytest.fixture(scope="module")
def backtested(tmp_path_factory):
    root = tmp_path_factory.mktemp("backtest")
    done = run_cli("backtest", "--out", str(root), *WEEKLY, *quick_flags(), "--format", "json")
    assert done.returncode == 0, done.stderr
    return root, json.loads(done.stdout)


def test_weekly_cut_offs_from_march_to_mid_may(backtested):
    _, found = backtested
    assert [r["cut_off"] for r in found["runs"]] == ["2022-03-01", "2022-03-08", "2022-03-15", "2022-03-22",
                                                     "2022-03-29", "2022-04-05", "2022-04-12", "2022-04-19",
                                                     "2022-04-26", "2022-05-03", "2022-05-10"]


def test_no_run_used_a_claim_reported_after_its_cut_off(backtested):
    root, found = backtested
    ledger = pd.read_csv(BUNDLED_CASE / "claims.csv").set_index("claim_id")["report_date"]
    folder = Path(found["folder"])
    for run in found["runs"]:
        results = json.loads((folder / run["cut_off"] / "results.json").read_text())
        # Independently of the backtest's own check: every statement pooled, and every claim a
        # judgment rests on, from the ledger file itself.
        used = [c for s in results["pooling"]["statements"] for c in s["claim_ids"]]
        rests_on = [c for section in results.values() if isinstance(section, dict)
                    for j in section.get("judgments", []) for c in j["claim_ids"]]
        assert all(ledger[c] <= run["cut_off"] for c in used)
        if run["scenario"]:
            # Before 11 April the counts the parameters state were not yet reported: a scenario, never scored.
            assert run["later_claims_used"] > 0 and run["resolved"] == 0
            assert any(ledger[c] > run["cut_off"] for c in rests_on)
        else:
            assert run["later_claims_used"] == 0 and all(ledger[c] <= run["cut_off"] for c in rests_on)
    assert [r["scenario"] for r in found["runs"]] == [True] * 6 + [False] * 5


def test_later_statements_settle_at_least_three_judgments(backtested):
    root, found = backtested
    resolved = found["resolved"]
    assert len(resolved) >= 3
    statements = found["statements"]
    for row in resolved:
        assert statements[row["observation_id"]]["reported"] > row["cut_off"]  # a later statement
    # The outlook (more than 40% on 2 May) asked on 12, 19 and 26 April: UK MoD's "more than a quarter"
    # of 2 May, read as at most 35%, says it did not happen.
    outlook = [r for r in resolved if r["judgment_id"] == "pooling-outlook"]
    assert [r["cut_off"] for r in outlook] == ["2022-04-12", "2022-04-19", "2022-04-26"]
    assert not any(r["happened"] for r in outlook)


def test_the_scores_are_those_of_the_stored_probabilities(backtested):
    root, found = backtested
    stored = JudgmentStore(root).resolved()
    assert len(stored) == len(found["resolved"])
    outcomes = stored["happened"].astype(float)
    assert found["score"]["brier"] == pytest.approx(((stored["probability"] - outcomes) ** 2).mean(), rel=1e-12)
    done = run_cli("score", "--out", str(root), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["brier"] == pytest.approx(found["score"]["brier"], rel=1e-12)


def test_the_page_draws_the_probabilities_over_time(backtested):
    _, found = backtested
    folder = Path(found["folder"])
    png = (folder / "backtest.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    page = (folder / "backtest.html").read_text()
    assert 'src="backtest.png"' in page and "pooling-outlook" in page and "ukmod-more-than-quarter" in page


def test_a_repeat_reuses_every_cut_off_and_gives_the_same_judgments(backtested):
    root, found = backtested
    before = JudgmentStore(root).judgments()
    done = run_cli("backtest", "--out", str(root), *WEEKLY, *quick_flags(), "--format", "json")
    assert done.returncode == 0, done.stderr
    again = json.loads(done.stdout)
    assert again["reused"] == len(found["runs"])
    after = JudgmentStore(root).judgments()
    assert after[["run_id", "judgment_id", "probability"]].equals(before[["run_id", "judgment_id", "probability"]])


@pytest.mark.parametrize(("flags", "message"), [
    (("--from", "2022-03-01", "--to", "2022-05-15", "--every", "7x"), "--every: a number of days such as 7d"),
    (("--from", "2022-05-01", "--to", "2022-03-15"), "--to: on or after --from (2022-05-01); got '2022-03-15'"),
    (("--from", "1 March", "--to", "2022-03-15"), "--from: a date as YYYY-MM-DD; got '1 March'"),
    (("--from", "2022-03-01", "--to", "2022-03-15", "-p", "outlook_share", "2"), "outlook_share"),
])
def test_bad_options_get_one_line_and_exit_2(tmp_path, flags, message):
    done = run_cli("backtest", "--out", str(tmp_path / "r"), *flags)
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()  # refused before any work
