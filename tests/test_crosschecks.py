"""The cross-check analyses as the notebooks call them: judgments, recomputation and provenance."""

import numpy as np
import pytest
from scipy import stats

from estimates.inputs.claims import load_ledger
from estimates.parameters.schema import validate
from estimates.paths import CLAIMS_LEDGER
from estimates.registry import MODELS

QUICK = validate({"n_samples": 2000})


def assessed(name: str, params):
    """The model's result as its notebook makes it (its own data, its own random stream)."""
    model = MODELS[name]
    return model.assess(params, model.load(params))


@pytest.fixture(scope="module")
def pooling():
    return assessed("pooling", QUICK)


@pytest.fixture(scope="module")
def losses():
    return assessed("losses", QUICK)


@pytest.mark.parametrize("model", ["pooling", "losses"])
def test_recomputing_the_judgments_gives_the_notebooks_numbers(model, pooling, losses):
    """What-changed attribution (estimates diff) recomputes judgments without the notebook; it must
    reproduce the recorded probabilities exactly at the same parameters."""
    recorded = {"pooling": pooling, "losses": losses}[model].judgments
    again = MODELS[model].key_judgments(QUICK)
    assert [j.probability.probability for j in again] == [j.probability.probability for j in recorded]


def test_every_claim_a_cross_check_judgment_cites_is_in_the_bundled_ledger(pooling, losses):
    ledger = load_ledger(CLAIMS_LEDGER)
    for judgment in (*pooling.judgments, *losses.judgments):
        assert judgment.claim_ids and all(c in ledger for c in judgment.claim_ids), judgment.id


def test_pooled_estimate_sits_beside_the_single_report_posterior(pooling):
    single = pooling.single["p_as_of"]["interval"]
    assert (single["low"], single["high"]) == pytest.approx(tuple(stats.beta(29.5, 96.5).ppf([0.05, 0.95])))
    frame = pooling.estimates_frame()
    assert frame.index[0].startswith("single report") and len(frame) == 4


def test_a_ledger_without_the_statements_claims_pools_nothing_and_says_so(tmp_path):
    rows = CLAIMS_LEDGER.read_text(encoding="utf-8").splitlines()
    keep = [rows[0]] + [r for r in rows[1:] if r.startswith("btg-committed-125,")]
    path = tmp_path / "claims.csv"
    path.write_text("\n".join(keep) + "\n", encoding="utf-8")
    params = validate({"n_samples": 2000, "claims_path": str(path)})
    result = assessed("pooling", params)
    section = result.to_dict()
    assert section["pooled"] is None and not section["judgments"]
    assert [row["observation_id"] for row in section["left_out"]] == [
        "six-weeks-29", "bbc-37-38", "ukmod-more-than-quarter"]
    assert result.statements_frame().empty


def test_loss_judgment_is_the_threshold_models_probability(losses):
    [judgment] = losses.judgments
    assert judgment.probability == losses.check.probability_at_least(29)
    assert losses.check.claimed.tank == 684  # claimed by 6 April 2022 (day 42)


def test_loss_term_sensitivity_leaves_the_question_alone():
    inputs = MODELS["losses"].sensitivity_inputs()
    assert "as_of" not in inputs and "units_ineffective" not in inputs
    assert {"overcount_low", "overcount_high", "loss_concentration"} <= set(inputs)


def _best_tempo_by_hand(tempo: dict) -> str:
    """The tempo shape with the lower AIC, fitted here without the package: the claimed personnel
    losses of data/ukraine_losses/russia_losses_personnel.json to day 42 (day d's figure is the loss
    after d - 1 days), least squares on daily increments. Constant rate: increments c * dt, so
    c = sum(dt y) / sum(dt^2) in closed form; constant hazard: m0 (exp(-c t_(i-1)) - exp(-c t_i)),
    minimised over log c by scipy. AIC with the variance profiled out: n log(RSS / n) + 2 * 2."""
    import json

    from scipy import optimize

    from estimates.paths import PROJECT_DIR

    rows = json.loads((PROJECT_DIR / "data/ukraine_losses/russia_losses_personnel.json").read_text())
    rows = [r for r in rows if r["day"] <= 42]
    t = np.array([r["day"] - 1 for r in rows], dtype=float)
    observed = np.array([r["personnel"] for r in rows], dtype=float)
    assert tempo["days"] == list(t) and tempo["observed"] == list(observed)  # the data the fit used
    m0 = tempo["initial_strength"]
    step, y = np.diff(np.r_[0.0, t]), np.diff(np.r_[0.0, observed])
    rate = (step @ y) / (step @ step)
    rss_rate = float(((y - rate * step) ** 2).sum())

    def rss_hazard(log_c):
        return float(((y - np.diff(m0 * (1 - np.exp(-np.exp(log_c) * np.r_[0.0, t])))) ** 2).sum())

    guess = np.log(rate / m0)
    hazard = optimize.minimize_scalar(rss_hazard, bounds=(guess - 3, guess + 3), method="bounded",
                                      options={"xatol": 1e-10})
    aic = {"constant-rate": y.size * np.log(rss_rate / y.size) + 4,
           "constant-hazard": y.size * np.log(hazard.fun / y.size) + 4}
    fits = {f["shape"]: f for f in tempo["fits"]}
    assert fits["constant-rate"]["coefficient"] == pytest.approx(rate, rel=1e-6)
    assert fits["constant-hazard"]["coefficient"] == pytest.approx(np.exp(hazard.x), rel=1e-5)
    for shape, value in aic.items():
        assert fits[shape]["aic"] == pytest.approx(value, abs=1e-4), shape
    return min(aic, key=aic.get)


def test_lanchester_section_reproduces_engel_and_compares_the_hazards():
    section = MODELS["lanchester"].compute_section(validate({}))
    methods = section["iwo_jima"]["methods"]
    assert methods["landings-first"]["casualties_m"] == pytest.approx(20_700, rel=0.01)
    assert methods["previous-day"]["casualties_m"] > methods["landings-first"]["casualties_m"] > \
        methods["continuous"]["casualties_m"]
    # The BTG hazard is the single report's Beta posterior mapped through -log(1 - p) / t0.
    assert section["btg_hazard_per_day"]["0.5"] == pytest.approx(
        -np.log1p(-stats.beta(29.5, 96.5).median()) / 42)
    assert section["tempo"]["best"] == _best_tempo_by_hand(section["tempo"])
    first, second = section["claimed_per_day_by_half"]
    assert first["to_day"] == second["from_day"] and second["to_day"] == 42
    assert {"data/ukraine_losses/russia_losses_personnel.json", "data/claims.csv",
            "data/cdb90/belligerents.csv", "data/cdb90/battles.csv"} <= set(section["data_files"])
    # History: the same slope as an ordinary least-squares fit by numpy on the recorded scatter.
    scatter = section["history"]["scatter"]
    slope = np.polyfit(scatter["log_force_ratio"], scatter["log_exchange_ratio"], 1)[0]
    assert section["history"]["fit"]["slope"] == pytest.approx(slope, abs=5e-3)  # scatter kept to 3 decimals
    small = section["history_small_losses"]
    assert small["n_used"] < section["history"]["n_used"] and "scatter" not in small


def test_one_statement_is_pooled_but_checked_against_nothing(tmp_path):
    path = tmp_path / "statements.csv"
    path.write_text("observation_id,claim_ids,event_date,count_low,count_high,share_above,reading\n"
                    "only,btg-ineffective-29,2022-04-06,29,29,,the seed alone\n")
    params = validate({"n_samples": 2000, "statements_path": str(path)})
    section = assessed("pooling", params).to_dict()
    assert section["agreement"]["checked"] == [] and section["checks"]["free_shape"] == []
    # One report at the as-of date with the committed force uncertain: wider than the single report.
    assert section["pooled"]["p_as_of"]["interval"]["low"] < section["single_report"]["p_as_of"]["interval"]["low"]


def test_the_over_count_bound_in_the_briefing_is_computed_from_the_data(losses):
    rows = losses.to_dict()["confirmed_bound"]
    bounds = {(row["date"], row["category"]): row["bound"] for row in rows}
    # Claimed by 31 December 2022 over the visually confirmed tanks (both files as bundled): after the
    # cut-off, so marked as such.
    assert bounds[("2022-12-31", "tank")] == pytest.approx(3029 / 1673)
    assert all(row["after_cut_off"] for row in rows)
    files = MODELS["losses"].load(QUICK).files
    assert {"russia_losses_equipment_oryx.json", "btg_holdings.csv", "series.yaml"} <= {p.name for p in files}
    assert all(len(v) == 64 for v in files.values())
