"""Scenario sweeps: grids, validation, flattening, and a real LocalCluster on loopback.

The cluster (2 worker processes, one thread each, no dashboard) starts once for the module.
"""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from estimates import cli
from estimates.errors import InputError
from estimates.parameters.schema import validate
from estimates.registry import MODELS
from estimates.run import plan
from estimates.sweep import scenarios as sweep

from .conftest import ESTIMATES, QUICK

#: A small grid for the cluster tests (attrition only: resupply is the slow model).
GRID = "models: [attrition]\nn_samples: 1000\nunits_ineffective: [25, 35]\nreconstitution_per_week: [0.5, 2.0]\n"


@pytest.fixture(scope="module")
def client():
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                           host="127.0.0.1")
    with Client(cluster) as connected:
        yield connected
    cluster.close()


@pytest.fixture(scope="module")
def swept(client, tmp_path_factory):
    """One sweep of :data:`GRID` on the cluster: (grid, output directory, outcome)."""
    tmp = tmp_path_factory.mktemp("sweep")
    grid = sweep.load_grid(_grid(tmp, GRID))
    outcome = sweep.run_sweep(grid, tmp / "out", client=client)
    return grid, tmp / "out", outcome


def _grid(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "grid.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --- grids ---------------------------------------------------------------------------------------

def test_grid_is_a_cartesian_product_in_order(tmp_path):
    grid = sweep.load_grid(_grid(tmp_path, "n_samples: 2000\nunits_ineffective: [25, 35]\nreconstitution_per_week: [0.5, 1.0, 2.0]\n"))
    assert grid.swept == ("units_ineffective", "reconstitution_per_week")
    assert grid.fixed == {"n_samples": 2000}
    assert [grid.swept_values(i) for i in range(len(grid.scenarios))] == [
        {"units_ineffective": k, "reconstitution_per_week": s} for k in (25, 35) for s in (0.5, 1.0, 2.0)]
    assert all(p.n_samples == 2000 for p in grid.scenarios)
    assert grid.models == tuple(spec.name for spec in plan.SUITE if spec.name in MODELS)


def test_grid_as_a_list_of_scenarios(tmp_path):
    grid = sweep.load_grid(_grid(tmp_path, "seed: 7\nscenarios:\n  - {units_ineffective: 29}\n"
                                           "  - {units_ineffective: 35, units_committed: 120}\n"))
    assert grid.swept == ("units_ineffective", "units_committed")
    assert [grid.swept_values(i) for i in range(2)] == [
        {"units_ineffective": 29, "units_committed": 125}, {"units_ineffective": 35, "units_committed": 120}]
    assert {p.seed for p in grid.scenarios} == {7}


BAD_GRIDS = {
    "bad-scenario": ("units_committed: 125\nunits_ineffective: [25, 29, 200]\n",
                     r"--grid .*grid\.yaml: scenario 3 \(units_ineffective=200\): parameter 'units_ineffective': "
                     r"must be at most units_committed \(125\); got 200$"),
    "unknown-parameter": ("btg_destroyed: [1, 2]\n",
                          r"scenario 1 \(btg_destroyed=1\): unknown parameter 'btg_destroyed'"),
    "empty-list": ("units_ineffective: []\n", r"'units_ineffective' has an empty list of values$"),
    "lists-beside-scenarios": ("reconstitution_per_week: [1.0]\nscenarios:\n  - {units_ineffective: 29}\n",
                               r"'reconstitution_per_week' has a list of values beside 'scenarios'"),
    "scenarios-not-mappings": ("scenarios: [29, 35]\n", r"'scenarios' must be a non-empty list of mappings"),
    "unknown-model": ("models: [lancaster]\nseed: [1, 2]\n", r"model 'lancaster' cannot be swept"),
    "not-a-mapping": ("- 1\n- 2\n", r"--grid .*grid\.yaml: expected a mapping of parameter names to values, got a list$"),
    "too-many": ("seed: " + str(list(range(400))) + "\nn_samples: " + str(list(range(1000, 1300))) + "\n",
                 r"the grid expands to 120000 scenarios; at most 100000$"),
}


@pytest.mark.parametrize("case", list(BAD_GRIDS))
def test_invalid_grid_exits_2_with_one_line_before_any_work(case, tmp_path, capsys, monkeypatch):
    def tripwire(*args, **kwargs):
        raise AssertionError("an invalid grid reached run_sweep")

    monkeypatch.setattr(sweep, "run_sweep", tripwire)
    text, pattern = BAD_GRIDS[case]
    out = tmp_path / "out"
    code = cli.main(["sweep", "--grid", str(_grid(tmp_path, text)), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.splitlines()) == 1 and err.startswith("estimates: error: --grid "), err
    assert re.search(pattern, err.strip()), err
    assert not out.exists()


def test_missing_grid_file_is_invalid_input(tmp_path):
    with pytest.raises(InputError, match=r"^--grid .*nowhere\.yaml: file not found$"):
        sweep.load_grid(tmp_path / "nowhere.yaml")


# --- rows ------------------------------------------------------------------------------------------

def test_flatten_keys_records_by_id_and_intervals_by_method_and_level():
    flat = sweep.flatten({"m": {
        "judgments": [{"id": "j1", "probability": {"probability": 0.25, "standard_error": 0.01}}],
        "intervals": [{"method": "Wilson", "level": 0.9, "low": 0.1, "high": 0.3}],
        "days": [1, 2],
        "rows": [{"x": 1}, {"x": 2}],
    }})
    assert flat == {
        "m.judgments.j1.id": "j1",
        "m.judgments.j1.probability": 0.25, "m.judgments.j1.probability.standard_error": 0.01,
        "m.intervals.Wilson 0.9.method": "Wilson", "m.intervals.Wilson 0.9.level": 0.9,
        "m.intervals.Wilson 0.9.low": 0.1, "m.intervals.Wilson 0.9.high": 0.3,
        "m.days.0": 1, "m.days.1": 2, "m.rows.0.x": 1, "m.rows.1.x": 2,
    }


def test_sweep_row_is_what_the_notebooks_recorded(baseline_results):
    """The same parameters give the same numbers through the package as through the notebooks."""
    models = tuple(name for name in MODELS if name in baseline_results)
    row = sweep.scenario_row(validate(QUICK).model_dump(mode="json"), models)
    assert row == sweep.flatten({name: baseline_results[name] for name in models})
    assert "attrition.judgments.attrition-threshold.probability" in row


# --- on a real cluster -------------------------------------------------------------------------------

def test_cluster_table_matches_scenarios_run_one_by_one(swept):
    grid, out, outcome = swept
    assert outcome.exit_code == 0, outcome.message

    one_by_one = sweep.build_table(grid, [sweep.scenario_row(grid.values(i), grid.models)
                                          for i in range(len(grid.scenarios))])
    pd.testing.assert_frame_equal(outcome.table, one_by_one)
    assert list(one_by_one.columns[:2]) == ["units_ineffective", "reconstitution_per_week"]
    assert len(one_by_one) == 4
    pd.testing.assert_frame_equal(pd.read_parquet(out / "sweep.parquet"), one_by_one)
    from_csv = pd.read_csv(out / "sweep.csv", index_col="scenario")
    assert list(from_csv.columns) == list(one_by_one.columns)
    column = "attrition.judgments.attrition-threshold.probability"
    assert from_csv[column].tolist() == pytest.approx(one_by_one[column].tolist(), rel=1e-12)
    # More BTGs lost by the cut-off makes falling below the threshold more likely.
    assert one_by_one.loc[3, column] > one_by_one.loc[1, column]


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.links = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
        if tag in ("a", "link", "script"):
            self.links.append(attrs.get("href") or attrs.get("src") or "")


def test_comparison_page_is_self_contained(swept):
    _, out, _ = swept
    page = _Page()
    page.feed((out / "sweep.html").read_text(encoding="utf-8"))
    assert len(page.images) == 2  # one figure per attrition judgment
    for image in page.images:
        assert image["src"].startswith("data:image/png;base64,") and len(image["alt"]) > 30
    assert page.links == ["sweep.csv", "sweep.parquet"]  # nothing from outside
    assert "http://" not in (out / "sweep.html").read_text() and "https://" not in (out / "sweep.html").read_text()


def test_cli_sweep_on_an_existing_scheduler(client, tmp_path):
    out = tmp_path / "sweep"
    address = client.scheduler.address
    text = GRID.replace("reconstitution_per_week: [0.5, 2.0]", "reconstitution_per_week: 2.0")
    done = subprocess.run([ESTIMATES, "sweep", "--grid", str(_grid(tmp_path, text)), "--out", str(out),
                           "--scheduler", address], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(rf"sweep: 2 scenarios on the cluster at {re.escape(address)} in [\d.]+ s; "
                        rf"table: {re.escape(str(out / 'sweep.csv'))} and sweep.parquet; "
                        rf"page: {re.escape(str(out / 'sweep.html'))}\n", done.stdout), done.stdout
    assert "2/2" in done.stderr  # the progress bar reached the end
    table = pd.read_parquet(out / "sweep.parquet")
    grid = sweep.load_grid(tmp_path / "grid.yaml")
    expected = {**grid.swept_values(1), **sweep.scenario_row(grid.values(1), grid.models)}
    # Columns are the union over scenarios, so a key another scenario has is missing (NaN) here.
    assert table.loc[2].dropna().to_dict() == {k: v for k, v in expected.items() if v is not None}


def test_reports_give_the_same_row_as_the_package(client, tmp_path):
    grid = sweep.load_grid(_grid(tmp_path, "models: [attrition]\nn_samples: 1000\nunits_ineffective: [25, 35]\n"))
    out = tmp_path / "sweep"
    outcome = sweep.run_sweep(grid, out, client=client, reports=True)
    assert outcome.exit_code == 0, outcome.message
    table = outcome.table
    assert [(out / path).is_file() for path in table["report"]] == [True, True]
    assert all(path.startswith("reports/scenario-") for path in table["report"])
    expected = sweep.build_table(grid, [sweep.scenario_row(grid.values(i), grid.models) for i in range(2)])
    pd.testing.assert_frame_equal(table.drop(columns="report"), expected)


def test_failing_scenario_fails_the_sweep(client, tmp_path, monkeypatch):
    grid = sweep.load_grid(_grid(tmp_path, GRID))
    grid = sweep.ScenarioGrid(grid.path, grid.swept, grid.fixed, grid.scenarios, ("attrition", "ghost"))
    outcome = sweep.run_sweep(grid, tmp_path / "sweep", client=client)
    assert outcome.exit_code == 1
    assert re.match(r"estimates: sweep failed: scenario \d \(units_ineffective=\d+, reconstitution_per_week=[\d.]+\): "
                    r"KeyError: 'ghost'$", outcome.message), outcome.message
    assert not (tmp_path / "sweep" / "sweep.csv").exists()


def test_a_bad_ledger_in_a_grid_is_refused_before_any_work(tmp_path, monkeypatch):
    from estimates.errors import InputError
    from estimates.sweep.scenarios import load_grid

    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.csv").write_text("claim_id,statement\n")
    grid = tmp_path / "grid.yaml"
    grid.write_text("claims_path: mine.csv\nunits_ineffective: [29, 35]\n")
    with pytest.raises(InputError, match=r"scenario 1 \(units_ineffective=29\): parameter 'claims_path': .*mine.csv"):
        load_grid(grid)


def test_a_grid_written_with_old_names_still_sweeps_the_new_ones(tmp_path, capsys):
    from estimates.parameters import schema

    schema._notice.cache_clear()  # the notice is said once per process
    grid = sweep.load_grid(_grid(tmp_path, "models: [attrition]\nn_samples: 1000\nbtg_ineffective: [25, 35]\n"))
    assert grid.swept == ("units_ineffective",)
    assert [grid.values(i)["units_ineffective"] for i in range(2)] == [25, 35]
    assert "'btg_ineffective' is now called 'units_ineffective'" in capsys.readouterr().err


def test_a_grid_sweeps_the_models_its_case_runs(tmp_path):
    from .second_case import write_second_case

    case = write_second_case(tmp_path / "case", models=("attrition", "pooling"))
    grid = sweep.load_grid(_grid(tmp_path, f"case: {case}\nn_samples: 1000\nunits_ineffective: [15, 17]\n"))
    assert grid.models == ("attrition", "pooling")
    assert [grid.values(i)["units_committed"] for i in range(2)] == [60, 60]  # from the case's case.yaml
