"""Confidence from source lineage: ledgers built to break a rule that counts originator strings."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estimates.core import confidence
from estimates.core.wording import SCALE
from estimates.inputs.claims import load_ledger
from estimates.paths import CLAIMS_LEDGER

TERMS = [band.term for band in SCALE] + [band.synonym for band in SCALE]
HOLDS = {"holds": True, "changed_by": [], "parameters": ["n"], "probability_range": [0.2, 0.3]}


def row(claim_id, originator, originator_id, line, outlet="The Guardian", grade="B2"):
    """A results.json source row as Ledger.source_rows writes it."""
    return {"claim_id": claim_id, "reliability": grade[0], "credibility": grade[1:], "originator": originator,
            "originator_id": originator_id, "outlet": outlet, "outlet_id": outlet.lower().replace(" ", "-"),
            "evidence_line": line}


def rated(rows, evidence=None, question=(), sensitivity=HOLDS):
    sources = {r["claim_id"]: r for r in rows}
    judgment = {"id": "j", "claim_ids": list(sources if evidence is None else evidence),
                "question_claim_ids": list(question)}
    if sensitivity is not None:
        judgment["sensitivity"] = sensitivity
    return confidence.rate(judgment, sources)


# --- the adversarial ledgers of issue 13 -----------------------------------------------------------

def test_plural_and_singular_names_of_one_originator_are_one_line():
    # Two briefings, so only the originator id joins them; the string rule counted two originators.
    result = rated([row("a", "Western officials (unnamed)", "western-officials", "briefing-04-06"),
                    row("b", "Western official (unnamed)", "western-officials", "briefing-04-11", outlet="BBC")])
    assert [line.claim_ids for line in result.lines] == [("a", "b")]
    assert result.evidence_level == "moderate"
    assert "a and b count as one line: they share one originator (western-officials)." in result.statement


def test_one_article_carrying_several_anonymous_sources_is_one_line():
    # Three anonymous sources of one militia network in one article: three originator ids, one line.
    rows = [row(c, f"Source {c} (anonymous)", f"source-{c}", "network-article-04-11") for c in "abc"]
    result = rated(rows)
    assert len(result.lines) == 1 and result.evidence_level == "moderate"
    assert "one briefing, network or article (network-article-04-11)" in result.statement
    # The same three with their own lines are three lines, and high.
    independent = rated([row(c, f"Source {c}", f"source-{c}", f"line-{c}") for c in "abc"])
    assert len(independent.lines) == 3 and independent.evidence_level == "high"
    assert "three independent lines of evidence" in independent.statement


def test_a_claim_that_only_sets_the_question_does_not_lift_the_level():
    rows = [row("count", "Western officials", "western-officials", "briefing"),
            row("threshold", "US defence official", "us-dod", "dod-briefing")]
    cited = rated(rows, evidence=["count"], question=["threshold"])
    assert cited.evidence_level == "moderate" and len(cited.lines) == 1
    assert cited.question == ("threshold",)
    assert "It also cites threshold, which only sets what is asked and is not counted as evidence." in cited.statement
    # Counted as evidence, the same claim is a second line and lifts the level: the test can fail.
    assert rated(rows, evidence=["count", "threshold"]).evidence_level == "high"


def test_two_genuinely_independent_lines_are_high():
    result = rated([row("uk", "UK Defence Intelligence", "uk-di", "ukmod-update", outlet="UK MoD"),
                    row("us", "US official (unnamed)", "us-officials", "us-briefing", outlet="Reuters")])
    assert result.level == "high" and len(result.lines) == 2
    assert ("two independent lines of evidence: (1) UK Defence Intelligence, in UK MoD; "
            "(2) US official (unnamed), in Reuters.") in result.statement


def test_lines_join_transitively():
    # a-b share a briefing, b-c an originator: one line although a and c share nothing.
    result = rated([row("a", "X", "x", "briefing-1"), row("b", "Y", "y", "briefing-1"),
                    row("c", "Y", "y", "briefing-2"), row("d", "Z", "z", "briefing-3")])
    assert [line.claim_ids for line in result.lines] == [("a", "b", "c"), ("d",)]
    assert ("a, b and c count as one line: a and b share one briefing, network or article (briefing-1); "
            "b and c share one originator (y).") in result.statement


def test_an_evidence_line_id_never_joins_an_originator_id_of_the_same_spelling():
    # Ids live in two name spaces: a line called "x" is not the originator "x".
    result = rated([row("a", "X", "x", "l1"), row("b", "Y", "y", "x")])
    assert len(result.lines) == 2


def test_rows_without_ids_fall_back_to_the_originators_text():
    # A results.json from before the id columns: plural/singular, case and spacing name one originator.
    rows = [{"claim_id": "a", "reliability": "B", "credibility": "2", "originator": "Western officials (unnamed)"},
            {"claim_id": "b", "reliability": "B", "credibility": "2", "originator": " western  Official (Unnamed)"}]
    assert rated(rows).evidence_level == "moderate"
    rows[1]["originator"] = "US official (unnamed)"
    assert rated(rows).evidence_level == "high"


@pytest.mark.parametrize(("name", "key"), [
    ("Western officials (unnamed)", "western-official-unnamed"),
    ("Source within Hashd al-Shaabi (anonymous)", "source-within-hashd-al-shaabi-anonymou"),
    ("US officials", "us-official"),
    ("Yörük Işık, maritime affairs expert", "yörük-işık-maritime-affair-expert"),
])
def test_originator_key(name, key):
    assert confidence.originator_key(name) == key


@pytest.mark.parametrize("rows", [
    [row("a", "X", "x", "l1")],
    [row("a", "X", "x", "l1"), row("b", "Y (possibly the journalists' gloss)", "y", "l1")],
    [row("a", "X", "x", "l1"), row("b", "Y", "y", "l2", grade="F5")],
])
def test_statement_never_uses_a_likelihood_term(rows):
    result = rated(rows, question=["q"])
    for term in TERMS:
        assert not re.search(rf"\b{re.escape(term)}\b", result.statement, re.IGNORECASE), term


# --- the grouping against an independent reference ------------------------------------------------

def reference_lines(rows) -> list[set[str]]:
    """Merge claim sets that share an id until nothing changes: written without scipy."""
    groups = [({r["claim_id"]}, {("line", r["evidence_line"]), ("originator", r["originator_id"])}) for r in rows]
    merged = True
    while merged:
        merged = False
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                if groups[i][1] & groups[j][1]:
                    groups[i] = (groups[i][0] | groups[j][0], groups[i][1] | groups[j][1])
                    del groups[j]
                    merged = True
                    break
            if merged:
                break
    return [claims for claims, _ in groups]


@st.composite
def ledgers(draw):
    n = draw(st.integers(1, 10))
    originators = draw(st.lists(st.sampled_from("abcde"), min_size=n, max_size=n))
    lines = draw(st.lists(st.sampled_from("pqrst"), min_size=n, max_size=n))
    return [row(f"c{i}", o.upper(), o, ln) for i, (o, ln) in enumerate(zip(originators, lines))]


@settings(max_examples=100, deadline=None)
@given(ledgers(), st.randoms(use_true_random=False))
def test_lines_are_the_connected_components(rows, rnd):
    found = rated(rows).lines
    assert sorted(map(sorted, (set(line.claim_ids) for line in found))) == sorted(map(sorted, reference_lines(rows)))
    # Every claim is in exactly one line, and the order of the ledger does not change the partition.
    assert sorted(c for line in found for c in line.claim_ids) == sorted(r["claim_id"] for r in rows)
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    assert {frozenset(line.claim_ids) for line in rated(shuffled).lines} == {frozenset(line.claim_ids) for line in found}
    # High needs two lines: never more lines than originators or than evidence-line ids.
    assert len(found) <= min(len({r["originator_id"] for r in rows}), len({r["evidence_line"] for r in rows}))
    assert (rated(rows).evidence_level == "high") == (len(found) >= 2)


# --- the bundled ledger -------------------------------------------------------------------------------

LEDGER = load_ledger(CLAIMS_LEDGER)
ROWS = {r["claim_id"]: r for r in LEDGER.source_rows([c.claim_id for c in LEDGER.claims])}


def _ledger_level(claim_ids, question=()):
    return confidence.rate({"id": "j", "claim_ids": list(claim_ids), "question_claim_ids": list(question),
                            "sensitivity": HOLDS}, ROWS)


def test_the_western_btg_statements_are_one_line():
    # The Guardian's 29, CNN's European official and BBC's 37-38: one originator id, and the allied
    # governments' shared intelligence picture as one line.
    result = _ledger_level(["btg-ineffective-29", "cnn-btg-out-of-action", "bbc-btg-ineffective"])
    assert len(result.lines) == 1 and result.evidence_level == "moderate"
    assert "allied-intelligence-picture" in result.statement and "western-officials" in result.statement


def test_allied_governments_sharing_one_picture_are_one_line():
    # UK Defence Intelligence's "more than a quarter" and the Western officials' 29: different
    # originators, but the ledger reads allied governments sharing intelligence as correlated.
    result = _ledger_level(["btg-ineffective-29", "ukmod-quarter-ineffective"])
    assert len(result.lines) == 1 and result.evidence_level == "moderate"


def test_the_attrition_threshold_rests_on_one_briefing():
    # btg-ineffective-29 and btg-committed-125 come from one briefing: at most moderate.
    result = _ledger_level(["btg-ineffective-29", "btg-committed-125"])
    assert len(result.lines) == 1 and result.evidence_level == "moderate"
    # The US retained-power claim only sets the second judgment's threshold: it adds nothing.
    assert _ledger_level(["btg-ineffective-29", "btg-committed-125"],
                         question=["us-combat-power-retained-75"]).evidence_level == "moderate"


def test_the_transfer_claims_are_one_line():
    transfers = ["rpg-atgm-shalamcheh-2022-03-26", "astros-sajil60-to-iran-2022-04-01", "bavar373-donated",
                 "s300-returned"]
    result = _ledger_level(transfers)
    assert len(result.lines) == 1 and len(result.originators) == 3 and result.evidence_level == "low"
    assert ("count as one line: they share one briefing, network or article (hashd-network-guardian-2022-04-11); "
            "bavar373-donated and s300-returned share one originator (transport-organiser).") in result.statement
