"""Scenario sweeps: many parameter sets computed through the package on Dask, one comparison table.

A grid file (YAML) is either a Cartesian grid, each swept parameter with its list of values::

    btg_ineffective: [25, 29, 35]
    hazard_shape: [0.8, 1.0, 1.2]
    n_samples: 20000          # a single value is fixed for every scenario

or a list of scenarios, each a mapping, with optional fixed values beside it::

    n_samples: 20000
    scenarios:
      - {btg_ineffective: 29}
      - {btg_ineffective: 35, btg_committed: 120}

An optional ``models: [attrition]`` limits the sweep to some of the suite's models. Every scenario is
validated like ``estimates run``'s parameters before any work starts. Each scenario is computed by
:data:`SECTIONS`, the same functions the notebooks call to record their ``results.json`` sections, on
``dask.distributed`` (a ``LocalCluster`` of worker processes, or a running scheduler), so no kernel
starts unless full reports are asked for. Scenarios share the seed unless it is swept: common random
numbers, so differences between scenarios come from their parameters, not from Monte Carlo noise.

Outputs in ``DIR``: ``sweep.csv`` and ``sweep.parquet`` (one row per scenario; columns: the swept
parameters, then every ``results.json`` key flattened with dots, see :func:`flatten`),
``sweep.html`` (figures and a table of the key judgments) and ``sweep.json`` (what ran, where, when).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import itertools
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .params import ParameterError, Parameters, validate
from .randomness import model_rng
from .runner import EXIT_FAILED, EXIT_OK, InputError

#: Most scenarios one grid may expand to: a typo such as 1000 values in each of three parameters
#: should be an error, not a billion tasks.
MAX_SCENARIOS = 100_000


# --- what a scenario computes ---------------------------------------------------------------------

def _attrition(params: Parameters) -> dict:
    from . import attrition

    return attrition.section(params, model_rng(params.seed, "attrition"))


def _resupply(params: Parameters) -> dict:
    # The same calls as the resupply notebook's cells, in the same order.
    from . import resupply_analysis
    from .record import jsonable

    data = resupply_analysis.load_data(params)
    return jsonable(resupply_analysis.section(params, data, resupply_analysis.study(params, data)))


def _pooling(params: Parameters) -> dict:
    from . import pooling_analysis

    return pooling_analysis.section(params, model_rng(params.seed, "pooling"))


def _losses(params: Parameters) -> dict:
    from . import losses_analysis

    return losses_analysis.section(params, model_rng(params.seed, "losses"))


def _lanchester(params: Parameters) -> dict:
    from . import lanchester_analysis

    return lanchester_analysis.section(params)


#: Each model's ``results.json`` section from validated parameters, without its notebook. A model
#: of the suite missing here cannot be swept (``models:`` in a grid names the ones to compute).
SECTIONS: dict[str, Callable[[Parameters], dict]] = {
    "attrition": _attrition, "resupply": _resupply, "pooling": _pooling, "losses": _losses,
    "lanchester": _lanchester,
}


def scenario_results(values: dict, models: tuple[str, ...]) -> dict:
    """The ``results.json`` a run with these parameter ``values`` would record, for ``models``."""
    from .runner import SCHEMA_VERSION

    params = validate(values)
    return {"schema_version": SCHEMA_VERSION, **{name: SECTIONS[name](params) for name in models}}


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
    from .runner import default_suite, load_results, run_suite

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


# --- the grid ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Grid:
    """Validated scenarios, in order, with the names of the parameters that vary between them."""

    path: Path
    swept: tuple[str, ...]
    fixed: dict[str, Any]
    scenarios: tuple[Parameters, ...]
    models: tuple[str, ...]

    def values(self, index: int) -> dict[str, Any]:
        """Scenario ``index``'s full parameter values, JSON-ready (what a worker validates again)."""
        return self.scenarios[index].model_dump(mode="json")

    def swept_values(self, index: int) -> dict[str, Any]:
        values = self.values(index)
        return {name: values[name] for name in self.swept}


def load_grid(path: Path) -> Grid:
    """Read and validate a grid file; :class:`InputError` with one line on the first problem."""
    import yaml

    from .cli import read_params_file
    from .runner import default_suite

    path = Path(path)
    where = f"--grid {path}"
    try:
        raw = read_params_file(path)
    except InputError as error:
        raise InputError(str(error).replace(f"--params {path}", where, 1)) from None
    except yaml.YAMLError as error:  # pragma: no cover - read_params_file reports YAML errors itself
        raise InputError(f"{where}: {error}") from None
    raw = dict(raw)
    suite = tuple(spec.name for spec in default_suite())
    models = raw.pop("models", None)
    if models is None:
        models = tuple(name for name in suite if name in SECTIONS)
    else:
        if not isinstance(models, list) or not models:
            raise InputError(f"{where}: 'models' must be a list of model names, e.g. [attrition]")
        unknown = [m for m in models if m not in SECTIONS]
        if unknown:
            raise InputError(f"{where}: model '{unknown[0]}' cannot be swept; known: {', '.join(SECTIONS)}")
        models = tuple(models)

    if "scenarios" in raw:
        listed = raw.pop("scenarios")
        if not isinstance(listed, list) or not listed or not all(isinstance(s, dict) for s in listed):
            raise InputError(f"{where}: 'scenarios' must be a non-empty list of mappings of parameter values")
        lists = [k for k, v in raw.items() if isinstance(v, list)]
        if lists:
            raise InputError(f"{where}: '{lists[0]}' has a list of values beside 'scenarios'; "
                             "give either a grid of lists or a list of scenarios")
        fixed = raw
        swept = tuple(dict.fromkeys(k for s in listed for k in s))
        expanded = [{**fixed, **s} for s in listed]
    else:
        fixed = {k: v for k, v in raw.items() if not isinstance(v, list)}
        grid = {k: v for k, v in raw.items() if isinstance(v, list)}
        for name, values in grid.items():
            if not values:
                raise InputError(f"{where}: '{name}' has an empty list of values")
        swept = tuple(grid)
        count = 1
        for values in grid.values():
            count *= len(values)
        if count > MAX_SCENARIOS:
            raise InputError(f"{where}: the grid expands to {count} scenarios; at most {MAX_SCENARIOS}")
        expanded = [{**fixed, **dict(zip(grid, combo))} for combo in itertools.product(*grid.values())]
    if len(expanded) > MAX_SCENARIOS:
        raise InputError(f"{where}: {len(expanded)} scenarios; at most {MAX_SCENARIOS}")

    from .cli import absolute_paths
    from .runner import check_ledger, input_loaders

    scenarios = []
    checked: set[tuple] = set()
    for number, values in enumerate(expanded, start=1):
        label = ", ".join(f"{k}={values[k]!r}" for k in swept if k in values)
        absolute_paths(values)  # as `estimates run` does: relative to where the analyst typed it
        try:
            scenario = validate(values)
            files = tuple(getattr(scenario, name) for name in input_loaders())
            if files not in checked:  # each distinct ledger and grade table once, before any work
                check_ledger(scenario)
                checked.add(files)
        except (ParameterError, InputError) as error:
            raise InputError(f"{where}: scenario {number} ({label}): {error}") from None
        scenarios.append(scenario)
    return Grid(path, swept, fixed, tuple(scenarios), models)


# --- running it -------------------------------------------------------------------------------------

@dataclass
class SweepOutcome:
    out_dir: Path
    exit_code: int
    message: str
    table: Any = field(default=None, repr=False)


def run_sweep(grid: Grid, out_dir: Path, *, scheduler: str | None = None, workers: int | None = None,
              reports: bool = False, progress: bool = False, client=None) -> SweepOutcome:
    """Compute every scenario of ``grid`` on Dask and write the table and page into ``out_dir``.

    ``client`` (a ``dask.distributed.Client``) is used as given; otherwise one connects to
    ``scheduler``, or to a new ``LocalCluster`` of ``workers`` processes (default: the number of
    cores) on the loopback interface, closed afterwards.
    """
    from .locking import RootLock

    out_dir = Path(out_dir)
    _check_out(out_dir)
    started = dt.datetime.now(dt.timezone.utc)
    tick = time.perf_counter()
    with _connect(client, scheduler, workers) as (active, where):  # an unreachable scheduler: nothing made
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
    from .runner import preflight

    preflight(out_dir)  # the same checks, and one-line messages, as ``run``'s output root


class _connect:
    """``with _connect(client, scheduler, workers) as (client, description)``."""

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


def _compute(client, grid: Grid, out_dir: Path, *, reports: bool, progress: bool) -> tuple[list, str | None]:
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


def build_table(grid: Grid, rows: list[dict]):
    """One row per scenario: the swept parameters, then the flattened results."""
    import pandas as pd

    records = [{**grid.swept_values(i), **row} for i, row in enumerate(rows)]
    table = pd.DataFrame.from_records(records)
    table.index = pd.RangeIndex(1, len(records) + 1, name="scenario")
    return table


# --- writing it -------------------------------------------------------------------------------------

def write_outputs(table, grid: Grid, out_dir: Path, meta: dict) -> None:
    """``sweep.csv``, ``sweep.parquet``, ``sweep.html`` and ``sweep.json``, each written atomically."""
    from .runner import source_hash
    from .storage import atomic_write, csv_bytes, write_json
    from . import __version__

    atomic_write(out_dir / "sweep.csv", csv_bytes(table, index=True))
    buffer = io.BytesIO()
    _parquet_ready(table).to_parquet(buffer, engine="pyarrow")
    atomic_write(out_dir / "sweep.parquet", buffer.getvalue())
    meta = {**meta, "package": {"name": "estimates", "version": __version__, "source_sha256": source_hash()}}
    atomic_write(out_dir / "sweep.html", render_page(table, grid, meta).encode("utf-8"))
    write_json(out_dir / "sweep.json", meta)


def _parquet_ready(table):
    """Parquet wants one type per column; a column mixing, say, numbers and text is written as text."""
    table = table.copy()
    for name in table.columns[table.dtypes == object]:
        kinds = {type(v) for v in table[name] if v is not None}
        if len(kinds) > 1:
            table[name] = table[name].map(lambda v: None if v is None else str(v))
    return table


def judgment_columns(table) -> list[str]:
    """``<model>.judgments.<id>.probability`` columns: the headline numbers of each scenario."""
    import re

    pattern = re.compile(r"^[^.]+\.judgments\.[^.]+\.probability$")
    return [c for c in table.columns if pattern.match(c)]


def scenario_chart(table, x: str, y: str, *, hue: str | None = None, title: str = "", ax=None):
    """A judgment's probability across scenarios, with the ICD 203 bands behind it."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from .wording import SCALE

    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 3.6), layout="constrained")
    for i, band in enumerate(SCALE):
        ax.axhspan(band.low, band.high, color="0.93" if i % 2 else "0.97", lw=0, zorder=0)
        ax.text(1.005, (band.low + band.high) / 2, band.term, transform=ax.get_yaxis_transform(),
                fontsize="x-small", va="center", color="0.35")
    numeric = table[x].map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).all()
    if numeric:  # lines of different dash and marker, so overlapping ones can still be told apart
        sns.lineplot(data=table, x=x, y=y, hue=hue, style=hue, markers=True, ax=ax, errorbar=None,
                     **({} if hue else {"marker": "o"}))
    else:
        sns.pointplot(data=table, x=x, y=y, hue=hue, ax=ax, errorbar=None)
    ax.set_ylim(0, 1)
    ax.set_ylabel("probability")
    ax.set_title(title, fontsize="medium", loc="left")
    if hue is not None:
        ax.legend(title=hue, fontsize="small", title_fontsize="small", loc="upper left")
    return ax


def figures(table, grid: Grid) -> list[dict]:
    """One figure per key judgment: its probability against the first swept parameter."""
    import matplotlib.pyplot as plt

    if not grid.swept:
        return []
    x = grid.swept[0]
    data = table.copy()
    hue = None
    if len(grid.swept) > 1:
        hue = " / ".join(grid.swept[1:])
        data[hue] = data[list(grid.swept[1:])].astype(str).agg(", ".join, axis=1)
        if data[hue].nunique() > 8:  # more lines than a reader can tell apart: points only
            hue = None
    out = []
    for column in judgment_columns(data):
        model, _, judgment, _ = column.split(".", 3)
        ax = scenario_chart(data, x, column, hue=hue, title=f"{model}: {judgment}")
        buffer = io.BytesIO()
        ax.figure.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
        plt.close(ax.figure)
        png = buffer.getvalue()
        out.append({
            "name": judgment,
            "alt": f"Probability of the judgment '{judgment}' against {x}"
                   + (f", one line per {hue}" if hue else "") + ", over the ICD 203 bands.",
            "src": "data:image/png;base64," + base64.b64encode(png).decode(),
        })
    return out


def render_page(table, grid: Grid, meta: dict) -> str:
    """The comparison page: figures (embedded PNG), then a table of judgments per scenario."""
    import jinja2

    from .paths import TEMPLATE_DIR

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = lambda x, digits=0: f"{100 * x:.{digits}f}%"
    columns = judgment_columns(table)
    judgments = []
    for column in columns:
        model, _, judgment, _ = column.split(".", 3)
        statement = table.get(f"{model}.judgments.{judgment}.statement")
        judgments.append({"column": column, "id": judgment, "model": model,
                          "term": f"{model}.judgments.{judgment}.term",
                          "statement": None if statement is None else statement.iloc[0]})
    rows = []
    for number, row in table.iterrows():
        rows.append({
            "number": number,
            "swept": [row[name] for name in grid.swept],
            "judgments": [(row[j["column"]], row.get(j["term"])) for j in judgments],
            "report": row.get("report"),
        })
    return env.get_template("sweep.html.j2").render(
        meta=meta, swept=grid.swept, fixed=grid.fixed, judgments=judgments, rows=rows,
        figures=figures(table, grid), columns=len(table.columns),
    )

