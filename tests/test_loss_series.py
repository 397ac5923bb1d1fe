"""A loss series in the plain CSV format, supplied by a case folder: the loader against values worked
out by hand, and every bad input refused before any kernel starts, naming file, row and field."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estimates.errors import InputError
from estimates.inputs import loss_claims as losses
from estimates.inputs.loss_claims import LossDataError
from estimates.parameters.schema import with_case
from estimates.registry import MODELS

ESTIMATES = Path(sys.executable).with_name("estimates")

#: The bundled case starts on 2022-02-24 (day 1); its count describes 2022-04-06 (day 42) and its
#: cut-off is 2022-04-11. The last row is after the cut-off and must not be read.
SERIES = """date,category,cumulative
2022-03-01,tank,100
2022-04-01,tank,500
2022-04-10,tank,700
2022-04-12,tank,900
"""


def _case(folder: Path, series: str = SERIES, categories: str = "{tank: armour}") -> Path:
    """``estimates case new`` then the edits the brief names: a CSV series and its category map."""
    subprocess.run([str(ESTIMATES), "case", "new", str(folder)], check=True, capture_output=True)
    (folder / "losses.csv").write_text(series, encoding="utf-8")
    text = (folder / "case.yaml").read_text(encoding="utf-8")
    # The series are the case's own now: they rest on none of the bundled claims.
    text = re.sub(r"\n  (personnel_)?losses_path: uags-.*", "", text)
    text = re.sub(r"\n  losses_path: .*", "", text)
    text = text.replace("\nparameters:\n", f"\nloss_categories: {categories}\n\nparameters:\n  losses_path: losses.csv\n", 1)
    (folder / "case.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def case(tmp_path_factory) -> Path:
    return _case(tmp_path_factory.mktemp("csv-case") / "case")


def _params(folder: Path, **values):
    return with_case({"case": str(folder), "n_samples": 1000, **values})


# --- the loader, by hand ----------------------------------------------------------------------------
def test_csv_loader_against_hand_computed_days_and_totals(case):
    frame = losses.load_loss_csv(case / "losses.csv", start=dt.date(2022, 2, 24))
    # Day numbers: 2022-03-01 is 5 days after 2022-02-24 (day 1), so day 6; 2022-04-01 day 37.
    assert frame["day"].tolist() == [6, 37, 46, 48]
    assert frame["tank"].tolist() == [100.0, 500.0, 700.0, 900.0]
    # The total by a date is the last report on or before it: 500 on 2022-04-06 (day 42).
    assert losses.claimed_by("2022-04-06", "tank", frame) == 500.0
    assert losses.claimed_by(45, "tank", frame) == 500.0 and losses.claimed_by(46, "tank", frame) == 700.0
    with pytest.raises(ValueError, match=r"day 5 has no record; the data run from day 6 \(2022-03-01\)"):
        losses.claimed_by(5, "tank", frame)


def test_the_model_reads_the_csv_to_the_cut_off_and_maps_its_category(case):
    params = _params(case)
    model = MODELS["losses"]
    data = model.load(params)
    assert data.categories == {"tank": "armour"} and data.confirmed is None
    # The 2022-04-12 row is after the cut-off (2022-04-11): not read.
    assert data.equipment.index[-1] == pd.Timestamp("2022-04-10")
    result = model.assess(params, data)
    claimed = result.check.claimed
    assert (claimed.as_of, claimed.day, claimed.tank, claimed.apc) == (dt.date(2022, 4, 6), 42, 500.0, 0.0)
    section = result.to_dict()
    # No confirmed-losses file: no bound, and the run still completes.
    assert section["confirmed_bound"] == [] and section["inputs"]["ifv_per_unit"] is None
    # A file other than the declared default cites no claim unless the case says which.
    assert section["claims"]["losses"] is None and section["source"] == "losses.csv"
    # Armour per unit from the holdings row 'armour' (8-13); the second category holds nothing.
    # Mean loss fraction = share * 500 / (f * N * tanks): its draws are positive and finite.
    assert np.isfinite(result.check.mean_loss_fraction).all() and (result.check.mean_loss_fraction > 0).all()
    assert "uags-armour-losses" not in model.implementation.claim_ids(params, data)
    # The check still places the count: a CSV series with one category is checked like the bundled one.
    assert section["check"]["reported"] == params.units_ineffective and section["concentration_scan"]


def test_one_category_only_is_the_closed_form_even_spread():
    # Everything fixed and losses spread evenly (huge concentration): every unit loses
    # 0.5 * 125 * 10 / (125 * 10) = 50% of its armour, past a threshold of 0.4, so all 125 are
    # ineffective; with no second category its holdings count for nothing.
    from estimates.models.losses.crosscheck import assess_losses

    result = assess_losses((0.5 * 125 * 10, 0.0), rng=np.random.default_rng(1), n_samples=500,
                           units_committed_low=125, units_committed_high=125, armour_per_unit=(10, 10),
                           ifv_per_unit=None, overcount_90=(1, 1), threshold_90=(0.4, 0.4), share_on_units=1.0,
                           concentration=1e7, grid_overcount=(1.0,), grid_concentration=(1.0,))
    assert (result.ineffective == 125).all() and result.mean_loss_fraction == pytest.approx(0.5)
    with pytest.raises(ValueError, match="need ifv_per_unit"):
        assess_losses((10.0, 5.0), rng=np.random.default_rng(1), n_samples=10, ifv_per_unit=None)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 10_000)), min_size=1, max_size=15,
                unique_by=lambda row: row[0]))
def test_claimed_by_is_the_last_report_on_or_before(tmp_path_factory, rows):
    start = dt.date(2024, 6, 15)
    path = tmp_path_factory.mktemp("series") / "s.csv"
    path.write_text("date,category,cumulative\n" + "".join(
        f"{start + dt.timedelta(days=offset)},tank,{count}\n" for offset, count in rows), encoding="utf-8")
    frame = losses.load_loss_csv(path, start=start)
    ordered = sorted(rows)
    for day in range(ordered[0][0] + 1, ordered[-1][0] + 2):
        expected = [count for offset, count in ordered if offset + 1 <= day][-1]
        assert losses.claimed_by(day, "tank", frame) == expected


# --- bad input, one line each -------------------------------------------------------------------------
@pytest.mark.parametrize("text, pattern", [
    ("date,category,cumulative\n2022-03-01,tonk,5\n", r"line 2: field 'category': 'tonk' is not in the case's "
                                                     r"loss_categories \(mapped: tank\)$"),
    ("date,category,cumulative\n2022-02-20,tank,5\n", r"line 2: field 'date' must be on or after 2022-02-24"),
    ("date,category,cumulative\n2022-03-01,tank,-5\n", r"line 2: field 'cumulative' must be a whole number >= 0"),
    ("date,category,cumulative\n2022-03-01,tank,5.5\n", r"line 2: field 'cumulative' must be a whole number"),
    ("date,category,cumulative\n03/01/2022,tank,5\n", r"line 2: field 'date' must be an ISO date"),
    ("date,category,cumulative\n2022-03-01,tank,5\n2022-03-01,tank,6\n", r"line 3: field 'date'.* repeat line 2$"),
    ("date,category\n2022-03-01,tank\n", r"missing column 'cumulative'"),
    ("date,category,cumulative,note\n", r"unknown column 'note'"),
])
def test_bad_rows(tmp_path, text, pattern):
    path = tmp_path / "losses.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LossDataError, match=pattern) as caught:
        losses.load_loss_csv(path, start=dt.date(2022, 2, 24), categories=("tank",))
    assert "\n" not in str(caught.value) and str(caught.value).startswith(str(path))


def test_an_unknown_suffix_is_refused(tmp_path):
    with pytest.raises(LossDataError, match=r"unknown format '\.txt'"):
        losses.load_loss_series(tmp_path / "l.txt", start=dt.date(2022, 2, 24))


def test_a_bad_category_stops_the_run_before_any_kernel_with_exit_2(tmp_path):
    folder = _case(tmp_path / "case", SERIES + "2022-04-13,tonk,3\n")
    run = subprocess.run([str(ESTIMATES), "run", "--case", str(folder), "--out", str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr
    message = run.stderr.strip()
    assert len(message.splitlines()) == 1
    assert f"{folder / 'losses.csv'}: line 6: field 'category': 'tonk'" in message
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.ipynb"))


@pytest.mark.parametrize("categories, pattern", [
    ("{tank: ifv}", r"case\.yaml: setting 'loss_categories': no loss category maps to 'armour'"),
    ("{tank: armour, tunk: ifv}", r"case\.yaml: setting 'loss_categories': 'tunk' is not a category of losses\.csv"),
    ("{tank: personnel}", r"'tank' maps to 'personnel'; the loss model counts the holdings categories armour and ifv"),
])
def test_bad_mappings_are_input_errors_naming_case_yaml(tmp_path, categories, pattern):
    folder = _case(tmp_path / "case", categories=categories)
    with pytest.raises(InputError, match=pattern) as caught:
        MODELS["losses"].load(_params(folder))
    assert "\n" not in str(caught.value)


def test_a_holdings_file_without_armour_is_an_input_error(tmp_path):
    folder = _case(tmp_path / "case")
    holdings = folder / "btg_holdings.csv"
    holdings.write_text("\n".join(line for line in holdings.read_text().splitlines()
                                  if not line.startswith("armour,")) + "\n")
    with pytest.raises(InputError, match=r"^parameter 'holdings_path': \S+btg_holdings\.csv: no row with "
                                         r"category 'armour'; the loss model needs"):
        MODELS["losses"].load(_params(folder))


def test_a_holdings_row_at_theatre_level_is_an_input_error(tmp_path):
    folder = _case(tmp_path / "case")
    holdings = folder / "btg_holdings.csv"
    lines = holdings.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("armour,"))
    fields = lines[at].split(",")
    fields[2] = "theatre"
    lines[at] = ",".join(fields)
    holdings.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=rf"line {at + 1}: field 'level' must be the unit level for 'armour'"):
        MODELS["losses"].load(_params(folder))


def test_a_csv_without_loss_categories_is_refused(tmp_path):
    folder = _case(tmp_path / "case")
    text = (folder / "case.yaml").read_text().replace("loss_categories: {tank: armour}\n", "")
    (folder / "case.yaml").write_text(text)
    with pytest.raises(InputError, match=r"case\.yaml: setting 'loss_categories' missing; a CSV loss series"):
        MODELS["losses"].load(_params(folder))


def test_a_personnel_csv_feeds_the_tempo_from_the_case_start(tmp_path):
    folder = _case(tmp_path / "case")
    # 100 a day from day 1 (2022-02-24): the total dated day d covers d days of fighting, 100 d.
    rows = "".join(f"{dt.date(2022, 2, 24) + dt.timedelta(days=d - 1)},personnel,{100 * d}\n"
                   for d in range(2, 50))
    (folder / "personnel.csv").write_text("date,category,cumulative\n" + rows)
    params = _params(folder, personnel_losses_path=str(folder / "personnel.csv"))
    section = MODELS["lanchester"].compute_section(params)
    fits = {fit["shape"]: fit for fit in section["tempo"]["fits"]}
    # Exactly 100 a day: the constant-rate coefficient is 100; the fit stops at day 42.
    assert fits["constant-rate"]["coefficient"] == pytest.approx(100.0, rel=1e-9)
    assert section["tempo"]["days"][-1] == 42 and section["source"] == "personnel.csv"
    bad = folder / "bad.csv"
    bad.write_text("date,category,cumulative\n2022-03-01,killed,5\n")
    with pytest.raises(InputError, match=r"bad\.csv: line 2: field 'category': 'killed' is not in the case's "
                                         r"personnel series \(mapped: personnel\)$"):
        MODELS["lanchester"].load(_params(folder, personnel_losses_path=str(bad)))
