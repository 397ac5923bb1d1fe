"""The pooling model's figures: charts of its results, and the briefing's figures from its recorded
section (:func:`figures`)."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np

from estimates.charts import PALETTE, interval_forest, new_axes

#: Unit words when a section records none (a results.json older than the case's vocabulary).
_UNITS = {"unit_singular": "unit", "unit_plural": "units"}


def _words(section: dict) -> dict:
    return section.get("words") or _UNITS


def statement_checks(checks: dict, statements: list[dict], committed_low: int, ax=None, *,
                     unit_plural: str = "units"):
    """Each statement's reported count against the 90% range predicted from the earlier ones, with a
    free hazard shape and with a constant hazard."""
    ax = new_axes(ax, size=(7.0, 1.2 + 0.6 * max(len(checks["free_shape"]), 1)))
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
    ax.set_xlabel(f"{unit_plural} combat-ineffective (predicted from the earlier statements)")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def pooled_estimates(section: dict, ax=None):
    """P(a unit was combat-ineffective by the count date): the single report and each pooled fit
    (the single report alone when nothing was pooled)."""
    rows = {"single report": section["single_report"]["p_as_of"]}
    if section.get("joint") is not None:
        rows["every statement, both readings weighted"] = section["joint"]["p_as_of"]
    if section.get("pooled") is not None:
        rows[f"pooled ({section['pooled']['reading']}, free shape)"] = section["pooled"]["p_as_of"]
        if section.get("constant_hazard"):
            rows["pooled (nested, constant hazard)"] = section["constant_hazard"]["p_as_of"]
        rows["pooled (independent readings)"] = section["independent"]["p_as_of"]
    unit = _words(section)["unit_singular"]
    ax = interval_forest(rows, xlabel=f"P(a {unit} was combat-ineffective by the count date)", ax=ax)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    return ax


def overview(section: dict) -> plt.Figure:
    """The pooled estimates above the statement checks, in one figure (the estimates alone when no
    statement was checked)."""
    checks = section["checks"]
    if section.get("pooled") is None or not checks["free_shape"]:
        return pooled_estimates(section).figure
    figure, (top, bottom) = plt.subplots(
        2, 1, figsize=(8.5, 3.2 + 0.6 * len(checks["free_shape"])), layout="constrained",
        height_ratios=(1.0, 0.4 + 0.6 * len(checks["free_shape"])))
    pooled_estimates(section, ax=top)
    statement_checks(checks, section["statements"], section["committed_range"][0], ax=bottom,
                     unit_plural=_words(section)["unit_plural"])
    return figure


def figures(section: dict) -> list[tuple[str, plt.Figure, str]]:
    """Figures of the ``pooling`` section: pooled against single-report, and the statement checks."""
    if section.get("pooled") is None:
        return []
    ax = pooled_estimates(section)
    single, pooled = section["single_report"]["p_as_of"], section["pooled"]["p_as_of"]
    figures = [("pooling_estimates", ax.figure,
                f"Interval chart: the single report puts the per-{_words(section)['unit_singular']} probability "
                f"of being combat-ineffective by the count date at {single['quantiles']['0.5']:.0%} (90%: {single['interval']['low']:.0%} to "
                f"{single['interval']['high']:.0%}); pooling every statement gives {pooled['quantiles']['0.5']:.0%} "
                f"({pooled['interval']['low']:.0%} to {pooled['interval']['high']:.0%}).")]
    checks = section["checks"]
    if checks["free_shape"]:
        ax = statement_checks(checks, section["statements"], section["committed_range"][0],
                              unit_plural=_words(section)["unit_plural"])
        surprising = section["agreement"]["surprising_constant_hazard"]
        figures.append(("pooling_checks", ax.figure,
                        "Each later statement's reported count against the 90% range the earlier statements "
                        "predict; " + (f"under a constant hazard {', '.join(surprising)} falls outside what was "
                                       "predicted" if surprising else "every statement falls within the predicted "
                                       "ranges") + "."))
    return figures
