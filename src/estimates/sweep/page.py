"""A sweep's outputs: the table (CSV, Parquet), the comparison page (HTML) and what ran (JSON)."""

from __future__ import annotations

import base64
import io
from pathlib import Path

from estimates.sweep.grid import ScenarioGrid


def write_outputs(table, grid: ScenarioGrid, out_dir: Path, meta: dict) -> None:
    """``sweep.csv``, ``sweep.parquet``, ``sweep.html`` and ``sweep.json``, each written atomically."""
    from estimates import __version__
    from estimates.run.cache import source_hash
    from estimates.storage import atomic_write, csv_bytes, write_json

    atomic_write(out_dir / "sweep.csv", csv_bytes(table, index=True))
    buffer = io.BytesIO()
    _parquet_ready(table).to_parquet(buffer, engine="pyarrow")
    atomic_write(out_dir / "sweep.parquet", buffer.getvalue())
    meta = {**meta, "package": {"name": "estimates", "version": __version__, "source_sha256": source_hash()}}
    atomic_write(out_dir / "sweep.html", render_page(table, grid, meta).encode("utf-8"))
    write_json(out_dir / "sweep.json", meta)


def _parquet_ready(table):
    """Parquet wants one type per column; a column mixing, say, numbers and text is written as text."""
    table = table.copy()
    for name in table.columns[table.dtypes == object]:
        kinds = {type(v) for v in table[name] if v is not None}
        if len(kinds) > 1:
            table[name] = table[name].map(lambda v: None if v is None else str(v))
    return table


def judgment_columns(table) -> list[str]:
    """``<model>.judgments.<id>.probability`` columns: the headline numbers of each scenario."""
    import re

    pattern = re.compile(r"^[^.]+\.judgments\.[^.]+\.probability$")
    return [c for c in table.columns if pattern.match(c)]


def scenario_chart(table, x: str, y: str, *, hue: str | None = None, title: str = "", ax=None):
    """A judgment's probability across scenarios, with the ICD 203 bands behind it."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from estimates.core.wording import SCALE

    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 3.6), layout="constrained")
    for i, band in enumerate(SCALE):
        ax.axhspan(band.low, band.high, color="0.93" if i % 2 else "0.97", lw=0, zorder=0)
        ax.text(1.005, (band.low + band.high) / 2, band.term, transform=ax.get_yaxis_transform(),
                fontsize="x-small", va="center", color="0.35")
    numeric = table[x].map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).all()
    if numeric:  # lines of different dash and marker, so overlapping ones can still be told apart
        sns.lineplot(data=table, x=x, y=y, hue=hue, style=hue, markers=True, ax=ax, errorbar=None,
                     **({} if hue else {"marker": "o"}))
    else:
        sns.pointplot(data=table, x=x, y=y, hue=hue, ax=ax, errorbar=None)
    ax.set_ylim(0, 1)
    ax.set_ylabel("probability")
    ax.set_title(title, fontsize="medium", loc="left")
    if hue is not None:
        ax.legend(title=hue, fontsize="small", title_fontsize="small", loc="upper left")
    return ax


def figures(table, grid: ScenarioGrid) -> list[dict]:
    """One figure per key judgment: its probability against the first swept parameter."""
    import matplotlib.pyplot as plt

    if not grid.swept:
        return []
    x = grid.swept[0]
    data = table.copy()
    hue = None
    if len(grid.swept) > 1:
        hue = " / ".join(grid.swept[1:])
        data[hue] = data[list(grid.swept[1:])].astype(str).agg(", ".join, axis=1)
        if data[hue].nunique() > 8:  # more lines than a reader can tell apart: points only
            hue = None
    out = []
    for column in judgment_columns(data):
        model, _, judgment, _ = column.split(".", 3)
        ax = scenario_chart(data, x, column, hue=hue, title=f"{model}: {judgment}")
        buffer = io.BytesIO()
        ax.figure.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
        plt.close(ax.figure)
        png = buffer.getvalue()
        out.append({
            "name": judgment,
            "alt": f"Probability of the judgment '{judgment}' against {x}"
                   + (f", one line per {hue}" if hue else "") + ", over the ICD 203 bands.",
            "src": "data:image/png;base64," + base64.b64encode(png).decode(),
        })
    return out


def render_page(table, grid: ScenarioGrid, meta: dict) -> str:
    """The comparison page: figures (embedded PNG), then a table of judgments per scenario."""
    import jinja2

    from estimates.core.wording import percent
    from estimates.paths import TEMPLATE_DIR

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = percent
    columns = judgment_columns(table)
    judgments = []
    for column in columns:
        model, _, judgment, _ = column.split(".", 3)
        statement = table.get(f"{model}.judgments.{judgment}.statement")
        judgments.append({"column": column, "id": judgment, "model": model,
                          "term": f"{model}.judgments.{judgment}.term",
                          "statement": None if statement is None else statement.iloc[0]})
    rows = []
    for number, row in table.iterrows():
        rows.append({
            "number": number,
            "swept": [row[name] for name in grid.swept],
            "judgments": [(row[j["column"]], row.get(j["term"])) for j in judgments],
            "report": row.get("report"),
        })
    return env.get_template("sweep.html.j2").render(
        meta=meta, swept=grid.swept, fixed=grid.fixed, judgments=judgments, rows=rows,
        figures=figures(table, grid), columns=len(table.columns),
    )
