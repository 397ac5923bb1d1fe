"""Sensitivity: which inputs move a judgment, one at a time and by variance.

- the one-at-a-time tornado (each parameter at its plausible low and high) is the judgments' term
  sensitivity, :func:`estimates.parameters.variations.with_term_sensitivity`, drawn by
  :func:`estimates.report.plotting.judgment_figures`;
- :func:`sobol_indices` estimates first-order and total Sobol indices with SALib from a Saltelli
  design over the model's *per-draw* uncertain inputs: each row of the design is one Monte Carlo
  draw, so no simulation is nested inside another. Inputs are analysed in groups, each group's
  index that of its inputs together; a model must keep correlated quantities in one group (resupply
  keeps the latent truth factors of claims on one line of evidence together, so a line can be named).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample


@dataclass(frozen=True)
class SobolResult:
    """Sobol indices per output: a DataFrame per output indexed by input group."""

    indices: dict[str, pd.DataFrame]
    n_base: int

    def top(self, output: str, k: int = 3, floor: float = 0.01) -> list[str]:
        """The ``k`` groups with the largest total index (above ``floor``) for ``output``."""
        table = self.indices.get(output)
        if table is None or table.empty:
            return []
        ranked = table.sort_values("ST", ascending=False)
        return [g for g, row in ranked.iterrows() if row["ST"] > floor][:k]

    def to_dict(self) -> dict:
        return {
            "n_base": self.n_base,
            "outputs": {
                name: [{"group": g, **{k: float(v) for k, v in row.items()}} for g, row in table.iterrows()]
                for name, table in self.indices.items()
            },
        }


def sobol_indices(
    evaluate: Callable[[np.ndarray], dict[str, np.ndarray]],
    groups: Sequence[str],
    *,
    n_base: int = 512,
    seed: int = 0,
) -> SobolResult:
    """Sobol indices of each output of ``evaluate`` over inputs uniform on [0, 1].

    ``evaluate`` maps a matrix of uniforms (rows x inputs) to named output arrays; ``groups`` names
    each input's group (inputs in one group are varied together). Outputs with no variance get an
    empty table: nothing moves them within the ranges given.
    """
    names = [f"x{i}" for i in range(len(groups))]
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names),
               "groups": list(groups)}
    design = sobol_sample.sample(problem, n_base, calc_second_order=False, seed=seed)
    design = np.clip(design, 1e-12, 1 - 1e-12)
    outputs = evaluate(design)
    tables = {}
    for name, y in outputs.items():
        y = np.asarray(y, dtype=float)
        if np.var(y) == 0.0:
            tables[name] = pd.DataFrame(columns=["S1", "S1_conf", "ST", "ST_conf"])
            continue
        result = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
        labels = list(dict.fromkeys(groups))
        tables[name] = pd.DataFrame(
            {"S1": result["S1"], "S1_conf": result["S1_conf"], "ST": result["ST"], "ST_conf": result["ST_conf"]},
            index=pd.Index(labels, name="group"),
        )
    return SobolResult(tables, n_base)
