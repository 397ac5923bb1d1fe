"""CDB90, the US Army Concepts Analysis Agency's database of land battles, read and checked.

The files in ``data/cdb90/`` (see its ``README.md``) are jrnold/CDB90's tidy packaging of CDB90: a
battles table, a belligerents table with one attacker row and one defender row per battle, and
battle start and end times. :func:`load_battles` joins them into one row per battle with the two
sides side by side. Like :mod:`estimates.inputs.loss_claims` (and lifelines' ``datasets``), it returns a plain
DataFrame with documented snake_case columns and rejects a file it cannot vouch for with a one-line
:class:`BattleDataError` naming the file, the battle (``isqno``) and the field.

Quirks handled here, and why:

- **Numbers stored as text.** The package quotes every strength and casualty figure ("11300"), and
  a missing figure is an empty field (the original diskettes' ``-1``). Each is parsed here and must
  be a whole number >= 0 or empty; a ``-1`` left over from the original coding is rejected rather
  than read as a strength.
- **Which strength.** ``intst`` is the initial strength; ``str`` is a "total" strength whose meaning
  ``code`` gives (1 initial, 2 average daily, 3 total engaged, i.e. initial plus reinforcements).
  ``*_strength`` is ``intst`` when given, else ``str``; ``*_strength_source`` says which, so a caller
  can drop the 248 sides whose only figure includes reinforcements.
- **Parts of other battles.** 36 battles have a ``parent``: they are phases or sectors of another
  battle that is also in the data (the Somme's first day and its sectors, for instance), so their
  troops and casualties are counted twice. The column is kept; :mod:`estimates.models.lanchester.history`
  leaves such battles out by default.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import numpy as np
import pandas as pd

from estimates.inputs.files import LedgerError, read_input

BATTLES_FILE = "battles.csv"
BELLIGERENTS_FILE = "belligerents.csv"
DURATIONS_FILE = "battle_durations.csv"

BATTLE_COLUMNS = ("isqno", "name", "war", "parent")
BELLIGERENT_COLUMNS = ("isqno", "attacker", "nam", "str", "code", "intst", "rerp", "cas", "finst")
DURATION_COLUMNS = ("isqno", "datetime_min", "datetime_max", "duration1", "duration2")
#: Belligerent fields that are head counts: whole numbers >= 0, or empty when not known.
COUNT_FIELDS = ("str", "intst", "rerp", "cas", "finst")
#: What ``code`` says ``str`` is (CDB90 definitions, note 7).
STRENGTH_CODES = {1: "initial strength", 2: "average daily strength", 3: "total strength engaged"}
SIDES = {"1": "attacker", "0": "defender"}


class BattleDataError(LedgerError):
    """A CDB90 file cannot be used; the message is one line naming the file, battle and field.

    A :class:`~estimates.inputs.claims.LedgerError` (so a ``ValueError``), so callers that report bad
    input files report this one the same way.
    """


def _table(path: Path, columns: tuple[str, ...], what: str) -> tuple[pd.DataFrame, str]:
    """The file as a frame of stripped strings with ``columns``, and its SHA-256."""
    try:
        raw, text = read_input(path, what)
    except LedgerError as error:
        raise BattleDataError(str(error)) from None
    try:
        # Everything as text: the loader, not pandas, decides what an empty or odd field means.
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        message = " ".join(str(error).split())
        raise BattleDataError(f"{path}: malformed CSV ({message})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise BattleDataError(f"{path}: missing column '{missing[0]}'; required columns: {', '.join(columns)}")
    frame = frame[list(columns)].apply(lambda s: s.str.strip())
    return frame, hashlib.sha256(raw).hexdigest()


def _isqno(path: Path, frame: pd.DataFrame) -> pd.Series:
    numbers = pd.to_numeric(frame["isqno"], errors="coerce")
    bad = numbers.isna() | (numbers < 1) | (numbers != numbers.round())
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise BattleDataError(f"{path}: line {i + 2}: field 'isqno' must be a whole number >= 1; "
                              f"got {frame['isqno'].iloc[i]!r}")
    return numbers.astype("int64")


def _counts(path: Path, frame: pd.DataFrame, field: str, where: list[str], *,
            allowed: str = "a whole number >= 0 or empty") -> pd.Series:
    """A text column of head counts as floats (NaN where empty); the first bad cell is an error."""
    text = frame[field]
    empty = text == ""
    numbers = pd.to_numeric(text.where(~empty), errors="coerce").astype(float)
    bad = ~empty & (numbers.isna() | (numbers < 0) | (numbers != numbers.round()))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        hint = " (-1 is the original's 'not available'; this packaging leaves it empty)" if text.iloc[i] == "-1" else ""
        raise BattleDataError(f"{path}: {where[i]}: field '{field}' must be {allowed}; got {text.iloc[i]!r}{hint}")
    return numbers


def _year(path: Path, isqno: int, start: str, end: str) -> int:
    for field, value in (("datetime_min", start), ("datetime_max", end)):
        if value:
            try:
                return dt.datetime.fromisoformat(value).year
            except ValueError:
                raise BattleDataError(f"{path}: isqno {isqno}: field '{field}' must be an ISO date-time such as "
                                      f"1600-07-02T14:30:00 or empty; got {value!r}") from None
    raise BattleDataError(f"{path}: isqno {isqno}: fields 'datetime_min' and 'datetime_max' are both empty; "
                          "the battle's year is needed")


def _belligerents(path: Path) -> tuple[pd.DataFrame, str]:
    frame, digest = _table(path, BELLIGERENT_COLUMNS, "CDB90 belligerents file")
    frame["isqno"] = _isqno(path, frame)
    bad = ~frame["attacker"].isin(list(SIDES))
    if bad.any():
        row = frame[bad].iloc[0]
        raise BattleDataError(f"{path}: isqno {row['isqno']}: field 'attacker' must be 1 (attacker) or 0 (defender); "
                              f"got {row['attacker']!r}")
    where = [f"isqno {i} ({SIDES[a]})" for i, a in zip(frame["isqno"], frame["attacker"])]
    duplicated = frame.duplicated(["isqno", "attacker"])
    if duplicated.any():
        i = int(np.flatnonzero(duplicated.to_numpy())[0])
        raise BattleDataError(f"{path}: {where[i]}: field 'attacker': duplicate row; each battle has one attacker "
                              "row and one defender row")
    for field in COUNT_FIELDS:
        frame[field] = _counts(path, frame, field, where)
    frame["code"] = _counts(path, frame, "code", where, allowed="1, 2, 3 or empty")
    bad = frame["code"].notna() & ~frame["code"].isin(list(STRENGTH_CODES))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise BattleDataError(f"{path}: {where[i]}: field 'code' must be 1, 2, 3 or empty; got {frame['code'].iloc[i]:g}")
    return frame, digest


def _side(frame: pd.DataFrame, side: str) -> pd.DataFrame:
    """One side's rows as ``<side>_*`` columns indexed by isqno."""
    rows = frame[frame["attacker"] == {"attacker": "1", "defender": "0"}[side]].set_index("isqno")
    initial, total = rows["intst"], rows["str"]
    rerp = rows["rerp"]
    # Reinforced if reinforcements were recorded, or the total engaged exceeds the initial
    # strength; unknown (NA) when neither figure says so.
    reinforced = pd.Series(pd.NA, index=rows.index, dtype="boolean")
    reinforced[rerp.notna()] = rerp[rerp.notna()] > 0
    reinforced[(total > initial).fillna(False)] = True
    out = pd.DataFrame({
        "name": rows["nam"],
        "strength": initial.fillna(total),
        "strength_source": np.where(initial.notna(), "intst", np.where(total.notna(), "str", "")),
        "total_strength": total,
        "strength_code": rows["code"].astype("Int64"),
        "reinforcements": rerp,
        "reinforced": reinforced,
        "casualties": rows["cas"],
        "final_strength": rows["finst"],
    }, index=rows.index)
    return out.add_prefix(f"{side}_")


def load_battles(path: str | Path | None = None) -> pd.DataFrame:
    """CDB90's 660 land battles, 1600-1982, one row per battle, attacker and defender side by side.

    ``path`` is the directory holding ``battles.csv``, ``belligerents.csv`` and
    ``battle_durations.csv`` (default ``data/cdb90``, :data:`estimates.paths.CDB90_DIR`).

    One row per battle in ``isqno`` order (a plain RangeIndex). Columns (source file and field in
    brackets; counts are people, float, NaN when not known):

    - ``isqno`` (int): CDB90's battle sequence number, unique [all three files].
    - ``name``, ``war`` (text): battle and war as CDB90 names them [battles ``name``, ``war``].
    - ``year`` (int): year the battle began [battle_durations ``datetime_min``, else
      ``datetime_max``].
    - ``duration_days`` (float, days): calendar span from first to last day of fighting, at least 1
      [battle_durations ``duration1``]; ``active_days`` (float, days): summed length of the active
      fighting periods, e.g. 0.25 for six hours [``duration2``]. NaN for two battles without times.
    - ``parent`` (Int64, NA if none): the ``isqno`` of a battle in the data of which this one is a
      phase or sector, so its numbers are counted twice [battles ``parent``].
    - ``attacker_name``, ``defender_name`` (text): the force's designation [belligerents ``nam``].
    - ``attacker_strength``, ``defender_strength``: initial personnel strength, ``intst`` when given,
      else ``str``; ``*_strength_source`` says which (``"intst"``, ``"str"``, or ``""`` when neither).
    - ``*_total_strength``: ``str``, whose meaning ``*_strength_code`` (Int64) gives: 1 initial,
      2 average daily, 3 total engaged (initial plus reinforcements) [``str``, ``code``].
    - ``*_reinforcements``: reinforcements and replacements received during the battle [``rerp``];
      ``*_reinforced`` (nullable bool): reinforcements above zero were recorded, or ``str`` exceeds
      ``intst``; NA when the data do not say.
    - ``*_casualties``: battle casualties, killed, wounded, missing and captured [``cas``].
    - ``*_final_strength``: strength at the battle's end [``finst``].

    ``frame.attrs`` holds ``path`` and ``sha256`` (a dict, file name -> SHA-256). Source: US Army
    Concepts Analysis Agency, CDB90 (1991, public domain), as packaged by jrnold/CDB90 (ODC-BY).

    Examples
    --------
    >>> b = load_battles().set_index("isqno")
    >>> len(b), b.loc[1, "name"], int(b.loc[1, "attacker_strength"]), int(b.loc[1, "defender_casualties"])
    (660, 'NIEUPORT', 11500, 1000)
    """
    from estimates.paths import CDB90_DIR

    folder = Path(path) if path is not None else CDB90_DIR
    battles_path, sides_path, times_path = (folder / BATTLES_FILE, folder / BELLIGERENTS_FILE,
                                            folder / DURATIONS_FILE)
    battles, battles_sha = _table(battles_path, BATTLE_COLUMNS, "CDB90 battles file")
    battles["isqno"] = _isqno(battles_path, battles)
    duplicated = battles["isqno"].duplicated()
    if duplicated.any():
        raise BattleDataError(f"{battles_path}: isqno {battles['isqno'][duplicated].iloc[0]}: field 'isqno': "
                              "duplicate battle")
    where = [f"isqno {i}" for i in battles["isqno"]]
    parent = _counts(battles_path, battles, "parent", where, allowed="the isqno of another battle or empty")
    battles = battles.set_index("isqno").assign(parent=parent.to_numpy()).astype({"parent": "Int64"})
    orphan = battles["parent"].notna() & ~battles["parent"].isin(battles.index)
    if orphan.any():
        isqno = battles.index[orphan.to_numpy()][0]
        raise BattleDataError(f"{battles_path}: isqno {isqno}: field 'parent' must be the isqno of a battle in the "
                              f"file; got {battles.loc[isqno, 'parent']}")

    sides, sides_sha = _belligerents(sides_path)
    for isqno in sides["isqno"].unique():
        if isqno not in battles.index:
            raise BattleDataError(f"{sides_path}: isqno {isqno}: field 'isqno' names no battle in {BATTLES_FILE}")
    for side, code in (("attacker", "1"), ("defender", "0")):
        have = set(sides.loc[sides["attacker"] == code, "isqno"])
        lacking = [i for i in battles.index if i not in have]
        if lacking:
            raise BattleDataError(f"{sides_path}: isqno {lacking[0]}: field 'attacker': no {side} row "
                                  f"(attacker = {code})")

    times, times_sha = _table(times_path, DURATION_COLUMNS, "CDB90 battle durations file")
    times["isqno"] = _isqno(times_path, times)
    if times["isqno"].duplicated().any():
        raise BattleDataError(f"{times_path}: isqno {times['isqno'][times['isqno'].duplicated()].iloc[0]}: "
                              "field 'isqno': duplicate battle")
    timed = set(times["isqno"])
    lacking = [i for i in battles.index if i not in timed]
    if lacking:
        raise BattleDataError(f"{times_path}: isqno {lacking[0]}: field 'isqno': battle has no row")
    where = [f"isqno {i}" for i in times["isqno"]]
    for field in ("duration1", "duration2"):
        text = times[field]
        numbers = pd.to_numeric(text.where(text != ""), errors="coerce").astype(float)
        bad = (text != "") & ~(numbers >= 0)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise BattleDataError(f"{times_path}: {where[i]}: field '{field}' must be a number of days >= 0 or "
                                  f"empty; got {text.iloc[i]!r}")
        times[field] = numbers
    times = times.set_index("isqno").loc[battles.index]
    year = [_year(times_path, i, s, e) for i, s, e in zip(battles.index, times["datetime_min"], times["datetime_max"])]

    frame = pd.DataFrame({
        "name": battles["name"], "war": battles["war"],
        "year": np.asarray(year, dtype="int64"),
        "duration_days": times["duration1"], "active_days": times["duration2"],
        "parent": battles["parent"],
    }, index=battles.index)
    frame = frame.join(_side(sides, "attacker")).join(_side(sides, "defender"))
    frame = frame.reset_index()
    frame.attrs.update(path=str(folder), sha256={BATTLES_FILE: battles_sha, BELLIGERENTS_FILE: sides_sha,
                                                 DURATIONS_FILE: times_sha})
    return frame
