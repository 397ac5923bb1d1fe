"""Render ``briefing.html`` from ``results.json`` and the manifest, with no code in sight.

The briefing is generic over model sections: key judgments, sources and parameters are gathered from
every section of ``results.json`` that has them, and each model adds its own parts through a template
of macros in its folder (``models/<name>/section.html.j2``, see :mod:`estimates.model`), rendered
only when the model's key is in the results. A section template may define any of these macros, each
called with the section's recorded dict and ``take`` (which hands out a figure by name):

- ``lead(section)``: a paragraph opening the bottom line;
- ``key_figures(section, take)``: the model's headline numbers and figures;
- ``details(section, take)``: further ``<section>`` elements;
- ``alternatives(section, take)``: readings where the sources conflict;
- ``crosscheck(section, take)``: the model's part of "Cross-checks", for second lines of evidence;
- ``assumptions(section)``: ``<li>`` items saying what the model assumes and what it does not.

Figures come from each registered model's ``figures`` (its ``charts.py``), embedded as base64 PNG with alt text and also
written beside the briefing; any figure a template does not place is shown under "More figures".
Key tables are written as CSV. Confidence comes from :mod:`estimates.core.confidence`; "what changed"
from :mod:`estimates.report.diff`. Jinja autoescaping is on: claim text is data, never markup.
"""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import jinja2
import pandas as pd

from estimates.core import confidence
from estimates.core.calendar import day_number
from estimates.core.wording import (
    SCALE_NAMES,
    SCALES,
    likelihood,
    long_date,
    opening,
    percent,
    points,
)
from estimates.parameters.schema import Parameters, label, spec, specs
from estimates.paths import TEMPLATE_DIR
from estimates.registry import MODELS
from estimates.report import front_page
from estimates.report.case_words import in_case_words
from estimates.report.figure_store import Drawn, FigureStore, png_bytes
from estimates.report.glossary import add_glossary
from estimates.report.priorities import NONE, NOTHING_RECORDED, gather
from estimates.report.scenario import scenario_inputs
from estimates.storage import atomic_write, csv_bytes

#: The briefing's title after the case's own; the models it covers follow as a subtitle.
TITLE = "what the reported numbers imply"
HANDLING = "UNCLASSIFIED — open sources only — not an official assessment of any government"
AUTHOR = "estimates analytic suite (automated, reproducible run; no manual edits)"


def render_briefing(results: dict, manifest: dict, run_dir: Path, *, changes=None,
                    store: FigureStore | None = None) -> Path:
    """Write ``briefing.html``, its figures (PNG) and key tables (CSV) into ``run_dir``.

    ``changes`` is an :class:`estimates.report.diff.Comparison` with an earlier run, or ``None``.
    ``store`` keeps figure sets between runs (:mod:`estimates.report.figure_store`); without one,
    every figure is drawn.
    """
    from estimates.charts import has_sensitivity, judgment_figure

    run_dir = Path(run_dir)
    env = _environment()
    case = results.get("case") or {}
    models = [m for m in results if isinstance(results[m], dict) and m != "case"]
    ordered = [m for m in MODELS if m in models] + [m for m in models if m not in MODELS]

    def drawn(drawn_from: dict, draw) -> list[Drawn]:
        if store is None:
            return [Drawn(name, png_bytes(figure), alt) for name, figure, alt in draw()]
        return store.figures(drawn_from, draw)

    figures: dict[str, dict] = {}
    for model in ordered:
        if model in MODELS:
            for figure in drawn({"model": model, "section": results[model]},
                                lambda model=model: MODELS[model].figures(results[model])):
                figures[figure.name] = _embed(run_dir, figure)
    judgments = gather_judgments(results, ordered)
    # Readers see inputs by their labels, in the case's words, never by identifier.
    labels = {spec.name: in_case_words(spec.label, case) for spec in specs()}
    env.filters["label"] = lambda name: labels.get(name) or label(name)
    robustness = {}
    for judgment in (row["judgment"] for row in judgments if has_sensitivity(row["judgment"])):
        # The chart names its inputs by label: those labels are part of what it is drawn from.
        sensitivity = judgment["sensitivity"]
        named = {name: labels.get(name) for name in [*sensitivity["parameters"], *sensitivity["changed_by"],
                                                     *(v["parameter"] for v in sensitivity["variations"])]}
        for figure in drawn({"judgment": judgment, "labels": named},
                            lambda judgment=judgment: [judgment_figure(judgment, labels)]):
            robustness[judgment["id"]] = _embed(run_dir, figure)

    sources = gather_sources(results, ordered)
    parameters = gather_parameters(results, ordered)
    for row in parameters:
        row["unit"] = in_case_words(row.get("unit", ""), case)
        row["label"] = labels.get(row["name"], row["label"])
    # Values that depart from what their claims report: said on every page, never called reported.
    scenario = scenario_inputs(parameters, {s["claim_id"]: s for s in sources}, cutoff=case.get("as_of"))
    for row in scenario:
        row["label"] = labels.get(row["name"], label(row["name"]))
    assumed = {row["name"]: {"scenario_reported": row["reported"]} for row in scenario}
    env.globals["scenario"] = {row["name"]: row for row in scenario}
    # The words printed; the recorded bands and every rule on them stay ICD 203.
    scale = printed_scale(manifest)
    env.filters["printed"] = lambda probability: likelihood(probability, scale)
    # Key judgments first, by their declared rank; then the others, model by model.
    ranks = {jid: rank for model in ordered if model in MODELS
             for jid, rank in MODELS[model].key_judgment_ranks.items()}
    key = front_page.key_judgments(judgments, ranks)
    judgments = key + [row for row in judgments if not any(row is k for k in key)]
    by_claim = {s["claim_id"]: s for s in sources}
    for number, row in enumerate(judgments, start=1):
        row["number"] = number
        row["confidence"] = confidence.rate(row["judgment"], by_claim, labels=labels)
        row["figure"] = robustness.get(row["judgment"]["id"])

    tables = {
        "judgments": _judgments_table(judgments),
        "sources": pd.DataFrame(sources),
        "parameters": pd.DataFrame(parameters).drop(columns=["models"], errors="ignore"),
    }
    sections = []
    for model in ordered:
        found = MODELS.get(model)
        if found is not None:
            tables.update(found.tables(results[model]))
        sections.append({
            "model": model,
            "title": found.title if found else model.replace("_", " ").capitalize(),
            "data": results[model],
            "macros": env.get_template(f"{model}/section.html.j2").module if found and found.template else None,
            "notes": found.notes(results[model]) if found else [],
            "page_figure": found.page_figure if found and found.page_figure in figures else None,
            "crosscheck": bool(found and found.crosscheck),
        })
    if changes is not None and changes.judgments:
        tables["changes"] = _changes_table(changes)
    for name, frame in tables.items():
        atomic_write(run_dir / f"{name}.csv", csv_bytes(frame))

    placed: set[str] = set()

    def take(name: str) -> dict:
        placed.add(name)
        return figures[name]

    def take_more(name: str) -> dict | None:
        """A figure for the annex, unless a model's page shows it already."""
        if name in placed:
            return None
        return take(name)

    def remaining() -> list[dict]:
        return [f for name, f in figures.items() if name not in placed]

    html = env.get_template("briefing.html.j2").render(
        title=f"{case['title']}: {TITLE}" if case.get("title") else TITLE.capitalize(),
        case=case,
        handling=HANDLING,
        author=AUTHOR,
        manifest=manifest,
        header=_header(results, manifest),
        key=key,
        bottom_line=front_page.bottom_line(
            (MODELS[m].headline_rank, MODELS[m].headline(results[m]))
            for m in ordered if m in MODELS and MODELS[m].headline_rank is not None),
        questions=[MODELS[m].question.format(**(results[m].get("words") or {}))
                   for m in ordered if m in MODELS and MODELS[m].question],
        scope=front_page.scope(sources, case.get("as_of")),
        why_moved=_why_moved(changes, key, scale),
        key_rule=front_page.KEY_JUDGMENT_RULE,
        annexes=_annexes(changes),
        sections=sections,
        judgments=judgments,
        priorities=gather(results, ordered), no_priorities=NONE, nothing_recorded=NOTHING_RECORDED,
        numbers={row["judgment"]["id"]: row["number"] for row in judgments},
        changes=changes,
        sources=sources,
        used_by=_used_by(parameters, judgments),
        scenario=scenario,
        scenario_line=scenario_line(scenario) if scenario else "",
        reported=[p for p in parameters if p["kind"] == "reported" and p["name"] not in assumed],
        assumptions=[{**p, **assumed.get(p["name"], {})} for p in parameters
                     if p["kind"] != "reported" or p["name"] in assumed],
        parameters=parameters,
        scale=SCALES[scale],
        scale_name=SCALE_NAMES[scale],
        scale_id=scale,
        rule=confidence.RULE,
        take=take,
        take_more=take_more,
        remaining=remaining,
        tables=sorted(f"{name}.csv" for name in tables),
        pngs=sorted([f["file"] for f in figures.values()] + [f["file"] for f in robustness.values()]),
    )
    # Technical words link to the glossary on first use; the annex lists only those used.
    html = add_glossary(html).html
    path = run_dir / "briefing.html"
    atomic_write(path, html.encode("utf-8"))
    return path


def printed_scale(manifest: dict) -> str:
    """The words of estimative probability the run asked for (``likelihood_scale``); ICD 203 for a
    run recorded before the option existed."""
    return (manifest.get("parameters") or {}).get("likelihood_scale", "icd203")


def gather_judgments(results: dict, models: list[str]) -> list[dict]:
    """Every judgment of every model section, in section order: ``[{model, judgment, decided}]``;
    ``decided`` marks those that cannot go either way (:func:`decided`), which are never key judgments."""
    return [{"model": model, "judgment": judgment, "decided": decided(judgment)}
            for model in models for judgment in results[model].get("judgments", [])]


def decided(judgment: dict) -> bool:
    """Whether a recorded judgment is 0 or 1 in every draw and in every variation of its inputs: then
    it follows from how the model is built, not from the evidence, and says nothing a reader can weigh.

    >>> decided({"probability": {"probability": 0.0}, "sensitivity": {"probability_range": [0.0, 0.0]}})
    True
    >>> decided({"probability": {"probability": 0.0}, "sensitivity": {"probability_range": [0.0, 0.02]}})
    False
    """
    value = judgment["probability"]["probability"]
    if value not in (0.0, 1.0):
        return False
    spread = (judgment.get("sensitivity") or {}).get("probability_range", [value, value])
    return spread[0] == spread[1] == value


def gather_sources(results: dict, models: list[str]) -> list[dict]:
    """Every source row of every section, once per claim id, in order of first appearance."""
    rows: dict[str, dict] = {}
    for model in models:
        for row in results[model].get("sources", []):
            rows.setdefault(row["claim_id"], row)
    return list(rows.values())


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string, every character outside [A-Za-z0-9 ] escaped as hex, so
    nothing in it can end the string or the declaration (the template then escapes it as HTML).

    >>> print(css_string('35 "x"; }'))
    "35 \\22 x\\22 \\3b  \\7d "
    """
    escaped = "".join(c if c.isascii() and (c.isalnum() or c == " ") else f"\\{ord(c):x} " for c in str(text))
    return f'"{escaped}"'


def scenario_line(scenario: list[dict]) -> str:
    """The SCENARIO banner in one line, for the top of every printed page."""
    parts = [f"{row['name']} = {row['value']}" + (f" (reported: {row['reported']})" if row.get("reported") else "")
             for row in scenario]
    return "SCENARIO: assumes " + "; ".join(parts) + ". Not what the sources reported by the cut-off."


def gather_parameters(results: dict, models: list[str]) -> list[dict]:
    """Every parameter row of every section, once per name, with the models that use it."""
    rows: dict[str, dict] = {}
    for model in models:
        for row in results[model].get("parameters", []):
            entry = rows.setdefault(row["name"], {**row, "models": []})
            entry["models"].append(model)
    for row in rows.values():
        row["unit"] = row.get("unit") or _unit(row["name"])
        row["label"] = row.get("label") or label(row["name"])
    return list(rows.values())


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        # Shared templates by name; a model's own as "<model>/section.html.j2", from its folder.
        loader=jinja2.ChoiceLoader([
            jinja2.FileSystemLoader(TEMPLATE_DIR),
            jinja2.PrefixLoader({name: jinja2.FileSystemLoader(m.folder) for name, m in MODELS.items()}),
        ]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = percent
    env.filters["num"] = lambda x, digits=1: f"{x:,.{digits}f}"
    env.filters["points"] = points
    env.filters["longdate"] = _long_date
    env.filters["css_string"] = css_string
    env.filters["opening"] = opening
    env.filters["moment"] = _moment
    env.filters["value"] = _value
    env.filters["grade_words"] = _grade_words
    env.filters["label"] = label
    env.globals["interval"] = _pick
    return env


def _long_date(value) -> str:
    """``2022-04-06`` -> ``6 April 2022``."""
    return long_date(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10]))


def _moment(value: str) -> str:
    """An ISO timestamp -> ``24 November 2026, 23:26 UTC``."""
    if not value:
        return "time unknown"
    moment = dt.datetime.fromisoformat(value).astimezone(dt.timezone.utc)
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


def _value(value) -> str:
    if isinstance(value, float) and not isinstance(value, bool):
        return f"{value:g}"
    return str(value)


def _grade_words(row: dict) -> str:
    from estimates.inputs.claims import grade_words

    return grade_words(row["reliability"], row["credibility"])


def _unit(name: str) -> str:
    try:
        return spec(name).unit
    except KeyError:
        return ""


def _embed(run_dir: Path, figure: Drawn) -> dict:
    atomic_write(run_dir / f"{figure.name}.png", figure.png)
    return {"name": figure.name, "alt": figure.alt, "file": f"{figure.name}.png",
            "src": "data:image/png;base64," + base64.b64encode(figure.png).decode()}



def _header(results: dict, manifest: dict) -> dict:
    """Information cut-off, run date and what differs from the baseline parameters."""
    values = manifest.get("parameters", {})
    case = results.get("case") or {}
    as_of = case.get("as_of") or values.get("as_of")
    start = dt.date.fromisoformat(case["conflict_start"]) if case.get("conflict_start") else None
    defaults = Parameters().model_dump(mode="json")
    changed = [{"name": name, "label": label(name), "value": values[name], "default": defaults[name],
                "unit": in_case_words(_unit(name), case)}
               for name in defaults if name in values and values[name] != defaults[name]
               and Parameters.model_fields[name].json_schema_extra["unit"] not in ("path", "folder")]
    return {
        "as_of": as_of,
        "as_of_day": day_number(dt.date.fromisoformat(as_of), start) if as_of and start else None,
        "conflict_start": case.get("conflict_start"),
        "count_date": case.get("count_date"),
        "count_day": case.get("count_day"),
        "changed": changed,
    }


def _why_moved(changes, key: list[dict], scale: str) -> list[str]:
    """One line for each key judgment that changed band since the run compared with, in the words printed."""
    if changes is None:
        return []
    lines = (changes.why_moved(row["judgment"]["id"], lambda p: likelihood(p, scale).term) for row in key)
    return [line for line in lines if line]


#: The annexes behind the model pages, in order: (anchor, title in the contents).
ANNEXES = (("#annex-judgments", "Judgments in full"), ("#annex-priorities", "Collection priorities"),
           ("#annex-method", "Method"),
           ("#annex-assumptions", "Facts and assumptions"), ("#annex-sources", "Sources"),
           ("#annex-parameters", "Parameters"), ("#annex-language", "Estimative language"),
           ("#glossary", "Glossary"))


def _annexes(changes) -> list[dict]:
    found = [{"href": "#annex-changes", "title": "What changed"}] if changes is not None else []
    return found + [{"href": href, "title": title} for href, title in ANNEXES]


def _used_by(parameters: list[dict], judgments: list[dict]) -> dict[str, list[dict]]:
    """For each claim id: the key judgments and parameters that rest on it, as links."""
    used: dict[str, list[dict]] = {}
    for row in judgments:
        for claim_id in row["judgment"].get("claim_ids", []):
            used.setdefault(claim_id, []).append(
                {"label": f"judgment {row['number']}", "href": f"#judgment-{row['judgment']['id']}"})
    for row in parameters:
        if row.get("claim_id"):
            used.setdefault(row["claim_id"], []).append({"label": row["label"], "href": f"#parameter-{row['name']}"})
    return used


def _pick(rows: list[dict], method_start: str, level: float) -> dict:
    for row in rows:
        if row["method"].startswith(method_start) and abs(row["level"] - level) < 1e-9:
            return row
    raise KeyError(f"no {method_start} interval at level {level}")


def _judgments_table(judgments: list[dict]) -> pd.DataFrame:
    rows = []
    for row in judgments:
        j, c = row["judgment"], row["confidence"]
        sensitivity = j.get("sensitivity")
        rows.append({
            "model": row["model"], "id": j["id"], "judgment": j["sentence"], "term": j["term"],
            "probability": j["probability"]["probability"],
            "monte_carlo_se": j["probability"]["standard_error"],
            "probability_low_plausible": sensitivity["probability_range"][0] if sensitivity else None,
            "probability_high_plausible": sensitivity["probability_range"][1] if sensitivity else None,
            "term_holds": sensitivity["holds"] if sensitivity else None,
            "confidence": c.level, "claim_ids": " ".join(j.get("claim_ids", [])), "basis": j["basis"],
        })
    return pd.DataFrame(rows)


def _changes_table(changes) -> pd.DataFrame:
    return pd.DataFrame([{
        "id": j.id, "model": j.model, "status": j.status,
        "probability_before": j.old.probability if j.old else None,
        "probability_now": j.new.probability if j.new else None,
        "term_before": j.old.term if j.old else None, "term_now": j.new.term if j.new else None,
        "confidence_before": j.old.confidence if j.old else None,
        "confidence_now": j.new.confidence if j.new else None,
        "caused_by": "; ".join(c.describe() for c in j.causes),
    } for j in changes.judgments])
