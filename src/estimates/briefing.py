"""Render ``briefing.html`` from ``results.json`` and the manifest, with no code in sight.

The briefing is a Jinja template with autoescaping on (claim text is data, never markup); figures
are drawn by :mod:`estimates.plotting` from the recorded numbers, embedded as base64 PNG with alt
text, and also written beside the briefing as PNG files; key tables are written as CSV.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import jinja2
import pandas as pd

from .params import spec
from .paths import TEMPLATE_DIR
from .storage import atomic_write
from .wording import SCALE

TITLE = "Russian BTG attrition after six weeks: what the reported losses imply"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda x, digits=0: f"{100 * x:.{digits}f}%"
    env.filters["num"] = lambda x, digits=1: f"{x:,.{digits}f}"
    env.filters["grade_words"] = _grade_words
    return env


def _grade_words(row: dict) -> str:
    from .claims import CREDIBILITY, RELIABILITY

    return f"{RELIABILITY[row['reliability']]}; {CREDIBILITY[row['credibility']]}"


def _png(figure) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def render_briefing(results: dict, manifest: dict, run_dir: Path) -> Path:
    """Write ``briefing.html``, its figures (PNG) and key tables (CSV) into ``run_dir``."""
    from .plotting import attrition_figures

    run_dir = Path(run_dir)
    attrition = results["attrition"]
    figures = []
    for name, figure, alt in attrition_figures(attrition):
        data = _png(figure)
        atomic_write(run_dir / f"{name}.png", data)
        figures.append({"name": name, "alt": alt, "src": "data:image/png;base64," + base64.b64encode(data).decode()})

    tables = _tables(attrition)
    for name, frame in tables.items():
        atomic_write(run_dir / f"{name}.csv", frame.to_csv(index=False).encode())

    parameters = attrition["parameters"]
    html = _environment().get_template("briefing.html.j2").render(
        title=TITLE,
        results=results,
        attrition=attrition,
        manifest=manifest,
        figures=figures,
        reported=[p for p in parameters if p["kind"] == "reported"],
        assumptions=[p for p in parameters if p["kind"] == "assumption"],
        parameters=parameters,
        units={p["name"]: spec(p["name"]).unit for p in parameters},
        scale=SCALE,
        interval=lambda rows, method, level: _pick(rows, method, level),
    )
    path = run_dir / "briefing.html"
    atomic_write(path, html.encode("utf-8"))
    return path


def _pick(rows: list[dict], method_start: str, level: float) -> dict:
    for row in rows:
        if row["method"].startswith(method_start) and abs(row["level"] - level) < 1e-9:
            return row
    raise KeyError(f"no {method_start} interval at level {level}")


def _tables(attrition: dict) -> dict[str, pd.DataFrame]:
    judgments = pd.DataFrame([
        {"id": j["id"], "judgment": j["sentence"], "probability": j["probability"]["probability"],
         "monte_carlo_se": j["probability"]["standard_error"], "basis": j["basis"]}
        for j in attrition["judgments"]
    ])
    projection = attrition["projection"]
    fan = pd.DataFrame({"date": projection["dates"], "day": projection["days"]})
    for level, values in projection["quantiles"].items():
        fan[f"q{level}"] = values
    fan["mean"] = projection["mean"]
    fan["p_below_threshold"] = [p["probability"] for p in projection["first_passage"]]
    fan["p_below_threshold_se"] = [p["standard_error"] for p in projection["first_passage"]]
    sources = pd.DataFrame(attrition["sources"])
    return {"judgments": judgments, "projection": fan, "sources": sources}
