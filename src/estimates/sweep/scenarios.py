"""Scenario sweeps: many parameter sets computed through the package on Dask, one comparison table.

A grid file (YAML) is either a Cartesian grid, each swept parameter with its list of values::

    units_ineffective: [25, 29, 35]
    reconstitution_per_week: [0, 1.5, 3]
    n_samples: 20000          # a single value is fixed for every scenario

or a list of scenarios, each a mapping, with optional fixed values beside it::

    n_samples: 20000
    scenarios:
      - {units_ineffective: 29}
      - {units_ineffective: 35, units_committed: 120}

An optional ``models: [attrition]`` limits the sweep to some of the suite's models. Every scenario is
validated like ``estimates run``'s parameters before any work starts. Each scenario is computed by
each registered model's ``compute_section`` (:mod:`estimates.registry`), the same calls its notebook makes to record its ``results.json`` section, on
``dask.distributed`` (a ``LocalCluster`` of worker processes, or a running scheduler), so no kernel
starts unless full reports are asked for. Scenarios share the seed unless it is swept: common random
numbers, so differences between scenarios come from their parameters, not from Monte Carlo noise.

Outputs in ``DIR``: ``sweep.csv`` and ``sweep.parquet`` (one row per scenario; columns: the swept
parameters, then every ``results.json`` key flattened with dots, see :func:`flatten`),
``sweep.html`` (figures and a table of the key judgments) and ``sweep.json`` (what ran, where, when).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from estimates.errors import EXIT_FAILED, EXIT_OK, InputError
from estimates.parameters.schema import validate
from estimates.registry import MODELS
from estimates.sweep.grid import ScenarioGrid, load_grid  # noqa: F401  (load_grid: the sweep's entry point)
from estimates.sweep.page import write_outputs

# --- what a scenario computes ---------------------------------------------------------------------

def scenario_results(values: dict, models: tuple[str, ...]) -> dict:
    """The ``results.json`` a run with these parameter ``values`` would record, for ``models``:
    each model's section computed through the registry as its notebook computes it."""
    from estimates.run.suite import SCHEMA_VERSION

    params = validate(values)
    return {"schema_version": SCHEMA_VERSION, **{name: MODELS[name].compute_section(params) for name in models}}


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested ``results.json`` values as one flat mapping of dotted keys to scalars.

    Mappings add their keys, in sorted order as in ``results.json``; a list of records is keyed by each record's ``id``, ``name`` or
    ``claim_id`` (or ``"<method> <level>"`` for intervals) when that is unique, else by position; a
    list of scalars by position. A key equal to its parent's is not repeated, so a judgment's
    probability is ``attrition.judgments.attrition-threshold.probability`` and its Monte Carlo error
    ``attrition.judgments.attrition-threshold.probability.standard_error``.

    Examples
    --------
    >>> flatten({"a": {"judgments": [{"id": "j", "probability": {"probability": 0.2}}], "q": [1, 2]}})
    {'a.judgments.j.id': 'j', 'a.judgments.j.probability': 0.2, 'a.q.0': 1, 'a.q.1': 2}
    """
    if isinstance(value, dict):
        items = sorted(value.items())  # results.json's own key order (it is written with sorted keys)
    elif isinstance(value, list):
        items = zip(_list_keys(value), value)
    else:
        return {prefix: value}
    flat: dict[str, Any] = {}
    for key, item in items:
        key = str(key)
        name = prefix if prefix.rsplit(".", 1)[-1] == key else (f"{prefix}.{key}" if prefix else key)
        flat.update(flatten(item, name))
    return flat


def _list_keys(items: list) -> list:
    if items and all(isinstance(item, dict) for item in items):
        for field_name in ("id", "name", "claim_id"):
            keys = [item.get(field_name) for item in items]
            if all(isinstance(k, str) and k for k in keys) and len(set(keys)) == len(keys):
                return keys
        if all("method" in item and "level" in item for item in items):
            keys = [f"{item['method']} {item['level']}" for item in items]
            if len(set(keys)) == len(keys):
                return keys
    return list(range(len(items)))


def scenario_row(values: dict, models: tuple[str, ...]) -> dict[str, Any]:
    """One table row (without the swept-parameter columns); runs on a Dask worker."""
    return flatten({k: v for k, v in scenario_results(values, models).items() if k != "schema_version"})


def report_row(values: dict, models: tuple[str, ...], root: str) -> dict[str, Any]:
    """``--reports``: run the notebook suite for one scenario under ``root``; its ``results.json`` as a row."""
    from estimates.run.plan import default_suite
    from estimates.run.suite import load_results, run_suite

    suite = default_suite()
    by_name = {spec.name: spec for spec in suite}
    needed: set[str] = set()
    todo = list(models)
    while todo:  # the models asked for, and the notebooks they depend on
        name = todo.pop()
        if name in by_name and name not in needed:
            needed.add(name)
            todo.extend(by_name[name].depends)
    outcome = run_suite(validate(values), Path(root), suite=tuple(s for s in suite if s.name in needed), jobs=1)
    if outcome.exit_code != EXIT_OK:
        raise RuntimeError(outcome.message)
    results = load_results(outcome.run_dir)
    row = flatten({name: results[name] for name in models})
    row["report"] = str(outcome.briefing)
    return row


@dataclass
class SweepOutcome:
    out_dir: Path
    exit_code: int
    message: str
    table: Any = field(default=None, repr=False)


def run_sweep(grid: ScenarioGrid, out_dir: Path, *, scheduler: str | None = None, workers: int | None = None,
              reports: bool = False, progress: bool = False, client=None) -> SweepOutcome:
    """Compute every scenario of ``grid`` on Dask and write the table and page into ``out_dir``.

    ``client`` (a ``dask.distributed.Client``) is used as given; otherwise one connects to
    ``scheduler``, or to a new ``LocalCluster`` of ``workers`` processes (default: the number of
    cores) on the loopback interface, closed afterwards.
    """
    from estimates.run.locking import RootLock

    out_dir = Path(out_dir)
    _check_out(out_dir)
    started = dt.datetime.now(dt.timezone.utc)
    tick = time.perf_counter()
    with connect(client, scheduler, workers) as (active, where):  # an unreachable scheduler: nothing made
        out_dir.mkdir(parents=True, exist_ok=True)
        with RootLock(out_dir):
            rows, failure = _compute(active, grid, out_dir, reports=reports, progress=progress)
    if failure is not None:
        return SweepOutcome(out_dir, EXIT_FAILED, f"estimates: sweep failed: {failure}")
    for row in rows:
        if "report" in row:  # links on the page and in the table work wherever DIR is moved
            row["report"] = os.path.relpath(row["report"], out_dir)
    table = build_table(grid, rows)
    meta = {
        "grid": str(grid.path), "scenarios": len(grid.scenarios), "swept": list(grid.swept),
        "fixed": {k: str(v) for k, v in grid.fixed.items()}, "models": list(grid.models),
        "scheduler": where, "reports": reports,
        "started_utc": started.isoformat(timespec="seconds"),
        "duration_s": round(time.perf_counter() - tick, 3),
    }
    write_outputs(table, grid, out_dir, meta)
    message = (f"sweep: {len(grid.scenarios)} scenarios on {where} in {meta['duration_s']:.1f} s; "
               f"table: {out_dir / 'sweep.csv'} and sweep.parquet; page: {out_dir / 'sweep.html'}")
    return SweepOutcome(out_dir, EXIT_OK, message, table)


def _check_out(out_dir: Path) -> None:
    from estimates.run.plan import preflight

    preflight(out_dir)  # the same checks, and one-line messages, as ``run``'s output root


class connect:
    """``with connect(client, scheduler, workers) as (client, description)``: the client given, one
    connected to a running scheduler, or a new local cluster of worker processes, closed on leaving."""

    def __init__(self, client, scheduler, workers):
        self.given, self.scheduler, self.workers = client, scheduler, workers
        self.client = self.cluster = None

    def __enter__(self):
        from dask.distributed import Client, LocalCluster

        if self.given is not None:
            return self.given, f"the cluster at {self.given.scheduler.address}"
        if self.scheduler:
            try:
                self.client = Client(self.scheduler, timeout="20s")
            except (OSError, TimeoutError) as error:
                raise InputError(f"--scheduler {self.scheduler}: cannot connect ({error})") from None
            return self.client, f"the cluster at {self.scheduler}"
        n = self.workers or os.cpu_count() or 1
        # Processes, one thread each: the models are numpy-bound and hold the GIL between calls.
        # Workers log only errors: a cancelled task's warning on an interrupted sweep is noise.
        self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                    dashboard_address=None, host="127.0.0.1", silence_logs=logging.ERROR)
        self.client = Client(self.cluster)
        return self.client, f"a local cluster of {n} worker process{'es' if n != 1 else ''}"

    def __exit__(self, *exc):
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _compute(client, grid: ScenarioGrid, out_dir: Path, *, reports: bool, progress: bool) -> tuple[list, str | None]:
    from dask.distributed import as_completed
    from tqdm import tqdm

    n = len(grid.scenarios)
    # pure=False: every call gets fresh task keys, so a sweep never shares (or cancels) the tasks of
    # an earlier one on the same cluster.
    if reports:
        roots = [str(out_dir / "reports" / f"scenario-{i + 1:0{len(str(n))}d}") for i in range(n)]
        futures = [client.submit(report_row, grid.values(i), grid.models, roots[i], pure=False) for i in range(n)]
    else:
        futures = client.map(scenario_row, [grid.values(i) for i in range(n)], models=grid.models, pure=False)
    index = {future.key: i for i, future in enumerate(futures)}
    rows: list = [None] * n
    bar = tqdm(total=n, unit="scenario", desc="scenarios", disable=not progress, dynamic_ncols=True)
    finished = False
    try:
        for future in as_completed(futures):
            i = index[future.key]
            if future.status == "error":
                error = future.exception()
                label = ", ".join(f"{k}={v!r}" for k, v in grid.swept_values(i).items())
                return rows, f"scenario {i + 1} ({label}): {type(error).__name__}: {error}"
            rows[i] = future.result()
            bar.update(1)
        finished = True
    finally:
        bar.close()
        if not finished:  # a failure or an interruption: stop what is still queued on the cluster
            client.cancel(futures)
    return rows, None


def build_table(grid: ScenarioGrid, rows: list[dict]):
    """One row per scenario: the swept parameters, then the flattened results."""
    import pandas as pd

    records = [{**grid.swept_values(i), **row} for i, row in enumerate(rows)]
    table = pd.DataFrame.from_records(records)
    table.index = pd.RangeIndex(1, len(records) + 1, name="scenario")
    return table
