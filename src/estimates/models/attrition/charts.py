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


def figures(section: dict) -> list[tuple[str, plt.Figure, str]]:
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
    ax = new_axes(None, size=(7.0, 2.4))
    for i, (method, row) in enumerate(intervals.iterrows()):
        ax.plot([row["low"], row["high"]], [i, i], lw=6, color=PALETTE[i % len(PALETTE)],
                solid_capstyle="butt")
    ax.set_yticks(range(len(intervals)), list(intervals.index), fontsize="small")
    ax.invert_yaxis()
    ax.set_xlabel("per-BTG probability of becoming combat-ineffective by the as-of date")
    return ax.figure


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
