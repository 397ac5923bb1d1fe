"""The claims ledger: every quantitative claim, graded with the Admiralty (NATO) system.

A claim row records what is claimed, its quantity (or a 90% interval), when it happened and when it
was reported, who originated it apart from the outlet that carried it, and its grade: source
reliability A-F and information credibility 1-6 (STANAG 2511), graded independently, with a reason.
Loading validates every row and rejects the first bad one naming its claim id and field.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from estimates.inputs.files import LedgerError, check_columns, read_input

RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
CREDIBILITY = {
    "1": "confirmed by other sources",
    "2": "probably true",
    "3": "possibly true",
    "4": "doubtful",
    "5": "improbable",
    "6": "truth cannot be judged",
}
COLUMNS = (
    "claim_id", "statement", "quantity", "quantity_low", "quantity_high", "unit", "event_date",
    "report_date", "originator", "originator_id", "outlet", "outlet_id", "carried_by", "evidence_line",
    "reliability", "credibility", "grade_reason", "seed_text",
)
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")



def _optional_number(value: str | None) -> float | None:
    if value is None or str(value).strip() == "":
        return None
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    return number


def _optional_date(value: str | None) -> dt.date | None:
    if value is None or str(value).strip() == "":
        return None
    return dt.date.fromisoformat(str(value).strip())


class Claim(BaseModel):
    """One ledger row."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    claim_id: str
    statement: str = Field(min_length=1)
    quantity: float | None = Field(default=None, ge=0)
    quantity_low: float | None = Field(default=None, ge=0)
    quantity_high: float | None = Field(default=None, ge=0)
    unit: str = ""
    event_date: dt.date | None = None
    #: Required: the information cut-off (``as_of``) places every claim before or after it.
    report_date: dt.date
    originator: str = Field(min_length=1)
    #: Who the originator is, as an id: the same person or office has the same id in every row,
    #: however the text names them ("Western official", "Western officials").
    originator_id: str
    outlet: str = Field(min_length=1)
    outlet_id: str
    carried_by: str = Field(min_length=1)
    #: One id per line of evidence: claims from one briefing, one network or one article share it,
    #: so that their agreement is never read as corroboration.
    evidence_line: str
    reliability: Literal["A", "B", "C", "D", "E", "F"]
    credibility: Literal["1", "2", "3", "4", "5", "6"]
    grade_reason: str = Field(min_length=1)
    seed_text: str = ""

    @field_validator("claim_id", "originator_id", "outlet_id", "evidence_line")
    @classmethod
    def _kebab(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("must be lowercase kebab-case, e.g. btg-ineffective-29")
        return value

    @field_validator("quantity", "quantity_low", "quantity_high", mode="before")
    @classmethod
    def _number(cls, value):
        return _optional_number(value)

    @field_validator("event_date", "report_date", mode="before")
    @classmethod
    def _date(cls, value):
        return _optional_date(value)

    @model_validator(mode="after")
    def _interval(self) -> Claim:
        low, high = self.quantity_low, self.quantity_high
        if (low is None) != (high is None):
            raise ValueError("quantity_low: give both quantity_low and quantity_high, or neither")
        if low is not None and low > high:
            raise ValueError(f"quantity_low: must not exceed quantity_high ({high:g}); got {low:g}")
        if low is not None and self.quantity is not None and not low <= self.quantity <= high:
            raise ValueError(f"quantity: must lie within quantity_low..quantity_high ({low:g}..{high:g})")
        return self

    @property
    def grade(self) -> str:
        """The Admiralty grade, e.g. ``B2``."""
        return f"{self.reliability}{self.credibility}"

    @property
    def grade_words(self) -> str:
        return grade_words(self.reliability, self.credibility)


def grade_words(reliability: str, credibility: str) -> str:
    """The STANAG 2511 wording of a grade, e.g. ``usually reliable; probably true`` for B2."""
    return f"{RELIABILITY[reliability]}; {CREDIBILITY[credibility]}"


@dataclass(frozen=True)
class Ledger:
    """A validated claims ledger with the SHA-256 of the bytes it was read from."""

    path: Path
    sha256: str
    claims: tuple[Claim, ...] = field(repr=False)

    def __getitem__(self, claim_id: str) -> Claim:
        for claim in self.claims:
            if claim.claim_id == claim_id:
                return claim
        raise KeyError(f"no claim '{claim_id}' in {self.path.name}")

    def __contains__(self, claim_id: str) -> bool:
        return any(c.claim_id == claim_id for c in self.claims)

    def frame(self) -> pd.DataFrame:
        rows = [c.model_dump() | {"grade": c.grade} for c in self.claims]
        return pd.DataFrame(rows).set_index("claim_id")

    def source_rows(self, claim_ids) -> list[dict]:
        """JSON-ready rows for a sources table, in the order given, without repeats."""
        seen: list[str] = []
        for claim_id in claim_ids:
            if claim_id not in seen:
                seen.append(claim_id)
        return [self[c].model_dump(mode="json") | {"grade": self[c].grade} for c in seen]




def load_ledger(path: str | Path) -> Ledger:
    """Read and validate a claims ledger.

    The file is UTF-8 CSV (a byte-order mark and Windows line endings are accepted) with the
    columns in :data:`COLUMNS`; see ``data/claims.md`` for their meaning and units.
    """
    path = Path(path)
    raw, text = read_input(path, "claims ledger")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in (reader.fieldnames or [])]
    except csv.Error as error:
        raise LedgerError(f"{path}: line 1: malformed CSV ({error})") from None
    check_columns(path, header, COLUMNS)
    claims: list[Claim] = []
    seen: set[str] = set()
    for row in _records(reader, path):
        line = reader.line_num
        if None in row or any(v is None for v in row.values()):
            raise LedgerError(f"{path}: line {line}: expected {len(COLUMNS)} fields")
        row = {k.strip(): v.strip() for k, v in row.items()}
        label = row.get("claim_id") or f"line {line}"
        try:
            claim = Claim(**row)
        except ValidationError as error:
            raise LedgerError(f"{path}: claim '{label}' (line {line}): {_describe(error)}") from None
        if claim.claim_id in seen:
            raise LedgerError(f"{path}: claim '{label}' (line {line}): duplicate claim_id")
        seen.add(claim.claim_id)
        claims.append(claim)
    if not claims:
        raise LedgerError(f"{path}: the ledger has no claims")
    return Ledger(path=path, sha256=hashlib.sha256(raw).hexdigest(), claims=tuple(claims))


def _records(reader: csv.DictReader, path: Path):
    """The reader's rows; a record the csv module cannot parse (a field over its size limit,
    131072 characters by default) is a LedgerError naming the line, not a traceback."""
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as error:
            # line_num counts the lines read before the one that failed
            raise LedgerError(f"{path}: line {reader.line_num + 1}: malformed CSV ({error})") from None
        yield row


_ALLOWED = {
    "reliability": "one of A, B, C, D, E, F",
    "credibility": "one of 1, 2, 3, 4, 5, 6",
    "event_date": "an ISO date YYYY-MM-DD or empty",
    "report_date": "an ISO date YYYY-MM-DD (required: the cut-off places each claim by it)",
    "quantity": "a number >= 0 or empty",
    "quantity_low": "a number >= 0 or empty",
    "quantity_high": "a number >= 0 or empty",
    "originator_id": "a lowercase kebab-case id, the same for every claim of one originator",
    "outlet_id": "a lowercase kebab-case id, the same for every claim of one outlet",
    "evidence_line": "a lowercase kebab-case id shared by claims of one briefing, network or article",
}


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    if first["loc"]:
        name = str(first["loc"][0])
        allowed = _ALLOWED.get(name, "a non-empty value" if "short" in first["type"] else "")
        detail = f"; allowed: {allowed}" if allowed else ""
        message = first["msg"].removeprefix("Value error, ")
        return f"field '{name}': {message[:1].lower() + message[1:]}{detail}; got {first.get('input')!r}"
    name, _, rest = first["msg"].removeprefix("Value error, ").partition(": ")
    return f"field '{name}': {rest}"
