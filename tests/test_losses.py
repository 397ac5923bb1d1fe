"""The loss-data loader: known values of the bundled files, revisions, merges, and bad input.

The CSV format and the model's checks are in ``test_loss_series.py``."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from estimates.inputs import loss_claims as losses
from estimates.inputs.loss_claims import LossDataError

CONFIRMED = losses.load_series_notes(losses._default("", None)).confirmed


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return losses.load_equipment_losses()


@pytest.fixture(scope="module")
def consistent() -> pd.DataFrame:
    return losses.load_equipment_losses(consistent=True)


# --- known values of the data --------------------------------------------------------------------
def test_known_tank_claims(raw, consistent):
    # Read off russia_losses_equipment.json: 614 tanks on 2022-03-31 (day 36), 684 on 2022-04-06.
    assert losses.claimed_by("2022-03-31", "tank", raw) == 614
    assert losses.claimed_by(42, "tank", raw) == 684
    assert losses.claimed_by(42, "tank", consistent) == 684
    assert losses.claimed_by(42, "apc", consistent) == 1861


def test_day_matches_date_with_day_one_the_invasion(raw):
    assert raw.index[0] == pd.Timestamp("2022-02-25") and raw["day"].iloc[0] == 2
    days = (raw.index - pd.Timestamp("2022-02-23")).days
    assert (raw["day"].to_numpy() == days).all()
    assert raw.index.is_unique and raw.index.is_monotonic_increasing
    assert (np.diff(raw.index.to_numpy()) == np.timedelta64(1, "D")).all()


def test_claimed_losses_record(consistent):
    record = losses.claimed_losses(42, consistent)
    assert (record.as_of.isoformat(), record.day, record.tank, record.apc) == ("2022-04-06", 42, 684.0, 1861.0)
    assert record.sha256 == consistent.attrs["sha256"] and len(record.sha256) == 64
    assert json.loads(json.dumps(record.to_dict()))["as_of"] == "2022-04-06"


def test_claimed_by_outside_the_data(raw):
    with pytest.raises(ValueError, match="day 1 has no record"):
        losses.claimed_by(1, "tank", raw)
    with pytest.raises(ValueError, match="'military_auto' was not reported on 2022-05-01"):
        losses.claimed_by("2022-05-01", "military_auto", raw)
    with pytest.raises(ValueError, match="category must be one of"):
        losses.claimed_by(42, "APC", raw)


# --- revisions -------------------------------------------------------------------------------------
def test_real_decrease_is_found_and_removed(raw, consistent):
    found = losses.decreases(raw)
    apc = found[(found["column"] == "apc") & (found["date"] == pd.Timestamp("2022-10-13"))]
    assert apc[["before", "after"]].to_numpy().tolist() == [[5181.0, 5167.0]]
    assert losses.decreases(consistent).empty
    # Reverse cumulative minimum: 2022-10-12 is lowered to the revised 5,167; nothing is raised.
    assert consistent.loc["2022-10-12", "apc"] == 5167
    numeric = losses.count_columns(raw)
    assert (consistent[numeric].fillna(0) <= raw[numeric].fillna(0)).all().all()
    assert consistent.loc[:"2022-10-01", "apc"].equals(raw.loc[:"2022-10-01", "apc"])


def test_decreases_are_the_corrections_already_applied(raw):
    corrections = losses.load_corrections()
    # The file's own day for 2022-10-13 says 231; recomputed from the date it is 232.
    assert corrections.loc["2022-10-13", "day"] == 232
    assert corrections.loc["2022-10-13", "apc"] == -25
    # Every fall in a total sits on or the day after a negative correction of that column, except
    # field artillery on 2026-03-04, after the corrections file ends.
    for _, row in losses.decreases(raw).iterrows():
        if row["column"] == "field_artillery":
            continue
        near = corrections.loc[row["date"] - pd.Timedelta(days=1): row["date"], row["column"]]
        assert (near < 0).any(), row.to_dict()


def test_synthetic_drop():
    frame = pd.DataFrame({"day": [2, 3, 4, 5, 6], "tank": [10.0, 14.0, 12.0, np.nan, 20.0],
                          "apc": [np.nan, np.nan, 5.0, 4.0, 9.0]})
    out = losses.revision_consistent(frame)
    assert out["tank"].tolist()[:3] == [10.0, 12.0, 12.0] and np.isnan(out["tank"].iloc[3])
    assert out["apc"].tolist()[2:] == [4.0, 4.0, 9.0]
    assert out["day"].tolist() == [2, 3, 4, 5, 6]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=40))
@example([5, 3, 4, 1, 2])
def test_revision_consistent_properties(values):
    frame = pd.DataFrame({"day": range(2, len(values) + 2), "tank": np.asarray(values, dtype=float)})
    out = losses.revision_consistent(frame)["tank"].to_numpy()
    assert (np.diff(out) >= 0).all()
    assert (out <= frame["tank"].to_numpy()).all()
    assert out[-1] == values[-1]
    assert np.array_equal(losses.revision_consistent(pd.DataFrame({"day": frame["day"], "tank": out}))["tank"], out)


# --- categories that merge -------------------------------------------------------------------------
def test_vehicles_merge_is_continuous(raw):
    series = raw["vehicles_and_fuel_tanks_continuous"]
    assert series.notna().all()
    before = raw.loc[:"2022-04-30"]
    assert (series.loc[:"2022-04-30"] == before["military_auto"] + before["fuel_tank"]).all()
    assert series.loc["2022-04-30"] == 1701 + 76 and series.loc["2022-05-01"] == 1796
    assert (series.loc["2022-05-01":] == raw.loc["2022-05-01":, "vehicles_and_fuel_tanks"]).all()
    assert (series.loc["2022-04-01":"2022-06-01"].diff().dropna() >= 0).all()


def test_personnel_and_oryx():
    people = losses.load_personnel_losses()
    assert people.loc["2022-02-25", "personnel"] == 2800
    assert set(people["personnel_qualifier"]) == {"about", "more"}
    assert people["pow"].last_valid_index() == pd.Timestamp("2022-04-27")
    totals = losses.confirmed_totals(losses.load_confirmed())
    # Sums of losses_total over the file's "Tanks" and "Armoured Personnel Carriers" groups.
    assert (totals["tank"], totals["apc"]) == (1673, 3787)


# --- day numbers count from the conflict start, not from the data set's day one ----------------
def test_days_count_from_the_start_given():
    # The bundled file's records say day 2 for 2022-02-25 (its day one, series.yaml: 2022-02-24);
    # a case starting on 2022-02-20 numbers the same date day 6, and its day 46 is 2022-04-06.
    frame = losses.load_equipment_losses(start=dt.date(2022, 2, 20))
    assert frame["day"].iloc[0] == 6
    assert losses.claimed_by(46, "tank", frame) == 684
    assert losses.claimed_losses("2022-04-06", frame).day == 46


def test_a_start_after_the_first_record_is_refused():
    with pytest.raises(LossDataError, match=r"2022-02-25: field 'date' must be on or after 2025-09-01 "
                                            r"\(day 1 of the conflict\)$"):
        losses.load_equipment_losses(start=dt.date(2025, 9, 1))


def test_no_start_and_no_notes_is_refused(tmp_path):
    with pytest.raises(LossDataError, match="no start date"):
        losses.load_equipment_losses(_write(tmp_path, GOOD))


def test_the_merge_and_snapshot_dates_are_data():
    notes = losses.load_series_notes(losses._default("", None))
    assert notes.day_one == dt.date(2022, 2, 24) and notes.merge.date == dt.date(2022, 5, 1)
    assert notes.confirmed.dates == (dt.date(2022, 12, 31), dt.date(2023, 2, 24))
    assert notes.categories == {"tank": "armour", "apc": "ifv"}


def test_up_to_drops_what_the_cut_off_excludes(raw):
    cut = losses.up_to(raw, dt.date(2022, 4, 11))
    assert cut.index[-1] == pd.Timestamp("2022-04-11") and len(cut) == 46 and cut.attrs["sha256"] == raw.attrs["sha256"]


# --- bad input ----------------------------------------------------------------------------------
START = dt.date(2022, 2, 24)
GOOD = [
    {"date": "2022-02-25", "day": 2, "tank": 80, "APC": 516},
    {"date": "2022-02-26", "day": 3, "tank": 146, "APC": 706},
    {"date": "2022-02-27", "day": 4, "tank": 150, "APC": 706},
]


def _write(tmp_path, records, name="equipment.json"):
    path = tmp_path / name
    path.write_text(records if isinstance(records, str) else json.dumps(records), encoding="utf-8")
    return path


def _with(index, **changes):
    records = [dict(r) for r in GOOD]
    for key, value in changes.items():
        if value is None:
            records[index].pop(key)
        else:
            records[index][key] = value
    return records


def test_good_small_file_loads(tmp_path):
    frame = losses.load_equipment_losses(_write(tmp_path, GOOD), start=START)
    assert frame["tank"].tolist() == [80, 146, 150]
    assert frame["aircraft"].isna().all()


@pytest.mark.parametrize("records, pattern", [
    ("[{", r"not JSON \("),
    ('{"date": "2022-02-25"}', "expected a JSON list of records; got dict"),
    ("[]", "no records"),
    (_with(1, date=None), r"record 2 \(after 2022-02-25\): field 'date' missing"),
    (_with(1, date="26/02/2022"), r"record 2 \(after 2022-02-25\): field 'date' must be an ISO date"),
    (_with(1, tank=-3), r"2022-02-26: field 'tank' must be a whole number >= 0 or absent; got -3"),
    (_with(2, APC="706"), r"2022-02-27: field 'APC' must be a whole number >= 0 or absent; got '706'"),
    (_with(2, APC=7.5), r"2022-02-27: field 'APC' must be a whole number"),
    (_with(1, day=4), r"2022-02-26: field 'day' must be 3 \(day 1 = 2022-02-24\); got 4"),
    (_with(0, day=None), r"2022-02-25: field 'day' must be 2"),
    (_with(2, date="2022-02-28", day=5), r"2022-02-28: field 'date' must be the next day after .*2022-02-26"),
    (_with(1, date="2022-02-25", day=2), r"2022-02-25: field 'date' must be the next day after"),
    (_with(0, tanks=3), r"2022-02-25: unknown field 'tanks'; allowed: "),
    ([1, 2], r"record 1: must be a JSON object; got int"),
])
def test_bad_equipment_file(tmp_path, records, pattern):
    path = _write(tmp_path, records)
    with pytest.raises(LossDataError, match=pattern) as caught:
        losses.load_equipment_losses(path, start=START)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path))
    assert isinstance(caught.value, ValueError)


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(LossDataError, match="loss data file not found"):
        losses.load_equipment_losses(tmp_path / "absent.json", start=START)
    with pytest.raises(LossDataError, match="not a regular file; give the path of a JSON file"):
        losses.load_personnel_losses(tmp_path, start=START)
    (tmp_path / "latin1.json").write_bytes(b"[\xe9]")
    with pytest.raises(LossDataError, match="not UTF-8"):
        losses.load_confirmed(replace(CONFIRMED, path=tmp_path / "latin1.json"))


def _confirmed(path):
    return losses.load_confirmed(replace(CONFIRMED, path=path))


def test_bad_confirmed_file(tmp_path):
    row = {"equipment_oryx": "Tanks", "model": "T-72B", "manufacturer": "the Soviet Union",
           "losses_total": 5, "equipment_ua": "Tanks"}
    with pytest.raises(LossDataError, match=r"record 1: field 'losses_total' must be a whole number >= 0"):
        _confirmed(_write(tmp_path, [row | {"losses_total": -1}]))
    with pytest.raises(LossDataError, match=r"record 2: field 'equipment_ua' must be one of Tanks"):
        _confirmed(_write(tmp_path, [row, row | {"equipment_ua": "Tonks"}]))
    assert _confirmed(_write(tmp_path, [row]))["category"].tolist() == ["tank"]


def test_bad_corrections_file(tmp_path):
    records = [{"date": "2022-10-13", "day": 231, "APC": -25}, {"date": "2022-10-13", "day": 232, "APC": 1}]
    with pytest.raises(LossDataError, match=r"2022-10-13: field 'date' must be a later date than"):
        losses.load_corrections(_write(tmp_path, records), start=START)
    assert losses.load_corrections(_write(tmp_path, records[:1]), start=START)["apc"].tolist() == [-25]
