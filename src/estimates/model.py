"""What the suite needs to know about one model: the :class:`Model` description.

A model is a folder under ``estimates/models/`` and one line in :mod:`estimates.registry`. The folder
holds

- ``__init__.py``: ``MODEL = Model(...)``, this description; light, so the registry loads fast;
- ``parameters.py``: the model's own parameters (:func:`estimates.parameters.fields.param`) and the
  rules that tie several of them together;
- ``assessment.py``: the entry points, one signature for every model:

  - ``load(params) -> data``: every file the model reads, with its hash (:mod:`estimates.inputs`);
  - ``check(params, data)``: what only the data can rule out; raises
    :class:`~estimates.errors.InputError` naming the parameter;
  - ``assess(params, data, rng, *, sensitivity=False) -> result``: a frozen result with
    ``summary()``, ``plot(ax=None)``, ``_repr_html_()``, ``to_dict()`` and ``judgments_frame()``;
  - ``key_judgments(params, data, rng)``: the judgments alone, as ``assess`` makes them;
  - ``section(params, data, result) -> dict``: its section of ``results.json``;

- ``charts.py`` (optional): its figures; ``figures(section)`` draws the briefing's from its section;
- ``report.py`` (optional): ``tables(section)`` (key tables, CSV) and ``notes(section)`` (plain
  words on unusual inputs) for the briefing; ``collection_priorities(section)`` for a model that
  draws claim truth per draw;
- ``section.html.j2`` (optional): the briefing macros (see :mod:`estimates.report.briefing`);
- ``schema.json``: the JSON Schema of its ``results.json`` section;
- its notebook, named by :attr:`Model.notebook`.

The runner, sweep, diff, briefing and CLI only ever go through these methods.
"""

from __future__ import annotations

import importlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Mapping


@dataclass(frozen=True)
class Model:
    """One model of the suite, as the infrastructure sees it."""

    #: Key of its ``results.json`` section, its random stream and its notebook's records.
    name: str
    #: Heading of its part of the briefing.
    title: str
    #: The model's folder as a package, e.g. ``"estimates.models.attrition"``.
    package: str
    notebook: Path
    #: Its own parameters: ``{name: (type, pydantic FieldInfo)}`` from ``param``, in display order.
    parameters: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)
    #: Parameters declared elsewhere (shared ones, or another model's own) that its notebook takes.
    uses: tuple[str, ...] = ()
    #: Models whose whole parameter set it takes too (it computes them through the package).
    includes: tuple[str, ...] = ()
    #: Models whose recorded section must exist before its notebook runs.
    depends: tuple[str, ...] = ()
    #: Rules over several parameters: each takes the validated values and raises ``ValueError``
    #: with ``"name: what is allowed; got ..."``.
    rules: tuple[Callable[[Any], None], ...] = ()
    #: Parameters that set what a judgment asks (a date, a threshold), not what is known: the term
    #: sensitivity leaves them alone.
    question_parameters: tuple[str, ...] = ()
    #: A second line of evidence: its judgments appear under "Cross-checks", not the bottom line.
    crosscheck: bool = False
    #: Its judgments that may be key judgments, by id, with their rank across the suite (1 first):
    #: the front page shows the five best-ranked a run makes that can go either way; the others
    #: appear on the model's own page (:mod:`estimates.report.front_page`).
    key_judgment_ranks: Mapping[str, int] = field(default_factory=dict)
    #: Its judgments about what a later official count will show, by id, each with the statement
    #: that can settle it: each carries an :class:`~estimates.core.observables.Observable`, and a
    #: case's ``outcomes:`` names the statements that settle it (:mod:`estimates.track.settle`).
    settleable: Mapping[str, str] = field(default_factory=dict)
    #: Where its one-sentence headline (``report.headline``) stands in the bottom line (1 first);
    #: ``None`` for a model that adds no sentence to it. The bottom line takes at most three.
    headline_rank: int | None = None
    #: The one figure its page in the briefing's main body shows (a name from ``figures``).
    page_figure: str | None = None
    #: What it asks, as a phrase for the briefing's scope note; ``{unit_plural}`` and the other case
    #: words (``section["words"]``) are filled in from its section.
    question: str = ""

    # --- where its pieces are ----------------------------------------------------------------
    @property
    def folder(self) -> Path:
        return Path(sys.modules[self.package].__file__).resolve().parent

    @property
    def template(self) -> Path | None:
        path = self.folder / "section.html.j2"
        return path if path.is_file() else None

    def results_schema(self) -> dict:
        """The JSON Schema of this model's ``results.json`` section (``schema.json`` in its folder)."""
        return json.loads((self.folder / "schema.json").read_text(encoding="utf-8"))

    @property
    def implementation(self) -> ModuleType:
        return importlib.import_module(f"{self.package}.assessment")

    def _optional(self, module: str) -> ModuleType | None:
        """The model's ``module`` (``charts`` or ``report``), or None if its folder has none."""
        try:
            return importlib.import_module(f"{self.package}.{module}")
        except ModuleNotFoundError as error:
            if error.name != f"{self.package}.{module}":
                raise
            return None

    # --- parameters ---------------------------------------------------------------------------
    def parameter_names(self) -> list[str]:
        """Names of the parameters its notebook declares, in schema order."""
        from estimates.parameters.schema import names_for

        return names_for(self.name)

    @property
    def random(self) -> bool:
        """Whether the model draws random numbers (and so takes ``seed`` and ``n_samples``)."""
        return "seed" in self.parameter_names()

    def sensitivity_inputs(self) -> tuple[str, ...]:
        """The uncertain inputs its judgments are rechecked over: every parameter it takes that
        has a plausible range, less :attr:`question_parameters`."""
        from estimates.parameters.schema import spec

        return tuple(n for n in self.parameter_names()
                     if spec(n).plausible and n not in self.question_parameters)

    def validate(self, namespace: Mapping[str, Any]):
        """Validated parameters from a notebook's namespace (``globals()``); see
        :func:`estimates.parameters.schema.from_namespace`."""
        from estimates.parameters.schema import from_namespace

        return from_namespace(self.name, namespace)

    # --- the entry points ---------------------------------------------------------------------
    def rng(self, params):
        """The model's own random stream for ``params.seed`` (None for a model that draws none)."""
        from estimates.core.randomness import model_rng

        return model_rng(params.seed, self.name) if self.random else None

    def load(self, params, *, check: bool = True):
        """Read every input file the model uses, then (``check``) rule out impossible combinations."""
        data = self.implementation.load(params)
        if check:
            self.implementation.check(params, data)
        return data

    def assess(self, params, data, rng=None, *, sensitivity: bool = False):
        rng = self.rng(params) if rng is None else rng
        return self.implementation.assess(params, data, rng, sensitivity=sensitivity)

    def key_judgments(self, params, data=None) -> tuple:
        """The model's judgments for ``params``, computed exactly as its notebook computes them."""
        data = self.load(params, check=False) if data is None else data
        return tuple(self.implementation.key_judgments(params, data, self.rng(params)))

    def term_sensitivity(self, params, data, judgments) -> tuple:
        """``judgments`` with their term sensitivity: each of :meth:`sensitivity_inputs` set in turn to
        either end of its plausible range and the judgments recomputed through ``key_judgments``,
        with the same ``data`` and the same seed (common random numbers)."""
        from estimates.parameters.variations import with_term_sensitivity

        def recompute(varied):
            return self.implementation.key_judgments(varied, data, self.rng(varied))

        return with_term_sensitivity(judgments, params, recompute, self.sensitivity_inputs(),
                                     ledger=getattr(data, "ledger", None))

    def section(self, params, data, result) -> dict:
        from estimates.report.record import jsonable

        return jsonable(self.implementation.section(params, data, result))

    def compute_section(self, params) -> dict:
        """Its ``results.json`` section from parameters alone, as its notebook records it."""
        data = self.load(params)
        return self.section(params, data, self.assess(params, data, sensitivity=True))

    def record(self, params, data, result) -> dict:
        """Record its section from inside its notebook (see :mod:`estimates.report.record`)."""
        from estimates.report.record import record

        return record(self.name, self.section(params, data, result))

    # --- the briefing -------------------------------------------------------------------------
    def figures(self, section: dict) -> list:
        """``[(name, figure, alt text)]`` drawn from its recorded section."""
        charts = self._optional("charts")
        return list(charts.figures(section)) if charts and hasattr(charts, "figures") else []

    def tables(self, section: dict) -> dict:
        """Key tables as ``{file stem: DataFrame}``, written as CSV beside the briefing."""
        report = self._optional("report")
        return dict(report.tables(section)) if report and hasattr(report, "tables") else {}

    def headline(self, section: dict) -> str | None:
        """Its sentence for the bottom line, in plain words from its recorded section (None: none)."""
        report = self._optional("report")
        return report.headline(section) if report and hasattr(report, "headline") else None

    def notes(self, section: dict) -> list[str]:
        """Plain-language notes on unusual but valid inputs."""
        report = self._optional("report")
        return list(report.notes(section)) if report and hasattr(report, "notes") else []

    def collection_priorities(self, section: dict) -> dict[str, list[dict]] | None:
        """Per judgment id, the claims ranked by the expected change in its probability if confirmed or
        refuted (:mod:`estimates.core.value_of_information`), as its section records them; None for a
        model that draws no claim true or false per draw (its ``report`` offers none)."""
        report = self._optional("report")
        if report is None or not hasattr(report, "collection_priorities"):
            return None
        return dict(report.collection_priorities(section))

    def what_this_says(self, section: dict):
        """The notebook's closing words, from its recorded section: the model's own ``conclusion``
        where its ``report`` has one; otherwise its headline, key judgments, what the inputs settle
        and its notes on unusual inputs."""
        from estimates.core.display import Prose, percent

        report = self._optional("report")
        if report is not None and hasattr(report, "conclusion"):
            return report.conclusion(section)
        headline = self.headline(section)
        paragraphs = [headline] if headline else []
        judgments = section.get("judgments") or []
        if judgments:
            paragraphs.append("**Key judgments.**\n\n" + "\n".join(
                f"- {j['sentence']} Probability "
                f"{percent(j['probability']['probability'], j['probability'].get('standard_error'))}."
                for j in judgments))
        settled = section.get("constraints") or []
        if settled:
            paragraphs.append("**What the inputs settle.**\n\n" + "\n".join(f"- {c['sentence']}" for c in settled))
        paragraphs += self.notes(section)
        return Prose(tuple(paragraphs or ["This model records no headline or judgment."]), "What this says")

