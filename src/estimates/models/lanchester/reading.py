"""The Lanchester result as worded tables, for its notebook: every figure rounded to what it means."""

from __future__ import annotations

import pandas as pd

from estimates.core.display import Table, count

LAWS = "square -1, linear 0, logarithmic +1"


def per_day(rate: float) -> str:
    """A daily hazard in words: ``0.0021`` -> ``0.21% a day``."""
    return f"{100 * rate:.2g}% a day" if rate < 0.001 else f"{100 * rate:.2f}% a day"


def _slope_row(label: str, history) -> tuple[str, dict]:
    interval = history.interval()
    return (f"casualty-exchange slope across CDB90, {label} ({history.n_used} battles)",
            {"estimate": f"{history.slope:+.2f}", "90% interval": f"{interval.low:+.2f} to {interval.high:+.2f}",
             "note": f"each law's slope: {LAWS}"})


def summary_table(result, check_day: int, recorded: float) -> Table:
    """The key numbers, each rounded to what it means, with its 90% interval where it has one."""
    iwo = result.iwo_jima["landings-first"].at(check_day)["US casualties"]
    rows = {f"Iwo Jima: US casualties by day {check_day}, Engel's daily steps":
            {"estimate": count(iwo), "90% interval": "none: a deterministic solution",
             "note": f"recorded: about {count(recorded)} ({iwo / recorded - 1:+.1%})"}}
    rows.update([_slope_row("all battles", result.history), _slope_row("small losses", result.history_small_losses)])
    if result.tempo is not None:
        hazard = {fit.shape: fit for fit in result.tempo.fits}["constant-hazard"]
        weights = result.tempo.summary()["akaike_weight"]
        rows["tempo: per-capita hazard of being claimed a loss"] = {
            "estimate": per_day(hazard.coefficient),
            "90% interval": f"{per_day(hazard.interval.low)} to {per_day(hazard.interval.high)}",
            "note": "Akaike weights: " + ", ".join(f"{shape} {w:.0%}" for shape, w in weights.items())}
    w, hazard = result.words, result.btg_hazard
    rows[f"single report: hazard of a {w.unit_short} becoming ineffective"] = {
        "estimate": per_day(hazard["0.5"]), "90% interval": f"{per_day(hazard['0.05'])} to {per_day(hazard['0.95'])}",
        "note": "median of the Beta posterior; a hazard per unit, not per person: not comparable in size"}
    rows["claimed personnel losses as a share of the initial strength"] = {
        "estimate": f"{result.claimed_share:.1%}", "90% interval": "none: a ratio of two reported figures",
        "note": "a share, not a probability"}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "quantity"
    return Table(frame, "Lanchester: the key numbers")


def iwo_jima_table(result, check_day: int, recorded: float) -> Table:
    """Engel's Iwo Jima by each method: US casualties by the check day, against the record."""
    rows = {}
    for method, trajectory in result.iwo_jima.items():
        casualties = trajectory.at(check_day)["US casualties"]
        rows[method] = {f"US casualties by day {check_day}": count(casualties),
                        "against the about " + count(recorded) + " recorded": f"{casualties / recorded - 1:+.1%}",
                        "Japanese force annihilated": ("not within the solution's days" if trajectory.annihilated_n is None
                                                       else f"day {trajectory.annihilated_n:.1f}")}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "method"
    return Table(frame, f"Iwo Jima, day {check_day}, three ways")


def tempo_table(result) -> Table:
    """Each shape fitted to the claimed losses: its coefficient, 90% interval and AIC weight."""
    if result.tempo is None:
        return Table(pd.DataFrame(), "Tempo: fewer than three days of claims, nothing fitted")
    ranked = result.tempo.summary()
    rows = {}
    for fit in result.tempo.fits:
        # A per-capita hazard reads as a percentage a day; a constant rate as troops a day.
        word = per_day if fit.shape == "constant-hazard" else (lambda v, unit=fit.unit: f"{v:,.0f} {unit}")
        rows[fit.shape] = {"coefficient": word(fit.coefficient),
                           "90% interval": f"{word(fit.interval.low)} to {word(fit.interval.high)}",
                           "AIC difference from the best": f"{ranked.loc[fit.shape, 'delta_aic']:.1f}",
                           "Akaike weight": f"{ranked.loc[fit.shape, 'akaike_weight']:.0%}",
                           "laws": ", ".join(fit.laws)}
    frame = pd.DataFrame.from_dict(rows, orient="index").loc[list(ranked.index)]
    frame.index.name = "shape"
    return Table(frame, "Tempo: the shapes fitted to the claimed losses, best first")


def history_table(result) -> Table:
    """The casualty-exchange slope across CDB90, all battles and small losses, by era: each slope
    with its 90% intervals (t and heteroscedasticity-robust) and the laws whose slope lies inside."""
    rows = {}
    for subset, history in (("all battles", result.history), ("small losses", result.history_small_losses)):
        for era, fit in {"all eras": history.fit, **history.by_era}.items():
            robust = fit.robust_interval
            rows[(subset, era)] = {
                "n": f"{fit.n:,}", "slope": f"{fit.slope:+.2f}",
                "90% interval": f"{fit.interval.low:+.2f} to {fit.interval.high:+.2f}",
                "robust 90% interval": ("not defined (a battle with leverage 1)" if robust is None
                                        else f"{robust.low:+.2f} to {robust.high:+.2f}"),
                "laws inside the interval": ", ".join(fit.consistent_laws()) or "none",
                "variance explained": f"{fit.r_squared:.0%}"}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.names = ["battles", "era"]
    return Table(frame, f"Which law fits history? Each law's slope: {LAWS}")

