"""The lanchester model's figures: charts of its results, and the briefing's figures from its recorded
section (:func:`figures`)."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np

from estimates.charts import PALETTE, new_axes


def lanchester_trajectory(days, m, n, *, labels=("M", "N"), title: str = "", ax=None):
    """Strengths of both sides by day, from a Lanchester trajectory."""
    ax = new_axes(ax)
    for values, label, colour in zip((m, n), labels, (PALETTE[0], PALETTE[3])):
        ax.plot(np.asarray(days), np.asarray(values), color=colour, lw=1.8, label=label)
    ax.set_xlabel("day")
    ax.set_ylabel("strength (troops)")
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.set_title(title or "Lanchester trajectory")
    ax.legend(fontsize="small", loc="best")
    return ax


def lanchester_fit(days, series: dict, *, quantity: str = "strength", title: str = "", ax=None):
    """Observed points and fitted curves; ``series`` maps a side's label to (observed, fitted)."""
    ax = new_axes(ax)
    days = np.asarray(days)
    for i, (label, (observed, fitted)) in enumerate(series.items()):
        colour = PALETTE[(3 * i) % len(PALETTE)]
        ax.scatter(days, np.asarray(observed), s=12, color=colour, alpha=0.7,
                   label=f"{label} observed")
        ax.plot(days, np.asarray(fitted), color=colour, lw=1.8, label=f"{label} fitted")
    ax.set_xlabel("day")
    ax.set_ylabel("strength (troops)" if quantity == "strength" else "cumulative casualties")
    ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.set_title(title or "Lanchester fit")
    ax.legend(fontsize="small", loc="best")
    return ax


def lanchester_one_sided(days, observed, curves: dict, ax=None):
    """One side's cumulative losses with the fitted constant-rate / constant-hazard curves."""
    ax = new_axes(ax)
    days = np.asarray(days)
    ax.scatter(days, np.asarray(observed), s=10, color="0.3", alpha=0.7, label="claimed, cumulative")
    for i, (shape, fitted) in enumerate(curves.items()):
        ax.plot(days, np.asarray(fitted), color=PALETTE[i % len(PALETTE)], lw=1.8, label=shape)
    ax.set_xlabel("day")
    ax.set_ylabel("cumulative losses (troops)")
    ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.set_title("One-sided Lanchester fits: constant rate vs constant hazard")
    ax.legend(fontsize="small", loc="upper left")
    return ax


def lanchester_history(log_force_ratio, log_exchange_ratio, *, slope: float, intercept: float,
                       interval=None, level: float = 0.9, groups=None, title: str = "", ax=None):
    """Historical battles' log casualty-exchange ratio against log force ratio, with the fitted line
    and the slopes the square (-1), linear (0) and logarithmic (+1) laws predict.

    ``groups`` (optional, one label per battle, e.g. an era) colours the points. The laws' lines go
    through the centre of the cloud (mean x, mean y), where the fitted line also passes, so only
    their slopes are compared: each law fixes the slope, not the intercept log(a/b).
    """
    ax = new_axes(ax, size=(7.0, 4.6))
    x, y = np.asarray(log_force_ratio, dtype=float), np.asarray(log_exchange_ratio, dtype=float)
    if groups is None:
        ax.scatter(x, y, s=10, color="0.35", alpha=0.5, linewidths=0, label=f"battles (n = {x.size})")
    else:
        groups = np.asarray(groups)
        for i, label in enumerate(dict.fromkeys(groups)):
            hit = groups == label
            ax.scatter(x[hit], y[hit], s=10, alpha=0.55, linewidths=0, color=PALETTE[(i + 2) % len(PALETTE)],
                       label=f"{label} (n = {int(hit.sum())})")
    grid = np.linspace(x.min(), x.max(), 50) if x.size else np.array([-1.0, 1.0])
    fitted = f"fitted slope {slope:+.2f}"
    if interval is not None:
        fitted += f" ({level:.0%} interval {interval[0]:+.2f} to {interval[1]:+.2f})"
    ax.plot(grid, intercept + slope * grid, color=PALETTE[0], lw=2.2, label=fitted)
    cx, cy = (float(x.mean()), float(y.mean())) if x.size else (0.0, intercept)
    for (law, law_slope), style in zip({"square": -1.0, "linear": 0.0, "logarithmic": 1.0}.items(),
                                       ("--", ":", "-.")):
        ax.plot(grid, cy + law_slope * (grid - cx), color="0.15", ls=style, lw=1.2,
                label=f"{law} law (slope {law_slope:+g})")
    ax.axhline(0.0, color="0.8", lw=0.8, zorder=0)
    ax.axvline(0.0, color="0.8", lw=0.8, zorder=0)
    ax.set_xlabel("log force ratio, ln(attacker strength / defender strength)")
    ax.set_ylabel("log casualty-exchange ratio,\nln(attacker casualties / defender casualties)")
    ax.set_title(title or "Casualty exchange against force ratio in historical battles (CDB90)")
    ax.legend(fontsize="x-small", loc="best")
    return ax


def iwo_jima_chart(iwo: dict, ax=None):
    """Engel's Iwo Jima in each method, from the section's ``iwo_jima`` record."""
    ax = new_axes(ax)
    styles = {"landings-first": "-", "continuous": ":", "previous-day": "--"}
    for method, run in iwo["methods"].items():
        for values, label, colour in zip((run["m"], run["n"]), iwo["labels"], (PALETTE[0], PALETTE[3])):
            ax.plot(run["days"], values, color=colour, ls=styles.get(method, "-"), lw=1.6,
                    label=f"{label}, {method}")
    ax.set_xlabel("day of the battle")
    ax.set_ylabel("strength (troops)")
    ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.set_title(f"Engel's Iwo Jima: a = {iwo['a']}, b = {iwo['b']}, square law")
    ax.legend(fontsize="x-small", ncol=3, loc="center right")
    return ax


def history_chart(history: dict, ax=None):
    """The CDB90 scatter and fitted slope, from the section's ``history`` record."""
    scatter, fit = history["scatter"], history["fit"]
    eras = [history["scatter"]["eras"][i] for i in scatter["era_index"]] if scatter.get("eras") else None
    return lanchester_history(scatter["log_force_ratio"], scatter["log_exchange_ratio"], slope=fit["slope"],
                              intercept=fit["intercept"], interval=(fit["interval"]["low"], fit["interval"]["high"]),
                              level=fit["interval"]["level"], groups=eras, ax=ax)


def tempo_chart(tempo: dict, ax=None):
    """The claimed personnel losses with the two fitted shapes, from the section's ``tempo`` record."""
    ax = lanchester_one_sided(tempo["days"], tempo["observed"], tempo["fitted"], ax=ax)
    ax.set_xlabel("days of the conflict behind each claim (the total published on day d covers d - 1 days)")
    ax.set_ylabel("claimed personnel losses (cumulative)")
    return ax


def overview(section: dict) -> plt.Figure:
    """Iwo Jima, history and (when fitted) the tempo, one panel each, in one figure."""
    panels = 3 if section["tempo"] is not None else 2
    figure, axes = plt.subplots(panels, 1, figsize=(7.5, 4.4 * panels), layout="constrained")
    iwo_jima_chart(section["iwo_jima"], ax=axes[0])
    history_chart(section["history"], ax=axes[1])
    if section["tempo"] is not None:
        tempo_chart(section["tempo"], ax=axes[2])
    return figure


def figures(section: dict) -> list[tuple[str, plt.Figure, str]]:
    """Figures of the ``lanchester`` section: Engel's Iwo Jima in each method, and the tempo fits."""
    iwo = section["iwo_jima"]
    ax = iwo_jima_chart(iwo)
    day = iwo["check_day"]
    figures = [("lanchester_iwo_jima", ax.figure,
                f"Strengths of US and Japanese forces at Iwo Jima under Engel's coefficients; US casualties by day {day}: "
                + ", ".join(f"{run['casualties_m']:,.0f} ({method})" for method, run in iwo["methods"].items())
                + f", against about {iwo['recorded_casualties_m']:,.0f} recorded.")]
    history = section["history"]
    fit = history["fit"]
    ax = history_chart(history)
    figures.append(("lanchester_history", ax.figure,
                    f"Scatter of {fit['n']} historical battles (CDB90): log casualty-exchange ratio against log force "
                    f"ratio; fitted slope {fit['slope']:+.2f} (90% interval {fit['interval']['low']:+.2f} to "
                    f"{fit['interval']['high']:+.2f}), against -1 for the square law, 0 linear and +1 logarithmic."))
    tempo = section["tempo"]
    if tempo is None:
        return figures
    ax = tempo_chart(tempo)
    weights = {shape: row["akaike_weight"] for shape, row in tempo["table"].items()}
    figures.append(("lanchester_tempo", ax.figure,
                    f"Claimed cumulative personnel losses of {section.get('words', {}).get('subject', 'the force')} "
                    f"to day {section['as_of_day']} with two fitted shapes; "
                    "Akaike weights: " + ", ".join(f"{shape} {w:.0%}" for shape, w in weights.items()) + "."))
    return figures
