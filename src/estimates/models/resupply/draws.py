"""The base run's draws, kept for the recomputations of a sensitivity analysis.

Every recomputation of the term sensitivity draws the base run's uniforms again (common random
numbers), and most inputs keep their distribution in most variations. :class:`CommonDraws` hands out
the same uniforms chunk by chunk and remembers each column's values under the key of the input that
mapped it (:attr:`~estimates.models.resupply.uncertain.UncertainInput.key`), so a variation maps
only the inputs it changes, and the deliveries under the key of everything they are computed from
(:meth:`~estimates.models.resupply.capability.ResupplyModel.delivery_key`), so a variation of the
loss denominator alone (attrition's inputs) does not move the consignments again. The numbers are
those of drawing afresh from a copy of the stream.

Memory stays bounded whatever ``n_samples`` is: the uniforms are kept only when they take at most a
quarter of :data:`KEEP_BYTES` (else each pass draws them again from a copy of the stream), and what
is computed from them up to :data:`KEEP_BYTES`, first come first kept.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

import numpy as np

#: Most bytes of mapped columns and deliveries kept between passes (and a quarter of it of uniforms).
KEEP_BYTES = 32 * 2**20


class Kept(dict):
    """What one chunk's passes share, up to ``budget`` bytes of arrays: past it, a new entry is
    computed and let go."""

    def __init__(self, budget: int):
        super().__init__()
        self.budget = budget

    def __setitem__(self, key, value) -> None:
        size = _nbytes(value)
        if size <= self.budget:
            self.budget -= size
            super().__setitem__(key, value)

    def get_or(self, key, compute):
        """The value kept under ``key``, else ``compute()`` (kept if there is room; never for a key of None)."""
        if key is None:
            return compute()
        if key in self:
            return self[key]
        value = self[key] = compute()
        return value


def _nbytes(value) -> int:
    if isinstance(value, np.ndarray):
        return value.nbytes
    return sum(_nbytes(v) for v in value) if isinstance(value, tuple) else 0


def chunks(model, rng: np.random.Generator, chunk: int) -> Iterator[tuple[np.ndarray, dict, Kept]]:
    """``(uniforms, mapped inputs, kept)`` for ``model.params.n_samples`` draws from ``rng``, ``chunk``
    at a time: drawn one chunk after another from one generator, they are the stream of one large
    draw. Nothing is kept between passes here (``kept`` has no room)."""
    size = model.params.n_samples
    for start in range(0, size, chunk):
        uniforms = model.uniforms(min(chunk, size - start), rng)
        yield uniforms, model.transform(uniforms), Kept(0)


class CommonDraws:
    """The uniforms a model draws from ``stream`` (left untouched), for pass after pass over them."""

    def __init__(self, stream: np.random.Generator):
        self._stream = copy.deepcopy(stream)
        #: The shape of the draws kept (draws, chunk, columns) and, per chunk, its uniforms and mapped columns.
        self._shape: tuple[int, int, int] | None = None
        self._kept: list[tuple[np.ndarray, Kept]] = []

    def chunks(self, model, chunk: int) -> Iterator[tuple[np.ndarray, dict, Kept]]:
        """``(uniforms, mapped inputs, kept)`` as :func:`chunks` gives them from a copy of the stream,
        with what earlier passes over the chunk kept."""
        shape = (model.params.n_samples, chunk, len(model.inputs()))
        if shape[0] * shape[2] * 8 > KEEP_BYTES // 4:
            yield from chunks(model, copy.deepcopy(self._stream), chunk)
            return
        if shape != self._shape:
            stream = copy.deepcopy(self._stream)
            starts = range(0, shape[0], chunk)
            self._kept = [(model.uniforms(min(chunk, shape[0] - start), stream), Kept(KEEP_BYTES // len(starts)))
                          for start in starts]
            self._shape = shape
        for uniforms, kept in self._kept:
            yield uniforms, model.transform(uniforms, kept), kept
