"""The losses model's figures: charts of its results, and the briefing's figures from its recorded
section (:func:`figures`)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from estimates.charts import BAND, PALETTE, new_axes

#: Words for charts drawn without a case's (a results section records its own, ``words``).
UNITS = {"unit_singular": "unit", "unit_plural": "units", "unit_short": "unit"}


def _words(words: dict | None) -> dict:
    return dict(UNITS) | dict(words or {})


def loss_crosscheck(counts, *, reported: int, interval=None, as_of=None, ax=None, words: dict | None = None):
    """Distribution of ineffective units implied by claimed armour losses, against the count used.

    ``counts[v]`` is how many Monte Carlo draws gave ``v`` ineffective units; ``interval`` has ``low``,
    ``high`` and ``level`` (an :class:`estimates.core.quantities.Interval` or a dict of them);
    ``words`` the case's (``Vocabulary.to_dict()``).
    """
    ax = new_axes(ax)
    units = _words(words)["unit_plural"]
    counts = np.asarray(counts, dtype=float)
    share = counts / counts.sum() if counts.sum() else counts
    values = np.arange(counts.size)
    ax.bar(values, share, width=1.0, color=BAND, alpha=0.7, lw=0, label="implied by claimed losses")
    if interval is not None:
        get = interval.get if isinstance(interval, dict) else lambda k: getattr(interval, k)
        top = float(share.max()) if share.size else 1.0
        ax.plot([get("low"), get("high")], [-0.06 * top] * 2, lw=3, color=PALETTE[0],
                label=f"{get('level'):.0%} interval")
    ax.axvline(reported, color=PALETTE[3], ls="--", lw=1.2, label=f"count used: {reported}")
    when = f", to {pd.Timestamp(as_of):%-d %b %Y}" if as_of is not None else ""
    ax.set_title(f"Ineffective {units} implied by the claimed armour losses{when}", fontsize="medium")
    ax.set_xlabel(f"combat-ineffective {units} (threshold model)")
    ax.set_ylabel("share of simulations")
    ax.legend(fontsize="small", loc="upper right")
    return ax


def loss_sensitivity_grid(table: pd.DataFrame, *, reported: int | None = None, ax=None,
                          words: dict | None = None):
    """Median ineffective units (annotated with the 90% interval) by over-count factor and spread.

    ``table`` has columns ``overcount``, ``concentration``, ``median``, ``low_90`` and ``high_90``
    (``LossCrossCheck.sensitivity`` or the ``sensitivity`` records of ``results.json``).
    """
    ax = new_axes(ax, size=(7.0, 4.2))
    units = _words(words)["unit_plural"]
    table = pd.DataFrame(table)
    median = table.pivot(index="overcount", columns="concentration", values="median")
    labels = table.assign(text=[f"{m:.0f}\n({lo:.0f}-{hi:.0f})" for m, lo, hi in
                                zip(table["median"], table["low_90"], table["high_90"])]
                          ).pivot(index="overcount", columns="concentration", values="text")
    center = None if reported is None else float(reported)
    sns.heatmap(median, annot=labels.loc[median.index, median.columns].to_numpy(), fmt="", ax=ax,
                cmap="vlag", center=center, annot_kws={"fontsize": "x-small"},
                cbar_kws={"label": f"median ineffective {units}"})
    ax.set_title(f"Ineffective {units} implied by claimed armour losses: sensitivity"
                 + (f" (count used {reported})" if reported is not None else ""), fontsize="medium")
    ax.set_xlabel(f"Dirichlet concentration of losses over {units} (larger = more even)")
    ax.set_ylabel("over-count factor (claimed / true)")
    return ax


def check_scan(scan, *, reported: int, concentration: float | None = None, plausible=None, ax=None,
               words: dict | None = None):
    """The predictive 90% range and median of ineffective units across the concentration scan, with
    the count used: where the line leaves the band, the count is in a tail.

    ``scan`` has columns ``concentration``, ``median``, ``low_90``, ``high_90`` and ``reading``
    (``LossCrossCheck.concentration_scan`` or the ``concentration_scan`` records of ``results.json``);
    ``plausible`` is the run's plausible range of the concentration, shaded.
    """
    ax = new_axes(ax)
    units = _words(words)["unit_plural"]
    table = pd.DataFrame(scan).sort_values("concentration")
    x = table["concentration"].to_numpy(dtype=float)
    if plausible is not None:
        ax.axvspan(*plausible, color="0.92", lw=0, label="plausible range")
    ax.fill_between(x, table["low_90"], table["high_90"], color=BAND, alpha=0.35, lw=0,
                    label="90% predictive range")
    ax.plot(x, table["median"], color=BAND, lw=1.5, label="median")
    ax.axhline(reported, color=PALETTE[3], ls="--", lw=1.2, label=f"count used: {reported}")
    tail = (table["reading"] != "consistent").to_numpy()
    ax.scatter(x[tail], np.full(tail.sum(), reported), marker="x", color=PALETTE[3], zorder=3,
               label="count in a tail (10% level)")
    if concentration is not None:
        ax.axvline(concentration, color="0.3", lw=0.8, ls=":", label="this run")
    ax.set_xscale("log")
    ax.set_xlabel(f"Dirichlet concentration of losses over {units} (larger = more even)")
    ax.set_ylabel(f"ineffective {units}")
    ax.set_title("Where the count used falls among the counts the claimed losses predict", fontsize="medium")
    ax.legend(fontsize="x-small", loc="upper left")
    return ax


def overview(section: dict) -> plt.Figure:
    """The implied count against the report, above its sensitivity grid (when there is one)."""
    ineffective, words = section["ineffective"], section.get("words")
    table = pd.DataFrame(section["sensitivity"])
    reported = section["reported"]["ineffective"]
    if len(table) <= 1:
        return loss_crosscheck(ineffective["counts"], reported=reported, interval=ineffective["interval"],
                               as_of=section["as_of"], words=words).figure
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(7.5, 8.0), layout="constrained", height_ratios=(3.6, 4.2))
    loss_crosscheck(ineffective["counts"], reported=reported, interval=ineffective["interval"],
                    as_of=section["as_of"], ax=top, words=words)
    loss_sensitivity_grid(table, reported=reported, ax=bottom, words=words)
    return figure


def figures(section: dict) -> list[tuple[str, plt.Figure, str]]:
    """Figures of the ``losses`` section: the implied count against the report, and its sensitivity."""
    ineffective, words = section["ineffective"], section.get("words")
    units = _words(words)["unit_plural"]
    reported = section["reported"]["ineffective"]
    ax = loss_crosscheck(ineffective["counts"], reported=reported, interval=ineffective["interval"],
                         as_of=section["as_of"], words=words)
    interval, check = ineffective["interval"], section["check"]
    figures = [("losses_implied", ax.figure,
                f"Bar chart of the number of combat-ineffective {units} implied by the armour losses claimed "
                f"to {section['as_of']}: median {ineffective['quantiles']['0.5']:g}, 90% interval "
                f"{interval['low']:g} to {interval['high']:g}; the count this run uses, {reported}, is at percentile "
                f"{check['percentile']:.0f} ({check['reading']}).")]
    scan = pd.DataFrame(section.get("concentration_scan") or [])
    if len(scan) > 1:
        plausible = (section.get("scan") or {}).get("plausible")
        ax = check_scan(scan, reported=reported, concentration=check["concentration"], plausible=plausible,
                        words=words)
        tails = scan.loc[scan["reading"] != "consistent", "concentration"]
        figures.append(("losses_check", ax.figure,
                        f"Band chart of the 90% predictive range of ineffective {units} against the Dirichlet "
                        f"concentration, {scan['concentration'].min():g} to {scan['concentration'].max():g} on a log "
                        f"scale, with the count used, {reported}, as a line; it lies in a tail at "
                        + (f"{len(tails)} of {len(scan)} scanned values, from {tails.min():g} to {tails.max():g}."
                           if len(tails) else f"none of the {len(scan)} scanned values.")))
    table = pd.DataFrame(section["sensitivity"])
    if len(table) > 1:
        ax = loss_sensitivity_grid(table, reported=reported, words=words)
        figures.append(("losses_sensitivity", ax.figure,
                        f"Heat map of the median number of ineffective {units} implied by the claimed losses, by over-count "
                        f"factor ({table['overcount'].min():g} to {table['overcount'].max():g}) and by how evenly "
                        f"losses spread over {units}; the median ranges from {table['median'].min():g} to "
                        f"{table['median'].max():g}."))
    return figures
