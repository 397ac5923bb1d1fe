"""Random streams: one seed per run, one independent stream per model.

Each model's generator is derived from the run seed and the model's name through
``numpy.random.SeedSequence``, so a model's numbers do not depend on which other models ran, in what
order, or on how many workers ran them.
"""

from __future__ import annotations

import hashlib

import numpy as np


def model_rng(seed: int, model: str) -> np.random.Generator:
    """The generator for ``model`` under run seed ``seed``.

    Examples
    --------
    >>> a = model_rng(1, "attrition").random()
    >>> b = model_rng(1, "attrition").random()
    >>> a == b
    True
    """
    # A stable digest of the name (Python's hash() is salted per process).
    name_key = int.from_bytes(hashlib.sha256(model.encode("utf-8")).digest()[:8], "little")
    return np.random.default_rng(np.random.SeedSequence([seed, name_key]))

