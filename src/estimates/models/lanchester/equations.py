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

Fitting the equations to data is :mod:`estimates.models.lanchester.fitting`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.integrate import solve_ivp

CONVENTIONS = ("landings-first", "previous-day")
METHODS = ("continuous", *CONVENTIONS)


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
        from estimates.models.lanchester import charts

        return charts.lanchester_trajectory(
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
