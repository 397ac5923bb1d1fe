"""How good were the judgments? Proper scores of probabilities against what happened.

For N resolved judgments with probabilities f and outcomes o (1 yes, 0 no):

- the **Brier score** mean((f - o)^2): 0 is perfect, 0.25 is always saying 50%;
- the **log score** mean(-ln(f if o else 1 - f)), with f held inside [:data:`FLOOR`, 1 - FLOOR]
  so that a judgment of 0% that came true costs a large, finite amount rather than infinity;
- Murphy's (1973) **decomposition** of the Brier score over the ICD 203 bands: *reliability*
  (how far each band's mean probability sits from what happened in it; 0 is perfect), *resolution*
  (how far the bands' outcome rates spread from the overall rate; larger is better) and
  *uncertainty* (the overall rate's variance, ō(1 - ō), which no forecaster controls). Within a
  band the probabilities differ, so a *within-band* term completes the identity
  Brier = reliability - resolution + uncertainty + within-band exactly;
- two references scored the same way: always the overall rate (the base rate, in hindsight) and
  always 50%.

The calibration table gives, per band, the judgments in it, their mean probability, how often they
came true and that rate's 90% interval (Wilson's, from scipy), so a band's bins can be read against
the truth within their binomial intervals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from estimates.core.wording import likelihood

#: Probabilities are held at least this far from 0 and 1 in the log score.
FLOOR = 1e-4
#: Level of the calibration table's intervals.
LEVEL = 0.9


def brier(probabilities, outcomes) -> float:
    f, o = np.asarray(probabilities, dtype=float), np.asarray(outcomes, dtype=float)
    return float(np.mean((f - o) ** 2))


def log_score(probabilities, outcomes) -> float:
    f = np.clip(np.asarray(probabilities, dtype=float), FLOOR, 1 - FLOOR)
    o = np.asarray(outcomes, dtype=bool)
    return float(np.mean(-np.log(np.where(o, f, 1 - f))))


@dataclass(frozen=True, eq=False)
class Scores:
    """The scores of one set of resolved judgments, with the references and the calibration table."""

    n: int
    brier: float
    log: float
    reliability: float
    resolution: float
    uncertainty: float
    within_band: float
    base_rate: float
    brier_base_rate: float
    brier_half: float
    log_base_rate: float
    log_half: float
    calibration: pd.DataFrame = field(repr=False)

    def summary(self) -> pd.DataFrame:
        return pd.DataFrame({"judgments": [self.n, self.n, self.n],
                             "Brier score": [self.brier, self.brier_base_rate, self.brier_half],
                             "log score": [self.log, self.log_base_rate, self.log_half]},
                            index=pd.Index(["these judgments", "always the base rate", "always 50%"], name="forecast"))

    def to_dict(self) -> dict:
        return {"n": self.n, "brier": self.brier, "log": self.log,
                "decomposition": {"reliability": self.reliability, "resolution": self.resolution,
                                  "uncertainty": self.uncertainty, "within_band": self.within_band},
                "base_rate": self.base_rate,
                "references": {"base_rate": {"brier": self.brier_base_rate, "log": self.log_base_rate},
                               "half": {"brier": self.brier_half, "log": self.log_half}},
                "calibration": self.calibration.reset_index().to_dict(orient="records")}

    def _repr_html_(self) -> str:
        return self.summary().to_html(float_format="{:.3f}".format) + self.calibration.to_html(
            float_format="{:.3f}".format)

    def plot(self, ax=None):
        """Observed rate against mean probability per band, with the 90% intervals and the diagonal."""
        from estimates.charts import new_axes

        ax = new_axes(ax, size=(5.0, 5.0))
        table = self.calibration
        ax.plot([0, 1], [0, 1], color="0.6", lw=1, ls="--", label="perfect calibration")
        ax.errorbar(table["mean probability"], table["observed rate"],
                    yerr=[table["observed rate"] - table["low"], table["high"] - table["observed rate"]],
                    fmt="o", capsize=3, label=f"bands ({LEVEL:.0%} intervals)")
        ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="mean probability judged", ylabel="share that happened",
               title=f"Calibration of {self.n} resolved judgments")
        ax.legend(loc="upper left", fontsize="small")
        return ax


def score(probabilities, outcomes) -> Scores:
    """Scores of ``probabilities`` (each in [0, 1]) against ``outcomes`` (each true or false)."""
    f = np.asarray(probabilities, dtype=float)
    o = np.asarray(outcomes, dtype=bool).astype(float)
    if f.size == 0 or f.shape != o.shape:
        raise ValueError(f"need as many outcomes as probabilities, at least one; got {f.size} and {o.size}")
    if not ((0 <= f) & (f <= 1)).all():
        raise ValueError("probabilities must be in [0, 1]")
    n, rate = f.size, float(o.mean())
    bands = pd.Series([likelihood(p).term for p in f])
    rows, reliability, resolution, within = [], 0.0, 0.0, 0.0
    for band, members in bands.groupby(bands, sort=False).groups.items():
        fk, ok = f[list(members)], o[list(members)]
        mean_f, mean_o = float(fk.mean()), float(ok.mean())
        reliability += fk.size * (mean_f - mean_o) ** 2 / n
        resolution += fk.size * (mean_o - rate) ** 2 / n
        within += float(np.sum((fk - mean_f) ** 2 - 2 * (fk - mean_f) * (ok - mean_o))) / n
        interval = stats.binomtest(int(ok.sum()), fk.size).proportion_ci(LEVEL, method="wilson")
        rows.append({"band": band, "judgments": fk.size, "mean probability": mean_f, "observed rate": mean_o,
                     "low": float(interval.low), "high": float(interval.high)})
    calibration = pd.DataFrame(rows).sort_values("mean probability").set_index("band")
    return Scores(n=n, brier=brier(f, o), log=log_score(f, o), reliability=reliability, resolution=resolution,
                  uncertainty=rate * (1 - rate), within_band=within, base_rate=rate,
                  brier_base_rate=brier(np.full(n, rate), o), brier_half=0.25,
                  log_base_rate=log_score(np.full(n, rate), o), log_half=math.log(2), calibration=calibration)
