"""Lanchester attrition: two forces wearing each other down, solved, stepped by day, and fitted.

Model, in Engel's (1954) notation, for a first side M and a second side N:

    dM/dt = P(t) - a * M**p_M * N**q_M,        dN/dt = Q(t) - b * N**p_N * M**q_N,

where P and Q are reinforcement schedules given as impulses ``{day: troops}`` and each law is just
its four exponents (:class:`Law`): **square** (aimed fire, p=0 q=1), **linear** (area fire, p=q=1),
**logarithmic** (losses proportional to own strength, p=1 q=0) and **mixed** (Deitchman's guerrilla
model: M, the exposed side, takes aimed fire from N, dM/dt = -a N; N, the concealed side, takes
area fire from M, dN/dt = -b N M); ``mixed-reversed`` swaps the roles.

Time: day ``d`` runs from t = d - 1 to t = d, so day d's reinforcements arrive at t = d - 1 and
"casualties by day 35" means at t = 35. Casualties of a side are its initial strength plus the
reinforcements it has received minus its current strength.

Three ways to advance the equations, which give different numbers from the same coefficients:

- :func:`simulate`, continuous time (scipy's ``solve_ivp``, integrated piecewise between the
  reinforcement impulses, with a terminal event when a side reaches zero);
- :func:`daily` with ``convention="landings-first"``: Engel's difference form. Each day's landings
  are added, then one whole day's exchange is computed on those start-of-day strengths, and the
  strengths are floored at zero;
- :func:`daily` with ``convention="previous-day"``: the exchange of day d is computed on the
  strengths at the end of day d - 1, before that day's landings (explicit Euler with the landings
  arriving at the end of the step).

Iwo Jima (:data:`IWO_JIMA`, Engel's coefficients) by day 35, US casualties: landings-first 20,703
(Engel's figure, about 20,700); previous-day 22,226; continuous 20,200. Why they differ:

- previous-day is larger because on day 1 the US force ashore is 0, so the Japanese lose nothing
  that day while the landing force still takes a full day's losses at full Japanese strength
  (a * 21,500 = 1,170); the Japanese stay about one day's losses stronger for the whole battle;
- continuous is smaller than landings-first because the difference form charges a whole day's
  losses at the start-of-day strengths: the Japanese fire all day at their morning strength,
  although within the day they are being killed continuously. The daily step is explicit Euler
  with h = 1 day, and Japanese strength falls by 20-50% per day early on, so the error per step is
  not small. The gap (about 500 US casualties, 2.4%) is discretisation, not a different law:
  stepping the same equations in 1/k-day steps moves the figure towards 20,200 as k grows
  (20,452 for k = 2, 20,251 for k = 10).

Fitting (:func:`fit`, :func:`compare_laws`) is nonlinear least squares (scipy's
``least_squares``) on log coefficients; intervals are Wald intervals on the log scale from the
Jacobian at the optimum, covariance s^2 (J'J)^-1 with t quantiles on n - p degrees of freedom, then
exponentiated (so they stay positive and are asymmetric). :func:`fit_one_sided` fits one side's
equation alone to its cumulative losses when the opponent's strength is unknown.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats
from scipy.integrate import solve_ivp

from .quantities import Interval

CONVENTIONS = ("landings-first", "previous-day")
METHODS = ("continuous", *CONVENTIONS)
NOISES = ("multiplicative", "additive")
QUANTITIES = ("strength", "casualties")
RESIDUALS = ("increments", "cumulative")


@dataclass(frozen=True)
class Law:
    """Exponents of dM/dt = -a M**m_own N**m_enemy and dN/dt = -b N**n_own M**n_enemy."""

    name: str
    m_own: float
    m_enemy: float
    n_own: float
    n_enemy: float
    description: str = ""


LAWS: dict[str, Law] = {
    law.name: law
    for law in (
        Law("square", 0, 1, 0, 1, "aimed fire: each side's losses proportional to enemy strength"),
        Law("linear", 1, 1, 1, 1, "area fire: losses proportional to own times enemy strength"),
        Law("logarithmic", 1, 0, 1, 0, "losses proportional to own strength, whatever the enemy"),
        Law("mixed", 0, 1, 1, 1, "M under aimed fire from N; N (concealed) under area fire from M"),
        Law("mixed-reversed", 1, 1, 0, 1,
            "M (concealed) under area fire from N; N under aimed fire from M"),
    )
}


@dataclass(frozen=True)
class ReferenceCase:
    """A published battle with its fitted coefficients, to check the engine against."""

    name: str
    source: str
    a: float
    b: float
    m0: float
    n0: float
    reinforcements_m: Mapping[int, float]
    reinforcements_n: Mapping[int, float]
    days: int
    labels: tuple[str, str]
    law: str
    #: Recorded casualties of M by day, as quoted from the source.
    recorded_casualties_m: Mapping[int, float]


#: Engel, J. H. (1954). "A verification of Lanchester's law". Journal of the Operations Research
#: Society of America 2(2): 163-171. a: Japanese effectiveness against US troops, b: US against
#: Japanese, both per day; 21,500 Japanese defenders, not reinforced; US landings of 54,000 on day
#: 1, 6,000 on day 3 and 13,000 on day 6; about 36 days of fighting. The recorded figure of about
#: 20,860 US casualties by day 35 is as quoted in the reference notes that came with the project
#: data, not re-read from the paper's table.
IWO_JIMA = ReferenceCase(
    name="Iwo Jima, 1945", source="Engel (1954), Operations Research 2(2):163-171",
    a=0.0544, b=0.0106, m0=0.0, n0=21_500.0,
    reinforcements_m={1: 54_000.0, 3: 6_000.0, 6: 13_000.0}, reinforcements_n={},
    days=36, labels=("US", "Japanese"), law="square", recorded_casualties_m={35: 20_860.0},
)


def iwo_jima(method: str = "landings-first"):
    """Engel's Iwo Jima with his coefficients, by ``method`` ("continuous" or a convention)."""
    case = IWO_JIMA
    kw = dict(law=case.law, days=case.days, reinforcements_m=case.reinforcements_m,
              reinforcements_n=case.reinforcements_n, labels=case.labels)
    if method == "continuous":
        return simulate(case.a, case.b, case.m0, case.n0, **kw)
    return daily(case.a, case.b, case.m0, case.n0, convention=method, **kw)


@dataclass(frozen=True, eq=False)
class Trajectory:
    """Strengths of both sides at the end of each day (day 0: before anything happens)."""

    law: str
    method: str
    a: float
    b: float
    days: np.ndarray = field(repr=False)
    m: np.ndarray = field(repr=False)
    n: np.ndarray = field(repr=False)
    #: Initial strength plus reinforcements received by each day.
    received_m: np.ndarray = field(repr=False)
    received_n: np.ndarray = field(repr=False)
    #: Time (days) at which each side first reached zero, or None.
    annihilated_m: float | None
    annihilated_n: float | None
    labels: tuple[str, str] = ("M", "N")

    @property
    def casualties_m(self) -> np.ndarray:
        return self.received_m - self.m

    @property
    def casualties_n(self) -> np.ndarray:
        return self.received_n - self.n

    def at(self, day: float) -> dict:
        """Strengths and casualties at the end of ``day`` (must be on the grid)."""
        i = int(np.flatnonzero(np.isclose(self.days, day))[0])
        m_label, n_label = self.labels
        return {m_label: float(self.m[i]), n_label: float(self.n[i]),
                f"{m_label} casualties": float(self.casualties_m[i]),
                f"{n_label} casualties": float(self.casualties_n[i])}

    def summary(self) -> pd.DataFrame:
        m_label, n_label = self.labels
        return pd.DataFrame(
            {m_label: self.m, n_label: self.n, f"{m_label} casualties": self.casualties_m,
             f"{n_label} casualties": self.casualties_n},
            index=pd.Index(self.days, name="day"),
        )

    def _repr_html_(self) -> str:
        return self.summary().to_html(float_format="{:,.0f}".format)

    def plot(self, ax=None):
        from . import plotting

        return plotting.lanchester_trajectory(
            self.days, self.m, self.n, labels=self.labels,
            title=f"{self.law} law, {self.method}", ax=ax,
        )

    def to_dict(self) -> dict:
        return {
            "law": self.law, "method": self.method, "a": float(self.a), "b": float(self.b),
            "labels": list(self.labels), "days": [float(d) for d in self.days],
            "m": [float(v) for v in self.m], "n": [float(v) for v in self.n],
            "casualties_m": [float(v) for v in self.casualties_m],
            "casualties_n": [float(v) for v in self.casualties_n],
            "annihilated_m": self.annihilated_m, "annihilated_n": self.annihilated_n,
        }


def _law(law: str | Law) -> Law:
    if isinstance(law, Law):
        return law
    if law not in LAWS:
        raise ValueError(f"law must be one of {', '.join(LAWS)}; got {law!r}")
    return LAWS[law]


def _choice(name: str, value, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def _nonnegative(name: str, value) -> float:
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0; got {value}")
    return value


def _schedule(name: str, schedule: Mapping[int, float] | None) -> dict[int, float]:
    out: dict[int, float] = {}
    for day, troops in (schedule or {}).items():
        if int(day) != day or day < 1:
            raise ValueError(f"{name} days must be whole numbers >= 1; got {day!r}")
        out[int(day)] = _nonnegative(f"{name}[{day}]", troops)
    return out


def _check(a, b, m0, n0, law, days, reinforcements_m, reinforcements_n):
    """One validation for every engine entry point: one message per rule."""
    if int(days) != days or days < 1:
        raise ValueError(f"days must be a whole number >= 1; got {days!r}")
    return (_nonnegative("a", a), _nonnegative("b", b), _nonnegative("m0", m0),
            _nonnegative("n0", n0), _law(law), int(days),
            _schedule("reinforcements_m", reinforcements_m),
            _schedule("reinforcements_n", reinforcements_n))


def _losses(law: Law, a: float, b: float, m: float, n: float) -> tuple[float, float]:
    # 0**0 is 1, which is what the exponent-0 laws need: under aimed fire a side's losses do not
    # depend on its own strength. Keeping a side at zero from going negative is the caller's job.
    m, n = max(m, 0.0), max(n, 0.0)
    return a * m**law.m_own * n**law.m_enemy, b * n**law.n_own * m**law.n_enemy


def _received(days: np.ndarray, start: float, schedule: Mapping[int, float]) -> np.ndarray:
    # Day d's reinforcements are in by the end of day d.
    return start + np.array([sum(v for d, v in schedule.items() if d <= t) for t in days])


def daily(
    a: float, b: float, m0: float, n0: float, *, law: str | Law = "square", days: int,
    convention: str = "landings-first", reinforcements_m: Mapping[int, float] | None = None,
    reinforcements_n: Mapping[int, float] | None = None, labels: tuple[str, str] = ("M", "N"),
) -> Trajectory:
    """Engel's daily difference form for ``days`` days, under an explicit ``convention``.

    Examples
    --------
    >>> t = daily(0.0544, 0.0106, 0, 21_500, days=35,
    ...           reinforcements_m={1: 54_000, 3: 6_000, 6: 13_000})
    >>> round(t.casualties_m[-1])
    20703
    """
    a, b, m0, n0, law, days, p, q = _check(a, b, m0, n0, law, days, reinforcements_m,
                                           reinforcements_n)
    _choice("convention", convention, CONVENTIONS)
    m, n = np.empty(days + 1), np.empty(days + 1)
    m[0], n[0] = m0, n0
    annihilated = [None, None]
    for d in range(1, days + 1):
        mm, nn = m[d - 1] + p.get(d, 0.0), n[d - 1] + q.get(d, 0.0)
        # Previous-day: a side landing on a day it was absent takes that day's fire, but does
        # not fire back until the next day.
        fighting = (mm, nn) if convention == "landings-first" else (m[d - 1], n[d - 1])
        lm, ln = _losses(law, a, b, *fighting)
        m[d], n[d] = max(mm - lm, 0.0), max(nn - ln, 0.0)
        for i, value in enumerate((m[d], n[d])):
            if value == 0.0 and annihilated[i] is None and (mm, nn)[i] > 0:
                annihilated[i] = float(d)
    grid = np.arange(days + 1, dtype=float)
    return Trajectory(law.name, convention, a, b, grid, m, n, _received(grid, m0, p),
                      _received(grid, n0, q), annihilated[0], annihilated[1], tuple(labels))


def simulate(
    a: float, b: float, m0: float, n0: float, *, law: str | Law = "square", days: int,
    reinforcements_m: Mapping[int, float] | None = None,
    reinforcements_n: Mapping[int, float] | None = None, labels: tuple[str, str] = ("M", "N"),
    rtol: float = 1e-10, atol: float = 1e-8,
) -> Trajectory:
    """Continuous-time solution, reported at the end of each day 0..days.

    Day d's reinforcements arrive as an impulse at t = d - 1; the value reported for day d - 1 is
    the strength just before it. A side reaching zero stops the integration (terminal event); the
    rest of that interval is integrated with the side held at zero, so later reinforcements can
    revive it.

    Examples
    --------
    >>> t = simulate(0.01, 0.02, 1000, 1000, days=10)
    >>> bool(abs(0.02 * t.m[-1]**2 - 0.01 * t.n[-1]**2 - 0.02 * 1e6 + 0.01 * 1e6) < 1e-3)
    True
    """
    a, b, m0, n0, law, days, p, q = _check(a, b, m0, n0, law, days, reinforcements_m,
                                           reinforcements_n)

    def rhs(_t, y):
        # A side at zero has nobody left to lose.
        return [-v if y[i] > 0 else 0.0 for i, v in enumerate(_losses(law, a, b, y[0], y[1]))]

    def hits_zero(i):
        event = lambda _t, y: y[i]  # noqa: E731
        event.terminal, event.direction = True, -1
        return event

    grid = np.arange(days + 1, dtype=float)
    m, n = np.empty(days + 1), np.empty(days + 1)
    m[0], n[0] = m0, n0
    annihilated: list[float | None] = [None, None]
    y = np.array([m0, n0])
    for day in range(1, days + 1):
        y = y + [p.get(day, 0.0), q.get(day, 0.0)]
        t = float(day - 1)
        while t < day:
            live = [i for i in (0, 1) if y[i] > 0]
            sol = solve_ivp(rhs, (t, float(day)), y, method="DOP853", rtol=rtol, atol=atol,
                            events=[hits_zero(i) for i in live])
            y, t = sol.y[:, -1].copy(), float(sol.t[-1])
            for k, i in enumerate(live):
                if sol.t_events[k].size:
                    y[i] = 0.0
                    annihilated[i] = annihilated[i] if annihilated[i] is not None else t
            y = np.maximum(y, 0.0)
        m[day], n[day] = y
    return Trajectory(law.name, "continuous", a, b, grid, m, n, _received(grid, m0, p),
                      _received(grid, n0, q), annihilated[0], annihilated[1], tuple(labels))


# --- fitting -----------------------------------------------------------------------------------


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
        from . import plotting

        series = {}
        for side, label in zip(("m", "n"), self.fitted.labels):
            if side in self.observed:
                name = side if self.quantity == "strength" else f"casualties_{side}"
                model = getattr(self.fitted, name)
                series[label] = (self.observed[side], np.interp(self.days, self.fitted.days, model))
        return plotting.lanchester_fit(self.days, series, quantity=self.quantity,
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
        from . import plotting

        first = self.fits[0]
        if isinstance(first, OneSidedFit):
            curves = {f.shape: f.fitted for f in self.fits}
            return plotting.lanchester_one_sided(first.days, first.observed, curves, ax=ax)
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
        from . import plotting

        return plotting.lanchester_one_sided(self.days, self.observed, {self.shape: self.fitted},
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
