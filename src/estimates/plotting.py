"""Every figure of the suite. Models never draw; they call these with plain tables.

Each function takes the data it shows and an optional ``ax`` and returns the axes, so the same
figure appears in a notebook (from a result object) and in the briefing (from ``results.json``).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg") if matplotlib.get_backend().lower() == "agg" else None  # keep inline backends

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

PALETTE = sns.color_palette("deep")
BAND = PALETTE[0]


def _axes(ax, size=(7.0, 3.6)):
    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def posterior_density(grid, density, intervals: pd.DataFrame, ax=None):
    """Posterior density of a per-unit probability with interval bars below it."""
    ax = _axes(ax)
    sns.lineplot(x=grid, y=density, ax=ax, color=BAND, label="posterior")
    top = float(np.max(density)) if len(density) else 1.0
    for i, (method, row) in enumerate(intervals.iterrows()):
        y = -top * 0.08 * (i + 1)
        ax.plot([row["low"], row["high"]], [y, y], lw=3, color=PALETTE[(i + 1) % len(PALETTE)],
                label=f"{method} {row['level']:.0%}")
    ax.set_xlabel("per-BTG probability of becoming combat-ineffective by the as-of date")
    ax.set_ylabel("density")
    lows = intervals["low"].min()
    highs = intervals["high"].max()
    pad = (highs - lows) * 0.6 + 0.02
    ax.set_xlim(max(0.0, lows - pad), min(1.0, highs + pad))
    ax.legend(fontsize="small", loc="upper right")
    return ax


def fan_chart(quantiles: pd.DataFrame, *, threshold: float | None = None, ax=None):
    """Quantile fan of effective BTGs by date; columns are quantile levels as strings."""
    ax = _axes(ax)
    dates = pd.to_datetime(pd.Index(quantiles.index))
    levels = sorted(quantiles.columns, key=float)
    for lo, hi, alpha in ((levels[0], levels[-1], 0.2), (levels[1], levels[-2], 0.35)):
        ax.fill_between(dates, quantiles[lo], quantiles[hi], color=BAND, alpha=alpha, lw=0,
                        label=f"{float(lo):.0%}-{float(hi):.0%}")
    median = [c for c in levels if float(c) == 0.5]
    if median:
        sns.lineplot(x=dates, y=quantiles[median[0]].to_numpy(), ax=ax, color=BAND, label="median")
    if threshold is not None:
        ax.axhline(threshold, color=PALETTE[3], ls="--", lw=1, label=f"threshold {threshold:g}")
    ax.set_ylabel("effective BTGs")
    ax.set_xlabel("")
    ax.legend(fontsize="small", loc="lower left")
    ax.tick_params(axis="x", labelrotation=30)
    return ax


def first_passage_chart(dates, probability, standard_error, ax=None):
    """Probability that effective BTGs have fallen below the threshold by each date."""
    ax = _axes(ax)
    dates = pd.to_datetime(pd.Index(dates))
    p = np.asarray(probability)
    se = np.asarray(standard_error)
    sns.lineplot(x=dates, y=p, ax=ax, color=PALETTE[3], label="P(below threshold by date)")
    ax.fill_between(dates, np.clip(p - 2 * se, 0, 1), np.clip(p + 2 * se, 0, 1), color=PALETTE[3],
                    alpha=0.25, lw=0, label="+/- 2 Monte Carlo s.e.")
    for edge in (0.05, 0.2, 0.45, 0.55, 0.8, 0.95):
        ax.axhline(edge, color="0.85", lw=0.8, zorder=0)
    ax.set_ylim(0, 1)
    ax.set_ylabel("probability")
    ax.set_xlabel("")
    ax.legend(fontsize="small", loc="upper left")
    ax.tick_params(axis="x", labelrotation=30)
    return ax


def readings_chart(summary: pd.DataFrame, ax=None):
    """Ranges for the two readings of the "75%" beside the figures they are compared with."""
    ax = _axes(ax, size=(7.0, 2.8))
    labels = list(summary.index)
    for i, label in enumerate(labels):
        low, high = summary.loc[label, "low"], summary.loc[label, "high"]
        if low == high:
            ax.plot([low], [i], "D", color=PALETTE[3])
        else:
            ax.plot([low, high], [i, i], lw=6, color=PALETTE[i % len(PALETTE)], solid_capstyle="butt")
    ax.set_yticks(range(len(labels)), labels, fontsize="small")
    ax.invert_yaxis()
    ax.set_xlabel("BTGs")
    return ax


def attrition_figures(section: dict) -> list[tuple[str, plt.Figure, str]]:
    """The attrition figures of a briefing, drawn from the recorded ``results.json`` section.

    Returns ``(name, figure, alt text)`` triples.
    """
    projection = section["projection"]
    quantiles = pd.DataFrame(projection["quantiles"], index=pd.Index(projection["dates"], name="date"))
    fan = fan_chart(quantiles, threshold=projection["threshold"]).figure
    passage = first_passage_chart(
        projection["dates"],
        [p["probability"] for p in projection["first_passage"]],
        [p["standard_error"] for p in projection["first_passage"]],
    ).figure
    intervals = pd.DataFrame(section["proportion"]["intervals"]).set_index("method")
    intervals = intervals[intervals["level"] == 0.95]
    first, last = projection["dates"][0], projection["dates"][-1]
    return [
        ("attrition_fan", fan,
         f"Fan chart of effective BTGs from {first} to {last}: median and 50% and 90% bands, "
         f"with the threshold of {projection['threshold']:g} as a dashed line."),
        ("attrition_first_passage", passage,
         "Probability that effective BTGs have fallen below the threshold by each date, "
         "with a band of two Monte Carlo standard errors."),
        ("attrition_intervals", _interval_figure(intervals),
         "Four 95% intervals for the per-BTG probability of becoming combat-ineffective: "
         "the Bayesian posterior, Clopper-Pearson, Wilson and Jeffreys."),
    ]


def _interval_figure(intervals: pd.DataFrame) -> plt.Figure:
    ax = _axes(None, size=(7.0, 2.4))
    for i, (method, row) in enumerate(intervals.iterrows()):
        ax.plot([row["low"], row["high"]], [i, i], lw=6, color=PALETTE[i % len(PALETTE)],
                solid_capstyle="butt")
    ax.set_yticks(range(len(intervals)), list(intervals.index), fontsize="small")
    ax.invert_yaxis()
    ax.set_xlabel("per-BTG probability of becoming combat-ineffective by the as-of date")
    return ax.figure
