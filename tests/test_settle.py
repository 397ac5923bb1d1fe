"""Judgments a later statement settles: what a statement shows (Observable), which statement decides
(the first reported), the case's outcome rules, and scoring only runs that did not already know."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from estimates.core.observables import Observable
from estimates.errors import InputError
from estimates.inputs.case import load_case
from estimates.inputs.statements import Statement
from estimates.models.pooling.transitions import BinomialStep, still_in_range
from estimates.parameters.schema import ParameterError, with_case
from estimates.track.settle import case_statements, settlements, statement_settles
from estimates.track.store import MIGRATIONS, JudgmentStore

START = dt.date(2022, 2, 24)
ASKED = dt.date(2022, 5, 2)


@given(count=st.integers(0, 140), share=st.floats(0.0, 1.0), offset=st.integers(-20, 20),
       committed=st.tuples(st.integers(100, 130), st.integers(0, 10)))
def test_an_exact_count_settles_as_the_cumulative_count_says(count, share, offset, committed):
    low_n, spread = committed
    observable = Observable(ASKED, low_n, low_n + spread, share_above=share)
    day = ASKED + dt.timedelta(days=offset)
    statement = Statement.count("s", day, count, start=START)
    answer = statement_settles(observable, statement)
    # Independently: the count is above the limit for every force size, for none, or for some.
    above = [count > share * n for n in range(low_n, low_n + spread + 1)]
    if all(above) and offset <= 0:
        assert answer is True  # above by an earlier day: still above on the day asked
    elif not any(above) and offset >= 0:
        assert answer is False  # not above on a later day: was not above on the day asked
    else:
        assert answer is None


def test_a_count_that_may_fall_again_cannot_say_no_from_a_later_day():
    asked = Observable(ASKED, 125, 125, effective_below=62.5, may_fall=True)
    later_and_low = Statement.count("s", ASKED + dt.timedelta(days=3), 30, start=START)
    assert statement_settles(asked, later_and_low) is None
    assert statement_settles(Observable(ASKED, 125, 125, effective_below=62.5), later_and_low) is False
    # Fewer than 62.5 of 125 effective is more than 62.5 ineffective.
    assert statement_settles(asked, Statement.count("s", ASKED, 63, start=START)) is True


def test_a_share_bound_settles_only_what_it_bounds():
    # The bundled case's UK MoD reading: more than a quarter, at most 35%, on 2 May.
    quarter = Statement("q", ASKED, share_above=0.25, start=START, share_below=0.35)
    assert statement_settles(Observable(ASKED, 120, 130, share_above=0.4), quarter) is False
    assert statement_settles(Observable(ASKED, 120, 130, share_above=0.25), quarter) is True
    assert statement_settles(Observable(ASKED, 120, 130, share_above=1 / 3), quarter) is None


def test_an_observable_round_trips_and_refuses_two_limits():
    asked = Observable(ASKED, 120, 130, effective_below=62.5, may_fall=True)
    assert Observable.from_dict(json.loads(json.dumps(asked.to_dict()))) == asked
    with pytest.raises(ValueError, match="one of share_above and effective_below"):
        Observable(ASKED, 120, 130, share_above=0.3, effective_below=60)


def _asked(judgment_id: str, statement: str, observable: Observable, cut_off: str, run: str) -> dict:
    return {"run_id": run, "cut_off": cut_off, "judgment_id": judgment_id, "statement": statement,
            "observable": json.dumps(observable.to_dict())}


def test_the_first_reported_statement_decides_and_a_known_answer_is_not_a_question():
    case = load_case(None)
    statements, ledger = case_statements(case)
    forty = Observable(ASKED, 120, 130, share_above=0.4)
    quarter = Observable(dt.date(2022, 5, 3), 120, 130, share_above=0.25)
    judgments = pd.DataFrame([
        _asked("pooling-outlook", "more than 40% on 2 May", forty, "2022-04-12", "a"),
        _asked("pooling-outlook", "more than 40% on 2 May", forty, "2022-04-19", "b"),
        # BBC's 37-38 of 120-130 on 11 April already passed a quarter: known before either cut-off.
        _asked("pooling-outlook", "more than 25% on 3 May", quarter, "2022-04-12", "a"),
        _asked("pooling-outlook", "more than 25% on 3 May", quarter, "2022-04-19", "b"),
        # A judgment the case's outcomes do not name is never settled.
        _asked("attrition-rate-above-implied-loss", "x", forty, "2022-04-12", "a"),
    ])
    found = settlements(judgments, case, statements, ledger)
    assert [(s.statement, s.happened, s.observation_id, s.reported) for s in found] == [
        ("more than 40% on 2 May", False, "ukmod-more-than-quarter", "2022-05-02")]
    assert found[0].source_claim == "ukmod-quarter-ineffective" and found[0].on_date == "2022-05-02"


def test_a_case_naming_an_unknown_judgment_or_statement_is_refused(tmp_path):
    folder = tmp_path / "case"
    shutil.copytree(load_case(None).folder, folder, ignore=shutil.ignore_patterns("cdb90", "ukraine_losses"))
    text = (folder / "case.yaml").read_text()
    (folder / "case.yaml").write_text(text.replace("  pooling-outlook: [", "  pooling-tempo: ["))
    with pytest.raises(ParameterError, match=r"setting 'outcomes': 'pooling-tempo' is no judgment a statement can "
                                             r"settle; allowed: .*pooling-outlook"):
        with_case({"case": str(folder)})
    other = tmp_path / "other"
    shutil.copytree(folder, other)
    (other / "case.yaml").write_text(text.replace("  pooling-outlook: [six-weeks-29", "  pooling-outlook: [six-weeks"))
    with pytest.raises(InputError, match=r"setting 'outcomes.pooling-outlook': no statement 'six-weeks' in the "
                                         r"statements file; allowed: six-weeks-29, bbc-37-38"):
        settlements(pd.DataFrame(columns=["judgment_id", "statement", "observable", "cut_off"]),
                    load_case(other), *case_statements(load_case(other)))


def test_a_run_that_already_knew_the_outcome_is_not_scored(tmp_path):
    store = JudgmentStore(tmp_path)
    results = {"case": {"as_of": "2022-04-12"}, "pooling": {"judgments": [{
        "id": "pooling-outlook", "statement": "more than 40% on 2 May", "term": "unlikely",
        "probability": {"probability": 0.3, "standard_error": 0.01},
        "observable": Observable(ASKED, 120, 130, share_above=0.4).to_dict()}], "sources": []}}
    for run, cut_off in (("before", "2022-04-12"), ("after", "2022-05-02")):
        results["case"]["as_of"] = cut_off
        store.record(tmp_path / run, results, {"run_id": run, "parameters": {}, "started_utc": cut_off},
                     state="published")
    found = settlements(store.judgments(), load_case(None), *case_statements(load_case(None)))
    assert store.settle(found) == 1 and store.settle(found) == 0  # once; never over an earlier outcome
    resolved = store.resolved()
    assert list(resolved["run_id"]) == ["before"]  # the run at 2 May had the statement already
    assert list(store.judgments()["event_date"]) == ["2022-05-02", "2022-05-02"]


def test_an_older_store_is_migrated_with_its_rows(tmp_path):
    with sqlite3.connect(tmp_path / "judgments.sqlite") as db:
        for script in MIGRATIONS[:2]:
            db.executescript(script)
        db.execute("PRAGMA user_version = 2")
        db.execute("INSERT INTO outcomes VALUES ('j', 's', 1, '2022-05-02', 'c', 'now')")
    store = JudgmentStore(tmp_path)
    assert store.judgments().empty
    with sqlite3.connect(tmp_path / "judgments.sqlite") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert db.execute("SELECT judgment_id, reported FROM outcomes").fetchall() == [("j", None)]


def test_statements_that_cannot_all_hold_give_no_chance_rather_than_an_error():
    # Every earlier count ruled out under one dating: nothing is carried to the last statement.
    weight = np.zeros((0, 3, 2, 4))
    step = BinomialStep(np.full((3, 2, 1), 0.1))
    found = still_in_range(np.zeros(0, dtype=np.int64), weight, step, 5, 9, np.arange(120, 124)[None, None, :])
    assert found.shape == (3, 2, 4) and not found.any()


def test_a_late_cut_off_with_a_low_count_runs():
    # The bundled case at 3 May with 25 ineffective on 6 April (the low end of its plausible range)
    # once stopped the attrition model with an IndexError.
    from estimates.registry import MODELS

    params = with_case({"as_of": "2022-05-03", "units_ineffective": 25, "n_samples": 2000})
    judgments = MODELS["attrition"].key_judgments(params)
    assert {j.id for j in judgments} >= {"attrition-threshold"}


def test_an_outlook_date_before_the_last_statement_is_asked_as_that_statement_s_date():
    # 6 April + 1 day precedes BBC's 11 April count: the projection cannot start before it, so the
    # judgment (its words and what settles it) is about 11 April, and a note says so.
    from estimates.registry import MODELS

    section = MODELS["pooling"].compute_section(with_case({"n_samples": 2000, "outlook_days": 1}))
    outlook = next(j for j in section["judgments"] if j["id"] == "pooling-outlook")
    assert outlook["statement"].endswith("on 11 April 2022") and outlook["observable"]["date"] == "2022-04-11"
    assert any("the outlook date, 7 April 2022, precedes the last statement used" in n for n in section["notes"])
