"""The attrition model's figures: charts of its results, and the briefing's figures from its recorded
section (:func:`figures`)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from estimates.charts import (
    PALETTE,
    fan_chart,
    first_passage_chart,
    new_axes,
    readings_chart,
)

#: Words when a section records none (a results.json older than the case's vocabulary).
_WORDS = {"unit_singular": "unit", "unit_plural": "units", "unit_short": "unit"}


def figures(section: dict) -> list[tuple[str, plt.Figure, str]]:
    """The attrition figures of a briefing, drawn from the recorded ``results.json`` section.

    Returns ``(name, figure, alt text)`` triples; the readings of a stated share only when the
    section has them (``seventy_five`` is ``None`` when they were not read).
    """
    words = section.get("words") or _WORDS
    unit, units = words["unit_singular"], words["unit_plural"]
    projection = section["projection"]
    quantiles = pd.DataFrame(projection["quantiles"], index=pd.Index(projection["dates"], name="date"))
    fan_ax = fan_chart(quantiles, threshold=projection["threshold"])
    fan_ax.set_ylabel(f"effective {units}")
    passage = first_passage_chart(
        projection["dates"],
        [p["probability"] for p in projection["first_passage"]],
        [p["standard_error"] for p in projection["first_passage"]],
    ).figure
    intervals = pd.DataFrame(section["proportion"]["intervals"]).set_index("method")
    intervals = intervals[intervals["level"] == 0.95]
    first, last = projection["dates"][0], projection["dates"][-1]
    found = [
        ("attrition_fan", fan_ax.figure,
         f"Fan chart of effective {units} from {first} to {last}: median and 50% and 90% bands, "
         f"with the threshold of {projection['threshold']:g} as a dashed line."),
        ("attrition_first_passage", passage,
         f"Probability that effective {units} have fallen below the threshold by each date, "
         "with a band of two Monte Carlo standard errors."),
        ("attrition_intervals", _interval_figure(intervals, unit),
         f"Four 95% intervals for the per-{unit} probability of becoming combat-ineffective: "
         "the Bayesian posterior, Clopper-Pearson, Wilson and Jeffreys."),
    ]
    readings = section.get("seventy_five")
    if readings:
        shares = readings.get("shares") or {}
        share, alt = shares.get("share_of_army", 0.75), shares.get("alt_share_of_army", 0.65)
        retained = shares.get("combat_power_retained", 0.75)
        found.append(
            ("attrition_readings", seventy_five_chart(readings, words),
             f"The two readings of a stated share as 90% ranges: on the left, the whole pool of {units} "
             f"implied by a share of {share:.0%} and by the second share of {alt:.0%}, beside the stated "
             f"pre-conflict total; on the right, the {words['unit_short']}-equivalents lost if {retained:.0%} "
             f"of the starting combat power was retained, beside the {units} counted combat-ineffective."))
    return found


def _interval_figure(intervals: pd.DataFrame, unit: str = "unit") -> plt.Figure:
    ax = new_axes(None, size=(7.0, 2.4))
    for i, (method, row) in enumerate(intervals.iterrows()):
        ax.plot([row["low"], row["high"]], [i, i], lw=6, color=PALETTE[i % len(PALETTE)],
                solid_capstyle="butt")
    ax.set_yticks(range(len(intervals)), list(intervals.index), fontsize="small")
    ax.invert_yaxis()
    ax.set_xlabel(f"per-{unit} probability of becoming combat-ineffective by the count date")
    return ax.figure


def seventy_five_chart(readings: dict, words: dict | None = None) -> plt.Figure:
    """Both readings of a stated share from a recorded ``seventy_five`` section, one panel each."""
    words = words or _WORDS
    shares = readings.get("shares") or {}
    first, alt = shares.get("share_of_army", 0.75), shares.get("alt_share_of_army", 0.65)
    retained = shares.get("combat_power_retained", 0.75)
    share, power = readings["share_of_army"], readings["combat_power_retained"]
    total_low, total_high = share["stated_total"]
    pools = pd.DataFrame(
        {"low": [share["pool_from_share"]["low"], share["pool_from_alt_share"]["low"], total_low],
         "high": [share["pool_from_share"]["high"], share["pool_from_alt_share"]["high"], total_high]},
        index=[f"pool from a share of {first:.0%}", f"pool from the second share, {alt:.0%}",
               "stated pre-conflict total"],
    )
    lost = pd.DataFrame(
        {"low": [power["lost_equivalents"]["low"], power["reported_ineffective"]],
         "high": [power["lost_equivalents"]["high"], power["reported_ineffective"]]},
        index=[f"lost if {retained:.0%} retained", "ineffective (count used)"],
    )
    figure, (left, right) = plt.subplots(1, 2, figsize=(8.0, 2.4), layout="constrained")
    readings_chart(pools, ax=left).set_xlabel(words["unit_plural"])
    readings_chart(lost, ax=right)
    left.set_title("Reading 1: share of the army", fontsize="small")
    right.set_title("Reading 2: combat power retained", fontsize="small")
    right.set_xlabel(f"{words['unit_short']}-equivalents")
    return figure
