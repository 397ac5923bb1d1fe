"""A case: a folder holding ``case.yaml`` and the data files its models read.

``case.yaml`` says what the case is about (day 1 of the conflict, the force, the words for its
units, who reported the counts, the route transfers take, which models run), the parameter values
the case starts from, the claim each input parameter comes from, optionally plausible ranges
that replace the declared ones, and which later statements settle which judgments (``outcomes``). Relative paths inside it are taken from the case folder.

The bundled case (the seed's spring-2022 report) is the project's ``data/`` folder.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from estimates.core.calendar import date_of_day, day_number
from estimates.core.vocabulary import Vocabulary
from estimates.errors import InputError

CASE_FILE = "case.yaml"
MODES = ("road", "rail", "sea", "river", "air")


class _Leg(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    mode: Literal[MODES]  # type: ignore[valid-type]
    label: str = Field(min_length=1)
    #: The vehicles serving this leg in numbers limited by ``ship_count`` ("ship", "train"); one
    #: leg of a route has them.
    carrier: str | None = None


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    title: str = Field(min_length=1)
    conflict_start: dt.date
    subject: str = Field(min_length=1)
    unit_singular: str = Field(min_length=1)
    unit_plural: str = Field(min_length=1)
    unit_short: str = Field(min_length=1)
    reporting: str = Field(min_length=1)
    route: list[_Leg] = Field(default_factory=list)
    #: Which models run; absent: every registered model.
    models: list[str] | None = Field(default=None, min_length=1)
    #: Categories of a loss series (CSV) -> holdings categories.
    loss_categories: dict[str, str] = Field(default_factory=dict)
    #: Input parameter -> the ledger claim its value comes from.
    claims: dict[str, str] = Field(default_factory=dict)
    #: Parameter -> [low, high]: plausible range replacing the declared one.
    ranges: dict[str, list[Any]] = Field(default_factory=dict)
    parameters: dict[str, Any] = Field(default_factory=dict)
    #: Judgment id -> the statements (observation ids in the statements file) that may settle it.
    outcomes: dict[str, list[str]] = Field(default_factory=dict)


@dataclass(frozen=True)
class Leg:
    mode: str
    label: str
    carrier: str | None = None


@dataclass(frozen=True)
class Case:
    """What one ``case.yaml`` says, with its folder."""

    folder: Path
    title: str
    conflict_start: dt.date
    words: Vocabulary
    route: tuple[Leg, ...]
    #: The models ``case.yaml`` names, or None for every registered model.
    models: tuple[str, ...] | None
    loss_categories: dict[str, str] = field(default_factory=dict)
    claims: dict[str, str] = field(default_factory=dict)
    ranges: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    #: Which statements settle which judgments: judgment id -> observation ids (``outcomes:``).
    outcomes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def path(self, value: str | Path) -> Path:
        """A path as the case gives it: relative ones are in the case folder."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.folder / path

    def day_number(self, date: dt.date) -> int:
        """Day of the conflict for ``date``; ``conflict_start`` is day 1."""
        return day_number(date, self.conflict_start)

    def date_of_day(self, day: int) -> dt.date:
        return date_of_day(day, self.conflict_start)

    def claim_for(self, parameter: str) -> str | None:
        """The claim id a parameter's value comes from, as the case's ``claims:`` says; None if it
        names none. A declared source (``claim:<id>``) documents the bundled case's default and is
        not cited for any case that does not list it: another case's ledger has other claims."""
        return self.claims.get(parameter)

    def to_dict(self) -> dict[str, Any]:
        return {"folder": str(self.folder), "title": self.title, "conflict_start": self.conflict_start.isoformat(),
                **self.words.to_dict(), "models": None if self.models is None else list(self.models),
                "route": [{"mode": leg.mode, "label": leg.label, "carrier": leg.carrier} for leg in self.route]}


def case_folder(value: str | Path | None) -> Path:
    """The folder a ``case`` parameter names: the bundled case when empty."""
    from estimates.paths import BUNDLED_CASE

    if value is None or not str(value).strip():
        return BUNDLED_CASE
    return Path(value).expanduser().resolve()


def load_case(value: str | Path | None) -> Case:
    """Read and check a case folder's ``case.yaml``; :class:`InputError` with one line if it is bad."""
    return _load(case_folder(value))


@functools.lru_cache(maxsize=16)
def _load(folder: Path) -> Case:
    where = folder / CASE_FILE
    if not folder.is_dir():
        raise InputError(f"case {folder}: not a folder; give a folder holding {CASE_FILE} "
                         f"(make one with 'estimates case new DIR')")
    try:
        raw = yaml.safe_load(where.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputError(f"case {folder}: no {CASE_FILE} in it (make one with 'estimates case new DIR')") from None
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as error:
        problem = " ".join(str(error).split())[:200]
        raise InputError(f"{where}: cannot read ({problem})") from None
    if not isinstance(raw, dict):
        raise InputError(f"{where}: expected a mapping of settings, got {type(raw).__name__}")
    try:
        settings = _Settings(**raw)
    except ValidationError as error:
        first = error.errors()[0]
        name = ".".join(str(part) for part in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            allowed = ", ".join(_Settings.model_fields)
            raise InputError(f"{where}: unknown setting '{name}'; allowed: {allowed}") from None
        raise InputError(f"{where}: setting '{name}': {message}") from None
    return _case(folder, settings, where)


def _case(folder: Path, settings: _Settings, where: Path) -> Case:
    # Model names are checked against the registry by estimates.parameters.schema.check_case, a layer above.
    carriers = [leg for leg in settings.route if leg.carrier]
    if len(carriers) > 1:
        raise InputError(f"{where}: setting 'route': only one leg may have a carrier; got {len(carriers)}")
    for name, pair in settings.ranges.items():
        if len(pair) != 2:
            raise InputError(f"{where}: setting 'ranges.{name}': expected [low, high]; got {pair!r}")
    words = Vocabulary(settings.subject, settings.unit_singular, settings.unit_plural, settings.unit_short,
                       settings.reporting)
    return Case(
        folder=folder, title=settings.title, conflict_start=settings.conflict_start, words=words,
        route=tuple(Leg(leg.mode, leg.label, leg.carrier) for leg in settings.route),
        models=None if settings.models is None else tuple(dict.fromkeys(settings.models)),
        loss_categories=dict(settings.loss_categories), claims=dict(settings.claims),
        ranges={name: tuple(pair) for name, pair in settings.ranges.items()},
        parameters=dict(settings.parameters),
        outcomes={judgment: tuple(dict.fromkeys(ids)) for judgment, ids in settings.outcomes.items()},
    )
