"""The Lanchester model in plain words, from its recorded section.

It makes no key judgment (it checks the engine, reads history and fits the tempo of the claimed
losses), so what it says is what those numbers show and what they do not.
"""

from __future__ import annotations

from estimates.core.display import Prose, count
from estimates.models.lanchester.reading import per_day


def _laws(fit: dict) -> str:
    laws = [law for law, verdict in fit["verdicts"].items() if verdict["inside"]]
    if not laws:
        return "none of the three laws"
    return "the " + " and ".join(laws) + (" law" if len(laws) == 1 else " laws")


def conclusion(section: dict) -> Prose:
    """What the numbers say, in sentences generated from them."""
    iwo = section["iwo_jima"]
    engel, recorded = iwo["methods"]["landings-first"]["casualties_m"], iwo["recorded_casualties_m"]
    paragraphs = [
        f"**The engine.** With Engel's coefficients, the daily-step solution gives {count(engel)} US casualties by "
        f"day {iwo['check_day']} of Iwo Jima, {abs(engel / recorded - 1):.1%} "
        f"{'above' if engel > recorded else 'below'} the about {count(recorded)} recorded: the equations reproduce "
        "his fit."]
    fit, small = section["history"]["fit"], section["history_small_losses"]["fit"]
    paragraphs.append(
        f"**History.** Across {fit['n']} CDB90 battles the casualty-exchange slope is {fit['slope']:+.2f} (90% "
        f"interval {fit['interval']['low']:+.2f} to {fit['interval']['high']:+.2f}), consistent with {_laws(fit)}; "
        f"in the {small['n']} battles with small losses it is {small['slope']:+.2f}, consistent with {_laws(small)}. "
        "Errors in the recorded strengths pull a fitted slope towards 0, the linear law's value.")
    words = section.get("words") or {}
    subject = words.get("subject", "the force")
    tempo = section["tempo"]
    if tempo is None:
        paragraphs.append(f"**Tempo.** Fewer than three days of claimed losses of {subject} by the cut-off: no "
                          "tempo is fitted.")
    else:
        hazard = section["personnel_hazard_per_day"]
        halves = section["claimed_per_day_by_half"]
        falling = ""
        if halves:
            first, second = halves
            falling = (f" The claims averaged {count(first['per_day'])} a day over days {first['from_day']}-"
                       f"{first['to_day']} and {count(second['per_day'])} over days {second['from_day']}-"
                       f"{second['to_day']}.")
            if second["per_day"] < first["per_day"]:
                observed, curves = tempo["observed"], list(tempo["fitted"].values())
                above = sum(all(o > c[i] for c in curves) for i, o in enumerate(observed))
                below = sum(all(o < c[i] for c in curves) for i, o in enumerate(observed))
                falling += (" Both fitted shapes start from no losses on day 0 and slow only as the force shrinks, "
                            f"so claims that rose fast and then slowed cannot be followed: {above} of the "
                            f"{len(observed)} claims lie above both curves and {below} below both. The fit is a "
                            "compromise across the window, not a forecast.")
        paragraphs.append(
            f"**Tempo.** The claimed personnel losses of {subject} to day {section['as_of_day']} fit a constant "
            f"per-capita hazard of {per_day(hazard['estimate'])} (90% interval {per_day(hazard['low'])} to "
            f"{per_day(hazard['high'])}); by AIC the {tempo['best']} shape is preferred (Akaike weight "
            f"{tempo['table'][tempo['best']]['akaike_weight']:.0%}). The claims add up to "
            f"{section['claimed_share_of_strength']:.1%} of the initial strength.{falling} These are one side's "
            "claims of the other's losses, read as given: the tempo describes the claims, not a verified count.")
    paragraphs.append(
        "**No key judgment here.** This notebook checks the engine and reads history and the claims' tempo; the "
        f"judgments about {words.get('unit_plural', 'units')} becoming ineffective come from the attrition and "
        "pooling notebooks.")
    return Prose(tuple(paragraphs), "What this says")
