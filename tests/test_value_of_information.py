"""Value of information: the expected change in a judgment's probability if a claim were settled."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from estimates.core.value_of_information import (
    collection_priorities,
    conditionals,
    from_counts,
)
from estimates.track.priorities import list_priorities
from tests.conftest import run_cli
from tests.strategies import seeds


def test_a_hand_worked_example():
    # Ten draws. The claim is true in draws 0-3 (P(T) = 0.4); the event happens in draws 0, 1, 2
    # and 5, 6 (P(E) = 0.5). P(E|T) = 3/4, P(E|not T) = 2/6 = 1/3; expected change
    # 0.4 x |0.75 - 0.5| + 0.6 x |1/3 - 0.5| = 0.1 + 0.1 = 0.2.
    truth = np.zeros(10, dtype=bool)
    truth[:4] = True
    event = np.zeros(10, dtype=bool)
    event[[0, 1, 2, 5, 6]] = True
    found = collection_priorities(truth, event, ["c"])
    value = found.claims[0]
    assert found.probability == 0.5 and found.n_samples == 10
    assert (value.p_true, value.p_if_confirmed) == (0.4, 0.75)
    assert value.p_if_refuted == pytest.approx(1 / 3)
    assert value.expected_change == pytest.approx(0.2)


def test_against_pandas_group_means():
    rng = np.random.default_rng(20220411)
    n, k = 5000, 6
    truth = rng.random((n, k)) < rng.uniform(0.05, 0.95, size=k)
    # The event leans on claims 0 and 3, not on the others.
    event = rng.random(n) < 0.2 + 0.5 * truth[:, 0] + 0.2 * truth[:, 3]
    ids = [f"claim-{i}" for i in range(k)]
    found = {c.claim_id: c for c in collection_priorities(truth, event, ids).claims}
    frame = pd.DataFrame(truth, columns=ids).assign(event=event)
    p_event = frame["event"].mean()
    for claim in ids:
        means = frame.groupby(claim)["event"].mean()
        share = frame[claim].mean()
        expected = share * abs(means[True] - p_event) + (1 - share) * abs(means[False] - p_event)
        assert found[claim].p_true == pytest.approx(share)
        assert found[claim].p_if_confirmed == pytest.approx(means[True])
        assert found[claim].p_if_refuted == pytest.approx(means[False])
        assert found[claim].expected_change == pytest.approx(expected)


def test_claims_are_ranked_by_expected_change_and_settled_ones_left_out():
    rng = np.random.default_rng(7)
    n = 4000
    strong, weak = rng.random(n) < 0.5, rng.random(n) < 0.5
    event = np.where(rng.random(n) < 0.8, strong, weak)
    truth = np.column_stack([weak, np.ones(n, dtype=bool), strong, np.zeros(n, dtype=bool)])
    found = collection_priorities(truth, event, ["weak", "always", "strong", "never"])
    assert [c.claim_id for c in found.claims] == ["strong", "weak"]
    assert found.settled == ("always", "never")
    assert [c.claim_id for c in found.top(1)] == ["strong"]
    assert list(found.summary().index) == ["strong", "weak"]
    assert found.to_dict()["settled"] == ["always", "never"]
    assert "strong" in found._repr_html_() and "%" in found._repr_html_()


def test_ties_keep_the_claims_order():
    truth = np.array([[True, True], [False, False]])
    found = collection_priorities(truth, np.array([True, False]), ["second-listed", "first-listed"])
    assert [c.claim_id for c in found.claims] == ["second-listed", "first-listed"]


def test_the_conditionals_are_nan_where_a_side_has_no_draws():
    if_true, if_false = conditionals([0, 3, 2], [0, 2, 1], 2, 3)
    assert np.isnan(if_true[0]) and if_false[0] == pytest.approx(2 / 3)
    assert if_true[1] == pytest.approx(2 / 3) and np.isnan(if_false[1])
    assert (if_true[2], if_false[2]) == (0.5, 1.0)


@st.composite
def draws(draw):
    """Per-draw truth of a few claims and an event, with some dependence between them."""
    n = draw(st.integers(min_value=1, max_value=60))
    k = draw(st.integers(min_value=1, max_value=4))
    truth = np.array(draw(st.lists(st.booleans(), min_size=n * k, max_size=n * k)), dtype=bool).reshape(n, k)
    event = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    return truth, event


@given(draws())
@example((np.array([[True], [False]]), np.array([True, False])))  # the claim decides the event
def test_total_probability_and_the_bounds(found):
    truth, event = found
    result = collection_priorities(truth, event, [f"c{i}" for i in range(truth.shape[1])])
    p = event.mean()
    for c in result.claims:
        assert 0 < c.p_true < 1
        # The law of total probability, and the closed form 2 P(T) P(not T) |P(E|T) - P(E|not T)|.
        assert c.p_true * c.p_if_confirmed + (1 - c.p_true) * c.p_if_refuted == pytest.approx(p, abs=1e-12)
        assert c.expected_change == pytest.approx(
            2 * c.p_true * (1 - c.p_true) * abs(c.p_if_confirmed - c.p_if_refuted), abs=1e-12)
        assert 0 <= c.expected_change <= max(p, 1 - p) + 1e-12
        assert c.expected_change <= 2 * p * (1 - p) + 1e-12
    assert len(result.claims) + len(result.settled) == truth.shape[1]
    changes = [c.expected_change for c in result.claims]
    assert changes == sorted(changes, reverse=True)


@settings(max_examples=50)
@given(st.integers(min_value=1, max_value=12), st.integers(min_value=1, max_value=12),
       st.integers(min_value=0, max_value=12), st.integers(min_value=0, max_value=12))
def test_no_change_when_the_event_is_independent_of_the_claim_by_construction(a, b, events_true, events_false):
    # Product data: every claim value meets every event value in proportion, so P(E|T) = P(E|not T)
    # exactly: `a` draws with the claim true and `b` false, each set crossed with the same events.
    block = np.array([True] * events_true + [False] * events_false or [False])
    event = np.concatenate([np.tile(block, a), np.tile(block, b)])
    truth = np.concatenate([np.ones(a * block.size, dtype=bool), np.zeros(b * block.size, dtype=bool)])
    value = collection_priorities(truth, event, ["c"]).claims[0]
    assert value.p_if_confirmed == pytest.approx(value.p_if_refuted)
    assert value.expected_change == pytest.approx(0.0, abs=1e-12)


@settings(max_examples=30)
@given(seeds)
def test_counts_and_draws_agree(seed):
    rng = np.random.default_rng(seed)
    truth = rng.random((200, 3)) < 0.4
    event = rng.random(200) < np.where(truth[:, 1], 0.7, 0.3)
    from_draws = collection_priorities(truth, event, ["a", "b", "c"])
    counted = from_counts(["a", "b", "c"], truth.sum(axis=0), (truth & event[:, None]).sum(axis=0),
                          int(event.sum()), 200)
    assert counted == from_draws


@pytest.mark.parametrize(("call", "message"), [
    (lambda: collection_priorities(np.array([[1, 0]]), np.array([True]), ["a", "b"]), "truth: a boolean array"),
    (lambda: collection_priorities(np.array([[True]]), np.array([1]), ["a"]), "event: a boolean array"),
    (lambda: collection_priorities(np.array([[True]]), np.array([True, False]), ["a"]), "event: one value per draw"),
    (lambda: collection_priorities(np.array([[True, False]]), np.array([True]), ["a"]), "claim_ids: one per claim"),
    (lambda: collection_priorities(np.array([[True, False]]), np.array([True]), ["a", "a"]), "claim_ids: each claim once"),
    (lambda: from_counts(["a"], [0], [0], 0, 0), "n: at least one draw"),
    (lambda: from_counts(["a"], [1], [0], 5, 4), "events: between 0 and n"),
    (lambda: from_counts(["a"], [5], [0], 0, 4), "true: each count between 0 and n"),
    (lambda: from_counts(["a"], [1], [2], 2, 4), "joint: each count at most"),
    (lambda: from_counts(["a"], [1], [0], 4, 4), "joint: each count at most"),
])
def test_each_rule_has_its_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- the resupply model's priorities, in the session's baseline run (quick profile) -----------------


def test_the_resupply_priorities_reproduce_each_judgment_by_total_probability(baseline_results):
    section = baseline_results["resupply"]
    priorities = section["collection_priorities"]
    truth = {row["claim_id"]: row["probability_true"] for row in section["claim_truth"]}
    assert set(priorities) == {j["id"] for j in section["judgments"]}
    for judgment in section["judgments"]:
        p = judgment["probability"]["probability"]
        ranked = priorities[judgment["id"]]
        assert ranked, judgment["id"]
        # Every transfer claim with a chance strictly between 0 and 1 is ranked, drawn about as
        # often as its grade says (4,000 draws: within 4 standard errors).
        assert {c["claim_id"] for c in ranked} == {k for k, v in truth.items() if 0 < v < 1}
        for c in ranked:
            assert c["p_true"] * c["p_if_confirmed"] + (1 - c["p_true"]) * c["p_if_refuted"] == pytest.approx(p, abs=1e-12)
            se = (truth[c["claim_id"]] * (1 - truth[c["claim_id"]]) / 4000) ** 0.5
            assert c["p_true"] == pytest.approx(truth[c["claim_id"]], abs=4 * se)
        changes = [c["expected_change"] for c in ranked]
        assert changes == sorted(changes, reverse=True)
    # The air-defence judgment is about the two air-defence claims: one of them comes first, and
    # confirming it makes the event certain (each claim alone brings a battery).
    first = priorities["resupply-air-defence"][0]
    assert first["claim_id"] in {"s300-returned", "bavar373-donated"} and first["p_if_confirmed"] == 1.0
    assert priorities["resupply-replacement"][0]["claim_id"] == "rpg-atgm-shalamcheh-2022-03-26"


def test_the_briefing_annex_shows_the_priorities_and_says_which_models_have_none(baseline_run, baseline_results):
    html = (baseline_run / "briefing.html").read_text()
    annex = re.search(r'<section class="annex" id="annex-priorities">.*?</section>', html, re.S).group(0)
    top = baseline_results["resupply"]["collection_priorities"]["resupply-replacement"][0]
    assert f'<a href="#claim-{top["claim_id"]}">' in annex
    assert f"{100 * top['p_if_confirmed']:.0f}%" in annex
    for model in baseline_results:
        if model in ("resupply", "case", "schema_version"):
            continue
        block = re.search(rf'<div class="priorities" id="priorities-{model}">.*?</div>', annex, re.S).group(0)
        assert "draws no claim true or false per draw" in block, model
    assert "likely" not in annex.lower()


def test_judgments_voi_prints_the_newest_runs_priorities(baseline_root, baseline_results):
    done = run_cli("judgments", "--out", str(baseline_root), "--voi")
    assert done.returncode == 0, done.stderr
    top = baseline_results["resupply"]["collection_priorities"]["resupply-air-defence"][0]
    assert f"1. {top['claim_id']}: chance it is true {100 * top['p_true']:.0f}%" in done.stdout
    assert "resupply-replacement" in done.stdout
    assert "pooling: draws no claim true or false per draw, so it has no collection priorities" in done.stdout
    as_json = run_cli("judgments", "--out", str(baseline_root), "--voi", "--format", "json")
    records = json.loads(as_json.stdout)
    ranked = [r for r in records if r["judgment_id"] == "resupply-air-defence"]
    assert [r["rank"] for r in ranked] == [1, 2, 3]
    assert ranked[0]["expected_change"] == top["expected_change"]
    assert {r["model"] for r in records if r["note"]} == set(baseline_results) - {"resupply", "case", "schema_version"}


def test_the_newest_published_run_of_each_case_is_read(baseline_run, tmp_path):
    # Two copies of the baseline run: the newer one's top priority is altered, so only it can show.
    for name, started in (("old", "2022-04-11T00:00:00Z"), ("new", "2022-04-12T00:00:00Z")):
        copy = tmp_path / name
        shutil.copytree(baseline_run, copy)
        manifest = json.loads((copy / "manifest.json").read_text())
        (copy / "manifest.json").write_text(json.dumps({**manifest, "started_utc": started, "run_id": name}))
        results = json.loads((copy / "results.json").read_text())
        results["resupply"]["collection_priorities"]["resupply-air-defence"][0]["p_true"] = 0.123 if name == "new" else 0.456
        (copy / "results.json").write_text(json.dumps(results))
    shown = list_priorities(tmp_path)
    assert "run new" in shown and "run old" not in shown and "chance it is true 12%" in shown
    elsewhere = list_priorities(tmp_path, case=tmp_path)
    assert elsewhere == f"no published run under {tmp_path}\n"
