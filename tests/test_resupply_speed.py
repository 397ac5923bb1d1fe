"""The resupply model's shortcuts give the numbers of the plain computation, exactly.

The Monte Carlo counts capability restored from the day it is first restored
(:meth:`ResupplyModel.restored_from`) instead of on every report day, and a sensitivity analysis
reuses the run's uniforms, mapped inputs and deliveries (:class:`CommonDraws`). Each test sets a
shortcut beside the plain computation on the same draws and asks for equality, not closeness.
"""

import copy
import dataclasses

import numpy as np
import pytest

from estimates.core.randomness import model_rng
from estimates.models.resupply import assessment as resupply_analysis
from estimates.models.resupply import draws as common
from estimates.models.resupply import simulation
from estimates.models.resupply.draws import CommonDraws
from estimates.models.resupply.simulation import count_events

QUICK = {"n_samples": 1500}


@pytest.fixture(scope="module")
def bundled():
    from estimates.parameters.schema import validate

    params = validate(QUICK)
    data = resupply_analysis.load(params)
    return params, data, resupply_analysis.resupply_model(params, data)


def _varied(params, data, **changes):
    return resupply_analysis.resupply_model(params.model_copy(update=changes), data)


def _per_day_counts(model, draws):
    """At least one restored, per category and report day, from the full draws x days arrays."""
    delivered = model.delivered(draws)
    return {c: (r >= 1.0).sum(axis=0) for c, r in model.equivalents(draws, delivered).items()}


@pytest.mark.parametrize("changes", [{}, {"ship_count": 1, "ship_capacity_tonnes_low": 5.0,
                                         "ship_capacity_tonnes_high": 20.0},
                                     {"rpg_launchers_low": 200, "rpg_launchers_high": 2000}])
def test_first_restored_day_counts_what_every_day_counts(bundled, changes):
    # A small carrier fills and queues consignments (ties and late arrivals); many launchers restore
    # a unit-equivalent on their own: the first-day counts must match the per-day counts each time.
    params, data, base = bundled
    model = _varied(params, data, **changes) if changes else base
    draws = model.transform(model.uniforms(3000, np.random.default_rng(5)))
    delivery = model.delivery(draws)
    days = model.report_days
    expected = _per_day_counts(model, draws)
    assert any(counts.any() for counts in expected.values())
    for category, counts in expected.items():
        first = np.searchsorted(days, model.restored_from(draws, category, delivery), side="left")
        assert np.array_equal(np.cumsum(np.bincount(first, minlength=days.size + 1)[: days.size]), counts)


def test_simulation_tally_matches_the_per_day_arrays(bundled, monkeypatch):
    # The quantile sample holds every draw here, so the chunked tallies can be recounted from it.
    params, _, model = bundled
    monkeypatch.setattr(simulation, "CHUNK", 400)
    result = simulation.simulate(model, model_rng(params.seed, "resupply"))
    uniforms = model.uniforms(params.n_samples, model_rng(params.seed, "resupply"))
    expected = _per_day_counts(model, model.transform(uniforms))
    for outlook in result.outlooks:
        counts = [round(p.probability * params.n_samples) for p in outlook.at_least_one]
        assert counts == expected[outlook.category].tolist()


@pytest.mark.parametrize("keep_bytes", [common.KEEP_BYTES, 0])
@pytest.mark.parametrize("chunk", [simulation.CHUNK, 400])
def test_common_draws_count_what_a_fresh_stream_counts(bundled, monkeypatch, keep_bytes, chunk):
    # Base first, then variations that keep or move the deliveries, then the base again: whatever
    # was kept from an earlier pass, each count is that of drawing afresh from a copy of the stream.
    params, data, base = bundled
    monkeypatch.setattr(common, "KEEP_BYTES", keep_bytes)
    monkeypatch.setattr(simulation, "CHUNK", chunk)
    rng = model_rng(params.seed, "resupply")
    shared = CommonDraws(rng)
    asked = simulation.simulate(base, copy.deepcopy(rng)).replacement_category
    losses = dataclasses.replace(base, ineffective_by_end=base.ineffective_by_end[::-1].copy())
    models = [base, losses, _varied(params, data, equipment_loss_share_low=0.2),
              _varied(params, data, crossing_days_low=0.5), _varied(params, data, grade_confidence=0.5),
              _varied(params, data, ship_count=1), base]
    for model in models:
        kept_counts, kept_true, kept_joint = count_events(model, shared, asked)
        fresh_counts, fresh_true, fresh_joint = count_events(model, copy.deepcopy(rng), asked)
        assert kept_counts == fresh_counts
        assert np.array_equal(kept_true, fresh_true)
        assert {k: v.tolist() for k, v in kept_joint.items()} == {k: v.tolist() for k, v in fresh_joint.items()}


def test_delivery_key_follows_what_delivery_reads(bundled):
    params, data, base = bundled
    # The loss denominator and per-unit holdings are not read by delivery: the run's key.
    for same in ({"equipment_loss_share_low": 0.2}, {"units_ineffective": 35}):
        assert _varied(params, data, **same).delivery_key() == base.delivery_key()
    for moved in ({"ship_count": 1}, {"crossing_days_high": 9.0}, {"grade_confidence": 0.5},
                  {"originator_correlation": 0.1}, {"rpg_launchers_high": 900}, {"undated_departure_day_low": 40}):
        assert _varied(params, data, **moved).delivery_key() != base.delivery_key(), moved
