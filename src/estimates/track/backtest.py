"""Backtests: the suite run at a series of past cut-offs, its judgments kept and scored.

``estimates backtest --case DIR --from DATE --to DATE --every 7d`` computes, at each cut-off, what a
run with ``as_of`` set to it records: only claims and statements reported by then are used (the
models' own cut-off rule). Each cut-off is computed through the registry on Dask, as the sweep
computes a scenario, and kept in ``ROOT/.cache/backtest/``: a later backtest with the same
parameters, code, library versions and data files re-uses it. Each is written to
``ROOT/backtests/<id>/<cut-off>/`` (``results.json``, ``manifest.json``) and its judgments go into the
judgments store as a published run (``backtest-<cut-off>-<parameters>``, so a repeat replaces it).
The case's ``outcomes:`` then settle what its later statements settle (:mod:`estimates.track.settle`).

A cut-off whose parameters rest on claims reported after it is a scenario (the run's own rule): its
judgments are kept and drawn, never scored. For the others, :func:`later_evidence` lists any claim
reported after the cut-off that a judgment rests on or a statement used cites; there should be none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from estimates.errors import InputError
from estimates.run.cache import CACHE_DIR, environment_versions, source_hash
from estimates.storage import dump_json, sha256_file, write_json

BACKTESTS_DIR = "backtests"
RESULTS_CACHE = "backtest"


def cut_offs(start: str, end: str, every: str) -> tuple[dt.date, ...]:
    """The cut-offs from ``start`` to ``end`` (ISO dates, both included when on the step) every
    ``every`` (``"7d"``: a number of days); :class:`InputError` naming the option otherwise.

    >>> [d.isoformat() for d in cut_offs("2022-03-01", "2022-03-20", "7d")]
    ['2022-03-01', '2022-03-08', '2022-03-15']
    """
    dates = {}
    for option, text in (("--from", start), ("--to", end)):
        try:
            dates[option] = dt.date.fromisoformat(text)
        except (TypeError, ValueError):
            raise InputError(f"{option}: a date as YYYY-MM-DD; got '{text}'") from None
    found = re.fullmatch(r"([1-9][0-9]{0,3})d", str(every).strip())
    if found is None:
        raise InputError(f"--every: a number of days such as 7d (1d to 9999d); got '{every}'")
    if dates["--to"] < dates["--from"]:
        raise InputError(f"--to: on or after --from ({start}); got '{end}'")
    step = dt.timedelta(days=int(found.group(1)))
    out, day = [], dates["--from"]
    while day <= dates["--to"]:
        out.append(day)
        day += step
    return tuple(out)


def later_evidence(results: dict, cut_off: str) -> list[dict]:
    """Claims reported after ``cut_off`` that a judgment rests on, or that a statement used cites:
    ``[{model, claim_id, report_date, used_by}]``."""
    found = []
    for model, section in results.items():
        if not isinstance(section, dict) or model == "case":
            continue
        dates = {row["claim_id"]: row.get("report_date") for row in section.get("sources", [])}
        cited = [(c, f"judgment {j['id']}") for j in section.get("judgments", []) for c in j.get("claim_ids", [])]
        cited += [(c, f"statement {s['observation_id']}") for s in section.get("statements", []) or []
                  if isinstance(s, dict) for c in s.get("claim_ids", [])]
        for claim, used_by in cited:
            reported = dates.get(claim)
            if reported and reported > cut_off:
                found.append({"model": model, "claim_id": claim, "report_date": reported, "used_by": used_by})
    return found


# --- computing the cut-offs --------------------------------------------------------------------

def _key(values: dict, models: tuple[str, ...], source: str) -> str:
    return hashlib.sha256(dump_json({"values": values, "models": list(models), "source": source,
                                     "environment": environment_versions()})).hexdigest()


def _cached(path: Path) -> dict | None:
    """A cached ``results.json``, if every data file it read is as it was (recorded paths are placed
    as the notebook cache places them, :meth:`estimates.run.cache.Cache.data_path`)."""
    from estimates.run.cache import Cache

    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    place = Cache(path.parent).data_path
    for section in results.values():
        for recorded, digest in (section.get("data_files", {}) if isinstance(section, dict) else {}).items():
            try:
                if sha256_file(place(recorded)) != digest:
                    return None
            except OSError:
                return None
    return results


def compute(values: list[dict], models: tuple[str, ...], cache_dir: Path, *, workers: int | None = None,
            client=None) -> tuple[list[dict], int]:
    """``results.json`` for each parameter set (without the case summary), from the cache where it
    holds them and on Dask otherwise; returns them and how many were re-used."""
    from estimates.sweep.scenarios import connect, scenario_results

    source = source_hash()
    keys = [_key(v, models, source) for v in values]
    found: list[dict | None] = [_cached(cache_dir / f"{k}.json") for k in keys]
    todo = [i for i, r in enumerate(found) if r is None]
    if todo:
        from dask.distributed import as_completed

        cache_dir.mkdir(parents=True, exist_ok=True)
        with connect(client, None, min(workers or len(todo), len(todo))) as (active, _):
            futures = active.map(scenario_results, [values[i] for i in todo], models=models, pure=False)
            index = {future.key: i for i, future in zip(todo, futures)}
            try:
                for future in as_completed(futures):  # each kept as it comes: an interrupted backtest loses none
                    i = index[future.key]
                    found[i] = future.result()
                    write_json(cache_dir / f"{keys[i]}.json", found[i])
            finally:
                active.cancel(futures)
    return [r for r in found if r is not None], len(values) - len(todo)


# --- the outcome ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Backtest:
    """What a backtest found: its runs, their judgments, what later statements settled and the scores."""

    case_folder: str
    folder: Path
    runs: pd.DataFrame = field(repr=False)
    judgments: pd.DataFrame = field(repr=False)
    settled: tuple = ()
    scored: pd.DataFrame = field(default=None, repr=False)
    #: Statements of the case: observation id -> (first reported, what it says).
    statements: dict = field(default_factory=dict)
    reused: int = 0
    seconds: float = 0.0

    def score(self):
        """Scores of the backtest's resolved judgments (:func:`estimates.core.scoring.score`), or None."""
        from estimates.core.scoring import score

        if self.scored is None or self.scored.empty:
            return None
        return score(self.scored["probability"], self.scored["happened"])

    def summary(self) -> pd.DataFrame:
        """One row per cut-off: scenario or not, judgments made, resolved, later claims used."""
        return self.runs.set_index("cut_off")

    def plot(self, ax=None):
        from estimates.track.backtest_page import probability_over_time

        return probability_over_time(self.judgments, self.statements, self.scored, ax=ax)

    def _repr_html_(self) -> str:
        return self.summary().to_html()

    def to_dict(self) -> dict:
        scored = self.score()
        return {
            "case": self.case_folder, "folder": str(self.folder), "seconds": round(self.seconds, 3),
            "reused": self.reused, "runs": self.runs.to_dict(orient="records"),
            "settled": [vars(s) | {"contradicted_by": list(s.contradicted_by)} for s in self.settled],
            "resolved": [] if self.scored is None else self.scored[
                ["run_id", "cut_off", "judgment_id", "probability", "happened", "observation_id"]].to_dict(orient="records"),
            "score": None if scored is None else scored.to_dict(),
            "statements": {k: {"reported": r, "says": s} for k, (r, s) in self.statements.items()},
        }


def run_backtest(dates: tuple[dt.date, ...], base: dict, out_root: Path, *, workers: int | None = None,
                 client=None) -> Backtest:
    """Compute the suite at each cut-off in ``dates`` with parameter values ``base`` (validated
    through :func:`estimates.parameters.files.resolve`, whose ``case`` names the case), keep each
    run's judgments in ``out_root``'s store, settle what the case's statements settle and score."""
    from estimates.inputs.case import load_case
    from estimates.parameters.schema import ParameterError, with_case
    from estimates.report.diff import Run
    from estimates.run.locking import RootLock
    from estimates.run.suite import case_summary, parameters_hash
    from estimates.track.settle import case_statements, first_reported, settlements
    from estimates.track.store import JudgmentStore

    tick = time.perf_counter()
    params = []
    for day in dates:
        try:
            params.append(with_case({**base, "as_of": day.isoformat()}))
        except ParameterError as error:
            raise InputError(str(error)) from None
    case = load_case(params[0].case)
    statements, ledger = case_statements(case, params[-1])
    models = tuple(params[0].models)
    values = [p.model_dump(mode="json") for p in params]  # validated above; each worker validates its own
    out_root = Path(out_root)
    out_root.mkdir(parents=True, exist_ok=True)
    with RootLock(out_root):
        computed, reused = compute(values, models, out_root / CACHE_DIR / RESULTS_CACHE, workers=workers, client=client)
        store = JudgmentStore(out_root)
        label = hashlib.sha256(dump_json({"case": str(case.folder), "values": values})).hexdigest()[:12]
        folder = out_root / BACKTESTS_DIR / f"{case.folder.name}-{dates[0]}-{dates[-1]}-{label}"
        started = dt.datetime.now(dt.timezone.utc)
        rows, run_ids = [], []
        for index, (p, results) in enumerate(zip(params, computed)):
            results = {"schema_version": results["schema_version"], "case": case_summary(p),
                       **{k: v for k, v in results.items() if k != "schema_version"}}
            digest = parameters_hash(p)
            run_id = f"backtest-{p.as_of.isoformat()}-{digest[:12]}"
            manifest = {"run_id": run_id, "status": "succeeded", "parameters": values[index],
                        "parameters_sha256": digest, "backtest": folder.name,
                        # Ordered by cut-off, so the newest cut-off is the one a question is worded by.
                        "started_utc": (started + dt.timedelta(seconds=index)).isoformat(timespec="seconds")}
            run_dir = folder / p.as_of.isoformat()
            run_dir.mkdir(parents=True, exist_ok=True)
            write_json(run_dir / "results.json", results)
            write_json(run_dir / "manifest.json", manifest)
            store.record(run_dir, results, manifest, state="published")
            later = later_evidence(results, p.as_of.isoformat())
            rows.append({"cut_off": p.as_of.isoformat(), "run_id": run_id,
                         "scenario": Run(run_dir, manifest, results).is_scenario(), "later_claims_used": len(later),
                         "later_claims": ", ".join(sorted({f"{c['claim_id']} ({c['used_by']})" for c in later}))})
            run_ids.append(run_id)
        # The statements and ledger read once, above, settle what the runs asked.
        settled = settlements(store.judgments(case_folder=str(case.folder)), case, statements, ledger)
        store.settle(settled)
    judgments = store.judgments(case_folder=str(case.folder))
    judgments = judgments[judgments["run_id"].isin(run_ids)].reset_index(drop=True)
    resolved = store.resolved()
    resolved = resolved[resolved["run_id"].isin(run_ids)].reset_index(drop=True)
    runs = pd.DataFrame(rows)
    runs["judgments"] = [int((judgments["run_id"] == r).sum()) for r in run_ids]
    runs["resolved"] = [int((resolved["run_id"] == r).sum()) for r in run_ids]
    said = {s.observation_id: (first_reported(s, ledger), s.describe()) for s in statements}
    outcome = Backtest(str(case.folder), folder, runs, judgments, tuple(settled), resolved,
                       {k: v for k, v in said.items() if v[0]}, reused, time.perf_counter() - tick)
    write_json(folder / "backtest.json", outcome.to_dict())
    return outcome
