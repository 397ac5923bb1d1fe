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
import reprlib
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

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


# Resupply computes attrition through the package, so attrition's parameters are declared in both.
ATTRITION = ("attrition", "resupply")
RESUPPLY = ("resupply",)
POOLING = ("pooling",)
LOSSES = ("losses",)
LANCHESTER = ("lanchester",)
#: Models that draw random numbers: only they declare the seed and the number of draws.
RANDOM_MODELS = ("attrition", "resupply", "pooling", "losses")
#: The committed force is an input of every model that counts BTGs.
COMMITTED_FORCE = (*ATTRITION, "pooling", "losses")
ALL_MODELS = ("attrition", "resupply", "pooling", "losses", "lanchester")


class Parameters(BaseModel):
    """Every parameter of the suite, validated once at the edge."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    # --- run control -------------------------------------------------------------------------
    seed: int = _param(
        20220406, ge=0, le=2**32 - 1, unit="", source=ASSUMPTION, models=RANDOM_MODELS,
        help="Seed of the one random generator; each model derives its own stream from it.",
    )
    n_samples: int = _param(
        20000, ge=1000, le=2_000_000, unit="draws", source=ASSUMPTION, models=RANDOM_MODELS,
        help="Monte Carlo draws per model; tests use a quick profile with fewer.",
    )
    as_of: dt.date = _param(
        dt.date(2022, 4, 6), ge=dt.date(2022, 2, 25), le=dt.date(2030, 12, 31), unit="date",
        source="claim:campaign-six-weeks", models=ALL_MODELS, strict=False,
        plausible=(dt.date(2022, 4, 1), dt.date(2022, 4, 11)),
        help="Information cut-off: the date the reported counts describe (day 1 is 2022-02-24).",
    )

    # --- input files ---------------------------------------------------------------------------
    # Read, never written. The default is the bundled ledger in the project directory; a relative
    # path given to `estimates run` is taken from the current directory (the CLI makes it absolute).
    claims_path: str = _param(
        "data/claims.csv", unit="path", source=ASSUMPTION, models=ALL_MODELS,
        help="Claims ledger to read (CSV, columns in data/claims.md); the default is the bundled one.",
    )
    grades_path: str = _param(
        "data/grade_probabilities.csv", unit="path", source=ASSUMPTION, models=("resupply",),
        help="Mapping from Admiralty grades to probabilities (CSV, see data/README.md); override to test it.",
    )

    # --- the reported counts -------------------------------------------------------------------
    btg_committed: int = _param(
        125, ge=1, le=1000, unit="BTG", source="claim:btg-committed-125", models=(*COMMITTED_FORCE, "lanchester"),
        plausible=(120, 130), help="Battalion tactical groups committed at the start of the invasion.",
    )
    btg_ineffective: int = _param(
        29, ge=0, le=1000, unit="BTG", source="claim:btg-ineffective-29",
        models=(*ATTRITION, "pooling", "losses", "lanchester"),
        plausible=(25, 38), help="BTGs reported combat-ineffective at the as-of date.",
    )
    count_uncertainty: int = _param(
        4, ge=0, le=100, unit="BTG (+/-)", source=ASSUMPTION, models=ATTRITION, plausible=(0, 9),
        help="Spread of the ineffective count from what 'combat ineffective' is taken to mean.",
    )
    denominator_uncertainty: int = _param(
        5, ge=0, le=200, unit="BTG (+/-)", source="claim:cnn-btg-out-of-action", models=COMMITTED_FORCE,
        plausible=(0, 10), help="Spread of the committed count (statements said about 120 or 125).",
    )

    # --- the process model ---------------------------------------------------------------------
    prior: Literal["jeffreys", "uniform"] = _param(
        "jeffreys", unit="", source=ASSUMPTION, models=(*ATTRITION, "pooling", "lanchester"),
        help="Beta prior for the per-BTG probability of becoming ineffective.",
    )
    overdispersion: float = _param(
        0.0, ge=0.0, le=0.5, unit="correlation", source=ASSUMPTION, models=(*ATTRITION, "pooling"),
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

    # --- pooling the official statements --------------------------------------------------------
    statements_path: str = _param(
        "data/btg_statements.csv", unit="path", source=ASSUMPTION, models=POOLING,
        help="Official BTG statements read as observations (CSV, see data/README.md); edit to re-read them.",
    )
    pooling_shape_low: float = _param(
        0.5, ge=0.05, le=20.0, unit="", source=ASSUMPTION, models=POOLING, plausible=(0.3, 0.8),
        help="Prior 90% interval of the hazard's Weibull shape when pooling statements: low end.",
    )
    pooling_shape_high: float = _param(
        2.0, ge=0.05, le=20.0, unit="", source=ASSUMPTION, models=POOLING, plausible=(1.5, 3.0),
        help="Prior 90% interval of the hazard's Weibull shape when pooling statements: high end.",
    )

    # --- the loss-data cross-check ------------------------------------------------------------------
    losses_path: str = _param(
        "data/ukraine_losses/russia_losses_equipment.json", unit="path", source="claim:uags-armour-losses",
        models=LOSSES, help="Daily claimed equipment losses (JSON, see data/ukraine_losses/README.md).",
    )
    overcount_low: float = _param(
        1.1, ge=0.2, le=10.0, unit="claimed / true", source="claim:oryx-tanks-confirmed", models=LOSSES,
        plausible=(0.9, 1.3),
        help="Over-count of the claimed losses, low end of a 90% interval (Oryx bounds it near 1.8-2).",
    )
    overcount_high: float = _param(
        2.0, ge=0.2, le=10.0, unit="claimed / true", source="claim:oryx-tanks-confirmed", models=LOSSES,
        plausible=(1.6, 2.5), help="Over-count of the claimed losses, high end of a 90% interval.",
    )
    loss_threshold_low: float = _param(
        0.3, ge=0.01, le=0.99, unit="fraction of armour", source=ASSUMPTION, models=LOSSES,
        plausible=(0.2, 0.4),
        help="Share of its armour a BTG loses before it is combat-ineffective: low end of a 90% interval.",
    )
    loss_threshold_high: float = _param(
        0.5, ge=0.01, le=0.99, unit="fraction of armour", source=ASSUMPTION, models=LOSSES,
        plausible=(0.4, 0.7),
        help="Share of its armour a BTG loses before it is combat-ineffective: high end of a 90% interval.",
    )
    loss_concentration: float = _param(
        1.0, ge=0.01, le=1000.0, unit="Dirichlet alpha", source=ASSUMPTION, models=LOSSES,
        plausible=(0.3, 10.0),
        help="How evenly losses spread over BTGs: large is even, 1 puts ~60% of losses on a quarter of BTGs.",
    )
    loss_share_on_btgs_low: float = _param(
        0.7, ge=0.01, le=0.99, unit="fraction", source=ASSUMPTION, models=LOSSES, plausible=(0.5, 0.8),
        help="Share of the armour lost that belonged to the committed BTGs: low end of a 90% interval.",
    )
    loss_share_on_btgs_high: float = _param(
        0.95, ge=0.01, le=0.99, unit="fraction", source=ASSUMPTION, models=LOSSES, plausible=(0.85, 0.99),
        help="Share of the armour lost that belonged to the committed BTGs: high end of a 90% interval.",
    )

    # --- Lanchester: the tempo of the claimed personnel losses -----------------------------------
    personnel_losses_path: str = _param(
        "data/ukraine_losses/russia_losses_personnel.json", unit="path", source="claim:uags-personnel-losses",
        models=LANCHESTER, help="Daily claimed personnel losses (JSON, see data/ukraine_losses/README.md).",
    )
    russian_initial_strength: float = _param(
        150_000, ge=1000, le=5_000_000, unit="troops", source="claim:reuters-btg-border-125", models=LANCHESTER,
        plausible=(120_000, 190_000),
        help="Russian troops committed at the start, the base of the per-capita loss hazard.",
    )

    # --- resupply: from grades to probabilities ------------------------------------------------
    base_rate: float = _param(
        0.5, ge=0.01, le=0.99, unit="probability", source=ASSUMPTION, models=RESUPPLY,
        plausible=(0.3, 0.7),
        help="P(true) standing in for grades F and 6 ('cannot be judged') in the grade table.",
    )
    grade_confidence: float = _param(
        1.0, ge=0.0, le=3.0, unit="", source=ASSUMPTION, models=RESUPPLY, plausible=(0.5, 1.5),
        help="Stretch of the log-odds in the grade table away from the base rate (1 keeps the table).",
    )
    originator_correlation: float = _param(
        0.3, ge=0.0, le=1.0, unit="correlation", source=ASSUMPTION, models=RESUPPLY,
        plausible=(0.1, 0.5), help="Latent correlation of claims sharing an originator.",
    )
    outlet_correlation: float = _param(
        0.3, ge=0.0, le=1.0, unit="correlation", source=ASSUMPTION, models=RESUPPLY,
        plausible=(0.1, 0.5), help="Latent correlation added for claims carried by the same outlet.",
    )

    # --- resupply: quantities the report does not give (90% intervals, lognormal) ---------------
    rpg_launchers_low: float = _param(
        50, ge=0, le=1e6, unit="launchers", source=ASSUMPTION, models=RESUPPLY, plausible=(20, 100),
        help="RPG launchers moved through Shalamcheh: low end of a 90% interval (not reported).",
    )
    rpg_launchers_high: float = _param(
        500, ge=0, le=1e6, unit="launchers", source=ASSUMPTION, models=RESUPPLY, plausible=(250, 1000),
        help="RPG launchers moved through Shalamcheh: high end of a 90% interval (not reported).",
    )
    atgm_launchers_low: float = _param(
        10, ge=0, le=1e6, unit="launchers", source=ASSUMPTION, models=RESUPPLY, plausible=(5, 20),
        help="Anti-tank missile launchers moved: low end of a 90% interval (not reported).",
    )
    atgm_launchers_high: float = _param(
        100, ge=0, le=1e6, unit="launchers", source=ASSUMPTION, models=RESUPPLY, plausible=(50, 200),
        help="Anti-tank missile launchers moved: high end of a 90% interval (not reported).",
    )

    # --- resupply: the route ---------------------------------------------------------------------
    undated_departure_day_low: int = _param(
        20, ge=1, le=3650, unit="day of war", source=ASSUMPTION, models=RESUPPLY, plausible=(10, 30),
        help="Earliest departure of an undated transfer (uniform between low and high).",
    )
    undated_departure_day_high: int = _param(
        47, ge=1, le=3650, unit="day of war", source="claim:bavar373-donated", models=RESUPPLY,
        plausible=(40, 60), help="Latest departure of an undated transfer: the report's date (day 47).",
    )
    port_transit_days_low: float = _param(
        2, ge=0.1, le=365, unit="days", source=ASSUMPTION, models=RESUPPLY, plausible=(1, 4),
        help="Road transit, Shalamcheh to Bandar Anzali (about 1,000 km): low end of a 90% interval.",
    )
    port_transit_days_high: float = _param(
        7, ge=0.1, le=365, unit="days", source=ASSUMPTION, models=RESUPPLY, plausible=(5, 14),
        help="Road transit, Shalamcheh to Bandar Anzali: high end of a 90% interval.",
    )
    ship_count: int = _param(
        3, ge=0, le=100, unit="ships", source="claim:caspian-three-ships", models=RESUPPLY,
        plausible=(1, 5), help="Cargo ships sailing Bandar Anzali to Astrakhan.",
    )
    ship_capacity_tonnes_low: float = _param(
        1500, ge=1, le=1e6, unit="tonnes", source=ASSUMPTION, models=RESUPPLY, plausible=(500, 3000),
        help="Cargo one sailing can carry: low end of a 90% interval (Caspian dry-cargo ships).",
    )
    ship_capacity_tonnes_high: float = _param(
        5000, ge=1, le=1e6, unit="tonnes", source=ASSUMPTION, models=RESUPPLY, plausible=(3000, 7000),
        help="Cargo one sailing can carry: high end of a 90% interval.",
    )
    turnaround_days_low: float = _param(
        7, ge=0.5, le=365, unit="days", source=ASSUMPTION, models=RESUPPLY, plausible=(4, 10),
        help="Round trip of one ship including loading: low end of a 90% interval.",
    )
    turnaround_days_high: float = _param(
        14, ge=0.5, le=365, unit="days", source=ASSUMPTION, models=RESUPPLY, plausible=(10, 28),
        help="Round trip of one ship including loading: high end of a 90% interval.",
    )
    crossing_days_low: float = _param(
        2, ge=0.1, le=60, unit="days", source=ASSUMPTION, models=RESUPPLY, plausible=(1, 3),
        help="Sailing time Bandar Anzali to Astrakhan (about 1,000 km): low end of a 90% interval.",
    )
    crossing_days_high: float = _param(
        4, ge=0.1, le=60, unit="days", source=ASSUMPTION, models=RESUPPLY, plausible=(3, 7),
        help="Sailing time Bandar Anzali to Astrakhan: high end of a 90% interval.",
    )
    onward_days_low: float = _param(
        3, ge=0.1, le=365, unit="days", source=ASSUMPTION, models=RESUPPLY, plausible=(2, 7),
        help="Astrakhan onward to units at the front: low end of a 90% interval.",
    )
    onward_days_high: float = _param(
        14, ge=0.1, le=365, unit="days", source=ASSUMPTION, models=RESUPPLY, plausible=(7, 30),
        help="Astrakhan onward to units at the front: high end of a 90% interval.",
    )

    # --- resupply: the loss denominator ------------------------------------------------------------
    equipment_loss_share_low: float = _param(
        0.3, ge=0.01, le=0.99, unit="fraction", source=ASSUMPTION, models=RESUPPLY, plausible=(0.2, 0.4),
        help="Share of its equipment an ineffective BTG has lost: low end of a 90% interval.",
    )
    equipment_loss_share_high: float = _param(
        0.7, ge=0.01, le=0.99, unit="fraction", source=ASSUMPTION, models=RESUPPLY, plausible=(0.6, 0.9),
        help="Share of its equipment an ineffective BTG has lost: high end of a 90% interval.",
    )
    replacement_share_threshold: float = _param(
        0.1, ge=0.0, le=10.0, unit="fraction", source=ASSUMPTION, models=RESUPPLY,
        help="Share of a category's losses that counts as a material replacement in the judgments.",
    )

    @field_validator("claims_path", "grades_path", "statements_path", "losses_path", "personnel_losses_path")
    @classmethod
    def _one_line_path(cls, value: str) -> str:
        # A path reaches papermill, the manifest and one-line error messages: keep it one plain line.
        if not value.strip():
            raise ValueError("must not be empty")
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise ValueError("must not contain control characters such as a newline or tab")
        return value

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
        if self.originator_correlation + self.outlet_correlation > 1.0:
            raise ValueError(
                "originator_correlation: originator_correlation + outlet_correlation must be at most 1 "
                f"(so the correlation matrix is valid); got {self.originator_correlation} + "
                f"{self.outlet_correlation}"
            )
        for stem in _INTERVAL_PAIRS:
            low, high = getattr(self, f"{stem}_low"), getattr(self, f"{stem}_high")
            if low > high:
                raise ValueError(f"{stem}_low: must be at most {stem}_high ({high}); got {low}")
        if self.share_rounding >= min(self.committed_share_of_army, self.committed_share_of_army_alt):
            raise ValueError(
                "share_rounding: must be smaller than both committed shares "
                f"({self.committed_share_of_army}, {self.committed_share_of_army_alt}); "
                f"got {self.share_rounding}"
            )
        return self

    # --- derived values ------------------------------------------------------------------------
    @property
    def committed_range(self) -> tuple[int, int]:
        """The committed force as the integers it may be: ``btg_committed`` +/- ``denominator_uncertainty``."""
        return (max(1, self.btg_committed - self.denominator_uncertainty),
                self.btg_committed + self.denominator_uncertainty)

    @property
    def days_elapsed(self) -> int:
        """Day number of the as-of date, counting 24 February 2022 as day 1."""
        return day_number(self.as_of)

    def for_model(self, model: str) -> dict[str, Any]:
        """The JSON-ready values of the parameters a model's notebook declares."""
        values = self.model_dump(mode="json")
        return {name: values[name] for name in names_for(model)}


#: Parameters given as a 90% interval, as ``<stem>_low`` / ``<stem>_high`` pairs.
_INTERVAL_PAIRS = (
    "rpg_launchers", "atgm_launchers", "undated_departure_day", "port_transit_days",
    "ship_capacity_tonnes", "turnaround_days", "crossing_days", "onward_days", "equipment_loss_share",
    "pooling_shape", "overcount", "loss_threshold", "loss_share_on_btgs",
)


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
        if self.unit == "path":
            return "a file path on one line"
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
