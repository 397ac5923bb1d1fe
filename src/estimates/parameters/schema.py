"""The one typed schema of every run parameter, assembled from the registry.

Each parameter is declared once, beside what uses it: the shared ones in
:mod:`estimates.parameters.shared`, each model's own in its folder's ``parameters.py``. This module
puts them into one pydantic class, :class:`Parameters`, the single source of truth for names, labels,
types, defaults, validation ranges, plausible ranges (for sensitivity analyses), units, help text and
provenance (a claim id in the bundled ledger, or "assumption"). Names form one namespace across
notebooks. The CLI validates against it before any kernel starts, and each notebook its own
``parameters`` cell, so a run from JupyterLab or plain papermill is checked the same way.
"""

from __future__ import annotations

import ast
import datetime as dt
import difflib
import functools
import math
import reprlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)

from estimates.core.vocabulary import Vocabulary
from estimates.errors import InputError
from estimates.inputs.case import Case, load_case
from estimates.parameters import shared
from estimates.parameters.fields import ASSUMPTION, ParameterError, ordered_pairs
from estimates.parameters.renames import _notice, notices_once_valid, renamed  # noqa: F401 (re-exported)
from estimates.registry import MODELS

__all__ = ["ASSUMPTION", "ParameterError", "Parameters", "validate", "specs", "spec", "label", "names_for"]


def _declared() -> dict[str, tuple[Any, Any]]:
    fields = dict(shared.SHARED)
    for model in MODELS.values():
        for name, declaration in model.parameters.items():
            if name in fields:
                raise TypeError(f"parameter '{name}' of model '{model.name}' is declared twice")
            fields[name] = declaration
    return fields


_FIELDS = _declared()
_RULES = (*shared.RULES, *(rule for model in MODELS.values() for rule in model.rules))
_PAIRS = ordered_pairs(_FIELDS)
_PATHS = tuple(name for name, (_, field) in _FIELDS.items() if field.json_schema_extra["unit"] == "path")


def _members(model: str) -> set[str]:
    found = MODELS[model]
    names = set(found.parameters) | set(found.uses)
    for other in found.includes:
        names |= _members(other)
    return names


_USED_BY = {name: tuple(m for m in MODELS if name in _members(m)) for name in _FIELDS}


class _Base(BaseModel):
    """Every parameter of the suite, validated once at the edge."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    @model_validator(mode="after")
    def _combinations(self):
        for rule in _RULES:
            rule(self)
        for stem in _PAIRS:
            low, high = getattr(self, f"{stem}_low"), getattr(self, f"{stem}_high")
            if low > high:
                raise ValueError(f"{stem}_low: must be at most {stem}_high ({high}); got {low}")
        return self

    # --- derived values ------------------------------------------------------------------------
    @property
    def committed_range(self) -> tuple[int, int]:
        """The committed force as the integers it may be: ``units_committed`` +/- ``denominator_uncertainty``."""
        return (max(1, self.units_committed - self.denominator_uncertainty),
                self.units_committed + self.denominator_uncertainty)

    @property
    def case_settings(self) -> Case:
        """The case this run is of (``case.yaml``), read once per folder."""
        return load_case(self.case)

    @property
    def models(self) -> tuple[str, ...]:
        """The registered models this run's case runs, in registry order."""
        named = self.case_settings.models
        return tuple(m for m in MODELS if named is None or m in named)

    @property
    def words(self) -> Vocabulary:
        return self.case_settings.words

    @property
    def conflict_start(self) -> dt.date:
        return self.case_settings.conflict_start

    @property
    def count_as_of(self) -> dt.date:
        """The date the reported counts describe: ``count_date``, but never after the cut-off."""
        return min(self.count_date, self.as_of)

    @property
    def days_elapsed(self) -> int:
        """Day of the conflict the counts describe (``conflict_start`` is day 1)."""
        return self.case_settings.day_number(self.count_as_of)

    def day_number(self, date: dt.date) -> int:
        """Day of the conflict for ``date``."""
        return self.case_settings.day_number(date)

    def date_of_day(self, day: int) -> dt.date:
        return self.case_settings.date_of_day(day)

    def claim_for(self, name: str) -> str | None:
        """The ledger claim parameter ``name``'s value comes from, as the case's ``claims:`` maps it.

        A file (a path parameter) rests on its claim only while it is the case's own file: a run
        pointed at another file does not cite what the case's file was graded as.
        """
        case = self.case_settings
        claim = case.claim_for(name)
        if claim is not None and name in _PATHS:
            own = case.path(case.parameters.get(name, Parameters.model_fields[name].default))
            if self.path(name).resolve() != own.resolve():
                return None
        return claim

    def path(self, name: str) -> Path:
        """The file a path parameter names: absolute as given, else in the case folder."""
        return self.case_settings.path(getattr(self, name))

    def for_model(self, model: str) -> dict[str, Any]:
        """The JSON-ready values of the parameters a model's notebook declares, paths made absolute
        (the notebook's kernel runs elsewhere than the case folder)."""
        values = self.model_dump(mode="json")
        for name in _PATHS:
            values[name] = str(self.path(name))
        return {name: values[name] for name in names_for(model)}


def _one_line_path(cls, value: str) -> str:
    # A path reaches papermill, the manifest and one-line error messages: keep it one plain line.
    if not value.strip():
        raise ValueError("must not be empty")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("must not contain control characters such as a newline or tab")
    return value


Parameters = create_model(
    "Parameters", __base__=_Base, __module__=__name__,
    __validators__={"one_line_path": field_validator(*_PATHS)(classmethod(_one_line_path))},
    **_FIELDS,
)
Parameters.__doc__ = _Base.__doc__


@dataclass(frozen=True)
class ParameterSpec:
    """One row of ``estimates params``."""

    name: str
    #: What a reader sees instead of ``name`` (see :func:`estimates.parameters.fields.param`).
    label: str
    type: str
    default: Any
    minimum: Any
    maximum: Any
    plausible: tuple[Any, Any] | None
    unit: str
    source: str
    models: tuple[str, ...]
    help: str
    #: The value is what its source claim reports (see :func:`estimates.parameters.fields.param`).
    states_claim: bool = False

    @property
    def allowed(self) -> str:
        if self.type.startswith("one of"):
            return self.type
        if self.minimum is not None and self.maximum is not None:
            kind = {"int": "an integer", "float": "a number", "date": "a date"}.get(self.type, self.type)
            return f"{kind} from {self.minimum} to {self.maximum}"
        if self.unit == "path":
            return "a file path on one line"
        return f"a value of type {self.type}"


def _type_name(annotation: Any) -> str:
    if getattr(annotation, "__origin__", None) is Literal:
        return "one of " + ", ".join(repr(a) for a in annotation.__args__)
    return {int: "int", float: "float", dt.date: "date", str: "str"}.get(annotation, str(annotation))


def specs() -> list[ParameterSpec]:
    """Every parameter with its type, default, range, unit, source and help, in schema order."""
    return list(_specs())


@functools.cache
def _specs() -> tuple[ParameterSpec, ...]:
    # The schema is fixed once the registry is imported; spec() and names_for() are called in loops.
    rows = []
    for name, field in Parameters.model_fields.items():
        bounds = {type(m).__name__: m for m in field.metadata}
        extra = field.json_schema_extra or {}
        rows.append(ParameterSpec(
            name=name, label=extra["label"], type=_type_name(field.annotation), default=field.default,
            minimum=getattr(bounds.get("Ge"), "ge", None), maximum=getattr(bounds.get("Le"), "le", None),
            plausible=tuple(extra["plausible"]) if extra.get("plausible") else None,
            unit=extra.get("unit", ""), source=extra.get("source", ASSUMPTION), models=_USED_BY[name],
            help=field.description or "", states_claim=bool(extra.get("states_claim")),
        ))
    return tuple(rows)


def specs_frame():
    """Every parameter as a table, one row each: what ``estimates params`` prints."""
    import pandas as pd

    return pd.DataFrame([{
        "name": s.name, "label": s.label, "type": s.type, "default": s.default,
        "range": f"{s.minimum}..{s.maximum}" if s.minimum is not None else "",
        # About the default, and moved with the run's value (estimates.parameters.variations).
        "plausible": ("" if not s.plausible else f"{s.plausible[0]:+d}..{s.plausible[1]:+d} days" if s.type == "date"
                      else f"{s.plausible[0]}..{s.plausible[1]}"),
        "unit": s.unit, "source": s.source, "description": s.help,
    } for s in specs()])


def spec(name: str) -> ParameterSpec:
    return _by_name()[name]


def label(name: str) -> str:
    """What a reader sees for parameter ``name``: its label (a renamed one's for an old name), or
    the name itself for one the schema no longer has, as an old run may name a retired parameter.

    >>> label("units_committed"), label("btg_committed"), label("hazard_shape")
    ('units committed at the start', 'units committed at the start', 'hazard_shape')
    """
    found = _by_name().get(shared.RENAMED.get(name, name)) if isinstance(name, str) else None
    return found.label if found else name


@functools.cache
def _by_name() -> dict[str, ParameterSpec]:
    return {row.name: row for row in _specs()}


def names_for(model: str) -> list[str]:
    """Names of the parameters a model's notebook declares in its ``parameters`` cell."""
    return [row.name for row in specs() if model in row.models]


def validate(values: dict[str, Any]) -> Parameters:
    """Validate raw values (from YAML, ``-p`` or a notebook) into :class:`Parameters`.

    Raises :class:`ParameterError` with one line naming the first offending parameter. Notices of
    old names used (:func:`renamed`) are printed only once the values are valid, so that a refused
    input gets its one line and nothing else.
    """
    with notices_once_valid():
        return _validated(values)


def _validated(values: dict[str, Any]) -> Parameters:
    if not isinstance(values, dict):
        raise ParameterError(f"parameters must be a mapping of name to value, got {type(values).__name__}")
    values = renamed(values)
    known = list(Parameters.model_fields)
    for name in values:
        if name not in Parameters.model_fields:
            raise ParameterError(_unknown_message(name, known))
    for name, value in values.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise ParameterError(_field_message(name, value, "must be finite"))
    try:
        return Parameters(**values)
    except ValidationError as error:
        raise ParameterError(_one_line(error, values)) from None


def _unknown_message(name: Any, known: list[str]) -> str:
    if name in shared.RETIRED:
        return f"parameter {_shown(str(name))} is no longer taken: {shared.RETIRED[name]}"
    hint = difflib.get_close_matches(str(name), known, n=1)
    suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
    return f"unknown parameter {_shown(str(name))}{suggestion} (run 'estimates params' for the list)"


def _field_message(name: str, value: Any, problem: str) -> str:
    return f"parameter '{name}': {problem}; allowed: {spec(name).allowed}; got {_shown(value)}"


_REPR = reprlib.Repr()  # keyword arguments only from Python 3.12
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict, _REPR.maxstring, _REPR.maxother = 2, 6, 6, 160, 160


def _shown(value: Any) -> str:
    """A value for a one-line message: repr escapes newlines; reprlib caps the size (a YAML file
    of nested aliases can expand to a billion items)."""
    return _REPR.repr(value)


def _one_line(error: ValidationError, values: dict[str, Any]) -> str:
    first = error.errors()[0]
    if first["loc"]:
        name = str(first["loc"][0])
        message = first["msg"].removeprefix("Value error, ")
        return _field_message(name, values.get(name), message[:1].lower() + message[1:])
    # A combination rule: its message starts "name: ..." and already says what is allowed.
    name, _, rest = first["msg"].removeprefix("Value error, ").partition(": ")
    return f"parameter '{name}': {rest}"


def with_case(given: dict[str, Any]) -> Parameters:
    """Validated parameters from schema defaults < the case's ``case.yaml`` < ``given``.

    ``given`` holds what the user set (a parameter file, ``-p``, a notebook's edited or injected
    values), with ``case`` naming the case folder (empty: the bundled case).
    """
    if not isinstance(given, dict):
        raise ParameterError(f"parameters must be a mapping of name to value, got {type(given).__name__}")
    given = renamed(given)
    try:
        case = load_case(given.get("case", ""))
    except InputError as error:
        raise ParameterError(f"parameter 'case': {error}") from None
    check_case(case)
    from_case = renamed(case.parameters)
    if "case" in from_case:
        raise ParameterError(f"{case.folder / 'case.yaml'}: parameters: 'case' cannot be set inside a case")
    for name in _PATHS:  # a file inside the case folder is recorded relative to it, wherever the run starts
        value = given.get(name)
        if isinstance(value, str) and Path(value).is_absolute():
            try:
                given[name] = Path(value).relative_to(case.folder).as_posix()
            except ValueError:
                pass
    return validate({**from_case, **given})


def check_case(case: Case) -> None:
    """The models a case names exist and have the models they depend on; the judgments its
    ``outcomes`` name are ones a statement can settle (a model's ``settleable``)."""
    where = case.folder / "case.yaml"
    for name in case.models or ():
        if name not in MODELS:
            raise ParameterError(f"{where}: setting 'models': unknown model '{name}'; allowed: {', '.join(MODELS)}")
        missing = [d for d in MODELS[name].depends if d not in (case.models or ())]
        if missing:
            raise ParameterError(f"{where}: setting 'models': '{name}' needs '{missing[0]}', which is not listed")
    settleable = [judgment for model in MODELS.values() for judgment in model.settleable]
    for judgment, statements in case.outcomes.items():
        if judgment not in settleable:
            raise ParameterError(f"{where}: setting 'outcomes': '{judgment}' is no judgment a statement can settle; "
                                 f"allowed: {', '.join(settleable)}")
        if not statements:
            raise ParameterError(f"{where}: setting 'outcomes.{judgment}': name at least one statement "
                                 f"(an observation_id of the statements file)")


def from_namespace(model: str, namespace: dict[str, Any]) -> Parameters:
    """Validate the parameters a notebook declares, read from its namespace (``globals()``).

    A notebook run from JupyterLab or plain papermill is checked exactly as ``estimates run``
    checks it. The values papermill injected, and any the analyst edited in the ``parameters``
    cell, win over the case's; the rest come from the case (``case.yaml``), then the defaults.
    Relative paths among them are taken from the kernel's working directory, where papermill was
    started.
    """
    missing = [name for name in names_for(model) if name not in namespace]
    if missing:
        raise ParameterError(f"parameter '{missing[0]}': not set in the notebook's parameters cell")
    injected = injected_names(namespace.get("In", ()))
    # Papermill itself only warns about a name the notebook does not declare, and runs the default.
    unknown = [name for name in injected if name not in Parameters.model_fields and name not in shared.RENAMED]
    if unknown:
        raise ParameterError(_unknown_message(unknown[0], list(Parameters.model_fields)))
    defaults = Parameters.model_fields
    given = {name: namespace[name] for name in injected if name in namespace}
    given.update({name: namespace[name] for name in names_for(model)
                  if name not in given and _differs(namespace[name], defaults[name].default)})
    for name, value in list(given.items()):
        if name in _PATHS + ("case",) and isinstance(value, str) and value.strip():
            given[name] = str(Path.cwd() / Path(value).expanduser())
    return with_case(given)


def _differs(value: Any, default: Any) -> bool:
    if isinstance(default, dt.date) and isinstance(value, str):
        return value != default.isoformat()
    return value != default


#: First line of the cell papermill injects after a notebook's ``parameters`` cell.
INJECTED_HEADER = "# Parameters"


def injected_names(history) -> list[str]:
    r"""Names papermill injected, from a kernel's input history (IPython's ``In``): those assigned
    in the latest cell that starts with papermill's header; none outside papermill.

    >>> injected_names(["x = 1", "# Parameters\nbtg_inefective = 35\nseed = 1\n", "y = 2"])
    ['btg_inefective', 'seed']
    """
    for source in reversed(list(history)):
        if isinstance(source, str) and source.lstrip().startswith(INJECTED_HEADER):
            try:
                tree = ast.parse(source)
            except SyntaxError:
                return []
            return [target.id for node in tree.body if isinstance(node, ast.Assign)
                    for target in node.targets if isinstance(target, ast.Name)]
    return []


def parameters_cell(model: str) -> str:
    """Source of a notebook's ``parameters`` cell: plain typed values, each with its comment."""
    lines = []
    values = Parameters().model_dump(mode="json")
    for row in specs():
        if model not in row.models:
            continue
        kind = "str" if row.type in ("date",) or row.type.startswith("one of") else row.type
        source = f" [{row.source}]" if row.source != ASSUMPTION else " [assumption]"
        unit = f" ({row.unit})" if row.unit else ""
        lines.append(f"{row.name}: {kind} = {values[row.name]!r}  # {row.help}{unit}{source}")
    return "\n".join(lines)
