"""Two versions of a data table, row by row: which rows were added, removed or changed, by id.

The id column is the first column named ``id`` or ending in ``_id`` that is filled in and unique in
both versions; failing that, the first column if it is unique; failing that, rows are matched by
their whole content, so a changed row shows as one removed and one added.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass

#: Ids named in one line before the rest are only counted.
SHOWN_IDS = 3


@dataclass(frozen=True)
class RowChange:
    """One row of a data table that differs between two versions, named by its id."""

    id: str
    status: str  # "added", "removed" or "changed"
    #: ``(column, old value, new value)`` for each field of a changed row that differs.
    fields: tuple[tuple[str, str, str], ...] = ()

    def describe(self) -> str:
        if self.status != "changed":
            return f"{self.id} {self.status}"
        return f"{self.id}: " + "; ".join(f"{c} {_short(o)} -> {_short(n)}" for c, o, n in self.fields)

    def to_dict(self) -> dict:
        return {"id": self.id, "status": self.status, "fields": [list(f) for f in self.fields]}


@dataclass(frozen=True)
class RowDiff:
    """How a data table changed: rows added, removed and changed, matched by ``id_column`` (``None``:
    the table has no id column, so rows are matched by their whole content and a changed row shows
    as one removed and one added)."""

    id_column: str | None
    rows: tuple[RowChange, ...]

    def ids(self, status: str) -> tuple[str, ...]:
        return tuple(r.id for r in self.rows if r.status == status)

    def summary(self, where: str) -> str:
        """One line for a reader: ``row `x` added to F``, or counts with the first few ids.

        >>> RowDiff("id", (RowChange("x", "added"),)).summary("data/a.csv")
        'row `x` added to data/a.csv'
        >>> RowDiff("id", tuple(RowChange(i, "added") for i in "abcde")
        ...         + (RowChange("f", "changed", (("n", "1", "2"),)),)).summary("data/a.csv")
        '5 rows added (`a`, `b`, `c` and 2 more) and 1 changed (`f`) in data/a.csv'
        """
        if not self.rows:
            return f"{where}: no row added, removed or changed (its layout changed)"
        if len(self.rows) == 1:
            [row] = self.rows
            joint = {"added": "to", "removed": "from", "changed": "in"}[row.status]
            return f"row `{row.id}` {row.status} {joint} {where}"
        parts = []
        for status in ("added", "removed", "changed"):
            ids = self.ids(status)
            if ids:
                named = ", ".join(f"`{i}`" for i in ids[:SHOWN_IDS])
                more = f" and {len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else ""
                noun = ("row" if len(ids) == 1 else "rows") + " " if not parts else ""
                parts.append(f"{len(ids)} {noun}{status} ({named}{more})")
        listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
        return f"{listed} in {where}"

    def to_dict(self) -> dict:
        return {"id_column": self.id_column, "rows": [r.to_dict() for r in self.rows]}


def table_rows(old_text: str, new_text: str) -> RowDiff | None:
    """The rows of a CSV table that differ between two versions of its text; ``None`` when either
    version is not a CSV table with a header.

    Rows are matched by the table's id column (:func:`id_column`); the fields of a changed row are
    compared column by column, an absent column reading as empty.

    >>> old = "claim_id,quantity\\na,1\\nb,2\\n"
    >>> [r.describe() for r in table_rows(old, "claim_id,quantity\\nb,3\\nc,4\\n").rows]
    ['b: quantity 2 -> 3', 'c added', 'a removed']
    """
    old, new = _read_table(old_text), _read_table(new_text)
    if old is None or new is None:
        return None
    (old_header, old_rows), (new_header, new_rows) = old, new
    key = id_column(old_header, old_rows, new_header, new_rows)
    if key is None:
        return RowDiff(None, _by_content(old_rows, new_rows))
    columns = list(dict.fromkeys(new_header + old_header))
    before = {row[key]: row for row in old_rows}
    after = {row[key]: row for row in new_rows}
    changes = []
    for row_id, row in after.items():
        if row_id not in before:
            changes.append(RowChange(row_id, "added"))
            continue
        fields = tuple((c, before[row_id].get(c) or "", row.get(c) or "") for c in columns
                       if (before[row_id].get(c) or "") != (row.get(c) or ""))
        if fields:
            changes.append(RowChange(row_id, "changed", fields))
    changes += [RowChange(row_id, "removed") for row_id in before if row_id not in after]
    return RowDiff(key, tuple(changes))


def id_column(old_header: list[str], old_rows: list[dict], new_header: list[str], new_rows: list[dict]) -> str | None:
    """The column that names a table's rows, in both versions: the first column called ``id`` or
    ending in ``_id`` whose values are filled in and unique in each version; failing that, the first
    column if its values are; ``None`` if no column is.

    >>> rows = [{"category": "armour", "claim_id": "c"}, {"category": "ifv", "claim_id": "c"}]
    >>> id_column(["category", "claim_id"], rows, ["category", "claim_id"], rows)
    'category'
    """
    shared = [c for c in new_header if c in old_header]
    named = [c for c in shared if c == "id" or c.endswith("_id")]
    for column in named + shared[:1]:
        if all(_names_rows(rows, column) for rows in (old_rows, new_rows)):
            return column
    return None


def _names_rows(rows: list[dict], column: str) -> bool:
    values = [(row.get(column) or "").strip() for row in rows]
    return all(values) and len(set(values)) == len(values)


def _read_table(text: str) -> tuple[list[str], list[dict]] | None:
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = list(reader.fieldnames or [])
        rows = [{k: v for k, v in row.items() if k is not None} for row in reader]
    except csv.Error:
        return None
    return (header, rows) if header else None


def _by_content(old_rows: list[dict], new_rows: list[dict]) -> tuple[RowChange, ...]:
    def content(row: dict) -> tuple:
        return tuple(sorted((k, v or "") for k, v in row.items()))

    before, after = Counter(map(content, old_rows)), Counter(map(content, new_rows))
    named = {content(row): row for row in old_rows + new_rows}

    def label(key: tuple) -> str:
        values = [v for v in named[key].values() if v]
        return _short(" / ".join(values[:2]))

    added = [RowChange(label(k), "added") for k in after for _ in range(after[k] - before[k])]
    removed = [RowChange(label(k), "removed") for k in before for _ in range(before[k] - after[k])]
    return tuple(added + removed)


def _short(value: str, width: int = 40) -> str:
    value = " ".join(str(value).split())
    if not value:
        return "(empty)"
    return value if len(value) <= width else value[: width - 3] + "..."


