"""Sensitivity: the Sobol wrapper against the Ishigami function's analytic indices, and term
sensitivity on common random numbers (an input at its own value changes nothing, in every model)."""

import numpy as np
import pytest

from estimates.core.sobol import sobol_indices
from estimates.parameters.schema import validate
from estimates.registry import MODELS

# Ishigami function, a = 7, b = 0.1, inputs uniform on [-pi, pi]. Analytic indices
# (Ishigami and Homma 1990; Sobol' and Levitan 1999): S1 = 0.3139, 0.4424, 0;
# ST = 0.5576, 0.4424, 0.2437.
S1 = [0.3139, 0.4424, 0.0]
ST = [0.5576, 0.4424, 0.2437]


def ishigami(u):
    x = -np.pi + 2 * np.pi * u
    return {"y": np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])}


def test_reproduces_ishigami_indices():
    result = sobol_indices(ishigami, ["x1", "x2", "x3"], n_base=8192, seed=3)
    table = result.indices["y"]
    assert list(table["S1"]) == pytest.approx(S1, abs=0.03)
    assert list(table["ST"]) == pytest.approx(ST, abs=0.03)
    assert result.top("y", k=2) == ["x1", "x2"]


def test_grouped_inputs_share_one_index():
    # x1 and x3 interact; as one group their total index is 1 - S1(x2) = 0.5576.
    result = sobol_indices(ishigami, ["g", "x2", "g"], n_base=8192, seed=3)
    table = result.indices["y"]
    assert list(table.index) == ["g", "x2"]
    assert table.loc["g", "ST"] == pytest.approx(1 - 0.4424, abs=0.03)


def test_constant_output_has_no_indices():
    result = sobol_indices(lambda u: {"y": np.zeros(len(u))}, ["a", "b"], n_base=64, seed=1)
    assert result.indices["y"].empty and result.top("y") == []


# --- term sensitivity: common random numbers ------------------------------------------------------------
def _own_value(chosen):
    """A plausible range that is the run's own value, for the parameters in ``chosen`` only."""
    def plausible(name, params, ledger=None):
        return (getattr(params, name),) * 2 if name in chosen else None
    return plausible


def _assessed(model, params, monkeypatch, chosen):
    from estimates.parameters import variations

    monkeypatch.setattr(variations, "plausible_range", _own_value(chosen))
    return model.assess(params, model.load(params), sensitivity=True)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_an_input_set_to_its_own_value_changes_no_judgment(name, monkeypatch):
    # Each model's term sensitivity recomputes its judgments with an input at either end of its
    # plausible range; with both ends at the run's own value nothing may move, not even by Monte
    # Carlo noise. Two inputs per model keep this fast: its own first, and the first of all it takes.
    model = MODELS[name]
    inputs = model.sensitivity_inputs()
    chosen = set([n for n in inputs if n in model.parameters][:1] + list(inputs[:1]))
    result = _assessed(model, validate({"n_samples": 1500}), monkeypatch, chosen)
    judgments = [j for j in getattr(result, "judgments", ()) if j.sensitivity is not None]
    if name in ("attrition", "resupply"):
        assert judgments and all(j.sensitivity.variations for j in judgments)
    for j in judgments:
        assert {v.parameter for v in j.sensitivity.variations} <= chosen
        assert [v.probability for v in j.sensitivity.variations] == [j.probability.probability] * len(
            j.sensitivity.variations), j.id


def test_resupply_recomputes_every_variation_on_the_runs_own_draws(monkeypatch):
    # More draws than the 4,000 the sensitivity once recomputed with: an input at its own value must
    # still change nothing, for every input resupply is rechecked over.
    from estimates.models.resupply import MODEL

    params = validate({"n_samples": 6000})
    study = _assessed(MODEL, params, monkeypatch, set(MODEL.sensitivity_inputs()))
    assert study.judgments
    for j in study.judgments:
        assert set(j.sensitivity.parameters) == set(MODEL.sensitivity_inputs())
        assert {v.probability for v in j.sensitivity.variations} == {j.probability.probability}
        assert j.sensitivity.holds
    assert study.to_dict()["sensitivity"]["samples_per_recomputation"] == 6000


def test_a_resupply_variation_is_a_full_rerun_on_the_same_stream(monkeypatch):
    # The recomputation counts events only; it must equal the simulation itself run at the varied
    # parameters with the run's seed (which here asks about the same replacement category): an
    # input of the grade mapping, one of the route, and one of attrition.
    from estimates.core.randomness import model_rng
    from estimates.models.resupply import MODEL
    from estimates.models.resupply import assessment as resupply
    from estimates.models.resupply.simulation import simulate
    from estimates.parameters import variations

    varied = {"base_rate": 0.3, "ship_count": 1, "units_ineffective": 38}
    monkeypatch.setattr(variations, "plausible_range",
                        lambda name, params, ledger=None: (varied[name],) * 2 if name in varied else None)
    params = validate({"n_samples": 3000})
    data = MODEL.load(params)
    study = resupply.assess(params, data, model_rng(params.seed, "resupply"), sensitivity=True)
    moved = set()
    for name, value in varied.items():
        changed = validate({**params.model_dump(), name: value})
        rerun = simulate(resupply.resupply_model(changed, data), model_rng(changed.seed, "resupply"))
        assert rerun.replacement_category == study.simulation.replacement_category
        expected = {j.id: j.probability.probability for j in rerun.judgments}
        for j in study.judgments:
            found = {v.probability for v in j.sensitivity.variations if v.parameter == name}
            assert found == {expected[j.id]}, (name, j.id)
            if found != {j.probability.probability}:
                moved.add((name, j.id))
    # Not a comparison of equal numbers: more ineffective units mean more losses to replace.
    assert ("units_ineffective", "resupply-replacement") in moved


def test_a_judgment_settled_in_every_draw_and_variation_becomes_a_constraint():
    from estimates.core.judgments import Judgment, TermSensitivity, Variation
    from estimates.core.quantities import MonteCarloProbability
    from estimates.models.resupply.judgments import settled

    def judgment(id, hits, varied):
        p = MonteCarloProbability.from_count(hits, 1000)
        variations = tuple(Variation("x", v, q) for v, q in enumerate(varied))
        return Judgment(id, f"event {id} happens", p, "b",
                        sensitivity=TermSensitivity("term", p.probability, variations))

    never = judgment("never", 0, [0.0, 0.0])
    always = judgment("always", 1000, [1.0, 1.0])
    moved = judgment("moved", 0, [0.0, 0.01])  # 0 here, but an input can make it happen
    middling = judgment("middling", 500, [0.5, 0.5])
    kept, constraints = settled([never, always, moved, middling])
    assert [j.id for j in kept] == ["moved", "middling"]
    assert [c.id for c in constraints] == ["never", "always"]
    assert constraints[0].sentence == ("It happens in none of the 1,000 draws, nor with any uncertain input at "
                                       "either end of its plausible range, that event never happens.")
    assert constraints[1].sentence == ("It happens in every one of the 1,000 draws, and with every uncertain input "
                                       "at either end of its plausible range, that event always happens.")
    assert settled([Judgment("bare", "s", MonteCarloProbability.from_count(0, 10), "b")])[1] == ()


def test_tornado_charts_show_only_inputs_that_move_a_judgment_beyond_its_monte_carlo_error(baseline_results):
    import matplotlib.pyplot as plt

    from estimates.charts import judgment_figures

    judgments = [j for section in baseline_results.values() if isinstance(section, dict)
                 for j in section.get("judgments", []) if j.get("sensitivity")]
    figures = {name.removeprefix("sensitivity_"): figure for name, figure, _ in judgment_figures(judgments)}
    for judgment in judgments:
        probability = judgment["probability"]["probability"]
        error = judgment["probability"].get("standard_error") or 0.0
        by_input: dict[str, list[dict]] = {}
        for variation in judgment["sensitivity"]["variations"]:
            by_input.setdefault(variation["parameter"], []).append(variation)
        # By hand: an input earns a row if one of its ends moves the probability by more than the
        # error, or changes the term.
        expected = {name for name, rows in by_input.items()
                    if any(abs(r["probability"] - probability) > error or r["term"] != judgment["term"] for r in rows)}
        ax = figures[judgment["id"]].axes[0]
        shown = {label.get_text().rsplit(" (", 1)[0] for label in ax.get_yticklabels()}
        assert shown == expected, judgment["id"]
        rest = len(by_input) - len(expected)
        if rest:
            assert f"{rest} other input" in ax.get_xlabel()
    plt.close("all")
