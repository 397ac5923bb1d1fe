"""The resupply model's figures: charts of its results, and the briefing's figures from its recorded
section (:func:`figures`)."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
import seaborn as sns

from estimates.charts import PALETTE, new_axes


def arrivals_fan(section: dict, ax=None):
    """Capability restored by date (unit-equivalents, or the own units of theatre-level categories): 5-95% and median."""
    ax = new_axes(ax)
    dates = pd.to_datetime(pd.Index(section["dates"]))
    shown = 0
    for i, (category, outlook) in enumerate(section["categories"].items()):
        q = outlook["restored_quantiles"]
        if max(q["0.95"]) <= 0:
            continue
        colour = PALETTE[i % len(PALETTE)]
        label = f"{outlook['label']} ({outlook['restored_unit']})"
        ax.fill_between(dates, q["0.05"], q["0.95"], color=colour, alpha=0.18, lw=0)
        sns.lineplot(x=dates, y=np.asarray(q["0.5"]), ax=ax, color=colour, label=label)
        ax.plot(dates, q["0.95"], color=colour, lw=0.8, ls=":")
        shown += 1
    if not shown:
        ax.text(0.5, 0.5, "no deliveries in any draw", ha="center", va="center", transform=ax.transAxes)
    ax.set_ylabel("capability restored")
    ax.set_xlabel("")
    if shown:
        ax.legend(fontsize="small", loc="upper left")
    ax.tick_params(axis="x", labelrotation=30)
    return ax


def share_replaced_chart(section: dict, ax=None):
    """Share of each unit-level category's estimated losses the transfers replace by the horizon end."""
    rows = [(o["label"], o["share_of_losses_replaced"]) for o in section["categories"].values()
            if o["share_of_losses_replaced"] is not None]
    ax = new_axes(ax, size=(7.0, 0.45 * len(rows) + 1.2))
    for i, (label, q) in enumerate(rows):
        ax.plot([q["0.05"], q["0.95"]], [i, i], lw=6, color=PALETTE[0], alpha=0.35, solid_capstyle="butt")
        ax.plot([q["0.25"], q["0.75"]], [i, i], lw=6, color=PALETTE[0], solid_capstyle="butt")
        ax.plot([q["0.5"]], [i], "|", color="black", ms=14)
    ax.set_yticks(range(len(rows)), [label for label, _ in rows], fontsize="small")
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel("share of estimated losses replaced")
    return ax


def figures(section: dict) -> list[tuple[str, plt.Figure, str]]:
    """The resupply figures of a briefing, drawn from the recorded ``results.json`` section."""
    figures = [
        ("resupply_arrivals", arrivals_fan(section).figure,
         f"Capability restored by the reported transfers from {section['dates'][0]} to "
         f"{section['dates'][-1]}, per category with any deliveries: median line, 5-95% band, "
         "95th percentile dotted."),
        ("resupply_share_replaced", share_replaced_chart(section).figure,
         "Share of each category's estimated losses that the transfers replace by the horizon end, "
         "as 90% and 50% ranges with the median marked."),
    ]
    return figures
