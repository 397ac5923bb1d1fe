"""The bundled claims ledger, its ties to the seed and the parameter schema, and how bad ledgers fail.

Every bad ledger is built from the real one: its rows are read with the csv module, one thing is
changed, and the result is written to ``tmp_path``. So each case differs from a valid ledger in
exactly the way its name says, and the catalogue keeps working when rows are added to the ledger.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from estimates.inputs.claims import COLUMNS, CREDIBILITY, RELIABILITY, load_ledger
from estimates.inputs.files import LedgerError
from estimates.parameters import schema as params
from estimates.paths import CLAIMS_LEDGER, PROJECT_DIR

SEED_ID = "000_bd5f4b754780b103"
SEED_FILE = PROJECT_DIR / "seeds" / f"{SEED_ID}.txt"

# Numbers written with digits, e.g. "29", "2003", "75%" -> "75", "S-300" -> "300", "1,000" -> "1,000".
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


# --- helpers -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ledger():
    return load_ledger(CLAIMS_LEDGER)


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED_FILE.read_text(encoding="utf-8")


def real_rows() -> list[list[str]]:
    """The real ledger as a header row plus data rows, fresh lists each call."""
    with open(CLAIMS_LEDGER, encoding="utf-8-sig", newline="") as handle:
        return [list(row) for row in csv.reader(handle)]


HEADER = real_rows()[0]


def col(name: str) -> int:
    return HEADER.index(name)


def write_rows(path: Path, rows: list[list[str]], quoting: int = csv.QUOTE_MINIMAL) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n", quoting=quoting).writerows(rows)
    return path


def set_field(row_index: int, column: str, value: str):
    """A mutation: data row ``row_index`` (0 is the first claim, on line 2) gets ``value``."""
    def mutate(rows):
        rows[1 + row_index][col(column)] = value
        return rows
    return mutate


def claim_id(row_index: int) -> str:
    return real_rows()[1 + row_index][col("claim_id")]


def first_row_with(predicate) -> int:
    """Index of the first data row satisfying ``predicate(row_as_dict)``."""
    for index, row in enumerate(real_rows()[1:]):
        if predicate(dict(zip(HEADER, row))):
            return index
    raise LookupError("no row in the real ledger fits this case")


# --- the bundled ledger --------------------------------------------------------------------------

def test_bundled_ledger_loads(ledger):
    # One Claim per data row: the csv module's own count of the file is the reference.
    assert len(ledger.claims) == len(real_rows()) - 1
    assert ledger.sha256 == hashlib.sha256(CLAIMS_LEDGER.read_bytes()).hexdigest()
    assert tuple(HEADER) == COLUMNS


def test_claim_ids_are_unique(ledger):
    ids = [c.claim_id for c in ledger.claims]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert duplicates == []


def test_seed_file_is_the_byte_copy_named_on_its_source_card():
    # SHA-256 and size from seeds/SOURCE_CARD.md ("exact byte copy of the item as we received it").
    raw = SEED_FILE.read_bytes()
    assert len(raw) == 6484
    assert hashlib.sha256(raw).hexdigest() == "2c1d8b787c4434461f122d8f7e6ef6bafabcdec0e5dcda36d8d1e557ae744ab1"


def test_every_seed_text_is_a_substring_of_the_seed(ledger, seed_text):
    missing = [c.claim_id for c in ledger.claims if c.seed_text and c.seed_text not in seed_text]
    assert missing == []


def test_claims_carried_by_the_seed_quote_it_and_others_do_not(ledger):
    # data/claims.md: seed_text is "Empty for claims not in a seed"; a seed claim rests on a fragment.
    for claim in ledger.claims:
        from_seed = claim.carried_by == f"seed:{SEED_ID}"
        assert bool(claim.seed_text) == from_seed, claim.claim_id


def test_every_number_in_the_seed_is_covered_by_some_seed_text(ledger, seed_text):
    """Each digit-written number in the seed lies inside a quoted fragment of some claim.

    Coverage is by position, so a number written twice (e.g. both "S-300"s) needs both places quoted.
    """
    spans = []
    for claim in ledger.claims:
        if not claim.seed_text:
            continue
        start = seed_text.find(claim.seed_text)
        while start != -1:
            spans.append((start, start + len(claim.seed_text)))
            start = seed_text.find(claim.seed_text, start + 1)
    numbers = list(NUMBER.finditer(seed_text))
    assert len(numbers) >= 10  # the regex does find the seed's numbers (29, 125, 75, 2003, ...)
    uncovered = [
        (m.group(), seed_text[max(0, m.start() - 30):m.end() + 10])
        for m in numbers
        if not any(lo <= m.start() and m.end() <= hi for lo, hi in spans)
    ]
    assert uncovered == []


def test_key_numbers_of_the_seed_are_in_some_seed_text(ledger):
    # Read off the seed by hand: the figures the attrition model rests on.
    quoted = " ".join(c.seed_text for c in ledger.claims)
    tokens = set(NUMBER.findall(quoted))
    assert {"29", "125", "75", "24", "2003", "2016", "373", "300", "26", "1", "60"} <= tokens


def test_every_parameter_source_names_a_claim_in_the_ledger(ledger):
    sources = [s.source for s in params.specs()]
    assert all(s == params.ASSUMPTION or s.startswith("claim:") for s in sources), sources
    unknown = [s for s in sources if s.startswith("claim:") and s.removeprefix("claim:") not in ledger]
    assert unknown == []
    assert any(s.startswith("claim:") for s in sources)  # the check above is not vacuous


# Parameter defaults that are read straight off a claim: (parameter, claim id, claim field).
# denominator_uncertainty (5 = 125 - about 120) is derived, not stated, so it is not listed.
DEFAULT_FROM_CLAIM = [
    ("units_committed", "btg-committed-125", "quantity"),
    ("units_ineffective", "btg-ineffective-29", "quantity"),
    ("committed_share_of_army", "btg-committed-share-75", "quantity"),
    ("committed_share_of_army_alt", "ukmod-committed-share-65", "quantity"),
    ("combat_power_retained", "us-combat-power-retained-75", "quantity"),
    ("units_total_low", "btg-total-2021", "quantity_low"),
    ("units_total_high", "btg-total-2021", "quantity_high"),
    ("count_date", "btg-ineffective-29", "event_date"),
]


@pytest.mark.parametrize("name, claim, field", DEFAULT_FROM_CLAIM, ids=[r[0] for r in DEFAULT_FROM_CLAIM])
def test_parameter_default_is_the_number_its_claim_states(ledger, name, claim, field):
    assert params.spec(name).source == f"claim:{claim}"
    assert params.spec(name).default == getattr(ledger[claim], field)


def test_the_bundled_cut_off_is_the_seed_reports_publication_date(ledger):
    # The seed's count was published on 11 April 2022; what was reported later is an outcome.
    bundled = params.with_case({})
    assert bundled.as_of == ledger["btg-ineffective-29"].report_date
    assert bundled.count_date == ledger["btg-ineffective-29"].event_date
    assert bundled.days_elapsed == 42


def test_every_ledger_row_has_a_report_date(tmp_path, ledger):
    assert all(claim.report_date is not None for claim in ledger.claims)
    text = (params_path := tmp_path / "claims.csv")
    lines = (Path(__file__).parents[1] / "data" / "claims.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = next(csv.reader([lines[1]]))
    cells[header.index("report_date")] = ""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, cells])
    text.write_text(buffer.getvalue(), encoding="utf-8")
    with pytest.raises(LedgerError, match="report_date"):
        load_ledger(params_path)


# --- bad ledgers -----------------------------------------------------------------------------------

def _drop_column(name):
    def mutate(rows):
        return [[v for i, v in enumerate(row) if i != col(name)] for row in rows]
    return mutate


def _add_column(name):
    def mutate(rows):
        return [rows[0] + [name]] + [row + [""] for row in rows[1:]]
    return mutate


def _duplicate_first_row(rows):
    return rows + [list(rows[1])]


def _header_only(rows):
    return rows[:1]


def _truncate_row(index, keep):
    def mutate(rows):
        rows[1 + index] = rows[1 + index][:keep]
        return rows
    return mutate


def _lengthen_row(index):
    def mutate(rows):
        rows[1 + index] = rows[1 + index] + ["surplus"]
        return rows
    return mutate


_ALL_COLUMNS = re.escape(", ".join(COLUMNS))
_INTERVAL_ROW = first_row_with(lambda r: r["quantity"] and r["quantity_low"] and r["quantity_high"])
_NO_INTERVAL_ROW = first_row_with(lambda r: r["quantity"] and not r["quantity_low"])
_LAST_LINE = len(real_rows()) + 1  # a row appended after the real ones

# (id, mutation, regex the one-line message must match). Each regex names the claim id or line,
# the field (or column, or file) and what is allowed.
BAD_LEDGERS = [
    ("missing-column", _drop_column("unit"),
     rf"missing column 'unit'; required columns: {_ALL_COLUMNS}$"),
    ("unknown-column", _add_column("notes"),
     rf"unknown column 'notes'; allowed columns: {_ALL_COLUMNS}$"),
    ("reliability-Z", set_field(0, "reliability", "Z"),
     rf"claim '{claim_id(0)}' \(line 2\): field 'reliability': .*allowed: one of A, B, C, D, E, F; got 'Z'$"),
    ("credibility-9", set_field(0, "credibility", "9"),
     rf"claim '{claim_id(0)}' \(line 2\): field 'credibility': .*allowed: one of 1, 2, 3, 4, 5, 6; got '9'$"),
    ("negative-quantity", set_field(1, "quantity", "-3"),
     rf"claim '{claim_id(1)}' \(line 3\): field 'quantity': .*allowed: a number >= 0 or empty; got -3"),
    ("non-numeric-quantity", set_field(1, "quantity", "lots"),
     rf"claim '{claim_id(1)}' \(line 3\): field 'quantity': .*allowed: a number >= 0 or empty; got 'lots'$"),
    ("nan-quantity", set_field(1, "quantity", "nan"),
     rf"claim '{claim_id(1)}' \(line 3\): field 'quantity': must be a finite number; allowed: a number >= 0"),
    ("duplicate-id", _duplicate_first_row,
     rf"claim '{claim_id(0)}' \(line {_LAST_LINE}\): duplicate claim_id$"),
    ("unparseable-date", set_field(1, "event_date", "6 April 2022"),
     rf"claim '{claim_id(1)}' \(line 3\): field 'event_date': .*allowed: an ISO date YYYY-MM-DD or empty; "
     r"got '6 April 2022'$"),
    ("impossible-date", set_field(1, "report_date", "2022-13-01"),
     rf"claim '{claim_id(1)}' \(line 3\): field 'report_date': .*allowed: an ISO date YYYY-MM-DD \(required"),
    ("low-above-high", set_field(_INTERVAL_ROW, "quantity_low", "1e9"),
     rf"claim '{claim_id(_INTERVAL_ROW)}' \(line {_INTERVAL_ROW + 2}\): field 'quantity_low': "
     r"must not exceed quantity_high \([^)]+\); got 1e\+09$"),
    ("only-low", set_field(_INTERVAL_ROW, "quantity_high", ""),
     rf"claim '{claim_id(_INTERVAL_ROW)}' \(line {_INTERVAL_ROW + 2}\): field 'quantity_low': "
     r"give both quantity_low and quantity_high, or neither$"),
    ("only-high", set_field(_NO_INTERVAL_ROW, "quantity_high", "1e9"),
     rf"claim '{claim_id(_NO_INTERVAL_ROW)}' \(line {_NO_INTERVAL_ROW + 2}\): field 'quantity_low': "
     r"give both quantity_low and quantity_high, or neither$"),
    ("quantity-outside-interval", set_field(_INTERVAL_ROW, "quantity", "1e9"),
     rf"claim '{claim_id(_INTERVAL_ROW)}' \(line {_INTERVAL_ROW + 2}\): field 'quantity': "
     r"must lie within quantity_low\.\.quantity_high"),
    ("header-only", _header_only, r": the ledger has no claims$"),
    ("non-kebab-id", set_field(2, "claim_id", "Bad_ID"),
     r"claim 'Bad_ID' \(line 4\): field 'claim_id': must be lowercase kebab-case.*; got 'Bad_ID'$"),
    ("empty-id", set_field(2, "claim_id", ""),
     r"claim 'line 4' \(line 4\): field 'claim_id': must be lowercase kebab-case"),
    ("empty-statement", set_field(2, "statement", ""),
     rf"claim '{claim_id(2)}' \(line 4\): field 'statement': "
     r"string should have at least 1 character(; allowed: a non-empty value)?; got ''$"),
    ("too-few-fields", _truncate_row(1, 5), rf": line 3: expected {len(COLUMNS)} fields$"),
    ("too-many-fields", _lengthen_row(1), rf": line 3: expected {len(COLUMNS)} fields$"),
]


@pytest.mark.parametrize("mutate, pattern", [c[1:] for c in BAD_LEDGERS], ids=[c[0] for c in BAD_LEDGERS])
def test_bad_ledger_is_rejected_with_one_line(tmp_path, mutate, pattern):
    path = write_rows(tmp_path / "claims.csv", mutate(real_rows()))
    with pytest.raises(LedgerError, match=pattern) as caught:
        load_ledger(path)
    message = str(caught.value)
    assert "\n" not in message and "\r" not in message
    assert message.startswith(f"{path}: ")  # the file is named first


def test_missing_file_is_rejected_with_one_line(tmp_path):
    path = tmp_path / "nowhere" / "claims.csv"
    with pytest.raises(LedgerError, match=r"claims\.csv: claims ledger not found$") as caught:
        load_ledger(path)
    assert str(caught.value) == f"{path}: claims ledger not found"


def test_non_utf8_file_is_rejected_with_one_line(tmp_path):
    path = tmp_path / "claims.csv"
    raw = CLAIMS_LEDGER.read_bytes()
    assert "ö".encode() in raw  # "Yörük Işık" in isik-missiles-containers
    path.write_bytes(raw.replace("ö".encode(), "ö".encode("latin-1"), 1))
    with pytest.raises(LedgerError, match=r": not UTF-8 text \(byte \d+\)$"):
        load_ledger(path)


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["no-bom", "bom"])
@pytest.mark.parametrize("newline", [b"\n", b"\r\n"], ids=["lf", "crlf"])
def test_bom_and_line_endings_do_not_change_the_claims(tmp_path, ledger, bom, newline):
    # No field of the bundled ledger holds a line break, so every line end is a record end.
    lines = CLAIMS_LEDGER.read_bytes().replace(b"\r\n", b"\n").split(b"\n")
    path = tmp_path / "claims.csv"
    path.write_bytes(bom + newline.join(lines))
    rewritten = load_ledger(path)
    assert rewritten.claims == ledger.claims
    assert rewritten.claims[0].claim_id == ledger.claims[0].claim_id  # the BOM is not part of the id


def test_reliability_message_does_not_offer_lowercase_grades(tmp_path):
    path = write_rows(tmp_path / "claims.csv", set_field(0, "reliability", "b")(real_rows()))
    with pytest.raises(LedgerError) as caught:
        load_ledger(path)
    # Before "; allowed" the message restates the rule; it must not list 'b' as valid while rejecting it.
    assert "'b'" not in str(caught.value).split("; allowed")[0]


def test_empty_text_field_message_says_allowed(tmp_path):
    path = write_rows(tmp_path / "claims.csv", set_field(0, "originator", "")(real_rows()))
    with pytest.raises(LedgerError, match=r"field 'originator': .*; allowed: a non-empty value; got ''$"):
        load_ledger(path)


def test_line_number_counts_physical_lines_after_a_multiline_field(tmp_path):
    rows = real_rows()[:4]
    rows[1][col("statement")] = "first line\nsecond line"  # legal RFC 4180 quoting
    rows[3][col("reliability")] = "Z"
    path = write_rows(tmp_path / "claims.csv", rows)
    physical = path.read_text(encoding="utf-8").splitlines()
    bad_line = next(n for n, text in enumerate(physical, start=1) if text.startswith(rows[3][0] + ","))
    assert bad_line == 5  # header on 1, first claim on 2-3, second on 4, the bad one on 5
    with pytest.raises(LedgerError, match=rf"\(line {bad_line}\): field 'reliability'"):
        load_ledger(path)


# --- properties ------------------------------------------------------------------------------------

_GRADES = {"reliability": RELIABILITY, "credibility": CREDIBILITY}
_FIELD_TEXT = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=12)


@pytest.mark.parametrize("field", sorted(_GRADES))
# tmp_path is shared by the examples on purpose: each one overwrites the same file.
@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=_FIELD_TEXT)
@example(value="Z")
@example(value="9")
@example(value="A1")
@example(value="line\nbreak")
def test_any_grade_outside_the_scale_is_rejected_in_one_line(tmp_path, field, value):
    if value.strip() in _GRADES[field]:
        return  # a valid grade (the loader strips spaces around fields)
    rows = real_rows()[:2]
    rows[1][col(field)] = value
    # Quote every field: a bare "\r" is left unquoted by the csv writer and would end the record.
    path = write_rows(tmp_path / "claims.csv", rows, quoting=csv.QUOTE_ALL)
    allowed = ", ".join(_GRADES[field])
    with pytest.raises(LedgerError, match=rf"field '{field}': .*allowed: one of {allowed}; got ") as caught:
        load_ledger(path)
    assert "\n" not in str(caught.value) and "\r" not in str(caught.value)


def test_every_admiralty_grade_loads(tmp_path):
    # All 36 combinations: reliability and credibility are graded independently (STANAG 2511).
    for reliability, credibility in itertools.product(RELIABILITY, CREDIBILITY):
        rows = real_rows()[:2]
        rows[1][col("reliability")] = reliability
        rows[1][col("credibility")] = credibility
        claim = load_ledger(write_rows(tmp_path / "claims.csv", rows)).claims[0]
        assert claim.grade == reliability + credibility
        assert claim.grade_words == f"{RELIABILITY[reliability]}; {CREDIBILITY[credibility]}"


def test_dates_are_parsed_as_dates(ledger):
    # data/claims.md: "six weeks" is day 42 = 2022-04-06; the Guardian report is dated 2022-04-11.
    assert ledger["campaign-six-weeks"].event_date == dt.date(2022, 4, 6)
    assert ledger["btg-ineffective-29"].report_date == dt.date(2022, 4, 11)
