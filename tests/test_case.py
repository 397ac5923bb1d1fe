"""A case is a folder: scaffolded, resolved in order, and run as any other.

The expensive runs are shared: one run of a scaffolded copy of the bundled case, one of a second
case written from scratch (tests/second_case.py) and one of it with the loss model on; each
scenario the issue names is one run.
"""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

import pytest
import scipy.stats

from estimates.errors import InputError
from estimates.parameters.files import resolve
from estimates.parameters.variations import plausible_range

from .conftest import quick_flags, run_cli
from .second_case import COMMITTED, INEFFECTIVE, SEED_WORDS, write_second_case


def numbers(value, path=""):
    """Every number in a results.json value, by its path; lists of named rows keyed by name."""
    if isinstance(value, bool):
        return {}
    if isinstance(value, (int, float)):
        return {path: value}
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in numbers(item, f"{path}.{key}").items()}
    if isinstance(value, list):
        named = all(isinstance(row, dict) and "name" in row for row in value) and value
        keys = [row["name"] for row in value] if named else range(len(value))
        return {k: v for key, item in zip(keys, value) for k, v in numbers(item, f"{path}[{key}]").items()}
    return {}


def text_of(page: str) -> str:
    alts = " ".join(re.findall(r'alt="([^"]*)"', page))
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + alts).split())


def seed_words_in(page: str) -> list[str]:
    """The bundled case's words anywhere in a page but its embedded images' bytes."""
    readable = re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", page)
    return [word for word in SEED_WORDS if word.lower() in readable.lower()]


def latest(root: Path) -> Path:
    return (root / "latest").resolve()


# --- resolving parameters: fast, no kernels ---------------------------------------------------------

@pytest.fixture(scope="module")
def second_case(tmp_path_factory) -> Path:
    return write_second_case(tmp_path_factory.mktemp("northern") / "case")


def test_precedence_is_defaults_then_case_then_params_file_then_p(second_case, tmp_path):
    assert resolve(case=second_case).units_committed == COMMITTED  # case.yaml over the default 125
    params_file = tmp_path / "p.yaml"
    params_file.write_text("units_committed: 70\nunits_ineffective: 20\n")
    assert resolve(params_file, case=second_case).units_committed == 70
    assert resolve(params_file, [("units_committed", "80")], case=second_case).units_committed == 80
    assert resolve(params_file, [("units_committed", "80")], case=second_case).units_ineffective == 20


def test_paths_in_case_yaml_are_in_the_case_folder_and_typed_ones_in_the_current_directory(second_case, tmp_path,
                                                                                          monkeypatch):
    params = resolve(case=second_case)
    assert params.path("claims_path") == second_case / "claims.csv"
    monkeypatch.chdir(tmp_path)
    typed = resolve(None, [("claims_path", "mine.csv")], case=second_case)
    assert typed.path("claims_path") == tmp_path / "mine.csv"


def test_day_numbers_count_from_the_cases_conflict_start(second_case):
    params = resolve(case=second_case)
    assert params.days_elapsed == 50  # 15 June 2024 is day 1, 3 August day 50
    assert resolve().days_elapsed == 42  # the bundled case: 24 February 2022 to 6 April 2022


def test_an_old_parameter_name_still_works_with_a_one_line_notice(capsys):
    from estimates.parameters import schema

    schema._notice.cache_clear()  # the notice is said once per process
    assert resolve(pairs=[("btg_ineffective", "35")]).units_ineffective == 35
    notice = capsys.readouterr().err.strip().splitlines()
    assert any("'btg_ineffective' is now called 'units_ineffective'" in line for line in notice)
    with pytest.raises(InputError, match="give only one of them"):
        resolve(pairs=[("btg_ineffective", "35"), ("units_ineffective", "30")])


def test_plausible_ranges_follow_the_runs_values():
    params = resolve(pairs=[("units_committed", "200"), ("units_ineffective", "61")])
    low, high = plausible_range("units_committed", params)
    assert low < 200 < high and (low, high) == (192, 208)  # 120-130 about 125, scaled
    low, high = plausible_range("units_ineffective", params)
    assert low < 61 < high


def test_a_cases_own_range_replaces_the_declared_one(second_case, tmp_path):
    folder = write_second_case(tmp_path / "ranged")
    text = (folder / "case.yaml").read_text().replace("parameters:\n", "ranges:\n  units_ineffective: [10, 30]\nparameters:\n")
    (folder / "case.yaml").write_text(text)
    assert plausible_range("units_ineffective", resolve(case=folder)) == (10, 30)


@pytest.mark.parametrize("setting, message", [
    ("colour: red\n", r"unknown setting 'colour'; allowed: title, conflict_start"),
    ("models: [attrition, tanks]\n", r"setting 'models': unknown model 'tanks'; allowed: attrition"),
    ("models: []\n", r"setting 'models': list should have at least 1 item|setting 'models': List should have at least 1"),
    ("conflict_start: 15 June 2024\n", r"setting 'conflict_start': "),
])
def test_a_bad_case_yaml_is_one_line_naming_the_setting(tmp_path, setting, message):
    folder = write_second_case(tmp_path / "bad")
    lines = [line for line in (folder / "case.yaml").read_text().splitlines(keepends=True)
             if not line.startswith(setting.split(":")[0] + ":")]
    (folder / "case.yaml").write_text("".join(lines) + setting)
    done = run_cli("run", "--case", str(folder), "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and re.search(message, done.stderr), done.stderr
    assert not (tmp_path / "out").exists()


def test_case_new_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    done = run_cli("case", "new", str(tmp_path / "taken"))
    assert done.returncode == 2 and "already exists and is not empty" in done.stderr
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["notes.txt"]


# --- the scaffolded copy of the bundled case runs as the bundled case ----------------------------------

def test_a_scaffolded_case_gives_the_bundled_cases_numbers(tmp_path, baseline_results):
    folder = tmp_path / "copy"
    done = run_cli("case", "new", str(folder))
    assert done.returncode == 0, done.stderr
    assert (folder / "case.yaml").is_file() and (folder / "claims.csv").is_file()
    done = run_cli("run", "--case", str(folder), "--out", str(tmp_path / "out"), *quick_flags())
    assert done.returncode == 0, done.stderr
    results = json.loads((latest(tmp_path / "out") / "results.json").read_text())
    ours, bundled = numbers(results), numbers(baseline_results)
    assert ours.keys() == bundled.keys()
    assert {k: v for k, v in ours.items() if bundled[k] != v} == {}


# --- the second case, end to end -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def second_run(second_case, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("northern-runs")
    done = run_cli("run", "--case", str(second_case), "--out", str(root), *quick_flags())
    assert done.returncode == 0, done.stderr
    return latest(root)


def test_the_second_case_runs_its_own_models_only(second_run):
    results = json.loads((second_run / "results.json").read_text())
    assert sorted(m for m in results if m not in ("schema_version", "case")) == ["attrition", "pooling", "resupply"]
    assert results["case"]["models"] == ["attrition", "resupply", "pooling"]
    assert results["case"]["count_day"] == 50


def test_the_second_cases_probability_is_the_jeffreys_posterior_of_17_of_60(second_run):
    attrition = json.loads((second_run / "results.json").read_text())["attrition"]
    [interval] = [i for i in attrition["proportion"]["intervals"]
                  if i["method"] == "jeffreys posterior" and i["level"] == 0.9]
    expected = scipy.stats.beta(INEFFECTIVE + 0.5, COMMITTED - INEFFECTIVE + 0.5).ppf([0.05, 0.95])
    assert [interval["low"], interval["high"]] == pytest.approx(expected, rel=1e-9)


def test_the_second_cases_hazard_is_over_50_days(second_run):
    attrition = json.loads((second_run / "results.json").read_text())["attrition"]
    assert attrition["as_of_day"] == 50
    # A constant hazard h over t days leaves exp(-h t) effective: with the posterior median p,
    # h = -log(1 - p) / 50.
    median = attrition["proportion"]["posterior_quantiles"]["0.5"]
    expected = -math.log1p(-median) / 50
    assert attrition["hazard"]["per_day_process"]["0.5"] == pytest.approx(expected, rel=0.05)


def test_the_second_cases_briefing_speaks_its_own_words(second_run):
    page = (second_run / "briefing.html").read_text()
    assert seed_words_in(page) == []
    assert "regiment" in text_of(page)


@pytest.fixture(scope="module")
def second_run_with_losses(tmp_path_factory) -> Path:
    folder = write_second_case(tmp_path_factory.mktemp("northern-losses") / "case",
                               models=("attrition", "pooling", "resupply", "losses"))
    root = folder.parent / "runs"
    done = run_cli("run", "--case", str(folder), "--out", str(root), *quick_flags())
    assert done.returncode == 0, done.stderr
    return latest(root)


def test_a_loss_series_in_csv_runs_the_loss_model(second_run_with_losses):
    results = json.loads((second_run_with_losses / "results.json").read_text())
    assert "losses" in results
    page = (second_run_with_losses / "briefing.html").read_text()
    assert seed_words_in(page) == []


def _namespace(model: str, **changes) -> dict:
    """A notebook's namespace after its parameters cell (schema defaults), with ``changes``."""
    from estimates.parameters.schema import Parameters, names_for

    defaults = Parameters().model_dump(mode="json")
    return {**{name: defaults[name] for name in names_for(model)}, **changes}


def test_a_notebook_takes_the_cases_values_unless_injected_or_edited(second_case):
    from estimates.parameters.schema import from_namespace

    # `-p case DIR` under plain papermill: the case's values replace the cell's defaults.
    injected = "# Parameters\ncase = " + repr(str(second_case)) + "\n"
    params = from_namespace("attrition", _namespace("attrition", case=str(second_case), In=["", injected]))
    assert (params.units_committed, params.units_ineffective, params.days_elapsed) == (60, 17, 50)
    # An injected value wins over the case's, even when it equals the schema default.
    injected += "units_committed = 125\n"
    params = from_namespace("attrition", _namespace("attrition", case=str(second_case), units_committed=125,
                                                    In=["", injected]))
    assert params.units_committed == 125
    # A value the analyst edited in the cell (no papermill) wins too.
    params = from_namespace("attrition", _namespace("attrition", case=str(second_case), units_ineffective=20))
    assert params.units_ineffective == 20 and params.units_committed == 60

