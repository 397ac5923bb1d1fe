"""Every figure of the suite. Models never draw; they call these with plain tables.

Each function takes the data it shows and an optional ``ax`` and returns the axes, so the same
figure appears in a notebook (from a result object) and in the briefing (from ``results.json``).
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
import seaborn as sns

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
    readings = seventy_five_chart(section["seventy_five"])
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
        ("attrition_readings", readings,
         "The two readings of the '75%' as 90% ranges: on the left, the whole BTG pool implied by the "
         "seed's share and by the UK MoD's share beside the stated late-2021 total; on the right, the "
         "BTG-equivalents lost if Russia retained 75% of its combat power beside the BTGs reported "
         "combat-ineffective."),
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


def arrivals_fan(section: dict, ax=None):
    """Capability restored by date (BTG-equivalents, or batteries for air defence): 5-95% and median."""
    ax = _axes(ax)
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
    """Share of each BTG category's estimated losses the transfers replace by the horizon end."""
    rows = [(o["label"], o["share_of_losses_replaced"]) for o in section["categories"].values()
            if o["share_of_losses_replaced"] is not None]
    ax = _axes(ax, size=(7.0, 0.45 * len(rows) + 1.2))
    for i, (label, q) in enumerate(rows):
        ax.plot([q["0.05"], q["0.95"]], [i, i], lw=6, color=PALETTE[0], alpha=0.35, solid_capstyle="butt")
        ax.plot([q["0.25"], q["0.75"]], [i, i], lw=6, color=PALETTE[0], solid_capstyle="butt")
        ax.plot([q["0.5"]], [i], "|", color="black", ms=14)
    ax.set_yticks(range(len(rows)), [label for label, _ in rows], fontsize="small")
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel("share of estimated losses replaced")
    return ax


def resupply_figures(section: dict) -> list[tuple[str, plt.Figure, str]]:
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


def seventy_five_chart(readings: dict) -> plt.Figure:
    """Both readings of the "75%" from a recorded ``seventy_five`` section, one panel each."""
    share, power = readings["share_of_army"], readings["combat_power_retained"]
    total_low, total_high = share["stated_total"]
    pools = pd.DataFrame(
        {"low": [share["pool_from_share"]["low"], share["pool_from_alt_share"]["low"], total_low],
         "high": [share["pool_from_share"]["high"], share["pool_from_alt_share"]["high"], total_high]},
        index=["pool from the seed's 75%", "pool from the UK MoD's 65%", "stated late-2021 total"],
    )
    lost = pd.DataFrame(
        {"low": [power["lost_equivalents"]["low"], power["reported_ineffective"]],
         "high": [power["lost_equivalents"]["high"], power["reported_ineffective"]]},
        index=["lost if 75% retained", "reported ineffective"],
    )
    figure, (left, right) = plt.subplots(1, 2, figsize=(8.0, 2.4), layout="constrained")
    readings_chart(pools, ax=left)
    readings_chart(lost, ax=right)
    left.set_title("Reading 1: share of the army", fontsize="small")
    right.set_title("Reading 2: combat power retained", fontsize="small")
    right.set_xlabel("BTG-equivalents")
    return figure


#: ICD 203 band edges used by :func:`estimates.wording.likelihood` (each upper edge is the next band's).
_BAND_EDGES = (0.0, 0.05, 0.20, 0.45, 0.55, 0.80, 0.95, 1.0)


def term_sensitivity_chart(sensitivity: dict, probability: float, ax=None):
    """A judgment's probability with each uncertain input at either end of its plausible range.

    ``sensitivity`` is a recorded judgment's ``sensitivity``; one row per input that moves the
    probability at all, widest swing on top, over the ICD 203 bands; a filled marker is a value at
    which the band changes. Inputs that leave it unchanged are counted in the axis label.
    """
    from .wording import SCALE

    rows: dict[str, list[dict]] = {}
    for variation in sensitivity["variations"]:
        rows.setdefault(variation["parameter"], []).append(variation)
    moving = [name for name in rows if _swing(rows[name], probability) > 0.0]
    idle = len(rows) - len(moving)
    order = sorted(moving, key=lambda name: -_swing(rows[name], probability))
    ax = _axes(ax, size=(7.0, 1.3 + 0.3 * max(len(order), 1)))
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
    labels = [f"{name} ({_span(rows[name])})" for name in order]
    ax.set_yticks(range(len(order)), labels, fontsize="small")
    ax.set_ylim(max(len(order), 1) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    label = "probability of the event (line: this run; red: the band changes)"
    if idle:
        label += f"\n{idle} other input{'s leave' if idle > 1 else ' leaves'} it unchanged"
    ax.set_xlabel(label)
    if not order:
        ax.set_yticks([])
        ax.text(probability + 0.02, 0, "no input moves it", va="center", fontsize="small")
    top = ax.secondary_xaxis("top")
    top.set_ticks([(a + b) / 2 for a, b in zip(_BAND_EDGES, _BAND_EDGES[1:])],
                  [band.term for band in SCALE], fontsize="x-small", rotation=35, ha="left")
    top.tick_params(length=0)
    return ax


def judgment_figures(judgments: list[dict]) -> list[tuple[str, plt.Figure, str]]:
    """One term-sensitivity chart per recorded judgment that carries a ``sensitivity``."""
    figures = []
    for judgment in judgments:
        sensitivity = judgment.get("sensitivity")
        if not sensitivity or not sensitivity["variations"]:
            continue
        probability = judgment["probability"]["probability"]
        ax = term_sensitivity_chart(sensitivity, probability)
        low, high = sensitivity["probability_range"]
        alt = (f"Sensitivity of the judgment '{judgment['statement']}': its probability, {probability:.1%} in "
               f"this run, ranges from {low:.1%} to {high:.1%} as each of "
               f"{len(sensitivity['parameters'])} uncertain inputs is set to either end of its plausible range"
               + (f"; the band changes with {', '.join(sensitivity['changed_by'])}." if sensitivity["changed_by"]
                  else "; the band never changes."))
        figures.append((f"sensitivity_{judgment['id']}", ax.figure, alt))
    return figures


def _term(probability: float) -> str:
    from .wording import likelihood

    return likelihood(probability).term


def _swing(variations: list[dict], probability: float) -> float:
    values = [v["probability"] for v in variations] + [probability]
    return max(values) - min(values)


def _span(variations: list[dict]) -> str:
    values = [str(v["value"]) for v in variations]
    return " to ".join(values) if len(values) > 1 else values[0]


# --- pooling the official statements ----------------------------------------------------------------

def interval_forest(rows: dict[str, dict], *, xlabel: str, ax=None):
    """One row per estimate: 5-95% line, 25-75% bar, median dot. ``rows`` maps a label to
    ``{"quantiles": {"0.05": .., "0.25": .., "0.5": .., "0.75": .., "0.95": ..}}``."""
    ax = _axes(ax, size=(7.0, 0.9 + 0.45 * len(rows)))
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


def statement_checks(checks: dict, statements: list[dict], committed_low: int, ax=None):
    """Each statement's reported count against the 90% range predicted from the earlier ones, with a
    free hazard shape and with a constant hazard."""
    ax = _axes(ax, size=(7.0, 1.2 + 0.6 * max(len(checks["free_shape"]), 1)))
    by_id = {s["observation_id"]: s for s in statements}
    labels = []
    for y, (free, constant) in enumerate(zip(checks["free_shape"], checks["constant_hazard"])):
        s = by_id[free["observation_id"]]
        labels.append(f"{s['observation_id']}\n{s['date']}")
        for offset, check, color, name in ((-0.12, free, PALETTE[0], "predicted, free shape (90%)"),
                                           (0.12, constant, PALETTE[1], "predicted, constant hazard (90%)")):
            q = check["predicted"]
            ax.plot([q["0.05"], q["0.95"]], [y + offset] * 2, color=color, lw=4, alpha=0.7,
                    label=name if y == 0 else None)
        low = s["count_low"] if s["count_low"] is not None else None
        if s["count_high"] is None:
            edge = low if low is not None else np.floor(s["share_above"] * committed_low) + 1
            ax.annotate("", xy=(edge + 8, y), xytext=(edge, y),
                        arrowprops={"arrowstyle": "->", "color": PALETTE[3], "lw": 2})
            ax.plot(edge, y, "|", color=PALETTE[3], ms=14, mew=2, label="reported" if y == 0 else None)
        else:
            ax.plot([low, s["count_high"]], [y, y], "|-", color=PALETTE[3], ms=14, mew=2, lw=2,
                    label="reported" if y == 0 else None)
    ax.set_yticks(range(len(labels)), labels, fontsize="small")
    ax.set_ylim(len(labels) - 0.5, -0.7)
    ax.set_xlabel("BTGs combat-ineffective (predicted from the earlier statements)")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def pooling_figures(section: dict) -> list[tuple[str, plt.Figure, str]]:
    """Figures of the ``pooling`` section: pooled against single-report, and the statement checks."""
    if section.get("pooled") is None:
        return []
    rows = {"single report": section["single_report"]["p_as_of"],
            f"pooled ({section['pooled']['reading']}, free shape)": section["pooled"]["p_as_of"]}
    if section.get("constant_hazard"):
        rows["pooled (nested, constant hazard)"] = section["constant_hazard"]["p_as_of"]
    rows["pooled (independent readings)"] = section["independent"]["p_as_of"]
    ax = interval_forest(rows, xlabel="P(a BTG was combat-ineffective by the as-of date)")
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    single, pooled = section["single_report"]["p_as_of"], section["pooled"]["p_as_of"]
    figures = [("pooling_estimates", ax.figure,
                f"Interval chart: the single report puts the per-BTG probability of being combat-ineffective "
                f"by the as-of date at {single['quantiles']['0.5']:.0%} (90%: {single['interval']['low']:.0%} to "
                f"{single['interval']['high']:.0%}); pooling every statement gives {pooled['quantiles']['0.5']:.0%} "
                f"({pooled['interval']['low']:.0%} to {pooled['interval']['high']:.0%}).")]
    checks = section["checks"]
    if checks["free_shape"]:
        ax = statement_checks(checks, section["statements"], section["committed_range"][0])
        surprising = section["agreement"]["surprising_constant_hazard"]
        figures.append(("pooling_checks", ax.figure,
                        "Each later statement's reported count against the 90% range the earlier statements "
                        "predict; " + (f"under a constant hazard {', '.join(surprising)} falls outside what was "
                                       "predicted" if surprising else "every statement falls within the predicted "
                                       "ranges") + "."))
    return figures


# --- loss-data cross-check (estimates.equipment_losses) -------------------------------------------


def loss_crosscheck(counts, *, reported: int, interval=None, as_of=None, ax=None):
    """Distribution of ineffective BTGs implied by claimed armour losses, against the reported count.

    ``counts[v]`` is how many Monte Carlo draws gave ``v`` ineffective BTGs; ``interval`` has ``low``,
    ``high`` and ``level`` (an :class:`estimates.quantities.Interval` or a dict of them).
    """
    ax = _axes(ax)
    counts = np.asarray(counts, dtype=float)
    share = counts / counts.sum() if counts.sum() else counts
    values = np.arange(counts.size)
    ax.bar(values, share, width=1.0, color=BAND, alpha=0.7, lw=0, label="implied by claimed losses")
    if interval is not None:
        get = interval.get if isinstance(interval, dict) else lambda k: getattr(interval, k)
        top = float(share.max()) if share.size else 1.0
        ax.plot([get("low"), get("high")], [-0.06 * top] * 2, lw=3, color=PALETTE[0],
                label=f"{get('level'):.0%} interval")
    ax.axvline(reported, color=PALETTE[3], ls="--", lw=1.2, label=f"reported: {reported}")
    when = f", to {pd.Timestamp(as_of):%-d %b %Y}" if as_of is not None else ""
    ax.set_title(f"Ineffective BTGs implied by Ukraine's claimed armour losses{when}", fontsize="medium")
    ax.set_xlabel("combat-ineffective BTGs (threshold model)")
    ax.set_ylabel("share of simulations")
    ax.legend(fontsize="small", loc="upper right")
    return ax


def loss_sensitivity_grid(table: pd.DataFrame, *, reported: int | None = None, ax=None):
    """Median ineffective BTGs (annotated with the 90% interval) by over-count factor and spread.

    ``table`` has columns ``overcount``, ``concentration``, ``median``, ``low_90`` and ``high_90``
    (``LossCrossCheck.sensitivity`` or the ``sensitivity`` records of ``results.json``).
    """
    ax = _axes(ax, size=(7.0, 4.2))
    table = pd.DataFrame(table)
    median = table.pivot(index="overcount", columns="concentration", values="median")
    labels = table.assign(text=[f"{m:.0f}\n({lo:.0f}-{hi:.0f})" for m, lo, hi in
                                zip(table["median"], table["low_90"], table["high_90"])]
                          ).pivot(index="overcount", columns="concentration", values="text")
    center = None if reported is None else float(reported)
    sns.heatmap(median, annot=labels.loc[median.index, median.columns].to_numpy(), fmt="", ax=ax,
                cmap="vlag", center=center, annot_kws={"fontsize": "x-small"},
                cbar_kws={"label": "median ineffective BTGs"})
    ax.set_title("Ineffective BTGs implied by claimed armour losses: sensitivity"
                 + (f" (reported {reported})" if reported is not None else ""), fontsize="medium")
    ax.set_xlabel("Dirichlet concentration of losses over BTGs (larger = more even)")
    ax.set_ylabel("over-count factor (claimed / true)")
    return ax


def losses_figures(section: dict) -> list[tuple[str, plt.Figure, str]]:
    """Figures of the ``losses`` section: the implied count against the report, and its sensitivity."""
    ineffective = section["ineffective"]
    reported = section["reported"]["ineffective"]
    ax = loss_crosscheck(ineffective["counts"], reported=reported, interval=ineffective["interval"],
                         as_of=section["as_of"])
    interval = ineffective["interval"]
    p = section["p_at_least_reported"]["probability"]
    figures = [("losses_implied", ax.figure,
                f"Bar chart of the number of combat-ineffective BTGs implied by Ukraine's claimed armour losses "
                f"to {section['as_of']}: median {ineffective['quantiles']['0.5']:g}, 90% interval "
                f"{interval['low']:g} to {interval['high']:g}; {p:.0%} of simulations reach the reported {reported}.")]
    table = pd.DataFrame(section["sensitivity"])
    if len(table) > 1:
        ax = loss_sensitivity_grid(table, reported=reported)
        figures.append(("losses_sensitivity", ax.figure,
                        "Heat map of the median number of ineffective BTGs implied by the claimed losses, by over-count "
                        f"factor ({table['overcount'].min():g} to {table['overcount'].max():g}) and by how evenly "
                        f"losses spread over BTGs; the median ranges from {table['median'].min():g} to "
                        f"{table['median'].max():g}."))
    return figures

def lanchester_trajectory(days, m, n, *, labels=("M", "N"), title: str = "", ax=None):
    """Strengths of both sides by day, from a Lanchester trajectory."""
    ax = _axes(ax)
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
    ax = _axes(ax)
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
    ax = _axes(ax)
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
    ax = _axes(ax, size=(7.0, 4.6))
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


def lanchester_figures(section: dict) -> list[tuple[str, plt.Figure, str]]:
    """Figures of the ``lanchester`` section: Engel's Iwo Jima in each method, and the tempo fits."""
    iwo = section["iwo_jima"]
    ax = _axes(None)
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
    day = iwo["check_day"]
    figures = [("lanchester_iwo_jima", ax.figure,
                f"Strengths of US and Japanese forces at Iwo Jima under Engel's coefficients; US casualties by day {day}: "
                + ", ".join(f"{run['casualties_m']:,.0f} ({method})" for method, run in iwo["methods"].items())
                + f", against about {iwo['recorded_casualties_m']:,.0f} recorded.")]
    history = section["history"]
    scatter, fit = history["scatter"], history["fit"]
    eras = [history["scatter"]["eras"][i] for i in scatter["era_index"]] if scatter.get("eras") else None
    ax = lanchester_history(scatter["log_force_ratio"], scatter["log_exchange_ratio"], slope=fit["slope"],
                            intercept=fit["intercept"], interval=(fit["interval"]["low"], fit["interval"]["high"]),
                            level=fit["interval"]["level"], groups=eras)
    figures.append(("lanchester_history", ax.figure,
                    f"Scatter of {fit['n']} historical battles (CDB90): log casualty-exchange ratio against log force "
                    f"ratio; fitted slope {fit['slope']:+.2f} (90% interval {fit['interval']['low']:+.2f} to "
                    f"{fit['interval']['high']:+.2f}), against -1 for the square law, 0 linear and +1 logarithmic."))
    tempo = section["tempo"]
    if tempo is None:
        return figures
    ax = lanchester_one_sided(tempo["days"], tempo["observed"], tempo["fitted"])
    ax.set_xlabel("days of war behind each claim (the total published on day d covers d - 1 days)")
    ax.set_ylabel("claimed Russian personnel losses (cumulative)")
    weights = {shape: row["akaike_weight"] for shape, row in tempo["table"].items()}
    figures.append(("lanchester_tempo", ax.figure,
                    "Ukraine's claimed cumulative Russian personnel losses to the as-of date with two fitted shapes; "
                    "Akaike weights: " + ", ".join(f"{shape} {w:.0%}" for shape, w in weights.items()) + "."))
    return figures

#: Figures of each model's ``results.json`` section: ``{model: function(section) -> [(name, figure,
#: alt text)]}``. The briefing draws a model's figures only when its section is in the results.
FIGURES: dict = {
    "attrition": attrition_figures,
    "resupply": resupply_figures,
    "pooling": pooling_figures,
    "losses": losses_figures,
    "lanchester": lanchester_figures,
}
