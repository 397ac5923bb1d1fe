"""The cross-check analyses as the notebooks call them: judgments, checks, recomputation, provenance,
and the one day convention the models share."""

import datetime as dt
import json
import re

import numpy as np
import pytest
from scipy import stats

from estimates.core.wording import SCALE
from estimates.inputs.claims import load_ledger
from estimates.parameters.fields import ASSUMPTION
from estimates.parameters.schema import label, validate
from estimates.paths import CLAIMS_LEDGER, DATA_DIR, PROJECT_DIR
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


def test_recomputing_the_judgments_gives_the_notebooks_numbers(pooling):
    """What-changed attribution (estimates diff) recomputes judgments without the notebook; it must
    reproduce the recorded probabilities exactly at the same parameters."""
    again = MODELS["pooling"].key_judgments(QUICK)
    assert [j.probability.probability for j in again] == [j.probability.probability for j in pooling.judgments]


def test_every_claim_a_cross_check_judgment_cites_is_in_the_bundled_ledger(pooling):
    ledger = load_ledger(CLAIMS_LEDGER)
    for judgment in pooling.judgments:
        assert judgment.claim_ids and all(c in ledger for c in judgment.claim_ids), judgment.id


def test_pooled_estimate_sits_beside_the_single_report_posterior(pooling):
    single = pooling.single["p_as_of"]["interval"]
    assert (single["low"], single["high"]) == pytest.approx(tuple(stats.beta(29.5, 96.5).ppf([0.05, 0.95])))
    frame = pooling.estimates_frame()
    # The single report first, then the pooled views (their number is the pooling model's to set).
    assert frame.index[0].startswith("single report") and len(frame) > 1 and not frame.index[1].startswith("single")


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


def test_the_loss_check_is_a_check_not_a_judgment(losses):
    # Where the count falls in a distribution is no event: no judgment, no likelihood term, and
    # results.json's schema refuses one.
    import jsonschema

    from estimates.report.results_schema import validate_results

    assert losses.judgments == () and MODELS["losses"].key_judgments(QUICK) == ()
    section = json.loads(json.dumps(MODELS["losses"].section(QUICK, MODELS["losses"].load(QUICK), losses)))
    assert section["judgments"] == [] and "term" not in section["check"]
    validate_results({"schema_version": 2, "losses": section})
    section["judgments"] = [{"id": "losses-at-least-reported"}]
    with pytest.raises(jsonschema.ValidationError, match="expected to be empty"):
        validate_results({"schema_version": 2, "losses": section})


def test_the_loss_check_is_the_place_of_the_count_among_the_draws(losses):
    draws, count = losses.check.ineffective, 29
    check = losses.to_dict()["check"]
    assert losses.check.claimed.tank == 684  # claimed by 6 April 2022 (day 42)
    assert check["percentile"] == pytest.approx(stats.percentileofscore(draws, count, kind="mean"))
    by_hand = min(1.0, 2 * min(np.mean(draws <= count), np.mean(draws >= count)))
    assert check["tail_probability"] == pytest.approx(by_hand)
    assert check["reading"] == ("consistent" if by_hand >= 0.10 else
                                "in the lower tail" if np.mean(draws <= count) < 0.5 else "in the upper tail")


def test_the_loss_check_is_scanned_over_the_whole_allowed_concentration_range(losses):
    section = losses.to_dict()
    scan = [row["concentration"] for row in section["concentration_scan"]]
    assert scan[0] == 0.01 and scan[-1] == 1000.0  # loss_concentration's allowed range (ge, le)
    assert {0.3, 1.0, 10.0} <= set(scan)  # the run's value and its plausible range's ends
    assert np.all(np.diff(np.log10(scan)) <= 0.25 + 1e-3)  # at least 4 values a decade
    ranges = section["check_ranges"]
    assert ranges[0]["low"] == 0.01 and ranges[-1]["high"] == 1000.0
    [own] = [r for r in ranges if r["low"] <= 1.0 <= r["high"]]
    assert own["reading"] == section["check"]["reading"]
    inside = [row["reading"] for row in section["concentration_scan"] if 0.3 <= row["concentration"] <= 10]
    assert section["scan"]["holds_over_plausible"] == (set(inside) == {section["check"]["reading"]})


def test_the_over_count_is_an_assumption_informed_by_a_later_source(losses):
    # Oryx's confirmed count, the only bound on the over-count, dates from early 2023: after the
    # bundled cut-off, so the interval is the analyst's, never "reported", whatever the cut-off.
    for name in ("overcount_low", "overcount_high"):
        assert MODELS["losses"].parameters[name][1].json_schema_extra["source"] == ASSUMPTION
    rows = losses.to_dict() | MODELS["losses"].section(QUICK, MODELS["losses"].load(QUICK), losses)
    assert {r["name"]: r["kind"] for r in rows["parameters"] if r["name"].startswith("overcount")} == {
        "overcount_low": ASSUMPTION, "overcount_high": ASSUMPTION}
    text = _rendered("losses", losses.to_dict())
    assert "an assumption informed by a later source" in text
    assert "no confirmed count from before it" in text


def test_the_over_count_stays_an_assumption_after_a_later_cut_off():
    later = validate({"n_samples": 1000, "as_of": "2023-06-01"})
    rows = MODELS["losses"].compute_section(later)["parameters"]
    assert {r["name"]: r["kind"] for r in rows if r["name"].startswith("overcount")} == {
        "overcount_low": ASSUMPTION, "overcount_high": ASSUMPTION}


def _rendered(name: str, section: dict) -> str:
    """The model's cross-check macro as plain text, the way the briefing renders it."""
    from estimates.report.briefing import _environment

    env = _environment()
    env.globals["scenario"] = {}
    macros = env.get_template(f"{name}/section.html.j2").module
    html = str(macros.crosscheck(json.loads(json.dumps(section, default=str)), lambda figure: {
        "name": figure, "alt": figure, "src": "", "path": figure, "file": figure, "data": "", "caption": figure}))
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_loss_check_is_worded_without_a_likelihood_term(losses):
    text = _rendered("losses", losses.to_dict())
    check = text[text.index("The check."):text.index("The answer leans on")]
    # The scanned input is named by its label, never by its identifier.
    assert "percentile" in check and "tail probability" in check and label("loss_concentration") in check
    assert "loss_concentration" not in check
    terms = [band.term for band in SCALE] + [band.synonym for band in SCALE]
    assert not [t for t in terms if re.search(rf"\b{t}\b", check)]


def _best_tempo_by_hand(tempo: dict) -> str:
    """The tempo shape with the lower AIC, fitted here without the package: the claimed personnel
    losses of data/ukraine_losses/russia_losses_personnel.json to day 42 (a figure dated day d
    covers d days of fighting, day 1 = 24 February 2022), least squares on daily increments. Constant rate: increments c * dt, so
    c = sum(dt y) / sum(dt^2) in closed form; constant hazard: m0 (exp(-c t_(i-1)) - exp(-c t_i)),
    minimised over log c by scipy. AIC with the variance profiled out: n log(RSS / n) + 2 * 2."""
    import json

    from scipy import optimize

    from estimates.paths import PROJECT_DIR

    rows = json.loads((PROJECT_DIR / "data/ukraine_losses/russia_losses_personnel.json").read_text())
    start = dt.date(2022, 2, 24)
    t = np.array([(dt.date.fromisoformat(r["date"]) - start).days + 1 for r in rows], dtype=float)
    rows, t = [r for r, d in zip(rows, t) if d <= 42], t[t <= 42]
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


def test_lanchester_section_reproduces_engel_and_records_the_hazards():
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
    assert (first["from_day"], first["to_day"] + 1, second["to_day"]) == (1, second["from_day"], 42)
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


def test_lanchester_compares_like_with_like():
    # The per-capita hazard of being claimed killed and a unit's hazard of becoming ineffective are
    # different quantities: the section records both and says why it does not rank them.
    section = MODELS["lanchester"].compute_section(validate({}))
    text = _rendered("lanchester", section)
    assert "is not set against the hazard per battalion tactical group" in text
    assert "measure different things" in text
    assert not re.search(r"should be the larger|, and it is\b|one of the two is off", text)


# --- one day convention ------------------------------------------------------------------------------
def _case_starting(tmp_path, start: str):
    """The bundled case with another conflict_start: its data files linked, its case.yaml edited."""
    folder = tmp_path / "case"
    folder.mkdir()
    for entry in DATA_DIR.iterdir():
        if entry.name != "case.yaml":
            (folder / entry.name).symlink_to(entry)
    text = (DATA_DIR / "case.yaml").read_text(encoding="utf-8")
    (folder / "case.yaml").write_text(re.sub(r"(?m)^conflict_start: .*$", f"conflict_start: {start}", text),
                                      encoding="utf-8")
    return folder


@pytest.mark.parametrize("start", ["2022-02-24", "2022-02-20"])
def test_both_loss_models_read_a_figure_dated_day_d_as_d_days_of_fighting(tmp_path, start):
    """Day 1 is conflict_start and a cumulative figure dated day d covers d days of fighting, as
    attrition's t0 is the day number of the count's date. Fails if either model drifts: Lanchester
    back to d - 1, or either one counting days from the data set's own day one rather than the case's."""
    first = dt.date.fromisoformat(start)
    params = validate({"n_samples": 1000, "case": str(_case_starting(tmp_path, start))})
    def day(date: dt.date) -> int:  # the convention, by hand
        return (date - first).days + 1

    t0 = day(dt.date(2022, 4, 6))
    assert params.days_elapsed == t0  # attrition's and pooling's t0

    lanchester = MODELS["lanchester"].compute_section(params)
    records = json.loads((PROJECT_DIR / "data/ukraine_losses/russia_losses_personnel.json").read_text())
    dated = [dt.date.fromisoformat(r["date"]) for r in records if r["date"] <= "2022-04-06"]
    assert lanchester["tempo"]["days"] == [float(day(d)) for d in dated]
    assert lanchester["tempo"]["days"][-1] == t0 == lanchester["as_of_day"]
    assert lanchester["claimed_per_day_by_half"][1]["to_day"] == t0
    median = stats.beta(29.5, 96.5).median()
    assert lanchester["btg_hazard_per_day"]["0.5"] == pytest.approx(-np.log1p(-median) / t0)

    losses = MODELS["losses"].compute_section(params)
    assert losses["as_of"] == "2022-04-06" and losses["as_of_day"] == t0
    assert losses["claimed"]["tank"] == 684  # the figure dated the count's date, as published
