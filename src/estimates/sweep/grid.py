"""A sweep's grid: the scenarios a YAML file describes, each validated as ``estimates run`` would.

A grid file is either a Cartesian grid, each swept parameter with its list of values, or a list of
``scenarios`` (mappings), with fixed values beside either and optionally ``models: [...]``, the
registered models to compute (default: all of them).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from estimates.errors import InputError
from estimates.parameters.files import absolute_paths, read_params_file
from estimates.parameters.schema import (
    ParameterError,
    Parameters,
    renamed,
    specs,
    with_case,
)
from estimates.registry import MODELS
from estimates.run.plan import check_inputs, default_suite

#: Most scenarios one grid may expand to: a typo such as 1000 values in each of three parameters
#: should be an error, not a billion tasks.
MAX_SCENARIOS = 100_000


def default_suite_names() -> tuple[str, ...]:
    return tuple(spec.name for spec in default_suite())


@dataclass(frozen=True)
class ScenarioGrid:
    """Validated scenarios, in order, with the names of the parameters that vary between them."""

    path: Path
    swept: tuple[str, ...]
    fixed: dict[str, Any]
    scenarios: tuple[Parameters, ...]
    models: tuple[str, ...]

    def values(self, index: int) -> dict[str, Any]:
        """Scenario ``index``'s full parameter values, JSON-ready (what a worker validates again)."""
        return self.scenarios[index].model_dump(mode="json")

    def swept_values(self, index: int) -> dict[str, Any]:
        values = self.values(index)
        return {name: values[name] for name in self.swept}


def load_grid(path: Path) -> ScenarioGrid:
    """Read and validate a grid file; :class:`InputError` with one line on the first problem."""
    import yaml

    path = Path(path)
    where = f"--grid {path}"
    try:
        raw = read_params_file(path)
    except InputError as error:
        raise InputError(str(error).replace(f"--params {path}", where, 1)) from None
    except yaml.YAMLError as error:  # pragma: no cover - read_params_file reports YAML errors itself
        raise InputError(f"{where}: {error}") from None
    try:
        raw = renamed(dict(raw))
        if isinstance(raw.get("scenarios"), list):
            raw["scenarios"] = [renamed(s) if isinstance(s, dict) else s for s in raw["scenarios"]]
    except ParameterError as error:
        raise InputError(f"{where}: {error}") from None
    models = raw.pop("models", None)
    if models is None:  # the models the grid's case runs (the bundled case: every one)
        case = raw.get("case")
        try:
            runs = with_case({"case": str(Path(case).expanduser().absolute())} if isinstance(case, str) else {}).models
        except ParameterError as error:
            raise InputError(f"{where}: {error}") from None
        models = tuple(name for name in default_suite_names() if name in runs)
    else:
        if not isinstance(models, list) or not models:
            raise InputError(f"{where}: 'models' must be a list of model names, e.g. [{next(iter(MODELS))}]")
        unknown = [m for m in models if m not in MODELS]
        if unknown:
            raise InputError(f"{where}: model '{unknown[0]}' cannot be swept; known: {', '.join(MODELS)}")
        models = tuple(models)

    if "scenarios" in raw:
        listed = raw.pop("scenarios")
        if not isinstance(listed, list) or not listed or not all(isinstance(s, dict) for s in listed):
            raise InputError(f"{where}: 'scenarios' must be a non-empty list of mappings of parameter values")
        lists = [k for k, v in raw.items() if isinstance(v, list)]
        if lists:
            raise InputError(f"{where}: '{lists[0]}' has a list of values beside 'scenarios'; "
                             "give either a grid of lists or a list of scenarios")
        fixed = raw
        swept = tuple(dict.fromkeys(k for s in listed for k in s))
        expanded = [{**fixed, **s} for s in listed]
    else:
        fixed = {k: v for k, v in raw.items() if not isinstance(v, list)}
        grid = {k: v for k, v in raw.items() if isinstance(v, list)}
        for name, values in grid.items():
            if not values:
                raise InputError(f"{where}: '{name}' has an empty list of values")
        swept = tuple(grid)
        count = 1
        for values in grid.values():
            count *= len(values)
        if count > MAX_SCENARIOS:
            raise InputError(f"{where}: the grid expands to {count} scenarios; at most {MAX_SCENARIOS}")
        expanded = [{**fixed, **dict(zip(grid, combo))} for combo in itertools.product(*grid.values())]
    if len(expanded) > MAX_SCENARIOS:
        raise InputError(f"{where}: {len(expanded)} scenarios; at most {MAX_SCENARIOS}")

    scenarios = []
    checked: set[tuple] = set()
    paths = [row.name for row in specs() if row.unit == "path"]
    for number, values in enumerate(expanded, start=1):
        label = ", ".join(f"{k}={values[k]!r}" for k in swept if k in values)
        absolute_paths(values)  # as `estimates run` does: relative to where the analyst typed it
        try:
            scenario = with_case(values)
            files = tuple(getattr(scenario, name) for name in paths)
            if files not in checked:  # each distinct set of input files once, before any work
                check_inputs(scenario, tuple(spec for spec in default_suite() if spec.name in models))
                checked.add(files)
        except (ParameterError, InputError) as error:
            raise InputError(f"{where}: scenario {number} ({label}): {error}") from None
        scenarios.append(scenario)
    return ScenarioGrid(path, swept, fixed, tuple(scenarios), models)
