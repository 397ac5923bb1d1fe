"""What changed, properly: data changes as rows, sequential attribution, "why it moved" (issue 14)."""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from estimates.parameters.schema import validate
from estimates.report import diff
from estimates.report.changes import PRINTED
from estimates.report.row_changes import id_column, table_rows
from estimates.run.scaffold import new_case

from .conftest import QUICK, quick_flags, run_cli

# --- rows of a data table ---------------------------------------------------------------------------


def test_rows_are_matched_by_id_and_changed_fields_named():
    old = "observation_id,count_low,reading\na,29,first\nb,37,second\nc,1,third\n"
    new = "observation_id,count_low,reading\nb,38,second\na,29,first\nd,5,fourth\n"
    found = table_rows(old, new)
    assert found.id_column == "observation_id"
    assert [(r.id, r.status, r.fields) for r in found.rows] == [
        ("b", "changed", (("count_low", "37", "38"),)), ("d", "added", ()), ("c", "removed", ())]
    # Moving a row is no change.
    assert table_rows(old, old.replace("a,29,first\nb,37,second", "b,37,second\na,29,first")).rows == ()


def test_the_id_column_is_the_first_unique_one_named_id():
    def header_rows(text):
        lines = text.splitlines()
        header = lines[0].split(",")
        return header, [dict(zip(header, line.split(","))) for line in lines[1:]]

    transfers = header_rows("consignment_id,claim_id\nrpg,c1\natgm,c1\n")
    assert id_column(*transfers, *transfers) == "consignment_id"
    # The first *_id column repeats itself: the next one that names each row.
    claims = header_rows("group_id,claim_id,quantity\ng,x,1\ng,y,2\n")
    assert id_column(*claims, *claims) == "claim_id"
    # No *_id column: the first column, when it names each row (CDB90's isqno).
    battles = header_rows("isqno,name\n1,Nieuport\n2,Breitenfeld\n")
    assert id_column(*battles, *battles) == "isqno"
    # An id must name every row in both versions: one blank id and the table has none.
    blank = header_rows("row_id,v\nr1,1\n,2\n")
    assert id_column(*battles, *blank) is None


def test_a_table_without_an_id_is_compared_by_content():
    old = "scale,grade,probability\nreliability,A,0.95\nreliability,B,0.80\n"
    new = "scale,grade,probability\nreliability,A,0.95\nreliability,B,0.85\n"
    found = table_rows(old, new)
    assert found.id_column is None
    assert [(r.id, r.status) for r in found.rows] == [("reliability / B", "added"), ("reliability / B", "removed")]


def test_what_is_not_a_table_has_no_rows():
    assert table_rows("", "a_id\nx\n") is None


def test_summary_names_a_single_row_and_counts_many():
    one = table_rows("claim_id,q\na,1\n", "claim_id,q\na,1\nukmod-quarter,2\n")
    assert one.summary("data/claims.csv") == "row `ukmod-quarter` added to data/claims.csv"
    many = table_rows("claim_id,q\na,1\nb,2\n", "claim_id,q\na,3\nc,1\nd,1\n")
    assert many.summary("f.csv") == "2 rows added (`c`, `d`), 1 removed (`b`) and 1 changed (`a`) in f.csv"


tables = st.dictionaries(st.from_regex(r"[a-z]{1,4}", fullmatch=True), st.integers(0, 3), max_size=8)


@given(tables, tables)
def test_row_diff_is_the_difference_of_the_id_sets(old, new):
    def text(rows):
        return "item_id,value\n" + "".join(f"{k},{v}\n" for k, v in rows.items())

    found = table_rows(text(old), text(new))
    if found.id_column is None:  # an empty version: no id column can be told apart
        assert not old or not new
        return
    assert set(found.ids("added")) == new.keys() - old.keys()
    assert set(found.ids("removed")) == old.keys() - new.keys()
    assert set(found.ids("changed")) == {k for k in old.keys() & new.keys() if old[k] != new[k]}


# --- sequential attribution, on hand-made runs with a recomputation made up for the test -------------

def _rows(path: Path) -> int:
    return len(Path(path).read_text().splitlines()) - 1


def _made_up(params):
    """A judgment whose probability multiplies the two tables' row counts, so that the order in which
    they are put back matters: 0.02 * statements * transfers + 0.01 * (units_ineffective - 29)."""
    statements, transfers = _rows(params.path("statements_path")), _rows(params.path("transfers_path"))
    probability = 0.02 * statements * transfers + 0.01 * (params.units_ineffective - 29)
    return [SimpleNamespace(id="made-up", probability=SimpleNamespace(probability=probability))]


RECOMPUTE = {"attrition": _made_up}


def _hand_made_run(root: Path, name: str, case: Path, **values) -> diff.Run:
    """A run record of ``case`` as its files are now: their copies kept, the made-up judgment recorded."""
    params = validate({**QUICK, "case": str(case), **values})
    files = [case / "btg_statements.csv", case / "transfers.csv", case / "btg_holdings.csv"]
    data_files = {str(f): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
    path = root / name
    path.mkdir(parents=True)
    [judgment] = _made_up(params)
    recorded = {"id": judgment.id, "statement": "a made-up judgment",
                "probability": {"probability": judgment.probability.probability, "standard_error": 0.002}}
    manifest = {"run_id": name, "status": "succeeded", "started_utc": "", "package": {"source_sha256": "same"},
                "parameters": params.model_dump(mode="json"), "data_files": data_files,
                diff.KEPT: diff.keep_inputs(path, data_files)}
    results = {"schema_version": 2, "attrition": {"judgments": [recorded], "data_files": data_files}}
    return diff.Run(path, manifest, results)


def _append(path: Path, *lines: str) -> None:
    path.write_text(path.read_text() + "".join(f"{line}\n" for line in lines))


@pytest.fixture(scope="module")
def hand_made(tmp_path_factory):
    root = tmp_path_factory.mktemp("hand-made")
    case = new_case(root / "case")
    # Bundled case: 3 statements, 5 consignments: 0.02 * 3 * 5 = 0.30.
    assert (_rows(case / "btg_statements.csv"), _rows(case / "transfers.csv")) == (3, 5)
    old = _hand_made_run(root / "runs", "old", case)
    _append(case / "btg_statements.csv", "new-a,bbc-btg-ineffective,2022-04-09,,40,41,,,one",
            "new-b,bbc-btg-ineffective,2022-04-10,,42,43,,,two")
    _append(case / "transfers.csv", "new-c,rpg-atgm-shalamcheh-2022-03-26,anti_armour,,rpg_launchers,0.02,0.08,"
            "2022-03-27,another")
    # A file the judgment does not read, with one field changed: it must not be credited.
    holdings = case / "btg_holdings.csv"
    holdings.write_text(holdings.read_text().replace("armour,tanks,btg,tank,8,13", "armour,tanks,btg,tank,9,13"))
    new = _hand_made_run(root / "runs", "new", case, units_ineffective=31)
    return diff.compare(old, new, recompute=RECOMPUTE)


def test_credits_follow_the_stated_order_and_add_up_to_the_move(hand_made):
    [move] = hand_made.judgments
    # 0.30 -> 0.02 * 5 * 6 + 0.02 = 0.62. Put back in turn: units_ineffective (-> 0.60, credit 0.02),
    # the statements (-> 0.02 * 3 * 6 = 0.36, credit 0.24), the transfers (-> 0.30, credit 0.06).
    assert move.delta == pytest.approx(0.32)
    assert [(c.kind, round(c.effect, 12)) for c in move.causes] == [("parameter", 0.02), ("data", 0.24), ("data", 0.06)]
    assert sum(c.effect for c in move.causes) == pytest.approx(move.delta, abs=1e-12)
    assert list(hand_made.order) == [diff.label("units_ineffective"), "case/btg_holdings.csv", "case/btg_statements.csv",
                                     "case/transfers.csv"]


def test_two_changed_files_are_not_both_credited_the_same_move(hand_made):
    [move] = hand_made.judgments
    statements, transfers = [c.effect for c in move.causes if c.kind == "data"]
    # Either file put back alone would take 0.24 and 0.10 (0.62 - 0.52): together 0.34, more than
    # the 0.30 the two account for. Sequentially the transfers get only what is left.
    assert statements + transfers == pytest.approx(0.30)
    assert statements != pytest.approx(transfers)


def test_an_input_that_moved_nothing_is_not_credited(hand_made):
    [move] = hand_made.judgments
    assert not any("btg_holdings" in c.name for c in move.causes)
    [holdings] = [i for i in hand_made.inputs if i.name.endswith("btg_holdings.csv")]
    [row] = holdings.rows.rows
    assert (row.id, row.status, row.fields) == ("armour", "changed", (("per_unit_low", "8", "9"),))


def test_data_causes_name_their_rows(hand_made):
    [move] = hand_made.judgments
    assert [c.text for c in move.causes if c.kind == "data"] == [
        "2 rows added (`new-a`, `new-b`) in case/btg_statements.csv", "row `new-c` added to case/transfers.csv"]


def test_why_it_moved_says_the_band_and_each_cause_once(hand_made):
    line = hand_made.why_moved("made-up")
    assert line == ("Up from unlikely (30%) to likely (62%): 2 rows added (`new-a`, `new-b`) in "
                    f"case/btg_statements.csv (+24.0 points); row `new-c` added to case/transfers.csv (+6.0 points); "
                    f"{diff.label('units_ineffective')} 29 -> 31 (+2.0 points).")
    assert "reported" not in line
    assert hand_made.why_moved("no-such-judgment") is None
    # A different printed scale words the same bands its own way.
    assert hand_made.why_moved("made-up", term=lambda p: f"<{p:.2f}>").startswith("Up from <0.30> (30%) to <0.62>")


def test_a_file_no_copy_was_kept_of_goes_to_the_remainder(hand_made, tmp_path):
    # The same two runs, the earlier one without its copies (as a run by an older version).
    root = tmp_path / "runs"
    case = new_case(tmp_path / "case")
    old = _hand_made_run(root, "old", case)
    _append(case / "btg_statements.csv", "new-a,bbc-btg-ineffective,2022-04-09,,40,41,,,one")
    new = _hand_made_run(root, "new", case)
    old = diff.Run(old.path, {**old.manifest, diff.KEPT: {}}, old.results)
    [move] = diff.compare(old, new, recompute=RECOMPUTE).judgments
    [cause] = move.causes
    assert cause.kind == "remainder" and cause.effect == pytest.approx(move.delta) == pytest.approx(0.1)
    assert cause.name == "inputs that could not be put back (case/btg_statements.csv) or Monte Carlo noise"


# --- two real runs of a copied case ------------------------------------------------------------------

ADDED = "added-60-of-125"


def test_a_statement_row_added_to_the_case_is_named_and_counted_once(tmp_path):
    case, root = tmp_path / "case", tmp_path / "reports"
    assert run_cli("case", "new", str(case)).returncode == 0
    first = run_cli("run", "--case", str(case), "--out", str(root), *quick_flags())
    assert first.returncode == 0, first.stderr
    first_run = (root / "latest").resolve()
    _append(case / "btg_statements.csv",
            f'{ADDED},bbc-btg-ineffective,2022-04-10,,60,62,,,"A count made up for the test: 60 to 62 on 10 April."')
    second = run_cli("run", "--case", str(case), "--out", str(root), *quick_flags())
    assert second.returncode == 0, second.stderr
    run_dir = (root / "latest").resolve()
    compared = json.loads((run_dir / "manifest.json").read_text())["compared_with"]
    assert compared["run_id"] == first_run.name and compared["chosen"] == diff.DEFAULT_CHOICE
    [statements] = [i for i in compared["inputs"] if i["kind"] == "data"]
    assert statements["label"] == "case/btg_statements.csv"
    assert statements["rows"]["rows"] == [{"id": ADDED, "status": "added", "fields": []}]
    moved = [j for j in compared["judgments"] if j["status"] == "moved"]
    assert moved
    for judgment in moved:
        names = [c["name"] for c in judgment["causes"]]
        assert len(names) == len(set(names)), judgment["id"]  # each cause once
        # Credits add up to the move: each cause shown is at least PRINTED, the rest below it.
        assert sum(c["effect"] for c in judgment["causes"]) == pytest.approx(judgment["delta"], abs=2 * PRINTED)
    # A count of 60 on day 46 moves the attrition judgments, and the row is what moved them.
    by_row = [j for j in moved if any(c["kind"] == "data" and c["name"].endswith("btg_statements.csv")
                                      for c in j["causes"])]
    assert {j["id"] for j in by_row} >= {"attrition-threshold"}
    page = (run_dir / "briefing.html").read_text()
    section = page[page.index('<section id="what-changed">'):]
    section = section[: section.index("</section>")]
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", section)).split())
    assert f"Added: {ADDED}" in text
    assert f"row {ADDED} added to case/btg_statements.csv" in text
    for judgment in moved:
        if judgment["term_changed"]:
            assert f'id="why-{judgment["id"]}"' in section
