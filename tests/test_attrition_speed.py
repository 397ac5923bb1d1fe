"""Attrition's speed and memory devices change no number: the sensitivity's reuse of the run's stages
is exact, and chunked draws keep every draw's count while holding one chunk's draws."""

import dataclasses

import numpy as np
import pytest

from estimates.core.randomness import model_rng
from estimates.models.attrition import assessment as attrition
from estimates.models.attrition import simulation
from estimates.models.attrition.simulation import Reuse
from estimates.parameters.schema import validate

SMALL = {"n_samples": 1500}


@pytest.fixture(scope="module")
def base():
    params = validate(SMALL)
    data = attrition.load(params)
    reuse = Reuse()
    attrition.assess(params, dataclasses.replace(data, reuse=reuse), model_rng(params.seed, "attrition"))
    return params, data, reuse


@pytest.mark.parametrize("moved", [
    {},  # every stage reused
    {"units_ineffective": 33},  # reporting, draws and projection drawn again
    {"hazard_shape_high": 3.0},  # the reported draws reused, the joint draws not
    {"overdispersion": 0.05},  # the joint estimate reused, every draw made again
    {"reconstitution_per_week": 3.0},  # only the projection drawn again
    {"combat_power_retained": 0.7},  # every stage reused, the question moved
])
def test_a_variation_reusing_the_runs_stages_gets_what_it_would_draw_afresh(base, moved):
    params, data, reuse = base
    varied = validate({**params.model_dump(), **moved})
    afresh = attrition.key_judgments(varied, data, model_rng(varied.seed, "attrition"))
    reused = attrition.key_judgments(varied, dataclasses.replace(data, reuse=reuse.replaying()),
                                     model_rng(varied.seed, "attrition"))
    assert [j.to_dict() for j in reused] == [j.to_dict() for j in afresh]


def test_a_variation_keeps_nothing_so_the_kept_stages_are_the_runs_alone(base):
    params, data, reuse = base
    replaying = reuse.replaying()
    kept = dict(reuse._stages)
    varied = validate({**params.model_dump(), "units_ineffective": 33})
    attrition.key_judgments(varied, dataclasses.replace(data, reuse=replaying), model_rng(varied.seed, "attrition"))
    assert reuse._stages == kept and {name for name, _, _ in kept} == {"estimate", "reporting", "draws", "projection"}


def test_chunked_draws_count_every_draw_and_keep_one_chunk(monkeypatch):
    # A structural check that memory does not grow with draws: what is kept per draw is the first
    # chunk's, whatever n_samples is; the projection and the probabilities count all draws.
    monkeypatch.setattr(simulation, "CHUNK", 400)
    params = validate({"n_samples": 1100})
    result = attrition.assess(params, attrition.load(params), model_rng(params.seed, "attrition"))
    assert {key: value.size for key, value in result.draws.items()} == dict.fromkeys(result.draws, 400)
    assert result.reported.rate.size == 400
    assert result.projection.counts.sum(axis=1).tolist() == [1100] * result.projection.days.size
    assert result.projection.ever_lost.sum() == 1100
    assert all(j.probability.n_samples == 1100 for j in result.judgments)
    assert result.readings.lost_exceeds_reported.n_samples == 1100


def test_one_chunk_or_many_give_the_same_distribution(monkeypatch):
    # Chunking reorders the draws only: the threshold probability agrees within Monte Carlo error.
    params = validate({"n_samples": 3000})
    data = attrition.load(params)
    whole = attrition.key_judgments(params, data, model_rng(params.seed, "attrition"))
    monkeypatch.setattr(simulation, "CHUNK", 700)
    chunked = attrition.key_judgments(params, data, model_rng(params.seed, "attrition"))
    for a, b in zip(whole, chunked):
        error = np.hypot(a.probability.standard_error, b.probability.standard_error)
        assert abs(a.probability.probability - b.probability.probability) <= 4 * error + 1e-12
