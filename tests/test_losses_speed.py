"""What keeps the loss and Lanchester models fast: each file read once, threads that change nothing.

No timings here: each test fails when the model does work twice or when a speed-up changes a count.
"""

from __future__ import annotations

import collections
from pathlib import Path

import numpy as np
import pytest

from estimates.models.losses import crosscheck as el
from estimates.models.losses import spread
from estimates.parameters.schema import with_case
from estimates.registry import MODELS


@pytest.fixture
def reads(monkeypatch):
    """File name -> times read, for every file read through ``Path.read_bytes``."""
    counter: collections.Counter = collections.Counter()
    read_bytes = Path.read_bytes

    def counting(self):
        counter[self.name] += 1
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    return counter


@pytest.mark.parametrize("name", ["losses", "lanchester"])
def test_each_file_is_read_once_and_sensitivity_reads_none(name, reads):
    model, params = MODELS[name], with_case({"n_samples": 1000})
    data = model.load(params)
    model.section(params, data, model.assess(params, data, sensitivity=True))
    assert reads, "the model read no file through Path.read_bytes: this test no longer counts reads"
    assert max(reads.values()) == 1, dict(reads)
    # Term sensitivity recomputes the judgments on the data already loaded.
    before = dict(reads)
    model.term_sensitivity(params, data, model.key_judgments(params, data))
    assert dict(reads) == before


def _spread_inputs(n, seed=3):
    rng = np.random.default_rng(seed)
    committed = rng.integers(118, 131, size=n)
    on_units = rng.uniform(0, 3000, size=n)
    held = committed * rng.uniform(40, 60, size=n)
    overcount = rng.uniform(1, 2, size=n)
    threshold = rng.uniform(0.3, 0.5, size=n)
    on_units[:5] = 0.0  # nothing lost: nobody ineffective
    seeds = np.random.SeedSequence(11).spawn(-(-n // spread.CHUNK))
    return on_units, held, committed, threshold, overcount, seeds


def test_counts_match_the_dirichlet_threshold_rule_directly():
    # One chunk, computed as the model states it: unit i of draw d is ineffective when
    # rho N w_i >= theta, w the normalised gammas of its committed[d] units (zero beyond them).
    n, alpha = 300, 0.7
    on_units, held, committed, threshold, overcount, seeds = _spread_inputs(n)
    counts = spread.count_ineffective(on_units, held, [overcount, 1.5], committed, threshold, alpha, seeds, 130)
    gammas = np.random.default_rng(seeds[0]).standard_gamma(alpha, size=(n, 130))
    gammas[np.arange(130) >= committed[:, None]] = 0.0
    weights = gammas / gammas.sum(axis=1, keepdims=True)
    for row, factor in enumerate([overcount, 1.5]):
        rho = on_units / factor / held
        expected = (rho[:, None] * committed[:, None] * weights >= threshold[:, None]).sum(axis=1)
        # Two roundings of the same rule: a unit exactly on the threshold may fall either side.
        assert np.abs(counts[row] - expected).max() <= 1
        assert (counts[row] == expected).mean() > 0.99
    assert (counts[:, :5] == 0).all()


@pytest.mark.parametrize("cores", [1, 2, 5])
def test_counts_do_not_depend_on_the_threads(monkeypatch, cores):
    on_units, held, committed, threshold, overcount, seeds = _spread_inputs(3 * spread.CHUNK + 17)
    args = (on_units, held, [overcount, 1.0, 3.0], committed, threshold, 2.0, seeds, 130)
    monkeypatch.setattr(spread, "_cores", lambda: 1)
    serial = spread.count_ineffective(*args)
    monkeypatch.setattr(spread, "_cores", lambda: cores)
    np.testing.assert_array_equal(spread.count_ineffective(*args), serial)


def test_blocks_and_kept_draws_change_no_count(monkeypatch):
    # Inputs made a chunk at a time and only the first 1,500 draws kept: every count-based figure
    # (interval, check, sensitivity grid, scan, probabilities) is what holding every draw gave, and
    # the kept draws are the first ones of that run.
    def run():
        return el.assess_losses((1200, 2500), rng=np.random.default_rng(4), n_samples=5_000,
                                grid_overcount=(1.0, 2.0), grid_concentration=(0.5, 3.0), scan_concentration=(0.5, 8.0))

    whole = run()
    monkeypatch.setattr(el, "BLOCK", spread.CHUNK)
    monkeypatch.setattr(el, "KEPT_DRAWS", 1_500)
    streamed = run()
    assert streamed.n_samples == 5_000 and streamed.ineffective.size == 1_500
    np.testing.assert_array_equal(streamed.ineffective, whole.ineffective[:1_500])
    np.testing.assert_array_equal(streamed.overcount, whole.overcount[:1_500])
    np.testing.assert_array_equal(np.trim_zeros(whole.counts, "b"), np.bincount(whole.ineffective))
    before, after = whole.to_dict(), streamed.to_dict()
    for key in ("ineffective", "p_at_least_reported", "p_share_at_least_reported", "sensitivity", "check",
                "concentration_scan", "check_ranges"):
        assert after[key] == before[key], key
    # Continuous quantities come from the kept draws: a subsample, so close but not equal.
    assert after["overcount_factor"]["0.5"] == pytest.approx(before["overcount_factor"]["0.5"], rel=0.05)
