"""Which Lanchester law does history follow? The casualty-exchange slope across CDB90's battles.

For the generalised law dM/dt = -a M**p N**q, dN/dt = -b N**p M**q, while losses are a small
fraction of each side, each side's casualties are its loss rate at the initial strengths times the
battle's length, so the casualty-exchange ratio is

    C_M / C_N  ~  (a / b) (M / N)**(p - q),

and across battles log(C_att / C_def) = c + s log(F_att / F_def) with slope s = p - q: the
**square** law (aimed fire) gives s = -1, the **linear** law (area fire) s = 0 and the
**logarithmic** law s = +1 (see :data:`estimates.models.lanchester.equations.LAWS`). The intercept c is the mean
log effectiveness ratio log(a/b) of attackers over defenders; battle-to-battle differences in a/b
are the regression's noise, and they are assumed unrelated to the force ratio. That is an
assumption, not a finding: a commander who attacks only when much stronger, or a defender who
digs in when outnumbered, ties a/b to the force ratio and biases s.

:func:`fit_history` fits s by ordinary least squares (``scipy.stats.linregress``) with a t-based
interval, and a heteroscedasticity-robust (HC3, statsmodels) interval beside it because the
scatter of small battles is wider than that of large ones. Helmbold's and others' fits of CDB90
are the reference point; this module does not try to reproduce their numbers.

Two cautions for reading the slope. Errors in the recorded strengths (the compilers give margins of
tens of percent) pull an OLS slope towards 0, the linear law's value. And ``loss_cap`` selects
battles on their casualties, i.e. on the response: it keeps the battles where the small-loss
approximation holds, but it is not a neutral subsample, so a slope that moves when the cap is
applied is not by itself evidence that the law differs for small losses.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from estimates.core.quantities import Interval, _plain

#: The slope s = p - q each law predicts.
LAW_SLOPES: dict[str, float] = {"square": -1.0, "linear": 0.0, "logarithmic": 1.0}
REQUIRED = ("attacker_strength", "defender_strength", "attacker_casualties", "defender_casualties")
#: Why a battle is left out, in the order the rules are applied (a battle counts under the first).
DROP_REASONS = {
    "part_of_other_battle": "a phase or sector of another battle in the data (parent set)",
    "strength_unknown": "a side's strength is missing or zero",
    "casualties_unknown": "a side's casualties are missing",
    "zero_casualties": "a side's casualties are zero (no log ratio)",
    "above_loss_cap": "a side lost more than loss_cap of its strength",
}


@dataclass(frozen=True)
class SlopeFit:
    """One least-squares fit of log casualty-exchange ratio on log force ratio."""

    n: int
    slope: float
    intercept: float
    slope_se: float
    interval: Interval
    robust_interval: Interval | None
    r_squared: float

    def verdicts(self) -> dict[str, dict]:
        """For each law, its slope and whether the t and the robust interval contain it."""
        robust = self.robust_interval
        return {law: {"slope": s, "inside": bool(self.interval.low <= s <= self.interval.high),
                      "inside_robust": None if robust is None else bool(robust.low <= s <= robust.high)}
                for law, s in LAW_SLOPES.items()}

    def consistent_laws(self) -> list[str]:
        return [law for law, v in self.verdicts().items() if v["inside"]]

    def to_dict(self) -> dict:
        out = {k: _plain(v) for k, v in asdict(self).items() if not isinstance(v, dict)}
        out.update(interval=self.interval.to_dict(),
                   robust_interval=None if self.robust_interval is None else self.robust_interval.to_dict(),
                   verdicts=self.verdicts())
        return out


def slope_fit(log_force_ratio, log_exchange_ratio, *, level: float = 0.9) -> SlopeFit:
    """OLS of ``log_exchange_ratio`` on ``log_force_ratio`` with t and HC3 intervals at ``level``.

    Examples
    --------
    >>> f = slope_fit([0.0, 1.0, 2.0, 3.0], [0.1, -0.9, -2.1, -2.9])
    >>> round(f.slope, 2), f.interval.level
    (-1.02, 0.9)
    """
    x = np.asarray(log_force_ratio, dtype=float)
    y = np.asarray(log_exchange_ratio, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"log_force_ratio and log_exchange_ratio must be 1-d and the same length; "
                         f"got shapes {x.shape} and {y.shape}")
    if x.size < 3:
        raise ValueError(f"need at least 3 battles to fit a slope with an interval; got {x.size}")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("log ratios must be finite")
    if np.ptp(x) == 0:
        raise ValueError("every battle has the same force ratio; the slope is not identified")
    if np.ptp(y) == 0:
        # linregress's standard error is 0/0 here; a dataset like this has nothing to calibrate.
        raise ValueError("every battle has the same casualty-exchange ratio; the slope has no error to estimate")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1); got {level}")
    # statsmodels' OLS alone, not statsmodels.api (0.6 s to import, most of it never used here): the
    # run checks its inputs in a process that loads this module without fitting anything.
    from statsmodels.regression.linear_model import OLS
    from statsmodels.tools import add_constant

    fit = stats.linregress(x, y)
    half = stats.t.ppf(0.5 + level / 2, x.size - 2) * fit.stderr
    with np.errstate(divide="ignore", invalid="ignore"):
        robust = OLS(y, add_constant(x)).fit(cov_type="HC3", use_t=True)
        low, high = robust.conf_int(alpha=1 - level)[1]
    # HC3 divides each residual by 1 - leverage; a battle with leverage 1 (every other battle at
    # one force ratio) leaves it undefined, and then there is no robust interval to report.
    robust_interval = (Interval(float(low), float(high), level,
                                "OLS slope, HC3 robust standard error, t interval (statsmodels)")
                       if np.isfinite([low, high]).all() else None)
    return SlopeFit(
        n=int(x.size), slope=float(fit.slope), intercept=float(fit.intercept), slope_se=float(fit.stderr),
        interval=Interval(float(fit.slope - half), float(fit.slope + half), level,
                          "OLS slope, t interval (scipy.stats.linregress)"),
        robust_interval=robust_interval,
        r_squared=float(fit.rvalue**2),
    )


def _check(battles: pd.DataFrame, level, loss_cap, era_split) -> None:
    """One validation for :func:`fit_history`: one message per rule."""
    if not isinstance(battles, pd.DataFrame):
        raise ValueError(f"battles must be a DataFrame (see estimates.inputs.battles.load_battles); got {type(battles).__name__}")
    missing = [c for c in REQUIRED if c not in battles.columns]
    if missing:
        raise ValueError(f"battles lacks column '{missing[0]}'; required: {', '.join(REQUIRED)}")
    if era_split is not None and "year" not in battles.columns:
        raise ValueError("battles lacks column 'year', needed for era_split (pass era_split=None to skip)")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1); got {level}")
    if loss_cap is not None and not loss_cap > 0:
        raise ValueError(f"loss_cap must be a fraction > 0 or None; got {loss_cap}")


def battle_table(battles: pd.DataFrame, *, loss_cap: float | None = None, exclude_parts: bool = True,
                 era_split: int | None = 1900) -> pd.DataFrame:
    """Per battle: the log ratios, loss fractions, era, and whether (and why not) it is used."""
    _check(battles, 0.9, loss_cap, era_split)
    fa, fd = (pd.to_numeric(battles[c], errors="coerce").to_numpy(float) for c in REQUIRED[:2])
    ca, cd = (pd.to_numeric(battles[c], errors="coerce").to_numpy(float) for c in REQUIRED[2:])
    with np.errstate(divide="ignore", invalid="ignore"):
        loss_att, loss_def = ca / fa, cd / fd
        x, y = np.log(fa / fd), np.log(ca / cd)
    rules = {
        "part_of_other_battle": (battles["parent"].notna().to_numpy() if exclude_parts and "parent" in battles
                                 else np.zeros(len(battles), bool)),
        "strength_unknown": ~((fa > 0) & (fd > 0)),
        "casualties_unknown": np.isnan(ca) | np.isnan(cd),
        "zero_casualties": (ca == 0) | (cd == 0),
        "above_loss_cap": (np.fmax(loss_att, loss_def) > loss_cap) if loss_cap is not None
        else np.zeros(len(battles), bool),
    }
    reason = np.full(len(battles), "", dtype=object)
    for name, hit in rules.items():
        reason[(reason == "") & hit] = name
    table = pd.DataFrame({
        "isqno": battles["isqno"].to_numpy() if "isqno" in battles else np.arange(1, len(battles) + 1),
        "year": battles["year"].to_numpy() if "year" in battles else np.nan,
        "log_force_ratio": x, "log_exchange_ratio": y,
        "attacker_loss_fraction": loss_att, "defender_loss_fraction": loss_def,
        "used": reason == "", "dropped_because": reason.astype(str),
    })
    if era_split is not None:
        table["era"] = np.where(table["year"] < era_split, f"before {era_split}", f"{era_split} on")
    return table


@dataclass(frozen=True, eq=False)
class LanchesterHistory:
    """The casualty-exchange slope across historical battles, overall and by era."""

    fit: SlopeFit
    by_era: dict[str, SlopeFit]
    n_battles: int
    n_used: int
    dropped: dict[str, int]
    level: float
    loss_cap: float | None
    era_split: int | None
    table: pd.DataFrame = field(repr=False)

    @property
    def slope(self) -> float:
        return self.fit.slope

    @property
    def intercept(self) -> float:
        return self.fit.intercept

    @property
    def n_dropped(self) -> int:
        return self.n_battles - self.n_used

    def interval(self, robust: bool = False) -> Interval:
        return self.fit.robust_interval if robust else self.fit.interval

    def verdicts(self) -> dict[str, dict]:
        return self.fit.verdicts()

    def summary(self) -> pd.DataFrame:
        rows = {}
        for label, fit in {"all battles": self.fit, **self.by_era}.items():
            robust = fit.robust_interval
            rows[label] = {"n": fit.n, "slope": fit.slope, "low": fit.interval.low, "high": fit.interval.high,
                           "robust_low": np.nan if robust is None else robust.low,
                           "robust_high": np.nan if robust is None else robust.high,
                           "intercept": fit.intercept, "r_squared": fit.r_squared,
                           **{law: v["inside"] for law, v in fit.verdicts().items()}}
        table = pd.DataFrame.from_dict(rows, orient="index")
        table.index.name = f"slope of log casualty-exchange on log force ratio, {self.level:.0%} intervals"
        return table

    def _repr_html_(self) -> str:
        return self.summary().to_html(float_format="{:.3g}".format)

    def plot(self, ax=None):
        from estimates.models.lanchester import charts

        used = self.table[self.table["used"]]
        groups = used["era"].to_numpy() if "era" in used else None
        return charts.lanchester_history(
            used["log_force_ratio"].to_numpy(), used["log_exchange_ratio"].to_numpy(),
            slope=self.fit.slope, intercept=self.fit.intercept,
            interval=(self.fit.interval.low, self.fit.interval.high), level=self.level, groups=groups, ax=ax)

    def to_dict(self) -> dict:
        """Plain JSON: the fits, verdicts, drop counts, and the used battles' two log ratios (3 d.p.)
        for one scatter figure, not the whole per-battle table."""
        used = self.table[self.table["used"]]
        scatter = {"log_force_ratio": [round(float(v), 3) for v in used["log_force_ratio"]],
                   "log_exchange_ratio": [round(float(v), 3) for v in used["log_exchange_ratio"]]}
        if "era" in used:
            eras = list(self.by_era)
            scatter.update(eras=eras, era_index=[eras.index(e) if e in eras else -1 for e in used["era"]])
        return {
            "level": self.level, "loss_cap": self.loss_cap, "era_split": self.era_split,
            "n_battles": self.n_battles, "n_used": self.n_used, "n_dropped": self.n_dropped,
            "dropped": dict(self.dropped), "drop_reasons": {k: DROP_REASONS[k] for k in self.dropped},
            "law_slopes": dict(LAW_SLOPES), "fit": self.fit.to_dict(),
            "verdicts": self.verdicts(), "consistent_laws": self.fit.consistent_laws(),
            "by_era": {era: fit.to_dict() for era, fit in self.by_era.items()},
            "scatter": scatter,
        }


def fit_history(battles: pd.DataFrame | None = None, *, level: float = 0.9, loss_cap: float | None = None,
                exclude_parts: bool = True, era_split: int | None = 1900) -> LanchesterHistory:
    """Fit the casualty-exchange slope s = p - q across ``battles`` (default: all of CDB90).

    ``battles`` needs the columns of :func:`estimates.inputs.battles.load_battles` named in
    :data:`REQUIRED` (and ``year`` for ``era_split``; ``parent`` and ``isqno`` are used when
    present). A battle is left out, under the first reason that applies (:data:`DROP_REASONS`),
    when it is a part of another battle in the data (unless ``exclude_parts`` is false), a strength
    or casualty figure is missing or zero, or, with ``loss_cap``, either side lost more than that
    fraction of its strength, where the small-loss approximation behind the slope fails. With
    ``era_split`` the slope is also fitted separately before and from that year (an era with fewer
    than 3 battles is skipped).

    Examples
    --------
    >>> h = fit_history()
    >>> h.n_battles, h.n_used + h.n_dropped
    (660, 660)
    """
    if battles is None:
        from estimates.inputs.battles import load_battles

        battles = load_battles()
    _check(battles, level, loss_cap, era_split)
    table = battle_table(battles, loss_cap=loss_cap, exclude_parts=exclude_parts, era_split=era_split)
    used = table[table["used"]]
    overall = slope_fit(used["log_force_ratio"], used["log_exchange_ratio"], level=level)
    by_era = {}
    if era_split is not None:
        for era in (f"before {era_split}", f"{era_split} on"):
            part = used[used["era"] == era]
            if len(part) >= 3 and part["log_force_ratio"].nunique() > 1:
                by_era[era] = slope_fit(part["log_force_ratio"], part["log_exchange_ratio"], level=level)
    counts = table["dropped_because"].value_counts()
    dropped = {reason: int(counts.get(reason, 0)) for reason in DROP_REASONS
               if reason != "above_loss_cap" or loss_cap is not None}
    return LanchesterHistory(fit=overall, by_era=by_era, n_battles=len(table), n_used=int(table["used"].sum()),
                             dropped=dropped, level=level, loss_cap=loss_cap, era_split=era_split, table=table)
