"""CDB90 loader and the historical Lanchester calibration: known values, bad files, the slope
against statsmodels, recovery of each law's slope from simulated battles, and symmetry."""

from __future__ import annotations

import csv
import json
import shutil

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from estimates.inputs import battles
from estimates.inputs.battles import BattleDataError, load_battles
from estimates.inputs.files import LedgerError
from estimates.models.lanchester import history as lanchester_history
from estimates.models.lanchester.equations import LAWS, daily
from estimates.models.lanchester.history import LAW_SLOPES, fit_history, slope_fit
from estimates.paths import CDB90_DIR


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return load_battles()


@pytest.fixture(scope="module")
def history() -> lanchester_history.LanchesterHistory:
    return fit_history()


def _csv_rows(name: str) -> list[dict]:
    with open(CDB90_DIR / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# --- known values ----------------------------------------------------------------------------------
def test_one_row_per_battle(frame):
    # 660 battles in battles.csv (660 data lines), 1,320 belligerent rows, years 1600 to 1982.
    assert len(frame) == 660 and frame["isqno"].is_unique
    assert frame["isqno"].tolist() == list(range(1, 661))
    assert (frame["year"].min(), frame["year"].max()) == (1600, 1982)
    assert len(_csv_rows(battles.BELLIGERENTS_FILE)) == 2 * len(frame)
    assert set(frame.attrs["sha256"]) == {"battles.csv", "belligerents.csv", "battle_durations.csv"}


def test_values_match_the_csv_text(frame):
    # Read by the csv module, not pandas: battle 1 (Nieuport), 304 (First Somme) and the first side
    # whose initial strength is empty, where the loader must fall back on the total strength.
    rows = _csv_rows(battles.BELLIGERENTS_FILE)
    fallback = next(r for r in rows if r["intst"] == "" and r["str"] != "")
    for row in [r for r in rows if r["isqno"] in ("1", "304")] + [fallback]:
        side = "attacker" if row["attacker"] == "1" else "defender"
        battle = frame.set_index("isqno").loc[int(row["isqno"])]
        expected = float(row["intst"] or row["str"])
        assert battle[f"{side}_strength"] == expected
        assert battle[f"{side}_strength_source"] == ("intst" if row["intst"] else "str")
        assert battle[f"{side}_casualties"] == float(row["cas"])
        assert battle[f"{side}_name"] == row["nam"]
    nieuport = frame.set_index("isqno").loc[1]
    # battles.csv and battle_durations.csv, line 2: NIEUPORT, 1600-07-02T14:30, duration2 0.25.
    assert (nieuport["name"], nieuport["year"], nieuport["active_days"]) == ("NIEUPORT", 1600, 0.25)
    assert (nieuport["attacker_strength"], nieuport["defender_casualties"]) == (11500, 1000)


def test_reinforcements_and_parents(frame):
    by = frame.set_index("isqno")
    # isqno 102 attacker: intst 6100, rerp 10900, str 17000 (code 3, total engaged).
    row = by.loc[102]
    assert (row["attacker_strength"], row["attacker_reinforcements"], row["attacker_total_strength"]) == (6100, 10900, 17000)
    assert row["attacker_strength_code"] == 3 and bool(row["attacker_reinforced"])
    assert not bool(by.loc[1, "attacker_reinforced"])  # rerp 0
    assert frame["parent"].notna().sum() == 36 and by.loc[305, "parent"] == 304
    assert by.loc[657, ["attacker_strength", "defender_strength"]].isna().all()


# --- bad files -------------------------------------------------------------------------------------
@pytest.fixture
def copy(tmp_path):
    for name in (battles.BATTLES_FILE, battles.BELLIGERENTS_FILE, battles.DURATIONS_FILE):
        shutil.copy(CDB90_DIR / name, tmp_path / name)
    return tmp_path


def _edit(folder, name, old, new, count=1):
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


NIEUPORT_ATTACKER = '1,1,"SP NETHERLANDS ARMY","ALBERT OF AUSTRIA","11500",1,"11500",0,"4000"'


@pytest.mark.parametrize("name, old, new, match", [
    ("belligerents.csv", '"intst"', '"initial"', r"belligerents\.csv: missing column 'intst'"),
    ("belligerents.csv", NIEUPORT_ATTACKER, NIEUPORT_ATTACKER.replace('"11500",1,"11500"', '"11500",1,"11,500"'),
     r"belligerents\.csv: isqno 1 \(attacker\): field 'intst' must be a whole number >= 0 or empty; got '11,500'"),
    ("belligerents.csv", NIEUPORT_ATTACKER, NIEUPORT_ATTACKER.replace('"4000"', '"-1"'),
     r"isqno 1 \(attacker\): field 'cas' must be a whole number >= 0 or empty; got '-1' \(-1 is the original's"),
    ("belligerents.csv", NIEUPORT_ATTACKER, NIEUPORT_ATTACKER.replace('"11500",1,"11500"', '"abc",1,"11500"'),
     r"isqno 1 \(attacker\): field 'str' must be"),
    ("belligerents.csv", NIEUPORT_ATTACKER, NIEUPORT_ATTACKER.replace('"11500",1,"11500"', '"11500",7,"11500"'),
     r"isqno 1 \(attacker\): field 'code' must be 1, 2, 3 or empty"),
    ("belligerents.csv", '\n1,0,"DU ARMY', '\n1,1,"DU ARMY', r"isqno 1 \(attacker\): field 'attacker': duplicate row"),
    ("belligerents.csv", '\n1,0,"DU ARMY', '\n1,2,"DU ARMY', r"isqno 1: field 'attacker' must be 1 \(attacker\) or 0"),
    ("battles.csv", '\n2,"THIRTY', '\n1,"THIRTY', r"battles\.csv: isqno 1: field 'isqno': duplicate battle"),
    ("battles.csv", '\n2,"THIRTY', '\nx,"THIRTY', r"battles\.csv: line 3: field 'isqno' must be a whole number"),
    ("battle_durations.csv", '"1600-07-02T14:30:00"', '"2 July 1600"',
     r"battle_durations\.csv: isqno 1: field 'datetime_min' must be an ISO date-time"),
    ("battle_durations.csv", '"duration2"', '"hours"', r"battle_durations\.csv: missing column 'duration2'"),
])
def test_bad_files_give_one_line_naming_the_field(copy, name, old, new, match):
    _edit(copy, name, old, new)
    with pytest.raises(BattleDataError, match=match) as caught:
        load_battles(copy)
    assert "\n" not in str(caught.value) and isinstance(caught.value, LedgerError)


def test_missing_side(copy):
    path = copy / battles.BELLIGERENTS_FILE
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith('1,0,')), encoding="utf-8")
    with pytest.raises(BattleDataError, match=r"isqno 1: field 'attacker': no defender row \(attacker = 0\)"):
        load_battles(copy)


def test_missing_file(copy):
    (copy / battles.DURATIONS_FILE).unlink()
    with pytest.raises(BattleDataError, match=r"battle_durations\.csv: CDB90 battle durations file not found"):
        load_battles(copy)


# --- the calibration on CDB90 ----------------------------------------------------------------------
def test_real_data_counts_and_record(history):
    # 36 parts of other battles, battle 657 (no strengths), 637/654/658/659/660 (a casualty missing).
    assert history.n_battles == 660 and history.n_used == 618 and history.n_dropped == 42
    assert history.dropped == {"part_of_other_battle": 36, "strength_unknown": 1, "casualties_unknown": 5,
                               "zero_casualties": 0}
    assert set(history.by_era) == {"before 1900", "1900 on"}
    assert sum(f.n for f in history.by_era.values()) == history.n_used
    text = json.dumps(history.to_dict())
    assert len(text) < 30_000
    record = json.loads(text)
    assert len(record["scatter"]["log_force_ratio"]) == history.n_used
    assert record["verdicts"] == history.verdicts() and record["fit"]["interval"]["level"] == 0.9
    assert list(history.summary().index) == ["all battles", "before 1900", "1900 on"]


def test_slope_agrees_with_statsmodels_and_polyfit(history):
    used = history.table[history.table["used"]]
    x, y = used["log_force_ratio"].to_numpy(), used["log_exchange_ratio"].to_numpy()
    ols = sm.OLS(y, sm.add_constant(x)).fit()
    assert history.slope == pytest.approx(ols.params[1], rel=1e-10)
    assert history.intercept == pytest.approx(ols.params[0], rel=1e-10)
    low, high = ols.conf_int(alpha=0.10)[1]
    assert (history.interval().low, history.interval().high) == pytest.approx((low, high), rel=1e-10)
    assert history.slope == pytest.approx(np.polyfit(x, y, 1)[0], rel=1e-10)
    hc3 = sm.OLS(y, sm.add_constant(x)).fit(cov_type="HC3", use_t=True).conf_int(alpha=0.10)[1]
    robust = history.interval(robust=True)
    assert (robust.low, robust.high) == pytest.approx(tuple(hc3), rel=1e-10)
    assert robust.high - robust.low != pytest.approx(high - low)  # a different interval, not a copy
    verdicts = history.verdicts()
    assert all(verdicts[law]["inside"] == (low <= s <= high) for law, s in LAW_SLOPES.items())


def test_loss_cap_drops_battles_with_large_losses(frame):
    capped = fit_history(frame, loss_cap=0.1)
    used = capped.table[capped.table["used"]]
    assert (used[["attacker_loss_fraction", "defender_loss_fraction"]].max(axis=1) <= 0.1).all()
    assert capped.n_used + capped.dropped["above_loss_cap"] == fit_history(frame).n_used


def test_fit_rejects_bad_arguments(frame):
    with pytest.raises(ValueError, match="battles lacks column 'defender_casualties'"):
        fit_history(frame.drop(columns="defender_casualties"))
    with pytest.raises(ValueError, match=r"level must be in \(0, 1\); got 1.5"):
        fit_history(frame, level=1.5)
    with pytest.raises(ValueError, match="loss_cap must be a fraction > 0 or None; got 0"):
        fit_history(frame, loss_cap=0)
    with pytest.raises(ValueError, match="need at least 3 battles"):
        slope_fit([0.0, 1.0], [0.0, 1.0])


def test_plot_draws_the_scatter(history):
    import matplotlib.pyplot as plt

    ax = history.plot()
    assert ax.get_title() and "force ratio" in ax.get_xlabel()
    assert sum(len(c.get_offsets()) for c in ax.collections) == history.n_used
    plt.close(ax.figure)


# --- recovery of each law from simulated battles --------------------------------------------------
def synthetic_battles(law: str, n: int, rng: np.random.Generator, scale: float = 1e4) -> pd.DataFrame:
    """``n`` battles stepped by :func:`estimates.models.lanchester.equations.daily` under ``law``, with losses of about
    1% a side (a few % where the force ratio is extreme) and a/b varying from battle to battle."""
    shape = LAWS[law]
    m0, n0 = scale * np.exp(rng.normal(0, 0.6, n)), scale * np.exp(rng.normal(0, 0.6, n))
    days = rng.integers(1, 4, n)
    # Coefficients scaled so a side loses about 1% in all at even odds, whatever the law's units.
    a = 0.01 * np.exp(rng.normal(0, 0.3, n)) / (days * scale ** (shape.m_own + shape.m_enemy - 1))
    b = 0.01 * np.exp(rng.normal(0, 0.3, n)) / (days * scale ** (shape.n_own + shape.n_enemy - 1))
    out = []
    for i in range(n):
        run = daily(a[i], b[i], m0[i], n0[i], law=law, days=int(days[i]))
        out.append((m0[i], n0[i], run.casualties_m[-1], run.casualties_n[-1]))
    return pd.DataFrame(out, columns=list(lanchester_history.REQUIRED))


@pytest.mark.parametrize("law", ["square", "linear", "logarithmic"])
def test_recovers_each_laws_slope(law):
    trials, inside = 20, 0
    for seed in range(trials):
        fit = fit_history(synthetic_battles(law, 80, np.random.default_rng([seed, 7])), era_split=None)
        inside += fit.verdicts()[law]["inside"]
        # The other laws' slopes are 1 or 2 away; with 80 battles they are always excluded.
        assert not any(v["inside"] for other, v in fit.verdicts().items() if other != law)
    # Nominal coverage 90%: 18 of 20 expected; 17 of 20 seen with these seeds.
    assert inside >= 15


# --- symmetry --------------------------------------------------------------------------------------
positive = st.floats(min_value=1.0, max_value=1e6, allow_nan=False)


@st.composite
def battle_sets(draw):
    n = draw(st.integers(min_value=4, max_value=30))
    rows = draw(st.lists(st.tuples(positive, positive, positive, positive), min_size=n, max_size=n))
    frame = pd.DataFrame(rows, columns=list(lanchester_history.REQUIRED))
    # The slope needs at least two distinct force ratios and two distinct exchange ratios.
    assume(np.ptp(np.log(frame["attacker_strength"] / frame["defender_strength"])) > 1e-3)
    assume(np.ptp(np.log(frame["attacker_casualties"] / frame["defender_casualties"])) > 1e-3)
    return frame


@settings(max_examples=60, deadline=None)
@given(battle_sets())
def test_swapping_sides_leaves_the_slope(frame):
    swapped = frame.rename(columns={"attacker_strength": "defender_strength", "defender_strength": "attacker_strength",
                                    "attacker_casualties": "defender_casualties",
                                    "defender_casualties": "attacker_casualties"})
    one, two = fit_history(frame, era_split=None), fit_history(swapped, era_split=None)
    assert two.slope == pytest.approx(one.slope, rel=1e-9, abs=1e-9)
    assert two.intercept == pytest.approx(-one.intercept, rel=1e-9, abs=1e-9)
    # The robust interval's half-width is a square root of a small difference: for a near-perfect
    # fit it is ~1e-9 of rounding on either side (a fresh Hypothesis run found 0 against 3e-9), so
    # its ends agree to 1e-6, far below any real asymmetry between the sides.
    assert (two.interval().low, two.interval().high) == pytest.approx((one.interval().low, one.interval().high),
                                                                      rel=1e-9, abs=1e-6)


def test_choosing_battles_by_their_losses_pushes_the_slope_up():
    """Why the briefing calls the small-loss slope no evidence for the logarithmic law: battles
    simulated under the square law (slope -1) by its small-loss form, with loss fractions spread
    around 10%, give about -1 over all battles but a clearly higher slope once those with more than
    10% lost are dropped, because the cap acts on the response."""
    rng = np.random.default_rng(0)
    n = 4000
    log_ratio, force = rng.normal(0, 0.6, n), np.exp(rng.normal(9, 1.5, n))
    attacker, defender = force * np.exp(log_ratio / 2), force * np.exp(-log_ratio / 2)
    duration = np.exp(rng.normal(0, 1, n))
    a, b = 0.08 * np.exp(rng.normal(0, 0.8, n)), 0.08 * np.exp(rng.normal(0, 0.8, n))
    battles = pd.DataFrame({
        "attacker_strength": attacker, "defender_strength": defender,
        # square law, small losses: each side's losses are the other side's strength x coefficient x time
        "attacker_casualties": np.round(np.minimum(a * defender * duration, attacker)),
        "defender_casualties": np.round(np.minimum(b * attacker * duration, defender)),
        "year": 1900,
    })
    battles = battles[(battles["attacker_casualties"] > 0) & (battles["defender_casualties"] > 0)]
    every = fit_history(battles, era_split=None)
    capped = fit_history(battles, era_split=None, loss_cap=0.1)
    assert every.interval().low < -1 < every.interval().high
    assert capped.slope > every.slope + 0.3 and capped.interval().low > -1
