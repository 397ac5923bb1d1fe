"""Plot primitives shared by every model: each takes plain data and an optional ``ax`` and returns
the axes, so a figure looks the same in a notebook (from a result object) and in the briefing (from
``results.json``). Models draw their own figures (``models/<name>/charts.py``) with these."""

from __future__ import annotations

import textwrap

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
import seaborn as sns

PALETTE = sns.color_palette("deep")


BAND = PALETTE[0]


def new_axes(ax, size=(7.0, 3.6)):
    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def posterior_density(grid, density, intervals: pd.DataFrame, ax=None):
    """Posterior density of a per-unit probability with interval bars below it."""
    ax = new_axes(ax)
    sns.lineplot(x=grid, y=density, ax=ax, color=BAND, label="posterior")
    top = float(np.max(density)) if len(density) else 1.0
    for i, (method, row) in enumerate(intervals.iterrows()):
        y = -top * 0.08 * (i + 1)
        ax.plot([row["low"], row["high"]], [y, y], lw=3, color=PALETTE[(i + 1) % len(PALETTE)],
                label=f"{method} {row['level']:.0%}")
    ax.set_xlabel("per-unit probability of becoming combat-ineffective by the count's date")
    ax.set_ylabel("density")
    lows = intervals["low"].min()
    highs = intervals["high"].max()
    pad = (highs - lows) * 0.6 + 0.02
    ax.set_xlim(max(0.0, lows - pad), min(1.0, highs + pad))
    ax.legend(fontsize="small", loc="upper right")
    return ax


def fan_chart(quantiles: pd.DataFrame, *, threshold: float | None = None, ax=None):
    """Quantile fan of effective units by date; columns are quantile levels as strings."""
    ax = new_axes(ax)
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
    ax.set_ylabel("effective units")
    ax.set_xlabel("")
    ax.legend(fontsize="small", loc="lower left")
    ax.tick_params(axis="x", labelrotation=30)
    return ax


def first_passage_chart(dates, probability, standard_error, ax=None):
    """Probability that effective units have fallen below the threshold by each date."""
    ax = new_axes(ax)
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
    ax = new_axes(ax, size=(7.0, 2.8))
    labels = list(summary.index)
    for i, label in enumerate(labels):
        low, high = summary.loc[label, "low"], summary.loc[label, "high"]
        if low == high:
            ax.plot([low], [i], "D", color=PALETTE[3])
        else:
            ax.plot([low, high], [i, i], lw=6, color=PALETTE[i % len(PALETTE)], solid_capstyle="butt")
    ax.set_yticks(range(len(labels)), labels, fontsize="small")
    ax.invert_yaxis()
    ax.set_xlabel("units")
    return ax


#: ICD 203 band edges used by :func:`estimates.core.wording.likelihood` (each upper edge is the next band's).
_BAND_EDGES = (0.0, 0.05, 0.20, 0.45, 0.55, 0.80, 0.95, 1.0)


def term_sensitivity_chart(sensitivity: dict, probability: float, ax=None, error: float = 0.0,
                           labels: dict[str, str] | None = None):
    """A judgment's probability with each uncertain input at either end of its plausible range.

    ``sensitivity`` is a recorded judgment's ``sensitivity``; one row per input that moves the
    probability by more than ``error`` (its Monte Carlo standard error; 0 for an exact probability)
    or changes its band, widest swing on top, over the ICD 203 bands; a filled marker is a value at
    which the band changes. The other inputs are counted in the axis label. Each row is named by
    ``labels`` (parameter name to what a reader sees; this layer cannot look them up), else by name.
    """
    from estimates.core.wording import SCALE

    rows: dict[str, list[dict]] = {}
    for variation in sensitivity["variations"]:
        rows.setdefault(variation["parameter"], []).append(variation)
    moving = shown_inputs(rows, probability, error)
    idle = len(rows) - len(moving)
    order = sorted(moving, key=lambda name: -_swing(rows[name], probability))
    ax = new_axes(ax, size=(7.0, 1.3 + 0.3 * max(len(order), 1)))
    for i, edge in enumerate(_BAND_EDGES[:-1]):
        ax.axvspan(edge, _BAND_EDGES[i + 1], color="0.93" if i % 2 else "0.98", lw=0, zorder=0)
    base_term = _term(probability)
    for y, name in enumerate(order):
        values = [v["probability"] for v in rows[name]]
        ax.plot([min(values + [probability]), max(values + [probability])], [y, y], color="0.55", lw=1.5, zorder=1)
        for v in rows[name]:
            changed = v["term"] != base_term
            ax.plot(v["probability"], y, "o", ms=6, zorder=2, color=PALETTE[3] if changed else BAND,
                    markerfacecolor=PALETTE[3] if changed else "white")
    ax.axvline(probability, color="k", lw=1, zorder=1)
    ticks = [f"{(labels or {}).get(name, name)} ({_span(rows[name])})" for name in order]
    ax.set_yticks(range(len(order)), ticks, fontsize="small")
    ax.set_ylim(max(len(order), 1) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    label = "probability of the event (line: this run; red: the band changes)"
    if idle and error > 0.0:
        label += (f"\n{idle} other input{'s move' if idle > 1 else ' moves'} it by no more than its "
                  f"Monte Carlo error (±{100 * error:.1f} points)")
    elif idle:
        label += f"\n{idle} other input{'s leave' if idle > 1 else ' leaves'} it unchanged"
    ax.set_xlabel(label, loc="right")  # the tick labels leave room to the left, not the right
    if not order:
        ax.set_yticks([])
        ax.text(probability + 0.02, 0, "no input moves it", va="center", fontsize="small")
    top = ax.secondary_xaxis("top")
    top.set_ticks([(a + b) / 2 for a, b in zip(_BAND_EDGES, _BAND_EDGES[1:])],
                  [band.term for band in SCALE], fontsize="x-small", rotation=35, ha="left")
    top.tick_params(length=0)
    return ax


def judgment_figures(judgments: list[dict], labels: dict[str, str] | None = None, *,
                     titled: bool = False) -> list[tuple[str, plt.Figure, str]]:
    """One term-sensitivity chart per recorded judgment that carries a ``sensitivity``, with its alt
    text; ``labels`` names the inputs as :func:`term_sensitivity_chart` does. ``titled``: each chart
    names its judgment above it (a notebook; the briefing prints the judgment beside its chart)."""
    return [judgment_figure(judgment, labels, titled=titled) for judgment in judgments if has_sensitivity(judgment)]


def has_sensitivity(judgment: dict) -> bool:
    """Whether a recorded judgment carries a term sensitivity with something to chart."""
    return bool((judgment.get("sensitivity") or {}).get("variations"))


def judgment_figure(judgment: dict, labels: dict[str, str] | None = None, *,
                    titled: bool = False) -> tuple[str, plt.Figure, str]:
    """The term-sensitivity chart of one judgment that :func:`has_sensitivity`, named and with alt text."""
    labels = labels or {}
    sensitivity = judgment["sensitivity"]
    probability = judgment["probability"]["probability"]
    error = judgment["probability"].get("standard_error") or 0.0
    ax = term_sensitivity_chart(sensitivity, probability, error=error, labels=labels)
    if titled:
        ax.set_title(textwrap.fill(f"What moves the judgment: {judgment['statement']}", 90), loc="left",
                     fontsize="medium")
    low, high = sensitivity["probability_range"]
    alt = (f"Sensitivity of the judgment '{judgment['statement']}': its probability, {probability:.1%} in "
           f"this run, ranges from {low:.1%} to {high:.1%} as each of "
           f"{len(sensitivity['parameters'])} uncertain inputs is set to either end of its plausible range"
           + (f"; the band changes with {', '.join(labels.get(n, n) for n in sensitivity['changed_by'])}."
              if sensitivity["changed_by"]
              else "; the band never changes."))
    return f"sensitivity_{judgment['id']}", ax.figure, alt


def shown_inputs(rows: dict[str, list[dict]], probability: float, error: float) -> list[str]:
    """Inputs (``{name: variations}``) worth a row: those that move the probability by more than its
    Monte Carlo error, or change its band.

    >>> rows = {"a": [{"probability": 0.30, "term": "unlikely"}], "b": [{"probability": 0.251, "term": "unlikely"}],
    ...         "c": [{"probability": 0.19, "term": "very unlikely"}]}
    >>> shown_inputs(rows, 0.25, 0.005), shown_inputs(rows, 0.25, 0.0)
    (['a', 'c'], ['a', 'b', 'c'])
    """
    base = _term(probability)
    return [name for name, variations in rows.items()
            if max(abs(v["probability"] - probability) for v in variations) > error
            or any(v["term"] != base for v in variations)]


def _term(probability: float) -> str:
    from estimates.core.wording import likelihood

    return likelihood(probability).term


def _swing(variations: list[dict], probability: float) -> float:
    values = [v["probability"] for v in variations] + [probability]
    return max(values) - min(values)


def _span(variations: list[dict]) -> str:
    """The values an input was set to, as a reader writes them: ``0.7 to 0.8``, not the float
    noise a range scaled to the run's value carries (``0.6999999999999998``).

    >>> _span([{"value": 0.6999999999999998}, {"value": 0.8000000000000002}]), _span([{"value": 120}])
    ('0.7 to 0.8', '120')
    """
    values = [f"{v['value']:.6g}" if isinstance(v["value"], float) else str(v["value"]) for v in variations]
    return " to ".join(values) if len(values) > 1 else values[0]


def interval_forest(rows: dict[str, dict], *, xlabel: str, ax=None):
    """One row per estimate: 5-95% line, 25-75% bar, median dot. ``rows`` maps a label to
    ``{"quantiles": {"0.05": .., "0.25": .., "0.5": .., "0.75": .., "0.95": ..}}``."""
    ax = new_axes(ax, size=(7.0, 0.9 + 0.45 * len(rows)))
    for y, (label, row) in enumerate(rows.items()):
        q = row["quantiles"]
        color = PALETTE[y % len(PALETTE)]
        ax.plot([q["0.05"], q["0.95"]], [y, y], color=color, lw=1.5)
        ax.plot([q["0.25"], q["0.75"]], [y, y], color=color, lw=6, solid_capstyle="butt", alpha=0.6)
        ax.plot(q["0.5"], y, "o", color="k", ms=4)
    ax.set_yticks(range(len(rows)), list(rows), fontsize="small")
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlabel(xlabel)
    return ax
