"""The one typed schema of every run parameter.

This module is the single source of truth for parameter names, types, defaults, validation ranges,
plausible ranges (for sensitivity analyses), units, help text and provenance (a claim id in the
bundled ledger, or "assumption"). Names form one namespace across notebooks. The CLI validates
against it before any kernel starts; each notebook validates its own ``parameters`` cell against it
too, so a notebook run straight from JupyterLab or plain papermill is checked the same way.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

#: Day 1 of the war, as in the daily loss data set: 24 February 2022.
WAR_START = dt.date(2022, 2, 24)

ASSUMPTION = "assumption"


class ParameterError(ValueError):
    """A parameter failed validation; the message is one line naming it and what is allowed."""


def _param(
    default: Any,
    *,
    help: str,
    unit: str,
    source: str,
    models: tuple[str, ...],
    ge: float | None = None,
    le: float | None = None,
    plausible: tuple[Any, Any] | None = None,
    strict: bool | None = None,
):
    extra = {"unit": unit, "source": source, "models": list(models), "plausible": plausible}
    return Field(default, ge=ge, le=le, description=help, json_schema_extra=extra, strict=strict)


ATTRITION = ("attrition",)
ALL_MODELS = ("attrition",)


class Parameters(BaseModel):
    """Every parameter of the suite, validated once at the edge."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    # --- run control -------------------------------------------------------------------------
    seed: int = _param(
        20220406, ge=0, le=2**32 - 1, unit="", source=ASSUMPTION, models=ALL_MODELS,
        help="Seed of the one random generator; each model derives its own stream from it.",
    )
    n_samples: int = _param(
        20000, ge=1000, le=2_000_000, unit="draws", source=ASSUMPTION, models=ALL_MODELS,
        help="Monte Carlo draws per model; tests use a quick profile with fewer.",
    )
    as_of: dt.date = _param(
        dt.date(2022, 4, 6), ge=dt.date(2022, 2, 25), le=dt.date(2030, 12, 31), unit="date",
        source="claim:campaign-six-weeks", models=ALL_MODELS, strict=False,
        plausible=(dt.date(2022, 4, 1), dt.date(2022, 4, 11)),
        help="Information cut-off: the date the reported counts describe (day 1 is 2022-02-24).",
    )

    # --- the reported counts -------------------------------------------------------------------
    btg_committed: int = _param(
        125, ge=1, le=1000, unit="BTG", source="claim:btg-committed-125", models=ATTRITION,
        plausible=(120, 130), help="Battalion tactical groups committed at the start of the invasion.",
    )
    btg_ineffective: int = _param(
        29, ge=0, le=1000, unit="BTG", source="claim:btg-ineffective-29", models=ATTRITION,
        plausible=(25, 38), help="BTGs reported combat-ineffective at the as-of date.",
    )
    count_uncertainty: int = _param(
        4, ge=0, le=100, unit="BTG (+/-)", source=ASSUMPTION, models=ATTRITION, plausible=(0, 9),
        help="Spread of the ineffective count from what 'combat ineffective' is taken to mean.",
    )
    denominator_uncertainty: int = _param(
        5, ge=0, le=200, unit="BTG (+/-)", source="claim:cnn-btg-out-of-action", models=ATTRITION,
        plausible=(0, 10), help="Spread of the committed count (statements said about 120 or 125).",
    )

    # --- the process model ---------------------------------------------------------------------
    prior: Literal["jeffreys", "uniform"] = _param(
        "jeffreys", unit="", source=ASSUMPTION, models=ATTRITION,
        help="Beta prior for the per-BTG probability of becoming ineffective.",
    )
    overdispersion: float = _param(
        0.0, ge=0.0, le=0.5, unit="correlation", source=ASSUMPTION, models=ATTRITION,
        plausible=(0.0, 0.05),
        help="Intra-class correlation of losses (beta-binomial); 0 treats BTGs as independent.",
    )
    hazard_shape: float = _param(
        1.0, ge=0.2, le=5.0, unit="", source=ASSUMPTION, models=ATTRITION, plausible=(0.7, 1.3),
        help="Weibull shape of the hazard: 1 constant tempo, <1 falling, >1 rising.",
    )
    reconstitution_per_week: float = _param(
        0.0, ge=0.0, le=50.0, unit="BTG/week", source=ASSUMPTION, models=ATTRITION,
        plausible=(0.0, 3.0),
        help="Ineffective BTGs regenerated per week (never more than are ineffective).",
    )
    horizon_days: int = _param(
        56, ge=1, le=730, unit="days", source=ASSUMPTION, models=ATTRITION, plausible=(28, 84),
        help="How far past the as-of date to project effective BTGs.",
    )
    threshold_share: float = _param(
        0.5, ge=0.0, le=1.0, unit="fraction of committed", source=ASSUMPTION, models=ATTRITION,
        plausible=(0.4, 0.6),
        help="Effective BTGs below this share of those committed count as a crossing.",
    )

    # --- the "75%" read both ways --------------------------------------------------------------
    committed_share_of_army: float = _param(
        0.75, ge=0.01, le=1.0, unit="fraction", source="claim:btg-committed-share-75",
        models=ATTRITION, plausible=(0.65, 0.8),
        help="Reading 1 of the '75%': the committed force's share of the whole army (seed).",
    )
    committed_share_of_army_alt: float = _param(
        0.65, ge=0.01, le=1.0, unit="fraction", source="claim:ukmod-committed-share-65",
        models=ATTRITION, plausible=(0.6, 0.7),
        help="The UK MoD's share of ground combat strength committed, for comparison.",
    )
    share_rounding: float = _param(
        0.025, ge=0.0, le=0.2, unit="fraction (+/-)", source=ASSUMPTION, models=ATTRITION,
        plausible=(0.0, 0.05), help="How far an 'about N%' share may be from N.",
    )
    btg_total_low: int = _param(
        168, ge=1, le=5000, unit="BTG", source="claim:btg-total-2021", models=ATTRITION,
        help="Lower end of the stated late-2021 total of Russian BTGs.",
    )
    btg_total_high: int = _param(
        170, ge=1, le=5000, unit="BTG", source="claim:btg-total-2021", models=ATTRITION,
        help="Upper end of the stated late-2021 total of Russian BTGs.",
    )
    combat_power_retained: float = _param(
        0.75, ge=0.0, le=1.0, unit="fraction", source="claim:us-combat-power-retained-75",
        models=ATTRITION, plausible=(0.7, 0.8),
        help="Reading 2 of the '75%': share of its starting combat power Russia retained.",
    )

    @model_validator(mode="after")
    def _combinations(self) -> Parameters:
        if self.btg_ineffective > self.btg_committed:
            raise ValueError(
                f"btg_ineffective: must be at most btg_committed ({self.btg_committed}); "
                f"got {self.btg_ineffective}"
            )
        if self.btg_total_low > self.btg_total_high:
            raise ValueError(
                f"btg_total_low: must be at most btg_total_high ({self.btg_total_high}); "
                f"got {self.btg_total_low}"
            )
        if self.share_rounding >= min(self.committed_share_of_army, self.committed_share_of_army_alt):
            raise ValueError(
                "share_rounding: must be smaller than both committed shares "
                f"({self.committed_share_of_army}, {self.committed_share_of_army_alt}); "
                f"got {self.share_rounding}"
            )
        return self

    # --- derived values ------------------------------------------------------------------------
    @property
    def days_elapsed(self) -> int:
        """Day number of the as-of date, counting 24 February 2022 as day 1."""
        return day_number(self.as_of)

    def for_model(self, model: str) -> dict[str, Any]:
        """The JSON-ready values of the parameters a model's notebook declares."""
        values = self.model_dump(mode="json")
        return {name: values[name] for name in names_for(model)}


def day_number(date: dt.date) -> int:
    """Day of the war for ``date``; 2022-02-24 is day 1, so 2022-04-06 is day 42."""
    return (date - WAR_START).days + 1


@dataclass(frozen=True)
class ParameterSpec:
    """One row of ``estimates params``."""

    name: str
    type: str
    default: Any
    minimum: Any
    maximum: Any
    plausible: tuple[Any, Any] | None
    unit: str
    source: str
    models: tuple[str, ...]
    help: str

    @property
    def allowed(self) -> str:
        if self.type.startswith("one of"):
            return self.type
        if self.minimum is not None and self.maximum is not None:
            kind = {"int": "an integer", "float": "a number", "date": "a date"}.get(self.type, self.type)
            return f"{kind} from {self.minimum} to {self.maximum}"
        return f"a value of type {self.type}"


def _type_name(annotation: Any) -> str:
    if getattr(annotation, "__origin__", None) is Literal:
        return "one of " + ", ".join(repr(a) for a in annotation.__args__)
    return {int: "int", float: "float", dt.date: "date", str: "str"}.get(annotation, str(annotation))


def specs() -> list[ParameterSpec]:
    """Every parameter with its type, default, range, unit, source and help, in schema order."""
    rows = []
    for name, field in Parameters.model_fields.items():
        bounds = {type(m).__name__: m for m in field.metadata}
        extra = field.json_schema_extra or {}
        rows.append(
            ParameterSpec(
                name=name,
                type=_type_name(field.annotation),
                default=field.default,
                minimum=getattr(bounds.get("Ge"), "ge", None),
                maximum=getattr(bounds.get("Le"), "le", None),
                plausible=tuple(extra["plausible"]) if extra.get("plausible") else None,
                unit=extra.get("unit", ""),
                source=extra.get("source", ASSUMPTION),
                models=tuple(extra.get("models", ())),
                help=field.description or "",
            )
        )
    return rows


def spec(name: str) -> ParameterSpec:
    for row in specs():
        if row.name == name:
            return row
    raise KeyError(name)


def names_for(model: str) -> list[str]:
    """Names of the parameters a model's notebook declares in its ``parameters`` cell."""
    return [row.name for row in specs() if model in row.models]


def validate(values: dict[str, Any]) -> Parameters:
    """Validate raw values (from YAML, ``-p`` or a notebook) into :class:`Parameters`.

    Raises :class:`ParameterError` with one line naming the first offending parameter.
    """
    if not isinstance(values, dict):
        raise ParameterError(f"parameters must be a mapping of name to value, got {type(values).__name__}")
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
    hint = difflib.get_close_matches(str(name), known, n=1)
    suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
    return f"unknown parameter '{name}'{suggestion} (run 'estimates params' for the list)"


def _field_message(name: str, value: Any, problem: str) -> str:
    return f"parameter '{name}': {problem}; allowed: {spec(name).allowed}; got {value!r}"


def _one_line(error: ValidationError, values: dict[str, Any]) -> str:
    first = error.errors()[0]
    if first["loc"]:
        name = str(first["loc"][0])
        return _field_message(name, values.get(name), first["msg"].lower())
    # A combination rule: its message starts "name: ..." and already says what is allowed.
    name, _, rest = first["msg"].removeprefix("Value error, ").partition(": ")
    return f"parameter '{name}': {rest}"


def from_namespace(model: str, namespace: dict[str, Any]) -> Parameters:
    """Validate the parameters a notebook declares, read from its namespace (``globals()``).

    A notebook run from JupyterLab or plain papermill is checked exactly as ``estimates run``
    checks it; parameters of other models keep their defaults.
    """
    missing = [name for name in names_for(model) if name not in namespace]
    if missing:
        raise ParameterError(f"parameter '{missing[0]}': not set in the notebook's parameters cell")
    return validate({name: namespace[name] for name in names_for(model)})


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
