"""The Sobol wrapper against the Ishigami function's analytic indices."""

import numpy as np
import pytest

from estimates.core.sobol import sobol_indices

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
