"""Lanchester engine: Engel's Iwo Jima, invariants, the terminal event, fitting and its coverage."""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estimates.errors import InputError
from estimates.models.lanchester import equations as L
from estimates.models.lanchester import fitting as F
from estimates.models.lanchester.equations import IWO_JIMA, daily, iwo_jima, simulate
from estimates.models.lanchester.fitting import fit, fit_one_sided
from estimates.parameters.schema import validate
from estimates.registry import MODELS
from estimates.report.provenance import relative_path

coefficients = st.floats(min_value=1e-3, max_value=0.1)
strengths = st.floats(min_value=100.0, max_value=1e5)


def _engel_recurrence(previous_day: bool, days: int = 35) -> float:
    # Independent transcription of Engel's difference equations for Iwo Jima (square law).
    a, b, landings = 0.0544, 0.0106, {1: 54_000, 3: 6_000, 6: 13_000}
    us, jp, landed = 0.0, 21_500.0, 0.0
    for d in range(1, days + 1):
        landed += landings.get(d, 0)
        fire_us, fire_jp = (us, jp) if previous_day else (us + landings.get(d, 0), jp)
        us, jp = max(us + landings.get(d, 0) - a * fire_jp, 0.0), max(jp - b * fire_us, 0.0)
    return landed - us


# --- Engel (1954), Iwo Jima --------------------------------------------------------------------


def test_engel_landings_first_gives_his_figure():
    # Engel (1954): his coefficients in daily steps give about 20,700 US casualties by day 35.
    casualties = iwo_jima("landings-first").at(35)["US casualties"]
    assert casualties == pytest.approx(20_700, rel=0.01)
    assert casualties == pytest.approx(_engel_recurrence(previous_day=False), rel=1e-12)
    # and the recorded ~20,860 is within 1% of it too: the fit Engel reported is a good one
    assert casualties == pytest.approx(IWO_JIMA.recorded_casualties_m[35], rel=0.01)


def test_engel_previous_day_convention():
    # "About 22,200" is rounded to the hundred, so it pins the figure to +-0.5% at most; the exact
    # value is checked against the independent recurrence above.
    casualties = iwo_jima("previous-day").at(35)["US casualties"]
    assert casualties == pytest.approx(22_200, rel=0.005)
    assert casualties == pytest.approx(_engel_recurrence(previous_day=True), rel=1e-12)
    # Day 1: the landing force takes a full day's fire from 21,500 Japanese and returns none.
    day1 = iwo_jima("previous-day").at(1)
    assert day1["US casualties"] == pytest.approx(0.0544 * 21_500)
    assert day1["Japanese casualties"] == 0.0


def test_continuous_is_below_the_daily_form_by_discretisation():
    # The daily form charges a whole day's losses at the start-of-day strengths, so the Japanese
    # fire all day at their morning strength; continuously they are killed during the day.
    continuous = iwo_jima("continuous").at(35)["US casualties"]
    stepped = iwo_jima("landings-first").at(35)["US casualties"]
    assert 0.015 < (stepped - continuous) / stepped < 0.035
    # Same equations in 1/k-day steps (coefficients per step a/k, landings at the start of
    # their day) close the gap monotonically: it is the step, not the law.
    gaps = []
    for k in (1, 2, 5, 20):
        fine = daily(0.0544 / k, 0.0106 / k, 0, 21_500, days=35 * k,
                     reinforcements_m={1: 54_000, 2 * k + 1: 6_000, 5 * k + 1: 13_000})
        gaps.append(fine.casualties_m[-1] - continuous)
    assert all(g1 > g2 > 0 for g1, g2 in zip(gaps, gaps[1:]))
    assert gaps[-1] / continuous < 0.003


def test_continuous_iwo_jima_annihilation_and_bookkeeping():
    t = iwo_jima("continuous")
    # Japanese annihilated late on day 36 (t in (35, 36)); US never
    assert 35 < t.annihilated_n < 36 and t.annihilated_m is None
    assert t.received_m[-1] == 73_000 and t.n[-1] == 0
    assert t.casualties_n[-1] == pytest.approx(21_500)
    json.dumps(t.to_dict())


# --- invariants of the continuous solution ------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(a=coefficients, b=coefficients, m0=strengths, n0=strengths)
def test_square_law_invariant(a, b, m0, n0):
    t = simulate(a, b, m0, n0, law="square", days=10)
    both = (t.m > 0) & (t.n > 0)
    invariant = b * t.m[both] ** 2 - a * t.n[both] ** 2
    scale = b * m0**2 + a * n0**2
    assert np.allclose(invariant, b * m0**2 - a * n0**2, rtol=0, atol=1e-7 * scale)


@settings(max_examples=40, deadline=None)
@given(a=st.floats(1e-7, 1e-5), b=st.floats(1e-7, 1e-5), m0=strengths, n0=strengths)
def test_linear_law_invariant(a, b, m0, n0):
    # dM/dN = a/b, so b M - a N is conserved
    t = simulate(a, b, m0, n0, law="linear", days=10)
    scale = b * m0 + a * n0
    assert np.allclose(b * t.m - a * t.n, b * m0 - a * n0, rtol=0, atol=1e-7 * scale)


@settings(max_examples=40, deadline=None)
@given(a=coefficients, b=coefficients, m0=strengths, n0=strengths)
def test_logarithmic_law_closed_form(a, b, m0, n0):
    t = simulate(a, b, m0, n0, law="logarithmic", days=10)
    assert np.allclose(t.m, m0 * np.exp(-a * t.days), rtol=1e-7)
    assert np.allclose(t.n, n0 * np.exp(-b * t.days), rtol=1e-7)


@settings(max_examples=30, deadline=None)
@given(a=coefficients, b=st.floats(1e-7, 1e-5), m0=strengths, n0=strengths)
def test_mixed_law_invariant(a, b, m0, n0):
    # dM/dt = -a N, dN/dt = -b N M  =>  dM/dN = a / (b M), so b M^2 / 2 - a N is conserved
    t = simulate(a, b, m0, n0, law="mixed", days=10)
    live = t.m > 0
    scale = b * m0**2 / 2 + a * n0
    assert np.allclose(b * t.m[live] ** 2 / 2 - a * t.n[live], b * m0**2 / 2 - a * n0,
                       rtol=0, atol=1e-7 * scale)


@settings(max_examples=40, deadline=None)
@given(a=coefficients, b=coefficients, m0=strengths, ratio=st.floats(0.2, 0.95))
def test_terminal_event_at_the_analytic_time(a, b, m0, ratio):
    # Square law with b M0^2 > a N0^2: N(t) = N0 cosh(r t) - M0 sqrt(b/a) sinh(r t), r = sqrt(ab),
    # which is zero at tanh(r t*) = N0 sqrt(a/b) / M0; M is then sqrt((b M0^2 - a N0^2) / b).
    n0 = ratio * m0 * math.sqrt(b / a)
    r = math.sqrt(a * b)
    t_star = math.atanh(n0 * math.sqrt(a / b) / m0) / r
    days = math.ceil(t_star) + 1
    t = simulate(a, b, m0, n0, law="square", days=days)
    assert t.annihilated_n == pytest.approx(t_star, rel=1e-6)
    assert t.annihilated_m is None
    survivor = math.sqrt(m0**2 - a * n0**2 / b)
    # after the event nothing changes: the survivor holds its strength to the end
    assert t.m[-1] == pytest.approx(survivor, rel=1e-6)
    assert t.n[-1] == 0.0


def test_reinforcement_revives_an_annihilated_side():
    t = simulate(0.1, 0.1, 1000, 100, days=10, reinforcements_n={6: 500})
    assert t.annihilated_n is not None and t.annihilated_n < 5
    assert t.n[5] == 0 and t.n[6] > 0


# --- fitting -----------------------------------------------------------------------------------


def test_fit_recovers_noise_free_coefficients_every_method():
    for method in L.METHODS:
        truth = (daily(0.05, 0.01, 60_000, 20_000, days=20, convention=method)
                 if method != "continuous" else simulate(0.05, 0.01, 60_000, 20_000, days=20))
        f = fit(truth.days[1:], truth.m[1:], truth.n[1:], m0=60_000, n0=20_000, method=method)
        assert f.coefficients["a"] == pytest.approx(0.05, rel=1e-5)
        assert f.coefficients["b"] == pytest.approx(0.01, rel=1e-5)
        assert f.method == method
    json.dumps(f.to_dict())


def test_fit_recovers_engel_from_us_casualties_alone():
    # Engel had daily US figures only: US casualties alone identify both coefficients, because
    # the Japanese decline (b) shapes the US loss tempo.
    t = iwo_jima("landings-first")
    f = fit(t.days[1:36], t.casualties_m[1:36], m0=0, n0=21_500, quantity="casualties",
            reinforcements_m=IWO_JIMA.reinforcements_m)
    assert f.coefficients["a"] == pytest.approx(IWO_JIMA.a, rel=1e-6)
    assert f.coefficients["b"] == pytest.approx(IWO_JIMA.b, rel=1e-6)
    assert f.quantity == "casualties" and f.n_obs == 35


def test_fit_interval_coverage_200_trials():
    # Data from the landings-first daily form, both sides' strengths on days 1-25, with 5%
    # multiplicative (lognormal, sigma 0.05) noise; 90% intervals should cover in 85-95% of
    # trials (binomial sd of the rate over 200 trials is 2.1 points).
    a, b, m0, n0, days = 0.05, 0.01, 60_000, 20_000, 25
    truth = daily(a, b, m0, n0, days=days, reinforcements_m={5: 10_000})
    assert truth.n[-1] > 0
    covered = {"a": 0, "b": 0}
    for seed in range(200):
        rng = np.random.default_rng(seed)
        noisy_m = truth.m[1:] * np.exp(rng.normal(0, 0.05, days))
        noisy_n = truth.n[1:] * np.exp(rng.normal(0, 0.05, days))
        f = fit(truth.days[1:], noisy_m, noisy_n, m0=m0, n0=n0, reinforcements_m={5: 10_000})
        for name, value in (("a", a), ("b", b)):
            covered[name] += f.intervals[name].low <= value <= f.intervals[name].high
    for name, count in covered.items():
        assert 170 <= count <= 190, (name, count)


def test_compare_laws_prefers_the_generating_law():
    # 25 days of 5% noise: the square law should win the AIC ranking in nearly every trial.
    truth = daily(0.05, 0.01, 60_000, 20_000, days=25)
    wins = 0
    for seed in range(20):
        rng = np.random.default_rng(seed)
        noisy_m = truth.m[1:] * np.exp(rng.normal(0, 0.05, 25))
        noisy_n = truth.n[1:] * np.exp(rng.normal(0, 0.05, 25))
        comparison = F.compare_laws(truth.days[1:], noisy_m, noisy_n, m0=60_000, n0=20_000)
        table = comparison.summary()
        assert comparison.best.law == table.index[0]
        assert table["akaike_weight"].sum() == pytest.approx(1.0)
        wins += comparison.best.law == "square"
    assert wins >= 18
    json.dumps(comparison.to_dict())


# --- one side alone ----------------------------------------------------------------------------


def _one_sided_data(shape, rng, noise, days=60, m0=20_000):
    t = np.arange(1, days + 1, dtype=float)
    c = 250.0 if shape == "constant-rate" else 0.02
    increments = np.diff(np.concatenate([[0.0], F._one_sided_cumulative(shape, c, t, m0, {})]))
    if noise == "multiplicative":
        increments = increments * np.exp(rng.normal(0, 0.05, days))
    else:
        increments = increments + rng.normal(0, 0.05 * increments.mean(), days)
    return t, np.cumsum(increments), c


@pytest.mark.parametrize("shape", list(F.ONE_SIDED_SHAPES))
def test_one_sided_right_shape_wins_and_intervals_cover(shape):
    # 5% multiplicative noise on the daily increments, fitted as such; coverage of c over 200
    # seeded trials, and the generating shape's AIC lower in (nearly) all of them.
    wins, covered = 0, 0
    for seed in range(200):
        t, cumulative, c = _one_sided_data(shape, np.random.default_rng(seed), "multiplicative")
        result = fit_one_sided(t, cumulative, initial_strength=20_000, noise="multiplicative")
        wins += result.best.shape == shape
        mine = next(f for f in result.fits if f.shape == shape)
        covered += mine.interval.low <= c <= mine.interval.high
    assert wins >= 190
    assert 170 <= covered <= 190, covered


@pytest.mark.parametrize("shape", list(F.ONE_SIDED_SHAPES))
def test_one_sided_additive_default(shape):
    t, cumulative, c = _one_sided_data(shape, np.random.default_rng(3), "additive")
    result = fit_one_sided(t, cumulative, initial_strength=20_000)
    assert result.best.shape == shape
    assert result.best.coefficient == pytest.approx(c, rel=0.05)
    assert json.loads(json.dumps(result.to_dict()))["best"] == shape


def test_one_sided_reinforcement_closed_form_matches_the_engine():
    # Constant hazard with an arrival on day 11 is the logarithmic law with that reinforcement.
    t = np.arange(1, 31, dtype=float)
    closed = F._one_sided_cumulative("constant-hazard", 0.03, t, 10_000, {11: 5_000})
    engine = simulate(0.03, 0.0, 10_000, 1.0, law="logarithmic", days=30,
                      reinforcements_m={11: 5_000})
    assert np.allclose(closed, engine.casualties_m[1:], rtol=1e-7)


def test_one_sided_constant_rate_stops_when_used_up_and_resumes():
    # 1,000 troops lost at 100/day are gone by t = 10; 500 more land on day 16 (t = 15).
    t = np.arange(1, 21, dtype=float)
    lost = F._one_sided_cumulative("constant-rate", 100.0, t, 1_000, {16: 500})
    assert lost[9] == 1_000 and lost[14] == 1_000
    assert lost[15] == 1_100 and lost[19] == 1_500
    engine = simulate(100.0, 0.0, 1_000, 1.0, law="square", days=20, reinforcements_m={16: 500})
    assert np.allclose(lost, engine.casualties_m[1:], rtol=1e-7)


@pytest.mark.parametrize("residuals", F.RESIDUALS)
def test_one_sided_with_reinforcements_recovers_the_hazard(residuals):
    t = np.arange(1, 61, dtype=float)
    clean = F._one_sided_cumulative("constant-hazard", 0.02, t, 20_000, {21: 8_000})
    result = fit_one_sided(t, clean, initial_strength=20_000, reinforcements={21: 8_000},
                           residuals=residuals)
    assert result.best.shape == "constant-hazard"
    assert result.best.coefficient == pytest.approx(0.02, rel=1e-6)


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, match", [
    (dict(a=-0.1), r"^a must be a finite number >= 0; got -0.1$"),
    (dict(b=float("nan")), r"^b must be a finite number >= 0; got nan$"),
    (dict(m0=-5), r"^m0 must be a finite number >= 0; got -5.0$"),
    (dict(n0=-1), r"^n0 must be a finite number >= 0; got -1.0$"),
    (dict(law="quadratic"), r"^law must be one of square, linear, logarithmic, mixed, "
                            r"mixed-reversed; got 'quadratic'$"),
    (dict(convention="same-day"), r"^convention must be one of landings-first, previous-day; "
                                  r"got 'same-day'$"),
    (dict(days=0), r"^days must be a whole number >= 1; got 0$"),
    (dict(reinforcements_m={2: -10}), r"^reinforcements_m\[2\] must be a finite number >= 0"),
])
def test_bad_input_names_the_field(kwargs, match):
    args = dict(a=0.05, b=0.01, m0=1000, n0=1000, days=5)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        daily(args.pop("a"), args.pop("b"), args.pop("m0"), args.pop("n0"), **args)


def test_bad_fit_input():
    days = np.arange(1, 6)
    with pytest.raises(ValueError, match=r"^method must be one of continuous, landings-first"):
        fit(days, np.ones(5), m0=10, n0=10, method="weekly")
    with pytest.raises(ValueError, match=r"^observed_m must be > 0 with multiplicative noise"):
        fit(days, np.zeros(5), m0=10, n0=10)
    with pytest.raises(ValueError, match=r"^residuals must be one of increments, cumulative"):
        fit_one_sided(days, np.ones(5), initial_strength=10, residuals="daily")
    with pytest.raises(ValueError, match=r"^initial_strength must be a finite number >= 0"):
        fit_one_sided(days, np.ones(5), initial_strength=-10)


# --- the model's entry points -------------------------------------------------------------------------

def test_load_reads_every_file_once_and_assess_reads_none(monkeypatch):
    model = MODELS["lanchester"]
    params = validate({})
    data = model.load(params)
    assert {"claims.csv", "russia_losses_personnel.json", "battles.csv", "belligerents.csv"} <= {
        p.name for p in data.files}

    def no_reading(self, *args, **kwargs):
        raise AssertionError(f"{self} read after load")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    monkeypatch.setattr(Path, "read_text", no_reading)
    result = model.assess(params, data, sensitivity=True)
    assert model.key_judgments(params, data) == () and model.rng(params) is None
    section = model.section(params, data, result)
    assert set(section["data_files"]) == {relative_path(p) for p in data.files}
    summary = result.summary()
    assert summary.loc["claimed personnel losses / initial strength", "estimate"] == pytest.approx(18_600 / 150_000)
    assert "<table" in result._repr_html_()


@pytest.mark.parametrize("changes, message", [
    ({"as_of": "2027-01-01", "count_date": "2027-01-01"},
     r"^parameter 'count_date': the loss data run from 2022-02-25 to 2026-08-08 \(to the cut-off\); got 2027-01-01$"),
    ({"as_of": "2022-02-24"},
     r"^parameter 'as_of': the personnel loss data russia_losses_personnel.json start after the cut-off 2022-02-24$"),
    ({"initial_strength": 1000}, r"^parameter 'initial_strength': must exceed the 18,600 personnel "
                                         r"losses claimed by 2022-04-06; got 1000$"),
])
def test_data_dependent_inputs_are_input_errors_naming_the_parameter(changes, message):
    params = validate(changes)
    model = MODELS["lanchester"]
    with pytest.raises(InputError, match=message):
        model.implementation.check(params, model.load(params, check=False))


def test_plot_draws_a_panel_per_part_or_the_tempo_on_an_axes():
    import matplotlib.pyplot as plt

    model = MODELS["lanchester"]
    params = validate({})
    result = model.assess(params, model.load(params))
    assert len(result.plot().axes) == 3
    _, ax = plt.subplots()
    assert result.plot(ax=ax) is ax and "personnel losses" in ax.get_ylabel()
    early = validate({"as_of": "2022-02-26"})
    assert len(model.assess(early, model.load(early)).plot().axes) == 2
    plt.close("all")


def test_the_tempo_reads_no_claim_after_the_cut_off():
    # A cut-off of 2022-04-01 (day 37) leaves the count's date at the cut-off: the fit ends on day 37
    # (the figure dated day d covers d days of fighting) however far the file runs, and the data it
    # recorded end there too.
    params = validate({"as_of": "2022-04-01"})
    model = MODELS["lanchester"]
    data = model.load(params)
    assert data.personnel_claimed.index[-1] == pd.Timestamp("2022-04-01")
    section = model.compute_section(params)
    assert section["as_of_day"] == 37 and section["tempo"]["days"][-1] == 37
    assert section["words"]["unit_short"] == params.words.unit_short
