"""The backtest's page: each judgment's probability over the cut-offs (statements marked as they
arrive, and what later statements settled), the runs, the settlements and the scores."""

from __future__ import annotations

import html
from pathlib import Path

import matplotlib.dates
import pandas as pd

from estimates.charts import PALETTE, new_axes
from estimates.core.wording import SCALE


def probability_over_time(judgments: pd.DataFrame, statements: dict, resolved: pd.DataFrame | None = None, ax=None):
    """One line per judgment id: its probability at each cut-off (hollow where the run was a
    scenario, resting on claims reported later); a dotted line where each statement was first
    reported; a filled square (happened) or cross (did not) on each judgment later settled."""
    ax = new_axes(ax, size=(8.0, 4.2))
    for band in SCALE[1:]:  # the ICD 203 band edges
        ax.axhline(band.low, color="0.85", lw=0.6, zorder=0)
    for index, (judgment_id, rows) in enumerate(judgments.groupby("judgment_id", sort=True)):
        colour = PALETTE[index % len(PALETTE)]
        rows = rows.sort_values("cut_off")
        when = pd.to_datetime(rows["cut_off"])
        ax.plot(when, rows["probability"], color=colour, lw=1.2, label=judgment_id)
        known = ~rows["scenario"].to_numpy(dtype=bool)
        ax.scatter(when[known], rows["probability"][known], color=colour, s=18, zorder=3)
        ax.scatter(when[~known], rows["probability"][~known], facecolors="none", edgecolors=colour, s=18, zorder=3)
        if resolved is not None and not resolved.empty:
            settled = resolved[resolved["judgment_id"] == judgment_id]
            for happened, marker in ((True, "s"), (False, "X")):
                part = settled[settled["happened"] == happened]
                ax.scatter(pd.to_datetime(part["cut_off"]), part["probability"], marker=marker, s=60,
                           facecolors="none" if happened else colour, edgecolors=colour, zorder=4)
    first, last = pd.to_datetime(judgments["cut_off"]).min(), pd.to_datetime(judgments["cut_off"]).max()
    for observation_id, (reported, _says) in sorted(statements.items(), key=lambda item: item[1][0]):
        day = pd.Timestamp(reported)
        if first - pd.Timedelta(days=7) <= day <= last + pd.Timedelta(days=21):
            ax.axvline(day, color="0.4", ls=":", lw=1)
            ax.annotate(observation_id, (day, 1.0), xytext=(2, -2), textcoords="offset points", rotation=90,
                        va="top", ha="left", fontsize="x-small", color="0.3")
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel("probability")
    ax.set_xlabel("information cut-off (dotted: a statement first reported; square: happened, cross: did not)")
    ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%d %b"))
    ax.set_title("Each judgment's probability as the claims arrived", loc="left", fontsize="medium")
    ax.legend(fontsize="x-small", loc="center left", bbox_to_anchor=(1.0, 0.5))
    return ax


def write_page(backtest) -> Path:
    """``backtest.png`` and ``backtest.html`` in the backtest's folder; returns the page's path."""
    import matplotlib

    matplotlib.use("Agg")
    from estimates.report.figure_store import png_bytes
    from estimates.storage import atomic_write

    folder = Path(backtest.folder)
    if not backtest.judgments.empty:
        atomic_write(folder / "backtest.png", png_bytes(backtest.plot().figure))
    scored = backtest.score()
    parts = [f"<h1>Backtest of {html.escape(Path(backtest.case_folder).name)}</h1>",
             f"<p>{len(backtest.runs)} cut-offs, from {html.escape(backtest.runs['cut_off'].iloc[0])} to "
             f"{html.escape(backtest.runs['cut_off'].iloc[-1])}; each run used only claims reported by its cut-off. "
             "A scenario run rests on a claim reported later: it is drawn, never scored.</p>"]
    if (folder / "backtest.png").is_file():
        parts.append('<img src="backtest.png" alt="Each judgment\'s probability at each cut-off, with the '
                     'statements marked on the day they were first reported">')
    parts.append("<h2>Runs</h2>" + backtest.runs.to_html(index=False))
    settled = "".join(f"<li>{html.escape(s.describe())}</li>" for s in backtest.settled)
    parts.append(f"<h2>Settled by later statements</h2><ul>{settled or '<li>none</li>'}</ul>")
    if scored is not None:
        row = scored.to_dict()
        parts.append(f"<h2>Scores</h2><p>{row['n']} resolved judgments: Brier {row['brier']:.3f} (base rate "
                     f"{row['references']['base_rate']['brier']:.3f}, 50% {row['references']['half']['brier']:.3f}); "
                     f"log {row['log']:.3f}.</p>" + scored.calibration.to_html())
    page = folder / "backtest.html"
    atomic_write(page, ("<!doctype html><html lang=en><meta charset=utf-8><title>Backtest</title><body>"
                        + "\n".join(parts) + "</body></html>\n").encode("utf-8"))
    return page
