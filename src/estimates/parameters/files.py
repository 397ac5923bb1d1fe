"""Parameter values as a user gives them: a YAML file, ``-p name value`` pairs, relative paths.

Read here, validated by :func:`estimates.parameters.schema.validate`: the CLI and the sweep share
one reading of parameter files, so neither imports the other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

import yaml

from estimates.errors import InputError


def read_params_file(path: Path) -> dict[str, Any]:
    """Safe-load a YAML parameter file into a mapping, or raise InputError with one line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"--params {path}: file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"--params {path}: cannot read ({error})") from None
    try:
        values = yaml.safe_load(text)
    except ValueError as error:  # a date-shaped value that is no date, e.g. 2022-13-01
        raise InputError(f"--params {path}: invalid value ({error})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        # The context carries half the message for some errors ("expected a single document in the
        # stream" / "but found another document").
        parts = (getattr(error, "context", None), getattr(error, "problem", None))
        problem = ", ".join(p for p in parts if p) or "invalid YAML"
        raise InputError(f"--params {path}: YAML syntax error{where}: {problem}") from None
    if values is None:
        raise InputError(f"--params {path}: the file is empty; expected a mapping of parameter names to values")
    if not isinstance(values, dict):
        raise InputError(f"--params {path}: expected a mapping of parameter names to values, got a {type(values).__name__}")
    return values


def parse_value(text: str) -> Any:
    """A ``-p`` value, typed the way papermill's ``-y`` reads YAML: 125 -> int, 0.5 -> float."""
    try:
        return yaml.safe_load(text)
    except (yaml.YAMLError, ValueError):  # ValueError: a date-shaped value that is no date
        return text


def resolve(params_file: Path | None = None, pairs: Iterable[tuple[str, str]] = (), seed: str | None = None,
            case: Path | None = None):
    """Validated parameters from schema defaults < ``case.yaml`` < a ``--params`` file < ``-p``
    pairs < ``--seed``; ``case`` (``--case``) is ``-p case DIR``.

    Path parameters a user typed, and the case folder, are made absolute from the current
    directory first; paths inside ``case.yaml`` are taken from the case folder.
    """
    from estimates.parameters.schema import ParameterError, with_case

    try:
        return with_case(given(params_file, pairs, seed, case))
    except ParameterError as error:
        raise InputError(str(error)) from None


def given(params_file: Path | None = None, pairs: Iterable[tuple[str, str]] = (), seed: str | None = None,
          case: Path | None = None) -> dict[str, Any]:
    """What the user set (a ``--params`` file < ``-p`` pairs < ``--seed``, and ``--case``) as raw
    values, not yet validated or merged with the case: :func:`resolve` before its last step."""
    from estimates.parameters.schema import ParameterError, renamed

    values: dict[str, Any] = {}
    try:
        # Old names are renamed layer by layer, so `-p units_ineffective` overrides a file's `btg_ineffective`.
        if params_file is not None:
            values.update(renamed(read_params_file(params_file)))
        values.update(renamed({name: parse_value(text) for name, text in pairs}))
        if seed is not None:
            values["seed"] = parse_value(seed)
        if case is not None:
            values["case"] = str(case)
        absolute_paths(values)
    except ParameterError as error:
        raise InputError(str(error)) from None
    return values


def absolute_paths(values: dict[str, Any]) -> None:
    """Make the path parameters a user typed absolute, from the current directory, in place.

    Notebooks run in their run directory and place relative paths in the project directory, so
    ``-p claims_path my.csv`` would otherwise not find the ``my.csv`` beside the user.
    """
    from estimates.parameters.schema import specs

    for row in specs():
        value = values.get(row.name)
        if row.unit in ("path", "folder") and isinstance(value, str) and value.strip():
            values[row.name] = str(Path.cwd() / Path(value).expanduser())
