"""Fitting Lanchester's equations (:mod:`estimates.models.lanchester.equations`) to observed strengths or losses.

:func:`fit` and :func:`compare_laws` are nonlinear least squares (scipy's ``least_squares``) on log
coefficients; intervals are Wald intervals on the log scale from the Jacobian at the optimum,
covariance s^2 (J'J)^-1 with t quantiles on n - p degrees of freedom, then exponentiated (so they
stay positive and are asymmetric). :func:`fit_one_sided` fits one side's equation alone to its
cumulative losses when the opponent's strength is unknown and folded into the coefficient.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

from estimates.core.quantities import Interval
from estimates.models.lanchester.equations import (
    METHODS,
    Law,
    Trajectory,
    _check,
    _choice,
    _law,
    _nonnegative,
    _schedule,
    daily,
    simulate,
)

NOISES = ("multiplicative", "additive")
QUANTITIES = ("strength", "casualties")
RESIDUALS = ("increments", "cumulative")


def _wald_log(theta: np.ndarray, jac: np.ndarray, resid: np.ndarray, level: float):
    """Wald intervals for exp(theta) from least squares on log coefficients, t on n - p dof."""
    n_obs, n_par = jac.shape
    dof = n_obs - n_par
    s2 = float(resid @ resid) / dof
    cov = s2 * np.linalg.pinv(jac.T @ jac)
    se = np.sqrt(np.diag(cov))
    tq = stats.t.ppf(0.5 + level / 2, dof)
    method = f"Wald on log scale, s^2 (J'J)^-1, t({dof})"
    return [Interval(float(np.exp(th - tq * s)), float(np.exp(th + tq * s)), level, method)
            for th, s in zip(theta, se)], math.sqrt(s2)


def _aic(resid: np.ndarray, n_par: int) -> float:
    # Gaussian likelihood with the variance profiled out; +1 parameter for that variance. A
    # perfect fit (noise-free data) would give log 0: floored so that comparisons stay finite.
    n = resid.size
    variance = max(float(resid @ resid) / n, np.finfo(float).tiny)
    return float(n * math.log(variance) + 2 * (n_par + 1))


def _residual(observed: np.ndarray, model: np.ndarray, noise: str) -> np.ndarray:
    if noise == "additive":
        return observed - model
    # A model value at zero against a positive observation is a bad fit, not an infinity.
    return np.log(observed) - np.log(np.maximum(model, 1e-9 * observed))


def _least_squares(resid_fn, starts: list[np.ndarray], diff_step: float | None = None):
    # Several starts because the laws' coefficients span orders of magnitude and a poor start
    # can stall where one side is annihilated early and the residuals go flat.
    best = None
    for x0 in starts:
        sol = optimize.least_squares(resid_fn, x0, method="lm", diff_step=diff_step)
        if best is None or sol.cost < best.cost:
            best = sol
    return best


@dataclass(frozen=True, eq=False)
class LanchesterFit:
    """Coefficients a and b fitted to observed strengths or casualties of one or both sides."""

    law: str
    method: str
    quantity: str
    noise: str
    coefficients: dict
    intervals: dict
    residual_se: float
    aic: float
    n_obs: int
    n_params: int
    fitted: Trajectory = field(repr=False)
    days: np.ndarray = field(repr=False)
    observed: dict = field(repr=False)

    def interval(self, name: str) -> Interval:
        return self.intervals[name]

    def summary(self) -> pd.DataFrame:
        rows = {k: {"estimate": v, "low": self.intervals[k].low, "high": self.intervals[k].high,
                    "level": self.intervals[k].level} for k, v in self.coefficients.items()}
        table = pd.DataFrame.from_dict(rows, orient="index")
        table.index.name = f"{self.law} law, {self.method}"
        return table

    def _repr_html_(self) -> str:
        return self.summary().to_html(float_format="{:.4g}".format)

    def plot(self, ax=None):
        from estimates.models.lanchester import charts

        series = {}
        for side, label in zip(("m", "n"), self.fitted.labels):
            if side in self.observed:
                name = side if self.quantity == "strength" else f"casualties_{side}"
                model = getattr(self.fitted, name)
                series[label] = (self.observed[side], np.interp(self.days, self.fitted.days, model))
        return charts.lanchester_fit(self.days, series, quantity=self.quantity,
                                       title=f"{self.law} law fit ({self.method})", ax=ax)

    def to_dict(self) -> dict:
        return {
            "law": self.law, "method": self.method, "quantity": self.quantity, "noise": self.noise,
            "coefficients": {k: float(v) for k, v in self.coefficients.items()},
            "intervals": {k: v.to_dict() for k, v in self.intervals.items()},
            "residual_se": self.residual_se, "aic": self.aic, "n_obs": self.n_obs,
            "n_params": self.n_params,
        }


def fit(
    days: Sequence[float], observed_m: Sequence[float] | None = None,
    observed_n: Sequence[float] | None = None, *, m0: float, n0: float,
    law: str | Law = "square", method: str = "landings-first", quantity: str = "strength",
    noise: str = "multiplicative", reinforcements_m: Mapping[int, float] | None = None,
    reinforcements_n: Mapping[int, float] | None = None, level: float = 0.9,
    labels: tuple[str, str] = ("M", "N"),
) -> LanchesterFit:
    """Fit a and b by least squares to strengths or casualties observed at the ends of ``days``.

    ``method`` is "continuous" or a daily ``convention``; ``noise`` "multiplicative" fits log
    values (observations <= 0 must not be given) and "additive" fits raw values. Continuous fits
    solve the equations a few hundred times (about a second); the daily forms take milliseconds.

    Examples
    --------
    >>> truth = daily(0.05, 0.01, 60_000, 20_000, days=20)
    >>> f = fit(truth.days[1:], truth.m[1:], truth.n[1:], m0=60_000, n0=20_000)
    >>> round(f.coefficients["a"], 4), round(f.coefficients["b"], 4)
    (0.05, 0.01)
    """
    _choice("method", method, METHODS)
    _choice("quantity", quantity, QUANTITIES)
    _choice("noise", noise, NOISES)
    law = _law(law)
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1); got {level}")
    days = np.asarray(days, dtype=float)
    observed = {k: np.asarray(v, dtype=float) for k, v in (("m", observed_m), ("n", observed_n))
                if v is not None}
    if not observed:
        raise ValueError("observed_m and observed_n: give at least one observed series")
    for side, values in observed.items():
        if values.shape != days.shape:
            raise ValueError(f"observed_{side} must have one value per day; got {values.size} "
                             f"values for {days.size} days")
        if noise == "multiplicative" and np.any(values <= 0):
            raise ValueError(f"observed_{side} must be > 0 with multiplicative noise; use additive")
    horizon = int(np.ceil(days.max()))
    kw = dict(law=law, days=horizon, reinforcements_m=reinforcements_m,
              reinforcements_n=reinforcements_n, labels=labels)
    _check(0, 0, m0, n0, law, horizon, reinforcements_m, reinforcements_n)

    def run(theta):
        a, b = np.exp(theta)
        if method == "continuous":
            return simulate(a, b, m0, n0, **kw)
        return daily(a, b, m0, n0, convention=method, **kw)

    def resid(theta):
        t = run(theta)
        parts = []
        for side, values in observed.items():
            model = getattr(t, side if quantity == "strength" else f"casualties_{side}")
            parts.append(_residual(values, np.interp(days, t.days, model), noise))
        return np.concatenate(parts)

    # Scale-free start: a day's losses about 2% of the larger force, whatever the law's exponents.
    total_m = m0 + sum((reinforcements_m or {}).values())
    total_n = n0 + sum((reinforcements_n or {}).values())
    big = max(total_m, total_n, 1.0)
    a0 = 0.02 * big / (max(total_m, 1.0) ** law.m_own * max(total_n, 1.0) ** law.m_enemy)
    b0 = 0.02 * big / (max(total_n, 1.0) ** law.n_own * max(total_m, 1.0) ** law.n_enemy)
    base = np.log([a0, b0])
    starts = [base + s for s in (np.zeros(2), [-2.0, -2.0], [2.0, -2.0], [-2.0, 2.0])]
    # The solver's own error (rtol 1e-10) must be far below the finite-difference step of the
    # Jacobian, or the intervals inherit its noise; the daily forms are exact arithmetic.
    sol = _least_squares(resid, starts, diff_step=1e-6 if method == "continuous" else None)
    intervals, se = _wald_log(sol.x, sol.jac, sol.fun, level)
    a, b = np.exp(sol.x)
    return LanchesterFit(
        law=law.name, method=method, quantity=quantity, noise=noise,
        coefficients={"a": float(a), "b": float(b)},
        intervals={"a": intervals[0], "b": intervals[1]}, residual_se=se,
        aic=_aic(sol.fun, 2), n_obs=int(sol.fun.size), n_params=2, fitted=run(sol.x), days=days,
        observed=observed,
    )


@dataclass(frozen=True, eq=False)
class LawComparison:
    """Fits of several laws to the same data, ranked by AIC."""

    fits: tuple

    @property
    def best(self):
        return min(self.fits, key=lambda f: f.aic)

    def summary(self) -> pd.DataFrame:
        aic = np.array([f.aic for f in self.fits])
        delta = aic - aic.min()
        weight = np.exp(-delta / 2) / np.exp(-delta / 2).sum()
        name = [getattr(f, "law", None) or f.shape for f in self.fits]
        table = pd.DataFrame({"aic": aic, "delta_aic": delta, "akaike_weight": weight,
                              "residual_se": [f.residual_se for f in self.fits]},
                             index=pd.Index(name, name="model"))
        return table.sort_values("aic")

    def _repr_html_(self) -> str:
        return self.summary().to_html(float_format="{:.4g}".format)

    def plot(self, ax=None):
        from estimates.models.lanchester import charts

        first = self.fits[0]
        if isinstance(first, OneSidedFit):
            curves = {f.shape: f.fitted for f in self.fits}
            return charts.lanchester_one_sided(first.days, first.observed, curves, ax=ax)
        return self.best.plot(ax=ax)

    def to_dict(self) -> dict:
        table = self.summary()
        return {
            "best": table.index[0],
            "table": {k: {c: float(v) for c, v in row.items()} for k, row in table.iterrows()},
            "fits": [f.to_dict() for f in self.fits],
        }


def compare_laws(days, observed_m=None, observed_n=None, *,
                 laws: Sequence[str] = ("square", "linear", "logarithmic", "mixed"),
                 **kw) -> LawComparison:
    """Fit each of ``laws`` to the same data (arguments as :func:`fit`) and rank by AIC."""
    return LawComparison(tuple(fit(days, observed_m, observed_n, law=law, **kw) for law in laws))


# --- one side alone ----------------------------------------------------------------------------

#: Shapes a single side's cumulative losses can take when the enemy's strength is unknown and
#: folded into one coefficient c: square law (dM/dt = -a N, N unknown and taken as constant) is a
#: constant absolute rate c = a N; logarithmic (dM/dt = -a M) is a constant per-capita hazard c = a;
#: the linear law with the enemy constant (dM/dt = -a N M) is the same constant hazard with c = a N,
#: so logarithmic and linear cannot be told apart from one side's losses.
ONE_SIDED_SHAPES = {
    "constant-rate": ("square",),
    "constant-hazard": ("logarithmic", "linear"),
}


def _one_sided_cumulative(shape: str, c: float, t: np.ndarray, m0: float,
                          schedule: Mapping[int, float]) -> np.ndarray:
    """Cumulative losses at the ends of days ``t``; day d's reinforcements arrive at t = d - 1."""
    arrivals = sorted((d - 1.0, v) for d, v in schedule.items())
    if shape == "constant-hazard":
        # Strength decays as exp(-c t) from the start and from each arrival: closed form.
        received = m0 + np.array([sum(v for s, v in arrivals if s < x) for x in t])
        strength = m0 * np.exp(-c * t)
        for s, v in arrivals:
            strength = strength + np.where(t > s, v * np.exp(-c * np.clip(t - s, 0, None)), 0.0)
        return received - strength
    # Constant rate between arrivals, but a side cannot lose more than it has: losses stop when
    # it is used up and resume when the next reinforcement lands.
    starts = [0.0] + [s for s, _ in arrivals]
    ends = starts[1:] + [math.inf]
    lost, lost_before, strength = np.zeros_like(t), 0.0, 0.0
    for s, add, e in zip(starts, [m0] + [v for _, v in arrivals], ends):
        strength += add
        inside = (t > s) & (t <= e)
        lost[inside] = lost_before + np.minimum(c * (t[inside] - s), strength)
        spent = min(c * (e - s), strength) if e < math.inf else 0.0
        lost_before, strength = lost_before + spent, strength - spent
    return lost


@dataclass(frozen=True, eq=False)
class OneSidedFit:
    """One side's cumulative losses fitted with the enemy folded into the coefficient c."""

    shape: str
    laws: tuple[str, ...]
    coefficient: float
    interval: Interval
    unit: str
    residual_se: float
    aic: float
    residuals: str
    noise: str
    n_obs: int
    initial_strength: float
    days: np.ndarray = field(repr=False)
    observed: np.ndarray = field(repr=False)
    fitted: np.ndarray = field(repr=False)

    def summary(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"estimate": [self.coefficient], "low": [self.interval.low],
             "high": [self.interval.high], "unit": [self.unit], "aic": [self.aic],
             "laws": [", ".join(self.laws)]},
            index=pd.Index([self.shape], name="shape"),
        )

    def _repr_html_(self) -> str:
        return self.summary().to_html(float_format="{:.4g}".format)

    def plot(self, ax=None):
        from estimates.models.lanchester import charts

        return charts.lanchester_one_sided(self.days, self.observed, {self.shape: self.fitted},
                                             ax=ax)

    def to_dict(self) -> dict:
        return {
            "shape": self.shape, "laws": list(self.laws), "coefficient": self.coefficient,
            "interval": self.interval.to_dict(), "unit": self.unit,
            "residual_se": self.residual_se, "aic": self.aic, "residuals": self.residuals,
            "noise": self.noise, "n_obs": self.n_obs, "initial_strength": self.initial_strength,
        }


def fit_one_sided(
    days: Sequence[float], cumulative: Sequence[float], *, initial_strength: float,
    reinforcements: Mapping[int, float] | None = None, residuals: str = "increments",
    noise: str = "additive", level: float = 0.9,
) -> LawComparison:
    """Fit constant-rate and constant-hazard shapes to one side's cumulative losses.

    ``days`` are ends of days (t, strictly increasing, > 0) and ``cumulative`` the losses since
    t = 0, when the side had ``initial_strength``. With ``residuals="increments"`` (the default)
    the fit is to the losses between successive observations: claimed losses are reported day by
    day, so errors in a cumulative series pile up and residuals on it are strongly correlated,
    which would make the intervals too narrow. ``noise="multiplicative"`` fits log values (every
    increment must then be > 0). The constant-hazard coefficient is per capita, so it and the
    comparison depend on ``initial_strength``: with a strength much larger than the losses the two
    shapes are nearly the same straight line and the AIC cannot separate them.

    Examples
    --------
    >>> t = np.arange(1, 61)
    >>> c = 20_000 * (1 - np.exp(-0.02 * t))
    >>> fit_one_sided(t, c, initial_strength=20_000).best.shape
    'constant-hazard'
    """
    _choice("residuals", residuals, RESIDUALS)
    _choice("noise", noise, NOISES)
    m0 = _nonnegative("initial_strength", initial_strength)
    schedule = _schedule("reinforcements", reinforcements)
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1); got {level}")
    t = np.asarray(days, dtype=float)
    observed = np.asarray(cumulative, dtype=float)
    if t.shape != observed.shape or t.ndim != 1 or t.size < 3:
        raise ValueError("days and cumulative must be 1-d, of equal length, at least 3 values")
    if t[0] <= 0 or np.any(np.diff(t) <= 0):
        raise ValueError("days must be strictly increasing and > 0")

    def shape_of(values):
        if residuals == "increments":
            return np.diff(np.concatenate([[0.0], values]))
        return values

    target = shape_of(observed)
    if noise == "multiplicative" and np.any(target <= 0):
        raise ValueError(f"cumulative {residuals} must be > 0 with multiplicative noise; "
                         "use noise='additive'")
    fits = []
    for shape, laws in ONE_SIDED_SHAPES.items():
        def resid(theta, shape=shape):
            model = _one_sided_cumulative(shape, float(np.exp(theta[0])), t, m0, schedule)
            return _residual(target, shape_of(model), noise)

        rate0 = max(observed[-1], 1.0) / t[-1]
        c0 = rate0 if shape == "constant-rate" else rate0 / max(m0, observed[-1], 1.0)
        sol = _least_squares(resid, [np.log([c0]), np.log([c0]) - 1.0])
        (interval,), se = _wald_log(sol.x, sol.jac, sol.fun, level)
        c = float(np.exp(sol.x[0]))
        fits.append(OneSidedFit(
            shape=shape, laws=laws, coefficient=c, interval=interval,
            unit="troops per day" if shape == "constant-rate" else "per day (per capita)",
            residual_se=se, aic=_aic(sol.fun, 1), residuals=residuals, noise=noise,
            n_obs=int(t.size), initial_strength=m0, days=t, observed=observed,
            fitted=_one_sided_cumulative(shape, c, t, m0, schedule),
        ))
    return LawComparison(tuple(fits))
