"""How claimed losses spread over the committed units: the count of units past the threshold.

The counting half of the loss cross-check (:mod:`estimates.models.losses.crosscheck` draws the
inputs and summarises). Draws are counted a chunk at a time, each chunk with its own random stream
for the Dirichlet spread, so memory beyond the counts is flat in the number of draws and the counts
do not depend on how many threads made them.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

#: Draws per chunk: bounds memory at CHUNK x units_committed_high floats whatever ``n_samples`` is.
#: Fixed, because each chunk has its own random stream and results must not depend on it.
CHUNK = 2_000


def count_ineffective(on_units: np.ndarray, held: np.ndarray, factors: list, committed: np.ndarray,
                      threshold: np.ndarray, concentration: float, seeds: list[np.random.SeedSequence],
                      n_max: int) -> np.ndarray:
    """Ineffective units per draw (shape: scenarios x draws), one scenario per over-count factor.

    Draw ``d`` spreads its armour losses over ``committed[d]`` units with symmetric Dirichlet weights
    w (normalised gammas). Scenario ``s`` loses the share ``rho = on_units / factors[s] / held`` of
    the committed units' armour (``held``: items the committed units hold; a factor is one number or
    one per draw), and unit i is ineffective when ``rho * N * w_i`` reaches ``threshold[d]``. Chunk
    ``k`` draws its gammas from ``seeds[k]`` alone, so every scenario sees the same weights: common
    random numbers. Loss shares are made a chunk at a time, so memory beyond the counts is flat in
    the number of draws.
    """
    n = len(committed)
    # int32: a count never exceeds n_max, and the scenarios' counts are the model's largest arrays.
    out = np.zeros((len(factors), n), dtype=np.int32)
    chunks = [(seeds[k], slice(start, min(start + CHUNK, n))) for k, start in enumerate(range(0, n, CHUNK))]

    def count_chunk(seed: np.random.SeedSequence, draws: slice) -> None:
        fractions = [on_units[draws] / (f[draws] if np.ndim(f) else f) / held[draws] for f in factors]
        out[:, draws] = _count_chunk(fractions, committed[draws], threshold[draws], concentration, seed, n_max)

    # The gamma draws dominate the time and numpy releases the GIL while making them; each chunk has
    # its own stream and its own slice of ``out``, so threads change the speed, never the counts.
    if len(chunks) == 1:
        count_chunk(*chunks[0])
    else:
        with ThreadPoolExecutor(max_workers=min(len(chunks), _cores())) as pool:
            list(pool.map(lambda chunk: count_chunk(*chunk), chunks))
    return out


def _count_chunk(loss_fractions: list[np.ndarray], committed: np.ndarray, threshold: np.ndarray,
                 concentration: float, seed: np.random.SeedSequence, n_max: int) -> np.ndarray:
    """:func:`count_ineffective` for one chunk of draws, given each scenario's loss shares."""
    gammas = np.random.default_rng(seed).standard_gamma(concentration, size=(len(committed), n_max))
    # Every draw commits at least min(committed) units: only the columns past that can be empty.
    always = int(committed.min())
    gammas[:, always:] *= np.arange(always, n_max) < committed[:, None]
    total = gammas.sum(axis=1)
    counts = np.empty((len(loss_fractions), len(committed)), dtype=np.int32)
    for row, rho in enumerate(loss_fractions):
        # w_i N rho >= theta  <=>  gamma_i >= theta * total / (N rho); rho = 0 means nothing lost.
        # A tiny rho overflows the cut to infinity: no loss share that small reaches the threshold.
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            cut = np.where(rho > 0, threshold * total / (committed * rho), np.inf)
        counts[row] = (gammas >= cut[:, None]).sum(axis=1)
    return counts


def _cores() -> int:
    """CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
